import { Duration, Effect, Random, Schedule } from "effect"
import { describe, expect, it } from "vitest"
import {
  backoff,
  backoffDelay,
  clampToDeadline,
  type PollSignal,
  resolvePolicy,
  serviceDefaults
} from "../src/WaitPolicy.js"

describe("backoffDelay (Smithy formula)", () => {
  it.each([0, 1, 2, 3, 5, 10, 2000])("the delay of attempt %i lies in [min, min(min*2^n, max)]", (n) => {
    const min = 2_000
    const max = 30_000
    const ceiling = Math.min(min * 2 ** n, max)
    expect(backoffDelay(min, max, n, 0)).toBe(min)
    expect(backoffDelay(min, max, n, 0.999999)).toBe(Math.round(min + 0.999999 * (ceiling - min)))
    expect(backoffDelay(min, max, n, 0.5)).toBeLessThanOrEqual(ceiling)
  })
})

describe("clampToDeadline", () => {
  it("keeps a delay that leaves more than minDelay", () =>
    expect(clampToDeadline(5_000, 60_000, 2_000)).toBe(5_000))
  it("moves the last poll to minDelay before the deadline", () =>
    expect(clampToDeadline(10_000, 11_000, 2_000)).toBe(9_000))
  it("stops when no poll fits", () => expect(clampToDeadline(1_000, 2_000, 2_000)).toBeUndefined())
})

const delaysOf = (signals: ReadonlyArray<PollSignal>, seed: number) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const step = yield* Schedule.toStep(backoff("1 second", "20 seconds"))
      const out: number[] = []
      for (const s of signals) {
        const [, d] = yield* step(0, s)
        out.push(Duration.toMillis(d))
      }
      return out
    }).pipe(Random.withSeed(seed))
  )

describe("backoff schedule", () => {
  it("keeps every delay inside the Smithy bounds over many seeds", async () => {
    for (let seed = 0; seed < 50; seed++) {
      const delays = await delaysOf(
        ["progress", "progress", "progress", "progress", "progress", "progress"],
        seed
      )
      delays.forEach((d, n) => {
        expect(d).toBeGreaterThanOrEqual(1_000)
        expect(d).toBeLessThanOrEqual(Math.min(1_000 * 2 ** n, 20_000))
      })
    }
  })

  it("backs off harder on throttling: never below twice the minimum", async () => {
    for (let seed = 0; seed < 50; seed++) {
      const [a, b, c] = await delaysOf(["throttled", "throttled", "throttled"], seed)
      for (const d of [a!, b!, c!]) expect(d).toBeGreaterThanOrEqual(2_000)
      expect(c!).toBeLessThanOrEqual(Math.min(2_000 * 2 ** 3, 40_000))
    }
  })

  it("is deterministic for a seed", async () => {
    const signals: PollSignal[] = ["progress", "transient", "progress", "throttled"]
    expect(await delaysOf(signals, 7)).toEqual(await delaysOf(signals, 7))
  })
})

describe("resolvePolicy", () => {
  const resolve = (...o: Parameters<typeof resolvePolicy> extends [unknown, ...infer R] ? R : never) =>
    Effect.runPromise(Effect.result(resolvePolicy("lightsail", ...o)))

  it("uses the service defaults", async () => {
    const r = await resolve()
    expect(r._tag === "Success" && r.success.timeoutMillis).toBe(serviceDefaults.lightsail.timeoutMillis)
  })

  it("reads milliseconds and duration strings, later layers winning", async () => {
    const r = await resolve({ timeout: "5 minutes", minDelay: 100 }, { minDelay: "2 seconds" })
    expect(r._tag).toBe("Success")
    if (r._tag !== "Success") return
    expect(r.success.timeoutMillis).toBe(300_000)
    expect(r.success.minDelayMillis).toBe(2_000)
  })

  it.each([
    [{ timeout: "soon" }, "timeout", "is not a duration"],
    [{ timeout: 0 }, "timeout", "greater than zero"],
    [{ minDelay: -5 }, "minDelay", "non-negative"],
    [{ minDelay: "10 seconds", maxDelay: "1 second" }, "maxDelay", "must not be below minDelay"]
  ] as const)("rejects %j naming %s", async (options, option, text) => {
    const r = await resolve(options as never)
    expect(r._tag).toBe("Failure")
    if (r._tag !== "Failure") return
    expect(r.failure._tag).toBe("InvalidWaitOptionsError")
    expect(r.failure.option).toBe(option)
    expect(r.failure.message).toContain(text)
  })
})
