/**
 * The benchmark runner: the fleet engine and a baseline of one Smithy waiter
 * per operation, side by side on the same scenario and seed, each in its own
 * child process against its own emulator (in this process), once per seed;
 * then the same engine at growing fleet sizes. Every count comes from the
 * emulator's metrics; detection lag is measured from the emulator's
 * `terminalAt`; the floor is computed from the operations each run created.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { cpus } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import type { OperationRef } from "@opstatus/core"
import { type Emulator, type Scenario, startEmulator } from "@opstatus/emulator"
import { build } from "esbuild"
import { region } from "./Clients.js"
import { type Floor, type FloorOperation, floorOf, type ServiceName } from "./Floor.js"
import type { ChildMessage, Mode, Policy, ScalingResult, StartMessage, WaitResult } from "./Protocol.js"
import { type FleetShape, type PlannedOperation, planFleet, services } from "./Scenario.js"
import { medianOf, type Percentiles, percentiles } from "./Stats.js"

export type { Percentiles } from "./Stats.js"

/** What one run of the benchmark does. */
export interface BenchOptions {
  /** The fleet of the comparison, but for its seed. */
  readonly fleet: Omit<FleetShape, "seed">
  /**
   * The comparison runs once per seed, and the report gives each run and the
   * median of each figure; the scaling runs use the first seed.
   */
  readonly seeds: ReadonlyArray<number>
  /** The emulator's limit per service, like a service quota. */
  readonly rateLimit: { readonly perSecond: number; readonly burst: number } | undefined
  readonly policy: Policy
  /** Fleet sizes of the scaling runs (none to skip). */
  readonly scaling: ReadonlyArray<number>
  /** Sweeps of the scaling runs discarded before measuring (V8 compiles over the first ones). */
  readonly scalingWarmupRounds: number
  /** Sweeps of the scaling runs measured after the warm-up. */
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
    durationSeconds: [0.5, 8],
    failureRate: 0.05,
    timeScale: 60,
    opsPerApplication: 5,
    instancesPerService: 10
  },
  seeds: [42, 43, 44],
  rateLimit: { perSecond: 20, burst: 20 },
  policy: { minDelayMillis: 1_000, maxDelayMillis: 10_000, timeoutMillis: 5 * 60_000 },
  scaling: [100, 1_000, 10_000],
  scalingWarmupRounds: 10,
  scalingRounds: 10,
  scalingPolicy: { minDelayMillis: 2_000, maxDelayMillis: 2_000, timeoutMillis: 60 * 60_000 },
  scalingRate: 1_000,
  scalingOpsPerApplication: 50
}

