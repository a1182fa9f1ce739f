/**
 * The engine: the one loop every wait runs on. A single wait is a fleet of
 * one. Operations of one service and region of one registry share a lane,
 * one poll loop that reads them through list APIs where that costs fewer
 * calls, deduplicates them and keeps to an adaptive rate limit; each wait
 * keeps its own deadline, delays, not-found grace and abort. What an answer
 * means is decided by one pure acceptor, when to read next by one backoff,
 * and a wait ends at its deadline, not before.
 *
 * The engine is a service with a lifetime: `OperationSources.layer(sources)`
 * provides it, its lanes are fibers in that layer's scope, and closing the
 * scope ends every wait still going (`WaitAborted`) and stops every lane.
 * There is no module-level state: each engine has its own lanes and its own
 * once-per-status warnings.
 *
 * @since 0.2.0
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import { FleetConfig, resolveFleetOptions } from "./FleetConfig.js"
import { decodeFleetState, encodeFleetState, type FleetState, type FleetStateEntry } from "./FleetState.js"
import { checkedOperation } from "./internal/engine/entries.js"
import {
  abortGroup,
  awaitGroup,
  closeEngine,
  engineStateKey,
  makeEngineState,
  register,
  release,
  type WaiterSpec,
  warnUnknownStatus
} from "./internal/engine/lanes.js"
import { Group } from "./internal/engine/state.js"
import { isOperation, type Operation } from "./Operation.js"
import { formatRef, type OperationRef } from "./OperationRef.js"
import {
  cancelNotSupported,
  invalidOptions,
  invalidRef,
  malformedResponse,
  OperationFailed,
  OpstatusError,
  WaitTimeout,
  waitAborted,
  waitTimeout,
  withRef
} from "./OpstatusError.js"
import { describeInput } from "./Refs.js"
import type { SourceRegistry } from "./SourceRegistry.js"
import type { FleetEvent, Waitable, WaitOutcome } from "./WaitOutcome.js"
import { resolvePolicy, type WaitOptions, type WaitPolicy } from "./WaitPolicy.js"

/**
 * Options of a wait started on the engine.
 *
 * @since 0.2.0
 * @category models
 */
export interface BeginOptions extends WaitOptions {
  /** Treat an operation that did not succeed as an error outcome (`OperationFailed`). Default false. */
  readonly requireSuccess?: boolean | undefined
  /** Called with every new snapshot (only when something changed). */
  readonly onProgress?: ((operation: Operation) => void) | undefined
  /** Called with every event: each change once, each wait ending in an error. */
  readonly onEvent?: ((event: FleetEvent) => void) | undefined
  /**
   * Settle an operation only with a full read of it. A fleet may learn that an operation ended from
   * a list's status summary, which carries no type, targets or dates: with this, such an ending costs
   * one more read by ID. Default false.
   */
  readonly fullOperation?: boolean | undefined
}

/**
 * Options of resuming a serialized wait: its policy, deadlines and
 * `requireSuccess` come from the state.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResumeOptions {
  readonly onProgress?: ((operation: Operation) => void) | undefined
  readonly onEvent?: ((event: FleetEvent) => void) | undefined
}

/**
 * Options of a single read.
 *
 * @since 0.2.0
 * @category models
 */
export interface GetOptions {
  /** How long the read and its retries may take; defaults to the service's timeout, at most a minute. */
  readonly timeout?: WaitOptions["timeout"]
  /** Retries of a throttled or unavailable read start at a quarter of this; defaults to the service's. */
  readonly minDelay?: WaitOptions["minDelay"]
}

/**
 * Waits in progress.
 *
 * @since 0.1.0
 * @category models
 */
export interface FleetWait {
  /** One outcome per input, in input order, once every wait has ended (each at its deadline at the latest). */
  readonly await: Effect.Effect<ReadonlyArray<WaitOutcome>>
  /** The waits as JSON, to resume in another process. */
  readonly serialize: Effect.Effect<string>
  /** The waits' state as a value. */
  readonly state: Effect.Effect<FleetState>
  /** Ends every wait still going with `WaitAborted`. */
  readonly cancel: Effect.Effect<void>
}

/**
 * The engine's interface.
 *
 * @since 0.2.0
 * @category models
 */
