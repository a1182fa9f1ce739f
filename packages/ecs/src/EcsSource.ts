/**
 * Amazon ECS service deployments, as a spec on the adapter kit. CreateService
 * and UpdateService start a deployment and name it in
 * `service.currentServiceDeployment`, an ARN that names its region;
 * DescribeServiceDeployments reads up to 20 of them a call, and lists the ones
 * it does not know in `failures` (reason `MISSING`) rather than failing.
 *
 * A deployment the circuit breaker or an alarm rolled back ends
 * `ROLLBACK_SUCCESSFUL`: here it is `failed`, with an error that says it rolled
 * back and why. (The SDK's `ServicesStable` waiter reports such a service as
 * stable, a success.) `cancel` is StopServiceDeployment with `ABORT`: the
 * deployment goes `STOP_REQUESTED`, then `STOPPED`, `cancelled`.
 *
 * @since 0.3.0
 */
import {
  DescribeServiceDeploymentsCommand,
  type ECSClient,
  ListServiceDeploymentsCommand,
  type ListServiceDeploymentsRequest,
  type ServiceDeployment as SdkServiceDeployment,
  type ServiceDeploymentBrief as SdkServiceDeploymentBrief,
  type ServiceDeploymentStatus as SdkServiceDeploymentStatus,
  StopServiceDeploymentCommand
} from "@aws-sdk/client-ecs"
import type {
  BatchCandidate,
  BatchRead,
  Operation,
  OperationRef,
  OperationSource,
  OperationStep,
  OpstatusError,
  Page,
  RefHints,
  ServiceInfo,
  OperationStatus as UnifiedStatus
} from "@opstatus/core"
import {
  type ClientOptions,
  classifySdkError,
  dateField,
  type ErrorNames,
  fieldOf as field,
  invalidQuery,
  makeSource,
  makeStatusMapper,
  type Requester,
  requestError,
  requestIdOf,
  type SourceSpec,
  type StatusTable,
  stringField,
  textOf,
  Wire,
  withRef
} from "@opstatus/core/adapter-kit"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

const service = "ecs"

type SendClient = Pick<ECSClient, "send">

/**
 * ECS's service deployment statuses, one row for each value of the SDK's
 * `ServiceDeploymentStatus`. A rollback is never success: `ROLLBACK_SUCCESSFUL`
 * is `failed`.
 *
 * @since 0.3.0
 * @category mapping
 */
export const ecsStatusTable = {
  PENDING: "pending",
  IN_PROGRESS: "running",
  SUCCESSFUL: "succeeded",
  STOP_REQUESTED: "running",
  STOPPED: "cancelled",
  ROLLBACK_REQUESTED: "running",
  ROLLBACK_IN_PROGRESS: "running",
  ROLLBACK_SUCCESSFUL: "failed",
  ROLLBACK_FAILED: "failed"
} as const satisfies Record<SdkServiceDeploymentStatus, UnifiedStatus> & StatusTable

/**
 * The error codes opstatus gives an ECS deployment that did not succeed (ECS
 * has none of its own: `statusReason` is the message).
 *
 * @since 0.3.0
 * @category errors
 */
export const ecsErrorCodes = {
  /** `ROLLBACK_SUCCESSFUL`: the deployment failed and the service went back to an earlier revision. */
  rolledBack: "RolledBack",
  /** `ROLLBACK_FAILED`: the deployment failed and so did its rollback. */
  rollbackFailed: "RollbackFailed",
  /** `STOPPED` after the circuit breaker or an alarm found a failure, with rollback off. */
  deploymentFailed: "DeploymentFailed",
  /** `STOPPED` otherwise: a caller stopped it (`cancelled`). */
  stopped: "Stopped"
} as const

/** Core reads no ref longer than this. */
const maxIdLength = 512

/**
 * What a service deployment ARN looks like:
 * `arn:<partition>:ecs:<region>:<account>:service-deployment/<cluster>/<service>/<id>`.
 *
 * @since 0.3.0
 * @category models
 */
export const serviceDeploymentArnPattern =
  /^arn:(aws|aws-cn|aws-us-gov):ecs:([a-z]{2}(?:-[a-z]+)+-\d{1,2}):(\d{12}):service-deployment\/([A-Za-z0-9_-]{1,255})\/([A-Za-z0-9_-]{1,255})\/([A-Za-z0-9_-]{1,128})$/

