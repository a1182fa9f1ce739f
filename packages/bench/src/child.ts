/**
 * A child process of the benchmark: the engine, the baseline, or a scaling
 * run, each alone in its process so its CPU time and memory are its own (the
 * emulator runs in the parent). Usage: `child.ts <mode> <endpoint>`.
 */

import { readdirSync, readFileSync } from "node:fs"
import { GetOperationCommand as LightsailGetOperation } from "@aws-sdk/client-lightsail"
import { GetOperationCommand as CloudMapGetOperation } from "@aws-sdk/client-servicediscovery"
import {
  createOperationStatus,
  type Operation,
  type OperationRef,
  type OperationSource,
  type RoundReport,
  type ServiceInfo,
  type WaitOutcome
} from "@opstatus/core"
import { lightsailService, lightsailSource } from "@opstatus/lightsail"
import { serviceDiscoveryService, serviceDiscoverySource } from "@opstatus/servicediscovery"
import { ssmSapService, ssmSapSource } from "@opstatus/ssm-sap"
import { createWaiter, WaiterState } from "@smithy/util-waiter"
import { Effect, Stream } from "effect"
import { type Clients, makeClients, region } from "./Clients.js"
import type {
  ChildMessage,
  Mode,
  ProcessStats,
  ScalingResult,
  ScalingRound,
  StartMessage,
  WaitRecord
} from "./Protocol.js"

const send = (message: ChildMessage) =>
  new Promise<void>((resolve) => {
    process.send?.(message, undefined, {}, () => resolve())
  })

const keyOf = (ref: { readonly service: string; readonly id: string }) => `${ref.service}:${ref.id}`

/** Samples the resident set size while a run lasts. */
const measure = () => {
  const started = Date.now()
  const cpu = process.cpuUsage()
  let peak = process.memoryUsage().rss
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 20)
  return (): ProcessStats => {
    clearInterval(timer)
    const used = process.cpuUsage(cpu)
    peak = Math.max(peak, process.memoryUsage().rss)
    return {
      wallMs: Date.now() - started,
      cpuUserMs: used.user / 1000,
      cpuSystemMs: used.system / 1000,
      peakRssBytes: peak
    }
  }
}

const sourcesOf = (clients: Clients) => [
  lightsailSource({ client: clients.lightsail, region }),
  serviceDiscoverySource({ client: clients.cloudMap, region }),
  ssmSapSource({ client: clients.ssmSap, region })
]

/** The final status, or the error's reason; an operation's own failure is an ending, not an error. */
const endingOf = (outcome: WaitOutcome): { ending: string; error: boolean } =>
  outcome.ok
    ? { ending: outcome.operation.status, error: false }
    : { ending: outcome.error.reason._tag, error: outcome.error.reason._tag !== "OperationFailed" }

/** The engine: one `waitForAll` over the whole fleet. */
const runEngine = async (clients: Clients, start: StartMessage) => {
  const status = createOperationStatus({ sources: sourcesOf(clients) })
  const detected = new Map<string, number>()
  const done = measure()
  const outcomes = await status.waitForAll(start.refs, {
    minDelay: start.policy.minDelayMillis,
    maxDelay: start.policy.maxDelayMillis,
    timeout: start.policy.timeoutMillis,
    onProgress: (op) => {
      if (op.terminal && !detected.has(keyOf(op.ref))) detected.set(keyOf(op.ref), Date.now())
    }
  })
  const stats = done()
  await status.close()
  const waits: Array<WaitRecord> = outcomes.map((outcome, i) => {
    const key = keyOf(start.refs[i]!)
    const at = detected.get(key)
    return { key, ...(at === undefined ? {} : { detectedAt: at }), ...endingOf(outcome) }
  })
  await send({ type: "result", mode: "engine", waits, stats })
}

type Check = () => Promise<{ state: WaiterState; reason?: unknown }>

/** The acceptor of one operation, as an SDK waiter would have it: any error means "retry". */
const checkOf = (clients: Clients, ref: OperationRef): Check => {
  const retryOnError = async (f: () => Promise<{ state: WaiterState; reason?: unknown }>) => {
    try {
      return await f()
    } catch (reason) {
      return { state: WaiterState.RETRY, reason }
    }
  }
  switch (ref.service) {
    case "lightsail":
      return () =>
        retryOnError(async () => {
          const out = await clients.lightsail.send(new LightsailGetOperation({ operationId: ref.id }))
          const status = out.operation?.status
          if (status === "Succeeded" || status === "Completed")
            return { state: WaiterState.SUCCESS, reason: out }
          if (status === "Failed") return { state: WaiterState.FAILURE, reason: out }
          return { state: WaiterState.RETRY, reason: out }
        })
    case "servicediscovery":
      return () =>
        retryOnError(async () => {
          const out = await clients.cloudMap.send(new CloudMapGetOperation({ OperationId: ref.id }))
          const status = out.Operation?.Status
          if (status === "SUCCESS") return { state: WaiterState.SUCCESS, reason: out }
          if (status === "FAIL") return { state: WaiterState.FAILURE, reason: out }
          return { state: WaiterState.RETRY, reason: out }
        })
    default:
      return () =>
        retryOnError(async () => {
          const out = await clients.ssmSap.getOperation({ OperationId: ref.id })
          const status = out.Operation?.Status
          if (status === "SUCCESS") return { state: WaiterState.SUCCESS, reason: out }
          if (status === "ERROR") return { state: WaiterState.FAILURE, reason: out }
          return { state: WaiterState.RETRY, reason: out }
        })
  }
}

