/**
 * `opstatus list <service>`: lists a service's operations in one region, each service
 * asked with its own query (the filters it has are sent, the rest applied here), within
 * `--timeout` (`DeadlineError`, exit 3).
 *
 * @since 0.2.0
 */
import { type CloudControlQuery, cloudControlService } from "@opstatus/cloudcontrol"
import { cloudFormationService } from "@opstatus/cloudformation"
import { list, type Operation, OperationStatus, type OpstatusError, type ServiceInfo } from "@opstatus/core"
import { type EcsQuery, ecsService } from "@opstatus/ecs"
import { lightsailService } from "@opstatus/lightsail"
import { route53Service } from "@opstatus/route53"
import { serviceDiscoveryService, windowSlackAfterMillis } from "@opstatus/servicediscovery"
import { ssmSapService } from "@opstatus/ssm-sap"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import {
  awsFlagsOf,
  booleanFlag,
  durationFlag,
  listFlag,
  parseCommand,
  parseSinceFlag,
  stringFlag
} from "./Args.js"
import { type Aws, loadAwsSettings, requireProfile, withAws } from "./Aws.js"
import { serviceSlugs } from "./Catalog.js"
import { formatElapsed } from "./Duration.js"
import { DeadlineError, usageError } from "./Errors.js"
import { ExitCode } from "./ExitCodes.js"
import { listFlags, type Values } from "./Flags.js"
import { commandHelp } from "./Help.js"
import { type CliIo, type Warn, warnTo } from "./Io.js"
import { type ReadOutput, writeOperation, writeReadEnd } from "./Output.js"
import { parseService } from "./Services.js"

/** How long `list` may take by default (every page). */
const defaultListTimeoutMillis = 5 * 60_000

const unifiedStatuses: ReadonlyArray<OperationStatus> = OperationStatus.literals

/** The list flags that belong to one service. */
const serviceFlags: ReadonlyArray<readonly [string, ServiceInfo]> = [
  ["resource", lightsailService],
  ["namespace", serviceDiscoveryService],
  ["service-id", serviceDiscoveryService],
  ["application", ssmSapService],
  ["stack-set", cloudFormationService],
  ["cluster", ecsService],
  ["ecs-service", ecsService]
]

/**
 * `--status`: what an operation must match, and the raw values the service can filter on.
 *
 * @since 0.2.0
 * @category models
 */
export interface StatusFilter {
  readonly keep: (op: Operation) => boolean
  /** The raw statuses to ask the service for; `undefined` when only a filter here can tell (`unknown`). */
  readonly raws: ReadonlyArray<string> | undefined
}

/**
 * Reads `--status` against the service's status table: a value spelled as the service
 * spells it (`Succeeded`, `PENDING`) is the service's own; else a unified status in any
 * case (`succeeded`, `PENDING` for Lightsail), every one accepted even where the service
 * has none (it matches nothing, and `warn` says so); else the service's own in any case
 * (`inprogress`). Anything else is a `UsageError`.
 *
 * @since 0.2.0
 * @category mapping
 */
export const statusFilter = (info: ServiceInfo, values: ReadonlyArray<string>, warn: Warn): StatusFilter => {
  const table = info.statusTable
  const rawNames = Object.keys(table)
  const raws = new Set<string>()
  const unified = new Set<OperationStatus>()
  const unifiedOf = (value: string) => unifiedStatuses.find((s) => s === value.toLowerCase())
  for (const value of values) {
    const status = unifiedOf(value)
    const exact =
      rawNames.find((raw) => raw === value) ??
      (status === undefined ? rawNames.find((raw) => raw.toLowerCase() === value.toLowerCase()) : undefined)
    if (exact !== undefined) raws.add(exact)
    else if (status !== undefined) {
      if (!unified.has(status) && status !== "unknown" && !rawNames.some((raw) => table[raw] === status)) {
        warn(`${info.service} has no status that means ${status}: --status ${value} matches nothing`)
      }
      unified.add(status)
    } else {
      throw usageError(
        `--status "${value}" is not a ${info.service} status`,
        `Use one of ${unifiedStatuses.join(", ")}, or ${rawNames.join(", ")}`
      )
    }
  }
  for (const raw of rawNames) if (unified.has(table[raw]!)) raws.add(raw)
  return {
    keep: (op) => raws.has(op.rawStatus) || unified.has(op.status),
    // `unknown` is every status the table lacks: no list of raw values says that.
    raws: unified.has("unknown") || raws.size === 0 ? undefined : [...raws]
  }
}

