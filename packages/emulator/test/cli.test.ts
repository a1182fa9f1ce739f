import { type ChildProcess, spawn } from "node:child_process"
import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { main, untilSignal } from "../src/index.js"

const capture = () => {
  const out: string[] = []
  const err: string[] = []
  const watchers = new Set<() => void>()
  let stop: (signal: string) => void = () => {}
  const stopped = new Promise<string>((resolve) => {
    stop = resolve
  })
  /** Resolves once standard output holds what `predicate` looks for: no polling, no clock. */
  const until = (predicate: (out: readonly string[]) => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (!predicate(out)) return
        watchers.delete(check)
        resolve()
      }
      watchers.add(check)
      check()
    })
  return {
    out,
    err,
    stop,
    until,
    io: {
      stdout: (l: string) => {
        out.push(l)
        for (const w of [...watchers]) w()
      },
      stderr: (l: string) => err.push(l),
      untilStopped: () => stopped
    }
  }
}

/** The monorepo's root, where `--import tsx` resolves. */
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url))

describe("opstatus-emulator command", () => {
  it("prints the endpoint and environment, serves, and stops cleanly", async () => {
    const dir = await mkdtemp(join(tmpdir(), "emulator-"))
    const file = join(dir, "scenario.json")
    await writeFile(
      file,
      JSON.stringify({ seed: 3, timeScale: 10, operations: [{ service: "ssm-sap", applicationId: "app" }] })
    )
    const { out, err, stop, until, io } = capture()
    const exit = main(["--port", "0", "--scenario", file, "--time-scale", "30"], io)
    await until((lines) => lines.some((l) => l.startsWith("AWS_SECRET_ACCESS_KEY=")))
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
      ["--time-scale", "0x10"],
      ["--time-scale", "1e3"],
      ["--time-scale", " 5"],
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
    await first.until((lines) => lines.length > 2)
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
    const before = { SIGINT: process.listenerCount("SIGINT"), SIGTERM: process.listenerCount("SIGTERM") }
    const waiting = untilSignal()
    expect(process.listenerCount("SIGINT")).toBe(before.SIGINT + 1)
    expect(process.listenerCount("SIGTERM")).toBe(before.SIGTERM + 1)
    process.emit("SIGINT", "SIGINT")
    expect(await waiting).toBe("SIGINT")
    expect(process.listenerCount("SIGINT")).toBe(before.SIGINT)
    expect(process.listenerCount("SIGTERM")).toBe(before.SIGTERM)
  })

  it("runs as a process from source and stops on SIGINT", async () => {
    // The source bin through tsx, as a developer runs it: no build needed, so it never skips.
    const child: ChildProcess = spawn(
      process.execPath,
      [
        "--conditions=source",
        "--import",
        "tsx",
        "packages/emulator/src/bin.ts",
        "--port",
        "0",
        "--seed",
        "4"
      ],
      { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] }
    )
    let output = ""
    let errors = ""
    child.stdout!.on("data", (chunk) => {
      output += chunk
    })
    child.stderr!.on("data", (chunk) => {
      errors += chunk
    })
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    const explain = () => `stdout:\n${output}\nstderr:\n${errors}`
    // Resolves once it printed its environment; rejects if it ended first.
    const printed = new Promise<void>((resolve, reject) => {
      const check = () => {
        if (output.includes("AWS_SECRET_ACCESS_KEY=")) resolve()
      }
      child.stdout!.on("data", check)
      void exited.then(() =>
        reject(new Error(`the emulator exited before printing its environment\n${explain()}`))
      )
    })
    // Killed 10 s before the test's own timeout, whatever happens.
    const killer = setTimeout(() => child.kill("SIGKILL"), 30_000)
    try {
      // Compiling through tsx on a loaded machine takes a while: bounded by the killer, not by a guess.
      await printed
      const endpoint = /AWS_ENDPOINT_URL=(\S+)/.exec(output)![1]!
      expect((await fetch(`${endpoint}/_emulator/health`)).status).toBe(200)
      child.kill("SIGINT")
      expect(await exited, explain()).toBe(0)
      expect(output).toContain("stopped (SIGINT)")
    } finally {
      clearTimeout(killer)
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
    }
  }, 40_000)
})
