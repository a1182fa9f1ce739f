/**
 * AWS Cloud Control API (awsJson1_0, target prefix `CloudApiService`, signing name
 * `cloudcontrolapi`): CreateResource, UpdateResource and DeleteResource start a resource request
 * and answer its first `ProgressEvent`; GetResourceRequestStatus reads it again;
 * ListResourceRequests pages the region's requests, filtered by operation and status before paging;
 * CancelResourceRequest stops one that is `PENDING` or `IN_PROGRESS` (`CANCEL_IN_PROGRESS`, then
 * `CANCEL_COMPLETE`). A failed request carries a handler `ErrorCode` and a `StatusMessage`. Fields
 * are PascalCase; timestamps are epoch seconds. No hooks are invoked: `HooksProgressEvent` is
 * absent.
 *
 * `RetryAfter` (on requests still in flight) is a few simulated seconds ahead, written as the real
 * instant at which that simulated one comes: it tells a client when to call again, and a client
 * waits on its own clock.
 */
import { ApiError, optionalInt, optionalString, requireString } from "./internal/apiError.js"
import { uuidFrom } from "./internal/ids.js"
import { decodePageToken, encodePageToken } from "./internal/pageToken.js"
import type { Prng } from "./internal/prng.js"
import {
  type CallContext,
  dispatch,
  epochSeconds,
  type Handlers,
  isVisible,
  type Json,
  type ServiceApi
} from "./internal/serviceApi.js"
import {
  cancelOperation,
  type FailureReason,
  isTerminalPhase,
  type Phase,
  phaseAt,
  type SimOperation
} from "./Lifecycle.js"
import { type CreateOperationInput, ScenarioError } from "./Scenario.js"

/** The `X-Amz-Target` prefix of Cloud Control. */
export const CLOUD_CONTROL_TARGET_PREFIX = "CloudApiService"

/** Handler error codes (the model's `HandlerErrorCode`) a failed request reports, each with a message. */
export const CLOUD_CONTROL_FAILURES: readonly FailureReason[] = [
  { code: "AlreadyExists", message: "The resource already exists: its primary identifier is taken." },
  { code: "NotFound", message: "The resource was not found." },
  {
    code: "InvalidRequest",
    message: "Model validation failed: the desired state has a property that is not valid."
  },
  { code: "AccessDenied", message: "The handler's credentials are not authorized for the action." },
  { code: "ServiceLimitExceeded", message: "A limit of the resource's service was reached." },
  { code: "NotStabilized", message: "Exceeded attempts to wait for the resource to stabilize." },
  { code: "GeneralServiceException", message: "The resource's service answered an error." },
  { code: "InternalFailure", message: "The handler failed with an internal error." }
]

/** How long a cancel takes, simulated: `CANCEL_IN_PROGRESS`, then `CANCEL_COMPLETE`. */
export const CANCEL_MS = 3_000

/** How far ahead `RetryAfter` asks to be called again, simulated. */
export const RETRY_AFTER_MS = 5_000

/** The operations a request can be. */
const OPERATIONS = ["CREATE", "UPDATE", "DELETE"] as const

const STATUSES = ["PENDING", "IN_PROGRESS", "SUCCESS", "FAILED", "CANCEL_IN_PROGRESS", "CANCEL_COMPLETE"]

const DEFAULT_MAX_RESULTS = 20

// The model's patterns: a RequestToken, and a resource type's name (`AWS::Logs::LogGroup`, a module's `::MODULE`).
const TOKEN = /^[-A-Za-z0-9+/=]{1,128}$/
const TYPE_NAME = /^[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}(::MODULE)?$/

/** What a request keeps in its `detail.fields`. */
interface RequestFields {
  readonly typeName: string
  readonly identifier: string
  /** The model of a created resource, as its ResourceModel once the request succeeded. */
  readonly resourceModel: string | undefined
  readonly clientToken: string | undefined
}

