/**
 * Test helpers: run an Effect on TestClock, and scripted in-memory sources
 * (plugins of our own source contract, not the SDK) that record when they
 * were read. The services are declared here, as any plugin declares its own.
 */
import { Clock, Effect, Fiber, Layer, Stream } from "effect"
import { TestClock } from "effect/testing"
import type { Engine } from "../src/Engine.js"
import type { Operation } from "../src/Operation.js"
import type { OperationRef } from "../src/OperationRef.js"
import type { OperationSource, ServiceInfo } from "../src/OperationSource.js"
import { OperationSources } from "../src/OperationSources.js"
import { invalidRef, isOpstatusError, type OpstatusError, requestError } from "../src/OpstatusError.js"

export type ServiceSlug = "lightsail" | "servicediscovery" | "ssm-sap"

const defaults: Record<ServiceSlug, ServiceInfo["defaults"]> = {
  lightsail: {
    timeout: "30 minutes",
    minDelay: "2 seconds",
    maxDelay: "30 seconds",
    notFoundGrace: "30 seconds"
  },
  servicediscovery: {
    timeout: "5 minutes",
    minDelay: "1 second",
    maxDelay: "10 seconds",
    notFoundGrace: "30 seconds"
  },
  "ssm-sap": {
    timeout: "60 minutes",
    minDelay: "5 seconds",
    maxDelay: "60 seconds",
    notFoundGrace: "30 seconds"
  }
}

/** A test service's declaration (the slugs and defaults of the first adapters). */
export const infoOf = (service: ServiceSlug): ServiceInfo => ({
  service,
  title: `Test ${service}`,
  idRule:
    service === "ssm-sap"
      ? { maxLength: 38, pattern: /^\{?[0-9a-fA-F-]{36}\}?$/, description: "a UUID" }
      : { maxLength: 255, pattern: /^[A-Za-z0-9-]+$/, description: "letters, digits and dashes" },
  hints: {},
  defaults: defaults[service],
  statusTable: { PENDING: "pending", RUNNING: "running", SUCCEEDED: "succeeded", FAILED: "failed" }
})

/** Runs an effect with TestClock, advancing virtual time by `advance` after forking it. */
export const runWithClock = <A, E>(
  effect: Effect.Effect<A, E, Engine | OperationSources>,
  sources: ReadonlyArray<OperationSource<any>>,
  advance: number
) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(Effect.result(effect))
      yield* TestClock.adjust(advance)
      return yield* Fiber.join(fiber)
    }).pipe(Effect.provide(Layer.merge(TestClock.layer(), OperationSources.layer(sources))))
  )

export type Step = Operation | OpstatusError | "hang" | ((ref: OperationRef) => Operation | OpstatusError)

/** A source that answers polls from a script; the last step repeats. */
export const scriptedSource = (
  service: ServiceSlug,
  script: ReadonlyArray<Step>,
  options: { regions?: string[] } = {}
) => {
  const calls: number[] = []
  let i = 0
  const source: OperationSource<unknown> = {
    info: infoOf(service),
    checkRegion: (region) =>
      options.regions === undefined || options.regions.includes(region)
        ? Effect.void
        : Effect.fail(invalidRef(`${service}:${region}`, `no client for region ${region}`, service)),
    get: (ref) =>
      Effect.gen(function* () {
        calls.push(yield* Clock.currentTimeMillis)
        const step = script[Math.min(i++, script.length - 1)]!
        if (step === "hang") return yield* Effect.never
        const value = typeof step === "function" ? step(ref) : step
        if (isOpstatusError(value)) return yield* value
        return value
      }),
    list: () => Stream.empty,
    refsFromResponse: () => []
  }
  return { source, calls }
}

export const ref = (
  service: ServiceSlug = "servicediscovery",
  id = "gv4g5meo7ndmeh4fqskygvk23d2fijwa-k9302yzd"
) => ({ service, region: "us-east-1", id }) satisfies OperationRef

/** A unified operation in the given status. */
export const op = (
  status: Operation["status"],
  extra: Partial<Operation> = {},
  r: OperationRef = ref()
): Operation => ({
  ref: r,
  type: "CREATE_NAMESPACE",
  status,
  terminal: status === "succeeded" || status === "failed" || status === "cancelled",
  rawStatus: status.toUpperCase(),
  resource: {},
  region: r.region,
  raw: {},
  ...extra
})

const reasonTags = {
  "not-found": "OperationNotFound",
  throttled: "Throttled",
  transient: "ServiceUnavailable",
  denied: "AccessDenied",
  unauthenticated: "Unauthenticated",
  invalid: "InvalidRequest",
  malformed: "MalformedResponse",
  unknown: "UnknownServiceError"
} as const

/** A failed request as a source reports it. */
export const sourceError = (
  reason: keyof typeof reasonTags,
  code = "Err",
  message = "boom",
  httpStatus?: number
): OpstatusError =>
  requestError(reasonTags[reason], {
    service: "servicediscovery",
    code,
    serviceMessage: message,
    requestId: "req-1",
    httpStatus
  })

/** The reason tag of a failure, for short assertions. */
export const tagOf = (u: unknown): string | undefined => (isOpstatusError(u) ? u.reason._tag : undefined)

/** One request a `worldSource` answered. */
export interface Call {
  readonly kind: "get" | "list"
  readonly id?: string
  readonly at: number
  /** The page a list call asked for (0 for the first). */
  readonly page?: number
}

