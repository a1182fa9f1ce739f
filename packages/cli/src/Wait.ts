/**
 * The wait behind `wait`, `watch` and the demo: every target at once through the Promise
 * API's `waitForAll`, each change handed to a reporter, and the exit code decided from
 * what every wait ended with.
 *
 * @since 0.1.0
 */
import {
  createOperationStatus,
  formatRef,
  isOperation,
  type Operation,
  type OperationRef,
  type OperationSource,
  type OperationStatusApi,
  serviceDefaults,
  serviceSlugs
} from "@opstatus/core"
import { formatElapsed } from "./Duration.js"
import { combineExitCodes, ExitCode, errorTag, exitCodeOf, UsageError } from "./Errors.js"
import { refOfTarget, type Target } from "./Input.js"
import { type Entry, makeEntry, type Summary, summarize } from "./Render.js"
import type { Reporter } from "./Reporter.js"

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
 * @category parsing
 */
export const checkTiming = (timing: Timing, refs: ReadonlyArray<OperationRef>): void => {
  const { minDelay, maxDelay } = timing
  if (minDelay !== undefined && maxDelay !== undefined) {
    if (maxDelay < minDelay) {
      throw new UsageError(
        `--max-delay (${formatElapsed(maxDelay)}) is below --min-delay (${formatElapsed(minDelay)})`,
        "Make --max-delay at least --min-delay"
      )
    }
    return
  }
  for (const service of serviceSlugs) {
    if (!refs.some((ref) => ref.service === service)) continue
    const defaults = serviceDefaults[service]
    if (maxDelay !== undefined && maxDelay < defaults.minDelayMillis) {
      throw new UsageError(
        `--max-delay (${formatElapsed(maxDelay)}) is below the ${service} default minimum delay (${formatElapsed(defaults.minDelayMillis)})`,
        "Pass --min-delay too"
      )
    }
    if (minDelay !== undefined && minDelay > defaults.maxDelayMillis) {
      throw new UsageError(
        `--min-delay (${formatElapsed(minDelay)}) is above the ${service} default maximum delay (${formatElapsed(defaults.maxDelayMillis)})`,
        "Pass --max-delay too"
      )
    }
  }
}

/**
 * Where core's warnings go; the CLI writes them to standard error as `opstatus: warning:
 * <message>` (see `formatWarning`).
 *
 * @since 0.1.0
 * @category models
 */
export type Warn = (message: string) => void

/**
 * What `makeStatusApi` needs.
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
 * Core's Promise API over the given sources: the one place where the CLI (every command
 * and the demo) makes it, so an option of `createOperationStatus` is set here once.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeStatusApi = (options: StatusApiOptions): OperationStatusApi =>
  createOperationStatus({
    sources: options.sources,
    onWarning: options.warn
  })

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
 * @category exit codes
 */
export const entryExitCode = (entry: Entry, success: boolean): ExitCode => {
  if (entry.error !== undefined) return exitCodeOf(entry.error)
  // With --success, anything but a success fails: failed, cancelled, and a terminal status
  // opstatus does not know (`unknown`).
  if (success && entry.operation?.status !== "succeeded") return ExitCode.failed
  return ExitCode.ok
}

/**
 * Waits for every target and reports as it goes.
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
  const find = (op: Operation): Entry | undefined =>
    byKey.get(formatRef(op.ref)) ??
    entries.find((e) => e.ref.service === op.ref.service && e.ref.id === op.ref.id)
  const observe = (entry: Entry, op: Operation) => {
    entry.operation = op
    if (op.terminal && entry.endedAt === undefined) entry.endedAt = now()
  }
  reporter.start(entries)
  let interrupted = false
  try {
    const outcomes = await request.api.waitForAll(request.targets, {
      requireSuccess: request.success,
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
      }
    })
    outcomes.forEach((outcome, i) => {
      const entry = entries[i]!
      if (outcome.ok) {
        observe(entry, outcome.operation)
        return
      }
      if (errorTag(outcome.error) === "OperationFailedError") {
        observe(entry, (outcome.error as unknown as { operation: Operation }).operation)
        return
      }
      entry.error = outcome.error
      entry.endedAt = now()
      reporter.fail(entry)
    })
  } catch (error) {
    if (errorTag(error) !== "WaitAbortedError") throw error
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
