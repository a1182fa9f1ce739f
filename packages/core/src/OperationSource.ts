/**
 * The source contract: what a plugin for one service declares and does.
 * Core names no service; a source declares its slug, the shape of its
 * operation IDs, its default waiting policy, the ref hints it reads and its
 * status table (`ServiceInfo`), and reads operations (`get`, `list`, and
 * optionally batch reads for fleets). Raw service shapes stay inside the
 * source: it speaks only `OperationRef`, `Operation` and `OpstatusError`.
 *
 * Adapters build sources with the adapter kit (`@opstatus/core/adapter-kit`);
 * a source can also be written by hand (docs/concepts.md shows one).
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type { RateLimitOptions } from "./FleetConfig.js"
import type { Operation } from "./Operation.js"
import type { OperationRef } from "./OperationRef.js"
import type { OpstatusError } from "./OpstatusError.js"
import type { StatusTable } from "./StatusMapping.js"

/**
 * What a service accepts as an operation ID.
 *
 * @since 0.2.0
 * @category models
 */
export interface IdRule {
  readonly maxLength: number
  readonly pattern: RegExp
  /** The shape in words, for error messages: `"a UUID"`. */
  readonly description: string
}

/**
 * A service's default waiting policy. Durations are milliseconds or strings
 * like `"30 seconds"`.
 *
 * @since 0.2.0
 * @category models
 */
export interface PolicyDefaults {
  readonly timeout: Duration.Input
  readonly minDelay: Duration.Input
  readonly maxDelay: Duration.Input
  readonly notFoundGrace: Duration.Input
  /** How long an endpoint that cannot be reached is tried before the wait ends; 15 seconds when absent. */
  readonly unreachableGrace?: Duration.Input | undefined
}

/**
 * What a source declares about its service. Refs are parsed and checked
 * against it before any request.
 *
 * @since 0.2.0
 * @category models
 */
export interface ServiceInfo {
  /** The service's slug, the first part of a ref: lower-case letters, digits and dashes. */
  readonly service: string
  /** The service's name for people, as AWS writes it. */
  readonly title: string
  readonly idRule: IdRule
  /**
   * The region codes it serves; defaults to AWS region codes (`us-east-1`).
   * A global service declares its one pseudo-region here.
   */
  readonly regionRule?: { readonly pattern: RegExp; readonly description: string } | undefined
  /**
   * A check of an ID against its region, for IDs that name one (an ARN): the problem in words, or
   * `undefined` when the ID fits. Runs with the other ref checks, before any request.
   */
  readonly checkId?: ((id: string, region: string) => string | undefined) | undefined
  /** The ref hints it reads, by name, with what each means. */
  readonly hints: Readonly<Record<string, string>>
  readonly defaults: PolicyDefaults
  /**
   * The service's own request budget, in requests per second: the rate limit of its lanes when
   * the fleet options give none (an account-wide budget that throttles early, say).
   */
  readonly rateLimit?: RateLimitOptions | undefined
  /** Its raw operation statuses and what each means. */
  readonly statusTable: StatusTable
}

/**
 * What a caller may add to refs read from a response: the region, when the
 * response does not name it, and hints.
 *
 * @since 0.1.0
 * @category models
 */
export interface RefHints {
  readonly region?: string | undefined
  readonly hints?: Readonly<Record<string, string>> | undefined
}

/**
 * Runs one request of a batch read through the lane's client-side rate
 * limiter: it waits for a token, then sends, and tells the limiter whether
 * the service throttled.
 *
 * @since 0.1.0
 * @category models
 */
export type Gate = <A, E, R>(request: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>

/**
 * One page of a paged answer: its items and the token of the next page.
 *
 * @since 0.2.0
 * @category models
 */
export interface Page<A> {
  readonly items: ReadonlyArray<A>
  readonly next?: string | undefined
}

/**
 * One operation a fleet lane is waiting on, as a source's batch planner sees it.
 *
 * @since 0.1.0
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
 * One way to read many operations with a list API. The engine walks its
 * pages itself, so a read cut short (throttled, out of budget) resumes where
 * it stopped.
 *
 * @since 0.1.0
 * @category models
 */
export interface BatchRead {
  /**
   * Names the read: the engine learns its page count under this key, and
   * resumes an unfinished read with the same key.
   */
  readonly key: string
  /** The candidates this read reports on: the very objects `plan` was given. */
  readonly covers: ReadonlyArray<BatchCandidate>
  /** Calls the read makes per covered operation on top of its pages. */
  readonly callsPerRef?: number | undefined
  /**
   * True when the read returns full operations; false when it returns status
   * summaries that the engine merges into the last full snapshot.
   */
  readonly complete: boolean
  /**
   * One page: `token` is undefined for the first. Every request goes through
   * `gate`. An operation it covers that no page carries is read with `get`.
   */
  readonly page: (gate: Gate, token: string | undefined) => Effect.Effect<Page<Operation>, OpstatusError>
}

/**
 * The optional batch capability of a source: the list reads that could cover
 * a lane's operations. The fleet engine picks among them by cost; a source
 * without it is read operation by operation.
 *
 * @since 0.1.0
 * @category models
 */
export interface OperationBatchReader {
  /** Calls one `get` makes. Defaults to 1. */
  readonly getCost?: number | undefined
  /** The reads that could cover these candidates of one region; `now` is epoch ms. */
  readonly plan: (
    region: string,
    candidates: ReadonlyArray<BatchCandidate>,
    now: number
  ) => ReadonlyArray<BatchRead>
}

/**
 * One service's operations: a plugin.
 *
 * @since 0.1.0
 * @category models
 */
export interface OperationSource<Query = unknown> {
  readonly info: ServiceInfo
  /** Fails with `InvalidRef` when no client serves the region. No request is made. */
  readonly checkRegion: (region: string) => Effect.Effect<void, OpstatusError>
  /** Reads one operation. Any failure is an `OpstatusError` with a request reason. */
  readonly get: (ref: OperationRef) => Effect.Effect<Operation, OpstatusError>
  /** Lists operations matching a service-specific query, page by page. */
  readonly list: (region: string, query: Query) => Stream.Stream<Operation, OpstatusError>
  /**
   * The refs of the operations a mutating call's response started; `hints`
   * fill in what the response does not say. Fails with `InvalidRef` (as an
   * `OpstatusError` thrown) only when the region cannot be known.
   */
  readonly refsFromResponse: (response: unknown, hints?: RefHints) => ReadonlyArray<OperationRef>
  /** Reads many operations at once through the service's list APIs (optional). */
  readonly batch?: OperationBatchReader | undefined
  /**
   * Asks the service to cancel (stop) the operation; succeeds once the service accepted the
   * request, not when the operation has ended (a wait on it then ends `cancelled`). Absent for a
   * service that cannot cancel its operations: `cancel` then fails with `CancelNotSupported`
   * before any request.
   */
  readonly cancel?: ((ref: OperationRef) => Effect.Effect<void, OpstatusError>) | undefined
}
