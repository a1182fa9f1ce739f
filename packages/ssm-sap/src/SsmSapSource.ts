/**
 * AWS Systems Manager for SAP operations. Application changes return
 * `{ OperationId }` (UpdateApplicationSettings returns `{ OperationIds }`);
 * GetOperation returns the operation with a `StatusMessage` and
 * `Properties`; ListOperations needs the `ApplicationId`; ListOperationEvents
 * gives the operation's steps. SSM for SAP has no error code on a failed
 * operation: `StatusMessage` is the message.
 *
 * @since 0.1.0
 */
import {
  type BatchCandidate,
  type BatchRead,
  type ClientOptions,
  classifySdkError,
  dateField,
  fieldOf,
  type Gate,
  type InvalidOperationRefError,
  InvalidQueryError,
  makeClientResolver,
  makeStatusMapper,
  malformedResponse,
  type Operation,
  type OperationBatchReader,
  type OperationRef,
  type OperationSource,
  type OperationStep,
  paginate,
  paginatePages,
  type RefHints,
  request,
  requireRegion,
  type SourceError,
  type StatusTable
} from "@opstatus/core"
import { Effect, Stream } from "effect"
import {
  type SapFilter,
  type SapOperation,
  type SapOperationEvent,
  type SsmSapClientLike,
  type SsmSapCommands,
  type SsmSapLike,
  toSsmSapLike
} from "./SsmSapClient.js"

/**
 * SSM for SAP's raw operation statuses.
 *
 * @since 0.1.0
 * @category mapping
 */
export const ssmSapStatusTable = {
  INPROGRESS: "running",
  SUCCESS: "succeeded",
  ERROR: "failed"
} as const satisfies StatusTable

/**
 * SSM for SAP's raw operation event statuses.
 *
 * @since 0.1.0
 * @category mapping
 */
export const ssmSapEventStatusTable = {
  IN_PROGRESS: "running",
  COMPLETED: "succeeded",
  FAILED: "failed"
} as const satisfies StatusTable

const mapStatus = makeStatusMapper(ssmSapStatusTable)
const mapEventStatus = makeStatusMapper(ssmSapEventStatusTable)

const isApplication = (resourceType: string | undefined) => resourceType?.endsWith("::Application") ?? false

/**
 * Maps an SSM for SAP operation to the unified model. An `ERROR` carries
 * `StatusMessage` as its message.
 *
 * @since 0.1.0
 * @category mapping
 */
export const toOperation = (
  raw: SapOperation,
  region: string,
  steps?: ReadonlyArray<OperationStep>
): Operation => {
  const mapped = mapStatus(raw.Status)
  const applicationId = isApplication(raw.ResourceType) ? raw.ResourceId : raw.Properties?.SAPApplicationId
  return {
    ref: {
      service: "ssm-sap",
      region,
      id: raw.Id ?? "",
      ...(applicationId === undefined ? {} : { applicationId })
    },
    ...(raw.Type === undefined ? {} : { type: raw.Type }),
    status: mapped.status,
    terminal: mapped.terminal,
    rawStatus: raw.Status ?? "",
    resource: {
      ...(raw.ResourceType === undefined ? {} : { type: raw.ResourceType }),
      ...(raw.ResourceId === undefined ? {} : { id: raw.ResourceId }),
      ...(raw.ResourceArn === undefined ? {} : { arn: raw.ResourceArn })
    },
    ...(raw.Properties === undefined ? {} : { properties: { ...raw.Properties } }),
    ...dateField("createdAt", raw.StartTime),
    ...dateField("updatedAt", raw.LastUpdatedTime),
    ...(mapped.terminal ? dateField("endedAt", raw.EndTime ?? raw.LastUpdatedTime) : {}),
    ...(mapped.status === "failed"
      ? { error: { message: raw.StatusMessage || "The SSM for SAP operation failed" } }
      : {}),
    region,
    ...(steps === undefined ? {} : { steps: [...steps] }),
    raw
  }
}

