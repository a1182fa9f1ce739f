/**
 * AWS Cloud Map (ServiceDiscovery) operations, as a spec on the adapter kit.
 * Namespace, service and instance changes return `{ OperationId }`;
 * GetOperation returns the full operation with `ErrorCode`/`ErrorMessage`
 * and `Targets`, while ListOperations returns only `Id` and `Status` for
 * each.
 *
 * Cloud Map's `PENDING` means in progress, not queued: `SUBMITTED` is the
 * queued state.
 *
 * @since 0.1.0
 */
import {
  GetOperationCommand,
  ListOperationsCommand,
  type OperationFilter,
  type Operation as SdkOperation,
  type OperationStatus as SdkOperationStatus,
  type OperationSummary as SdkOperationSummary,
  type OperationType as SdkOperationType,
  type ServiceDiscoveryClient
} from "@aws-sdk/client-servicediscovery"
import type {
  BatchCandidate,
  BatchRead,
  Operation,
  OperationRef,
  OperationSource,
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
  invalidQuery,
  makeSource,
  makeStatusMapper,
  type Requester,
  requireRegion,
  type SourceSpec,
  type StatusTable,
  stringField,
  Wire,
  withRef
} from "@opstatus/core/adapter-kit"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

const service = "servicediscovery"

type SendClient = Pick<ServiceDiscoveryClient, "send">

/**
 * Cloud Map's raw statuses, one row for each value of the SDK's `OperationStatus`.
 *
 * @since 0.1.0
 * @category mapping
 */
export const serviceDiscoveryStatusTable = {
  SUBMITTED: "pending",
  PENDING: "running",
  SUCCESS: "succeeded",
  FAIL: "failed"
} as const satisfies Record<SdkOperationStatus, UnifiedStatus> & StatusTable

/**
 * What the Cloud Map source declares: its slug, operation IDs, ref hints,
 * default waiting policy and status table.
 *
 * @since 0.2.0
 * @category models
 */
export const serviceDiscoveryService: ServiceInfo = {
  service,
  title: "AWS Cloud Map",
  idRule: { maxLength: 255, pattern: /^[A-Za-z0-9-]+$/, description: "letters, digits and dashes" },
  hints: {
    namespaceId: "the namespace the operation acts in (its NAMESPACE target); scopes the fleet's list reads",
    serviceId: "the service the operation acts on (its SERVICE target); scopes the fleet's list reads"
  },
  defaults: {
    timeout: "5 minutes",
    minDelay: "1 second",
    maxDelay: "10 seconds",
    notFoundGrace: "30 seconds"
  },
  statusTable: serviceDiscoveryStatusTable
}

/**
 * A Cloud Map operation as GetOperation answers it; checked, never transformed.
 *
 * @since 0.2.0
 * @category models
 */
export const CloudMapRawOperation = Schema.Struct({
  Id: Wire.string,
  OwnerAccount: Wire.string,
  Type: Wire.string,
  Status: Wire.string,
  ErrorMessage: Wire.string,
  ErrorCode: Wire.string,
  CreateDate: Wire.timestamp,
  UpdateDate: Wire.timestamp,
  Targets: Wire.stringMap
})

/**
 * @since 0.2.0
 * @category models
 */
export type CloudMapRawOperation = typeof CloudMapRawOperation.Type

/**
 * One ListOperations item: only `Id` and `Status`.
 *
 * @since 0.2.0
 * @category models
 */
export const CloudMapOperationSummary = Schema.Struct({ Id: Wire.string, Status: Wire.string })

/**
 * @since 0.2.0
 * @category models
 */
export type CloudMapOperationSummary = typeof CloudMapOperationSummary.Type

/**
 * The GetOperation answer. An answer without `Operation` fits the schema but
 * is a `MalformedResponse` for the source.
 *
 * @since 0.2.0
 * @category models
 */
export const CloudMapGetOperationAnswer = Schema.Struct({ Operation: Wire.struct(CloudMapRawOperation) })

/**
 * A ListOperations page; a `null` item is tolerated and skipped.
 *
 * @since 0.2.0
 * @category models
 */
