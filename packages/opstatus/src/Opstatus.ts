/**
 * `createOpstatus`: the Promise API of `@opstatus/core` over the three
 * services, with clients made on first use per service and region from the
 * default credential chain, and waits that take a mutating call's response
 * wherever they take a ref.
 *
 * @since 0.2.0
 */
import {
  createOperationStatus,
  type FleetEvent,
  type FleetOptions,
  type FleetPoller,
  type FleetSummary,
  isOperation,
  isOpstatusError,
  type Operation,
  type OperationRef,
  type OperationStatusApi,
  type OpstatusError,
  type PromiseFleetOptions,
  type PromiseGetOptions,
  type PromiseResumeOptions,
  type PromiseWaitForAllOptions,
  type PromiseWaitOptions,
  summarize,
  toRef,
  type Waitable,
  type WaitOptions,
  type WaitOutcome
} from "@opstatus/core"
import { invalidConfig, invalidRef } from "@opstatus/core/adapter-kit"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { makeDefaultSources, type TrackableClient, track } from "./Clients.js"
import {
  describeInput,
  type OperationInput,
  type OperationResponse,
  type OperationsResponse,
  type ResponseGiven,
  type ResponseOptions,
  resolveInput
} from "./Inputs.js"

/**
 * Options of `createOpstatus`; the default instance uses none.
 *
 * @since 0.2.0
 * @category models
 */
export interface OpstatusOptions {
  /** Defaults for every wait, over the per-service defaults. */
  readonly defaults?: WaitOptions | undefined
  /** The engine's lanes: rate limit, requests in flight, a per-round report. */
  readonly fleet?: FleetOptions | undefined
  /** Receives each warning; defaults to a line on standard error. */
  readonly onWarning?: ((message: string) => void) | undefined
}

/**
 * Options of one wait: core's, and the client that made a response.
 *
 * @since 0.2.0
 * @category models
 */
export interface OpstatusWaitOptions extends PromiseWaitOptions, ResponseOptions {}

/**
 * Options of `get`.
 *
 * @since 0.2.0
 * @category models
 */
export interface OpstatusGetOptions extends PromiseGetOptions, ResponseOptions {}

/**
 * How one operation's wait ended, in input order; an input that names no
 * operation (an unknown object, a response whose region cannot be known)
 * is one error outcome carrying that input.
 *
 * @since 0.2.0
 * @category models
 */
export type OpstatusOutcome =
  | { readonly ok: true; readonly input: Waitable; readonly operation: Operation }
  | { readonly ok: false; readonly input: OperationInput; readonly error: OpstatusError }

/**
 * The counts a fleet wait ends with, over every outcome.
 *
 * @since 0.2.0
 * @category models
 */
export interface OpstatusSummary extends Omit<FleetSummary, "outcomes"> {
  readonly outcomes: ReadonlyArray<OpstatusOutcome>
}

/**
 * What `watchAll` reports: each change of each operation once, each wait (or
 * input) ending in an error, then the summary (`onEvent` sees all but the
 * summary).
 *
 * @since 0.2.0
 * @category models
 */
export type OpstatusEvent =
  | Exclude<FleetEvent, { readonly _tag: "Failed" } | { readonly _tag: "Summary" }>
  | { readonly _tag: "Failed"; readonly input: OperationInput; readonly error: OpstatusError }
  | { readonly _tag: "Summary"; readonly summary: OpstatusSummary }

/**
 * Options of `waitForAll`, `watchAll` and `beginWaitForAll`: core's, the
 * client that made the responses, and `onEvent` told of inputs that name no
 * operation too.
 *
 * @since 0.2.0
 * @category models
 */
export interface OpstatusWaitForAllOptions
  extends Omit<PromiseWaitForAllOptions, "onEvent">,
    ResponseOptions {
  /** Every event but the summary: each change once, each wait or input ending in an error, an unreachable endpoint. */
  readonly onEvent?: ((event: OpstatusEvent) => void) | undefined
}

/**
 * Options of `watchAll` and `beginWaitForAll`.
 *
 * @since 0.2.0
 * @category models
 */
export type OpstatusFleetOptions = OpstatusWaitForAllOptions

/**
 * A fleet wait in progress.
 *
 * @since 0.2.0
 * @category models
 */
export interface OpstatusPoller extends Omit<FleetPoller, "done"> {
  /** One outcome per operation, in input order, once every wait has ended. */
  readonly done: Promise<ReadonlyArray<OpstatusOutcome>>
}

