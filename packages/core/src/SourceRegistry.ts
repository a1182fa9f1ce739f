/**
 * The registry of sources: the plugins a program reads operations with, one
 * per service. Refs parse against it: a ref's service must be registered, its
 * region must fit the source's rule and be served by a client, its ID must
 * fit the source's ID rule. Every check runs before any request.
 *
 * @since 0.2.0
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Result from "effect/Result"
import { resolveFleetOptions } from "./FleetConfig.js"
import { isOperation, type Operation, OperationStatus } from "./Operation.js"
import type { OperationRef } from "./OperationRef.js"
import type { OperationSource } from "./OperationSource.js"
import { invalidConfig, invalidRef, type OpstatusError } from "./OpstatusError.js"
import { checkRef, describeInput, slugPattern, toRef } from "./Refs.js"
import { resolvePolicy } from "./WaitPolicy.js"

/**
 * A ref resolved against the registry: the checked ref, its source, and the
 * snapshot it came as (when the input was an operation).
 *
 * @since 0.2.0
 * @category models
 */
export interface ResolvedRef {
  readonly ref: OperationRef
  readonly source: OperationSource
  readonly snapshot: Operation | undefined
}

/**
 * The registered sources.
 *
 * @since 0.2.0
 * @category models
 */
export interface SourceRegistry {
  readonly sources: ReadonlyArray<OperationSource>
  /** The registered services' slugs, in registration order. */
  readonly services: ReadonlyArray<string>
  readonly sourceOf: (service: string) => OperationSource | undefined
  /**
   * Checks an input (a ref string, a ref, or an operation snapshot) against
   * the registered sources and finds its source. No request is made.
   */
  readonly resolve: (input: unknown) => Effect.Effect<ResolvedRef, OpstatusError>
}

const isStatus = (u: unknown): boolean => (OperationStatus.literals as ReadonlyArray<unknown>).includes(u)
const isFunction = (u: unknown): boolean => typeof u === "function"
const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null

/** The first problem of a source's declaration, or `undefined`. */
const problemOf = (source: unknown): string | undefined => {
  if (!isObject(source)) return "is not a source object"
  const info = source.info
  if (!isObject(info)) return "declares no info (service, title, idRule, hints, defaults, statusTable)"
  if (typeof info.service !== "string" || !slugPattern.test(info.service)) {
    return `info.service ${describeInput(info.service)} is not a service name (lower-case letters, digits and dashes)`
  }
  if (typeof info.title !== "string" || info.title === "") return "info.title must be the service's name"
  const idRule = info.idRule
  if (
    !isObject(idRule) ||
    !(idRule.pattern instanceof RegExp) ||
    typeof idRule.maxLength !== "number" ||
    !(idRule.maxLength > 0) ||
    typeof idRule.description !== "string"
  ) {
    return "info.idRule must have a pattern (RegExp), a maxLength and a description"
  }
  const regionRule = info.regionRule
  if (regionRule !== undefined && (!isObject(regionRule) || !(regionRule.pattern instanceof RegExp))) {
    return "info.regionRule must have a pattern (RegExp) and a description"
  }
  if (!isObject(info.hints)) return "info.hints must name the hints the source reads"
  if (!isObject(info.statusTable) || !Object.values(info.statusTable).every(isStatus)) {
    return "info.statusTable must map raw statuses to pending, running, succeeded, failed, cancelled or unknown"
  }
  const defaults = Effect.runSyncExit(resolvePolicy(info.defaults as never))
  if (!isObject(info.defaults) || Exit.isFailure(defaults)) {
    return "info.defaults must give timeout, minDelay, maxDelay and notFoundGrace as durations"
  }
  for (const name of ["get", "list", "checkRegion", "refsFromResponse"] as const) {
    if (!isFunction(source[name])) return `has no ${name} function`
  }
  if (source.batch !== undefined && (!isObject(source.batch) || !isFunction(source.batch.plan))) {
    return "batch must have a plan function"
  }
  if (source.cancel !== undefined && !isFunction(source.cancel)) return "cancel must be a function"
  if (info.rateLimit !== undefined && Result.isFailure(resolveFleetOptions({ rateLimit: info.rateLimit }))) {
    return "info.rateLimit must give start, min and max as positive requests per second, min <= start <= max"
  }
  if (info.checkId !== undefined && !isFunction(info.checkId)) return "info.checkId must be a function"
  return undefined
}

/**
 * Builds a registry of the given sources, or fails with `InvalidConfig`
 * naming the first problem (no sources, a source that does not declare
 * itself, two sources for one service).
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeRegistry = (sources: unknown): Result.Result<SourceRegistry, OpstatusError> => {
  if (!Array.isArray(sources)) {
    return Result.fail(invalidConfig("sources", "give an array of sources, one per service"))
  }
  if (sources.length === 0) return Result.fail(invalidConfig("sources", "give at least one source"))
  const byService = new Map<string, OperationSource>()
  for (const [index, source] of sources.entries()) {
    const problem = problemOf(source)
    if (problem !== undefined) return Result.fail(invalidConfig(`sources[${index}]`, problem))
    const typed = source as OperationSource
    if (byService.has(typed.info.service)) {
      return Result.fail(
        invalidConfig(
          `sources[${index}]`,
          `a second source for ${typed.info.service}; give one per service (one source serves many regions through clientFor)`
        )
      )
    }
    byService.set(typed.info.service, typed)
  }
  const services = [...byService.keys()]
  const resolve = (input: unknown): Effect.Effect<ResolvedRef, OpstatusError> =>
    Effect.gen(function* () {
      const snapshot = isOperation(input) ? input : undefined
      const ref = yield* toRef(snapshot === undefined ? input : snapshot.ref)
      const source = byService.get(ref.service)
      if (source === undefined) {
        return yield* invalidRef(
          describeInput(`${ref.service}:${ref.region}:${ref.id}`),
          `no source is registered for "${ref.service}" (registered: ${services.join(", ")})`,
          ref.service
        )
      }
      yield* checkRef(ref, source.info)
      yield* source.checkRegion(ref.region)
      return { ref, source, snapshot }
    })
  return Result.succeed({
    sources: [...byService.values()],
    services,
    sourceOf: (service) => byService.get(service),
    resolve
  })
}
