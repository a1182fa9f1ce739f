/**
 * The CLI with recognisable credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
 * AWS_SESSION_TOKEN, run in this process through `run` as `packages/cli/test/inProcess.test.ts`
 * does: `get`, `wait` and `list`, with `--json` and `--debug` and without, against a crafted
 * server whose errors echo the request's Authorization header, signature and session token, and
 * against the emulator. Neither output holds any piece of the secret key, the token or a
 * signature; a denial's access key ID is printed as the service said it.
 */
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { run } from "@opstatus/cli"
import { type Emulator, type ServiceName, startEmulator } from "@opstatus/emulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  ACCESS_KEY_ID,
  type Answer,
  type CraftedServer,
  credentials,
  echoOf,
  leaksIn,
  type SeenRequest,
  secretWindows,
  serviceError,
  startCraftedServer
} from "../../support/secrets.js"

const region = "us-east-1"

const refs: Record<ServiceName, string> = {
  lightsail: `lightsail:${region}:4b8a2c1e-0000-4000-8000-000000000001`,
  servicediscovery: `servicediscovery:${region}:abcdefghijklmnopqrstuvwxyz234567`,
  "ssm-sap": `ssm-sap:${region}:12345678-1234-4234-8234-123456789012`
}
const allRefs = Object.values(refs)

const home = mkdtempSync(join(tmpdir(), "opstatus-secrets-"))
writeFileSync(join(home, "config"), "")
writeFileSync(join(home, "credentials"), "")

/** Nothing from the real environment but PATH; the recognisable credentials; the endpoint. */
const envFor = (endpoint: string): Record<string, string> => ({
  PATH: process.env.PATH ?? "",
  HOME: home,
  AWS_CONFIG_FILE: join(home, "config"),
  AWS_SHARED_CREDENTIALS_FILE: join(home, "credentials"),
  AWS_EC2_METADATA_DISABLED: "true",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  AWS_REGION: region,
  AWS_ACCESS_KEY_ID: credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  AWS_SESSION_TOKEN: credentials.sessionToken,
  AWS_ENDPOINT_URL: endpoint
})

