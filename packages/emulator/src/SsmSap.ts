/**
 * AWS Systems Manager for SAP (restJson1, `POST /<kebab-name>`): GetOperation, ListOperations,
 * ListOperationEvents and the application calls that start operations. Operation events are derived
 * from the lifecycle: an IN_PROGRESS event per resource when it starts running, then COMPLETED (or a
 * FAILED one on the last resource) when it ends.
 */
import { ApiError, optionalInt, optionalString, requireString } from "./internal/apiError.js"
import { ec2InstanceId, uuidFrom } from "./internal/ids.js"
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
import {
  type FailureReason,
  isTerminalPhase,
  phaseAt,
  type SapResource,
  type SimOperation,
  type SsmSapDetail
} from "./Lifecycle.js"
import type { CreateOperationInput } from "./Scenario.js"

/** The request paths of SSM for SAP, mapped to operation names. */
export const SSM_SAP_ROUTES: Readonly<Record<string, string>> = {
  "get-operation": "GetOperation",
  "list-operations": "ListOperations",
  "list-operation-events": "ListOperationEvents",
  "register-application": "RegisterApplication",
  "start-application": "StartApplication",
  "stop-application": "StopApplication",
  "update-application-settings": "UpdateApplicationSettings"
}

const FAILURES: readonly FailureReason[] = [
  {
    code: "HANA_START_TIMEOUT",
    message: "The SAP HANA database did not reach the RUNNING state within the timeout."
  },
  {
    code: "EC2_CAPACITY",
    message: "An Amazon EC2 instance of the application failed to start: InsufficientInstanceCapacity."
  },
  {
    code: "SSM_AGENT_OFFLINE",
    message: "SSM Agent is not online on one or more instances of the application."
  },
  { code: "INVALID_CREDENTIALS", message: "The credentials of the SAP HANA database are not valid." }
]

const MAX_RESULTS = 50
// SSM for SAP operation ids are UUIDs, optionally in braces.
const OPERATION_ID = /^[{]?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}[}]?$/

const statusOf = (phase: ReturnType<typeof phaseAt>["phase"]): string =>
  phase === "succeeded" ? "SUCCESS" : phase === "failed" ? "ERROR" : "INPROGRESS"

const detailOf = (op: SimOperation): SsmSapDetail => {
  if (op.detail.kind !== "ssm-sap") throw new Error(`not an SSM for SAP operation: ${op.id}`)
  return op.detail
}

const wire = (op: SimOperation, now: number): Json => {
  const detail = detailOf(op)
  const { phase, at } = phaseAt(op, now)
  const out: Json = {
    Id: op.id,
    Type: op.type,
    Status: statusOf(phase),
    Properties: { SAPApplicationId: detail.applicationId },
    ResourceType: "AWS::SSMSAP::Application",
    ResourceId: detail.applicationId,
    ResourceArn: detail.applicationArn,
    StartTime: epochSeconds(op.createdAt),
    LastUpdatedTime: epochSeconds(at)
  }
  if (isTerminalPhase(phase)) out.EndTime = epochSeconds(at)
  if (phase === "failed") out.StatusMessage = op.failure.message
  return out
}

const VERBS: Readonly<Record<string, string>> = {
  START_APPLICATION: "Starting",
  STOP_APPLICATION: "Stopping",
  REGISTER_APPLICATION: "Discovering",
  REFRESH_APPLICATION: "Refreshing"
}

/** The events an operation has produced by `now`, oldest first. */
const eventsOf = (op: SimOperation, now: number): Json[] => {
  const detail = detailOf(op)
  const verb = ownValue(VERBS, op.type) ?? "Updating"
  const events: Json[] = []
  const resourceOf = (r: SapResource): Json => ({ ResourceArn: r.arn, ResourceType: r.type })
  for (const entry of op.timeline) {
    if (entry.at > now) break
    detail.resources.forEach((r, i) => {
      const last = i === detail.resources.length - 1
      if (entry.phase === "running") {
        events.push({
          Description: `${verb} ${r.type} ${r.id}`,
          Resource: resourceOf(r),
          Status: "IN_PROGRESS",
          StatusMessage: `${verb} ${r.id}`,
          Timestamp: epochSeconds(entry.at)
        })
      } else if (entry.phase === "succeeded" || (entry.phase === "failed" && !last)) {
        events.push({
          Description: `${verb} ${r.type} ${r.id}`,
          Resource: resourceOf(r),
          Status: "COMPLETED",
          StatusMessage: `${r.id} done`,
          Timestamp: epochSeconds(entry.at)
        })
      } else if (entry.phase === "failed") {
        events.push({
          Description: `${verb} ${r.type} ${r.id}`,
          Resource: resourceOf(r),
          Status: "FAILED",
          StatusMessage: op.failure.message,
          Timestamp: epochSeconds(entry.at)
        })
      }
    })
  }
  return events
}

