/**
 * AWS CloudFormation StackSet operations, as a spec on the adapter kit.
 * CreateStackInstances, UpdateStackInstances, DeleteStackInstances,
 * UpdateStackSet, DetectStackSetDrift and ImportStacksToStackSet answer
 * `{ OperationId }` alone, while DescribeStackSetOperation needs the stack set
 * too: a ref's ID carries both (`<stackSetName>/<operationId>`), and a
 * response's refs need the stack set given. An operation is read with
 * DescribeStackSetOperation and its per-instance results
 * (ListStackSetOperationResults, every page) become its steps; fleets read a
 * stack set's operations with ListStackSetOperations. StopStackSetOperation
 * cancels: the operation goes STOPPING, then STOPPED.
 *
 * Stack operations (`stack/<stackName>/<operationId>`, from CreateStack,
 * UpdateStack and RollbackStack) are read with DescribeEvents, see
 * `StackOperation.ts`.
 *
 * @since 0.3.0
 */
import {
  type CallAs,
  type CloudFormationClient,
  DescribeEventsCommand,
  DescribeStackSetOperationCommand,
  ListStackSetOperationResultsCommand,
  ListStackSetOperationsCommand,
  type StackSetOperation as SdkStackSetOperation,
  type StackSetOperationResultSummary as SdkStackSetOperationResultSummary,
  type StackSetOperationSummary as SdkStackSetOperationSummary,
  type StackSetOperationResultStatus,
  type StackSetOperationStatus,
  StopStackSetOperationCommand
} from "@aws-sdk/client-cloudformation"
import {
  type BatchCandidate,
  type BatchRead,
  CancelNotSupported,
  type Operation,
  type OperationRef,
  type OperationSource,
  type OperationStep,
  OpstatusError,
  type Page,
  type RefHints,
  type ServiceInfo,
  type OperationStatus as UnifiedStatus
} from "@opstatus/core"
import {
  type ClientOptions,
  classifySdkError,
  dateField,
  type ErrorNames,
  fieldOf as field,
  groupBy,
  invalidQuery,
  invalidRef,
  makeSource,
  makeStatusMapper,
  paginate,
  type Requester,
  requestError,
  requestIdOf,
  requireRegion,
  type SourceSpec,
  type StatusTable,
  stringField,
  textOf,
  Wire,
  withRef
} from "@opstatus/core/adapter-kit"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import {
  type CloudFormationId,
  cloudFormationIdMaxLength,
  cloudFormationIdPattern,
  isOperationId,
  isStackSetName,
  parseCloudFormationId,
  stackOperationId,
  stackSetOperationId
} from "./CloudFormationId.js"
import {
  CloudFormationDescribeEventsAnswer,
  type CloudFormationRawOperationEvent,
  toStackOperation
} from "./StackOperation.js"

const service = "cloudformation"
const title = "AWS CloudFormation"

type SendClient = Pick<CloudFormationClient, "send">

/**
 * StackSet operation statuses, one row for each value of the SDK's
 * `StackSetOperationStatus`. `STOPPING` is still running; `STOPPED` is a
 * cancelled operation.
 *
 * @since 0.3.0
 * @category mapping
 */
export const cloudFormationStatusTable = {
  QUEUED: "pending",
  RUNNING: "running",
  STOPPING: "running",
  SUCCEEDED: "succeeded",
  FAILED: "failed",
  STOPPED: "cancelled"
} as const satisfies Record<StackSetOperationStatus, UnifiedStatus> & StatusTable

/**
 * The per-instance result statuses (ListStackSetOperationResults), the
 * steps of an operation; one row for each value of the SDK's
 * `StackSetOperationResultStatus`.
 *
 * @since 0.3.0
 * @category mapping
 */
export const cloudFormationResultStatusTable = {
  PENDING: "pending",
  RUNNING: "running",
  SUCCEEDED: "succeeded",
  FAILED: "failed",
  CANCELLED: "cancelled"
} as const satisfies Record<StackSetOperationResultStatus, UnifiedStatus> & StatusTable