export const CloudMapListOperationsAnswer = Schema.Struct({
  Operations: Wire.array(Schema.NullOr(CloudMapOperationSummary)),
  NextToken: Wire.string
})

/** A property of anything, as if absent when it cannot be read. */
const field = (u: unknown, key: string): unknown => {
  if (typeof u !== "object" || u === null) return undefined
  try {
    return (u as Record<string, unknown>)[key]
  } catch {
    return undefined
  }
}

const textOf = (u: unknown): string => (typeof u === "string" ? u : "")

/** The string entries of a map; `undefined` when it is not an object. */
const stringsOf = (u: unknown): Record<string, string> | undefined => {
  if (typeof u !== "object" || u === null) return undefined
  const out: Record<string, string> = {}
  let keys: ReadonlyArray<string> = []
  try {
    // Both throw for a revoked proxy.
    if (Array.isArray(u)) return undefined
    keys = Object.keys(u)
  } catch {
    return out
  }
  for (const key of keys) {
    const value = field(u, key)
    if (typeof value === "string" && value !== "" && key !== "__proto__") out[key] = value
  }
  return out
}

const requestIdOf = (response: unknown): string | undefined => {
  const id = field(field(response, "$metadata"), "requestId")
  return typeof id === "string" && id !== "" ? id : undefined
}

const mapStatus = makeStatusMapper(serviceDiscoveryStatusTable)

/** The most specific target names the resource: an instance, else a service, else a namespace. */
const resourceOf = (targets: Record<string, string> | undefined): Operation["resource"] => {
  for (const type of ["INSTANCE", "SERVICE", "NAMESPACE"] as const) {
    const id = targets?.[type]
    if (id !== undefined) return { type, id }
  }
  return {}
}

/**
 * Maps a Cloud Map operation (or a ListOperations summary), as the schemas
 * check it or as the SDK types it, to the unified model. A `FAIL` carries
 * `ErrorCode` and `ErrorMessage`; the `NAMESPACE` and `SERVICE` targets
 * become the ref hints `namespaceId` and `serviceId`. Pure and total: it
 * never throws, whatever it is given.
 *
 * @since 0.1.0
 * @category mapping
 */
export const toOperation = (
  raw: CloudMapRawOperation | CloudMapOperationSummary | SdkOperation | SdkOperationSummary,
  region: string,
  requestId?: string | undefined
): Operation => {
  const rawStatus = textOf(field(raw, "Status"))
  const mapped = mapStatus(rawStatus)
  const targets = stringsOf(field(raw, "Targets"))
  const hints = {
    ...stringField("namespaceId", targets?.NAMESPACE),
    ...stringField("serviceId", targets?.SERVICE)
  }
  const errorCode = textOf(field(raw, "ErrorCode"))
  const errorMessage = textOf(field(raw, "ErrorMessage"))
  const updateDate = field(raw, "UpdateDate")
  return {
    ref: {
      service,
      region,
      id: textOf(field(raw, "Id")),
      ...(Object.keys(hints).length === 0 ? {} : { hints })
    },
    ...stringField("type", field(raw, "Type")),
    status: mapped.status,
    terminal: mapped.terminal,
    rawStatus,
    resource: resourceOf(targets),
    ...(targets === undefined ? {} : { targets }),
    ...dateField("createdAt", field(raw, "CreateDate")),
    ...dateField("updatedAt", updateDate),
    ...(mapped.terminal ? dateField("endedAt", updateDate) : {}),
    ...(mapped.status === "failed" || errorCode !== ""
      ? {
          error: {
            ...(errorCode === "" ? {} : { code: errorCode }),
            message: errorMessage || errorCode || "The Cloud Map operation failed"
          }
        }
      : {}),
    region,
    ...stringField("requestId", requestId),
    raw
  }
}

/**
 * Cloud Map's error names, for the kit's classifier.
 *
 * @since 0.2.0
 * @category errors
 */