/**
 * Maps an operation event to a step.
 *
 * @since 0.1.0
 * @category mapping
 */
export const toStep = (event: SapOperationEvent): OperationStep => {
  const mapped = mapEventStatus(event.Status)
  return {
    status: mapped.status,
    rawStatus: event.Status ?? "",
    ...(event.Description === undefined ? {} : { description: event.Description }),
    ...(event.StatusMessage === undefined ? {} : { message: event.StatusMessage }),
    ...(event.Resource === undefined
      ? {}
      : {
          resource: {
            ...(event.Resource.ResourceType === undefined ? {} : { type: event.Resource.ResourceType }),
            ...(event.Resource.ResourceArn === undefined ? {} : { arn: event.Resource.ResourceArn })
          }
        }),
    ...dateField("at", event.Timestamp)
  }
}

/**
 * What an SSM for SAP failure means.
 *
 * @since 0.1.0
 * @category errors
 */
export const classifySsmSapError = (error: unknown): SourceError =>
  classifySdkError(
    "ssm-sap",
    {
      notFound: ["ResourceNotFoundException"],
      unauthenticated: ["UnauthorizedException"],
      invalid: ["ValidationException", "ConflictException"],
      transient: ["InternalServerException"]
    },
    error
  )

/**
 * An SSM for SAP list query: the operations of one application.
 *
 * @since 0.1.0
 * @category models
 */
export interface SsmSapQuery {
  readonly applicationId: string
  readonly status?: string | undefined
  readonly type?: string | undefined
  readonly startedAfter?: Date | undefined
  readonly startedBefore?: Date | undefined
  /** More filters, passed as they are. */
  readonly filters?: ReadonlyArray<SapFilter> | undefined
  /** Items per page, 1 to 50. */
  readonly maxResults?: number | undefined
}

const invalidQuery = (message: string) => new InvalidQueryError({ service: "ssm-sap", message })

/**
 * Turns a query into ListOperations filters, or names what is wrong with it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const toFilters = (query: SsmSapQuery): Effect.Effect<ReadonlyArray<SapFilter>, InvalidQueryError> =>
  Effect.suspend(() => {
    if (typeof query?.applicationId !== "string" || query.applicationId === "") {
      return Effect.fail(invalidQuery("ListOperations needs an applicationId"))
    }
    if (
      query.maxResults !== undefined &&
      !(Number.isInteger(query.maxResults) && query.maxResults >= 1 && query.maxResults <= 50)
    ) {
      return Effect.fail(
        invalidQuery(`maxResults must be a whole number from 1 to 50, got ${query.maxResults}`)
      )
    }
    const filters: SapFilter[] = []
    if (query.status !== undefined) filters.push({ Name: "Status", Value: query.status, Operator: "Equals" })
    if (query.type !== undefined) filters.push({ Name: "Type", Value: query.type, Operator: "Equals" })
    for (const [date, operator] of [
      [query.startedAfter, "GreaterThanOrEquals"],
      [query.startedBefore, "LessThanOrEquals"]
    ] as const) {
      if (date === undefined) continue
      if (!(date instanceof Date) || Number.isNaN(date.getTime()))
        return Effect.fail(invalidQuery("start times must be valid dates"))
      filters.push({
        Name: "StartTime",
        Value: String(Math.floor(date.getTime() / 1000)),
        Operator: operator
      })
    }
    filters.push(...(query.filters ?? []))
    if (filters.length > 10)
      return Effect.fail(invalidQuery(`at most 10 filters are allowed, got ${filters.length}`))
    const bad = filters.find(
      (f) => f.Name.length < 1 || f.Name.length > 32 || f.Value.length < 1 || f.Value.length > 64
    )
    if (bad !== undefined) {
      return Effect.fail(
        invalidQuery(`filter ${JSON.stringify(bad.Name)}: names are 1 to 32 characters, values 1 to 64`)
      )
    }
    return Effect.succeed(filters)
  })

/**
 * Options of `ssmSapSource`: your `SsmSap`, or an `SsmSapClient` with its
 * command classes, or a `clientFor(region)` factory; `includeSteps` reads
 * ListOperationEvents with every poll.
 *
 * @since 0.1.0
 * @category models
 */
