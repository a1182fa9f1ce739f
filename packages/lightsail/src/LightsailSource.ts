/**
 * Amazon Lightsail operations, as a spec on the adapter kit. Lightsail
 * returns full operations from GetOperation, GetOperations and
 * GetOperationsForResource, and from most mutating calls (`operations[]`, a
 * few return a single `operation`), so an operation already terminal in a
 * mutating call's response needs no poll at all. The JS SDK ships no
 * Lightsail paginator: pages are read by `pageToken`.
 *
 * Answers are checked with Schema at the edge (`null` fields read as absent,
 * `null` list elements skipped); `toOperation` maps one operation purely and
 * never throws.
 *
 * @since 0.1.0
 */
import {
  GetOperationCommand,
  GetOperationsCommand,
  GetOperationsForResourceCommand,
  type LightsailClient,
  type OperationStatus as LightsailOperationStatus,
  type Operation as LightsailSdkOperation
} from "@aws-sdk/client-lightsail"
import type {
  BatchCandidate,
  BatchRead,
  Operation,
  OperationRef,
  OperationSource,
  OperationStatus,
  OpstatusError,
  Page,
  ServiceInfo
} from "@opstatus/core"
import {
  type ClientOptions,
  classifySdkError,
  dateField,
  type ErrorNames,
  fieldOf,
  groupBy,
  invalidQuery,
  makeSource,
  makeStatusMapper,
  malformedResponse,
  type Requester,
  requestIdOf,
  requireRegion,
  type SourceSpec,
  type StatusTable,
  stringField,
  textOf,
  Wire
} from "@opstatus/core/adapter-kit"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

/**
 * Lightsail's raw statuses, one row per value of the SDK's `OperationStatus`
 * (a value AWS adds fails the build). Lightsail reports both `Completed` and
 * `Succeeded` for success.
 *
 * @since 0.1.0
 * @category mapping
 */
export const lightsailStatusTable = {
  NotStarted: "pending",
  Started: "running",
  Succeeded: "succeeded",
  Completed: "succeeded",
  Failed: "failed"
} as const satisfies Record<LightsailOperationStatus, OperationStatus> & StatusTable

/**
 * What the Lightsail source declares: its slug, operation IDs, ref hints,
 * waiting defaults and status table.
 *
 * @since 0.2.0
 * @category models
 */
export const lightsailService: ServiceInfo = {
  service: "lightsail",
  title: "Amazon Lightsail",
  idRule: { maxLength: 128, pattern: /^[A-Za-z0-9-]+$/, description: "letters, digits and dashes (a UUID)" },
  hints: { resourceName: "the resource the operation acts on (enables GetOperationsForResource)" },
  defaults: {
    timeout: "30 minutes",
    minDelay: "2 seconds",
    maxDelay: "30 seconds",
    notFoundGrace: "30 seconds"
  },
  statusTable: lightsailStatusTable
}

/**
 * A Lightsail `Operation` as it comes on the wire: every field optional,
 * `null` read as absent, unknown fields kept.
 *
 * @since 0.2.0
 * @category models
 */
export const LightsailRawOperation = Schema.Struct({
  id: Wire.string,
  resourceName: Wire.string,
  resourceType: Wire.string,
  createdAt: Wire.timestamp,
  location: Wire.struct(
    Schema.Struct({
      availabilityZone: Wire.string,
      regionName: Wire.string
    })
  ),
  isTerminal: Wire.boolean,
  operationDetails: Wire.string,
  operationType: Wire.string,
  status: Wire.string,
  statusChangedAt: Wire.timestamp,
  errorCode: Wire.string,
  errorDetails: Wire.string
})

/**
 * @since 0.2.0
 * @category models
 */
export type LightsailRawOperation = typeof LightsailRawOperation.Type

/**
 * The answer of GetOperation. An answer without an operation fits this
 * schema; the source reports it as a `MalformedResponse`.
 *
 * @since 0.2.0
 * @category models
 */
