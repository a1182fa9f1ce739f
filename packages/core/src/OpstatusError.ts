/**
 * The one error of opstatus: `OpstatusError`, a `Schema.TaggedError` whose
 * `reason` says what went wrong, in the style of Effect's own `SqlError` and
 * `AiError`. Each reason is a tagged class of its own that knows whether
 * retrying may help (`isRetryable`) and which kind of problem it is:
 *
 * - **request**: one request to a service failed (`OperationNotFound`,
 *   `Throttled`, `ServiceUnavailable`, `EndpointUnreachable`, `AccessDenied`,
 *   `Unauthenticated`, `InvalidRequest`, `MalformedResponse`,
 *   `UnknownServiceError`);
 * - **input**: something given to opstatus makes no sense, found before any
 *   request (`InvalidRef`, `InvalidOptions`, `InvalidQuery`,
 *   `InvalidFleetState`, `InvalidConfig`);
 * - **operation**: the operation itself failed (`OperationFailed`);
 * - **timeout**: the wait's deadline passed (`WaitTimeout`);
 * - **aborted**: the caller stopped the wait (`WaitAborted`).
 *
 * Every reason carries the service and the ref where there is one, and the
 * service's own code, message and request ID where AWS gave them. None
 * carries the SDK error, its request or credentials: only strings read from
 * the error's name, message and metadata, where a session token or a
 * signature the service quoted back reads `<redacted>` (the access key ID,
 * which AWS itself prints, stays).
 *
 * @since 0.2.0
 */
import * as Duration from "effect/Duration"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import { redactCredentials } from "./internal/redact.js"
import { Operation } from "./Operation.js"
import { formatRef, RefId } from "./OperationRef.js"

const TypeId = "~@opstatus/core/OpstatusError" as const
const ReasonTypeId = "~@opstatus/core/OpstatusError/Reason" as const

/**
 * The kind of problem a reason is.
 *
 * @since 0.2.0
 * @category models
 */
export type ErrorKind = "request" | "input" | "operation" | "timeout" | "aborted"

// ---------------------------------------------------------------------------
// Request reasons

const RequestFields = {
  /** The service's slug. */
  service: Schema.String,
  /** The operation the request was about, when it was about one. */
  ref: Schema.optionalKey(RefId),
  /** The service's own error code (the SDK error's name), or the network error code. */
  code: Schema.String,
  /** The service's own message, verbatim but for credentials it quotes (`<redacted>`). */
  serviceMessage: Schema.String,
  requestId: Schema.optionalKey(Schema.String),
  httpStatus: Schema.optionalKey(Schema.Number),
  message: Schema.String
}

/**
 * The operation does not exist (a wait says so only after its not-found
 * grace window).
 *
 * @since 0.2.0
 * @category errors
 */
export class OperationNotFound extends Schema.TaggedError<OperationNotFound>()(
  "OperationNotFound",
  RequestFields
) {
  readonly [ReasonTypeId] = ReasonTypeId
  get kind(): ErrorKind {
    return "request"
  }
  get isRetryable(): boolean {
    return false
  }
}

/**
 * The service throttled the request. Waits absorb it while their deadline allows.
 *
 * @since 0.2.0
 * @category errors
 */
export class Throttled extends Schema.TaggedError<Throttled>()("Throttled", RequestFields) {
  readonly [ReasonTypeId] = ReasonTypeId
  get kind(): ErrorKind {
    return "request"
  }
  get isRetryable(): boolean {
    return true
  }
}

/**
 * A 5xx answer, a network error or a request timeout. Waits absorb it while
 * their deadline allows.
 *
 * @since 0.2.0
 * @category errors
 */
export class ServiceUnavailable extends Schema.TaggedError<ServiceUnavailable>()(
  "ServiceUnavailable",
  RequestFields
) {
  readonly [ReasonTypeId] = ReasonTypeId
  get kind(): ErrorKind {
    return "request"
  }
  get isRetryable(): boolean {
    return true
  }
}