/** The baseline: one Smithy `createWaiter` per operation, all at once. */
const runBaseline = async (clients: Clients, start: StartMessage) => {
  const done = measure()
  const waits = await Promise.all(
    start.refs.map(async (ref): Promise<WaitRecord> => {
      const key = keyOf(ref)
      const check = checkOf(clients, ref)
      try {
        const result = await createWaiter(
          {
            client: clients,
            maxWaitTime: start.policy.timeoutMillis / 1000,
            minDelay: start.policy.minDelayMillis / 1000,
            maxDelay: start.policy.maxDelayMillis / 1000
          },
          ref,
          () => check()
        )
        const at = Date.now()
        if (result.state === WaiterState.SUCCESS) return { key, detectedAt: at, ending: "succeeded" }
        if (result.state === WaiterState.FAILURE) return { key, detectedAt: at, ending: "failed" }
        return { key, ending: result.state, error: true }
      } catch (error) {
        return { key, ending: (error as Error).name ?? "Error", error: true }
      }
    })
  )
  await send({ type: "result", mode: "baseline", waits, stats: done() })
}

const gc = () => (globalThis as { gc?: () => void }).gc?.()

/** CPU time of each thread of this process (Linux), ms: where the CPU of a round goes. */
const threadCpu = (): Record<string, number> => {
  try {
    const out: Record<string, number> = {}
    for (const task of readdirSync("/proc/self/task")) {
      const stat = readFileSync(`/proc/self/task/${task}/stat`, "utf8")
      const name = readFileSync(`/proc/self/task/${task}/comm`, "utf8").trim()
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
      const key = task === String(process.pid) ? "main" : name
      out[key] = (out[key] ?? 0) + (Number(fields[11]) + Number(fields[12])) * 10
    }
    return out
  } catch {
    return {}
  }
}

const infoOf: Readonly<Record<string, ServiceInfo>> = {
  lightsail: lightsailService,
  servicediscovery: serviceDiscoveryService,
  "ssm-sap": ssmSapService
}

/** Operations a page of the in-memory list read carries. */
const pageSize = 200

/**
 * CPU ms spent inside the in-memory sources building their answers (each page's and read's fresh
 * operation objects): the stand-in for the SDK's deserialization, measured so the engine's own CPU
 * can be told from it. Building a page is synchronous, so the process's CPU while it runs is the
 * page's (CPU, not elapsed time: a busy machine that preempts the process does not inflate it, and
 * it is part of the process's CPU of the same window, so the engine's share is never negative).
 */
let sourceMs = 0
const timed = <A>(build: () => A): A => {
  const started = process.cpuUsage()
  try {
    return build()
  } finally {
    const used = process.cpuUsage(started)
    sourceMs += (used.user + used.system) / 1000
  }
}

/**
 * In-memory sources with the adapters' service info and batch shapes (one
 * list read a lane, its pages of fresh operation objects, as a client would
 * deserialize them): what the engine costs without the SDK and HTTP under it.
 */
const memorySources = (): ReadonlyArray<OperationSource> =>
  (["lightsail", "servicediscovery", "ssm-sap"] as const).map((service): OperationSource => {
    const operationOf = (ref: OperationRef): Operation => ({
      ref,
      type: "CreateInstance",
      status: "running",
      terminal: false,
      rawStatus: "Started",
      resource: { type: "Instance", name: ref.id },
      createdAt: new Date(1_700_000_000_000),
      updatedAt: new Date(1_700_000_001_000),
      region,
      raw: { id: ref.id, status: "Started" }
    })
    return {
      info: infoOf[service]!,
      checkRegion: () => Effect.void,
      get: (ref) => Effect.sync(() => timed(() => operationOf(ref))),
      list: () => Stream.empty,
      refsFromResponse: () => [],
      batch: {
        plan: (_region, candidates) => [
          {
            key: "memory",
            covers: candidates,
            complete: true,
            page: (gate, token) =>
              gate(
                Effect.sync(() =>
                  timed(() => {
                    const start = token === undefined ? 0 : Number(token)
                    const items = candidates.slice(start, start + pageSize).map((c) => operationOf(c.ref))
                    const next = start + pageSize < candidates.length ? String(start + pageSize) : undefined
                    return { items, next }
                  })
                )
              )
          }
        ]
      }
    }
  })

