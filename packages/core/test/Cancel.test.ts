/**
 * cancel(ref), Operation.retryAfter and ServiceInfo.checkId: the parts of the
 * contract that the services which can stop their operations (CloudFormation,
 * ECS, Cloud Control) and IDs that name a region (ARNs) need. Time runs on
 * TestClock; the sources are plugins of our own contract.
 */
import { Clock, Effect, Stream } from "effect"
import { describe, expect, it } from "vitest"
import type { OperationRef } from "../src/OperationRef.js"
import type { OperationSource, ServiceInfo } from "../src/OperationSource.js"
import { isOpstatusError, type OpstatusError } from "../src/OpstatusError.js"
import { createOperationStatus } from "../src/promise.js"
import * as Waiter from "../src/Waiter.js"
import { infoOf, op, ref, runWithClock, scriptedSource, sourceError, tagOf } from "./helpers.js"

const minute = 60_000

/** A source that can cancel: a cancel turns the next reads into `cancelling`, then `cancelled`. */
const stoppable = (
  answers: { readonly cancel?: ReadonlyArray<OpstatusError | "ok"> } = {},
  info: ServiceInfo = infoOf("servicediscovery")
) => {
  const cancels: Array<{ readonly id: string; readonly at: number }> = []
  const reads: Array<number> = []
  let cancelledAt: number | undefined
  let attempt = 0
  const source: OperationSource<unknown> = {
    info,
    checkRegion: () => Effect.void,
    get: (r) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        reads.push(now)
        if (cancelledAt === undefined) return op("running", {}, r)
        return now < cancelledAt + 5_000
          ? op("running", { rawStatus: "STOPPING" }, r)
          : op("cancelled", { rawStatus: "STOPPED" }, r)
      }),
    list: () => Stream.empty,
    refsFromResponse: () => [],
    cancel: (r: OperationRef) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        cancels.push({ id: r.id, at: now })
        const answer = answers.cancel?.[Math.min(attempt++, (answers.cancel?.length ?? 1) - 1)] ?? "ok"
        if (answer !== "ok") return yield* answer
        cancelledAt ??= now
      })
  }
  return { source, cancels, reads }
}

describe("cancel", () => {
  it("asks the source to cancel, and a wait on the operation then ends cancelled", async () => {
    const { source, cancels } = stoppable()
    const r = await runWithClock(
      Effect.gen(function* () {
        yield* Waiter.cancel(ref())
        return yield* Waiter.waitForTerminal(ref(), { minDelay: 1_000, maxDelay: 2_000 })
      }),
      [source],
      minute
    )
    expect(cancels.map((c) => c.id)).toEqual([ref().id])
    expect(r._tag === "Success" && [r.success.status, r.success.rawStatus, r.success.terminal]).toEqual([
      "cancelled",
      "STOPPED",
      true
    ])
  })

  it("a cancelled operation is no success: waitForSuccess fails with OperationFailed", async () => {
    const { source } = stoppable()
    const r = await runWithClock(
      Effect.gen(function* () {
        yield* Waiter.cancel(ref())
        return yield* Waiter.waitForSuccess(ref(), { minDelay: 1_000, maxDelay: 2_000 })
      }),
      [source],
      minute
    )
    expect(r._tag === "Failure" && tagOf(r.failure)).toBe("OperationFailed")
    expect(r._tag === "Failure" && r.failure.operation?.status).toBe("cancelled")
  })

  it("fails with CancelNotSupported before any request when the source cannot cancel", async () => {
    const { source, calls } = scriptedSource("lightsail", [op("running")])
    const r = await runWithClock(Waiter.cancel(ref("lightsail", "abc-123")), [source], minute)
    expect(r._tag === "Failure" && tagOf(r.failure)).toBe("CancelNotSupported")
    expect(r._tag === "Failure" && r.failure.kind).toBe("input")
    expect(r._tag === "Failure" && r.failure.message).toContain(
      "Test lightsail operations cannot be cancelled"
    )
    expect(r._tag === "Failure" && r.failure.ref).toEqual({
      service: "lightsail",
      region: "us-east-1",
      id: "abc-123"
    })
    expect(calls).toHaveLength(0)
  })

  it("checks the ref first: a bad ref is InvalidRef, whatever the source can do", async () => {
    const { source, cancels } = stoppable()
    const r = await runWithClock(Waiter.cancel("servicediscovery:us-east-1:not/an id"), [source], minute)
    expect(r._tag === "Failure" && tagOf(r.failure)).toBe("InvalidRef")
    expect(cancels).toHaveLength(0)
  })

  it("retries a throttled cancel, and fails at once on a denial", async () => {
    const throttled = stoppable({ cancel: [sourceError("throttled", "Throttling", "slow down", 400), "ok"] })
    const ok = await runWithClock(Waiter.cancel(ref()), [throttled.source], minute)
    expect(ok._tag).toBe("Success")
    expect(throttled.cancels).toHaveLength(2)

    const denied = stoppable({ cancel: [sourceError("denied", "AccessDeniedException", "no", 403)] })
    const no = await runWithClock(Waiter.cancel(ref()), [denied.source], minute)
    expect(no._tag === "Failure" && tagOf(no.failure)).toBe("AccessDenied")
    expect(no._tag === "Failure" && no.failure.ref?.id).toBe(ref().id)
    expect(denied.cancels).toHaveLength(1)
  })

  it("the Promise facade cancels, and rejects with the typed error for a service that cannot", async () => {
    const { source: stop, cancels } = stoppable()
    const { source: fixed } = scriptedSource("lightsail", [op("running")])
    const status = createOperationStatus({ sources: [stop, fixed], onWarning: () => {} })
    try {
      await expect(status.cancel(ref())).resolves.toBeUndefined()
      expect(cancels).toHaveLength(1)
      const error = await status.cancel("lightsail:us-east-1:abc-123").catch((e: unknown) => e)
      expect(isOpstatusError(error) && error.reason._tag).toBe("CancelNotSupported")
    } finally {
      await status.close()
    }
  })
})

