/**
 * The fleet engine: one poll loop per lane (a source and a region of one
 * `OperationSources`, so one service, region and account) serves every
 * waiter on that lane. The same operation awaited twice is one entry and one
 * poll; each waiter keeps its own deadline, delays, not-found grace and
 * abort; a lane with no waiters stops its fiber.
 *
 * A round reads what is due: each entry has its own Smithy backoff (reset
 * when the operation changes), and a lane whose source can batch also has a
 * sweep cadence, the same backoff over the whole lane, reset when anything
 * in it changes. The planner (planner.ts) picks list reads where they cost
 * fewer calls than reading the due operations one by one; every request goes
 * through the lane's AIMD rate limiter (rateLimiter.ts).
 *
 * Errors are classified exactly as the single waiter does (waiting.ts):
 * not-found within a waiter's grace keeps waiting, throttled and transient
 * are absorbed, malformed is retried three times in a row, anything else
 * ends the waits on that operation with the public error at once. A failed
 * list read never ends a wait: it falls back to `get`.
 *
 * State is plain mutable JS touched only between yields, so a decision and
 * its bookkeeping are never interleaved with another fiber's.
 */
import { Clock, Deferred, Effect, Fiber, Queue, Random, Stream } from "effect"
import type { FleetEvent, FleetOptions, RoundReport } from "../Fleet.js"
import { type Operation, snapshotKey } from "../Operation.js"
import { type InvalidOperationRefError, SourceError } from "../OperationError.js"
import { formatRef, type OperationRef, type ServiceSlug } from "../OperationRef.js"
import type {
  BatchCandidate,
  BatchRead,
  Gate,
  OperationSource,
  OperationSources
} from "../OperationSource.js"
import type { WaitOutcome } from "../Waiter.js"
import { backoffDelay, clampToDeadline, type PollSignal, type WaitPolicy } from "../WaitPolicy.js"
import { type Choice, chooseReads } from "./planner.js"
import { mulberry32 } from "./prng.js"
import { makeRateLimiter, type RateLimiter, type RateSettings } from "./rateLimiter.js"
import {
  failureOf,
  malformedLimit,
  timeoutError,
  toPublicError,
  type WaitInput,
  warnUnknownStatus
} from "./waiting.js"

/** A waiter's policy without the schedule: the engine uses the Smithy backoff over min and max. */
export type WaitSettings = Omit<WaitPolicy, "schedule">

/** The settings of the lanes an engine creates. */
export interface EngineSettings {
  readonly rate: RateSettings
  readonly concurrency: number
  readonly onRound: ((report: RoundReport) => void) | undefined
}

/** The documented defaults: start at 10 requests a second, stay within 0.5 and 50; 8 in flight. */
export const defaultRate: RateSettings = { start: 10, min: 0.5, max: 50 }
export const defaultConcurrency = 8

/** Resolves `FleetOptions`, or throws a `TypeError` naming what makes no sense. */
export const resolveSettings = (options: FleetOptions | undefined): EngineSettings => {
  const rate = { ...defaultRate }
  const given = options?.rateLimit
  for (const key of ["start", "min", "max"] as const) {
    const value = given?.[key]
    if (value === undefined) continue
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
      throw new TypeError(`fleet rateLimit.${key} must be a positive number of requests per second`)
    }
    rate[key] = value
  }
  if (rate.min > rate.max) throw new TypeError("fleet rateLimit.min must not be above rateLimit.max")
  if (given?.start === undefined) rate.start = Math.min(rate.max, Math.max(rate.min, rate.start))
  if (rate.start < rate.min || rate.start > rate.max) {
    throw new TypeError("fleet rateLimit.start must lie between rateLimit.min and rateLimit.max")
  }
  const concurrency = options?.concurrency ?? defaultConcurrency
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new TypeError("fleet concurrency must be a whole number of at least 1")
  }
  return { rate, concurrency, onRound: options?.onRound }
}

