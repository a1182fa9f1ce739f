/**
 * The Promise facade: the same waits as the Effect API, for code that does
 * not use Effect. It is a thin bridge, not a second implementation: each
 * `createOperationStatus(...)` holds one `ManagedRuntime` over the sources
 * and their engine, and `close()` (or `await using`) disposes of it, after
 * which no timer, request or fiber of it remains and the process can exit.
 *
 * It rejects with `OpstatusError` itself, never a wrapper. An `AbortSignal`
 * rejects the wait at once, whatever the number of waits on the signal, and
 * stops its reads: the request in flight is aborted and no further request
 * is made for it.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Result from "effect/Result"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { Engine, type FleetWait, type ResumeOptions } from "./Engine.js"
import * as Fleet from "./Fleet.js"
import { FleetConfig, type FleetOptions, resolveFleetOptions } from "./FleetConfig.js"
import { redactCredentials } from "./internal/redact.js"
import type { Operation } from "./Operation.js"
import type { OperationRef } from "./OperationRef.js"
import type { OperationSource } from "./OperationSource.js"
import { OperationSources } from "./OperationSources.js"
import { invalidConfig, type OpstatusError, waitAborted } from "./OpstatusError.js"
import { makeRegistry } from "./SourceRegistry.js"
import * as Waiter from "./Waiter.js"
import type { FleetEvent, Waitable, WaitOutcome } from "./WaitOutcome.js"
import { resolvePolicy, type WaitOptions } from "./WaitPolicy.js"

/**
 * Options of `createOperationStatus`.
 *
 * @since 0.1.0
 * @category models
 */
export interface OperationStatusOptions {
  /** One source per service: an adapter's, or a source of your own. */
  readonly sources: ReadonlyArray<OperationSource<any>>
  /** Defaults for every wait, over the per-service defaults. */
  readonly defaults?: WaitOptions | undefined
  /** The engine's lanes: rate limit, requests in flight, a per-round report. */
  readonly fleet?: FleetOptions | undefined
  /**
   * Receives each warning (a status opstatus does not know, a list read that
   * failed). Defaults to a line on standard error; nothing is ever written to
   * standard output.
   */
  readonly onWarning?: ((message: string) => void) | undefined
}

/**
 * Options of one Promise-style wait. Durations are milliseconds or strings
 * like `"5 seconds"`.
 *
 * @since 0.1.0
 * @category models
 */
export interface PromiseWaitOptions extends WaitOptions {
  readonly signal?: AbortSignal | undefined
  readonly onProgress?: ((operation: Operation) => void) | undefined
  /**
   * Settle only with a full read of the operation, never with a list's status summary (which a
   * fleet may learn an ending from). Default false. See docs/fleet.md for its cost.
   */
  readonly fullOperation?: boolean | undefined
}

/**
 * Options of the Promise `get`.
 *
 * @since 0.2.0
 * @category models
 */
export interface PromiseGetOptions {
  readonly signal?: AbortSignal | undefined
  /** How long the read and its retries may take; defaults to the service's timeout, at most a minute. */
  readonly timeout?: WaitOptions["timeout"]
  /** Retries of a throttled or unavailable read start at a quarter of this; defaults to `defaults.minDelay`, else the service's. */
  readonly minDelay?: WaitOptions["minDelay"]
}

/**
 * Options of the Promise `waitForAll`.
 *
 * @since 0.1.0
 * @category models
 */
export interface PromiseWaitForAllOptions extends PromiseWaitOptions {
  /** Treat an operation that did not succeed as an error outcome. Default false. */
  readonly requireSuccess?: boolean | undefined
  /** Every event: each change once, each wait ending in an error, an endpoint that cannot be reached. */
  readonly onEvent?: ((event: FleetEvent) => void) | undefined
}

/**
 * Options of the Promise `watchAll` and `beginWaitForAll`.
 *
 * @since 0.1.0
 * @category models
 */
export type PromiseFleetOptions = PromiseWaitForAllOptions

/**
 * Options of the Promise `resume`.
 *
 * @since 0.1.0
 * @category models
 */