const callAsValues: ReadonlyArray<CallAs> = ["SELF", "DELEGATED_ADMIN"]

/**
 * What the CloudFormation source declares: its slug, its operation IDs
 * (`<stackSetName>/<operationId>`, or `stack/<stackName>/<operationId>`), its
 * hints, its waiting defaults (a StackSet operation across many accounts
 * takes minutes to hours) and its StackSet status table.
 *
 * @since 0.3.0
 * @category models
 */
export const cloudFormationService: ServiceInfo = {
  service,
  title,
  idRule: {
    maxLength: cloudFormationIdMaxLength,
    pattern: cloudFormationIdPattern,
    description:
      "<stackSetName>/<operationId> (the stack set's name or ID, a slash, the operation ID) or stack/<stackName>/<operationId>"
  },
  hints: {
    stackSetName:
      "the stack set a mutating call's response ({ OperationId }) belongs to: refsFromResponse needs it to make the ref",
    callAs: "SELF or DELEGATED_ADMIN: passed as CallAs to every StackSet call on the operation"
  },
  defaults: {
    timeout: "60 minutes",
    minDelay: "5 seconds",
    maxDelay: "30 seconds",
    notFoundGrace: "30 seconds"
  },
  statusTable: cloudFormationStatusTable
}

const RawAccountGateResult = Schema.Struct({ Status: Wire.string, StatusReason: Wire.string })

/**
 * A StackSet operation as DescribeStackSetOperation answers it, or a
 * ListStackSetOperations summary (the same fields but `StackSetId`);
 * checked, never transformed.
 *
 * @since 0.3.0
 * @category models
 */
export const CloudFormationRawStackSetOperation = Schema.Struct({
  OperationId: Wire.string,
  StackSetId: Wire.string,
  Action: Wire.string,
  Status: Wire.string,
  StatusReason: Wire.string,
  CreationTimestamp: Wire.timestamp,
  EndTimestamp: Wire.timestamp,
  StatusDetails: Wire.struct(
    Schema.Struct({ FailedStackInstancesCount: Schema.optional(Schema.NullOr(Schema.Number)) })
  )
})

/**
 * @since 0.3.0
 * @category models
 */
export type CloudFormationRawStackSetOperation = typeof CloudFormationRawStackSetOperation.Type

/**
 * One ListStackSetOperationResults item: the operation's result in one account and region.
 *
 * @since 0.3.0
 * @category models
 */
export const CloudFormationRawOperationResult = Schema.Struct({
  Account: Wire.string,
  Region: Wire.string,
  Status: Wire.string,
  StatusReason: Wire.string,
  AccountGateResult: Wire.struct(RawAccountGateResult),
  OrganizationalUnitId: Wire.string
})

/**
 * @since 0.3.0
 * @category models
 */
export type CloudFormationRawOperationResult = typeof CloudFormationRawOperationResult.Type

/**
 * The DescribeStackSetOperation answer. One without `StackSetOperation` fits
 * the schema but is a `MalformedResponse` for the source.
 *
 * @since 0.3.0
 * @category models
 */
export const CloudFormationDescribeStackSetOperationAnswer = Schema.Struct({
  StackSetOperation: Wire.struct(CloudFormationRawStackSetOperation)
})

/**
 * A ListStackSetOperations page; a `null` item is skipped.
 *
 * @since 0.3.0
 * @category models
 */
export const CloudFormationListStackSetOperationsAnswer = Schema.Struct({
  Summaries: Wire.array(Schema.NullOr(CloudFormationRawStackSetOperation)),
  NextToken: Wire.string
})

/**
 * A ListStackSetOperationResults page; a `null` item is skipped.
 *
 * @since 0.3.0
 * @category models
 */
export const CloudFormationListStackSetOperationResultsAnswer = Schema.Struct({
  Summaries: Wire.array(Schema.NullOr(CloudFormationRawOperationResult)),
  NextToken: Wire.string
})

const StopAnswer = Schema.Struct({})

