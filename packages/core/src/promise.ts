/**
 * The Promise facade: the same waits as `Waiter`, for code that does not use
 * Effect. It is a thin layer over the Effect API, not a second
 * implementation. It rejects with the same error classes (`instanceof` and
 * `_tag` both work), never with a wrapper, and an `AbortSignal` stops polling
 * at once: the request in flight is aborted and no further request is made.
 *
 * @since 0.1.0
 */
import { Cause, Effect, Exit, Stream } from "effect"
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
  const withDefaults = <O extends WaitOptions>(o: O | undefined): O =>
    ({ ...defaults, ...stripUndefined(o) }) as O

  const run = <A, E>(
    effect: Effect.Effect<A, E, OperationSources>,
    signal: AbortSignal | undefined
  ): Promise<A> => {
    if (signal?.aborted) return Promise.reject(abortedError(signal))
    const provided = Effect.provideService(effect, OperationSources, sources)
    const guarded = signal === undefined ? provided : Effect.raceFirst(provided, onAbort(signal))
    return Effect.runPromiseExit(guarded).then((exit) => {
      if (Exit.isSuccess(exit)) return exit.value
      throw Cause.squash(exit.cause)
    })
  }

  return {
    get: (ref, o) => run(Waiter.get(ref), o?.signal),
    waitForTerminal: (input, o) => run(Waiter.waitForTerminal(input, withDefaults(o)), o?.signal),
    waitForSuccess: (input, o) => run(Waiter.waitForSuccess(input, withDefaults(o)), o?.signal),
    waitForAll: (inputs, o) => run(Waiter.waitForAll([...inputs], withDefaults(o)), o?.signal),
    watch: (input, o) => {
      const signal = o?.signal
      const stream = Waiter.watch(input, withDefaults(o)).pipe(
        Stream.provideService(OperationSources, sources)
      )
      const guarded = signal === undefined ? stream : stream.pipe(Stream.interruptWhen(onAbort(signal)))
      return {
        [Symbol.asyncIterator]: () => {
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
  }
}

const stripUndefined = <O extends object>(o: O | undefined): Partial<O> =>
  o === undefined
    ? {}
    : (Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<O>)

/** Stream iterators may reject with a Cause-carrying error; hand back the typed error itself. */
const unwrap = (e: unknown): unknown => (Cause.isCause(e) ? Cause.squash(e) : e)