/** One wait on one operation. */
export interface Waiter {
  readonly group: Group
  readonly index: number
  readonly ref: OperationRef
  readonly policy: WaitSettings
  readonly startedAt: number
  readonly deadline: number
  lastKey: string | undefined
  settled: boolean
  lane: Lane | undefined
  entry: Entry | undefined
}

/** One `begin`: its inputs, their outcomes in input order, and the waiters still waiting. */
export class Group {
  readonly outcomes: Array<WaitOutcome | undefined>
  readonly lastSeen: Array<Operation | undefined>
  readonly waiters: Array<Waiter | undefined>
  /** What a resumed wait knew of inputs that needed no waiter (they had already ended). */
  readonly restored: Array<Pick<Waiter, "ref" | "policy" | "startedAt" | "deadline"> | undefined>
  remaining: number
  readonly done: Deferred.Deferred<void> = Deferred.makeUnsafe<void>()
  callbackError: { readonly error: unknown } | undefined

  constructor(
    readonly inputs: ReadonlyArray<WaitInput>,
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
    if (--this.remaining === 0) Deferred.doneUnsafe(this.done, Effect.void)
  }

  /** The outcome of a terminal operation for this group. */
  outcomeOf(index: number, op: Operation): WaitOutcome {
    const input = this.inputs[index]!
    return this.requireSuccess && op.status !== "succeeded"
      ? { ok: false, input, error: failureOf(op) }
      : { ok: true, input, operation: op }
  }
}

/** One operation a lane waits on, shared by all its waiters; adapters see it as a `BatchCandidate`. */
interface Entry extends BatchCandidate {
  readonly key: string
  /** False once the lane dropped it (ended, or no waiter left). */
  live: boolean
  /** Its number in the round under way. */
  slot: number
  /** The round it was last read with GetOperation in. */
  fetched: number
  ref: OperationRef
  /** The last snapshot seen (a `BatchCandidate` field: entries are handed to adapters as they are). */
  last: Operation | undefined
  snapKey: string | undefined
  lastError: SourceError | undefined
  malformed: number
  readonly waiters: Set<Waiter>
  /** When its own backoff wants it read next (epoch ms). */
  due: number
  attempt: number
  throttles: number
  /** The round it was last read or answered in. */
  touched: number
  since: number
  minDelay: number
  maxDelay: number
  deadline: number
}

/** One poll loop: a source and a region. */
export interface Lane {
  readonly key: string
  readonly service: ServiceSlug
  readonly region: string
  readonly source: OperationSource
  readonly settings: EngineSettings
  readonly limiter: RateLimiter
  readonly entries: Map<string, Entry>
  /** The same entries by operation ID: what list pages are matched with. */
  readonly byId: Map<string, Entry>
  readonly wakeups: Queue.Queue<void>
  readonly learned: Map<string, number>
  waiterCount: number
  fiber: Fiber.Fiber<void> | undefined
  running: boolean
  generation: number
  round: number
  lastRoundAt: number | undefined
  sweepAt: number
  sweepAttempt: number
  sweepThrottles: number
  joined: boolean
  batchDisabled: boolean
  batchStrikes: number
}

interface Engine {
  readonly lanes: Map<string, Lane>
}

const engines = new WeakMap<object, Engine>()

const engineFor = (sources: OperationSources["Service"]): Engine => {
  let engine = engines.get(sources)
  if (engine === undefined) {
    engine = { lanes: new Map() }
    engines.set(sources, engine)
  }
  return engine
}

/** The lanes of a source set, for tests and diagnostics. */
export const lanesOf = (sources: OperationSources["Service"]): ReadonlyMap<string, Lane> =>
  engineFor(sources).lanes

const laneFor = Effect.fnUntraced(function* (
  engine: Engine,
  source: OperationSource,
  region: string,
  settings: EngineSettings
) {
  const key = `${source.service}:${region}`
  const existing = engine.lanes.get(key)
  if (existing !== undefined && existing.source === source) return existing
  const lane: Lane = {
    key,
    service: source.service,
    region,
    source,
    settings,
    limiter: makeRateLimiter(settings.rate),
    entries: new Map(),
    byId: new Map(),
    wakeups: yield* Queue.sliding<void>(1),
    learned: new Map(),
    waiterCount: 0,
    fiber: undefined,
    running: false,
    generation: 0,
    round: 0,
    lastRoundAt: undefined,
    sweepAt: Number.NEGATIVE_INFINITY,
    sweepAttempt: 0,
    sweepThrottles: 0,
    joined: false,
    batchDisabled: false,
    batchStrikes: 0
  }
  engine.lanes.set(key, lane)
  return lane
})

