/**
 * What the chaos suite shares: its scale, one emulator with the three real
 * clients and their sources, a clock the engine's own rounds move, a fault
 * schedule applied round by round, the emulator's record of each operation
 * (the truth every outcome is judged against), and the figures.
 *
 * Determinism: the emulator's "real" clock is injected and moves one step
 * once every lane still waiting has finished a round since the last step
 * (a barrier), so an operation's lifecycle, and how long a new operation
 * stays invisible, are counted in rounds of every lane, not in wall-clock
 * time. Faults are forced per lane round: each lane meets, in its first
 * seven rounds, eventual consistency alone, then every request throttled,
 * malformed, a 5xx, malformed again, throttled, reset; after that a mix of
 * 5xx and resets with a throttled round every fourth. Operations end 8 steps
 * in at the earliest, and a step is a round of every lane, so every lane
 * meets all of it. Malformed answers come in exactly two rounds of a lane
 * (rounds 3 and 5, or the next ones while the emulator's counter shows a
 * malformed round missing), and an operation is read at most once a round,
 * so none can meet the three in a row that would rightly end its wait:
 * every outcome is decided by the scenario alone.
 */
import { LightsailClient } from "@aws-sdk/client-lightsail"
import { ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery"
import {
  createOperationStatus,
  hasReason,
  isOpstatusError,
  type Operation,
  type OperationRef,
  type OperationSource,
  type OperationStatusApi,
  type OperationStatusOptions,
  type OpstatusError,
  type RoundReport
} from "@opstatus/core"
import {
  type Counts,
  type Emulator,
  type Scenario,
  type ServiceName,
  type ServiceSettings,
  startEmulator
} from "@opstatus/emulator"
import { lightsailSource } from "@opstatus/lightsail"
import { serviceDiscoverySource } from "@opstatus/servicediscovery"
import { ssmSapSource } from "@opstatus/ssm-sap"
import { SsmSapHttpClient } from "@opstatus/ssm-sap/http"

/** True for `pnpm reliability:chaos`. */
export const large = process.env.RELIABILITY_SCALE === "large"

/** Figures lines are printed at large scale, or with `RELIABILITY_FIGURES=1`. */
export const showFigures = large || process.env.RELIABILITY_FIGURES === "1"

export const region = "us-east-1"

export const services: ReadonlyArray<ServiceName> = ["lightsail", "servicediscovery", "ssm-sap"]

const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "x" } as const

// ---------------------------------------------------------------------------
// Unhandled rejections

/** Counts the process's unhandled rejections from `install()` until `uninstall()`. */
export const unhandledRejections = () => {
  const seen: Array<unknown> = []
  const listener = (reason: unknown) => {
    seen.push(reason)
  }
  return {
    seen,
    install: () => {
      process.on("unhandledRejection", listener)
    },
    uninstall: () => {
      process.off("unhandledRejection", listener)
    }
  }
}

// ---------------------------------------------------------------------------
// The clock the rounds move

/** The emulator's "real" clock, injected: it moves only when `advance` is called. */
export class ManualClock {
  private ms = Date.now()
  readonly now = (): number => this.ms
  advance(ms: number): void {
    this.ms += ms
  }
}

/**
 * Moves a `ManualClock` one step each time every service still waited on has
 * reported a round since the last step: each step is at least one round of
 * every live lane, however fast or slow each lane runs on this machine.
 */
export class RoundBarrier {
  private readonly pending = new Map<string, number>()
  private readonly reported = new Set<string>()
  /** Steps taken so far. */
  steps = 0

  constructor(
    private readonly clock: ManualClock,
    private readonly stepMs: number
  ) {}

  /** Waits that will run on a service's lane. */
  expect(service: string, count: number): void {
    this.pending.set(service, (this.pending.get(service) ?? 0) + count)
  }

  /** One wait on a service has ended. */
  ended(service: string): void {
    this.pending.set(service, (this.pending.get(service) ?? 0) - 1)
    this.check()
  }

  /** A lane of the service finished a round. */
  report(service: string): void {
    this.reported.add(service)
    this.check()
  }