/**
 * The parts of a service deployment ARN.
 *
 * @since 0.3.0
 * @category models
 */
export interface ServiceDeploymentArn {
  readonly partition: string
  readonly region: string
  readonly account: string
  readonly cluster: string
  readonly service: string
  readonly id: string
}

/**
 * Reads a service deployment ARN; `undefined` when the value is not one.
 *
 * @since 0.3.0
 * @category constructors
 */
export const parseServiceDeploymentArn = (value: unknown): ServiceDeploymentArn | undefined => {
  if (typeof value !== "string" || value.length > maxIdLength) return undefined
  const m = serviceDeploymentArnPattern.exec(value)
  if (m === null) return undefined
  return { partition: m[1]!, region: m[2]!, account: m[3]!, cluster: m[4]!, service: m[5]!, id: m[6]! }
}

/** The partition a region belongs to. */
const partitionOf = (region: string): string =>
  region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws"

/**
 * The problem with a deployment ARN in a ref of `region`, in words; `undefined` when it fits.
 *
 * @since 0.3.0
 * @category refs
 */
export const checkServiceDeploymentArn = (id: string, region: string): string | undefined => {
  const arn = parseServiceDeploymentArn(id)
  if (arn === undefined) return "the ECS operation ID must be a service deployment ARN"
  if (arn.region !== region) {
    return `an ECS ARN of the wrong region: it names ${arn.region}, the ref ${region}`
  }
  if (arn.partition !== partitionOf(region)) {
    return `an ECS ARN of the wrong partition: ${arn.partition} has no region ${region}`
  }
  return undefined
}

/**
 * What the ECS source declares: its slug, operation IDs (service deployment
 * ARNs, checked against the ref's region), default waiting policy and status
 * table. It reads no hints: the ARN names the cluster and the service.
 *
 * @since 0.3.0
 * @category models
 */
export const ecsService: ServiceInfo = {
  service,
  title: "Amazon ECS",
  idRule: {
    maxLength: maxIdLength,
    pattern: serviceDeploymentArnPattern,
    description:
      "a service deployment ARN (arn:aws:ecs:<region>:<account>:service-deployment/<cluster>/<service>/<id>)"
  },
  checkId: checkServiceDeploymentArn,
  hints: {},
  defaults: {
    timeout: "30 minutes",
    minDelay: "5 seconds",
    maxDelay: "30 seconds",
    notFoundGrace: "30 seconds"
  },
  statusTable: ecsStatusTable
}

const count = Schema.optional(Schema.NullOr(Schema.Number))

/**
 * A service revision as a deployment names it, with its task counts.
 *
 * @since 0.3.0
 * @category models
 */
export const EcsRawServiceRevisionSummary = Schema.Struct({
  arn: Wire.string,
  requestedTaskCount: count,
  runningTaskCount: count,
  pendingTaskCount: count
})

/**
 * A service deployment as DescribeServiceDeployments answers it; checked,
 * never transformed. Only the fields the source reads are checked.
 *
 * @since 0.3.0
 * @category models
 */
export const EcsRawServiceDeployment = Schema.Struct({
  serviceDeploymentArn: Wire.string,
  serviceArn: Wire.string,
  clusterArn: Wire.string,
  createdAt: Wire.timestamp,
  startedAt: Wire.timestamp,
  finishedAt: Wire.timestamp,
  stoppedAt: Wire.timestamp,
  updatedAt: Wire.timestamp,
  sourceServiceRevisions: Wire.array(Schema.NullOr(EcsRawServiceRevisionSummary)),
  targetServiceRevision: Wire.struct(EcsRawServiceRevisionSummary),
  status: Wire.string,
  statusReason: Wire.string,
  lifecycleStage: Wire.string,
  rollback: Wire.struct(
    Schema.Struct({ reason: Wire.string, startedAt: Wire.timestamp, serviceRevisionArn: Wire.string })
  ),
  deploymentCircuitBreaker: Wire.struct(
    Schema.Struct({ status: Wire.string, failureCount: count, threshold: count })
  ),
  alarms: Wire.struct(
    Schema.Struct({
      status: Wire.string,
      alarmNames: Wire.array(Schema.NullOr(Schema.String)),
      triggeredAlarmNames: Wire.array(Schema.NullOr(Schema.String))
    })
  )
})

