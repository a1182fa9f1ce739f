/**
 * AWS Cloud Map (ServiceDiscovery) operations. Namespace, service and
 * instance changes return `{ OperationId }`; GetOperation returns the full
 * operation with `ErrorCode`/`ErrorMessage` and `Targets`, while
 * ListOperations returns only `Id` and `Status` for each.
 *
 * Cloud Map's `PENDING` means in progress, not queued: `SUBMITTED` is the
 * queued state.
 *
 * @since 0.1.0
 */
import {
  type Operation as CloudMapOperation,
  GetOperationCommand,
  ListOperationsCommand,
  type OperationFilter,
  type OperationSummary,
  type ServiceDiscoveryClient
} from "@aws-sdk/client-servicediscovery"
import {
  type BatchCandidate,
  type BatchRead,
  type ClientOptions,
  classifySdkError,
  dateField,
  fieldOf,
  type InvalidOperationRefError,
  InvalidQueryError,
  makeClientResolver,
  makeStatusMapper,
  malformedResponse,
  type Operation,
  type OperationBatchReader,
  type OperationRef,
  type OperationSource,
  paginate,
  paginatePages,
  type RefHints,
  request,
  requireRegion,
  type SourceError,
  type StatusTable
} from "@opstatus/core"
import { Effect } from "effect"

/**
 * Cloud Map's raw statuses.
 *
 * @since 0.1.0
 * @category mapping
 */
export const serviceDiscoveryStatusTable = {
  SUBMITTED: "pending",
  PENDING: "running",
  SUCCESS: "succeeded",
  FAIL: "failed"
} as const satisfies StatusTable

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
 * Maps a Cloud Map operation (or a ListOperations summary) to the unified
 * model. A `FAIL` carries `ErrorCode` and `ErrorMessage`.
 *
 * @since 0.1.0
 * @category mapping
 */
export const toOperation = (raw: CloudMapOperation | OperationSummary, region: string): Operation => {
  const full = raw as CloudMapOperation
  const mapped = mapStatus(raw.Status)
  const targets = full.Targets as Record<string, string> | undefined
  const failed = mapped.status === "failed"
  return {
    ref: {
      service: "servicediscovery",
      region,
      id: raw.Id ?? "",
      ...(targets?.NAMESPACE === undefined ? {} : { namespaceId: targets.NAMESPACE }),
      ...(targets?.SERVICE === undefined ? {} : { serviceId: targets.SERVICE })
    },
    ...(full.Type === undefined ? {} : { type: full.Type }),
    status: mapped.status,
    terminal: mapped.terminal,
    rawStatus: raw.Status ?? "",
    resource: resourceOf(targets),
    ...(targets === undefined ? {} : { targets: { ...targets } }),
    ...dateField("createdAt", full.CreateDate),
    ...dateField("updatedAt", full.UpdateDate),
    ...(mapped.terminal ? dateField("endedAt", full.UpdateDate) : {}),
    ...(failed || full.ErrorCode
      ? {
          error: {
            ...(full.ErrorCode ? { code: full.ErrorCode } : {}),
            message: full.ErrorMessage || full.ErrorCode || "The Cloud Map operation failed"
          }
        }
      : {}),
    region,
    raw
  }
}

/**
 * What a Cloud Map failure means.
 *
 * @since 0.1.0
 * @category errors
 */
export const classifyServiceDiscoveryError = (error: unknown): SourceError =>
  classifySdkError(
    "servicediscovery",
    {
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
    },
    error
  )

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

const statusValues = Object.keys(serviceDiscoveryStatusTable)
const typeValues = [
  "CREATE_NAMESPACE",
  "DELETE_NAMESPACE",
  "UPDATE_NAMESPACE",
  "UPDATE_SERVICE",
  "REGISTER_INSTANCE",
  "DEREGISTER_INSTANCE"
]

const invalidQuery = (message: string) => new InvalidQueryError({ service: "servicediscovery", message })

