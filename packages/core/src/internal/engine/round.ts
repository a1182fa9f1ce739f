/**
 * One round of a lane: read what is due, through list reads where the
 * planner finds them cheaper than reading the due operations one by one,
 * every request through the lane's rate limiter. Answers go through the
 * acceptor (entries.ts).
 *
 * A round survives any defect in a read: an answer that throws while it is
 * handled, or a source that dies, is a malformed answer for the operations
 * that read covers, logged once, and the lane goes on. A list read walks its
 * pages itself: a page that is throttled is retried after the limiter slows
 * down, and a read that cannot finish resumes where it stopped in a later
 * round. Operations whose list read keeps failing are read by ID once they
 * have gone unanswered for twice their longest pause.
 *
 * The loops are small module-level functions and the generators are
 * defined once (Effect.fnUntraced): V8 optimizes each once, instead of
 * re-optimizing a large per-round closure on fleets of thousands.
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import type { RoundReport } from "../../FleetConfig.js"
import type { Operation } from "../../Operation.js"
import { formatRef } from "../../OperationRef.js"
import type { BatchRead, Gate } from "../../OperationSource.js"
import { malformedResponse, type OpstatusError } from "../../OpstatusError.js"
import { backoffDelay, nextDelay } from "../../WaitPolicy.js"
import { malformedLimit } from "../acceptor.js"
import { acceptFailure, acceptSnapshot, checkedOperation, reschedule } from "./entries.js"
import { type Choice, chooseReads } from "./planner.js"
import { mulberry32 } from "./prng.js"
import type { Entry, Lane, ReadCursor, RoundState } from "./state.js"

/** No list read walks more pages than this in one pass. */
export const maxPages = 10_000

/** A throttled page is retried this many times in one round, each after the limiter's own wait. */
const pageRetries = 2

type Chosen = Choice<BatchRead>

/**
 * What a failed effect means for the operations it read: its typed error, or
 * a defect turned into a malformed answer (with a warning); `undefined` for
 * an interruption, which is not an answer.
 */
const errorOf = (lane: Lane, rs: RoundState, cause: Cause.Cause<OpstatusError>, what: string) => {
  const failure = Cause.findErrorOption(cause)
  if (Option.isSome(failure)) return failure.value
  if (!Cause.hasDies(cause)) return undefined
  return defectError(lane, rs, Cause.squash(cause), what)
}

/** A defect (something thrown) while reading or planning: a malformed answer, and a warning. */
const defectError = (lane: Lane, rs: RoundState, defect: unknown, what: string): OpstatusError => {
  const detail = defect instanceof Error ? defect.message : "an unexpected value was thrown"
  rs.warnings.push(
    `a ${lane.service} ${what} in ${lane.region} could not be handled (${detail}); it counts as a malformed answer`
  )
  return malformedResponse(lane.service, `the answer could not be handled: ${detail}`)
}

const getTask = (lane: Lane, rs: RoundState, gate: Gate, entry: Entry): Effect.Effect<void> =>
  Effect.suspend(() => {
    if (!entry.live || entry.fetched === rs.round) return Effect.void
    entry.fetched = rs.round
    rs.gets++
    return Effect.flatMap(Clock.currentTimeMillis, (sentAt) =>
      Effect.suspend(() => gate(lane.source.get(entry.ref))).pipe(
        // A request that never answers holds the round only until no one waits on it any more.
        Effect.timeoutOption(Math.max(1, entry.lastDeadline - sentAt)),
        Effect.exit,
        Effect.flatMap((exit) =>
          Effect.map(Clock.currentTimeMillis, (now) => {
            if (!entry.live) return
            if (Exit.isSuccess(exit)) {
              if (Option.isNone(exit.value)) return
              const op = checkedOperation(lane.service, exit.value.value)
              if ("_tag" in op && op._tag === "OpstatusError") acceptFailure(rs, entry, op, now)
              else {
                try {
                  acceptSnapshot(lane, rs, entry, op as Operation, now)
                } catch (defect) {
                  answerDefect(lane, rs, entry, defect, now)
                }
              }
              return
            }
            const error = errorOf(lane, rs, exit.cause, "read")
            if (error !== undefined) acceptFailure(rs, entry, error, now)
          })
        )
      )
    )
  })

