import { Clock, Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect, it } from "vitest"
import { chooseReads } from "../src/internal/engine/planner.js"
import { makeRateLimiter } from "../src/internal/engine/rateLimiter.js"

const onClock = <A>(effect: Effect.Effect<A>) => Effect.runPromise(Effect.provide(effect, TestClock.layer()))

/** Takes `n` tokens one after another; returns when each was granted. */
const take = (limiter: ReturnType<typeof makeRateLimiter>, n: number, onEach?: (waited: boolean) => void) =>
  Effect.gen(function* () {
    const times: Array<number> = []
    for (let i = 0; i < n; i++) {
      const waited = yield* limiter.acquire
      onEach?.(waited)
      times.push(yield* Clock.currentTimeMillis)
    }
    return times
  })

const drive = <A>(effect: Effect.Effect<A>, millis: number) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(effect)
    for (let t = 0; t < millis; t += 10) yield* TestClock.adjust(10)
    return yield* Fiber.join(fiber)
  })

describe("the AIMD token bucket", () => {
  it("serves a second's burst at once, then one token every 1/rate seconds", async () => {
    const limiter = makeRateLimiter({ start: 10, min: 1, max: 20 })
    const times = await onClock(drive(take(limiter, 20), 5_000))
    expect(times.slice(0, 10)).toEqual(Array(10).fill(0))
    expect(times.slice(10)).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000])
  })

  it("halves on a throttle (once for requests sent before it), never below min, and drains the burst", async () => {
    const limiter = makeRateLimiter({ start: 16, min: 3, max: 20 })
    limiter.onThrottle(10, 0)
    expect(limiter.rate()).toBe(8)
    // Sent before that decrease: the same burst, no second decrease.
    limiter.onThrottle(20, 5)
    expect(limiter.rate()).toBe(8)
    limiter.onThrottle(300, 100)
    expect(limiter.rate()).toBe(4)
    limiter.onThrottle(400, 300)
    expect(limiter.rate()).toBe(3)
    const times = await onClock(drive(take(limiter, 3), 5_000))
    // The bucket was emptied: no burst, a token every 1/3 s.
    expect(times).toEqual([334, 667, 1000])
  })

  it("doubles while saturated until the first throttle, then grows by about one request a second per second", async () => {
    const limiter = makeRateLimiter({ start: 5, min: 1, max: 40 })
    limiter.onSuccess(false)
    expect(limiter.rate()).toBe(5)
    // Slow start: every success that waited adds a request a second.
    for (let i = 0; i < 5; i++) limiter.onSuccess(true)
    expect(limiter.rate()).toBe(10)
    limiter.onThrottle(0, 0)
    expect(limiter.rate()).toBe(5)
    const rates: Array<number> = []
    await onClock(
      drive(
        take(limiter, 40, (waited) => {
          limiter.onSuccess(waited)
          rates.push(limiter.rate())
        }),
        20_000
      )
    )
    // After the throttle, about one more request a second for each second of waiting requests.
    const afterOneSecond = rates[5]!
    expect(afterOneSecond).toBeGreaterThan(5.8)
    expect(afterOneSecond).toBeLessThan(6.2)
    expect(rates.at(-1)!).toBeLessThan(15)
  })

  it("slows a lane that hammers a limit, then recovers", async () => {
    // A service that allows 5 requests a second; the lane starts at 20.
    const limiter = makeRateLimiter({ start: 20, min: 0.5, max: 50 })
    const served: Array<number> = []
    let throttled = 0
    let window = { start: 0, count: 0 }
    await onClock(
      drive(
        Effect.gen(function* () {
          for (let i = 0; i < 120; i++) {
            const waited = yield* limiter.acquire
            const now = yield* Clock.currentTimeMillis
            if (now - window.start >= 1_000) window = { start: now, count: 0 }
            if (window.count >= 5) {
              throttled++
              limiter.onThrottle(now)
            } else {
              window.count++
              served.push(now)
              limiter.onSuccess(waited)
            }
          }
        }),
        60_000
      )
    )
    expect(limiter.rate()).toBeLessThan(10)
    expect(throttled).toBeLessThan(40)
    expect(served.length).toBeGreaterThan(80)
  })
})

describe("the round planner", () => {
  const offer = (read: string, covers: number[], estimate: number) => ({ read, covers, estimate })
  const wanted = (n: number, ...slots: number[]) => {
    const flags = new Uint8Array(n)
    for (const s of slots) flags[s] = 1
    return flags
  }

  it("takes the cheapest read per wanted operation while it beats one get each", () => {
    const chosen = chooseReads(
      [
        offer("region", [0, 1, 2, 3, 4], 12),
        offer("resource:web-1", [0, 1, 2], 1),
        offer("resource:db", [3], 1)
      ],
      wanted(5, 0, 1, 2, 3, 4)
    )
    expect(chosen.map((c) => c.read)).toEqual(["resource:web-1"])
  })

  it("counts only wanted operations as the benefit", () => {
    expect(chooseReads([offer("list", [0, 1, 2, 3], 2)], wanted(4, 0, 1))).toEqual([])
    expect(chooseReads([offer("list", [0, 1, 2, 3], 2)], wanted(4, 0, 1, 2)).map((c) => c.benefit)).toEqual([
      3
    ])
  })

  it("weighs a get that costs more (steps) against the read", () => {
    const offers = [offer("app", [0, 1], 4)]
    expect(chooseReads(offers, wanted(2, 0, 1), 1)).toEqual([])
    expect(chooseReads(offers, wanted(2, 0, 1), 3).map((c) => c.read)).toEqual(["app"])
  })
})
