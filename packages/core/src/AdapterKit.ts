/**
 * The adapter kit (`@opstatus/core/adapter-kit`): the skeleton every source
 * shares, so that an adapter holds only its service's own spec. `makeSource`
 * turns a spec (what the service declares, how to read one operation and a
 * list page, refs from responses, batch reads) and the user's client options
 * into an `OperationSource`. The kit owns:
 *
 * - which client serves a region (the user's one client, or `clientFor`);
 * - one request as an Effect: interrupting it aborts the request in flight,
 *   and any failure is classified by the one classifier;
 * - decoding answers with Schema at the edge: what does not fit is a typed
 *   `MalformedResponse` naming the call and the path, never a `TypeError`;
 * - bounded paging (a repeated token or `maxPages` ends it), the query
 *   checked before the first request;
 * - grouping batch candidates by a ref hint.
 *
 * Tools built on core (the CLI) find here too what they share with it: the
 * key that tells two snapshots apart, the region pattern, a ref checked
 * against a source's rules.
 *
 * @since 0.2.0
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { Operation } from "./Operation.js"
import type { OperationRef } from "./OperationRef.js"
import type {
  BatchCandidate,
  OperationBatchReader,
  OperationSource,
  Page,
  RefHints,
  ServiceInfo
} from "./OperationSource.js"
import { invalidConfig, invalidRef, malformedResponse, type OpstatusError } from "./OpstatusError.js"
import { classifySdkError, type ErrorNames } from "./SdkError.js"

export { snapshotKey } from "./Operation.js"
export {
  invalidConfig,
  invalidQuery,
  invalidRef,
  malformedResponse,
  type RequestFailure,
  type RequestReasonTag,
  requestError,
  withRef
} from "./OpstatusError.js"
export { awsRegionPattern, checkRef } from "./Refs.js"
export { classifySdkError, describeError, type ErrorNames } from "./SdkError.js"
export { type MappedStatus, makeStatusMapper, renderStatusTable, type StatusTable } from "./StatusMapping.js"

/**
 * How a source is given its clients: the user's own configured client (its
 * region read from its config, or given), or a factory for many regions.
 *
 * @since 0.1.0
 * @category models
 */
export type ClientOptions<Client> =
  | {
      readonly client: Client
      /** The client's region; read from the client's config when omitted. */
      readonly region?: string | undefined
    }
  | {
      /** Returns the client for a region, or `undefined` when that region is not served. */
      readonly clientFor: (region: string) => Client | undefined
    }

/** The part of an SDK v3 client config that names its region. */
interface RegionConfig {
  readonly config?: { readonly region?: unknown }
}

/** The region a client's config names; a promise of plain reactions, so it is known within a few microtasks. */
const readRegion = async (client: unknown): Promise<string | undefined> => {
  try {
    const region = (client as RegionConfig)?.config?.region
    const value: unknown = typeof region === "function" ? await (region as () => unknown)() : region
    return typeof value === "string" && value !== "" ? value : undefined
  } catch {
    return undefined
  }
}

/**
 * The clients of a source, by region.
 *
 * @since 0.2.0
 * @category models
 */
export interface Clients<Client> {
  /** The client serving a region, or `InvalidRef` naming the region. No request is made. */
  readonly clientFor: (region: string) => Effect.Effect<Client, OpstatusError>
  /**
   * The region of a single configured client when it is known without waiting: given, a string in
   * its config, or its config's region provider once it has answered (it is asked when the source
   * is built).
   */
  readonly knownRegion: () => string | undefined
}

