import { Effect, Fiber, Layer, Random, Stream } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect, it } from "vitest"
import { Engine } from "../src/Engine.js"
import * as Fleet from "../src/Fleet.js"
import { FleetConfig, type RoundReport } from "../src/FleetConfig.js"
import { engineStateOf } from "../src/internal/engine/lanes.js"
import type { Operation } from "../src/Operation.js"
import type { OperationRef } from "../src/OperationRef.js"
import type { OperationSource } from "../src/OperationSource.js"
import { OperationSources } from "../src/OperationSources.js"
import { hasReason, isOpstatusError } from "../src/OpstatusError.js"
import { createOperationStatus } from "../src/promise.js"
import * as Waiter from "../src/Waiter.js"
import { type Call, op, refN, runOnClock, sourceError, tagOf, timeline, worldSource } from "./helpers.js"

const second = 1_000
/** Constant delays make polling times exact. */
const every = (ms: number) => ({ minDelay: ms, maxDelay: ms, timeout: "5 minutes" }) as const

const gets = (calls: ReadonlyArray<Call>, id?: string) =>
  calls.filter((c) => c.kind === "get" && (id === undefined || c.id === id))
const lists = (calls: ReadonlyArray<Call>) => calls.filter((c) => c.kind === "list")

/** Runs `body` on TestClock with the sources; the body drives the clock itself. */
const onClock = <A, E>(
  sources: ReadonlyArray<OperationSource<any>>,
  body: (engine: Engine["Service"]) => Effect.Effect<A, E, Engine | OperationSources>
) =>
  Effect.runPromise(
    Effect.gen(function* () {
      return yield* body(yield* Engine)
    }).pipe(
      Random.withSeed(7),
      Effect.provide(Layer.merge(TestClock.layer(), OperationSources.layer(sources)))
    )
  )

const advance = (total: number, step = 100) =>
  Effect.gen(function* () {
    for (let t = 0; t < total; t += step) yield* TestClock.adjust(step)
  })

describe("deduplication", () => {
  it("two waits on one operation cost one poll per round", async () => {
    const ends = timeline(() => 30 * second)
    const alone = worldSource("servicediscovery", ends)
    await runOnClock(Waiter.waitForAll([refN(1)], every(second)), [alone.source], 60 * second)
    const shared = worldSource("servicediscovery", ends)
    const r = await runOnClock(
      Effect.all([Waiter.waitForAll([refN(1)], every(second)), Waiter.waitForAll([refN(1)], every(second))], {
        concurrency: 2
      }),
      [shared.source],
      60 * second
    )
    if (r._tag !== "Success") throw new Error("waitForAll never fails")
    expect(r.success.flat().map((o) => o.ok)).toEqual([true, true])
    expect(alone.calls).toHaveLength(31)
    expect(shared.calls).toHaveLength(alone.calls.length)
    // One poll per round: no two polls at the same instant.
    expect(new Set(shared.calls.map((c) => c.at)).size).toBe(shared.calls.length)
  })
})

describe("inputs", () => {
  it("settles an empty fleet at once, bad inputs with their own error, and a terminal snapshot with no poll", async () => {
    const { source, calls } = worldSource(
      "servicediscovery",
      timeline(() => 3 * second)
    )
    const r = await runOnClock(
      Effect.all([
        Waiter.waitForAll([], every(second)),
        Waiter.waitForAll(
          [
            "servicediscovery:us-east-1:",
            "lightsail:us-east-1:0c5b2ee3-4a1d-4c5e-9a8c-1d2e3f4a5b6c",
            op("succeeded", {}, refN(9)),
            refN(1),
            refN(1)
          ],
          every(second)
        ),
        Waiter.waitForAll([refN(2)], { ...every(second), maxDelay: 10 })
      ]),
      [source],
      30 * second
    )
    if (r._tag !== "Success") throw new Error("waitForAll fails only when its inputs cannot be iterated")
    const [empty, mixed, badOptions] = r.success
    expect(empty).toEqual([])
    expect(mixed.map((o) => (o.ok ? o.operation.status : o.error.reason._tag))).toEqual([
      "InvalidRef",
      "InvalidRef",
      "succeeded",
      "succeeded",
      "succeeded"
    ])
    expect(badOptions.map((o) => !o.ok && o.error.reason._tag)).toEqual(["InvalidOptions"])
    expect(gets(calls, "op-9")).toHaveLength(0)
    // The same operation twice in one wait is one entry: one read a round.
    expect(new Set(gets(calls, "op-1").map((c) => c.at)).size).toBe(gets(calls, "op-1").length)
    expect(gets(calls, "op-2")).toHaveLength(0)
  })
})

