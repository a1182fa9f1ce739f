/**
 * Amazon ECS service deployments (awsJson1_1, target prefix `AmazonEC2ContainerServiceV20141113`):
 * CreateCluster, CreateService and UpdateService (each starts a deployment of the service),
 * DescribeServices, DescribeServiceDeployments, ListServiceDeployments and
 * StopServiceDeployment. Fields are camelCase; timestamps are epoch seconds. A deployment's id is
 * its ARN, `arn:aws:ecs:<region>:<account>:service-deployment/<cluster>/<service>/<id>`.
 *
 * Services live in their deployments: a service exists once a deployment of it does, and any
 * cluster name is accepted. Each deployment keeps its service's circuit breaker setting: a
 * deployment that fails rolls back (ROLLBACK_REQUESTED, ROLLBACK_IN_PROGRESS, then
 * ROLLBACK_SUCCESSFUL, or ROLLBACK_FAILED) with the rollback on, the emulator's default; is
 * STOPPED with its circuit breaker (or alarms) TRIGGERED with the rollback off; and stays
 * IN_PROGRESS with the circuit breaker off, as on AWS. The failure's code picks what ECS reports:
 * an alarm rather than the circuit breaker (`ALARM`), a rollback that fails (`ROLLBACK_FAILED`).
 * An UpdateService while a deployment of the service is in progress stops that one
 * (STOP_REQUESTED, then STOPPED, naming the newer deployment). StopServiceDeployment `ABORT` goes
 * STOP_REQUESTED then STOPPED; `ROLLBACK` (the default) rolls back.
 */
import { ApiError, optionalInt, optionalString, requireString } from "./internal/apiError.js"
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
  planRollback,
  rollBackOperation,
  type SimOperation
} from "./Lifecycle.js"
import type { CreateOperationInput } from "./Scenario.js"

/** The `X-Amz-Target` prefix of ECS. */
export const ECS_TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113"

/**
 * Why a deployment fails, as ECS words it in `statusReason`. The code picks the monitor that
 * finds the failure (`ALARM`: an alarm; else the circuit breaker) and whether its rollback
 * fails too (`ROLLBACK_FAILED`).
 */
export const ECS_FAILURES: readonly FailureReason[] = [
  { code: "TASKS_FAILED_TO_START", message: "ECS deployment circuit breaker: tasks failed to start." },
  {
    code: "HEALTH_CHECKS_FAILED",
    message: "ECS deployment circuit breaker: tasks failed Elastic Load Balancing health checks."
  },
  { code: "ALARM", message: "ECS deployment alarm: the alarm 5xx-errors is in ALARM state." },
  {
    code: "ROLLBACK_FAILED",
    message:
      "ECS deployment circuit breaker: tasks failed to start, and the rollback's tasks failed to start too."
  }
]

/** The alarm a deployment watches, where its service enables alarms. */
export const ECS_ALARM_NAME = "5xx-errors"

/** How long a stop takes, STOP_REQUESTED to STOPPED, in simulated milliseconds. */
export const ECS_STOP_MS = 10_000

/** The part of a rollback (or at least this long) that is ROLLBACK_REQUESTED before ROLLBACK_IN_PROGRESS. */
const ROLLBACK_REQUESTED_MS = 2_000

/** The most ARNs DescribeServiceDeployments takes. */
export const ECS_DESCRIBE_LIMIT = 20

const LIST_DEFAULT = 20

/** A service's circuit breaker and alarms settings (`deploymentConfiguration`). */
interface Monitors {
  readonly circuitBreaker: { readonly enable: boolean; readonly rollback: boolean }
  readonly alarms: { readonly enable: boolean; readonly rollback: boolean; readonly alarmNames: string[] }
}

/** What an ECS deployment keeps, in its `detail.fields`. */
interface EcsFields {
  readonly cluster: string
  readonly serviceName: string
  readonly desiredCount: number
  readonly targetRevision: string
  readonly sourceRevisions: readonly string[]
  readonly monitors: Monitors
  /** Set when a caller stopped it, or a newer deployment did. */
  stop?: { readonly type: "ABORT" | "ROLLBACK"; readonly by?: string }
}