/**
 * Resolves the client of a region. Throws `InvalidConfig` (an
 * `OpstatusError`) when the options are neither `{ client }` nor
 * `{ clientFor }`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeClients = <Client>(service: string, options: ClientOptions<Client>): Clients<Client> => {
  if (
    options === null ||
    typeof options !== "object" ||
    (!("client" in options) && !("clientFor" in options)) ||
    ("clientFor" in options && typeof options.clientFor !== "function") ||
    ("client" in options && (options.client === null || typeof options.client !== "object"))
  ) {
    throw invalidConfig(
      `${service} source`,
      "pass { client } (your configured SDK client) or { clientFor(region) }"
    )
  }
  const cache = new Map<string, Client>()
  const notServed = (region: string, detail: string) =>
    invalidRef(`${service}:${region}`, `no ${service} client serves region ${region}${detail}`, service)

  // An SDK v3 client keeps its region as an async provider, even when it was built with a string:
  // start reading it now, so that by the time a response is read for refs it is known.
  let resolvedRegion: string | undefined
  const ownRegion: Promise<string | undefined> | undefined =
    "client" in options && options.region === undefined
      ? readRegion(options.client).then((region) => {
          resolvedRegion = region
          return region
        })
      : undefined

  /** The region of a single configured client, if it can be known. */
  const defaultRegion: Effect.Effect<string | undefined> =
    "client" in options
      ? options.region !== undefined
        ? Effect.succeed(options.region)
        : Effect.promise(() => ownRegion as Promise<string | undefined>)
      : Effect.succeed(undefined)

  const clientFor = (region: string): Effect.Effect<Client, OpstatusError> => {
    if ("client" in options) {
      return Effect.flatMap(defaultRegion, (own) =>
        own === undefined || own === region
          ? Effect.succeed(options.client)
          : Effect.fail(
              notServed(
                region,
                ` (the configured client is for ${own}; pass clientFor to serve more regions)`
              )
            )
      )
    }
    const cached = cache.get(region)
    if (cached !== undefined) return Effect.succeed(cached)
    return Effect.suspend(() => {
      let client: Client | undefined
      try {
        client = options.clientFor(region)
      } catch (error) {
        return Effect.fail(
          notServed(region, ` (clientFor threw: ${error instanceof Error ? error.message : "an error"})`)
        )
      }
      if (client === undefined || client === null) return Effect.fail(notServed(region, ""))
      cache.set(region, client)
      return Effect.succeed(client)
    })
  }
  const knownRegion = (): string | undefined => {
    if (!("client" in options)) return undefined
    if (options.region !== undefined) return options.region
    const region = (options.client as RegionConfig)?.config?.region
    return typeof region === "string" ? region : resolvedRegion
  }
  return { clientFor, knownRegion }
}

/**
 * A field of any value, or nothing; it never throws (a getter or proxy that
 * throws reads as absent). What an adapter reads untrusted answers with.
 *
 * @since 0.3.0
 * @category constructors
 */
export const fieldOf = (u: unknown, key: string): unknown => {
  if (typeof u !== "object" || u === null) return undefined
  try {
    return (u as Record<string, unknown>)[key]
  } catch {
    return undefined
  }
}

/**
 * A non-empty string, or nothing.
 *
 * @since 0.3.0
 * @category constructors
 */
export const textOf = (u: unknown): string | undefined => (typeof u === "string" && u !== "" ? u : undefined)

/**
 * The request ID of an SDK answer (`$metadata.requestId`), read leniently.
 *
 * @since 0.3.0
 * @category constructors
 */
export const requestIdOf = (response: unknown): string | undefined =>
  textOf(fieldOf(fieldOf(response, "$metadata"), "requestId"))

const checkers = new WeakMap<object, (u: unknown) => Exit.Exit<unknown, unknown>>()

/**
 * Checks an answer against a Schema and returns it as it came (so `raw`
 * keeps every field the service sent). Schemas given here validate only:
 * they must not transform. What does not fit is a `MalformedResponse`
 * naming the call and the path.
 *
 * @since 0.2.0
 * @category constructors
 */
export const decodeResponse = <S extends Schema.Decoder<unknown>>(
  service: string,
  call: string,
  schema: S,
  response: unknown
): Effect.Effect<S["Type"], OpstatusError> => {
  let check = checkers.get(schema)
  if (check === undefined) {
    check = Schema.decodeUnknownExit(schema as never) as (u: unknown) => Exit.Exit<unknown, unknown>
    checkers.set(schema, check)
  }
  const exit = check(response)
  if (Exit.isSuccess(exit)) return Effect.succeed(response as S["Type"])
  const issue = Cause.squash(exit.cause)
  const detail = (issue instanceof Error ? issue.message : "it does not fit the service's model").replaceAll(
    "\n",
    " "
  )
  return Effect.fail(
    malformedResponse(service, `${call} answered a body that does not fit: ${detail}`, requestIdOf(response))
  )
}

/**
 * What a spec uses to make requests.
 *
 * @since 0.2.0
 * @category models
 */
