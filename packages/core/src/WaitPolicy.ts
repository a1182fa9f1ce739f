/**
 * Waiting policy: how long to wait and how long to sleep between polls.
 * Timing is a `Schedule` that knows nothing about AWS: its input is what the
 * last poll told (progress, throttled, transient error, not found yet), its
 * output the delay before the next poll.
 *
 * The default schedule is the Smithy waiter backoff: the n-th delay (n = 0
 * for the first) is drawn uniformly from [min, min(min·2^n, max)]. A
 * throttled poll backs off harder: its delay is drawn from
 * [2·min, min(2·min·2^t, 2·max)] over t consecutive throttles. The waiter
 * places the last poll `minDelay` before the deadline, as Smithy does.
 *
 * @since 0.1.0
 */
import { Duration, Effect, Option, Random, Schedule } from "effect"
import { InvalidWaitOptionsError } from "./OperationError.js"
import type { ServiceSlug } from "./OperationRef.js"

/**
 * What the last poll told the schedule.
 *
 * @since 0.1.0
 * @category models
 */
export type PollSignal = "progress" | "throttled" | "transient" | "not-found"

/**
 * A resolved policy, all durations in milliseconds.
 *
 * @since 0.1.0
 * @category models
 */
export interface WaitPolicy {
  readonly timeoutMillis: number
  readonly minDelayMillis: number
  readonly maxDelayMillis: number
  /** How long "not found" means "not visible yet" rather than "does not exist". */
  readonly notFoundGraceMillis: number
  /** The delay schedule; defaults to `backoff(min, max)`. */
  readonly schedule: Schedule.Schedule<unknown, PollSignal>
}

/**
 * Per-call options: numbers are milliseconds, strings are durations like
 * `"5 seconds"` or `"30 minutes"`.
 *
 * @since 0.1.0
 * @category models
 */
export interface WaitOptions {
  readonly timeout?: Duration.Input | undefined
  readonly minDelay?: Duration.Input | undefined
  readonly maxDelay?: Duration.Input | undefined
  readonly notFoundGrace?: Duration.Input | undefined
  /** Replaces the backoff schedule. Its output is ignored; its delays are used. */
  readonly schedule?: Schedule.Schedule<unknown, PollSignal> | undefined
}

/**
 * The per-service defaults (documented in docs/policies.md). Anchors:
 * Terraform waits 30 minutes for Lightsail and 5 for Cloud Map; SSM for SAP
 * starts and stops SAP systems, which takes many minutes, so it gets an hour.
 *
 * @since 0.1.0
 * @category defaults
 */
export const serviceDefaults: Readonly<Record<ServiceSlug, Omit<WaitPolicy, "schedule">>> = {
  lightsail: {
    timeoutMillis: 30 * 60_000,
    minDelayMillis: 2_000,
    maxDelayMillis: 30_000,
    notFoundGraceMillis: 30_000
  },
  servicediscovery: {
    timeoutMillis: 5 * 60_000,
    minDelayMillis: 1_000,
    maxDelayMillis: 10_000,
    notFoundGraceMillis: 30_000
  },
  "ssm-sap": {
    timeoutMillis: 60 * 60_000,
    minDelayMillis: 5_000,
    maxDelayMillis: 60_000,
    notFoundGraceMillis: 30_000
  }
}

/**
 * The Smithy jittered backoff for the n-th delay (n = 0 first), given a
 * random number in [0, 1).
 *
 * @since 0.1.0
 * @category policies
 */
export const backoffDelay = (minMillis: number, maxMillis: number, n: number, random: number): number => {
  // 2^n overflows to Infinity past n = 1023; cap the exponent where it no longer matters.
  const ceiling = Math.min(minMillis * 2 ** Math.min(n, 64), maxMillis)
  return Math.round(minMillis + random * (Math.max(ceiling, minMillis) - minMillis))
}

/**
 * The delay before the next poll given the time left: `undefined` when no
 * further poll fits (the remaining time is at most `minDelay`); otherwise the
 * delay, shortened so the last poll lands `minDelay` before the deadline.
 *
 * @since 0.1.0
 * @category policies
 */