/**
 * The service's endpoint cannot be reached: its name does not resolve, the
 * connection is refused, no route leads to it, or TLS fails. Waits warn at the
 * first such answer and end with it after a short bound (`unreachableGrace`,
 * 15 seconds by default): a wrong region or endpoint, or no network, does not
 * fix itself like a 5xx does.
 *
 * @since 0.2.0
 * @category errors
 */
export class EndpointUnreachable extends Schema.TaggedError<EndpointUnreachable>()("EndpointUnreachable", {
  ...RequestFields,
  /** The endpoint that could not be reached, as the error names it (`host`, `host:port`). */
  endpoint: Schema.optionalKey(Schema.String)
}) {
  readonly [ReasonTypeId] = ReasonTypeId
  get kind(): ErrorKind {
    return "request"
  }
  get isRetryable(): boolean {
    return true
  }
}

/**
 * The credentials may not make the request (IAM denied it). Waiting cannot fix it.
 *
 * @since 0.2.0
 * @category errors
 */
export class AccessDenied extends Schema.TaggedError<AccessDenied>()("AccessDenied", RequestFields) {
  readonly [ReasonTypeId] = ReasonTypeId
  get kind(): ErrorKind {
    return "request"
  }
  get isRetryable(): boolean {
    return false
  }
}

/**
 * No valid credentials: missing, expired, or signed wrongly. Waiting cannot fix it.
 *
 * @since 0.2.0
 * @category errors
 */
export class Unauthenticated extends Schema.TaggedError<Unauthenticated>()("Unauthenticated", RequestFields) {
  readonly [ReasonTypeId] = ReasonTypeId
  get kind(): ErrorKind {
    return "request"
  }
  get isRetryable(): boolean {
    return false
  }
}

/**
 * The service rejected the request as invalid (a 400, a validation error).
 *
 * @since 0.2.0
 * @category errors
 */
export class InvalidRequest extends Schema.TaggedError<InvalidRequest>()("InvalidRequest", RequestFields) {
  readonly [ReasonTypeId] = ReasonTypeId
  get kind(): ErrorKind {
    return "request"
  }
  get isRetryable(): boolean {
    return false
  }
}

/**
 * An answer opstatus cannot read: a body that does not parse, or lacks or
 * mistypes what it must carry. Waits retry it three times in a row, then fail.
 *
 * @since 0.2.0
 * @category errors
 */
export class MalformedResponse extends Schema.TaggedError<MalformedResponse>()(
  "MalformedResponse",
  RequestFields
) {
  readonly [ReasonTypeId] = ReasonTypeId
  get kind(): ErrorKind {
    return "request"
  }
  get isRetryable(): boolean {
    return true
  }
}

/**
 * A request error the classifier does not know. Waiting cannot be assumed to fix it.
 *
 * @since 0.2.0
 * @category errors
 */
export class UnknownServiceError extends Schema.TaggedError<UnknownServiceError>()(
  "UnknownServiceError",
  RequestFields
) {
  readonly [ReasonTypeId] = ReasonTypeId
  get kind(): ErrorKind {
    return "request"
  }
  get isRetryable(): boolean {
    return false
  }
}

/**
 * Every reason a request can fail for.
 *
 * @since 0.2.0
 * @category models
 */
export const RequestReason = Schema.Union([
  OperationNotFound,
  Throttled,
  ServiceUnavailable,
  EndpointUnreachable,
  AccessDenied,
  Unauthenticated,
  InvalidRequest,
  MalformedResponse,
  UnknownServiceError
])

/**
 * @since 0.2.0
 * @category models
 */
export type RequestReason = typeof RequestReason.Type

// ---------------------------------------------------------------------------
// Input reasons

