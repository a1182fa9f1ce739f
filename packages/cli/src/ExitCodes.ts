/**
 * Exit codes and their precedence: plain data, loaded by `--help` and `--version`. The
 * code each error maps to is `ErrorCodes`'s part.
 *
 * @since 0.2.0
 */

/**
 * The exit codes, documented in docs/cli.md.
 *
 * @since 0.1.0
 * @category models
 */
export const ExitCode = {
  /** Every operation succeeded (or, without `--success`, every operation ended). */
  ok: 0,
  /** An operation failed (with `--success`), or could not be read (not found, a service error). */
  failed: 1,
  /** Bad usage: an unknown flag, a bad ref or duration, an invalid query. */
  usage: 2,
  /** A wait timed out, or `get` or `list` got no answer in time. */
  timeout: 3,
  /** Access denied, or the credentials are missing, invalid or expired. */
  access: 4,
  /** Interrupted (SIGINT); `bin.ts` turns it into 143 when stopped by SIGTERM. */
  interrupted: 130,
  /**
   * Standard output was closed by its reader (`| head -1`): the command stopped writing and
   * polling, and exits as a shell reports a process killed by SIGPIPE, 128 + 13.
   */
  outputClosed: 141,
  /** Stopped by SIGTERM, 128 + 15 (set by `bin.ts`). */
  terminated: 143
} as const

/**
 * @since 0.1.0
 * @category models
 */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

/**
 * The order in which codes win when several apply: stopped (SIGTERM, Ctrl-C, a closed
 * output), then usage, access, timeout, failed, ok. The cause a person must fix first
 * wins: nothing meaningful ran with bad usage, results are unreliable with bad
 * credentials, and a timed-out operation may still fail.
 *
 * @since 0.1.0
 * @category policies
 */
export const exitCodePrecedence: ReadonlyArray<ExitCode> = [
  ExitCode.terminated,
  ExitCode.interrupted,
  ExitCode.outputClosed,
  ExitCode.usage,
  ExitCode.access,
  ExitCode.timeout,
  ExitCode.failed,
  ExitCode.ok
]

/**
 * The code that wins among several.
 *
 * @since 0.1.0
 * @category policies
 */
export const combineExitCodes = (codes: Iterable<ExitCode>): ExitCode => {
  let best: ExitCode = ExitCode.ok
  for (const code of codes) {
    if (exitCodePrecedence.indexOf(code) < exitCodePrecedence.indexOf(best)) best = code
  }
  return best
}