/**
 * @since 0.3.0
 * @category models
 */
export type EcsRawServiceDeployment = typeof EcsRawServiceDeployment.Type

/**
 * One entry of an answer's `failures`.
 *
 * @since 0.3.0
 * @category models
 */
export const EcsRawFailure = Schema.Struct({ arn: Wire.string, reason: Wire.string, detail: Wire.string })

/**
 * The DescribeServiceDeployments answer; `null` items are skipped.
 *
 * @since 0.3.0
 * @category models
 */
export const EcsDescribeServiceDeploymentsAnswer = Schema.Struct({
  serviceDeployments: Wire.array(Schema.NullOr(EcsRawServiceDeployment)),
  failures: Wire.array(Schema.NullOr(EcsRawFailure))
})

/**
 * @since 0.3.0
 * @category models
 */
export type EcsDescribeServiceDeploymentsAnswer = typeof EcsDescribeServiceDeploymentsAnswer.Type

/**
 * One ListServiceDeployments item: the deployment without its revisions'
 * task counts, rollback or monitors.
 *
 * @since 0.3.0
 * @category models
 */
export const EcsRawServiceDeploymentBrief = Schema.Struct({
  serviceDeploymentArn: Wire.string,
  serviceArn: Wire.string,
  clusterArn: Wire.string,
  createdAt: Wire.timestamp,
  startedAt: Wire.timestamp,
  finishedAt: Wire.timestamp,
  targetServiceRevisionArn: Wire.string,
  status: Wire.string,
  statusReason: Wire.string
})

/**
 * A ListServiceDeployments page; `null` items are skipped.
 *
 * @since 0.3.0
 * @category models
 */
export const EcsListServiceDeploymentsAnswer = Schema.Struct({
  serviceDeployments: Wire.array(Schema.NullOr(EcsRawServiceDeploymentBrief)),
  nextToken: Wire.string
})

/**
 * The StopServiceDeployment answer.
 *
 * @since 0.3.0
 * @category models
 */
export const EcsStopServiceDeploymentAnswer = Schema.Struct({ serviceDeploymentArn: Wire.string })

const numberOf = (u: unknown): number | undefined =>
  typeof u === "number" && Number.isFinite(u) ? u : undefined

/** The elements of a list, or none when it is no list. */
const itemsOf = (u: unknown): ReadonlyArray<unknown> => {
  try {
    return Array.isArray(u) ? u : []
  } catch {
    return []
  }
}

const mapStatus = makeStatusMapper(ecsStatusTable)

/** The last part of a resource ARN's path: a service's name. */
const nameInArn = (arn: string | undefined): string | undefined => {
  if (arn === undefined) return undefined
  const name = arn.slice(arn.lastIndexOf("/") + 1)
  return name === "" || name === arn ? undefined : name
}

/** A monitor (circuit breaker, alarms) that found the deployment failing. */
const triggered = (monitor: unknown): boolean => field(monitor, "status") === "TRIGGERED"

/** The names of a list of strings, joined; `undefined` for none. */
const joined = (u: unknown): string | undefined => {
  const names = itemsOf(u).filter((n): n is string => typeof n === "string" && n !== "")
  return names.length === 0 ? undefined : names.join(", ")
}

/** Why a deployment did not succeed, from everything it says: its reason, its rollback, its monitors. */
const whyOf = (raw: unknown): ReadonlyArray<string> => {
  const parts: Array<string> = []
  const statusReason = textOf(field(raw, "statusReason"))
  if (statusReason !== undefined) parts.push(statusReason)
  const rollback = field(raw, "rollback")
  const rollbackReason = textOf(field(rollback, "reason"))
  if (rollbackReason !== undefined && rollbackReason !== statusReason) {
    parts.push(`rollback reason: ${rollbackReason}`)
  }
  const breaker = field(raw, "deploymentCircuitBreaker")
  if (triggered(breaker)) {
    const failures = numberOf(field(breaker, "failureCount"))
    const threshold = numberOf(field(breaker, "threshold"))
    const counts = [
      ...(failures === undefined ? [] : [`${failures} failed tasks`]),
      ...(threshold === undefined ? [] : [`threshold ${threshold}`])
    ]
    parts.push(`circuit breaker triggered${counts.length === 0 ? "" : ` (${counts.join(", ")})`}`)
  }
  const alarms = joined(field(field(raw, "alarms"), "triggeredAlarmNames"))
  if (alarms !== undefined) parts.push(`alarms triggered: ${alarms}`)
  else if (triggered(field(raw, "alarms"))) parts.push("alarms triggered")
  const revision = textOf(field(rollback, "serviceRevisionArn"))
  if (revision !== undefined) parts.push(`rolled back to ${revision}`)
  return parts
}