const partitionOf = (region: string): string =>
  region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws"

const arnPrefix = (ctx: { readonly account: string; readonly region: string }) =>
  `arn:${partitionOf(ctx.region)}:ecs:${ctx.region}:${ctx.account}`

const clusterArnOf = (ctx: CallContext | SimOperation, cluster: string) =>
  `${arnPrefix(ctx)}:cluster/${cluster}`
const serviceArnOf = (ctx: CallContext | SimOperation, cluster: string, service: string) =>
  `${arnPrefix(ctx)}:service/${cluster}/${service}`

const DEPLOYMENT_ARN =
  /^arn:(aws|aws-cn|aws-us-gov):ecs:([a-z0-9-]+):(\d{12}):service-deployment\/([A-Za-z0-9_-]+)\/([A-Za-z0-9_-]+)\/([A-Za-z0-9_-]+)$/

const NAME = /^[A-Za-z0-9_-]{1,255}$/

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

/** A deployment id such as `r9i43YFjvgF_xlg7m2eJ1r`: 22 URL-safe base64 characters. */
const deploymentId = (prng: Prng): string => {
  let out = ""
  for (let i = 0; i < 22; i++) out += BASE64URL[prng.uint32() % 64]
  return out
}

/** A service revision number such as `4980306466373577095`. */
const revisionNumber = (prng: Prng): string =>
  `${(prng.uint32() % 999_999_999) + 1}${String(prng.uint32() % 1_000_000_000).padStart(9, "0")}`

const fieldsOf = (op: SimOperation): EcsFields => {
  if (op.detail.kind !== "ecs") throw new Error(`not an ECS operation: ${op.id}`)
  return op.detail.fields as unknown as EcsFields
}

/** A cluster given by name or ARN; `default` when absent. */
const clusterName = (input: Json): string => {
  const given = optionalString(input, "cluster") ?? "default"
  const name = given.startsWith("arn:") ? given.slice(given.indexOf(":cluster/") + ":cluster/".length) : given
  if (!NAME.test(name)) throw new ApiError("validation", `Invalid cluster: ${given}`)
  return name
}

/** A service given by name or ARN (`service/<cluster>/<name>`). */
const serviceName = (given: string): string => {
  const name = given.startsWith("arn:") ? given.slice(given.lastIndexOf("/") + 1) : given
  if (!NAME.test(name)) throw new ApiError("validation", `Invalid service name: ${given}`)
  return name
}

/** The deployments of a service, oldest first. */
const deploymentsOf = (ctx: CallContext, cluster: string, service: string): SimOperation[] =>
  ctx.sim.store.list("ecs", ctx.account, ctx.region).filter((op) => {
    const fields = fieldsOf(op)
    return fields.cluster === cluster && fields.serviceName === service
  })

const bool = (value: unknown, fallback: boolean): boolean => (typeof value === "boolean" ? value : fallback)

/** A service's monitors from `deploymentConfiguration`, else the previous deployment's, else the circuit breaker with rollback. */
const monitorsOf = (input: Json, previous: Monitors | undefined): Monitors => {
  const config = input.deploymentConfiguration
  if (config !== undefined && (typeof config !== "object" || config === null || Array.isArray(config))) {
    throw new ApiError("validation", "deploymentConfiguration must be an object.")
  }
  const breaker = (config as Json | undefined)?.deploymentCircuitBreaker as Json | undefined
  const alarms = (config as Json | undefined)?.alarms as Json | undefined
  const base: Monitors = previous ?? {
    circuitBreaker: { enable: true, rollback: true },
    alarms: { enable: false, rollback: false, alarmNames: [] }
  }
  return {
    circuitBreaker:
      breaker === undefined || breaker === null
        ? base.circuitBreaker
        : { enable: bool(breaker.enable, false), rollback: bool(breaker.rollback, false) },
    alarms:
      alarms === undefined || alarms === null
        ? base.alarms
        : {
            enable: bool(alarms.enable, false),
            rollback: bool(alarms.rollback, false),
            alarmNames: Array.isArray(alarms.alarmNames)
              ? alarms.alarmNames.filter((n): n is string => typeof n === "string")
              : [ECS_ALARM_NAME]
          }
  }
}