/** The elements of a list; `null` elements are skipped. */
const present = <A>(items: ReadonlyArray<A | null> | null | undefined): Array<A> =>
  Array.isArray(items) ? items.filter((item): item is A => item !== null && item !== undefined) : []

const mapStatus = makeStatusMapper(cloudFormationStatusTable)
const mapResultStatus = makeStatusMapper(cloudFormationResultStatusTable)

/** At most this many failed instances are named in an error message. */
const maxNamedInstances = 10

/**
 * Maps one per-instance result (ListStackSetOperationResults) to a step:
 * the resource is the stack instance, `<account>/<region>`; `StatusReason`
 * is the message, and the account gate's reason is added to it when the gate failed.
 * Total: it never throws.
 *
 * @since 0.3.0
 * @category mapping
 */
export const toStep = (
  raw: CloudFormationRawOperationResult | SdkStackSetOperationResultSummary
): OperationStep => {
  const rawStatus = textOf(field(raw, "Status")) ?? ""
  const account = textOf(field(raw, "Account"))
  const region = textOf(field(raw, "Region"))
  const ou = textOf(field(raw, "OrganizationalUnitId"))
  const gate = field(raw, "AccountGateResult")
  const gateStatus = textOf(field(gate, "Status"))
  const gateReason = textOf(field(gate, "StatusReason"))
  const message = [
    textOf(field(raw, "StatusReason")),
    rawStatus === "FAILED" && gateStatus === "FAILED"
      ? `account gate ${gateStatus}${gateReason === undefined ? "" : `: ${gateReason}`}`
      : undefined
  ]
    .filter((part) => part !== undefined)
    .join("; ")
  const name = [account, region].filter((part) => part !== undefined).join("/")
  return {
    description: `stack instance in account ${account ?? "?"}, region ${region ?? "?"}${ou === undefined ? "" : ` (${ou})`}`,
    status: mapResultStatus(rawStatus).status,
    rawStatus,
    ...(message === "" ? {} : { message }),
    resource: { type: "AWS::CloudFormation::StackInstance", ...(name === "" ? {} : { name }) }
  }
}

/** A FAILED operation's message: its reason, then the instances that failed and why. */
const failureMessage = (
  reason: string | undefined,
  failedCount: number | undefined,
  steps: ReadonlyArray<OperationStep> | undefined
): string => {
  const failed = (steps ?? []).filter((step) => step.rawStatus === "FAILED")
  const parts: Array<string> = reason === undefined ? [] : [reason]
  if (failed.length > 0) {
    const named = failed
      .slice(0, maxNamedInstances)
      .map((step) => `${step.resource?.name ?? "?"}${step.message === undefined ? "" : ` (${step.message})`}`)
      .join(", ")
    const more = failed.length > maxNamedInstances ? `, and ${failed.length - maxNamedInstances} more` : ""
    parts.push(`failed stack instances: ${named}${more}`)
  } else if (failedCount !== undefined && failedCount > 0) {
    parts.push(`${failedCount} stack instance${failedCount === 1 ? "" : "s"} failed`)
  }
  return parts.length === 0 ? "The StackSet operation failed" : parts.join("; ")
}

/**
 * Maps a StackSet operation (DescribeStackSetOperation) or an operation
 * summary (ListStackSetOperations) of a stack set to the unified model:
 * `Action` is the type, the stack set the resource, the per-instance
 * results (when read) the steps. A FAILED operation's error has the code
 * `StackSetOperationFailed` and a message naming its `StatusReason` and the
 * instances that failed with theirs. Pure and total: it never throws,
 * whatever it is given.
 *
 * @since 0.3.0
 * @category mapping
 */
