/**
 * The engine through the real clients against the emulator: which list
 * reads the planner makes, the Cloud Map follow-up reads, the adaptive rate
 * limit under injected throttling, per-wait deadlines, aborts and closing,
 * and serialize / resume, all measured through the emulator's own counters.
 * Operations end when the test moves them to their end, between two rounds
 * of the engine, so the counts do not depend on the machine's speed.
 */
import { LightsailClient } from "@aws-sdk/client-lightsail"
import type { FleetOptions, OperationRef, RoundReport } from "@opstatus/core"
import type { Scenario, ServiceName } from "@opstatus/emulator"
import { lightsailSource } from "@opstatus/lightsail"
import { ssmSapSource } from "@opstatus/ssm-sap"
import { describe, expect, it } from "vitest"
import {
  forever,
  onRounds,
  quick,
  reasonOf,
  region,
  rejection,
  type Stack,
  sleep,
  withStack
} from "./harness.js"

/** Fast lanes for tests: the default 10 requests a second would only slow them down. */
const fast: FleetOptions = { rateLimit: { start: 200, max: 400 } }

const ok = (stack: Stack, service: ServiceName, operation: string) => stack.calls(service, operation).ok

const end = (stack: Stack, refs: ReadonlyArray<OperationRef>, to: "succeeded" | "failed" = "succeeded") => {
  for (const ref of refs) stack.emulator.transition(ref.service as ServiceName, ref.id, to)
}

/** A Lightsail operation on a resource that runs until the test ends it. */
const lightsailOp = (stack: Stack, resourceName: string): OperationRef => {
  const { id } = stack.emulator.createOperation({ service: "lightsail", resourceName, durationMs: forever })
  return { service: "lightsail", region, id, hints: { resourceName } }
}