/** How a planned failure ends for these monitors and this reason. */
const failureFate = (
  monitors: Monitors,
  reason: FailureReason,
  outcome: CreateOperationInput["outcome"]
): "rollback" | "stop" | "hang" => {
  if (outcome === "rollback") return "rollback"
  if (outcome === "failure") return "stop"
  const byAlarm = reason.code === "ALARM" && monitors.alarms.enable
  const monitor = byAlarm ? monitors.alarms : monitors.circuitBreaker
  if (!monitor.enable) return "hang"
  return monitor.rollback ? "rollback" : "stop"
}

/** Starts a deployment of a service: plans it, stops the one in progress, and shapes its fate. */
const start = (
  ctx: CallContext,
  spec: {
    readonly cluster: string
    readonly service: string
    readonly desiredCount: number
    readonly monitors: Monitors
    readonly overrides?: CreateOperationInput | undefined
  }
): SimOperation => {
  const prng = ctx.sim.prng("ecs")
  const id = `${arnPrefix(ctx)}:service-deployment/${spec.cluster}/${spec.service}/${deploymentId(prng)}`
  const revision = `${arnPrefix(ctx)}:service-revision/${spec.cluster}/${spec.service}/${revisionNumber(prng)}`
  const earlier = deploymentsOf(ctx, spec.cluster, spec.service)
  const previous = earlier[earlier.length - 1]
  const fields: EcsFields = {
    cluster: spec.cluster,
    serviceName: spec.service,
    desiredCount: spec.desiredCount,
    targetRevision: revision,
    sourceRevisions: previous === undefined ? [] : [fieldsOf(previous).targetRevision],
    monitors: spec.monitors
  }
  for (const other of earlier) {
    // A newer deployment stops the one in progress.
    if (cancelOperation(other, ctx.now, ECS_STOP_MS)) fieldsOf(other).stop = { type: "ABORT", by: id }
  }
  const op = ctx.sim.addOperation({
    service: "ecs",
    now: ctx.now,
    account: ctx.account,
    region: ctx.region,
    id,
    type: "ServiceDeployment",
    detail: { kind: "ecs", fields: fields as unknown as Record<string, unknown> },
    // Without alarms, no failure is an alarm's (the draw is the same either way).
    reasons: spec.monitors.alarms.enable ? ECS_FAILURES : ECS_FAILURES.filter((r) => r.code !== "ALARM"),
    overrides: spec.overrides
  })
  // A failure named by one of ECS's codes reads as ECS words it.
  const named = ECS_FAILURES.find((r) => r.code === spec.overrides?.errorCode)
  if (named !== undefined && spec.overrides?.errorMessage === undefined) op.failure = named
  // A rollback asked for rolls back; only a failure named ROLLBACK_FAILED fails to.
  if (
    spec.overrides?.outcome === "rollback" &&
    named === undefined &&
    op.failure.code === "ROLLBACK_FAILED"
  ) {
    op.failure = ECS_FAILURES[0]!
  }
  const failed = op.timeline.find((entry) => entry.phase === "failed")
  if (failed !== undefined) {
    const fate = failureFate(spec.monitors, op.failure, spec.overrides?.outcome)
    const running = op.timeline.find((entry) => entry.phase === "running")?.at ?? op.createdAt
    if (fate === "rollback") {
      // Rolling back takes half as long as the deployment took to fail, and at least a few seconds.
      planRollback(
        op,
        Math.max(ROLLBACK_REQUESTED_MS * 2, (failed.at - running) / 2),
        op.failure.code === "ROLLBACK_FAILED"
      )
    } else if (fate === "hang") {
      // Without a monitor, ECS keeps launching tasks: the deployment never ends by itself.
      op.timeline = op.timeline.filter((entry) => entry.phase !== "failed")
    }
  }
  return op
}