export const LightsailGetOperationAnswer = Schema.Struct({
  operation: Wire.struct(LightsailRawOperation)
})

/**
 * The answer of GetOperations: a page of operations, `null` elements allowed (and skipped).
 *
 * @since 0.2.0
 * @category models
 */
export const LightsailGetOperationsAnswer = Schema.Struct({
  operations: Wire.array(Schema.NullOr(LightsailRawOperation)),
  nextPageToken: Wire.string
})

/**
 * The answer of GetOperationsForResource (its deprecated `nextPageCount` is not read).
 *
 * @since 0.2.0
 * @category models
 */
export const LightsailGetOperationsForResourceAnswer = Schema.Struct({
  operations: Wire.array(Schema.NullOr(LightsailRawOperation)),
  nextPageToken: Wire.string
})

const mapStatus = makeStatusMapper(lightsailStatusTable)

/**
 * Maps a Lightsail operation to the unified model, purely; it never throws,
 * whatever it is given. `isTerminal` from the service wins on terminality
 * when it is a boolean; an unknown status is never success. `resourceName`
 * becomes the ref hint `resourceName`.
 *
 * @since 0.1.0
 * @category mapping
 */
export const toOperation = (
  raw: LightsailRawOperation | LightsailSdkOperation,
  region: string,
  requestId?: string | undefined
): Operation => {
  const status = textOf(fieldOf(raw, "status"))
  const mapped = mapStatus(status)
  const isTerminal = fieldOf(raw, "isTerminal")
  const terminal = typeof isTerminal === "boolean" ? isTerminal : mapped.terminal
  const resourceName = textOf(fieldOf(raw, "resourceName"))
  const errorCode = textOf(fieldOf(raw, "errorCode"))
  const errorDetails = textOf(fieldOf(raw, "errorDetails"))
  const statusChangedAt = fieldOf(raw, "statusChangedAt")
  const location = fieldOf(raw, "location")
  const regionName = textOf(fieldOf(location, "regionName"))
  const availabilityZone = textOf(fieldOf(location, "availabilityZone"))
  const opRegion = regionName ?? region
  return {
    ref: {
      service: "lightsail",
      region: opRegion,
      id: textOf(fieldOf(raw, "id")) ?? "",
      ...(resourceName === undefined ? {} : { hints: { resourceName } })
    },
    ...stringField("type", fieldOf(raw, "operationType")),
    status: mapped.status,
    terminal,
    rawStatus: status ?? "",
    resource: {
      ...stringField("type", fieldOf(raw, "resourceType")),
      ...(resourceName === undefined ? {} : { name: resourceName })
    },
    ...dateField("createdAt", fieldOf(raw, "createdAt")),
    ...dateField("updatedAt", statusChangedAt),
    ...(terminal ? dateField("endedAt", statusChangedAt) : {}),
    ...(mapped.status === "failed" || errorCode !== undefined
      ? {
          error: {
            ...(errorCode === undefined ? {} : { code: errorCode }),
            message: errorDetails ?? errorCode ?? "The Lightsail operation failed"
          }
        }
      : {}),
    region: opRegion,
    ...(regionName === undefined && availabilityZone === undefined
      ? {}
      : {
          location: {
            ...(availabilityZone === undefined ? {} : { availabilityZone }),
            ...(regionName === undefined ? {} : { regionName })
          }
        }),
    ...(requestId === undefined || requestId === "" ? {} : { requestId }),
    raw
  }
}

/**
 * Lightsail's error names, for the kit's classifier.
 *
 * @since 0.2.0
 * @category errors
 */
export const lightsailErrorNames: ErrorNames = {
  notFound: ["NotFoundException"],
  denied: ["AccessDeniedException"],
  unauthenticated: ["UnauthenticatedException"],
  invalid: ["InvalidInputException", "OperationFailureException"],
  // The account or region is still being set up: it clears by itself.
  transient: ["ServiceException", "AccountSetupInProgressException", "RegionSetupInProgressException"]
}

