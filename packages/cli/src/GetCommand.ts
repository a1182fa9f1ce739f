/**
 * `opstatus get`: reads each operation once, all at once, within `--timeout` (a read that
 * gets no answer in time is a `DeadlineError`, exit 3), and prints them as they come.
 *
 * @since 0.2.0
 */
import { formatRef, hasReason, type Operation } from "@opstatus/core"
import { awsFlagsOf, booleanFlag, durationFlag, parseCommand, serviceFlag, stackSetFlag } from "./Args.js"
import { loadAwsSettings, requireProfile, withAws } from "./Aws.js"
import { formatElapsed } from "./Duration.js"
import { exitCodeOf } from "./ErrorCodes.js"
import { DeadlineError } from "./Errors.js"
import { combineExitCodes, ExitCode } from "./ExitCodes.js"
import { getFlags } from "./Flags.js"
import { commandHelp } from "./Help.js"
import { refOfTarget } from "./Input.js"
import { type CliIo, warnTo } from "./Io.js"
import {
  type ReadError,
  type ReadOutput,
  writeErrors,
  writeOperation,
  writeReadEnd,
  writeReadError
} from "./Output.js"
import { readTargets } from "./Targets.js"
import { withStatusApi } from "./Wait.js"

/** How long `get` may take by default (every ref read at once). */
const defaultGetTimeoutMillis = 60_000

/**
 * Runs `get`.
 *
 * @since 0.2.0
 * @category waiting
 */
export const getCommand = async (
  args: ReadonlyArray<string>,
  io: CliIo,
  now: () => number
): Promise<number> => {
  const { values, positionals } = parseCommand("get", args, getFlags)
  if (booleanFlag(values, "help")) {
    io.stdout.write(`${commandHelp.get}\n`)
    return ExitCode.ok
  }
  const timeout = durationFlag(values, "timeout") ?? defaultGetTimeoutMillis
  const service = serviceFlag(values)
  const settings = await loadAwsSettings(awsFlagsOf(values), io.env)
  const targets = await readTargets(
    positionals,
    { region: settings.region, service, stackSet: stackSetFlag(values) },
    io,
    "read"
  )
  requireProfile(settings)
  const success = booleanFlag(values, "success")
  const output: ReadOutput = {
    io,
    json: booleanFlag(values, "json"),
    noColor: booleanFlag(values, "no-color"),
    now
  }
  const started = now()
  const refs = targets.map(refOfTarget)
  const settled = await withAws(settings, io.env, {}, (aws) =>
    withStatusApi({ sources: aws.sources, warn: warnTo(io) }, (api) =>
      Promise.allSettled(refs.map((ref) => api.get(ref, { signal: io.signal, timeout })))
    )
  )
  if (io.signal.aborted) {
    io.stderr.write("opstatus: interrupted.\n")
    return ExitCode.interrupted
  }
  const operations: Operation[] = []
  const errors: ReadError[] = []
  const codes: ExitCode[] = []
  settled.forEach((s, i) => {
    const ref = refs[i]!
    if (s.status === "fulfilled") {
      operations.push(s.value)
      if (success && s.value.status !== "succeeded") codes.push(ExitCode.failed)
      writeOperation(output, s.value, new Date(now()))
      return
    }
    // A read the deadline cut short: exit 3, naming the ref that got no answer.
    const error = hasReason(s.reason, "WaitTimeout")
      ? new DeadlineError({
          message: `get ${formatRef(ref)} did not finish within ${formatElapsed(timeout)}`,
          timeoutMillis: timeout
        })
      : s.reason
    errors.push({ ref, error })
    codes.push(exitCodeOf(error))
    writeReadError(output, { ref, error })
  })
  const exitCode = combineExitCodes(codes)
  writeReadEnd(output, operations, errors, exitCode, started)
  writeErrors(
    io,
    errors.map((e) => e.error)
  )
  return exitCode
}
