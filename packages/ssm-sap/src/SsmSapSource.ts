/**
 * AWS Systems Manager for SAP operations, as a spec for the adapter kit.
 * Application changes return `{ OperationId }` (UpdateApplicationSettings
 * returns `{ OperationIds }`); GetOperation returns the operation with a
 * `StatusMessage` and `Properties`; ListOperations needs the application;
 * ListOperationEvents gives the operation's steps. SSM for SAP has no error
 * code on a failed operation: `StatusMessage` is the message.
 *
 * @since 0.1.0
 */
import type {
  BatchCandidate,
  BatchRead,
  Gate,
  Operation,
  OperationBatchReader,
  OperationRef,
  OperationSource,
  OperationStatus,
  OperationStep,
  OpstatusError,
  Page,
  RefHints,
  ServiceInfo
} from "@opstatus/core"
import {
  type ClientOptions,
  classifySdkError,
  dateField,
  type ErrorNames,
  groupBy,
  invalidConfig,
  invalidQuery,
  makeSource,
  makeStatusMapper,
  paginate,
  type Requester,
  requestIdOf,
  requireRegion,
  stringField,
  textOf,
  Wire
} from "@opstatus/core/adapter-kit"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import {
  type SapFilter,
  type SapOperation,
  type SapOperationEvent,
  type SapOperationEventStatus,
  type SapOperationStatus,
  type SsmSapClientLike,
  type SsmSapCommands,
  type SsmSapLike,
  toSsmSapLike
} from "./SsmSapClient.js"

const service = "ssm-sap"

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
} as const satisfies Record<SapOperationStatus, OperationStatus>

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
} as const satisfies Record<SapOperationEventStatus, OperationStatus>

/**
 * What the SSM for SAP source declares: its slug, its operation IDs (UUIDs,
 * optionally in braces), the `applicationId` hint, its waiting defaults
 * (starting or stopping an SAP system takes many minutes) and its statuses.
 *
 * @since 0.2.0
 * @category models
 */
export const ssmSapService: ServiceInfo = {
  service,
  title: "AWS Systems Manager for SAP",
  idRule: {
    maxLength: 38,
    pattern: /^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$/,
    description: "a UUID, optionally in braces"
  },
  hints: {
    applicationId:
      "the SSM for SAP application the operation belongs to; a fleet reads an application's operations with ListOperations"
  },
  defaults: {
    timeout: "60 minutes",
    minDelay: "5 seconds",
    maxDelay: "60 seconds",
    notFoundGrace: "30 seconds"
  },
  statusTable: ssmSapStatusTable
}

const mapStatus = makeStatusMapper(ssmSapStatusTable)
const mapEventStatus = makeStatusMapper(ssmSapEventStatusTable)

// As `Wire`'s fields, and an explicit `undefined` (which the official types allow) is absent too.
const text = Schema.optional(Schema.NullOr(Schema.String))
const timestamp = Wire.timestamp

/**
 * The schema of a `SapOperation` as it comes on the wire: every field
 * optional, `null` read as absent, unknown fields kept. It validates only.
 *
 * @since 0.2.0
 * @category models
 */
export const SsmSapRawOperation = Schema.Struct({
  Id: text,
  Type: text,
  Status: text,
  StatusMessage: text,
  // A sparse map: its values may be null.
  Properties: Schema.optional(Schema.NullOr(Schema.Record(Schema.String, Schema.NullOr(Schema.String)))),
  ResourceType: text,
  ResourceId: text,
  ResourceArn: text,
  StartTime: timestamp,
  EndTime: timestamp,
  LastUpdatedTime: timestamp
})

/**
 * The schema of a `SapOperationEvent` as it comes on the wire.
 *
 * @since 0.2.0
 * @category models
 */
export const SsmSapRawOperationEvent = Schema.Struct({
  Description: text,
  Resource: Schema.optional(Schema.NullOr(Schema.Struct({ ResourceArn: text, ResourceType: text }))),
  Status: text,
  StatusMessage: text,
  Timestamp: timestamp
})

/**
 * The answer of GetOperation. An answer without an operation fits this
 * schema; the source reports it as a `MalformedResponse`.
 *
 * @since 0.2.0
 * @category models
 */
export const SsmSapGetOperationAnswer = Schema.Struct({
  Operation: Schema.optional(Schema.NullOr(SsmSapRawOperation))
})

/**
 * The answer of ListOperations: a page of operations, `null` elements allowed (and skipped).
 *
 * @since 0.2.0
 * @category models
 */