/** The raw status of a deployment at `now`. */
const statusAt = (op: SimOperation, now: number): string => {
  const { phase, at } = phaseAt(op, now)
  switch (phase) {
    case "queued":
      return "PENDING"
    case "running":
      return "IN_PROGRESS"
    case "succeeded":
      return "SUCCESSFUL"
    case "failed":
    case "cancelled":
      return "STOPPED"
    case "cancelling":
      return "STOP_REQUESTED"
    case "rollingBack": {
      const end = op.timeline.find((entry) => entry.at > at)?.at ?? at
      return now < at + Math.min(ROLLBACK_REQUESTED_MS, (end - at) / 2)
        ? "ROLLBACK_REQUESTED"
        : "ROLLBACK_IN_PROGRESS"
    }
    case "rolledBack":
      return "ROLLBACK_SUCCESSFUL"
    case "rollbackFailed":
      return "ROLLBACK_FAILED"
  }
}

const entryAt = (op: SimOperation, phase: Phase, now: number): number | undefined =>
  op.timeline.find((entry) => entry.phase === phase && entry.at <= now)?.at

/** Whether a monitor found the deployment failing (not a caller's stop). */
const failedByMonitor = (op: SimOperation, now: number): boolean =>
  fieldsOf(op).stop === undefined &&
  (entryAt(op, "failed", now) !== undefined || entryAt(op, "rollingBack", now) !== undefined)

/** The circuit breaker's failure threshold: half the desired count, from 3 to 200. */
const thresholdOf = (desired: number): number => Math.min(200, Math.max(3, Math.ceil(desired / 2)))

const wire = (op: SimOperation, now: number): Json => {
  const fields = fieldsOf(op)
  const { phase, at } = phaseAt(op, now)
  const status = statusAt(op, now)
  const monitorFailed = failedByMonitor(op, now)
  const byAlarm = monitorFailed && op.failure.code === "ALARM" && fields.monitors.alarms.enable
  const ended = isTerminalPhase(phase)
  const started = entryAt(op, "running", now)
  const rollbackAt = entryAt(op, "rollingBack", now)
  const progress =
    phase === "succeeded"
      ? 1
      : phase === "running" && started !== undefined
        ? Math.min(
            1,
            (now - started) / Math.max(1, (op.timeline.find((e) => e.at > started)?.at ?? now) - started)
          )
        : 0
  const running = Math.floor(fields.desiredCount * progress)
  const out: Json = {
    serviceDeploymentArn: op.id,
    serviceArn: serviceArnOf(op, fields.cluster, fields.serviceName),
    clusterArn: clusterArnOf(op, fields.cluster),
    createdAt: epochSeconds(op.createdAt),
    updatedAt: epochSeconds(at),
    sourceServiceRevisions: fields.sourceRevisions.map((arn) => ({
      arn,
      requestedTaskCount: 0,
      runningTaskCount: fields.desiredCount - running,
      pendingTaskCount: 0
    })),
    targetServiceRevision: {
      arn: fields.targetRevision,
      requestedTaskCount: fields.desiredCount,
      runningTaskCount: running,
      pendingTaskCount: phase === "running" ? fields.desiredCount - running : 0
    },
    status,
    deploymentConfiguration: {
      deploymentCircuitBreaker: { ...fields.monitors.circuitBreaker },
      maximumPercent: 200,
      minimumHealthyPercent: 100,
      ...(fields.monitors.alarms.enable ? { alarms: { ...fields.monitors.alarms } } : {})
    },
    deploymentCircuitBreaker: fields.monitors.circuitBreaker.enable
      ? {
          status: monitorFailed && !byAlarm ? "TRIGGERED" : ended ? "MONITORING_COMPLETE" : "MONITORING",
          failureCount: monitorFailed && !byAlarm ? thresholdOf(fields.desiredCount) : 0,
          threshold: thresholdOf(fields.desiredCount)
        }
      : { status: "DISABLED", failureCount: 0, threshold: thresholdOf(fields.desiredCount) },
    alarms: fields.monitors.alarms.enable
      ? {
          status: byAlarm ? "TRIGGERED" : ended ? "MONITORING_COMPLETE" : "MONITORING",
          alarmNames: [...fields.monitors.alarms.alarmNames],
          triggeredAlarmNames: byAlarm ? fields.monitors.alarms.alarmNames.slice(0, 1) : []
        }
      : { status: "DISABLED" }
  }
  if (started !== undefined) out.startedAt = epochSeconds(started)
  const stop = fields.stop
  if (phase === "failed" || monitorFailed) out.statusReason = op.failure.message
  else if (stop?.by !== undefined)
    out.statusReason = `ECS stopped the deployment: a newer deployment started (${stop.by}).`
  else if (stop?.type === "ABORT" || phase === "cancelling" || phase === "cancelled") {
    out.statusReason = "Service deployment stopped by user request."
  } else if (stop?.type === "ROLLBACK") out.statusReason = "Service deployment rolled back by user request."
  if (rollbackAt !== undefined) {
    out.rollback = {
      reason: monitorFailed
        ? "Amazon ECS rolled back the service to its last completed deployment."
        : "A user requested the rollback.",
      startedAt: epochSeconds(rollbackAt),
      ...(fields.sourceRevisions[0] === undefined ? {} : { serviceRevisionArn: fields.sourceRevisions[0] })
    }
  }
  if (ended) {
    if (status === "STOPPED") out.stoppedAt = epochSeconds(at)
    else out.finishedAt = epochSeconds(at)
  }
  return out
}

