/**
 * The package's command, bin/opstatus.js: a committed file (so installing the workspace links
 * it before any build, without a warning) that runs the built dist/bin.js, or says how to build
 * it when it is missing. Each case copies the package's manifest and bin to a directory of its
 * own, with or without a dist/bin.js (here, one that runs the test bundle of globalSetup.ts).
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { afterAll, describe, expect, it } from "vitest"
import { bundlePath } from "./globalSetup.js"
import { expectExit, runCli } from "./helpers.js"

const packageDir = fileURLToPath(new URL("..", import.meta.url))
const root = mkdtempSync(join(tmpdir(), "opstatus-cli-bin-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))

/** The package as published, in a directory of its own; with `built`, a dist/bin.js. */
const layout = (name: string, built: boolean): string => {
  const dir = join(root, name)
  mkdirSync(dir)
  cpSync(join(packageDir, "package.json"), join(dir, "package.json"))
  cpSync(join(packageDir, "bin"), join(dir, "bin"), { recursive: true })
  if (built) {
    mkdirSync(join(dir, "dist"))
    writeFileSync(join(dir, "dist", "bin.js"), `import ${JSON.stringify(pathToFileURL(bundlePath).href)}\n`)
  }
  return join(dir, "bin", "opstatus.js")
}

describe("bin/opstatus.js", () => {
  it("is the package's command, and is shipped", () => {
    const manifest = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as {
      readonly bin?: Record<string, string>
      readonly files?: ReadonlyArray<string>
    }
    expect(manifest.bin).toEqual({ opstatus: "./bin/opstatus.js" })
    expect(manifest.files).toContain("bin")
    expect(readFileSync(join(packageDir, "bin", "opstatus.js"), "utf8")).toMatch(/^#!\/usr\/bin\/env node\n/)
  })

  it("runs dist/bin.js with the arguments", async () => {
    const bin = layout("built", true)
    const version = await runCli(["--version"], { command: ["node", bin] })
    expectExit(version, 0)
    expect(version.stdout).toMatch(/^opstatus \d+\.\d+\.\d+\n$/)
    const usage = await runCli(["wiat"], { command: ["node", bin] })
    expectExit(usage, 2)
    expect(usage.stderr).toContain("Did you mean wait?")
  })

  it("says how to build when dist/bin.js is missing", async () => {
    const bin = layout("unbuilt", false)
    const result = await runCli(["--version"], { command: ["node", bin] })
    expectExit(result, 1)
    expect(result.stdout).toBe("")
    expect(result.stderr).toBe(
      `opstatus: ${join(root, "unbuilt", "dist", "bin.js")} is missing; build it first: pnpm --filter @opstatus/cli build\n`
    )
  })
})
