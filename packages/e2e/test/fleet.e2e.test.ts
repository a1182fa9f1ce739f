/**
 * The fleet engine through the real clients against the emulator: which list
 * reads the planner makes, the Cloud Map follow-up reads, the adaptive rate
 * limit under injected throttling, per-wait deadlines and aborts, and
 * serialize / resume, all measured through the emulator's own counters.
 */
import { LightsailClient } from "@aws-sdk/client-lightsail"
import {
  createOperationStatus,
  type FleetOptions,
  type OperationRef,
  type RoundReport,
  WaitAbortedError
} from "@opstatus/core"
import type { Scenario, ServiceName } from "@opstatus/emulator"
import { lightsailSource } from "@opstatus/lightsail"
import { ssmSapSource } from "@opstatus/ssm-sap"
import { describe, expect, it } from "vitest"
import { quick, region, type Stack, startStack } from "./harness.js"

/** Fast lanes for tests: the default 10 requests a second would only slow them down. */
const fast: FleetOptions = { rateLimit: { start: 200, max: 400 } }

const withStack = async <A>(options: Parameters<typeof startStack>[0], f: (stack: Stack) => Promise<A>) => {
  const stack = await startStack(options)
  try {
    return await f(stack)
  } finally {
    await stack.stop()
  }
}

const ok = (stack: Stack, service: ServiceName, operation: string) => stack.calls(service, operation).ok

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe("the planner, measured by the emulator's counters", () => {
  it("Lightsail: one GetOperations page covers a fleet on separate resources", async () => {
    await withStack({}, async (stack) => {
      const refs: Array<OperationRef> = Array.from({ length: 12 }, (_, i) => {
        const { id } = stack.emulator.createOperation({
          service: "lightsail",
          resourceName: `web-${i}`,
          durationMs: 200_000 + i * 20_000
        })
        return { service: "lightsail", region, id, resourceName: `web-${i}` }
      })
      const status = createOperationStatus({ sources: stack.sources, fleet: fast })
      const outcomes = await status.waitForAll(refs, { ...quick, requireSuccess: true })
      expect(outcomes.every((o) => o.ok)).toBe(true)
      expect(ok(stack, "lightsail", "GetOperations")).toBeGreaterThan(0)
      // Only the last operation, once it is alone, is read by ID (one page or one get cost the same).
      expect(ok(stack, "lightsail", "GetOperation")).toBeLessThanOrEqual(2)
      expect(ok(stack, "lightsail", "GetOperationsForResource")).toBe(0)
    })
  })

  it("Lightsail: a region with a long history costs pages, so the planner reads by resource and by ID", async () => {
    await withStack({}, async (stack) => {
      for (let i = 0; i < 1_000; i++) {
        stack.emulator.createOperation({ service: "lightsail", resourceName: `old-${i}`, durationMs: 1 })
      }
      const create = (resourceName: string) => {
        const { id } = stack.emulator.createOperation({
          service: "lightsail",
          resourceName,
          durationMs: 600_000
        })
        return { service: "lightsail", region, id, resourceName } as const
      }
      const refs = [create("web-1"), create("web-1"), create("web-1"), create("db-1"), create("cache-1")]
      const status = createOperationStatus({ sources: stack.sources, fleet: fast })
      const outcomes = await status.waitForAll(refs, quick)
      expect(outcomes.every((o) => o.ok)).toBe(true)
      // 1,005 operations are 6 pages: the first region-wide read is cut short past 5 (what 5 gets cost)...
      expect(ok(stack, "lightsail", "GetOperations")).toBe(6)
      // ...and then the three operations of web-1 are one call, the other two one call each.
      expect(ok(stack, "lightsail", "GetOperationsForResource")).toBeGreaterThan(3)
      expect(ok(stack, "lightsail", "GetOperation")).toBeGreaterThan(
        ok(stack, "lightsail", "GetOperationsForResource")
      )
    })
  })

  it("Cloud Map: ListOperations for the pending ones, GetOperation only for those that left the list", async () => {
    await withStack({}, async (stack) => {
      const refs: Array<OperationRef> = Array.from({ length: 8 }, (_, i) => {
        const { id } = stack.emulator.createOperation({
          service: "servicediscovery",
          type: "REGISTER_INSTANCE",
          serviceId: "srv-web",
          instanceId: `i-${i}`,
          durationMs: i < 4 ? 200_000 : 400_000,
          ...(i === 1 || i === 6
            ? { errorCode: "INVALID_CHANGE_BATCH", errorMessage: "Route 53 rejected the change batch" }
            : {})
        })
        return { service: "servicediscovery", region, id, serviceId: "srv-web" }
      })
      const status = createOperationStatus({ sources: stack.sources, fleet: fast })
      const outcomes = await status.waitForAll(refs, quick)
      expect(outcomes.map((o) => o.ok && o.operation.status)).toEqual([
        "succeeded",
        "failed",
        "succeeded",
        "succeeded",
        "succeeded",
        "succeeded",
        "failed",
        "succeeded"
      ])
      for (const outcome of outcomes) {
        if (!outcome.ok) continue
        expect(outcome.operation.type).toBe("REGISTER_INSTANCE")
        expect(outcome.operation.targets).toMatchObject({ SERVICE: "srv-web" })
      }
      const failed = outcomes[6]
      expect(failed?.ok === true && failed.operation.error).toEqual({
        code: "INVALID_CHANGE_BATCH",
        message: "Route 53 rejected the change batch"
      })
      expect(ok(stack, "servicediscovery", "ListOperations")).toBeGreaterThan(3)
      // Each operation is read by ID once it leaves the pending list; the last one of a wave may be read alone.
      const gets = ok(stack, "servicediscovery", "GetOperation")
      expect(gets).toBeGreaterThanOrEqual(8)
      expect(gets).toBeLessThanOrEqual(11)
    })
  })

  it("SSM for SAP: the operations of one application are one ListOperations", async () => {
    await withStack({}, async (stack) => {
      const refs: Array<OperationRef> = Array.from({ length: 6 }, (_, i) => {
        const { id } = stack.emulator.createOperation({
          service: "ssm-sap",
          applicationId: "hana-prod",
          durationMs: 200_000 + i * 30_000
        })
        return { service: "ssm-sap", region, id, applicationId: "hana-prod" }
      })
      const status = createOperationStatus({
        sources: [ssmSapSource({ client: stack.ssmSap, region })],
        fleet: fast
      })
      const outcomes = await status.waitForAll(refs, { ...quick, requireSuccess: true })
      expect(outcomes.every((o) => o.ok)).toBe(true)
      expect(ok(stack, "ssm-sap", "ListOperations")).toBeGreaterThan(2)
      // Only the last operation, once it is alone, is read by ID.
      expect(ok(stack, "ssm-sap", "GetOperation")).toBeLessThanOrEqual(2)
    })
  })
})

