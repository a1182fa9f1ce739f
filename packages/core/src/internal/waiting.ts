/**
 * What the single-operation waiter and the fleet engine share: how a ref is
 * resolved to its source, how a request error becomes the public error, how
 * a failed operation becomes `OperationFailedError`, how a timeout is told,
 * and the warning for a status opstatus does not know. One definition of
 * each, so the two waiting paths classify exactly alike.
 */
import { Duration, Effect } from "effect"
import { isOperation, type Operation } from "../Operation.js"
import {
  AccessDeniedError,
  type GetError,
  OperationFailedError,
  OperationNotFoundError,
  ServiceError,
  type SourceError,
  WaitTimeoutError
} from "../OperationError.js"
import { formatRef, type OperationRef, toRef } from "../OperationRef.js"
import { OperationSources } from "../OperationSource.js"

/** What a wait accepts: a ref string, a ref, or an operation snapshot. */
export type WaitInput = string | OperationRef | Operation

/** Request errors that waiting absorbs. */
export const retryableReasons: ReadonlySet<string> = new Set(["throttled", "transient", "malformed"])

/** A malformed response is retried this many times in a row before it fails the wait. */
export const malformedLimit = 3

const warned = new Set<string>()

/** Logs an unknown raw status once per service and value. */
export const warnUnknownStatus = (op: Operation): Effect.Effect<void> => {
  const key = `${op.ref.service}:${op.rawStatus}`
  if (op.status !== "unknown" || warned.has(key)) return Effect.void
  warned.add(key)
  return Effect.logWarning(
    `${op.ref.service} reported status "${op.rawStatus}", which opstatus does not know; ` +
      "it never counts as success, and ends a wait only if the service itself marks the operation terminal"
  )
}

/** The ref as errors carry it: no hints. */
export const refOf = (ref: OperationRef) => ({ service: ref.service, region: ref.region, id: ref.id })

/** Turns a request error into the public error; without a ref (a list call), not found is a `ServiceError`. */
export const publicErrorOf = (error: SourceError, ref?: OperationRef): GetError => {
  const service = ref?.service ?? error.service
  const refField = ref === undefined ? {} : { ref: refOf(ref) }
  const common = {
    code: error.code,
    serviceMessage: error.message,
    ...(error.requestId === undefined ? {} : { requestId: error.requestId })
  }
  const status = error.httpStatus === undefined ? {} : { httpStatus: error.httpStatus }
  if (error.reason === "not-found" && ref !== undefined) {
    return new OperationNotFoundError({
      ...common,
      ref: refOf(ref),
      message: `Operation ${formatRef(ref)} was not found: ${error.code}: ${error.message}`
    })
  }
  switch (error.reason) {
    case "denied":
    case "unauthenticated":
      return new AccessDeniedError({
        ...common,
        ...refField,
        ...status,
        service,
        message:
          error.reason === "denied"
            ? `${service} denied access (${error.code}): ${error.message}`
            : `${service} could not authenticate the request: no valid AWS credentials (${error.code}): ${error.message}`
      })
    default:
      return new ServiceError({
        ...common,
        ...refField,
        ...status,
        service,
        reason: error.reason,
        message: `${service} request failed (${error.code}): ${error.message}`
      })
  }
}

/** Turns a poll error that waiting cannot fix into the public error. */
export const toPublicError = (ref: OperationRef, error: SourceError): GetError => publicErrorOf(error, ref)

/** The operation's own failure as `OperationFailedError`. */
export const failureOf = (op: Operation): OperationFailedError => {
  const reason =
    op.error === undefined
      ? ""
      : `: ${op.error.code === undefined ? "" : `${op.error.code}: `}${op.error.message}`
  return new OperationFailedError({
    operation: op,
    ...(op.error?.code === undefined ? {} : { code: op.error.code }),
    message: `Operation ${formatRef(op.ref)}${op.type === undefined ? "" : ` (${op.type})`} ${op.status}${reason}`
  })
}

/** The deadline passed: carries the last operation seen and the last poll error. */
export const timeoutError = (
  ref: OperationRef,
  timeoutMillis: number,
  last: Operation | undefined,
  lastError: SourceError | undefined
): WaitTimeoutError =>
  new WaitTimeoutError({
    ref: refOf(ref),
    timeoutMillis,
    ...(last === undefined ? {} : { lastSeen: last }),
    ...(lastError === undefined ? {} : { lastError: { code: lastError.code, message: lastError.message } }),
    message:
      `Timed out after ${Duration.format(Duration.millis(timeoutMillis))} waiting for ${formatRef(ref)}` +
      (last === undefined ? "" : `; last status ${last.rawStatus} (${last.status})`) +
      (lastError === undefined ? "" : `; last poll failed with ${lastError.code}: ${lastError.message}`)
  })

/** Checks an input and finds its source; no request is made. */
export const resolveInput = Effect.fnUntraced(function* (input: WaitInput) {
  const snapshot = isOperation(input) ? input : undefined
  const ref = yield* toRef(snapshot === undefined ? (input as string | OperationRef) : snapshot.ref)
  const sources = yield* OperationSources
  const source = yield* sources.sourceFor(ref)
  return { ref, source, snapshot }
})