/**
 * A ref that cannot be read: malformed, a service no source is registered
 * for, an ID of the wrong shape, a bad region code, or a region no client
 * serves. Found before any request.
 *
 * @since 0.2.0
 * @category errors
 */
export class InvalidRef extends Schema.TaggedError<InvalidRef>()("InvalidRef", {
  /** What was given, as text (cut at 80 characters). */
  input: Schema.String,
  /** What is wrong with it. */
  problem: Schema.String,
  service: Schema.optionalKey(Schema.String),
  message: Schema.String
}) {
  readonly [ReasonTypeId] = ReasonTypeId
  get kind(): ErrorKind {
    return "input"
  }
  get isRetryable(): boolean {
    return false
  }
}

/**
 * A wait option that makes no sense: not a duration, zero, `maxDelay` below
 * `minDelay`, or an option that does not exist.
 *
 * @since 0.2.0
 * @category errors
 */
export class InvalidOptions extends Schema.TaggedError<InvalidOptions>()("InvalidOptions", {
  option: Schema.String,
  message: Schema.String
}) {
  readonly [ReasonTypeId] = ReasonTypeId
  get kind(): ErrorKind {
    return "input"
  }
  get isRetryable(): boolean {
    return false
  }
}

/**
 * A list query its service cannot run (a page size out of range, a filter
 * the service does not have). Found before any request.
 *
 * @since 0.2.0
 * @category errors
 */
export class InvalidQuery extends Schema.TaggedError<InvalidQuery>()("InvalidQuery", {
  service: Schema.String,
  message: Schema.String
}) {
  readonly [ReasonTypeId] = ReasonTypeId
  get kind(): ErrorKind {
    return "input"
  }
  get isRetryable(): boolean {
    return false
  }
}

/**
 * A serialized fleet wait that cannot be resumed: not JSON, not the state
 * shape, or a wait that lacks what resuming needs. The message names the
 * problem and where it is.
 *
 * @since 0.2.0
 * @category errors
 */
export class InvalidFleetState extends Schema.TaggedError<InvalidFleetState>()("InvalidFleetState", {
  message: Schema.String
}) {
  readonly [ReasonTypeId] = ReasonTypeId
  get kind(): ErrorKind {
    return "input"
  }
  get isRetryable(): boolean {
    return false
  }
}

/**
 * A setting that makes no sense: no sources, two sources for one service, a
 * source that does not declare itself, a rate limit out of range.
 *
 * @since 0.2.0
 * @category errors
 */
export class InvalidConfig extends Schema.TaggedError<InvalidConfig>()("InvalidConfig", {
  /** The setting, as a path: `sources[1]`, `fleet.rateLimit.max`. */
  setting: Schema.String,
  message: Schema.String
}) {
  readonly [ReasonTypeId] = ReasonTypeId
  get kind(): ErrorKind {
    return "input"
  }
  get isRetryable(): boolean {
    return false
  }
}

// ---------------------------------------------------------------------------
// Outcomes of a wait

/**
 * The operation ended in failure (or was cancelled). Carries the operation
 * and the service's own code and message for it.
 *
 * @since 0.2.0
 * @category errors
 */
export class OperationFailed extends Schema.TaggedError<OperationFailed>()("OperationFailed", {
  service: Schema.String,
  ref: RefId,
  operation: Operation,
  /** The service's own error code for the operation, where it gives one. */
  code: Schema.optionalKey(Schema.String),
  /** The service's own message for the failure, verbatim but for credentials it quotes (the raw status when it gave none). */
  serviceMessage: Schema.String,
  /** The request ID of the answer that reported the failure. */
  requestId: Schema.optionalKey(Schema.String),
  message: Schema.String
}) {
  readonly [ReasonTypeId] = ReasonTypeId
  get kind(): ErrorKind {
    return "operation"
  }
  get isRetryable(): boolean {
    return false
  }
}

