/**
 * Abort and close through the Promise API, over the real clients against the
 * emulator: how long from `abort()` (or `close()`) until every wait has
 * rejected with the typed `WaitAborted`, and that no request reaches the
 * wire afterwards. Requests are logged at each client's HTTP handler (exact:
 * "after" is decided on the one thread) and counted at the emulator (which
 * may still count the requests in flight at the abort, and nothing more).
 * "Afterwards" lasts as long as a witness wait on another lane takes to make
 * 20 rounds at the pace the aborted waits polled at, not a sleep.
 *
 * Latencies are figures (printed with `RELIABILITY_FIGURES=1`, and by
 * `pnpm reliability:leaks`); the only bound asserted is a generous 5 s.
 */
import { LightsailClient } from "@aws-sdk/client-lightsail"
import { ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery"
import {
  createOperationStatus,
  hasReason,
  type OperationRef,
  type OperationStatusApi,
  type PromiseWaitOptions,
  type RoundReport
} from "@opstatus/core"
import { type Emulator, startEmulator } from "@opstatus/emulator"
import { lightsailSource } from "@opstatus/lightsail"
import { serviceDiscoverySource } from "@opstatus/servicediscovery"
import { ssmSapSource } from "@opstatus/ssm-sap"
import { SsmSapHttpClient } from "@opstatus/ssm-sap/http"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import {
  DispatchLog,
  large,
  logSdkClient,
  logSsmSapClient,
  percentiles,
  printFigures
} from "../../support/leaks.js"

/** The services this suite drives. */
type ServiceName = "lightsail" | "servicediscovery" | "ssm-sap"

const region = "us-east-1"
/** The witness's lane: another region, so another lane and another client. */
const witnessRegion = "eu-west-1"
const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "x" } as const
const services: ReadonlyArray<ServiceName> = ["lightsail", "servicediscovery", "ssm-sap"]
/** Longer than any test: operations run until a test ends them. */
const forever = 365 * 24 * 3_600_000
/** 300 waits on one signal, once (five times at large scale, for the figures). */
const trials = large ? 5 : 1

/** Quick polling, and a deadline that never comes: only the abort ends these waits. */
const policy: PromiseWaitOptions = { minDelay: 10, maxDelay: 40, timeout: "1 hour" }

let unhandled: Array<unknown> = []
const onUnhandled = (reason: unknown) => {
  unhandled.push(reason)
}
/** Node's process warnings: a signal shared by many waits must not make Node warn of a listener leak. */
let warned: Array<string> = []
const onWarning = (warning: Error) => {
  warned.push(`${warning.name}: ${warning.message}`)
}
beforeAll(() => {
  process.on("unhandledRejection", onUnhandled)
  process.on("warning", onWarning)
})
afterAll(() => {
  process.off("unhandledRejection", onUnhandled)
  process.off("warning", onWarning)
})

/** Node emits a warning on the next tick: let it come before looking. */
const listenerWarnings = async () => {
  await new Promise((resolve) => setImmediate(resolve))
  return warned.filter((w) => w.startsWith("MaxListenersExceededWarning"))
}

interface Rig {
  readonly emulator: Emulator
  readonly logs: Readonly<Record<ServiceName, DispatchLog>>
  readonly status: OperationStatusApi
  /** Another engine, over the witness region only. */
  readonly witnessStatus: OperationStatusApi
  readonly witnessRounds: Set<(report: RoundReport) => void>
  readonly stop: () => Promise<void>
}

let rig: Rig | undefined
afterEach(async () => {
  await rig?.stop()
  rig = undefined
  unhandled = []
  warned = []
})