const sentence = (lead: string, parts: ReadonlyArray<string>): string =>
  parts.length === 0 ? lead : `${lead}: ${parts.join("; ")}`

/**
 * The status and error of a deployment: the table's, except that a `STOPPED`
 * deployment whose circuit breaker or alarms triggered failed (rollback was
 * off) rather than being stopped by a caller.
 */
const outcomeOf = (
  raw: unknown,
  rawStatus: string
): { readonly status: UnifiedStatus; readonly terminal: boolean; readonly error?: Operation["error"] } => {
  const mapped = mapStatus(rawStatus)
  switch (rawStatus) {
    case "ROLLBACK_SUCCESSFUL":
      return {
        ...mapped,
        error: {
          code: ecsErrorCodes.rolledBack,
          message: sentence("The service deployment failed and was rolled back", whyOf(raw))
        }
      }
    case "ROLLBACK_FAILED":
      return {
        ...mapped,
        error: {
          code: ecsErrorCodes.rollbackFailed,
          message: sentence("The service deployment failed and its rollback failed too", whyOf(raw))
        }
      }
    case "STOPPED": {
      if (triggered(field(raw, "deploymentCircuitBreaker")) || triggered(field(raw, "alarms"))) {
        return {
          status: "failed",
          terminal: true,
          error: {
            code: ecsErrorCodes.deploymentFailed,
            message: sentence("The service deployment failed and was stopped (no rollback)", whyOf(raw))
          }
        }
      }
      return {
        ...mapped,
        error: {
          code: ecsErrorCodes.stopped,
          message: sentence("The service deployment was stopped", whyOf(raw))
        }
      }
    }
    default:
      return mapped
  }
}

/** A revision as a step: its task counts are the deployment's progress. */
const revisionStep = (
  revision: unknown,
  status: UnifiedStatus,
  rawStatus: string,
  at: unknown
): OperationStep | undefined => {
  const arn = textOf(field(revision, "arn"))
  if (arn === undefined) return undefined
  const requested = numberOf(field(revision, "requestedTaskCount"))
  const running = numberOf(field(revision, "runningTaskCount"))
  const pending = numberOf(field(revision, "pendingTaskCount"))
  const message =
    running === undefined && requested === undefined
      ? undefined
      : `${running ?? 0} of ${requested ?? 0} tasks running${pending ? `, ${pending} pending` : ""}`
  return {
    description: "target service revision",
    status,
    rawStatus,
    ...(message === undefined ? {} : { message }),
    resource: { type: "AWS::ECS::ServiceRevision", arn },
    ...dateField("at", at)
  }
}

/**
 * Maps a service deployment (or a ListServiceDeployments brief), as the
 * schemas check it or as the SDK types it, to the unified model. A rollback
 * is `failed` with code `RolledBack` (or `RollbackFailed`) and a message
 * carrying `statusReason`, the rollback's reason and revision, and the
 * circuit breaker or alarms that triggered it. Pure and total: it never
 * throws, whatever it is given.
 *
 * @since 0.3.0
 * @category mapping
 */