/** A defect while an answer was taken in: a malformed answer for that entry, and a warning. */
const answerDefect = (lane: Lane, rs: RoundState, entry: Entry, defect: unknown, now: number): void => {
  const detail = defect instanceof Error ? defect.message : "an unexpected value was thrown"
  rs.warnings.push(`a ${lane.service} answer in ${lane.region} could not be handled (${detail})`)
  if (entry.live && entry.touched !== rs.round) {
    acceptFailure(
      rs,
      entry,
      malformedResponse(lane.service, `the answer could not be handled: ${detail}`),
      now
    )
  }
}

const disableBatch = (lane: Lane, rs: RoundState, error: OpstatusError): void => {
  if (lane.batchDisabled) return
  lane.batchDisabled = true
  lane.cursors.clear()
  rs.warnings.push(
    `a ${lane.service} list read in ${lane.region} failed (${error.message}); ` +
      "waiting on these operations one read at a time"
  )
}

/** A summary carries status only; the last full snapshot keeps type, targets and dates. */
const mergeSummary = (last: Operation | undefined, summary: Operation): Operation =>
  last === undefined
    ? summary
    : {
        ...last,
        status: summary.status,
        terminal: summary.terminal,
        rawStatus: summary.rawStatus,
        raw: summary.raw,
        ...(summary.requestId === undefined ? {} : { requestId: summary.requestId })
      }

/** One page of a list read: what it lists of the operations the read was chosen for. */
const takePage = (
  lane: Lane,
  rs: RoundState,
  read: BatchRead,
  covered: Uint8Array,
  pass: number,
  items: ReadonlyArray<unknown>,
  needFull: Array<Entry>,
  now: number
): void => {
  const n = rs.pending.length
  for (let i = 0; i < items.length; i++) {
    const item = checkedOperation(lane.service, items[i])
    if ("_tag" in item && item._tag === "OpstatusError") continue
    const op = item as Operation
    const entry = lane.byId.get(op.ref.id)
    // Only what the read was chosen for: another entry's snapshot may need more than this read gives.
    if (entry === undefined || entry.slot < 0 || entry.slot >= n || rs.pending[entry.slot] !== entry) continue
    if (covered[entry.slot] !== 1) continue
    entry.seenPass = pass
    if (!entry.live) continue
    try {
      if (read.complete) acceptSnapshot(lane, rs, entry, op, now, true)
      // A summary says a success as well as a full read would; a failure's code and message, and
      // everything a waiter asked a full read for, come only from a read by ID.
      else if (op.terminal && (op.status !== "succeeded" || entry.fullOperation)) needFull.push(entry)
      else acceptSnapshot(lane, rs, entry, mergeSummary(entry.last, op), now, true)
    } catch (defect) {
      answerDefect(lane, rs, entry, defect, now)
    }
  }
}

/** Where a list read's walk through its pages stands. */
interface Walk {
  pages: number
  outcome: "finished" | "stopped" | "cut" | OpstatusError
}

/** Reads pages from where the cursor stands, until the last one, the budget, or a failure. */
const walkPages = Effect.fnUntraced(function* (
  lane: Lane,
  rs: RoundState,
  gate: Gate,
  read: BatchRead,
  cursor: ReadCursor,
  covered: Uint8Array,
  budget: number,
  needFull: Array<Entry>,
  walk: Walk
) {
  let retries = 0
  for (;;) {
    const exit = yield* Effect.exit(Effect.suspend(() => read.page(gate, cursor.token)))
    if (Exit.isFailure(exit)) {
      const error = errorOf(lane, rs, exit.cause, "list read")
      if (error === undefined) return
      if (error.reason._tag === "Throttled" && retries < pageRetries) {
        retries++
        continue
      }
      walk.outcome = error
      return
    }
    const page = exit.value
    const items: ReadonlyArray<unknown> = Array.isArray(page?.items) ? page.items : []
    walk.pages++
    cursor.pages++
    const now = yield* Clock.currentTimeMillis
    takePage(lane, rs, read, covered, cursor.pass, items, needFull, now)
    const next = typeof page?.next === "string" && page.next !== "" ? page.next : undefined
    if (next === undefined || cursor.tokens.has(next) || cursor.pages >= maxPages) {
      walk.outcome = "finished"
      return
    }
    cursor.tokens.add(next)
    cursor.token = next
    if (walk.pages > budget) {
      walk.outcome = "stopped"
      return
    }
  }
})