const startRig = async (): Promise<Rig> => {
  const emulator = await startEmulator({ port: 0, seed: 3, timeScale: 1_000 })
  const config = (r: string) => ({ endpoint: emulator.endpoint, region: r, credentials, maxAttempts: 1 })
  const logs = {
    lightsail: new DispatchLog(),
    servicediscovery: new DispatchLog(),
    "ssm-sap": new DispatchLog()
  }
  const lightsail = logSdkClient(new LightsailClient(config(region)), logs.lightsail)
  const cloudMap = logSdkClient(new ServiceDiscoveryClient(config(region)), logs.servicediscovery)
  const ssmSap = logSsmSapClient(
    new SsmSapHttpClient({ endpoint: emulator.endpoint, region, credentials }),
    logs["ssm-sap"]
  )
  const witnessClient = new LightsailClient(config(witnessRegion))
  // The lanes may go fast: many waits read at once here.
  const fast = { rateLimit: { start: 1_000, max: 2_000 } }
  const status = createOperationStatus({
    sources: [
      lightsailSource({ client: lightsail }),
      serviceDiscoverySource({ client: cloudMap }),
      ssmSapSource({ client: ssmSap, region, includeSteps: true })
    ],
    fleet: fast
  })
  const witnessRounds = new Set<(report: RoundReport) => void>()
  const witnessStatus = createOperationStatus({
    sources: [lightsailSource({ client: witnessClient })],
    fleet: {
      ...fast,
      onRound: (report) => {
        for (const listener of witnessRounds) listener(report)
      }
    }
  })
  return {
    emulator,
    logs,
    status,
    witnessStatus,
    witnessRounds,
    stop: async () => {
      await Promise.all([status.close(), witnessStatus.close()])
      lightsail.destroy()
      cloudMap.destroy()
      witnessClient.destroy()
      await emulator.stop()
    }
  }
}

/** Operations that run until the test ends; the hints fleets read them by (SSM for SAP applications of 5). */
const createOps = (emulator: Emulator, service: ServiceName, n: number): Array<OperationRef> =>
  Array.from({ length: n }, (_, i) => {
    if (service === "lightsail") {
      const resourceName = `web-${Math.floor(i / 2)}`
      const { id } = emulator.createOperation({ service, resourceName, durationMs: forever })
      return { service, region, id, hints: { resourceName } }
    }
    if (service === "servicediscovery") {
      const serviceId = `srv-${Math.floor(i / 10)}`
      const { id } = emulator.createOperation({
        service,
        type: "REGISTER_INSTANCE",
        serviceId,
        instanceId: `i-${i}`,
        durationMs: forever
      })
      return { service, region, id, hints: { serviceId } }
    }
    const applicationId = `hana-${Math.floor(i / 5)}`
    const { id } = emulator.createOperation({ service, applicationId, durationMs: forever })
    return { service, region, id, hints: { applicationId } }
  })

/** Requests the emulator answered for a service in the waits' region. */
const served = (emulator: Emulator, service: ServiceName): number =>
  emulator.metrics().services[service]?.byRegion[region]?.total ?? 0

/** When a promise settled, and with what (attached before the abort, so nothing is measured late). */
const timed = (promise: Promise<unknown>) =>
  promise.then(
    () => ({ at: performance.now(), error: undefined as unknown }),
    (error: unknown) => ({ at: performance.now(), error })
  )

/** Resolves once `n` distinct operations have been reported by `onProgress`. */
const progressOf = (n: number) => {
  const seen = new Set<string>()
  let reached!: () => void
  const all = new Promise<void>((resolve) => {
    reached = resolve
  })
  return {
    all,
    onProgress: (op: { readonly ref: OperationRef }) => {
      seen.add(`${op.ref.service}:${op.ref.id}`)
      if (seen.size === n) reached()
    }
  }
}

/**
 * Marks every client's log and takes the emulator's counts, then runs `end`
 * (the abort, or the close) at once: what happens after is "after".
 */
const endNow = <A>(r: Rig, end: () => A) => {
  for (const service of services) r.logs[service].mark()
  const atEnd = Object.fromEntries(services.map((s) => [s, served(r.emulator, s)])) as Record<
    ServiceName,
    number
  >
  const at = performance.now()
  const result = end()
  return { at, atEnd, result }
}

