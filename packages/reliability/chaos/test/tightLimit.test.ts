/**
 * A tight per-service limit: the emulator serves each service at 2 requests
 * a second (a bucket of 2), far below what the engine starts at, while a
 * fleet waits through one waitForAll. The engine must find the limit and
 * keep under it; every wait must still end as the emulator records it, and
 * no throttle may reach a caller. Real time here (the limit is about how
 * fast clients call), with the emulator's time scale shortening lifecycles;
 * deadlines are far beyond what a run takes, so only the scenario decides
 * how each wait ends. `RELIABILITY_SCALE=large` runs 2,000 operations.
 */
import type { Scenario } from "@opstatus/emulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  createFleet,
  type FleetShape,
  injected,
  isThrottle,
  judge,
  large,
  printFigures,
  services,
  startChaosStack,
  truthOf,
  unhandledRejections
} from "../../support/chaos.js"

const operations = large ? 2_000 : 60

/** Every operation hinted, in groups list reads cover: SSM for SAP applications of 50 (5 at the default scale). */
const shape: FleetShape = { perResource: 1, perService: 100, perApplication: large ? 50 : 5, unhinted: 0 }

const limit = { perSecond: 2, burst: 2 }

/**
 * 2 requests a second per service. Operations run 6 to 25 s (1.5 to 5 s at the default scale) in
 * real time; 5% fail (20% at the default scale; each Cloud Map failure costs a GetOperation for
 * its reason).
 */
const scenario: Scenario = {
  timeScale: 1,
  services: Object.fromEntries(
    services.map((service) => [
      service,
      {
        rateLimit: limit,
        failureRate: large ? 0.05 : 0.2,
        durations: large
          ? { queuedMs: [1_000, 5_000], runningMs: [5_000, 20_000] }
          : { queuedMs: [500, 1_000], runningMs: [1_000, 4_000] }
      }
    ])
  ) as NonNullable<Scenario["services"]>
}

const rejections = unhandledRejections()
beforeAll(() => rejections.install())
afterAll(() => rejections.uninstall())

describe("chaos: a tight per-service limit", () => {
  it(`${operations} operations at 2 requests a second per service: every wait ends right, no throttle surfaced`, async () => {
    const stack = await startChaosStack({
      scenario,
      seed: 7
    })
    try {
      const refs = createFleet(stack.emulator, operations, shape)
      const warnings: Array<string> = []
      const rounds: Array<{ service: string; rate: number }> = []
      // The engine's own defaults for its rate limit: what a user gets.
      const status = stack.open({
        fleet: { onRound: (r) => rounds.push({ service: r.service, rate: r.rate }) },
        onWarning: (message) => warnings.push(message)
      })
      const started = performance.now()
      const outcomes = await status.waitForAll(refs, {
        minDelay: "500 millis",
        maxDelay: "5 seconds",
        timeout: "15 minutes",
        requireSuccess: true
      })
      const wallMillis = Math.round(performance.now() - started)
      const truths = await Promise.all(refs.map((ref) => truthOf(stack.emulator.endpoint, ref)))
      const wrong = refs.flatMap((ref, i) => {
        const o = outcomes[i]!
        return (
          judge(
            ref,
            truths[i]!,
            o.ok ? { ok: true, operation: o.operation } : { ok: false, error: o.error }
          ) ?? []
        )
      })
      const surfaced = outcomes.filter((o) => !o.ok && isThrottle(o.error)).length
      const faults = injected(stack.emulator)
      printFigures("chaos tight limit", {
        operations: refs.length,
        limitPerService: limit,
        wrong: wrong.length,
        succeeded: truths.filter((t) => t.status === "succeeded").length,
        failed: truths.filter((t) => t.status === "failed").length,
        throttlesInjected: services.reduce((sum, s) => sum + faults[s]!.throttled, 0),
        throttlesSurfaced: surfaced,
        unhandledRejections: rejections.seen.length,
        requests: Object.fromEntries(services.map((s) => [s, faults[s]!.requests])),
        throttled: Object.fromEntries(services.map((s) => [s, faults[s]!.throttled])),
        lowestRate: Object.fromEntries(
          services.map((s) => [s, Math.min(...rounds.filter((r) => r.service === s).map((r) => r.rate))])
        ),
        rounds: rounds.length,
        warnings: warnings.length,
        wallMillis
      })
      expect(outcomes).toHaveLength(refs.length)
      expect(wrong).toEqual([])
      expect(surfaced).toBe(0)
      expect(rejections.seen).toEqual([])
      expect(truths.every((t) => t.status !== "not ended")).toBe(true)
      // The seed gives both endings.
      expect(truths.some((t) => t.status === "failed")).toBe(true)
    } finally {
      await stack.stop()
    }
  }, 900_000)
})
