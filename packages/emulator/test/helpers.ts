/** Shared test fixtures: a controllable clock, emulators that stop after each test, and the real clients. */
// The SDK warns on Node < 22 once per process; quiet it in tests.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true"

import { Lightsail } from "@aws-sdk/client-lightsail"
import { ServiceDiscovery } from "@aws-sdk/client-servicediscovery"
import { afterEach } from "vitest"
import { type Emulator, SsmSapHttpClient, type StartEmulatorOptions, startEmulator } from "../src/index.js"

/** A clock tests move by hand. */
export class ManualClock {
  constructor(public t = 1_700_000_000_000) {}
  readonly now = (): number => this.t
  advance(ms: number): void {
    this.t += ms
  }
}

const running: Emulator[] = []

afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => emulator.stop()))
})

/** Starts an emulator that is stopped after the current test. */
export const start = async (options: StartEmulatorOptions = {}): Promise<Emulator> => {
  const emulator = await startEmulator(options)
  running.push(emulator)
  return emulator
}

/** Static test credentials. */
export const credentials = (accessKeyId = "AKIDEXAMPLE") => ({ accessKeyId, secretAccessKey: "x" })

/** A real Lightsail client pointed at the emulator, without retries. */
export const lightsail = (emulator: Emulator, region = "us-east-1", accessKeyId?: string) =>
  new Lightsail({
    endpoint: emulator.endpoint,
    region,
    credentials: credentials(accessKeyId),
    maxAttempts: 1
  })

/** A real Cloud Map client pointed at the emulator, without retries. */
export const cloudMap = (emulator: Emulator, region = "us-east-1", accessKeyId?: string) =>
  new ServiceDiscovery({
    endpoint: emulator.endpoint,
    region,
    credentials: credentials(accessKeyId),
    maxAttempts: 1
  })

/** The SSM for SAP client pointed at the emulator. */
export const ssmSap = (emulator: Emulator, region = "us-east-1", accessKeyId?: string) =>
  new SsmSapHttpClient({ endpoint: emulator.endpoint, region, credentials: credentials(accessKeyId) })

/** Settles a promise into its rejection (fails the test if it resolves). */
export const rejection = async (promise: Promise<unknown>): Promise<any> => {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error("expected the call to fail, but it succeeded")
}

/** A scenario setting queued and running durations of every service to fixed values. */
export const fixedDurations = (queuedMs: number, runningMs: number) => {
  const durations = { queuedMs: [queuedMs, queuedMs] as const, runningMs: [runningMs, runningMs] as const }
  return {
    lightsail: { durations },
    servicediscovery: { durations },
    "ssm-sap": { durations }
  }
}