export const serviceDiscoveryErrorNames: ErrorNames = {
  notFound: ["OperationNotFound"],
  invalid: [
    "InvalidInput",
    "NamespaceNotFound",
    "ServiceNotFound",
    "InstanceNotFound",
    "ResourceNotFoundException",
    "CustomHealthNotFound",
    "DuplicateRequest",
    "ResourceInUse",
    "ResourceLimitExceeded",
    "NamespaceAlreadyExists",
    "ServiceAlreadyExists",
    "ServiceAttributesLimitExceededException",
    "TooManyTagsException"
  ],
  // Modelled with HTTP 429 and no retryable trait, but it is throttling.
  throttling: ["RequestLimitExceeded"]
}

/**
 * What a Cloud Map failure means: an `OpstatusError` with a request reason.
 *
 * @since 0.1.0
 * @category errors
 */
export const classifyServiceDiscoveryError = (error: unknown): OpstatusError =>
  classifySdkError(service, serviceDiscoveryErrorNames, error)

/**
 * A Cloud Map list query; every ListOperations filter. Conditions follow the
 * service: one value is EQ, several are IN (STATUS, TYPE), a date pair is
 * BETWEEN (UPDATE_DATE).
 *
 * @since 0.1.0
 * @category models
 */
export interface ServiceDiscoveryQuery {
  readonly namespaceId?: string | undefined
  readonly serviceId?: string | undefined
  readonly status?: string | ReadonlyArray<string> | undefined
  readonly type?: string | ReadonlyArray<string> | undefined
  readonly updatedBetween?: readonly [Date, Date] | undefined
  /** Items per page, 1 to 100 (the service's range). */
  readonly maxResults?: number | undefined
}

const statusValues = Object.keys(serviceDiscoveryStatusTable) as ReadonlyArray<SdkOperationStatus>
const typeValues: ReadonlyArray<SdkOperationType> = [
  "CREATE_NAMESPACE",
  "DELETE_NAMESPACE",
  "UPDATE_NAMESPACE",
  "UPDATE_SERVICE",
  "REGISTER_INSTANCE",
  "DEREGISTER_INSTANCE"
]

/** A value as text for a message; never throws. */
const show = (u: unknown): string => {
  try {
    return typeof u === "string" ? u : (JSON.stringify(u) ?? String(u))
  } catch {
    return Object.prototype.toString.call(u)
  }
}

const queryError = (message: string) => invalidQuery(service, message)

/**
 * Turns a query into ListOperations filters, or fails with `InvalidQuery`
 * naming what is wrong with it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const toFilters = (
  query: ServiceDiscoveryQuery
): Effect.Effect<ReadonlyArray<OperationFilter>, OpstatusError> =>
  Effect.suspend(() => {
    if (query === undefined || query === null) return Effect.succeed([])
    if (typeof query !== "object" || Array.isArray(query)) {
      return Effect.fail(queryError(`the query must be an object, got ${show(query)}`))
    }
    const filters: OperationFilter[] = []
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
    for (const [name, value] of [
      ["NAMESPACE_ID", query.namespaceId],
      ["SERVICE_ID", query.serviceId]
    ] as const) {
      if (value === undefined) continue
      if (typeof value !== "string") return Effect.fail(queryError(`${name} must be a string`))
      if (value === "") return Effect.fail(queryError(`${name} must not be empty`))
      filters.push({ Name: name, Values: [value], Condition: "EQ" })
    }
    for (const [name, value, allowed] of [
      ["STATUS", query.status, statusValues],
      ["TYPE", query.type, typeValues]
    ] as const) {
      if (value === undefined) continue
      if (typeof value !== "string" && !Array.isArray(value)) {
        return Effect.fail(queryError(`${name} must be a value or a list of values`))
      }
      const values: ReadonlyArray<unknown> = typeof value === "string" ? [value] : value
      if (values.length === 0) return Effect.fail(queryError(`${name} needs at least one value`))
      const bad = values.findIndex((v) => !(allowed as ReadonlyArray<unknown>).includes(v))
      if (bad >= 0) {
        return Effect.fail(queryError(`${name} "${show(values[bad])}" is not one of ${allowed.join(", ")}`))
      }
      const strings = values as ReadonlyArray<string>
      filters.push({ Name: name, Values: [...strings], Condition: strings.length === 1 ? "EQ" : "IN" })
    }
    if (query.updatedBetween !== undefined) {
      const between: unknown = query.updatedBetween
      const [from, to]: ReadonlyArray<unknown> = Array.isArray(between) ? between : []
      if (
        !(from instanceof Date) ||
        !(to instanceof Date) ||
        Number.isNaN(from.getTime()) ||
        Number.isNaN(to.getTime())
      ) {
        return Effect.fail(queryError("updatedBetween needs two valid dates"))
      }
      if (from.getTime() > to.getTime())
        return Effect.fail(queryError("updatedBetween: the start is after the end"))
      // Whole seconds on the wire: round the window outwards so its edges stay inside it.
      const start = String(Math.floor(from.getTime() / 1000))
      const end = String(Math.ceil(to.getTime() / 1000))
      filters.push({ Name: "UPDATE_DATE", Values: [start, end], Condition: "BETWEEN" })
    }
    return Effect.succeed(filters)
  })

/**
 * Options of `serviceDiscoverySource`: your `ServiceDiscoveryClient` (or
 * `ServiceDiscovery`), or a `clientFor(region)` factory.
 *
 * @since 0.1.0
 * @category models
 */
