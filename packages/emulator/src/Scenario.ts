/**
 * The scenario: a JSON-serialisable description of how the emulated services behave (seed, time
 * scale, operation durations, failure rates, rate limits and injected faults, per service and
 * optionally per region), plus its validation and merging. Durations are simulated milliseconds;
 * rate limits and added latency are real time.
 */
import { isRegionCode, ownValue } from "./internal/lookup.js"

/**
 * The seven emulated services, named as opstatus names them (the SigV4 signing name, but
 * `cloudcontrol` for Cloud Control's `cloudcontrolapi`).
 */
export type ServiceName =
  | "lightsail"
  | "servicediscovery"
  | "ssm-sap"
  | "cloudformation"
  | "ecs"
  | "cloudcontrol"
  | "route53"

/** Every service name, in a fixed order. */
export const SERVICE_NAMES: readonly ServiceName[] = [
  "lightsail",
  "servicediscovery",
  "ssm-sap",
  "cloudformation",
  "ecs",
  "cloudcontrol",
  "route53"
]

/** An inclusive `[min, max]` range. */
export type Range = readonly [min: number, max: number]

/** How long operations stay queued and then running, in simulated milliseconds. */
export interface Durations {
  readonly queuedMs?: Range
  readonly runningMs?: Range
}

/** A token bucket: `burst` requests at once, refilled at `perSecond` real requests per second. */
export interface RateLimit {
  readonly perSecond: number
  readonly burst: number
}

/** Injected faults. Rates are probabilities in [0, 1]. */
export interface Faults {
  /** Probability of answering a 500 or 503 in the service's error format. */
  readonly error5xxRate?: number
  /** Probability of destroying the socket instead of answering. */
  readonly resetRate?: number
  /** Added real latency: a fixed number of milliseconds or a `[min, max]` range. */
  readonly latencyMs?: number | Range
  /** Probability of a malformed answer: a 200 with truncated JSON, or an HTML 502. */
  readonly malformedRate?: number
  /** New operations read as not found for this many simulated milliseconds (eventual consistency). */
  readonly notFoundForMs?: number
}

/** Behaviour settings of one service (or of one region of it). */
export interface ServiceSettings {
  readonly durations?: Durations
  /** Probability that a new operation ends in failure. */
  readonly failureRate?: number
  /** A per-region token bucket; `null` removes one set earlier. */
  readonly rateLimit?: RateLimit | null
  readonly faults?: Faults
}

/** Settings of one service, with optional per-region overrides. */
export interface ServiceScenario extends ServiceSettings {
  readonly regions?: { readonly [region: string]: ServiceSettings }
}

/** An operation to create programmatically, through the admin surface, or when a scenario starts. */
export interface CreateOperationInput {
  readonly service: ServiceName
  /** Defaults to us-east-1. */
  readonly region?: string
  /** A 12-digit account id or an access key id; defaults to the account of `AKIDEXAMPLE`. */
  readonly account?: string
  /** The service's operation type (CreateInstance, CREATE_NAMESPACE, START_APPLICATION...); defaulted per service. */
  readonly type?: string
  /** Lightsail resource name; for Cloud Map an instance or service id when the type targets one. */
  readonly resourceName?: string
  /** SSM for SAP application id. */
  readonly applicationId?: string
  /** Cloud Map namespace id (target of namespace operations; matched by the NAMESPACE_ID filter). */
  readonly namespaceId?: string
  /** Cloud Map service id. */
  readonly serviceId?: string
  /** Cloud Map instance id. */
  readonly instanceId?: string
  /** CloudFormation stack set name. */
  readonly stackSetName?: string
  /** ECS cluster name. */
  readonly cluster?: string
  /** ECS service name. */
  readonly serviceName?: string
  /** Cloud Control resource type name (`AWS::Logs::LogGroup`). */
  readonly typeName?: string
  /** Cloud Control resource identifier. */
  readonly identifier?: string
  /** Route 53 hosted zone id. */
  readonly hostedZoneId?: string
  /** Simulated milliseconds from creation to the terminal state (a fifth of it queued). */
  readonly durationMs?: number
  /** `rollback`: the operation fails and rolls back, where the service has rollbacks (ECS); else a failure. */
  readonly outcome?: "success" | "failure" | "rollback"
  readonly errorCode?: string
  readonly errorMessage?: string
  readonly notFoundForMs?: number
}

