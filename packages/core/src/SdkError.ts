/**
 * The one classifier every adapter builds on: it reads an AWS SDK v3 error
 * (or a network error) by its shape alone, `name`, `$fault`, `$retryable`,
 * `$metadata.httpStatusCode` and Node's error `code`, and decides which
 * request reason of `OpstatusError` it is. Core has no `@aws-sdk`
 * dependency; adapters pass the names their service models. It never throws,
 * whatever it is given, and keeps only strings: the error's name, message,
 * request ID and HTTP status, never the error object, its request or its
 * credentials.
 *
 * @since 0.1.0
 */
import * as Predicate from "effect/Predicate"
import { isOpstatusError, type OpstatusError, type RequestReasonTag, requestError } from "./OpstatusError.js"

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

/** The endpoint cannot be reached at all: a wrong name, region or endpoint, no network, or TLS failing. */
const unreachableCodes = new Set([
  "ENOTFOUND",
  "EAI_AGAIN",
  "ECONNREFUSED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "ERR_SSL_WRONG_VERSION_NUMBER",
  "EPROTO"
])

/** A connection that was made and then failed: a blip, absorbed like a 5xx. */
const networkCodes = new Set(["ECONNRESET", "EPIPE", "ETIMEDOUT", "UND_ERR_SOCKET", "NGHTTP2_REFUSED_STREAM"])

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
  "CredentialsProviderError",
  "TokenProviderError"
])

const transientStatuses = new Set([500, 502, 503, 504])

const field = (u: unknown, key: string): unknown => {
  try {
    return Predicate.isObject(u) ? (u as Record<string, unknown>)[key] : undefined
  } catch {
    // A getter that throws, or a revoked proxy: as if absent.
    return undefined
  }
}

const stringField = (u: unknown, key: string): string | undefined => {
  const v = field(u, key)
  return typeof v === "string" && v.length > 0 ? v : undefined
}

/** The host (and port) a network error names: Node's `hostname`, or `address` and `port`. */
const endpointOf = (error: unknown): string | undefined => {
  const hostname = stringField(error, "hostname")
  if (hostname !== undefined) return hostname
  const address = stringField(error, "address")
  const port = field(error, "port")
  if (address === undefined) return undefined
  return typeof port === "number" || typeof port === "string" ? `${address}:${String(port)}` : address
}

/** A value as text; never throws (`Object.create(null)` has no string form). */
const textOf = (u: unknown): string => {
  try {
    return typeof u === "string" ? u : String(u)
  } catch {
    try {
      return Object.prototype.toString.call(u)
    } catch {
      // A revoked proxy, or a `Symbol.toStringTag` getter that throws: named by its type.
      return `[${typeof u}]`
    }
  }
}

/**
 * Reads an error's HTTP status, request ID, name and message.
 *
 * @since 0.1.0
 * @category errors
 */
export const describeError = (error: unknown) => {
  const metadata = field(error, "$metadata")
  const status = field(metadata, "httpStatusCode")
  const cause = field(error, "cause")
  return {
    name: stringField(error, "name") ?? "Error",
    message: stringField(error, "message") ?? stringField(error, "Message") ?? textOf(error),
    httpStatus: typeof status === "number" ? status : undefined,
    requestId: stringField(metadata, "requestId"),
    nodeCode: stringField(error, "code") ?? stringField(cause, "code"),
    endpoint: endpointOf(error) ?? endpointOf(cause),
    fault: stringField(error, "$fault"),
    retryable: field(error, "$retryable")
  }
}

/**
 * Classifies one failed request into an `OpstatusError` with a request
 * reason: not found (the adapter's names), throttled, service unavailable,
 * access denied, unauthenticated, invalid request, malformed response, or
 * unknown.
 *
 * @since 0.1.0
 * @category constructors
 */
export const classifySdkError = (service: string, names: ErrorNames, error: unknown): OpstatusError => {
  if (isOpstatusError(error)) return error
  const d = describeError(error)
  const has = (list: ReadonlyArray<string> | undefined) => list?.includes(d.name) ?? false
  const tag = ((): RequestReasonTag => {
    if (has(names.notFound)) return "OperationNotFound"
    if (throttlingNames.has(d.name) || has(names.throttling) || d.httpStatus === 429) return "Throttled"
    if (field(d.retryable, "throttling") === true) return "Throttled"
    // The error's name first: AWS answers a bad signature or an expired token with 403 too.
    if (deniedNames.has(d.name) || has(names.denied)) return "AccessDenied"
    if (unauthenticatedNames.has(d.name) || has(names.unauthenticated)) return "Unauthenticated"
    if (d.httpStatus === 403) return "AccessDenied"
    if (d.httpStatus === 401) return "Unauthenticated"
    if (d.nodeCode !== undefined && unreachableCodes.has(d.nodeCode)) return "EndpointUnreachable"
    if (transientNames.has(d.name) || has(names.transient)) return "ServiceUnavailable"
    if (d.nodeCode !== undefined && networkCodes.has(d.nodeCode)) return "ServiceUnavailable"
    if (d.httpStatus !== undefined && transientStatuses.has(d.httpStatus)) return "ServiceUnavailable"
    if (d.retryable !== undefined || (d.fault === "server" && d.httpStatus === undefined))
      return "ServiceUnavailable"
    // A body the SDK could not parse: a 200 whose JSON is broken.
    if (d.name === "SyntaxError" || d.name === "SerializationException") return "MalformedResponse"
    // An error with a 2xx status is the SDK failing to read a success answer (a field of the wrong type).
    if (d.httpStatus !== undefined && d.httpStatus >= 200 && d.httpStatus < 300) return "MalformedResponse"
    if (has(names.invalid) || d.httpStatus === 400) return "InvalidRequest"
    return "UnknownServiceError"
  })()
  const code = d.name === "Error" && d.nodeCode !== undefined ? d.nodeCode : d.name
  return requestError(tag, {
    service,
    code,
    serviceMessage: d.message,
    requestId: d.requestId,
    httpStatus: d.httpStatus,
    endpoint: d.endpoint
  })
}