const brief = (op: SimOperation, now: number): Json => {
  const full = wire(op, now)
  const out: Json = {
    serviceDeploymentArn: full.serviceDeploymentArn,
    serviceArn: full.serviceArn,
    clusterArn: full.clusterArn,
    createdAt: full.createdAt,
    targetServiceRevisionArn: fieldsOf(op).targetRevision,
    status: full.status
  }
  for (const key of ["startedAt", "finishedAt", "statusReason"])
    if (full[key] !== undefined) out[key] = full[key]
  if (full.finishedAt === undefined && full.stoppedAt !== undefined) out.finishedAt = full.stoppedAt
  return out
}

/** A service as CreateService, UpdateService and DescribeServices answer it. */
const serviceOf = (ctx: CallContext, current: SimOperation): Json => {
  const fields = fieldsOf(current)
  const first = deploymentsOf(ctx, fields.cluster, fields.serviceName)[0] ?? current
  return {
    serviceArn: serviceArnOf(ctx, fields.cluster, fields.serviceName),
    serviceName: fields.serviceName,
    clusterArn: clusterArnOf(ctx, fields.cluster),
    status: "ACTIVE",
    desiredCount: fields.desiredCount,
    runningCount: 0,
    pendingCount: 0,
    launchType: "FARGATE",
    deploymentConfiguration: (wire(current, ctx.now).deploymentConfiguration as Json) ?? {},
    createdAt: epochSeconds(first.createdAt),
    currentServiceDeployment: current.id,
    deployments: []
  }
}

const desiredCountOf = (input: Json, fallback: number): number =>
  optionalInt(input, "desiredCount", 0, 100_000) ?? fallback

const findDeployment = (ctx: CallContext, arn: string): SimOperation | undefined => {
  const op = ctx.sim.store.find("ecs", ctx.account, ctx.region, arn)
  return op !== undefined && isVisible(op, ctx.now) ? op : undefined
}

