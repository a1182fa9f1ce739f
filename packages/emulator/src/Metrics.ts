/**
 * Request counters: per service, per operation name, per outcome and per region, so a benchmark
 * can check how many throttles, resets and malformed answers its clients actually met.
 */
import { SERVICE_NAMES, type ServiceName } from "./Scenario.js"

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

const emptyService = (): ServiceMetrics => ({ counts: emptyCounts(), byOperation: {}, byRegion: {} })

/** Accumulates counters. */
export class MetricsRecorder {
  private counts = emptyCounts()
  private services = this.emptyServices()

  private emptyServices(): { [S in ServiceName]: ServiceMetrics } {
    return { lightsail: emptyService(), servicediscovery: emptyService(), "ssm-sap": emptyService() }
  }

  /** Counts one request. */
  record(service: ServiceName | undefined, operation: string, region: string, outcome: Outcome): void {
    bump(this.counts, outcome)
    if (service === undefined) return
    const metrics = this.services[service]
    bump(metrics.counts, outcome)
    metrics.byOperation[operation] ??= emptyCounts()
    bump(metrics.byOperation[operation], outcome)
    metrics.byRegion[region] ??= emptyCounts()
    bump(metrics.byRegion[region], outcome)
  }

  /** A deep copy of the counters. */
  snapshot(): EmulatorMetrics {
    const services = this.emptyServices()
    for (const name of SERVICE_NAMES) services[name] = structuredClone(this.services[name])
    return { counts: { ...this.counts }, services }
  }

  /** Zeroes every counter. */
  reset(): void {
    this.counts = emptyCounts()
    this.services = this.emptyServices()
  }
}