/**
 * A source over a scripted world: `world(ref, now)` says what GetOperation
 * answers at virtual time `now`. With `batch`, it also offers one list read
 * over every candidate: `pages` pages, the operations on the first; in
 * `summaries` mode (like Cloud Map) it lists only operations that are not
 * terminal, as status-only summaries, and the engine must follow up.
 */
export const worldSource = (
  service: ServiceSlug,
  world: (ref: OperationRef, now: number) => Operation | OpstatusError | "hang" | "throw",
  options: {
    readonly batch?: {
      readonly pages?: number
      /** Status summaries, like Cloud Map's ListOperations: of pending operations only, or of every one. */
      readonly summaries?: boolean | "all"
      readonly fail?: (now: number, page: number) => OpstatusError | undefined
      /** A page's items as the source hands them to the engine (to inject bad answers). */
      readonly mangle?: (items: Array<unknown>, page: number) => Array<unknown>
    }
  } = {}
) => {
  const calls: Array<Call> = []
  const get = (ref: OperationRef) =>
    Effect.gen(function* () {
      const at = yield* Clock.currentTimeMillis
      calls.push({ kind: "get", id: ref.id, at })
      const value = world(ref, at)
      if (value === "hang") return yield* Effect.never
      if (value === "throw") throw new TypeError("Cannot read properties of null (reading 'Status')")
      if (isOpstatusError(value)) return yield* value
      return value
    })
  const batch = options.batch
  const source: OperationSource<unknown> = {
    info: infoOf(service),
    checkRegion: () => Effect.void,
    get,
    list: () => Stream.empty,
    refsFromResponse: () => [],
    ...(batch === undefined
      ? {}
      : {
          batch: {
            plan: (_region, candidates) =>
              candidates.length < 2
                ? []
                : [
                    {
                      key: "list",
                      covers: candidates,
                      complete: batch.summaries === undefined || batch.summaries === false,
                      page: (gate, token) =>
                        gate(
                          Effect.gen(function* () {
                            const page = token === undefined ? 0 : Number(token)
                            const at = yield* Clock.currentTimeMillis
                            calls.push({ kind: "list", at, page })
                            const failure = batch.fail?.(at, page)
                            if (failure !== undefined) return yield* failure
                            const next = page + 1 < (batch.pages ?? 1) ? String(page + 1) : undefined
                            const ops: Array<unknown> = []
                            if (page === 0) {
                              for (const { ref } of candidates) {
                                const value = world(ref, at)
                                if (value === "hang" || value === "throw" || isOpstatusError(value)) continue
                                if (batch.summaries !== undefined && batch.summaries !== false) {
                                  if (value.terminal && batch.summaries !== "all") continue
                                  ops.push({
                                    ref: { service, region: ref.region, id: ref.id },
                                    status: value.status,
                                    terminal: value.terminal,
                                    rawStatus: value.rawStatus,
                                    resource: {},
                                    region: ref.region,
                                    raw: { Id: ref.id, Status: value.rawStatus }
                                  })
                                } else ops.push(value)
                              }
                            }
                            const items = batch.mangle === undefined ? ops : batch.mangle(ops, page)
                            return {
                              items: items as Array<Operation>,
                              ...(next === undefined ? {} : { next })
                            }
                          })
                        )
                    }
                  ]
          }
        })
  }
  return { source, calls }
}

/** A ref with its own id. */
export const refN = (n: number, service: ServiceSlug = "servicediscovery"): OperationRef => ({
  service,
  region: "us-east-1",
  id: service === "ssm-sap" ? `00000000-0000-4000-8000-${String(n).padStart(12, "0")}` : `op-${n}`
})

/** An operation that is pending until `endsAt`, then `outcome` (failed ones carry an error code). */
export const timeline =
  (
    endsAt: (ref: OperationRef) => number,
    outcome: (ref: OperationRef) => "succeeded" | "failed" = () => "succeeded"
  ) =>
  (r: OperationRef, now: number): Operation => {
    if (now < endsAt(r)) return op("running", { targets: { INSTANCE: `i-${r.id}` } }, r)
    const status = outcome(r)
    return op(
      status,
      {
        targets: { INSTANCE: `i-${r.id}` },
        ...(status === "failed" ? { error: { code: "INTERNAL_FAILURE", message: "it broke" } } : {})
      },
      r
    )
  }

const onClockFor =
  (stop: boolean) =>
  <A, E>(
    effect: Effect.Effect<A, E, Engine | OperationSources>,
    sources: ReadonlyArray<OperationSource<any>>,
    total: number,
    step = 100
  ) =>
    Effect.runPromise(
      Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(Effect.result(effect))
        for (let t = 0; t < total; t += step) yield* TestClock.adjust(step)
        if (stop) yield* Fiber.interrupt(fiber)
        return yield* Fiber.await(fiber)
      }).pipe(Effect.provide(Layer.merge(TestClock.layer(), OperationSources.layer(sources))))
    )

/** Runs a program on TestClock with these sources, advancing the clock in steps up to `total`, then joins it. */
export const runOnClock = <A, E>(
  effect: Effect.Effect<A, E, Engine | OperationSources>,
  sources: ReadonlyArray<OperationSource<any>>,
  total: number,
  step = 100
) =>
  onClockFor(false)(effect, sources, total, step).then((exit) => {
    if (exit._tag === "Failure") throw new Error("the program died")
    return exit.value
  })

/** Runs a program on TestClock for `total` ms, then stops it. */
export const runThenStop = onClockFor(true)
