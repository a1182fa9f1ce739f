/**
 * The live view under a real pseudo-terminal (util-linux `script`), its final screen
 * replayed and checked, and the demo, run from source through tsx as `pnpm demo` does.
 * Every child is killed before its test times out and when its test ends.
 */
import { execFileSync } from "node:child_process"
import { describe, expect, it } from "vitest"
import {
  cliCommand,
  cliEnv,
  emulator,
  expectExit,
  explain,
  fast,
  runCli,
  screenOf,
  shellQuote,
  spawnCommand,
  type TestHooks,
  tsxCommand
} from "./helpers.js"

const hasScript = (() => {
  try {
    execFileSync("script", ["--version"], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
})()

/** Runs a command under a 120x50 pseudo-terminal, killed by the safety net or when the test ends. */
const underPty = (hooks: TestHooks, command: ReadonlyArray<string>, env: Record<string, string>) =>
  spawnCommand(
    [
      "script",
      "-q",
      "-e",
      "-c",
      `stty cols 120 rows 50 2>/dev/null; exec ${command.map(shellQuote).join(" ")}`,
      "/dev/null"
    ],
    { env, hooks }
  ).result

describe.concurrent("terminal", () => {
  it.skipIf(!hasScript)("draws a live table in place and ends with the summary", async (ctx) => {
    const durations = { queuedMs: [300, 300] as const, runningMs: [1_200, 1_200] as const }
    const emu = await emulator(ctx, {
      scenario: { services: { lightsail: { durations }, servicediscovery: { durations } } }
    })
    const a = emu.createOperation({ service: "lightsail", type: "CreateInstance", resourceName: "web-1" })
    const b = emu.createOperation({ service: "servicediscovery", type: "CREATE_NAMESPACE" })
    const c = emu.createOperation({
      service: "servicediscovery",
      type: "REGISTER_INSTANCE",
      outcome: "failure",
      errorCode: "INTERNAL_FAILURE"
    })
    const result = await underPty(
      ctx,
      [...cliCommand, "wait", ...fast, `lightsail:us-east-1:${a.id}`, b.id, c.id],
      cliEnv({ AWS_ENDPOINT_URL: emu.endpoint, TERM: "xterm-256color" })
    )
    expectExit(result, 0)
    explain(result, () => {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the cursor-up sequence of the redraw
      expect(result.stdout).toMatch(/\x1b\[\d+A/)
      expect(result.stdout).toContain("\x1b[32m")
      const screen = screenOf(result.stdout)
      const headers = screen.filter((line) => /SERVICE\s+ID\s+TYPE\s+STATUS\s+ELAPSED\s+NOTE/.test(line))
      expect(headers, screen.join("\n")).toHaveLength(1)
      const rowOf = (prefix: string) => screen.find((line) => line.includes(prefix))
      expect(rowOf(a.id.slice(0, 8))).toMatch(
        /^✔\s+lightsail\s+\S+…\S+\s+CreateInstance\s+succeeded \(Completed\)\s+[\d.]+m?s\s+web-1$/
      )
      expect(rowOf(b.id.slice(0, 8))).toMatch(/^✔\s+servicediscovery\s+.*succeeded \(SUCCESS\)/)
      expect(rowOf(c.id.slice(0, 8))).toMatch(
        /^✖\s+servicediscovery\s+.*failed \(FAIL\)\s+[\d.]+m?s\s+INTERNAL_FAILURE$/
      )
      expect(screen.some((line) => /running \(|pending \(|waiting/.test(line))).toBe(false)
      const summary = screen.findIndex((line) => line.startsWith("Summary ("))
      expect(summary).toBeGreaterThan(screen.indexOf(headers[0]!))
      expect(screen[summary]).toMatch(/3 operations: 2 succeeded, 1 failed$/)
      expect(screen.join("\n")).toContain(
        `✖ servicediscovery:us-east-1:${c.id} REGISTER_INSTANCE failed: INTERNAL_FAILURE`
      )
    })
  })

  it.skipIf(!hasScript)(
    "the demo, from source through tsx, under a terminal",
    async (ctx) => {
      // tsx compiles on the fly: killed at 45 s, before this test's 60 s timeout.
      const result = await underPty(ctx, [...tsxCommand, "demo"], cliEnv({ TERM: "xterm-256color" }))
      expectExit(result, 0)
      explain(result, () => {
        const screen = screenOf(result.stdout)
        const text = screen.join("\n")
        expect(
          screen.filter((line) => /SERVICE\s+ID\s+TYPE\s+STATUS\s+ELAPSED\s+NOTE/.test(line))
        ).toHaveLength(1)
        expect(screen.filter((line) => line.startsWith("✔"))).toHaveLength(12)
        expect(screen.filter((line) => line.startsWith("✖ "))).toHaveLength(1)
        expect(screen.filter((line) => line.startsWith("⊘ "))).toHaveLength(1)
        expect(text).toMatch(/Summary \([\d.]+s\): 14 operations: 12 succeeded, 1 failed, 1 cancelled/)
        expect(text).toMatch(/cloudcontrol\s+2\s+1 succeeded, 1 cancelled/)
        expect(text).toMatch(/servicediscovery\s+3\s+2 succeeded, 1 failed/)
        expect(text).toMatch(/REGISTER_INSTANCE failed: INTERNAL_FAILURE: An internal failure occurred/)
        expect(text).toContain("The demo ran as designed")
        expect(text).not.toContain("NodeVersionSupportWarning")
      })
    },
    60_000
  )

  it("the demo without a terminal: plain lines, the summary, exit 0, no open handles", async (ctx) => {
    // bin.ts never calls process.exit: a handle left open would keep the process alive until
    // the kill timeout (25 s, before this test's 30 s), which fails the test.
    const result = await runCli(["demo"], { hooks: ctx })
    expectExit(result, 0)
    explain(result, () => {
      expect(result.signal).toBeNull()
      expect(result.stderr).toBe("")
      expect(result.stdout).not.toContain("\x1b[")
      expect(result.stdout).toMatch(/ servicediscovery us-east-1 \S+ REGISTER_INSTANCE FAIL -> failed/)
      expect(result.stdout).toMatch(/Summary \([\d.]+s\): 14 operations: 12 succeeded, 1 failed, 1 cancelled/)
      expect(result.stdout).toMatch(/ cloudcontrol us-east-1 \S+ CREATE CANCEL_COMPLETE -> cancelled/)
      expect(result.stdout).toMatch(/lightsail\s+4\s+4 succeeded/)
      expect(result.stdout).toMatch(/ssm-sap\s+1\s+1 succeeded/)
      expect(result.stdout).toContain("INTERNAL_FAILURE")
    })
  })
})