export const toOperation = (
  raw:
    | EcsRawServiceDeployment
    | typeof EcsRawServiceDeploymentBrief.Type
    | SdkServiceDeployment
    | SdkServiceDeploymentBrief,
  region: string,
  requestId?: string | undefined
): Operation => {
  const o = (key: string): unknown => field(raw, key)
  const rawStatus = textOf(o("status")) ?? ""
  const outcome = outcomeOf(raw, rawStatus)
  const arn = textOf(o("serviceDeploymentArn"))
  const parsed = parseServiceDeploymentArn(arn)
  const serviceArn = textOf(o("serviceArn"))
  const clusterArn = textOf(o("clusterArn"))
  const target = o("targetServiceRevision")
  const targetArn = textOf(field(target, "arn")) ?? textOf(o("targetServiceRevisionArn"))
  const sources = itemsOf(o("sourceServiceRevisions"))
    .map((r) => textOf(field(r, "arn")))
    .filter((a): a is string => a !== undefined)
  const rollbackArn = textOf(field(o("rollback"), "serviceRevisionArn"))
  const targets = {
    ...stringField("cluster", clusterArn),
    ...stringField("service", serviceArn),
    ...stringField("targetServiceRevision", targetArn),
    ...(sources.length === 0 ? {} : { sourceServiceRevisions: sources.join(",") }),
    ...stringField("rollbackServiceRevision", rollbackArn)
  }
  const properties = {
    ...stringField("lifecycleStage", o("lifecycleStage")),
    ...stringField("statusReason", o("statusReason"))
  }
  const updated = o("updatedAt") ?? o("startedAt")
  const step = revisionStep(target, outcome.status, rawStatus, updated)
  const name = nameInArn(serviceArn) ?? parsed?.service
  return {
    ref: { service, region, id: arn ?? "" },
    type: "ServiceDeployment",
    status: outcome.status,
    terminal: outcome.terminal,
    rawStatus,
    resource: {
      type: "AWS::ECS::Service",
      ...stringField("name", name),
      ...stringField("arn", serviceArn)
    },
    ...(Object.keys(targets).length === 0 ? {} : { targets }),
    ...(Object.keys(properties).length === 0 ? {} : { properties }),
    ...dateField("createdAt", o("createdAt")),
    ...dateField("updatedAt", updated),
    ...(outcome.terminal ? dateField("endedAt", o("finishedAt") ?? o("stoppedAt") ?? updated) : {}),
    ...(outcome.error === undefined ? {} : { error: outcome.error }),
    region,
    ...(step === undefined ? {} : { steps: [step] }),
    ...stringField("requestId", requestId),
    raw
  }
}

/**
 * ECS's error names, for the kit's classifier.
 *
 * @since 0.3.0
 * @category errors
 */
export const ecsErrorNames: ErrorNames = {
  // ECS deletes a service's deployments with the service: a missing cluster or service is a missing deployment.
  notFound: ["ServiceDeploymentNotFoundException", "ServiceNotFoundException", "ClusterNotFoundException"],
  invalid: [
    "ClientException",
    "InvalidParameterException",
    "UnsupportedFeatureException",
    "ConflictException",
    "ServiceNotActiveException"
  ],
  // ECS's server fault, modelled without a retryable trait.
  transient: ["ServerException"]
}

/**
 * What an ECS failure means: an `OpstatusError` with a request reason.
 *
 * @since 0.3.0
 * @category errors
 */
export const classifyEcsError = (error: unknown): OpstatusError =>
  classifySdkError(service, ecsErrorNames, error)

/**
 * The failure DescribeServiceDeployments lists for an ARN, as an error:
 * `MISSING` is not found (the engine waits it out in its grace window), any
 * other reason an `UnknownServiceError` with the reason as its code.
 *
 * @since 0.3.0
 * @category errors
 */
export const failureError = (failure: unknown, requestId?: string | undefined): OpstatusError => {
  const reason = textOf(field(failure, "reason")) ?? "Failure"
  const arn = textOf(field(failure, "arn"))
  const detail = textOf(field(failure, "detail"))
  return requestError(reason === "MISSING" ? "OperationNotFound" : "UnknownServiceError", {
    service,
    code: reason,
    serviceMessage: detail ?? (arn === undefined ? reason : `${reason}: ${arn}`),
    requestId
  })
}

/**
 * The most ARNs one DescribeServiceDeployments call takes.
 *
 * @since 0.3.0
 * @category batching
 */
export const describeBatchSize = 20

