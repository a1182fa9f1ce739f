/**
 * `opstatus wait` and `opstatus watch`: read the targets, check the timing flags against
 * the services waited on, then wait for every operation at once with the view the output
 * calls for (which shows an endpoint that cannot be reached as soon as core says so), and
 * exit with the code that wins among the operations'.
 *
 * @since 0.2.0
 */
import { awsFlagsOf, booleanFlag, durationFlag, parseCommand, serviceFlag, stackSetFlag } from "./Args.js"
import { loadAwsSettings, requireProfile, withAws } from "./Aws.js"
import { ExitCode } from "./ExitCodes.js"
import { type Values, waitFlags } from "./Flags.js"
import { commandHelp } from "./Help.js"
import { refOfTarget } from "./Input.js"
import { type CliIo, warnTo } from "./Io.js"
import { writeErrors } from "./Output.js"
import { reporterFor, warningsOf } from "./Reporter.js"
import { readTargets } from "./Targets.js"
import { checkTiming, runWait, type Timing, withStatusApi } from "./Wait.js"

const timingOf = (values: Values): Timing => ({
  timeout: durationFlag(values, "timeout"),
  minDelay: durationFlag(values, "min-delay"),
  maxDelay: durationFlag(values, "max-delay")
})

/**
 * Runs `wait` or `watch` (every change, SSM for SAP steps).
 *
 * @since 0.2.0
 * @category waiting
 */
export const waitCommand = async (
  command: "wait" | "watch",
  args: ReadonlyArray<string>,
  io: CliIo,
  now: () => number
): Promise<number> => {
  const { values, positionals } = parseCommand(command, args, waitFlags)
  if (booleanFlag(values, "help")) {
    io.stdout.write(`${commandHelp[command]}\n`)
    return ExitCode.ok
  }
  const timing = timingOf(values)
  const service = serviceFlag(values)
  const settings = await loadAwsSettings(awsFlagsOf(values), io.env)
  const what = command === "wait" ? "wait for" : "watch"
  const targets = await readTargets(
    positionals,
    { region: settings.region, service, stackSet: stackSetFlag(values) },
    io,
    what
  )
  checkTiming(timing, targets.map(refOfTarget))
  requireProfile(settings)
  const success = booleanFlag(values, "success")
  const reporter = reporterFor(io, {
    json: booleanFlag(values, "json"),
    noColor: booleanFlag(values, "no-color"),
    everyChange: command === "watch",
    now
  })
  const result = await withAws(settings, io.env, { includeSteps: command === "watch" }, (aws) =>
    // Core's warnings go through the view, so that they do not break the live table.
    withStatusApi({ sources: aws.sources, warn: warningsOf(reporter, warnTo(io)) }, (api) =>
      runWait({ api, targets, success, timing, reporter, signal: io.signal, now })
    )
  )
  if (!result.interrupted) {
    writeErrors(
      io,
      result.entries.flatMap((e) => (e.error === undefined ? [] : [e.error]))
    )
    const failed = result.summary.failures.length
    if (success && failed > 0) {
      io.stderr.write(
        `opstatus: ${failed} of ${result.summary.total} operations did not succeed. The summary lists each failure's code and message.\n`
      )
    }
  }
  return result.exitCode
}
