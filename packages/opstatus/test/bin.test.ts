/**
 * `npx opstatus`: the package's `opstatus` command is @opstatus/cli's. The test lays the two
 * packages out as npm installs them (`node_modules/opstatus` next to `node_modules/@opstatus/cli`,
 * with `node_modules/.bin/opstatus` a link to this package's bin), the CLI's `dist` built from
 * its source, and runs the command as a child process.
 */
import { spawn } from "node:child_process"
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { build, type Plugin } from "esbuild"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const packageDir = fileURLToPath(new URL("..", import.meta.url))
const cliDir = fileURLToPath(new URL("../../cli/", import.meta.url))
const cliVersion = (JSON.parse(readFileSync(join(cliDir, "package.json"), "utf8")) as { version: string })
  .version

/** Leaves every package but ours external, at the path it resolves to from its importer. */
const externalDependencies: Plugin = {
  name: "external-dependencies",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (
        args.path.startsWith("@opstatus/") ||
        args.path.startsWith("node:") ||
        args.pluginData === "inner"
      ) {
        return undefined
      }
      const resolved = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        pluginData: "inner"
      })
      return resolved.errors.length > 0 ? undefined : { path: resolved.path, external: true }
    })
  }
}

let root: string

/** `node_modules` with this package, and with @opstatus/cli unless `withCli` is false. */
const install = (name: string, withCli: boolean): string => {
  const modules = join(root, name, "node_modules")
  const opstatus = join(modules, "opstatus")
  mkdirSync(opstatus, { recursive: true })
  cpSync(join(packageDir, "package.json"), join(opstatus, "package.json"))
  cpSync(join(packageDir, "bin"), join(opstatus, "bin"), { recursive: true })
  mkdirSync(join(modules, ".bin"))
  // npm links the command into node_modules/.bin.
  symlinkSync("../opstatus/bin/opstatus.js", join(modules, ".bin", "opstatus"))
  chmodSync(join(opstatus, "bin", "opstatus.js"), 0o755)
  if (withCli) {
    const cli = join(modules, "@opstatus", "cli")
    mkdirSync(cli, { recursive: true })
    cpSync(join(cliDir, "package.json"), join(cli, "package.json"))
    cpSync(join(cliDir, "bin"), join(cli, "bin"), { recursive: true })
    cpSync(join(root, "cli-dist"), join(cli, "dist"), { recursive: true })
  }
  return modules
}

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs node_modules/.bin/opstatus, as npx and npm scripts do. */
const opstatus = (modules: string, args: ReadonlyArray<string>) =>
  new Promise<Run>((resolve, reject) => {
    const child = spawn(join(modules, ".bin", "opstatus"), args, {
      cwd: dirname(modules),
      // The hashbang finds this node.
      env: { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`, HOME: root },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    const guard = setTimeout(() => child.kill("SIGKILL"), 150_000)
    child.on("error", reject)
    child.on("close", (code) => {
      clearTimeout(guard)
      resolve({ code, stdout, stderr })
    })
  })

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "opstatus-bin-"))
  // The CLI's dist/bin.js as its build makes it: its source, split at each import().
  await build({
    entryPoints: { bin: join(cliDir, "src", "bin.ts") },
    outdir: join(root, "cli-dist"),
    splitting: true,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    conditions: ["source"],
    logLevel: "warning",
    plugins: [externalDependencies]
  })
})

afterAll(() => {
  rmSync(root, { recursive: true, force: true })
})

describe("the opstatus command of the opstatus package", () => {
  it("is @opstatus/cli's: --version prints the CLI's version", async () => {
    const modules = install("installed", true)
    const result = await opstatus(modules, ["--version"])
    expect(result).toEqual({ code: 0, stdout: `opstatus ${cliVersion}\n`, stderr: "" })
  })

  it("passes the arguments on", async () => {
    const modules = install("arguments", true)
    const result = await opstatus(modules, ["wiat"])
    expect(result.code).toBe(2)
    expect(result.stdout).toBe("")
    expect(result.stderr).toContain('unknown command "wiat". Did you mean wait?')
  })

  it("says so when @opstatus/cli is missing", async () => {
    const modules = install("without-cli", false)
    const result = await opstatus(modules, ["--version"])
    expect(result.code).toBe(1)
    expect(result.stdout).toBe("")
    expect(result.stderr).toMatch(/^opstatus: the command comes with @opstatus\/cli, which cannot be found/)
  })

  it("is declared in package.json, with @opstatus/cli a dependency", () => {
    const manifest = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as {
      readonly bin?: Record<string, string>
      readonly files?: ReadonlyArray<string>
      readonly dependencies?: Record<string, string>
    }
    expect(manifest.bin).toEqual({ opstatus: "./bin/opstatus.js" })
    expect(manifest.files).toContain("bin")
    expect(manifest.dependencies?.["@opstatus/cli"]).toBe("workspace:^")
  })
})
