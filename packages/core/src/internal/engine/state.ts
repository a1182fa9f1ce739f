/**
 * The engine's state, as plain mutable records touched only between
 * yields, so a decision and its bookkeeping are never interleaved with
 * another fiber's: groups (one call's waits, their outcomes in input order;
 * a single wait is a group of one), waiters (one wait on one operation),
 * entries (one operation a lane waits on, shared by its waiters) and lanes
 * (one poll loop per source and region).
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import type * as Queue from "effect/Queue"
import type { FleetSettings } from "../../FleetConfig.js"
import type { Operation } from "../../Operation.js"
import type { OperationRef } from "../../OperationRef.js"
import type { BatchCandidate, OperationSource } from "../../OperationSource.js"
import type { OpstatusError } from "../../OpstatusError.js"
import type { FleetEvent, Waitable, WaitOutcome } from "../../WaitOutcome.js"
import type { BackoffState, WaitPolicy } from "../../WaitPolicy.js"
import { settleTerminal } from "../acceptor.js"
import type { RateLimiter } from "./rateLimiter.js"

/** One wait on one operation. */
export interface Waiter {
  readonly group: Group
  readonly index: number
  readonly ref: OperationRef
  readonly policy: WaitPolicy
  readonly startedAt: number
  readonly deadline: number
  /** The snapshot key last reported to this waiter. */
  lastKey: string | undefined
  settled: boolean
  lane: Lane | undefined
  entry: Entry | undefined
}

/**
 * One operation a lane waits on, shared by its waiters; sources see it as a `BatchCandidate`. It is
 * its own backoff state (`attempt`, `throttles`): one object less to reach per operation a round.
 */
export interface Entry extends BatchCandidate, BackoffState {
  /** `service:region:id`. */
  readonly key: string
  /** False once the lane dropped it (ended, or no waiter left). */
  live: boolean
  /** Its number in the round under way. */
  slot: number
  /** The round it was last read by ID in. */
  fetched: number
  ref: OperationRef
  last: Operation | undefined
  snapKey: string | undefined
  lastError: OpstatusError | undefined
  /** Malformed answers in a row. */
  malformed: number
  /** When the answers began to say its endpoint cannot be reached (epoch ms), or undefined. */
  unreachableSince: number | undefined
  readonly waiters: Set<Waiter>
  /** When its own backoff wants it read next (epoch ms). */
  due: number
  /** The round it was last read or answered in. */
  touched: number
  /** When anything last answered for it (epoch ms). */
  answeredAt: number
  /** The list-read pass that last listed it. */
  seenPass: number
  since: number
  minDelay: number
  maxDelay: number
  /** The earliest deadline of its waiters. */
  deadline: number
  /** The last deadline of its waiters: no request for it need outlive this. */
  lastDeadline: number
  /** A waiter wants the ended operation read in full, not settled from a status summary. */
  fullOperation: boolean
  /** A list read of a sweep has covered it: the lane's sweeps keep reading it, by ID if no list covers it any more. */
  swept: boolean
}

/** Where an unfinished list read stopped, to resume it. */
export interface ReadCursor {
  readonly pass: number
  readonly startedAt: number
  token: string | undefined
  pages: number
  /** The page tokens of this pass: a token seen twice ends the pass. */
  readonly tokens: Set<string>
}

/** One poll loop: a source and a region. */
export interface Lane {
  readonly key: string
  readonly service: string
  readonly region: string
  readonly source: OperationSource
  readonly settings: FleetSettings
  readonly limiter: RateLimiter
  readonly entries: Map<string, Entry>
  /** The same entries by operation ID: what list pages are matched with. */
  readonly byId: Map<string, Entry>
  readonly wakeups: Queue.Queue<void>
  /** Pages each read key took last time it finished. */
  readonly learned: Map<string, number>
  /** Unfinished list reads, by key. */
  readonly cursors: Map<string, ReadCursor>
  waiterCount: number
  fiber: Fiber.Fiber<void> | undefined
  running: boolean
  generation: number
  round: number
  pass: number
  lastRoundAt: number | undefined
  sweepAt: number
  readonly sweep: BackoffState
  joined: boolean
  batchDisabled: boolean
  /** Malformed list reads in a row. */
  batchStrikes: number
  /** List reads that failed in a row (throttled, unavailable). */
  batchFailures: number
}

/** What one round saw. */
export interface RoundState {
  readonly round: number
  readonly rand: () => number
  /** The lane's entries when the round started; an entry's `slot` is its index here. */
  readonly pending: ReadonlyArray<Entry>
  /** By slot: due on its own timer. */
  readonly due: Uint8Array
  readonly reads: Array<{ key: string; pages: number; covers: number; stopped: boolean }>
  readonly unknown: Array<Operation>
  readonly warnings: Array<string>
  calls: number
  throttled: number
  gets: number
  changed: boolean
  batchSignal: "throttled" | "transient" | undefined
}

/** One call's waits: its inputs, their outcomes in input order, and the waiters still waiting. */
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
    readonly onEvent: ((event: FleetEvent) => void) | undefined,
    /** Settle only with a full read of the operation, never with a list's status summary. */
    readonly fullOperation = false
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
