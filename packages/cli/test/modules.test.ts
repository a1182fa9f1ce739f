/**
 * The CLI's module graph: no import cycles among its modules, the emulator loaded only by
 * the demo command, when it runs, and a light start: the entry module loads argument
 * parsing and the help texts only, so `--help` and `--version` load neither core, nor an
 * adapter, nor the AWS SDK, nor effect. Checked statically over the sources (TypeScript's
 * parser), and at run time: in a Node whose resolver refuses `@opstatus/emulator`, and in
 * one whose resolver records every module loaded, from source and from the test bundle
 * (split at each `import()` as the published build is).
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import ts from "typescript"
import { describe, expect, it } from "vitest"
import { cliCommand, expectExit, explain, spawnCommand, type TestHooks } from "./helpers.js"

const srcDir = fileURLToPath(new URL("../src/", import.meta.url))
const emulator = "@opstatus/emulator"

interface ModuleImport {
  readonly specifier: string
  /** `import type`/`export type`: erased at run time. */
  readonly typeOnly: boolean
  readonly dynamic: boolean
}

const importsOf = (file: string): ReadonlyArray<ModuleImport> => {
  const source = ts.createSourceFile(
    file,
    readFileSync(join(srcDir, file), "utf8"),
    ts.ScriptTarget.ES2022,
    true
  )
  const found: ModuleImport[] = []
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)))
      found.push({ specifier: node.moduleSpecifier.text, typeOnly, dynamic: false })
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined) {
      const specifier = (node.moduleSpecifier as ts.StringLiteral).text
      found.push({ specifier, typeOnly: node.isTypeOnly, dynamic: false })
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] !== undefined &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      found.push({ specifier: node.arguments[0].text, typeOnly: false, dynamic: true })
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

const files = readdirSync(srcDir).filter((f) => f.endsWith(".ts"))
const graph = new Map(files.map((file) => [file, importsOf(file)]))

describe("the module graph of packages/cli/src", () => {
  it("has no import cycle", () => {
    const local = (file: string) =>
      (graph.get(file) ?? [])
        .filter((i) => i.specifier.startsWith("./"))
        .map((i) => i.specifier.slice(2).replace(/\.js$/, ".ts"))
    for (const file of files) for (const target of local(file)) expect(files, file).toContain(target)
    const cycles: string[] = []
    const state = new Map<string, "visiting" | "done">()
    const visit = (file: string, path: ReadonlyArray<string>) => {
      if (state.get(file) === "done") return
      if (state.get(file) === "visiting") {
        cycles.push([...path.slice(path.indexOf(file)), file].join(" -> "))
        return
      }
      state.set(file, "visiting")
      for (const target of local(file)) visit(target, [...path, file])
      state.set(file, "done")
    }
    for (const file of files) visit(file, [])
    expect(cycles).toEqual([])
    // The graph is real: the dispatcher reaches every command.
    expect(local("Cli.ts")).toEqual(
      expect.arrayContaining(["WaitCommand.ts", "GetCommand.ts", "ListCommand.ts", "DemoCommand.ts"])
    )
  })

  it("imports the emulator only in the demo command, and only with import()", () => {
    const loaders = [...graph].flatMap(([file, imports]) =>
      imports
        .filter((i) => i.specifier === emulator || i.specifier.startsWith(`${emulator}/`))
        .filter((i) => !i.typeOnly)
        .map((i) => `${file} ${i.dynamic ? "import()" : "import"}`)
    )
    expect(loaders).toEqual(["DemoCommand.ts import()"])
    // The SigV4 client comes from the adapter's subpath.
    expect(graph.get("Aws.ts")!.map((i) => i.specifier)).toContain("@opstatus/ssm-sap/http")
  })
})

/** What `--help` and `--version` must not load: the engine, the adapters, the SDK, effect. */
const heavySpecifier = /^(@aws-sdk\/|@smithy\/|@opstatus\/|effect$|effect\/)/
const heavyUrl =
  /\/node_modules\/(effect|@aws-sdk\/[^/]+|@smithy\/[^/]+)\/|\/packages\/(core|lightsail|servicediscovery|ssm-sap|emulator)\//

/** The modules the entry loads before any `import()`: everything its static imports reach. */
const staticClosure = (entry: string): { readonly files: Set<string>; readonly packages: Set<string> } => {
  const files = new Set<string>()
  const packages = new Set<string>()
  const visit = (file: string) => {
    if (files.has(file)) return
    files.add(file)
    for (const i of graph.get(file) ?? []) {
      if (i.typeOnly || i.dynamic) continue
      if (i.specifier.startsWith("./")) visit(i.specifier.slice(2).replace(/\.js$/, ".ts"))
      else packages.add(i.specifier)
    }
  }
  visit(entry)
  return { files, packages }
}