/** The whole scenario. */
export interface Scenario {
  readonly seed?: number
  readonly timeScale?: number
  readonly services?: { readonly [S in ServiceName]?: ServiceScenario }
  /** Access key ids answered with AccessDeniedException 403. */
  readonly deniedAccessKeys?: readonly string[]
  /** Operations created when the emulator starts and after every reset. */
  readonly operations?: readonly CreateOperationInput[]
}

/** Fully resolved settings of one service in one region. */
export interface EffectiveSettings {
  readonly queuedMs: Range
  readonly runningMs: Range
  readonly failureRate: number
  readonly rateLimit: RateLimit | undefined
  readonly error5xxRate: number
  readonly resetRate: number
  readonly latencyMs: Range
  readonly malformedRate: number
  readonly notFoundForMs: number
}

/** Raised when a scenario or an operation request is not valid. */
export class ScenarioError extends Error {
  override readonly name = "ScenarioError"
}

/**
 * The smallest time scale a scenario may set: a simulated second per 1,000 real ones (about 17
 * minutes). Below it the conversion back to real time (`terminalAt`) loses all meaning.
 */
export const MIN_TIME_SCALE = 0.001

/**
 * The largest time scale a scenario may set: a million simulated milliseconds (about 17
 * minutes) per real millisecond. The repository's own tests go up to it; far beyond it the
 * simulated clock would leave the range of a date within hours.
 */
export const MAX_TIME_SCALE = 1_000_000

/** Default simulated durations per service, loosely after what the services take in practice. */
export const DEFAULT_DURATIONS: { readonly [S in ServiceName]: Required<Durations> } = {
  lightsail: { queuedMs: [500, 3_000], runningMs: [10_000, 60_000] },
  servicediscovery: { queuedMs: [200, 2_000], runningMs: [5_000, 45_000] },
  "ssm-sap": { queuedMs: [1_000, 5_000], runningMs: [60_000, 300_000] },
  cloudformation: { queuedMs: [1_000, 5_000], runningMs: [30_000, 180_000] },
  ecs: { queuedMs: [1_000, 5_000], runningMs: [60_000, 300_000] },
  cloudcontrol: { queuedMs: [500, 2_000], runningMs: [10_000, 90_000] },
  route53: { queuedMs: [0, 0], runningMs: [20_000, 60_000] }
}

type Json = Record<string, unknown>

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const fail = (path: string, what: string): never => {
  throw new ScenarioError(`${path}: ${what}`)
}

const checkKeys = (value: Json, path: string, allowed: readonly string[]): void => {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) fail(`${path}.${key}`, "unknown setting")
  }
}

const number = (value: unknown, path: string, min: number, max = Number.POSITIVE_INFINITY): number => {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    return fail(path, `expected a number in [${min}, ${max}]`)
  }
  return value
}

const rate = (value: unknown, path: string): number => number(value, path, 0, 1)

const range = (value: unknown, path: string): Range => {
  if (!Array.isArray(value) || value.length !== 2) return fail(path, "expected [min, max]")
  const min = number(value[0], `${path}[0]`, 0)
  const max = number(value[1], `${path}[1]`, 0)
  if (min > max) fail(path, "min is greater than max")
  return [min, max]
}

const string = (value: unknown, path: string): string => {
  if (typeof value !== "string" || value.length === 0) return fail(path, "expected a non-empty string")
  return value
}

const parseFaults = (value: unknown, path: string): Faults => {
  if (!isObject(value)) return fail(path, "expected an object")
  checkKeys(value, path, ["error5xxRate", "resetRate", "latencyMs", "malformedRate", "notFoundForMs"])
  const out: { -readonly [K in keyof Faults]: Faults[K] } = {}
  if (value.error5xxRate !== undefined) out.error5xxRate = rate(value.error5xxRate, `${path}.error5xxRate`)
  if (value.resetRate !== undefined) out.resetRate = rate(value.resetRate, `${path}.resetRate`)
  if (value.malformedRate !== undefined)
    out.malformedRate = rate(value.malformedRate, `${path}.malformedRate`)
  if (value.notFoundForMs !== undefined)
    out.notFoundForMs = number(value.notFoundForMs, `${path}.notFoundForMs`, 0)
  if (value.latencyMs !== undefined) {
    out.latencyMs =
      typeof value.latencyMs === "number"
        ? number(value.latencyMs, `${path}.latencyMs`, 0)
        : range(value.latencyMs, `${path}.latencyMs`)
  }
  return out
}

