/**
 * AWS Cloud Map / ServiceDiscovery (awsJson1_1, target prefix `Route53AutoNaming_v20170314`):
 * GetOperation, ListOperations with its filters and its page-then-filter paging, and the calls
 * that return an OperationId. Fields are PascalCase; timestamps are epoch seconds.
 */
import { ApiError, optionalInt, optionalString, requireString } from "./internal/apiError.js"
import { cloudMapNamespaceId, cloudMapOperationId } from "./internal/ids.js"
import { decodePageToken, encodePageToken } from "./internal/pageToken.js"
import {
  type CallContext,
  dispatch,
  epochSeconds,
  type Handlers,
  isVisible,
  type Json,
  type ServiceApi
} from "./internal/serviceApi.js"
import { type CloudMapDetail, type FailureReason, phaseAt, type SimOperation } from "./Lifecycle.js"
import type { CreateOperationInput } from "./Scenario.js"

/** The `X-Amz-Target` prefix of Cloud Map. */
export const CLOUD_MAP_TARGET_PREFIX = "Route53AutoNaming_v20170314"

/** The ErrorCode values the Cloud Map docs list, each with a matching ErrorMessage. */
export const CLOUD_MAP_FAILURES: readonly FailureReason[] = [
  {
    code: "ACCESS_DENIED",
    message: "The caller is not authorized to perform the Route 53 action this operation needs."
  },
  {
    code: "CANNOT_CREATE_HOSTED_ZONE",
    message: "Cloud Map could not create the Route 53 hosted zone for the namespace."
  },
  { code: "EXPIRED_TOKEN", message: "The security token included in the request is expired." },
  { code: "HOSTED_ZONE_NOT_FOUND", message: "The Route 53 hosted zone of the namespace was not found." },
  { code: "INTERNAL_FAILURE", message: "An internal failure occurred. Try the operation again." },
  {
    code: "INVALID_CHANGE_BATCH",
    message: "Route 53 rejected the change batch: a record set in it is not valid."
  },
  { code: "THROTTLED_REQUEST", message: "Route 53 throttled the request. Try the operation again later." }
]

const DEFAULT_MAX_RESULTS = 100

const statusOf = (phase: ReturnType<typeof phaseAt>["phase"]): string => {
  switch (phase) {
    case "queued":
      return "SUBMITTED"
    case "running":
      return "PENDING"
    case "succeeded":
      return "SUCCESS"
    case "failed":
      return "FAIL"
    // Cloud Map cannot cancel or roll back: these phases are never planned for it.
    case "cancelling":
    case "rollingBack":
      return "PENDING"
    case "cancelled":
    case "rolledBack":
    case "rollbackFailed":
      return "FAIL"
  }
}

const detailOf = (op: SimOperation): CloudMapDetail => {
  if (op.detail.kind !== "servicediscovery") throw new Error(`not a Cloud Map operation: ${op.id}`)
  return op.detail
}

const wire = (op: SimOperation, now: number): Json => {
  const { phase, at } = phaseAt(op, now)
  const out: Json = {
    Id: op.id,
    OwnerAccount: op.account,
    Type: op.type,
    Status: statusOf(phase),
    CreateDate: epochSeconds(op.createdAt),
    UpdateDate: epochSeconds(at),
    Targets: { ...detailOf(op).targets }
  }
  if (phase === "failed") {
    out.ErrorCode = op.failure.code
    out.ErrorMessage = op.failure.message
  }
  return out
}

const start = (
  ctx: CallContext,
  type: string,
  targets: Record<string, string>,
  namespaceId: string | undefined,
  overrides?: CreateOperationInput
): SimOperation => {
  const prng = ctx.sim.prng("servicediscovery")
  return ctx.sim.addOperation({
    service: "servicediscovery",
    now: ctx.now,
    account: ctx.account,
    region: ctx.region,
    id: cloudMapOperationId(prng),
    type,
    detail: { kind: "servicediscovery", targets, namespaceId },
    reasons: CLOUD_MAP_FAILURES,
    overrides
  })
}

type Predicate = (op: SimOperation, now: number) => boolean

const FILTER_NAMES = ["NAMESPACE_ID", "SERVICE_ID", "STATUS", "TYPE", "UPDATE_DATE"]

// Which conditions each filter accepts (from the ListOperations docs); BEGINS_WITH is in the model enum but never valid here.
const ALLOWED_CONDITIONS: Readonly<Record<string, readonly string[]>> = {
  NAMESPACE_ID: ["EQ"],
  SERVICE_ID: ["EQ"],
  STATUS: ["EQ", "IN"],
  TYPE: ["EQ", "IN"],
  UPDATE_DATE: ["BETWEEN"]
}

