/**
 * A group is one call's waits: its inputs, their outcomes in input order,
 * and the waiters still waiting. A single wait is a group of one.
 */
import { Deferred, Effect } from "effect"
import type { Operation } from "../../Operation.js"
import type { OpstatusError } from "../../OpstatusError.js"
import type { FleetEvent, Waitable, WaitOutcome } from "../../WaitOutcome.js"
import { settleTerminal } from "../acceptor.js"
import type { Waiter } from "./types.js"

export class Group {
  readonly outcomes: Array<WaitOutcome | undefined>
  readonly lastSeen: Array<Operation | undefined>
  readonly waiters: Array<Waiter | undefined>
  /** What a resumed wait knew of inputs that needed no waiter (they had already ended). */
  readonly restored: Array<Pick<Waiter, "ref" | "policy" | "startedAt" | "deadline"> | undefined>
  remaining: number
  readonly done: Deferred.Deferred<void> = Deferred.makeUnsafe<void>()
  callbackError: { readonly error: unknown } | undefined
  /** Called once, when the last outcome is in. */
  onDone: (() => void) | undefined

  constructor(
    readonly inputs: ReadonlyArray<Waitable>,
    readonly requireSuccess: boolean,
    readonly onEvent: ((event: FleetEvent) => void) | undefined
  ) {
    this.outcomes = inputs.map(() => undefined)
    this.lastSeen = inputs.map(() => undefined)
    this.waiters = inputs.map(() => undefined)
    this.restored = inputs.map(() => undefined)
    this.remaining = inputs.length
    if (this.remaining === 0) Deferred.doneUnsafe(this.done, Effect.void)
  }

  /** Hands an event to the caller's callback; a callback that throws fails the wait as a defect. */
  emit(event: FleetEvent): void {
    if (this.onEvent === undefined) return
    try {
      this.onEvent(event)
    } catch (error) {
      this.callbackError ??= { error }
    }
  }

  /** Records the outcome of one input; the first outcome wins. */
  settle(index: number, outcome: WaitOutcome, lastSeen?: Operation): void {
    if (this.outcomes[index] !== undefined) return
    this.outcomes[index] = outcome
    const seen = outcome.ok ? outcome.operation : lastSeen
    if (seen !== undefined) this.lastSeen[index] = seen
    const waiter = this.waiters[index]
    if (waiter !== undefined) waiter.settled = true
    if (!outcome.ok) this.emit({ _tag: "Failed", input: outcome.input, error: outcome.error })
    if (--this.remaining === 0) {
      Deferred.doneUnsafe(this.done, Effect.void)
      this.onDone?.()
    }
  }

  /** Settles one input with an error. */
  fail(index: number, error: OpstatusError, lastSeen?: Operation): void {
    this.settle(index, { ok: false, input: this.inputs[index]!, error }, lastSeen)
  }

  /** The outcome of a terminal operation for this group. */
  outcomeOf(index: number, op: Operation): WaitOutcome {
    const input = this.inputs[index]!
    const decision = settleTerminal(op, this.requireSuccess)
    return decision._tag === "Fail"
      ? { ok: false, input, error: decision.error }
      : { ok: true, input, operation: op }
  }
}