describe("per-waiter deadlines, grace and aborts", () => {
  it("one wait times out with the last snapshot; the others finish; the empty lane stops", async () => {
    const { source, calls } = worldSource(
      "servicediscovery",
      timeline(() => 20 * second)
    )
    const result = await onClock([source], (service) =>
      Effect.gen(function* () {
        const short = yield* Effect.forkChild(
          Waiter.waitForAll([refN(1)], { ...every(second), timeout: "5 seconds" })
        )
        const long = yield* Effect.forkChild(Waiter.waitForAll([refN(1), refN(2)], every(second)))
        yield* advance(30 * second)
        const [timedOut, finished] = [yield* Fiber.join(short), yield* Fiber.join(long)]
        const lane = engineStateOf(service).lanes.get("servicediscovery:us-east-1")
        const before = calls.length
        yield* advance(60 * second)
        return { timedOut, finished, running: lane?.running, after: calls.length - before }
      })
    )
    const [outcome] = result.timedOut
    if (outcome === undefined || outcome.ok || !hasReason(outcome.error, "WaitTimeout"))
      throw new Error("expected a timeout")
    expect(outcome.error.reason.timeoutMillis).toBe(5 * second)
    expect(outcome.error.reason.lastSeen?.status).toBe("running")
    expect(result.finished.map((o) => o.ok && o.operation.status)).toEqual(["succeeded", "succeeded"])
    expect(result.running).toBe(false)
    expect(result.after).toBe(0)
    expect(gets(calls, "op-1").length).toBe(21)
  })

  it("the last snapshot a timed-out wait reports is the answer's content, with raw as the service gave it", async () => {
    class Reply {
      constructor(readonly id: string) {}
    }
    const nested = { Targets: { NAMESPACE: "ns-1" } }
    const raws: Record<string, unknown> = {
      "op-1": { Status: "PENDING", nested },
      "op-2": ["PENDING", nested],
      "op-3": new Reply("op-3"),
      "op-4": "PENDING"
    }
    const { source } = worldSource("servicediscovery", (r) =>
      op("running", { raw: raws[r.id], resource: { type: "NAMESPACE", id: `ns-${r.id}` } }, r)
    )
    const outcomes = await onClock([source], () =>
      Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(
          Waiter.waitForAll([refN(1), refN(2), refN(3), refN(4)], { ...every(second), timeout: "5 seconds" })
        )
        yield* advance(10 * second)
        return yield* Fiber.join(fiber)
      })
    )
    const lastSeen = outcomes.map((o) =>
      o.ok || !hasReason(o.error, "WaitTimeout") ? undefined : o.error.reason.lastSeen
    )
    expect(lastSeen.map((l) => l?.resource)).toEqual(
      [1, 2, 3, 4].map((n) => ({ type: "NAMESPACE", id: `ns-op-${n}` }))
    )
    // The engine keeps its own copy of a plain raw object's top level; what lies under it, and any
    // other raw (an array, a class instance, a string), is the service's own value.
    expect(lastSeen[0]?.raw).toEqual(raws["op-1"])
    expect((lastSeen[0]?.raw as { nested?: unknown } | undefined)?.nested).toBe(nested)
    expect(lastSeen[1]?.raw).toBe(raws["op-2"])
    expect(lastSeen[2]?.raw).toBe(raws["op-3"])
    expect(lastSeen[2]?.raw).toBeInstanceOf(Reply)
    expect(lastSeen[3]?.raw).toBe("PENDING")
  })

  it("an aborted wait stops its own polls; a wait on another operation goes on", async () => {
    const { source, calls } = worldSource(
      "servicediscovery",
      timeline(() => 20 * second)
    )
    const result = await onClock([source], () =>
      Effect.gen(function* () {
        const aborted = yield* Effect.forkChild(Waiter.waitForAll([refN(1)], every(second)))
        const kept = yield* Effect.forkChild(Waiter.waitForAll([refN(2)], every(second)))
        yield* advance(5 * second)
        yield* Fiber.interrupt(aborted)
        const pollsAtAbort = gets(calls, "op-1").length
        yield* advance(25 * second)
        return { kept: yield* Fiber.join(kept), pollsAtAbort }
      })
    )
    expect(result.kept.map((o) => o.ok)).toEqual([true])
    expect(result.pollsAtAbort).toBeGreaterThan(3)
    expect(gets(calls, "op-1")).toHaveLength(result.pollsAtAbort)
    expect(gets(calls, "op-2").length).toBe(21)
  })

  it("a request that never answers holds the lane only until no one waits on it", async () => {
    const world = (r: OperationRef, now: number) =>
      r.id === "op-1" ? ("hang" as const) : timeline(() => 2 * second)(r, now)
    const { source, calls } = worldSource("servicediscovery", world)
    const r = await runOnClock(
      Effect.all(
        [
          Waiter.waitForAll([refN(1)], { ...every(second), timeout: "5 seconds" }),
          Waiter.waitForAll([refN(2)], { ...every(second), timeout: "1 minute" })
        ],
        { concurrency: 2 }
      ),
      [source],
      30 * second
    )
    if (r._tag !== "Success") throw new Error("waitForAll never fails")
    const [[hung], [fine]] = r.success
    expect(hung?.ok === false && hung.error.reason._tag).toBe("WaitTimeout")
    expect(fine?.ok === true && fine.operation.status).toBe("succeeded")
    // op-2 was read again once the hung request was cut off at op-1's deadline.
    expect(gets(calls, "op-2").at(-1)!.at).toBeGreaterThanOrEqual(5 * second)
    expect(gets(calls, "op-2").at(-1)!.at).toBeLessThan(7 * second)
  })

  it("each waiter has its own not-found grace", async () => {
    const nf = sourceError("not-found", "OperationNotFound", "no such operation", 404)
    const world = (r: OperationRef, now: number) =>
      now < 20 * second ? nf : timeline(() => 25 * second)(r, now)
    const { source } = worldSource("servicediscovery", world)
    const r = await runOnClock(
      Effect.all(
        [
          Waiter.waitForAll([refN(1)], { ...every(second), notFoundGrace: "5 seconds" }),
          Waiter.waitForAll([refN(1)], { ...every(second), notFoundGrace: "1 minute" })
        ],
        { concurrency: 2 }
      ),
      [source],
      60 * second
    )
    if (r._tag !== "Success") throw new Error("waitForAll never fails")
    const [[impatient], [patient]] = r.success
    expect(impatient?.ok === false && impatient.error.reason._tag).toBe("OperationNotFound")
    expect(patient?.ok === true && patient.operation.status).toBe("succeeded")
  })

  it("classifies like the single waiter: denied at once, malformed after three, throttling absorbed", async () => {
    const world = (r: OperationRef, now: number) => {
      if (r.id === "op-2") return sourceError("denied", "AccessDeniedException", "no", 403)
      if (r.id === "op-3") return sourceError("malformed", "MalformedResponse", "no Operation")
      if (now < 10 * second) return sourceError("throttled", "RequestLimitExceeded", "slow down", 429)
      return timeline(() => 15 * second)(r, now)
    }
    const { source, calls } = worldSource("servicediscovery", world)
    const r = await runOnClock(
      Waiter.waitForAll([refN(1), refN(2), refN(3)], { minDelay: 500, maxDelay: 2_000 }),
      [source],
      60 * second
    )
    if (r._tag !== "Success") throw new Error("waitForAll never fails")
    const [ok, denied, malformed] = r.success
    expect(ok?.ok === true && ok.operation.status).toBe("succeeded")
    expect(denied?.ok === false && denied.error.reason._tag).toBe("AccessDenied")
    expect(malformed?.ok === false && malformed.error.reason._tag).toBe("MalformedResponse")
    expect(gets(calls, "op-2")).toHaveLength(1)
    expect(gets(calls, "op-3")).toHaveLength(3)
  })

  it("rounds honour the smallest minDelay; each operation keeps its own delays", async () => {
    const { source, calls } = worldSource(
      "servicediscovery",
      timeline(() => 40 * second)
    )
    await runOnClock(
      Effect.all(
        [Waiter.waitForAll([refN(1)], every(second)), Waiter.waitForAll([refN(2)], every(5 * second))],
        { concurrency: 2 }
      ),
      [source],
      60 * second
    )
    const times = [...new Set(calls.map((c) => c.at))].sort((a, b) => a - b)
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(second)
    const slow = gets(calls, "op-2").map((c) => c.at)
    for (let i = 1; i < slow.length; i++) expect(slow[i]! - slow[i - 1]!).toBeGreaterThanOrEqual(5 * second)
    expect(gets(calls, "op-1").length).toBeGreaterThan(3 * slow.length)
  })
})

