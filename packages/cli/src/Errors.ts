/**
 * Exit codes, their precedence, and the one-line messages errors are shown as:
 * `opstatus: <what went wrong>. <what to do>`.
 *
 * @since 0.1.0
 */

/**
 * The exit codes, documented in docs/cli.md.
 *
 * @since 0.1.0
 * @category exit codes
 */
export const ExitCode = {
  /** Every operation succeeded (or, without `--success`, every operation ended). */
  ok: 0,
  /** An operation failed (with `--success`), or could not be read (not found, a service error). */
  failed: 1,
  /** Bad usage: an unknown flag, a bad ref or duration, an invalid query. */
  usage: 2,
  /** A wait timed out. */
  timeout: 3,
  /** Access denied, or the credentials are missing, invalid or expired. */
  access: 4,
  /** Interrupted (SIGINT); `bin.ts` turns it into 143 when stopped by SIGTERM. */
  interrupted: 130
} as const

/**
 * @since 0.1.0
 * @category exit codes
 */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

/**
 * The order in which codes win when several apply: interrupted, then usage, access,
 * timeout, failed, ok. The cause a person must fix first wins: nothing meaningful ran
 * with bad usage, results are unreliable with bad credentials, and a timed-out operation
 * may still fail.
 *
 * @since 0.1.0
 * @category exit codes
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
 * @category exit codes
 */
export const combineExitCodes = (codes: Iterable<ExitCode>): ExitCode => {
  let best: ExitCode = ExitCode.ok
  for (const code of codes) {
    if (exitCodePrecedence.indexOf(code) < exitCodePrecedence.indexOf(best)) best = code
  }
  return best
}

/**
 * Bad usage: exit code 2. `hint` says what to do.
 *
 * @since 0.1.0
 * @category errors
 */
export class UsageError extends Error {
  override readonly name = "UsageError"
  constructor(
    message: string,
    readonly hint?: string | undefined
  ) {
    super(message)
  }
}

/**
 * A credential problem found before any request (for example a profile that does not
 * exist): exit code 4.
 *
 * @since 0.1.0
 * @category errors
 */
export class CredentialsError extends Error {
  override readonly name = "CredentialsError"
  constructor(
    message: string,
    readonly hint?: string | undefined
  ) {
    super(message)
  }
}

/**
 * An error's tag: its `_tag` (core's errors), else its `name` (SDK and JavaScript
 * errors), else `undefined`.
 *
 * @since 0.1.0
 * @category errors
 */
export const errorTag = (error: unknown): string | undefined => {
  if (typeof error !== "object" || error === null) return undefined
  const tag = (error as { _tag?: unknown })._tag
  if (typeof tag === "string") return tag
  const name = (error as { name?: unknown }).name
  return typeof name === "string" ? name : undefined
}

/**
 * `get` or `list` did not finish within its `--timeout` (for example a server that
 * accepts the connection and never answers): exit code 3.
 *
 * @since 0.1.0
 * @category errors
 */
export class DeadlineError extends Error {
  override readonly name = "DeadlineError"
  constructor(
    /** What did not finish and within how long, e.g. `list lightsail did not finish within 5m00s`. */
    message: string,
    readonly timeoutMillis: number
  ) {
    super(message)
  }
}

const credentialNames = new Set([
  "CredentialsProviderError",
  "CredentialsError",
  "TokenProviderError",
  "ExpiredToken",
  "ExpiredTokenException",
  "UnrecognizedClientException",
  "InvalidClientTokenId",
  "InvalidSignatureException",
  "SignatureDoesNotMatch"
])

/**
 * The exit code an error maps to.
 *
 * @since 0.1.0
 * @category exit codes
 */
export const exitCodeOf = (error: unknown): ExitCode => {
  const tag = errorTag(error)
  switch (tag) {
    case "UsageError":
    case "InvalidOperationRefError":
    case "InvalidWaitOptionsError":
    case "InvalidQueryError":
      return ExitCode.usage
    case "AccessDeniedError":
      return ExitCode.access
    case "WaitTimeoutError":
    case "DeadlineError":
      return ExitCode.timeout
    case "WaitAbortedError":
      return ExitCode.interrupted
    case "OperationFailedError":
    case "OperationNotFoundError":
    case "ServiceError":
      return ExitCode.failed
    default:
      return tag !== undefined && credentialNames.has(tag) ? ExitCode.access : ExitCode.failed
  }
}

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

const credentialsHint =
  "Configure credentials: --profile, AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"

const hintOf = (error: unknown): string | undefined => {
  const own = (error as { hint?: unknown })?.hint
  if (typeof own === "string") return own
  switch (errorTag(error)) {
    case "InvalidOperationRefError":
      return "Refs look like service:region:id, e.g. lightsail:us-east-1:<operation-id>; services are lightsail, servicediscovery and ssm-sap"
    case "InvalidWaitOptionsError":
      return "Use durations like 500ms, 30s or 5m, with --min-delay not above --max-delay"
    case "InvalidQueryError":
      return "Check the filters; see opstatus list --help"
    case "AccessDeniedError":
      return "Check the credentials (--profile, AWS_PROFILE, AWS_ACCESS_KEY_ID) and that they may read operations (e.g. lightsail:GetOperation)"
    case "WaitTimeoutError":
      return "Wait longer with --timeout, or look at the operation in the console"
    case "DeadlineError":
      return "The service did not answer in time: pass a longer --timeout, or check the endpoint (--endpoint-url, AWS_ENDPOINT_URL) and the network"
    case "OperationNotFoundError":
      return "Check the operation ID, the region (--region) and the account"
    case "OperationFailedError":
      return "The service's error code and message are above"
    case "ServiceError":
      return "Read the service's code and message; run with --debug for details"
    case "CredentialsProviderError":
    case "TokenProviderError":
      return credentialsHint
    case "WaitAbortedError":
      return undefined
    default:
      return credentialNames.has(errorTag(error) ?? "")
        ? "Check the credentials (--profile, AWS_PROFILE, AWS_ACCESS_KEY_ID)"
        : undefined
  }
}

/**
 * One line: `opstatus: <what went wrong>. <what to do>` (no trailing newline).
 *
 * @since 0.1.0
 * @category errors
 */
export const formatError = (error: unknown): string => {
  const tag = errorTag(error)
  const code = (error as { code?: unknown } | undefined)?.code
  if (tag === "AccessDeniedError" && (code === "CredentialsProviderError" || code === "TokenProviderError")) {
    const detail = (error as { serviceMessage?: unknown }).serviceMessage
    return `opstatus: ${sentence(`could not load AWS credentials${typeof detail === "string" ? ` (${detail.replace(/\.$/, "")})` : ""}`)} ${sentence(credentialsHint)}`
  }
  const known =
    tag !== undefined &&
    (tag.endsWith("Error") || tag.endsWith("Exception") || credentialNames.has(tag)) &&
    tag !== "Error" &&
    tag !== "TypeError" &&
    tag !== "RangeError" &&
    tag !== "SyntaxError"
  const what = known ? messageOf(error) : `unexpected error: ${messageOf(error)}`
  const hint = hintOf(error) ?? (known ? undefined : "Run again with --debug to see the details")
  const line = hint === undefined ? sentence(what) : `${sentence(what)} ${sentence(hint)}`
  return `opstatus: ${line}`
}

/**
 * A warning as one line: `opstatus: warning: <message>` (no trailing newline).
 *
 * @since 0.1.0
 * @category errors
 */
export const formatWarning = (message: string): string => `opstatus: warning: ${sentence(message)}`

/**
 * The error with its stack, for `--debug`.
 *
 * @since 0.1.0
 * @category errors
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