  private check(): void {
    let live = 0
    for (const [service, count] of this.pending) {
      if (count <= 0) continue
      live++
      if (!this.reported.has(service)) return
    }
    if (live === 0) return
    this.reported.clear()
    this.steps++
    this.clock.advance(this.stepMs)
  }
}

// ---------------------------------------------------------------------------
// The fault schedule

/** An empty bucket that never refills: every request throttled (the first ever takes its one token). */
const throttleAll = { perSecond: 0, burst: 1 } as const

/** Rounds of a lane in which it met malformed answers, at most: two, so no operation meets three in a row. */
export const malformedRoundsPerLane = 2

/**
 * What a lane's `round`th round (from 1) meets, given how many of its
 * rounds have met malformed answers so far; see the module comment.
 */
export const roundSettings = (round: number, malformedRounds: number): ServiceSettings => {
  const none = { error5xxRate: 0, resetRate: 0, malformedRate: 0 }
  const malformed = { rateLimit: null, faults: { ...none, malformedRate: 1 } }
  const throttled = { rateLimit: throttleAll, faults: none }
  switch (round) {
    case 1:
      return { rateLimit: null, faults: none }
    case 2:
    case 6:
      return throttled
    case 4:
      return { rateLimit: null, faults: { ...none, error5xxRate: 1 } }
    case 7:
      return { rateLimit: null, faults: { ...none, resetRate: 1 } }
    default:
      // Rounds 3 and 5, and later ones until the lane has met malformed answers in two rounds.
      if (malformedRounds < malformedRoundsPerLane) return malformed
      return round % 4 === 2
        ? throttled
        : { rateLimit: null, faults: { ...none, error5xxRate: 0.1, resetRate: 0.1 } }
  }
}

/**
 * The fault schedule: configures each service for its lane's next round,
 * counts the rounds in which the emulator answered it malformed (by its own
 * counter: a round without a malformed answer gave none to any operation),
 * and moves the barrier.
 */
export const faultSchedule = (emulator: Emulator, barrier: RoundBarrier) => {
  const rounds = new Map<string, number>()
  const malformedRounds = new Map<string, number>()
  const malformedSeen = new Map<string, number>()
  const configure = (service: ServiceName, round: number) =>
    emulator.configure({
      services: { [service]: roundSettings(round, malformedRounds.get(service) ?? 0) }
    } as Scenario)
  for (const service of services) configure(service, 1)
  const reports: Array<RoundReport> = []
  return {
    rounds,
    malformedRounds,
    reports,
    onRound: (report: RoundReport) => {
      reports.push(report)
      const service = report.service as ServiceName
      const n = (rounds.get(service) ?? 0) + 1
      rounds.set(service, n)
      const malformed = callsOf(emulator, service).malformed
      if (malformed > (malformedSeen.get(service) ?? 0)) {
        malformedRounds.set(service, (malformedRounds.get(service) ?? 0) + 1)
      }
      malformedSeen.set(service, malformed)
      configure(service, n + 1)
      barrier.report(service)
    }
  }
}

// ---------------------------------------------------------------------------
// The stack

export interface ChaosStack {
  readonly emulator: Emulator
  readonly sources: ReadonlyArray<OperationSource<any>>
  /** An `OperationStatus` over the stack's sources, closed when the stack stops. */
  readonly open: (options?: Partial<OperationStatusOptions>) => OperationStatusApi
  readonly stop: () => Promise<void>
}