export interface EngineService {
  /** The sources the engine reads with. */
  readonly sources: SourceRegistry
  /**
   * Starts waiting on every input. A bad input is an error outcome of its
   * own; the call fails only when `inputs` cannot be iterated or the
   * `FleetConfig` in force is invalid. Closing the scope stops the waits.
   */
  readonly begin: (
    inputs: Iterable<Waitable>,
    options?: BeginOptions
  ) => Effect.Effect<FleetWait, OpstatusError, Scope.Scope>
  /** Resumes a serialized wait; fails with `InvalidFleetState` naming what is wrong. */
  readonly resume: (
    state: unknown,
    options?: ResumeOptions
  ) => Effect.Effect<FleetWait, OpstatusError, Scope.Scope>
  /** Reads one operation now; throttling and transient errors are retried three times. */
  readonly get: (
    input: string | OperationRef,
    options?: GetOptions
  ) => Effect.Effect<Operation, OpstatusError>
  /**
   * Asks the operation's service to cancel it: fails with `CancelNotSupported`
   * before any request when its source cannot cancel; throttling and
   * transient errors are retried three times. Succeeds once the service
   * accepted the request; a wait on the operation then ends `cancelled`.
   */
  readonly cancel: (input: Waitable, options?: GetOptions) => Effect.Effect<void, OpstatusError>
  /**
   * Ends every wait still going with `WaitAborted`, stops every lane, and
   * refuses later waits. Closing the engine's scope does the same.
   */
  readonly close: Effect.Effect<void>
}

/**
 * The engine service.
 *
 * @since 0.2.0
 * @category services
 */
export class Engine extends Context.Service<Engine, EngineService>()("@opstatus/core/Engine") {
  /**
   * Builds an engine over a registry, its lanes living in the current scope.
   *
   * @since 0.2.0
   * @category constructors
   */
  static readonly make = (registry: SourceRegistry): Effect.Effect<EngineService, never, Scope.Scope> =>
    makeEngine(registry)
}

const eventsOf = (options: ResumeOptions | undefined): ((event: FleetEvent) => void) | undefined => {
  const onProgress = options?.onProgress
  const onEvent = options?.onEvent
  if (typeof onProgress !== "function" && typeof onEvent !== "function") return undefined
  return (event) => {
    if (event._tag === "Changed" && typeof onProgress === "function") onProgress(event.operation)
    if (typeof onEvent === "function") onEvent(event)
  }
}

/** The error a failed resolve or read ends with; a defect (a source that threw) becomes a typed one. */
const typedError = (exit: Exit.Exit<unknown, OpstatusError>, input: unknown): OpstatusError => {
  if (Exit.isSuccess(exit)) return invalidRef(describeInput(input), "it could not be checked")
  const error = Cause.findErrorOption(exit.cause)
  if (Option.isSome(error)) return error.value
  const defect = Cause.squash(exit.cause)
  const detail = defect instanceof Error ? defect.message : "an unexpected error"
  return invalidRef(describeInput(input), `its source could not check it (${detail})`)
}

const listOf = (inputs: Iterable<Waitable>): Effect.Effect<ReadonlyArray<Waitable>, OpstatusError> =>
  Effect.try({
    try: () => {
      if (
        typeof inputs === "string" ||
        inputs === null ||
        typeof (inputs as { [Symbol.iterator]?: unknown })?.[Symbol.iterator] !== "function"
      ) {
        throw new TypeError("not iterable")
      }
      return [...inputs]
    },
    catch: () =>
      invalidOptions("inputs", "the operations to wait on must be an array or another iterable of refs")
  })

/** `raw` is the service's own object and need not be JSON: it is not serialized. */
const withoutRaw = (op: Operation): Operation => ({ ...op, raw: null })

const errorWithoutRaw = (error: OpstatusError): OpstatusError => {
  const reason = error.reason
  if (reason._tag === "OperationFailed") {
    return new OpstatusError({
      // `message` is not an own enumerable field of a reason: a spread leaves it out.
      reason: new OperationFailed({
        ...reason,
        message: reason.message,
        operation: withoutRaw(reason.operation)
      })
    })
  }
  if (reason._tag === "WaitTimeout" && reason.lastSeen !== undefined) {
    return new OpstatusError({
      reason: new WaitTimeout({ ...reason, message: reason.message, lastSeen: withoutRaw(reason.lastSeen) })
    })
  }
  return error
}

const inputText = (input: Waitable): string => {
  if (typeof input === "string") return input
  if (isOperation(input)) return formatRef(input.ref)
  return typeof input === "object" && input !== null ? describeInput(formatRef(input)) : describeInput(input)
}

