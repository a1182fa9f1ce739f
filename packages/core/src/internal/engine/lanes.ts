/**
 * The engine's lanes: one poll loop per source and region serves every
 * waiter on that lane. The same operation awaited twice is one entry and
 * one read; each waiter keeps its own deadline, delays, not-found grace and
 * abort; a lane with no waiters stops its fiber. Lanes are forked into the
 * engine's scope, so closing the engine stops them all.
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Queue from "effect/Queue"
import * as Result from "effect/Result"
import type * as Scope from "effect/Scope"
import { type FleetSettings, resolveFleetOptions } from "../../FleetConfig.js"
import { type Operation, snapshotKey } from "../../Operation.js"
import { formatRef, type OperationRef } from "../../OperationRef.js"
import type { OperationSource } from "../../OperationSource.js"
import { waitAborted, waitTimeout } from "../../OpstatusError.js"
import type { WaitOutcome } from "../../WaitOutcome.js"
import type { WaitPolicy } from "../../WaitPolicy.js"
import { redactCredentials } from "../redact.js"
import { detach, mergeHints, notify, updateAggregates } from "./entries.js"
import { mulberry32 } from "./prng.js"
import { makeRateLimiter } from "./rateLimiter.js"
import { afterDefect, canBatch, reportOf, runRound } from "./round.js"
import type { Entry, Group, Lane, Waiter } from "./state.js"

/** The state of one engine: its lanes, its waits in progress, what it has warned about. */
export interface EngineState {
  readonly scope: Scope.Scope
  readonly lanes: Map<string, Lane>
  readonly groups: Set<Group>
  /** Unknown statuses warned about, by `service:status`: once per engine. */
  readonly warned: Set<string>
  closed: boolean
}

/** Where an engine service keeps its state, for the engine's own tests and diagnostics. */
export const engineStateKey: unique symbol = Symbol.for("@opstatus/core/Engine/state") as never

/** The state of an engine service. */
export const engineStateOf = (engine: object): EngineState =>
  (engine as { [engineStateKey]: EngineState })[engineStateKey]

export const makeEngineState = (scope: Scope.Scope): EngineState => ({
  scope,
  lanes: new Map(),
  groups: new Set(),
  warned: new Set(),
  closed: false
})

/** Logs an unknown raw status once per engine, service and value. */
export const warnUnknownStatus = (engine: EngineState, op: Operation): Effect.Effect<void> => {
  if (op.status !== "unknown") return Effect.void
  const key = `${op.ref.service}:${op.rawStatus}`
  if (engine.warned.has(key)) return Effect.void
  engine.warned.add(key)
  return Effect.logWarning(
    `${op.ref.service} reported status "${redactCredentials(op.rawStatus)}", which opstatus does not know; ` +
      "it never counts as success, and ends a wait only if the service itself marks the operation terminal"
  )
}

/** What `register` needs of one input, resolved and checked by the caller. */
export interface WaiterSpec {
  readonly index: number
  readonly ref: OperationRef
  readonly source: OperationSource
  readonly policy: WaitPolicy
  readonly startedAt: number
  readonly deadline: number
  readonly snapshot: Operation | undefined
  /** A wait that starts now (not resumed): the operation may have been started a moment ago. */
  readonly fresh: boolean
}

/** A lane's rate: the fleet options', else the service's own budget, else the default. */
const laneRate = (source: OperationSource, settings: FleetSettings): FleetSettings["rate"] => {
  const own = source.info.rateLimit
  if (settings.rateGiven || own === undefined) return settings.rate
  const resolved = resolveFleetOptions({ rateLimit: own })
  return Result.isSuccess(resolved) ? resolved.success.rate : settings.rate
}