const mergeHints = (ref: OperationRef, more: OperationRef): OperationRef => {
  let merged = ref
  for (const hint of ["resourceName", "applicationId", "namespaceId", "serviceId"] as const) {
    const value = more[hint]
    if (value !== undefined && value !== "" && merged[hint] === undefined)
      merged = { ...merged, [hint]: value }
  }
  return merged
}

const updateAggregates = (entry: Entry): void => {
  let since = Number.POSITIVE_INFINITY
  let minDelay = Number.POSITIVE_INFINITY
  let maxDelay = Number.POSITIVE_INFINITY
  let deadline = Number.POSITIVE_INFINITY
  for (const w of entry.waiters) {
    since = Math.min(since, w.startedAt)
    minDelay = Math.min(minDelay, w.policy.minDelayMillis)
    maxDelay = Math.min(maxDelay, w.policy.maxDelayMillis)
    deadline = Math.min(deadline, w.deadline)
  }
  entry.since = since
  entry.minDelay = minDelay
  entry.maxDelay = Math.max(maxDelay, minDelay)
  entry.deadline = deadline
}

const notify = (waiter: Waiter, op: Operation, key: string): void => {
  if (waiter.lastKey === key) return
  waiter.lastKey = key
  waiter.group.emit({ _tag: "Changed", operation: op })
}

/** What `register` needs of one input, resolved and checked by the caller. */
export interface WaiterSpec {
  readonly index: number
  readonly ref: OperationRef
  readonly source: OperationSource
  readonly policy: WaitSettings
  readonly startedAt: number
  readonly deadline: number
  readonly snapshot: Operation | undefined
}

/** Adds waiters to their lanes and starts the lanes that are not running. */
export const register = Effect.fnUntraced(function* (
  sources: OperationSources["Service"],
  settings: EngineSettings,
  group: Group,
  specs: ReadonlyArray<WaiterSpec>
) {
  const engine = engineFor(sources)
  const touched = new Set<Lane>()
  for (const spec of specs) {
    if (group.outcomes[spec.index] !== undefined) continue
    const waiter: Waiter = {
      group,
      index: spec.index,
      ref: spec.ref,
      policy: spec.policy,
      startedAt: spec.startedAt,
      deadline: spec.deadline,
      lastKey: undefined,
      settled: false,
      lane: undefined,
      entry: undefined
    }
    group.waiters[spec.index] = waiter
    if (spec.snapshot?.terminal === true) {
      notify(waiter, spec.snapshot, snapshotKey(spec.snapshot))
      yield* warnUnknownStatus(spec.snapshot)
      group.settle(spec.index, group.outcomeOf(spec.index, spec.snapshot))
      continue
    }
    const lane = yield* laneFor(engine, spec.source, spec.ref.region, settings)
    const key = formatRef(spec.ref)
    let entry = lane.entries.get(key)
    if (entry === undefined) {
      entry = {
        key,
        live: true,
        slot: -1,
        fetched: -1,
        ref: spec.ref,
        last: undefined,
        snapKey: undefined,
        lastError: undefined,
        malformed: 0,
        waiters: new Set(),
        due: Number.NEGATIVE_INFINITY,
        attempt: 0,
        throttles: 0,
        touched: -1,
        since: spec.startedAt,
        minDelay: spec.policy.minDelayMillis,
        maxDelay: spec.policy.maxDelayMillis,
        deadline: spec.deadline
      }
      lane.entries.set(key, entry)
      lane.byId.set(spec.ref.id, entry)
    }
    entry.ref = mergeHints(entry.ref, spec.ref)
    entry.waiters.add(waiter)
    updateAggregates(entry)
    lane.waiterCount++
    waiter.lane = lane
    waiter.entry = entry
    if (spec.snapshot !== undefined && entry.last === undefined) {
      entry.last = spec.snapshot
      entry.snapKey = snapshotKey(spec.snapshot)
      entry.ref = mergeHints(entry.ref, spec.snapshot.ref)
      yield* warnUnknownStatus(spec.snapshot)
    }
    if (entry.last !== undefined) notify(waiter, entry.last, entry.snapKey!)
    lane.joined = true
    touched.add(lane)
  }
  for (const lane of touched) {
    if (lane.waiterCount === 0) continue
    if (!lane.running) {
      lane.running = true
      const generation = ++lane.generation
      lane.fiber = yield* Effect.forkDetach(laneLoop(lane, generation))
    } else Queue.offerUnsafe(lane.wakeups, undefined)
  }
})

