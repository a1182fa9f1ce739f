/**
 * The Effect API of fleet waits: many operations awaited at once at a
 * fraction of the calls, with events as they change, and waits that can be
 * serialized and resumed in another process. It runs on the same engine as
 * single waits (see `Engine` and docs/fleet.md).
 *
 * @since 0.2.0
 */
import * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { type BeginOptions, Engine, type FleetWait, type ResumeOptions } from "./Engine.js"
import type { OpstatusError } from "./OpstatusError.js"
import { type FleetEvent, summarize, type Waitable } from "./WaitOutcome.js"

/**
 * Options of `beginWaitForAll` and `watchAll`.
 *
 * @since 0.1.0
 * @category models
 */
export type FleetWaitOptions = BeginOptions

/**
 * Starts waiting on every input and returns the waits in progress; closing
 * the scope before they end stops them (and a lane left with no waiters
 * stops reading).
 *
 * @since 0.1.0
 * @category waiting
 */
export const beginWaitForAll = (
  inputs: Iterable<Waitable>,
  options?: FleetWaitOptions
): Effect.Effect<FleetWait, OpstatusError, Engine | Scope.Scope> =>
  Engine.use((engine) => engine.begin(inputs, options))

/**
 * Resumes a serialized fleet wait in this process, with this process's
 * sources. A wait that had already ended, or whose last snapshot is
 * terminal, is settled without a call; one whose deadline has passed times
 * out without a call. Fails with `InvalidFleetState` naming what is wrong.
 *
 * @since 0.1.0
 * @category waiting
 */
export const resumeWaitForAll = (
  state: unknown,
  options?: ResumeOptions
): Effect.Effect<FleetWait, OpstatusError, Engine | Scope.Scope> =>
  Engine.use((engine) => engine.resume(state, options))

/**
 * Watches many operations: each change of each operation once, a `Failed`
 * event for each wait that ends in an error, then a `Summary` (counts by
 * status and by service) when every wait has ended. One failure does not
 * stop the others.
 *
 * @since 0.1.0
 * @category waiting
 */
export const watchAll = (
  inputs: Iterable<Waitable>,
  options?: FleetWaitOptions
): Stream.Stream<FleetEvent, OpstatusError, Engine> =>
  Stream.callback<FleetEvent, OpstatusError, Engine>((queue) =>
    Effect.gen(function* () {
      const wait = yield* beginWaitForAll(inputs, {
        ...options,
        onEvent: (event) => {
          Queue.offerUnsafe(queue, event)
          options?.onEvent?.(event)
        }
      })
      const outcomes = yield* wait.await
      Queue.offerUnsafe(queue, { _tag: "Summary", summary: summarize(outcomes) })
      yield* Queue.end(queue)
    }).pipe(Effect.catch((error) => Queue.fail(queue, error)))
  )