export type SsmSapSourceOptions = ClientOptions<SsmSapClientLike> & {
  readonly commands?: SsmSapCommands | undefined
  readonly includeSteps?: boolean | undefined
}

/**
 * The refs of a mutating call's response: `{ OperationId }` or
 * `{ OperationIds }`.
 *
 * @since 0.1.0
 * @category refs
 */
export const refsFromResponse = (response: unknown, options: RefHints = {}): ReadonlyArray<OperationRef> => {
  const one = fieldOf(response, "OperationId")
  const many = fieldOf(response, "OperationIds")
  const ids = [...(typeof one === "string" ? [one] : []), ...(Array.isArray(many) ? many : [])].filter(
    (id): id is string => typeof id === "string" && id !== ""
  )
  if (ids.length === 0) return []
  const region = requireRegion("ssm-sap", options.region)
  const applicationId =
    options.applicationId ?? (fieldOf(fieldOf(response, "Application"), "Id") as string | undefined)
  return ids.map((id) => ({
    service: "ssm-sap",
    region,
    id,
    ...(applicationId === undefined ? {} : { applicationId })
  }))
}

/** SSM for SAP's largest ListOperations page. */
const listPageSize = 50

/**
 * The list reads that can cover waited SSM for SAP operations: one
 * ListOperations per application that two or more of them belong to (full
 * operations, 50 a page), from the oldest known start when every start is
 * known (`StartTime GreaterThanOrEquals`, whole seconds). It pays only where
 * an application has several operations waited on at once.
 *
 * @since 0.2.0
 * @category batching
 */
export const ssmSapBatchReads = (
  candidates: ReadonlyArray<BatchCandidate>,
  options: {
    readonly includeSteps: boolean
    readonly readPage: (
      query: SsmSapQuery,
      token: string | undefined
    ) => Effect.Effect<
      { readonly items: ReadonlyArray<Operation>; readonly next?: string | undefined },
      SourceError | InvalidOperationRefError | InvalidQueryError
    >
    readonly stepsOf: (
      ref: OperationRef,
      gate: Gate
    ) => Effect.Effect<
      ReadonlyArray<OperationStep>,
      SourceError | InvalidOperationRefError | InvalidQueryError
    >
  }
): ReadonlyArray<BatchRead> => {
  const byApplication = new Map<string, Array<BatchCandidate>>()
  for (const candidate of candidates) {
    const id = candidate.ref.applicationId
    if (id === undefined || id === "") continue
    const group = byApplication.get(id)
    if (group === undefined) byApplication.set(id, [candidate])
    else group.push(candidate)
  }
  const reads: Array<BatchRead> = []
  for (const [applicationId, group] of byApplication) {
    if (group.length < 2) continue
    const starts = group.map((c) => c.last?.createdAt?.getTime())
    const known = starts.every((t) => t !== undefined)
    const query: SsmSapQuery = {
      applicationId,
      maxResults: listPageSize,
      ...(known ? { startedAfter: new Date(Math.min(...(starts as Array<number>))) } : {})
    }
    const ids = new Set(group.map((c) => c.ref.id))
    reads.push({
      key: `ListOperations:${applicationId}`,
      covers: group,
      complete: true,
      callsPerRef: options.includeSteps ? 1 : 0,
      pages: (gate) => {
        const pages = paginatePages((token) => gate(options.readPage(query, token)))
        if (!options.includeSteps) return pages
        return Stream.mapEffect(pages, (ops) =>
          Effect.forEach(ops, (op) =>
            ids.has(op.ref.id)
              ? Effect.map(options.stepsOf(op.ref, gate), (steps) => ({ ...op, steps: [...steps] }))
              : Effect.succeed(op)
          )
        )
      }
    })
  }
  return reads
}

