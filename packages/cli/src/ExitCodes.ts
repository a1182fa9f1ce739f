/**
 * Exit codes, their precedence, and the code each error maps to. Errors are matched by
 * type only: the CLI's own by `_tag`, core's `OpstatusError` by `kind` and reason.
 *
 * @since 0.2.0
 */
import { isOpstatusError, type OpstatusErrorReason } from "@opstatus/core"
import { isCliError } from "./Errors.js"

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
  interrupted: 130
} as const

/**
 * @since 0.1.0
 * @category models
 */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

/**
 * The order in which codes win when several apply: interrupted, then usage, access,
 * timeout, failed, ok. The cause a person must fix first wins: nothing meaningful ran
 * with bad usage, results are unreliable with bad credentials, and a timed-out operation
 * may still fail.
 *
 * @since 0.1.0
 * @category policies
 */
export const exitCodePrecedence: ReadonlyArray<ExitCode> = [
  ExitCode.interrupted,
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

const reasonExitCode = (reason: OpstatusErrorReason): ExitCode => {
  switch (reason.kind) {
    case "input":
      return ExitCode.usage
    case "timeout":
      return ExitCode.timeout
    case "aborted":
      return ExitCode.interrupted
    case "operation":
      return ExitCode.failed
    case "request":
      return reason._tag === "AccessDenied" || reason._tag === "Unauthenticated"
        ? ExitCode.access
        : ExitCode.failed
  }
}

/**
 * The exit code an error maps to: input reasons and usage errors 2, denied or
 * unauthenticated requests and missing credentials 4, timeouts 3, aborts 130, anything
 * else (a failed operation, not found, another request error, an unexpected error) 1.
 *
 * @since 0.1.0
 * @category errors
 */
export const exitCodeOf = (error: unknown): ExitCode => {
  if (isCliError(error)) {
    switch (error._tag) {
      case "UsageError":
        return ExitCode.usage
      case "CredentialsError":
        return ExitCode.access
      case "DeadlineError":
        return ExitCode.timeout
      case "Interrupted":
        return ExitCode.interrupted
    }
  }
  return isOpstatusError(error) ? reasonExitCode(error.reason) : ExitCode.failed
}