const laneFor = Effect.fnUntraced(function* (
  engine: EngineState,
  source: OperationSource,
  region: string,
  settings: FleetSettings
) {
  const key = `${source.info.service}:${region}`
  const existing = engine.lanes.get(key)
  if (existing !== undefined && existing.source === source) return existing
  const lane: Lane = {
    key,
    service: source.info.service,
    region,
    source,
    settings,
    limiter: makeRateLimiter(laneRate(source, settings)),
    entries: new Map(),
    byId: new Map(),
    wakeups: yield* Queue.sliding<void>(1),
    learned: new Map(),
    cursors: new Map(),
    waiterCount: 0,
    fiber: undefined,
    running: false,
    generation: 0,
    round: 0,
    pass: 0,
    lastRoundAt: undefined,
    sweepAt: Number.NEGATIVE_INFINITY,
    sweep: { attempt: 0, throttles: 0 },
    joined: false,
    batchDisabled: false,
    batchStrikes: 0,
    batchFailures: 0
  }
  engine.lanes.set(key, lane)
  return lane
})

const newEntry = (key: string, spec: WaiterSpec): Entry => ({
  key,
  live: true,
  slot: -1,
  fetched: -1,
  ref: spec.ref,
  last: undefined,
  snapKey: undefined,
  lastError: undefined,
  malformed: 0,
  unreachableSince: undefined,
  waiters: new Set(),
  due: Number.NEGATIVE_INFINITY,
  attempt: 0,
  throttles: 0,
  touched: -1,
  answeredAt: Number.NEGATIVE_INFINITY,
  seenPass: -1,
  since: spec.startedAt,
  minDelay: spec.policy.minDelayMillis,
  maxDelay: spec.policy.maxDelayMillis,
  deadline: spec.deadline,
  lastDeadline: spec.deadline,
  fullOperation: false,
  swept: false
})

/** Adds waiters to their lanes and starts the lanes that are not running. */
export const register = Effect.fnUntraced(function* (
  engine: EngineState,
  settings: FleetSettings,
  group: Group,
  specs: ReadonlyArray<WaiterSpec>
) {
  const touched = new Set<Lane>()
  /** The entries this call added to each lane, for waits that start now. */
  const added = new Map<Lane, Array<Entry>>()
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
      yield* warnUnknownStatus(engine, spec.snapshot)
      group.settle(spec.index, group.outcomeOf(spec.index, spec.snapshot))
      continue
    }
    const lane = yield* laneFor(engine, spec.source, spec.ref.region, settings)
    const key = formatRef(spec.ref)
    let entry = lane.entries.get(key)
    if (entry === undefined) {
      entry = newEntry(key, spec)
      lane.entries.set(key, entry)
      lane.byId.set(spec.ref.id, entry)
      if (spec.fresh) {
        const list = added.get(lane)
        if (list === undefined) added.set(lane, [entry])
        else list.push(entry)
      }
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
      yield* warnUnknownStatus(engine, spec.snapshot)
    }
    if (entry.last !== undefined) notify(waiter, entry.last, entry.snapKey!)
    lane.joined = true
    touched.add(lane)
  }
  // Operations a fleet waits on from the moment it starts were, as a rule, started a moment ago: none
  // can have ended yet, so their first read, one sweep for them all, comes one minDelay later. A
  // single wait reads at once.
  for (const [lane, entries] of added) {
    if (entries.length < 2) continue
    let first = Number.POSITIVE_INFINITY
    for (const entry of entries) {
      if (entry.last?.terminal === true || !entry.live) continue
      entry.due = entry.since + entry.minDelay
      first = Math.min(first, entry.due)
    }
    if (Number.isFinite(first) && lane.sweepAt < first) lane.sweepAt = first
  }
  for (const lane of touched) {
    if (lane.waiterCount === 0) continue
    if (!lane.running) {
      lane.running = true
      const generation = ++lane.generation
      lane.fiber = yield* Effect.forkIn(laneLoop(engine, lane, generation), engine.scope)
    } else Queue.offerUnsafe(lane.wakeups, undefined)
  }
})

/** Stops lanes that have no waiters: the request in flight is aborted. */
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

/** Takes every waiter of a group that has not settled off its lane, without an outcome. */
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

