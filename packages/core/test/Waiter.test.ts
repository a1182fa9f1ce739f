import { Effect, Fiber, Layer, Logger, Stream } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect, it } from "vitest"
import type { Engine } from "../src/Engine.js"
import * as Fleet from "../src/Fleet.js"
import { OperationSources } from "../src/OperationSources.js"
import { hasReason, OpstatusError, requestError } from "../src/OpstatusError.js"
import * as Waiter from "../src/Waiter.js"
import { op, ref, runWithClock, scriptedSource, sourceError, tagOf } from "./helpers.js"

const minute = 60_000
const fast = { minDelay: 1_000, maxDelay: 10_000 }

describe("waitForTerminal", () => {
  it("polls until the operation is terminal and returns it", async () => {
    const { source, calls } = scriptedSource("servicediscovery", [
      op("pending"),
      op("running"),
      op("succeeded")
    ])
    const r = await runWithClock(Waiter.waitForTerminal(ref(), fast), [source], 5 * minute)
    expect(r._tag).toBe("Success")
    expect(r._tag === "Success" && r.success.status).toBe("succeeded")
    expect(calls).toHaveLength(3)
    expect(calls[0]).toBe(0)
  })

  it("returns a failed operation as a value: terminal, not an error", async () => {
    const failed = op("failed", { error: { code: "CANNOT_CREATE_HOSTED_ZONE", message: "zone limit" } })
    const { source } = scriptedSource("servicediscovery", [failed])
    const r = await runWithClock(Waiter.waitForTerminal(ref(), fast), [source], minute)
    expect(r._tag === "Success" && r.success.error?.code).toBe("CANNOT_CREATE_HOSTED_ZONE")
  })

  it("resolves an already terminal snapshot without a poll", async () => {
    const { source, calls } = scriptedSource("servicediscovery", [op("running")])
    const r = await runWithClock(Waiter.waitForTerminal(op("succeeded"), fast), [source], minute)
    expect(r._tag === "Success" && r.success.status).toBe("succeeded")
    expect(calls).toHaveLength(0)
  })

  it("spaces polls by the backoff and never beyond maxDelay", async () => {
    const { source, calls } = scriptedSource("servicediscovery", [op("running")])
    await runWithClock(
      Waiter.waitForTerminal(ref(), { ...fast, timeout: "10 minutes" }),
      [source],
      11 * minute
    )
    // The last gap is shortened to land the final poll just before the deadline.
    const gaps = calls.slice(1, -1).map((t, i) => t - calls[i]!)
    expect(gaps.length).toBeGreaterThan(10)
    for (const [n, gap] of gaps.entries()) {
      expect(gap).toBeGreaterThanOrEqual(1_000)
      expect(gap).toBeLessThanOrEqual(Math.min(1_000 * 2 ** n, 10_000))
    }
  })

  it("times out with the last operation seen, the last poll just before the deadline", async () => {
    const { source, calls } = scriptedSource("servicediscovery", [op("running")])
    const r = await runWithClock(
      Waiter.waitForTerminal(ref(), { ...fast, timeout: "2 minutes" }),
      [source],
      5 * minute
    )
    expect(r._tag).toBe("Failure")
    if (r._tag !== "Failure") return
    if (!hasReason(r.failure, "WaitTimeout")) throw new Error("expected a timeout")
    expect(r.failure.reason.lastSeen?.status).toBe("running")
    expect(r.failure.reason.timeoutMillis).toBe(2 * minute)
    expect(r.failure.reason.waitedMillis).toBe(2 * minute)
    expect(r.failure.message).toContain("Timed out after 2m")
    const lastPoll = calls.at(-1)!
    expect(lastPoll).toBeLessThan(2 * minute)
    expect(lastPoll).toBeGreaterThanOrEqual(2 * minute - 10_000)
  })

  it("bounds a request that never answers by the deadline", async () => {
    const { source } = scriptedSource("servicediscovery", ["hang"])
    const r = await runWithClock(
      Waiter.waitForTerminal(ref(), { ...fast, timeout: "30 seconds" }),
      [source],
      minute
    )
    expect(r._tag === "Failure" && tagOf(r.failure)).toBe("WaitTimeout")
  })

  it("keeps waiting through not-found inside the grace window", async () => {
    const nf = sourceError("not-found", "OperationNotFound", "no such operation", 404)
    const { source, calls } = scriptedSource("servicediscovery", [nf, nf, nf, op("running"), op("succeeded")])
    const r = await runWithClock(Waiter.waitForTerminal(ref(), fast), [source], 5 * minute)
    expect(r._tag === "Success" && r.success.status).toBe("succeeded")
    expect(calls).toHaveLength(5)
  })

  it("fails with OperationNotFoundError once the grace window has passed", async () => {
    const nf = sourceError("not-found", "OperationNotFound", "no such operation", 404)
    const { source, calls } = scriptedSource("servicediscovery", [nf])
    const r = await runWithClock(Waiter.waitForTerminal(ref(), fast), [source], 5 * minute)
    expect(r._tag).toBe("Failure")
    if (r._tag !== "Failure" || !hasReason(r.failure, "OperationNotFound"))
      throw new Error("expected not found")
    expect(r.failure.code).toBe("OperationNotFound")
    expect(r.failure.ref).toEqual(ref())
    expect(r.failure.serviceMessage).toBe("no such operation")
    expect(r.failure.requestId).toBe("req-1")
    expect(calls.at(-1)!).toBeGreaterThanOrEqual(30_000)
    expect(calls.at(-1)!).toBeLessThan(45_000)
  })

  it("absorbs throttling and transient errors while the deadline allows", async () => {
    const throttled = sourceError("throttled", "RequestLimitExceeded", "slow down", 429)
    const transient = sourceError("transient", "InternalFailure", "oops", 500)
    const { source, calls } = scriptedSource("servicediscovery", [
      throttled,
      throttled,
      transient,
      throttled,
      op("running"),
      op("succeeded")
    ])
    const r = await runWithClock(Waiter.waitForTerminal(ref(), fast), [source], 5 * minute)
    expect(r._tag === "Success" && r.success.status).toBe("succeeded")
    expect(calls).toHaveLength(6)
    // A throttled poll waits at least twice the minimum delay.
    expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(2_000)
  })

  it("reports the last poll error when throttling outlasts the deadline", async () => {
    const { source } = scriptedSource("servicediscovery", [
      sourceError("throttled", "RequestLimitExceeded", "slow down")
    ])
    const r = await runWithClock(
      Waiter.waitForTerminal(ref(), { ...fast, timeout: "1 minute" }),
      [source],
      2 * minute
    )
    if (r._tag !== "Failure" || !hasReason(r.failure, "WaitTimeout")) throw new Error("expected a timeout")
    expect(r.failure.reason.lastError?._tag).toBe("Throttled")
    expect(r.failure.reason.lastError?.code).toBe("RequestLimitExceeded")
    expect(r.failure.reason.lastError?.serviceMessage).toBe("slow down")
  })

  it.each([
    ["denied", "AccessDeniedException", "AccessDenied"],
    ["unauthenticated", "UnrecognizedClientException", "Unauthenticated"],
    ["invalid", "InvalidInput", "InvalidRequest"],
    ["unknown", "Weird", "UnknownServiceError"]
  ] as const)("fails at once on %s with the service's code", async (reason, code, tag) => {
    const { source, calls } = scriptedSource("servicediscovery", [sourceError(reason, code, "no", 400)])
    const r = await runWithClock(Waiter.waitForTerminal(ref(), fast), [source], 5 * minute)
    expect(calls).toHaveLength(1)
    if (r._tag !== "Failure") throw new Error("expected a failure")
    expect(tagOf(r.failure)).toBe(tag)
    expect((r.failure as OpstatusError).code).toBe(code)
    expect((r.failure as OpstatusError).requestId).toBe("req-1")
    expect((r.failure as OpstatusError).ref).toEqual(ref())
  })

  it("retries a malformed response a few times, then fails with MalformedResponse", async () => {
    const { source, calls } = scriptedSource("servicediscovery", [
      sourceError("malformed", "MalformedResponse", "no Operation")
    ])
    const r = await runWithClock(Waiter.waitForTerminal(ref(), fast), [source], 5 * minute)
    expect(calls).toHaveLength(3)
    expect(r._tag === "Failure" && tagOf(r.failure)).toBe("MalformedResponse")
  })

  it("never counts an unknown status as success and warns once", async () => {
    const weird = op("unknown", { rawStatus: "ROLLING_BACK" })
    const { source, calls } = scriptedSource("servicediscovery", [weird])
    const logs: string[] = []
    const logger = Logger.make(({ message }) => logs.push(String(message)))
    const r = await runWithClock(
      Waiter.waitForTerminal(ref(), { ...fast, timeout: "1 minute" }).pipe(
        Effect.provide(Logger.layer([logger]))
      ),
      [source],
      2 * minute
    )
    expect(r._tag === "Failure" && tagOf(r.failure)).toBe("WaitTimeout")
    expect(calls.length).toBeGreaterThan(3)
    expect(logs.filter((l) => l.includes("ROLLING_BACK"))).toHaveLength(1)
  })

  it("rejects a bad ref before any request", async () => {
    const { source, calls } = scriptedSource("servicediscovery", [op("succeeded")])
    const r = await runWithClock(
      Waiter.waitForTerminal("servicediscovery:us-east-1:", fast),
      [source],
      minute
    )
    expect(r._tag === "Failure" && tagOf(r.failure)).toBe("InvalidRef")
    expect(calls).toHaveLength(0)
  })

  it("rejects a ref for a region no client serves, and a service with no source", async () => {
    const { source, calls } = scriptedSource("servicediscovery", [op("succeeded")], {
      regions: ["eu-west-1"]
    })
    const r = await runWithClock(Waiter.waitForTerminal(ref(), fast), [source], minute)
    expect(r._tag === "Failure" && r.failure.message).toContain("us-east-1")
    const r2 = await runWithClock(
      Waiter.waitForTerminal("lightsail:us-east-1:0c5b2ee3-4a1d-4c5e-9a8c-1d2e3f4a5b6c"),
      [source],
      minute
    )
    expect(r2._tag === "Failure" && r2.failure.message).toContain('no source is registered for "lightsail"')
    expect(calls).toHaveLength(0)
  })

  it("calls onProgress only when the operation changed", async () => {
    const seen: string[] = []
    const { source } = scriptedSource("servicediscovery", [
      op("pending"),
      op("pending"),
      op("running"),
      op("running"),
      op("succeeded")
    ])
    await runWithClock(
      Waiter.waitForTerminal(ref(), { ...fast, onProgress: (o) => seen.push(o.status) }),
      [source],
      5 * minute
    )
    expect(seen).toEqual(["pending", "running", "succeeded"])
  })
})