/**
 * The API of `opstatus`. Each wait takes a ref, an `Operation`, or the
 * response of a mutating call; a response whose shape holds many operations
 * (`{ operations }`, `{ OperationIds }`) resolves with an array, in the
 * response's order. Every method rejects with `OpstatusError`.
 *
 * @since 0.2.0
 * @category models
 */
export interface Opstatus extends AsyncDisposable {
  /** One read now. */
  get(input: Waitable | OperationResponse, options?: OpstatusGetOptions): Promise<Operation>
  get(input: OperationsResponse, options?: OpstatusGetOptions): Promise<ReadonlyArray<Operation>>
  get(input: OperationInput, options?: OpstatusGetOptions): Promise<Operation | ReadonlyArray<Operation>>
  /** The terminal operation, succeeded or failed. */
  waitForTerminal(input: Waitable | OperationResponse, options?: OpstatusWaitOptions): Promise<Operation>
  waitForTerminal(input: OperationsResponse, options?: OpstatusWaitOptions): Promise<ReadonlyArray<Operation>>
  waitForTerminal(
    input: OperationInput,
    options?: OpstatusWaitOptions
  ): Promise<Operation | ReadonlyArray<Operation>>
  /**
   * The succeeded operation; rejects with an `OperationFailed` reason when it
   * fails. For a response of many, rejects on the first failure and stops
   * waiting on the others.
   */
  waitForSuccess(input: Waitable | OperationResponse, options?: OpstatusWaitOptions): Promise<Operation>
  waitForSuccess(input: OperationsResponse, options?: OpstatusWaitOptions): Promise<ReadonlyArray<Operation>>
  waitForSuccess(
    input: OperationInput,
    options?: OpstatusWaitOptions
  ): Promise<Operation | ReadonlyArray<Operation>>
  /** One outcome per operation the inputs name, in input order; one failure does not stop the others. */
  waitForAll(
    inputs: Iterable<OperationInput>,
    options?: OpstatusWaitForAllOptions
  ): Promise<ReadonlyArray<OpstatusOutcome>>
  /** Each change once, ending with the terminal snapshot (of every operation, for a response of many). */
  watch(input: OperationInput, options?: OpstatusWaitOptions): AsyncIterable<Operation>
  /** Every change of every operation once, a `Failed` event per wait ending in an error, then a `Summary`. */
  watchAll(inputs: Iterable<OperationInput>, options?: OpstatusFleetOptions): AsyncIterable<OpstatusEvent>
  /** Starts a fleet wait that can be serialized (inputs that name no operation are not in its state). */
  beginWaitForAll(inputs: Iterable<OperationInput>, options?: OpstatusFleetOptions): Promise<OpstatusPoller>
  /** Resumes a serialized fleet wait. */
  resume(state: string, options?: PromiseResumeOptions): Promise<OpstatusPoller>
  /**
   * Asks the service to cancel the operation (each operation of a response of many); resolves
   * once the service accepted. CloudFormation, ECS and Cloud Control can cancel; a ref of
   * Lightsail, Cloud Map, SSM for SAP or Route 53 rejects with `CancelNotSupported` before any
   * request. A wait on a cancelled operation ends with status `cancelled`.
   */
  cancel(input: OperationInput, options?: OpstatusGetOptions): Promise<void>
  /** The refs an input names, their region found as a wait finds it; no request is made for them. */
  refsOf(input: OperationInput, options?: ResponseOptions): Promise<ReadonlyArray<OperationRef>>
  /** Makes a client remember that it made each of its responses (see `track`). */
  track<C extends TrackableClient>(client: C): C
  /**
   * Ends every wait still going (they reject with `WaitAborted`), stops every
   * lane and destroys every client made. The process can exit without it.
   */
  close(): Promise<void>
}

type WithSignal = { readonly signal?: AbortSignal | undefined }

/** The client option, and the rest for core. */
const split = <O extends object>(options: O | undefined): [ResponseGiven, O] => {
  if (typeof options !== "object" || options === null) return [{}, options as unknown as O]
  const { client, stackSetName, ...rest } = options as O & ResponseOptions
  return [{ client, stackSetName }, rest as O]
}

/** Core's answer to a ref given as an object or a string, checked for its form; throws `InvalidRef`. */
const refOf = (waitable: Waitable): OperationRef => {
  if (isOperation(waitable)) return waitable.ref
  const exit = Effect.runSyncExit(toRef(waitable))
  if (Exit.isFailure(exit)) throw Cause.squash(exit.cause)
  return exit.value
}

