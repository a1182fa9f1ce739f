/**
 * What happens to an entry and its waiters when an answer arrives: the
 * answer goes through the acceptor for each waiter (each has its own start,
 * grace and `requireSuccess`), the waiters that are done are settled and
 * taken off the lane, and the entry is rescheduled on its one backoff.
 */
import { isOperation, type Operation, sameSnapshot, snapshotKey } from "../../Operation.js"
import type { OperationRef } from "../../OperationRef.js"
import { malformedResponse, type OpstatusError } from "../../OpstatusError.js"
import type { WaitOutcome } from "../../WaitOutcome.js"
import {
  clampToDeadline,
  defaultUnreachableGraceMillis,
  nextDelay,
  type PollSignal
} from "../../WaitPolicy.js"
import { decide, failureFor } from "../acceptor.js"
import type { Entry, Lane, RoundState, Waiter } from "./state.js"

const statuses = new Set(["pending", "running", "succeeded", "failed", "cancelled", "unknown"])

/**
 * An answer a source gave as an operation, checked: not an operation at all
 * is a malformed answer; a status outside the model is `unknown` (never
 * success, and terminal only if the source said so).
 */
export const checkedOperation = (service: string, u: unknown): Operation | OpstatusError => {
  if (!isOperation(u) || typeof u.ref !== "object" || u.ref === null || typeof u.ref.id !== "string") {
    return malformedResponse(service, "the source returned something that is not an operation")
  }
  if (!statuses.has(u.status)) return { ...u, status: "unknown", terminal: u.terminal === true }
  if (typeof u.terminal !== "boolean") return { ...u, terminal: false }
  return u
}

export const mergeHints = (ref: OperationRef, more: OperationRef): OperationRef => {
  const extra = more.hints
  if (extra === undefined || more === ref || extra === ref.hints) return ref
  let merged: Record<string, string> | undefined
  for (const name in extra) {
    const value = extra[name]
    if (value === undefined || value === "" || ref.hints?.[name] !== undefined) continue
    merged ??= { ...ref.hints }
    merged[name] = value
  }
  return merged === undefined ? ref : { ...ref, hints: merged }
}

export const updateAggregates = (entry: Entry): void => {
  let since = Number.POSITIVE_INFINITY
  let minDelay = Number.POSITIVE_INFINITY
  let maxDelay = Number.POSITIVE_INFINITY
  let deadline = Number.POSITIVE_INFINITY
  let lastDeadline = Number.NEGATIVE_INFINITY
  let fullOperation = false
  for (const w of entry.waiters) {
    if (w.group.fullOperation) fullOperation = true
    if (w.deadline > lastDeadline) lastDeadline = w.deadline
    since = Math.min(since, w.startedAt)
    minDelay = Math.min(minDelay, w.policy.minDelayMillis)
    maxDelay = Math.min(maxDelay, w.policy.maxDelayMillis)
    deadline = Math.min(deadline, w.deadline)
  }
  entry.since = since
  entry.minDelay = minDelay
  entry.maxDelay = Math.max(maxDelay, minDelay)
  entry.deadline = deadline
  entry.lastDeadline = lastDeadline
  entry.fullOperation = fullOperation
}

/** Reports a snapshot to a waiter once per change. */
export const notify = (waiter: Waiter, op: Operation, key: string): void => {
  if (waiter.lastKey === key) return
  waiter.lastKey = key
  waiter.group.emit({ _tag: "Changed", operation: op })
}

/** Drops an entry from its lane. */
export const drop = (lane: Lane, entry: Entry): void => {
  if (!entry.live) return
  entry.live = false
  lane.entries.delete(entry.key)
  if (lane.byId.get(entry.ref.id) === entry) lane.byId.delete(entry.ref.id)
}

/** Takes a waiter off its lane (no outcome); returns the lane when it has no waiters left. */
export const detach = (waiter: Waiter): Lane | undefined => {
  const { lane, entry } = waiter
  if (lane === undefined || entry === undefined) return undefined
  waiter.lane = undefined
  waiter.entry = undefined
  if (!entry.waiters.delete(waiter)) return undefined
  lane.waiterCount--
  if (entry.waiters.size === 0) drop(lane, entry)
  else updateAggregates(entry)
  return lane.waiterCount === 0 ? lane : undefined
}

export const settleWaiter = (waiter: Waiter, outcome: WaitOutcome, lastSeen: Operation | undefined): void => {
  if (waiter.settled) return
  detach(waiter)
  waiter.group.settle(waiter.index, outcome, lastSeen)
}

/** Sets when an entry is read next, from its backoff and the earliest deadline on it. */
export const reschedule = (entry: Entry, signal: PollSignal, now: number, rand: () => number): void => {
  const delay = nextDelay(entry, signal, entry.minDelay, entry.maxDelay, rand())
  // The last read lands minDelay before the earliest deadline; the waits end at their deadlines.
  const clamped = clampToDeadline(delay, entry.deadline - now, entry.minDelay)
  entry.due = now + (clamped ?? delay)
}

/** A plain object (not an array, a class instance or a primitive): its top level can be copied as it is. */
const isPlain = (u: unknown): u is Record<string, unknown> => {
  if (typeof u !== "object" || u === null) return false
  const proto = Object.getPrototypeOf(u)
  return proto === Object.prototype || proto === null
}