export interface Requester<Client> {
  readonly service: string
  readonly clients: Clients<Client>
  /**
   * Sends one request with the client serving `region` and checks its answer
   * against `schema`. Interrupting it aborts the request in flight; any
   * failure is an `OpstatusError`.
   */
  readonly call: <S extends Schema.Decoder<unknown>>(
    region: string,
    name: string,
    schema: S,
    send: (client: Client, signal: AbortSignal) => PromiseLike<unknown>
  ) => Effect.Effect<S["Type"], OpstatusError>
  /** Classifies a failure the way `call` does. */
  readonly classify: (error: unknown) => OpstatusError
  /** A `MalformedResponse` of this service. */
  readonly malformed: (message: string, response?: unknown) => OpstatusError
}

/**
 * A service's spec: everything of an adapter that is its service's own.
 *
 * @since 0.2.0
 * @category models
 */
export interface SourceSpec<Client, Query, Extra extends object = Record<never, never>> {
  readonly info: ServiceInfo
  /** The service's error names, for the classifier. */
  readonly errorNames: ErrorNames
  /** Reads one operation. */
  readonly get: (request: Requester<Client>, ref: OperationRef) => Effect.Effect<Operation, OpstatusError>
  /** Reads one page of a list query; `token` is undefined for the first. */
  readonly listPage: (
    request: Requester<Client>,
    region: string,
    query: Query,
    token: string | undefined
  ) => Effect.Effect<Page<Operation>, OpstatusError>
  /** Checks a list query before any request (`InvalidQuery`). */
  readonly checkQuery?: ((query: Query) => Effect.Effect<void, OpstatusError>) | undefined
  /**
   * The refs a mutating call's response carries. `hints.region` is the one
   * given, else the configured client's own region when known; use
   * `requireRegion` when the response does not name it.
   */
  readonly refsFromResponse: (response: unknown, hints: RefHints) => ReadonlyArray<OperationRef>
  /** Cancels an operation, where the service can (its stop or cancel API). */
  readonly cancel?:
    | ((request: Requester<Client>, ref: OperationRef) => Effect.Effect<void, OpstatusError>)
    | undefined
  /** The batch reads, where the service has list APIs that cover many operations. */
  readonly batch?: ((request: Requester<Client>) => OperationBatchReader) | undefined
  /** What the source offers beyond the contract (an operation's steps, say), made with the same requester. */
  readonly extend?: ((request: Requester<Client>) => Extra) | undefined
}

/** No list walks more pages than this. */
const maxPages = 10_000

/**
 * Walks a paged API: `page(token)` returns a page's items and its next
 * token. Stops at the last page, on a token seen before, or at 10,000 pages.
 *
 * @since 0.1.0
 * @category constructors
 */
export const paginate = <A, E>(
  page: (token: string | undefined) => Effect.Effect<Page<A>, E>
): Stream.Stream<A, E> => {
  const seen = new Set<string>()
  return Stream.paginate({ token: undefined as string | undefined, count: 0 }, ({ token, count }) =>
    Effect.map(page(token), ({ items, next }) => {
      const more = next !== undefined && next !== "" && !seen.has(next) && count + 1 < maxPages
      if (next !== undefined) seen.add(next)
      return [items, more ? Option.some({ token: next, count: count + 1 }) : Option.none()] as const
    })
  )
}

/**
 * Builds a source from a spec and the user's client options. Throws
 * `InvalidConfig` (an `OpstatusError`) when the options are not
 * `{ client }` or `{ clientFor }`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeSource = <Client, Query, Extra extends object = Record<never, never>>(
  spec: SourceSpec<Client, Query, Extra>,
  options: ClientOptions<Client>
): OperationSource<Query> & Extra => {
  const service = spec.info.service
  const clients = makeClients(service, options)
  const classify = (error: unknown) => classifySdkError(service, spec.errorNames, error)
  const request: Requester<Client> = {
    service,
    clients,
    classify,
    malformed: (message, response) => malformedResponse(service, message, requestIdOf(response)),
    call: (region, name, schema, send) =>
      Effect.flatMap(clients.clientFor(region), (client) =>
        Effect.flatMap(
          Effect.tryPromise({ try: (signal) => send(client, signal), catch: classify }),
          (response) => decodeResponse(service, name, schema, response)
        )
      )
  }
  const list = (region: string, query: Query): Stream.Stream<Operation, OpstatusError> =>
    Stream.unwrap(
      Effect.map(
        spec.checkQuery === undefined ? Effect.void : Effect.suspend(() => spec.checkQuery!(query)),
        () => paginate((token) => spec.listPage(request, region, query, token))
      )
    )
  const source: OperationSource<Query> = {
    info: spec.info,
    checkRegion: (region) => Effect.asVoid(clients.clientFor(region)),
    get: (ref) => spec.get(request, ref),
    list,
    refsFromResponse: (response, hints) => {
      const region = hints?.region ?? clients.knownRegion()
      return spec.refsFromResponse(response, { ...hints, ...(region === undefined ? {} : { region }) })
    },
    ...(spec.batch === undefined ? {} : { batch: spec.batch(request) }),
    ...(spec.cancel === undefined ? {} : { cancel: (ref: OperationRef) => spec.cancel!(request, ref) })
  }
  return { ...(spec.extend?.(request) ?? ({} as Extra)), ...source }
}

/**
 * The region for refs built from a response: the first one given, or an
 * `InvalidRef` thrown (an `OpstatusError`) saying to pass it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const requireRegion = (service: string, ...candidates: ReadonlyArray<string | undefined>): string => {
  const region = candidates.find((r) => typeof r === "string" && r !== "")
  if (region === undefined) {
    throw invalidRef(
      service,
      "the response does not name its region; pass { region } to refsFromResponse",
      service
    )
  }
  return region
}

/**
 * Groups batch candidates by a key, usually a ref hint (the resource, the
 * application); candidates without one are left out.
 *
 * @since 0.2.0
 * @category constructors
 */
