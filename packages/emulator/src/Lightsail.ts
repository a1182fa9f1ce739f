/**
 * Amazon Lightsail (awsJson1_1, target prefix `Lightsail_20161128`): the operation readers and a few
 * mutating calls that start operations. Fields are camelCase; timestamps are epoch seconds.
 */
import { ApiError, optionalString, requireString } from "./internal/apiError.js"
import { uuidFrom } from "./internal/ids.js"
import { ownValue } from "./internal/lookup.js"
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
import { type FailureReason, type LightsailDetail, phaseAt, type SimOperation } from "./Lifecycle.js"
import type { CreateOperationInput } from "./Scenario.js"

/** The `X-Amz-Target` prefix of Lightsail. */
export const LIGHTSAIL_TARGET_PREFIX = "Lightsail_20161128"

/**
 * Operation types that end in `Completed` rather than `Succeeded`: those that provision an instance,
 * disk or database from a blueprint or snapshot. Every other type ends in `Succeeded`.
 */
export const LIGHTSAIL_COMPLETED_TYPES: ReadonlySet<string> = new Set([
  "CreateInstance",
  "CreateInstancesFromSnapshot",
  "CreateDiskFromSnapshot",
  "CreateRelationalDatabase",
  "CreateRelationalDatabaseFromSnapshot"
])

const FAILURES: readonly FailureReason[] = [
  {
    code: "InsufficientCapacity",
    message:
      "There is not enough capacity to fulfill your request in this Availability Zone. Try again later or choose a different Availability Zone."
  },
  { code: "InternalFailure", message: "The operation failed because of an internal error. Try again later." },
  {
    code: "ResourceLimitExceeded",
    message: "You have reached the maximum number of resources of this type in this Region."
  }
]

const PAGE_SIZE = 200

const RESOURCE_TYPES: Readonly<Record<string, string>> = {
  AllocateStaticIp: "StaticIp",
  AttachStaticIp: "StaticIp",
  DetachStaticIp: "StaticIp",
  ReleaseStaticIp: "StaticIp",
  PutAlarm: "Alarm",
  DeleteAlarm: "Alarm",
  TestAlarm: "Alarm",
  CreateDisk: "Disk",
  CreateDiskFromSnapshot: "Disk",
  DeleteDisk: "Disk",
  AttachDisk: "Disk",
  DetachDisk: "Disk",
  CreateDiskSnapshot: "DiskSnapshot",
  CreateInstanceSnapshot: "InstanceSnapshot",
  CreateBucket: "Bucket",
  DeleteBucket: "Bucket",
  CreateLoadBalancer: "LoadBalancer",
  DeleteLoadBalancer: "LoadBalancer",
  CreateRelationalDatabase: "RelationalDatabase",
  DeleteRelationalDatabase: "RelationalDatabase",
  CreateDomain: "Domain",
  DeleteDomain: "Domain",
  CreateKeyPair: "KeyPair",
  DeleteKeyPair: "KeyPair",
  CreateDistribution: "Distribution",
  DeleteDistribution: "Distribution",
  CreateContainerService: "ContainerService",
  DeleteContainerService: "ContainerService"
}

/** Lightsail's resource type for an operation type (Instance when it cannot tell). */
export const lightsailResourceType = (operationType: string): string =>
  ownValue(RESOURCE_TYPES, operationType) ?? "Instance"

/** The wire status of a phase for an operation type. */
const statusOf = (type: string, phase: ReturnType<typeof phaseAt>["phase"]): string => {
  switch (phase) {
    case "queued":
      return "NotStarted"
    case "running":
      return "Started"
    case "succeeded":
      return LIGHTSAIL_COMPLETED_TYPES.has(type) ? "Completed" : "Succeeded"
    case "failed":
      return "Failed"
    // Lightsail cannot cancel or roll back: these phases are never planned for it.
    case "cancelling":
    case "rollingBack":
      return "Started"
    case "cancelled":
    case "rolledBack":
    case "rollbackFailed":
      return "Failed"
  }
}

const detailOf = (op: SimOperation): LightsailDetail => {
  if (op.detail.kind !== "lightsail") throw new Error(`not a Lightsail operation: ${op.id}`)
  return op.detail
}

const wire = (op: SimOperation, now: number): Json => {
  const detail = detailOf(op)
  const { phase, at } = phaseAt(op, now)
  const out: Json = {
    id: op.id,
    resourceName: detail.resourceName,
    resourceType: detail.resourceType,
    createdAt: epochSeconds(op.createdAt),
    location: { availabilityZone: detail.availabilityZone, regionName: op.region },
    isTerminal: phase === "succeeded" || phase === "failed",
    operationDetails: detail.operationDetails,
    operationType: op.type,
    status: statusOf(op.type, phase),
    statusChangedAt: epochSeconds(at)
  }
  if (phase === "failed") {
    out.errorCode = op.failure.code
    out.errorDetails = op.failure.message
  }
  return out
}

interface NewOp {
  readonly type: string
  readonly resourceName: string
  readonly resourceType?: string
  readonly availabilityZone: string
  readonly operationDetails?: string
}

