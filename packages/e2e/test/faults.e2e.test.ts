import {
  AccessDeniedError,
  type OperationRef,
  type ServiceSlug,
  WaitAbortedError,
  WaitTimeoutError
} from "@opstatus/core"
import type { Faults, Scenario } from "@opstatus/emulator"
import { describe, expect, it } from "vitest"
import { quick, region, type Stack, startStack } from "./harness.js"

const services: ReadonlyArray<ServiceSlug> = ["lightsail", "servicediscovery", "ssm-sap"]

const withStack = async <A>(options: Parameters<typeof startStack>[0], f: (stack: Stack) => Promise<A>) => {
  const stack = await startStack(options)
  try {
    return await f(stack)
  } finally {
    await stack.stop()
  }
}

const faultScenario = (service: ServiceSlug, faults: Faults, extra: Record<string, unknown> = {}): Scenario =>
  ({ services: { [service]: { faults, ...extra } } }) as Scenario

// 150 s of simulated time at 1000x: 150 ms real, several polls each.
const create = (stack: Stack, service: ServiceSlug, n: number, durationMs = 150_000): OperationRef[] =>
  Array.from({ length: n }, () => {
    const { id } = stack.emulator.createOperation({ service, durationMs, applicationId: "app-1" })
    return { service, region, id }
  })

describe.each(services)("every fault through the stack: %s", (service) => {
  it("throttling is absorbed: every wait succeeds, none surfaces the throttle", async () => {
    // A tight limit: the fleet engine batches and rate-limits, so a looser one is never hit.
    await withStack(
      { scenario: { services: { [service]: { rateLimit: { perSecond: 5, burst: 2 } } } } as Scenario },
      async (stack) => {
        const outcomes = await stack.status.waitForAll(create(stack, service, 8), {
          ...quick,
          requireSuccess: true
        })
        expect(outcomes.filter((o) => !o.ok)).toEqual([])
        expect(stack.calls(service).throttled).toBeGreaterThan(0)
      }
    )
  })

  it("5xx answers are retried", async () => {
    await withStack({ scenario: faultScenario(service, { error5xxRate: 0.4 }) }, async (stack) => {
      const outcomes = await stack.status.waitForAll(create(stack, service, 4), {
        ...quick,
        requireSuccess: true
      })
      expect(outcomes.every((o) => o.ok)).toBe(true)
      expect(stack.calls(service)["error-5xx"]).toBeGreaterThan(0)
    })
  })

  it("connection resets are retried", async () => {
    await withStack({ scenario: faultScenario(service, { resetRate: 0.3 }) }, async (stack) => {
      const outcomes = await stack.status.waitForAll(create(stack, service, 4), {
        ...quick,
        requireSuccess: true
      })
      expect(outcomes.every((o) => o.ok)).toBe(true)
      expect(stack.calls(service).reset).toBeGreaterThan(0)
    })
  })

  it("malformed bodies are retried", async () => {
    await withStack({ scenario: faultScenario(service, { malformedRate: 0.15 }) }, async (stack) => {
      const outcomes = await stack.status.waitForAll(create(stack, service, 4), {
        ...quick,
        requireSuccess: true
      })
      expect(outcomes.every((o) => o.ok)).toBe(true)
      expect(stack.calls(service).malformed).toBeGreaterThan(0)
    })
  })

  it("not found, then found: the wait succeeds inside the grace window", async () => {
    await withStack({ timeScale: 10 }, async (stack) => {
      const { id } = stack.emulator.createOperation({
        service,
        durationMs: 3_000,
        notFoundForMs: 2_000,
        applicationId: "app-1"
      })
      const done = await stack.status.waitForSuccess({ service, region, id }, quick)
      expect(done.status).toBe("succeeded")
      expect(stack.calls(service)["error-4xx"]).toBeGreaterThan(0)
    })
  })

  it("access denied fails fast: one request, the service's code", async () => {
    await withStack(
      { accessKeyId: "AKIDDENIED", scenario: { deniedAccessKeys: ["AKIDDENIED"] } },
      async (stack) => {
        const [ref] = create(stack, service, 1)
        const error = await stack.status.waitForTerminal(ref!, quick).catch((e: unknown) => e)
        expect(error).toBeInstanceOf(AccessDeniedError)
        expect((error as AccessDeniedError).code).toBe("AccessDeniedException")
        expect(stack.calls(service).total).toBe(1)
      }
    )
  })

  it("a timeout reports the last state seen", async () => {
    await withStack({}, async (stack) => {
      const [ref] = create(stack, service, 1)
      stack.emulator.transition(service, ref!.id, "running")
      const error = await stack.status
        .waitForTerminal(ref!, { ...quick, timeout: 300 })
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(WaitTimeoutError)
      expect((error as WaitTimeoutError).lastSeen?.status).toBe("running")
      expect((error as WaitTimeoutError).lastSeen?.ref.id).toBe(ref!.id)
    })
  })

  it("a request slower than the deadline is cut off by it", async () => {
    await withStack({ scenario: faultScenario(service, { latencyMs: 2_000 }) }, async (stack) => {
      const [ref] = create(stack, service, 1)
      const started = Date.now()
      const error = await stack.status
        .waitForTerminal(ref!, { ...quick, timeout: 200 })
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(WaitTimeoutError)
      expect(Date.now() - started).toBeLessThan(1_500)
    })
  })

  it("abort sends no further request", async () => {
    await withStack({}, async (stack) => {
      const [ref] = create(stack, service, 1)
      stack.emulator.transition(service, ref!.id, "running")
      const controller = new AbortController()
      const waiting = stack.status.waitForTerminal(ref!, { ...quick, signal: controller.signal })
      await new Promise((r) => setTimeout(r, 150))
      controller.abort()
      await expect(waiting).rejects.toBeInstanceOf(WaitAbortedError)
      const atAbort = stack.calls(service).total
      expect(atAbort).toBeGreaterThan(0)
      // A request already on the wire when the signal fired may still land; nothing after it.
      await new Promise((r) => setTimeout(r, 50))
      const settled = stack.calls(service).total
      expect(settled - atAbort).toBeLessThanOrEqual(1)
      // Polling every 10 to 40 ms would have sent several more requests by now.
      await new Promise((r) => setTimeout(r, 300))
      expect(stack.calls(service).total).toBe(settled)
    })
  })
})
