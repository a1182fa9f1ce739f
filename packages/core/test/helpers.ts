/**
 * Test helpers: run an Effect on TestClock, and a scripted in-memory source
 * (our own source contract, not the SDK) that records when it was polled.
 */
import { Clock, Effect, Fiber, Layer, Stream } from "effect"
import { TestClock } from "effect/testing"
import type { Operation } from "../src/Operation.js"
import { InvalidOperationRefError, SourceError } from "../src/OperationError.js"
import type { OperationRef, ServiceSlug } from "../src/OperationRef.js"
import { type OperationSource, OperationSources } from "../src/OperationSource.js"

/** Runs an effect with TestClock, advancing virtual time by `advance` after forking it. */
export const runWithClock = <A, E>(
  effect: Effect.Effect<A, E, OperationSources>,
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

export type Step = Operation | SourceError | "hang" | ((ref: OperationRef) => Operation | SourceError)

/** A source that answers polls from a script; the last step repeats. */
export const scriptedSource = (
  service: ServiceSlug,
  script: ReadonlyArray<Step>,
  options: { regions?: string[] } = {}
) => {
  const calls: number[] = []
  let i = 0
  const source: OperationSource<unknown> = {
    service,
    check: (ref) =>
      options.regions === undefined || options.regions.includes(ref.region)
        ? Effect.void
        : Effect.fail(
            new InvalidOperationRefError({
              input: ref.id,
              reason: `no client for region ${ref.region}`,
              message: `no client for region ${ref.region}`
            })
          ),
    get: (ref) =>
      Effect.gen(function* () {
        calls.push(yield* Clock.currentTimeMillis)
        const step = script[Math.min(i++, script.length - 1)]!
        if (step === "hang") return yield* Effect.never
        const value = typeof step === "function" ? step(ref) : step
        if (value instanceof SourceError) return yield* value
        return value
      }),
    list: () => Stream.empty,
    classify: (e) => new SourceError({ service, reason: "unknown", code: "Error", message: String(e) }),
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

export const sourceError = (
  reason: SourceError["reason"],
  code = "Err",
  message = "boom",
  httpStatus?: number
) =>
  new SourceError({
    service: "servicediscovery",
    reason,
    code,
    message,
    requestId: "req-1",
    ...(httpStatus === undefined ? {} : { httpStatus })
  })

/** One request a `worldSource` answered. */
export interface Call {
  readonly kind: "get" | "list"
  readonly id?: string
  readonly at: number
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
  world: (ref: OperationRef, now: number) => Operation | SourceError | "hang",
  options: {
    readonly batch?: {
      readonly pages?: number
      readonly summaries?: boolean
      readonly fail?: (now: number) => SourceError | undefined
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
      if (value instanceof SourceError) return yield* value
      return value
    })
  const batch = options.batch
  const source: OperationSource<unknown> = {
    service,
    check: () => Effect.void,
    get,
    list: () => Stream.empty,
    classify: (e) => new SourceError({ service, reason: "unknown", code: "Error", message: String(e) }),
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
                      complete: batch.summaries !== true,
                      pages: (gate) =>
                        Stream.fromIterable(Array.from({ length: batch.pages ?? 1 }, (_, i) => i)).pipe(
                          Stream.mapEffect((page) =>
                            gate(
                              Effect.gen(function* () {
                                const at = yield* Clock.currentTimeMillis
                                calls.push({ kind: "list", at })
                                const failure = batch.fail?.(at)
                                if (failure !== undefined) return yield* failure
                                if (page > 0) return []
                                const ops: Array<Operation> = []
                                for (const { ref } of candidates) {
                                  const value = world(ref, at)
                                  if (value === "hang" || value instanceof SourceError) continue
                                  if (batch.summaries === true) {
                                    if (value.terminal) continue
                                    ops.push({
                                      ref: { service, region: ref.region, id: ref.id },
                                      status: value.status,
                                      terminal: false,
                                      rawStatus: value.rawStatus,
                                      resource: {},
                                      region: ref.region,
                                      raw: { Id: ref.id, Status: value.rawStatus }
                                    })
                                  } else ops.push(value)
                                }
                                return ops
                              })
                            )
                          )
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

/** Runs a program on TestClock with these sources, advancing the clock in steps up to `total`. */
export const runOnClock = <A, E>(
  effect: Effect.Effect<A, E, OperationSources>,
  sources: ReadonlyArray<OperationSource<any>>,
  total: number,
  step = 100
) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(Effect.result(effect))
      for (let t = 0; t < total; t += step) yield* TestClock.adjust(step)
      return yield* Fiber.join(fiber)
    }).pipe(Effect.provide(Layer.merge(TestClock.layer(), OperationSources.layer(sources))))
  )