/**
 * The SSM for SAP source.
 *
 * @since 0.1.0
 * @category constructors
 */
export const ssmSapSource = (
  options: SsmSapSourceOptions
): OperationSource<SsmSapQuery> & {
  /** The operation's steps (ListOperationEvents), page by page. */
  readonly steps: (
    ref: OperationRef
  ) => Stream.Stream<OperationStep, SourceError | InvalidQueryError | InvalidOperationRefError>
} => {
  const adapted: ClientOptions<SsmSapLike> =
    "client" in options
      ? {
          client: toSsmSapLike(options.client, options.commands),
          ...(options.region === undefined ? {} : { region: options.region })
        }
      : {
          clientFor: (region) => {
            const client = options.clientFor(region)
            return client === undefined ? undefined : toSsmSapLike(client, options.commands)
          }
        }
  const clients = makeClientResolver("ssm-sap", adapted)
  const ownRegion = "client" in options ? options.region : undefined
  const call = <A>(send: (signal: AbortSignal) => PromiseLike<A>) => request(classifySsmSapError, send)

  const stepsPages = (ref: OperationRef, gate: Gate) =>
    Stream.unwrap(
      Effect.map(clients.clientFor(ref.region), (client) =>
        paginate((NextToken) =>
          gate(
            call((abortSignal) =>
              client.listOperationEvents(
                { OperationId: ref.id, ...(NextToken === undefined ? {} : { NextToken }) },
                { abortSignal }
              )
            )
          ).pipe(
            Effect.map((out) => ({ items: (out.OperationEvents ?? []).map(toStep), next: out.NextToken }))
          )
        )
      )
    )

  const steps = (ref: OperationRef) => stepsPages(ref, (request) => request)

  const findOperation = Effect.fnUntraced(function* (ref: OperationRef) {
    const client = yield* clients.clientFor(ref.region)
    const out = yield* call((abortSignal) => client.getOperation({ OperationId: ref.id }, { abortSignal }))
    if (out?.Operation === undefined) {
      return yield* malformedResponse(
        "ssm-sap",
        "GetOperation returned no Operation",
        out?.$metadata?.requestId
      )
    }
    const events = options.includeSteps === true ? yield* Stream.runCollect(steps(ref)) : undefined
    return toOperation(out.Operation, ref.region, events)
  })

  /** One ListOperations page, as a request of its own. */
  const listPage = (region: string, query: SsmSapQuery, NextToken: string | undefined) =>
    Effect.gen(function* () {
      const filters = yield* toFilters(query)
      const client = yield* clients.clientFor(region)
      const out = yield* call((abortSignal) =>
        client.listOperations(
          {
            ApplicationId: query.applicationId,
            ...(query.maxResults === undefined ? {} : { MaxResults: query.maxResults }),
            ...(filters.length === 0 ? {} : { Filters: [...filters] }),
            ...(NextToken === undefined ? {} : { NextToken })
          },
          { abortSignal }
        )
      )
      return { items: (out.Operations ?? []).map((o) => toOperation(o, region)), next: out.NextToken }
    })

  // Each page checks the query before its request, so a bad query fails before the first one.
  const list = (region: string, query: SsmSapQuery) => paginate((token) => listPage(region, query, token))

  const includeSteps = options.includeSteps === true
  const batch: OperationBatchReader = {
    getCost: includeSteps ? 2 : 1,
    plan: (region, candidates) =>
      ssmSapBatchReads(candidates, {
        includeSteps,
        readPage: (query, token) => listPage(region, query, token),
        stepsOf: (ref, gate) => Stream.runCollect(stepsPages(ref, gate))
      })
  }

  return {
    service: "ssm-sap",
    check: (ref) => Effect.asVoid(clients.clientFor(ref.region)),
    get: findOperation,
    batch,
    list,
    steps,
    classify: classifySsmSapError,
    refsFromResponse: (response, o) =>
      refsFromResponse(response, { ...(ownRegion === undefined ? {} : { region: ownRegion }), ...o })
  }
}
