/**
 * The wait behind `wait`, `watch` and the demo: every target at once through the Promise
 * API's `waitForAll`, each change handed to a reporter, and the exit code decided from
 * what every wait ended with. The Promise API is made here only, and closed when the
 * command is done with it, however it ends.
 *
 * @since 0.1.0
 */
import {
  createOperationStatus,
  formatRef,
  hasReason,
  isOperation,
  type Operation,
  type OperationRef,
  type OperationSource,
  type OperationStatusApi,
  type RefId
} from "@opstatus/core"
import { formatElapsed } from "./Duration.js"
import { exitCodeOf } from "./ErrorCodes.js"
import { usageError } from "./Errors.js"
import { combineExitCodes, ExitCode } from "./ExitCodes.js"
import { refOfTarget, type Target } from "./Input.js"
import type { Warn } from "./Io.js"
import { type Entry, makeEntry, type Summary, summarize } from "./Render.js"
import type { Reporter } from "./Reporter.js"
import { defaultPolicyOf, services } from "./Services.js"

/**
 * The timing flags, in milliseconds.
 *
 * @since 0.1.0
 * @category models
 */
export interface Timing {
  readonly timeout?: number | undefined
  readonly minDelay?: number | undefined
  readonly maxDelay?: number | undefined
}

/**
 * Checks the delays against each other and against the defaults of the services waited
 * on, so `--max-delay 500ms` or `--min-delay 2m` alone says what is wrong before any
 * request.
 *
 * @since 0.1.0
 * @category policies
 */
export const checkTiming = (timing: Timing, refs: ReadonlyArray<OperationRef>): void => {
  const { minDelay, maxDelay } = timing
  if (minDelay !== undefined && maxDelay !== undefined) {
    if (maxDelay < minDelay) {
      throw usageError(
        `--max-delay (${formatElapsed(maxDelay)}) is below --min-delay (${formatElapsed(minDelay)})`,
        "Make --max-delay at least --min-delay"
      )
    }
    return
  }
  for (const info of services) {
    if (!refs.some((ref) => ref.service === info.service)) continue
    const defaults = defaultPolicyOf(info)
    if (maxDelay !== undefined && maxDelay < defaults.minDelayMillis) {
      throw usageError(
        `--max-delay (${formatElapsed(maxDelay)}) is below the ${info.service} default minimum delay (${formatElapsed(defaults.minDelayMillis)})`,
        "Pass --min-delay too"
      )
    }
    if (minDelay !== undefined && minDelay > defaults.maxDelayMillis) {
      throw usageError(
        `--min-delay (${formatElapsed(minDelay)}) is above the ${info.service} default maximum delay (${formatElapsed(defaults.maxDelayMillis)})`,
        "Pass --max-delay too"
      )
    }
  }
}

/**
 * What `withStatusApi` needs.
 *
 * @since 0.1.0
 * @category models
 */
export interface StatusApiOptions {
  readonly sources: ReadonlyArray<OperationSource<any>>
  /** The CLI's warning channel, for core's warnings. */
  readonly warn: Warn
}

/**
 * Runs `use` with core's Promise API over the given sources, and closes it when `use`
 * settles, resolved or rejected: no wait, timer or lane of it outlives the command. The
 * one place where the CLI (every command and the demo) makes it.
 *
 * @since 0.2.0
 * @category constructors
 */
export const withStatusApi = async <A>(
  options: StatusApiOptions,
  use: (api: OperationStatusApi) => Promise<A>
): Promise<A> => {
  const api = createOperationStatus({ sources: options.sources, onWarning: options.warn })
  try {
    return await use(api)
  } finally {
    await api.close()
  }
}

/**
 * What a wait needs.
 *
 * @since 0.1.0
 * @category models
 */
export interface WaitRequest {
  readonly api: OperationStatusApi
  readonly targets: ReadonlyArray<Target>
  /** `--success`: an operation that ends without succeeding fails the command. */
  readonly success: boolean
  readonly timing: Timing
  readonly reporter: Reporter
  readonly signal: AbortSignal
  readonly now: () => number
}

