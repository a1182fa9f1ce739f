/**
 * Starts the emulator: one node:http server on loopback that the real AWS SDK v3 clients reach
 * through their `endpoint` setting, with the admin surface beside the services, and the
 * programmatic controls tests and benchmarks use.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { ADMIN_PREFIX, handleAdminRequest } from "./Admin.js"
import { handleServiceRequest } from "./Frontend.js"
import { isLoopbackAddress, isLoopbackHost } from "./internal/loopback.js"
import type { EmulatorMetrics } from "./Metrics.js"
import {
  type CreateOperationInput,
  parseCreateOperationInput,
  parseScenario,
  type Scenario,
  type ServiceName
} from "./Scenario.js"
import { type OperationSnapshot, Simulation, type TransitionTarget } from "./Simulation.js"

/** Options of startEmulator. `seed` and `timeScale` win over the scenario's. */
export interface StartEmulatorOptions {
  /** 0 (the default) picks a free port. */
  readonly port?: number
  /**
   * Defaults to 127.0.0.1. A host that is not loopback (`0.0.0.0`, `::`, a LAN address) is
   * refused with `NonLoopbackHostError` unless `allowRemote` is true: the emulator has no auth.
   */
  readonly host?: string
  /** Listen on a host that is not loopback (the emulator has no auth: anyone who reaches it can drive it). */
  readonly allowRemote?: boolean
  readonly seed?: number
  readonly timeScale?: number
  readonly scenario?: Scenario
  /** The real clock, epoch ms; defaults to Date.now. Inject one to drive lifecycles in tests. */
  readonly now?: () => number
  /** Request bodies above this answer 413; defaults to 1 MiB. */
  readonly maxBodyBytes?: number
}

/** A running emulator. */
export interface Emulator {
  /** e.g. `http://127.0.0.1:4566`. */
  readonly endpoint: string
  readonly port: number
  /** Closes the server and every socket, keep-alive ones included. */
  stop(): Promise<void>
  /** Request counters per service, operation, outcome and region. */
  metrics(): EmulatorMetrics
  /** Creates an operation, with optional lifecycle overrides; returns its id and wire shape. */
  createOperation(input: CreateOperationInput): OperationSnapshot
  /** Forces an operation into a state now. Throws ScenarioError for an unknown id. */
  transition(
    service: ServiceName,
    id: string,
    to: TransitionTarget,
    reason?: { readonly errorCode?: string; readonly errorMessage?: string }
  ): OperationSnapshot
  /** The real instant (epoch ms of the injected clock) the operation turned or will turn terminal. */
  terminalAt(service: ServiceName, id: string): number | undefined
  /** Clears operations and metrics and restarts the seeded streams; the scenario in force is kept. */
  reset(): void
  /** Merges a partial scenario into the one in force (faults, rates, durations, time scale...). */
  configure(patch: Scenario): void
  /** The scenario in force. */
  scenario(): Scenario
  /** The current simulated time, epoch ms. */
  simulatedNow(): number
}

/**
 * Raised by `startEmulator` for a host that is not loopback (`0.0.0.0`, `::`, an empty host, a
 * LAN address, a name that does not resolve to loopback) unless `allowRemote` is true.
 */
export class NonLoopbackHostError extends Error {
  override readonly name = "NonLoopbackHostError"
  constructor(
    /** The host as given. */
    readonly host: string,
    /** The address it resolved to, when the name looked like loopback but was not. */
    readonly address?: string
  ) {
    super(
      `refusing to listen on ${JSON.stringify(host)}${address === undefined ? "" : ` (${address})`}: ` +
        "it is not a loopback address and the emulator has no authentication; " +
        "pass allowRemote: true (--allow-remote) to listen there anyway"
    )
  }
}

/** 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024

const formatHost = (host: string): string => (host.includes(":") ? `[${host}]` : host)

/** Starts an emulator and resolves once it listens. */
export const startEmulator = async (options: StartEmulatorOptions = {}): Promise<Emulator> => {
  const host = options.host ?? "127.0.0.1"
  const allowRemote = options.allowRemote === true
  if (!allowRemote && !isLoopbackHost(host)) throw new NonLoopbackHostError(host)
  const base = parseScenario(options.scenario ?? {})
  const scenario: Scenario = {
    ...base,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.timeScale !== undefined ? { timeScale: options.timeScale } : {})
  }
  const checked = parseScenario(scenario)
  const sim = new Simulation({ scenario: checked, now: options.now ?? Date.now })
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  const abort = new AbortController()

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    res.sendDate = false
    const handled = (req.url ?? "").startsWith(ADMIN_PREFIX)
      ? handleAdminRequest(req, res, sim, maxBodyBytes)
      : handleServiceRequest(req, res, { sim, maxBodyBytes, signal: abort.signal })
    handled.catch(() => {
      if (!res.headersSent) {
        res.writeHead(500)
        res.end()
      } else res.destroy()
    })
  }
  const server = createServer(onRequest)
  server.on("clientError", (_error, socket) => socket.destroy())

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject)
      resolve()
    })
  })
  const { address, port } = server.address() as AddressInfo
  // `localhost` is resolved by the system: if it named another address, close before serving.
  if (!allowRemote && !isLoopbackAddress(address)) {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
    throw new NonLoopbackHostError(host, address)
  }

  let stopping: Promise<void> | undefined
  const stop = (): Promise<void> => {
    stopping ??= new Promise<void>((resolve) => {
      abort.abort()
      server.close(() => resolve())
      server.closeAllConnections()
    })
    return stopping
  }

  return {
    endpoint: `http://${formatHost(host)}:${port}`,
    port,
    stop,
    metrics: () => sim.metrics.snapshot(),
    createOperation: (input) => sim.createOperation(parseCreateOperationInput(input)),
    transition: (service, id, to, reason) => sim.transition(service, id, to, reason),
    terminalAt: (service, id) => sim.terminalAt(service, id),
    reset: () => sim.reset(),
    configure: (patch) => sim.configure(parseScenario(patch)),
    scenario: () => sim.scenario(),
    simulatedNow: () => sim.clock.now()
  }
}
