/**
 * The adaptive client-side rate limit of one fleet lane: a token bucket whose
 * rate follows AIMD, as TCP's congestion window does. A throttled answer
 * halves the rate and empties the bucket, but only for a request sent after
 * the last decrease (as TCP reduces once per window): the 429s of one burst
 * count once. Each successful request that had to wait for a token adds
 * `1 / rate`, so a saturated lane gains about one request per second every
 * second. Until the first throttle the limit is unknown, so, like TCP's slow
 * start, each such success adds a whole request a second instead (the rate
 * doubles every second while saturated). Requests that never waited do not raise the rate: an
 * idle lane does not drift up to its maximum and then burst into the
 * service's limit.
 *
 * A request that finds the bucket empty sleeps until the next token is due
 * at the rate in force and looks again, so a rate that changed while it slept
 * applies at once (a lane has few requests in flight, so few sleepers).
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"

/** Requests per second: where the rate starts and the bounds it stays in. */
export interface RateSettings {
  readonly start: number
  readonly min: number
  readonly max: number
}

/** The rate limiter of one lane. */
export interface RateLimiter {
  /** Takes a token, sleeping until it is there; true when it had to wait. */
  readonly acquire: Effect.Effect<boolean>
  /** The moment the last decrease took effect (epoch ms), to tell which throttles are news. */
  readonly lastDecrease: () => number
  /** A request succeeded; `waited` is what `acquire` returned. */
  readonly onSuccess: (waited: boolean) => void
  /** The service throttled, at `now`, a request sent at `sentAt` (epoch ms; defaults to `now`). */
  readonly onThrottle: (now: number, sentAt?: number) => void
  /** The rate in force, requests per second. */
  readonly rate: () => number
}

/** Builds a limiter; the bucket holds one second of requests at the current rate (at least one). */
export const makeRateLimiter = (settings: RateSettings): RateLimiter => {
  const clamp = (r: number) => Math.min(settings.max, Math.max(settings.min, r))
  let rate = clamp(settings.start)
  const capacity = () => Math.max(1, rate)
  let tokens = capacity()
  let last: number | undefined
  let lastDecrease = Number.NEGATIVE_INFINITY
  let slowStart = true

  const refill = (now: number) => {
    if (last !== undefined && now > last) tokens = Math.min(capacity(), tokens + ((now - last) / 1000) * rate)
    last = last === undefined ? now : Math.max(last, now)
  }

  return {
    acquire: Effect.gen(function* () {
      let waited = false
      for (;;) {
        refill(yield* Clock.currentTimeMillis)
        if (tokens >= 1) {
          tokens -= 1
          return waited
        }
        waited = true
        yield* Effect.sleep(Math.max(1, Math.ceil(((1 - tokens) / rate) * 1000)))
      }
    }),
    onSuccess: (waited) => {
      if (waited) rate = clamp(rate + (slowStart ? 1 : 1 / rate))
    },
    onThrottle: (now, sentAt = now) => {
      // Sent before the last decrease: that decrease already answered it.
      if (sentAt < lastDecrease) return
      slowStart = false
      lastDecrease = now
      rate = clamp(rate / 2)
      tokens = Math.min(tokens, 0)
    },
    rate: () => rate,
    lastDecrease: () => lastDecrease
  }
}