/** An error as the `OpstatusError` it is, or an `InvalidRef` about the input. */
const asOpstatusError = (input: unknown, error: unknown): OpstatusError =>
  isOpstatusError(error)
    ? error
    : invalidRef(
        describeInput(input),
        `it could not be read: ${error instanceof Error ? error.message : String(error)}`
      )

/** What each input names, or the error it is. */
type Entry =
  | { readonly input: OperationInput; readonly items: ReadonlyArray<Waitable> }
  | { readonly input: OperationInput; readonly error: OpstatusError }

const gather = (inputs: Iterable<OperationInput>, client: ResponseGiven): Promise<ReadonlyArray<Entry>> => {
  // Not iterable: the caller hands `inputs` to core, which says so.
  const list = Array.from(inputs)
  return Promise.all(
    list.map((input) =>
      resolveInput(input, client).then(
        ({ items }): Entry => ({ input, items }),
        (error: unknown): Entry => ({ input, error: asOpstatusError(input, error) })
      )
    )
  )
}

const waitablesOf = (entries: ReadonlyArray<Entry>): Array<Waitable> =>
  entries.flatMap((entry) => ("items" in entry ? entry.items : []))

const failedOf = (entries: ReadonlyArray<Entry>): Array<OpstatusEvent> =>
  entries.flatMap((entry) =>
    "error" in entry ? [{ _tag: "Failed" as const, input: entry.input, error: entry.error }] : []
  )

/** Core's outcomes (one per waitable) with an error outcome at the place of each input that named none. */
const merge = (
  entries: ReadonlyArray<Entry>,
  outcomes: ReadonlyArray<WaitOutcome>
): ReadonlyArray<OpstatusOutcome> => {
  let next = 0
  return entries.flatMap(
    (entry): ReadonlyArray<OpstatusOutcome> =>
      "error" in entry
        ? [{ ok: false, input: entry.input, error: entry.error }]
        : entry.items.map(() => outcomes[next++]!)
  )
}

const summaryOf = (entries: ReadonlyArray<Entry>, outcomes: ReadonlyArray<WaitOutcome>): OpstatusSummary =>
  summarize(merge(entries, outcomes) as ReadonlyArray<WaitOutcome>) as OpstatusSummary

/** Core's event, its summary over every input. */
const withSummary = (entries: ReadonlyArray<Entry>, event: FleetEvent): OpstatusEvent =>
  event._tag === "Summary" ? { _tag: "Summary", summary: summaryOf(entries, event.summary.outcomes) } : event

/**
 * Waits on every item; the first rejection rejects the whole and stops the
 * waits still going (their own `WaitAborted` rejections are absorbed).
 */
const all = async <O extends WithSignal>(
  items: ReadonlyArray<Waitable>,
  options: O | undefined,
  one: (item: Waitable, options: O) => Promise<Operation>
): Promise<ReadonlyArray<Operation>> => {
  const stop = new AbortController()
  const given = options?.signal
  const signal = given === undefined ? stop.signal : AbortSignal.any([given, stop.signal])
  try {
    return await Promise.all(items.map((item) => one(item, { ...options, signal } as O)))
  } finally {
    stop.abort()
  }
}

/**
 * Creates an instance of the one-line API: sources for Lightsail, Cloud Map
 * and SSM for SAP whose clients are made on first use, one per service and
 * region, from the default credential chain and the AWS settings of the
 * environment (see the package's README). Nothing is made before the first
 * wait, and nothing it leaves after the last one keeps the process alive.
 * Throws `OpstatusError` (`InvalidConfig`, `InvalidOptions`) when the
 * options make no sense.
 *
 * @since 0.2.0
 * @category constructors
 */