describe("batching", () => {
  it("reads the fleet with one list call a round when that is cheaper, and backs off while nothing changes", async () => {
    const { source, calls } = worldSource(
      "servicediscovery",
      timeline(() => 10 * 60 * second),
      {
        batch: { pages: 1 }
      }
    )
    const refs = Array.from({ length: 5 }, (_, i) => refN(i))
    await runOnClock(
      Waiter.waitForAll(refs, { minDelay: second, maxDelay: 16 * second }),
      [source],
      5 * 60 * second
    )
    expect(gets(calls)).toHaveLength(0)
    const at = lists(calls).map((c) => c.at)
    const gaps = at.slice(1).map((t, i) => t - at[i]!)
    expect(gaps.length).toBeGreaterThan(10)
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(second)
      expect(gap).toBeLessThanOrEqual(16 * second + 200)
    }
    expect(Math.max(...gaps)).toBeGreaterThan(4 * second)
  })

  it("the planner picks list or get by cost, learning a read's pages from its last read", async () => {
    const ends = timeline(() => 30 * second)
    const many = worldSource("servicediscovery", ends, { batch: { pages: 4 } })
    await runOnClock(
      Waiter.waitForAll(
        Array.from({ length: 10 }, (_, i) => refN(i)),
        every(second)
      ),
      [many.source],
      60 * second
    )
    // Four pages cover ten operations: cheaper than ten GetOperations, every round. The fleet's
    // first read comes one minDelay after it starts (nothing just started can have ended).
    expect(gets(many.calls)).toHaveLength(0)
    expect(lists(many.calls).length).toBe(4 * 30)
    expect(lists(many.calls)[0]?.at).toBe(second)

    const few = worldSource("servicediscovery", ends, { batch: { pages: 4 } })
    await runOnClock(Waiter.waitForAll([refN(1), refN(2), refN(3)], every(second)), [few.source], 60 * second)
    // The first read is cut short past three pages (three GetOperations cost less), then never tried again:
    // its first page was the first look, every later look a GetOperation.
    expect(lists(few.calls)).toHaveLength(4)
    expect(gets(few.calls, "op-1")).toHaveLength(29)
  })

  it("merges list summaries into the last full snapshot and reads with GetOperation only what left the list", async () => {
    const ends = (r: OperationRef) => (r.id === "op-1" || r.id === "op-2" ? 10 * second : 20 * second)
    const world = timeline(ends, (r) => (r.id === "op-2" ? "failed" : "succeeded"))
    const { source, calls } = worldSource("servicediscovery", world, { batch: { summaries: true } })
    const refs = [1, 2, 3, 4].map((n) => refN(n))
    const seen: Array<Operation> = []
    const snapshots = refs.map((r) => op("pending", { targets: { INSTANCE: `i-${r.id}` } }, r))
    const r = await runOnClock(
      Waiter.waitForAll(snapshots, { ...every(second), onProgress: (o) => seen.push(o) }),
      [source],
      60 * second
    )
    if (r._tag !== "Success") throw new Error("waitForAll never fails")
    expect(r.success.map((o) => o.ok && o.operation.status)).toEqual([
      "succeeded",
      "failed",
      "succeeded",
      "succeeded"
    ])
    const failed = r.success[1]
    expect(failed?.ok === true && failed.operation.error?.code).toBe("INTERNAL_FAILURE")
    expect(failed?.ok === true && failed.operation.targets).toEqual({ INSTANCE: "i-op-2" })
    // One GetOperation per operation, when it left the pending list.
    expect(
      gets(calls)
        .map((c) => c.id)
        .sort()
    ).toEqual(["op-1", "op-2", "op-3", "op-4"])
    // The merged snapshots never lost the type or targets of the first full one.
    expect(seen.every((o) => o.type === "CREATE_NAMESPACE" && o.targets !== undefined)).toBe(true)
    expect(seen.filter((o) => o.ref.id === "op-3").map((o) => o.status)).toEqual([
      "pending",
      "running",
      "succeeded"
    ])
  })

  it("a list read the credentials may not make falls back to GetOperation, and no wait fails", async () => {
    const { source, calls } = worldSource(
      "servicediscovery",
      timeline(() => 10 * second),
      {
        batch: { fail: () => sourceError("denied", "AccessDeniedException", "not ListOperations") }
      }
    )
    const r = await runOnClock(
      Waiter.waitForAll([refN(1), refN(2), refN(3)], every(second)),
      [source],
      60 * second
    )
    if (r._tag !== "Success") throw new Error("waitForAll never fails")
    expect(r.success.every((o) => o.ok)).toBe(true)
    expect(lists(calls)).toHaveLength(1)
    expect(gets(calls, "op-1").length).toBeGreaterThan(5)
  })
})