interface Ran {
  readonly args: ReadonlyArray<string>
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** `opstatus <args>` in this process. */
const opstatus = async (args: ReadonlyArray<string>, endpoint: string): Promise<Ran> => {
  let stdout = ""
  let stderr = ""
  const code = await run(args, {
    stdin: async function* () {},
    stdout: {
      write: (chunk: string) => {
        stdout += chunk
        return true
      }
    },
    stderr: {
      write: (chunk: string) => {
        stderr += chunk
        return true
      }
    },
    env: envFor(endpoint),
    isTTY: false,
    columns: 160,
    rows: 50,
    signal: new AbortController().signal
  })
  return { args, code, stdout, stderr }
}

/** Fails with each piece of a secret either output holds, naming the command. */
const expectClean = (ran: Ran, signatures: ReadonlyArray<string>): void => {
  const windows = secretWindows(signatures)
  const found = [
    ...leaksIn(ran.stdout, windows).map((leak) => `stdout: ${leak}`),
    ...leaksIn(ran.stderr, windows).map((leak) => `stderr: ${leak}`)
  ]
  expect(found, `opstatus ${ran.args.join(" ")}`).toEqual([])
}

const explain = (ran: Ran) =>
  `opstatus ${ran.args.join(" ")}: exit ${ran.code}\n--- stdout:\n${ran.stdout}\n--- stderr:\n${ran.stderr}`

/** Fast polling, a short deadline: waits on answers that never settle end at it. */
const quick = ["--min-delay", "10ms", "--max-delay", "20ms", "--timeout", "400ms"]

const denial = (seen: SeenRequest) =>
  `User: arn:aws:iam::123456789012:user/alice (access key ${ACCESS_KEY_ID}) is not authorized to perform: ${seen.service}:GetOperation. ${echoOf(seen)}`

const notFound: Record<ServiceName, string> = {
  lightsail: "NotFoundException",
  servicediscovery: "OperationNotFound",
  "ssm-sap": "ResourceNotFoundException"
}

const answers: Record<string, (seen: SeenRequest) => Answer> = {
  denied: (seen) => serviceError(400, "AccessDeniedException", denial(seen)),
  unauthenticated: (seen) =>
    serviceError(
      400,
      "UnrecognizedClientException",
      `The security token included in the request is invalid. ${echoOf(seen)}`
    ),
  signature: (seen) =>
    serviceError(
      403,
      "InvalidSignatureException",
      `The request signature we calculated does not match the signature you provided. ${echoOf(seen)}`
    ),
  throttled: (seen) => serviceError(400, "ThrottlingException", `Rate exceeded. ${echoOf(seen)}`),
  unavailable: (seen) => serviceError(503, "ServiceUnavailableException", `Try again. ${echoOf(seen)}`),
  "not found": (seen) => serviceError(400, notFound[seen.service], `No such operation. ${echoOf(seen)}`),
  invalid: (seen) => serviceError(400, "ValidationException", `1 validation error detected. ${echoOf(seen)}`),
  unknown: (seen) => serviceError(418, "TeapotException", `I am a teapot. ${echoOf(seen)}`),
  malformed: (seen) => ({ status: 200, body: `<html>${echoOf(seen)}</html>` }),
  "unknown status": (seen) => {
    const status = `Weird ${echoOf(seen)}`
    const operation = { Id: "x", Status: status, id: "x", status }
    return { status: 200, body: JSON.stringify({ operation, Operation: operation }) }
  }
}

describe("opstatus with credentials in the environment, against answers that echo them", () => {
  const servers: Array<CraftedServer> = []
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()))
  })

  for (const [name, answer] of Object.entries(answers)) {
    it(`${name}: get, wait and list, with --json and --debug and without`, async () => {
      const server = await startCraftedServer(answer)
      servers.push(server)
      const runs = await Promise.all([
        // get retries a throttled, unavailable or malformed read at the service's own pace: the deadline cuts that short.
        opstatus(["get", "--json", "--debug", "--timeout", "400ms", ...allRefs], server.endpoint),
        opstatus(["get", "--debug", "--timeout", "400ms", ...allRefs], server.endpoint),
        opstatus(["wait", "--json", "--debug", ...quick, ...allRefs], server.endpoint),
        opstatus(["wait", "--debug", "--success", ...quick, ...allRefs], server.endpoint),
        opstatus(["list", "lightsail", "--json", "--debug", "--timeout", "400ms"], server.endpoint),
        opstatus(["list", "servicediscovery", "--debug", "--timeout", "400ms"], server.endpoint),
        opstatus(
          ["list", "ssm-sap", "--application", "hana", "--json", "--debug", "--timeout", "400ms"],
          server.endpoint
        )
      ])
      expect(server.seen.length).toBeGreaterThan(0)
      for (const seen of server.seen) expect(seen.securityToken).toBe(credentials.sessionToken)
      for (const ran of runs) {
        if (name === "unknown status") {
          // An operation's own fields are printed as the service reported them (docs/errors.md,
          // "Credentials in errors"); the warning about the status cuts the credentials.
          expect(leaksIn(ran.stderr, secretWindows(server.signatures())), explain(ran)).toEqual([])
          if (ran.args[0] !== "list") expect(ran.stderr, explain(ran)).toContain("<redacted>")
          continue
        }
        expectClean(ran, server.signatures())
        // Each run said something about what went wrong (or, for an unknown status, what it read).
        expect(`${ran.stdout}${ran.stderr}`, explain(ran)).not.toBe("")
      }
      if (name === "denied") {
        // The access key ID is printed as the service said it.
        const [getJson] = runs
        expect(`${getJson!.stdout}${getJson!.stderr}`, explain(getJson!)).toContain(ACCESS_KEY_ID)
      }
    })
  }
})

describe("opstatus against the emulator, with the same credentials", () => {
  let emulator: Emulator
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, seed: 5, timeScale: 1 })
  })
  afterAll(() => emulator.stop())

  const create = (service: ServiceName) => {
    const op = emulator.createOperation({ service, account: ACCESS_KEY_ID, region })
    emulator.transition(service, op.id, "running")
    return { op, ref: `${service}:${region}:${op.id}` }
  }

  it("a failed operation, a timeout, a bad ref, a denied key: --json and --debug hold no secret", async () => {
    const failed = (["lightsail", "servicediscovery", "ssm-sap"] as const).map((service) => {
      const { op, ref } = create(service)
      emulator.transition(service, op.id, "failed", { errorCode: "Boom", errorMessage: "it failed" })
      return ref
    })
    const running = (["lightsail", "servicediscovery", "ssm-sap"] as const).map(
      (service) => create(service).ref
    )
    const runs = await Promise.all([
      opstatus(["wait", "--json", "--debug", "--success", ...quick, ...failed], emulator.endpoint),
      opstatus(["wait", "--debug", "--success", ...quick, ...failed], emulator.endpoint),
      opstatus(["wait", "--json", "--debug", ...quick, ...running], emulator.endpoint),
      opstatus(["get", "--json", "--debug", "lightsail:nowhere:x", "nonsense"], emulator.endpoint),
      opstatus(["list", "lightsail", "--json", "--debug", "--limit", "0"], emulator.endpoint),
      opstatus(["wait", "--debug", "--timeout", "soon", ...running], emulator.endpoint)
    ])
    emulator.configure({ deniedAccessKeys: [ACCESS_KEY_ID] })
    runs.push(await opstatus(["get", "--json", "--debug", ...running], emulator.endpoint))
    emulator.configure({ deniedAccessKeys: [] })
    for (const ran of runs) {
      expectClean(ran, [])
      expect(`${ran.stdout}${ran.stderr}`, explain(ran)).not.toBe("")
      expect(ran.code, explain(ran)).not.toBe(0)
    }
  })
})
