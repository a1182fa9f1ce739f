/**
 * Every fault of the emulator through the whole stack, for each service. A
 * fault is forced on (rate 1) and taken off between two rounds of the
 * engine, and operations end when the test moves them to their end, so what
 * the engine must absorb is the same on any machine.
 */
import type { OperationRef, OpstatusError } from "@opstatus/core"
import type { Faults, Scenario, ServiceName } from "@opstatus/emulator"
import { describe, expect, it } from "vitest"
import {
  forever,
  onRounds,
  quick,
  reasonOf,
  region,
  rejection,
  type Stack,
  services,
  sleep,
  withStack
} from "./harness.js"

const faultsOf = (service: ServiceName, faults: Faults): Scenario =>
  ({ services: { [service]: { faults } } }) as Scenario

/** Operations that end only when `finish` ends them. */
const create = (stack: Stack, service: ServiceName, n: number): OperationRef[] =>
  Array.from({ length: n }, () => {
    const { id } = stack.emulator.createOperation({ service, durationMs: forever, applicationId: "app-1" })
    return { service, region, id }
  })

const finish = (stack: Stack, service: ServiceName, refs: ReadonlyArray<OperationRef>) => {
  for (const ref of refs) stack.emulator.transition(service, ref.id, "succeeded")
}

describe.each(services)("every fault through the stack: %s", (service) => {
  it("throttling is absorbed: every wait succeeds, none surfaces the throttle", async () => {
    // A bucket that never refills: after its one token, every request is throttled, on any machine,
    // until the limit is lifted.
    const limited = { services: { [service]: { rateLimit: { perSecond: 0, burst: 1 } } } } as Scenario
    await withStack({ scenario: limited }, async (stack) => {
      const refs = create(stack, service, 8)
      // Once a round has been throttled, the limit goes and the operations end.
      const status = stack.open({
        fleet: {
          onRound: (report) => {
            if (report.service !== service || report.throttled === 0) return
            stack.emulator.configure({ services: { [service]: { rateLimit: null } } } as Scenario)
            finish(stack, service, refs)
          }
        }
      })
      const outcomes = await status.waitForAll(refs, { ...quick, requireSuccess: true })
      expect(outcomes.filter((o) => !o.ok)).toEqual([])
      expect(outcomes).toHaveLength(8)
      expect(stack.calls(service).throttled).toBeGreaterThan(0)
    })
  })

  it.each([
    ["5xx answers", { error5xxRate: 1 }, "error-5xx"],
    ["connection resets", { resetRate: 1 }, "reset"],
    // Two malformed answers in a row: a wait gives up only after three.
    ["malformed bodies", { malformedRate: 1 }, "malformed"]
  ] as const)("%s are retried until the service recovers", async (_name, faults, counter) => {
    await withStack({ scenario: faultsOf(service, faults) }, async (stack) => {
      const refs = create(stack, service, 4)
      // Every answer is faulty for two rounds; then the service recovers and the operations end.
      const status = stack.open({
        fleet: {
          onRound: onRounds(service, {
            2: () => {
              stack.emulator.configure(faultsOf(service, { error5xxRate: 0, resetRate: 0, malformedRate: 0 }))
              finish(stack, service, refs)
            }
          })
        }
      })
      const outcomes = await status.waitForAll(refs, { ...quick, requireSuccess: true })
      expect(outcomes.filter((o) => !o.ok)).toEqual([])
      expect(outcomes).toHaveLength(4)
      expect(stack.calls(service)[counter]).toBeGreaterThanOrEqual(2)
    })
  })

  it("not found, then found: the wait succeeds inside the grace window", async () => {
    await withStack({ timeScale: 1 }, async (stack) => {
      const { id } = stack.emulator.createOperation({
        service,
        durationMs: 120_000,
        notFoundForMs: 60_000,
        applicationId: "app-1"
      })
      // The first round reads "not found"; then simulated time runs a million times faster, so the
      // operation shows up and ends.
      const status = stack.open({
        fleet: { onRound: onRounds(service, { 1: () => stack.emulator.configure({ timeScale: 1_000_000 }) }) }
      })
      const done = await status.waitForSuccess({ service, region, id }, quick)
      expect(done.status).toBe("succeeded")
      expect(stack.calls(service)["error-4xx"]).toBeGreaterThan(0)
    })
  })

  it("access denied fails fast: one request, the service's code", async () => {
    await withStack(
      { accessKeyId: "AKIDDENIED", scenario: { deniedAccessKeys: ["AKIDDENIED"] } },
      async (stack) => {
        const [ref] = create(stack, service, 1)
        const error = await rejection(stack.open().waitForTerminal(ref!, quick))
        expect(reasonOf(error)._tag).toBe("AccessDenied")
        expect((error as OpstatusError).code).toBe("AccessDeniedException")
        expect((error as OpstatusError).service).toBe(service)
        expect(stack.calls(service).total).toBe(1)
      }
    )
  })

  it("a timeout reports the last state seen", async () => {
    await withStack({}, async (stack) => {
      const [ref] = create(stack, service, 1)
      stack.emulator.transition(service, ref!.id, "running")
      const error = await rejection(stack.open().waitForTerminal(ref!, { ...quick, timeout: "1 second" }))
      const reason = reasonOf(error)
      if (reason._tag !== "WaitTimeout") throw new Error(`expected WaitTimeout, got ${reason._tag}`)
      expect(reason.timeoutMillis).toBe(1_000)
      expect(reason.waitedMillis).toBeGreaterThanOrEqual(1_000)
      expect(reason.lastSeen?.status).toBe("running")
      expect(reason.lastSeen?.ref.id).toBe(ref!.id)
      expect((error as OpstatusError).operation).toBe(reason.lastSeen)
    })
  })

  it("a request slower than the deadline is cut off by it", async () => {
    // Every answer takes a minute.
    await withStack({ scenario: faultsOf(service, { latencyMs: 60_000 }) }, async (stack) => {
      const [ref] = create(stack, service, 1)
      const error = await rejection(stack.open().waitForTerminal(ref!, { ...quick, timeout: 300 }))
      const reason = reasonOf(error)
      if (reason._tag !== "WaitTimeout") throw new Error(`expected WaitTimeout, got ${reason._tag}`)
      expect(reason.waitedMillis).toBeGreaterThanOrEqual(300)
      expect(reason.waitedMillis).toBeLessThan(60_000)
      expect(reason.lastSeen).toBeUndefined()
    })
  })

  it("abort sends no further request", async () => {
    await withStack({}, async (stack) => {
      const [ref] = create(stack, service, 1)
      stack.emulator.transition(service, ref!.id, "running")
      const controller = new AbortController()
      // Aborted as soon as the first answer is in.
      const error = await rejection(
        stack.open().waitForTerminal(ref!, {
          ...quick,
          signal: controller.signal,
          onProgress: () => controller.abort()
        })
      )
      expect(reasonOf(error)._tag).toBe("WaitAborted")
      const atAbort = stack.calls(service).total
      expect(atAbort).toBeGreaterThan(0)
      // Polling every 10 to 40 ms would have sent several more requests by now.
      await sleep(300)
      expect(stack.calls(service).total).toBe(atAbort)
    })
  })
})