const statusOf = (phase: Phase): string => {
  switch (phase) {
    case "queued":
      return "PENDING"
    case "running":
      return "IN_PROGRESS"
    case "succeeded":
      return "SUCCESS"
    case "failed":
      return "FAILED"
    case "cancelling":
      return "CANCEL_IN_PROGRESS"
    case "cancelled":
      return "CANCEL_COMPLETE"
    // Cloud Control does not roll a request back: these phases are never planned for it.
    case "rollingBack":
      return "IN_PROGRESS"
    case "rolledBack":
    case "rollbackFailed":
      return "FAILED"
  }
}

const fieldsOf = (op: SimOperation): RequestFields => {
  if (op.detail.kind !== "cloudcontrol") throw new Error(`not a Cloud Control request: ${op.id}`)
  return op.detail.fields as unknown as RequestFields
}

/** The request's ProgressEvent at a simulated instant, without RetryAfter. */
const wire = (op: SimOperation, now: number): Json => {
  const { phase, at } = phaseAt(op, now)
  const fields = fieldsOf(op)
  const out: Json = {
    TypeName: fields.typeName,
    RequestToken: op.id,
    Operation: op.type,
    OperationStatus: statusOf(phase),
    EventTime: epochSeconds(at)
  }
  // A resource being created has no identifier until its handler has made it.
  if (op.type !== "CREATE" || phase !== "queued") out.Identifier = fields.identifier
  if (phase === "succeeded" && fields.resourceModel !== undefined) out.ResourceModel = fields.resourceModel
  if (phase === "failed") {
    out.ErrorCode = op.failure.code
    out.StatusMessage = op.failure.message
  }
  if (phase === "cancelled") out.StatusMessage = "The resource request was cancelled."
  return out
}

/** The real instant a simulated one comes at. */
const realAt = (ctx: CallContext, simulated: number): number => ctx.sim.toReal(simulated)

/** The ProgressEvent a call answers: with RetryAfter while the request is in flight. */
const progressEvent = (op: SimOperation, ctx: CallContext): Json => {
  const out = wire(op, ctx.now)
  if (!isTerminalPhase(phaseAt(op, ctx.now).phase)) {
    out.RetryAfter = epochSeconds(Math.round(realAt(ctx, ctx.now + RETRY_AFTER_MS)))
  }
  return out
}

/** An identifier for a resource a CREATE makes (its physical ID). */
const drawIdentifier = (prng: Prng, typeName: string): string => {
  const name = typeName.split("::")[2]?.toLowerCase() ?? "resource"
  return `${name}-${uuidFrom(prng).slice(0, 8)}`
}

const start = (
  ctx: CallContext,
  type: (typeof OPERATIONS)[number],
  fields: Omit<RequestFields, "identifier"> & { readonly identifier: string | undefined },
  overrides?: CreateOperationInput
): SimOperation => {
  const prng = ctx.sim.prng("cloudcontrol")
  // Both drawn whatever is given, so a given identifier never shifts the tokens after it.
  const id = uuidFrom(prng)
  const drawn = drawIdentifier(prng, fields.typeName)
  return ctx.sim.addOperation({
    service: "cloudcontrol",
    now: ctx.now,
    account: ctx.account,
    region: ctx.region,
    id,
    type,
    detail: { kind: "cloudcontrol", fields: { ...fields, identifier: fields.identifier ?? drawn } },
    reasons: CLOUD_CONTROL_FAILURES,
    overrides
  })
}

const visible = (ctx: CallContext): SimOperation[] =>
  ctx.sim.store.list("cloudcontrol", ctx.account, ctx.region).filter((op) => isVisible(op, ctx.now))

const requireToken = (input: Json): string => {
  const token = requireString(input, "RequestToken")
  if (!TOKEN.test(token)) {
    throw new ApiError("validation", "RequestToken must match [-A-Za-z0-9+/=]+ and be at most 128 long.")
  }
  return token
}

const requireTypeName = (input: Json): string => {
  const typeName = requireString(input, "TypeName")
  if (!TYPE_NAME.test(typeName)) {
    throw new ApiError(
      "validation",
      `TypeName ${typeName} is not a resource type name (like AWS::Logs::LogGroup).`
    )
  }
  return typeName
}