export const SsmSapListOperationsAnswer = Schema.Struct({
  Operations: Schema.optional(Schema.NullOr(Schema.Array(Schema.NullOr(SsmSapRawOperation)))),
  NextToken: text
})

/**
 * The answer of ListOperationEvents: a page of events, `null` elements allowed (and skipped).
 *
 * @since 0.2.0
 * @category models
 */
export const SsmSapListOperationEventsAnswer = Schema.Struct({
  OperationEvents: Schema.optional(Schema.NullOr(Schema.Array(Schema.NullOr(SsmSapRawOperationEvent)))),
  NextToken: text
})

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null

/** A field of anything, read without throwing. */
const fieldOf = (u: unknown, key: string): unknown => {
  if (!isObject(u)) return undefined
  try {
    return u[key]
  } catch {
    return undefined
  }
}

/** The list's elements; `null` elements (the AWS CLI's JSON, a sparse list) are skipped. */
const present = <A>(items: ReadonlyArray<A | null> | null | undefined): Array<A> =>
  Array.isArray(items) ? items.filter((item): item is A => item !== null && item !== undefined) : []

/** `Properties`, without its `null` values. */
const propertiesOf = (u: unknown): Record<string, string> | undefined => {
  try {
    if (!isObject(u) || Array.isArray(u)) return undefined
    const entries = Object.entries(u).filter(
      (entry): entry is [string, string] => typeof entry[1] === "string"
    )
    return entries.length === 0 ? undefined : Object.fromEntries(entries)
  } catch {
    // A map whose keys or values cannot be read (a getter that throws, a proxy): as absent.
    return undefined
  }
}

/**
 * Maps an SSM for SAP operation to the unified model; total: a field of the
 * wrong type is as absent. An `ERROR` carries `StatusMessage` as its
 * message; the application goes to `ref.hints.applicationId`.
 *
 * @since 0.1.0
 * @category mapping
 */
export const toOperation = (
  raw: SapOperation,
  region: string,
  steps?: ReadonlyArray<OperationStep>,
  requestId?: string
): Operation => {
  // Read through `fieldOf`: a getter that throws (or a proxy) reads as absent.
  const o = (key: string): unknown => fieldOf(raw, key)
  const status = o("Status")
  const rawStatus = typeof status === "string" ? status : ""
  const mapped = mapStatus(rawStatus)
  const resourceType = textOf(o("ResourceType"))
  const resourceId = textOf(o("ResourceId"))
  const properties = propertiesOf(o("Properties"))
  const applicationId =
    (resourceType?.endsWith("::Application") ? resourceId : undefined) ?? textOf(properties?.SAPApplicationId)
  return {
    ref: {
      service,
      region,
      id: textOf(o("Id")) ?? "",
      ...(applicationId === undefined ? {} : { hints: { applicationId } })
    },
    ...stringField("type", o("Type")),
    status: mapped.status,
    terminal: mapped.terminal,
    rawStatus,
    resource: {
      ...stringField("type", resourceType),
      ...stringField("id", resourceId),
      ...stringField("arn", o("ResourceArn"))
    },
    ...(properties === undefined ? {} : { properties }),
    ...dateField("createdAt", o("StartTime")),
    ...dateField("updatedAt", o("LastUpdatedTime")),
    ...(mapped.terminal ? dateField("endedAt", o("EndTime") ?? o("LastUpdatedTime")) : {}),
    ...(mapped.status === "failed"
      ? { error: { message: textOf(o("StatusMessage")) ?? "The SSM for SAP operation failed" } }
      : {}),
    region,
    ...(steps === undefined ? {} : { steps: [...steps] }),
    ...(requestId === undefined ? {} : { requestId }),
    raw
  }
}

/**
 * Maps an operation event to a step; total. An event without a resource
 * (`Resource` absent or `null`) is a step without one.
 *
 * @since 0.1.0
 * @category mapping
 */
export const toStep = (event: SapOperationEvent): OperationStep => {
  const e = (key: string): unknown => fieldOf(event, key)
  const status = e("Status")
  const rawStatus = typeof status === "string" ? status : ""
  const resource = {
    ...stringField("type", fieldOf(e("Resource"), "ResourceType")),
    ...stringField("arn", fieldOf(e("Resource"), "ResourceArn"))
  }
  return {
    status: mapEventStatus(rawStatus).status,
    rawStatus,
    ...stringField("description", e("Description")),
    ...stringField("message", e("StatusMessage")),
    ...(Object.keys(resource).length === 0 ? {} : { resource }),
    ...dateField("at", e("Timestamp"))
  }
}