/**
 * The deadline passed before the operation ended. Carries the last snapshot
 * seen and, if the last read failed, that error.
 *
 * @since 0.2.0
 * @category errors
 */
export class WaitTimeout extends Schema.TaggedError<WaitTimeout>()("WaitTimeout", {
  service: Schema.String,
  ref: RefId,
  /** The wait's timeout. */
  timeoutMillis: Schema.Number,
  /** How long the wait really lasted, from its start to the moment it ended. */
  waitedMillis: Schema.Number,
  lastSeen: Schema.optionalKey(Operation),
  lastError: Schema.optionalKey(RequestReason),
  message: Schema.String
}) {
  readonly [ReasonTypeId] = ReasonTypeId
  get kind(): ErrorKind {
    return "timeout"
  }
  get isRetryable(): boolean {
    return true
  }
}

/**
 * The caller stopped the wait: an `AbortSignal` fired, a fleet poller was
 * cancelled, or the engine was closed.
 *
 * @since 0.2.0
 * @category errors
 */
export class WaitAborted extends Schema.TaggedError<WaitAborted>()("WaitAborted", {
  service: Schema.optionalKey(Schema.String),
  ref: Schema.optionalKey(RefId),
  message: Schema.String
}) {
  readonly [ReasonTypeId] = ReasonTypeId
  get kind(): ErrorKind {
    return "aborted"
  }
  get isRetryable(): boolean {
    return false
  }
}

/**
 * A cancel of an operation whose source offers no `cancel` (its service has
 * no API to stop an operation). Found before any request.
 *
 * @since 0.3.0
 * @category errors
 */
export class CancelNotSupported extends Schema.TaggedError<CancelNotSupported>()("CancelNotSupported", {
  service: Schema.String,
  ref: Schema.optionalKey(RefId),
  message: Schema.String
}) {
  readonly [ReasonTypeId] = ReasonTypeId
  get kind(): ErrorKind {
    return "input"
  }
  get isRetryable(): boolean {
    return false
  }
}

/**
 * Every reason, as a Schema.
 *
 * @since 0.2.0
 * @category models
 */
export const OpstatusErrorReason = Schema.Union([
  OperationNotFound,
  Throttled,
  ServiceUnavailable,
  EndpointUnreachable,
  AccessDenied,
  Unauthenticated,
  InvalidRequest,
  MalformedResponse,
  UnknownServiceError,
  InvalidRef,
  InvalidOptions,
  InvalidQuery,
  InvalidFleetState,
  InvalidConfig,
  CancelNotSupported,
  OperationFailed,
  WaitTimeout,
  WaitAborted
])

/**
 * @since 0.2.0
 * @category models
 */
export type OpstatusErrorReason = typeof OpstatusErrorReason.Type

/**
 * The one error of opstatus. Match on `reason._tag` (or with
 * `Effect.catchReason("OpstatusError", "OperationFailed", ...)`), or on
 * `kind`; the service, ref, code, service message and request ID are on the
 * error itself.
 *
 * @since 0.2.0
 * @category errors
 */
export class OpstatusError extends Schema.TaggedError<OpstatusError>()("OpstatusError", {
  reason: OpstatusErrorReason
}) {
  readonly [TypeId] = TypeId

  override get message(): string {
    return this.reason.message
  }

  /** Whether trying again may help. */
  get isRetryable(): boolean {
    return this.reason.isRetryable
  }

  /** `request`, `input`, `operation`, `timeout` or `aborted`. */
  get kind(): ErrorKind {
    return this.reason.kind
  }

  /** The service's slug, where the error concerns one service. */
  get service(): string | undefined {
    return "service" in this.reason ? this.reason.service : undefined
  }

  /** The operation, where the error concerns one. */
  get ref(): RefId | undefined {
    return "ref" in this.reason ? this.reason.ref : undefined
  }

  /** The service's own error code (of the request, or of the failed operation). */
  get code(): string | undefined {
    return "code" in this.reason ? this.reason.code : undefined
  }

  /** The service's own message, verbatim but for credentials it quotes (`<redacted>`). */
  get serviceMessage(): string | undefined {
    return "serviceMessage" in this.reason ? this.reason.serviceMessage : undefined
  }

  /** The request ID AWS gave, where it gave one. */
  get requestId(): string | undefined {
    return "requestId" in this.reason ? this.reason.requestId : undefined
  }

  /** The failed operation, or the last snapshot a timed-out wait saw. */
  get operation(): Operation | undefined {
    const reason = this.reason
    if (reason._tag === "OperationFailed") return reason.operation
    if (reason._tag === "WaitTimeout") return reason.lastSeen
    return undefined
  }
}

