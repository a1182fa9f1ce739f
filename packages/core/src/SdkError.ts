/**
 * The one classifier every adapter builds on: it reads an AWS SDK v3 error
 * (or a network error) by its shape alone, `name`, `$fault`, `$retryable`,
 * `$metadata.httpStatusCode` and Node's error `code`, and decides what it
 * means for a waiter. Core has no `@aws-sdk` dependency; adapters pass the
 * names their service models.
 *
 * @since 0.1.0
 */
import { Predicate } from "effect"
import { SourceError, type SourceErrorReason } from "./OperationError.js"

/**
 * The service-specific names an adapter contributes.
 *
 * @since 0.1.0
 * @category models
 */
export interface ErrorNames {
  readonly notFound: ReadonlyArray<string>
  readonly denied?: ReadonlyArray<string>
  readonly unauthenticated?: ReadonlyArray<string>
  readonly invalid?: ReadonlyArray<string>
  readonly throttling?: ReadonlyArray<string>
  readonly transient?: ReadonlyArray<string>
}

/** The SDK's own throttling codes (`service-error-classification`). */
const throttlingNames = new Set([
  "BandwidthLimitExceeded",
  "EC2ThrottledException",
  "LimitExceededException",
  "PriorRequestNotComplete",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown",
  "ThrottledException",
  "Throttling",
  "ThrottlingException",
  "TooManyRequestsException",
  "TransactionInProgressException"
])

const transientNames = new Set([
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "InternalServerException",
  "InternalFailure",
  "InternalServerError"
])

const networkCodes = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "NGHTTP2_REFUSED_STREAM"
])

const deniedNames = new Set(["AccessDeniedException", "AccessDenied", "UnauthorizedOperation", "AuthFailure"])

const unauthenticatedNames = new Set([
  "UnrecognizedClientException",
  "InvalidClientTokenId",
  "ExpiredToken",
  "ExpiredTokenException",
  "InvalidSignatureException",
  "SignatureDoesNotMatch",
  "MissingAuthenticationToken",
  "IncompleteSignature",
  "CredentialsProviderError"
])

const transientStatuses = new Set([500, 502, 503, 504])

const field = (u: unknown, key: string): unknown =>
  Predicate.isObject(u) ? (u as Record<string, unknown>)[key] : undefined

const stringField = (u: unknown, key: string): string | undefined => {
  const v = field(u, key)
  return typeof v === "string" && v.length > 0 ? v : undefined
}

/**
 * Reads an error's HTTP status, request ID, name and message.
 *
 * @since 0.1.0
 * @category utils
 */
export const describeError = (error: unknown) => {
  const metadata = field(error, "$metadata")
  const status = field(metadata, "httpStatusCode")
  const cause = field(error, "cause")
  return {
    name: stringField(error, "name") ?? "Error",
    message: stringField(error, "message") ?? stringField(error, "Message") ?? String(error),
    httpStatus: typeof status === "number" ? status : undefined,
    requestId: stringField(metadata, "requestId"),
    nodeCode: stringField(error, "code") ?? stringField(cause, "code"),
    fault: stringField(error, "$fault"),
    retryable: field(error, "$retryable")
  }
}

/**
 * Classifies one failed request into a `SourceError`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const classifySdkError = (service: string, names: ErrorNames, error: unknown): SourceError => {
  if (error instanceof SourceError) return error
  const d = describeError(error)
  const has = (list: ReadonlyArray<string> | undefined) => list?.includes(d.name) ?? false
  const reason = ((): SourceErrorReason => {
    if (has(names.notFound)) return "not-found"
    if (throttlingNames.has(d.name) || has(names.throttling) || d.httpStatus === 429) return "throttled"
    if (Predicate.isObject(d.retryable) && field(d.retryable, "throttling") === true) return "throttled"
    if (deniedNames.has(d.name) || has(names.denied) || d.httpStatus === 403) return "denied"
    if (unauthenticatedNames.has(d.name) || has(names.unauthenticated) || d.httpStatus === 401) {
      return "unauthenticated"
    }
    if (transientNames.has(d.name) || has(names.transient)) return "transient"
    if (d.nodeCode !== undefined && networkCodes.has(d.nodeCode)) return "transient"
    if (d.httpStatus !== undefined && transientStatuses.has(d.httpStatus)) return "transient"
    if (d.retryable !== undefined || (d.fault === "server" && d.httpStatus === undefined)) return "transient"
    // A body the SDK could not parse: a 200 whose JSON is broken.
    if (d.name === "SyntaxError" || d.name === "SerializationException") return "malformed"
    if (has(names.invalid) || d.httpStatus === 400) return "invalid"
    return "unknown"
  })()
  const code = d.name === "Error" && d.nodeCode !== undefined ? d.nodeCode : d.name
  return new SourceError({
    service,
    reason,
    code,
    message: d.message,
    ...(d.requestId === undefined ? {} : { requestId: d.requestId }),
    ...(d.httpStatus === undefined ? {} : { httpStatus: d.httpStatus })
  })
}

/**
 * A `SourceError` for a 200 response that lacks what it must carry.
 *
 * @since 0.1.0
 * @category constructors
 */
export const malformedResponse = (service: string, message: string, requestId?: string): SourceError =>
  new SourceError({
    service,
    reason: "malformed",
    code: "MalformedResponse",
    message,
    ...(requestId === undefined ? {} : { requestId })
  })