/** What `list` was asked for, checked. */
interface ListRequest {
  readonly info: ServiceInfo
  readonly values: Values
  readonly statuses: StatusFilter | undefined
  readonly types: ReadonlyArray<string>
  readonly since: Date | undefined
  readonly started: number
}

/** The service's list, asked with the filters it has. */
const listOf = (aws: Aws, region: string, request: ListRequest): Stream.Stream<Operation, OpstatusError> => {
  const { info, values, statuses, types, since, started } = request
  const flag = (name: string) => stringFlag(values, name)
  if (info.service === lightsailService.service) {
    return list(aws.lightsail, region, { resourceName: flag("resource") })
  }
  if (info.service === serviceDiscoveryService.service) {
    const namespaceId = flag("namespace")
    const serviceId = flag("service-id")
    return list(aws.serviceDiscovery, region, {
      ...(namespaceId === undefined ? {} : { namespaceId }),
      ...(serviceId === undefined ? {} : { serviceId }),
      ...(statuses?.raws === undefined ? {} : { status: statuses.raws }),
      ...(types.length === 0 ? {} : { type: types }),
      ...(since === undefined
        ? {}
        : {
            // "Since then" has no end, but BETWEEN needs one: the adapter's generous slack after now,
            // so an operation that changes while the list runs (or on a clock ahead of ours) still shows.
            updatedBetween: [
              since,
              new Date(Math.max(started, since.getTime()) + windowSlackAfterMillis)
            ] as const
          })
    })
  }
  if (info.service === cloudFormationService.service) {
    return list(aws.cloudFormation, region, { stackSetName: flag("stack-set") ?? "" })
  }
  if (info.service === ecsService.service) {
    const cluster = flag("cluster")
    return list(aws.ecs, region, {
      service: flag("ecs-service") ?? "",
      ...(cluster === undefined ? {} : { cluster }),
      ...(statuses?.raws === undefined ? {} : { status: statuses.raws as NonNullable<EcsQuery["status"]> }),
      ...(since === undefined ? {} : { createdAfter: since })
    })
  }
  if (info.service === cloudControlService.service) {
    return list(aws.cloudControl, region, {
      ...(statuses?.raws === undefined
        ? {}
        : { status: statuses.raws as NonNullable<CloudControlQuery["status"]> }),
      ...(types.length === 0 ? {} : { type: types as NonNullable<CloudControlQuery["type"]> })
    })
  }
  return list(aws.ssmSap, region, {
    applicationId: flag("application") ?? "",
    ...(statuses?.raws?.length === 1 ? { status: statuses.raws[0] } : {}),
    ...(types.length === 1 ? { type: types[0] } : {}),
    ...(since === undefined ? {} : { startedAfter: since })
  })
}

/** What the service could not filter on is filtered here. */
const keeper = (request: ListRequest) => {
  const { info, statuses, types, since } = request
  // Cloud Map filters on the update date itself; the others are filtered on the start here.
  const sinceHere = since !== undefined && info.service !== serviceDiscoveryService.service
  return (op: Operation): boolean => {
    const startedAt = op.createdAt ?? op.updatedAt
    return (
      (statuses === undefined || statuses.keep(op)) &&
      (types.length === 0 || op.type === undefined || types.includes(op.type)) &&
      (!sinceHere || startedAt === undefined || startedAt.getTime() >= since.getTime())
    )
  }
}

const parseLimit = (values: Values): number | undefined => {
  const text = stringFlag(values, "limit")
  if (text === undefined) return undefined
  const limit = Number(text)
  if (!(/^\d+$/.test(text.trim()) && Number.isInteger(limit) && limit > 0)) {
    throw usageError(`--limit "${text}" is not a positive whole number`, "Use e.g. --limit 50")
  }
  return limit
}

