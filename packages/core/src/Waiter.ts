/**
 * The Effect API of single waits: `get`, `waitForTerminal`,
 * `waitForSuccess`, `waitForAll`, `watch` and `list`. Every wait runs on the
 * engine (`Engine`, provided with the sources by `OperationSources.layer`):
 * a single wait is a fleet of one, so a wait on an operation another wait is
 * reading costs no extra call, and every option means the same whichever
 * function takes it.
 *
 * What an answer means is decided by the acceptor:
 *
 * - not found inside the grace window: keep waiting (a new operation may not
 *   be visible yet); after it, `OperationNotFound`;
 * - throttled or unavailable (5xx, network, timeouts): back off and keep
 *   waiting while the deadline allows; never surfaced before it;
 * - a malformed answer: retried three times in a row, then `MalformedResponse`;
 * - anything else (denied, unauthenticated, invalid): that error at once.
 *
 * Every wait has a deadline and ends at it, including a request in flight.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import { Engine, type GetOptions } from "./Engine.js"
import type { Operation } from "./Operation.js"
import type { OperationRef } from "./OperationRef.js"
import type { OperationSource } from "./OperationSource.js"
import { malformedResponse, type OpstatusError } from "./OpstatusError.js"
import type { FleetEvent, Waitable, WaitOutcome } from "./WaitOutcome.js"
import type { WaitOptions } from "./WaitPolicy.js"

/**
 * Options of one wait.
 *
 * @since 0.1.0
 * @category models
 */
export interface WaitForOptions extends WaitOptions {
  /** Called with every new snapshot (only when something changed). */
  readonly onProgress?: ((operation: Operation) => void) | undefined
  /**
   * Settle only with a full read of the operation, never with a list's status summary (which a
   * fleet may learn an ending from). Default false. See docs/fleet.md for its cost.
   */
  readonly fullOperation?: boolean | undefined
}

/**
 * Options of `waitForAll`.
 *
 * @since 0.1.0
 * @category models
 */
export interface WaitForAllOptions extends WaitForOptions {
  /** Treat an operation that did not succeed as an error outcome (`OperationFailed`). Default false. */
  readonly requireSuccess?: boolean | undefined
  /** Every event: each change once, each wait ending in an error, an endpoint that cannot be reached. */
  readonly onEvent?: ((event: FleetEvent) => void) | undefined
}

const waitOne = (input: Waitable, options: WaitForOptions | undefined, requireSuccess: boolean) =>
  Effect.scoped(
    Effect.gen(function* () {
      const engine = yield* Engine
      const wait = yield* engine.begin([input], { ...options, requireSuccess })
      const [outcome] = yield* wait.await
      return outcome!.ok ? outcome!.operation : yield* Effect.fail(outcome!.error)
    })
  )

/**
 * Reads one operation now. Throttling and transient errors are retried three
 * times; not found fails at once.
 *
 * @since 0.1.0
 * @category waiting
 */
export const get = (
  input: string | OperationRef,
  options?: GetOptions
): Effect.Effect<Operation, OpstatusError, Engine> => Engine.use((engine) => engine.get(input, options))

/**
 * Asks the operation's service to cancel it. Fails with `CancelNotSupported`
 * before any request when its source offers no `cancel` (the service cannot
 * stop an operation); throttling and transient errors are retried three times. Succeeds once the service accepted the request: a
 * wait on the operation then ends `cancelled` (or as the service ends it,
 * should it finish first).
 *
 * @since 0.3.0
 * @category waiting
 */
export const cancel = (input: Waitable, options?: GetOptions): Effect.Effect<void, OpstatusError, Engine> =>
  Engine.use((engine) => engine.cancel(input, options))

/**
 * Waits until the operation is terminal and returns it, succeeded or failed.
 *
 * @since 0.1.0
 * @category waiting
 */
export const waitForTerminal = (
  input: Waitable,
  options?: WaitForOptions
): Effect.Effect<Operation, OpstatusError, Engine> => waitOne(input, options, false)

/**
 * Waits until the operation is terminal and fails with an `OperationFailed`
 * reason unless it succeeded.
 *
 * @since 0.1.0
 * @category waiting
 */
export const waitForSuccess = (
  input: Waitable,
  options?: WaitForOptions
): Effect.Effect<Operation, OpstatusError, Engine> => waitOne(input, options, true)

/**
 * Waits for every operation; one outcome per input, in input order. One
 * failure does not stop the others: a bad ref, a failed operation or a
 * timeout is that input's outcome. Fails only when `inputs` cannot be
 * iterated or the `FleetConfig` in force is invalid.
 *
 * @since 0.1.0
 * @category waiting
 */
export const waitForAll = (
  inputs: Iterable<Waitable>,
  options?: WaitForAllOptions
): Effect.Effect<ReadonlyArray<WaitOutcome>, OpstatusError, Engine> =>
  Effect.scoped(
    Effect.gen(function* () {
      const engine = yield* Engine
      const wait = yield* engine.begin(inputs, options)
      return yield* wait.await
    })
  )

/**
 * The operation's snapshots, each emitted once when something changed,
 * ending with the terminal one (a failed operation included). Fails with the
 * wait's error otherwise.
 *
 * @since 0.1.0
 * @category waiting
 */
export const watch = (
  input: Waitable,
  options?: WaitOptions
): Stream.Stream<Operation, OpstatusError, Engine> =>
  Stream.callback<Operation, OpstatusError, Engine>((queue) =>
    Effect.gen(function* () {
      const engine = yield* Engine
      const wait = yield* engine.begin([input], {
        ...options,
        onEvent: (event) => {
          if (event._tag === "Changed") Queue.offerUnsafe(queue, event.operation)
        }
      })
      const [outcome] = yield* wait.await
      if (outcome !== undefined && !outcome.ok && outcome.error.reason._tag !== "OperationFailed") {
        return yield* Queue.fail(queue, outcome.error)
      }
      yield* Queue.end(queue)
    }).pipe(Effect.catch((error) => Queue.fail(queue, error)))
  )

/**
 * Lists operations of one service and region for a service-specific query.
 *
 * @since 0.1.0
 * @category waiting
 */
export const list = <Query>(
  source: OperationSource<Query>,
  region: string,
  query: Query
): Stream.Stream<Operation, OpstatusError> =>
  Stream.suspend(() => source.list(region, query)).pipe(
    Stream.catchDefect((defect) =>
      Stream.fail(
        malformedResponse(
          source.info.service,
          `the list could not be read: ${defect instanceof Error ? defect.message : "an unexpected value was thrown"}`
        )
      )
    )
  )