export const startChaosStack = async (options: {
  readonly scenario: Scenario
  readonly seed: number
  readonly now?: () => number
  readonly timeScale?: number
  readonly includeSteps?: boolean
}): Promise<ChaosStack> => {
  const emulator = await startEmulator({
    port: 0,
    seed: options.seed,
    scenario: options.scenario,
    ...(options.timeScale === undefined ? {} : { timeScale: options.timeScale }),
    ...(options.now === undefined ? {} : { now: options.now })
  })
  // The engine owns retries: one attempt per request.
  const config = { endpoint: emulator.endpoint, region, credentials, maxAttempts: 1 }
  const lightsail = new LightsailClient(config)
  const cloudMap = new ServiceDiscoveryClient(config)
  const ssmSap = new SsmSapHttpClient({ endpoint: emulator.endpoint, region, credentials })
  const sources = [
    lightsailSource({ client: lightsail }),
    serviceDiscoverySource({ client: cloudMap }),
    ssmSapSource({ client: ssmSap, region, includeSteps: options.includeSteps ?? false })
  ]
  const opened: Array<OperationStatusApi> = []
  return {
    emulator,
    sources,
    open: (given) => {
      const status = createOperationStatus({ sources, ...given })
      opened.push(status)
      return status
    },
    stop: async () => {
      await Promise.all(opened.splice(0).map((status) => status.close()))
      lightsail.destroy()
      cloudMap.destroy()
      await emulator.stop()
    }
  }
}

// ---------------------------------------------------------------------------
// The fleet

/** How a fleet groups its operations, and which carry no hint. */
export interface FleetShape {
  /** Lightsail operations per resource. */
  readonly perResource: number
  /** Cloud Map operations per service. */
  readonly perService: number
  /** SSM for SAP operations per application. */
  readonly perApplication: number
  /** Every `unhinted`th operation carries no hint (0: all carry one). */
  readonly unhinted: number
}

/** Resources of one or two operations, services of ten, applications of five; every fifth without a hint. */
export const chaosShape: FleetShape = { perResource: 2, perService: 10, perApplication: 5, unhinted: 5 }

/**
 * `n` operations spread over the three services (the first third Lightsail,
 * then Cloud Map, then SSM for SAP), grouped as `shape` says, with the hints
 * mutating responses give, or none (so both list reads and reads by ID
 * happen). Their lifecycles are the scenario's.
 */
export const createFleet = (
  emulator: Emulator,
  n: number,
  shape: FleetShape = chaosShape
): Array<OperationRef> => {
  const refs: Array<OperationRef> = []
  for (let i = 0; i < n; i++) {
    const service = services[Math.floor((i * services.length) / n)]!
    const hinted = shape.unhinted === 0 || i % shape.unhinted !== shape.unhinted - 1
    if (service === "lightsail") {
      const resourceName = `web-${Math.floor(i / shape.perResource)}`
      const { id } = emulator.createOperation({ service, resourceName })
      refs.push({ service, region, id, ...(hinted ? { hints: { resourceName } } : {}) })
    } else if (service === "servicediscovery") {
      const serviceId = `srv-${Math.floor(i / shape.perService)}`
      const { id } = emulator.createOperation({
        service,
        type: "REGISTER_INSTANCE",
        serviceId,
        instanceId: `i-${i}`
      })
      refs.push({ service, region, id, ...(hinted ? { hints: { serviceId } } : {}) })
    } else {
      const applicationId = `hana-${Math.floor(i / shape.perApplication)}`
      const { id } = emulator.createOperation({ service, applicationId })
      refs.push({ service, region, id, ...(hinted ? { hints: { applicationId } } : {}) })
    }
  }
  return refs
}

// ---------------------------------------------------------------------------
// The truth, and judging outcomes against it

/** How the emulator says an operation ended, from its admin surface. */
export interface Truth {
  readonly status: "succeeded" | "failed" | "not ended"
  readonly code?: string | undefined
  readonly message?: string | undefined
}

const text = (u: unknown): string | undefined => (typeof u === "string" ? u : undefined)

