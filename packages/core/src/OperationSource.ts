/**
 * The source contract every adapter implements, and the `OperationSources`
 * service through which the waiter finds the source of a ref. Raw AWS shapes
 * stay inside the adapter: a source speaks only `OperationRef`, `Operation`
 * and `SourceError`.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer, type Stream } from "effect"
import type { Operation } from "./Operation.js"
import { InvalidOperationRefError, type InvalidQueryError, type SourceError } from "./OperationError.js"
import type { OperationRef, ServiceSlug } from "./OperationRef.js"

/**
 * What a caller may add to refs read from a response: the region (Cloud Map
 * and SSM for SAP responses do not name it) and the adapters' hints.
 *
 * @since 0.1.0
 * @category models
 */
export type RefHints = Partial<
  Pick<OperationRef, "region" | "resourceName" | "applicationId" | "namespaceId" | "serviceId">
>

/**
 * One service's operations.
 *
 * @since 0.1.0
 * @category models
 */
export interface OperationSource<Query = unknown> {
  readonly service: ServiceSlug
  /** Checks a ref against what this source serves (its regions, its ID rules). No request is made. */
  readonly check: (ref: OperationRef) => Effect.Effect<void, InvalidOperationRefError>
  /** Reads one operation. */
  readonly get: (ref: OperationRef) => Effect.Effect<Operation, SourceError | InvalidOperationRefError>
  /** Lists operations matching a service-specific query, page by page. */
  readonly list: (
    region: string,
    query: Query
  ) => Stream.Stream<Operation, SourceError | InvalidOperationRefError | InvalidQueryError>
  /** Says what one failed request means. */
  readonly classify: (error: unknown) => SourceError
  /** The refs of the operations a mutating call started; hints fill in what the response does not say. */
  readonly refsFromResponse: (response: unknown, hints?: RefHints) => ReadonlyArray<OperationRef>
}

/**
 * The sources a program can read, by service.
 *
 * @since 0.1.0
 * @category services
 */
export class OperationSources extends Context.Service<
  OperationSources,
  {
    readonly sourceFor: (ref: OperationRef) => Effect.Effect<OperationSource, InvalidOperationRefError>
    readonly all: ReadonlyArray<OperationSource>
  }
>()("@opstatus/core/OperationSources") {
  /**
   * A layer serving the given sources; at most one per service.
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layer = (sources: ReadonlyArray<OperationSource<any>>): Layer.Layer<OperationSources> =>
    Layer.succeed(OperationSources, makeSources(sources))
}

/**
 * Builds the `OperationSources` service value.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeSources = (sources: ReadonlyArray<OperationSource<any>>): OperationSources["Service"] => {
  const byService = new Map<ServiceSlug, OperationSource>()
  for (const source of sources) {
    if (byService.has(source.service)) {
      throw new TypeError(
        `Two sources were given for ${source.service}; give one (use clientFor for many regions)`
      )
    }
    byService.set(source.service, source)
  }
  return OperationSources.of({
    all: [...byService.values()],
    sourceFor: (ref) => {
      const source = byService.get(ref.service)
      if (source === undefined) {
        const known = [...byService.keys()].join(", ") || "none"
        return Effect.fail(
          new InvalidOperationRefError({
            input: `${ref.service}:${ref.region}:${ref.id}`,
            reason: `no source is configured for ${ref.service}`,
            message: `No source is configured for ${ref.service} (configured: ${known}); add its source to read this operation`
          })
        )
      }
      return Effect.as(source.check(ref), source)
    }
  })
}