const parseFilter = (raw: unknown): Predicate => {
  if (typeof raw !== "object" || raw === null)
    throw new ApiError("validation", "Each filter must be an object.")
  const filter = raw as Json
  const name = filter.Name
  if (typeof name !== "string" || !FILTER_NAMES.includes(name)) {
    throw new ApiError("validation", `Filter Name must be one of ${FILTER_NAMES.join(", ")}.`)
  }
  const values = filter.Values
  if (!Array.isArray(values) || !values.every((v) => typeof v === "string")) {
    throw new ApiError("validation", `Filter ${name}: Values must be a list of strings.`)
  }
  const condition = filter.Condition ?? "EQ"
  if (typeof condition !== "string" || !ALLOWED_CONDITIONS[name]!.includes(condition)) {
    throw new ApiError("validation", `Filter ${name} does not support the condition ${String(condition)}.`)
  }
  const list = values as string[]
  if (condition === "EQ" && list.length !== 1) {
    throw new ApiError("validation", `Filter ${name} with condition EQ takes exactly one value.`)
  }
  if (condition === "IN" && list.length < 1) {
    throw new ApiError("validation", `Filter ${name} with condition IN takes one or more values.`)
  }
  if (condition === "BETWEEN") {
    const bounds = list.map(Number)
    if (bounds.length !== 2 || bounds.some((b) => !Number.isFinite(b)) || bounds[0]! > bounds[1]!) {
      throw new ApiError(
        "validation",
        `Filter ${name} with condition BETWEEN takes two epoch-second values, the start first.`
      )
    }
    const [from, to] = bounds as [number, number]
    return (op, now) => {
      const updated = phaseAt(op, now).at / 1000
      return updated >= from && updated <= to
    }
  }
  switch (name) {
    case "NAMESPACE_ID":
      return (op) => detailOf(op).namespaceId === list[0]
    case "SERVICE_ID":
      return (op) => detailOf(op).targets.SERVICE === list[0]
    case "STATUS":
      return (op, now) => list.includes(statusOf(phaseAt(op, now).phase))
    default:
      return (op) => list.includes(op.type)
  }
}

const HANDLERS: Handlers = {
  GetOperation: (input, ctx) => {
    const id = requireString(input, "OperationId")
    const op = ctx.sim.store.find("servicediscovery", ctx.account, ctx.region, id)
    if (op === undefined || !isVisible(op, ctx.now)) {
      throw new ApiError("notFound", `No operation exists with the specified ID: ${id}`)
    }
    return { Operation: wire(op, ctx.now) }
  },
  ListOperations: (input, ctx) => {
    const max = optionalInt(input, "MaxResults", 1, 100) ?? DEFAULT_MAX_RESULTS
    const token = optionalString(input, "NextToken")
    const offset = token === undefined ? 0 : decodePageToken("operations", token)
    if (offset === undefined) throw new ApiError("validation", "The NextToken is not valid.")
    const rawFilters = input.Filters ?? []
    if (!Array.isArray(rawFilters)) throw new ApiError("validation", "Filters must be a list.")
    const predicates = rawFilters.map(parseFilter)
    const all = ctx.sim.store
      .list("servicediscovery", ctx.account, ctx.region)
      .filter((op) => isVisible(op, ctx.now))
    // The service takes MaxResults operations first and filters them after, so a page can be empty yet carry NextToken.
    const window = all.slice(offset, offset + max)
    const out: Json = {
      Operations: window
        .filter((op) => predicates.every((p) => p(op, ctx.now)))
        .map((op) => ({ Id: op.id, Status: statusOf(phaseAt(op, ctx.now).phase) }))
    }
    if (offset + max < all.length) out.NextToken = encodePageToken("operations", offset + max)
    return out
  },
  CreateHttpNamespace: (input, ctx) => {
    requireString(input, "Name")
    optionalString(input, "CreatorRequestId")
    const namespaceId = cloudMapNamespaceId(ctx.sim.prng("servicediscovery"))
    return { OperationId: start(ctx, "CREATE_NAMESPACE", { NAMESPACE: namespaceId }, namespaceId).id }
  },
  DeleteNamespace: (input, ctx) => {
    const id = requireString(input, "Id")
    return { OperationId: start(ctx, "DELETE_NAMESPACE", { NAMESPACE: id }, id).id }
  },
  RegisterInstance: (input, ctx) => {
    const serviceId = requireString(input, "ServiceId")
    const instanceId = requireString(input, "InstanceId")
    const attributes = input.Attributes
    if (typeof attributes !== "object" || attributes === null || Array.isArray(attributes)) {
      throw new ApiError("validation", 'Missing or invalid required parameter: "Attributes" must be a map.')
    }
    optionalString(input, "CreatorRequestId")
    return {
      OperationId: start(ctx, "REGISTER_INSTANCE", { INSTANCE: instanceId, SERVICE: serviceId }, undefined).id
    }
  },
  DeregisterInstance: (input, ctx) => {
    const serviceId = requireString(input, "ServiceId")
    const instanceId = requireString(input, "InstanceId")
    return {
      OperationId: start(ctx, "DEREGISTER_INSTANCE", { INSTANCE: instanceId, SERVICE: serviceId }, undefined)
        .id
    }
  },
  UpdateService: (input, ctx) => {
    const serviceId = requireString(input, "Id")
    const service = input.Service
    if (typeof service !== "object" || service === null || Array.isArray(service)) {
      throw new ApiError("validation", 'Missing or invalid required parameter: "Service" must be an object.')
    }
    return { OperationId: start(ctx, "UPDATE_SERVICE", { SERVICE: serviceId }, undefined).id }
  }
}

/** The Cloud Map service. */
export const cloudMapApi: ServiceApi = {
  service: "servicediscovery",
  ...dispatch(HANDLERS),
  create: (input, ctx) => {
    const type = input.type ?? "CREATE_NAMESPACE"
    // Drawn whatever the type and whether a namespace id is given, so neither shifts the ids after it.
    const drawnNamespace = cloudMapNamespaceId(ctx.sim.prng("servicediscovery"))
    const targets: Record<string, string> = {}
    if (type.endsWith("_NAMESPACE")) {
      targets.NAMESPACE = input.namespaceId ?? drawnNamespace
    } else if (type.endsWith("_INSTANCE")) {
      targets.INSTANCE = input.instanceId ?? input.resourceName ?? "instance-1"
      targets.SERVICE = input.serviceId ?? "srv-emulator"
    } else {
      targets.SERVICE = input.serviceId ?? input.resourceName ?? "srv-emulator"
    }
    return start(ctx, type, targets, input.namespaceId ?? targets.NAMESPACE, input)
  },
  wire
}