const stateOf = (group: Group): FleetState => ({
  version: 2,
  requireSuccess: group.requireSuccess,
  ...(group.fullOperation ? { fullOperation: true } : {}),
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
            policy: known.policy
          }),
      ...(last === undefined ? {} : { lastSeen: withoutRaw(last) }),
      ...(outcome === undefined || outcome.ok ? {} : { error: errorWithoutRaw(outcome.error) })
    }
  })
})

const handleOf = (group: Group): FleetWait => ({
  await: awaitGroup(group),
  state: Effect.sync(() => stateOf(group)),
  serialize: Effect.sync(() => encodeFleetState(stateOf(group))),
  cancel: abortGroup(group, "The wait was cancelled")
})

const makeEngine = Effect.fnUntraced(function* (registry: SourceRegistry) {
  const scope = yield* Effect.scope
  const engine = makeEngineState(scope)
  yield* Effect.addFinalizer(() => closeEngine(engine))

  const settingsNow = Effect.gen(function* () {
    return yield* Effect.fromResult(resolveFleetOptions(yield* FleetConfig))
  })

  /** A group the engine tracks until its last outcome is in, so closing the engine can end it. */
  const track = (group: Group): void => {
    if (group.remaining === 0) return
    engine.groups.add(group)
    group.onDone = () => engine.groups.delete(group)
  }

  const closedOutcomes = (group: Group): void => {
    for (const index of group.inputs.keys()) group.fail(index, waitAborted("The engine is closed"))
  }

  /**
   * Starts a group's waits: the waiters `plan` gives join their lanes, in the caller's scope. A
   * closed engine ends them at once.
   */
  const start = (
    group: Group,
    plan: (now: number) => Effect.Effect<ReadonlyArray<WaiterSpec>>
  ): Effect.Effect<FleetWait, OpstatusError, Scope.Scope> =>
    Effect.gen(function* () {
      const settings = yield* settingsNow
      if (engine.closed) {
        closedOutcomes(group)
        return handleOf(group)
      }
      track(group)
      yield* Effect.addFinalizer(() => release(group))
      const specs = yield* plan(yield* Clock.currentTimeMillis)
      yield* register(engine, settings, group, specs)
      return handleOf(group)
    })

  const begin = (
    inputs: Iterable<Waitable>,
    options?: BeginOptions
  ): Effect.Effect<FleetWait, OpstatusError, Scope.Scope> =>
    Effect.flatMap(listOf(inputs), (list) => {
      const group = new Group(
        list,
        options?.requireSuccess === true,
        eventsOf(options),
        options?.fullOperation === true
      )
      return start(group, (now) => planInputs(group, list, options, now))
    })

  /** The waiters of fresh inputs: each resolved against the registry, with its policy. */
  const planInputs = (
    group: Group,
    list: ReadonlyArray<Waitable>,
    options: BeginOptions | undefined,
    now: number
  ) =>
    Effect.gen(function* () {
      // One policy per service: the options are the same for every input.
      const policies = new Map<string, Exit.Exit<WaitPolicy, OpstatusError>>()
      const specs: Array<WaiterSpec> = []
      for (const [index, input] of list.entries()) {
        const resolved = yield* Effect.exit(Effect.suspend(() => registry.resolve(input)))
        if (Exit.isFailure(resolved)) {
          group.fail(index, typedError(resolved, input))
          continue
        }
        const { ref, source, snapshot } = resolved.value
        let policy = policies.get(ref.service)
        if (policy === undefined) {
          policy = yield* Effect.exit(resolvePolicy(source.info.defaults, options))
          policies.set(ref.service, policy)
        }
        if (Exit.isFailure(policy)) {
          group.fail(index, typedError(policy, input))
          continue
        }
        specs.push({
          index,
          ref,
          source,
          policy: policy.value,
          startedAt: now,
          deadline: now + policy.value.timeoutMillis,
          snapshot,
          fresh: true
        })
      }
      return specs
    })

  const resume = (
    state: unknown,
    options?: ResumeOptions
  ): Effect.Effect<FleetWait, OpstatusError, Scope.Scope> =>
    Effect.flatMap(decodeFleetState(state), (decoded) => {
      const inputs: Array<Waitable> = decoded.entries.map((e) => e.ref ?? e.input)
      const group = new Group(
        inputs,
        decoded.requireSuccess,
        eventsOf(options),
        decoded.fullOperation === true
      )
      return start(group, (now) => planResumed(group, decoded, inputs, now))
    })

  /** The waiters of a resumed state: what had ended settles with no request, what is overdue times out. */
  const planResumed = (group: Group, decoded: FleetState, inputs: ReadonlyArray<Waitable>, now: number) =>
    Effect.gen(function* () {
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
          group.fail(
            index,
            waitTimeout({
              ref,
              timeoutMillis: policy.timeoutMillis,
              waitedMillis: now - entry.startedAt!,
              lastSeen: last
            }),
            last
          )
          continue
        }
        const checked = yield* Effect.exit(Effect.suspend(() => registry.resolve(ref)))
        if (Exit.isFailure(checked)) {
          group.fail(index, typedError(checked, ref), last)
          continue
        }
        specs.push({
          index,
          ref: checked.value.ref,
          source: checked.value.source,
          policy,
          startedAt: entry.startedAt!,
          deadline: entry.deadline!,
          snapshot: last,
          fresh: false
        })
      }
      return specs
    })

  const get = (input: string | OperationRef, options?: GetOptions) =>
    Effect.gen(function* () {
      const { ref, source } = yield* registry.resolve(input)
      const policy = yield* resolvePolicy(
        source.info.defaults,
        options?.minDelay === undefined
          ? undefined
          : { minDelay: options.minDelay, maxDelay: options.minDelay },
        options?.timeout === undefined ? undefined : { timeout: options.timeout }
      )
      const timeoutMillis =
        options?.timeout === undefined ? Math.min(policy.timeoutMillis, 60_000) : policy.timeoutMillis
      const startedAt = yield* Clock.currentTimeMillis
      const read = yield* Effect.suspend(() => source.get(ref)).pipe(
        Effect.catchDefect((defect) =>
          Effect.fail(
            malformedResponse(
              ref.service,
              `the answer could not be handled: ${defect instanceof Error ? defect.message : "an unexpected value was thrown"}`
            )
          )
        ),
        Effect.retry({
          times: 3,
          schedule: Schedule.exponential(policy.minDelayMillis / 4).pipe(Schedule.jittered),
          while: (error) => error.isRetryable
        }),
        Effect.timeoutOption(timeoutMillis),
        Effect.mapError((error) => withRef(error, ref))
      )
      if (Option.isNone(read)) {
        const now = yield* Clock.currentTimeMillis
        return yield* waitTimeout({ ref, timeoutMillis, waitedMillis: now - startedAt })
      }
      const op = checkedOperation(ref.service, read.value)
      if (op instanceof OpstatusError) return yield* withRef(op, ref)
      yield* warnUnknownStatus(engine, op)
      return op
    })

  const cancel = (input: Waitable, options?: GetOptions) =>
    Effect.gen(function* () {
      const { ref, source } = yield* registry.resolve(input)
      const send = source.cancel
      if (send === undefined) return yield* cancelNotSupported(ref.service, source.info.title, ref)
      const policy = yield* resolvePolicy(
        source.info.defaults,
        options?.minDelay === undefined
          ? undefined
          : { minDelay: options.minDelay, maxDelay: options.minDelay },
        options?.timeout === undefined ? undefined : { timeout: options.timeout }
      )
      const timeoutMillis =
        options?.timeout === undefined ? Math.min(policy.timeoutMillis, 60_000) : policy.timeoutMillis
      const startedAt = yield* Clock.currentTimeMillis
      const sent = yield* Effect.suspend(() => send(ref)).pipe(
        Effect.catchDefect((defect) =>
          Effect.fail(
            malformedResponse(
              ref.service,
              `the cancel could not be handled: ${defect instanceof Error ? defect.message : "an unexpected value was thrown"}`
            )
          )
        ),
        Effect.retry({
          times: 3,
          schedule: Schedule.exponential(policy.minDelayMillis / 4).pipe(Schedule.jittered),
          while: (error) => error.isRetryable
        }),
        Effect.timeoutOption(timeoutMillis),
        Effect.mapError((error) => withRef(error, ref))
      )
      if (Option.isNone(sent)) {
        const now = yield* Clock.currentTimeMillis
        return yield* waitTimeout({ ref, timeoutMillis, waitedMillis: now - startedAt })
      }
    })

  const service = Engine.of({ sources: registry, begin, resume, get, cancel, close: closeEngine(engine) })
  Object.defineProperty(service, engineStateKey, { value: engine, enumerable: false })
  return service
})
