import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import {
  backoffDelay,
  clampToDeadline,
  nextDelay,
  type PollSignal,
  resolvePolicy
} from "../src/WaitPolicy.js"
import { infoOf } from "./helpers.js"

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

describe("nextDelay (one backoff for waits and sweeps)", () => {
  const delaysOf = (signals: ReadonlyArray<PollSignal>, seed: number) => {
    const state = { attempt: 0, throttles: 0 }
    let x = seed
    const random = () => {
      x = (x * 9301 + 49297) % 233280
      return x / 233280
    }
    return signals.map((signal) => nextDelay(state, signal, 1_000, 20_000, random()))
  }

  it("keeps every delay inside the Smithy bounds over many seeds", () => {
    for (let seed = 0; seed < 50; seed++) {
      const delays = delaysOf(["changed", "progress", "progress", "progress", "progress", "progress"], seed)
      delays.forEach((d, n) => {
        expect(d).toBeGreaterThanOrEqual(1_000)
        expect(d).toBeLessThanOrEqual(Math.min(1_000 * 2 ** n, 20_000))
      })
    }
  })

  it("backs off harder on throttling: never below twice the minimum", () => {
    for (let seed = 0; seed < 50; seed++) {
      const [a, b, c] = delaysOf(["throttled", "throttled", "throttled"], seed)
      for (const d of [a!, b!, c!]) expect(d).toBeGreaterThanOrEqual(2_000)
      expect(c!).toBeLessThanOrEqual(Math.min(2_000 * 2 ** 3, 40_000))
    }
  })

  it("a change starts the backoff again at the minimum", () => {
    const state = { attempt: 5, throttles: 2 }
    expect(nextDelay(state, "changed", 1_000, 20_000, 0.99)).toBe(1_000)
    expect(state).toEqual({ attempt: 0, throttles: 0 })
  })

  it("equal minimum and maximum give fixed spacing", () => {
    const state = { attempt: 0, throttles: 0 }
    const signals: ReadonlyArray<PollSignal> = ["progress", "transient", "changed", "not-found", "progress"]
    expect(signals.map((s) => nextDelay(state, s, 3_000, 3_000, Math.random()))).toEqual([
      3_000, 3_000, 3_000, 3_000, 3_000
    ])
  })
})

describe("resolvePolicy", () => {
  const resolve = (...o: ReadonlyArray<unknown>) =>
    Effect.runPromise(Effect.result(resolvePolicy(infoOf("lightsail").defaults, ...o)))

  it("uses the service's declared defaults", async () => {
    const r = await resolve()
    expect(r._tag === "Success" && r.success).toEqual({
      timeoutMillis: 30 * 60_000,
      minDelayMillis: 2_000,
      maxDelayMillis: 30_000,
      notFoundGraceMillis: 30_000,
      unreachableGraceMillis: 15_000
    })
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
    [{ minDelay: "10 seconds", maxDelay: "1 second" }, "maxDelay", "must not be below minDelay"],
    [{ timeout: Object.create(null) }, "timeout", "timeout"],
    [{ schedule: {} }, "schedule", "schedule was removed"],
    ["fast", "options", "must be an object"]
  ] as const)("rejects %j naming %s", async (options, option, text) => {
    const r = await resolve(options as never)
    expect(r._tag).toBe("Failure")
    if (r._tag !== "Failure" || r.failure.reason._tag !== "InvalidOptions")
      throw new Error("expected InvalidOptions")
    expect(r.failure.reason.option).toBe(option)
    expect(r.failure.message).toContain(text)
  })
})
