/**
 * One chaos run, shared by the chaos suite's test files (one per shape, so
 * they run side by side): many waits over the three services through the
 * real SDK clients, against the emulator injecting eventual consistency,
 * throttles, malformed bodies, 5xx answers and connection resets, forced
 * round by round (see chaos.ts). The emulator's own record is the truth.
 */
import type { OperationRef, OperationStatusApi, PromiseWaitOptions } from "@opstatus/core"
import type { Scenario, ServiceName } from "@opstatus/emulator"
import { expect } from "vitest"
import {
  createFleet,
  type Ending,
  faultSchedule,
  injected,
  isThrottle,
  judge,
  large,
  ManualClock,
  printFigures,
  RoundBarrier,
  services,
  startChaosStack,
  truthOf,
  unhandledRejections
} from "./chaos.js"

/** Waits of each shape: through one waitForAll, and as concurrent single waits. */
export const chaosWaits = large ? 300 : 90

/** Simulated milliseconds the clock moves per step of the barrier (a round of every live lane). */
const stepMs = 1_000

/**
 * Every service alike: an operation ends 8 to 12 steps after it is created
 * (so every lane meets the whole forced part of the schedule, 7 rounds,
 * first), a quarter of them fail, and a new operation is not found for 4
 * steps.
 */
const scenario: Scenario = {
  services: Object.fromEntries(
    services.map((service) => [
      service,
      {
        durations: { queuedMs: [1_000, 2_000], runningMs: [7_000, 10_000] },
        failureRate: 0.25,
        faults: { notFoundForMs: 4 * stepMs }
      }
    ])
  ) as NonNullable<Scenario["services"]>
}

/** Quick polling; deadlines and grace far beyond what a run takes, so only the scenario decides. */
const policy: PromiseWaitOptions = {
  minDelay: 10,
  maxDelay: 40,
  timeout: "3 minutes",
  notFoundGrace: "3 minutes"
}

/** The lanes may go fast: the emulator's throttles are what this suite is about. */
const fleet = { rateLimit: { start: 1_000, min: 500, max: 2_000 }, concurrency: 16 }

export type Shape = "waitForAll" | "single waits"

/**
 * One run of `chaosWaits` waits of a shape against a fresh emulator, checked
 * (every outcome as the emulator records it, no throttle surfaced, no
 * unhandled rejection, every forced fault met by every service); returns its
 * figures, printed at large scale.
 */
export const runChaos = async (shape: Shape, seed: number) => {
  const rejections = unhandledRejections()
  rejections.install()
  const clock = new ManualClock()
  const barrier = new RoundBarrier(clock, stepMs)
  const stack = await startChaosStack({
    scenario,
    seed,
    now: clock.now,
    // SSM for SAP reads its events too in one of the shapes: one more call that can meet a fault.
    includeSteps: shape === "single waits"
  })
  try {
    const schedule = faultSchedule(stack.emulator, barrier)
    const refs = createFleet(stack.emulator, chaosWaits)
    for (const service of services) barrier.expect(service, refs.filter((r) => r.service === service).length)
    const warnings: Array<string> = []
    const status: OperationStatusApi = stack.open({
      fleet: { ...fleet, onRound: schedule.onRound },
      onWarning: (message) => warnings.push(message)
    })
    const started = performance.now()
    const endings =
      shape === "waitForAll"
        ? await throughWaitForAll(status, refs, barrier)
        : await asSingles(status, refs, barrier)
    const wallMillis = Math.round(performance.now() - started)

    // The emulator's record is the truth.
    const truths = await Promise.all(refs.map((ref) => truthOf(stack.emulator.endpoint, ref)))
    const wrong = refs.flatMap((ref, i) => judge(ref, truths[i]!, endings[i]!) ?? [])
    const surfaced = endings.filter((e) => !e.ok && isThrottle(e.error)).length
    const byService = Object.fromEntries(
      services.map((service) => {
        const mine = refs.flatMap((ref, i) => (ref.service === service ? [truths[i]!] : []))
        return [
          service,
          {
            succeeded: mine.filter((t) => t.status === "succeeded").length,
            failed: mine.filter((t) => t.status === "failed").length
          }
        ]
      })
    )
    const faults = injected(stack.emulator)
    const figures = {
      shape,
      waits: refs.length,
      seed,
      wrong: wrong.length,
      byService,
      throttlesInjected: services.reduce((sum, s) => sum + faults[s]!.throttled, 0),
      throttlesSurfaced: surfaced,
      unhandledRejections: rejections.seen.length,
      injected: faults,
      lanesRounds: Object.fromEntries(schedule.rounds),
      malformedRounds: Object.fromEntries(schedule.malformedRounds),
      clockSteps: barrier.steps,
      warnings: warnings.length,
      wallMillis
    }
    printFigures(`chaos ${shape}`, figures)

    expect(wrong).toEqual([])
    expect(surfaced).toBe(0)
    expect(rejections.seen).toEqual([])
    // Each service saw both endings, and met every fault the schedule forces.
    for (const service of services) {
      expect(byService[service]!.succeeded, service).toBeGreaterThan(0)
      expect(byService[service]!.failed, service).toBeGreaterThan(0)
      const f = faults[service as ServiceName]!
      expect(f.notFound, `${service}: not found (eventual consistency)`).toBeGreaterThan(0)
      expect(f.throttled, `${service}: throttled`).toBeGreaterThan(0)
      expect(f.malformed, `${service}: malformed`).toBeGreaterThan(0)
      expect(f["5xx"], `${service}: 5xx`).toBeGreaterThan(0)
      expect(f.reset, `${service}: reset`).toBeGreaterThan(0)
    }
    return figures
  } finally {
    rejections.uninstall()
    await stack.stop()
  }
}

/** One waitForAll over every ref, requiring success; the barrier learns each ending from the events. */
const throughWaitForAll = async (
  status: OperationStatusApi,
  refs: ReadonlyArray<OperationRef>,
  barrier: RoundBarrier
): Promise<Array<Ending>> => {
  const ended = new Set<string>()
  const end = (service: string, id: string) => {
    if (ended.has(id)) return
    ended.add(id)
    barrier.ended(service)
  }
  const outcomes = await status.waitForAll(refs, {
    ...policy,
    requireSuccess: true,
    onEvent: (event) => {
      if (event._tag === "Changed" && event.operation.terminal) {
        end(event.operation.ref.service, event.operation.ref.id)
      } else if (event._tag === "Failed") {
        const ref = event.input as OperationRef
        end(ref.service, ref.id)
      }
    }
  })
  expect(outcomes).toHaveLength(refs.length)
  return outcomes.map((o) => (o.ok ? { ok: true, operation: o.operation } : { ok: false, error: o.error }))
}

/** Every ref awaited on its own, all at once, with waitForSuccess. */
const asSingles = async (
  status: OperationStatusApi,
  refs: ReadonlyArray<OperationRef>,
  barrier: RoundBarrier
): Promise<Array<Ending>> => {
  const settled = await Promise.allSettled(
    refs.map((ref) => status.waitForSuccess(ref, policy).finally(() => barrier.ended(ref.service)))
  )
  return settled.map((s) =>
    s.status === "fulfilled" ? { ok: true, operation: s.value } : { ok: false, error: s.reason }
  )
}