describe("waitForSuccess", () => {
  it("fails with OperationFailed carrying the operation, code, message and request ID", async () => {
    const failed = op("failed", {
      error: { code: "INTERNAL_FAILURE", message: "hosted zone broke" },
      requestId: "req-9"
    })
    const { source } = scriptedSource("servicediscovery", [op("running"), failed])
    const r = await runWithClock(Waiter.waitForSuccess(ref(), fast), [source], 5 * minute)
    if (r._tag !== "Failure") throw new Error("expected a failure")
    expect(r.failure).toBeInstanceOf(OpstatusError)
    if (!hasReason(r.failure, "OperationFailed")) throw new Error("expected OperationFailed")
    expect(r.failure.code).toBe("INTERNAL_FAILURE")
    expect(r.failure.serviceMessage).toBe("hosted zone broke")
    expect(r.failure.requestId).toBe("req-9")
    expect(r.failure.service).toBe("servicediscovery")
    expect(r.failure.ref).toEqual(ref())
    expect(r.failure.message).toContain("hosted zone broke")
    expect(r.failure.reason.operation.status).toBe("failed")
  })

  it("returns a succeeded operation", async () => {
    const { source } = scriptedSource("servicediscovery", [op("succeeded")])
    const r = await runWithClock(Waiter.waitForSuccess(ref(), fast), [source], minute)
    expect(r._tag === "Success" && r.success.status).toBe("succeeded")
  })
})

