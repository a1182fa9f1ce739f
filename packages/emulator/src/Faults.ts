/**
 * Fault decisions for each request: added latency, throttling from a per-service, per-region token
 * bucket, socket resets, 5xx answers and malformed answers. Draws come from a seeded stream per
 * service, a fixed number per request, so a run with the same seed and the same traffic replays.
 * The token bucket runs on real (unscaled) time: rate limits are about how fast clients call.
 */
import { createPrng, type Prng } from "./internal/prng.js"
import type { EffectiveSettings, ServiceName } from "./Scenario.js"
import { SERVICE_NAMES } from "./Scenario.js"

/** What to do to one request. */
export interface FaultDecision {
  readonly latencyMs: number
  readonly throttled: boolean
  readonly reset: boolean
  /** 500 or 503, or undefined for no server error. */
  readonly serverError: 500 | 503 | undefined
  /** A 200 carrying truncated JSON, an HTML 502, or undefined. */
  readonly malformed: "json200" | "html502" | undefined
}

interface Bucket {
  tokens: number
  last: number
  readonly perSecond: number
  readonly burst: number
}

/** Decides faults per request. */
export class FaultInjector {
  private prngs = new Map<ServiceName, Prng>()
  private readonly buckets = new Map<string, Bucket>()

  constructor(seed: number) {
    this.reseed(seed)
  }

  /** Restarts every fault stream from a seed and empties the buckets. */
  reseed(seed: number): void {
    this.prngs = new Map(SERVICE_NAMES.map((name) => [name, createPrng(seed, `faults:${name}`)]))
    this.buckets.clear()
  }

  /** Takes one token from the service's bucket in that region; false when it is empty. */
  private take(service: ServiceName, region: string, settings: EffectiveSettings, realNow: number): boolean {
    const limit = settings.rateLimit
    if (limit === undefined) return true
    const key = `${service}|${region}`
    let bucket = this.buckets.get(key)
    if (bucket !== undefined) {
      // Refill at the rate in force so far.
      const elapsed = Math.max(0, realNow - bucket.last) / 1000
      bucket.tokens = Math.min(bucket.burst, bucket.tokens + elapsed * bucket.perSecond)
      bucket.last = realNow
    }
    if (bucket === undefined || bucket.perSecond !== limit.perSecond || bucket.burst !== limit.burst) {
      // A new limit keeps the tokens left (up to its burst): changing it never refills the bucket.
      const tokens = bucket === undefined ? limit.burst : Math.min(limit.burst, bucket.tokens)
      bucket = { tokens, last: realNow, perSecond: limit.perSecond, burst: limit.burst }
      this.buckets.set(key, bucket)
    }
    if (bucket.tokens < 1) return false
    bucket.tokens -= 1
    return true
  }

  /** Decides the faults of one request to a service in a region. */
  decide(service: ServiceName, region: string, settings: EffectiveSettings, realNow: number): FaultDecision {
    const prng = this.prngs.get(service)!
    // Always six draws, whatever is configured.
    const latencyDraw = prng.next()
    const resetDraw = prng.next()
    const errorDraw = prng.next()
    const errorKindDraw = prng.next()
    const malformedDraw = prng.next()
    const malformedKindDraw = prng.next()
    const [minLatency, maxLatency] = settings.latencyMs
    return {
      latencyMs: Math.round(minLatency + latencyDraw * (maxLatency - minLatency)),
      throttled: !this.take(service, region, settings, realNow),
      reset: resetDraw < settings.resetRate,
      serverError: errorDraw < settings.error5xxRate ? (errorKindDraw < 0.5 ? 500 : 503) : undefined,
      malformed:
        malformedDraw < settings.malformedRate ? (malformedKindDraw < 0.5 ? "json200" : "html502") : undefined
    }
  }
}