const start = (ctx: CallContext, spec: NewOp, overrides?: CreateOperationInput): SimOperation => {
  const prng = ctx.sim.prng("lightsail")
  return ctx.sim.addOperation({
    service: "lightsail",
    now: ctx.now,
    account: ctx.account,
    region: ctx.region,
    id: uuidFrom(prng),
    type: spec.type,
    detail: {
      kind: "lightsail",
      resourceName: spec.resourceName,
      resourceType: spec.resourceType ?? lightsailResourceType(spec.type),
      availabilityZone: spec.availabilityZone,
      operationDetails: spec.operationDetails ?? ""
    },
    reasons: FAILURES,
    overrides
  })
}

const page = (ctx: CallContext, all: readonly SimOperation[], list: string, input: Json): Json => {
  const token = optionalString(input, "pageToken")
  const offset = token === undefined ? 0 : decodePageToken(list, token)
  if (offset === undefined) throw new ApiError("validation", "The pageToken is not valid.")
  const items = all.slice(offset, offset + PAGE_SIZE)
  const out: Json = { operations: items.map((op) => wire(op, ctx.now)) }
  const rest = all.length - (offset + PAGE_SIZE)
  if (rest > 0) {
    out.nextPageToken = encodePageToken(list, offset + PAGE_SIZE)
    if (list.startsWith("resource:")) out.nextPageCount = String(Math.ceil(rest / PAGE_SIZE))
  }
  return out
}

const visibleOps = (ctx: CallContext): SimOperation[] =>
  ctx.sim.store.list("lightsail", ctx.account, ctx.region).filter((op) => isVisible(op, ctx.now))

const operations = (ops: readonly SimOperation[], ctx: CallContext): Json => ({
  operations: ops.map((op) => wire(op, ctx.now))
})

const HANDLERS: Handlers = {
  GetOperation: (input, ctx) => {
    const id = requireString(input, "operationId")
    const op = ctx.sim.store.find("lightsail", ctx.account, ctx.region, id)
    if (op === undefined || !isVisible(op, ctx.now)) {
      throw new ApiError("notFound", `The operation with id "${id}" does not exist.`)
    }
    return { operation: wire(op, ctx.now) }
  },
  GetOperations: (input, ctx) => page(ctx, visibleOps(ctx), "operations", input),
  GetOperationsForResource: (input, ctx) => {
    const name = requireString(input, "resourceName")
    const ops = visibleOps(ctx).filter((op) => detailOf(op).resourceName === name)
    return page(ctx, ops, `resource:${name}`, input)
  },
  AllocateStaticIp: (input, ctx) =>
    operations(
      [
        start(ctx, {
          type: "AllocateStaticIp",
          resourceName: requireString(input, "staticIpName"),
          availabilityZone: "all"
        })
      ],
      ctx
    ),
  CreateInstances: (input, ctx) => {
    const names = input.instanceNames
    if (
      !Array.isArray(names) ||
      names.length === 0 ||
      !names.every((n) => typeof n === "string" && n !== "")
    ) {
      throw new ApiError(
        "validation",
        'Missing or invalid required parameter: "instanceNames" must be a non-empty list of names.'
      )
    }
    const availabilityZone = requireString(input, "availabilityZone")
    requireString(input, "bundleId")
    // Required in the installed SDK model (the wire notes list it as optional).
    const blueprintId = requireString(input, "blueprintId")
    return operations(
      (names as string[]).map((name) =>
        start(ctx, {
          type: "CreateInstance",
          resourceName: name,
          availabilityZone,
          operationDetails: blueprintId
        })
      ),
      ctx
    )
  },
  CreateDisk: (input, ctx) => {
    const resourceName = requireString(input, "diskName")
    const availabilityZone = requireString(input, "availabilityZone")
    const size = input.sizeInGb
    if (typeof size !== "number" || !Number.isInteger(size) || size < 1) {
      throw new ApiError(
        "validation",
        'Missing or invalid required parameter: "sizeInGb" must be a positive integer.'
      )
    }
    return operations(
      [start(ctx, { type: "CreateDisk", resourceName, availabilityZone, operationDetails: `${size} GB` })],
      ctx
    )
  },
  PutAlarm: (input, ctx) => {
    const resourceName = requireString(input, "alarmName")
    const monitored = optionalString(input, "monitoredResourceName") ?? ""
    return operations(
      [start(ctx, { type: "PutAlarm", resourceName, availabilityZone: "all", operationDetails: monitored })],
      ctx
    )
  },
  StopInstance: (input, ctx) => {
    const resourceName = requireString(input, "instanceName")
    return operations(
      [start(ctx, { type: "StopInstance", resourceName, availabilityZone: `${ctx.region}a` })],
      ctx
    )
  },
  DeleteInstance: (input, ctx) => {
    const resourceName = requireString(input, "instanceName")
    return operations(
      [start(ctx, { type: "DeleteInstance", resourceName, availabilityZone: `${ctx.region}a` })],
      ctx
    )
  }
}

/** The Lightsail service. */
export const lightsailApi: ServiceApi = {
  service: "lightsail",
  ...dispatch(HANDLERS),
  create: (input, ctx) => {
    const type = input.type ?? "CreateInstance"
    const resourceType = lightsailResourceType(type)
    return start(
      ctx,
      {
        type,
        resourceName:
          input.resourceName ??
          `${resourceType.toLowerCase()}-${ctx.sim.store.list("lightsail", ctx.account, ctx.region).length + 1}`,
        resourceType,
        availabilityZone: resourceType === "Instance" || resourceType === "Disk" ? `${ctx.region}a` : "all"
      },
      input
    )
  },
  wire
}