/** Drops an entry from its lane. */
const drop = (lane: Lane, entry: Entry): void => {
  if (!entry.live) return
  entry.live = false
  lane.entries.delete(entry.key)
  if (lane.byId.get(entry.ref.id) === entry) lane.byId.delete(entry.ref.id)
}

/** Takes a waiter off its lane (no outcome); true when the lane has no waiters left. */
const detach = (waiter: Waiter): Lane | undefined => {
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

/** Stops a lane that has no waiters: the request in flight is aborted. */
const stopIdle = (lanes: Iterable<Lane>): Effect.Effect<void> =>
  Effect.forEach(
    lanes,
    (lane) => {
      if (lane.waiterCount > 0 || lane.fiber === undefined) return Effect.void
      const fiber = lane.fiber
      lane.fiber = undefined
      lane.running = false
      lane.generation++
      return Fiber.interrupt(fiber)
    },
    { discard: true }
  )

const settleWaiter = (waiter: Waiter, outcome: WaitOutcome, lastSeen: Operation | undefined): void => {
  if (waiter.settled) return
  detach(waiter)
  waiter.group.settle(waiter.index, outcome, lastSeen)
}

/** Takes every waiter of a group that has not settled off its lane: the group was interrupted. */
export const release = (group: Group): Effect.Effect<void> =>
  Effect.suspend(() => {
    const idle = new Set<Lane>()
    for (const waiter of group.waiters) {
      if (waiter === undefined || waiter.settled) continue
      const lane = detach(waiter)
      if (lane !== undefined) idle.add(lane)
    }
    return stopIdle(idle)
  })

/** Ends the waits of a group whose deadline has passed. */
const timeOutDue = (group: Group, now: number): Effect.Effect<void> =>
  Effect.suspend(() => {
    const idle = new Set<Lane>()
    for (const waiter of group.waiters) {
      if (waiter === undefined || waiter.settled || waiter.deadline > now) continue
      const entry = waiter.entry
      const last = entry?.last ?? group.lastSeen[waiter.index]
      const lane = detach(waiter)
      if (lane !== undefined) idle.add(lane)
      group.settle(
        waiter.index,
        {
          ok: false,
          input: group.inputs[waiter.index]!,
          error: timeoutError(waiter.ref, waiter.policy.timeoutMillis, last, entry?.lastError)
        },
        last
      )
    }
    return stopIdle(idle)
  })

/** Waits until every input of the group has an outcome, ending each wait at its own deadline. */
export const awaitGroup = (group: Group): Effect.Effect<ReadonlyArray<WaitOutcome>> =>
  Effect.gen(function* () {
    while (group.remaining > 0) {
      const now = yield* Clock.currentTimeMillis
      let earliest = Number.POSITIVE_INFINITY
      for (const waiter of group.waiters) {
        if (waiter !== undefined && !waiter.settled && waiter.deadline < earliest) earliest = waiter.deadline
      }
      if (earliest <= now) {
        yield* timeOutDue(group, now)
        continue
      }
      if (earliest === Number.POSITIVE_INFINITY) yield* Deferred.await(group.done)
      else yield* Deferred.await(group.done).pipe(Effect.timeoutOption(earliest - now))
    }
    if (group.callbackError !== undefined) return yield* Effect.die(group.callbackError.error)
    return group.outcomes as ReadonlyArray<WaitOutcome>
  }).pipe(Effect.onInterrupt(() => release(group)))

// ---------------------------------------------------------------------------
// The lane loop

const canBatch = (lane: Lane): boolean => lane.source.batch !== undefined && !lane.batchDisabled

/** When the lane should run its next round. */
const nextWake = (lane: Lane): number => {
  let earliest = Number.POSITIVE_INFINITY
  let min = Number.POSITIVE_INFINITY
  for (const entry of lane.entries.values()) {
    if (entry.due < earliest) earliest = entry.due
    if (entry.minDelay < min) min = entry.minDelay
  }
  if (canBatch(lane) && lane.entries.size >= 2 && lane.sweepAt < earliest) earliest = lane.sweepAt
  // Rounds are at least the smallest minDelay of the lane's waiters apart.
  if (lane.lastRoundAt !== undefined && Number.isFinite(min))
    earliest = Math.max(earliest, lane.lastRoundAt + min)
  return earliest
}

const laneLoop = Effect.fnUntraced(function* (lane: Lane, generation: number) {
  for (;;) {
    if (lane.generation !== generation) return
    if (lane.waiterCount === 0) {
      lane.running = false
      lane.fiber = undefined
      return
    }
    const now = yield* Clock.currentTimeMillis
    const wake = nextWake(lane)
    if (wake > now) {
      yield* Queue.take(lane.wakeups).pipe(Effect.timeoutOption(Math.max(1, wake - now)))
      continue
    }
    yield* runRound(lane, now)
  }
})

/** What one round saw. */
interface RoundState {
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

const isThrottle = (error: unknown): boolean => error instanceof SourceError && error.reason === "throttled"

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

/** Sets when an entry is read next, from its own backoff and the earliest deadline on it. */
const reschedule = (entry: Entry, signal: PollSignal | "changed", now: number, rand: () => number): void => {
  let delay: number
  if (signal === "throttled") {
    entry.throttles++
    delay = backoffDelay(2 * entry.minDelay, 2 * entry.maxDelay, entry.throttles, rand())
  } else {
    entry.throttles = 0
    entry.attempt = signal === "changed" ? 0 : entry.attempt + 1
    delay = backoffDelay(entry.minDelay, entry.maxDelay, entry.attempt, rand())
  }
  // The last read lands minDelay before the earliest deadline, as the single waiter's does.
  const clamped = clampToDeadline(delay, entry.deadline - now, entry.minDelay)
  entry.due = now + (clamped ?? delay)
}

const settleAll = (entry: Entry, outcome: (waiter: Waiter) => WaitOutcome): void => {
  for (const waiter of [...entry.waiters]) settleWaiter(waiter, outcome(waiter), entry.last)
}

/** A fresh snapshot of an entry (full, or a summary merged into the last full one). */
const accept = (
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
  if (op.status === "unknown") rs.unknown.push(op)
  const key = snapshotKey(op)
  const changed = key !== entry.snapKey
  // Unchanged: keep the snapshot already held. The new one then dies young, and a fleet that is
  // not changing leaves the old generation alone (no major GC every round).
  if (changed || entry.last === undefined) entry.last = op
  if (changed) {
    entry.snapKey = key
    rs.changed = true
    for (const waiter of entry.waiters) notify(waiter, op, key)
  }
  if (op.terminal) {
    settleAll(entry, (w) => w.group.outcomeOf(w.index, op))
    drop(lane, entry)
  } else if (entry.touched !== rs.round) {
    // Read by a list read, it keeps the lane's pace: should it fall out of every read, its own
    // timer resumes at the lane's backoff rather than at a backoff that grew through the sweeps.
    if (fromRead) entry.attempt = Math.min(entry.attempt, lane.sweepAttempt)
    reschedule(entry, changed ? "changed" : "progress", now, rs.rand)
  }
  entry.touched = rs.round
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
        raw: summary.raw
      }

/** A failed `get`, classified as the single waiter does. */
const answerError = (
  rs: RoundState,
  entry: Entry,
  error: SourceError | InvalidOperationRefError,
  now: number
): void => {
  entry.touched = rs.round
  if (error._tag === "InvalidOperationRefError") {
    settleAll(entry, (w) => ({ ok: false, input: w.group.inputs[w.index]!, error }))
    return
  }
  entry.lastError = error
  const fail = (w: Waiter): WaitOutcome => ({
    ok: false,
    input: w.group.inputs[w.index]!,
    error: toPublicError(w.ref, error)
  })
  switch (error.reason) {
    case "not-found":
      // Each waiter has its own grace window, from when it started.
      for (const waiter of [...entry.waiters]) {
        if (now - waiter.startedAt >= waiter.policy.notFoundGraceMillis)
          settleWaiter(waiter, fail(waiter), entry.last)
      }
      if (entry.waiters.size > 0) reschedule(entry, "not-found", now, rs.rand)
      return
    case "throttled":
      reschedule(entry, "throttled", now, rs.rand)
      return
    case "transient":
      reschedule(entry, "transient", now, rs.rand)
      return
    case "malformed":
      if (++entry.malformed >= malformedLimit) settleAll(entry, fail)
      else reschedule(entry, "transient", now, rs.rand)
      return
    default:
      settleAll(entry, fail)
  }
}

/** The last deadline of anyone waiting on these entries: no request need outlive it. */
const lastDeadline = (entries: Iterable<Entry>): number => {
  let last = Number.NEGATIVE_INFINITY
  for (const entry of entries)
    for (const waiter of entry.waiters) if (waiter.deadline > last) last = waiter.deadline
  return last
}

const getTask = (lane: Lane, rs: RoundState, gate: Gate, entry: Entry): Effect.Effect<void> =>
  Effect.suspend(() => {
    if (!entry.live || entry.fetched === rs.round) return Effect.void
    entry.fetched = rs.round
    rs.gets++
    return Effect.flatMap(Clock.currentTimeMillis, (sentAt) =>
      gate(lane.source.get(entry.ref)).pipe(
        // A request that never answers holds the round only until no one waits on it any more.
        Effect.timeoutOption(Math.max(1, lastDeadline([entry]) - sentAt)),
        Effect.result,
        Effect.flatMap((result) =>
          Effect.map(Clock.currentTimeMillis, (now) => {
            if (!entry.live) return
            if (result._tag === "Failure") answerError(rs, entry, result.failure, now)
            else if (result.success._tag === "Some") accept(lane, rs, entry, result.success.value, now)
          })
        )
      )
    )
  })

const disableBatch = (lane: Lane, rs: RoundState, error: { readonly message: string }): void => {
  if (lane.batchDisabled) return
  lane.batchDisabled = true
  rs.warnings.push(
    `opstatus: a ${lane.service} list read in ${lane.region} failed (${error.message}); ` +
      "waiting on these operations one GetOperation at a time"
  )
}

type Chosen = Choice<BatchRead>

/** What one list read has seen so far. */
interface ReadState {
  readonly read: BatchRead
  /** By slot: covered by this read. */
  readonly covered: Uint8Array
  /** By slot: listed by this read. */
  readonly seen: Uint8Array
  readonly needFull: Array<Entry>
  readonly budget: number
  pages: number
  stopped: boolean
}

/**
 * One page of a list read. Module-level on purpose: a closure made per round
 * would be optimized again every round (V8 keeps optimized code per closure
 * feedback), which on fleets of thousands cost more than the loop itself.
 */
const takePage = (
  lane: Lane,
  rs: RoundState,
  state: ReadState,
  page: ReadonlyArray<Operation>,
  now: number
) => {
  state.pages++
  const n = rs.pending.length
  for (let i = 0; i < page.length; i++) {
    const op = page[i]!
    const entry = lane.byId.get(op.ref.id)
    // Only what the read was chosen for: another entry's snapshot may need more (SSM for SAP steps).
    if (entry === undefined || entry.slot < 0 || entry.slot >= n || rs.pending[entry.slot] !== entry) continue
    if (state.covered[entry.slot] !== 1) continue
    state.seen[entry.slot] = 1
    if (!entry.live) continue
    if (state.read.complete) accept(lane, rs, entry, op, now, true)
    else if (op.terminal) state.needFull.push(entry)
    else accept(lane, rs, entry, mergeSummary(entry.last, op), now, true)
  }
  if (state.pages > state.budget) state.stopped = true
  return !state.stopped
}

// The loops of a round are small module-level functions and its generators are defined once
// (Effect.fnUntraced): V8 optimizes each once, instead of re-optimizing one large generator.

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

const dueNotCovered = (pending: ReadonlyArray<Entry>, due: Uint8Array, covered: Uint8Array): Array<Entry> => {
  const out: Array<Entry> = []
  for (let slot = 0; slot < pending.length; slot++)
    if (due[slot] === 1 && covered[slot] !== 1) out.push(pending[slot]!)
  return out
}

/** Due and covered but neither read nor answered (a list read was throttled): try again after a backoff. */
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

// Generators are defined once (Effect.fnUntraced), not per call: V8 then optimizes them once.
const readTask = Effect.fnUntraced(function* (
  lane: Lane,
  rs: RoundState,
  gate: Gate,
  choice: Chosen,
  getCost: number
) {
  const read = choice.read
  const n = rs.pending.length
  const state: ReadState = {
    read,
    covered: new Uint8Array(n),
    seen: new Uint8Array(n),
    needFull: [],
    // Past this many pages, reading the covered operations one by one would have been cheaper.
    budget: choice.benefit * getCost,
    pages: 0,
    stopped: false
  }
  for (const slot of choice.covers) state.covered[slot] = 1
  const covered = choice.covers.map((slot) => rs.pending[slot]!)
  const sentAt = yield* Clock.currentTimeMillis
  const result = yield* Stream.runForEachWhile(read.pages(gate), (page) =>
    Effect.map(Clock.currentTimeMillis, (now) => takePage(lane, rs, state, page, now))
  ).pipe(
    // A read that never ends holds the round only until no one waits on what it covers.
    Effect.timeoutOption(Math.max(1, lastDeadline(covered) - sentAt)),
    Effect.result
  )
  const { pages, stopped, seen, needFull } = state
  rs.reads.push({ key: read.key, pages, covers: choice.covers.length, stopped })
  const unseen = (onlyDue: boolean) => {
    const out: Array<Entry> = []
    for (const slot of choice.covers) {
      if (seen[slot] === 1 || (onlyDue && rs.due[slot] !== 1)) continue
      out.push(rs.pending[slot]!)
    }
    return out
  }
  let followUps: Array<Entry> = needFull
  if (result._tag === "Success" && result.success._tag === "None") {
    // Cut off at the last deadline: no one waits on what it covers any more.
    rs.batchSignal ??= "transient"
  } else if (result._tag === "Success") {
    lane.learned.set(read.key, stopped ? pages + 1 : pages)
    lane.batchStrikes = 0
    // Covered but not listed: it ended (Cloud Map lists pending ones only), or is not visible yet.
    followUps = followUps.concat(unseen(stopped))
  } else {
    const error = result.failure
    const reason = error._tag === "SourceError" ? error.reason : "invalid"
    if (reason === "not-found") followUps = followUps.concat(unseen(false))
    else if (reason === "throttled" || reason === "transient") {
      if (rs.batchSignal !== "throttled") rs.batchSignal = reason
    } else if (reason === "malformed") {
      if (++lane.batchStrikes >= malformedLimit) disableBatch(lane, rs, error)
      rs.batchSignal ??= "transient"
    } else {
      disableBatch(lane, rs, error)
      followUps = followUps.concat(unseen(true))
    }
  }
  yield* Effect.forEach(followUps, (entry) => getTask(lane, rs, gate, entry), {
    concurrency: lane.settings.concurrency,
    discard: true
  })
})

const runRound = Effect.fnUntraced(function* (lane: Lane, startedAt: number) {
  const round = ++lane.round
  lane.lastRoundAt = startedAt
  const seed = yield* Random.nextIntBetween(0, 2 ** 31)
  const pending = [...lane.entries.values()]
  const n = pending.length
  const due = new Uint8Array(n)
  const dueCount = numberAndMarkDue(pending, due, startedAt)
  const batch = canBatch(lane) ? lane.source.batch : undefined
  const sweep = batch !== undefined && n >= 2 && startedAt >= lane.sweepAt
  const wanted = sweep ? new Uint8Array(n).fill(1) : due
  const wantedCount = sweep ? n : dueCount
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
  const gate = gateOf(lane, rs)
  const getCost = batch?.getCost ?? 1
  let chosen: Array<Chosen> = []
  if (batch !== undefined && wantedCount >= 2) {
    // Entries are the candidates: a read's covers map back to slots without string keys.
    const offers = batch.plan(lane.region, pending, startedAt).map((read) => {
      const covers: Array<number> = []
      for (const candidate of read.covers) {
        const entry = candidate as Entry
        const slot =
          pending[entry.slot] === entry
            ? entry.slot
            : (lane.entries.get(formatRef(candidate.ref))?.slot ?? -1)
        if (slot >= 0 && slot < n && pending[slot]!.ref.id === candidate.ref.id) covers.push(slot)
      }
      return {
        read,
        covers,
        estimate: (lane.learned.get(read.key) ?? 1) + (read.callsPerRef ?? 0) * read.covers.length
      }
    })
    chosen = chooseReads(offers, wanted, getCost)
  }
  const covered = new Uint8Array(n)
  for (const choice of chosen) for (const slot of choice.covers) covered[slot] = 1
  const gets = dueNotCovered(pending, due, covered)
  yield* Effect.forEach(
    [
      ...chosen.map((choice) => readTask(lane, rs, gate, choice, getCost)),
      ...gets.map((entry) => getTask(lane, rs, gate, entry))
    ],
    (task) => task,
    { concurrency: lane.settings.concurrency, discard: true }
  )
  const endedAt = yield* Clock.currentTimeMillis
  retryUnanswered(rs, covered, endedAt)
  if (batch !== undefined) {
    const changed = rs.changed || lane.joined
    lane.joined = false
    const { min, max: smallestMax } = delaysOf(lane)
    if (Number.isFinite(min)) {
      const max = Math.max(smallestMax, min)
      if (sweep) {
        let delay: number
        if (rs.throttled > 0 || rs.batchSignal === "throttled") {
          lane.sweepThrottles++
          delay = backoffDelay(2 * min, 2 * max, lane.sweepThrottles, rs.rand())
        } else {
          lane.sweepThrottles = 0
          lane.sweepAttempt = changed ? 0 : lane.sweepAttempt + 1
          delay = backoffDelay(min, max, lane.sweepAttempt, rs.rand())
        }
        lane.sweepAt = endedAt + delay
      } else if (changed) {
        lane.sweepAttempt = 0
        lane.sweepAt = Math.min(lane.sweepAt, endedAt + min)
      }
    }
    if (lane.entries.size >= 2) deferToSweep(pending, covered, lane.sweepAt)
  }
  yield* Effect.forEach(rs.unknown, warnUnknownStatus, { discard: true })
  yield* Effect.forEach(rs.warnings, (w) => Effect.logWarning(w), { discard: true })
  if (lane.settings.onRound !== undefined && rs.calls > 0) {
    const report: RoundReport = {
      service: lane.service,
      region: lane.region,
      round,
      sweep,
      pending: n,
      reads: rs.reads,
      gets: rs.gets,
      calls: rs.calls,
      throttled: rs.throttled,
      rate: lane.limiter.rate(),
      startedAt,
      endedAt
    }
    try {
      lane.settings.onRound(report)
    } catch {
      // A diagnostics hook must not stop the lane.
    }
  }
})