/** `Predicate.hasProperty`, false for a value whose keys cannot be asked about (a revoked proxy). */
const hasKey = (u: unknown, key: PropertyKey): boolean => {
  try {
    return Predicate.hasProperty(u, key)
  } catch {
    return false
  }
}

/**
 * True for an `OpstatusError`.
 *
 * @since 0.2.0
 * @category guards
 */
export const isOpstatusError = (u: unknown): u is OpstatusError => hasKey(u, TypeId)

/**
 * True for one of the reasons of an `OpstatusError`.
 *
 * @since 0.2.0
 * @category guards
 */
export const isOpstatusErrorReason = (u: unknown): u is OpstatusErrorReason => hasKey(u, ReasonTypeId)

/**
 * True for an `OpstatusError` with the given reason.
 *
 * @since 0.2.0
 * @category guards
 */
export const hasReason = <Tag extends OpstatusErrorReason["_tag"]>(
  u: unknown,
  tag: Tag
): u is OpstatusError & { readonly reason: Extract<OpstatusErrorReason, { readonly _tag: Tag }> } =>
  isOpstatusError(u) && u.reason._tag === tag

// ---------------------------------------------------------------------------
// Constructors

/**
 * The request reasons, by tag.
 *
 * @since 0.2.0
 * @category models
 */
export type RequestReasonTag = RequestReason["_tag"]

const requestClasses = {
  OperationNotFound,
  Throttled,
  ServiceUnavailable,
  EndpointUnreachable,
  AccessDenied,
  Unauthenticated,
  InvalidRequest,
  MalformedResponse,
  UnknownServiceError
} as const

/**
 * What one failed request told: the fields of a request reason but its message.
 *
 * @since 0.2.0
 * @category models
 */
export interface RequestFailure {
  readonly service: string
  readonly code: string
  readonly serviceMessage: string
  readonly requestId?: string | undefined
  readonly httpStatus?: number | undefined
  readonly ref?: RefId | undefined
  /** The endpoint, when the request could not reach it. */
  readonly endpoint?: string | undefined
}

const requestMessage = (tag: RequestReasonTag, f: RequestFailure): string => {
  const about = f.ref === undefined ? "" : ` for ${formatRef(f.ref)}`
  switch (tag) {
    case "OperationNotFound":
      return f.ref === undefined
        ? `${f.service}: not found (${f.code}): ${f.serviceMessage}`
        : `Operation ${formatRef(f.ref)} was not found (${f.code}): ${f.serviceMessage}`
    case "AccessDenied":
      return `${f.service} denied access${about} (${f.code}): ${f.serviceMessage}`
    case "Unauthenticated":
      return `${f.service} could not authenticate the request${about}: no valid AWS credentials (${f.code}): ${f.serviceMessage}`
    case "Throttled":
      return `${f.service} throttled the request${about} (${f.code}): ${f.serviceMessage}`
    case "ServiceUnavailable":
      return `${f.service} did not answer${about} (${f.code}): ${f.serviceMessage}`
    case "EndpointUnreachable": {
      const where = f.endpoint === undefined ? "its endpoint" : f.endpoint
      const region = f.ref === undefined ? "" : ` in ${f.ref.region}`
      return (
        `${f.service} cannot be reached at ${where}${region}${about} (${f.code}): ${f.serviceMessage}. ` +
        "Check the region, the endpoint (AWS_ENDPOINT_URL and the client's endpoint) and the network"
      )
    }
    case "MalformedResponse":
      return `${f.service} answered${about} with a response opstatus cannot read (${f.code}): ${f.serviceMessage}`
    default:
      return `${f.service} request failed${about} (${f.code}): ${f.serviceMessage}`
  }
}