describe("FleetConfig", () => {
  it("reports every round that made a request, with the rate limit given", async () => {
    const { source } = worldSource(
      "servicediscovery",
      timeline(() => 5 * second),
      { batch: { pages: 1 } }
    )
    const reports: Array<RoundReport> = []
    const r = await runOnClock(
      Waiter.waitForAll([refN(1), refN(2), refN(3)], every(second)).pipe(
        Effect.provideService(FleetConfig, {
          rateLimit: { start: 3, max: 3 },
          onRound: (x) => reports.push(x)
        })
      ),
      [source],
      30 * second
    )
    expect(r._tag).toBe("Success")
    expect(reports.length).toBeGreaterThan(3)
    expect(reports[0]).toMatchObject({
      service: "servicediscovery",
      region: "us-east-1",
      sweep: true,
      pending: 3,
      gets: 0
    })
    expect(reports[0]?.reads).toEqual([{ key: "list", pages: 1, covers: 3, stopped: false }])
    expect(reports.every((x) => x.rate === 3)).toBe(true)
  })

  it("a service's own budget (info.rateLimit) is its lanes' rate when the options give none", async () => {
    const world = worldSource(
      "servicediscovery",
      timeline(() => 5 * second),
      { batch: { pages: 1 } }
    )
    const source = { ...world.source, info: { ...world.source.info, rateLimit: { start: 2, max: 2 } } }
    const reports: Array<RoundReport> = []
    const r = await runOnClock(
      Waiter.waitForAll([refN(1), refN(2)], every(second)).pipe(
        Effect.provideService(FleetConfig, { onRound: (x) => reports.push(x) })
      ),
      [source],
      30 * second
    )
    expect(r._tag).toBe("Success")
    expect(reports.length).toBeGreaterThan(0)
    expect(reports.every((x) => x.rate === 2)).toBe(true)

    // The options' rate limit wins over the service's own.
    const given: Array<RoundReport> = []
    await runOnClock(
      Waiter.waitForAll([refN(1), refN(2)], every(second)).pipe(
        Effect.provideService(FleetConfig, { rateLimit: { start: 4, max: 4 }, onRound: (x) => given.push(x) })
      ),
      [source],
      30 * second
    )
    expect(given.length).toBeGreaterThan(0)
    expect(given.every((x) => x.rate === 4)).toBe(true)
  })

  it("a source whose rateLimit makes no sense is refused (InvalidConfig)", async () => {
    const world = worldSource(
      "servicediscovery",
      timeline(() => 5 * second)
    )
    const source = { ...world.source, info: { ...world.source.info, rateLimit: { start: 9, max: 2 } } }
    let thrown: unknown
    try {
      createOperationStatus({ sources: [source] })
    } catch (error) {
      thrown = error
    }
    expect(isOpstatusError(thrown) && thrown.reason._tag).toBe("InvalidConfig")
    expect(isOpstatusError(thrown) && thrown.message).toContain("info.rateLimit")
  })
})