const applicationArn = (ctx: CallContext, type: string, id: string): string =>
  `arn:aws:ssm-sap:${ctx.region}:${ctx.account}:${type}/${id}`

const start = (
  ctx: CallContext,
  applicationId: string,
  type: string,
  overrides?: CreateOperationInput
): SimOperation => {
  const prng = ctx.sim.prng("ssm-sap")
  const id = uuidFrom(prng)
  // Drawn for registered applications too, so registering one never shifts the ids after it.
  const drawnInstance = ec2InstanceId(prng)
  const app = ctx.sim.store.getApplication(ctx.account, ctx.region, applicationId)
  // Unregistered applications are accepted (lenient for benchmarks) and given the drawn EC2 instance.
  const instances = app?.instances ?? [drawnInstance]
  const arn = app?.arn ?? applicationArn(ctx, "HANA", applicationId)
  const resources: SapResource[] = [
    ...instances.map((instance) => ({
      arn: `arn:aws:ec2:${ctx.region}:${ctx.account}:instance/${instance}`,
      type: "AWS::EC2::Instance",
      id: instance
    })),
    { arn, type: "AWS::SSMSAP::Application", id: applicationId }
  ]
  return ctx.sim.addOperation({
    service: "ssm-sap",
    now: ctx.now,
    account: ctx.account,
    region: ctx.region,
    id,
    type,
    detail: { kind: "ssm-sap", applicationId, applicationArn: arn, resources },
    reasons: FAILURES,
    overrides
  })
}

type Filter = { readonly name: string; readonly value: string; readonly operator: string }

const parseFilters = (input: Json): Filter[] => {
  const raw = input.Filters
  if (raw === undefined || raw === null) return []
  if (!Array.isArray(raw) || raw.length < 1 || raw.length > 10) {
    throw new ApiError("validation", "Filters must be a list of 1 to 10 filters.")
  }
  return raw.map((f) => {
    const filter = (typeof f === "object" && f !== null ? f : {}) as Json
    const name = requireString(filter, "Name")
    const value = requireString(filter, "Value")
    const operator = requireString(filter, "Operator")
    if (!["Equals", "GreaterThanOrEquals", "LessThanOrEquals"].includes(operator)) {
      throw new ApiError("validation", `Filter operator ${operator} is not valid.`)
    }
    return { name, value, operator }
  })
}

const pageOf = <T>(
  items: readonly T[],
  input: Json,
  list: string
): { items: T[]; next: string | undefined } => {
  const max = optionalInt(input, "MaxResults", 1, MAX_RESULTS) ?? MAX_RESULTS
  const token = optionalString(input, "NextToken")
  const offset = token === undefined ? 0 : decodePageToken(list, token)
  if (offset === undefined) throw new ApiError("validation", "The NextToken is not valid.")
  return {
    items: items.slice(offset, offset + max),
    next: offset + max < items.length ? encodePageToken(list, offset + max) : undefined
  }
}

const operationPredicate = (filter: Filter): ((op: SimOperation, now: number) => boolean) => {
  const { name, value, operator } = filter
  if (name === "Status" || name === "Type") {
    if (operator !== "Equals")
      throw new ApiError("validation", `Filter ${name} supports only the Equals operator.`)
    return name === "Status"
      ? (op, now) => statusOf(phaseAt(op, now).phase) === value
      : (op) => op.type === value
  }
  if (name === "StartTime") {
    const seconds = Number(value)
    if (!Number.isFinite(seconds)) throw new ApiError("validation", "Filter StartTime takes epoch seconds.")
    const bound = Math.floor(seconds)
    // Compared at whole-second resolution.
    return (op) => {
      const start = Math.floor(op.createdAt / 1000)
      return operator === "Equals"
        ? start === bound
        : operator === "GreaterThanOrEquals"
          ? start >= bound
          : start <= bound
    }
  }
  throw new ApiError("validation", `Filter name ${name} is not supported; use Status, Type or StartTime.`)
}

const eventPredicate = (filter: Filter): ((event: Json) => boolean) => {
  if (filter.operator !== "Equals")
    throw new ApiError("validation", `Filter ${filter.name} supports only Equals.`)
  const resource = (event: Json) => event.Resource as { ResourceArn: string; ResourceType: string }
  switch (filter.name) {
    case "status":
      return (event) => event.Status === filter.value
    case "resourceID":
      return (event) => {
        const arn = resource(event).ResourceArn
        return arn === filter.value || arn.endsWith(`/${filter.value}`)
      }
    case "resourceType":
      return (event) => resource(event).ResourceType === filter.value
    default:
      throw new ApiError(
        "validation",
        `Filter name ${filter.name} is not supported; use status, resourceID or resourceType.`
      )
  }
}