/** A chosen read's covered slots, as a mask, and the last deadline of anyone waiting on them. */
const coverOf = (
  rs: RoundState,
  choice: Chosen
): { readonly covered: Uint8Array; readonly deadline: number } => {
  const covered = new Uint8Array(rs.pending.length)
  let deadline = Number.NEGATIVE_INFINITY
  for (const slot of choice.covers) {
    covered[slot] = 1
    const last = rs.pending[slot]!.lastDeadline
    if (last > deadline) deadline = last
  }
  return { covered, deadline }
}

/** The lane's cursor of a read: where its unfinished pass stopped, or a new pass. */
const cursorOf = (lane: Lane, read: BatchRead, startedAt: number): ReadCursor => {
  let cursor = lane.cursors.get(read.key)
  if (cursor === undefined) {
    cursor = { pass: ++lane.pass, startedAt, token: undefined, pages: 0, tokens: new Set() }
    lane.cursors.set(read.key, cursor)
  }
  return cursor
}

/** Covered, not listed in this pass and not answered in this round (only those due, if `onlyDue`). */
const unseenOf = (
  rs: RoundState,
  choice: Chosen,
  pass: number,
  passStart: number,
  onlyDue: boolean,
  out: Array<Entry>
): Array<Entry> => {
  for (const slot of choice.covers) {
    const entry = rs.pending[slot]!
    if (entry.seenPass === pass || entry.touched === rs.round || entry.since > passStart) continue
    if (onlyDue && rs.due[slot] !== 1) continue
    out.push(entry)
  }
  return out
}

/**
 * What a list read's walk means for the lane (its cursor, what it learned, its failures) and which
 * covered operations are read by ID after it.
 */
const afterWalk = (
  lane: Lane,
  rs: RoundState,
  choice: Chosen,
  cursor: ReadCursor,
  walk: Walk,
  needFull: Array<Entry>
): Array<Entry> => {
  const read = choice.read
  const outcome = walk.outcome
  const pass = cursor.pass
  const passStart = cursor.startedAt
  rs.reads.push({
    key: read.key,
    pages: walk.pages,
    covers: choice.covers.length,
    stopped: outcome === "stopped"
  })
  if (outcome === "finished") {
    lane.cursors.delete(read.key)
    lane.learned.set(read.key, cursor.pages)
    lane.batchStrikes = 0
    lane.batchFailures = 0
    // Covered but not listed: it ended (a list of pending operations), or is not visible yet.
    return unseenOf(rs, choice, pass, passStart, false, needFull)
  }
  if (outcome === "stopped") {
    // Not worth reading on: start afresh next time, and read what is due by ID now.
    lane.cursors.delete(read.key)
    lane.learned.set(read.key, cursor.pages + 1)
    lane.batchStrikes = 0
    return unseenOf(rs, choice, pass, passStart, true, needFull)
  }
  if (outcome === "cut") {
    // Cut off at the last deadline, or interrupted: resume next time.
    rs.batchSignal ??= "transient"
    return needFull
  }
  const reason = outcome.reason._tag
  if (reason === "OperationNotFound") {
    lane.cursors.delete(read.key)
    return unseenOf(rs, choice, pass, passStart, false, needFull)
  }
  if (reason === "Throttled" || reason === "ServiceUnavailable") {
    // Resume from the page that failed, once the lane has slowed down.
    lane.batchFailures++
    rs.batchSignal = reason === "Throttled" || rs.batchSignal === "throttled" ? "throttled" : "transient"
    return needFull
  }
  if (reason === "MalformedResponse") {
    lane.cursors.delete(read.key)
    if (++lane.batchStrikes >= malformedLimit) disableBatch(lane, rs, outcome)
    rs.batchSignal ??= "transient"
    return needFull
  }
  // Denied (IAM may allow GetOperation and not the list), invalid, unknown: read by ID from now on.
  disableBatch(lane, rs, outcome)
  return unseenOf(rs, choice, pass, passStart, true, needFull)
}