/**
 * The snapshot an entry keeps: a copy of the source's answer, its `resource` and the top level of
 * its `raw` (when a plain object), not the objects themselves. Were the first snapshot of every
 * operation of a fleet kept as the source built it, V8 would see nearly every object of the
 * source's allocation sites survive and allocate all its later ones (thousands a round, nearly all
 * unchanged and dropped at once) straight in the old generation, where only major collections
 * free them: measured at 10,000 operations, 3 times the CPU a round with the answer kept, and the
 * sources' own cost nearly halved by copying `resource` and `raw` too. Made only when a snapshot
 * changed.
 */
const ownSnapshot = (op: Operation): Operation => {
  const raw = op.raw
  return {
    ...op,
    ...(op.resource === undefined ? {} : { resource: { ...op.resource } }),
    ...(isPlain(raw) ? { raw: { ...raw } } : {})
  }
}

/** A fresh snapshot of an entry (full, or a summary merged into the last full one). */
export const acceptSnapshot = (
  lane: Lane,
  rs: RoundState,
  entry: Entry,
  op: Operation,
  now: number,
  fromRead = false
): void => {
  entry.ref = mergeHints(entry.ref, op.ref)
  entry.lastError = undefined
  entry.malformed = 0
  entry.unreachableSince = undefined
  entry.answeredAt = now
  if (op.status === "unknown") rs.unknown.push(op)
  const changed = entry.last === undefined || !sameSnapshot(entry.last, op)
  // Unchanged: keep the snapshot already held. The new one then dies young, and a fleet that is
  // not changing leaves the old generation alone (no major GC every round).
  if (changed) {
    const key = snapshotKey(op)
    entry.last = ownSnapshot(op)
    entry.snapKey = key
    rs.changed = true
    for (const waiter of entry.waiters) notify(waiter, op, key)
  }
  if (op.terminal) {
    for (const waiter of [...entry.waiters])
      settleWaiter(waiter, waiter.group.outcomeOf(waiter.index, op), op)
    drop(lane, entry)
  } else if (entry.touched !== rs.round) {
    // Read by a list read, it keeps the lane's pace: should it fall out of every read, its own
    // timer resumes at the lane's backoff rather than at a backoff that grew through the sweeps.
    if (fromRead) entry.attempt = Math.min(entry.attempt, lane.sweep.attempt)
    reschedule(entry, changed ? "changed" : "progress", now, rs.rand)
    // The service asked not to be read before an instant (its retry-after time): not before
    // it, unless the earliest deadline on the entry comes first.
    const after = op.retryAfter?.getTime()
    if (after !== undefined && Number.isFinite(after) && after > entry.due) {
      entry.due = Math.min(after, Math.max(entry.due, entry.deadline - entry.minDelay))
    }
  }
  entry.touched = rs.round
}

/** A failed read of one entry, decided by the acceptor for each of its waiters. */
export const acceptFailure = (rs: RoundState, entry: Entry, error: OpstatusError, now: number): void => {
  entry.touched = rs.round
  entry.lastError = error
  const malformed = error.reason._tag === "MalformedResponse" ? ++entry.malformed : 0
  if (malformed === 0) entry.malformed = 0
  if (error.reason._tag !== "EndpointUnreachable") entry.unreachableSince = undefined
  else if (entry.unreachableSince === undefined) {
    // Said at the first such answer, not waited out in silence: once for the lane's log, once to each wait.
    entry.unreachableSince = now
    rs.warnings.push(`${error.message}; waits on it end after their unreachableGrace unless it answers`)
    for (const waiter of entry.waiters) {
      waiter.group.emit({ _tag: "Unreachable", ref: waiter.ref, error: failureFor(error, waiter.ref) })
    }
  }
  let signal: Exclude<PollSignal, "changed"> | undefined
  for (const waiter of [...entry.waiters]) {
    const decision = decide(
      { _tag: "Failure", error },
      {
        startedAt: waiter.startedAt,
        notFoundGraceMillis: waiter.policy.notFoundGraceMillis,
        unreachableGraceMillis: waiter.policy.unreachableGraceMillis ?? defaultUnreachableGraceMillis,
        requireSuccess: waiter.group.requireSuccess
      },
      now,
      malformed,
      entry.unreachableSince
    )
    if (decision._tag === "Continue") signal = decision.signal
    else {
      const input = waiter.group.inputs[waiter.index]!
      settleWaiter(
        waiter,
        decision._tag === "Fail"
          ? { ok: false, input, error: failureFor(decision.error, waiter.ref) }
          : waiter.group.outcomeOf(waiter.index, decision.operation),
        entry.last
      )
    }
  }
  if (signal !== undefined && entry.waiters.size > 0) {
    reschedule(entry, signal, now, rs.rand)
    // Unreachable: the read that decides lands when the shortest grace ends, not a backoff later.
    if (entry.unreachableSince !== undefined) {
      let graceEnd = Number.POSITIVE_INFINITY
      for (const waiter of entry.waiters) {
        const grace = waiter.policy.unreachableGraceMillis ?? defaultUnreachableGraceMillis
        graceEnd = Math.min(graceEnd, entry.unreachableSince + grace)
      }
      if (graceEnd < entry.due) entry.due = Math.max(graceEnd, now)
    }
  }
}

/** The last deadline of anyone waiting on these entries: no request need outlive it. */
export const lastDeadline = (entries: Iterable<Entry>): number => {
  let last = Number.NEGATIVE_INFINITY
  for (const entry of entries) if (entry.lastDeadline > last) last = entry.lastDeadline
  return last
}
