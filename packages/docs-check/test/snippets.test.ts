/**
 * Every TypeScript snippet of README.md, docs/getting-started.md and
 * docs/recipes.md runs as a reader would run it: written to a `.ts` file of
 * this package (so `opstatus`, the `@opstatus/*` packages, the AWS SDK
 * clients and effect resolve through the workspace), run with tsx in a
 * process of its own, with the AWS settings of its environment pointing every
 * client at an emulator of its own. A snippet passes when its process ends by
 * itself with exit code 0 and writes nothing to standard error. The snippets
 * are type-checked too, all together, by `tsc`. Only a block marked
 * `<!-- not run: <why> -->` right above it is left out, of both.
 *
 * What a snippet waits on exists: either it starts the operation itself
 * through the real SDK client, or it names one of the operations of
 * `scenario.json`, which each emulator creates at its start (seed 1 gives
 * them the IDs of `existing`). The emulator runs 100,000 times faster than
 * real time, so an operation has ended, or nearly, by the time it is first
 * read: a snippet takes what its process takes to start, about two seconds.
 */
import { spawn } from "node:child_process"
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { availableParallelism } from "node:os"
import { join } from "node:path"
import { type Emulator, parseScenario, type ServiceName, startEmulator } from "@opstatus/emulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { placeholdersIn, type Snippet, snippetsOf } from "./markdown.js"

const packageDir = new URL("..", import.meta.url).pathname
const root = join(packageDir, "..", "..")
const runDir = join(packageDir, ".run")

const documents = ["README.md", "docs/getting-started.md", "docs/recipes.md"] as const

/**
 * The operations the docs name by ID: those of `scenario.json`, which the
 * emulator creates at its start, seed 1 giving them these IDs. README.md and
 * docs/getting-started.md start the emulator with the same file.
 */
const existing: ReadonlyArray<readonly [ServiceName, string]> = [
  ["lightsail", "8a7f630e-a7d2-4871-a892-f03ac84d82f2"],
  ["servicediscovery", "qrbrzafc4shydbe2slgz622gx2wc7i7v-2lhee5xz"],
  ["ssm-sap", "62f253fa-5e49-443a-aa56-fc86b42ede0c"],
  ["servicediscovery", "mszmjoh6jybxgyj7qax3yokkxdlbwdje-rzfxssbe"]
]

const scenario = parseScenario(JSON.parse(readFileSync(join(packageDir, "scenario.json"), "utf8")))

/** An emulator holding the operations of `scenario.json`, 100,000 times faster than real time. */
const startEmulatorForDocs = (): Promise<Emulator> => startEmulator({ port: 0, timeScale: 100_000, scenario })

/** A reader's AWS settings, pointed at the emulator, and nothing of the machine's own. */
const awsEnv = (endpoint: string): Record<string, string | undefined> => ({
  AWS_ENDPOINT_URL: endpoint,
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
  AWS_SECRET_ACCESS_KEY: "emulator",
  // The SDK warns once per process that Node 20 support ends in 2027: known, and not the snippet's doing.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  AWS_CONFIG_FILE: "/nonexistent/opstatus-docs-check/config",
  AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/opstatus-docs-check/credentials",
  AWS_EC2_METADATA_DISABLED: "true",
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: undefined,
  AWS_DEFAULT_PROFILE: undefined,
  AWS_DEFAULT_REGION: undefined,
  AWS_MAX_ATTEMPTS: undefined,
  AWS_RETRY_MODE: undefined,
  AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: undefined,
  AWS_ENDPOINT_URL_LIGHTSAIL: undefined,
  AWS_ENDPOINT_URL_SERVICEDISCOVERY: undefined,
  AWS_ENDPOINT_URL_SSM_SAP: undefined,
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
  AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
  AWS_WEB_IDENTITY_TOKEN_FILE: undefined
})

/**
 * A CDK custom resource handler module (it exports `onEvent` and
 * `isComplete`) is driven as the CDK Provider framework drives it: one
 * `onEvent`, then `isComplete` until it says done. A Lambda runtime never
 * exits by itself, so neither need a handler's module: the driver exits.
 */
const driverFor = (module: string, code: string): string | undefined =>
  /export const onEvent\b/.test(code) && /export const isComplete\b/.test(code)
    ? `import { isComplete, onEvent } from "./${module.replace(/\.ts$/, ".js")}"

const created = await onEvent({ RequestType: "Create", ResourceProperties: { Name: "docs-check.local" } })
let done = await isComplete({ RequestType: "Create", ...created })
while (!done.IsComplete) {
  await new Promise((resolve) => setTimeout(resolve, 50))
  done = await isComplete({ RequestType: "Create", ...created })
}
console.log(JSON.stringify(done))
process.exit(0)
`
    : undefined

interface Run {
  /** The exit code, or `null` when the process was killed. */
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  readonly ms: number
}

/**
 * No hang goes unnoticed: a process still running after this long is killed. Far beyond what a
 * snippet or the type check takes on a machine at a load average of 15 (the type check took 62 s
 * there); every snippet ends by itself, so this only stops a hang.
 */
const hangGuardMs = 300_000