/** A JSON document of the wanted shape, or InvalidRequestException. */
const requireJson = (input: Json, key: string, shape: "object" | "array"): string => {
  const text = requireString(input, key)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new ApiError("validation", `${key} is not valid JSON.`)
  }
  const fits =
    shape === "array"
      ? Array.isArray(value)
      : typeof value === "object" && value !== null && !Array.isArray(value)
  if (!fits) throw new ApiError("validation", `${key} must be a JSON ${shape}.`)
  return text
}

/** The request a token names, visible to the caller, or RequestTokenNotFoundException. */
const findRequest = (ctx: CallContext, token: string): SimOperation => {
  const op = ctx.sim.store.find("cloudcontrol", ctx.account, ctx.region, token)
  if (op === undefined || !isVisible(op, ctx.now)) {
    throw new ApiError("notFound", `Request with token ${token} was not found.`)
  }
  return op
}

/** The request an earlier call with the same ClientToken started, if any. */
const byClientToken = (ctx: CallContext, clientToken: string | undefined): SimOperation | undefined =>
  clientToken === undefined
    ? undefined
    : ctx.sim.store
        .list("cloudcontrol", ctx.account, ctx.region)
        .find((op) => fieldsOf(op).clientToken === clientToken)

/** ConcurrentOperationException when another request is still acting on the resource. */
const checkNoRequestInFlight = (ctx: CallContext, typeName: string, identifier: string): void => {
  const busy = visible(ctx).find((op) => {
    const fields = fieldsOf(op)
    return (
      fields.typeName === typeName &&
      fields.identifier === identifier &&
      !isTerminalPhase(phaseAt(op, ctx.now).phase)
    )
  })
  if (busy !== undefined) {
    throw new ApiError(
      "conflict",
      `Another resource request (${busy.id}) is in progress for ${typeName} ${identifier}.`
    )
  }
}

