/**
 * The wait behind `wait`, `watch` and the demo: every target at once through the Promise
 * API's `waitForAll`, each change handed to a reporter, and the exit code decided from
 * what every wait ended with.
 *
 * @since 0.1.0
 */
import {
  formatRef,
  isOperation,
  type Operation,
  type OperationRef,
  type OperationStatusApi,
  serviceDefaults,
  serviceSlugs
} from "@opstatus/core"
import { formatElapsed } from "./Duration.js"
import { combineExitCodes, ExitCode, exitCodeOf, UsageError } from "./Errors.js"
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
 * on, so `--max-delay 500ms` alone says what is wrong before any request.
 *
 * @since 0.1.0
 * @category parsing
 */
export const checkTiming = (timing: Timing, refs: ReadonlyArray<OperationRef>): void => {
  const { minDelay, maxDelay } = timing
  if (minDelay !== undefined && maxDelay !== undefined && maxDelay < minDelay) {
    throw new UsageError(
      `--max-delay (${formatElapsed(maxDelay)}) is below --min-delay (${formatElapsed(minDelay)})`,
      "Make --max-delay at least --min-delay"
    )
  }
  if (maxDelay === undefined || minDelay !== undefined) return
  for (const service of serviceSlugs) {
    if (!refs.some((ref) => ref.service === service)) continue
    const min = serviceDefaults[service].minDelayMillis
    if (maxDelay < min) {
      throw new UsageError(
        `--max-delay (${formatElapsed(maxDelay)}) is below the ${service} default minimum delay (${formatElapsed(min)})`,
        "Pass --min-delay too"
      )
    }
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
  /** `--success`: a failed or cancelled operation fails the command. */
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
  readonly exitCode: number
  readonly interrupted: boolean
}

const isTagged = (error: unknown, tag: string): boolean =>
  typeof error === "object" && error !== null && (error as { _tag?: unknown })._tag === tag

/**
 * The exit code one entry asks for.
 *
 * @since 0.1.0
 * @category exit codes
 */
export const entryExitCode = (entry: Entry, success: boolean): number => {
  if (entry.error !== undefined) return exitCodeOf(entry.error)
  const status = entry.operation?.status
  if (success && (status === "failed" || status === "cancelled")) return ExitCode.failed
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
      if (isTagged(outcome.error, "OperationFailedError")) {
        observe(entry, (outcome.error as unknown as { operation: Operation }).operation)
        return
      }
      entry.error = outcome.error
      entry.endedAt = now()
      reporter.fail(entry)
    })
  } catch (error) {
    if (!isTagged(error, "WaitAbortedError")) throw error
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