const findOperation = (ctx: CallContext, input: Json): SimOperation => {
  const id = requireString(input, "OperationId")
  if (!OPERATION_ID.test(id))
    throw new ApiError("validation", `OperationId ${id} does not match the UUID pattern.`)
  const bare = id.replace(/^\{|\}$/g, "").toLowerCase()
  const op = ctx.sim.store.find("ssm-sap", ctx.account, ctx.region, bare)
  if (op === undefined || !isVisible(op, ctx.now)) {
    throw new ApiError("notFound", `Resource not found: operation ${id} does not exist.`)
  }
  return op
}

const HANDLERS: Handlers = {
  GetOperation: (input, ctx) => ({ Operation: wire(findOperation(ctx, input), ctx.now) }),
  ListOperations: (input, ctx) => {
    const applicationId = requireString(input, "ApplicationId")
    const predicates = parseFilters(input).map(operationPredicate)
    const ops = ctx.sim.store
      .list("ssm-sap", ctx.account, ctx.region)
      .filter((op) => isVisible(op, ctx.now) && detailOf(op).applicationId === applicationId)
      .filter((op) => predicates.every((p) => p(op, ctx.now)))
    const { items, next } = pageOf(ops, input, `operations:${applicationId}`)
    const out: Json = { Operations: items.map((op) => wire(op, ctx.now)) }
    if (next !== undefined) out.NextToken = next
    return out
  },
  ListOperationEvents: (input, ctx) => {
    const op = findOperation(ctx, input)
    const predicates = parseFilters(input).map(eventPredicate)
    const events = eventsOf(op, ctx.now).filter((e) => predicates.every((p) => p(e)))
    const { items, next } = pageOf(events, input, `events:${op.id}`)
    const out: Json = { OperationEvents: items }
    if (next !== undefined) out.NextToken = next
    return out
  },
  RegisterApplication: (input, ctx) => {
    const applicationId = requireString(input, "ApplicationId")
    const type = requireString(input, "ApplicationType")
    if (type !== "HANA" && type !== "SAP_ABAP") {
      throw new ApiError("validation", "ApplicationType must be HANA or SAP_ABAP.")
    }
    const instances = input.Instances
    if (
      !Array.isArray(instances) ||
      instances.length === 0 ||
      !instances.every((i) => typeof i === "string")
    ) {
      throw new ApiError(
        "validation",
        'Missing or invalid required parameter: "Instances" must be a non-empty list.'
      )
    }
    const arn = applicationArn(ctx, type, applicationId)
    ctx.sim.store.putApplication(ctx.account, ctx.region, { id: applicationId, type, arn, instances })
    const op = start(ctx, applicationId, "REGISTER_APPLICATION")
    return {
      Application: {
        Id: applicationId,
        Arn: arn,
        Type: type,
        Status: "REGISTERING",
        LastUpdated: epochSeconds(ctx.now)
      },
      OperationId: op.id
    }
  },
  StartApplication: (input, ctx) => ({
    OperationId: start(ctx, requireString(input, "ApplicationId"), "START_APPLICATION").id
  }),
  StopApplication: (input, ctx) => {
    const applicationId = requireString(input, "ApplicationId")
    const entity = optionalString(input, "StopConnectedEntity")
    if (entity !== undefined && entity !== "DBMS")
      throw new ApiError("validation", "StopConnectedEntity must be DBMS.")
    const shutdown = input.IncludeEc2InstanceShutdown
    if (shutdown !== undefined && typeof shutdown !== "boolean") {
      throw new ApiError("validation", "IncludeEc2InstanceShutdown must be a boolean.")
    }
    return { OperationId: start(ctx, applicationId, "STOP_APPLICATION").id }
  },
  UpdateApplicationSettings: (input, ctx) => {
    const applicationId = requireString(input, "ApplicationId")
    // One operation updates the settings, a second refreshes the application with them.
    const update = start(ctx, applicationId, "UPDATE_APPLICATION_SETTINGS")
    const refresh = start(ctx, applicationId, "REFRESH_APPLICATION")
    return { Message: "Successfully updated application settings.", OperationIds: [update.id, refresh.id] }
  }
}

/** The SSM for SAP service. */
export const ssmSapApi: ServiceApi = {
  service: "ssm-sap",
  ...dispatch(HANDLERS),
  create: (input, ctx) =>
    start(
      ctx,
      input.applicationId ?? input.resourceName ?? "sap-app",
      input.type ?? "START_APPLICATION",
      input
    ),
  wire
}
