/**
 * The packages as a user gets them. Every published package is built and
 * packed; the tarballs are installed with npm into a project outside the
 * workspace (their own dependencies, the AWS SDK clients and effect, from
 * the registry); small scripts then use them as a user would, from ES
 * modules and from CommonJS, against an emulator this test starts.
 */
import { execFile, spawn } from "node:child_process"
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { type Emulator, startEmulator } from "@opstatus/emulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const run = promisify(execFile)
const root = join(import.meta.dirname, "..", "..", "..")
const apps = join(import.meta.dirname, "apps")

/** The published packages: the directory under packages/ and the name. */
const published = [
  ["core", "@opstatus/core"],
  ["lightsail", "@opstatus/lightsail"],
  ["servicediscovery", "@opstatus/servicediscovery"],
  ["ssm-sap", "@opstatus/ssm-sap"],
  ["cloudformation", "@opstatus/cloudformation"],
  ["ecs", "@opstatus/ecs"],
  ["cloudcontrol", "@opstatus/cloudcontrol"],
  ["route53", "@opstatus/route53"],
  ["emulator", "@opstatus/emulator"],
  ["cli", "@opstatus/cli"],
  ["opstatus", "opstatus"]
] as const

let project: string
let emulator: Emulator
let env: NodeJS.ProcessEnv
/** The emulator keeps each access key's operations apart; the scripts sign with this one. */
const account = "AKIDCONSUMER"

/** Runs a script of the project to its end (the guard only stops a hang) and returns what it printed. */
const script = (file: string, args: ReadonlyArray<string>, extraEnv: NodeJS.ProcessEnv = {}) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [file, ...args], {
      cwd: project,
      env: { ...env, ...extraEnv },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => {
      stdout += String(chunk)
    })
    child.stderr.on("data", (chunk) => {
      stderr += String(chunk)
    })
    const guard = setTimeout(() => child.kill("SIGKILL"), 240_000)
    child.on("exit", (code) => {
      clearTimeout(guard)
      resolve({ code, stdout, stderr })
    })
  })

const lastJson = (out: string) => JSON.parse(out.trim().split("\n").at(-1) ?? "null")

/**
 * Builds and packs every published package into `tarballs`. With `OPSTATUS_PACKED_DIR` set (CI
 * sets it for its runs under each Node line), a directory that already holds the packed packages
 * of this checkout is used as it is: the tarballs do not depend on the Node line that installs them.
 */
const pack = async (tarballs: string) => {
  const packed = join(tarballs, ".complete")
  if (existsSync(packed)) return
  const filters = published.flatMap(([, name]) => ["--filter", name])
  await run("pnpm", [...filters, "run", "build"], { cwd: root, maxBuffer: 64 * 1024 * 1024 })
  for (const [dir] of published) {
    await run("pnpm", ["pack", "--pack-destination", tarballs], { cwd: join(root, "packages", dir) })
  }
  writeFileSync(packed, "")
}

beforeAll(async () => {
  const work = mkdtempSync(join(tmpdir(), "opstatus-consumer-"))
  const tarballs = process.env.OPSTATUS_PACKED_DIR || join(work, "tarballs")
  mkdirSync(tarballs, { recursive: true })
  await pack(tarballs)
  const files = readdirSync(tarballs)
  const fileOf = (name: string) => {
    const prefix = `${name.replace("@", "").replace("/", "-")}-`
    const file = files.find((f) => f.startsWith(prefix) && /^\d/.test(f.slice(prefix.length)))
    if (file === undefined) throw new Error(`no tarball for ${name} in ${files.join(", ")}`)
    return `file:${join(tarballs, file)}`
  }
  project = join(work, "app")
  mkdirSync(project)
  // Every package from its tarball, its dependencies on the others too (they are not on the registry).
  const local = Object.fromEntries(published.map(([, name]) => [name, fileOf(name)]))
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "consumer", private: true, dependencies: local, overrides: local }, null, 2)
  )
  await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], {
    cwd: project,
    maxBuffer: 64 * 1024 * 1024
  })
  for (const file of readdirSync(apps)) copyFileSync(join(apps, file), join(project, file))
  emulator = await startEmulator({ port: 0, seed: 7, timeScale: 1000 })
  env = {
    PATH: process.env.PATH,
    HOME: project,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: account,
    AWS_SECRET_ACCESS_KEY: "consumer-secret",
    AWS_ENDPOINT_URL: emulator.endpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true"
  }
}, 900_000)

