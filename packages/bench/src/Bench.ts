/**
 * The benchmark runner: the fleet engine and a baseline of one Smithy waiter
 * per operation, side by side on the same scenario and seed, each in its own
 * child process against its own emulator (in this process); then the same
 * engine at growing fleet sizes. Every count comes from the emulator's
 * metrics; detection lag is measured from the emulator's `terminalAt`.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { cpus } from "node:os"
import { fileURLToPath } from "node:url"
import type { OperationRef } from "@opstatus/core"
import { type Emulator, type Scenario, type ServiceName, startEmulator } from "@opstatus/emulator"
import { region } from "./Clients.js"
import type { ChildMessage, Mode, Policy, ScalingResult, StartMessage, WaitResult } from "./Protocol.js"
import { type FleetShape, planFleet, services } from "./Scenario.js"

/** What one run of the benchmark does. */
export interface BenchOptions {
  readonly fleet: FleetShape
  /** The emulator's limit per service, like a service quota. */
  readonly rateLimit: { readonly perSecond: number; readonly burst: number } | undefined
  readonly policy: Policy
  /** Fleet sizes of the scaling runs (none to skip). */
  readonly scaling: ReadonlyArray<number>
  readonly scalingRounds: number
  readonly scalingPolicy: Policy
  /** The engine's rate limit in the scaling runs (requests a second per lane). */
  readonly scalingRate: number
  readonly scalingOpsPerApplication: number
  readonly log?: ((line: string) => void) | undefined
}

/** The benchmark as the brief sets it. */
export const defaultOptions: BenchOptions = {
  fleet: {
    perService: 100,
    seed: 42,
    durationSeconds: [0.5, 8],
    failureRate: 0.05,
    timeScale: 60,
    opsPerApplication: 5,
    instancesPerService: 10
  },
  rateLimit: { perSecond: 20, burst: 20 },
  policy: { minDelayMillis: 1_000, maxDelayMillis: 10_000, timeoutMillis: 5 * 60_000 },
  scaling: [100, 1_000, 10_000],
  scalingRounds: 5,
  scalingPolicy: { minDelayMillis: 2_000, maxDelayMillis: 2_000, timeoutMillis: 60 * 60_000 },
  scalingRate: 1_000,
  scalingOpsPerApplication: 50
}

export interface Percentiles {
  readonly p50: number
  readonly p99: number
  readonly max: number
}

export interface SideReport {
  readonly calls: number
  readonly callsByService: Readonly<Record<ServiceName, Readonly<Record<string, number>>>>
  readonly throttled: number
  /** Waits that ended in an error (a timeout, an abort, a surfaced service error). */
  readonly waitErrors: number
  readonly errorKinds: Readonly<Record<string, number>>
  /** Waits that surfaced a throttle (engine: never while the deadline allows). */
  readonly throttlesSurfaced: number
  readonly failuresDetected: number
  readonly detectionLagMs: Percentiles
  readonly detectionLagByService: Readonly<Record<ServiceName, Percentiles>>
  readonly wallMs: number
  readonly cpuMs: number
  readonly peakRssMB: number
}

export interface ScalingReport {
  readonly operations: number
  /** `stack`: the real clients over HTTP to the emulator; `engine`: in-memory sources, the engine alone. */
  readonly sources: "stack" | "engine"
  readonly measuredRounds: number
  readonly callsPerRound: number
  readonly callsPerRoundByService: Readonly<Record<string, number>>
  readonly cpuMsPerRound: number
  readonly cpuMsPerRoundPer1000: number
  readonly heapGrowthMB: number
  readonly rssGrowthMB: number
  /** CPU ms per round by thread: the main thread, V8's workers, libuv's pool. */
  readonly cpuMsPerRoundByThread: Readonly<Record<string, number>>
}

export interface Target {
  readonly name: string
  readonly target: string
  readonly measured: string
  readonly met: boolean
}

export interface BenchReport {
  readonly generatedAt: string
  readonly environment: { readonly node: string; readonly cpus: number; readonly platform: string }
  readonly options: BenchOptions
  readonly engine: SideReport
  readonly baseline: SideReport
  readonly scaling: ReadonlyArray<ScalingReport>
  readonly targets: ReadonlyArray<Target>
}

const childPath = fileURLToPath(new URL("./child.ts", import.meta.url))
const packageRoot = fileURLToPath(new URL("..", import.meta.url))