export const toOperation = (
  raw: CloudFormationRawStackSetOperation | SdkStackSetOperation | SdkStackSetOperationSummary,
  context: {
    readonly region: string
    /** The stack set as the ref names it: its name, or its ID. */
    readonly stackSetName: string
    /** The operation ID, when the answer lacks one. */
    readonly operationId?: string | undefined
    readonly hints?: Readonly<Record<string, string>> | undefined
  },
  steps?: ReadonlyArray<OperationStep> | undefined,
  requestId?: string | undefined
): Operation => {
  const rawStatus = textOf(field(raw, "Status")) ?? ""
  const mapped = mapStatus(rawStatus)
  const operationId = textOf(field(raw, "OperationId")) ?? context.operationId ?? ""
  const stackSetId = textOf(field(raw, "StackSetId"))
  const count = field(field(raw, "StatusDetails"), "FailedStackInstancesCount")
  const failedCount = typeof count === "number" && Number.isFinite(count) ? count : undefined
  const properties = {
    ...stringField("StackSetId", stackSetId),
    ...(failedCount === undefined ? {} : { FailedStackInstancesCount: String(failedCount) })
  }
  const endTimestamp = field(raw, "EndTimestamp")
  const hints = context.hints ?? {}
  return {
    ref: {
      service,
      region: context.region,
      id: stackSetOperationId(context.stackSetName, operationId),
      ...(Object.keys(hints).length === 0 ? {} : { hints: { ...hints } })
    },
    ...stringField("type", field(raw, "Action")),
    status: mapped.status,
    terminal: mapped.terminal,
    rawStatus,
    resource: {
      type: "AWS::CloudFormation::StackSet",
      name: context.stackSetName.split(":")[0]!,
      ...stringField(
        "id",
        stackSetId ?? (context.stackSetName.includes(":") ? context.stackSetName : undefined)
      )
    },
    ...(Object.keys(properties).length === 0 ? {} : { properties }),
    ...dateField("createdAt", field(raw, "CreationTimestamp")),
    ...dateField("updatedAt", endTimestamp),
    ...(mapped.terminal ? dateField("endedAt", endTimestamp) : {}),
    ...(mapped.status === "failed"
      ? {
          error: {
            code: "StackSetOperationFailed",
            message: failureMessage(textOf(field(raw, "StatusReason")), failedCount, steps)
          }
        }
      : {}),
    region: context.region,
    ...(steps === undefined ? {} : { steps: [...steps] }),
    ...(requestId === undefined ? {} : { requestId }),
    raw
  }
}

/**
 * CloudFormation's error names, for the kit's classifier.
 *
 * @since 0.3.0
 * @category errors
 */
export const cloudFormationErrorNames: ErrorNames = {
  notFound: ["OperationNotFoundException", "StackSetNotFoundException"],
  invalid: [
    "InvalidOperationException",
    // What starting a second operation on a stack set while one runs answers (HTTP 409): no retry helps.
    "OperationInProgressException",
    "OperationIdAlreadyExistsException",
    "StaleRequestException",
    "StackInstanceNotFoundException",
    "StackNotFoundException",
    "ValidationError"
  ]
}

/**
 * What a CloudFormation failure means: an `OpstatusError` with a request
 * reason. The query protocol's throttling error is `Throttling`.
 *
 * @since 0.3.0
 * @category errors
 */
export const classifyCloudFormationError = (error: unknown): OpstatusError =>
  classifySdkError(service, cloudFormationErrorNames, error)

/**
 * A list query: the operations of one stack set (ListStackSetOperations).
 *
 * @since 0.3.0
 * @category models
 */
export interface CloudFormationQuery {
  /** The stack set's name or ID. */
  readonly stackSetName: string
  readonly callAs?: CallAs | undefined
  /** Items per page, 1 to 100 (the service's range). */
  readonly maxResults?: number | undefined
}

const show = (u: unknown): string => {
  try {
    return typeof u === "string" ? u : (JSON.stringify(u) ?? String(u))
  } catch {
    return Object.prototype.toString.call(u)
  }
}

/**
 * Checks a list query, or fails with `InvalidQuery` naming what is wrong
 * with it. It never throws, whatever it is given.
 *
 * @since 0.3.0
 * @category constructors
 */
