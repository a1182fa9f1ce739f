/**
 * CloudFormation stack operations: CreateStack, UpdateStack and RollbackStack
 * answer `{ StackId, OperationId }`, and DescribeEvents with that
 * `OperationId` reads the operation's events, each carrying the operation's
 * type and its status at that moment. The operation's status is the one of
 * its latest event. A stack operation that ends with the stack rolled back
 * (`UPDATE_ROLLBACK_COMPLETE`, `ROLLBACK_COMPLETE`, ...) failed, whatever the
 * operation's own status says, unless it is itself a rollback.
 *
 * @since 0.3.0
 */
import type { BeaconStackOperationStatus, OperationEvent } from "@aws-sdk/client-cloudformation"
import type { Operation, OperationStatus } from "@opstatus/core"
import {
  fieldOf as field,
  makeStatusMapper,
  type StatusTable,
  textOf,
  toDate,
  Wire
} from "@opstatus/core/adapter-kit"
import * as Schema from "effect/Schema"
import { stackOperationId } from "./CloudFormationId.js"

const service = "cloudformation"

/**
 * The statuses a stack operation's events report (DescribeEvents
 * `OperationStatus`), one row for each value of the SDK's
 * `BeaconStackOperationStatus`.
 *
 * @since 0.3.0
 * @category mapping
 */
export const cloudFormationStackStatusTable = {
  IN_PROGRESS: "running",
  SUCCEEDED: "succeeded",
  FAILED: "failed"
} as const satisfies Record<BeaconStackOperationStatus, OperationStatus> & StatusTable

/**
 * One DescribeEvents event, as the wire brings it; checked, never transformed.
 *
 * @since 0.3.0
 * @category models
 */
export const CloudFormationRawOperationEvent = Schema.Struct({
  EventId: Wire.string,
  StackId: Wire.string,
  OperationId: Wire.string,
  OperationType: Wire.string,
  OperationStatus: Wire.string,
  EventType: Wire.string,
  LogicalResourceId: Wire.string,
  PhysicalResourceId: Wire.string,
  ResourceType: Wire.string,
  Timestamp: Wire.timestamp,
  StartTime: Wire.timestamp,
  EndTime: Wire.timestamp,
  ResourceStatus: Wire.string,
  ResourceStatusReason: Wire.string,
  HookStatusReason: Wire.string,
  ValidationStatusReason: Wire.string
})

/**
 * @since 0.3.0
 * @category models
 */
export type CloudFormationRawOperationEvent = typeof CloudFormationRawOperationEvent.Type

/**
 * A DescribeEvents page; a `null` event is skipped.
 *
 * @since 0.3.0
 * @category models
 */
export const CloudFormationDescribeEventsAnswer = Schema.Struct({
  OperationEvents: Wire.array(Schema.NullOr(CloudFormationRawOperationEvent)),
  NextToken: Wire.string
})

const mapStatus = makeStatusMapper(cloudFormationStackStatusTable)

const timeOf = (u: unknown): number | undefined => toDate(u)?.getTime()

/** The least (or greatest) of some times; a loop, so that thousands of events do not overflow the stack. */
const extreme = (times: ReadonlyArray<number | undefined>, pick: (a: number, b: number) => number) => {
  let out: number | undefined
  for (const t of times) if (t !== undefined) out = out === undefined ? t : pick(out, t)
  return out
}

/** The operation types whose success is a rollback that completed. */
const rollbackTypes: ReadonlySet<string> = new Set(["ROLLBACK", "CONTINUE_ROLLBACK"])

/** A stack status that says the stack rolled back (or failed to). */
const rolledBackStatus = /ROLLBACK_(COMPLETE|FAILED)$/

const failureTypes: ReadonlySet<string> = new Set([
  "PROVISIONING_ERROR",
  "VALIDATION_ERROR",
  "HOOK_INVOCATION_ERROR"
])

/** At most this many failure reasons are named in an error message. */
const maxReasons = 5

type Event = CloudFormationRawOperationEvent | OperationEvent

/**
 * The latest event carrying a status: by `Timestamp`, a tie going to a terminal
 * status, then to list order (DescribeEvents lists the newest first).
 */
const latest = (
  events: ReadonlyArray<Event>,
  pick: (e: Event) => string | undefined,
  terminal: (s: string) => boolean
) => {
  let best: { value: string; at: number } | undefined
  for (const event of events) {
    const value = pick(event)
    if (value === undefined) continue
    const at = timeOf(field(event, "Timestamp")) ?? Number.NEGATIVE_INFINITY
    if (best === undefined || at > best.at || (at === best.at && terminal(value) && !terminal(best.value))) {
      best = { value, at }
    }
  }
  return best?.value
}