describe("the adaptive rate limit under injected throttling", () => {
  /** 16 SSM for SAP operations, one application each (nothing to batch), against 8 requests a second. */
  const run = (rateLimit: NonNullable<FleetOptions["rateLimit"]>) =>
    withStack(
      { scenario: { services: { "ssm-sap": { rateLimit: { perSecond: 8, burst: 8 } } } } as Scenario },
      async (stack) => {
        const refs: Array<OperationRef> = Array.from({ length: 16 }, (_, i) => {
          const { id } = stack.emulator.createOperation({
            service: "ssm-sap",
            applicationId: `app-${i}`,
            durationMs: 1_000_000 + i * 50_000
          })
          return { service: "ssm-sap", region, id }
        })
        const reports: Array<RoundReport> = []
        const status = createOperationStatus({
          sources: [ssmSapSource({ client: stack.ssmSap, region })],
          fleet: { rateLimit, onRound: (r) => reports.push(r) }
        })
        const outcomes = await status.waitForAll(refs, { minDelay: 50, maxDelay: 200, timeout: "60 seconds" })
        return { outcomes, calls: stack.calls("ssm-sap"), minRate: Math.min(...reports.map((r) => r.rate)) }
      }
    )

  it("slows down, keeps the throttled count bounded, and every wait succeeds with no throttle surfaced", async () => {
    const adaptive = await run({ start: 30, max: 60 })
    // The same lane at a fixed 30 requests a second: what hammering into the limit looks like.
    const fixed = await run({ start: 30, min: 30, max: 30 })
    for (const { outcomes } of [adaptive, fixed]) expect(outcomes.filter((o) => !o.ok)).toEqual([])
    expect(adaptive.calls.throttled).toBeGreaterThan(0)
    expect(adaptive.minRate).toBeLessThan(16)
    expect(fixed.minRate).toBe(30)
    expect(adaptive.calls.throttled).toBeLessThan(fixed.calls.throttled / 2)
    expect(adaptive.calls.throttled / adaptive.calls.total).toBeLessThan(0.4)
  })
})

