/**
 * AWS Cloud Control API resource requests, as a spec on the adapter kit.
 * CreateResource, UpdateResource and DeleteResource start a request and
 * answer its first `ProgressEvent`, a full snapshot named by its
 * `RequestToken`; GetResourceRequestStatus reads one again, with the hooks it
 * invoked (its steps); ListResourceRequests pages the region's requests of the
 * last seven days as full ProgressEvents; CancelResourceRequest stops one that
 * is still `PENDING` or `IN_PROGRESS`. An event's `RetryAfter` is the earliest
 * instant the service wants to be asked again, and the engine honours it.
 *
 * @since 0.3.0
 */
import {
  CancelResourceRequestCommand,
  type CloudControlClient,
  GetResourceRequestStatusCommand,
  ListResourceRequestsCommand,
  type ResourceRequestStatusFilter,
  type HookProgressEvent as SdkHookProgressEvent,
  type Operation as SdkOperation,
  type OperationStatus as SdkOperationStatus,
  type ProgressEvent as SdkProgressEvent
} from "@aws-sdk/client-cloudcontrol"
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
  RequestReason,
  ServiceInfo,
  OperationStatus as UnifiedStatus
} from "@opstatus/core"
import {
  type ClientOptions,
  classifySdkError,
  dateField,
  type ErrorNames,
  fieldOf,
  invalidQuery,
  makeSource,
  makeStatusMapper,
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

const service = "cloudcontrol"

type SendClient = Pick<CloudControlClient, "send">

/**
 * Cloud Control's raw request statuses, one row for each value of the SDK's
 * `OperationStatus`. A request being cancelled is still running.
 *
 * @since 0.3.0
 * @category mapping
 */
export const cloudControlStatusTable = {
  PENDING: "pending",
  IN_PROGRESS: "running",
  SUCCESS: "succeeded",
  FAILED: "failed",
  CANCEL_IN_PROGRESS: "running",
  CANCEL_COMPLETE: "cancelled"
} as const satisfies Record<SdkOperationStatus, UnifiedStatus> & StatusTable

/**
 * The statuses of the hooks a request invokes (`HookStatus`, a plain string
 * in the model), the request's steps.
 *
 * @since 0.3.0
 * @category mapping
 */
export const cloudControlHookStatusTable = {
  HOOK_PENDING: "pending",
  HOOK_IN_PROGRESS: "running",
  HOOK_COMPLETE_SUCCEEDED: "succeeded",
  HOOK_COMPLETE_FAILED: "failed",
  HOOK_FAILED: "failed"
} as const satisfies StatusTable

/**
 * What the Cloud Control source declares: its slug, request tokens, ref
 * hints, default waiting policy and status table.
 *
 * @since 0.3.0
 * @category models
 */
export const cloudControlService: ServiceInfo = {
  service,
  title: "AWS Cloud Control API",
  idRule: {
    maxLength: 128,
    pattern: /^[-A-Za-z0-9+/=]+$/,
    description: "a RequestToken: letters, digits and - + / ="
  },
  hints: {
    typeName: "the resource type the request acts on (AWS::S3::Bucket), from its events",
    identifier: "the primary identifier of the resource, once the service names it"
  },
  defaults: {
    // Some resource types take most of an hour to stabilize (a database cluster, a distribution).
    timeout: "1 hour",
    minDelay: "2 seconds",
    maxDelay: "30 seconds",
    notFoundGrace: "30 seconds"
  },
  statusTable: cloudControlStatusTable
}

/**
 * A `ProgressEvent` as it comes on the wire: every field optional, `null`
 * read as absent, unknown fields kept.
 *
 * @since 0.3.0
 * @category models
 */
export const CloudControlProgressEvent = Schema.Struct({
  TypeName: Wire.string,
  Identifier: Wire.string,
  RequestToken: Wire.string,
  HooksRequestToken: Wire.string,
  Operation: Wire.string,
  OperationStatus: Wire.string,
  EventTime: Wire.timestamp,
  ResourceModel: Wire.string,
  StatusMessage: Wire.string,
  ErrorCode: Wire.string,
  RetryAfter: Wire.timestamp
})

/**
 * @since 0.3.0
 * @category models
 */
export type CloudControlProgressEvent = typeof CloudControlProgressEvent.Type

/**
 * One hook invocation of GetResourceRequestStatus's `HooksProgressEvent`.
 *
 * @since 0.3.0
 * @category models
 */
export const CloudControlHookProgressEvent = Schema.Struct({
  HookTypeName: Wire.string,
  HookTypeVersionId: Wire.string,
  HookTypeArn: Wire.string,
  InvocationPoint: Wire.string,
  HookStatus: Wire.string,
  HookEventTime: Wire.timestamp,
  HookStatusMessage: Wire.string,
  FailureMode: Wire.string
})

/**
 * @since 0.3.0
 * @category models
 */
export type CloudControlHookProgressEvent = typeof CloudControlHookProgressEvent.Type

/**
 * The GetResourceRequestStatus answer. One without `ProgressEvent` fits the
 * schema but is a `MalformedResponse` for the source.
 *
 * @since 0.3.0
 * @category models
 */
export const CloudControlGetResourceRequestStatusAnswer = Schema.Struct({
  ProgressEvent: Wire.struct(CloudControlProgressEvent),
  HooksProgressEvent: Wire.array(Schema.NullOr(CloudControlHookProgressEvent))
})

/**
 * The CancelResourceRequest answer (and that of CreateResource, UpdateResource and DeleteResource).
 *
 * @since 0.3.0
 * @category models
 */
export const CloudControlProgressEventAnswer = Schema.Struct({
  ProgressEvent: Wire.struct(CloudControlProgressEvent)
})

/**
 * A ListResourceRequests page; a `null` item is tolerated and skipped.
 *
 * @since 0.3.0
 * @category models
 */
export const CloudControlListResourceRequestsAnswer = Schema.Struct({
  ResourceRequestStatusSummaries: Wire.array(Schema.NullOr(CloudControlProgressEvent)),
  NextToken: Wire.string
})

/** The elements of an array, none when it is not one or cannot be read. */
const elementsOf = (u: unknown): ReadonlyArray<unknown> => {
  try {
    return Array.isArray(u) ? [...u] : []
  } catch {
    return []
  }
}

/** The non-empty string entries of a map; none when it is not one or cannot be read. */
const stringsOf = (u: unknown): Record<string, string> => {
  const out: Record<string, string> = {}
  if (typeof u !== "object" || u === null) return out
  let keys: ReadonlyArray<string> = []
  try {
    keys = Array.isArray(u) ? [] : Object.keys(u)
  } catch {
    // A revoked proxy.
    return out
  }
  for (const key of keys) {
    const value = fieldOf(u, key)
    if (typeof value === "string" && value !== "" && key !== "__proto__") out[key] = value
  }
  return out
}

const mapStatus = makeStatusMapper(cloudControlStatusTable)
const mapHookStatus = makeStatusMapper(cloudControlHookStatusTable)

/**
 * Maps one hook invocation to a step; total. A hook whose `FailureMode` is
 * `WARN` fails its step but not the request.
 *
 * @since 0.3.0
 * @category mapping
 */
export const toStep = (hook: CloudControlHookProgressEvent | SdkHookProgressEvent): OperationStep => {
  const rawStatus = textOf(fieldOf(hook, "HookStatus")) ?? ""
  const name = textOf(fieldOf(hook, "HookTypeName"))
  const point = textOf(fieldOf(hook, "InvocationPoint"))
  const resource = { ...stringField("name", name), ...stringField("arn", fieldOf(hook, "HookTypeArn")) }
  const description = [name, point === undefined ? undefined : `(${point})`].filter((s) => s !== undefined)
  return {
    status: mapHookStatus(rawStatus).status,
    rawStatus,
    ...(description.length === 0 ? {} : { description: description.join(" ") }),
    ...stringField("message", fieldOf(hook, "HookStatusMessage")),
    ...(Object.keys(resource).length === 0 ? {} : { resource }),
    ...dateField("at", fieldOf(hook, "HookEventTime"))
  }
}

/**
 * Maps a `ProgressEvent` to the unified model, purely; it never throws,
 * whatever it is given. `Operation` is the type, `TypeName` and `Identifier`
 * the resource (and the ref hints `typeName` and `identifier`), `EventTime`
 * the last update (and the end once terminal), a `FAILED` carries `ErrorCode`
 * and `StatusMessage`, `RetryAfter` becomes `retryAfter`; `ResourceModel` is
 * left in `raw`. `hooks` (GetResourceRequestStatus's `HooksProgressEvent`)
 * become the steps when there are any.
 *
 * @since 0.3.0
 * @category mapping
 */
export const toOperation = (
  raw: CloudControlProgressEvent | SdkProgressEvent,
  region: string,
  requestId?: string | undefined,
  hooks?: ReadonlyArray<unknown> | undefined
): Operation => {
  const rawStatus = textOf(fieldOf(raw, "OperationStatus")) ?? ""
  const mapped = mapStatus(rawStatus)
  const typeName = textOf(fieldOf(raw, "TypeName"))
  const identifier = textOf(fieldOf(raw, "Identifier"))
  const hints = { ...stringField("typeName", typeName), ...stringField("identifier", identifier) }
  const errorCode = textOf(fieldOf(raw, "ErrorCode"))
  const statusMessage = textOf(fieldOf(raw, "StatusMessage"))
  const eventTime = fieldOf(raw, "EventTime")
  const steps = elementsOf(hooks)
    .filter((hook) => typeof hook === "object" && hook !== null)
    .map((hook) => toStep(hook as CloudControlHookProgressEvent))
  return {
    ref: {
      service,
      region,
      id: textOf(fieldOf(raw, "RequestToken")) ?? "",
      ...(Object.keys(hints).length === 0 ? {} : { hints })
    },
    ...stringField("type", fieldOf(raw, "Operation")),
    status: mapped.status,
    terminal: mapped.terminal,
    rawStatus,
    resource: { ...stringField("type", typeName), ...stringField("id", identifier) },
    ...dateField("updatedAt", eventTime),
    ...(mapped.terminal ? dateField("endedAt", eventTime) : {}),
    ...(mapped.status === "failed" || errorCode !== undefined
      ? {
          error: {
            ...(errorCode === undefined ? {} : { code: errorCode }),
            message: statusMessage ?? errorCode ?? "The Cloud Control resource request failed"
          }
        }
      : {}),
    region,
    ...(steps.length === 0 ? {} : { steps }),
    ...dateField("retryAfter", fieldOf(raw, "RetryAfter")),
    ...stringField("requestId", requestId),
    raw
  }
}

/**
 * Cloud Control's error names, for the kit's classifier. Only
 * RequestTokenNotFoundException says the request is missing; the others come
 * from the calls that start requests and from the resource handlers.
 *
 * @since 0.3.0
 * @category errors
 */
export const cloudControlErrorNames: ErrorNames = {
  // Also what a token older than seven days answers: requests expire after a week.
  notFound: ["RequestTokenNotFoundException"],
  // The handler's credentials (the role passed as RoleArn, or the caller's session) were refused.
  unauthenticated: ["InvalidCredentialsException"],
  invalid: [
    "InvalidRequestException",
    "AlreadyExistsException",
    "ClientTokenConflictException",
    // Another request acts on the same resource: it is not this request's to wait out.
    "ConcurrentOperationException",
    "NotStabilizedException",
    "NotUpdatableException",
    "PrivateTypeException",
    "ResourceConflictException",
    // The resource, not the request: RequestTokenNotFoundException is the request.
    "ResourceNotFoundException",
    // A quota of the resource's service, not a rate: waiting does not lift it.
    "ServiceLimitExceededException",
    "TypeNotFoundException",
    "UnsupportedActionException"
  ],
  // Modelled as 502s (the handler or its downstream service failed) and a 500 for a resource
  // another operation is changing: each clears by itself.
  transient: [
    "ServiceInternalErrorException",
    "HandlerFailureException",
    "HandlerInternalFailureException",
    "NetworkFailureException",
    "GeneralServiceException",
    "ConcurrentModificationException"
  ]
}

/**
 * What a Cloud Control failure means: an `OpstatusError` with a request reason.
 *
 * @since 0.3.0
 * @category errors
 */
export const classifyCloudControlError = (error: unknown): OpstatusError =>
  classifySdkError(service, cloudControlErrorNames, error)

/**
 * A Cloud Control list query: the region's requests of the last seven days,
 * filtered by type (`CREATE`, `UPDATE`, `DELETE`) and raw status.
 *
 * @since 0.3.0
 * @category models
 */
export interface CloudControlQuery {
  readonly type?: SdkOperation | ReadonlyArray<SdkOperation> | undefined
  readonly status?: SdkOperationStatus | ReadonlyArray<SdkOperationStatus> | undefined
  /** Items per page, 1 to 100 (the service's range; it answers 20 when absent). */
  readonly maxResults?: number | undefined
}

const typeValues: ReadonlyArray<SdkOperation> = ["CREATE", "UPDATE", "DELETE"]
const statusValues = Object.keys(cloudControlStatusTable) as ReadonlyArray<SdkOperationStatus>

/** A value as text for a message; never throws. */
const show = (u: unknown): string => {
  try {
    return typeof u === "string" ? u : (JSON.stringify(u) ?? String(u))
  } catch {
    return Object.prototype.toString.call(u)
  }
}

/**
 * The ListResourceRequests input of a query (its filter and page size), or
 * `InvalidQuery` naming what is wrong with the query.
 *
 * @since 0.3.0
 * @category constructors
 */
export const toListInput = (
  query: CloudControlQuery | undefined
): Effect.Effect<
  { ResourceRequestStatusFilter?: ResourceRequestStatusFilter; MaxResults?: number },
  OpstatusError
> =>
  Effect.suspend(() => {
    const fail = (message: string) => Effect.fail(invalidQuery(service, message))
    if (query === undefined || query === null) return Effect.succeed({})
    if (typeof query !== "object" || Array.isArray(query)) {
      return fail(`the query must be an object, got ${show(query)}`)
    }
    const maxResults: unknown = fieldOf(query, "maxResults")
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
    const filter: ResourceRequestStatusFilter = {}
    for (const [name, key, value, allowed] of [
      ["type", "Operations", fieldOf(query, "type"), typeValues],
      ["status", "OperationStatuses", fieldOf(query, "status"), statusValues]
    ] as const) {
      if (value === undefined) continue
      if (typeof value !== "string" && !Array.isArray(value)) {
        return fail(`${name} must be a value or a list of values`)
      }
      const values: ReadonlyArray<unknown> = typeof value === "string" ? [value] : value
      if (values.length === 0) return fail(`${name} needs at least one value`)
      const bad = values.findIndex((v) => !(allowed as ReadonlyArray<unknown>).includes(v))
      if (bad >= 0) return fail(`${name} "${show(values[bad])}" is not one of ${allowed.join(", ")}`)
      ;(filter as Record<string, Array<unknown>>)[key] = [...new Set(values)]
    }
    return Effect.succeed({
      ...(Object.keys(filter).length === 0 ? {} : { ResourceRequestStatusFilter: filter }),
      ...(maxResults === undefined ? {} : { MaxResults: maxResults as number })
    })
  })

/**
 * Options of `cloudControlSource`: your `CloudControlClient` (or
 * `CloudControl`), or a `clientFor(region)` factory.
 *
 * @since 0.3.0
 * @category models
 */
export type CloudControlSourceOptions = ClientOptions<SendClient>

/** The ProgressEvent a response carries: its `ProgressEvent`, or the response itself when it is one. */
const progressEventOf = (response: unknown): unknown => {
  const event = fieldOf(response, "ProgressEvent")
  if (typeof event === "object" && event !== null) return event
  return textOf(fieldOf(response, "RequestToken")) !== undefined &&
    textOf(fieldOf(response, "OperationStatus")) !== undefined
    ? response
    : undefined
}

/**
 * The request a response carries, as a snapshot: the `{ ProgressEvent }` of
 * CreateResource, UpdateResource, DeleteResource, CancelResourceRequest and
 * GetResourceRequestStatus (with its hooks as steps), or a ProgressEvent
 * itself. Empty when it carries no event with a `RequestToken`. The region is
 * `options.region`: a ProgressEvent does not name it, so without one it
 * throws `InvalidRef` (an `OpstatusError`). It throws nothing else, whatever
 * it is given.
 *
 * @since 0.3.0
 * @category refs
 */
export const operationsFromResponse = (response: unknown, options?: RefHints): ReadonlyArray<Operation> => {
  const event = progressEventOf(response)
  if (textOf(fieldOf(event, "RequestToken")) === undefined) return []
  const region = textOf(fieldOf(options, "region"))
  const op = toOperation(
    event as CloudControlProgressEvent,
    requireRegion(service, region),
    requestIdOf(response),
    elementsOf(fieldOf(response, "HooksProgressEvent"))
  )
  const merged = { ...stringsOf(fieldOf(options, "hints")), ...op.ref.hints }
  return [Object.keys(merged).length === 0 ? op : { ...op, ref: { ...op.ref, hints: merged } }]
}

/**
 * The refs of what a response carries (see `operationsFromResponse`), with
 * the `typeName` and `identifier` hints the event names.
 *
 * @since 0.3.0
 * @category refs
 */
export const refsFromResponse = (response: unknown, options?: RefHints): ReadonlyArray<OperationRef> =>
  operationsFromResponse(response, options).map((op) => op.ref)

/**
 * The raw statuses a fleet's list read asks for: the ones a request can still
 * leave.
 *
 * @since 0.3.0
 * @category batching
 */
export const inFlightStatuses: ReadonlyArray<SdkOperationStatus> = statusValues.filter(
  (status) => !mapStatus(status).terminal
)

/** Cloud Control's largest page. */
const listPageSize = 100

/**
 * The one list read that covers waited Cloud Control requests:
 * ListResourceRequests filtered to the requests still in flight
 * (`inFlightStatuses`), and to their types when every candidate's type is
 * known. The list holds every request of the region's last seven days, ended
 * ones included, so without the filter a fleet would page through a week of
 * them each round; with it, a request that ended drops out of the pages and
 * the engine reads it once by its token, which also gives its hooks. Its
 * items are full ProgressEvents (`complete`). `readPage` reads one page of a
 * query.
 *
 * @since 0.3.0
 * @category batching
 */
export const cloudControlBatchReads = (
  candidates: ReadonlyArray<BatchCandidate>,
  readPage: (
    query: CloudControlQuery,
    token: string | undefined
  ) => Effect.Effect<Page<Operation>, OpstatusError>
): ReadonlyArray<BatchRead> => {
  if (candidates.length < 2) return []
  const types = new Set<SdkOperation>()
  for (const { last } of candidates) {
    const type = last?.type
    if (type === undefined || !(typeValues as ReadonlyArray<string>).includes(type)) {
      types.clear()
      break
    }
    types.add(type as SdkOperation)
  }
  const type =
    types.size === 0 || types.size === typeValues.length ? undefined : typeValues.filter((t) => types.has(t))
  const query: CloudControlQuery = {
    status: inFlightStatuses,
    maxResults: listPageSize,
    ...(type === undefined ? {} : { type })
  }
  return [
    {
      key: type === undefined ? "ListResourceRequests" : `ListResourceRequests:${type.join(",")}`,
      covers: candidates,
      complete: true,
      page: (gate, token) => gate(readPage(query, token))
    }
  ]
}

/** One ListResourceRequests page; null items, and items without a RequestToken, are skipped. */
const listPage = (
  request: Requester<SendClient>,
  region: string,
  query: CloudControlQuery | undefined,
  NextToken: string | undefined
): Effect.Effect<Page<Operation>, OpstatusError> =>
  Effect.flatMap(toListInput(query), (input) =>
    Effect.map(
      request.call(
        region,
        "ListResourceRequests",
        CloudControlListResourceRequestsAnswer,
        (client, abortSignal) =>
          client.send(
            new ListResourceRequestsCommand({ ...input, ...(NextToken === undefined ? {} : { NextToken }) }),
            {
              abortSignal
            }
          )
      ),
      (out) => {
        const requestId = requestIdOf(out)
        const items: Array<Operation> = []
        for (const event of out.ResourceRequestStatusSummaries ?? []) {
          if (event === null || textOf(event.RequestToken) === undefined) continue
          items.push(toOperation(event, region, requestId))
        }
        return { items, next: out.NextToken ?? undefined }
      }
    )
  )

const getRequestStatus = (
  request: Requester<SendClient>,
  ref: OperationRef
): Effect.Effect<Operation, OpstatusError> =>
  request
    .call(
      ref.region,
      "GetResourceRequestStatus",
      CloudControlGetResourceRequestStatusAnswer,
      (client, abortSignal) =>
        client.send(new GetResourceRequestStatusCommand({ RequestToken: ref.id }), { abortSignal })
    )
    .pipe(
      Effect.flatMap((out) => {
        if (out.ProgressEvent === undefined || out.ProgressEvent === null) {
          return Effect.fail(request.malformed("GetResourceRequestStatus returned no ProgressEvent", out))
        }
        const op = toOperation(out.ProgressEvent, ref.region, requestIdOf(out), out.HooksProgressEvent ?? [])
        // An event without its token is the request asked about.
        return Effect.succeed(op.ref.id === "" ? { ...op, ref: { ...op.ref, id: ref.id } } : op)
      }),
      Effect.mapError((error) => withRef(error, ref))
    )

/**
 * A cancel the service refused because the request can no longer be
 * cancelled (it ended, or is being cancelled) is a request that waiting
 * cannot fix: `InvalidRequest`, with the service's code and message.
 */
const notCancellable = (error: OpstatusError): OpstatusError => {
  const reason = error.reason
  if (reason.kind !== "request" || reason._tag === "InvalidRequest") return error
  // The model's one refusal of CancelResourceRequest besides a missing token; a 500, so the SDK
  // has already retried it.
  if (error.code !== "ConcurrentModificationException") return error
  return requestError("InvalidRequest", {
    service,
    code: error.code,
    serviceMessage: error.serviceMessage ?? "the request cannot be cancelled",
    requestId: error.requestId,
    httpStatus: (reason as RequestReason).httpStatus
  })
}

const cancelRequest = (
  request: Requester<SendClient>,
  ref: OperationRef
): Effect.Effect<void, OpstatusError> =>
  request
    .call(ref.region, "CancelResourceRequest", CloudControlProgressEventAnswer, (client, abortSignal) =>
      client.send(new CancelResourceRequestCommand({ RequestToken: ref.id }), { abortSignal })
    )
    .pipe(
      Effect.asVoid,
      Effect.mapError((error) => withRef(notCancellable(error), ref))
    )

const spec: SourceSpec<SendClient, CloudControlQuery> = {
  info: cloudControlService,
  errorNames: cloudControlErrorNames,
  get: getRequestStatus,
  listPage,
  checkQuery: (query) => Effect.asVoid(toListInput(query)),
  refsFromResponse,
  cancel: cancelRequest,
  batch: (request) => ({
    plan: (region, candidates) =>
      cloudControlBatchReads(candidates, (query, token) => listPage(request, region, query, token))
  })
}

/**
 * The Cloud Control source: `get` reads GetResourceRequestStatus,
 * `list(region, query)` pages ListResourceRequests, `cancel` sends
 * CancelResourceRequest, fleets read through ListResourceRequests. Throws
 * `InvalidConfig` (an `OpstatusError`) when the options are neither
 * `{ client }` nor `{ clientFor }`.
 *
 * @since 0.3.0
 * @category constructors
 */
export const cloudControlSource = (options: CloudControlSourceOptions): OperationSource<CloudControlQuery> =>
  makeSource(spec, options)