export const checkQuery = (query: CloudFormationQuery): Effect.Effect<CloudFormationQuery, OpstatusError> =>
  Effect.suspend(() => {
    const fail = (message: string) => Effect.fail(invalidQuery(service, message))
    if (typeof query !== "object" || query === null || Array.isArray(query)) {
      return fail(`the query must be an object with a stackSetName, got ${show(query)}`)
    }
    const stackSetName = field(query, "stackSetName")
    if (!isStackSetName(stackSetName)) {
      return fail(
        `stackSetName must be a stack set name (a letter, then letters, digits and dashes) or ID, got ${show(stackSetName)}`
      )
    }
    const callAs = field(query, "callAs")
    if (callAs !== undefined && !(callAsValues as ReadonlyArray<unknown>).includes(callAs)) {
      return fail(`callAs must be SELF or DELEGATED_ADMIN, got ${show(callAs)}`)
    }
    const maxResults = field(query, "maxResults")
    if (
      maxResults !== undefined &&
      !(
        typeof maxResults === "number" &&
        Number.isInteger(maxResults) &&
        maxResults >= 1 &&
        maxResults <= 100
      )
    ) {
      return fail(`maxResults must be a whole number from 1 to 100, got ${show(maxResults)}`)
    }
    return Effect.succeed({
      stackSetName,
      ...(callAs === undefined ? {} : { callAs: callAs as CallAs }),
      ...(maxResults === undefined ? {} : { maxResults: maxResults as number })
    })
  })

/**
 * Options of `refsFromResponse`: the region, and the stack set the
 * response's operation belongs to, as `hints.stackSetName` (or
 * `stackSetName`); `callAs` (as a hint or on its own) is kept on the refs.
 *
 * @since 0.3.0
 * @category models
 */
export interface CloudFormationRefOptions extends RefHints {
  readonly stackSetName?: string | undefined
  readonly callAs?: CallAs | undefined
}

/** The hints a caller gave, non-empty strings only. */
const givenHints = (hints: unknown): Record<string, string> => {
  if (typeof hints !== "object" || hints === null || Array.isArray(hints)) return {}
  try {
    return Object.fromEntries(
      Object.entries(hints).filter((entry): entry is [string, string] => textOf(entry[1]) !== undefined)
    )
  } catch {
    // Hints that cannot be read (a getter that throws, a proxy): none.
    return {}
  }
}

/** A stack ARN: `arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<uuid>`. */
const stackArnPattern = /^arn:[^:]+:cloudformation:([^:]+):[^:]*:stack\/([^/]+)\/.+$/

/**
 * The refs of a mutating call's response. A StackSet call's `{ OperationId }`
 * makes `<stackSetName>/<operationId>`: the stack set must be given
 * (`hints.stackSetName`), else it throws `InvalidRef` (an `OpstatusError`)
 * saying to pass it. A stack call's `{ StackId, OperationId }` (CreateStack,
 * UpdateStack, RollbackStack) makes `stack/<stackName>/<operationId>` in the
 * stack ARN's region. Without a region it throws `InvalidRef`; a response
 * without an `OperationId` has no refs. It throws nothing else.
 *
 * @since 0.3.0
 * @category refs
 */
export const refsFromResponse = (
  response: unknown,
  options: CloudFormationRefOptions = {}
): ReadonlyArray<OperationRef> => {
  const operationId = textOf(field(response, "OperationId"))
  if (operationId === undefined) return []
  const given = givenHints(field(options, "hints"))
  const callAs = given.callAs ?? textOf(field(options, "callAs"))
  const { stackSetName: hinted, ...kept } = given
  const hints = { ...kept, ...(callAs === undefined ? {} : { callAs }) }
  const withHints = Object.keys(hints).length === 0 ? {} : { hints }
  const region = textOf(field(options, "region"))
  const stackArn = textOf(field(response, "StackId"))
  const arn = stackArn === undefined ? null : stackArnPattern.exec(stackArn)
  if (arn !== null && arn !== undefined) {
    return [
      {
        service,
        region: requireRegion(service, arn[1], region),
        id: stackOperationId(arn[2]!, operationId),
        ...withHints
      }
    ]
  }
  const stackSetName = hinted ?? textOf(field(options, "stackSetName"))
  if (stackSetName === undefined) {
    throw invalidRef(
      `${service}:${region ?? "?"}:?/${operationId}`,
      "a StackSet response carries only the OperationId: pass the stack set as { hints: { stackSetName } } to refsFromResponse",
      service
    )
  }
  if (!isStackSetName(stackSetName) || !isOperationId(operationId)) {
    throw invalidRef(
      `${service}:${region ?? "?"}:${stackSetName}/${operationId}`,
      `expected ${cloudFormationService.idRule.description}`,
      service
    )
  }
  return [
    {
      service,
      region: requireRegion(service, region),
      id: stackSetOperationId(stackSetName, operationId),
      ...withHints
    }
  ]
}

