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
import { type Emulator, startEmulator } from "@opstatus/emulator"
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

/** The services this suite drives. */
type ServiceName = "lightsail" | "servicediscovery" | "ssm-sap"

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
const opstatus = async (
  args: ReadonlyArray<string>,
  endpoint: string,
  signal: AbortSignal = new AbortController().signal
): Promise<Ran> => {
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
    signal
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

/** Fast polling. */
const fast = ["--min-delay", "10ms", "--max-delay", "20ms"]

/**
 * The answers that do not end a command at once: a wait absorbs them until its deadline (not
 * found until its grace, an unknown status until the operation ends), `get` retries them at the
 * service's own pace.
 */
const retried = new Set(["throttled", "unavailable", "not found", "malformed", "unknown status"])

const every: ReadonlyArray<ServiceName> = ["lightsail", "servicediscovery", "ssm-sap"]

/** A command and the services it calls. */
interface Command {
  readonly args: ReadonlyArray<string>
  readonly services: ReadonlyArray<ServiceName>
}

/** The lists: one service's per answer, each service's in turn (they share the classifier). */
const lists: ReadonlyArray<Command> = [
  { args: ["list", "lightsail", "--json", "--debug"], services: ["lightsail"] },
  { args: ["list", "servicediscovery", "--debug"], services: ["servicediscovery"] },
  { args: ["list", "ssm-sap", "--application", "hana", "--json", "--debug"], services: ["ssm-sap"] }
]

/** get and wait (JSON and plain) on a ref of each service, and a list. */
const commandsFor = (index: number): ReadonlyArray<Command> => [
  { args: ["get", "--json", "--debug", ...allRefs], services: every },
  { args: ["wait", "--json", "--debug", ...fast, ...allRefs], services: every },
  { args: ["wait", "--debug", "--success", ...fast, ...allRefs], services: every },
  lists[index % lists.length]!
]

/**
 * Runs a command against a server of its own answering `answer`. It ends by itself, or, where
 * it would go on (an answer a wait absorbs, a read `get` retries at the service's pace), by
 * Ctrl-C once every service it calls has been asked twice: by then the first answer was read.
 */
const runAgainst = async (
  answer: (seen: SeenRequest) => Answer,
  command: Command
): Promise<{ readonly ran: Ran; readonly server: CraftedServer }> => {
  const server = await startCraftedServer(answer)
  const ctrlC = new AbortController()
  server.onRequest(() => {
    if (command.services.every((service) => server.count(service) >= 2)) ctrlC.abort()
  })
  try {
    const ran = await opstatus([...command.args, "--timeout", "30s"], server.endpoint, ctrlC.signal)
    return { ran, server }
  } finally {
    await server.stop()
  }
}

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

describe.concurrent("opstatus with credentials in the environment, against answers that echo them", () => {
  const servers: Array<CraftedServer> = []
  beforeAll(async () => {
    // Loads every module the commands load on first use (the SDK clients among them), so no
    // deadline below is spent on loading.
    const server = await startCraftedServer(answers.denied!)
    servers.push(server)
    await Promise.all([
      opstatus(["get", ...allRefs], server.endpoint),
      opstatus(["wait", ...fast, ...allRefs], server.endpoint),
      opstatus(["list", "lightsail"], server.endpoint)
    ])
  })
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()))
  })

  for (const [index, [name, answer]] of Object.entries(answers).entries()) {
    it(`${name}: get, wait and list, with --json and --debug and without`, async () => {
      const commands = commandsFor(index)
      const runs = await Promise.all(commands.map((command) => runAgainst(answer, command)))
      if (retried.has(name)) {
        // A wait that ends at its deadline: its message names the last read's error, when one was
        // read in time (how many were depends on the machine; none leaks either way).
        const server = await startCraftedServer(answer)
        servers.push(server)
        const ran = await opstatus(
          ["wait", "--json", "--debug", ...fast, "--timeout", "1500ms", ...allRefs],
          server.endpoint
        )
        runs.push({ ran, server })
      }
      for (const { ran, server } of runs) {
        for (const seen of server.seen) expect(seen.securityToken).toBe(credentials.sessionToken)
        if (name === "unknown status") {
          // An operation's own fields are printed as the service reported them (docs/errors.md,
          // "Credentials in errors"); the warning about the status cuts the credentials.
          expect(leaksIn(ran.stderr, secretWindows(server.signatures())), explain(ran)).toEqual([])
          if (ran.args[0] === "get") expect(ran.stderr, explain(ran)).toContain("<redacted>")
          continue
        }
        expectClean(ran, server.signatures())
        expect(`${ran.stdout}${ran.stderr}`, explain(ran)).not.toBe("")
      }
      // Every command but the deadline's was answered: the check above had the echo to look at.
      for (const { server } of runs.slice(0, commands.length)) expect(server.seen.length).toBeGreaterThan(0)
      if (name === "denied") {
        // The access key ID is printed as the service said it.
        const { ran } = runs[0]!
        expect(`${ran.stdout}${ran.stderr}`, explain(ran)).toContain(ACCESS_KEY_ID)
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
      opstatus(["wait", "--json", "--debug", "--success", ...fast, ...failed], emulator.endpoint),
      opstatus(["wait", "--debug", "--success", ...fast, ...failed], emulator.endpoint),
      opstatus(["wait", "--json", "--debug", ...fast, "--timeout", "400ms", ...running], emulator.endpoint),
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
