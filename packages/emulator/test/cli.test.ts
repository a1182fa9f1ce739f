import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { main, untilSignal } from "../src/index.js"

const capture = () => {
  const out: string[] = []
  const err: string[] = []
  let stop: (signal: string) => void = () => {}
  const stopped = new Promise<string>((resolve) => {
    stop = resolve
  })
  return {
    out,
    err,
    stop,
    io: {
      stdout: (l: string) => out.push(l),
      stderr: (l: string) => err.push(l),
      untilStopped: () => stopped
    }
  }
}

const waitFor = async (predicate: () => boolean) => {
  for (let i = 0; i < 200 && !predicate(); i++) await new Promise((r) => setTimeout(r, 5))
  expect(predicate()).toBe(true)
}

describe("opstatus-emulator command", () => {
  it("prints the endpoint and environment, serves, and stops cleanly", async () => {
    const dir = await mkdtemp(join(tmpdir(), "emulator-"))
    const file = join(dir, "scenario.json")
    await writeFile(
      file,
      JSON.stringify({ seed: 3, timeScale: 10, operations: [{ service: "ssm-sap", applicationId: "app" }] })
    )
    const { out, err, stop, io } = capture()
    const exit = main(["--port", "0", "--scenario", file, "--time-scale", "30"], io)
    await waitFor(() => out.some((l) => l.startsWith("AWS_SECRET_ACCESS_KEY=")))
    const endpoint = out.find((l) => l.startsWith("AWS_ENDPOINT_URL="))!.slice("AWS_ENDPOINT_URL=".length)
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(out).toContain("AWS_REGION=us-east-1")
    expect(out).toContain("AWS_ACCESS_KEY_ID=AKIDEXAMPLE")
    expect(out[0]).toContain(endpoint)
    const health = await (await fetch(`${endpoint}/_emulator/health`)).json()
    expect(health.timeScale).toBe(30)
    const scenario = await (await fetch(`${endpoint}/_emulator/scenario`)).json()
    expect(scenario.seed).toBe(3)
    stop("SIGINT")
    expect(await exit).toBe(0)
    expect(out.at(-1)).toBe("opstatus-emulator stopped (SIGINT)")
    expect(err).toEqual([])
    await expect(fetch(`${endpoint}/_emulator/health`)).rejects.toThrow()
  })

  it("rejects bad arguments with one clear line and exit code 2", async () => {
    const dir = await mkdtemp(join(tmpdir(), "emulator-"))
    const bad = join(dir, "bad.json")
    await writeFile(bad, JSON.stringify({ services: { lightsail: { failureRate: 3 } } }))
    const notJson = join(dir, "not.json")
    await writeFile(notJson, "{")
    const cases = [
      ["--port", "abc"],
      ["--port", "70000"],
      ["--bogus"],
      ["positional"],
      ["--seed", "1.5"],
      ["--time-scale", "0"],
      ["--time-scale", "fast"],
      ["--scenario", join(dir, "missing.json")],
      ["--scenario", bad],
      ["--scenario", notJson],
      ["--host", ""]
    ]
    for (const argv of cases) {
      const { out, err, io } = capture()
      expect(await main(argv, io), argv.join(" ")).toBe(2)
      expect(err).toHaveLength(1)
      expect(err[0]).toMatch(/^opstatus-emulator: /)
      expect(out).toEqual([])
    }
  })

  it("prints usage for --help", async () => {
    const { out, io } = capture()
    expect(await main(["--help"], io)).toBe(0)
    expect(out[0]).toMatch(/^usage: opstatus-emulator/)
  })

  it("exits 1 when the port is taken", async () => {
    const first = capture()
    const running = main(["--port", "0"], first.io)
    await waitFor(() => first.out.length > 2)
    const port = first.out
      .find((l) => l.startsWith("AWS_ENDPOINT_URL="))!
      .split(":")
      .pop()!
    const second = capture()
    expect(await main(["--port", port], second.io)).toBe(1)
    expect(second.err[0]).toMatch(/cannot start/)
    first.stop("SIGTERM")
    expect(await running).toBe(0)
  })

  it("waits for SIGINT or SIGTERM and removes its listeners", async () => {
    const before = process.listenerCount("SIGINT")
    const waiting = untilSignal()
    expect(process.listenerCount("SIGINT")).toBe(before + 1)
    process.emit("SIGINT", "SIGINT")
    expect(await waiting).toBe("SIGINT")
    expect(process.listenerCount("SIGINT")).toBe(before)
    expect(process.listenerCount("SIGTERM")).toBe(0)
  })

  const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url))
  it.skipIf(!existsSync(bin))("runs as a process from the build and stops on SIGINT", async () => {
    const child = spawn(process.execPath, [bin, "--port", "0", "--seed", "4"], {
      stdio: ["ignore", "pipe", "pipe"]
    })
    let output = ""
    child.stdout.on("data", (chunk) => {
      output += chunk
    })
    await waitFor(() => output.includes("AWS_SECRET_ACCESS_KEY="))
    const endpoint = /AWS_ENDPOINT_URL=(\S+)/.exec(output)![1]!
    expect((await fetch(`${endpoint}/_emulator/health`)).status).toBe(200)
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    child.kill("SIGINT")
    expect(await exited).toBe(0)
    expect(output).toContain("stopped (SIGINT)")
  })
})
