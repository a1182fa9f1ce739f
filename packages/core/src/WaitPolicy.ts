/**
 * Waiting policy: how long a wait lasts and how long it sleeps between
 * reads. `WaitOptions` is what a caller gives (durations as milliseconds or
 * strings like `"5 seconds"`), `WaitPolicy` the resolved, checked values.
 *
 * Timing is pure and knows nothing about AWS. The delay before the next read
 * is the Smithy waiter backoff: the n-th delay (n = 0 for the first) is
 * drawn uniformly from [min, min(min·2^n, max)], n back to 0 when the
 * operation changes. A throttled read backs off harder: its delay is drawn
 * from [2·min, min(2·min·2^t, 2·max)] over t consecutive throttles. The last
 * read lands `minDelay` before the deadline, and the wait ends at its
 * deadline, not before. For fixed spacing, set `minDelay` equal to `maxDelay`.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { PolicyDefaults } from "./OperationSource.js"
import { invalidOptions, type OpstatusError } from "./OpstatusError.js"

/**
 * Per-call options: numbers are milliseconds, strings are durations like
 * `"5 seconds"` or `"30 minutes"`.
 *
 * @since 0.1.0
 * @category models
 */
export interface WaitOptions {
  /** The deadline of the whole wait. */
  readonly timeout?: Duration.Input | undefined
  /** The shortest pause between reads; the first pause is exactly this. */
  readonly minDelay?: Duration.Input | undefined
  /** The longest pause between reads (throttled reads may wait up to twice this). */
  readonly maxDelay?: Duration.Input | undefined
  /** How long "not found" means "not visible yet" rather than "does not exist". */
  readonly notFoundGrace?: Duration.Input | undefined
  /**
   * How long an endpoint that cannot be reached (its name does not resolve, the connection is
   * refused, TLS fails) is tried again before the wait ends with `EndpointUnreachable`. Default 15 s.
   */
  readonly unreachableGrace?: Duration.Input | undefined
}

/** How long an unreachable endpoint is tried again unless a source or a caller says otherwise. */
export const defaultUnreachableGraceMillis = 15_000

const Positive = Schema.Finite.check(Schema.isGreaterThan(0))
const NonNegative = Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0))

/**
 * A resolved policy, all durations in milliseconds. It is also what a
 * serialized fleet wait keeps of each wait.
 *
 * @since 0.1.0
 * @category models
 */
export const WaitPolicy = Schema.Struct({
  timeoutMillis: Positive,
  minDelayMillis: Positive,
  maxDelayMillis: Positive,
  notFoundGraceMillis: NonNegative,
  /** Absent in states written before it existed: then 15 seconds. */
  unreachableGraceMillis: Schema.optionalKey(NonNegative)
})

/**
 * @since 0.1.0
 * @category models
 */
export type WaitPolicy = typeof WaitPolicy.Type

/**
 * What the last read told the backoff: the operation changed, it did not,
 * the service throttled, a transient error, or not found yet.
 *
 * @since 0.1.0
 * @category models
 */
export type PollSignal = "changed" | "progress" | "throttled" | "transient" | "not-found"

/**
 * The state of one backoff: reads since the last change, and throttles in a row.
 *
 * @since 0.2.0
 * @category models
 */
export interface BackoffState {
  attempt: number
  throttles: number
}

/**
 * The Smithy jittered backoff for the n-th delay (n = 0 first), given a
 * random number in [0, 1).
 *
 * @since 0.1.0
 * @category policies
 */
export const backoffDelay = (minMillis: number, maxMillis: number, n: number, random: number): number => {
  // 2^n overflows to Infinity past n = 1023; cap the exponent where it no longer matters. A shift
  // for the common small n: fleets compute this for every operation of every round.
  const ceiling = Math.min(minMillis * (n < 31 ? 1 << n : 2 ** Math.min(n, 64)), maxMillis)
  return Math.round(minMillis + random * (Math.max(ceiling, minMillis) - minMillis))
}

/**
 * Advances a backoff by what the last read told and returns the delay before
 * the next read. The one backoff of every wait and every lane sweep.
 *
 * @since 0.2.0
 * @category policies
 */