describe("a light start", () => {
  it("bin.ts imports nothing but Node's own modules before its signal handlers; Cli then loads no command", () => {
    // The Ctrl-C handlers come first: bin.ts loads Cli with import() after them.
    const bin = staticClosure("bin.ts")
    expect([...bin.files]).toEqual(["bin.ts"])
    expect([...bin.packages].filter((p) => !p.startsWith("node:"))).toEqual([])
    expect(graph.get("bin.ts")?.some((i) => i.dynamic && i.specifier === "./Cli.js")).toBe(true)
    // Argument parsing and the help texts; every command comes with import().
    const cli = staticClosure("Cli.ts")
    expect([...cli.packages].filter((p) => !p.startsWith("node:"))).toEqual([])
    expect(cli.files).toContain("Help.ts")
    for (const command of ["WaitCommand.ts", "GetCommand.ts", "ListCommand.ts", "DemoCommand.ts"]) {
      expect(cli.files.has(command), command).toBe(false)
    }
  })
})

/** A resolver hook that appends every module resolved to a log file, with the specifier asked for. */
const recordingHook = `
import { appendFileSync } from "node:fs"
let log
export async function initialize(data) { log = data.log }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context)
  appendFileSync(log, specifier + "\\t" + result.url + "\\n")
  return result
}
`

/** A directory with the recording hook and its registration; `log` is where it writes. */
const recorder = () => {
  const dir = mkdtempSync(join(tmpdir(), "opstatus-cli-start-"))
  const log = join(dir, "loaded.log")
  writeFileSync(log, "")
  writeFileSync(join(dir, "hook.mjs"), recordingHook)
  const register = join(dir, "register.mjs")
  writeFileSync(
    register,
    `import { register } from "node:module"\nregister(${JSON.stringify(pathToFileURL(join(dir, "hook.mjs")).href)}, { data: { log: ${JSON.stringify(log)} } })\n`
  )
  const loaded = () =>
    readFileSync(log, "utf8")
      .split("\n")
      .filter((line) => line !== "")
  return { register: pathToFileURL(register).href, log, loaded }
}

/** The recorded lines that name a heavy module, by the specifier asked for or the file it resolved to. */
const heavy = (lines: ReadonlyArray<string>): string[] =>
  lines.filter((line) => {
    const [specifier = "", url = ""] = line.split("\t")
    return heavySpecifier.test(specifier) || heavyUrl.test(url)
  })

/** The help and version requests, each with the start of what it prints. */
const lightRequests: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
  [["--help"], "opstatus "],
  [["-h"], "opstatus "],
  [["help", "list"], "Usage: opstatus list"],
  [["help", "wait"], "Usage: opstatus wait"],
  [["wait", "--help"], "Usage: opstatus wait"],
  [["watch", "-h"], "Usage: opstatus watch"],
  [["get", "--help"], "Usage: opstatus get"],
  [["list", "--help"], "Usage: opstatus list"],
  [["demo", "--help"], "Usage: opstatus demo"],
  [["version"], "opstatus "]
]