/** One DescribeServiceDeployments call: the deployments it knows and the failures it lists. */
const describe = (
  request: Requester<SendClient>,
  region: string,
  arns: ReadonlyArray<string>
): Effect.Effect<EcsDescribeServiceDeploymentsAnswer, OpstatusError> =>
  request.call(
    region,
    "DescribeServiceDeployments",
    EcsDescribeServiceDeploymentsAnswer,
    (client, abortSignal) =>
      client.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [...arns] }), {
        abortSignal
      })
  )

const getDeployment = (
  request: Requester<SendClient>,
  ref: OperationRef
): Effect.Effect<Operation, OpstatusError> =>
  describe(request, ref.region, [ref.id]).pipe(
    Effect.flatMap((answer) => {
      const requestId = requestIdOf(answer)
      const deployments = (answer.serviceDeployments ?? []).filter((d) => d !== null)
      const found =
        deployments.find((d) => d.serviceDeploymentArn === ref.id) ??
        (deployments.length === 1 && textOf(deployments[0]!.serviceDeploymentArn) === undefined
          ? deployments[0]
          : undefined)
      if (found !== undefined) {
        const op = toOperation(found, ref.region, requestId)
        return Effect.succeed(op.ref.id === "" ? { ...op, ref: { ...op.ref, id: ref.id } } : op)
      }
      const failure = (answer.failures ?? []).find(
        (f) => f !== null && (f.arn === ref.id || f.arn === undefined || f.arn === null)
      )
      if (failure !== undefined) return Effect.fail(failureError(failure, requestId))
      return Effect.fail(
        request.malformed(
          "DescribeServiceDeployments answered neither the deployment nor a failure for it",
          answer
        )
      )
    }),
    Effect.mapError((error) => withRef(error, ref))
  )

/**
 * The reads that cover waited ECS deployments of one region: one
 * DescribeServiceDeployments per 20 of them, each a single page of full
 * deployments. A deployment the answer lists in `failures` is left out of
 * the page, so the engine reads it alone (and waits a `MISSING` one out).
 * `readChunk` reads one chunk.
 *
 * @since 0.3.0
 * @category batching
 */
export const ecsBatchReads = (
  region: string,
  candidates: ReadonlyArray<BatchCandidate>,
  readChunk: (arns: ReadonlyArray<string>) => Effect.Effect<Page<Operation>, OpstatusError>
): ReadonlyArray<BatchRead> => {
  const fitting = candidates.filter((c) => checkServiceDeploymentArn(c.ref.id, region) === undefined)
  const reads: Array<BatchRead> = []
  for (let start = 0; start < fitting.length; start += describeBatchSize) {
    const covers = fitting.slice(start, start + describeBatchSize)
    const arns = covers.map((c) => c.ref.id)
    reads.push({
      key: `DescribeServiceDeployments:${arns[0]}`,
      covers,
      complete: true,
      page: (gate) => gate(readChunk(arns))
    })
  }
  return reads
}

const readChunk = (
  request: Requester<SendClient>,
  region: string,
  arns: ReadonlyArray<string>
): Effect.Effect<Page<Operation>, OpstatusError> =>
  Effect.map(describe(request, region, arns), (answer) => {
    const requestId = requestIdOf(answer)
    const items: Array<Operation> = []
    for (const deployment of answer.serviceDeployments ?? []) {
      if (deployment === null || textOf(deployment.serviceDeploymentArn) === undefined) continue
      items.push(toOperation(deployment, region, requestId))
    }
    return { items }
  })

/**
 * An ECS list query: the deployments of one service (ListServiceDeployments).
 *
 * @since 0.3.0
 * @category models
 */
export interface EcsQuery {
  /** The service's name or ARN. */
  readonly service: string
  /** The cluster's name or ARN; ECS's `default` when absent. */
  readonly cluster?: string | undefined
  /** One or more of ECS's statuses. */
  readonly status?: SdkServiceDeploymentStatus | ReadonlyArray<SdkServiceDeploymentStatus> | undefined
  readonly createdAfter?: Date | undefined
  readonly createdBefore?: Date | undefined
  /** Items per page, 1 to 100 (the service's range). */
  readonly maxResults?: number | undefined
}

/** A value as text for a message; never throws. */
const show = (u: unknown): string => {
  try {
    return typeof u === "string" ? u : (JSON.stringify(u) ?? String(u))
  } catch {
    return Object.prototype.toString.call(u)
  }
}

