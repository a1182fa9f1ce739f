/**
 * The package is ESM only (like effect 4). A CommonJS consumer require()s that one build (Node
 * runs require(esm) unflagged since 20.19, the version `engines` asks for), so it gets the same
 * classes as an ES module consumer: an `OpstatusError` is `instanceof` the class either way.
 *
 * The test builds the package with its own tsup config (JavaScript only, no declarations) into a
 * temporary project, next to this package's package.json, so `require("@opstatus/core")` goes
 * through the real exports map; then it runs `fixtures/cjs-consumer.cjs` there with plain `node`.
 */
import { spawnSync } from "node:child_process"
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const packageDir = fileURLToPath(new URL("..", import.meta.url))
let project: string

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), "opstatus-cjs-"))
  const installed = join(project, "node_modules", "@opstatus", "core")
  mkdirSync(installed, { recursive: true })
  copyFileSync(join(packageDir, "package.json"), join(installed, "package.json"))
  const tsupPackage = createRequire(join(packageDir, "package.json")).resolve("tsup/package.json")
  const build = spawnSync(
    process.execPath,
    [
      join(dirname(tsupPackage), "dist", "cli-default.js"),
      "--out-dir",
      join(installed, "dist"),
      "--no-dts",
      "--no-sourcemap",
      "--silent"
    ],
    { cwd: packageDir, encoding: "utf8" }
  )
  if (build.status !== 0) throw new Error(`tsup failed:\n${build.stdout}${build.stderr}`)
  // effect, as the consumer's own dependency (the peer dependency).
  symlinkSync(
    realpathSync(join(packageDir, "node_modules", "effect")),
    join(project, "node_modules", "effect")
  )
  copyFileSync(join(packageDir, "test", "fixtures", "cjs-consumer.cjs"), join(project, "consumer.cjs"))
})

afterAll(() => {
  if (project !== undefined) rmSync(project, { recursive: true, force: true })
})

describe("a CommonJS consumer", () => {
  it("require()s the ES module build and shares its classes with import()", () => {
    const run = spawnSync(process.execPath, ["consumer.cjs"], { cwd: project, encoding: "utf8" })
    expect(run.stderr).toBe("")
    expect(run.status).toBe(0)
    expect(JSON.parse(run.stdout)).toEqual({
      requireIsImport: true,
      kitLoaded: true,
      madeIsEsmClass: true,
      madeIsError: true,
      madeGuard: true,
      madeMessage: "sources: made by a CommonJS consumer",
      thrownIsCjsClass: true,
      thrownReason: "InvalidConfig"
    })
  })
})