describe("the planner, measured by the emulator's counters", () => {
  it("Lightsail: one GetOperations page a round covers a fleet on separate resources", async () => {
    await withStack({}, async (stack) => {
      const refs = Array.from({ length: 12 }, (_, i) => lightsailOp(stack, `web-${i}`))
      const rounds: Array<RoundReport> = []
      const steps = onRounds("lightsail", {
        1: () => end(stack, refs.slice(0, 6)),
        3: () => end(stack, refs.slice(6))
      })
      const status = stack.open({
        fleet: {
          ...fast,
          onRound: (report) => {
            rounds.push(report)
            steps(report)
          }
        }
      })
      const outcomes = await status.waitForAll(refs, { ...quick, requireSuccess: true })
      expect(outcomes.every((o) => o.ok)).toBe(true)
      expect(ok(stack, "lightsail", "GetOperations")).toBe(rounds.length)
      expect(ok(stack, "lightsail", "GetOperation")).toBe(0)
      expect(ok(stack, "lightsail", "GetOperationsForResource")).toBe(0)
    })
  })

  it("Lightsail: a region with a long history costs pages, so the planner reads by resource and by ID", async () => {
    await withStack({}, async (stack) => {
      for (let i = 0; i < 1_000; i++) {
        stack.emulator.createOperation({ service: "lightsail", resourceName: `old-${i}`, durationMs: 1 })
      }
      const refs = [
        lightsailOp(stack, "web-1"),
        lightsailOp(stack, "web-1"),
        lightsailOp(stack, "web-1"),
        lightsailOp(stack, "db-1"),
        lightsailOp(stack, "cache-1")
      ]
      const rounds: Array<RoundReport> = []
      let ended = false
      const status = stack.open({
        fleet: {
          ...fast,
          onRound: (report) => {
            rounds.push(report)
            // They end once web-1 has been read by resource twice, and the other two by ID twice each.
            if (ended || ok(stack, "lightsail", "GetOperationsForResource") < 2) return
            if (ok(stack, "lightsail", "GetOperation") < 4) return
            ended = true
            end(stack, refs)
          }
        }
      })
      const outcomes = await status.waitForAll(refs, quick)
      expect(outcomes.every((o) => o.ok)).toBe(true)
      // 1,005 operations are 6 pages, more than reading the five by ID: the region-wide read is made once...
      expect(rounds[0]?.reads).toEqual([{ key: "GetOperations", pages: 6, covers: 5, stopped: false }])
      expect(ok(stack, "lightsail", "GetOperations")).toBe(6)
      // ...then the three operations of web-1 are one call, the other two one call each.
      const later = rounds.slice(1)
      expect(later.flatMap((r) => r.reads).every((read) => read.pages === 1 && read.covers === 3)).toBe(true)
      expect(later.flatMap((r) => r.reads)).toHaveLength(ok(stack, "lightsail", "GetOperationsForResource"))
      expect(later.filter((r) => r.pending === 5).every((r) => r.gets <= 2)).toBe(true)
      expect(later.reduce((sum, r) => sum + r.gets, 0)).toBe(ok(stack, "lightsail", "GetOperation"))
    })
  })

  it.each([
    ["from the list: a SUCCESS settles, only a FAIL is read by ID", false],
    ["in full with fullOperation: every ending is read by ID", true]
  ])("Cloud Map: the fleet read with ListOperations, endings %s", async (_name, fullOperation) => {
    await withStack({}, async (stack) => {
      const failing = new Set([1, 6])
      const refs: Array<OperationRef> = Array.from({ length: 8 }, (_, i) => {
        const { id } = stack.emulator.createOperation({
          service: "servicediscovery",
          type: "REGISTER_INSTANCE",
          serviceId: "srv-web",
          instanceId: `i-${i}`,
          durationMs: forever,
          ...(failing.has(i)
            ? { errorCode: "INVALID_CHANGE_BATCH", errorMessage: "Route 53 rejected the change batch" }
            : {})
        })
        return { service: "servicediscovery", region, id, hints: { serviceId: "srv-web" } }
      })
      const endWave = (from: number, to: number) => {
        for (let i = from; i < to; i++) end(stack, [refs[i]!], failing.has(i) ? "failed" : "succeeded")
      }
      const status = stack.open({
        fleet: {
          ...fast,
          onRound: onRounds("servicediscovery", { 2: () => endWave(0, 4), 4: () => endWave(4, 8) })
        }
      })
      const outcomes = await status.waitForAll(refs, { ...quick, fullOperation })
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
      // A failure, and with fullOperation every ending, is a full read: its type and targets. A
      // success settled from the list carries the list's Id and Status.
      for (const [i, outcome] of outcomes.entries()) {
        if (!outcome.ok) continue
        const full = fullOperation || failing.has(i)
        expect(outcome.operation.type).toBe(full ? "REGISTER_INSTANCE" : undefined)
        if (full) expect(outcome.operation.targets).toMatchObject({ SERVICE: "srv-web" })
        else expect(outcome.operation.raw).toEqual({ Id: refs[i]!.id, Status: "SUCCESS" })
      }
      const failed = outcomes[6]
      expect(failed?.ok === true && failed.operation.error).toEqual({
        code: "INVALID_CHANGE_BATCH",
        message: "Route 53 rejected the change batch"
      })
      expect(ok(stack, "servicediscovery", "ListOperations")).toBeGreaterThan(3)
      expect(ok(stack, "servicediscovery", "GetOperation")).toBe(fullOperation ? 8 : failing.size)
    })
  })

  it("SSM for SAP: the operations of one application are one ListOperations", async () => {
    await withStack({}, async (stack) => {
      const refs: Array<OperationRef> = Array.from({ length: 6 }, () => {
        const { id } = stack.emulator.createOperation({
          service: "ssm-sap",
          applicationId: "hana-prod",
          durationMs: forever
        })
        return { service: "ssm-sap", region, id, hints: { applicationId: "hana-prod" } }
      })
      const status = stack.open({
        sources: [ssmSapSource({ client: stack.ssmSap, region })],
        fleet: {
          ...fast,
          onRound: onRounds("ssm-sap", {
            1: () => end(stack, refs.slice(0, 3)),
            3: () => end(stack, refs.slice(3))
          })
        }
      })
      const outcomes = await status.waitForAll(refs, { ...quick, requireSuccess: true })
      expect(outcomes.every((o) => o.ok)).toBe(true)
      expect(ok(stack, "ssm-sap", "ListOperations")).toBeGreaterThanOrEqual(4)
      expect(ok(stack, "ssm-sap", "GetOperation")).toBe(0)
    })
  })
})