export type ServiceDiscoverySourceOptions = ClientOptions<Pick<ServiceDiscoveryClient, "send">>

/**
 * The ref of a mutating call's response (`{ OperationId }`), or `undefined`
 * when it carries none. The region is `options.region`; when the response
 * names an operation and no region is given it throws `InvalidRef` (an
 * `OpstatusError`). It throws nothing else, whatever it is given.
 *
 * @since 0.1.0
 * @category refs
 */
export const refFromResponse = (response: unknown, options?: RefHints): OperationRef | undefined => {
  const id = field(response, "OperationId")
  if (typeof id !== "string" || id === "") return undefined
  const region = field(options, "region")
  const hints = stringsOf(field(options, "hints"))
  return {
    service,
    region: requireRegion(service, typeof region === "string" ? region : undefined),
    id,
    ...(hints === undefined || Object.keys(hints).length === 0 ? {} : { hints })
  }
}

/**
 * How far before the oldest known date of a waited operation the
 * `UPDATE_DATE` window opens (clock skew, and an operation last updated just
 * before the wait started).
 *
 * @since 0.1.0
 * @category batching
 */
export const windowSlackBeforeMillis = 5 * 60_000

/**
 * How far after now the window closes. The end has no job but to exist
 * (BETWEEN takes two values), so it is generous: a service clock ahead of
 * ours never hides an operation.
 *
 * @since 0.1.0
 * @category batching
 */
export const windowSlackAfterMillis = 24 * 60 * 60_000

/** Cloud Map's largest page. */
const listPageSize = 100

/**
 * The one list read that covers waited Cloud Map operations: ListOperations
 * in an `UPDATE_DATE` window from the oldest known create/update date (or the
 * wait's start) to now, scoped by `NAMESPACE_ID` or `SERVICE_ID` when every
 * operation shares that hint, and no status filter: Cloud Map reads a page and
 * then filters, so a filter saves no page, and without one the list shows the
 * operations that ended too. Its summaries carry only Id and Status: the
 * engine settles a `SUCCESS` from it, and reads a `FAIL` with GetOperation for
 * its ErrorCode and ErrorMessage (and every ending so, for a wait that asks for
 * the full operation). An operation the list does not show is not visible
 * yet, or outside the window: the engine reads it by ID. `readPage` reads one
 * page of a query.
 *
 * @since 0.1.0
 * @category batching
 */