const readTask = Effect.fnUntraced(function* (
  lane: Lane,
  rs: RoundState,
  gate: Gate,
  choice: Chosen,
  getCost: number
) {
  const { covered, deadline } = coverOf(rs, choice)
  const startedAt = yield* Clock.currentTimeMillis
  const cursor = cursorOf(lane, choice.read, startedAt)
  // Past this many pages in one round, reading the covered operations one by one would have been cheaper.
  const budget = choice.benefit * getCost
  const needFull: Array<Entry> = []
  const walk: Walk = { pages: 0, outcome: "cut" }
  if (startedAt < deadline) {
    // A read that never ends holds the round only until no one waits on what it covers.
    yield* walkPages(lane, rs, gate, choice.read, cursor, covered, budget, needFull, walk).pipe(
      Effect.timeoutOption(deadline - startedAt)
    )
  }
  const followUps = afterWalk(lane, rs, choice, cursor, walk, needFull)
  if (followUps.length === 0) return
  yield* Effect.forEach(followUps, (entry) => getTask(lane, rs, gate, entry), {
    concurrency: lane.settings.concurrency,
    discard: true
  })
})

/** Numbers the entries for the round and marks those due on their own timers; returns how many are due. */
const numberAndMarkDue = (pending: ReadonlyArray<Entry>, due: Uint8Array, now: number): number => {
  let count = 0
  for (let slot = 0; slot < pending.length; slot++) {
    const entry = pending[slot]!
    entry.slot = slot
    if (entry.due <= now) {
      due[slot] = 1
      count++
    }
  }
  return count
}

/**
 * Entries whose list read keeps failing and that have gone unanswered for
 * twice their longest pause: they are read by ID, not left to the list.
 */
const markStarving = (
  lane: Lane,
  pending: ReadonlyArray<Entry>,
  due: Uint8Array,
  now: number
): Uint8Array => {
  const starving = new Uint8Array(pending.length)
  if (lane.batchFailures < 2) return starving
  for (let slot = 0; slot < pending.length; slot++) {
    const entry = pending[slot]!
    if (due[slot] === 1 && now - Math.max(entry.answeredAt, entry.since) > 2 * entry.maxDelay)
      starving[slot] = 1
  }
  return starving
}

/**
 * What no chosen list read covers and is read by ID: what is due on its own timer and, in a sweep,
 * what earlier sweeps read and no list covers any more (the last operation of a group keeps the
 * sweep's pace rather than drifting on its own backoff).
 */
const readById = (
  pending: ReadonlyArray<Entry>,
  due: Uint8Array,
  covered: Uint8Array,
  sweep: boolean
): Array<Entry> => {
  const out: Array<Entry> = []
  for (let slot = 0; slot < pending.length; slot++) {
    if (covered[slot] === 1) continue
    if (due[slot] === 1 || (sweep && pending[slot]!.swept)) out.push(pending[slot]!)
  }
  return out
}

/** Due and covered but neither read nor answered (a list read failed): try again after a backoff. */
const retryUnanswered = (rs: RoundState, covered: Uint8Array, now: number): void => {
  for (let slot = 0; slot < rs.pending.length; slot++) {
    const entry = rs.pending[slot]!
    if (entry.live && entry.touched !== rs.round && covered[slot] === 1 && rs.due[slot] === 1) {
      reschedule(entry, rs.batchSignal ?? "transient", now, rs.rand)
      entry.touched = rs.round
    }
  }
}

/** The smallest minDelay and maxDelay of the lane's waiters. */
const delaysOf = (lane: Lane): { readonly min: number; readonly max: number } => {
  let min = Number.POSITIVE_INFINITY
  let max = Number.POSITIVE_INFINITY
  for (const entry of lane.entries.values()) {
    if (entry.minDelay < min) min = entry.minDelay
    if (entry.maxDelay < max) max = entry.maxDelay
  }
  return { min, max }
}

/**
 * What a list read covers is read again by the next sweep: its own timer need not fire before
 * (one due alone would cost a GetOperation), except for a last look before its deadline.
 */