describe("watchAll", () => {
  it("emits each change once, a Failed event per wait ending in an error, then a summary", async () => {
    const world = (r: OperationRef, now: number) =>
      r.id === "op-3"
        ? sourceError("denied", "AccessDeniedException", "no")
        : timeline(
            () => 5 * second,
            (x) => (x.id === "op-2" ? "failed" : "succeeded")
          )(r, now)
    const { source } = worldSource("servicediscovery", world)
    const r = await runOnClock(
      Stream.runCollect(Fleet.watchAll([refN(1), refN(2), refN(3)], every(second))),
      [source],
      60 * second
    )
    if (r._tag !== "Success") throw new Error("watchAll never fails")
    const events = r.success
    const changes = events
      .filter((e) => e._tag === "Changed")
      .map((e) => `${e.operation.ref.id}:${e.operation.status}`)
    expect(changes.sort()).toEqual(["op-1:running", "op-1:succeeded", "op-2:failed", "op-2:running"])
    expect(
      events.filter((e) => e._tag === "Failed").map((e) => e._tag === "Failed" && e.error.reason._tag)
    ).toEqual(["AccessDenied"])
    const last = events.at(-1)
    if (last?._tag !== "Summary") throw new Error("expected the summary last")
    expect(last.summary.total).toBe(3)
    expect(last.summary.byStatus).toMatchObject({ succeeded: 1, failed: 1, error: 1 })
    expect(last.summary.byService.servicediscovery).toMatchObject({ succeeded: 1, failed: 1, error: 1 })
  })
})