describe("the adaptive rate limit under injected throttling", () => {
  /**
   * 16 SSM for SAP operations, one application each (nothing to batch), against 8 requests a second;
   * they end once the lane has made 32 requests, so both lanes are compared on the same work.
   */
  const run = (rateLimit: NonNullable<FleetOptions["rateLimit"]>) =>
    withStack(
      { scenario: { services: { "ssm-sap": { rateLimit: { perSecond: 8, burst: 8 } } } } as Scenario },
      async (stack) => {
        const refs: Array<OperationRef> = Array.from({ length: 16 }, (_, i) => {
          const { id } = stack.emulator.createOperation({
            service: "ssm-sap",
            applicationId: `app-${i}`,
            durationMs: forever
          })
          return { service: "ssm-sap", region, id }
        })
        const reports: Array<RoundReport> = []
        let ended = false
        const status = stack.open({
          sources: [ssmSapSource({ client: stack.ssmSap, region })],
          fleet: {
            rateLimit,
            onRound: (report) => {
              reports.push(report)
              if (!ended && stack.calls("ssm-sap").total >= 32) {
                ended = true
                end(stack, refs)
              }
            }
          }
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

describe("deadlines, aborts and closing across waiters of one lane", () => {
  it("a wait that times out leaves the others; when every wait has ended the lanes go quiet", async () => {
    await withStack({}, async (stack) => {
      const slow = lightsailOp(stack, "slow")
      const other = lightsailOp(stack, "other")
      const status = stack.open({ fleet: fast })
      const timingOut = status.waitForAll([slow], { ...quick, timeout: 300 })
      const finishing = status.waitForAll([other], quick)
      const [timedOut] = await timingOut
      expect(timedOut?.ok === false && timedOut.error.reason._tag).toBe("WaitTimeout")
      // The other wait of the lane goes on: its operation ends only now.
      end(stack, [other])
      const [finished] = await finishing
      expect(finished?.ok && finished.operation.status).toBe("succeeded")
      const total = stack.emulator.metrics().counts.total
      await sleep(300)
      expect(stack.emulator.metrics().counts.total).toBe(total)
    })
  })

  it("an aborted wait stops polling its operations; a wait on another lane finishes", async () => {
    await withStack({}, async (stack) => {
      const { id } = stack.emulator.createOperation({ service: "servicediscovery", durationMs: forever })
      const kept = lightsailOp(stack, "web-1")
      const status = stack.open({ fleet: fast })
      const controller = new AbortController()
      // Aborted as soon as the first answer is in.
      const aborted = status.waitForAll([{ service: "servicediscovery", region, id }], {
        ...quick,
        signal: controller.signal,
        onProgress: () => controller.abort()
      })
      const keeping = status.waitForAll([kept], quick)
      expect(reasonOf(await rejection(aborted))._tag).toBe("WaitAborted")
      const atAbort = stack.calls("servicediscovery").total
      expect(atAbort).toBeGreaterThan(0)
      end(stack, [kept])
      expect((await keeping)[0]?.ok).toBe(true)
      await sleep(100)
      expect(stack.calls("servicediscovery").total).toBe(atAbort)
    })
  })

  it("close ends every wait still going with WaitAborted; no request follows, and later calls are refused", async () => {
    await withStack({}, async (stack) => {
      const ref = lightsailOp(stack, "web-1")
      stack.emulator.transition("lightsail", ref.id, "running")
      const status = stack.open({ fleet: fast })
      let answered!: () => void
      const firstAnswer = new Promise<void>((resolve) => {
        answered = resolve
      })
      const waiting = status.waitForTerminal(ref, { ...quick, onProgress: () => answered() })
      await firstAnswer
      await status.close()
      expect(reasonOf(await rejection(waiting))._tag).toBe("WaitAborted")
      const atClose = stack.calls("lightsail").total
      expect(atClose).toBeGreaterThan(0)
      expect(reasonOf(await rejection(status.get(ref)))._tag).toBe("WaitAborted")
      await sleep(200)
      expect(stack.calls("lightsail").total).toBe(atClose)
    })
  })
})

describe("serialize and resume", () => {
  it("a wait serialized in one source set resumes in a fresh one; what ended costs no call", async () => {
    await withStack({}, async (stack) => {
      const refs = [
        lightsailOp(stack, "a"),
        lightsailOp(stack, "b"),
        lightsailOp(stack, "c"),
        lightsailOp(stack, "d")
      ]
      end(stack, refs.slice(0, 2))
      const status = stack.open({ fleet: fast })
      const ended = new Set<string>()
      let twoEnded!: () => void
      const bothEnded = new Promise<void>((resolve) => {
        twoEnded = resolve
      })
      const poller = await status.beginWaitForAll(refs, {
        ...quick,
        onProgress: (o) => {
          if (o.terminal) ended.add(o.ref.id)
          if (ended.size === 2) twoEnded()
        }
      })
      await bothEnded
      const json = poller.serialize()
      expect(
        JSON.parse(json)
          .entries.filter((e: { lastSeen?: { terminal: boolean } }) => e.lastSeen?.terminal === true)
          .map((e: { ref: OperationRef }) => e.ref.id)
      ).toEqual([refs[0]!.id, refs[1]!.id])
      poller.cancel()
      expect(reasonOf(await rejection(poller.done))._tag).toBe("WaitAborted")
      end(stack, refs.slice(2))

      // Another process: new clients, new sources.
      const lightsail = new LightsailClient({
        endpoint: stack.emulator.endpoint,
        region,
        credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "x" },
        maxAttempts: 1
      })
      try {
        const fresh = stack.open({ sources: [lightsailSource({ client: lightsail })], fleet: fast })
        const resumed = await fresh.resume(json)
        const outcomes = await resumed.done
        expect(outcomes.map((o) => o.ok && o.operation.status)).toEqual([
          "succeeded",
          "succeeded",
          "succeeded",
          "succeeded"
        ])

        // A state in which everything has ended resumes without a single request.
        const done = resumed.serialize()
        const before = stack.emulator.metrics().counts.total
        const again = await (await fresh.resume(done)).done
        expect(again.map((o) => o.ok && o.operation.ref.id)).toEqual(refs.map((r) => r.id))
        expect(stack.emulator.metrics().counts.total).toBe(before)
      } finally {
        lightsail.destroy()
      }
    })
  })

  it("a state the sources cannot serve settles that wait with InvalidRef", async () => {
    await withStack({}, async (stack) => {
      const status = stack.open({ fleet: fast })
      const { id } = stack.emulator.createOperation({ service: "servicediscovery", durationMs: forever })
      const poller = await status.beginWaitForAll([{ service: "servicediscovery", region, id }], quick)
      const json = poller.serialize()
      poller.cancel()
      await poller.done.catch(() => undefined)
      const lightsailOnly = stack.open({
        sources: [lightsailSource({ client: stack.lightsail })],
        fleet: fast
      })
      const [outcome] = await (await lightsailOnly.resume(json)).done
      expect(outcome?.ok === false && outcome.error.reason._tag).toBe("InvalidRef")
      expect(outcome?.ok === false && outcome.error.message).toContain(
        'no source is registered for "servicediscovery"'
      )
    })
  })
})