export const createOpstatus = (options: OpstatusOptions = {}): Opstatus => {
  if (typeof options !== "object" || options === null) {
    throw invalidConfig("options", "pass { defaults?, fleet?, onWarning? }, or nothing")
  }
  const clients = makeDefaultSources()
  const status: OperationStatusApi = createOperationStatus({
    sources: clients.sources,
    ...(options.defaults === undefined ? {} : { defaults: options.defaults }),
    ...(options.fleet === undefined ? {} : { fleet: options.fleet }),
    ...(options.onWarning === undefined ? {} : { onWarning: options.onWarning })
  })
  let closing: Promise<void> | undefined

  /** A wait on one input: one operation, or all of a response of many. */
  const oneOrMany =
    <O extends WithSignal & ResponseOptions>(one: (item: Waitable, options: O) => Promise<Operation>) =>
    async (input: OperationInput, options?: O): Promise<Operation | ReadonlyArray<Operation>> => {
      const [client, rest] = split(options)
      const { items, many } = await resolveInput(input, client)
      return many ? all(items, rest, one) : one(items[0]!, rest)
    }

  const watch = (input: OperationInput, options?: OpstatusWaitOptions): AsyncIterable<Operation> => ({
    async *[Symbol.asyncIterator]() {
      const [client, rest] = split(options)
      const { items } = await resolveInput(input, client)
      if (items.length === 1) {
        yield* status.watch(items[0]!, rest)
        return
      }
      for await (const event of status.watchAll(items, rest)) {
        if (event._tag === "Changed") yield event.operation
        else if (event._tag === "Failed") throw event.error
      }
    }
  })

  const watchAll = (
    inputs: Iterable<OperationInput>,
    options?: OpstatusFleetOptions
  ): AsyncIterable<OpstatusEvent> => ({
    async *[Symbol.asyncIterator]() {
      const [client, rest] = split(options)
      let entries: ReadonlyArray<Entry>
      try {
        entries = await gather(inputs, client)
      } catch {
        yield* status.watchAll(
          inputs as Iterable<Waitable>,
          rest as PromiseFleetOptions
        ) as AsyncIterable<OpstatusEvent>
        return
      }
      for (const event of failedOf(entries)) {
        rest?.onEvent?.(event)
        yield event
      }
      for await (const event of status.watchAll(
        waitablesOf(entries),
        rest as PromiseFleetOptions | undefined
      )) {
        yield withSummary(entries, event)
      }
    }
  })

  const beginWaitForAll = async (
    inputs: Iterable<OperationInput>,
    options?: OpstatusFleetOptions
  ): Promise<OpstatusPoller> => {
    const [client, rest] = split(options)
    let entries: ReadonlyArray<Entry>
    try {
      entries = await gather(inputs, client)
    } catch {
      return status.beginWaitForAll(inputs as Iterable<Waitable>, rest as PromiseFleetOptions)
    }
    for (const event of failedOf(entries)) rest?.onEvent?.(event)
    const poller = await status.beginWaitForAll(waitablesOf(entries), rest as PromiseFleetOptions | undefined)
    const done = poller.done.then((outcomes) => merge(entries, outcomes))
    // Like core's: a poller whose `done` nobody reads leaves no unhandled rejection behind.
    done.catch(() => undefined)
    return { done, serialize: () => poller.serialize(), cancel: () => poller.cancel() }
  }

  const waitForAll = async (
    inputs: Iterable<OperationInput>,
    options?: OpstatusWaitForAllOptions
  ): Promise<ReadonlyArray<OpstatusOutcome>> => {
    const [client, rest] = split(options)
    let entries: ReadonlyArray<Entry>
    try {
      entries = await gather(inputs, client)
    } catch {
      return status.waitForAll(inputs as Iterable<Waitable>, rest as PromiseWaitForAllOptions)
    }
    for (const event of failedOf(entries)) rest?.onEvent?.(event)
    return merge(entries, await status.waitForAll(waitablesOf(entries), rest as PromiseWaitForAllOptions))
  }

  const close = (): Promise<void> => {
    closing ??= status.close().finally(() => clients.destroy())
    return closing
  }

  const api = {
    get: oneOrMany<OpstatusGetOptions>((item, o) => status.get(isOperation(item) ? item.ref : item, o)),
    waitForTerminal: oneOrMany<OpstatusWaitOptions>((item, o) => status.waitForTerminal(item, o)),
    waitForSuccess: oneOrMany<OpstatusWaitOptions>((item, o) => status.waitForSuccess(item, o)),
    waitForAll,
    watch,
    watchAll,
    beginWaitForAll,
    resume: (state: string, options?: PromiseResumeOptions) => status.resume(state, options),
    cancel: async (input: OperationInput, options?: OpstatusGetOptions) => {
      const [client, rest] = split(options)
      const { items } = await resolveInput(input, client)
      await Promise.all(items.map((item) => status.cancel(item, rest)))
    },
    refsOf: async (input: OperationInput, options?: ResponseOptions) => {
      const [client] = split(options)
      const { items } = await resolveInput(input, client)
      return items.map(refOf)
    },
    track,
    close,
    [Symbol.asyncDispose]: close
  }
  return api as Opstatus
}
