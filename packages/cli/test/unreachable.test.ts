/**
 * An endpoint that cannot be reached: core tells each wait at the first answer saying so (its
 * `Unreachable` event) and ends the wait after its grace (15 s) with `EndpointUnreachable`.
 * `wait` and `watch` show it at once: on the operation's row in the live table, as a warning
 * line in the plain and JSON views, and as an `unreachable` event in the JSON view; the command
 * ends after the grace, long before its --timeout, with exit 1 and the error's line (the
 * endpoint, the region, what to check). Against a closed port on loopback (a refused
 * connection) and a name that does not resolve; then the parts, without a network.
 */
import { createServer } from "node:net"
import type { OperationRef, OperationStatusApi, WaitOutcome } from "@opstatus/core"
import { requestError } from "@opstatus/core/adapter-kit"
import { describe, expect, it } from "vitest"
import {
  type Entry,
  ExitCode,
  errorJson,
  liveReporter,
  makeEntry,
  plainReporter,
  type Reporter,
  renderLiveTable,
  runWait,
  unreachableStatus
} from "../src/index.js"
import { expectExit, explain, fast, jsonLines, runInProcess, screenOf, spawnCli } from "./helpers.js"

/** The screen a terminal shows of the output (which turns each newline into CR LF). */
const terminal = (output: string, width?: number) => screenOf(output.replaceAll("\n", "\r\n"), width)

const id = "1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d"

/** A port on loopback that refuses connections: a server's, closed. */
const closedPort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

/** What the line of the error says, whichever view: the endpoint, the region, what to check. */
const explains = (line: string | undefined, endpoint: string, region: string, ref: string) => {
  expect(line).toContain(`lightsail cannot be reached at ${endpoint} in ${region} for ${ref}`)
  expect(line).toContain(
    "Check the region, the endpoint (AWS_ENDPOINT_URL and the client's endpoint) and the network"
  )
}

const timeout = ["--timeout", "10m"] as const