const SETTINGS_KEYS = ["durations", "failureRate", "rateLimit", "faults"]

const parseSettings = (value: unknown, path: string, extraKeys: readonly string[] = []): ServiceSettings => {
  if (!isObject(value)) return fail(path, "expected an object")
  checkKeys(value, path, [...SETTINGS_KEYS, ...extraKeys])
  const out: { -readonly [K in keyof ServiceSettings]: ServiceSettings[K] } = {}
  if (value.durations !== undefined) {
    const d = value.durations
    if (!isObject(d)) return fail(`${path}.durations`, "expected an object")
    checkKeys(d, `${path}.durations`, ["queuedMs", "runningMs"])
    const durations: { queuedMs?: Range; runningMs?: Range } = {}
    if (d.queuedMs !== undefined) durations.queuedMs = range(d.queuedMs, `${path}.durations.queuedMs`)
    if (d.runningMs !== undefined) durations.runningMs = range(d.runningMs, `${path}.durations.runningMs`)
    out.durations = durations
  }
  if (value.failureRate !== undefined) out.failureRate = rate(value.failureRate, `${path}.failureRate`)
  if (value.rateLimit === null) out.rateLimit = null
  else if (value.rateLimit !== undefined) {
    const r = value.rateLimit
    if (!isObject(r)) return fail(`${path}.rateLimit`, "expected { perSecond, burst } or null")
    checkKeys(r, `${path}.rateLimit`, ["perSecond", "burst"])
    out.rateLimit = {
      perSecond: number(r.perSecond, `${path}.rateLimit.perSecond`, 0),
      burst: number(r.burst, `${path}.rateLimit.burst`, 1)
    }
  }
  if (value.faults !== undefined) out.faults = parseFaults(value.faults, `${path}.faults`)
  return out
}

const regionCode = (value: string, path: string): string =>
  isRegionCode(value) ? value : fail(path, `expected an AWS region code such as us-east-1, got "${value}"`)

const parseServiceScenario = (value: unknown, path: string): ServiceScenario => {
  const settings = parseSettings(value, path, ["regions"])
  const regions = (value as Json).regions
  if (regions === undefined) return settings
  if (!isObject(regions)) return fail(`${path}.regions`, "expected an object keyed by region")
  const parsed: Record<string, ServiceSettings> = {}
  for (const [region, regional] of Object.entries(regions)) {
    parsed[regionCode(region, `${path}.regions`)] = parseSettings(regional, `${path}.regions.${region}`)
  }
  return { ...settings, regions: parsed }
}

const isServiceName = (value: unknown): value is ServiceName =>
  typeof value === "string" && (SERVICE_NAMES as readonly string[]).includes(value)

/** Validates an operation request (from the admin surface or a scenario file). */
export const parseCreateOperationInput = (value: unknown, path = "operation"): CreateOperationInput => {
  if (!isObject(value)) return fail(path, "expected an object")
  const stringKeys = [
    "region",
    "account",
    "type",
    "resourceName",
    "applicationId",
    "namespaceId",
    "serviceId",
    "instanceId",
    "stackSetName",
    "cluster",
    "serviceName",
    "typeName",
    "identifier",
    "hostedZoneId",
    "errorCode",
    "errorMessage"
  ] as const
  checkKeys(value, path, ["service", "durationMs", "outcome", "notFoundForMs", ...stringKeys])
  if (!isServiceName(value.service))
    return fail(`${path}.service`, `expected one of ${SERVICE_NAMES.join(", ")}`)
  const out: { -readonly [K in keyof CreateOperationInput]: CreateOperationInput[K] } = {
    service: value.service
  }
  for (const key of stringKeys) {
    if (value[key] !== undefined) out[key] = string(value[key], `${path}.${key}`)
  }
  if (out.region !== undefined) regionCode(out.region, `${path}.region`)
  if (value.durationMs !== undefined) out.durationMs = number(value.durationMs, `${path}.durationMs`, 0)
  if (value.notFoundForMs !== undefined)
    out.notFoundForMs = number(value.notFoundForMs, `${path}.notFoundForMs`, 0)
  if (value.outcome !== undefined) {
    if (value.outcome !== "success" && value.outcome !== "failure" && value.outcome !== "rollback") {
      return fail(`${path}.outcome`, 'expected "success", "failure" or "rollback"')
    }
    out.outcome = value.outcome
  }
  return out
}

