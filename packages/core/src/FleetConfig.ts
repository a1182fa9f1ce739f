/**
 * The settings of the engine's lanes: the adaptive rate limit, the requests
 * in flight, and a report after every round. `FleetConfig` is read when a
 * lane starts, from the wait that starts it.
 *
 * @since 0.2.0
 */
import * as Context from "effect/Context"
import * as Result from "effect/Result"
import { invalidConfig, type OpstatusError } from "./OpstatusError.js"

/**
 * The lane's client-side rate limit, in requests per second. Defaults:
 * start 10, min 0.5, max 50.
 *
 * @since 0.1.0
 * @category models
 */
export interface RateLimitOptions {
  readonly start?: number | undefined
  readonly min?: number | undefined
  readonly max?: number | undefined
}

/**
 * What one round of a lane did, for diagnostics and benchmarks.
 *
 * @since 0.1.0
 * @category models
 */
export interface RoundReport {
  readonly service: string
  readonly region: string
  readonly round: number
  /** A sweep round reads the whole lane on the lane's own backoff; others read what is due. */
  readonly sweep: boolean
  /** Operations the lane was waiting on when the round started. */
  readonly pending: number
  /** The list reads made: their key, pages read, operations covered, and whether the read was cut short. */
  readonly reads: ReadonlyArray<{
    readonly key: string
    readonly pages: number
    readonly covers: number
    readonly stopped: boolean
  }>
  /** GetOperation calls, follow-ups of list reads included. */
  readonly gets: number
  /** Every request made in the round. */
  readonly calls: number
  readonly throttled: number
  /** The rate limit in force at the end of the round, requests per second. */
  readonly rate: number
  readonly startedAt: number
  readonly endedAt: number
}

/**
 * Settings of the lanes, read when a lane starts.
 *
 * @since 0.1.0
 * @category models
 */
export interface FleetOptions {
  readonly rateLimit?: RateLimitOptions | undefined
  /** Requests in flight at once per lane (default 8). */
  readonly concurrency?: number | undefined
  /** Called after every round that made a request. */
  readonly onRound?: ((report: RoundReport) => void) | undefined
}

/**
 * The fleet settings in force; provide it to change the rate limit or
 * concurrency of lanes started afterwards.
 *
 * @since 0.1.0
 * @category services
 */
export const FleetConfig = Context.Reference<FleetOptions>("@opstatus/core/FleetConfig", {
  defaultValue: () => ({})
})

/**
 * Resolved fleet settings.
 *
 * @since 0.2.0
 * @category models
 */
export interface FleetSettings {
  readonly rate: { readonly start: number; readonly min: number; readonly max: number }
  /** True when the options gave a rate limit: it then wins over a service's own (`ServiceInfo.rateLimit`). */
  readonly rateGiven: boolean
  readonly concurrency: number
  readonly onRound: ((report: RoundReport) => void) | undefined
}

/** The documented defaults: start at 10 requests a second, stay within 0.5 and 50; 8 in flight. */
const defaultRate = { start: 10, min: 0.5, max: 50 }
const defaultConcurrency = 8

const isPositive = (value: unknown): value is number =>
  typeof value === "number" && Number.isFinite(value) && value > 0

/**
 * Checks fleet options; fails with `InvalidConfig` naming the setting.
 *
 * @since 0.2.0
 * @category constructors
 */
export const resolveFleetOptions = (
  options: unknown,
  path = "fleet"
): Result.Result<FleetSettings, OpstatusError> => {
  if (options === undefined) options = {}
  if (typeof options !== "object" || options === null) {
    return Result.fail(invalidConfig(path, "must be an object"))
  }
  const given = (options as FleetOptions).rateLimit
  if (given !== undefined && (typeof given !== "object" || given === null)) {
    return Result.fail(invalidConfig(`${path}.rateLimit`, "must be an object of requests per second"))
  }
  const rate = { ...defaultRate }
  for (const key of ["start", "min", "max"] as const) {
    const value = given?.[key]
    if (value === undefined) continue
    if (!isPositive(value)) {
      return Result.fail(
        invalidConfig(`${path}.rateLimit.${key}`, "must be a positive number of requests per second")
      )
    }
    rate[key] = value
  }
  if (rate.min > rate.max)
    return Result.fail(invalidConfig(`${path}.rateLimit.min`, "must not be above rateLimit.max"))
  if (given?.start === undefined) rate.start = Math.min(rate.max, Math.max(rate.min, rate.start))
  if (rate.start < rate.min || rate.start > rate.max) {
    return Result.fail(
      invalidConfig(`${path}.rateLimit.start`, "must lie between rateLimit.min and rateLimit.max")
    )
  }
  const concurrency = (options as FleetOptions).concurrency ?? defaultConcurrency
  if (typeof concurrency !== "number" || !Number.isInteger(concurrency) || concurrency < 1) {
    return Result.fail(invalidConfig(`${path}.concurrency`, "must be a whole number of at least 1"))
  }
  const onRound = (options as FleetOptions).onRound
  if (onRound !== undefined && typeof onRound !== "function") {
    return Result.fail(invalidConfig(`${path}.onRound`, "must be a function"))
  }
  return Result.succeed({ rate, rateGiven: given !== undefined, concurrency, onRound })
}