/**
 * What a Lightsail failure means, as an `OpstatusError` with a request reason.
 *
 * @since 0.1.0
 * @category errors
 */
export const classifyLightsailError = (error: unknown): OpstatusError =>
  classifySdkError("lightsail", lightsailErrorNames, error)

/**
 * A Lightsail list query: the operations of one resource
 * (GetOperationsForResource), or of the region (GetOperations).
 *
 * @since 0.1.0
 * @category models
 */
export interface LightsailQuery {
  readonly resourceName?: string | undefined
}

/**
 * Options of `lightsailSource`: your `LightsailClient` (or `Lightsail`), or a
 * `clientFor(region)` factory.
 *
 * @since 0.1.0
 * @category models
 */
export type LightsailSourceOptions = ClientOptions<Pick<LightsailClient, "send">>

/** The operations of one raw list, `null` elements and operations without an ID left out. */
const withIds = (raws: ReadonlyArray<unknown>): Array<unknown> =>
  raws.filter((raw) => textOf(fieldOf(raw, "id")) !== undefined)

/**
 * The operations a mutating call's response carries (`operations[]` or
 * `operation`), mapped; anything that is not an operation with an ID is
 * left out. Throws only typed errors: the `InvalidRef` of `requireRegion`
 * when neither an operation's `location.regionName` nor `options.region`
 * names its region.
 *
 * @since 0.1.0
 * @category refs
 */
export const operationsFromResponse = (
  response: unknown,
  options: { readonly region?: string | undefined } = {}
): ReadonlyArray<Operation> => {
  const region = textOf(fieldOf(options, "region"))
  const requestId = requestIdOf(response)
  const many = fieldOf(response, "operations")
  const one = fieldOf(response, "operation")
  let raws: ReadonlyArray<unknown>
  try {
    raws = withIds(Array.isArray(many) ? many : one !== undefined && one !== null ? [one] : [])
  } catch {
    // An array whose elements cannot be read (a proxy that throws): typed, like any odd answer.
    throw malformedResponse("lightsail", "the response's operations could not be read", requestId)
  }
  return raws.map((raw) =>
    toOperation(
      raw as LightsailRawOperation,
      requireRegion("lightsail", textOf(fieldOf(fieldOf(raw, "location"), "regionName")), region),
      requestId
    )
  )
}

/**
 * The refs of the operations a mutating call's response carries, with the
 * `resourceName` hint. Throws only typed errors (see `operationsFromResponse`).
 *
 * @since 0.1.0
 * @category refs
 */
export const refsFromResponse = (
  response: unknown,
  options: { readonly region?: string | undefined } = {}
): ReadonlyArray<OperationRef> => operationsFromResponse(response, options).map((op) => op.ref)

/**
 * The list reads that can cover Lightsail operations of one region: the
 * region's GetOperations (every operation of the region oldest first, 200 a
 * page, so it costs as many calls as the region has pages), and
 * GetOperationsForResource for each resource two or more candidates act on
 * (for one, it costs what GetOperation costs). Both return full operations.
 * `readPage` reads one page of GetOperations (`resourceName` undefined) or
 * of GetOperationsForResource.
 *
 * @since 0.1.0
 * @category batching
 */
export const lightsailBatchReads = (
  region: string,
  candidates: ReadonlyArray<BatchCandidate>,
  readPage: (
    region: string,
    resourceName: string | undefined,
    pageToken: string | undefined
  ) => Effect.Effect<Page<Operation>, OpstatusError>
): ReadonlyArray<BatchRead> => {
  if (candidates.length < 2) return []
  const read = (
    key: string,
    covers: ReadonlyArray<BatchCandidate>,
    resourceName: string | undefined
  ): BatchRead => ({
    key,
    covers,
    complete: true,
    page: (gate, token) => gate(readPage(region, resourceName, token))
  })
  const reads: Array<BatchRead> = [read("GetOperations", candidates, undefined)]
  const byResource = groupBy(candidates, (c) => c.ref.hints?.resourceName ?? c.last?.resource.name)
  for (const [name, group] of byResource) {
    if (group.length >= 2) reads.push(read(`GetOperationsForResource:${name}`, group, name))
  }
  return reads
}

