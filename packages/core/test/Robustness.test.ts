import { Effect, Exit, Fiber, Layer, Logger, Random, Scope } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect, it } from "vitest"
import { Engine } from "../src/Engine.js"
import { FleetConfig } from "../src/FleetConfig.js"
import type { OperationRef } from "../src/OperationRef.js"
import type { OperationSource } from "../src/OperationSource.js"
import { OperationSources } from "../src/OperationSources.js"
import * as Waiter from "../src/Waiter.js"
import {
  type Call,
  refN,
  runOnClock,
  runThenStop,
  sourceError,
  tagOf,
  timeline,
  worldSource
} from "./helpers.js"

const second = 1_000
const every = (ms: number) => ({ minDelay: ms, maxDelay: ms, timeout: "5 minutes" }) as const
const gets = (calls: ReadonlyArray<Call>, id?: string) =>
  calls.filter((c) => c.kind === "get" && (id === undefined || c.id === id))
const lists = (calls: ReadonlyArray<Call>) => calls.filter((c) => c.kind === "list")

/** Runs a program on TestClock, collecting what it logs. */
const logged = async <A, E>(
  effect: Effect.Effect<A, E, Engine | OperationSources>,
  sources: ReadonlyArray<OperationSource<any>>,
  total: number
) => {
  const logs: Array<string> = []
  const logger = Logger.make(({ message }) => logs.push(String(message)))
  const result = await runOnClock(effect.pipe(Effect.provide(Logger.layer([logger]))), sources, total)
  return { result, logs }
}

describe("a defect in one read affects only the waits it covers", () => {
  it("a read that throws is a malformed answer for its operation; the lane and the other waits go on", async () => {
    const ends = timeline(() => 5 * second)
    const { source, calls } = worldSource("servicediscovery", (r, now) =>
      r.id === "op-1" ? "throw" : ends(r, now)
    )
    const { result, logs } = await logged(
      Effect.all(
        [Waiter.waitForAll([refN(1)], every(second)), Waiter.waitForAll([refN(2), refN(3)], every(second))],
        { concurrency: 2 }
      ),
      [source],
      60 * second
    )
    if (result._tag !== "Success") throw new Error("waitForAll fails only on inputs it cannot iterate")
    const [[broken], healthy] = result.success
    expect(broken?.ok === false && tagOf(broken.error)).toBe("MalformedResponse")
    expect(broken?.ok === false && broken.error.message).toContain("Cannot read properties of null")
    expect(healthy.map((o) => o.ok && o.operation.status)).toEqual(["succeeded", "succeeded"])
    // Three malformed answers in a row, then the wait failed; nothing more was asked about it.
    expect(gets(calls, "op-1")).toHaveLength(3)
    expect(logs.some((l) => l.includes("could not be handled"))).toBe(true)
  })

  it("a list page holding null and non-operations still ends every wait right", async () => {
    const ends = timeline(() => 4 * second)
    const { source } = worldSource("servicediscovery", ends, {
      batch: { mangle: (items) => [null, 42, { ref: null }, ...items, Object.create(null)] }
    })
    const r = await runOnClock(
      Waiter.waitForAll([refN(1), refN(2), refN(3)], every(second)),
      [source],
      30 * second
    )
    if (r._tag !== "Success") throw new Error("waitForAll fails only on inputs it cannot iterate")
    expect(r.success.map((o) => o.ok && o.operation.status)).toEqual(["succeeded", "succeeded", "succeeded"])
  })

  it("a batch planner that throws turns batching off; the waits go on by ID", async () => {
    const { source, calls } = worldSource(
      "servicediscovery",
      timeline(() => 4 * second),
      { batch: {} }
    )
    const broken: OperationSource = {
      ...source,
      batch: {
        plan: () => {
          throw new RangeError("planner bug")
        }
      }
    }
    const { result, logs } = await logged(
      Waiter.waitForAll([refN(1), refN(2)], every(second)),
      [broken],
      30 * second
    )
    if (result._tag !== "Success") throw new Error("waitForAll fails only on inputs it cannot iterate")
    expect(result.success.every((o) => o.ok)).toBe(true)
    expect(gets(calls).length).toBeGreaterThan(4)
    expect(logs.some((l) => l.includes("planner bug"))).toBe(true)
  })

  it("a source whose region check throws gives that input a typed InvalidRef; the rest wait", async () => {
    const { source } = worldSource(
      "servicediscovery",
      timeline(() => 2 * second)
    )
    const picky: OperationSource = {
      ...source,
      checkRegion: (region) => {
        if (region === "eu-west-1") throw new Error("no map for eu-west-1")
        return Effect.void
      }
    }
    const r = await runOnClock(
      Waiter.waitForAll([{ ...refN(1), region: "eu-west-1" }, refN(2)], every(second)),
      [picky],
      30 * second
    )
    if (r._tag !== "Success") throw new Error("waitForAll fails only on inputs it cannot iterate")
    expect(r.success.map((o) => (o.ok ? o.operation.status : tagOf(o.error)))).toEqual([
      "InvalidRef",
      "succeeded"
    ])
  })

  it("inputs that are not refs are outcomes of their own, and a non-iterable is a typed failure", async () => {
    const { source } = worldSource(
      "servicediscovery",
      timeline(() => 2 * second)
    )
    const r = await runOnClock(
      Waiter.waitForAll(
        [null, 7, Object.create(null), { service: "servicediscovery" }, refN(1)] as never,
        every(second)
      ),
      [source],
      30 * second
    )
    if (r._tag !== "Success") throw new Error("waitForAll fails only on inputs it cannot iterate")
    expect(r.success.map((o) => (o.ok ? o.operation.status : tagOf(o.error)))).toEqual([
      "InvalidRef",
      "InvalidRef",
      "InvalidRef",
      "InvalidRef",
      "succeeded"
    ])
    const notIterable = await runOnClock(Waiter.waitForAll(42 as never), [source], second)
    expect(notIterable._tag === "Failure" && tagOf(notIterable.failure)).toBe("InvalidOptions")
  })
})