describe.concurrent("an endpoint that cannot be reached", () => {
  it("wait on a terminal: the row says unreachable with the message, then the wait ends after the grace (exit 1)", async () => {
    const port = await closedPort()
    const endpoint = `127.0.0.1:${port}`
    const ref = `lightsail:us-east-1:${id}`
    let whileWaiting: string | undefined
    const result = await runInProcess(["wait", ...timeout, ...fast, ref], {
      env: { AWS_ENDPOINT_URL: `http://${endpoint}`, TERM: "xterm-256color", NO_COLOR: "1" },
      isTTY: true,
      onStdout: (_chunk, all) => {
        if (whileWaiting === undefined && all.includes("cannot be reached")) whileWaiting = all
      }
    })
    expectExit(result, ExitCode.failed)
    explain(result, () => {
      // Drawn while the wait went on: no summary yet, a spinner, the status and the error's message.
      expect(whileWaiting).toBeDefined()
      expect(whileWaiting).not.toContain("Summary")
      const row = terminal(whileWaiting!).find((line) => line.includes("lightsail "))
      expect(row).toMatch(
        new RegExp(
          `^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]\\s+lightsail\\s+1b2c3d4e…4c5d\\s+-\\s+${unreachableStatus}\\s+\\S+\\s+lightsail cannot be reached at ${endpoint} in us-east-1 `
        )
      )
      // The end: the row ended unreachable, the summary counts it, one error line and no warning line.
      const screen = terminal(result.stdout)
      expect(screen.find((line) => line.includes("lightsail "))).toMatch(
        /^✖\s+lightsail\s+1b2c3d4e…4c5d\s+-\s+unreachable\s+\S+\s+ECONNREFUSED$/
      )
      expect(
        screen.filter((line) => /^Summary \(\S+\): 1 operation: 1 unreachable$/.test(line))
      ).toHaveLength(1)
      const lines = result.stderr.trimEnd().split("\n")
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(/^opstatus: lightsail cannot be reached/)
      explains(lines[0], endpoint, "us-east-1", ref)
      expect(lines[0]).toContain("The region comes from --region (AWS_REGION, the profile)")
    })
  })

  it("watch in plain lines: a warning line at once, then the wait ends after the grace (exit 1)", async () => {
    const port = await closedPort()
    const endpoint = `127.0.0.1:${port}`
    const ref = `lightsail:eu-west-1:${id}`
    let stdout = ""
    let stdoutAtWarning: string | undefined
    const result = await runInProcess(["watch", ...timeout, ...fast, ref], {
      env: { AWS_ENDPOINT_URL: `http://${endpoint}` },
      onStdout: (_chunk, all) => {
        stdout = all
      },
      onStderr: (chunk) => {
        if (stdoutAtWarning === undefined && chunk.startsWith("opstatus: warning:")) stdoutAtWarning = stdout
      }
    })
    expectExit(result, ExitCode.failed)
    explain(result, () => {
      // Said before the wait ended: nothing on standard output yet.
      expect(stdoutAtWarning).toBe("")
      const [warning, error, ...more] = result.stderr.trimEnd().split("\n")
      expect(more).toEqual([])
      expect(warning).toMatch(/^opstatus: warning: lightsail cannot be reached/)
      explains(warning, endpoint, "eu-west-1", ref)
      expect(warning).toMatch(/; trying again for a short while, then the wait ends with this error\.$/)
      expect(error).toMatch(/^opstatus: lightsail cannot be reached/)
      explains(error, endpoint, "eu-west-1", ref)
      expect(result.stdout).toContain(`lightsail eu-west-1 ${id} - - -> unreachable\n`)
      expect(result.stdout).toMatch(/Summary \(\S+\): 1 operation: 1 unreachable/)
    })
  })

  it("wait --json, as a child process: an unreachable event at once for a name that does not resolve", async (ctx) => {
    const ref = `lightsail:us-east-1:${id}`
    const cli = spawnCli(["wait", "--json", ...timeout, ...fast, ref], {
      env: { AWS_ENDPOINT_URL: "http://nonexistent.invalid" },
      hooks: ctx
    })
    await cli.waitForStdout('"event":"unreachable"')
    // Told while the command still runs.
    expect(cli.child.exitCode).toBeNull()
    const result = await cli.result
    expectExit(result, ExitCode.failed)
    explain(result, () => {
      const events = jsonLines(result.stdout)
      expect(events.map((event) => event.event)).toEqual(["unreachable", "error", "done"])
      const [unreachable, error, done] = events as [
        Record<string, any>,
        Record<string, any>,
        Record<string, any>
      ]
      expect(unreachable).toMatchObject({
        ref,
        error: {
          _tag: "OpstatusError",
          reason: "EndpointUnreachable",
          kind: "request",
          endpoint: "nonexistent.invalid"
        }
      })
      explains(unreachable.error.message, "nonexistent.invalid", "us-east-1", ref)
      expect(error).toMatchObject({
        ref,
        error: { reason: "EndpointUnreachable", endpoint: "nonexistent.invalid" }
      })
      expect(done).toMatchObject({ exitCode: 1, summary: { total: 1, byStatus: { unreachable: 1 } } })
      const [warning, line, ...more] = result.stderr.trimEnd().split("\n")
      expect(more).toEqual([])
      expect(warning).toMatch(/^opstatus: warning: lightsail cannot be reached/)
      explains(warning, "nonexistent.invalid", "us-east-1", ref)
      explains(line, "nonexistent.invalid", "us-east-1", ref)
    })
  })
})