/**
 * Turns a query into ListOperations filters, or names what is wrong with it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const toFilters = (
  query: ServiceDiscoveryQuery
): Effect.Effect<ReadonlyArray<OperationFilter>, InvalidQueryError> =>
  Effect.suspend(() => {
    const filters: OperationFilter[] = []
    if (
      query.maxResults !== undefined &&
      !(Number.isInteger(query.maxResults) && query.maxResults >= 1 && query.maxResults <= 100)
    ) {
      return Effect.fail(
        invalidQuery(`maxResults must be a whole number from 1 to 100, got ${query.maxResults}`)
      )
    }
    for (const [name, value] of [
      ["NAMESPACE_ID", query.namespaceId],
      ["SERVICE_ID", query.serviceId]
    ] as const) {
      if (value === undefined) continue
      if (value === "") return Effect.fail(invalidQuery(`${name} must not be empty`))
      filters.push({ Name: name, Values: [value], Condition: "EQ" })
    }
    for (const [name, value, allowed] of [
      ["STATUS", query.status, statusValues],
      ["TYPE", query.type, typeValues]
    ] as const) {
      if (value === undefined) continue
      const values = typeof value === "string" ? [value] : [...value]
      if (values.length === 0) return Effect.fail(invalidQuery(`${name} needs at least one value`))
      const bad = values.find((v) => !allowed.includes(v))
      if (bad !== undefined)
        return Effect.fail(invalidQuery(`${name} "${bad}" is not one of ${allowed.join(", ")}`))
      filters.push({ Name: name, Values: values, Condition: values.length === 1 ? "EQ" : "IN" })
    }
    if (query.updatedBetween !== undefined) {
      const [from, to] = query.updatedBetween
      if (
        !(from instanceof Date) ||
        !(to instanceof Date) ||
        Number.isNaN(from.getTime()) ||
        Number.isNaN(to.getTime())
      ) {
        return Effect.fail(invalidQuery("updatedBetween needs two valid dates"))
      }
      if (from.getTime() > to.getTime())
        return Effect.fail(invalidQuery("updatedBetween: the start is after the end"))
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
 * The ref of a mutating call's response (`{ OperationId }`).
 *
 * @since 0.1.0
 * @category refs
 */
export const refFromResponse = (response: unknown, options: RefHints = {}): OperationRef | undefined => {
  const id = fieldOf(response, "OperationId")
  if (typeof id !== "string" || id === "") return undefined
  return {
    service: "servicediscovery",
    region: requireRegion("servicediscovery", options.region),
    id,
    ...(options.namespaceId === undefined ? {} : { namespaceId: options.namespaceId }),
    ...(options.serviceId === undefined ? {} : { serviceId: options.serviceId })
  }
}

/**
 * How far before the oldest known date of a waited operation the
 * `UPDATE_DATE` window opens (clock skew, and an operation last updated just
 * before the wait started).
 *
 * @since 0.2.0
 * @category batching
 */
export const windowSlackBeforeMillis = 5 * 60_000

/**
 * How far after now the window closes. The end has no job but to exist
 * (BETWEEN takes two values), so it is generous: a service clock ahead of
 * ours never hides an operation.
 *
 * @since 0.2.0
 * @category batching
 */
export const windowSlackAfterMillis = 24 * 60 * 60_000

/** Cloud Map's largest page. */
const listPageSize = 100

/**
 * The one list read that covers waited Cloud Map operations:
 * ListOperations for `STATUS IN (SUBMITTED, PENDING)` in an `UPDATE_DATE`
 * window from the oldest known create/update date (or the wait's start) to
 * now, scoped by `NAMESPACE_ID` or `SERVICE_ID` when every operation shares
 * it. Cloud Map takes a page and then filters, so the read costs as many
 * calls as the region has pages whatever the filters; its summaries carry
 * only Id and Status, which the engine merges into the last full snapshot.
 * An operation missing from the list ended (or is not visible yet): the
 * engine reads it with GetOperation for its ErrorCode, ErrorMessage and
 * Targets.
 *
 * @since 0.2.0
 * @category batching
 */
