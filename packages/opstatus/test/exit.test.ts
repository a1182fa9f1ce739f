/**
 * A script that does one wait through the default instance, without
 * `close()`, ends by itself: no timer, fiber or socket of opstatus (nor of
 * the SDK clients it made) keeps the process alive.
 */
import { spawn } from "node:child_process"
import type { Emulator } from "@opstatus/emulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { awsEnv, defaultRegion, start } from "./helpers.js"

const fixture = new URL("./fixtures/oneWait.ts", import.meta.url).pathname
const packageDir = new URL("..", import.meta.url).pathname

interface Run {
  /** The exit code, or `null` when the guard had to kill a process that did not end. */
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs the script; `onLine` sees each line of its output as it comes. */
const run = (
  args: ReadonlyArray<string>,
  env: Record<string, string | undefined>,
  onLine?: (line: string) => void
) =>
  new Promise<Run>((resolve) => {
    const childEnv: Record<string, string> = {}
    for (const [name, value] of Object.entries({ ...process.env, ...env })) {
      if (value !== undefined) childEnv[name] = value
    }
    const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", fixture, ...args], {
      cwd: packageDir,
      env: childEnv,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    let pending = ""
    child.stdout.on("data", (chunk) => {
      stdout += String(chunk)
      pending += String(chunk)
      const lines = pending.split("\n")
      pending = lines.pop() ?? ""
      for (const line of lines) onLine?.(line)
    })
    child.stderr.on("data", (chunk) => {
      stderr += String(chunk)
    })
    // Bounded by what the child does: it ends when nothing keeps it alive; the bound only guards a hang.
    const guard = setTimeout(() => child.kill("SIGKILL"), 150_000)
    child.on("exit", (code) => {
      clearTimeout(guard)
      resolve({ code, stdout, stderr })
    })
  })

describe("a script doing one wait through the default exits by itself", () => {
  let emulator: Emulator
  beforeAll(async () => {
    emulator = await start()
  })
  afterAll(() => emulator.stop())

  it("await waitForSuccess(ref) on an operation that has ended: one read, then the process ends", async () => {
    const { id } = emulator.createOperation({ service: "lightsail", region: defaultRegion })
    emulator.transition("lightsail", id, "succeeded")
    const result = await run([`lightsail:${defaultRegion}:${id}`], awsEnv(emulator.endpoint))
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    expect(result.stdout.trim()).toBe(`done succeeded ${defaultRegion}`)
  })

  it("a wait that polls (Cloud Map, SSM for SAP through the SigV4 client) ends, then so does the process", async () => {
    for (const service of ["servicediscovery", "ssm-sap"] as const) {
      const { id } = emulator.createOperation({
        service,
        region: defaultRegion,
        durationMs: 365 * 86_400_000
      })
      let ended = false
      const result = await run(
        [`${service}:${defaultRegion}:${id}`, "--progress"],
        awsEnv(emulator.endpoint),
        (line) => {
          // The wait is polling: end the operation now; the next read sees it.
          if (!ended && line.startsWith("progress")) {
            ended = true
            emulator.transition(service, id, "succeeded")
          }
        }
      )
      expect(result.stderr, service).toBe("")
      expect(result.code, service).toBe(0)
      expect(result.stdout.trim().split("\n").at(-1), service).toBe(`done succeeded ${defaultRegion}`)
      expect(emulator.metrics().services[service].counts.total, service).toBeGreaterThanOrEqual(2)
    }
  })
})
