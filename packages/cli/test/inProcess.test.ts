/**
 * The command in this process through `run` (a fake terminal where one is needed), against
 * the emulator: help topics, the output forms (colour, --no-color, NO_COLOR, TERM=dumb),
 * --debug, list --status with unified statuses, --limit and --since, and the demo's forced
 * failure and exit code.
 */
import { describe, expect, it } from "vitest"
import { demoFailure, interruptedMark, runDemo, shortId, usageError } from "../src/index.js"
import {
  type CliResult,
  emulator,
  expectExit,
  explain,
  fast,
  jsonLines,
  runInProcess,
  screenOf
} from "./helpers.js"

const region = "us-east-1"

/** Every operation is queued 0.3 s and runs 0.9 s (real time). */
const quick = (() => {
  const durations = { queuedMs: [300, 300] as const, runningMs: [900, 900] as const }
  return { services: { lightsail: { durations }, servicediscovery: { durations }, "ssm-sap": { durations } } }
})()

const env = (emu: { readonly endpoint: string }) => ({ AWS_ENDPOINT_URL: emu.endpoint })

describe.concurrent("opstatus in-process", () => {
  it("help: only real commands, never Object.prototype's members", async () => {
    for (const topic of ["toString", "__proto__", "constructor", "hasOwnProperty", "nope"]) {
      const result = await runInProcess(["help", topic])
      expectExit(result, 2)
      explain(result, () => {
        expect(result.stdout).toBe("")
        expect(result.stderr).toBe(`opstatus: there is no command "${topic}". Run opstatus --help.\n`)
      })
    }
    const wait = await runInProcess(["help", "wait"])
    expectExit(wait, 0)
    expect(wait.stdout).toMatch(/^Usage: opstatus wait/)
  })

  it("help: exit 143, get's and list's --timeout, the profile's region, the demo's exit codes", async () => {
    const [main, get, list, demo] = await Promise.all(
      [["--help"], ["get", "--help"], ["list", "--help"], ["demo", "--help"]].map((args) =>
        runInProcess(args)
      )
    )
    expect(main!.stdout).toContain("143  stopped by SIGTERM")
    expect(main!.stdout).toContain("130 (143), 141, 2, 4, 3, 1, 0")
    expect(get!.stdout).toMatch(/--timeout <duration> +Give up after this long \(default 60s\): exit 3/)
    expect(list!.stdout).toMatch(/AWS_DEFAULT_REGION or\s+the profile's region/)
    expect(list!.stdout).toMatch(/--timeout <duration> +Give up after this long \(default 5m\): exit 3/)
    expect(list!.stdout).toMatch(/epoch seconds \(1714566896/)
    expect(demo!.stdout).toMatch(
      /130 when\s+interrupted \(143 for SIGTERM\), 141 when standard output was closed by its reader, and 1\s+otherwise/
    )
  })

  it("on a terminal: a coloured table; --no-color and NO_COLOR: no colour; TERM=dumb: plain lines", async (ctx) => {
    const emu = await emulator(ctx)
    const op = emu.createOperation({ service: "lightsail", type: "AllocateStaticIp", resourceName: "ip-1" })
    emu.transition("lightsail", op.id, "succeeded")
    const ref = `lightsail:${region}:${op.id}`
    const env = { AWS_ENDPOINT_URL: emu.endpoint, TERM: "xterm-256color" }
    const plainLine = `lightsail us-east-1 ${op.id} AllocateStaticIp Succeeded -> succeeded`
    const header = /SERVICE\s+REGION\s+ID\s+TYPE\s+STATUS\s+UPDATED\s+NOTE/

    const colour = await runInProcess(["get", ref], { env, isTTY: true })
    expectExit(colour, 0)
    explain(colour, () => {
      expect(colour.stdout).toContain("\x1b[32msucceeded (Succeeded)\x1b[39m")
      expect(colour.stdout).toMatch(header)
    })
    const uncoloured = await Promise.all([
      runInProcess(["get", "--no-color", ref], { env, isTTY: true }),
      runInProcess(["get", ref], { env: { ...env, NO_COLOR: "1" }, isTTY: true })
    ])
    for (const result of uncoloured) {
      expectExit(result, 0)
      explain(result, () => {
        expect(result.stdout).toMatch(header)
        expect(result.stdout).not.toContain("\x1b[")
      })
    }
    const dumb = { ...env, TERM: "dumb" }
    const [get, wait] = await Promise.all([
      runInProcess(["get", ref], { env: dumb, isTTY: true }),
      runInProcess(["wait", ...fast, ref], { env: dumb, isTTY: true })
    ])
    for (const result of [get, wait]) {
      expectExit(result, 0)
      explain(result, () => {
        expect(result.stdout).not.toContain("\x1b[")
        expect(result.stdout).not.toMatch(header)
        expect(result.stdout).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\S+Z ${plainLine}$`, "m"))
      })
    }
    expect(wait.stdout).toMatch(/Summary \([\d.]+m?s\): 1 operation: 1 succeeded/)
  })

  it("reads standard input given as bytes, views into larger buffers included", async (ctx) => {
    const emu = await emulator(ctx)
    const op = emu.createOperation({ service: "servicediscovery", type: "CREATE_NAMESPACE" })
    emu.transition("servicediscovery", op.id, "succeeded")
    const text = `{"OperationId": "${op.id}"}\n`
    const bytes = new TextEncoder().encode(`xxxx${text}yyyy`)
    // Two chunks, each a view at an offset into the same buffer, split inside the JSON.
    const chunks = [bytes.subarray(4, 20), bytes.subarray(20, 4 + text.length)]
    const result = await runInProcess(["get", "-"], {
      env: { AWS_ENDPOINT_URL: emu.endpoint },
      stdin: async function* () {
        yield* chunks
      }
    })
    expectExit(result, 0)
    expect(result.stdout).toContain(
      `servicediscovery us-east-1 ${op.id} CREATE_NAMESPACE SUCCESS -> succeeded`
    )
  })

  it("Ctrl-C on a terminal: the rows still running show the interrupted mark, the ended ones theirs", async (ctx) => {
    const emu = await emulator(ctx)
    const done = emu.createOperation({ service: "lightsail", type: "CreateInstance", resourceName: "web-1" })
    emu.transition("lightsail", done.id, "succeeded")
    // Held running: only Ctrl-C ends its wait.
    const held = emu.createOperation({ service: "servicediscovery", type: "REGISTER_INSTANCE" })
    emu.transition("servicediscovery", held.id, "running")
    const ctrlC = new AbortController()
    const result = await runInProcess(["wait", ...fast, `lightsail:${region}:${done.id}`, held.id], {
      env: { ...env(emu), TERM: "xterm" },
      isTTY: true,
      signal: ctrlC.signal,
      // Once the first has ended on screen and the other is running, as a person would press Ctrl-C.
      onStdout: (_chunk, all) => {
        if (/✔[^\n]*succeeded/.test(all) && /running \(/.test(all)) ctrlC.abort()
      }
    })
    expectExit(result, 130)
    explain(result, () => {
      // As a terminal shows it: a newline also returns the cursor (the pty's onlcr).
      const screen = screenOf(result.stdout.replace(/\n/g, "\r\n"))
      const row = (id: string) => screen.find((line) => line.includes(shortId(id))) ?? ""
      expect(row(held.id)).toMatch(
        new RegExp(`^${interruptedMark}\\s+servicediscovery\\s.*running \\(.*\\binterrupted$`)
      )
      expect(row(done.id)).toMatch(/^✔\s+lightsail\s.*succeeded \(Completed\)/)
      expect(screen.join("\n")).toMatch(/Interrupted after [\d.]+m?s: 2 operations/)
    })
  })

  it("--debug: the stack of an unexpected error, then its line; without it, the line alone", async () => {
    const broken = () => ({
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new TypeError("stdin broke")) })
    })
    const line = "opstatus: unexpected error: stdin broke. Run again with --debug to see the details.\n"
    const quiet = await runInProcess(["wait", "-"], { stdin: broken })
    expectExit(quiet, 1)
    expect(quiet.stderr).toBe(line)
    const debug = await runInProcess(["wait", "--debug", "-"], { stdin: broken })
    expectExit(debug, 1)
    explain(debug, () => {
      expect(debug.stderr).toMatch(/^TypeError: stdin broke\n\s+at /)
      expect(debug.stderr.endsWith(`\n${line}`)).toBe(true)
    })
  })

  it("list --status takes every unified status, even one the service lacks (it matches nothing)", async (ctx) => {
    const emu = await emulator(ctx)
    const done = emu.createOperation({ service: "lightsail", resourceName: "web-1" })
    emu.transition("lightsail", done.id, "succeeded")
    emu.createOperation({ service: "lightsail", resourceName: "web-2", durationMs: 600_000 })
    emu.createOperation({ service: "ssm-sap", applicationId: "hana-1", durationMs: 600_000 })
    const submitted = emu.createOperation({ service: "servicediscovery", durationMs: 600_000 })
    const pendingRaw = emu.createOperation({ service: "servicediscovery", type: "DELETE_NAMESPACE" })
    emu.transition("servicediscovery", pendingRaw.id, "running")
    const env = { AWS_ENDPOINT_URL: emu.endpoint }
    const [cancelled, pending, mixed, unknown, running] = await Promise.all([
      runInProcess(["list", "lightsail", "--status", "cancelled"], { env }),
      runInProcess(["list", "ssm-sap", "--application", "hana-1", "--status", "pending", "--json"], { env }),
      runInProcess(["list", "lightsail", "--status", "SUCCEEDED,cancelled"], { env }),
      runInProcess(["list", "servicediscovery", "--status", "unknown", "--json"], { env }),
      runInProcess(["list", "ssm-sap", "--application", "hana-1", "--status", "running", "--json"], { env })
    ])
    expectExit(cancelled, 0)
    expect(cancelled.stdout).toBe("")
    expect(cancelled.stderr).toBe(
      "opstatus: warning: lightsail has no status that means cancelled: --status cancelled matches nothing.\n"
    )
    expectExit(pending, 0)
    expect(jsonLines(pending.stdout)).toMatchObject([{ event: "done", summary: { total: 0 } }])
    expect(pending.stderr).toMatch(/ssm-sap has no status that means pending/)
    expectExit(mixed, 0)
    explain(mixed, () => {
      expect(mixed.stdout.trim().split("\n")).toHaveLength(1)
      // CreateInstance ends Completed: the unified status covers both of Lightsail's successes.
      expect(mixed.stdout).toContain(`${done.id} CreateInstance Completed -> succeeded`)
    })
    expectExit(unknown, 0)
    expect(jsonLines(unknown.stdout)).toMatchObject([{ event: "done", summary: { total: 0 } }])
    expect(unknown.stderr).toBe("")
    expectExit(running, 0)
    expect(jsonLines(running.stdout).at(-1)).toMatchObject({
      summary: { total: 1, byStatus: { running: 1 } }
    })
    // Spelled as Cloud Map spells it, PENDING is its own status (running); pending is the unified one (SUBMITTED).
    const [ownPending, unifiedPending] = await Promise.all([
      runInProcess(["list", "servicediscovery", "--status", "PENDING"], { env }),
      runInProcess(["list", "servicediscovery", "--status", "pending"], { env })
    ])
    expect(ownPending.stdout).toMatch(
      new RegExp(`^\\S+ servicediscovery us-east-1 ${pendingRaw.id} - PENDING -> running\n$`)
    )
    expect(unifiedPending.stdout).toMatch(
      new RegExp(`^\\S+ servicediscovery us-east-1 ${submitted.id} - SUBMITTED -> pending\n$`)
    )
    // A value that is neither unified nor the service's own is still a usage error.
    const bogus = await runInProcess(["list", "lightsail", "--status", "Frobbing"], { env })
    expectExit(bogus, 2)
    expect(bogus.stderr).toMatch(
      /"Frobbing" is not a lightsail status\. Use one of pending, .*, unknown, or NotStarted/
    )
  })

  it("list --limit: at most n operations; 0 or a fraction is a usage error", async (ctx) => {
    const emu = await emulator(ctx, { scenario: quick })
    for (const name of ["web-1", "web-2", "web-3"])
      emu.createOperation({ service: "lightsail", resourceName: name })
    const [two, all, zero, fraction] = await Promise.all([
      runInProcess(["list", "lightsail", "--limit", "2"], { env: env(emu) }),
      runInProcess(["list", "lightsail", "--limit", "10", "--json"], { env: env(emu) }),
      runInProcess(["list", "lightsail", "--limit", "0"], { env: env(emu) }),
      runInProcess(["list", "lightsail", "--limit", "1.5"], { env: env(emu) })
    ])
    expectExit(two, 0)
    expect(two.stdout.trim().split("\n")).toHaveLength(2)
    expectExit(all, 0)
    expect(jsonLines(all.stdout).at(-1)).toMatchObject({ event: "done", summary: { total: 3 } })
    for (const bad of [zero, fraction]) {
      expectExit(bad, 2)
      expect(bad.stderr).toMatch(
        /^opstatus: --limit "[^"]+" is not a positive whole number\. Use e\.g\. --limit 50\.\n$/
      )
    }
  })

  it("list --since: a date or epoch seconds, for each service's own filter", async (ctx) => {
    const emu = await emulator(ctx, { scenario: quick })
    const web = emu.createOperation({ service: "lightsail", resourceName: "web-1" })
    const ns = emu.createOperation({ service: "servicediscovery", type: "CREATE_NAMESPACE" })
    const sap = emu.createOperation({ service: "ssm-sap", applicationId: "hana-1" })
    // The emulator runs on real time here (scale 1): "an hour ago" and "tomorrow" bracket the operations.
    const hourAgo = new Date(Date.now() - 3_600_000)
    const tomorrow = new Date(Date.now() + 86_400_000)
    const epoch = (d: Date) => String(Math.floor(d.getTime() / 1000))
    const list = (service: string, since: string, ...rest: string[]) =>
      runInProcess(["list", service, "--since", since, "--json", ...rest], { env: env(emu) })
    const ids = (result: CliResult) =>
      jsonLines(result.stdout)
        .filter((e) => e.event === "operation")
        .map((e) => e.operation.ref.id)
    const runs = await Promise.all([
      list("lightsail", hourAgo.toISOString()),
      list("lightsail", epoch(hourAgo)),
      list("lightsail", tomorrow.toISOString()),
      list("lightsail", epoch(tomorrow)),
      list("servicediscovery", epoch(hourAgo)),
      list("servicediscovery", tomorrow.toISOString().slice(0, 10)),
      list("ssm-sap", hourAgo.toISOString(), "--application", "hana-1"),
      list("ssm-sap", epoch(tomorrow), "--application", "hana-1")
    ])
    for (const run of runs) expectExit(run, 0)
    expect(runs.map(ids)).toEqual([[web.id], [web.id], [], [], [ns.id], [], [sap.id], []])
  })

  it("list --since: a Cloud Map operation updated after the command started still shows", async (ctx) => {
    // The service's clock runs ten minutes ahead of ours, so every update date is "after now" here:
    // the window's end is generous, never the moment the command started.
    const emu = await emulator(ctx, { scenario: quick, now: () => Date.now() + 600_000 })
    const ns = emu.createOperation({ service: "servicediscovery", type: "CREATE_NAMESPACE" })
    emu.transition("servicediscovery", ns.id, "succeeded")
    const run = await runInProcess(["list", "servicediscovery", "--since", "1h", "--json"], { env: env(emu) })
    expectExit(run, 0)
    const listed = jsonLines(run.stdout).filter((e) => e.event === "operation")
    expect(listed.map((e) => [e.operation.ref.id, e.operation.status])).toEqual([[ns.id, "succeeded"]])
  })
})

/** The demo's options, its output collected. */
const demoRun = (overrides: Partial<Parameters<typeof runDemo>[0]> = {}) => {
  const out = { stdout: "", stderr: "" }
  const events: string[] = []
  const options: Parameters<typeof runDemo>[0] = {
    stdout: { write: (chunk: string) => (out.stdout += chunk) },
    stderr: { write: (chunk: string) => (out.stderr += chunk) },
    warn: (message) => {
      out.stderr += `warning: ${message}\n`
    },
    signal: new AbortController().signal,
    json: false,
    reporter: {
      start: () => {},
      update: (entry, op) => events.push(`${entry.key} ${op.status}`),
      fail: () => {},
      finish: () => {}
    },
    now: Date.now,
    ...overrides
  }
  return { out, events, done: runDemo(options) }
}

describe("the demo", () => {
  it("holds the failing registration running, so it fails however late the failure comes", async () => {
    // 4 s is after web-2's planned end (at most 2.3 s at five times real time): were it not
    // held running, the wait would see it succeed first and the demo would not run as designed.
    const { out, events, done } = demoRun({ failAfterMillis: 4_000 })
    const code = await done
    expect(code, `${out.stdout}\n${out.stderr}`).toBe(0)
    expect(out.stdout).toContain("The demo ran as designed")
    const web2 = events.filter((e) => e.startsWith("servicediscovery:") && e.endsWith(" failed"))
    expect(web2).toHaveLength(1)
    const key = web2[0]!.split(" ")[0]!
    expect(events.filter((e) => e.startsWith(`${key} `)).map((e) => e.split(" ")[1])).not.toContain(
      "succeeded"
    )
    expect(out.stderr).toBe("")
    expect(demoFailure.code).toBe("INTERNAL_FAILURE")
    // One operation of each service; the Cloud Control request it cancels ends cancelled, never created.
    const services = new Set(events.map((e) => e.split(":")[0]))
    expect(services).toEqual(
      new Set([
        "lightsail",
        "servicediscovery",
        "ssm-sap",
        "cloudformation",
        "ecs",
        "cloudcontrol",
        "route53"
      ])
    )
    const cancelled = events.filter((e) => e.startsWith("cloudcontrol:") && e.endsWith(" cancelled"))
    expect(cancelled).toHaveLength(1)
    const queue = cancelled[0]!.split(" ")[0]!
    expect(events.filter((e) => e.startsWith(`${queue} `)).map((e) => e.split(" ")[1])).not.toContain(
      "succeeded"
    )
    expect(out.stdout).toContain("cancelled on purpose to show how a cancel looks")
  })

  it("exits 1 with the error's line when something goes wrong, whatever the error", async () => {
    const { out, done } = demoRun({
      reporter: {
        start: () => {
          throw usageError("the view broke")
        },
        update: () => {},
        fail: () => {},
        finish: () => {}
      }
    })
    expect(await done).toBe(1)
    expect(out.stderr).toBe("opstatus: the view broke.\n")
  })
})