/** The failure reasons the events carry, oldest first, each once. */
const reasonsOf = (events: ReadonlyArray<Event>): ReadonlyArray<string> => {
  const failures: Array<{ text: string; at: number; index: number }> = []
  events.forEach((event, index) => {
    const status = textOf(field(event, "ResourceStatus"))
    const type = textOf(field(event, "EventType"))
    if (!(status?.endsWith("_FAILED") || (type !== undefined && failureTypes.has(type)))) return
    const reason =
      textOf(field(event, "ResourceStatusReason")) ??
      textOf(field(event, "ValidationStatusReason")) ??
      textOf(field(event, "HookStatusReason"))
    if (reason === undefined) return
    const what = textOf(field(event, "LogicalResourceId")) ?? textOf(field(event, "ResourceType"))
    failures.push({
      text: what === undefined ? reason : `${what}: ${reason}`,
      at: timeOf(field(event, "Timestamp")) ?? Number.POSITIVE_INFINITY,
      // Listed newest first: a later index is older.
      index: -index
    })
  })
  failures.sort((a, b) => a.at - b.at || a.index - b.index)
  return [...new Set(failures.map((f) => f.text))]
}

const reasonsText = (reasons: ReadonlyArray<string>): string => {
  const listed = reasons.slice(0, maxReasons).join("; ")
  return reasons.length > maxReasons ? `${listed}; and ${reasons.length - maxReasons} more` : listed
}

/**
 * Maps a stack operation's DescribeEvents events to the unified model. The
 * status is the latest event's `OperationStatus`; the type its
 * `OperationType`; an operation that ended with the stack in a rollback
 * state (and is no rollback itself) is `failed` with the code
 * `StackRolledBack`; another failure is `StackOperationFailed`; both carry
 * the events' failure reasons, oldest first. No events at all is an
 * `unknown` status. Pure and total: it never throws, whatever it is given.
 *
 * @since 0.3.0
 * @category mapping
 */
export const toStackOperation = (
  events: ReadonlyArray<Event | null | undefined>,
  context: { readonly region: string; readonly stackName: string; readonly operationId: string },
  requestId?: string | undefined
): Operation => {
  const present: Array<Event> = Array.isArray(events)
    ? events.filter((e): e is Event => typeof e === "object" && e !== null)
    : []
  const rawStatus =
    latest(
      present,
      (e) => textOf(field(e, "OperationStatus")),
      (s) => mapStatus(s).terminal
    ) ?? ""
  const mapped = mapStatus(rawStatus)
  const type = present.map((e) => textOf(field(e, "OperationType"))).find((t) => t !== undefined)
  const stackId = present.map((e) => textOf(field(e, "StackId"))).find((t) => t !== undefined)
  const ownStatus = latest(
    present.filter(
      (e) =>
        textOf(field(e, "ResourceType")) === "AWS::CloudFormation::Stack" &&
        (textOf(field(e, "LogicalResourceId")) === context.stackName ||
          (stackId !== undefined && textOf(field(e, "PhysicalResourceId")) === stackId))
    ),
    (e) => textOf(field(e, "ResourceStatus")),
    (s) => s.endsWith("_COMPLETE") || s.endsWith("_FAILED")
  )
  const rolledBack =
    mapped.terminal &&
    ownStatus !== undefined &&
    rolledBackStatus.test(ownStatus) &&
    !(type !== undefined && rollbackTypes.has(type))
  const status: OperationStatus = rolledBack ? "failed" : mapped.status
  const updatedAt = extreme(
    present.map((e) => timeOf(field(e, "Timestamp"))),
    Math.max
  )
  const createdAt = extreme(
    present.map((e) => timeOf(field(e, "StartTime")) ?? timeOf(field(e, "Timestamp"))),
    Math.min
  )
  const endedAt = extreme([updatedAt, ...present.map((e) => timeOf(field(e, "EndTime")))], Math.max)
  const reasons = status === "failed" ? reasonsOf(present) : []
  const error =
    status !== "failed"
      ? undefined
      : rolledBack
        ? {
            code: "StackRolledBack",
            message: `The stack ${context.stackName} rolled back (${ownStatus})${
              reasons.length === 0 ? "" : `: ${reasonsText(reasons)}`
            }`
          }
        : {
            code: "StackOperationFailed",
            message:
              reasons.length === 0
                ? `The stack operation on ${context.stackName} failed`
                : reasonsText(reasons)
          }
  return {
    ref: { service, region: context.region, id: stackOperationId(context.stackName, context.operationId) },
    ...(type === undefined ? {} : { type }),
    status,
    terminal: mapped.terminal,
    rawStatus,
    resource: {
      type: "AWS::CloudFormation::Stack",
      name: context.stackName,
      ...(stackId === undefined ? {} : { arn: stackId })
    },
    ...(createdAt === undefined ? {} : { createdAt: new Date(createdAt) }),
    ...(updatedAt === undefined ? {} : { updatedAt: new Date(updatedAt) }),
    ...(mapped.terminal && endedAt !== undefined ? { endedAt: new Date(endedAt) } : {}),
    ...(error === undefined ? {} : { error }),
    region: context.region,
    ...(requestId === undefined ? {} : { requestId }),
    raw: { OperationEvents: present }
  }
}
