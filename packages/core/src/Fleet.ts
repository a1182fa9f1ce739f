/**
 * Fleet waiting: many operations awaited at once at a fraction of the calls.
 * One poll loop per lane serves every waiter; a lane is one service and
 * region of one `OperationSources`, and since a source set is one account's
 * clients, a lane is per service, region and account. The same operation
 * awaited twice is polled once; each round reads through the services' list
 * APIs where that costs fewer calls than one GetOperation per due operation
 * (the planner is described in docs/fleet.md); every request goes through
 * the lane's adaptive rate limit, which halves on throttling and grows back
 * by one request a second every second while it is the bottleneck.
 *
 * Each wait keeps its own deadline, delays, not-found grace and abort, and
 * errors are classified exactly as the single waiter classifies them. A wait
 * can be serialized to JSON and resumed in another process, as Azure's
 * core-lro pollers do (`serialize` / `resumeWaitForAll`).
 *
 * @since 0.2.0
 */
import { Clock, Context, Effect, Queue, type Result, Schema, type Scope, Stream } from "effect"
import {
  awaitGroup,
  Group,
  register,
  release,
  resolveSettings,
  type WaiterSpec,
  type WaitSettings
} from "./internal/engine.js"
import { resolveInput, timeoutError } from "./internal/waiting.js"
import { isOperation, Operation, type OperationStatus } from "./Operation.js"
import {
  AccessDeniedError,
  InvalidFleetStateError,
  InvalidOperationRefError,
  InvalidWaitOptionsError,
  OperationFailedError,
  OperationNotFoundError,
  ServiceError,
  WaitTimeoutError
} from "./OperationError.js"
import { formatRef, OperationRef, type ServiceSlug, toRef } from "./OperationRef.js"
import { OperationSources } from "./OperationSource.js"
import type { Waitable, WaitForAllOptions, WaitOutcome } from "./Waiter.js"
import { resolvePolicy, type WaitOptions } from "./WaitPolicy.js"

/**
 * The lane's client-side rate limit, in requests per second. Defaults:
 * start 10, min 0.5, max 50.
 *
 * @since 0.2.0
 * @category models
 */
export interface RateLimitOptions {
  readonly start?: number | undefined
  readonly min?: number | undefined
  readonly max?: number | undefined
}

/**
 * What one poll round of a lane did, for diagnostics and benchmarks.
 *
 * @since 0.2.0
 * @category models
 */
export interface RoundReport {
  readonly service: ServiceSlug
  readonly region: string
  readonly round: number
  /** A sweep round reads the whole lane on the lane's own backoff; others read what is due. */
  readonly sweep: boolean
  /** Operations the lane was waiting on when the round started. */
  readonly pending: number
  /** The list reads made: their key, pages read, operations covered, and whether the read was cut short. */
  readonly reads: ReadonlyArray<{
    readonly key: string
    readonly pages: number
    readonly covers: number
    readonly stopped: boolean
  }>
  /** GetOperation calls, follow-ups of list reads included. */
  readonly gets: number
  /** Every request made in the round. */
  readonly calls: number
  readonly throttled: number
  /** The rate limit in force at the end of the round, requests per second. */
  readonly rate: number
  readonly startedAt: number
  readonly endedAt: number
}

/**
 * Settings of the lanes of one `OperationSources`, read when a lane starts.
 *
 * @since 0.2.0
 * @category models
 */
export interface FleetOptions {
  readonly rateLimit?: RateLimitOptions | undefined
  /** Requests in flight at once per lane (default 8). */
  readonly concurrency?: number | undefined
  /** Called after every round that made a request. */
  readonly onRound?: ((report: RoundReport) => void) | undefined
}

/**
 * The fleet settings in force; provide it to change the rate limit or
 * concurrency of lanes started afterwards.
 *
 * @since 0.2.0
 * @category services
 */
export const FleetConfig = Context.Reference<FleetOptions>("@opstatus/core/FleetConfig", {
  defaultValue: () => ({})
})

/**
 * What a fleet watch emits: each change of each operation once, each wait
 * that ends in an error, and a summary when every wait has ended.
 *
 * @since 0.2.0
 * @category models
 */
export type FleetEvent =
  | { readonly _tag: "Changed"; readonly operation: Operation }
  | {
      readonly _tag: "Failed"
      readonly input: Waitable
      readonly error: Extract<WaitOutcome, { ok: false }>["error"]
    }
  | { readonly _tag: "Summary"; readonly summary: FleetSummary }

/**
 * Counts of how a fleet wait ended: by final status (`error` for a wait that
 * ended in an error other than the operation's own failure), by service, and
 * every outcome in input order.
 *
 * @since 0.2.0
 * @category models
 */
