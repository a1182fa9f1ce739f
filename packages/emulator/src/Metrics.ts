/**
 * Request counters: per service, per operation name, per outcome and per region, so a benchmark
 * can check how many throttles, resets and malformed answers its clients actually met.
 */
import type { ServiceName } from "./Scenario.js"

/** How one request ended. */
export type Outcome = "ok" | "throttled" | "error-4xx" | "error-5xx" | "reset" | "malformed"

/** Every outcome, in a fixed order. */
export const OUTCOMES: readonly Outcome[] = [
  "ok",
  "throttled",
  "error-4xx",
  "error-5xx",
  "reset",
  "malformed"
]

/** A request total and its split by outcome. */
export type Counts = { total: number } & { [O in Outcome]: number }

/** The counters of one service. */
export interface ServiceMetrics {
  readonly counts: Counts
  readonly byOperation: Record<string, Counts>
  readonly byRegion: Record<string, Counts>
}

/** A snapshot of every counter. Requests that could not be tied to a service count only in `counts`. */
export interface EmulatorMetrics {
  readonly counts: Counts
  readonly services: { readonly [S in ServiceName]: ServiceMetrics }
}

const emptyCounts = (): Counts => ({
  total: 0,
  ok: 0,
  throttled: 0,
  "error-4xx": 0,
  "error-5xx": 0,
  reset: 0,
  malformed: 0
})

const bump = (counts: Counts, outcome: Outcome): void => {
  counts.total++
  counts[outcome]++
}

/** The counters of one service as kept: Maps, so no key a client sends reaches Object.prototype. */
interface ServiceCounters {
  readonly counts: Counts
  readonly byOperation: Map<string, Counts>
  readonly byRegion: Map<string, Counts>
}

const emptyCounters = (): ServiceCounters => ({
  counts: emptyCounts(),
  byOperation: new Map(),
  byRegion: new Map()
})

const countIn = (map: Map<string, Counts>, key: string, outcome: Outcome): void => {
  let counts = map.get(key)
  if (counts === undefined) {
    counts = emptyCounts()
    map.set(key, counts)
  }
  bump(counts, outcome)
}

/** A Map of counts as a plain object (Object.fromEntries defines own data properties only). */
const plain = (map: Map<string, Counts>): Record<string, Counts> =>
  Object.fromEntries([...map].map(([key, counts]) => [key, { ...counts }]))

/**
 * Accumulates counters. The operation is a known operation name or `Unknown`, and the region a
 * region code or `unknown` (the front end checks it), so the maps stay small whatever clients send.
 */
export class MetricsRecorder {
  private counts = emptyCounts()
  private services = this.emptyServices()

  private emptyServices(): { [S in ServiceName]: ServiceCounters } {
    return {
      lightsail: emptyCounters(),
      servicediscovery: emptyCounters(),
      "ssm-sap": emptyCounters(),
      cloudformation: emptyCounters(),
      ecs: emptyCounters(),
      cloudcontrol: emptyCounters(),
      route53: emptyCounters()
    }
  }

  /** Counts one request. */
  record(service: ServiceName | undefined, operation: string, region: string, outcome: Outcome): void {
    bump(this.counts, outcome)
    if (service === undefined) return
    const counters = this.services[service]
    bump(counters.counts, outcome)
    countIn(counters.byOperation, operation, outcome)
    countIn(counters.byRegion, region, outcome)
  }

  /** A deep copy of the counters. */
  snapshot(): EmulatorMetrics {
    const service = (name: ServiceName): ServiceMetrics => {
      const counters = this.services[name]
      return {
        counts: { ...counters.counts },
        byOperation: plain(counters.byOperation),
        byRegion: plain(counters.byRegion)
      }
    }
    return {
      counts: { ...this.counts },
      services: {
        lightsail: service("lightsail"),
        servicediscovery: service("servicediscovery"),
        "ssm-sap": service("ssm-sap"),
        cloudformation: service("cloudformation"),
        ecs: service("ecs"),
        cloudcontrol: service("cloudcontrol"),
        route53: service("route53")
      }
    }
  }

  /** Zeroes every counter. */
  reset(): void {
    this.counts = emptyCounts()
    this.services = this.emptyServices()
  }
}
