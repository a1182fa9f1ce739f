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