/** CPU ms (user + system) of this process so far. */
const cpuNow = () => {
  const used = process.cpuUsage()
  return (used.user + used.system) / 1000
}

/**
 * Steady-state rounds of the engine over long-running operations: the first
 * `warmupRounds` sweeps are discarded (V8 compiles the round's code over the
 * first few, which cost several times a steady one), the next `rounds` are
 * measured.
 */
const runScaling = async (clients: Clients, start: StartMessage, memory: boolean) => {
  const rounds: Array<ScalingRound> = []
  const perLane = new Map<string, number>()
  const lanes = new Set(start.refs.map((r) => r.service))
  const roundsDone = () => Math.min(...[...lanes].map((s) => perLane.get(s) ?? 0))
  /** CPU at the end of each sweep (every lane one more round), from `cpuAtStart`. */
  const sweepEnds: Array<number> = []
  let cpuAtStart = 0
  let notify: (() => void) | undefined
  const onRound = (report: RoundReport) => {
    rounds.push({
      service: report.service,
      calls: report.calls,
      pending: report.pending,
      durationMs: report.endedAt - report.startedAt
    })
    perLane.set(report.service, (perLane.get(report.service) ?? 0) + 1)
    if (roundsDone() > sweepEnds.length) sweepEnds.push(cpuNow())
    notify?.()
  }
  const rate = start.rate ?? 1_000
  const status = createOperationStatus({
    sources: memory ? memorySources() : sourcesOf(clients),
    fleet: { rateLimit: { start: rate, min: rate / 10, max: rate }, onRound }
  })
  const until = (n: number) =>
    new Promise<void>((resolve) => {
      notify = () => {
        if (roundsDone() >= n) resolve()
      }
      notify()
    })
  gc()
  const heapBefore = process.memoryUsage().heapUsed
  const rssBefore = process.memoryUsage().rss
  cpuAtStart = cpuNow()
  const poller = await status.beginWaitForAll(start.refs, {
    minDelay: start.policy.minDelayMillis,
    maxDelay: start.policy.maxDelayMillis,
    timeout: start.policy.timeoutMillis
  })
  // The first round at least: it learns what each list read costs.
  const warmup = Math.max(1, start.warmupRounds ?? 1)
  await until(warmup)
  const windowStart = rounds.length
  const lanesBefore = new Map(perLane)
  const cpu = process.cpuUsage()
  const sourceBefore = sourceMs
  const threadsBefore = threadCpu()
  const started = Date.now()
  const wanted = start.rounds ?? 5
  await until(warmup + wanted)
  const used = process.cpuUsage(cpu)
  const measuredSourceMs = sourceMs - sourceBefore
  const threadsAfter = threadCpu()
  const wallMs = Date.now() - started
  const measured = rounds.slice(windowStart)
  const lanesRounds = [...lanes].map((s) => (perLane.get(s) ?? 0) - (lanesBefore.get(s) ?? 0))
  const measuredRounds = lanesRounds.reduce((a, b) => a + b, 0) / lanesRounds.length
  gc()
  const heapAfter = process.memoryUsage().heapUsed
  const rssAfter = process.memoryUsage().rss
  poller.cancel()
  await poller.done.catch(() => undefined)
  await status.close()
  const result: ScalingResult = {
    type: "scaling",
    operations: start.refs.length,
    rounds,
    warmupRounds: warmup,
    sweepCpuMs: sweepEnds.map((at, i) => at - (i === 0 ? cpuAtStart : sweepEnds[i - 1]!)),
    measuredRounds,
    measuredCalls: measured.reduce((sum, r) => sum + r.calls, 0),
    measuredCpuMs: (used.user + used.system) / 1000,
    ...(memory ? { measuredSourceMs } : {}),
    measuredWallMs: wallMs,
    threadCpuMs: Object.fromEntries(
      Object.entries(threadsAfter).map(([k, v]) => [k, v - (threadsBefore[k] ?? 0)])
    ),
    heapBeforeBytes: heapBefore,
    heapAfterBytes: heapAfter,
    rssBeforeBytes: rssBefore,
    rssAfterBytes: rssAfter
  }
  await send(result)
}

const main = async () => {
  const [mode, endpoint] = process.argv.slice(2) as [Mode, string]
  const clients = makeClients(endpoint, mode === "baseline" ? "sdk-default" : "engine")
  const started = new Promise<StartMessage>((resolve) => {
    process.on("message", (message: StartMessage) => {
      if (message.type === "start") resolve(message)
    })
  })
  await send({ type: "ready" })
  const start = await started
  try {
    if (mode === "engine") await runEngine(clients, start)
    else if (mode === "baseline") await runBaseline(clients, start)
    else await runScaling(clients, start, mode === "engine-only")
  } catch (error) {
    await send({ type: "error", message: String((error as Error)?.stack ?? error) })
  } finally {
    clients.destroy()
    process.disconnect?.()
    // Keep-alive sockets and SDK timers would keep the process up.
    process.exit(0)
  }
}

main()