export interface PromiseResumeOptions extends ResumeOptions {
  readonly signal?: AbortSignal | undefined
}

/**
 * A fleet wait in progress (Promise API).
 *
 * @since 0.1.0
 * @category models
 */
export interface FleetPoller {
  /** One outcome per input, in input order, once every wait has ended; rejects with `WaitAborted` on abort. */
  readonly done: Promise<ReadonlyArray<WaitOutcome>>
  /** The wait as JSON, to `resume` in another process. */
  serialize(): string
  /** Stops waiting: `done` rejects with `WaitAborted`. */
  cancel(): void
}

/**
 * The Promise API. Every method rejects with `OpstatusError`.
 *
 * @since 0.1.0
 * @category models
 */
export interface OperationStatusApi extends AsyncDisposable {
  get(ref: string | OperationRef, options?: PromiseGetOptions): Promise<Operation>
  /**
   * Asks the operation's service to cancel it; resolves once the service accepted the request
   * (a wait on the operation then ends `cancelled`). Rejects with `CancelNotSupported` before any
   * request for a service that cannot cancel.
   */
  cancel(input: Waitable, options?: PromiseGetOptions): Promise<void>
  waitForTerminal(input: Waitable, options?: PromiseWaitOptions): Promise<Operation>
  waitForSuccess(input: Waitable, options?: PromiseWaitOptions): Promise<Operation>
  /** One outcome per input, in input order; rejects only when `inputs` cannot be iterated. */
  waitForAll(
    inputs: Iterable<Waitable>,
    options?: PromiseWaitForAllOptions
  ): Promise<ReadonlyArray<WaitOutcome>>
  watch(input: Waitable, options?: PromiseWaitOptions): AsyncIterable<Operation>
  /** Every change of every operation once, a `Failed` event per wait ending in an error, then a `Summary`. */
  watchAll(inputs: Iterable<Waitable>, options?: PromiseFleetOptions): AsyncIterable<FleetEvent>
  /** Starts a fleet wait that can be serialized; resolves once every wait is registered. */
  beginWaitForAll(inputs: Iterable<Waitable>, options?: PromiseFleetOptions): Promise<FleetPoller>
  /** Resumes a serialized fleet wait; rejects with `InvalidFleetState` naming what is wrong. */
  resume(state: string, options?: PromiseResumeOptions): Promise<FleetPoller>
  /**
   * Ends every wait still going (they reject with `WaitAborted`), stops every
   * lane and releases the runtime. Later calls reject with `WaitAborted`.
   */
  close(): Promise<void>
}

const abortedError = (signal: AbortSignal) =>
  waitAborted(`The wait was aborted${signal.reason instanceof Error ? `: ${signal.reason.message}` : ""}`)

const closedError = () => waitAborted("This operation status is closed")

/** Runs `handler` once when the signal fires; returns what stops listening. */
type Listen = (signal: AbortSignal, handler: () => void) => () => void

/**
 * One "abort" listener per signal, whatever the number of waits on it: Node
 * warns ("Possible EventTarget memory leak detected") past 10 listeners on
 * one signal, and removing one of many is linear in their number.
 */
const signalListeners = (): Listen => {
  const bySignal = new WeakMap<
    AbortSignal,
    { readonly handlers: Set<() => void>; readonly fire: () => void }
  >()
  return (signal, handler) => {
    let entry = bySignal.get(signal)
    if (entry === undefined) {
      const handlers = new Set<() => void>()
      const fire = () => {
        bySignal.delete(signal)
        for (const h of [...handlers]) h()
      }
      entry = { handlers, fire }
      bySignal.set(signal, entry)
      signal.addEventListener("abort", fire, { once: true })
    }
    const { handlers, fire } = entry
    handlers.add(handler)
    return () => {
      if (!handlers.delete(handler) || handlers.size > 0) return
      signal.removeEventListener("abort", fire)
      if (bySignal.get(signal)?.fire === fire) bySignal.delete(signal)
    }
  }
}