const deferToSweep = (pending: ReadonlyArray<Entry>, covered: Uint8Array, sweepAt: number): void => {
  for (let slot = 0; slot < pending.length; slot++) {
    const entry = pending[slot]!
    if (covered[slot] === 1 && entry.live) {
      entry.due = Math.max(entry.due, Math.min(sweepAt, entry.deadline - entry.minDelay))
    }
  }
}

const isThrottle = (error: unknown): boolean =>
  typeof error === "object" &&
  error !== null &&
  (error as OpstatusError).reason !== undefined &&
  (error as OpstatusError).reason._tag === "Throttled"

/** Every request of a round: a token from the limiter first, and the limiter told of throttles. */
const gateOf =
  (lane: Lane, rs: RoundState): Gate =>
  (request) =>
    Effect.flatMap(lane.limiter.acquire, (waited) => {
      rs.calls++
      return Effect.flatMap(Clock.currentTimeMillis, (sentAt) =>
        request.pipe(
          Effect.tapError((error) =>
            isThrottle(error)
              ? Effect.flatMap(Clock.currentTimeMillis, (now) =>
                  Effect.sync(() => {
                    rs.throttled++
                    lane.limiter.onThrottle(now, sentAt)
                  })
                )
              : Effect.void
          ),
          Effect.tap(() => Effect.sync(() => lane.limiter.onSuccess(waited)))
        )
      )
    })

export const canBatch = (lane: Lane): boolean => lane.source.batch !== undefined && !lane.batchDisabled

/** The source's read offers for this round, as slots of the round's entries. */
const offersOf = (lane: Lane, rs: RoundState, startedAt: number, starving: Uint8Array) => {
  const pending = rs.pending
  const n = pending.length
  const batch = lane.source.batch!
  // Entries are the candidates: a read's covers map back to slots without string keys.
  return batch.plan(lane.region, pending, startedAt).map((read) => {
    const covers: Array<number> = []
    for (const candidate of read.covers) {
      const entry = candidate as Entry
      // An entry handed back as it was given is its own slot; anything else is matched by its ref.
      if (pending[entry.slot] === entry) {
        if (starving[entry.slot] !== 1) covers.push(entry.slot)
        continue
      }
      const slot = lane.entries.get(formatRef(candidate.ref))?.slot ?? -1
      if (slot >= 0 && slot < n && starving[slot] !== 1 && pending[slot]!.ref.id === candidate.ref.id)
        covers.push(slot)
    }
    return {
      read,
      covers,
      estimate: (lane.learned.get(read.key) ?? 1) + (read.callsPerRef ?? 0) * read.covers.length
    }
  })
}

/** A round's plan: what it reads, and how. */
interface RoundPlan {
  readonly rs: RoundState
  readonly sweep: boolean
  readonly batch: boolean
  readonly chosen: ReadonlyArray<Chosen>
  readonly covered: Uint8Array
  readonly gets: ReadonlyArray<Entry>
  readonly getCost: number
}

/**
 * Plans a round: numbers the lane's entries, marks what is due, and chooses the list reads and the
 * reads by ID. Plain code, apart from the generator that runs it, so V8 optimizes its loops early.
 */
const planRound = (lane: Lane, startedAt: number, seed: number): RoundPlan => {
  const round = ++lane.round
  lane.lastRoundAt = startedAt
  const pending = [...lane.entries.values()]
  const n = pending.length
  const due = new Uint8Array(n)
  const dueCount = numberAndMarkDue(pending, due, startedAt)
  const batch = canBatch(lane) ? lane.source.batch : undefined
  // A round that starts within the lane's smallest minDelay of the sweep is the sweep: rounds are at
  // least that far apart, so a round just before it would otherwise push the sweep a whole minDelay.
  const sweep = batch !== undefined && n >= 2 && startedAt >= lane.sweepAt - delaysOf(lane).min
  const starving = markStarving(lane, pending, due, startedAt)
  const wanted = sweep ? new Uint8Array(n).fill(1) : Uint8Array.from(due)
  let wantedCount = sweep ? n : dueCount
  for (let slot = 0; slot < n; slot++) {
    if (starving[slot] === 1 && wanted[slot] === 1) {
      wanted[slot] = 0
      wantedCount--
    }
  }
  const rs: RoundState = {
    round,
    rand: mulberry32(seed),
    pending,
    due,
    reads: [],
    unknown: [],
    warnings: [],
    calls: 0,
    throttled: 0,
    gets: 0,
    changed: false,
    batchSignal: undefined
  }
  const getCost = batch?.getCost ?? 1
  let chosen: Array<Chosen> = []
  if (batch !== undefined && wantedCount >= 2) {
    try {
      chosen = chooseReads(offersOf(lane, rs, startedAt, starving), wanted, getCost)
    } catch (defect) {
      // A source whose plan throws reads by ID from now on.
      disableBatch(lane, rs, defectError(lane, rs, defect, "read plan"))
    }
  }
  const covered = new Uint8Array(n)
  for (const choice of chosen) {
    for (const slot of choice.covers) {
      covered[slot] = 1
      if (sweep) pending[slot]!.swept = true
    }
  }
  const gets = readById(pending, due, covered, sweep)
  return { rs, sweep, batch: batch !== undefined, chosen, covered, gets, getCost }
}

