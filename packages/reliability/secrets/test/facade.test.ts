/**
 * The one-line package `opstatus`, whose clients take the credentials from the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) through the SDK's default
 * chain and the endpoint from AWS_ENDPOINT_URL: a denial and a failed authentication that echo
 * the request's credentials hold none of them in any serialization, and neither does a warning.
 * (This file sets process.env for its own process and restores it.)
 */
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createOpstatus, isOpstatusError, type OpstatusError } from "opstatus"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  ACCESS_KEY_ID,
  type CraftedServer,
  credentials,
  echoOf,
  leaksIn,
  secretWindows,
  serializations,
  serviceError,
  startCraftedServer
} from "../../support/secrets.js"

const region = "us-east-1"
const refs = [
  `lightsail:${region}:4b8a2c1e-0000-4000-8000-000000000001`,
  `servicediscovery:${region}:abcdefghijklmnopqrstuvwxyz234567`,
  `ssm-sap:${region}:12345678-1234-4234-8234-123456789012`
]

describe("opstatus (the one-line package) with credentials in the environment", () => {
  let server: CraftedServer
  const saved: Record<string, string | undefined> = {}
  const setEnv = (values: Record<string, string>) => {
    for (const [key, value] of Object.entries(values)) {
      saved[key] = process.env[key]
      process.env[key] = value
    }
  }

  beforeAll(async () => {
    let n = 0
    server = await startCraftedServer((seen) =>
      // Every other request is a denial naming the access key, the rest a token the service does not know.
      n++ % 2 === 0
        ? serviceError(
            400,
            "AccessDeniedException",
            `User: arn:aws:iam::123456789012:user/alice (${ACCESS_KEY_ID}) is not authorized. ${echoOf(seen)}`
          )
        : serviceError(
            400,
            "UnrecognizedClientException",
            `The security token included in the request is invalid. ${echoOf(seen)}`
          )
    )
    const home = mkdtempSync(join(tmpdir(), "opstatus-secrets-facade-"))
    writeFileSync(join(home, "config"), "")
    writeFileSync(join(home, "credentials"), "")
    setEnv({
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_SESSION_TOKEN: credentials.sessionToken,
      AWS_REGION: region,
      AWS_ENDPOINT_URL: server.endpoint,
      AWS_CONFIG_FILE: join(home, "config"),
      AWS_SHARED_CREDENTIALS_FILE: join(home, "credentials"),
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_MAX_ATTEMPTS: "1"
    })
  })

  afterAll(async () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
    await server.stop()
  })

  it("get and waitForSuccess: no piece of a secret in any serialization or warning", async () => {
    const warnings: Array<string> = []
    const status = createOpstatus({ onWarning: (w) => warnings.push(w) })
    try {
      const errors: Array<unknown> = []
      for (const ref of refs) {
        errors.push(await status.get(ref).catch((e: unknown) => e))
        errors.push(await status.waitForSuccess(ref, { timeout: "30 seconds" }).catch((e: unknown) => e))
      }
      expect(server.seen.length).toBeGreaterThanOrEqual(errors.length)
      for (const seen of server.seen) expect(seen.securityToken).toBe(credentials.sessionToken)
      const windows = secretWindows(server.signatures())
      for (const error of errors) {
        expect(isOpstatusError(error), String(error)).toBe(true)
        const e = error as OpstatusError
        expect(["AccessDenied", "Unauthenticated"]).toContain(e.reason._tag)
        expect(e.serviceMessage).toContain("<redacted>")
        if (e.reason._tag === "AccessDenied") expect(e.message).toContain(ACCESS_KEY_ID)
        for (const [how, text] of Object.entries(serializations(error))) {
          expect(leaksIn(text, windows), `${e.reason._tag} ${how}`).toEqual([])
        }
      }
      for (const warning of warnings) expect(leaksIn(warning, windows)).toEqual([])
    } finally {
      await status.close()
    }
  })
})