describe("waitForAll", () => {
  it("returns one outcome per input, in input order; one failure does not stop the others", async () => {
    const a = ref("servicediscovery", "aaaa-1")
    const b = ref("servicediscovery", "bbbb-2")
    const c = ref("servicediscovery", "cccc-3")
    const { source } = scriptedSource("servicediscovery", [
      (r) =>
        r.id === "bbbb-2"
          ? sourceError("denied", "AccessDeniedException", "no")
          : op(r.id === "aaaa-1" ? "succeeded" : "failed", {}, r)
    ])
    const r = await runWithClock(
      Waiter.waitForAll([a, b, c], { ...fast, requireSuccess: true }),
      [source],
      minute
    )
    if (r._tag !== "Success") throw new Error("waitForAll never fails")
    expect(r.success.map((o) => o.input)).toEqual([a, b, c])
    expect(r.success.map((o) => (o.ok ? o.operation.status : o.error.reason._tag))).toEqual([
      "succeeded",
      "AccessDenied",
      "OperationFailed"
    ])
  })
})

describe("watch", () => {
  it("emits each change once and ends with the terminal snapshot", async () => {
    const { source } = scriptedSource("servicediscovery", [
      op("pending"),
      op("running"),
      op("running"),
      op("succeeded")
    ])
    const r = await runWithClock(Stream.runCollect(Waiter.watch(ref(), fast)), [source], 5 * minute)
    if (r._tag !== "Success") throw new Error("expected the stream to end")
    expect(r.success.map((o) => o.status)).toEqual(["pending", "running", "succeeded"])
  })

  it("fails the stream with the wait's error", async () => {
    const { source } = scriptedSource("servicediscovery", [
      op("running"),
      sourceError("denied", "AccessDeniedException", "no")
    ])
    const r = await runWithClock(Stream.runCollect(Waiter.watch(ref(), fast)), [source], 5 * minute)
    expect(r._tag === "Failure" && tagOf(r.failure)).toBe("AccessDenied")
  })
})