describe("deadlines and aborts across waiters of one lane", () => {
  it("a wait that times out leaves the others; when every wait has ended the lanes go quiet", async () => {
    await withStack({}, async (stack) => {
      const long = stack.emulator.createOperation({
        service: "lightsail",
        resourceName: "slow",
        durationMs: 3_600_000
      })
      const short = stack.emulator.createOperation({
        service: "lightsail",
        resourceName: "fast",
        durationMs: 300_000
      })
      const status = createOperationStatus({ sources: stack.sources, fleet: fast })
      const [timedOut, finished] = await Promise.all([
        status.waitForAll([{ service: "lightsail", region, id: long.id }], { ...quick, timeout: 200 }),
        status.waitForAll([{ service: "lightsail", region, id: short.id }], quick)
      ])
      expect(timedOut[0]?.ok === false && timedOut[0].error._tag).toBe("WaitTimeoutError")
      expect(finished[0]?.ok).toBe(true)
      const total = stack.emulator.metrics().counts.total
      await sleep(300)
      expect(stack.emulator.metrics().counts.total).toBe(total)
    })
  })

  it("an aborted wait stops polling its operations; a wait on another lane finishes", async () => {
    await withStack({}, async (stack) => {
      const cloudMap = stack.emulator.createOperation({ service: "servicediscovery", durationMs: 3_600_000 })
      const lightsail = stack.emulator.createOperation({ service: "lightsail", durationMs: 600_000 })
      const status = createOperationStatus({ sources: stack.sources, fleet: fast })
      const controller = new AbortController()
      const aborted = status.waitForAll([{ service: "servicediscovery", region, id: cloudMap.id }], {
        ...quick,
        signal: controller.signal
      })
      const kept = status.waitForAll([{ service: "lightsail", region, id: lightsail.id }], quick)
      await sleep(100)
      controller.abort()
      await expect(aborted).rejects.toBeInstanceOf(WaitAbortedError)
      const atAbort = stack.calls("servicediscovery").total
      expect(atAbort).toBeGreaterThan(0)
      // A request already on the wire when the signal fired may still land; nothing after it.
      await sleep(50)
      const settled = stack.calls("servicediscovery").total
      expect(settled - atAbort).toBeLessThanOrEqual(1)
      expect((await kept)[0]?.ok).toBe(true)
      await sleep(100)
      expect(stack.calls("servicediscovery").total).toBe(settled)
    })
  })
})

describe("serialize and resume", () => {
  it("a wait serialized in one source set resumes in a fresh one; what ended costs no call", async () => {
    await withStack({}, async (stack) => {
      const create = (durationMs: number, name: string) => {
        const { id } = stack.emulator.createOperation({
          service: "lightsail",
          resourceName: name,
          durationMs
        })
        return { service: "lightsail", region, id, resourceName: name } as const
      }
      const refs = [create(100_000, "a"), create(100_000, "b"), create(900_000, "c"), create(900_000, "d")]
      const status = createOperationStatus({ sources: stack.sources, fleet: fast })
      const ended = new Set<string>()
      const poller = await status.beginWaitForAll(refs, {
        ...quick,
        onProgress: (o) => {
          if (o.terminal) ended.add(o.ref.id)
        }
      })
      while (ended.size < 2) await sleep(10)
      const json = poller.serialize()
      poller.cancel()
      await expect(poller.done).rejects.toBeInstanceOf(WaitAbortedError)

      // Another process: new clients, new sources.
      const lightsail = new LightsailClient({
        endpoint: stack.emulator.endpoint,
        region,
        credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "x" },
        maxAttempts: 1
      })
      try {
        const fresh = createOperationStatus({
          sources: [lightsailSource({ client: lightsail })],
          fleet: fast
        })
        const resumed = await fresh.resume(json)
        const outcomes = await resumed.done
        expect(outcomes.map((o) => o.ok && o.operation.status)).toEqual([
          "succeeded",
          "succeeded",
          "succeeded",
          "succeeded"
        ])

        // A state in which everything has ended resumes without a single request.
        const done = JSON.parse(JSON.stringify(JSON.parse(resumed.serialize())))
        const before = stack.emulator.metrics().counts.total
        const again = await (await fresh.resume(JSON.stringify(done))).done
        expect(again.every((o) => o.ok)).toBe(true)
        expect(stack.emulator.metrics().counts.total).toBe(before)
      } finally {
        lightsail.destroy()
      }
    })
  })

  it("a state the sources cannot serve settles that wait with InvalidOperationRefError", async () => {
    await withStack({}, async (stack) => {
      const status = createOperationStatus({ sources: stack.sources, fleet: fast })
      const { id } = stack.emulator.createOperation({ service: "servicediscovery", durationMs: 100_000 })
      const poller = await status.beginWaitForAll([{ service: "servicediscovery", region, id }], quick)
      const json = poller.serialize()
      poller.cancel()
      await poller.done.catch(() => undefined)
      const lightsailOnly = createOperationStatus({
        sources: [lightsailSource({ client: stack.lightsail })],
        fleet: fast
      })
      const [outcome] = await (await lightsailOnly.resume(json)).done
      expect(outcome?.ok === false && outcome.error._tag).toBe("InvalidOperationRefError")
    })
  })
})
