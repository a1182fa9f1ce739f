/**
 * Plumbing every adapter shares, so each adapter holds only what is its
 * service's own: which client serves a region, one request as an Effect
 * (interruptible: the request in flight is aborted), and bounded paging.
 *
 * @since 0.1.0
 */
import { Effect, Option, Stream } from "effect"
import type { SourceError } from "./OperationError.js"
import { InvalidOperationRefError, type ServiceSlug } from "./OperationRef.js"

/**
 * How an adapter is given its clients: the user's own configured client (its
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

const readRegion = (client: unknown): Effect.Effect<string | undefined> => {
  const region = (client as RegionConfig)?.config?.region
  if (typeof region === "string") return Effect.succeed(region)
  if (typeof region !== "function") return Effect.succeed(undefined)
  return Effect.tryPromise(async () => {
    const value: unknown = await (region as () => unknown)()
    return typeof value === "string" ? value : undefined
  }).pipe(Effect.orElseSucceed(() => undefined))
}

/**
 * Resolves the client of a region, or fails with `InvalidOperationRefError`
 * naming the region when no client serves it. No request is made.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeClientResolver = <Client>(service: ServiceSlug, options: ClientOptions<Client>) => {
  if (
    options === null ||
    typeof options !== "object" ||
    (!("client" in options) && !("clientFor" in options))
  ) {
    throw new TypeError(
      `${service} source: pass { client } (your configured SDK client) or { clientFor(region) }`
    )
  }
  const cache = new Map<string, Client>()
  let ownRegion: Promise<string | undefined> | undefined
  const notServed = (region: string, detail: string) =>
    new InvalidOperationRefError({
      input: `${service}:${region}`,
      reason: `no ${service} client serves region ${region}`,
      message: `No ${service} client serves region ${region}${detail}`
    })

  /** The region of a single configured client, if it can be known. */
  const defaultRegion: Effect.Effect<string | undefined> =
    "client" in options
      ? options.region !== undefined
        ? Effect.succeed(options.region)
        : Effect.suspend(() => {
            ownRegion ??= Effect.runPromise(readRegion(options.client))
            return Effect.promise(() => ownRegion as Promise<string | undefined>)
          })
      : Effect.succeed(undefined)

  const clientFor = (region: string): Effect.Effect<Client, InvalidOperationRefError> => {
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
      const client = options.clientFor(region)
      if (client === undefined || client === null) return Effect.fail(notServed(region, ""))
      cache.set(region, client)
      return Effect.succeed(client)
    })
  }
  return { clientFor, defaultRegion }
}

/**
 * One service request as an Effect. Interrupting it aborts the request in
 * flight through the SDK's `abortSignal`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const request = <A>(
  classify: (error: unknown) => SourceError,
  send: (signal: AbortSignal) => PromiseLike<A>
): Effect.Effect<A, SourceError> => Effect.tryPromise({ try: send, catch: classify })

/** No list walks more pages than this. */
export const maxPages = 10_000

/**
 * Walks a paged API: `fetch(token)` returns a page's items and its next
 * token. Stops at the last page, on a token seen before, or at `maxPages`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const paginate = <A, E>(
  fetch: (
    token: string | undefined
  ) => Effect.Effect<{ readonly items: ReadonlyArray<A>; readonly next?: string | undefined }, E>
): Stream.Stream<A, E> => {
  const seen = new Set<string>()
  return Stream.paginate({ token: undefined as string | undefined, page: 0 }, ({ token, page }) =>
    Effect.map(fetch(token), ({ items, next }) => {
      const more = next !== undefined && next !== "" && !seen.has(next) && page + 1 < maxPages
      if (next !== undefined) seen.add(next)
      return [items, more ? Option.some({ token: next, page: page + 1 }) : Option.none()] as const
    })
  )
}

/**
 * Walks a paged API like `paginate`, but emits one element per page: what a
 * fleet batch read hands the engine, which counts pages and may stop early.
 *
 * @since 0.2.0
 * @category constructors
 */
export const paginatePages = <A, E>(
  fetch: (
    token: string | undefined
  ) => Effect.Effect<{ readonly items: ReadonlyArray<A>; readonly next?: string | undefined }, E>
): Stream.Stream<ReadonlyArray<A>, E> => {
  const seen = new Set<string>()
  return Stream.paginate({ token: undefined as string | undefined, page: 0 }, ({ token, page }) =>
    Effect.map(fetch(token), ({ items, next }) => {
      const more = next !== undefined && next !== "" && !seen.has(next) && page + 1 < maxPages
      if (next !== undefined) seen.add(next)
      return [[items], more ? Option.some({ token: next, page: page + 1 }) : Option.none()] as const
    })
  )
}

/**
 * Reads a field of an unknown response, or `undefined`.
 *
 * @since 0.1.0
 * @category utils
 */
export const fieldOf = (u: unknown, key: string): unknown =>
  typeof u === "object" && u !== null ? (u as Record<string, unknown>)[key] : undefined

/**
 * The region for refs built from a mutating call's response: the one given,
 * else the source's own, else an `InvalidOperationRefError`.
 *
 * @since 0.1.0
 * @category utils
 */
export const requireRegion = (
  service: ServiceSlug,
  ...candidates: ReadonlyArray<string | undefined>
): string => {
  const region = candidates.find((r) => r !== undefined && r !== "")
  if (region === undefined) {
    throw new InvalidOperationRefError({
      input: service,
      reason: "the region is unknown",
      message: `${service}: the response does not name its region; pass { region } to refsFromResponse`
    })
  }
  return region
}

/**
 * A `Date` field from an SDK `Date`, epoch seconds or an ISO string; nothing when absent or invalid.
 *
 * @since 0.1.0
 * @category utils
 */
export const dateField = <K extends string>(
  key: K,
  value: Date | string | number | undefined
): { readonly [P in K]?: Date } => {
  const date = toDate(value)
  return (date === undefined ? {} : { [key]: date }) as { readonly [P in K]?: Date }
}

/**
 * A `Date` from what a timestamp may be: a `Date` (the SDK), epoch seconds
 * or an ISO string (the AWS CLI's JSON output); anything else is nothing.
 *
 * @since 0.1.0
 * @category utils
 */
export const toDate = (value: unknown): Date | undefined => {
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
}