/** A ref's ID read, or `InvalidRef` naming it; no request is made. */
const idOf = (ref: OperationRef): Effect.Effect<CloudFormationId, OpstatusError> => {
  const id = parseCloudFormationId(ref.id)
  return id === undefined
    ? Effect.fail(
        invalidRef(
          `${ref.service}:${ref.region}:${ref.id}`,
          `expected ${cloudFormationService.idRule.description}`,
          service
        )
      )
    : Effect.succeed(id)
}

/** The ref's `callAs` hint, checked; no request is made. */
const callAsOf = (ref: OperationRef): Effect.Effect<{ readonly CallAs?: CallAs }, OpstatusError> => {
  const callAs = ref.hints?.callAs
  if (callAs === undefined) return Effect.succeed({})
  return (callAsValues as ReadonlyArray<string>).includes(callAs)
    ? Effect.succeed({ CallAs: callAs as CallAs })
    : Effect.fail(
        invalidRef(
          `${ref.service}:${ref.region}:${ref.id}`,
          `hint callAs must be SELF or DELEGATED_ADMIN, got "${callAs}"`,
          service
        )
      )
}

/** CloudFormation's largest page of StackSet lists. */
const listPageSize = 100

type Request = Requester<SendClient>

/** Every per-instance result of an operation, page by page (bounded), as steps. */
const resultsOf = (
  request: Request,
  region: string,
  input: { readonly StackSetName: string; readonly OperationId: string; readonly CallAs?: CallAs }
): Effect.Effect<ReadonlyArray<OperationStep>, OpstatusError> =>
  Stream.runCollect(
    paginate((token) =>
      Effect.map(
        request.call(
          region,
          "ListStackSetOperationResults",
          CloudFormationListStackSetOperationResultsAnswer,
          (client, abortSignal) =>
            client.send(
              new ListStackSetOperationResultsCommand({
                ...input,
                MaxResults: listPageSize,
                ...(token === undefined ? {} : { NextToken: token })
              }),
              { abortSignal }
            )
        ),
        (answer): Page<OperationStep> => ({
          items: present(answer.Summaries).map(toStep),
          next: textOf(answer.NextToken)
        })
      )
    )
  )

/** Every event of a stack operation, page by page (bounded). */
const eventsOf = (
  request: Request,
  region: string,
  operationId: string
): Effect.Effect<
  { readonly events: ReadonlyArray<CloudFormationRawOperationEvent>; readonly requestId: string | undefined },
  OpstatusError
> =>
  Effect.suspend(() => {
    // The first page's request ID, of this run: a retried read starts afresh.
    let requestId: string | undefined
    return Effect.map(
      Stream.runCollect(
        paginate((token) =>
          Effect.map(
            request.call(
              region,
              "DescribeEvents",
              CloudFormationDescribeEventsAnswer,
              (client, abortSignal) =>
                client.send(
                  new DescribeEventsCommand({
                    OperationId: operationId,
                    ...(token === undefined ? {} : { NextToken: token })
                  }),
                  { abortSignal }
                )
            ),
            (answer): Page<CloudFormationRawOperationEvent> => {
              requestId ??= requestIdOf(answer)
              return { items: present(answer.OperationEvents), next: textOf(answer.NextToken) }
            }
          )
        )
      ),
      (events) => ({ events, requestId })
    )
  })