describe("retryAfter", () => {
  it("is the earliest next read: no read before it", async () => {
    const reads: Array<number> = []
    const source: OperationSource<unknown> = {
      info: infoOf("servicediscovery"),
      checkRegion: () => Effect.void,
      get: (r) =>
        Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          reads.push(now)
          return reads.length < 3
            ? op("running", { retryAfter: new Date(now + 20_000), updatedAt: new Date(now) }, r)
            : op("succeeded", {}, r)
        }),
      list: () => Stream.empty,
      refsFromResponse: () => []
    }
    const r = await runWithClock(
      Waiter.waitForTerminal(ref(), { minDelay: 1_000, maxDelay: 2_000 }),
      [source],
      5 * minute
    )
    expect(r._tag === "Success" && r.success.status).toBe("succeeded")
    expect(reads).toHaveLength(3)
    expect(reads[1]! - reads[0]!).toBeGreaterThanOrEqual(20_000)
    expect(reads[2]! - reads[1]!).toBeGreaterThanOrEqual(20_000)
  })

  it("never holds a read past the deadline", async () => {
    const reads: Array<number> = []
    const source: OperationSource<unknown> = {
      info: infoOf("servicediscovery"),
      checkRegion: () => Effect.void,
      get: (r) =>
        Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          reads.push(now)
          return op("running", { retryAfter: new Date(now + 10 * minute) }, r)
        }),
      list: () => Stream.empty,
      refsFromResponse: () => []
    }
    const r = await runWithClock(
      Waiter.waitForTerminal(ref(), { minDelay: 1_000, maxDelay: 2_000, timeout: 30_000 }),
      [source],
      5 * minute
    )
    expect(r._tag === "Failure" && tagOf(r.failure)).toBe("WaitTimeout")
    // The read held back by retryAfter lands before the deadline rather than at retryAfter.
    expect(reads.length).toBeGreaterThanOrEqual(2)
    expect(reads.at(-1)!).toBeLessThan(30_000)
  })
})

describe("checkId", () => {
  const arnInfo: ServiceInfo = {
    ...infoOf("servicediscovery"),
    idRule: { maxLength: 200, pattern: /^arn:aws:[a-z]+:[a-z0-9-]+:\d{12}:.+$/, description: "an ARN" },
    checkId: (id, region) => {
      const named = id.split(":")[3]
      return named === region ? undefined : `the ARN names region ${named}, not ${region}`
    }
  }
  const arn = "arn:aws:test:us-west-2:123456789012:thing/a"

  it("an ID naming another region is InvalidRef before any request", async () => {
    const { source, reads } = stoppable({}, arnInfo)
    const r = await runWithClock(Waiter.get(`servicediscovery:us-east-1:${arn}`), [source], minute)
    expect(r._tag === "Failure" && tagOf(r.failure)).toBe("InvalidRef")
    expect(r._tag === "Failure" && r.failure.message).toContain(
      "the ARN names region us-west-2, not us-east-1"
    )
    const c = await runWithClock(Waiter.cancel(`servicediscovery:us-east-1:${arn}`), [source], minute)
    expect(c._tag === "Failure" && tagOf(c.failure)).toBe("InvalidRef")
    expect(reads).toHaveLength(0)
  })

  it("an ID of the ref's own region reads", async () => {
    const { source, reads } = stoppable({}, arnInfo)
    const r = await runWithClock(Waiter.get(`servicediscovery:us-west-2:${arn}`), [source], minute)
    expect(r._tag === "Success" && r.success.ref.id).toBe(arn)
    expect(reads).toHaveLength(1)
  })

  it("a checkId that throws is an InvalidRef, not a crash", async () => {
    const { source } = stoppable(
      {},
      {
        ...arnInfo,
        checkId: () => {
          throw new TypeError("boom")
        }
      }
    )
    const r = await runWithClock(Waiter.get(`servicediscovery:us-west-2:${arn}`), [source], minute)
    expect(r._tag === "Failure" && tagOf(r.failure)).toBe("InvalidRef")
  })
})
