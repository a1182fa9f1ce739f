/**
 * One emulator and the three real clients pointed at it, wired into
 * opstatus sources: the stack a user runs, with AWS swapped for loopback.
 */
import { LightsailClient } from "@aws-sdk/client-lightsail"
import { ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery"
import { createOperationStatus, type OperationSource } from "@opstatus/core"
import {
  type Counts,
  type Emulator,
  type Scenario,
  type ServiceName,
  SsmSapHttpClient,
  startEmulator
} from "@opstatus/emulator"
import { lightsailSource } from "@opstatus/lightsail"
import { serviceDiscoverySource } from "@opstatus/servicediscovery"
import { ssmSapSource } from "@opstatus/ssm-sap"

export const region = "us-east-1"

const none: Counts = { total: 0, ok: 0, throttled: 0, "error-4xx": 0, "error-5xx": 0, reset: 0, malformed: 0 }

/** Fast polling for tests: the emulator runs operations on a scaled clock. */
export const quick = {
  minDelay: 10,
  maxDelay: 40,
  timeout: "10 seconds",
  notFoundGrace: "5 seconds"
} as const

export interface Stack {
  readonly emulator: Emulator
  readonly lightsail: LightsailClient
  readonly cloudMap: ServiceDiscoveryClient
  readonly ssmSap: SsmSapHttpClient
  readonly sources: ReadonlyArray<OperationSource<any>>
  readonly status: ReturnType<typeof createOperationStatus>
  /** Requests the emulator answered for one service (and operation name), by outcome. */
  readonly calls: (service: ServiceName, operation?: string) => Counts
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
  // The waiter owns retries; the SDK's own retries would only slow the tests down.
  const config = { endpoint: emulator.endpoint, region, credentials, maxAttempts: 1 }
  const lightsail = new LightsailClient(config)
  const cloudMap = new ServiceDiscoveryClient(config)
  const ssmSap = new SsmSapHttpClient({ endpoint: emulator.endpoint, region, credentials })
  const sources = [
    lightsailSource({ client: lightsail }),
    serviceDiscoverySource({ client: cloudMap }),
    ssmSapSource({ client: ssmSap, region, includeSteps: true })
  ]
  return {
    emulator,
    lightsail,
    cloudMap,
    ssmSap,
    sources,
    status: createOperationStatus({ sources }),
    calls: (service, operation) => {
      const m = emulator.metrics().services[service]
      return (operation === undefined ? m.counts : m.byOperation[operation]) ?? none
    },
    stop: async () => {
      lightsail.destroy()
      cloudMap.destroy()
      await emulator.stop()
    }
  }
}