/**
 * A witness wait on another lane, polling every 10 ms (the aborted waits'
 * shortest pause): resolves after its lane has made `rounds` rounds, time in
 * which any lane still polling at 10 to 40 ms would have sent requests.
 */
const witness = async (r: Rig, rounds: number): Promise<void> => {
  const { id } = r.emulator.createOperation({
    service: "lightsail",
    region: witnessRegion,
    durationMs: forever
  })
  let n = 0
  let reached!: () => void
  const enough = new Promise<void>((resolve) => {
    reached = resolve
  })
  const listener = (report: RoundReport) => {
    if (report.region === witnessRegion && ++n === rounds) reached()
  }
  r.witnessRounds.add(listener)
  const waiting = r.witnessStatus.waitForTerminal(
    { service: "lightsail", region: witnessRegion, id },
    { minDelay: 10, maxDelay: 10, timeout: "1 hour" }
  )
  await enough
  r.witnessRounds.delete(listener)
  r.emulator.transition("lightsail", id, "succeeded")
  expect((await waiting).status).toBe("succeeded")
}

/** After the witness: no request dispatched after the mark, and the emulator served at most those in flight then. */
const expectNoRequestAfter = (r: Rig, atEnd: Record<ServiceName, number>) => {
  const after: Record<string, unknown> = {}
  for (const service of services) {
    const log = r.logs[service]
    const servedAfter = served(r.emulator, service) - atEnd[service]
    after[service] = { dispatched: log.sentAfterMark, served: servedAfter, inFlightAtEnd: log.inFlightAtMark }
    expect(log.sentAfterMark, `${service}: requests dispatched after the end`).toBe(0)
    expect(servedAfter, `${service}: served after the end`).toBeLessThanOrEqual(log.inFlightAtMark)
    expect(log.inFlight, `${service}: requests still in flight`).toBe(0)
  }
  return after
}

describe("abort: one wait", () => {
  it.each(services)(
    "%s: the wait rejects with WaitAborted at once; no request follows",
    async (service) => {
      rig = await startRig()
      const [ref] = createOps(rig.emulator, service, 1)
      const controller = new AbortController()
      const progress = progressOf(1)
      const settled = timed(
        rig.status.waitForTerminal(ref!, {
          ...policy,
          signal: controller.signal,
          onProgress: progress.onProgress
        })
      )
      // The wait is polling: its first answer is in.
      await progress.all
      const { at, atEnd } = endNow(rig, () => controller.abort())
      const { at: rejectedAt, error } = await settled
      const latency = rejectedAt - at
      expect(hasReason(error, "WaitAborted"), String(error)).toBe(true)
      await witness(rig, 20)
      const after = expectNoRequestAfter(rig, atEnd)
      printFigures(`leaks abort one wait ${service}`, {
        latencyMillis: Math.round(latency * 100) / 100,
        after
      })
      expect(latency).toBeLessThan(5_000)
      expect(unhandled).toEqual([])
    },
    60_000
  )
})

describe("abort: 300 waits on one signal", () => {
  it(
    `every wait (100 a service, and a waitForAll over them) rejects with WaitAborted; no request follows (${trials} run${trials > 1 ? "s" : ""})`,
    async () => {
      const latencies: Array<number> = []
      const fleetLatencies: Array<number> = []
      const afters: Array<unknown> = []
      for (let trial = 0; trial < trials; trial++) {
        rig = await startRig()
        const refs = services.flatMap((service) => createOps(rig!.emulator, service, 100))
        const controller = new AbortController()
        const progress = progressOf(refs.length)
        const singles = refs.map((ref) =>
          timed(
            rig!.status.waitForTerminal(ref, {
              ...policy,
              signal: controller.signal,
              onProgress: progress.onProgress
            })
          )
        )
        const fleet = timed(rig.status.waitForAll(refs, { ...policy, signal: controller.signal }))
        // Every wait is polling: each operation's first answer is in.
        await progress.all
        const { at, atEnd } = endNow(rig, () => controller.abort())
        const ended = await Promise.all(singles)
        const fleetEnded = await fleet
        for (const { error } of [...ended, fleetEnded])
          expect(hasReason(error, "WaitAborted"), String(error)).toBe(true)
        latencies.push(...ended.map((e) => e.at - at))
        fleetLatencies.push(fleetEnded.at - at)
        await witness(rig, 20)
        afters.push(expectNoRequestAfter(rig, atEnd))
        expect(unhandled).toEqual([])
        expect(await listenerWarnings()).toEqual([])
        await rig.stop()
        rig = undefined
      }
      const figures = percentiles(latencies)
      printFigures("leaks abort 300 on one signal", {
        runs: trials,
        waits: latencies.length,
        latencyMillis: figures,
        waitForAllLatencyMillis: percentiles(fleetLatencies),
        after: afters
      })
      expect(figures.max).toBeLessThan(5_000)
    },
    large ? 600_000 : 120_000
  )
})