/** The round's tasks: its list reads, then its reads by ID. */
const tasksOf = (lane: Lane, plan: RoundPlan, gate: Gate): Array<Effect.Effect<void>> => {
  const tasks: Array<Effect.Effect<void>> = []
  for (const choice of plan.chosen) tasks.push(readTask(lane, plan.rs, gate, choice, plan.getCost))
  for (const entry of plan.gets) tasks.push(getTask(lane, plan.rs, gate, entry))
  return tasks
}

/** After a round's reads: what went unanswered is retried later, and the next sweep is set. */
const finishRound = (lane: Lane, plan: RoundPlan, endedAt: number): void => {
  const { rs, sweep, covered } = plan
  retryUnanswered(rs, covered, endedAt)
  if (!plan.batch) return
  const changed = rs.changed || lane.joined
  lane.joined = false
  const { min, max: smallestMax } = delaysOf(lane)
  if (Number.isFinite(min)) {
    const max = Math.max(smallestMax, min)
    if (sweep) {
      // Only a throttled list read stretches the sweep: a throttled read by ID is that entry's own.
      const signal = rs.batchSignal === "throttled" ? "throttled" : changed ? "changed" : "progress"
      lane.sweepAt = endedAt + nextDelay(lane.sweep, signal, min, max, rs.rand())
    } else if (changed) {
      lane.sweep.attempt = 0
      lane.sweepAt = Math.min(lane.sweepAt, endedAt + min)
    }
  }
  if (lane.entries.size >= 2) deferToSweep(rs.pending, covered, lane.sweepAt)
}

export const runRound = Effect.fnUntraced(function* (lane: Lane, startedAt: number) {
  const seed = yield* Random.nextIntBetween(0, 2 ** 31)
  const plan = planRound(lane, startedAt, seed)
  const gate = gateOf(lane, plan.rs)
  yield* Effect.forEach(tasksOf(lane, plan, gate), (task) => task, {
    concurrency: lane.settings.concurrency,
    discard: true
  })
  const endedAt = yield* Clock.currentTimeMillis
  finishRound(lane, plan, endedAt)
  return { rs: plan.rs, sweep: plan.sweep, n: plan.rs.pending.length, endedAt, round: plan.rs.round }
})

/** The round's report, for `onRound`. */
export const reportOf = (
  lane: Lane,
  result: {
    readonly rs: RoundState
    readonly sweep: boolean
    readonly n: number
    readonly endedAt: number
    readonly round: number
  },
  startedAt: number
): RoundReport => ({
  service: lane.service,
  region: lane.region,
  round: result.round,
  sweep: result.sweep,
  pending: result.n,
  reads: result.rs.reads,
  gets: result.rs.gets,
  calls: result.rs.calls,
  throttled: result.rs.throttled,
  rate: lane.limiter.rate(),
  startedAt,
  endedAt: result.endedAt
})

/** The Smithy backoff's delay for an entry read again after a defect in a whole round. */
export const afterDefect = (entry: Entry, now: number, rand: () => number): void => {
  entry.due = now + backoffDelay(entry.minDelay, entry.maxDelay, entry.attempt, rand())
}