export interface SideReport {
  readonly calls: number
  /** Requests the emulator answered (outcome ok). */
  readonly answered: number
  readonly callsByService: Readonly<Record<ServiceName, Readonly<Record<string, number>>>>
  /** Requests the emulator answered with a throttling error. */
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

/** The figures of one run of the comparison, each of which the report gives the median of. */
export interface RunFigures {
  readonly engineCalls: number
  readonly engineThrottled: number
  readonly engineThrottlesSurfaced: number
  readonly engineWaitErrors: number
  readonly engineFailuresDetected: number
  readonly baselineCalls: number
  readonly baselineAnswered: number
  readonly baselineThrottled: number
  readonly baselineWaitErrors: number
  readonly baselineFailuresDetected: number
  readonly engineLagP50Ms: number
  readonly engineLagP99Ms: number
  readonly engineLagMaxMs: number
  readonly baselineLagP50Ms: number
  readonly baselineLagP99Ms: number
  readonly baselineLagMaxMs: number
  /** The scenario's floor at the engine's p99 lag of the run, and its split by service. */
  readonly floorCalls: number
  readonly floorLightsail: number
  readonly floorServiceDiscovery: number
  readonly floorSsmSap: number
  /** Engine calls / floor. */
  readonly engineOverFloor: number
  /** Baseline calls / engine calls (all of them, throttled ones included). */
  readonly baselineOverEngine: number
  /** Answered baseline calls / engine calls. */
  readonly baselineAnsweredOverEngine: number
  readonly engineWallMs: number
  readonly baselineWallMs: number
  readonly engineCpuMs: number
  readonly baselineCpuMs: number
  readonly enginePeakRssMB: number
  readonly baselinePeakRssMB: number
}

/** One run of the comparison: a seed, both sides, the floor at the engine's p99. */
export interface RunReport {
  readonly seed: number
  readonly engine: SideReport
  readonly baseline: SideReport
  readonly floor: Floor
  readonly figures: RunFigures
}

export interface ScalingReport {
  readonly operations: number
  /** `stack`: the real clients over HTTP to the emulator; `engine`: in-memory sources, the engine alone. */
  readonly sources: "stack" | "engine"
  /** Sweeps discarded before the measured window. */
  readonly warmupRounds: number
  /** CPU ms of each discarded sweep, first to last. */
  readonly warmupCpuMs: ReadonlyArray<number>
  readonly measuredRounds: number
  /** CPU ms of each measured sweep. */
  readonly measuredSweepCpuMs: ReadonlyArray<number>
  readonly callsPerRound: number
  readonly callsPerRoundByService: Readonly<Record<string, number>>
  /** CPU of the whole process per round (every thread), in-memory sources included. */
  readonly cpuMsPerRound: number
  readonly cpuMsPerRoundPer1000: number
  /**
   * In-memory sources only (null through the SDK clients): ms a round spent inside the sources
   * building their answers (each page's fresh operation objects), the stand-in for the SDK.
   */
  readonly sourceMsPerRound: number | null
  /** The engine's own CPU per round: the process's minus the sources' (equal to it through the SDK clients). */
  readonly engineCpuMsPerRound: number
  readonly engineCpuMsPerRoundPer1000: number
  readonly heapGrowthMB: number
  readonly rssGrowthMB: number
  /** CPU ms per round by thread: the main thread, V8's workers, libuv's pool. */
  readonly cpuMsPerRoundByThread: Readonly<Record<string, number>>
}

export interface Target {
  readonly figure: string
  readonly target: string
  readonly measured: string
  /** Null when the figure was not measured (e.g. `--no-scaling`). */
  readonly met: boolean | null
}

export interface BenchReport {
  readonly generatedAt: string
  readonly environment: {
    readonly node: string
    readonly cpus: number
    readonly platform: string
    /** The commit measured, and the files of the measured packages changed from it when the run began. */
    readonly git?: { readonly commit: string; readonly uncommitted: ReadonlyArray<string> } | undefined
  }
  readonly options: BenchOptions
  /** One run of the comparison per seed. */
  readonly runs: ReadonlyArray<RunReport>
  /** The median over the runs of each figure. */
  readonly median: RunFigures
  readonly scaling: ReadonlyArray<ScalingReport>
  readonly targets: ReadonlyArray<Target>
}

const childSource = fileURLToPath(new URL("./child.ts", import.meta.url))
const packageRoot = fileURLToPath(new URL("..", import.meta.url))
const childBundle = join(packageRoot, "build", "child.mjs")

let bundled: Promise<string> | undefined

/**
 * The child as one plain JavaScript file, bundled from the working tree's sources (the packages'
 * `source` condition) with everything it imports: a child runs it with no TypeScript loader, whose
 * own thread and heap (with garbage collections of their own, seconds after start-up) would count
 * in the child's CPU. Bundled once per process.
 */
const bundleChild = (): Promise<string> => {
  bundled ??= build({
    entryPoints: [childSource],
    outfile: childBundle,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    conditions: ["source"],
    // CommonJS dependencies inside an ES module bundle require Node's modules through this.
    banner: {
      js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);'
    },
    logLevel: "silent"
  }).then(() => childBundle)
  return bundled
}