const HANDLERS: Handlers = {
  CreateCluster: (input, ctx) => {
    const name = optionalString(input, "clusterName") ?? "default"
    if (!NAME.test(name)) throw new ApiError("validation", `Invalid cluster name: ${name}`)
    return {
      cluster: {
        clusterArn: clusterArnOf(ctx, name),
        clusterName: name,
        status: "ACTIVE",
        activeServicesCount: 0
      }
    }
  },
  CreateService: (input, ctx) => {
    const cluster = clusterName(input)
    const service = serviceName(requireString(input, "serviceName"))
    if (deploymentsOf(ctx, cluster, service).length > 0) {
      throw new ApiError("validation", "Creation of service was not idempotent.")
    }
    const op = start(ctx, {
      cluster,
      service,
      desiredCount: desiredCountOf(input, 1),
      monitors: monitorsOf(input, undefined)
    })
    return { service: serviceOf(ctx, op) }
  },
  UpdateService: (input, ctx) => {
    const cluster = clusterName(input)
    const service = serviceName(requireString(input, "service"))
    const earlier = deploymentsOf(ctx, cluster, service)
    const previous = earlier[earlier.length - 1]
    if (previous === undefined)
      throw new ApiError("notFound", "Service not found.", "ServiceNotFoundException")
    const before = fieldsOf(previous)
    const op = start(ctx, {
      cluster,
      service,
      desiredCount: desiredCountOf(input, before.desiredCount),
      monitors: monitorsOf(input, before.monitors)
    })
    return { service: serviceOf(ctx, op) }
  },
  DescribeServices: (input, ctx) => {
    const cluster = clusterName(input)
    const names = input.services
    if (
      !Array.isArray(names) ||
      names.length === 0 ||
      names.length > 10 ||
      !names.every((n) => typeof n === "string")
    ) {
      throw new ApiError("validation", "services must be a list of 1 to 10 service names or ARNs.")
    }
    const services: Json[] = []
    const failures: Json[] = []
    for (const given of names as string[]) {
      const all = deploymentsOf(ctx, cluster, serviceName(given))
      const current = all[all.length - 1]
      if (current === undefined)
        failures.push({
          arn: given.startsWith("arn:") ? given : serviceArnOf(ctx, cluster, given),
          reason: "MISSING"
        })
      else services.push(serviceOf(ctx, current))
    }
    return { services, failures }
  },
  DescribeServiceDeployments: (input, ctx) => {
    const arns = input.serviceDeploymentArns
    if (!Array.isArray(arns) || arns.length === 0 || !arns.every((a) => typeof a === "string")) {
      throw new ApiError("validation", "serviceDeploymentArns must be a list of service deployment ARNs.")
    }
    if (arns.length > ECS_DESCRIBE_LIMIT) {
      throw new ApiError("validation", `serviceDeploymentArns can have at most ${ECS_DESCRIBE_LIMIT} ARNs.`)
    }
    const serviceDeployments: Json[] = []
    const failures: Json[] = []
    for (const arn of arns as string[]) {
      if (!DEPLOYMENT_ARN.test(arn))
        throw new ApiError("validation", `Invalid service deployment ARN: ${arn}`)
      const op = findDeployment(ctx, arn)
      if (op === undefined) failures.push({ arn, reason: "MISSING" })
      else serviceDeployments.push(wire(op, ctx.now))
    }
    return { serviceDeployments, failures }
  },
  ListServiceDeployments: (input, ctx) => {
    const cluster = clusterName(input)
    const service = serviceName(requireString(input, "service"))
    const max = optionalInt(input, "maxResults", 1, 100) ?? LIST_DEFAULT
    const list = `ecs-deployments:${cluster}/${service}`
    const token = optionalString(input, "nextToken")
    const offset = token === undefined ? 0 : decodePageToken(list, token)
    if (offset === undefined) throw new ApiError("validation", "The nextToken is not valid.")
    const statuses = input.status
    if (
      statuses !== undefined &&
      (!Array.isArray(statuses) || !statuses.every((s) => typeof s === "string"))
    ) {
      throw new ApiError("validation", "status must be a list of service deployment statuses.")
    }
    const createdAt = (input.createdAt ?? {}) as Json
    const after = typeof createdAt.after === "number" ? createdAt.after * 1000 : undefined
    const before = typeof createdAt.before === "number" ? createdAt.before * 1000 : undefined
    const all = deploymentsOf(ctx, cluster, service)
    if (all.length === 0) throw new ApiError("notFound", "Service not found.", "ServiceNotFoundException")
    // Newest first, filtered, then paged.
    const matching = all
      .filter((op) => isVisible(op, ctx.now))
      .reverse()
      .filter(
        (op) =>
          (statuses === undefined || (statuses as string[]).includes(statusAt(op, ctx.now))) &&
          (after === undefined || op.createdAt >= after) &&
          (before === undefined || op.createdAt <= before)
      )
    const out: Json = {
      serviceDeployments: matching.slice(offset, offset + max).map((op) => brief(op, ctx.now))
    }
    if (offset + max < matching.length) out.nextToken = encodePageToken(list, offset + max)
    return out
  },
  StopServiceDeployment: (input, ctx) => {
    const arn = requireString(input, "serviceDeploymentArn")
    const stopType = optionalString(input, "stopType") ?? "ROLLBACK"
    if (stopType !== "ABORT" && stopType !== "ROLLBACK") {
      throw new ApiError("validation", `stopType must be ABORT or ROLLBACK, not ${stopType}.`)
    }
    const op = DEPLOYMENT_ARN.test(arn) ? findDeployment(ctx, arn) : undefined
    if (op === undefined) {
      throw new ApiError(
        "notFound",
        `Service deployment not found: ${arn}`,
        "ServiceDeploymentNotFoundException"
      )
    }
    const { phase } = phaseAt(op, ctx.now)
    // A deployment stopping or rolling back already goes on doing so.
    if (phase === "cancelling" || phase === "rollingBack") return { serviceDeploymentArn: arn }
    if (isTerminalPhase(phase)) {
      throw new ApiError(
        "conflict",
        `The service deployment has ended (${statusAt(op, ctx.now)}); it cannot be stopped.`
      )
    }
    const stopped =
      stopType === "ABORT"
        ? cancelOperation(op, ctx.now, ECS_STOP_MS)
        : rollBackOperation(op, ctx.now, Math.max(ROLLBACK_REQUESTED_MS * 2, ECS_STOP_MS))
    if (stopped) fieldsOf(op).stop = { type: stopType }
    return { serviceDeploymentArn: arn }
  }
}