/** Runs a process to its end, the guard aside. */
const run = (args: ReadonlyArray<string>, env: Record<string, string | undefined> = {}): Promise<Run> =>
  new Promise((resolve) => {
    const childEnv: Record<string, string> = {}
    for (const [name, value] of Object.entries({ ...process.env, ...env })) {
      if (value !== undefined) childEnv[name] = value
    }
    const started = Date.now()
    const child = spawn(process.execPath, args, {
      cwd: packageDir,
      env: childEnv,
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
    // Bounded by what the process does: it ends when nothing keeps it alive; this only guards a hang.
    const guard = setTimeout(() => child.kill("SIGKILL"), hangGuardMs)
    child.on("close", (code, signal) => {
      clearTimeout(guard)
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started })
    })
  })

/** At most this many snippet processes at once: each costs about two seconds of CPU to start. */
const slots = Math.max(2, Math.min(4, availableParallelism()))
let free = slots
const queue: Array<() => void> = []
const withSlot = async <A>(f: () => Promise<A>): Promise<A> => {
  if (free > 0) free--
  else await new Promise<void>((resolve) => queue.push(resolve))
  try {
    return await f()
  } finally {
    const next = queue.shift()
    if (next === undefined) free++
    else next()
  }
}

const snippets = documents.flatMap((doc) => snippetsOf(readFileSync(join(root, doc), "utf8"), doc))
const runnable = snippets.filter((s) => s.notRun === undefined)

const fileNameOf = (snippet: Snippet): string =>
  `${snippet.doc
    .replace(/^docs\//, "")
    .replace(/\.md$/, "")
    .replace(/[^\w-]/g, "-")}-line-${snippet.line}.ts`

/** The file to run: the snippet, or the driver of a handler module. */
const entryOf = (snippet: Snippet): string => {
  const name = fileNameOf(snippet)
  return driverFor(name, snippet.code) === undefined ? name : name.replace(/\.ts$/, ".driver.ts")
}

const runSnippet = async (snippet: Snippet): Promise<Run> => {
  const emulator = await startEmulatorForDocs()
  try {
    return await run(
      ["--conditions=source", "--import", "tsx", join(runDir, entryOf(snippet))],
      awsEnv(emulator.endpoint)
    )
  } finally {
    await emulator.stop()
  }
}

const report = (snippet: Snippet, r: Run): string =>
  [
    `${snippet.doc}:${snippet.line} ended with code ${r.code}${r.signal === null ? "" : ` (${r.signal})`} after ${r.ms} ms`,
    `--- snippet (.run/${fileNameOf(snippet)})`,
    snippet.code.trimEnd(),
    "--- stdout",
    r.stdout.trimEnd(),
    "--- stderr",
    r.stderr.trimEnd()
  ].join("\n")

/** The type check of every runnable snippet, started once they are written, alongside the runs. */
let typeCheck: Promise<Run>

beforeAll(() => {
  rmSync(runDir, { recursive: true, force: true })
  mkdirSync(runDir, { recursive: true })
  for (const snippet of runnable) {
    const name = fileNameOf(snippet)
    writeFileSync(join(runDir, name), snippet.code)
    const driver = driverFor(name, snippet.code)
    if (driver !== undefined) writeFileSync(join(runDir, entryOf(snippet)), driver)
  }
  writeFileSync(
    join(runDir, "tsconfig.json"),
    JSON.stringify({
      extends: "../../../tsconfig.base.json",
      compilerOptions: {
        composite: false,
        declaration: false,
        declarationMap: false,
        emitDeclarationOnly: false,
        incremental: false,
        noEmit: true
      },
      include: ["*.ts"]
    })
  )
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")
  typeCheck = withSlot(() => run([tsc, "-p", join(runDir, "tsconfig.json")]))
})

afterAll(() => {
  rmSync(runDir, { recursive: true, force: true })
})

describe.concurrent("the docs' TypeScript snippets", () => {
  it("the emulator started with scenario.json holds the operations the docs name", async () => {
    const emulator = await startEmulatorForDocs()
    try {
      const missing = existing.filter(([service, id]) => emulator.terminalAt(service, id) === undefined)
      expect(missing, "scenario.json no longer gives these IDs: update the docs and `existing`").toEqual([])
    } finally {
      await emulator.stop()
    }
  })

  it("type-check", { timeout: hangGuardMs * 3 }, async () => {
    const r = await typeCheck
    expect(
      r.code === 0,
      r.signal === null
        ? `tsc found errors in the snippets (.run/<doc>-line-<n>.ts):\n${r.stdout}${r.stderr}`
        : `tsc was killed (${r.signal}) after ${r.ms} ms: a hang`
    ).toBe(true)
  })

  for (const doc of documents) {
    const ofDoc = snippets.filter((s) => s.doc === doc)

    describe(doc, () => {
      it("has snippets, and few marked not run, each saying why", () => {
        expect(ofDoc.length).toBeGreaterThan(0)
        const notRun = ofDoc.filter((s) => s.notRun !== undefined)
        for (const s of notRun) expect(s.notRun, `${doc}:${s.line} says why it is not run`).not.toBe("")
        expect(notRun.length).toBeLessThanOrEqual(Math.floor(ofDoc.length / 3))
      })

      for (const snippet of ofDoc) {
        if (snippet.notRun !== undefined) {
          it.skip(`line ${snippet.line} (not run: ${snippet.notRun})`, () => {})
          continue
        }
        it(`line ${snippet.line} runs to its end`, { timeout: hangGuardMs * 3 }, async () => {
          expect(placeholdersIn(snippet.code), `${doc}:${snippet.line} holds a placeholder`).toEqual([])
          const r = await withSlot(() => runSnippet(snippet))
          expect(r.code === 0 && r.stderr === "", report(snippet, r)).toBe(true)
        })
      }
    })
  }
})