export interface FleetSummary {
  readonly total: number
  readonly byStatus: Readonly<Record<OperationStatus | "error", number>>
  readonly byService: Readonly<
    Partial<Record<ServiceSlug, Readonly<Record<OperationStatus | "error", number>>>>
  >
  readonly outcomes: ReadonlyArray<WaitOutcome>
}

const zeroCounts = (): Record<OperationStatus | "error", number> => ({
  pending: 0,
  running: 0,
  succeeded: 0,
  failed: 0,
  cancelled: 0,
  unknown: 0,
  error: 0
})

const serviceOfInput = (input: Waitable): ServiceSlug | undefined => {
  const service =
    typeof input === "string" ? input.split(":")[0] : isOperation(input) ? input.ref.service : input.service
  return service === "lightsail" || service === "servicediscovery" || service === "ssm-sap"
    ? service
    : undefined
}

/**
 * Counts outcomes by status and by service.
 *
 * @since 0.2.0
 * @category constructors
 */
export const summarize = (outcomes: ReadonlyArray<WaitOutcome>): FleetSummary => {
  const byStatus = zeroCounts()
  const byService: Partial<Record<ServiceSlug, Record<OperationStatus | "error", number>>> = {}
  for (const outcome of outcomes) {
    const operation = outcome.ok
      ? outcome.operation
      : outcome.error._tag === "OperationFailedError"
        ? outcome.error.operation
        : undefined
    const status = operation?.status ?? "error"
    const service = operation?.ref.service ?? serviceOfInput(outcome.input)
    byStatus[status]++
    if (service !== undefined) {
      const counts = byService[service] ?? zeroCounts()
      counts[status]++
      byService[service] = counts
    }
  }
  return { total: outcomes.length, byStatus, byService, outcomes }
}

/**
 * A fleet wait in progress.
 *
 * @since 0.2.0
 * @category models
 */
export interface FleetWait {
  /** One outcome per input, in input order, once every wait has ended. */
  readonly await: Effect.Effect<ReadonlyArray<WaitOutcome>>
  /** The wait as JSON, to resume in another process with `resumeWaitForAll`. */
  readonly serialize: Effect.Effect<string>
  /** The wait's state as a value (Dates as `Date`s). */
  readonly state: Effect.Effect<FleetState>
}

/**
 * Options of `beginWaitForAll` and `watchAll`: every wait option, plus a
 * callback for every event.
 *
 * @since 0.2.0
 * @category models
 */
export interface FleetWaitOptions extends WaitForAllOptions {
  readonly onEvent?: ((event: FleetEvent) => void) | undefined
}

/**
 * Options of `resumeWaitForAll`: the policy, deadlines and `requireSuccess`
 * come from the state.
 *
 * @since 0.2.0
 * @category models
 */
export interface ResumeOptions {
  readonly onProgress?: ((operation: Operation) => void) | undefined
  readonly onEvent?: ((event: FleetEvent) => void) | undefined
}

const eventsOf = (options: ResumeOptions | undefined): ((event: FleetEvent) => void) | undefined => {
  const onProgress = options?.onProgress
  const onEvent = options?.onEvent
  if (onProgress === undefined && onEvent === undefined) return undefined
  return (event) => {
    if (event._tag === "Changed") onProgress?.(event.operation)
    onEvent?.(event)
  }
}

// ---------------------------------------------------------------------------
// Serialized state

const Finite = Schema.Finite
const Positive = Schema.Finite.check(Schema.isGreaterThan(0))
const NonNegative = Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0))

/**
 * The policy of one serialized wait, in milliseconds.
 *
 * @since 0.2.0
 * @category models
 */
export const PolicyState = Schema.Struct({
  timeoutMillis: Positive,
  minDelayMillis: Positive,
  maxDelayMillis: Positive,
  notFoundGraceMillis: NonNegative
})

/**
 * An error a serialized wait ended with.
 *
 * @since 0.2.0
 * @category models
 */
export const WaitErrorState = Schema.Union([
  InvalidOperationRefError,
  InvalidWaitOptionsError,
  OperationNotFoundError,
  AccessDeniedError,
  ServiceError,
  WaitTimeoutError,
  OperationFailedError
])

/**
 * One wait of a serialized fleet wait. A wait that has not ended carries its
 * ref, start, deadline (absolute epoch ms) and policy; one that ended in an
 * error carries the error; `lastSeen` is the last snapshot, without `raw`.
 *
 * @since 0.2.0
 * @category models
 */
export const FleetStateEntry = Schema.Struct({
  input: Schema.String,
  ref: Schema.optionalKey(OperationRef),
  startedAt: Schema.optionalKey(Finite),
  deadline: Schema.optionalKey(Finite),
  policy: Schema.optionalKey(PolicyState),
  lastSeen: Schema.optionalKey(Operation),
  error: Schema.optionalKey(WaitErrorState)
})

/**
 * @since 0.2.0
 * @category models
 */