/**
 * The SSM for SAP error names the kit's classifier needs.
 *
 * @since 0.2.0
 * @category errors
 */
export const ssmSapErrorNames: ErrorNames = {
  notFound: ["ResourceNotFoundException"],
  unauthenticated: ["UnauthorizedException"],
  invalid: ["ValidationException", "ConflictException"],
  transient: ["InternalServerException"]
}

/**
 * What an SSM for SAP failure means, as an `OpstatusError`.
 *
 * @since 0.1.0
 * @category errors
 */
export const classifySsmSapError = (error: unknown): OpstatusError =>
  classifySdkError(service, ssmSapErrorNames, error)

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

const operators: ReadonlySet<unknown> = new Set(["Equals", "GreaterThanOrEquals", "LessThanOrEquals"])

const badFilter = (f: unknown): boolean => {
  const name = fieldOf(f, "Name")
  const value = fieldOf(f, "Value")
  return (
    typeof name !== "string" ||
    typeof value !== "string" ||
    name.length < 1 ||
    name.length > 32 ||
    value.length < 1 ||
    value.length > 64 ||
    !operators.has(fieldOf(f, "Operator"))
  )
}

/**
 * Turns a query into ListOperations filters, or fails with `InvalidQuery`
 * naming what is wrong with it. Whatever it is given, it never throws.
 *
 * @since 0.1.0
 * @category constructors
 */
export const toFilters = (query: SsmSapQuery): Effect.Effect<ReadonlyArray<SapFilter>, OpstatusError> =>
  Effect.suspend(() => {
    const q: Record<string, unknown> = isObject(query) ? query : {}
    const fail = (message: string) => Effect.fail(invalidQuery(service, message))
    if (typeof q.applicationId !== "string" || q.applicationId === "") {
      return fail("ListOperations needs an applicationId")
    }
    const max = q.maxResults
    if (max !== undefined && !(typeof max === "number" && Number.isInteger(max) && max >= 1 && max <= 50)) {
      return fail(`maxResults must be a whole number from 1 to 50, got ${String(max)}`)
    }
    const filters: Array<SapFilter> = []
    for (const [name, value] of [
      ["Status", q.status],
      ["Type", q.type]
    ] as const) {
      if (value === undefined) continue
      if (typeof value !== "string") return fail(`${name.toLowerCase()} must be a string`)
      filters.push({ Name: name, Value: value, Operator: "Equals" })
    }
    for (const [date, operator] of [
      [q.startedAfter, "GreaterThanOrEquals"],
      [q.startedBefore, "LessThanOrEquals"]
    ] as const) {
      if (date === undefined) continue
      if (!(date instanceof Date) || Number.isNaN(date.getTime()))
        return fail("start times must be valid dates")
      filters.push({
        Name: "StartTime",
        Value: String(Math.floor(date.getTime() / 1000)),
        Operator: operator
      })
    }
    if (q.filters !== undefined) {
      if (!Array.isArray(q.filters)) return fail("filters must be an array of { Name, Value, Operator }")
      filters.push(...(q.filters as ReadonlyArray<SapFilter>))
    }
    if (filters.length > 10) return fail(`at most 10 filters are allowed, got ${filters.length}`)
    const bad = filters.find(badFilter)
    if (bad !== undefined) {
      return fail(
        `filter ${JSON.stringify(fieldOf(bad, "Name")) ?? "?"}: names are 1 to 32 characters, values 1 to 64, ` +
          "operators Equals, GreaterThanOrEquals or LessThanOrEquals"
      )
    }
    return Effect.succeed(filters)
  })

/** The hints a caller gave, non-empty strings only. */
const givenHints = (hints: unknown): Record<string, string> => {
  if (!isObject(hints)) return {}
  try {
    return Object.fromEntries(
      Object.entries(hints).filter((entry): entry is [string, string] => textOf(entry[1]) !== undefined)
    )
  } catch {
    // Hints that cannot be read (a getter that throws, a proxy): none.
    return {}
  }
}

/**
 * The refs of a mutating call's response: `{ OperationId }` (Register,
 * Start, Stop, StartApplicationRefresh) or `{ OperationIds }`
 * (UpdateApplicationSettings); the application from `hints.applicationId`
 * or the response's `Application.Id`. Total: a response without IDs gives
 * none; only when it has some and no region is known does it throw
 * `InvalidRef` (an `OpstatusError`).
 *
 * @since 0.1.0
 * @category refs
 */