const getStackSetOperation = (
  request: Request,
  ref: OperationRef,
  id: Extract<CloudFormationId, { kind: "stackSet" }>
) =>
  Effect.gen(function* () {
    const callAs = yield* callAsOf(ref)
    const input = { StackSetName: id.stackSetName, OperationId: id.operationId, ...callAs }
    const answer = yield* request.call(
      ref.region,
      "DescribeStackSetOperation",
      CloudFormationDescribeStackSetOperationAnswer,
      (client, abortSignal) => client.send(new DescribeStackSetOperationCommand(input), { abortSignal })
    )
    const raw = answer.StackSetOperation
    if (raw === undefined || raw === null) {
      return yield* request.malformed("DescribeStackSetOperation returned no StackSetOperation", answer)
    }
    // A queued operation has no results yet: one call spared while it waits its turn.
    const steps = raw.Status === "QUEUED" ? [] : yield* resultsOf(request, ref.region, input)
    return toOperation(
      raw,
      {
        region: ref.region,
        stackSetName: id.stackSetName,
        operationId: id.operationId,
        hints: ref.hints
      },
      steps,
      requestIdOf(answer)
    )
  })

const getStackOperation = (
  request: Request,
  ref: OperationRef,
  id: Extract<CloudFormationId, { kind: "stack" }>
) =>
  Effect.flatMap(eventsOf(request, ref.region, id.operationId), ({ events, requestId }) =>
    events.length === 0
      ? // DescribeEvents answers an operation it does not know (yet) with no events.
        Effect.fail(
          requestError("OperationNotFound", {
            service,
            code: "NoOperationEvents",
            serviceMessage: `DescribeEvents returned no events for operation ${id.operationId}`,
            requestId
          })
        )
      : Effect.succeed(
          toStackOperation(
            events,
            { region: ref.region, stackName: id.stackName, operationId: id.operationId },
            requestId
          )
        )
  )

const getOperation = (request: Request, ref: OperationRef): Effect.Effect<Operation, OpstatusError> =>
  Effect.flatMap(idOf(ref), (id) =>
    id.kind === "stack" ? getStackOperation(request, ref, id) : getStackSetOperation(request, ref, id)
  ).pipe(Effect.mapError((error) => withRef(error, ref)))

/** One ListStackSetOperations page of a stack set; null items and items without an OperationId are skipped. */
const listPage = (
  request: Request,
  region: string,
  query: CloudFormationQuery,
  token: string | undefined
): Effect.Effect<Page<Operation>, OpstatusError> =>
  Effect.flatMap(checkQuery(query), (q) =>
    Effect.map(
      request.call(
        region,
        "ListStackSetOperations",
        CloudFormationListStackSetOperationsAnswer,
        (client, abortSignal) =>
          client.send(
            new ListStackSetOperationsCommand({
              StackSetName: q.stackSetName,
              ...(q.callAs === undefined ? {} : { CallAs: q.callAs }),
              ...(q.maxResults === undefined ? {} : { MaxResults: q.maxResults }),
              ...(token === undefined ? {} : { NextToken: token })
            }),
            { abortSignal }
          )
      ),
      (answer) => {
        const requestId = requestIdOf(answer)
        const hints = q.callAs === undefined ? undefined : { callAs: q.callAs }
        const items = present(answer.Summaries)
          .filter((summary) => isOperationId(summary.OperationId))
          .map((summary) =>
            toOperation(summary, { region, stackSetName: q.stackSetName, hints }, undefined, requestId)
          )
        return { items, next: textOf(answer.NextToken) }
      }
    )
  )

/**
 * The list reads that cover waited StackSet operations: one
 * ListStackSetOperations per stack set (and `callAs`) that two or more of
 * them belong to, 100 a page. Its summaries carry status, action, dates and
 * reason but no per-instance results: the engine settles a SUCCEEDED from
 * one, and reads a FAILED or STOPPED (and every ending, for a wait that asks
 * for `fullOperation`) with DescribeStackSetOperation. A single operation,
 * and stack operations, are read by ID. `readPage` reads one page of a query.
 *
 * @since 0.3.0
 * @category batching
 */