/**
 * The error of one failed request, with the standard message. What the
 * service said is kept verbatim but for credentials it quotes back (a
 * session token, a signature): those read `<redacted>`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const requestError = (tag: RequestReasonTag, given: RequestFailure): OpstatusError => {
  const Reason = requestClasses[tag]
  const failure: RequestFailure = {
    ...given,
    code: redactCredentials(given.code),
    serviceMessage: redactCredentials(given.serviceMessage),
    requestId: given.requestId === undefined ? undefined : redactCredentials(given.requestId)
  }
  return new OpstatusError({
    reason: new Reason({
      service: failure.service,
      code: failure.code,
      serviceMessage: failure.serviceMessage,
      ...(failure.ref === undefined ? {} : { ref: failure.ref }),
      ...(failure.requestId === undefined ? {} : { requestId: failure.requestId }),
      ...(failure.httpStatus === undefined ? {} : { httpStatus: failure.httpStatus }),
      ...(tag === "EndpointUnreachable" && failure.endpoint !== undefined
        ? { endpoint: failure.endpoint }
        : {}),
      message: requestMessage(tag, failure)
    } as never)
  })
}

/**
 * A request error about the given operation: the same reason, with the ref
 * and a message that names it.
 *
 * @since 0.2.0
 * @category constructors
 */
export const withRef = (error: OpstatusError, ref: RefId): OpstatusError => {
  const reason = error.reason
  if (reason.kind !== "request") return error
  const r = reason as RequestReason
  if (r.ref !== undefined) return error
  return requestError(r._tag, {
    service: r.service,
    code: r.code,
    serviceMessage: r.serviceMessage,
    requestId: r.requestId,
    httpStatus: r.httpStatus,
    ref: { service: ref.service, region: ref.region, id: ref.id },
    endpoint: r._tag === "EndpointUnreachable" ? r.endpoint : undefined
  })
}

/**
 * A response that lacks what it must carry, or carries it mistyped.
 *
 * @since 0.1.0
 * @category constructors
 */
export const malformedResponse = (
  service: string,
  serviceMessage: string,
  requestId?: string | undefined
): OpstatusError =>
  requestError("MalformedResponse", { service, code: "MalformedResponse", serviceMessage, requestId })

/**
 * A ref that cannot be read.
 *
 * @since 0.2.0
 * @category constructors
 */
export const invalidRef = (input: string, problem: string, service?: string): OpstatusError =>
  new OpstatusError({
    reason: new InvalidRef({
      input,
      problem,
      ...(service === undefined ? {} : { service }),
      message: `Invalid operation reference "${input}": ${problem}`
    })
  })

/**
 * A wait option that makes no sense.
 *
 * @since 0.2.0
 * @category constructors
 */
export const invalidOptions = (option: string, message: string): OpstatusError =>
  new OpstatusError({ reason: new InvalidOptions({ option, message }) })

/**
 * A list query its service cannot run.
 *
 * @since 0.2.0
 * @category constructors
 */
export const invalidQuery = (service: string, message: string): OpstatusError =>
  new OpstatusError({ reason: new InvalidQuery({ service, message: `${service} list query: ${message}` }) })

/**
 * A setting that makes no sense.
 *
 * @since 0.2.0
 * @category constructors
 */
export const invalidConfig = (setting: string, message: string): OpstatusError =>
  new OpstatusError({ reason: new InvalidConfig({ setting, message: `${setting}: ${message}` }) })