const spawnRecorded = (hooks: TestHooks, command: ReadonlyArray<string>) =>
  spawnCommand(command, {
    env: { PATH: process.env.PATH ?? "", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    hooks
  }).result

describe("at run time, a light start", () => {
  it("from source: bin.ts --version, then every help, load nothing heavy; a command does", async (ctx) => {
    const { register, log, loaded } = recorder()
    const bin = join(srcDir, "bin.ts")
    const script = `
      import { appendFileSync } from "node:fs"
      // The entry module itself, as the command runs it.
      process.argv = [process.argv[0], ${JSON.stringify(bin)}, "--version"]
      await import(${JSON.stringify(pathToFileURL(bin).href)})
      const { run } = await import(${JSON.stringify(pathToFileURL(join(srcDir, "Cli.ts")).href)})
      const io = (name) => ({
        stdin: async function* () {},
        stdout: { write: (s) => process.stdout.write(name + ": " + s.split("\\n")[0] + "\\n") },
        stderr: { write: (s) => process.stdout.write(name + " err: " + s) },
        env: {}, isTTY: false, signal: new AbortController().signal
      })
      const codes = []
      for (const args of ${JSON.stringify(lightRequests.map(([args]) => args))}) {
        codes.push(await run(args, io(args.join(" "))))
      }
      // The control: a command that runs loads what it needs, and the hook sees it.
      appendFileSync(${JSON.stringify(log)}, "--- control\\n")
      codes.push(await run(["wait", "lightsail:us-east-1:not a uuid!"], io("control")))
      process.stdout.write(JSON.stringify(codes) + "\\n")
    `
    const result = await spawnRecorded(ctx, [
      "node",
      "--conditions=source",
      "--import",
      "tsx",
      "--import",
      register,
      "--input-type=module",
      "-e",
      script
    ])
    expectExit(result, 0)
    const lines = loaded()
    const control = lines.indexOf("--- control")
    explain(result, () => {
      expect(result.stdout).toMatch(/^opstatus \d+\.\d+\.\d+$/m)
      for (const [args, start] of lightRequests) {
        expect(result.stdout).toContain(`${args.join(" ")}: ${start}`)
      }
      expect(result.stdout).toMatch(/^control err: opstatus: Invalid operation reference/m)
      expect(result.stdout.trim().split("\n").at(-1)).toBe(JSON.stringify([...lightRequests.map(() => 0), 2]))
      expect(control, lines.join("\n")).toBeGreaterThan(0)
      // What the entry and the help loaded: the CLI's light modules, nothing heavy.
      expect(lines.slice(0, control).some((line) => line.endsWith("/src/Help.ts"))).toBe(true)
      expect(heavy(lines.slice(0, control))).toEqual([])
      // The hook sees the heavy modules when a command loads them.
      const after = heavy(lines.slice(control + 1)).join("\n")
      expect(after).toMatch(/^effect\//m)
      expect(after).toMatch(/^@opstatus\/core\t/m)
    })
  })

  it("from the bundle, split at each import() as the published build is: --version and --help", async (ctx) => {
    for (const args of [["--version"], ["--help"], ["list", "--help"]]) {
      const { register, loaded } = recorder()
      const result = await spawnRecorded(ctx, ["node", "--import", register, ...cliCommand.slice(1), ...args])
      expectExit(result, 0)
      explain(result, () => {
        expect(result.stdout).toMatch(/^(opstatus |Usage: opstatus list)/)
        expect(loaded().some((line) => line.includes("/build/test/chunks/"))).toBe(true)
        expect(heavy(loaded())).toEqual([])
      })
    }
  })
})

/** A resolver hook that refuses the emulator, by name or by path, naming who asked. */
const refusingHook = `
export async function resolve(specifier, context, next) {
  const refuse = () => { throw new Error("the emulator was loaded by " + context.parentURL) }
  if (specifier === "${emulator}" || specifier.startsWith("${emulator}/")) refuse()
  const result = await next(specifier, context)
  if (result.url.includes("/packages/emulator/")) refuse()
  return result
}
`

describe("at run time", () => {
  it("importing the entry module and running a command never loads the emulator; the demo does", async (ctx) => {
    const dir = mkdtempSync(join(tmpdir(), "opstatus-cli-modules-"))
    writeFileSync(join(dir, "hook.mjs"), refusingHook)
    writeFileSync(
      join(dir, "register.mjs"),
      `import { register } from "node:module"\nregister(${JSON.stringify(pathToFileURL(join(dir, "hook.mjs")).href)})\n`
    )
    const entry = pathToFileURL(join(srcDir, "index.ts")).href
    const script = `
      const cli = await import(${JSON.stringify(entry)})
      const io = (name) => ({
        stdin: async function* () {},
        stdout: { write: (s) => process.stdout.write(name + ": " + s) },
        stderr: { write: (s) => process.stdout.write(name + " err: " + s) },
        env: {}, isTTY: false, signal: new AbortController().signal
      })
      const version = await cli.run(["--version"], io("version"))
      const usage = await cli.run(["wait", "lightsail:us-east-1:not a uuid!"], io("wait"))
      const demo = await cli.run(["demo"], io("demo"))
      process.stdout.write(JSON.stringify({ version, usage, demo }) + "\\n")
    `
    const result = await spawnCommand(
      [
        "node",
        "--conditions=source",
        "--import",
        "tsx",
        "--import",
        pathToFileURL(join(dir, "register.mjs")).href,
        "--input-type=module",
        "-e",
        script
      ],
      {
        env: { PATH: process.env.PATH ?? "", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
        hooks: ctx
      }
    ).result
    expectExit(result, 0)
    explain(result, () => {
      expect(result.stdout).toMatch(/^version: opstatus \d+\.\d+\.\d+$/m)
      expect(result.stdout).toMatch(/^wait err: opstatus: Invalid operation reference/m)
      // The hook is in force: the demo's import() is refused, and the demo reports it.
      expect(result.stdout).toMatch(
        /^demo err: opstatus: unexpected error: the emulator was loaded by \S+DemoCommand\.ts\b/m
      )
      expect(result.stdout.trim().split("\n").at(-1)).toBe(JSON.stringify({ version: 0, usage: 2, demo: 1 }))
      expect(result.stderr).toBe("")
    })
  })
})
