/**
 * Every exit code from a real child process: 0, 1, 2, 3, 4 and 130, their precedence,
 * and the `--json` stream checked line by line.
 */
import { describe, expect, it } from "vitest"
import { emulator, expectExit, fast, jsonLines, runCli, spawnCli } from "./helpers.js"

const region = "us-east-1"
const long = 600_000

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
    expect(runs[1]!.stderr).toContain("Unknown option '--bogus'")
    expect(runs[1]!.stderr).toContain("Run opstatus wait --help")
    expect(runs[2]!.stderr).toContain('--timeout "soon" is not a duration')
    expect(runs[3]!.stderr).toContain("cannot read (keys: Reservations)")
    expect(runs[4]!.stderr).toContain('unknown command "frobnicate"')
  })

  it("2: an invalid list query (InvalidQueryError)", async (ctx) => {
    const emu = await emulator(ctx)
    const run = await runCli(["list", "servicediscovery", "--type", "MAKE_COFFEE"], {
      env: { AWS_ENDPOINT_URL: emu.endpoint }
    })
    expectExit(run, 2)
    expect(run.stderr).toMatch(/^opstatus: TYPE "MAKE_COFFEE" is not one of .*\. Check the filters/)
    expect(emu.metrics().counts.total).toBe(0)
  })

  it("3: a wait that times out, and 3 wins over 1", async (ctx) => {
    const emu = await emulator(ctx)
    const slow = emu.createOperation({
      service: "servicediscovery",
      type: "UPDATE_SERVICE",
      durationMs: long
    })
    const failed = emu.createOperation({ service: "lightsail", type: "CreateDisk", resourceName: "disk-1" })
    emu.transition("lightsail", failed.id, "failed", {
      errorCode: "InsufficientCapacity",
      errorMessage: "There is not enough capacity to fulfill your request in this Availability Zone."
    })
    const run = await runCli(
      ["wait", "--success", "--timeout", "1500ms", ...fast, slow.id, `lightsail:${region}:${failed.id}`],
      { env: { AWS_ENDPOINT_URL: emu.endpoint } }
    )
    expectExit(run, 3)
    expect(run.stdout).toContain(
      `servicediscovery us-east-1 ${slow.id} UPDATE_SERVICE SUBMITTED -> timed-out`
    )
    expect(run.stdout).toContain(
      `✖ lightsail:us-east-1:${failed.id} CreateDisk failed: InsufficientCapacity: There is not enough capacity`
    )
    expect(run.stdout).toMatch(/2 operations: 1 failed, 1 timed-out/)
    expect(run.stderr).toMatch(
      /^opstatus: Timed out after 1s 500ms waiting for servicediscovery:us-east-1:\S+; last status SUBMITTED \(pending\)\. Wait longer with --timeout/m
    )
  })

  it("4: access denied, a missing profile, and no credentials at all", async (ctx) => {
    const emu = await emulator(ctx, { scenario: { deniedAccessKeys: ["AKIDDENIED"] } })
    const op = emu.createOperation({ service: "ssm-sap", applicationId: "hana-1", durationMs: long })
    const ref = `ssm-sap:${region}:${op.id}`
    const [denied, profile, none] = await Promise.all([
      runCli(["wait", ...fast, ref], {
        env: { AWS_ENDPOINT_URL: emu.endpoint, AWS_ACCESS_KEY_ID: "AKIDDENIED" }
      }),
      runCli(["wait", "--profile", "nope", ref], { env: { AWS_ENDPOINT_URL: emu.endpoint } }),
      runCli(["get", ref], {
        env: {
          AWS_ENDPOINT_URL: emu.endpoint,
          AWS_ACCESS_KEY_ID: undefined,
          AWS_SECRET_ACCESS_KEY: undefined
        }
      })
    ])
    expectExit(denied, 4)
    expect(denied.stderr).toMatch(
      /^opstatus: ssm-sap denied access \(AccessDeniedException\): User with access key AKIDDENIED/
    )
    expect(denied.stdout).toMatch(/1 operation: 1 denied/)
    expectExit(profile, 4)
    expect(profile.stderr).toBe(
      'opstatus: the profile "nope" is not in the AWS config or credentials file. Check --profile and AWS_PROFILE, or create it with: aws configure --profile nope.\n'
    )
    expectExit(none, 4)
    expect(none.stderr).toBe(
      "opstatus: could not load AWS credentials (Could not load credentials from any providers). Configure credentials: --profile, AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.\n"
    )
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
      [
        "wait",
        "--min-delay",
        "200ms",
        "--max-delay",
        "200ms",
        `lightsail:${region}:${a.id}`,
        `ssm-sap:${region}:${b.id}`
      ],
      {
        env: { AWS_ENDPOINT_URL: emu.endpoint }
      }
    )
    await cli.waitForStdout(`ssm-sap us-east-1 ${b.id} START_APPLICATION INPROGRESS -> running`)
    await cli.waitForStdout(`lightsail us-east-1 ${a.id}`)
    const sent = Date.now()
    cli.child.kill("SIGINT")
    const result = await cli.result
    const requestsAtExit = emu.metrics().counts.total
    expectExit(result, 130)
    expect(Date.now() - sent).toBeLessThan(5_000)
    expect(result.stdout).toMatch(
      /Interrupted after [\d.]+m?s: 2 operations: 1 running, 1 pending|Interrupted after [\d.]+m?s: 2 operations: 2 running/
    )
    expect(result.stdout).toMatch(/lightsail\s+1\s+1 (running|pending)/)
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(emu.metrics().counts.total).toBe(requestsAtExit)
  })
})
