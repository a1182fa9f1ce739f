/**
 * The acceptor: the one pure function that decides what a read's answer
 * means for one wait, as Smithy waiters split a pure acceptor from their
 * timing engine. The answer and the wait's facts go in; continue (with what
 * the backoff should hear), settle with the terminal operation, or fail with
 * the error come out. Every wait, single or fleet, goes through it.
 *
 * - a terminal snapshot settles the wait; with `requireSuccess`, anything
 *   but `succeeded` fails it with `OperationFailed`;
 * - a snapshot that is not terminal (an unknown status included) continues;
 * - not found inside the wait's grace window continues; after it, fails;
 * - throttled and service unavailable continue (the deadline bounds them);
 * - an endpoint that cannot be reached continues for the wait's
 *   `unreachableGrace` from the first such answer in a row, then fails: a
 *   wrong region or endpoint, or no network, does not fix itself;
 * - a malformed answer continues until `malformedLimit` in a row, then fails;
 * - any other error fails at once: waiting cannot fix it.
 */
import type { Operation } from "../Operation.js"
import { type OpstatusError, operationFailed, withRef } from "../OpstatusError.js"
import type { PollSignal } from "../WaitPolicy.js"

/** A malformed answer is retried this many times in a row before it fails the wait. */
export const malformedLimit = 3

/** What one read answered. */
export type Answer =
  | { readonly _tag: "Snapshot"; readonly operation: Operation }
  | { readonly _tag: "Failure"; readonly error: OpstatusError }

/** What the acceptor knows of the wait. */
export interface WaitFacts {
  /** When the wait started, epoch ms. */
  readonly startedAt: number
  readonly notFoundGraceMillis: number
  readonly unreachableGraceMillis: number
  readonly requireSuccess: boolean
}

/** What the wait does next. */
export type Decision =
  | { readonly _tag: "Continue"; readonly signal: Exclude<PollSignal, "changed"> }
  | { readonly _tag: "Settle"; readonly operation: Operation }
  | { readonly _tag: "Fail"; readonly error: OpstatusError }

const progress: Decision = { _tag: "Continue", signal: "progress" }
const throttled: Decision = { _tag: "Continue", signal: "throttled" }
const transient: Decision = { _tag: "Continue", signal: "transient" }
const notFound: Decision = { _tag: "Continue", signal: "not-found" }

/** How a terminal operation ends a wait. */
export const settleTerminal = (operation: Operation, requireSuccess: boolean): Decision =>
  requireSuccess && operation.status !== "succeeded"
    ? { _tag: "Fail", error: operationFailed(operation) }
    : { _tag: "Settle", operation }

/**
 * Decides one wait's next step. `now` is epoch ms; `malformedInARow` counts
 * this answer if it is malformed; `unreachableSince` is when the answers
 * began to say the endpoint cannot be reached (this one included).
 */
export const decide = (
  answer: Answer,
  wait: WaitFacts,
  now: number,
  malformedInARow: number,
  unreachableSince = now
): Decision => {
  if (answer._tag === "Snapshot") {
    return answer.operation.terminal ? settleTerminal(answer.operation, wait.requireSuccess) : progress
  }
  const error = answer.error
  const fail: Decision = { _tag: "Fail", error }
  switch (error.reason._tag) {
    case "OperationNotFound":
      return now - wait.startedAt < wait.notFoundGraceMillis ? notFound : fail
    case "Throttled":
      return throttled
    case "ServiceUnavailable":
      return transient
    case "EndpointUnreachable":
      return now - unreachableSince < wait.unreachableGraceMillis ? transient : fail
    case "MalformedResponse":
      return malformedInARow < malformedLimit ? transient : fail
    default:
      return fail
  }
}

/** A failing decision's error, naming the operation. */
export const failureFor = (error: OpstatusError, ref: Operation["ref"]): OpstatusError => withRef(error, ref)