/** A child process and a way to wait for its next message. */
const startChild = async (mode: Mode, endpoint: string) => {
  const childPath = await bundleChild()
  const child: ChildProcess = spawn(
    process.execPath,
    [
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

const mb = (bytes: number) => Math.round((bytes / (1024 * 1024)) * 10) / 10

const scenarioOf = (options: BenchOptions): Scenario =>
  ({
    services: Object.fromEntries(
      services.map((s) => [s, options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit }])
    )
  }) as Scenario

/** The operations a run created, as the floor sees them: real durations from the emulator. */
const floorOperationsOf = (
  emulator: Emulator,
  planned: ReadonlyArray<PlannedOperation>,
  refs: ReadonlyArray<OperationRef>,
  createdAt: ReadonlyArray<number>
): Array<FloorOperation> =>
  refs.map((ref, i) => {
    const { input, hints } = planned[i]!
    const terminalAt = emulator.terminalAt(input.service, ref.id)
    return {
      service: input.service,
      region: ref.region,
      applicationId: hints.applicationId,
      durationMs: terminalAt === undefined ? Number.NaN : terminalAt - createdAt[i]!,
      failed: input.outcome === "failure"
    }
  })

/** One side of the comparison: a fresh emulator, a child, the operations of the seed. */
const runSide = async (
  mode: "engine" | "baseline",
  options: BenchOptions,
  seed: number
): Promise<{ side: SideReport; operations: Array<FloorOperation> }> => {
  const emulator = await startEmulator({
    port: 0,
    seed,
    timeScale: options.fleet.timeScale,
    scenario: scenarioOf(options)
  })
  const child = await startChild(mode, emulator.endpoint)
  try {
    await child.expect("ready")
    const planned = planFleet({ ...options.fleet, seed })
    const createdAt: Array<number> = []
    const refs: Array<OperationRef> = planned.map(({ input, hints }) => {
      createdAt.push(Date.now())
      const { id } = emulator.createOperation(input)
      return { service: input.service, region, id, hints }
    })
    const start: StartMessage = { type: "start", refs, policy: options.policy }
    child.child.send(start)
    const result = await child.expect("result")
    return {
      side: sideReport(emulator, refs, result),
      operations: floorOperationsOf(emulator, planned, refs, createdAt)
    }
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
    answered: metrics.counts.ok,
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

/** The figures of one run, the floor taken at the engine's p99 lag. */
export const figuresOf = (engine: SideReport, baseline: SideReport, floor: Floor): RunFigures => ({
  engineCalls: engine.calls,
  engineThrottled: engine.throttled,
  engineThrottlesSurfaced: engine.throttlesSurfaced,
  engineWaitErrors: engine.waitErrors,
  engineFailuresDetected: engine.failuresDetected,
  baselineCalls: baseline.calls,
  baselineAnswered: baseline.answered,
  baselineThrottled: baseline.throttled,
  baselineWaitErrors: baseline.waitErrors,
  baselineFailuresDetected: baseline.failuresDetected,
  engineLagP50Ms: engine.detectionLagMs.p50,
  engineLagP99Ms: engine.detectionLagMs.p99,
  engineLagMaxMs: engine.detectionLagMs.max,
  baselineLagP50Ms: baseline.detectionLagMs.p50,
  baselineLagP99Ms: baseline.detectionLagMs.p99,
  baselineLagMaxMs: baseline.detectionLagMs.max,
  floorCalls: floor.calls,
  floorLightsail: floor.byService.lightsail.calls,
  floorServiceDiscovery: floor.byService.servicediscovery.calls,
  floorSsmSap: floor.byService["ssm-sap"].calls,
  engineOverFloor: engine.calls / floor.calls,
  baselineOverEngine: baseline.calls / Math.max(1, engine.calls),
  baselineAnsweredOverEngine: baseline.answered / Math.max(1, engine.calls),
  engineWallMs: engine.wallMs,
  baselineWallMs: baseline.wallMs,
  engineCpuMs: engine.cpuMs,
  baselineCpuMs: baseline.cpuMs,
  enginePeakRssMB: engine.peakRssMB,
  baselinePeakRssMB: baseline.peakRssMB
})

/** One run of the comparison on one seed: the engine, then the baseline, then the floor. */
const runComparison = async (options: BenchOptions, seed: number): Promise<RunReport> => {
  const log = options.log ?? (() => undefined)
  const total = options.fleet.perService * services.length
  log(`seed ${seed}: engine, ${total} operations...`)
  const engine = await runSide("engine", options, seed)
  log(`seed ${seed}: baseline, ${total} operations...`)
  const baseline = await runSide("baseline", options, seed)
  const floor = floorOf(engine.operations, engine.side.detectionLagMs.p99)
  return {
    seed,
    engine: engine.side,
    baseline: baseline.side,
    floor,
    figures: figuresOf(engine.side, baseline.side, floor)
  }
}

/** The engine alone over a fleet of long-running operations: steady-state rounds after a warm-up. */
const runScaling = async (
  operations: number,
  options: BenchOptions,
  sources: "stack" | "engine"
): Promise<ScalingReport> => {
  const seed = options.seeds[0] ?? 42
  const emulator = await startEmulator({ port: 0, seed, timeScale: 1 })
  const child = await startChild(sources === "stack" ? "scaling" : "engine-only", emulator.endpoint)
  try {
    await child.expect("ready")
    const perService = Math.ceil(operations / 3)
    const planned = planFleet({
      ...options.fleet,
      seed,
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
      warmupRounds: options.scalingWarmupRounds,
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
    const sourceMsPerRound =
      result.measuredSourceMs === undefined ? null : result.measuredSourceMs / result.measuredRounds
    const engineCpuMsPerRound = cpuMsPerRound - (sourceMsPerRound ?? 0)
    const per1000 = (ms: number) => Math.round((ms / (result.operations / 1000)) * 100) / 100
    const round1 = (n: number) => Math.round(n * 10) / 10
    return {
      operations: result.operations,
      sources,
      warmupRounds: result.warmupRounds,
      warmupCpuMs: result.sweepCpuMs.slice(0, result.warmupRounds).map(round1),
      measuredRounds: result.measuredRounds,
      measuredSweepCpuMs: result.sweepCpuMs.slice(result.warmupRounds).map(round1),
      callsPerRound: round1(result.measuredCalls / result.measuredRounds),
      callsPerRoundByService: byService,
      cpuMsPerRound: round1(cpuMsPerRound),
      cpuMsPerRoundPer1000: per1000(cpuMsPerRound),
      sourceMsPerRound: sourceMsPerRound === null ? null : round1(sourceMsPerRound),
      engineCpuMsPerRound: round1(engineCpuMsPerRound),
      engineCpuMsPerRoundPer1000: per1000(engineCpuMsPerRound),
      cpuMsPerRoundByThread: Object.fromEntries(
        Object.entries(result.threadCpuMs)
          .filter(([, v]) => v > 0)
          .map(([k, v]) => [k, round1(v / result.measuredRounds)])
      ),
      heapGrowthMB: mb(result.heapAfterBytes - result.heapBeforeBytes),
      rssGrowthMB: mb(result.rssAfterBytes - result.rssBeforeBytes)
    }
  } finally {
    await child.stop()
    await emulator.stop()
  }
}

const fmt = (n: number, digits = 0) =>
  Number.isNaN(n)
    ? "n/a"
    : n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })

/** `a, b, c` of a figure over the runs. */
const perRun = (runs: ReadonlyArray<RunReport>, f: (r: RunFigures) => number, digits = 0) =>
  runs.map((r) => fmt(f(r.figures), digits)).join(", ")

/** The targets, on the medians over the runs (and the scaling runs after warm-up). */
export const targetsOf = (
  runs: ReadonlyArray<RunReport>,
  m: RunFigures,
  scaling: ReadonlyArray<ScalingReport>,
  policy: Policy
): Array<Target> => {
  const of = `median of ${runs.length} seed${runs.length === 1 ? "" : "s"}`
  const lagCap = policy.minDelayMillis + 500
  const targets: Array<Target> = [
    {
      figure: `engine calls vs one Smithy waiter per operation, same run, ${of}`,
      target: "at least 10x fewer",
      measured:
        `${fmt(m.baselineOverEngine, 1)}x fewer (${fmt(m.engineCalls)} vs ${fmt(m.baselineCalls)}; ` +
        `runs ${perRun(runs, (r) => r.baselineOverEngine, 1)}); against answered baseline calls only ` +
        `${fmt(m.baselineAnsweredOverEngine, 1)}x (${fmt(m.baselineAnswered)} answered, ${fmt(m.baselineThrottled)} throttled)`,
      met: m.baselineOverEngine >= 10
    },
    {
      figure: `engine calls vs the scenario's floor at the engine's own p99, ${of}`,
      target: "at most 1.15x",
      measured:
        `${fmt(m.engineOverFloor, 2)}x (${fmt(m.engineCalls)} vs ${fmt(m.floorCalls)} at ${fmt(m.engineLagP99Ms)} ms; ` +
        `runs ${perRun(runs, (r) => r.engineOverFloor, 2)})`,
      met: m.engineOverFloor <= 1.15
    },
    {
      figure: `engine p99 detection lag, ${of}`,
      target: `at most the baseline's p50, and at most minDelay + 0.5 s (${fmt(lagCap)} ms)`,
      measured:
        `${fmt(m.engineLagP99Ms)} ms vs baseline p50 ${fmt(m.baselineLagP50Ms)} ms ` +
        `(runs ${perRun(runs, (r) => r.engineLagP99Ms)} ms)`,
      met: m.engineLagP99Ms <= m.baselineLagP50Ms && m.engineLagP99Ms <= lagCap
    },
    {
      figure: "throttling errors surfaced to a caller, every run",
      target: "0",
      measured:
        `${perRun(runs, (r) => r.engineThrottlesSurfaced)} (engine throttled responses ` +
        `${perRun(runs, (r) => r.engineThrottled)}; waits ended in error ${perRun(runs, (r) => r.engineWaitErrors)})`,
      met: runs.every((r) => r.figures.engineThrottlesSurfaced === 0)
    }
  ]
  const alone = scaling.find((s) => s.operations === 10_000 && s.sources === "engine")
  targets.push({
    figure: "engine alone, 10,000 operations, CPU per round after warm-up",
    target: "under 2 ms per 1,000 operations",
    measured:
      alone === undefined
        ? "not measured in this run"
        : `${fmt(alone.engineCpuMsPerRoundPer1000, 2)} ms per 1,000 (${fmt(alone.engineCpuMsPerRound, 1)} ms a round: ` +
          `the process's ${fmt(alone.cpuMsPerRound, 1)} ms, every thread, less ${fmt(alone.sourceMsPerRound ?? 0, 1)} ms ` +
          `inside the in-memory sources building their pages; ${alone.warmupRounds} rounds discarded, ` +
          `${alone.measuredRounds} measured)`,
    met: alone === undefined ? null : alone.engineCpuMsPerRoundPer1000 < 2
  })
  for (const biggest of scaling.filter((s) => s.operations >= 10_000)) {
    targets.push({
      figure: `memory growth at ${fmt(biggest.operations)} (${biggest.sources === "stack" ? "through the SDK clients" : "engine alone"}), extra`,
      target: "under 50 MB",
      measured: `${biggest.rssGrowthMB} MB RSS, ${biggest.heapGrowthMB} MB heap`,
      met: biggest.rssGrowthMB < 50
    })
  }
  return targets
}

/** The packages whose code the benchmark measures. */
const measuredPackages = ["core", "lightsail", "servicediscovery", "ssm-sap", "emulator", "bench"]

/** The commit checked out, and the measured packages' files that differ from it; undefined outside git. */
const gitState = () => {
  try {
    const git = (...args: Array<string>) =>
      execFileSync("git", args, { cwd: packageRoot, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
    const commit = git("rev-parse", "HEAD").trim()
    const top = git("rev-parse", "--show-toplevel").trim()
    const status = execFileSync(
      "git",
      ["status", "--porcelain", "--", ...measuredPackages.map((p) => `packages/${p}/src`)],
      { cwd: top, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }
    )
    const uncommitted = status
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => line.slice(3))
    return { commit, uncommitted }
  } catch {
    return undefined
  }
}

/** Runs the whole benchmark. */
export const runBench = async (options: BenchOptions = defaultOptions): Promise<BenchReport> => {
  const log = options.log ?? (() => undefined)
  if (options.seeds.length === 0) throw new Error("the benchmark needs at least one seed")
  const git = gitState()
  const runs: Array<RunReport> = []
  for (const seed of options.seeds) runs.push(await runComparison(options, seed))
  const scaling: Array<ScalingReport> = []
  for (const n of options.scaling) {
    log(`scaling: ${n} operations through the SDK clients...`)
    scaling.push(await runScaling(n, options, "stack"))
    log(`scaling: ${n} operations, engine alone...`)
    scaling.push(await runScaling(n, options, "engine"))
  }
  const m = medianOf(runs.map((r) => r.figures)) as RunFigures
  return {
    generatedAt: new Date().toISOString(),
    environment: { node: process.version, cpus: cpus().length, platform: process.platform, git },
    options: { ...options, log: undefined },
    runs,
    median: m,
    scaling,
    targets: targetsOf(runs, m, scaling, options.policy)
  }
}
