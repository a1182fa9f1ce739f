/**
 * The exit code each error maps to. Errors are matched by type only: the CLI's own by
 * `_tag`, core's `OpstatusError` by `kind` and reason.
 *
 * @since 0.2.0
 */
import { isOpstatusError, type OpstatusErrorReason } from "@opstatus/core"
import { isCliError } from "./Errors.js"
import { ExitCode } from "./ExitCodes.js"

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