/** Ends every wait of a group that has not ended with `WaitAborted`, and takes it off its lane. */
export const abortGroup = (group: Group, message: string): Effect.Effect<void> =>
  Effect.suspend(() => {
    const idle = new Set<Lane>()
    for (const [index, waiter] of group.waiters.entries()) {
      if (group.outcomes[index] !== undefined) continue
      const last = waiter?.entry?.last ?? group.lastSeen[index]
      if (waiter !== undefined && !waiter.settled) {
        const lane = detach(waiter)
        if (lane !== undefined) idle.add(lane)
      }
      group.fail(index, waitAborted(message, waiter?.ref), last)
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
      group.fail(
        waiter.index,
        waitTimeout({
          ref: waiter.ref,
          timeoutMillis: waiter.policy.timeoutMillis,
          waitedMillis: now - waiter.startedAt,
          lastSeen: last,
          lastError: entry?.lastError
        }),
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

/** When the lane should run its next round. */
const nextWake = (lane: Lane): number => {
  let earliest = Number.POSITIVE_INFINITY
  let min = Number.POSITIVE_INFINITY
  // An operation never read yet and due now is not held back by the spacing: a wait that joins a
  // busy lane reads at once, as a wait on a lane of its own does. Nor is one whose endpoint cannot
  // be reached: its read that decides lands when its grace ends.
  let fresh = Number.POSITIVE_INFINITY
  for (const entry of lane.entries.values()) {
    if (entry.due < earliest) earliest = entry.due
    if (entry.minDelay < min) min = entry.minDelay
    if ((entry.touched < 0 || entry.unreachableSince !== undefined) && entry.due < fresh) fresh = entry.due
  }
  if (canBatch(lane) && lane.entries.size >= 2 && lane.sweepAt < earliest) earliest = lane.sweepAt
  // Rounds are at least the smallest minDelay of the lane's waiters apart.
  if (lane.lastRoundAt !== undefined && Number.isFinite(min))
    earliest = Math.max(earliest, lane.lastRoundAt + min)
  return Math.min(earliest, fresh)
}

/** After a round: its warnings, the unknown statuses it saw, and the report. */
const afterRound = Effect.fnUntraced(function* (
  engine: EngineState,
  lane: Lane,
  result: Effect.Success<ReturnType<typeof runRound>>,
  startedAt: number
) {
  for (const op of result.rs.unknown) yield* warnUnknownStatus(engine, op)
  for (const warning of new Set(result.rs.warnings)) yield* Effect.logWarning(warning)
  const onRound = lane.settings.onRound
  if (onRound !== undefined && result.rs.calls > 0) {
    try {
      onRound(reportOf(lane, result, startedAt))
    } catch {
      // A diagnostics hook must not stop the lane.
    }
  }
})

const laneLoop = Effect.fnUntraced(function* (engine: EngineState, lane: Lane, generation: number) {
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
    const exit = yield* Effect.exit(runRound(lane, now))
    if (Exit.isSuccess(exit)) {
      yield* afterRound(engine, lane, exit.value, now)
      continue
    }
    if (Cause.hasInterruptsOnly(exit.cause)) return
    // A defect the round itself did not absorb: log it, and read again after a backoff.
    const defect = Cause.squash(exit.cause)
    yield* Effect.logWarning(
      `a ${lane.service} round in ${lane.region} failed (${defect instanceof Error ? defect.message : "an unexpected value was thrown"}); the lane goes on`
    )
    const after = yield* Clock.currentTimeMillis
    const rand = mulberry32(lane.round)
    for (const entry of lane.entries.values()) if (entry.due <= now) afterDefect(entry, after, rand)
  }
})

/** Closes the engine: every wait still going ends with `WaitAborted`, and the lanes stop. */
export const closeEngine = (engine: EngineState): Effect.Effect<void> =>
  Effect.suspend(() => {
    engine.closed = true
    const groups = [...engine.groups]
    engine.groups.clear()
    return Effect.forEach(
      groups,
      (group) => abortGroup(group, "The wait was stopped: its engine was closed"),
      {
        discard: true
      }
    ).pipe(
      Effect.andThen(
        Effect.forEach(
          [...engine.lanes.values()],
          (lane) => {
            const fiber = lane.fiber
            lane.fiber = undefined
            lane.running = false
            lane.generation++
            return fiber === undefined ? Effect.void : Fiber.interrupt(fiber)
          },
          { discard: true }
        )
      ),
      Effect.andThen(Effect.sync(() => engine.lanes.clear()))
    )
  })