/**
 * Runs `list`.
 *
 * @since 0.2.0
 * @category waiting
 */
export const listCommand = async (
  args: ReadonlyArray<string>,
  io: CliIo,
  now: () => number
): Promise<number> => {
  const { values, positionals } = parseCommand("list", args, listFlags)
  if (booleanFlag(values, "help")) {
    io.stdout.write(`${commandHelp.list}\n`)
    return ExitCode.ok
  }
  if (positionals.length === 0) {
    throw usageError("list needs a service", `Run opstatus list ${serviceSlugs.join("|")}`)
  }
  if (positionals.length > 1) {
    throw usageError(
      `list takes one service, got ${positionals.length} arguments`,
      "Run opstatus list --help"
    )
  }
  const info = parseService(positionals[0]!, "the service")
  for (const [flag, owner] of serviceFlags) {
    if (stringFlag(values, flag) !== undefined && info.service !== owner.service) {
      throw usageError(`--${flag} applies to ${owner.service} only`, "Run opstatus list --help")
    }
  }
  if (info.service === route53Service.service) {
    throw usageError(
      "Route 53 has no API that lists changes",
      "Read one with opstatus get route53:global:<change-id>, or wait for it with opstatus wait"
    )
  }
  for (const [flag, name, owner] of [
    ["stack-set", "the stack set", cloudFormationService],
    ["ecs-service", "the ECS service", ecsService]
  ] as const) {
    const value = stringFlag(values, flag)
    if (info.service === owner.service && (value === undefined || value.trim() === "")) {
      throw usageError(`listing ${owner.title} operations needs ${name}`, `Pass --${flag} <name>`)
    }
  }
  const application = stringFlag(values, "application")
  if (info.service === ssmSapService.service && (application === undefined || application.trim() === "")) {
    throw usageError(
      "listing SSM for SAP operations needs the application",
      "Pass --application <application-id>"
    )
  }
  const timeout = durationFlag(values, "timeout") ?? defaultListTimeoutMillis
  const started = now()
  const sinceText = stringFlag(values, "since")
  const statusValues = listFlag(values, "status")
  const request: ListRequest = {
    info,
    values,
    statuses: statusValues.length === 0 ? undefined : statusFilter(info, statusValues, warnTo(io)),
    types: listFlag(values, "type"),
    since: sinceText === undefined ? undefined : parseSinceFlag(sinceText, started),
    started
  }
  const limit = parseLimit(values)
  const settings = await loadAwsSettings(awsFlagsOf(values), io.env)
  const region = settings.region
  if (region === undefined) {
    throw usageError("no region to list in", "Pass --region, set AWS_REGION, or name a profile with a region")
  }
  requireProfile(settings)
  const output: ReadOutput = {
    io,
    json: booleanFlag(values, "json"),
    noColor: booleanFlag(values, "no-color"),
    now
  }
  const operations: Operation[] = []
  const emit = (op: Operation) =>
    Effect.sync(() => {
      operations.push(op)
      writeOperation(output, op, op.updatedAt ?? op.createdAt ?? new Date(now()))
    })
  const exit = await withAws(settings, io.env, {}, (aws) => {
    const kept = listOf(aws, region, request).pipe(Stream.filter(keeper(request)))
    const limited = limit === undefined ? kept : kept.pipe(Stream.take(limit))
    return Effect.runPromiseExit(Stream.runForEach(limited, emit).pipe(Effect.timeoutOption(timeout)), {
      signal: io.signal
    })
  })
  if (Exit.isFailure(exit)) {
    if (io.signal.aborted || Cause.hasInterruptsOnly(exit.cause)) {
      io.stderr.write("opstatus: interrupted.\n")
      return ExitCode.interrupted
    }
    throw Cause.squash(exit.cause)
  }
  if (Option.isNone(exit.value)) {
    throw new DeadlineError({
      message: `list ${info.service} did not finish within ${formatElapsed(timeout)}`,
      timeoutMillis: timeout
    })
  }
  writeReadEnd(output, operations, [], ExitCode.ok, started)
  return ExitCode.ok
}