export const clampToDeadline = (
  delayMillis: number,
  remainingMillis: number,
  minDelayMillis: number
): number | undefined => {
  if (remainingMillis <= minDelayMillis) return undefined
  return remainingMillis - delayMillis <= minDelayMillis ? remainingMillis - minDelayMillis : delayMillis
}

/**
 * The default delay schedule: Smithy backoff on progress, transient errors
 * and not-found; harder backoff on throttling.
 *
 * @since 0.1.0
 * @category policies
 */
export const backoff = (
  minDelay: Duration.Input,
  maxDelay: Duration.Input
): Schedule.Schedule<Duration.Duration, PollSignal> => {
  const min = Duration.toMillis(minDelay)
  const max = Duration.toMillis(maxDelay)
  return Schedule.fromStepWithMetadata(
    Effect.sync(() => {
      let attempts = 0
      let throttles = 0
      return (meta: Schedule.InputMetadata<PollSignal>) =>
        Effect.map(Random.next, (random): [Duration.Duration, Duration.Duration] => {
          let delay: number
          if (meta.input === "throttled") {
            throttles++
            delay = backoffDelay(2 * min, 2 * max, throttles, random)
          } else {
            throttles = 0
            delay = backoffDelay(min, max, attempts++, random)
          }
          const d = Duration.millis(delay)
          return [d, d]
        })
    })
  )
}

const toMillis = (option: string, value: Duration.Input): Effect.Effect<number, InvalidWaitOptionsError> => {
  const parsed = Duration.fromInput(value)
  if (Option.isNone(parsed)) {
    return Effect.fail(
      new InvalidWaitOptionsError({
        option,
        message: `${option}: ${JSON.stringify(value)} is not a duration; use milliseconds or a string like "5 seconds"`
      })
    )
  }
  const millis = Duration.toMillis(parsed.value)
  if (!Number.isFinite(millis) || millis < 0) {
    return Effect.fail(
      new InvalidWaitOptionsError({ option, message: `${option} must be a finite, non-negative duration` })
    )
  }
  return Effect.succeed(millis)
}

/**
 * Resolves a policy: per-call options over caller defaults over the
 * service's defaults, each checked.
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolvePolicy = Effect.fnUntraced(function* (
  service: ServiceSlug,
  ...layers: ReadonlyArray<WaitOptions | undefined>
) {
  const base = serviceDefaults[service]
  // The last layer that sets an option wins.
  const pick = <K extends keyof WaitOptions>(key: K): WaitOptions[K] =>
    layers.reduce<WaitOptions[K]>((value, layer) => layer?.[key] ?? value, undefined)
  const read = (option: "timeout" | "minDelay" | "maxDelay" | "notFoundGrace", fallback: number) => {
    const value = pick(option)
    return value === undefined ? Effect.succeed(fallback) : toMillis(option, value as Duration.Input)
  }
  const timeoutMillis = yield* read("timeout", base.timeoutMillis)
  const minDelayMillis = yield* read("minDelay", base.minDelayMillis)
  const maxDelayMillis = yield* read("maxDelay", base.maxDelayMillis)
  const notFoundGraceMillis = yield* read("notFoundGrace", base.notFoundGraceMillis)
  if (timeoutMillis <= 0) {
    return yield* new InvalidWaitOptionsError({
      option: "timeout",
      message: "timeout must be greater than zero"
    })
  }
  if (minDelayMillis <= 0) {
    return yield* new InvalidWaitOptionsError({
      option: "minDelay",
      message: "minDelay must be greater than zero"
    })
  }
  if (maxDelayMillis < minDelayMillis) {
    return yield* new InvalidWaitOptionsError({
      option: "maxDelay",
      message: `maxDelay (${maxDelayMillis} ms) must not be below minDelay (${minDelayMillis} ms)`
    })
  }
  const policy: WaitPolicy = {
    timeoutMillis,
    minDelayMillis,
    maxDelayMillis,
    notFoundGraceMillis,
    schedule: pick("schedule") ?? backoff(minDelayMillis, maxDelayMillis)
  }
  return policy
})
