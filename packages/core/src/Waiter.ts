/**
 * The waiter: the engine that composes a source (IO) with a policy
 * (timing). It polls one operation until it is terminal, reading each poll
 * error through the source's classifier:
 *
 * - not found inside the grace window: keep waiting (a new operation may not
 *   be visible yet); after it, `OperationNotFoundError`;
 * - throttled or transient (5xx, network, timeouts): back off and keep
 *   waiting while the deadline allows; never surfaced before it;
 * - denied or unauthenticated: `AccessDeniedError` at once;
 * - anything else: `ServiceError` at once, with the service's code, message
 *   and request ID.
 *
 * Every wait has a deadline, including the request in flight when it passes.
 *
 * @since 0.1.0
 */
import { Clock, Duration, Effect, Option, Pull, Queue, Schedule, Stream } from "effect"
import { beginWaitForAll } from "./Fleet.js"
import {
  failureOf as failureOfOperation,
  malformedLimit,
  publicErrorOf as publicErrorOfSource,
  resolveInput,
  retryableReasons,
  timeoutError,
  toPublicError as toPublicErrorOfSource,
  warnUnknownStatus
} from "./internal/waiting.js"
import { type Operation, snapshotKey } from "./Operation.js"
import type {
  AccessDeniedError,
  GetError,
  InvalidOperationRefError,
  InvalidQueryError,
  OperationFailedError,
  ServiceError,
  SourceError,
  WaitError
} from "./OperationError.js"
import type { OperationRef } from "./OperationRef.js"
import type { OperationSource, OperationSources } from "./OperationSource.js"
import { clampToDeadline, type PollSignal, resolvePolicy, type WaitOptions } from "./WaitPolicy.js"

/**
 * What a wait accepts: a ref string, a ref, or an operation snapshot (from a
 * mutating call's response). A snapshot that is already terminal resolves
 * without a poll.
 *
 * @since 0.1.0
 * @category models
 */
export type Waitable = string | OperationRef | Operation

/**
 * Options of one wait.
 *
 * @since 0.1.0
 * @category models
 */
export interface WaitForOptions extends WaitOptions {
  /** Called with every new snapshot (only when something changed). */
  readonly onProgress?: ((operation: Operation) => void) | undefined
}

/**
 * The outcome of one wait in `waitForAll`, in input order.
 *
 * @since 0.1.0
 * @category models
 */
export type WaitOutcome =
  | { readonly ok: true; readonly input: Waitable; readonly operation: Operation }
  | { readonly ok: false; readonly input: Waitable; readonly error: WaitError | OperationFailedError }

/**
 * Turns a poll error that waiting cannot fix into the public error.
 *
 * @since 0.1.0
 * @category errors
 */
export const toPublicError: (ref: OperationRef, error: SourceError) => GetError = toPublicErrorOfSource

/**
 * Turns a request error into the public error; without a ref (a list call),
 * not found is a `ServiceError`.
 *
 * @since 0.1.0
 * @category errors
 */
export const publicErrorOf: (error: SourceError, ref?: OperationRef) => GetError = publicErrorOfSource

/**
 * Polls until the operation is terminal, calling `onChange` for every new
 * snapshot. The core loop of every wait.
 */
const pollUntilTerminal = Effect.fnUntraced(function* (
  input: Waitable,
  options: WaitOptions | undefined,
  onChange: (operation: Operation) => Effect.Effect<void>
) {
  const { ref, source, snapshot } = yield* resolveInput(input)
  const policy = yield* resolvePolicy(ref.service, options)
  let last: Operation | undefined
  let lastKey: string | undefined
  const observe = Effect.fnUntraced(function* (op: Operation) {
    yield* warnUnknownStatus(op)
    const key = snapshotKey(op)
    if (key !== lastKey) {
      lastKey = key
      yield* onChange(op)
    }
    last = op
  })
  if (snapshot !== undefined) {
    yield* observe(snapshot)
    if (snapshot.terminal) return snapshot
  }
  const start = yield* Clock.currentTimeMillis
  const deadline = start + policy.timeoutMillis
  const step = yield* Schedule.toStep(policy.schedule)
  let lastError: SourceError | undefined
  let malformedInARow = 0
  for (;;) {
    const now = yield* Clock.currentTimeMillis
    const polled = yield* source
      .get(ref)
      .pipe(Effect.timeoutOption(Math.max(deadline - now, 0)), Effect.result)
    let signal: PollSignal
    if (polled._tag === "Success") {
      if (Option.isNone(polled.success))
        return yield* timeoutError(ref, policy.timeoutMillis, last, lastError)
      const op = polled.success.value
      yield* observe(op)
      if (op.terminal) return op
      lastError = undefined
      malformedInARow = 0
      signal = "progress"
    } else {
      const error = polled.failure
      if (error._tag === "InvalidOperationRefError") return yield* error
      lastError = error
      const elapsed = (yield* Clock.currentTimeMillis) - start
      switch (error.reason) {
        case "not-found":
          if (elapsed >= policy.notFoundGraceMillis) return yield* toPublicError(ref, error)
          signal = "not-found"
          break
        case "throttled":
          signal = "throttled"
          break
        case "transient":
          signal = "transient"
          break
        case "malformed":
          if (++malformedInARow >= malformedLimit) return yield* toPublicError(ref, error)
          signal = "transient"
          break
        default:
          return yield* toPublicError(ref, error)
      }
    }
    const after = yield* Clock.currentTimeMillis
    const next = yield* step(after, signal).pipe(
      Effect.map(([, delay]) => Duration.toMillis(delay)),
      Pull.catchDone(() => Effect.succeed(undefined))
    )
    const delay =
      next === undefined ? undefined : clampToDeadline(next, deadline - after, policy.minDelayMillis)
    if (delay === undefined) return yield* timeoutError(ref, policy.timeoutMillis, last, lastError)
    yield* Effect.sleep(Math.max(delay, 1))
  }
})