/** Fails with `WaitAborted` when the signal fires. */
const onAbort = (signal: AbortSignal, listen: Listen) =>
  Effect.callback<never, OpstatusError>((resume) => {
    if (signal.aborted) return resume(Effect.fail(abortedError(signal)))
    const stop = listen(signal, () => resume(Effect.fail(abortedError(signal))))
    return Effect.sync(stop)
  })

const stripUndefined = <O extends object>(o: O | undefined): Partial<O> =>
  o === undefined || o === null || typeof o !== "object"
    ? {}
    : (Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<O>)

/** What a failed run rejects with: the typed error itself, or the defect. */
const rejection = (cause: Cause.Cause<unknown>): unknown => Cause.squash(cause)

/**
 * Creates the Promise API over the given sources. Throws `OpstatusError`
 * (`InvalidConfig`, `InvalidOptions`) when the options make no sense.
 *
 * @since 0.1.0
 * @category constructors
 */
export const createOperationStatus = (options: OperationStatusOptions): OperationStatusApi => {
  if (typeof options !== "object" || options === null) {
    throw invalidConfig("options", "pass { sources: [...] }, one source per service")
  }
  const registry = makeRegistry(options.sources)
  if (Result.isFailure(registry)) throw registry.failure
  const fleetChecked = resolveFleetOptions(options.fleet)
  if (Result.isFailure(fleetChecked)) throw fleetChecked.failure
  const defaults = options.defaults
  for (const source of registry.success.sources) {
    const checked = Effect.runSyncExit(resolvePolicy(source.info.defaults, defaults))
    if (Exit.isFailure(checked)) throw Cause.squash(checked.cause)
  }
  if (options.onWarning !== undefined && typeof options.onWarning !== "function") {
    throw invalidConfig("onWarning", "must be a function")
  }
  const fleet: FleetOptions = options.fleet ?? {}

  // Warnings (an unknown status, a failed list read) go to `onWarning`, stderr by default; nothing else is logged.
  // They may quote what a service said: credentials it quoted back read <redacted>, as in errors.
  const warn = options.onWarning ?? ((message: string) => console.warn(`opstatus: ${message}`))
  const logging = Logger.layer([
    Logger.make(({ message, logLevel }) => {
      if (logLevel === "Warn" || logLevel === "Error" || logLevel === "Fatal") {
        warn(redactCredentials((Array.isArray(message) ? message : [message]).map(String).join(" ")))
      }
    })
  ])
  const engineLayer = Layer.effectContext(
    Effect.gen(function* () {
      const engine = yield* Engine.make(registry.success)
      return Context.make(OperationSources, registry.success).pipe(Context.add(Engine, engine))
    })
  )
  const runtime = ManagedRuntime.make(Layer.merge(engineLayer, logging))
  const listen = signalListeners()
  let closed = false
  let closing: Promise<void> | undefined

  const withDefaults = <O extends object>(o: O | undefined): O => ({ ...defaults, ...stripUndefined(o) }) as O

  const run = <A>(
    effect: Effect.Effect<A, OpstatusError, Engine>,
    signal: AbortSignal | undefined
  ): Promise<A> => {
    if (closed) return Promise.reject(closedError())
    if (signal?.aborted) return Promise.reject(abortedError(signal))
    return new Promise<A>((resolve, reject) => {
      const fiber = runtime.runFork(effect.pipe(Effect.provideService(FleetConfig, fleet)))
      let abortedFirst = false
      // Rejected at once, in the abort event itself: a signal shared by many waits settles them all
      // together; the interruption then stops their reads.
      const stop =
        signal === undefined
          ? undefined
          : listen(signal, () => {
              abortedFirst = true
              reject(abortedError(signal))
              fiber.interruptUnsafe()
            })
      fiber.addObserver((exit) => {
        stop?.()
        if (abortedFirst) return
        if (Exit.isSuccess(exit)) resolve(exit.value)
        // Interrupted without an answer: only closing stops a wait that way.
        else if (Cause.hasInterruptsOnly(exit.cause)) reject(closedError())
        else reject(rejection(exit.cause))
      })
    })
  }

  const iterate = <A>(stream: Stream.Stream<A, OpstatusError, Engine>, signal: AbortSignal | undefined) => {
    const provided = stream.pipe(Stream.provideService(FleetConfig, fleet))
    const guarded =
      signal === undefined ? provided : provided.pipe(Stream.interruptWhen(onAbort(signal, listen)))
    return {
      [Symbol.asyncIterator]: (): AsyncIterator<A> => {
        if (closed) return { next: () => Promise.reject(closedError()) }
        if (signal?.aborted) return { next: () => Promise.reject(abortedError(signal)) }
        let inner: AsyncIterator<A> | undefined
        const start = async () => {
          inner ??= Stream.toAsyncIterableWith(await runtime.context())(guarded)[Symbol.asyncIterator]()
          return inner
        }
        return {
          next: () =>
            start()
              .then((it) => it.next())
              .then((result) => {
                // Cut off by `close()` rather than ended: say so.
                if (result.done === true && closed) return Promise.reject(closedError())
                return result
              })
              .catch((e: unknown) => Promise.reject(Cause.isCause(e) ? Cause.squash(e) : e)),
          return: (value?: unknown) =>
            inner?.return === undefined
              ? Promise.resolve({ done: true, value: value as A })
              : inner.return(value as A)
        }
      }
    }
  }

  /** Runs a fleet wait in its own scope and hands back its handle once every wait is registered. */
  const poller = (
    begin: Effect.Effect<FleetWait, OpstatusError, Engine | Scope.Scope>,
    signal: AbortSignal | undefined
  ): Promise<FleetPoller> =>
    new Promise<FleetPoller>((resolve, reject) => {
      const cancel = new AbortController()
      const stop = signal === undefined ? cancel.signal : AbortSignal.any([cancel.signal, signal])
      const done: Promise<ReadonlyArray<WaitOutcome>> = run(
        Effect.scoped(
          Effect.gen(function* () {
            const wait = yield* begin
            // `done` is assigned once `run` returns: hand the poller out after that.
            queueMicrotask(() =>
              resolve({ done, serialize: () => Effect.runSync(wait.serialize), cancel: () => cancel.abort() })
            )
            return yield* wait.await
          })
        ),
        stop
      )
      // A wait that could not start (a bad state, an abort) rejects here; after `resolve` this is a no-op.
      done.catch(reject)
    })

  const close = (): Promise<void> => {
    closed = true
    // The waits still going end with `WaitAborted` first; then the runtime and its lanes go.
    closing ??= (
      runtime.cachedContext === undefined ? Promise.resolve() : runtime.runPromise(Engine.use((e) => e.close))
    ).then(() => runtime.dispose())
    return closing
  }

  return {
    get: (ref, o) => {
      const minDelay = o?.minDelay ?? defaults?.minDelay
      return run(
        Waiter.get(ref, {
          ...(o?.timeout === undefined ? {} : { timeout: o.timeout }),
          ...(minDelay === undefined ? {} : { minDelay })
        }),
        o?.signal
      )
    },
    cancel: (input, o) => {
      const minDelay = o?.minDelay ?? defaults?.minDelay
      return run(
        Waiter.cancel(input, {
          ...(o?.timeout === undefined ? {} : { timeout: o.timeout }),
          ...(minDelay === undefined ? {} : { minDelay })
        }),
        o?.signal
      )
    },
    waitForTerminal: (input, o) => run(Waiter.waitForTerminal(input, withDefaults(o)), o?.signal),
    waitForSuccess: (input, o) => run(Waiter.waitForSuccess(input, withDefaults(o)), o?.signal),
    waitForAll: (inputs, o) => run(Waiter.waitForAll(inputs, withDefaults(o)), o?.signal),
    watch: (input, o) => iterate(Waiter.watch(input, withDefaults(o)), o?.signal),
    watchAll: (inputs, o) => iterate(Fleet.watchAll(inputs, withDefaults(o)), o?.signal),
    beginWaitForAll: (inputs, o) => poller(Fleet.beginWaitForAll(inputs, withDefaults(o)), o?.signal),
    resume: (state, o) => poller(Fleet.resumeWaitForAll(state, o), o?.signal),
    close,
    [Symbol.asyncDispose]: close
  }
}