describe("serialize and resume", () => {
  const dated = (r: OperationRef, now: number) => {
    const base = timeline(
      (x) => (x.id === "op-3" ? 60 * second : 5 * second),
      (x) => (x.id === "op-2" ? "failed" : "succeeded")
    )(r, now)
    return { ...base, createdAt: new Date(1_700_000_000_000), raw: { when: new Date(now) } }
  }

  const serializeAt = async (at: number) => {
    const { source } = worldSource("servicediscovery", dated)
    return onClock([source], () =>
      Effect.scoped(
        Effect.gen(function* () {
          const wait = yield* Fleet.beginWaitForAll([refN(1), refN(2), refN(3)], every(second))
          yield* advance(at)
          return yield* wait.serialize
        })
      )
    )
  }

  it("resumes in a fresh source set with no call for what already ended", async () => {
    const json = await serializeAt(10 * second)
    const state = JSON.parse(json)
    expect(state.version).toBe(2)
    expect(state.entries.map((e: { lastSeen?: { status: string } }) => e.lastSeen?.status)).toEqual([
      "succeeded",
      "failed",
      "running"
    ])
    expect(state.entries[0].lastSeen.createdAt).toBe("2023-11-14T22:13:20.000Z")
    expect(state.entries[2].deadline).toBe(5 * 60 * second)
    const fresh = worldSource("servicediscovery", dated)
    const outcomes = await onClock([fresh.source], () =>
      Effect.scoped(
        Effect.gen(function* () {
          yield* TestClock.setTime(10 * second)
          const wait = yield* Fleet.resumeWaitForAll(json)
          const fiber = yield* Effect.forkChild(wait.await)
          yield* advance(60 * second)
          return yield* Fiber.join(fiber)
        })
      )
    )
    expect(outcomes.map((o) => o.ok && o.operation.status)).toEqual(["succeeded", "failed", "succeeded"])
    expect(outcomes[0]?.ok === true && outcomes[0].operation.createdAt).toEqual(new Date(1_700_000_000_000))
    expect(gets(fresh.calls, "op-1")).toHaveLength(0)
    expect(gets(fresh.calls, "op-2")).toHaveLength(0)
    expect(gets(fresh.calls, "op-3").length).toBeGreaterThan(0)
  })

  it("a resumed wait whose deadline passed times out without a call", async () => {
    const json = await serializeAt(10 * second)
    const fresh = worldSource("servicediscovery", dated)
    const outcomes = await onClock([fresh.source], () =>
      Effect.scoped(
        Effect.gen(function* () {
          yield* TestClock.setTime(10 * 60 * second)
          const wait = yield* Fleet.resumeWaitForAll(json)
          return yield* wait.await
        })
      )
    )
    const last = outcomes[2]
    expect(last?.ok === false && last.error.reason._tag).toBe("WaitTimeout")
    expect(fresh.calls).toHaveLength(0)
  })

  it.each([
    ["not JSON", "{nope", "not JSON"],
    [
      "a ref that is not one",
      '{"version":2,"requireSuccess":false,"entries":[{"input":"x","ref":{"service":7,"region":"us-east-1","id":"i"}}]}',
      '["entries"][0]["ref"]["service"]'
    ],
    ["a state of 0.1", '{"version":1,"requireSuccess":false,"entries":[]}', "opstatus 0.1"],
    ["a wrong version", '{"version":3,"requireSuccess":false,"entries":[]}', '["version"]'],
    [
      "a pending wait without its deadline",
      '{"version":2,"requireSuccess":false,"entries":[{"input":"x","ref":{"service":"servicediscovery","region":"us-east-1","id":"op-1"},"startedAt":0,"policy":{"timeoutMillis":1,"minDelayMillis":1,"maxDelayMillis":1,"notFoundGraceMillis":0}}]}',
      "deadline"
    ],
    [
      "an error that is not one",
      '{"version":2,"requireSuccess":false,"entries":[{"input":"x","error":{"_tag":"WaitAbortedError","message":"m"}}]}',
      '["entries"][0]["error"]'
    ]
  ])("bad input fails with InvalidFleetState naming the problem: %s", async (_name, json, names) => {
    const { source, calls } = worldSource("servicediscovery", dated)
    const error = await onClock([source], () => Effect.scoped(Fleet.resumeWaitForAll(json)).pipe(Effect.flip))
    expect(isOpstatusError(error) && error.reason._tag).toBe("InvalidFleetState")
    expect(error.message).toContain(names)
    expect(calls).toHaveLength(0)
  })

  it("a ref of a service the new process has no source for settles as InvalidRef, with no call", async () => {
    const json = await serializeAt(2 * second)
    const other = worldSource("lightsail", dated)
    const outcomes = await onClock([other.source], () =>
      Effect.scoped(
        Effect.gen(function* () {
          yield* TestClock.setTime(2 * second)
          const wait = yield* Fleet.resumeWaitForAll(json)
          return yield* wait.await
        })
      )
    )
    expect(outcomes.map((o) => !o.ok && tagOf(o.error))).toEqual(["InvalidRef", "InvalidRef", "InvalidRef"])
    expect(other.calls).toHaveLength(0)
  })
})

