/**
 * Standard output closed by its reader, as `opstatus ... | head -1` closes it: the command
 * stops writing and polling and exits 141 (128 + SIGPIPE, as a shell reports it), with
 * nothing on standard error, never a stack trace. Each child's standard output is a pipe
 * this test closes itself; each test is bounded by what the child does (its exit), which
 * no deadline of the test decides: the operations are held running, so only the closed
 * pipe can end the command.
 */
import { describe, expect, it } from "vitest"
import { emulator, expectExit, explain, fast, spawnCli } from "./helpers.js"

const region = "us-east-1"

describe.concurrent("a closed standard output", () => {
  it("wait --json | head -1: the pipe closed after the first line stops the wait (exit 141)", async (ctx) => {
    const emu = await emulator(ctx)
    // Both held running: neither ends by itself, so the wait can only end by the closed pipe.
    const first = emu.createOperation({ service: "lightsail", type: "CreateInstance" })
    const second = emu.createOperation({ service: "servicediscovery", type: "REGISTER_INSTANCE" })
    emu.transition("lightsail", first.id, "running")
    emu.transition("servicediscovery", second.id, "running")
    const cli = spawnCli(
      ["wait", "--json", "--timeout", "1h", ...fast, `lightsail:${region}:${first.id}`, second.id],
      { env: { AWS_ENDPOINT_URL: emu.endpoint }, hooks: ctx }
    )
    await cli.waitForStdout("\n")
    // The reader goes away after the first line, as head -1 does...
    cli.child.stdout!.destroy()
    // ...and the next change makes the command write again, into the closed pipe.
    emu.transition("lightsail", first.id, "succeeded")
    const result = await cli.result
    expectExit(result, 141)
    explain(result, () => {
      expect(result.signal).toBeNull()
      expect(result.stderr).toBe("")
      expect(result.stdout.split("\n")[0]).toMatch(/^\{"event":"change"/)
    })
  })

  it("list | head -0: the pipe closed before the first line (exit 141, nothing on standard error)", async (ctx) => {
    const emu = await emulator(ctx)
    for (let i = 0; i < 20; i++) emu.createOperation({ service: "lightsail", type: "CreateInstance" })
    const cli = spawnCli(["list", "lightsail"], { env: { AWS_ENDPOINT_URL: emu.endpoint }, hooks: ctx })
    // Closed at once: the child cannot have written anything yet (its list needs this process's emulator).
    cli.child.stdout!.destroy()
    const result = await cli.result
    expectExit(result, 141)
    explain(result, () => {
      expect(result.signal).toBeNull()
      expect(result.stderr).toBe("")
    })
  })

  it("--help | head -0: exit 141 as well", async (ctx) => {
    const cli = spawnCli(["--help"], { hooks: ctx })
    cli.child.stdout!.destroy()
    const result = await cli.result
    expectExit(result, 141)
    expect(result.stderr).toBe("")
  })
})