describe("the parts", () => {
  const ref: OperationRef = { service: "lightsail", region: "us-east-1", id }
  const failure = {
    service: "lightsail",
    code: "ECONNREFUSED",
    serviceMessage: "connect ECONNREFUSED 127.0.0.1:9",
    endpoint: "127.0.0.1:9"
  }
  const unreachable = requestError("EndpointUnreachable", { ...failure, ref })
  // Core's own warning about the endpoint, which names no operation.
  const echo = `${requestError("EndpointUnreachable", failure).message}; waits on it end after their unreachableGrace unless it answers`

  const output = () => {
    let text = ""
    return { writer: { write: (chunk: string) => (text += chunk) }, text: () => text }
  }

  it("the live row: the spinner, unreachable and the message while waiting; ✖ and the code at the end", () => {
    const entry = makeEntry(ref, 0)
    entry.unreachable = unreachable
    const options = { color: false, frame: 0, now: 3_000, width: 400 }
    const [, waiting] = renderLiveTable([entry], options)
    expect(waiting).toBe(`⠋  lightsail  1b2c3d4e…4c5d  -     unreachable  3.0s     ${unreachable.message}`)
    entry.error = unreachable
    entry.endedAt = 15_000
    const [, ended] = renderLiveTable([entry], options)
    expect(ended).toMatch(/^✖\s+lightsail\s+1b2c3d4e…4c5d\s+-\s+unreachable\s+15\.0s\s+ECONNREFUSED$/)
    // Interrupted while unreachable: the interrupted mark wins.
    const stopped = makeEntry(ref, 0)
    stopped.unreachable = unreachable
    expect(renderLiveTable([stopped], { ...options, interrupted: true })[1]).toMatch(
      /■.*waiting.*interrupted$/
    )
  })

  it("the JSON of the error names the endpoint", () => {
    expect(errorJson(unreachable)).toMatchObject({ reason: "EndpointUnreachable", endpoint: "127.0.0.1:9" })
  })

  it("runWait hands the Unreachable event to the reporter, and forgets it when the operation is seen", async () => {
    const calls: string[] = []
    const reporter: Reporter = {
      start: () => {},
      update: (entry) =>
        calls.push(`update ${entry.unreachable === undefined ? "reachable" : "unreachable"}`),
      fail: () => {},
      unreachable: (entry) => calls.push(`unreachable ${entry.key} ${entry.unreachable?.message}`),
      finish: () => {}
    }
    const operation = {
      ref,
      status: "succeeded",
      terminal: true,
      rawStatus: "Succeeded",
      resource: {},
      region: "us-east-1",
      raw: {}
    } as const
    const api = {
      waitForAll: async (
        inputs: Iterable<unknown>,
        options: {
          onEvent: (event: unknown) => void
          onProgress: (op: unknown) => void
        }
      ): Promise<ReadonlyArray<WaitOutcome>> => {
        options.onEvent({ _tag: "Unreachable", ref, error: unreachable })
        options.onEvent({ _tag: "Changed", operation })
        options.onProgress(operation)
        return [...inputs].map((input) => ({ ok: true, input, operation }) as WaitOutcome)
      }
    } as unknown as OperationStatusApi
    const result = await runWait({
      api,
      targets: [ref],
      success: false,
      timing: {},
      reporter,
      signal: new AbortController().signal,
      now: () => 0
    })
    expect(calls).toEqual([
      `unreachable lightsail:us-east-1:${id} ${unreachable.message}`,
      "update reachable"
    ])
    expect((result.entries[0] as Entry).unreachable).toBeUndefined()
    expect(result.exitCode).toBe(ExitCode.ok)
  })

  it("plain lines: one warning line per operation; core's own warning about the endpoint is not repeated", () => {
    const out = output()
    const err = output()
    const reporter = plainReporter(out.writer, { now: () => 0, everyChange: false, stderr: err.writer })
    const entry = makeEntry(ref, 0)
    reporter.warn?.("something else")
    entry.unreachable = unreachable
    reporter.unreachable?.(entry)
    reporter.warn?.(echo)
    expect(out.text()).toBe("")
    expect(err.text()).toBe(
      `opstatus: warning: something else.\nopstatus: warning: ${unreachable.message}; trying again for a short while, then the wait ends with this error.\n`
    )
  })

  it("the live table: a warning goes above the table, which is drawn again below it", () => {
    let clock = 0
    const screen = output()
    const reporter = liveReporter(screen.writer, {
      color: false,
      now: () => clock,
      columns: 200,
      intervalMillis: 60_000,
      // Standard error on the same terminal.
      stderr: screen.writer
    })
    const entry = makeEntry(ref, 0)
    reporter.start([entry])
    clock = 1_000
    entry.unreachable = unreachable
    reporter.unreachable?.(entry)
    // Core's echo is dropped; another warning is written above the table.
    reporter.warn?.(echo)
    reporter.warn?.("lightsail answered with a status opstatus does not know")
    const lines = terminal(screen.text(), 200).filter((line) => line !== "")
    expect(lines[0]).toBe("opstatus: warning: lightsail answered with a status opstatus does not know.")
    expect(lines[1]).toMatch(/^\s+SERVICE\s+ID/)
    expect(lines[2]).toMatch(
      /unreachable\s+1\.0s\s+lightsail cannot be reached at 127\.0\.0\.1:9 in us-east-1/
    )
    expect(lines).toHaveLength(3)
    reporter.finish(
      [entry],
      {
        total: 1,
        byStatus: {},
        byService: {},
        failures: [],
        errors: [],
        elapsedMs: 1_000,
        interrupted: false
      },
      0
    )
  })
})