export type FleetStateEntry = typeof FleetStateEntry.Type

/**
 * A serialized fleet wait.
 *
 * @since 0.2.0
 * @category models
 */
export const FleetState = Schema.Struct({
  version: Schema.Literal(1),
  requireSuccess: Schema.Boolean,
  entries: Schema.Array(FleetStateEntry)
})

/**
 * @since 0.2.0
 * @category models
 */
export type FleetState = typeof FleetState.Type

const FleetStateJson = Schema.toCodecJson(FleetState)

/** `raw` is the service's own object and need not be JSON: it is not serialized. */
const withoutRaw = (op: Operation): Operation => ({ ...op, raw: null })

const errorWithoutRaw = (error: Extract<WaitOutcome, { ok: false }>["error"]) => {
  if (error._tag === "OperationFailedError") {
    return new OperationFailedError({
      operation: withoutRaw(error.operation),
      message: error.message,
      ...(error.code === undefined ? {} : { code: error.code })
    })
  }
  if (error._tag === "WaitTimeoutError" && error.lastSeen !== undefined) {
    return new WaitTimeoutError({
      ref: error.ref,
      timeoutMillis: error.timeoutMillis,
      lastSeen: withoutRaw(error.lastSeen),
      ...(error.lastError === undefined ? {} : { lastError: error.lastError }),
      message: error.message
    })
  }
  return error
}

const inputText = (input: Waitable): string =>
  typeof input === "string" ? input : formatRef(isOperation(input) ? input.ref : input)

const policyOf = (policy: WaitSettings): typeof PolicyState.Type => ({
  timeoutMillis: policy.timeoutMillis,
  minDelayMillis: policy.minDelayMillis,
  maxDelayMillis: policy.maxDelayMillis,
  notFoundGraceMillis: policy.notFoundGraceMillis
})

const stateOf = (group: Group): FleetState => ({
  version: 1,
  requireSuccess: group.requireSuccess,
  entries: group.inputs.map((input, index): FleetStateEntry => {
    const waiter = group.waiters[index]
    const known = waiter ?? group.restored[index]
    const outcome = group.outcomes[index]
    const last = waiter?.entry?.last ?? group.lastSeen[index]
    return {
      input: inputText(input),
      ...(known === undefined
        ? {}
        : {
            ref: waiter?.entry?.ref ?? known.ref,
            startedAt: known.startedAt,
            deadline: known.deadline,
            policy: policyOf(known.policy)
          }),
      ...(last === undefined ? {} : { lastSeen: withoutRaw(last) }),
      ...(outcome === undefined || outcome.ok ? {} : { error: errorWithoutRaw(outcome.error) })
    }
  })
})

const invalidState = (message: string) =>
  new InvalidFleetStateError({ message: `Cannot resume the fleet wait: ${message}` })

/**
 * Parses and checks a serialized fleet wait (a JSON string, or its parsed
 * value), failing with `InvalidFleetStateError` naming the problem.
 *
 * @since 0.2.0
 * @category constructors
 */
export const decodeFleetState = (input: unknown): Effect.Effect<FleetState, InvalidFleetStateError> =>
  Effect.gen(function* () {
    let value: unknown = input
    if (typeof input === "string") {
      try {
        value = JSON.parse(input)
      } catch (error) {
        return yield* invalidState(`it is not JSON (${(error as Error).message})`)
      }
    }
    const state = yield* Schema.decodeUnknownEffect(FleetStateJson)(value).pipe(
      Effect.mapError((error) => invalidState(error.message.replaceAll("\n", " ")))
    )
    for (const [index, entry] of state.entries.entries()) {
      // A wait that ended needs only its outcome: the error, or the terminal snapshot.
      if (entry.error !== undefined || entry.lastSeen?.terminal === true) continue
      const missing = (["ref", "startedAt", "deadline", "policy"] as const).filter(
        (k) => entry[k] === undefined
      )
      if (missing.length > 0) {
        return yield* invalidState(
          `entries[${index}] (${entry.input}) has not ended, so it needs ${missing.join(", ")}`
        )
      }
      if (entry.policy!.maxDelayMillis < entry.policy!.minDelayMillis) {
        return yield* invalidState(
          `entries[${index}] (${entry.input}): maxDelayMillis is below minDelayMillis`
        )
      }
    }
    return state
  })

// ---------------------------------------------------------------------------
// Waiting

const handleOf = (group: Group): FleetWait => ({
  await: awaitGroup(group),
  state: Effect.sync(() => stateOf(group)),
  serialize: Effect.sync(() => JSON.stringify(Schema.encodeSync(FleetStateJson)(stateOf(group))))
})

const settingsNow = Effect.gen(function* () {
  return resolveSettings(yield* FleetConfig)
})