describe("get", () => {
  it("reads once, retrying transient errors a few times", async () => {
    const { source, calls } = scriptedSource("servicediscovery", [
      sourceError("transient", "InternalFailure", "x", 500),
      op("running")
    ])
    const r = await runWithClock(Waiter.get(ref()), [source], minute)
    expect(r._tag === "Success" && r.success.status).toBe("running")
    expect(calls).toHaveLength(2)
  })

  it("fails at once with OperationNotFoundError", async () => {
    const { source, calls } = scriptedSource("servicediscovery", [
      sourceError("not-found", "OperationNotFound", "gone", 404)
    ])
    const r = await runWithClock(Waiter.get(ref()), [source], minute)
    expect(r._tag === "Failure" && tagOf(r.failure)).toBe("OperationNotFound")
    expect(calls).toHaveLength(1)
  })
})

describe("public errors", () => {
  it("missing credentials read as an authentication problem, not as an IAM denial", async () => {
    const { source } = scriptedSource("servicediscovery", [
      sourceError(
        "unauthenticated",
        "CredentialsProviderError",
        "Could not load credentials from any providers"
      )
    ])
    const r = await runWithClock(Waiter.waitForTerminal(ref(), fast), [source], minute)
    if (r._tag !== "Failure" || !hasReason(r.failure, "Unauthenticated"))
      throw new Error("expected Unauthenticated")
    expect(r.failure.message).toContain("could not authenticate the request")
    expect(r.failure.code).toBe("CredentialsProviderError")
  })
})

describe("interruption on TestClock", () => {
  it("an interrupted wait makes no further request", async () => {
    const { source, calls } = scriptedSource("servicediscovery", [op("running")])
    const counts = await Effect.runPromise(
      Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(Waiter.waitForTerminal(ref(), fast))
        yield* TestClock.adjust(30_000)
        const before = calls.length
        yield* Fiber.interrupt(fiber)
        yield* TestClock.adjust(10 * minute)
        return { before, after: calls.length }
      }).pipe(Effect.provide(Layer.merge(TestClock.layer(), OperationSources.layer([source]))))
    )
    expect(counts.before).toBeGreaterThan(3)
    expect(counts.after).toBe(counts.before)
  })
})

describe("one engine: every entry point means the same", () => {
  type Run = (options: Waiter.WaitForOptions) => Effect.Effect<unknown, OpstatusError, Engine>
  const entryPoints: ReadonlyArray<[string, Run]> = [
    ["waitForTerminal", (o) => Waiter.waitForTerminal(ref(), o)],
    [
      "waitForAll",
      (o) =>
        Effect.flatMap(Waiter.waitForAll([ref()], o), ([x]) =>
          x!.ok ? Effect.succeed(x!.operation) : Effect.fail(x!.error)
        )
    ],
    ["watch", (o) => Stream.runDrain(Waiter.watch(ref(), o))]
  ]

  it.each(entryPoints)(
    "%s ends at its deadline, not before, and says how long it waited",
    async (_name, run) => {
      const { source } = scriptedSource("servicediscovery", [op("running")])
      const r = await Effect.runPromise(
        Effect.gen(function* () {
          const fiber = yield* Effect.forkChild(
            Effect.result(run({ timeout: "10 seconds", minDelay: "5 seconds" }))
          )
          yield* TestClock.adjust(9_999)
          const early = fiber.pollUnsafe()
          yield* TestClock.adjust(1)
          return { early, result: yield* Fiber.join(fiber) }
        }).pipe(Effect.provide(Layer.merge(TestClock.layer(), OperationSources.layer([source]))))
      )
      expect(r.early).toBeUndefined()
      if (r.result._tag !== "Failure" || !hasReason(r.result.failure, "WaitTimeout"))
        throw new Error("expected a timeout")
      expect(r.result.failure.reason.waitedMillis).toBe(10_000)
      expect(r.result.failure.message).toContain("Timed out after 10s")
    }
  )

  it.each(entryPoints)(
    "%s reads on the same fixed spacing when minDelay equals maxDelay",
    async (_name, run) => {
      const { source, calls } = scriptedSource("servicediscovery", [op("running")])
      await runWithClock(
        run({ timeout: "5 minutes", minDelay: "20 seconds", maxDelay: "20 seconds" }),
        [source],
        6 * minute
      )
      // At 0, 20, 40 ... 280 s: the last read lands minDelay before the deadline.
      expect(calls).toEqual(Array.from({ length: 15 }, (_, i) => i * 20_000))
    }
  )
})

