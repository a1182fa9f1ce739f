/**
 * Every error opstatus surfaces, each a `Schema.TaggedError` with a `_tag`
 * and a human `message`. They keep the service's own error code, message and
 * request ID, and never the SDK error object itself, so nothing here can
 * carry credentials or signed headers.
 *
 * `SourceError` is what an adapter reports for one failed request; the
 * waiter decides from its `reason` whether to keep polling or fail.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { Operation } from "./Operation.js"

const Ref = Schema.Struct({
  service: Schema.String,
  region: Schema.String,
  id: Schema.String
})

/**
 * What one failed request means, decided by the adapter's classifier.
 *
 * @since 0.1.0
 * @category models
 */
export const SourceErrorReason = Schema.Literals([
  "not-found",
  "throttled",
  "transient",
  "denied",
  "unauthenticated",
  "invalid",
  "malformed",
  "unknown"
])

/**
 * @since 0.1.0
 * @category models
 */
export type SourceErrorReason = typeof SourceErrorReason.Type

/**
 * One failed request to a service, classified.
 *
 * @since 0.1.0
 * @category errors
 */
export class SourceError extends Schema.TaggedError<SourceError>()("SourceError", {
  service: Schema.String,
  reason: SourceErrorReason,
  code: Schema.String,
  message: Schema.String,
  requestId: Schema.optionalKey(Schema.String),
  httpStatus: Schema.optionalKey(Schema.Number)
}) {}

import { InvalidOperationRefError } from "./OperationRef.js"

export { InvalidOperationRefError }

/**
 * A wait option that makes no sense (a negative timeout, an unparseable
 * duration, a minimum delay above the maximum).
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidWaitOptionsError extends Schema.TaggedError<InvalidWaitOptionsError>()(
  "InvalidWaitOptionsError",
  {
    option: Schema.String,
    message: Schema.String
  }
) {}

/**
 * A list query that makes no sense for its service (a page size out of
 * range, a filter the service does not have). Raised before any request.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidQueryError extends Schema.TaggedError<InvalidQueryError>()("InvalidQueryError", {
  service: Schema.String,
  message: Schema.String
}) {}

/**
 * The operation does not exist (after the not-found grace window, when waiting).
 *
 * @since 0.1.0
 * @category errors
 */
export class OperationNotFoundError extends Schema.TaggedError<OperationNotFoundError>()(
  "OperationNotFoundError",
  {
    ref: Ref,
    code: Schema.String,
    message: Schema.String,
    /** The service's own message, verbatim. */
    serviceMessage: Schema.optionalKey(Schema.String),
    requestId: Schema.optionalKey(Schema.String)
  }
) {}

/**
 * The caller's credentials may not read the operation, or are missing,
 * expired or invalid. Raised at once: waiting cannot fix it.
 *
 * @since 0.1.0
 * @category errors
 */
export class AccessDeniedError extends Schema.TaggedError<AccessDeniedError>()("AccessDeniedError", {
  service: Schema.String,
  ref: Schema.optionalKey(Ref),
  code: Schema.String,
  message: Schema.String,
  /** The service's own message, verbatim. */
  serviceMessage: Schema.optionalKey(Schema.String),
  requestId: Schema.optionalKey(Schema.String),
  httpStatus: Schema.optionalKey(Schema.Number)
}) {}

/**
 * Any other service error that waiting cannot fix: invalid input, a response
 * missing its operation, an error opstatus does not know.
 *
 * @since 0.1.0
 * @category errors
 */
export class ServiceError extends Schema.TaggedError<ServiceError>()("ServiceError", {
  service: Schema.String,
  ref: Schema.optionalKey(Ref),
  reason: SourceErrorReason,
  code: Schema.String,
  message: Schema.String,
  /** The service's own message, verbatim. */
  serviceMessage: Schema.optionalKey(Schema.String),
  requestId: Schema.optionalKey(Schema.String),
  httpStatus: Schema.optionalKey(Schema.Number)
}) {}

/**
 * The operation ended in failure. Carries the operation and the service's
 * own error code and message.
 *
 * @since 0.1.0
 * @category errors
 */
export class OperationFailedError extends Schema.TaggedError<OperationFailedError>()("OperationFailedError", {
  operation: Operation,
  code: Schema.optionalKey(Schema.String),
  message: Schema.String
}) {}

/**
 * The deadline passed before the operation ended. Carries the last
 * operation seen and, if the last poll failed, that error.
 *
 * @since 0.1.0
 * @category errors
 */
export class WaitTimeoutError extends Schema.TaggedError<WaitTimeoutError>()("WaitTimeoutError", {
  ref: Ref,
  timeoutMillis: Schema.Number,
  lastSeen: Schema.optionalKey(Operation),
  lastError: Schema.optionalKey(Schema.Struct({ code: Schema.String, message: Schema.String })),
  message: Schema.String
}) {}

/**
 * The caller aborted the wait (an `AbortSignal` fired).
 *
 * @since 0.1.0
 * @category errors
 */
export class WaitAbortedError extends Schema.TaggedError<WaitAbortedError>()("WaitAbortedError", {
  message: Schema.String
}) {}

/**
 * A serialized fleet wait that cannot be resumed: not JSON, not the state
 * shape, or a wait that lacks what resuming needs. `message` names the
 * problem and where it is.
 *
 * @since 0.2.0
 * @category errors
 */
export class InvalidFleetStateError extends Schema.TaggedError<InvalidFleetStateError>()(
  "InvalidFleetStateError",
  {
    message: Schema.String
  }
) {}

/**
 * Every error a wait can end with.
 *
 * @since 0.1.0
 * @category errors
 */
export type WaitError =
  | InvalidOperationRefError
  | InvalidWaitOptionsError
  | OperationNotFoundError
  | AccessDeniedError
  | ServiceError
  | WaitTimeoutError

/**
 * Every error `get` can end with.
 *
 * @since 0.1.0
 * @category errors
 */
export type GetError = InvalidOperationRefError | OperationNotFoundError | AccessDeniedError | ServiceError