afterAll(async () => {
  await emulator?.stop()
  if (project !== undefined) rmSync(join(project, ".."), { recursive: true, force: true })
})

describe("the packed packages, installed with npm outside the workspace", () => {
  it("the one line from an ES module: a ref of each service", async () => {
    const services = [
      "lightsail",
      "servicediscovery",
      "ssm-sap",
      "cloudformation",
      "ecs",
      "cloudcontrol",
      "route53"
    ] as const
    for (const service of services) {
      const { id } = emulator.createOperation({ service, durationMs: 60_000, account })
      // A StackSet operation's ref names its stack set; Route 53 is global.
      const ref =
        service === "cloudformation"
          ? `cloudformation:us-east-1:stackset-emulator/${id}`
          : service === "route53"
            ? `route53:global:${id}`
            : `${service}:us-east-1:${id}`
      const out = await script("esm.mjs", [ref])
      expect(out.stderr).toBe("")
      expect(out.code).toBe(0)
      expect(lastJson(out.stdout)).toEqual({ status: "succeeded", service })
    }
  })

  it("the one line from CommonJS, one OpstatusError class for require and import", async () => {
    const { id } = emulator.createOperation({ service: "lightsail", durationMs: 60_000, account })
    const out = await script("cjs.cjs", [`lightsail:us-east-1:${id}`])
    expect(out.stderr).toBe("")
    expect(out.code).toBe(0)
    expect(lastJson(out.stdout)).toEqual({ status: "succeeded", oneClass: true, guards: true })
  })

  it("a mutating call's response goes straight to a wait, for each service", async () => {
    const out = await script("responses.mjs", ["srv-consumer", "app-consumer"])
    expect(out.stderr).toBe("")
    expect(out.code).toBe(0)
    expect(lastJson(out.stdout)).toEqual([
      "lightsail:succeeded",
      "servicediscovery:succeeded",
      "ssm-sap:succeeded"
    ])
  })

  it("the opstatus command comes with the package", async () => {
    const out = await run(join(project, "node_modules", ".bin", "opstatus"), ["--version"], { env })
    expect(out.stdout.trim()).toMatch(/^opstatus \d+\.\d+\.\d+/)
  })

  // Both wait out the same grace, so they run side by side.
  it.concurrent.each([
    ["an address that does not resolve", "http://opstatus-consumer.invalid", "opstatus-consumer.invalid"],
    ["a closed port on 127.0.0.1", "closed", "127.0.0.1"]
  ])(
    "%s: a typed EndpointUnreachable naming the endpoint, well before the timeout",
    async (_name, endpoint, named) => {
      let url = endpoint
      if (endpoint === "closed") {
        // A port that was open a moment ago and is closed now.
        const server = createServer()
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
        const { port } = server.address() as { port: number }
        await new Promise<void>((resolve) => server.close(() => resolve()))
        url = `http://127.0.0.1:${port}`
      }
      const out = await script(
        "unreachable.mjs",
        ["lightsail:us-east-1:0c5b2ee3-4a1d-4c5e-9a8c-1d2e3f4a5b6c"],
        {
          AWS_ENDPOINT_URL: url
        }
      )
      expect(out.code).toBe(0)
      const result = lastJson(out.stdout)
      expect(result).toMatchObject({ typed: true, reason: "EndpointUnreachable" })
      expect(result.message).toContain(named)
      expect(result.message).toContain("us-east-1")
      expect(result.message).toContain("Check the region, the endpoint")
      // Said after the short bound (15 s of unreachableGrace from the first such answer), not after
      // Lightsail's 30-minute timeout; the bound here only leaves room for a loaded machine.
      expect(result.tookMs).toBeGreaterThanOrEqual(15_000)
      expect(result.tookMs).toBeLessThan(5 * 60_000)
      console.log(`${_name}: EndpointUnreachable after ${result.tookMs} ms: ${result.message}`)
    },
    300_000
  )
})