/** A child process and a way to wait for its next message. */
const startChild = (mode: Mode, endpoint: string) => {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      "--conditions=source",
      "--import",
      "tsx",
      "--expose-gc",
      // e.g. BENCH_CHILD_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile a child.
      ...(process.env.BENCH_CHILD_NODE_ARGS ?? "").split(" ").filter((a) => a !== ""),
      childPath,
      mode,
      endpoint
    ],
    {
      cwd: packageRoot,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" }
    }
  )
  const inbox: Array<ChildMessage> = []
  let waiting: ((m: ChildMessage) => void) | undefined
  let exited: Error | undefined
  child.on("message", (m: ChildMessage) => {
    if (waiting !== undefined) {
      const w = waiting
      waiting = undefined
      w(m)
    } else inbox.push(m)
  })
  child.on("exit", (code) => {
    exited = new Error(`the ${mode} child exited with code ${code}`)
    waiting?.({ type: "error", message: exited.message })
  })
  const next = (): Promise<ChildMessage> =>
    new Promise((resolve) => {
      const queued = inbox.shift()
      if (queued !== undefined) return resolve(queued)
      if (exited !== undefined) return resolve({ type: "error", message: exited.message })
      waiting = resolve
    })
  const expect = async <T extends ChildMessage["type"]>(
    type: T
  ): Promise<Extract<ChildMessage, { type: T }>> => {
    const message = await next()
    if (message.type === "error") throw new Error(`${mode} child: ${message.message}`)
    if (message.type !== type) throw new Error(`${mode} child: expected ${type}, got ${message.type}`)
    return message as Extract<ChildMessage, { type: T }>
  }
  /** Gives the child a moment to exit by itself (and write a profile), then ends it. */
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve()
      const timer = setTimeout(() => child.kill(), 5_000)
      child.once("exit", () => {
        clearTimeout(timer)
        resolve()
      })
    })
  return { child, expect, stop }
}

const percentiles = (values: ReadonlyArray<number>): Percentiles => {
  if (values.length === 0) return { p50: Number.NaN, p99: Number.NaN, max: Number.NaN }
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1)! }
}

const mb = (bytes: number) => Math.round((bytes / (1024 * 1024)) * 10) / 10

const scenarioOf = (options: BenchOptions): Scenario =>
  ({
    services: Object.fromEntries(
      services.map((s) => [s, options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit }])
    )
  }) as Scenario

/** One side of the comparison: a fresh emulator, a child, the same operations. */
const runSide = async (mode: "engine" | "baseline", options: BenchOptions): Promise<SideReport> => {
  const emulator = await startEmulator({
    port: 0,
    seed: options.fleet.seed,
    timeScale: options.fleet.timeScale,
    scenario: scenarioOf(options)
  })
  const child = startChild(mode, emulator.endpoint)
  try {
    await child.expect("ready")
    const planned = planFleet(options.fleet)
    const refs: Array<OperationRef> = planned.map(({ input, hints }) => {
      const { id } = emulator.createOperation(input)
      return { service: input.service, region, id, hints }
    })
    const start: StartMessage = { type: "start", refs, policy: options.policy }
    child.child.send(start)
    const result = await child.expect("result")
    return sideReport(emulator, refs, result)
  } finally {
    await child.stop()
    await emulator.stop()
  }
}

const sideReport = (
  emulator: Emulator,
  refs: ReadonlyArray<OperationRef>,
  result: WaitResult
): SideReport => {
  const metrics = emulator.metrics()
  const lags: Array<number> = []
  const lagsByService: Record<ServiceName, Array<number>> = {
    lightsail: [],
    servicediscovery: [],
    "ssm-sap": []
  }
  const errorKinds: Record<string, number> = {}
  let failuresDetected = 0
  for (const [i, wait] of result.waits.entries()) {
    const ref = refs[i]!
    if (wait.error === true) errorKinds[wait.ending] = (errorKinds[wait.ending] ?? 0) + 1
    if (wait.ending === "failed") failuresDetected++
    const service = ref.service as ServiceName
    const terminalAt = emulator.terminalAt(service, ref.id)
    if (wait.detectedAt !== undefined && terminalAt !== undefined) {
      lags.push(wait.detectedAt - terminalAt)
      lagsByService[service].push(wait.detectedAt - terminalAt)
    }
  }
  const callsByService = Object.fromEntries(
    services.map((s) => [
      s,
      Object.fromEntries(Object.entries(metrics.services[s].byOperation).map(([op, c]) => [op, c.total]))
    ])
  ) as Record<ServiceName, Record<string, number>>
  return {
    calls: metrics.counts.total,
    callsByService,
    throttled: metrics.counts.throttled,
    waitErrors: result.waits.filter((w) => w.error === true).length,
    errorKinds,
    throttlesSurfaced: result.waits.filter((w) => /thrott|limit/i.test(w.ending)).length,
    failuresDetected,
    detectionLagMs: percentiles(lags),
    detectionLagByService: {
      lightsail: percentiles(lagsByService.lightsail),
      servicediscovery: percentiles(lagsByService.servicediscovery),
      "ssm-sap": percentiles(lagsByService["ssm-sap"])
    },
    wallMs: result.stats.wallMs,
    cpuMs: Math.round(result.stats.cpuUserMs + result.stats.cpuSystemMs),
    peakRssMB: mb(result.stats.peakRssBytes)
  }
}

