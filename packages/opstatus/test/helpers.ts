/**
 * The emulator on loopback and the AWS settings a user's environment would
 * hold, pointed at it: `AWS_ENDPOINT_URL`, `AWS_REGION`, static test keys,
 * and no settings file, profile or instance metadata of the machine the
 * tests run on. The default instance reads them as the SDK does.
 */
import { isOpstatusError, type OpstatusError } from "@opstatus/core"
import { type Emulator, startEmulator } from "@opstatus/emulator"
import { expect, vi } from "vitest"

/** The default chain's region in every test. */
export const defaultRegion = "us-east-1"
/** A region other than the default chain's. */
export const otherRegion = "eu-west-1"

export const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "x" } as const

/** Fast polling for waits that do poll: the emulator runs operations on a scaled clock. */
export const quick = {
  minDelay: 10,
  maxDelay: 40,
  timeout: "20 seconds",
  notFoundGrace: "5 seconds"
} as const

/** The environment of a user whose AWS settings point at the emulator. */
export const awsEnv = (endpoint: string): Record<string, string | undefined> => ({
  AWS_ENDPOINT_URL: endpoint,
  AWS_REGION: defaultRegion,
  AWS_ACCESS_KEY_ID: credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  // The engine owns retries; the SDK's own would only slow the tests down.
  AWS_MAX_ATTEMPTS: "1",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  // Nothing of the machine's own AWS settings.
  AWS_CONFIG_FILE: "/nonexistent/opstatus-test/config",
  AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/opstatus-test/credentials",
  AWS_EC2_METADATA_DISABLED: "true",
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: undefined,
  AWS_DEFAULT_PROFILE: undefined,
  AWS_DEFAULT_REGION: undefined,
  AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: undefined,
  AWS_ENDPOINT_URL_LIGHTSAIL: undefined,
  AWS_ENDPOINT_URL_SERVICEDISCOVERY: undefined,
  AWS_ENDPOINT_URL_SSM_SAP: undefined,
  AWS_ENDPOINT_URL_CLOUDFORMATION: undefined,
  AWS_ENDPOINT_URL_ECS: undefined,
  AWS_ENDPOINT_URL_CLOUDCONTROL: undefined,
  AWS_ENDPOINT_URL_ROUTE_53: undefined,
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
  AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
  AWS_WEB_IDENTITY_TOKEN_FILE: undefined
})

/** Sets the environment of `awsEnv` in this process (until `vi.unstubAllEnvs()`). */
export const stubAwsEnv = (endpoint: string): void => {
  for (const [name, value] of Object.entries(awsEnv(endpoint))) vi.stubEnv(name, value)
}

/** An emulator whose operations run a thousand times faster than real time. */
export const start = (): Promise<Emulator> => startEmulator({ port: 0, seed: 7, timeScale: 1000 })

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