const HANDLERS: Handlers = {
  CreateResource: (input, ctx) => {
    const typeName = requireTypeName(input)
    const desiredState = requireJson(input, "DesiredState", "object")
    const clientToken = optionalString(input, "ClientToken")
    optionalString(input, "TypeVersionId")
    optionalString(input, "RoleArn")
    // A retry with the same ClientToken is the same request.
    const earlier = byClientToken(ctx, clientToken)
    if (earlier !== undefined) return { ProgressEvent: progressEvent(earlier, ctx) }
    const op = start(ctx, "CREATE", {
      typeName,
      identifier: undefined,
      resourceModel: desiredState,
      clientToken
    })
    return { ProgressEvent: progressEvent(op, ctx) }
  },
  UpdateResource: (input, ctx) => {
    const typeName = requireTypeName(input)
    const identifier = requireString(input, "Identifier")
    requireJson(input, "PatchDocument", "array")
    const clientToken = optionalString(input, "ClientToken")
    optionalString(input, "TypeVersionId")
    optionalString(input, "RoleArn")
    const earlier = byClientToken(ctx, clientToken)
    if (earlier !== undefined) return { ProgressEvent: progressEvent(earlier, ctx) }
    checkNoRequestInFlight(ctx, typeName, identifier)
    const op = start(ctx, "UPDATE", { typeName, identifier, resourceModel: undefined, clientToken })
    return { ProgressEvent: progressEvent(op, ctx) }
  },
  DeleteResource: (input, ctx) => {
    const typeName = requireTypeName(input)
    const identifier = requireString(input, "Identifier")
    const clientToken = optionalString(input, "ClientToken")
    optionalString(input, "TypeVersionId")
    optionalString(input, "RoleArn")
    const earlier = byClientToken(ctx, clientToken)
    if (earlier !== undefined) return { ProgressEvent: progressEvent(earlier, ctx) }
    checkNoRequestInFlight(ctx, typeName, identifier)
    const op = start(ctx, "DELETE", { typeName, identifier, resourceModel: undefined, clientToken })
    return { ProgressEvent: progressEvent(op, ctx) }
  },
  GetResourceRequestStatus: (input, ctx) => ({
    ProgressEvent: progressEvent(findRequest(ctx, requireToken(input)), ctx)
  }),
  CancelResourceRequest: (input, ctx) => {
    const op = findRequest(ctx, requireToken(input))
    if (!cancelOperation(op, ctx.now, CANCEL_MS)) {
      const status = statusOf(phaseAt(op, ctx.now).phase)
      // The model's one refusal of a cancel, a 500 (the `internal` kind's status).
      throw new ApiError(
        "internal",
        `Request ${op.id} is ${status}: only a PENDING or IN_PROGRESS request can be cancelled.`,
        "ConcurrentModificationException"
      )
    }
    return { ProgressEvent: progressEvent(op, ctx) }
  },
  ListResourceRequests: (input, ctx) => {
    const max = optionalInt(input, "MaxResults", 1, 100) ?? DEFAULT_MAX_RESULTS
    const token = optionalString(input, "NextToken")
    const offset = token === undefined ? 0 : decodePageToken("resourceRequests", token)
    if (offset === undefined) throw new ApiError("validation", "The NextToken is not valid.")
    const filter = input.ResourceRequestStatusFilter ?? {}
    if (typeof filter !== "object" || filter === null || Array.isArray(filter)) {
      throw new ApiError("validation", "ResourceRequestStatusFilter must be an object.")
    }
    const listed = (key: string, allowed: readonly string[]): readonly string[] | undefined => {
      const values = (filter as Json)[key]
      if (values === undefined || values === null) return undefined
      if (!Array.isArray(values) || !values.every((v) => typeof v === "string" && allowed.includes(v))) {
        throw new ApiError(
          "validation",
          `ResourceRequestStatusFilter.${key} must list values of ${allowed.join(", ")}.`
        )
      }
      return values as string[]
    }
    const operations = listed("Operations", OPERATIONS)
    const statuses = listed("OperationStatuses", STATUSES)
    // Filtered first, then paged: a page is full unless it is the last.
    const matching = visible(ctx).filter(
      (op) =>
        (operations === undefined || operations.includes(op.type)) &&
        (statuses === undefined || statuses.includes(statusOf(phaseAt(op, ctx.now).phase)))
    )
    const out: Json = {
      ResourceRequestStatusSummaries: matching.slice(offset, offset + max).map((op) => progressEvent(op, ctx))
    }
    if (offset + max < matching.length) out.NextToken = encodePageToken("resourceRequests", offset + max)
    return out
  }
}

/** The Cloud Control service. */
export const cloudControlApi: ServiceApi = {
  service: "cloudcontrol",
  json: { targetPrefix: CLOUD_CONTROL_TARGET_PREFIX, contentType: "application/x-amz-json-1.0" },
  errors: {
    validation: { name: "InvalidRequestException", status: 400 },
    // The API reference answers it with 400 (the model's httpError says 404); the SDK picks the class by name.
    notFound: { name: "RequestTokenNotFoundException", status: 400 },
    accessDenied: { name: "AccessDeniedException", status: 403 },
    throttling: { name: "ThrottlingException", status: 400 },
    internal: { name: "ServiceInternalErrorException", status: 500 },
    unavailable: { name: "ServiceInternalErrorException", status: 503 },
    unknownOperation: { name: "UnknownOperationException", status: 400 },
    tooLarge: { name: "InvalidRequestException", status: 413 },
    conflict: { name: "ConcurrentOperationException", status: 409 }
  },
  ...dispatch(HANDLERS),
  create: (input, ctx) => {
    const type = input.type === undefined ? "CREATE" : OPERATIONS.find((op) => op === input.type)
    if (type === undefined) {
      throw new ScenarioError(
        `operation.type: a Cloud Control request is ${OPERATIONS.join(", ")}, not ${input.type}`
      )
    }
    const typeName = input.typeName ?? "AWS::Logs::LogGroup"
    return start(
      ctx,
      type,
      { typeName, identifier: input.identifier, resourceModel: undefined, clientToken: undefined },
      input
    )
  },
  wire
}