/** Validates an untrusted value (a parsed JSON file or admin request) as a scenario. */
export const parseScenario = (value: unknown): Scenario => {
  if (!isObject(value)) return fail("scenario", "expected an object")
  checkKeys(value, "scenario", ["seed", "timeScale", "services", "deniedAccessKeys", "operations"])
  const out: { -readonly [K in keyof Scenario]: Scenario[K] } = {}
  if (value.seed !== undefined) {
    if (!Number.isInteger(value.seed)) fail("scenario.seed", "expected an integer")
    out.seed = value.seed as number
  }
  if (value.timeScale !== undefined) {
    out.timeScale = number(value.timeScale, "scenario.timeScale", MIN_TIME_SCALE, MAX_TIME_SCALE)
  }
  if (value.services !== undefined) {
    if (!isObject(value.services)) return fail("scenario.services", "expected an object")
    checkKeys(value.services, "scenario.services", SERVICE_NAMES)
    const services: { [S in ServiceName]?: ServiceScenario } = {}
    for (const name of SERVICE_NAMES) {
      const service = value.services[name]
      if (service !== undefined) services[name] = parseServiceScenario(service, `scenario.services.${name}`)
    }
    out.services = services
  }
  if (value.deniedAccessKeys !== undefined) {
    if (!Array.isArray(value.deniedAccessKeys)) return fail("scenario.deniedAccessKeys", "expected a list")
    out.deniedAccessKeys = value.deniedAccessKeys.map((key, i) =>
      string(key, `scenario.deniedAccessKeys[${i}]`)
    )
  }
  if (value.operations !== undefined) {
    if (!Array.isArray(value.operations)) return fail("scenario.operations", "expected a list")
    out.operations = value.operations.map((op, i) =>
      parseCreateOperationInput(op, `scenario.operations[${i}]`)
    )
  }
  return out
}

const mergeSettings = <T extends ServiceSettings>(
  base: T | undefined,
  patch: T | undefined
): T | undefined => {
  if (patch === undefined) return base
  if (base === undefined) return patch
  const merged: Record<string, unknown> = { ...(base as object), ...(patch as object) }
  if (base.durations !== undefined || patch.durations !== undefined) {
    merged.durations = { ...base.durations, ...patch.durations }
  }
  if (base.faults !== undefined || patch.faults !== undefined)
    merged.faults = { ...base.faults, ...patch.faults }
  return merged as T
}

/** Deep-merges a partial scenario into a scenario; lists are replaced, objects merged. */
export const mergeScenario = (base: Scenario, patch: Scenario): Scenario => {
  const services: { [S in ServiceName]?: ServiceScenario } = { ...base.services }
  for (const name of SERVICE_NAMES) {
    const b = base.services?.[name]
    const p = patch.services?.[name]
    if (p === undefined) continue
    const merged = mergeSettings<ServiceScenario>(b, p)!
    const regions: Record<string, ServiceSettings> = { ...b?.regions }
    for (const [region, regional] of Object.entries(p.regions ?? {})) {
      regions[region] = mergeSettings(
        b?.regions === undefined ? undefined : ownValue(b.regions, region),
        regional
      )!
    }
    services[name] = Object.keys(regions).length > 0 ? { ...merged, regions } : merged
  }
  return { ...base, ...patch, services }
}

const asRange = (latency: number | Range | undefined): Range =>
  latency === undefined ? [0, 0] : typeof latency === "number" ? [latency, latency] : latency

/** Resolves the settings of one service in one region, applying defaults and the region's overrides. */
export const effectiveSettings = (
  scenario: Scenario,
  service: ServiceName,
  region: string
): EffectiveSettings => {
  const base = scenario.services?.[service]
  const regional = base?.regions === undefined ? undefined : ownValue(base.regions, region)
  const merged = mergeSettings<ServiceSettings>(base, regional) ?? {}
  const defaults = DEFAULT_DURATIONS[service]
  return {
    queuedMs: merged.durations?.queuedMs ?? defaults.queuedMs,
    runningMs: merged.durations?.runningMs ?? defaults.runningMs,
    failureRate: merged.failureRate ?? 0,
    rateLimit: merged.rateLimit ?? undefined,
    error5xxRate: merged.faults?.error5xxRate ?? 0,
    resetRate: merged.faults?.resetRate ?? 0,
    latencyMs: asRange(merged.faults?.latencyMs),
    malformedRate: merged.faults?.malformedRate ?? 0,
    notFoundForMs: merged.faults?.notFoundForMs ?? 0
  }
}
