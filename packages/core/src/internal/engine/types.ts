/**
 * The engine's state, as plain mutable records touched only between
 * yields, so a decision and its bookkeeping are never interleaved with
 * another fiber's: waiters (one wait on one operation), entries (one
 * operation a lane waits on, shared by its waiters) and lanes (one poll loop
 * per source and region).
 */
import type { Fiber, Queue } from "effect"
import type { FleetSettings } from "../../FleetConfig.js"
import type { Operation } from "../../Operation.js"
import type { OperationRef } from "../../OperationRef.js"
import type { BatchCandidate, OperationSource } from "../../OperationSource.js"
import type { OpstatusError } from "../../OpstatusError.js"
import type { BackoffState, WaitPolicy } from "../../WaitPolicy.js"
import type { Group } from "./group.js"
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

/** One operation a lane waits on, shared by its waiters; sources see it as a `BatchCandidate`. */
export interface Entry extends BatchCandidate {
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
  readonly waiters: Set<Waiter>
  /** When its own backoff wants it read next (epoch ms). */
  due: number
  readonly backoff: BackoffState
  /** The round it was last read or answered in. */
  touched: number
  /** When anything last answered for it (epoch ms). */
  answeredAt: number
  /** The list-read pass that last listed it. */
  seenPass: number
  since: number
  minDelay: number
  maxDelay: number
  deadline: number
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