describe("an endpoint that cannot be reached", () => {
  const unreachable = () =>
    requestError("EndpointUnreachable", {
      service: "servicediscovery",
      code: "ENOTFOUND",
      serviceMessage: "getaddrinfo ENOTFOUND servicediscovery.us-east-1.amazonaws.com",
      endpoint: "servicediscovery.us-east-1.amazonaws.com"
    })

  it("is said at once, and ends the wait after its unreachableGrace, not its timeout", async () => {
    const { source, calls } = scriptedSource("servicediscovery", [unreachable()])
    const logs: string[] = []
    const logger = Logger.make(({ message }) => logs.push(String(message)))
    const r = await runWithClock(
      Waiter.waitForAll([ref()], {
        timeout: "30 minutes",
        minDelay: "10 seconds",
        maxDelay: "2 minutes"
      }).pipe(Effect.provide(Logger.layer([logger]))),
      [source],
      minute
    )
    if (r._tag !== "Success") throw new Error("waitForAll fails only on inputs it cannot iterate")
    const [outcome] = r.success
    if (outcome?.ok !== false || !hasReason(outcome.error, "EndpointUnreachable"))
      throw new Error("expected unreachable")
    expect(outcome.error.message).toContain(
      "cannot be reached at servicediscovery.us-east-1.amazonaws.com in us-east-1"
    )
    expect(outcome.error.ref).toEqual(ref())
    // Read on the 10 s backoff, and last when the 15 s grace ends, not a backoff later (nor the
    // lane's 10 s spacing after the read before); then no more.
    expect(calls.at(-1)).toBe(15_000)
    expect(calls.slice(0, -1).every((at) => at < 15_000)).toBe(true)
    expect(calls.length).toBeLessThanOrEqual(3)
    expect(logs.filter((l) => l.includes("cannot be reached"))).toHaveLength(1)
  })

  it("ends when the shortest grace of the waits on it ends", async () => {
    const { source, calls } = scriptedSource("servicediscovery", [unreachable()])
    const r = await runWithClock(
      Effect.all(
        [
          Waiter.waitForAll([ref()], { ...fast, unreachableGrace: "40 seconds" }),
          Waiter.waitForAll([ref()], {
            timeout: "30 minutes",
            minDelay: "10 seconds",
            maxDelay: "2 minutes",
            unreachableGrace: "3 seconds"
          })
        ],
        { concurrency: "unbounded" }
      ),
      [source],
      2 * minute
    )
    if (r._tag !== "Success") throw new Error("waitForAll fails only on inputs it cannot iterate")
    const [[long], [short]] = r.success
    expect(long?.ok === false && hasReason(long.error, "EndpointUnreachable")).toBe(true)
    expect(short?.ok === false && hasReason(short.error, "EndpointUnreachable")).toBe(true)
    // One entry, read on the faster pace: once exactly when the short grace ends, last when the long one does.
    expect(calls).toContain(3_000)
    expect(calls.at(-1)).toBe(40_000)
  })

  it("tells each wait through an Unreachable event, and an answer starts the count again", async () => {
    const { source } = scriptedSource("servicediscovery", [
      unreachable(),
      unreachable(),
      op("running"),
      unreachable(),
      op("succeeded")
    ])
    const events: Array<string> = []
    const r = await runWithClock(
      Fleet.watchAll([ref()], { ...fast, unreachableGrace: "5 seconds" }).pipe(
        Stream.map((e) => e._tag),
        Stream.runCollect
      ),
      [source],
      minute
    )
    if (r._tag !== "Success") throw new Error("expected the stream to end")
    events.push(...r.success)
    expect(events).toEqual(["Unreachable", "Changed", "Unreachable", "Changed", "Summary"])
  })
})
