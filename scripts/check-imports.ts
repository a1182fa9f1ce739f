/**
 * The structure checks `pnpm lint` runs on `packages/*\/src`:
 *
 * - no import cycle: the static imports between source files (type-only
 *   imports and re-exports included, across packages through their
 *   `source` entries) form no circle;
 * - core names no service: no service's name appears in `packages/core/src`;
 *   sources declare their own;
 * - the published libraries import each effect module they use
 *   (`effect/Effect`), never the `effect` barrel, which loads all of effect.
 *
 * Run with `tsx scripts/check-imports.ts`; it prints each problem and exits 1
 * when there is one.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"

/** Static `import`/`export ... from` specifiers of a module (dynamic `import()` loads later and is left out). */
export const specifiersOf = (source: string): Array<string> => {
  const out: Array<string> = []
  const text = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1")
  const pattern = /(?:^|[;\n])\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?["']([^"']+)["']/g
  for (const match of text.matchAll(pattern)) out.push(match[1]!)
  return out
}

/** The cycles of a directed graph (Tarjan's strongly connected components of more than one node, or a self-loop). */
export const cyclesOf = (graph: ReadonlyMap<string, ReadonlyArray<string>>): Array<Array<string>> => {
  let index = 0
  const indices = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: Array<string> = []
  const onStack = new Set<string>()
  const out: Array<Array<string>> = []
  const visit = (node: string) => {
    indices.set(node, index)
    low.set(node, index)
    index++
    stack.push(node)
    onStack.add(node)
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        visit(next)
        low.set(node, Math.min(low.get(node)!, low.get(next)!))
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, indices.get(next)!))
    }
    if (low.get(node) === indices.get(node)) {
      const component: Array<string> = []
      let member: string
      do {
        member = stack.pop()!
        onStack.delete(member)
        component.push(member)
      } while (member !== node)
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) out.push(component.reverse())
    }
  }
  for (const node of graph.keys()) if (!indices.has(node)) visit(node)
  return out
}

const filesUnder = (dir: string): Array<string> =>
  existsSync(dir)
    ? readdirSync(dir).flatMap((name) => {
        const path = join(dir, name)
        if (statSync(path).isDirectory()) return filesUnder(path)
        return path.endsWith(".ts") && !path.endsWith(".d.ts") ? [path] : []
      })
    : []

/** The file a package's export resolves to under the `source` condition. */
const sourceEntries = (root: string): Map<string, string> => {
  const entries = new Map<string, string>()
  for (const name of readdirSync(join(root, "packages"))) {
    const dir = join(root, "packages", name)
    const manifest = join(dir, "package.json")
    if (!existsSync(manifest)) continue
    const pkg = JSON.parse(readFileSync(manifest, "utf8")) as {
      name: string
      exports?: Record<string, unknown>
    }
    for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
      const source =
        typeof target === "object" && target !== null ? (target as { source?: unknown }).source : undefined
      if (typeof source !== "string") continue
      entries.set(subpath === "." ? pkg.name : `${pkg.name}/${subpath.slice(2)}`, resolve(dir, source))
    }
  }
  return entries
}

/** The import graph of every package's `src`, file to file. */
export const importGraph = (root: string): Map<string, Array<string>> => {
  const entries = sourceEntries(root)
  const graph = new Map<string, Array<string>>()
  const files = readdirSync(join(root, "packages")).flatMap((name) =>
    filesUnder(join(root, "packages", name, "src"))
  )
  for (const file of files) {
    const targets: Array<string> = []
    for (const specifier of specifiersOf(readFileSync(file, "utf8"))) {
      if (specifier.startsWith(".")) {
        const target = resolve(dirname(file), specifier.replace(/\.js$/, ".ts"))
        if (existsSync(target)) targets.push(target)
      } else {
        const target = entries.get(specifier)
        if (target !== undefined) targets.push(target)
      }
    }
    graph.set(file, targets)
  }
  return graph
}

/** Service names core must not hold: sources declare them. */
const serviceNames =
  /lightsail|servicediscovery|service discovery|ssm-sap|ssm for sap|cloud map|cloudformation|route ?53|cloud ?control|\becs\b/i

/** Lines of `packages/core/src` that name a service. */
export const serviceNamesInCore = (root: string): Array<string> =>
  filesUnder(join(root, "packages", "core", "src")).flatMap((file) =>
    readFileSync(file, "utf8")
      .split("\n")
      .flatMap((line, i) =>
        serviceNames.test(line) ? [`${relative(root, file)}:${i + 1}: ${line.trim()}`] : []
      )
  )

/** The packages users import, whose cold import must not load all of effect. */
const libraries = [
  "core",
  "lightsail",
  "servicediscovery",
  "ssm-sap",
  "cloudformation",
  "ecs",
  "cloudcontrol",
  "route53",
  "cli",
  "opstatus"
]

/** Imports of the `effect` barrel in the libraries' sources. */
export const barrelImports = (root: string): Array<string> =>
  libraries.flatMap((name) =>
    filesUnder(join(root, "packages", name, "src")).flatMap((file) =>
      specifiersOf(readFileSync(file, "utf8")).includes("effect") ? [relative(root, file)] : []
    )
  )

const main = () => {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..")
  const problems: Array<string> = []
  for (const cycle of cyclesOf(importGraph(root))) {
    problems.push(`import cycle: ${[...cycle, cycle[0]!].map((f) => relative(root, f)).join(" -> ")}`)
  }
  for (const line of serviceNamesInCore(root)) problems.push(`core names a service: ${line}`)
  for (const file of barrelImports(root))
    problems.push(`imports the effect barrel (use effect/<Module>): ${file}`)
  if (problems.length > 0) {
    for (const problem of problems) console.error(problem)
    process.exitCode = 1
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main()