/** The emulator's own record of an operation: `GET /_emulator/operations/{service}/{id}`. */
export const truthOf = async (endpoint: string, ref: OperationRef): Promise<Truth> => {
  const response = await fetch(
    `${endpoint}/_emulator/operations/${ref.service}/${encodeURIComponent(ref.id)}`
  )
  if (response.status !== 200) throw new Error(`the emulator has no ${ref.service} operation ${ref.id}`)
  const { wire } = (await response.json()) as { wire: Record<string, unknown> }
  switch (ref.service) {
    case "lightsail":
      return wire.status === "Failed"
        ? { status: "failed", code: text(wire.errorCode), message: text(wire.errorDetails) }
        : { status: wire.status === "Succeeded" || wire.status === "Completed" ? "succeeded" : "not ended" }
    case "servicediscovery":
      return wire.Status === "FAIL"
        ? { status: "failed", code: text(wire.ErrorCode), message: text(wire.ErrorMessage) }
        : { status: wire.Status === "SUCCESS" ? "succeeded" : "not ended" }
    default:
      // SSM for SAP says no error code, only a message.
      return wire.Status === "ERROR"
        ? { status: "failed", message: text(wire.StatusMessage) }
        : { status: wire.Status === "SUCCESS" ? "succeeded" : "not ended" }
  }
}

/** A wait's ending as either API gives it. */
export type Ending =
  | { readonly ok: true; readonly operation: Operation }
  | { readonly ok: false; readonly error: unknown }

const throttlingCodes = new Set([
  "ThrottlingException",
  "RequestLimitExceeded",
  "Throttling",
  "TooManyRequests"
])

/** True when the error says the service throttled: what must never reach a caller. */
export const isThrottle = (error: unknown): boolean => {
  if (!isOpstatusError(error)) return false
  if (hasReason(error, "Throttled") || throttlingCodes.has(error.code ?? "")) return true
  return hasReason(error, "WaitTimeout") && error.reason.lastError?._tag === "Throttled"
}

const describe = (error: unknown): string =>
  isOpstatusError(error) ? `${error.reason._tag}: ${error.message}` : String(error)

/**
 * Whether a wait (`waitForSuccess`, or `waitForAll` with `requireSuccess`)
 * ended as the emulator's record says: a success with the succeeded
 * operation, a failure with `OperationFailed` carrying the service's code and
 * message. Returns what is wrong, or undefined.
 */
export const judge = (ref: OperationRef, truth: Truth, ending: Ending): string | undefined => {
  const where = `${ref.service}:${ref.id}`
  if (truth.status === "succeeded") {
    if (!ending.ok) return `${where}: succeeded, but the wait ended ${describe(ending.error)}`
    const op = ending.operation
    if (op.status !== "succeeded" || op.ref.id !== ref.id)
      return `${where}: succeeded, but the wait saw ${op.status}`
    return undefined
  }
  if (truth.status === "failed") {
    if (ending.ok) return `${where}: failed, but the wait succeeded`
    const error = ending.error as OpstatusError
    if (!hasReason(error, "OperationFailed")) return `${where}: failed, but the wait ended ${describe(error)}`
    if (error.code !== truth.code || error.serviceMessage !== truth.message) {
      return `${where}: failed with ${truth.code}: ${truth.message}, the wait said ${error.code}: ${error.serviceMessage}`
    }
    if (error.ref?.id !== ref.id) return `${where}: the failure names ${error.ref?.id}`
    return undefined
  }
  return `${where}: the emulator says it has not ended, yet the wait ended ${ending.ok ? "ok" : describe(ending.error)}`
}

// ---------------------------------------------------------------------------
// Figures

const none: Counts = { total: 0, ok: 0, throttled: 0, "error-4xx": 0, "error-5xx": 0, reset: 0, malformed: 0 }

/** One service's request counts, by outcome. */
export const callsOf = (emulator: Emulator, service: ServiceName): Counts =>
  emulator.metrics().services[service]?.counts ?? none

/** Counts per service of what the emulator injected, for the figures line. */
export const injected = (emulator: Emulator) =>
  Object.fromEntries(
    services.map((service) => {
      const c = callsOf(emulator, service)
      return [
        service,
        {
          requests: c.total,
          throttled: c.throttled,
          notFound: c["error-4xx"],
          "5xx": c["error-5xx"],
          reset: c.reset,
          malformed: c.malformed
        }
      ]
    })
  )

/** Prints one figures line at large scale, or with `RELIABILITY_FIGURES=1`. */
export const printFigures = (name: string, figures: Record<string, unknown>): void => {
  if (showFigures) console.log(`figures ${name}: ${JSON.stringify(figures)}`)
}
