/**
 * Every exit code from a real child process: 0, 1, 2, 3, 4, 130 and 143, their precedence,
 * and the `--json` stream checked line by line.
 */
import { createServer, type Socket } from "node:net"
import { describe, expect, it } from "vitest"
import {
  cliCommand,
  emulator,
  expectExit,
  explain,
  fast,
  jsonLines,
  runCli,
  runInProcess,
  spawnCli,
  type TestHooks
} from "./helpers.js"

const region = "us-east-1"
const long = 600_000

/** A TCP server on loopback that accepts every connection and never answers; closed when the test ends. */
const silentServer = async (hooks: TestHooks): Promise<string> => {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on("error", () => {})
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  hooks.onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  )
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("no port")
  return `http://127.0.0.1:${address.port}`
}

describe.concurrent("exit codes", () => {
  it("2: bad usage, each as one line without a stack", async () => {
    const runs = await Promise.all([
      runCli(["wait", "lightsail:us-east-1:not a uuid!"]),
      runCli(["wait", "--bogus", `lightsail:${region}:1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d`]),
      runCli(["wait", "--timeout", "soon", "-"], {
        stdin: "lightsail:us-east-1:1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d"
      }),
      runCli(["wait", "-"], { stdin: '{"Reservations": []}' }),
      runCli(["frobnicate"])
    ])
    for (const run of runs) {
      expectExit(run, 2)
      expect(run.stdout).toBe("")
      expect(run.stderr).toMatch(/^opstatus: [^\n]+\.\n$/)
      expect(run.stderr).not.toMatch(/\n\s+at /)
    }
    expect(runs[0]!.stderr).toContain("Invalid operation reference")
    expect(runs[1]!.stderr).toContain("unknown option --bogus.")
    expect(runs[1]!.stderr).toContain("Run opstatus wait --help")
    expect(runs[2]!.stderr).toContain('--timeout "soon" is not a duration')
    expect(runs[3]!.stderr).toContain("cannot read (keys: Reservations)")
    expect(runs[4]!.stderr).toContain('unknown command "frobnicate"')
  })

  it("2: an invalid list query (InvalidQuery)", async (ctx) => {
    const emu = await emulator(ctx)
    const run = await runCli(["list", "servicediscovery", "--type", "MAKE_COFFEE"], {
      env: { AWS_ENDPOINT_URL: emu.endpoint }
    })
    expectExit(run, 2)
    expect(run.stderr).toMatch(
      /^opstatus: servicediscovery list query: TYPE "MAKE_COFFEE" is not one of .*\. Check the filters/
    )
    expect(emu.metrics().counts.total).toBe(0)
  })

  it("3: a wait that times out, and 3 wins over 1", async (ctx) => {
    const emu = await emulator(ctx)
    // Held running: it cannot end before the timeout, however slow the machine.
    const slow = emu.createOperation({ service: "servicediscovery", type: "UPDATE_SERVICE" })
    emu.transition("servicediscovery", slow.id, "running")
    // The failed one is a finished snapshot on standard input: it needs no poll at all.
    const failed = JSON.stringify({
      operation: {
        id: "0f8e1c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
        resourceName: "disk-1",
        resourceType: "Disk",
        createdAt: "2024-05-01T12:00:00+00:00",
        location: { availabilityZone: "us-east-1a", regionName: region },
        isTerminal: true,
        operationType: "CreateDisk",
        status: "Failed",
        statusChangedAt: 1714565000,
        errorCode: "InsufficientCapacity",
        errorDetails: "There is not enough capacity to fulfill your request in this Availability Zone."
      }
    })
    const run = await runCli(["wait", "--success", "--timeout", "4s", ...fast, slow.id, "-"], {
      env: { AWS_ENDPOINT_URL: emu.endpoint },
      stdin: failed,
      hooks: ctx
    })
    expectExit(run, 3)
    explain(run, () => {
      // The last status seen, or "- -" if no poll came back before the deadline.
      expect(run.stdout).toMatch(
        new RegExp(`servicediscovery us-east-1 ${slow.id} (UPDATE_SERVICE PENDING|- -) -> timed-out`)
      )
      expect(run.stdout).toContain(
        "✖ lightsail:us-east-1:0f8e1c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b CreateDisk failed: InsufficientCapacity: There is not enough capacity"
      )
      expect(run.stdout).toMatch(/2 operations: 1 failed, 1 timed-out/)
      expect(run.stderr).toMatch(
        /^opstatus: Timed out after 4s(?: \d+ms)? waiting for servicediscovery:us-east-1:\S+.*Wait longer with --timeout/m
      )
    })
  })

  it("3: get and list against a server that accepts and never answers end at --timeout", async (ctx) => {
    const endpoint = await silentServer(ctx)
    const uuid = "1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d"
    const env = { AWS_ENDPOINT_URL: endpoint }
    const [get, json, list] = await Promise.all([
      runCli(["get", "--timeout", "1s", `lightsail:${region}:${uuid}`], { env, hooks: ctx }),
      runCli(["get", "--json", "--timeout", "1s", `ssm-sap:${region}:${uuid}`], { env, hooks: ctx }),
      runCli(["list", "servicediscovery", "--timeout", "1s"], { env, hooks: ctx })
    ])
    expectExit(get, 3)
    explain(get, () => {
      expect(get.stderr).toBe(
        `opstatus: get lightsail:us-east-1:${uuid} did not finish within 1.0s. The service did not answer in time: pass a longer --timeout, or check the endpoint (--endpoint-url, AWS_ENDPOINT_URL) and the network.\n`
      )
    })
    expectExit(json, 3)
    explain(json, () => {
      const done = jsonLines(json.stdout).at(-1)!
      expect(done).toMatchObject({
        event: "done",
        exitCode: 3,
        errors: [{ ref: `ssm-sap:us-east-1:${uuid}`, error: { _tag: "DeadlineError" } }],
        summary: { byStatus: { "timed-out": 1 } }
      })
    })
    expectExit(list, 3)
    explain(list, () => {
      expect(list.stderr).toMatch(/^opstatus: list servicediscovery did not finish within 1\.0s\. /)
    })
  })

  it("4: access denied, a missing profile, and no credentials at all", async (ctx) => {
    const emu = await emulator(ctx, { scenario: { deniedAccessKeys: ["AKIDDENIED"] } })
    const op = emu.createOperation({ service: "ssm-sap", applicationId: "hana-1", durationMs: long })
    const ref = `ssm-sap:${region}:${op.id}`
    const instance = emu.createOperation({ service: "lightsail", durationMs: long })
    const lightsailRef = `lightsail:${region}:${instance.id}`
    const noKeys = {
      AWS_ENDPOINT_URL: emu.endpoint,
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined
    }
    const [denied, profile, none, noneSdk] = await Promise.all([
      runCli(["wait", ...fast, ref], {
        env: { AWS_ENDPOINT_URL: emu.endpoint, AWS_ACCESS_KEY_ID: "AKIDDENIED" }
      }),
      runCli(["wait", "--profile", "nope", ref], { env: { AWS_ENDPOINT_URL: emu.endpoint } }),
      // Without credentials, through the SigV4 client and through an SDK client.
      runCli(["get", ref], { env: noKeys }),
      runCli(["wait", ...fast, lightsailRef], { env: noKeys })
    ])
    expectExit(denied, 4)
    expect(denied.stderr).toMatch(
      new RegExp(
        `^opstatus: ssm-sap denied access for ${ref} \\(AccessDeniedException\\): User with access key AKIDDENIED .*\\. Check that the credentials .* \\(ssm-sap:GetOperation\\)\\.\n$`
      )
    )
    expect(denied.stdout).toMatch(/1 operation: 1 denied/)
    expectExit(profile, 4)
    expect(profile.stderr).toBe(
      'opstatus: the profile "nope" is not in the AWS config or credentials file. Check --profile and AWS_PROFILE, or create it with: aws configure --profile nope.\n'
    )
    for (const [run, service, target] of [
      [none, "ssm-sap", ref],
      [noneSdk, "lightsail", lightsailRef]
    ] as const) {
      expectExit(run, 4)
      expect(run.stderr).toBe(
        `opstatus: ${service} could not authenticate the request for ${target}: no valid AWS credentials (CredentialsProviderError): Could not load credentials from any providers. Configure credentials: --profile, AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; refresh them if they expired.\n`
      )
    }
    expect(noneSdk.stdout).toMatch(/1 operation: 1 denied/)
    // The one request is the denied read: without credentials nothing is sent.
    expect(emu.metrics().counts.total).toBe(1)
  })

  it("1 and 0 with --json: every line parses; changes, then done", async (ctx) => {
    const durations = { queuedMs: [200, 200] as const, runningMs: [600, 600] as const }
    const emu = await emulator(ctx, { scenario: { services: { servicediscovery: { durations } } } })
    const ok = emu.createOperation({ service: "servicediscovery", type: "CREATE_NAMESPACE" })
    const bad = emu.createOperation({
      service: "servicediscovery",
      type: "REGISTER_INSTANCE",
      outcome: "failure",
      errorCode: "INTERNAL_FAILURE",
      errorMessage: "An internal failure occurred."
    })
    const refs = [ok.id, bad.id]
    const [lenient, strict] = await Promise.all([
      runCli(["wait", "--json", ...fast, ...refs], { env: { AWS_ENDPOINT_URL: emu.endpoint } }),
      runCli(["wait", "--json", "--success", ...fast, ...refs], { env: { AWS_ENDPOINT_URL: emu.endpoint } })
    ])
    expectExit(lenient, 0)
    expectExit(strict, 1)
    for (const run of [lenient, strict]) {
      const events = jsonLines(run.stdout)
      const done = events.at(-1)!
      expect(done.event).toBe("done")
      const changes = events.slice(0, -1)
      expect(changes.every((e) => e.event === "change")).toBe(true)
      for (const change of changes) {
        expect(change.at).toMatch(/^\d{4}-\d\d-\d\dT/)
        expect(change.operation.ref.service).toBe("servicediscovery")
        expect(typeof change.operation.createdAt).toBe("string")
        expect(change.operation.raw.Id).toBe(change.operation.ref.id)
      }
      const statusesOf = (id: string) =>
        changes.filter((e) => e.operation.ref.id === id).map((e) => e.operation.status)
      expect(statusesOf(ok.id).at(-1)).toBe("succeeded")
      expect(statusesOf(bad.id).at(-1)).toBe("failed")
      expect(done.operations).toHaveLength(2)
      expect(done.summary).toMatchObject({
        total: 2,
        byStatus: { succeeded: 1, failed: 1 },
        byService: { servicediscovery: { total: 2, succeeded: 1, failed: 1 } },
        failures: [{ ref: `servicediscovery:us-east-1:${bad.id}`, code: "INTERNAL_FAILURE" }]
      })
      expect(done.exitCode).toBe(run.code)
    }
  })

  it("130: Ctrl-C stops polling at once, prints the summary and exits 130", async (ctx) => {
    const emu = await emulator(ctx)
    const a = emu.createOperation({ service: "lightsail", type: "CreateInstance", durationMs: long })
    const b = emu.createOperation({ service: "ssm-sap", applicationId: "hana-1", durationMs: long })
    const cli = spawnCli(
      // A minute between reads: after the first two, no read falls due while the signal is on its
      // way, however slow the machine; a read after Ctrl-C could only be one the interrupt started.
      [
        "wait",
        "--min-delay",
        "1m",
        "--max-delay",
        "1m",
        `lightsail:${region}:${a.id}`,
        `ssm-sap:${region}:${b.id}`
      ],
      {
        env: { AWS_ENDPOINT_URL: emu.endpoint },
        hooks: ctx
      }
    )
    await cli.waitForStdout(`ssm-sap us-east-1 ${b.id} START_APPLICATION INPROGRESS -> running`)
    await cli.waitForStdout(`lightsail us-east-1 ${a.id}`)
    const requestsAtSignal = emu.metrics().counts.total
    cli.child.kill("SIGINT")
    const result = await cli.result
    expectExit(result, 130)
    // At most the reads already on their way (one per operation) arrive after Ctrl-C: no new poll starts.
    expect(emu.metrics().counts.total - requestsAtSignal).toBeLessThanOrEqual(2)
    expect(result.stdout).toMatch(
      /Interrupted after [\d.]+m?s: 2 operations: 1 running, 1 pending|Interrupted after [\d.]+m?s: 2 operations: 2 running/
    )
    expect(result.stdout).toMatch(/lightsail\s+1\s+1 (running|pending)/)
  })

  it("130 from the first moment: Ctrl-C while the command is still loading ends with 130 and what it knew", async (ctx) => {
    const emu = await emulator(ctx)
    const a = emu.createOperation({ service: "lightsail", type: "CreateInstance", durationMs: long })
    const b = emu.createOperation({ service: "ssm-sap", applicationId: "hana-1", durationMs: long })
    const [node, ...entry] = cliCommand
    const cli = spawnCli(["wait", `lightsail:${region}:${a.id}`, `ssm-sap:${region}:${b.id}`], {
      env: { AWS_ENDPOINT_URL: emu.endpoint },
      hooks: ctx,
      // The fixture says when the command adds its SIGINT listener: its first act, before it loads anything.
      command: [node, "--import", "./packages/cli/test/fixtures/announceSigint.mjs", ...entry]
    })
    await cli.waitForStderr("sigint-handler")
    cli.child.kill("SIGINT")
    const result = await cli.result
    expect(result.signal).toBeNull()
    expectExit(result, 130)
    expect(result.stdout).toMatch(/^Interrupted after [\d.]+m?s: 2 operations: 2 waiting$/m)
    expect(result.stdout).toMatch(/lightsail\s+1\s+1 waiting/)
    expect(result.stdout).toMatch(/ssm-sap\s+1\s+1 waiting/)
    // Stopped before its first read.
    expect(emu.metrics().counts.total).toBe(0)
  })

  it("130 before the first read: wait, get and list given an aborted signal read nothing", async (ctx) => {
    const emu = await emulator(ctx)
    const a = emu.createOperation({ service: "lightsail", type: "CreateInstance", durationMs: long })
    const controller = new AbortController()
    controller.abort(new Error("interrupted by SIGINT"))
    const options = { env: { AWS_ENDPOINT_URL: emu.endpoint }, signal: controller.signal }
    const [wait, get, list] = await Promise.all([
      runInProcess(["wait", `lightsail:${region}:${a.id}`], options),
      runInProcess(["get", `lightsail:${region}:${a.id}`], options),
      runInProcess(["list", "lightsail"], options)
    ])
    for (const result of [wait, get, list]) expectExit(result, 130)
    expect(wait.stdout).toMatch(/^Interrupted after [\d.]+m?s: 1 operation: 1 waiting$/m)
    expect(emu.metrics().counts.total).toBe(0)
  })

  it("143: SIGTERM stops polling, prints the summary and exits 143", async (ctx) => {
    const emu = await emulator(ctx)
    const op = emu.createOperation({ service: "servicediscovery", type: "UPDATE_SERVICE" })
    emu.transition("servicediscovery", op.id, "running")
    const cli = spawnCli(["wait", ...fast, op.id], { env: { AWS_ENDPOINT_URL: emu.endpoint }, hooks: ctx })
    await cli.waitForStdout(`servicediscovery us-east-1 ${op.id} UPDATE_SERVICE PENDING -> running`)
    cli.child.kill("SIGTERM")
    const result = await cli.result
    expectExit(result, 143)
    explain(result, () => {
      expect(result.stdout).toMatch(/Interrupted after [\d.]+m?s: 1 operation: 1 running/)
      expect(result.stderr).toBe("")
    })
  })

  it("2 wins over 4: every usage error is found before an unknown --profile", async () => {
    const uuid = "1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d"
    const ref = `lightsail:${region}:${uuid}`
    const nope = ["--profile", "nope"]
    const cases: Array<[ReadonlyArray<string>, RegExp, string?]> = [
      [["wait", ...nope, "lightsail:us-east-1:not a uuid!"], /Invalid operation reference/],
      [["wait", ...nope, "--service", "ec2", ref], /--service "ec2" is not a service/],
      [["wait", ...nope, "--max-delay", "10ms", ref], /--max-delay \(10ms\) is below/],
      [["wait", ...nope, "--min-delay", "10m", ref], /--min-delay \(10m00s\) is above/],
      [["wait", ...nope, "-"], /cannot read \(keys: Reservations\)/, '{"Reservations": []}'],
      [["get", ...nope, "--timeout", "soon", ref], /--timeout "soon" is not a duration/],
      [["get", ...nope, "gv4g5meo7ndmeh4fqskygvk23d2fijwa"], /cannot tell which service/],
      [["list", "lightsail", ...nope, "--limit", "0"], /--limit "0" is not a positive whole number/],
      [["list", "lightsail", ...nope, "--since", "yesterday"], /--since "yesterday" is neither/],
      [["list", "lightsail", ...nope, "--status", "bogus"], /--status "bogus" is not a lightsail status/],
      [["list", "ssm-sap", ...nope], /needs the application/],
      [["list", "lightsail", ...nope, "--namespace", "ns-1"], /--namespace applies to servicediscovery only/]
    ]
    for (const [args, message, stdin] of cases) {
      const result = await runInProcess(args, stdin === undefined ? {} : { stdin })
      explain(result, () => {
        expect(result.code, args.join(" ")).toBe(2)
        expect(result.stderr).toMatch(message)
        expect(result.stderr).not.toContain("profile")
      })
    }
    // With nothing else wrong, the profile is exit 4 (a child process, as a user runs it).
    const profile = await runCli(["list", "lightsail", ...nope])
    expectExit(profile, 4)
    expect(profile.stderr).toMatch(/^opstatus: the profile "nope" is not in the AWS config/)
  })
})