/** The engine alone over a fleet of long-running operations: steady-state rounds. */
const runScaling = async (
  operations: number,
  options: BenchOptions,
  sources: "stack" | "engine"
): Promise<ScalingReport> => {
  const emulator = await startEmulator({ port: 0, seed: options.fleet.seed, timeScale: 1 })
  const child = startChild(sources === "stack" ? "scaling" : "engine-only", emulator.endpoint)
  try {
    await child.expect("ready")
    const perService = Math.ceil(operations / 3)
    const planned = planFleet({
      ...options.fleet,
      perService,
      timeScale: 1,
      failureRate: 0,
      durationSeconds: [3_600, 7_200],
      opsPerApplication: options.scalingOpsPerApplication
    })
    const refs: Array<OperationRef> = planned.slice(0, operations).map(({ input, hints }) => {
      const { id } = emulator.createOperation(input)
      return { service: input.service, region, id, hints }
    })
    child.child.send({
      type: "start",
      refs,
      policy: options.scalingPolicy,
      rounds: options.scalingRounds,
      rate: options.scalingRate
    } satisfies StartMessage)
    const result: ScalingResult = await child.expect("scaling")
    const measured = result.rounds.slice(-Math.round(result.measuredRounds * 3))
    const byService: Record<string, number> = {}
    for (const service of services) {
      const lane = measured.filter((r) => r.service === service)
      if (lane.length > 0) byService[service] = lane.reduce((s, r) => s + r.calls, 0) / lane.length
    }
    const cpuMsPerRound = result.measuredCpuMs / result.measuredRounds
    return {
      operations: result.operations,
      sources,
      measuredRounds: result.measuredRounds,
      callsPerRound: Math.round((result.measuredCalls / result.measuredRounds) * 10) / 10,
      callsPerRoundByService: byService,
      cpuMsPerRound: Math.round(cpuMsPerRound * 10) / 10,
      cpuMsPerRoundPer1000: Math.round((cpuMsPerRound / (result.operations / 1000)) * 100) / 100,
      cpuMsPerRoundByThread: Object.fromEntries(
        Object.entries(result.threadCpuMs)
          .filter(([, v]) => v > 0)
          .map(([k, v]) => [k, Math.round((v / result.measuredRounds) * 10) / 10])
      ),
      heapGrowthMB: mb(result.heapAfterBytes - result.heapBeforeBytes),
      rssGrowthMB: mb(result.rssAfterBytes - result.rssBeforeBytes)
    }
  } finally {
    await child.stop()
    await emulator.stop()
  }
}

const targetsOf = (
  engine: SideReport,
  baseline: SideReport,
  scaling: ReadonlyArray<ScalingReport>
): Array<Target> => {
  const ratio = baseline.calls / Math.max(1, engine.calls)
  const targets: Array<Target> = [
    {
      name: "API calls",
      target: "at least 10x fewer than the baseline",
      measured: `${ratio.toFixed(1)}x fewer (${engine.calls} vs ${baseline.calls})`,
      met: ratio >= 10
    },
    {
      name: "throttling surfaced",
      target: "zero waits end in a throttling error",
      measured: `${engine.throttlesSurfaced} (of ${engine.throttled} throttled responses absorbed)`,
      met: engine.throttlesSurfaced === 0 && engine.waitErrors === 0
    },
    {
      name: "detection lag",
      target: "engine p99 no worse than baseline p50",
      measured: `${Math.round(engine.detectionLagMs.p99)} ms vs ${Math.round(baseline.detectionLagMs.p50)} ms`,
      met: engine.detectionLagMs.p99 <= baseline.detectionLagMs.p50
    }
  ]
  for (const s of scaling) {
    targets.push({
      name: `CPU per round at ${s.operations.toLocaleString("en-US")} (${s.sources === "stack" ? "whole process" : "engine alone"})`,
      target: "under 5 ms per 1,000 operations",
      measured: `${s.cpuMsPerRoundPer1000} ms per 1,000 (${s.cpuMsPerRound} ms a round)`,
      met: s.cpuMsPerRoundPer1000 < 5
    })
  }
  for (const biggest of scaling.filter((s) => s.operations >= 10_000)) {
    targets.push({
      name: `memory growth at 10,000 (${biggest.sources === "stack" ? "whole process" : "engine alone"})`,
      target: "under 50 MB",
      measured: `${biggest.rssGrowthMB} MB RSS, ${biggest.heapGrowthMB} MB heap`,
      met: biggest.rssGrowthMB < 50
    })
  }
  return targets
}

/** Runs the whole benchmark. */
export const runBench = async (options: BenchOptions = defaultOptions): Promise<BenchReport> => {
  const log = options.log ?? (() => undefined)
  log(`engine: ${options.fleet.perService * 3} operations...`)
  const engine = await runSide("engine", options)
  log(`baseline: ${options.fleet.perService * 3} operations...`)
  const baseline = await runSide("baseline", options)
  const scaling: Array<ScalingReport> = []
  for (const n of options.scaling) {
    log(`scaling: ${n} operations through the SDK clients...`)
    scaling.push(await runScaling(n, options, "stack"))
    log(`scaling: ${n} operations, engine alone...`)
    scaling.push(await runScaling(n, options, "engine"))
  }
  return {
    generatedAt: new Date().toISOString(),
    environment: { node: process.version, cpus: cpus().length, platform: process.platform },
    options: { ...options, log: undefined },
    engine,
    baseline,
    scaling,
    targets: targetsOf(engine, baseline, scaling)
  }
}