const progressOf = (options: WaitForOptions | undefined) => (op: Operation) =>
  options?.onProgress === undefined ? Effect.void : Effect.sync(() => options.onProgress?.(op))

/**
 * Reads one operation now. Throttling and transient errors are retried a few
 * times; not found fails at once.
 *
 * @since 0.1.0
 * @category getters
 */
export const get = Effect.fnUntraced(function* (input: string | OperationRef) {
  const { ref, source } = yield* resolveInput(input)
  const policy = yield* resolvePolicy(ref.service)
  const op = yield* source.get(ref).pipe(
    Effect.retry({
      times: 3,
      schedule: Schedule.exponential(policy.minDelayMillis / 4).pipe(Schedule.jittered),
      while: (e) => e._tag === "SourceError" && retryableReasons.has(e.reason)
    }),
    Effect.mapError((e) => (e._tag === "SourceError" ? toPublicError(ref, e) : e))
  )
  yield* warnUnknownStatus(op)
  return op
}) as (input: string | OperationRef) => Effect.Effect<Operation, GetError, OperationSources>

/**
 * Waits until the operation is terminal and returns it, succeeded or failed.
 *
 * @since 0.1.0
 * @category waiting
 */
export const waitForTerminal = (
  input: Waitable,
  options?: WaitForOptions
): Effect.Effect<Operation, WaitError, OperationSources> =>
  pollUntilTerminal(input, options, progressOf(options))

/**
 * The operation's own failure as `OperationFailedError`.
 *
 * @since 0.1.0
 * @category errors
 */
export const failureOf: (op: Operation) => OperationFailedError = failureOfOperation

/**
 * Waits until the operation is terminal and fails with
 * `OperationFailedError` unless it succeeded.
 *
 * @since 0.1.0
 * @category waiting
 */
export const waitForSuccess = (
  input: Waitable,
  options?: WaitForOptions
): Effect.Effect<Operation, WaitError | OperationFailedError, OperationSources> =>
  Effect.flatMap(waitForTerminal(input, options), (op) =>
    op.status === "succeeded" ? Effect.succeed(op) : Effect.fail(failureOf(op))
  )

/**
 * Options of `waitForAll`.
 *
 * @since 0.1.0
 * @category models
 */
export interface WaitForAllOptions extends WaitForOptions {
  /** Treat a failed operation as an error outcome (default false). */
  readonly requireSuccess?: boolean | undefined
  /**
   * Ignored since 0.2.0: the fleet engine polls each lane with one loop, and
   * `FleetConfig.concurrency` caps the requests in flight per lane.
   */
  readonly concurrency?: number | undefined
}

/**
 * Waits for every operation through the fleet engine; one outcome per input,
 * in input order. One failure does not stop the others. Operations of one
 * service and region are polled by one loop, batched through list APIs where
 * that costs fewer calls, deduplicated and rate-limited (see `Fleet`).
 *
 * @since 0.1.0
 * @category waiting
 */
export const waitForAll = (
  inputs: Iterable<Waitable>,
  options?: WaitForAllOptions
): Effect.Effect<ReadonlyArray<WaitOutcome>, never, OperationSources> =>
  Effect.scoped(Effect.flatMap(beginWaitForAll(inputs, options), (wait) => wait.await))

/**
 * The operation's snapshots, each emitted once when something changed,
 * ending with the terminal one. It goes through the fleet engine, so
 * watching an operation another wait is polling costs no extra call. For
 * many operations at once, see `watchAll`.
 *
 * @since 0.1.0
 * @category waiting
 */
export const watch = (
  input: Waitable,
  options?: WaitOptions
): Stream.Stream<Operation, WaitError, OperationSources> =>
  Stream.callback<Operation, WaitError, OperationSources>((queue) =>
    Effect.gen(function* () {
      const wait = yield* beginWaitForAll([input], {
        ...options,
        onEvent: (event) => {
          if (event._tag === "Changed") Queue.offerUnsafe(queue, event.operation)
        }
      })
      const [outcome] = yield* wait.await
      if (outcome !== undefined && !outcome.ok && outcome.error._tag !== "OperationFailedError") {
        return yield* Queue.fail(queue, outcome.error)
      }
      yield* Queue.end(queue)
    })
  )

/**
 * Lists operations of one service and region for a service-specific query.
 *
 * @since 0.1.0
 * @category getters
 */
export const list = <Query>(
  source: OperationSource<Query>,
  region: string,
  query: Query
): Stream.Stream<
  Operation,
  ServiceError | AccessDeniedError | InvalidOperationRefError | InvalidQueryError
> =>
  source
    .list(region, query)
    .pipe(
      Stream.mapError((e) =>
        e._tag === "SourceError" ? (publicErrorOf(e) as ServiceError | AccessDeniedError) : e
      )
    )
