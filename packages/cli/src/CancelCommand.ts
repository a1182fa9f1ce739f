/**
 * `opstatus cancel`: asks each operation's service to cancel it, all at once, and says for
 * each whether the service accepted; with `--wait`, then waits until every one has ended,
 * as `wait` does. A service that cannot cancel (Lightsail, Cloud Map, SSM for SAP, Route
 * 53) is refused before any request, as bad usage.
 *
 * @since 0.3.0
 */
import { formatRef, hasReason, type OperationRef } from "@opstatus/core"
import { awsFlagsOf, booleanFlag, durationFlag, parseCommand, serviceFlag, stackSetFlag } from "./Args.js"
import { loadAwsSettings, requireProfile, withAws } from "./Aws.js"
import { formatElapsed } from "./Duration.js"
import { exitCodeOf } from "./ErrorCodes.js"
import { DeadlineError } from "./Errors.js"
import { combineExitCodes, ExitCode } from "./ExitCodes.js"
import { cancelFlags } from "./Flags.js"
import { commandHelp } from "./Help.js"
import { refOfTarget } from "./Input.js"
import { type CliIo, warnTo } from "./Io.js"
import { writeErrors } from "./Output.js"
import { errorJson, jsonText } from "./Render.js"
import { reporterFor, warningsOf } from "./Reporter.js"
import { readTargets } from "./Targets.js"
import { checkTiming, runWait, withStatusApi } from "./Wait.js"

/** How long the cancel requests may take by default (every one sent at once). */
const defaultCancelTimeoutMillis = 60_000

/**
 * Runs `cancel`.
 *
 * @since 0.3.0
 * @category waiting
 */
export const cancelCommand = async (
  args: ReadonlyArray<string>,
  io: CliIo,
  now: () => number
): Promise<number> => {
  const { values, positionals } = parseCommand("cancel", args, cancelFlags)
  if (booleanFlag(values, "help")) {
    io.stdout.write(`${commandHelp.cancel}\n`)
    return ExitCode.ok
  }
  const timeout = durationFlag(values, "timeout")
  const service = serviceFlag(values)
  const stackSet = stackSetFlag(values)
  const settings = await loadAwsSettings(awsFlagsOf(values), io.env)
  const targets = await readTargets(positionals, { region: settings.region, service, stackSet }, io, "cancel")
  requireProfile(settings)
  const json = booleanFlag(values, "json")
  const wait = booleanFlag(values, "wait")
  const refs = targets.map(refOfTarget)
  const timing = {
    timeout,
    minDelay: durationFlag(values, "min-delay"),
    maxDelay: durationFlag(values, "max-delay")
  }
  if (wait) checkTiming(timing, refs)
  const at = () => new Date(now()).toISOString()

  return withAws(settings, io.env, {}, (aws) =>
    withStatusApi({ sources: aws.sources, warn: warnTo(io) }, async (api) => {
      const cancelTimeout = timeout ?? defaultCancelTimeoutMillis
      const settled = await Promise.allSettled(
        refs.map((ref) => api.cancel(ref, { signal: io.signal, timeout: cancelTimeout }))
      )
      if (io.signal.aborted) {
        io.stderr.write("opstatus: interrupted.\n")
        return ExitCode.interrupted
      }
      const codes: ExitCode[] = []
      const errors: unknown[] = []
      const accepted: OperationRef[] = []
      settled.forEach((s, i) => {
        const ref = refs[i]!
        if (s.status === "fulfilled") {
          accepted.push(ref)
          io.stdout.write(
            json
              ? `${jsonText({ event: "cancel", at: at(), ref: formatRef(ref), accepted: true })}\n`
              : `cancel requested  ${formatRef(ref)}\n`
          )
          return
        }
        const error = hasReason(s.reason, "WaitTimeout")
          ? new DeadlineError({
              message: `cancel ${formatRef(ref)} did not finish within ${formatElapsed(cancelTimeout)}`,
              timeoutMillis: cancelTimeout
            })
          : s.reason
        errors.push(error)
        codes.push(exitCodeOf(error))
        if (json) {
          io.stdout.write(
            `${jsonText({ event: "cancel", at: at(), ref: formatRef(ref), accepted: false, error: errorJson(error) })}\n`
          )
        }
      })
      writeErrors(io, errors)
      if (!wait || accepted.length === 0) return combineExitCodes(codes)

      // --wait: every cancelled operation to its end, as `wait` shows it; one that ended
      // otherwise than cancelled (it finished first) exits 1.
      const reporter = reporterFor(io, {
        json,
        noColor: booleanFlag(values, "no-color"),
        everyChange: false,
        now
      })
      const result = await withStatusApi(
        { sources: aws.sources, warn: warningsOf(reporter, warnTo(io)) },
        (waiter) =>
          runWait({
            api: waiter,
            targets: accepted,
            success: false,
            timing,
            reporter,
            signal: io.signal,
            now
          })
      )
      if (result.interrupted) return ExitCode.interrupted
      writeErrors(
        io,
        result.entries.flatMap((e) => (e.error === undefined ? [] : [e.error]))
      )
      const notCancelled = result.entries.filter(
        (e) => e.error === undefined && e.operation !== undefined && e.operation.status !== "cancelled"
      )
      for (const entry of notCancelled) {
        io.stderr.write(
          `opstatus: ${formatRef(entry.ref)} ended ${entry.operation!.status} (${entry.operation!.rawStatus}) before the cancel took effect.\n`
        )
      }
      return combineExitCodes([
        ...codes,
        result.exitCode,
        ...(notCancelled.length > 0 ? [ExitCode.failed] : [])
      ])
    })
  )
}