describe("multi-page list reads under throttling", () => {
  it("a throttled page is asked again, not the read from its first page", async () => {
    let throttledOnce = false
    const { source, calls } = worldSource(
      "servicediscovery",
      timeline(() => 20 * second),
      {
        batch: {
          pages: 3,
          fail: (_now, page) => {
            if (page !== 1 || throttledOnce) return undefined
            throttledOnce = true
            return sourceError("throttled", "ThrottlingException", "slow down", 400)
          }
        }
      }
    )
    const refs = Array.from({ length: 10 }, (_, i) => refN(i))
    await runThenStop(Waiter.waitForAll(refs, every(5 * second)), [source], 9 * second)
    expect(lists(calls).map((c) => c.page)).toEqual([0, 1, 1, 2])
  })

  it("a read that keeps being throttled resumes where it stopped in the next round", async () => {
    const { source, calls } = worldSource(
      "servicediscovery",
      timeline(() => 60 * second),
      {
        batch: {
          pages: 3,
          // The second page of the first pass is throttled three times: the round gives up on it.
          fail: (now, page) =>
            page === 1 && now < 6 * second
              ? sourceError("throttled", "ThrottlingException", "slow down", 400)
              : undefined
        }
      }
    )
    const refs = Array.from({ length: 10 }, (_, i) => refN(i))
    await runThenStop(Waiter.waitForAll(refs, every(5 * second)), [source], 20 * second)
    const pages = lists(calls).map((c) => c.page)
    // First round: page 0, then page 1 three times (two retries); the next round resumes at page 1.
    expect(pages.slice(0, 6)).toEqual([0, 1, 1, 1, 1, 2])
  })

  it("at a tight rate limit, every wait of a many-page read still ends, with no throttle surfaced", async () => {
    // The service allows one request a second; every request beyond it is throttled.
    let lastAllowed = Number.NEGATIVE_INFINITY
    const limited = (now: number) => {
      if (now - lastAllowed < second)
        return sourceError("throttled", "ThrottlingException", "Rate exceeded", 400)
      lastAllowed = now
      return undefined
    }
    const ends = (r: OperationRef) => (10 + Number(r.id.slice(3)) / 10) * second
    const world = (r: OperationRef, now: number) => limited(now) ?? timeline(ends)(r, now)
    const { source } = worldSource("servicediscovery", world, { batch: { pages: 3, fail: limited } })
    const refs = Array.from({ length: 60 }, (_, i) => refN(i))
    const r = await runOnClock(
      Waiter.waitForAll(refs, { minDelay: second, maxDelay: 10 * second, timeout: "5 minutes" }).pipe(
        Effect.provideService(FleetConfig, { rateLimit: { start: 1, min: 0.5, max: 2 } })
      ),
      [source],
      5 * 60 * second,
      250
    )
    if (r._tag !== "Success") throw new Error("waitForAll fails only on inputs it cannot iterate")
    expect(r.success.filter((o) => !o.ok).map((o) => !o.ok && tagOf(o.error))).toEqual([])
  })
})

describe("the engine has a lifetime", () => {
  it("closing the layer's scope ends the waits still going with WaitAborted and stops reading", async () => {
    const { source, calls } = worldSource(
      "servicediscovery",
      timeline(() => 10 * 60 * second)
    )
    const result = await Effect.runPromise(
      Effect.gen(function* () {
        const scope = yield* Scope.make()
        const context = yield* Layer.buildWithScope(OperationSources.layer([source]), scope)
        const fiber = yield* Effect.forkChild(
          Waiter.waitForAll([refN(1), refN(2)], every(second)).pipe(Effect.provideContext(context))
        )
        yield* TestClock.adjust(5 * second)
        yield* Scope.close(scope, Exit.void)
        const outcomes = yield* Fiber.join(fiber)
        const atClose = calls.length
        yield* TestClock.adjust(60 * second)
        const later = yield* Effect.result(
          Waiter.waitForAll([refN(3)], every(second)).pipe(Effect.provideContext(context))
        )
        return { outcomes, atClose, after: calls.length, later }
      }).pipe(Random.withSeed(1), Effect.provide(TestClock.layer()))
    )
    expect(result.outcomes.map((o) => !o.ok && tagOf(o.error))).toEqual(["WaitAborted", "WaitAborted"])
    expect(result.atClose).toBeGreaterThan(0)
    expect(result.after).toBe(result.atClose)
    expect(
      result.later._tag === "Success" && result.later.success.map((o) => !o.ok && tagOf(o.error))
    ).toEqual(["WaitAborted"])
  })

  it("two layers are two engines: their lanes and warnings are their own", async () => {
    const { source } = worldSource(
      "servicediscovery",
      timeline(() => 2 * second)
    )
    const run = Effect.gen(function* () {
      const engine = yield* Engine
      return engine
    })
    const [a, b] = await Promise.all([
      Effect.runPromise(Effect.scoped(Effect.provide(run, OperationSources.layer([source])))),
      Effect.runPromise(Effect.scoped(Effect.provide(run, OperationSources.layer([source]))))
    ])
    expect(a).not.toBe(b)
  })
})
