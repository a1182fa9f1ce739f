/**
 * How errors and warnings read: one line, `opstatus: <what went wrong>. <what to do>`,
 * with one hint per reason of `OpstatusError` and the CLI's own hint on its own errors;
 * `--debug` adds the error with its stack.
 *
 * @since 0.2.0
 */
import { isOpstatusError, type OpstatusError, type OpstatusErrorReason } from "@opstatus/core"
import { slugList } from "./Catalog.js"
import { isCliError } from "./Errors.js"

/**
 * The name an error is shown under: the reason of an `OpstatusError` (`WaitTimeout`,
 * `AccessDenied`), the `_tag` of the CLI's own, else `undefined`.
 *
 * @since 0.2.0
 * @category formatting
 */
export const errorName = (error: unknown): string | undefined =>
  isOpstatusError(error) ? error.reason._tag : isCliError(error) ? error._tag : undefined

const messageOf = (error: unknown): string => {
  if (typeof error === "object" && error !== null) {
    const message = (error as { message?: unknown }).message
    if (typeof message === "string" && message !== "") return message
  }
  return String(error)
}

/** Ends a clause with a full stop unless it already ends with punctuation. */
const sentence = (text: string): string => {
  const trimmed = text.trim().replace(/\s+/g, " ")
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`
}

const debugHint = "Run again with --debug to see the details"

/** What to do about each reason; the compiler keeps it complete. */
const reasonHints: {
  readonly [Tag in OpstatusErrorReason["_tag"]]: string | ((error: OpstatusError) => string) | undefined
} = {
  OperationNotFound: "Check the operation ID, the region (--region) and the account",
  Throttled: "The service kept throttling the reads: try again later, or poll less often with --min-delay",
  ServiceUnavailable:
    "Check the endpoint (--endpoint-url, AWS_ENDPOINT_URL) and the network, or try again later",
  // Core's message already says what to check; this says where the CLI takes each from.
  EndpointUnreachable:
    "The region comes from --region (AWS_REGION, the profile), the endpoint from --endpoint-url (AWS_ENDPOINT_URL)",
  // The services' slugs are their IAM prefixes.
  AccessDenied: (error) =>
    `Check that the credentials (--profile, AWS_PROFILE, AWS_ACCESS_KEY_ID) may read operations (${error.service ?? "<service>"}:GetOperation)`,
  Unauthenticated:
    "Configure credentials: --profile, AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; refresh them if they expired",
  InvalidRequest: "Read the service's code and message; run with --debug for details",
  MalformedResponse: "Check the endpoint (--endpoint-url, AWS_ENDPOINT_URL); run with --debug for details",
  UnknownServiceError: "Read the service's code and message; run with --debug for details",
  InvalidRef: `Refs look like service:region:id, e.g. lightsail:us-east-1:<operation-id>; services are ${slugList("and")}`,
  InvalidOptions: "Use durations like 500ms, 30s or 5m, with --min-delay not above --max-delay",
  InvalidQuery: "Check the filters; see opstatus list --help",
  InvalidFleetState: debugHint,
  InvalidConfig: debugHint,
  CancelNotSupported:
    "Only CloudFormation, ECS and Cloud Control operations can be cancelled; wait for this one with opstatus wait",
  OperationFailed: "The service's error code and message are above",
  WaitTimeout: "Wait longer with --timeout, or look at the operation in the console",
  WaitAborted: undefined
}

const deadlineHint =
  "The service did not answer in time: pass a longer --timeout, or check the endpoint (--endpoint-url, AWS_ENDPOINT_URL) and the network"

/**
 * One line: `opstatus: <what went wrong>. <what to do>` (no trailing newline). An error
 * that is neither an `OpstatusError` nor the CLI's own is unexpected, and says so.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatError = (error: unknown): string => {
  const what =
    isOpstatusError(error) || isCliError(error) ? messageOf(error) : `unexpected error: ${messageOf(error)}`
  const reasonHint = isOpstatusError(error) ? reasonHints[error.reason._tag] : undefined
  const hint = isOpstatusError(error)
    ? typeof reasonHint === "function"
      ? reasonHint(error)
      : reasonHint
    : isCliError(error)
      ? error._tag === "DeadlineError"
        ? deadlineHint
        : error._tag === "Interrupted"
          ? undefined
          : error.hint
      : debugHint
  return `opstatus: ${hint === undefined ? sentence(what) : `${sentence(what)} ${sentence(hint)}`}`
}

/**
 * A warning as one line: `opstatus: warning: <message>` (no trailing newline).
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatWarning = (message: string): string => `opstatus: warning: ${sentence(message)}`

/**
 * The error with its stack and fields, for `--debug`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatDebug = (error: unknown): string => {
  if (error instanceof Error) {
    const fields = Object.fromEntries(
      Object.entries(error).filter(([k]) => k !== "stack" && k !== "message" && k !== "cause")
    )
    const extra = Object.keys(fields).length === 0 ? "" : `\n${safeJson(fields)}`
    return `${error.stack ?? `${error.name}: ${error.message}`}${extra}`
  }
  return safeJson(error)
}

const safeJson = (value: unknown): string => {
  try {
    return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? String(v) : v), 2) ?? String(value)
  } catch {
    return String(value)
  }
}
