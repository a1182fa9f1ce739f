/**
 * The CLI's module graph: no import cycles among its modules, and the emulator loaded only
 * by the demo command, when it runs. Checked statically over the sources (TypeScript's
 * parser), and at run time: the entry module imported, and a command run, in a Node whose
 * resolver refuses `@opstatus/emulator`.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import ts from "typescript"
import { describe, expect, it } from "vitest"
import { expectExit, explain, spawnCommand } from "./helpers.js"

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
        timeoutMillis: 45_000,
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
  }, 60_000)
})