/** The ECS service. */
export const ecsApi: ServiceApi = {
  service: "ecs",
  json: { targetPrefix: ECS_TARGET_PREFIX, contentType: "application/x-amz-json-1.1" },
  errors: {
    validation: { name: "InvalidParameterException", status: 400 },
    notFound: { name: "ServiceNotFoundException", status: 400 },
    accessDenied: { name: "AccessDeniedException", status: 400 },
    throttling: { name: "ThrottlingException", status: 400 },
    internal: { name: "ServerException", status: 500 },
    unavailable: { name: "ServerException", status: 503 },
    unknownOperation: { name: "UnknownOperationException", status: 400 },
    tooLarge: { name: "InvalidParameterException", status: 413 },
    conflict: { name: "ConflictException", status: 400 }
  },
  ...dispatch(HANDLERS),
  create: (input, ctx) => {
    const cluster = input.cluster ?? "default"
    const service = input.serviceName ?? input.resourceName ?? "emulator-service"
    const earlier = deploymentsOf(ctx, cluster, service)
    const previous = earlier[earlier.length - 1]
    return start(ctx, {
      cluster,
      service,
      desiredCount: previous === undefined ? 2 : fieldsOf(previous).desiredCount,
      monitors: previous === undefined ? monitorsOf({}, undefined) : fieldsOf(previous).monitors,
      overrides: input
    })
  },
  wire
}