export const cloudMapBatchReads = (
  candidates: ReadonlyArray<BatchCandidate>,
  now: number,
  readPage: (
    query: ServiceDiscoveryQuery,
    token: string | undefined
  ) => Effect.Effect<
    { readonly items: ReadonlyArray<Operation>; readonly next?: string | undefined },
    SourceError | InvalidOperationRefError | InvalidQueryError
  >
): ReadonlyArray<BatchRead> => {
  if (candidates.length < 2) return []
  const shared = (hint: "namespaceId" | "serviceId") => {
    const first = candidates[0]!.ref[hint]
    return first !== undefined && candidates.every((c) => c.ref[hint] === first) ? first : undefined
  }
  const namespaceId = shared("namespaceId")
  const serviceId = namespaceId === undefined ? shared("serviceId") : undefined
  let from = Number.POSITIVE_INFINITY
  for (const { last, since } of candidates) {
    const known = last?.updatedAt ?? last?.createdAt
    from = Math.min(from, known === undefined ? since : Math.min(known.getTime(), since))
  }
  const query: ServiceDiscoveryQuery = {
    status: ["SUBMITTED", "PENDING"],
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
      pages: (gate) => paginatePages((token) => gate(readPage(query, token)))
    }
  ]
}

/**
 * The Cloud Map source.
 *
 * @since 0.1.0
 * @category constructors
 */
export const serviceDiscoverySource = (
  options: ServiceDiscoverySourceOptions
): OperationSource<ServiceDiscoveryQuery> => {
  const clients = makeClientResolver("servicediscovery", options)
  const ownRegion = "region" in options ? options.region : undefined
  const call = <A>(send: (signal: AbortSignal) => PromiseLike<A>) =>
    request(classifyServiceDiscoveryError, send)

  const findOperation = Effect.fnUntraced(function* (ref: OperationRef) {
    const client = yield* clients.clientFor(ref.region)
    const out = yield* call((abortSignal) =>
      client.send(new GetOperationCommand({ OperationId: ref.id }), { abortSignal })
    )
    if (out.Operation === undefined) {
      return yield* malformedResponse(
        "servicediscovery",
        "GetOperation returned no Operation",
        out.$metadata?.requestId
      )
    }
    return toOperation(out.Operation, ref.region)
  })

  /** One ListOperations page, as a request of its own. */
  const listPage = (region: string, query: ServiceDiscoveryQuery, NextToken: string | undefined) =>
    Effect.gen(function* () {
      const filters = yield* toFilters(query)
      const client = yield* clients.clientFor(region)
      const out = yield* call((abortSignal) =>
        client.send(
          new ListOperationsCommand({
            ...(filters.length === 0 ? {} : { Filters: [...filters] }),
            ...(query.maxResults === undefined ? {} : { MaxResults: query.maxResults }),
            ...(NextToken === undefined ? {} : { NextToken })
          }),
          { abortSignal }
        )
      )
      // Cloud Map takes a page, then filters: a page can be empty and still carry a NextToken.
      return { items: (out.Operations ?? []).map((s) => toOperation(s, region)), next: out.NextToken }
    })

  // Each page checks the query before its request, so a bad query fails before the first one.
  const list = (region: string, query: ServiceDiscoveryQuery) =>
    paginate((token) => listPage(region, query, token))

  const batch: OperationBatchReader = {
    plan: (region, candidates, now) =>
      cloudMapBatchReads(candidates, now, (query, token) => listPage(region, query, token))
  }

  return {
    service: "servicediscovery",
    check: (ref) => Effect.asVoid(clients.clientFor(ref.region)),
    get: findOperation,
    batch,
    list,
    classify: classifyServiceDiscoveryError,
    refsFromResponse: (response, o) => {
      const ref = refFromResponse(response, {
        ...(ownRegion === undefined ? {} : { region: ownRegion }),
        ...o
      })
      return ref === undefined ? [] : [ref]
    }
  }
}