describe("endings learned from status summaries", () => {
  const ends = (r: OperationRef) => (r.id === "op-2" ? 4 * second : 6 * second)
  const world = timeline(ends, (r) => (r.id === "op-2" ? "failed" : "succeeded"))
  const refs = [1, 2, 3, 4].map((n) => refN(n))

  it("a success in a summary settles the wait; a failure is read once by ID for its code and message", async () => {
    const { source, calls } = worldSource("servicediscovery", world, { batch: { summaries: "all" } })
    const r = await runOnClock(Waiter.waitForAll(refs, every(second)), [source], 30 * second)
    if (r._tag !== "Success") throw new Error("waitForAll fails only on inputs it cannot iterate")
    expect(r.success.map((o) => o.ok && o.operation.status)).toEqual([
      "succeeded",
      "failed",
      "succeeded",
      "succeeded"
    ])
    const failed = r.success[1]
    expect(failed?.ok === true && failed.operation.error).toEqual({
      code: "INTERNAL_FAILURE",
      message: "it broke"
    })
    expect(gets(calls).map((c) => c.id)).toEqual(["op-2"])
    // A success settled from a summary carries what the summary says, and no more.
    const settled = r.success[0]
    expect(settled?.ok === true && settled.operation.rawStatus).toBe("SUCCEEDED")
    expect(settled?.ok === true && settled.operation.targets).toBeUndefined()
  })

  it("with fullOperation, every ending is read in full: one read by ID per operation", async () => {
    const { source, calls } = worldSource("servicediscovery", world, { batch: { summaries: "all" } })
    const r = await runOnClock(
      Waiter.waitForAll(refs, { ...every(second), fullOperation: true }),
      [source],
      30 * second
    )
    if (r._tag !== "Success") throw new Error("waitForAll fails only on inputs it cannot iterate")
    expect(r.success.every((o) => o.ok && o.operation.targets !== undefined)).toBe(true)
    expect(
      gets(calls)
        .map((c) => c.id)
        .sort()
    ).toEqual(["op-1", "op-2", "op-3", "op-4"])
  })
})

describe("a wait that joins a busy lane", () => {
  it("reads its operation at once, not at the lane's next round", async () => {
    const { source, calls } = worldSource(
      "servicediscovery",
      timeline(() => 60 * second)
    )
    await onClock([source], () =>
      Effect.gen(function* () {
        const early = yield* Effect.forkChild(Waiter.waitForAll([refN(1)], every(5 * second)))
        yield* advance(1_000)
        const late = yield* Effect.forkChild(Waiter.waitForAll([refN(2)], every(5 * second)))
        yield* advance(1_000)
        yield* Fiber.interrupt(early)
        yield* Fiber.interrupt(late)
      })
    )
    expect(gets(calls, "op-1").map((c) => c.at)).toEqual([0])
    expect(gets(calls, "op-2").map((c) => c.at)).toEqual([1_000])
  })
})