export const refsFromResponse = (response: unknown, hints: RefHints = {}): ReadonlyArray<OperationRef> => {
  const ids = new Set<string>()
  const one = textOf(fieldOf(response, "OperationId"))
  if (one !== undefined) ids.add(one)
  const many = fieldOf(response, "OperationIds")
  try {
    if (Array.isArray(many)) for (const id of many) if (textOf(id) !== undefined) ids.add(id)
  } catch {
    // A list that cannot be read (a revoked proxy, a getter that throws): no IDs from it.
  }
  if (ids.size === 0) return []
  const region = requireRegion(service, textOf(fieldOf(hints, "region")))
  const given = givenHints(fieldOf(hints, "hints"))
  const applicationId = given.applicationId ?? textOf(fieldOf(fieldOf(response, "Application"), "Id"))
  const refHints = { ...given, ...(applicationId === undefined ? {} : { applicationId }) }
  const withHints = Object.keys(refHints).length > 0
  return [...ids].map((id) => ({ service, region, id, ...(withHints ? { hints: { ...refHints } } : {}) }))
}

/** SSM for SAP's largest ListOperations page. */
const listPageSize = 50

/**
 * The list reads that can cover waited SSM for SAP operations: one
 * ListOperations per application that two or more of them belong to (full
 * operations, 50 a page), from the oldest known start when every start is
 * known (`StartTime GreaterThanOrEquals`, whole seconds). With
 * `includeSteps`, each page also reads the events of the operations it
 * covers, every request through the gate.
 *
 * @since 0.1.0
 * @category batching
 */
export const ssmSapBatchReads = (
  candidates: ReadonlyArray<BatchCandidate>,
  options: {
    readonly includeSteps: boolean
    /** One ListOperations page. */
    readonly readPage: (
      query: SsmSapQuery,
      token: string | undefined
    ) => Effect.Effect<Page<Operation>, OpstatusError>
    /** Every step of an operation, each request through `gate`. */
    readonly stepsOf: (
      ref: OperationRef,
      gate: Gate
    ) => Effect.Effect<ReadonlyArray<OperationStep>, OpstatusError>
  }
): ReadonlyArray<BatchRead> => {
  const reads: Array<BatchRead> = []
  for (const [applicationId, group] of groupBy(candidates, (c) => c.ref.hints?.applicationId)) {
    if (group.length < 2) continue
    const starts = group.map((c) => c.last?.createdAt?.getTime())
    const known = starts.every((t) => t !== undefined && Number.isFinite(t))
    const query: SsmSapQuery = {
      applicationId,
      maxResults: listPageSize,
      ...(known ? { startedAfter: new Date(Math.min(...(starts as Array<number>))) } : {})
    }
    const ids = new Set(group.map((c) => c.ref.id))
    const withSteps = (op: Operation, gate: Gate) =>
      ids.has(op.ref.id)
        ? Effect.map(options.stepsOf(op.ref, gate), (steps) => ({ ...op, steps: [...steps] }))
        : Effect.succeed(op)
    reads.push({
      key: `ListOperations:${applicationId}`,
      covers: group,
      complete: true,
      callsPerRef: options.includeSteps ? 1 : 0,
      page: (gate, token) => {
        const page = gate(options.readPage(query, token))
        if (!options.includeSteps) return page
        return Effect.flatMap(page, ({ items, next }) =>
          Effect.map(
            Effect.forEach(items, (op) => withSteps(op, gate)),
            (withEvents) => ({ items: withEvents, next })
          )
        )
      }
    })
  }
  return reads
}

/**
 * Options of `ssmSapSource`: your `SsmSap` (or the client of
 * `@opstatus/ssm-sap/http`), or an `SsmSapClient` with its command classes,
 * or a `clientFor(region)` factory; `includeSteps` reads ListOperationEvents
 * with every poll.
 *
 * @since 0.1.0
 * @category models
 */
export type SsmSapSourceOptions = ClientOptions<SsmSapClientLike> & {
  readonly commands?: SsmSapCommands | undefined
  readonly includeSteps?: boolean | undefined
}

/**
 * The SSM for SAP source: an `OperationSource` and the steps of an operation.
 *
 * @since 0.2.0
 * @category models
 */
export interface SsmSapSource extends OperationSource<SsmSapQuery> {
  /** The operation's steps (ListOperationEvents), page by page. */
  readonly steps: (ref: OperationRef) => Stream.Stream<OperationStep, OpstatusError>
}

type Request = Requester<SsmSapLike>

const ungated: Gate = (request) => request

