/**
 * The Promise facade: the same waits as `Waiter`, for code that does not use
 * Effect. It is a thin layer over the Effect API, not a second
 * implementation. It rejects with the same error classes (`instanceof` and
 * `_tag` both work), never with a wrapper, and an `AbortSignal` stops polling
 * at once: the request in flight is aborted and no further request is made.
 *
 * @since 0.1.0
 */
import { Cause, Effect, Exit, Logger, type Scope, Stream } from "effect"
import * as Fleet from "./Fleet.js"
import { resolveSettings } from "./internal/engine.js"
import type { Operation } from "./Operation.js"
import { WaitAbortedError } from "./OperationError.js"
import type { OperationRef } from "./OperationRef.js"
import { makeSources, type OperationSource, OperationSources } from "./OperationSource.js"
import * as Waiter from "./Waiter.js"
import type { WaitOptions } from "./WaitPolicy.js"

/**
 * Options of `createOperationStatus`.
 *
 * @since 0.1.0
 * @category models
 */
export interface OperationStatusOptions {
  /** One source per service: `lightsailSource(...)`, `serviceDiscoverySource(...)`, `ssmSapSource(...)`. */
  readonly sources: ReadonlyArray<OperationSource<any>>
  /** Defaults for every wait, over the per-service defaults. */
  readonly defaults?: WaitOptions | undefined
  /** The fleet engine's lanes: rate limit, requests in flight, a per-round report. */
  readonly fleet?: Fleet.FleetOptions | undefined
  /**
   * Receives each warning (a status opstatus does not know, for example).
   * Defaults to a line on standard error; nothing is ever written to standard output.
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
}

/**
 * Options of the Promise `waitForAll`.
 *
 * @since 0.1.0
 * @category models
 */
export interface PromiseWaitForAllOptions extends PromiseWaitOptions {
  readonly requireSuccess?: boolean | undefined
  readonly concurrency?: number | undefined
}

/**
 * Options of the Promise `watchAll` and `beginWaitForAll`.
 *
 * @since 0.2.0
 * @category models
 */
export interface PromiseFleetOptions extends PromiseWaitForAllOptions {
  readonly onEvent?: ((event: Fleet.FleetEvent) => void) | undefined
}

/**
 * Options of the Promise `resume`.
 *
 * @since 0.2.0
 * @category models
 */
export interface PromiseResumeOptions extends Fleet.ResumeOptions {
  readonly signal?: AbortSignal | undefined
}

/**
 * A fleet wait in progress (Promise API).
 *
 * @since 0.2.0
 * @category models
 */
export interface FleetPoller {
  /** One outcome per input, in input order, once every wait has ended; rejects with `WaitAbortedError` on abort. */
  readonly done: Promise<ReadonlyArray<Waiter.WaitOutcome>>
  /** The wait as JSON, to `resume` in another process. */
  serialize(): string
  /** Stops waiting: `done` rejects with `WaitAbortedError`. */
  cancel(): void
}

/**
 * The Promise API.
 *
 * @since 0.1.0
 * @category models
 */
export interface OperationStatusApi {
  get(ref: string | OperationRef, options?: { readonly signal?: AbortSignal }): Promise<Operation>
  waitForTerminal(input: Waiter.Waitable, options?: PromiseWaitOptions): Promise<Operation>
  waitForSuccess(input: Waiter.Waitable, options?: PromiseWaitOptions): Promise<Operation>
  waitForAll(
    inputs: Iterable<Waiter.Waitable>,
    options?: PromiseWaitForAllOptions
  ): Promise<ReadonlyArray<Waiter.WaitOutcome>>
  watch(input: Waiter.Waitable, options?: PromiseWaitOptions): AsyncIterable<Operation>
  /** Every change of every operation once, a `Failed` event per wait ending in an error, then a `Summary`. */
  watchAll(inputs: Iterable<Waiter.Waitable>, options?: PromiseFleetOptions): AsyncIterable<Fleet.FleetEvent>
  /** Starts a fleet wait that can be serialized; resolves once every wait is registered. */
  beginWaitForAll(inputs: Iterable<Waiter.Waitable>, options?: PromiseFleetOptions): Promise<FleetPoller>
  /** Resumes a serialized fleet wait; rejects with `InvalidFleetStateError` naming what is wrong. */
  resume(state: string, options?: PromiseResumeOptions): Promise<FleetPoller>
}

const abortedError = (signal: AbortSignal) =>
  new WaitAbortedError({
    message: `The wait was aborted${signal.reason instanceof Error ? `: ${signal.reason.message}` : ""}`
  })

/** Fails with `WaitAbortedError` when the signal fires. */
const onAbort = (signal: AbortSignal) =>
  Effect.callback<never, WaitAbortedError>((resume) => {
    if (signal.aborted) return resume(Effect.fail(abortedError(signal)))
    const handler = () => resume(Effect.fail(abortedError(signal)))
    signal.addEventListener("abort", handler, { once: true })
    return Effect.sync(() => signal.removeEventListener("abort", handler))
  })

/**
 * Creates the Promise API over the given sources.
 *
 * @since 0.1.0
 * @category constructors
 */
export const createOperationStatus = (options: OperationStatusOptions): OperationStatusApi => {
  const sources = makeSources(options.sources)
  const defaults = options.defaults
  const fleet = options.fleet ?? {}
  // Checked now, so a bad rate limit throws here rather than inside a wait.
  resolveSettings(fleet)
  const withDefaults = <O extends WaitOptions>(o: O | undefined): O =>
    ({ ...defaults, ...stripUndefined(o) }) as O

  // Warnings (an unknown status, a throttled lane) go to `onWarning`, stderr by default; nothing else is logged.
  const warn = options.onWarning ?? ((message: string) => console.warn(`opstatus: ${message}`))
  const logging = Logger.layer([
    Logger.make(({ message, logLevel }) => {
      if (logLevel === "Warn" || logLevel === "Error" || logLevel === "Fatal") {
        warn((Array.isArray(message) ? message : [message]).map(String).join(" "))
      }
    })
  ])

  const run = <A, E>(
    effect: Effect.Effect<A, E, OperationSources>,
    signal: AbortSignal | undefined
  ): Promise<A> => {
    if (signal?.aborted) return Promise.reject(abortedError(signal))
    const provided = effect.pipe(
      Effect.provideService(OperationSources, sources),
      Effect.provideService(Fleet.FleetConfig, fleet),
      Effect.provide(logging)
    )
    const guarded = signal === undefined ? provided : Effect.raceFirst(provided, onAbort(signal))
    return Effect.runPromiseExit(guarded).then((exit) => {
      if (Exit.isSuccess(exit)) return exit.value
      throw Cause.squash(exit.cause)
    })
  }

  const iterate = <A, E>(stream: Stream.Stream<A, E, OperationSources>, signal: AbortSignal | undefined) => {
    const provided = stream.pipe(
      Stream.provideService(OperationSources, sources),
      Stream.provideService(Fleet.FleetConfig, fleet),
      Stream.provide(logging)
    )
    const guarded = signal === undefined ? provided : provided.pipe(Stream.interruptWhen(onAbort(signal)))
    return {
      [Symbol.asyncIterator]: (): AsyncIterator<A> => {
        if (signal?.aborted) {
          return { next: () => Promise.reject(abortedError(signal)) }
        }
        const iterator = Stream.toAsyncIterable(guarded)[Symbol.asyncIterator]()
        return {
          next: () => iterator.next().catch((e: unknown) => Promise.reject(unwrap(e))),
          ...(iterator.return === undefined ? {} : { return: iterator.return.bind(iterator) })
        }
      }
    }
  }

  /** Runs a fleet wait in its own scope and hands back its handle once every wait is registered. */
  const poller = <E>(
    begin: Effect.Effect<Fleet.FleetWait, E, OperationSources | Scope.Scope>,
    signal: AbortSignal | undefined
  ): Promise<FleetPoller> =>
    new Promise<FleetPoller>((resolve, reject) => {
      const cancel = new AbortController()
      const stop = signal === undefined ? cancel.signal : AbortSignal.any([cancel.signal, signal])
      const done: Promise<ReadonlyArray<Waiter.WaitOutcome>> = run(
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

  return {
    get: (ref, o) => run(Waiter.get(ref), o?.signal),
    waitForTerminal: (input, o) => run(Waiter.waitForTerminal(input, withDefaults(o)), o?.signal),
    waitForSuccess: (input, o) => run(Waiter.waitForSuccess(input, withDefaults(o)), o?.signal),
    waitForAll: (inputs, o) => run(Waiter.waitForAll([...inputs], withDefaults(o)), o?.signal),
    watch: (input, o) => iterate(Waiter.watch(input, withDefaults(o)), o?.signal),
    watchAll: (inputs, o) => iterate(Fleet.watchAll([...inputs], withDefaults(o)), o?.signal),
    beginWaitForAll: (inputs, o) => poller(Fleet.beginWaitForAll([...inputs], withDefaults(o)), o?.signal),
    resume: (state, o) => poller(Fleet.resumeWaitForAll(state, o), o?.signal)
  }
}

const stripUndefined = <O extends object>(o: O | undefined): Partial<O> =>
  o === undefined
    ? {}
    : (Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<O>)

/** Stream iterators may reject with a Cause-carrying error; hand back the typed error itself. */
const unwrap = (e: unknown): unknown => (Cause.isCause(e) ? Cause.squash(e) : e)