/**
 * A serialized fleet wait that cannot be resumed.
 *
 * @since 0.2.0
 * @category constructors
 */
export const invalidFleetState = (problem: string): OpstatusError =>
  new OpstatusError({
    reason: new InvalidFleetState({ message: `Cannot resume the fleet wait: ${problem}` })
  })

/**
 * A cancel its service cannot do.
 *
 * @since 0.3.0
 * @category constructors
 */
export const cancelNotSupported = (service: string, title: string, ref?: RefId): OpstatusError =>
  new OpstatusError({
    reason: new CancelNotSupported({
      service,
      ...(ref === undefined ? {} : { ref: { service: ref.service, region: ref.region, id: ref.id } }),
      message: `${title} operations cannot be cancelled: the service has no API to stop one${
        ref === undefined ? "" : ` (${ref.service}:${ref.region}:${ref.id})`
      }`
    })
  })

/**
 * The wait was stopped by its caller.
 *
 * @since 0.2.0
 * @category constructors
 */
export const waitAborted = (message: string, ref?: RefId): OpstatusError =>
  new OpstatusError({
    reason: new WaitAborted({
      message,
      ...(ref === undefined
        ? {}
        : { service: ref.service, ref: { service: ref.service, region: ref.region, id: ref.id } })
    })
  })

/**
 * The operation's own failure (or cancellation).
 *
 * @since 0.2.0
 * @category constructors
 */
export const operationFailed = (op: Operation): OpstatusError => {
  const code = op.error?.code
  const serviceMessage = redactCredentials(op.error?.message ?? `the operation ended ${op.rawStatus}`)
  const detail = op.error === undefined ? "" : `: ${code === undefined ? "" : `${code}: `}${serviceMessage}`
  return new OpstatusError({
    reason: new OperationFailed({
      service: op.ref.service,
      ref: { service: op.ref.service, region: op.ref.region, id: op.ref.id },
      operation: op,
      ...(code === undefined ? {} : { code }),
      serviceMessage,
      ...(op.requestId === undefined ? {} : { requestId: op.requestId }),
      message: redactCredentials(
        `Operation ${formatRef(op.ref)}${op.type === undefined ? "" : ` (${op.type})`} ${op.status}${detail}`
      )
    })
  })
}

/**
 * The deadline passed: the time really waited, the last snapshot and the last read error.
 *
 * @since 0.2.0
 * @category constructors
 */
export const waitTimeout = (options: {
  readonly ref: RefId
  readonly timeoutMillis: number
  readonly waitedMillis: number
  readonly lastSeen?: Operation | undefined
  readonly lastError?: OpstatusError | undefined
}): OpstatusError => {
  const { ref, lastSeen } = options
  const lastError =
    options.lastError !== undefined && options.lastError.reason.kind === "request"
      ? (options.lastError.reason as RequestReason)
      : undefined
  const waited = Duration.format(Duration.millis(Math.max(0, Math.round(options.waitedMillis))))
  return new OpstatusError({
    reason: new WaitTimeout({
      service: ref.service,
      ref: { service: ref.service, region: ref.region, id: ref.id },
      timeoutMillis: options.timeoutMillis,
      waitedMillis: options.waitedMillis,
      ...(lastSeen === undefined ? {} : { lastSeen }),
      ...(lastError === undefined ? {} : { lastError }),
      // The last status is the service's own text: what it quotes of the credentials is cut, as in its errors.
      message: redactCredentials(
        `Timed out after ${waited} waiting for ${formatRef(ref)}` +
          (lastSeen === undefined ? "" : `; last status ${lastSeen.rawStatus} (${lastSeen.status})`) +
          (lastError === undefined
            ? ""
            : `; last read failed with ${lastError.code}: ${lastError.serviceMessage}`)
      )
    })
  })
}