export const groupBy = (
  candidates: ReadonlyArray<BatchCandidate>,
  keyOf: (candidate: BatchCandidate) => string | undefined
): Map<string, Array<BatchCandidate>> => {
  const groups = new Map<string, Array<BatchCandidate>>()
  for (const candidate of candidates) {
    const key = keyOf(candidate)
    if (key === undefined || key === "") continue
    const group = groups.get(key)
    if (group === undefined) groups.set(key, [candidate])
    else group.push(candidate)
  }
  return groups
}

/**
 * A `Date` from what a timestamp may be: a `Date` (the SDK), epoch seconds
 * or an ISO string (the AWS CLI's JSON output); anything else is nothing.
 * It never throws, whatever it is given.
 *
 * @since 0.1.0
 * @category constructors
 */
export const toDate = (value: unknown): Date | undefined => {
  try {
    const date =
      value instanceof Date
        ? value
        : typeof value === "number"
          ? new Date(value * 1000)
          : typeof value === "string" && value.trim() !== ""
            ? Number.isFinite(Number(value))
              ? new Date(Number(value) * 1000)
              : new Date(value)
            : undefined
    return date !== undefined && !Number.isNaN(date.getTime()) ? date : undefined
  } catch {
    // A proxy whose prototype cannot be read, or a Date-like that is no Date: nothing.
    return undefined
  }
}

/**
 * A `Date` field from a timestamp; nothing when absent or invalid.
 *
 * @since 0.1.0
 * @category constructors
 */
export const dateField = <K extends string>(key: K, value: unknown): { readonly [P in K]?: Date } => {
  const date = toDate(value)
  return (date === undefined ? {} : { [key]: date }) as { readonly [P in K]?: Date }
}

/**
 * A string field when the value is a non-empty string; nothing otherwise.
 *
 * @since 0.2.0
 * @category constructors
 */
export const stringField = <K extends string>(key: K, value: unknown): { readonly [P in K]?: string } =>
  (typeof value === "string" && value !== "" ? { [key]: value } : {}) as { readonly [P in K]?: string }

/**
 * Schemas for the fields of AWS answers: optional, and `null` read as absent.
 *
 * @since 0.2.0
 * @category models
 */
export const Wire = {
  /** An optional string that may come as `null` (or `undefined`, as the SDK's types allow). */
  string: Schema.optional(Schema.NullOr(Schema.String)),
  /** An optional boolean that may come as `null`. */
  boolean: Schema.optional(Schema.NullOr(Schema.Boolean)),
  /** An optional timestamp: a `Date`, epoch seconds or an ISO string, read leniently by `toDate`. */
  timestamp: Schema.optional(Schema.Unknown),
  /** An optional map of strings that may come as `null`. */
  stringMap: Schema.optional(Schema.NullOr(Schema.Record(Schema.String, Schema.String))),
  /** An optional array of `item` that may come as `null`. */
  array: <S extends Schema.Top>(item: S) => Schema.optional(Schema.NullOr(Schema.Array(item))),
  /** An optional struct that may come as `null`. */
  struct: <S extends Schema.Top>(struct: S) => Schema.optional(Schema.NullOr(struct))
} as const