const queryError = (message: string) => invalidQuery(service, message)
const statusValues = Object.keys(ecsStatusTable)
const isDate = (u: unknown): u is Date => u instanceof Date && !Number.isNaN(u.getTime())

/**
 * Turns a query into a ListServiceDeployments request (without its token),
 * or fails with `InvalidQuery` naming what is wrong with it.
 *
 * @since 0.3.0
 * @category constructors
 */
export const toListInput = (query: EcsQuery): Effect.Effect<ListServiceDeploymentsRequest, OpstatusError> =>
  Effect.suspend(() => {
    if (typeof query !== "object" || query === null || Array.isArray(query)) {
      return Effect.fail(queryError(`the query must be an object with a service, got ${show(query)}`))
    }
    const serviceName: unknown = query.service
    if (typeof serviceName !== "string" || serviceName === "") {
      return Effect.fail(queryError("service (the service's name or ARN) must be a non-empty string"))
    }
    const cluster: unknown = query.cluster
    if (cluster !== undefined && (typeof cluster !== "string" || cluster === "")) {
      return Effect.fail(queryError("cluster must be a non-empty string"))
    }
    const maxResults: unknown = query.maxResults
    if (
      maxResults !== undefined &&
      !(
        typeof maxResults === "number" &&
        Number.isInteger(maxResults) &&
        maxResults >= 1 &&
        maxResults <= 100
      )
    ) {
      return Effect.fail(
        queryError(`maxResults must be a whole number from 1 to 100, got ${show(maxResults)}`)
      )
    }
    const status: unknown = query.status
    let statuses: Array<SdkServiceDeploymentStatus> | undefined
    if (status !== undefined) {
      if (typeof status !== "string" && !Array.isArray(status)) {
        return Effect.fail(queryError("status must be a value or a list of values"))
      }
      const values: ReadonlyArray<unknown> = typeof status === "string" ? [status] : status
      if (values.length === 0) return Effect.fail(queryError("status needs at least one value"))
      const bad = values.findIndex((v) => typeof v !== "string" || !statusValues.includes(v))
      if (bad >= 0) {
        return Effect.fail(
          queryError(`status "${show(values[bad])}" is not one of ${statusValues.join(", ")}`)
        )
      }
      statuses = [...(values as ReadonlyArray<SdkServiceDeploymentStatus>)]
    }
    const after: unknown = query.createdAfter
    const before: unknown = query.createdBefore
    if (after !== undefined && !isDate(after))
      return Effect.fail(queryError("createdAfter must be a valid date"))
    if (before !== undefined && !isDate(before))
      return Effect.fail(queryError("createdBefore must be a valid date"))
    if (isDate(after) && isDate(before) && after.getTime() > before.getTime()) {
      return Effect.fail(queryError("createdAfter is after createdBefore"))
    }
    return Effect.succeed({
      service: serviceName,
      ...(cluster === undefined ? {} : { cluster: cluster as string }),
      ...(statuses === undefined ? {} : { status: statuses }),
      ...(after === undefined && before === undefined
        ? {}
        : {
            createdAt: {
              ...(isDate(after) ? { after } : {}),
              ...(isDate(before) ? { before } : {})
            }
          }),
      ...(maxResults === undefined ? {} : { maxResults: maxResults as number })
    })
  })

/** One ListServiceDeployments page; items without an ARN name no deployment and are skipped. */
const listPage = (
  request: Requester<SendClient>,
  region: string,
  query: EcsQuery,
  nextToken: string | undefined
): Effect.Effect<Page<Operation>, OpstatusError> =>
  Effect.flatMap(toListInput(query), (input) =>
    Effect.map(
      request.call(region, "ListServiceDeployments", EcsListServiceDeploymentsAnswer, (client, abortSignal) =>
        client.send(
          new ListServiceDeploymentsCommand({ ...input, ...(nextToken === undefined ? {} : { nextToken }) }),
          { abortSignal }
        )
      ),
      (answer) => {
        const requestId = requestIdOf(answer)
        const items: Array<Operation> = []
        for (const brief of answer.serviceDeployments ?? []) {
          if (brief === null || textOf(brief.serviceDeploymentArn) === undefined) continue
          items.push(toOperation(brief, region, requestId))
        }
        return { items, next: answer.nextToken ?? undefined }
      }
    )
  )

