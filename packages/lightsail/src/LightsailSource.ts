/**
 * Amazon Lightsail operations. Lightsail returns full operations from
 * GetOperation, GetOperations and GetOperationsForResource, and from most
 * mutating calls (`operations[]`, a few return a single `operation`), so an
 * operation that is already terminal in a mutating call's response needs no
 * poll at all. The JS SDK ships no Lightsail paginator: we page by
 * `pageToken` ourselves.
 *
 * find / status / to*: `findOperation` reads one operation (NotFoundException
 * becomes a typed not-found), `toOperation` maps it purely.
 *
 * @since 0.1.0
 */
import {
  GetOperationCommand,
  GetOperationsCommand,
  GetOperationsForResourceCommand,
  type LightsailClient,
  type Operation as LightsailOperation
} from "@aws-sdk/client-lightsail"
import {
  type BatchCandidate,
  type BatchRead,
  type ClientOptions,
  classifySdkError,
  dateField,
  fieldOf,
  type InvalidOperationRefError,
  makeClientResolver,
  makeStatusMapper,
  malformedResponse,
  type Operation,
  type OperationBatchReader,
  type OperationRef,
  type OperationSource,
  paginate,
  paginatePages,
  request,
  requireRegion,
  type SourceError,
  type StatusTable
} from "@opstatus/core"
import { Effect, Stream } from "effect"

/**
 * Lightsail's raw statuses. Lightsail reports both `Completed` and
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
} as const satisfies StatusTable

const mapStatus = makeStatusMapper(lightsailStatusTable)

/**
 * Maps a Lightsail operation to the unified model. `isTerminal` from the
 * service wins on terminality; an unknown status is never success.
 *
 * @since 0.1.0
 * @category mapping
 */
export const toOperation = (raw: LightsailOperation, region: string): Operation => {
  const mapped = mapStatus(raw.status)
  const terminal = typeof raw.isTerminal === "boolean" ? raw.isTerminal : mapped.terminal
  const failed = mapped.status === "failed"
  const hasError = failed || (raw.errorCode !== undefined && raw.errorCode !== "")
  return {
    ref: {
      service: "lightsail",
      region: raw.location?.regionName ?? region,
      id: raw.id ?? "",
      ...(raw.resourceName === undefined ? {} : { resourceName: raw.resourceName })
    },
    ...(raw.operationType === undefined ? {} : { type: raw.operationType }),
    status: mapped.status,
    terminal,
    rawStatus: raw.status ?? "",
    resource: {
      ...(raw.resourceType === undefined ? {} : { type: raw.resourceType }),
      ...(raw.resourceName === undefined ? {} : { name: raw.resourceName })
    },
    ...dateField("createdAt", raw.createdAt),
    ...dateField("updatedAt", raw.statusChangedAt),
    ...(terminal ? dateField("endedAt", raw.statusChangedAt) : {}),
    ...(hasError
      ? {
          error: {
            ...(raw.errorCode ? { code: raw.errorCode } : {}),
            message: raw.errorDetails || raw.errorCode || "The Lightsail operation failed"
          }
        }
      : {}),
    region: raw.location?.regionName ?? region,
    ...(raw.location === undefined
      ? {}
      : {
          location: {
            ...(raw.location.availabilityZone === undefined
              ? {}
              : { availabilityZone: raw.location.availabilityZone }),
            ...(raw.location.regionName === undefined ? {} : { regionName: raw.location.regionName })
          }
        }),
    raw
  }
}

/**
 * What a Lightsail failure means.
 *
 * @since 0.1.0
 * @category errors
 */
export const classifyLightsailError = (error: unknown): SourceError =>
  classifySdkError(
    "lightsail",
    {
      notFound: ["NotFoundException"],
      denied: ["AccessDeniedException"],
      unauthenticated: ["UnauthenticatedException"],
      invalid: ["InvalidInputException", "OperationFailureException"],
      // The account or region is still being set up: it clears by itself.
      transient: ["ServiceException", "AccountSetupInProgressException", "RegionSetupInProgressException"]
    },
    error
  )

/**
 * A Lightsail list query: the operations of one resource, or of the region.
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

/**
 * The operations a mutating call's response carries (`operations[]` or
 * `operation`), mapped.
 *
 * @since 0.1.0
 * @category refs
 */
export const operationsFromResponse = (
  response: unknown,
  options: { readonly region?: string } = {}
): ReadonlyArray<Operation> => {
  const many = fieldOf(response, "operations")
  const one = fieldOf(response, "operation")
  const raws = (
    Array.isArray(many) ? many : one !== undefined && one !== null ? [one] : []
  ) as LightsailOperation[]
  return raws
    .filter((raw) => typeof raw?.id === "string" && raw.id !== "")
    .map((raw) => toOperation(raw, requireRegion("lightsail", raw.location?.regionName, options.region)))
}

