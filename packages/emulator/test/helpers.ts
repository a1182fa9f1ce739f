/**
 * Shared test fixtures: a controllable clock, emulators that stop after each test, the real Lightsail
 * and Cloud Map clients, and SigV4-signed SSM for SAP requests read as they come off the wire.
 */
// The SDK warns on Node < 22 once per process; quiet it in tests.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true"

import { Lightsail } from "@aws-sdk/client-lightsail"
import { ServiceDiscovery } from "@aws-sdk/client-servicediscovery"
import { Sha256 } from "@smithy/core/checksum"
import { SignatureV4 } from "@smithy/signature-v4"
import { afterEach } from "vitest"
import { type Emulator, type StartEmulatorOptions, startEmulator } from "../src/index.js"

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

/** An SSM for SAP answer as it came: epoch-second timestamps, errors by status and `x-amzn-errortype`. */
export interface SapAnswer {
  readonly status: number
  readonly errorType: string | null
  readonly requestId: string | null
  readonly text: string
  /** The body parsed as JSON; undefined when it is not JSON. */
  readonly body: any
}

/**
 * SSM for SAP requests to the emulator, signed with SigV4 as the service expects: `call(path, input)`
 * resolves with the answer whatever its status; `ok(path, input)` returns the body of a 200 and throws
 * on anything else. (The SDK-shaped client is `@opstatus/ssm-sap/http`, tested in that package.)
 */
export const ssmSap = (emulator: Emulator, region = "us-east-1", accessKeyId?: string) => {
  const signer = new SignatureV4({
    service: "ssm-sap",
    region,
    credentials: credentials(accessKeyId),
    sha256: Sha256
  })
  const endpoint = new URL(emulator.endpoint)
  const call = async (path: string, input: object = {}): Promise<SapAnswer> => {
    const body = JSON.stringify(input)
    const signed = await signer.sign({
      method: "POST",
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      port: Number(endpoint.port),
      path,
      query: {},
      headers: { host: endpoint.host, "content-type": "application/json" },
      body
    })
    const { host: _host, ...headers } = signed.headers
    const response = await fetch(new URL(path, endpoint), { method: "POST", headers, body })
    const text = await response.text()
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      json = undefined
    }
    return {
      status: response.status,
      errorType: response.headers.get("x-amzn-errortype"),
      requestId: response.headers.get("x-amzn-requestid"),
      text,
      body: json
    }
  }
  const ok = async (path: string, input: object = {}): Promise<any> => {
    const answer = await call(path, input)
    if (answer.status !== 200)
      throw new Error(`${path} answered ${answer.status} ${answer.errorType}: ${answer.text}`)
    return answer.body
  }
  return { call, ok }
}

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