type Client = Pick<LightsailClient, "send">

/** A page of operations of a list answer, mapped. */
const pageOf = (
  answer: { readonly operations?: ReadonlyArray<LightsailRawOperation | null> | null | undefined },
  next: string | null | undefined,
  region: string
): Page<Operation> => {
  const requestId = requestIdOf(answer)
  return {
    items: withIds(answer.operations ?? []).map((raw) =>
      toOperation(raw as LightsailRawOperation, region, requestId)
    ),
    next: next ?? undefined
  }
}

/** One page of GetOperations, or of GetOperationsForResource when a resource is named. */
const listPage = (
  request: Requester<Client>,
  region: string,
  query: LightsailQuery | undefined,
  pageToken: string | undefined
): Effect.Effect<Page<Operation>, OpstatusError> => {
  const token = pageToken === undefined ? {} : { pageToken }
  const resourceName = query?.resourceName
  return resourceName === undefined
    ? Effect.map(
        request.call(region, "GetOperations", LightsailGetOperationsAnswer, (client, signal) =>
          client.send(new GetOperationsCommand(token), { abortSignal: signal })
        ),
        (answer) => pageOf(answer, answer.nextPageToken, region)
      )
    : Effect.map(
        request.call(
          region,
          "GetOperationsForResource",
          LightsailGetOperationsForResourceAnswer,
          (client, signal) =>
            client.send(new GetOperationsForResourceCommand({ resourceName, ...token }), {
              abortSignal: signal
            })
        ),
        (answer) => pageOf(answer, answer.nextPageToken, region)
      )
}

const checkQuery = (query: LightsailQuery | undefined): Effect.Effect<void, OpstatusError> => {
  if (query === undefined || query === null) return Effect.void
  if (typeof query !== "object") return Effect.fail(invalidQuery("lightsail", "pass { resourceName? }"))
  const name = fieldOf(query, "resourceName")
  return name === undefined || textOf(name) !== undefined
    ? Effect.void
    : Effect.fail(invalidQuery("lightsail", "resourceName must be a non-empty string"))
}

const lightsailSpec: SourceSpec<Client, LightsailQuery> = {
  info: lightsailService,
  errorNames: lightsailErrorNames,
  get: (request, ref) =>
    Effect.flatMap(
      request.call(ref.region, "GetOperation", LightsailGetOperationAnswer, (client, signal) =>
        client.send(new GetOperationCommand({ operationId: ref.id }), { abortSignal: signal })
      ),
      (answer) => {
        const raw = answer.operation
        if (raw === undefined || raw === null) {
          return Effect.fail(request.malformed("GetOperation returned no operation", answer))
        }
        const op = toOperation(raw, ref.region, requestIdOf(answer))
        // An operation without its ID is the one asked for.
        return Effect.succeed(op.ref.id === "" ? { ...op, ref: { ...op.ref, id: ref.id } } : op)
      }
    ),
  listPage,
  checkQuery,
  refsFromResponse: (response, hints) => {
    const given = hints.hints
    return refsFromResponse(response, { region: hints.region }).map((ref) =>
      given === undefined ? ref : { ...ref, hints: { ...given, ...ref.hints } }
    )
  },
  batch: (request) => ({
    plan: (region, candidates) =>
      lightsailBatchReads(region, candidates, (r, resourceName, token) =>
        listPage(request, r, { resourceName }, token)
      )
  })
}

/**
 * The Lightsail source: `get` reads GetOperation, `list(region, {
 * resourceName? })` pages GetOperationsForResource or GetOperations, fleets
 * read through both. Throws `InvalidConfig` (an `OpstatusError`) when the
 * options are neither `{ client }` nor `{ clientFor }`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const lightsailSource = (options: LightsailSourceOptions): OperationSource<LightsailQuery> =>
  makeSource(lightsailSpec, options)