export const stackSetBatchReads = (
  candidates: ReadonlyArray<BatchCandidate>,
  readPage: (
    query: CloudFormationQuery,
    token: string | undefined
  ) => Effect.Effect<Page<Operation>, OpstatusError>
): ReadonlyArray<BatchRead> => {
  const reads: Array<BatchRead> = []
  const groups = groupBy(candidates, (candidate) => {
    const id = parseCloudFormationId(candidate.ref.id)
    if (id === undefined || id.kind !== "stackSet") return undefined
    const callAs = candidate.ref.hints?.callAs
    if (callAs !== undefined && !(callAsValues as ReadonlyArray<string>).includes(callAs)) return undefined
    return `${id.stackSetName}/${callAs ?? ""}`
  })
  for (const [key, group] of groups) {
    if (group.length < 2) continue
    const [stackSetName, callAs] = key.split("/") as [string, string]
    const query: CloudFormationQuery = {
      stackSetName,
      maxResults: listPageSize,
      ...(callAs === "" ? {} : { callAs: callAs as CallAs })
    }
    reads.push({
      key: `ListStackSetOperations:${stackSetName}${callAs === "" ? "" : `:${callAs}`}`,
      covers: group,
      complete: false,
      page: (gate, token) => gate(readPage(query, token))
    })
  }
  return reads
}

const cancelOperation = (request: Request, ref: OperationRef): Effect.Effect<void, OpstatusError> =>
  Effect.flatMap(idOf(ref), (id) => {
    if (id.kind === "stack") {
      return Effect.fail(
        new OpstatusError({
          reason: new CancelNotSupported({
            service,
            ref: { service: ref.service, region: ref.region, id: ref.id },
            message:
              `${title} stack operations cannot be cancelled by opstatus (${ref.service}:${ref.region}:${ref.id}): ` +
              "CancelUpdateStack rolls an update back, which ends the operation failed, not cancelled"
          })
        })
      )
    }
    return Effect.flatMap(callAsOf(ref), (callAs) =>
      Effect.asVoid(
        request.call(ref.region, "StopStackSetOperation", StopAnswer, (client, abortSignal) =>
          client.send(
            new StopStackSetOperationCommand({
              StackSetName: id.stackSetName,
              OperationId: id.operationId,
              ...callAs
            }),
            { abortSignal }
          )
        )
      )
    )
  }).pipe(Effect.mapError((error) => withRef(error, ref)))

const spec: SourceSpec<SendClient, CloudFormationQuery> = {
  info: cloudFormationService,
  errorNames: cloudFormationErrorNames,
  get: getOperation,
  listPage,
  checkQuery: (query) => Effect.asVoid(checkQuery(query)),
  refsFromResponse,
  cancel: cancelOperation,
  batch: (request) => ({
    // DescribeStackSetOperation and ListStackSetOperationResults.
    getCost: 2,
    plan: (region, candidates) =>
      stackSetBatchReads(candidates, (query, token) => listPage(request, region, query, token))
  })
}

/**
 * Options of `cloudFormationSource`: your `CloudFormationClient` (or
 * `CloudFormation`), or a `clientFor(region)` factory.
 *
 * @since 0.3.0
 * @category models
 */
export type CloudFormationSourceOptions = ClientOptions<SendClient>

/**
 * The CloudFormation source: StackSet operations (and stack operations), with
 * `cancel` for StackSet operations. Throws `InvalidConfig` (an
 * `OpstatusError`) when the options are neither `{ client }` nor
 * `{ clientFor }`.
 *
 * @since 0.3.0
 * @category constructors
 */
export const cloudFormationSource = (
  options: CloudFormationSourceOptions
): OperationSource<CloudFormationQuery> => makeSource(spec, options)
