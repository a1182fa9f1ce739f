/**
 * One emulator and the three real clients pointed at it, wired into
 * opstatus sources: the stack a user runs, with AWS swapped for loopback.
 * Tests steer the emulator between two rounds of the engine (`onRounds`):
 * they force faults on or off and move operations to their end at a known
 * point of the engine's progress, not at a wall-clock instant.
 */
import { LightsailClient } from "@aws-sdk/client-lightsail"
import { ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery"
import {
  createOperationStatus,
  type FleetOptions,
  isOpstatusError,
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
  startEmulator
} from "@opstatus/emulator"
import { lightsailSource } from "@opstatus/lightsail"
import { serviceDiscoverySource } from "@opstatus/servicediscovery"
import { ssmSapSource } from "@opstatus/ssm-sap"
import { SsmSapHttpClient } from "@opstatus/ssm-sap/http"
import { expect } from "vitest"

export const region = "us-east-1"

export const services: ReadonlyArray<ServiceName> = ["lightsail", "servicediscovery", "ssm-sap"]

const none: Counts = { total: 0, ok: 0, throttled: 0, "error-4xx": 0, "error-5xx": 0, reset: 0, malformed: 0 }

/**
 * Fast polling for tests: the emulator runs operations on a scaled clock. The timeout only stops
 * a wait that would hang: waits end when their operations do, so it is far beyond what a test
 * takes on a machine at a load average of 15.
 */
export const quick = {
  minDelay: 10,
  maxDelay: 40,
  timeout: "2 minutes",
  notFoundGrace: "5 seconds"
} as const

/** Longer than any test: an operation that ends only when a test moves it to its end. */
export const forever = 365 * 24 * 3_600_000

export interface Stack {
  readonly emulator: Emulator
  readonly lightsail: LightsailClient
  readonly cloudMap: ServiceDiscoveryClient
  readonly ssmSap: SsmSapHttpClient
  readonly sources: ReadonlyArray<OperationSource<any>>
  /** An `OperationStatus` over the stack's sources (unless given others), closed when the stack stops. */
  readonly open: (options?: Partial<OperationStatusOptions>) => OperationStatusApi
  /** Requests the emulator answered for one service (and operation name), by outcome. */
  readonly calls: (service: ServiceName, operation?: string) => Counts
  /** Closes every `OperationStatus` it opened, then the clients and the emulator. */
  readonly stop: () => Promise<void>
}

export const startStack = async (
  options: { scenario?: Scenario; timeScale?: number; seed?: number; accessKeyId?: string } = {}
): Promise<Stack> => {
  const emulator = await startEmulator({
    port: 0,
    seed: options.seed ?? 1,
    timeScale: options.timeScale ?? 1000,
    ...(options.scenario === undefined ? {} : { scenario: options.scenario })
  })
  const credentials = { accessKeyId: options.accessKeyId ?? "AKIDEXAMPLE", secretAccessKey: "x" }
  // The engine owns retries; the SDK's own retries would only slow the tests down.
  const config = { endpoint: emulator.endpoint, region, credentials, maxAttempts: 1 }
  const lightsail = new LightsailClient(config)
  const cloudMap = new ServiceDiscoveryClient(config)
  const ssmSap = new SsmSapHttpClient({ endpoint: emulator.endpoint, region, credentials })
  const sources = [
    lightsailSource({ client: lightsail }),
    serviceDiscoverySource({ client: cloudMap }),
    ssmSapSource({ client: ssmSap, region, includeSteps: true })
  ]
  const opened: Array<OperationStatusApi> = []
  return {
    emulator,
    lightsail,
    cloudMap,
    ssmSap,
    sources,
    open: (given) => {
      const status = createOperationStatus({ sources, ...given })
      opened.push(status)
      return status
    },
    calls: (service, operation) => {
      const m = emulator.metrics().services[service]
      return (operation === undefined ? m.counts : m.byOperation[operation]) ?? none
    },
    stop: async () => {
      await Promise.all(opened.splice(0).map((status) => status.close()))
      lightsail.destroy()
      cloudMap.destroy()
      await emulator.stop()
    }
  }
}

/** Runs `f` on a fresh stack and stops the stack afterwards, whatever happened. */
export const withStack = async <A>(
  options: Parameters<typeof startStack>[0],
  f: (stack: Stack) => Promise<A>
): Promise<A> => {
  const stack = await startStack(options)
  try {
    return await f(stack)
  } finally {
    await stack.stop()
  }
}

/**
 * A fleet `onRound` that runs `steps[n]` right after the `n`th round (from 1)
 * of the service's lane, before its next round starts.
 */
export const onRounds = (
  service: ServiceName,
  steps: Readonly<Record<number, (report: RoundReport) => void>>
): NonNullable<FleetOptions["onRound"]> => {
  let n = 0
  return (report) => {
    if (report.service !== service) return
    n += 1
    steps[n]?.(report)
  }
}

/** Settles a promise into its rejection (fails the test if it resolves). */
export const rejection = async (promise: PromiseLike<unknown>): Promise<unknown> => {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error("expected the call to fail, but it succeeded")
}

/** The reason of an `OpstatusError` (and a readable failure for anything else). */
export const reasonOf = (error: unknown): OpstatusError["reason"] => {
  expect(isOpstatusError(error), String(error)).toBe(true)
  return (error as OpstatusError).reason
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