const eventsPage = (request: Request, ref: OperationRef, token: string | undefined) =>
  Effect.map(
    request.call(ref.region, "ListOperationEvents", SsmSapListOperationEventsAnswer, (client, abortSignal) =>
      client.listOperationEvents(
        { OperationId: ref.id, ...(token === undefined ? {} : { NextToken: token }) },
        { abortSignal }
      )
    ),
    (answer): Page<OperationStep> => ({
      items: present(answer.OperationEvents).map(toStep),
      next: textOf(answer.NextToken)
    })
  )

const stepsOf = (request: Request, ref: OperationRef, gate: Gate) =>
  paginate((token) => gate(eventsPage(request, ref, token)))

const listPage = (request: Request, region: string, query: SsmSapQuery, token: string | undefined) =>
  Effect.gen(function* () {
    const filters = yield* toFilters(query)
    const answer = yield* request.call(
      region,
      "ListOperations",
      SsmSapListOperationsAnswer,
      (client, abortSignal) =>
        client.listOperations(
          {
            ApplicationId: query.applicationId,
            ...(query.maxResults === undefined ? {} : { MaxResults: query.maxResults }),
            ...(filters.length === 0 ? {} : { Filters: [...filters] }),
            ...(token === undefined ? {} : { NextToken: token })
          },
          { abortSignal }
        )
    )
    const requestId = requestIdOf(answer)
    // An operation without an Id cannot be referenced: it is left out with the `null`s.
    const items = present(answer.Operations)
      .filter((raw) => textOf(raw.Id) !== undefined)
      .map((raw) => toOperation(raw, region, undefined, requestId))
    return { items, next: textOf(answer.NextToken) } satisfies Page<Operation>
  })

const getOperation = (request: Request, ref: OperationRef, includeSteps: boolean) =>
  Effect.gen(function* () {
    const answer = yield* request.call(
      ref.region,
      "GetOperation",
      SsmSapGetOperationAnswer,
      (client, abortSignal) => client.getOperation({ OperationId: ref.id }, { abortSignal })
    )
    const raw = answer.Operation
    if (raw === undefined || raw === null) {
      return yield* request.malformed("GetOperation returned no Operation", answer)
    }
    const steps = includeSteps ? yield* Stream.runCollect(stepsOf(request, ref, ungated)) : undefined
    const op = toOperation(raw, ref.region, steps, requestIdOf(answer))
    return textOf(raw.Id) === undefined ? { ...op, ref: { ...op.ref, id: ref.id } } : op
  })

const batchReader = (request: Request, includeSteps: boolean): OperationBatchReader => ({
  getCost: includeSteps ? 2 : 1,
  plan: (region, candidates) =>
    ssmSapBatchReads(candidates, {
      includeSteps,
      readPage: (query, token) => listPage(request, region, query, token),
      stepsOf: (ref, gate) => Stream.runCollect(stepsOf(request, ref, gate))
    })
})

/** The user's client options with every client given the aggregated shape; bad ones throw `InvalidConfig`. */
const adaptClients = (options: SsmSapSourceOptions): ClientOptions<SsmSapLike> => {
  if (!isObject(options)) return options as never
  const commands = options.commands
  if ("client" in options) {
    if (options.region !== undefined && textOf(options.region) === undefined) {
      throw invalidConfig("ssm-sap source region", "must be a region code such as us-east-1")
    }
    return {
      client: toSsmSapLike(options.client, commands),
      ...(options.region === undefined ? {} : { region: options.region })
    }
  }
  if ("clientFor" in options && typeof options.clientFor === "function") {
    const clientFor = options.clientFor
    return {
      clientFor: (region) => {
        const client = clientFor(region)
        return client === undefined || client === null ? undefined : toSsmSapLike(client, commands)
      }
    }
  }
  // Neither: the kit names the problem.
  return options as never
}

/**
 * The SSM for SAP source. Throws `InvalidConfig` (an `OpstatusError`) when
 * the options give no usable client.
 *
 * @since 0.1.0
 * @category constructors
 */
export const ssmSapSource = (options: SsmSapSourceOptions): SsmSapSource => {
  const includeSteps = isObject(options) && options.includeSteps === true
  return makeSource(
    {
      info: ssmSapService,
      errorNames: ssmSapErrorNames,
      get: (r, ref) => getOperation(r, ref, includeSteps),
      listPage,
      checkQuery: (query) => Effect.asVoid(toFilters(query)),
      refsFromResponse,
      batch: (r) => batchReader(r, includeSteps),
      extend: (r: Request) => ({ steps: (ref: OperationRef) => stepsOf(r, ref, ungated) })
    },
    adaptClients(options)
  )
}