/**
 * What a wait ended with.
 *
 * @since 0.1.0
 * @category models
 */
export interface WaitResult {
  readonly entries: ReadonlyArray<Entry>
  readonly summary: Summary
  readonly exitCode: ExitCode
  readonly interrupted: boolean
}

/**
 * The exit code one entry asks for.
 *
 * @since 0.1.0
 * @category errors
 */
export const entryExitCode = (entry: Entry, success: boolean): ExitCode => {
  if (entry.error !== undefined) return exitCodeOf(entry.error)
  // With --success, anything but a success fails: failed, cancelled, and a terminal status
  // opstatus does not know (`unknown`).
  if (success && entry.operation?.status !== "succeeded") return ExitCode.failed
  return ExitCode.ok
}

/**
 * Waits for every target and reports as it goes: each change, and an endpoint that cannot
 * be reached (core's `Unreachable` event) as soon as the first answer says so.
 *
 * @since 0.1.0
 * @category waiting
 */
export const runWait = async (request: WaitRequest): Promise<WaitResult> => {
  const { now, reporter } = request
  const started = now()
  const entries = request.targets.map((target) =>
    makeEntry(refOfTarget(target), started, isOperation(target) ? target : undefined)
  )
  const byKey = new Map(entries.map((entry) => [entry.key, entry]))
  let finished = false
  const findRef = (ref: RefId): Entry | undefined =>
    byKey.get(formatRef(ref)) ?? entries.find((e) => e.ref.service === ref.service && e.ref.id === ref.id)
  const find = (op: Operation): Entry | undefined => findRef(op.ref)
  const observe = (entry: Entry, op: Operation) => {
    entry.operation = op
    // Seen again: its endpoint answered.
    entry.unreachable = undefined
    if (op.terminal && entry.endedAt === undefined) entry.endedAt = now()
  }
  reporter.start(entries)
  let interrupted = false
  try {
    const outcomes = await request.api.waitForAll(request.targets, {
      requireSuccess: request.success,
      // What the command prints of an ended operation is its full read (type, dates, targets), not a
      // list's status summary: one more read by ID for each Cloud Map operation that ends in a fleet.
      fullOperation: true,
      signal: request.signal,
      ...(request.timing.timeout === undefined ? {} : { timeout: request.timing.timeout }),
      ...(request.timing.minDelay === undefined ? {} : { minDelay: request.timing.minDelay }),
      ...(request.timing.maxDelay === undefined ? {} : { maxDelay: request.timing.maxDelay }),
      onProgress: (op) => {
        if (finished) return
        const entry = find(op)
        if (entry === undefined) return
        observe(entry, op)
        reporter.update(entry, op)
      },
      // The first answer saying the endpoint cannot be reached: shown at once, not after the grace.
      onEvent: (event) => {
        if (finished || event._tag !== "Unreachable") return
        const entry = findRef(event.ref)
        if (entry === undefined || entry.error !== undefined) return
        entry.unreachable = event.error
        reporter.unreachable?.(entry)
      }
    })
    outcomes.forEach((outcome, i) => {
      const entry = entries[i]!
      if (outcome.ok) {
        observe(entry, outcome.operation)
        return
      }
      if (hasReason(outcome.error, "OperationFailed")) {
        observe(entry, outcome.error.reason.operation)
        return
      }
      entry.error = outcome.error
      entry.endedAt = now()
      reporter.fail(entry)
    })
  } catch (error) {
    if (!hasReason(error, "WaitAborted")) throw error
    interrupted = true
  }
  finished = true
  const exitCode = interrupted
    ? ExitCode.interrupted
    : combineExitCodes(entries.map((entry) => entryExitCode(entry, request.success)))
  const summary = summarize(entries, { elapsedMs: now() - started, interrupted })
  reporter.finish(entries, summary, exitCode)
  return { entries, summary, exitCode, interrupted }
}