export const nextDelay = (
  state: BackoffState,
  signal: PollSignal,
  minMillis: number,
  maxMillis: number,
  random: number
): number => {
  if (signal === "throttled") {
    state.throttles++
    return backoffDelay(2 * minMillis, 2 * maxMillis, state.throttles, random)
  }
  state.throttles = 0
  state.attempt = signal === "changed" ? 0 : state.attempt + 1
  return backoffDelay(minMillis, maxMillis, state.attempt, random)
}

/**
 * The delay before the next read given the time left: `undefined` when no
 * further read fits (the remaining time is at most `minDelay`); otherwise the
 * delay, shortened so the last read lands `minDelay` before the deadline.
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

const optionNames = ["timeout", "minDelay", "maxDelay", "notFoundGrace", "unreachableGrace"] as const

const toMillis = (option: string, value: unknown): Effect.Effect<number, OpstatusError> => {
  let parsed: Option.Option<Duration.Duration>
  try {
    parsed =
      value === null || value === undefined ? Option.none() : Duration.fromInput(value as Duration.Input)
  } catch {
    parsed = Option.none()
  }
  if (Option.isNone(parsed)) {
    const shown = typeof value === "string" ? JSON.stringify(value) : typeof value
    return Effect.fail(
      invalidOptions(
        option,
        `${option}: ${shown} is not a duration; use milliseconds or a string like "5 seconds"`
      )
    )
  }
  const millis = Duration.toMillis(parsed.value)
  if (!Number.isFinite(millis) || millis < 0) {
    return Effect.fail(invalidOptions(option, `${option} must be a finite, non-negative duration`))
  }
  return Effect.succeed(millis)
}

/**
 * Resolves a policy: per-call options over caller defaults over the
 * service's defaults, the last layer that sets an option winning, each
 * checked. Fails with `InvalidOptions` naming the option.
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolvePolicy = Effect.fnUntraced(function* (
  defaults: PolicyDefaults,
  ...layers: ReadonlyArray<unknown>
): Effect.fn.Return<WaitPolicy, OpstatusError> {
  for (const layer of layers) {
    if (layer === undefined) continue
    if (typeof layer !== "object" || layer === null) {
      return yield* invalidOptions("options", "wait options must be an object")
    }
    if ("schedule" in layer && (layer as { schedule?: unknown }).schedule !== undefined) {
      return yield* invalidOptions(
        "schedule",
        "schedule was removed in 0.2: every wait uses the backoff between minDelay and maxDelay; set them equal for fixed spacing"
      )
    }
  }
  const pick = (key: (typeof optionNames)[number]): unknown => {
    let value: unknown = defaults[key]
    for (const layer of layers) {
      const given = (layer as Record<string, unknown> | undefined)?.[key]
      if (given !== undefined) value = given
    }
    return value
  }
  const timeoutMillis = yield* toMillis("timeout", pick("timeout"))
  const minDelayMillis = yield* toMillis("minDelay", pick("minDelay"))
  const maxDelayMillis = yield* toMillis("maxDelay", pick("maxDelay"))
  const notFoundGraceMillis = yield* toMillis("notFoundGrace", pick("notFoundGrace"))
  const unreachable = pick("unreachableGrace")
  const unreachableGraceMillis =
    unreachable === undefined
      ? defaultUnreachableGraceMillis
      : yield* toMillis("unreachableGrace", unreachable)
  if (timeoutMillis <= 0) return yield* invalidOptions("timeout", "timeout must be greater than zero")
  if (minDelayMillis <= 0) return yield* invalidOptions("minDelay", "minDelay must be greater than zero")
  if (maxDelayMillis < minDelayMillis) {
    return yield* invalidOptions(
      "maxDelay",
      `maxDelay (${maxDelayMillis} ms) must not be below minDelay (${minDelayMillis} ms)`
    )
  }
  return { timeoutMillis, minDelayMillis, maxDelayMillis, notFoundGraceMillis, unreachableGraceMillis }
})