describe("one signal, every kind of wait", () => {
  it("20 each of waitForTerminal, waitForAll, watch and beginWaitForAll on one signal: all end with WaitAborted, and Node warns of no listener leak", async () => {
    rig = await startRig()
    const refs = services.flatMap((service) => createOps(rig!.emulator, service, 20))
    const controller = new AbortController()
    const signal = controller.signal
    const progress = progressOf(refs.length)
    const status = rig.status
    const waits = refs.slice(0, 20).map((ref) => status.waitForTerminal(ref, { ...policy, signal }))
    const fleets = Array.from({ length: 20 }, (_, i) =>
      status.waitForAll(refs.slice(i, i + 3), { ...policy, signal, onProgress: progress.onProgress })
    )
    const watches = refs.slice(20, 40).map(async (ref) => {
      for await (const op of status.watch(ref, { ...policy, signal })) progress.onProgress(op)
    })
    const pollers = await Promise.all(
      refs
        .slice(40, 60)
        .map((ref) => status.beginWaitForAll([ref], { ...policy, signal, onProgress: progress.onProgress }))
    )
    await progress.all
    const { atEnd } = endNow(rig, () => controller.abort())
    const ended = await Promise.all(
      [...waits, ...fleets, ...watches, ...pollers.map((p) => p.done)].map((p) =>
        p.then(
          () => "ended",
          (e: unknown) => e
        )
      )
    )
    for (const error of ended) expect(hasReason(error, "WaitAborted"), String(error)).toBe(true)
    expect(ended).toHaveLength(80)
    await witness(rig, 20)
    expectNoRequestAfter(rig, atEnd)
    expect(await listenerWarnings()).toEqual([])
    expect(unhandled).toEqual([])
  }, 60_000)
})

describe("close", () => {
  it("close() ends 300 waits with WaitAborted and resolves; no request follows", async () => {
    rig = await startRig()
    const refs = services.flatMap((service) => createOps(rig!.emulator, service, 100))
    const progress = progressOf(refs.length)
    const waits = refs.map((ref) =>
      timed(rig!.status.waitForTerminal(ref, { ...policy, onProgress: progress.onProgress }))
    )
    await progress.all
    const { at, atEnd, result } = endNow(rig, () => rig!.status.close())
    await result
    const closedAt = performance.now()
    const ended = await Promise.all(waits)
    for (const { error } of ended) expect(hasReason(error, "WaitAborted"), String(error)).toBe(true)
    // Later calls are refused the same way, with no request.
    expect(
      hasReason(await rig.status.waitForTerminal(refs[0]!).catch((e: unknown) => e), "WaitAborted")
    ).toBe(true)
    await witness(rig, 20)
    const after = expectNoRequestAfter(rig, atEnd)
    const latency = percentiles(ended.map((e) => e.at - at))
    printFigures("leaks close 300", { latencyMillis: latency, closeMillis: Math.round(closedAt - at), after })
    expect(latency.max).toBeLessThan(5_000)
    expect(unhandled).toEqual([])
  }, 120_000)
})
