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
 * Runs one request of a batch read through the lane's client-side rate
 * limiter: it waits for a token, then sends, and tells the limiter whether
 * the service throttled.
 *
 * @since 0.2.0
 * @category models
 */
export type Gate = <A, E, R>(request: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>

/**
 * One operation a fleet lane is waiting on, as the batch planner sees it.
 *
 * @since 0.2.0
 * @category models
 */
export interface BatchCandidate {
  /** The ref with every hint known, from the caller and from earlier snapshots. */
  readonly ref: OperationRef
  /** The last snapshot seen, if any. */
  readonly last: Operation | undefined
  /** When the earliest wait on it started, epoch ms. */
  readonly since: number
}

/**
 * One way to read many operations with a list API.
 *
 * @since 0.2.0
 * @category models
 */
export interface BatchRead {
  /**
   * Names the read for cost learning: the engine remembers how many pages the
   * last read with this key took and uses it as the next estimate.
   */
  readonly key: string
  /** The candidates this read reports on: the very objects `plan` was given. */
  readonly covers: ReadonlyArray<BatchCandidate>
  /** Calls the read makes per covered operation on top of its pages (SSM for SAP steps). */
  readonly callsPerRef?: number | undefined
  /**
   * True when the read returns full operations; false when it returns status
   * summaries (Cloud Map ListOperations) that the engine merges into the last
   * full snapshot.
   */
  readonly complete: boolean
  /**
   * The read, one element per page. Every request goes through `gate`. An
   * operation it covers that no page carries is read with `get` in the same
   * round (it ended, or is not visible yet).
   */
  readonly pages: (
    gate: Gate
  ) => Stream.Stream<ReadonlyArray<Operation>, SourceError | InvalidOperationRefError | InvalidQueryError>
}

/**
 * The optional batch capability of a source: the list reads that could cover
 * a lane's operations. The fleet engine picks among them by cost; a source
 * without it is polled ref by ref.
 *
 * @since 0.2.0
 * @category models
 */
export interface OperationBatchReader {
  /** Calls one `get` makes (SSM for SAP with steps: 2). Defaults to 1. */
  readonly getCost?: number | undefined
  /** The reads that could cover these candidates of one region; `now` is epoch ms. */
  readonly plan: (
    region: string,
    candidates: ReadonlyArray<BatchCandidate>,
    now: number
  ) => ReadonlyArray<BatchRead>
}

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
  /** Reads many operations at once through the service's list APIs (optional). */
  readonly batch?: OperationBatchReader | undefined
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