/**
 * The refs of the operations a mutating call's response carries.
 *
 * @since 0.1.0
 * @category refs
 */
export const refsFromResponse = (
  response: unknown,
  options: { readonly region?: string } = {}
): ReadonlyArray<OperationRef> => operationsFromResponse(response, options).map((op) => op.ref)

/**
 * The list reads that can cover Lightsail operations: GetOperationsForResource
 * for each resource two or more waited operations act on (a resource with one
 * costs what GetOperation costs), and the region's GetOperations, which lists
 * every operation of the region oldest first, 200 a page, so it costs as many
 * calls as the region has pages. Both return full operations: no follow-up.
 *
 * @since 0.2.0
 * @category batching
 */
export const lightsailBatchReads = (
  region: string,
  candidates: ReadonlyArray<BatchCandidate>,
  readPage: (
    region: string,
    resourceName: string | undefined,
    pageToken: string | undefined
  ) => Effect.Effect<
    { readonly items: ReadonlyArray<Operation>; readonly next?: string | undefined },
    SourceError | InvalidOperationRefError
  >
): ReadonlyArray<BatchRead> => {
  if (candidates.length < 2) return []
  const pages =
    (resourceName: string | undefined): BatchRead["pages"] =>
    (gate) =>
      paginatePages((token) => gate(readPage(region, resourceName, token)))
  const byResource = new Map<string, Array<BatchCandidate>>()
  for (const candidate of candidates) {
    const name = candidate.ref.resourceName ?? candidate.last?.resource.name
    if (name === undefined || name === "") continue
    const group = byResource.get(name)
    if (group === undefined) byResource.set(name, [candidate])
    else group.push(candidate)
  }
  const reads: Array<BatchRead> = [
    { key: "GetOperations", covers: candidates, complete: true, pages: pages(undefined) }
  ]
  for (const [name, group] of byResource) {
    if (group.length < 2) continue
    reads.push({ key: `GetOperationsForResource:${name}`, covers: group, complete: true, pages: pages(name) })
  }
  return reads
}

/**
 * The Lightsail source.
 *
 * @since 0.1.0
 * @category constructors
 */
export const lightsailSource = (options: LightsailSourceOptions): OperationSource<LightsailQuery> => {
  const clients = makeClientResolver("lightsail", options)
  const call = <A>(send: (signal: AbortSignal) => PromiseLike<A>) => request(classifyLightsailError, send)

  const findOperation = Effect.fnUntraced(function* (ref: OperationRef) {
    const client = yield* clients.clientFor(ref.region)
    const out = yield* call((abortSignal) =>
      client.send(new GetOperationCommand({ operationId: ref.id }), { abortSignal })
    )
    if (out.operation === undefined) {
      return yield* malformedResponse(
        "lightsail",
        "GetOperation returned no operation",
        out.$metadata?.requestId
      )
    }
    return toOperation(out.operation, ref.region)
  })

  const list = (region: string, query: LightsailQuery) =>
    Stream.unwrap(
      Effect.map(clients.clientFor(region), (client) =>
        paginate((pageToken) =>
          call((abortSignal) =>
            query.resourceName === undefined
              ? client.send(new GetOperationsCommand(pageToken === undefined ? {} : { pageToken }), {
                  abortSignal
                })
              : client.send(
                  new GetOperationsForResourceCommand({
                    resourceName: query.resourceName,
                    ...(pageToken === undefined ? {} : { pageToken })
                  }),
                  { abortSignal }
                )
          ).pipe(
            Effect.map((out) => ({
              items: (out.operations ?? []).map((raw) => toOperation(raw, region)),
              next: out.nextPageToken
            }))
          )
        )
      )
    )

  /** One page of GetOperations or GetOperationsForResource, as a request of its own. */
  const readPage = (region: string, resourceName: string | undefined, pageToken: string | undefined) =>
    Effect.flatMap(clients.clientFor(region), (client) =>
      call((abortSignal) =>
        resourceName === undefined
          ? client.send(new GetOperationsCommand(pageToken === undefined ? {} : { pageToken }), {
              abortSignal
            })
          : client.send(
              new GetOperationsForResourceCommand({
                resourceName,
                ...(pageToken === undefined ? {} : { pageToken })
              }),
              { abortSignal }
            )
      )
    ).pipe(
      Effect.map((out) => ({
        items: (out.operations ?? []).map((raw) => toOperation(raw, region)),
        next: out.nextPageToken
      }))
    )

  const batch: OperationBatchReader = {
    plan: (region, candidates) => lightsailBatchReads(region, candidates, readPage)
  }

  return {
    service: "lightsail",
    check: (ref) => Effect.asVoid(clients.clientFor(ref.region)),
    get: findOperation,
    batch,
    list,
    classify: classifyLightsailError,
    refsFromResponse: (response, hints) =>
      refsFromResponse(response, hints?.region === undefined ? {} : { region: hints.region })
  }
}