export const cloudMapBatchReads = (
  candidates: ReadonlyArray<BatchCandidate>,
  now: number,
  readPage: (
    query: ServiceDiscoveryQuery,
    token: string | undefined
  ) => Effect.Effect<Page<Operation>, OpstatusError>
): ReadonlyArray<BatchRead> => {
  if (candidates.length < 2) return []
  const shared = (hint: "namespaceId" | "serviceId") => {
    const first = candidates[0]!.ref.hints?.[hint]
    return first !== undefined && candidates.every((c) => c.ref.hints?.[hint] === first) ? first : undefined
  }
  const namespaceId = shared("namespaceId")
  const serviceId = namespaceId === undefined ? shared("serviceId") : undefined
  let from = Number.POSITIVE_INFINITY
  for (const { last, since } of candidates) {
    const known = last?.updatedAt ?? last?.createdAt
    from = Math.min(from, known === undefined ? since : Math.min(known.getTime(), since))
  }
  const query: ServiceDiscoveryQuery = {
    updatedBetween: [
      new Date(Math.max(0, from - windowSlackBeforeMillis)),
      new Date(now + windowSlackAfterMillis)
    ],
    maxResults: listPageSize,
    ...(namespaceId === undefined ? {} : { namespaceId }),
    ...(serviceId === undefined ? {} : { serviceId })
  }
  return [
    {
      key: "ListOperations",
      covers: candidates,
      complete: false,
      page: (gate, token) => gate(readPage(query, token))
    }
  ]
}

/** One ListOperations page; null items, and items without an Id, name no operation and are skipped. */
const listPage = (
  request: Requester<SendClient>,
  region: string,
  query: ServiceDiscoveryQuery,
  NextToken: string | undefined
): Effect.Effect<Page<Operation>, OpstatusError> =>
  Effect.flatMap(toFilters(query), (filters) =>
    Effect.map(
      request.call(region, "ListOperations", CloudMapListOperationsAnswer, (client, abortSignal) =>
        client.send(
          new ListOperationsCommand({
            ...(filters.length === 0 ? {} : { Filters: [...filters] }),
            ...(query?.maxResults === undefined ? {} : { MaxResults: query.maxResults }),
            ...(NextToken === undefined ? {} : { NextToken })
          }),
          { abortSignal }
        )
      ),
      (out) => {
        const requestId = requestIdOf(out)
        const items: Array<Operation> = []
        for (const summary of out.Operations ?? []) {
          if (summary === null || typeof summary.Id !== "string" || summary.Id === "") continue
          items.push(toOperation(summary, region, requestId))
        }
        // Cloud Map takes a page, then filters: a page can be empty and still carry a NextToken.
        return { items, next: out.NextToken ?? undefined }
      }
    )
  )

const getOperation = (
  request: Requester<SendClient>,
  ref: OperationRef
): Effect.Effect<Operation, OpstatusError> =>
  request
    .call(ref.region, "GetOperation", CloudMapGetOperationAnswer, (client, abortSignal) =>
      client.send(new GetOperationCommand({ OperationId: ref.id }), { abortSignal })
    )
    .pipe(
      Effect.flatMap((out) => {
        if (out.Operation === undefined || out.Operation === null) {
          return Effect.fail(request.malformed("GetOperation returned no Operation", out))
        }
        const op = toOperation(out.Operation, ref.region, requestIdOf(out))
        return Effect.succeed(op.ref.id === "" ? { ...op, ref: { ...op.ref, id: ref.id } } : op)
      }),
      Effect.mapError((error) => withRef(error, ref))
    )

const spec: SourceSpec<SendClient, ServiceDiscoveryQuery> = {
  info: serviceDiscoveryService,
  errorNames: serviceDiscoveryErrorNames,
  get: getOperation,
  listPage,
  checkQuery: (query) => Effect.asVoid(toFilters(query)),
  refsFromResponse: (response, hints) => {
    const ref = refFromResponse(response, hints)
    return ref === undefined ? [] : [ref]
  },
  batch: (request) => ({
    plan: (region, candidates, now) =>
      cloudMapBatchReads(candidates, now, (query, token) => listPage(request, region, query, token))
  })
}

/**
 * The Cloud Map source. Throws `InvalidConfig` (an `OpstatusError`) when
 * the options are neither `{ client }` nor `{ clientFor }`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const serviceDiscoverySource = (
  options: ServiceDiscoverySourceOptions
): OperationSource<ServiceDiscoveryQuery> => makeSource(spec, options)