/** The string hints given, as a clean copy. */
const hintsOf = (options: unknown): Record<string, string> | undefined => {
  const hints = field(options, "hints")
  if (typeof hints !== "object" || hints === null || Array.isArray(hints)) return undefined
  const out: Record<string, string> = {}
  try {
    for (const key of Object.keys(hints)) {
      const value = field(hints, key)
      if (typeof value === "string" && value !== "" && key !== "__proto__") out[key] = value
    }
  } catch {
    return undefined
  }
  return Object.keys(out).length === 0 ? undefined : out
}

/** The deployment ARNs a response names, in its order, each once. */
const arnsIn = (response: unknown): ReadonlyArray<string> => {
  const found: Array<unknown> = []
  if (typeof response === "string") found.push(response)
  else if (Array.isArray(response)) found.push(...itemsOf(response))
  else {
    found.push(field(field(response, "service"), "currentServiceDeployment"))
    for (const s of itemsOf(field(response, "services"))) found.push(field(s, "currentServiceDeployment"))
    found.push(field(response, "serviceDeploymentArn"))
    for (const d of itemsOf(field(response, "serviceDeployments")))
      found.push(field(d, "serviceDeploymentArn"))
  }
  const arns: Array<string> = []
  for (const value of found) {
    if (parseServiceDeploymentArn(value) !== undefined && !arns.includes(value as string))
      arns.push(value as string)
  }
  return arns
}

/**
 * The refs a response names: CreateService, UpdateService and DeleteService
 * (`service.currentServiceDeployment`), DescribeServices
 * (`services[].currentServiceDeployment`), StopServiceDeployment
 * (`serviceDeploymentArn`), ListServiceDeployments and
 * DescribeServiceDeployments (`serviceDeployments[].serviceDeploymentArn`),
 * or a bare deployment ARN or list of them. The region is the ARN's; what is
 * not a service deployment ARN is skipped. It never throws, whatever it is
 * given.
 *
 * @since 0.3.0
 * @category refs
 */
export const refsFromResponse = (response: unknown, options?: RefHints): ReadonlyArray<OperationRef> => {
  const hints = hintsOf(options)
  return arnsIn(response).map((id) => ({
    service,
    region: parseServiceDeploymentArn(id)!.region,
    id,
    ...(hints === undefined ? {} : { hints })
  }))
}

const stopDeployment = (
  request: Requester<SendClient>,
  ref: OperationRef
): Effect.Effect<void, OpstatusError> =>
  request
    .call(ref.region, "StopServiceDeployment", EcsStopServiceDeploymentAnswer, (client, abortSignal) =>
      client.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: ref.id, stopType: "ABORT" }), {
        abortSignal
      })
    )
    .pipe(
      Effect.asVoid,
      Effect.mapError((error) => withRef(error, ref))
    )

const spec: SourceSpec<SendClient, EcsQuery> = {
  info: ecsService,
  errorNames: ecsErrorNames,
  get: getDeployment,
  listPage,
  checkQuery: (query) => Effect.asVoid(toListInput(query)),
  refsFromResponse,
  cancel: stopDeployment,
  batch: (request) => ({
    plan: (region, candidates) =>
      ecsBatchReads(region, candidates, (arns) => readChunk(request, region, arns))
  })
}

/**
 * Options of `ecsSource`: your `ECSClient` (or `ECS`), or a
 * `clientFor(region)` factory.
 *
 * @since 0.3.0
 * @category models
 */
export type EcsSourceOptions = ClientOptions<SendClient>

/**
 * The ECS source: `get` reads DescribeServiceDeployments, `list(region, {
 * service, cluster? })` pages ListServiceDeployments, fleets read 20
 * deployments a call, `cancel` stops a deployment (StopServiceDeployment,
 * `ABORT`). Throws `InvalidConfig` (an `OpstatusError`) when the options are
 * neither `{ client }` nor `{ clientFor }`.
 *
 * @since 0.3.0
 * @category constructors
 */
export const ecsSource = (options: EcsSourceOptions): OperationSource<EcsQuery> => makeSource(spec, options)