/**
 * Starts waiting on every input through the fleet engine and returns the
 * wait; closing the scope before it ends stops it (and a lane left with no
 * waiters stops polling).
 *
 * @since 0.2.0
 * @category waiting
 */
export const beginWaitForAll = (
  inputs: Iterable<Waitable>,
  options?: FleetWaitOptions
): Effect.Effect<FleetWait, never, OperationSources | Scope.Scope> =>
  Effect.gen(function* () {
    const list = [...inputs]
    const sources = yield* OperationSources
    const settings = yield* settingsNow
    const group = new Group(list, options?.requireSuccess === true, eventsOf(options))
    yield* Effect.addFinalizer(() => release(group))
    const now = yield* Clock.currentTimeMillis
    // One policy per service: the options are the same for every input.
    const policies = new Map<ServiceSlug, Result.Result<WaitSettings, InvalidWaitOptionsError>>()
    const specs: Array<WaiterSpec> = []
    for (const [index, input] of list.entries()) {
      const resolved = yield* Effect.result(resolveInput(input))
      if (resolved._tag === "Failure") {
        group.settle(index, { ok: false, input, error: resolved.failure })
        continue
      }
      const { ref, source, snapshot } = resolved.success
      let policy = policies.get(ref.service)
      if (policy === undefined) {
        policy = yield* Effect.result(resolvePolicy(ref.service, options as WaitOptions | undefined))
        policies.set(ref.service, policy)
      }
      if (policy._tag === "Failure") {
        group.settle(index, { ok: false, input, error: policy.failure })
        continue
      }
      specs.push({
        index,
        ref,
        source,
        policy: policy.success,
        startedAt: now,
        deadline: now + policy.success.timeoutMillis,
        snapshot
      })
    }
    yield* register(sources, settings, group, specs)
    return handleOf(group)
  })

/**
 * Resumes a serialized fleet wait in this process, with this process's
 * sources. A wait that had already ended, or whose last snapshot is
 * terminal, is settled without a call; one whose deadline has passed times
 * out without a call.
 *
 * @since 0.2.0
 * @category waiting
 */
export const resumeWaitForAll = (
  state: unknown,
  options?: ResumeOptions
): Effect.Effect<FleetWait, InvalidFleetStateError, OperationSources | Scope.Scope> =>
  Effect.gen(function* () {
    const decoded = yield* decodeFleetState(state)
    const sources = yield* OperationSources
    const settings = yield* settingsNow
    const inputs: Array<Waitable> = decoded.entries.map((e) => e.ref ?? e.input)
    const group = new Group(inputs, decoded.requireSuccess, eventsOf(options))
    yield* Effect.addFinalizer(() => release(group))
    const now = yield* Clock.currentTimeMillis
    const specs: Array<WaiterSpec> = []
    for (const [index, entry] of decoded.entries.entries()) {
      const input = inputs[index]!
      const last = entry.lastSeen
      if (entry.ref !== undefined && entry.policy !== undefined) {
        group.restored[index] = {
          ref: entry.ref,
          policy: entry.policy,
          startedAt: entry.startedAt ?? now,
          deadline: entry.deadline ?? now
        }
      }
      if (entry.error !== undefined) {
        group.settle(index, { ok: false, input, error: entry.error }, last)
        continue
      }
      if (last?.terminal === true) {
        group.settle(index, group.outcomeOf(index, last))
        continue
      }
      const ref = entry.ref!
      const policy = entry.policy!
      if (entry.deadline! <= now) {
        group.settle(
          index,
          { ok: false, input, error: timeoutError(ref, policy.timeoutMillis, last, undefined) },
          last
        )
        continue
      }
      const checked = yield* Effect.result(
        Effect.flatMap(toRef(ref), (r) => Effect.map(sources.sourceFor(r), (source) => ({ ref: r, source })))
      )
      if (checked._tag === "Failure") {
        group.settle(index, { ok: false, input, error: checked.failure }, last)
        continue
      }
      specs.push({
        index,
        ref: checked.success.ref,
        source: checked.success.source,
        policy,
        startedAt: entry.startedAt!,
        deadline: entry.deadline!,
        snapshot: last
      })
    }
    yield* register(sources, settings, group, specs)
    return handleOf(group)
  })

/**
 * Options of `watchAll`.
 *
 * @since 0.2.0
 * @category models
 */
export type WatchAllOptions = FleetWaitOptions

/**
 * Watches many operations: each change of each operation once, a `Failed`
 * event for each wait that ends in an error, then a `Summary` (counts by
 * status and by service) when every wait has ended. One failure does not
 * stop the others.
 *
 * @since 0.2.0
 * @category waiting
 */
export const watchAll = (
  inputs: Iterable<Waitable>,
  options?: WatchAllOptions
): Stream.Stream<FleetEvent, never, OperationSources> =>
  Stream.callback<FleetEvent, never, OperationSources>((queue) =>
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
    })
  )
