import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { barrelImports, cyclesOf, importGraph, serviceNamesInCore, specifiersOf } from "../check-imports.ts"

describe("the structure checks", () => {
  it("reads static imports and re-exports, type-only included, but not dynamic imports", () => {
    const source = [
      'import { a } from "./a.js"',
      'import type { B } from "./b.js"',
      'export { c } from "./c.js"',
      'export * from "./d.js"',
      'import "./side.js"',
      'const lazy = () => import("./lazy.js")',
      '// import { gone } from "./comment.js"'
    ].join("\n")
    expect(specifiersOf(source)).toEqual(["./a.js", "./b.js", "./c.js", "./d.js", "./side.js"])
  })

  it("finds a circle, and none where there is none", () => {
    expect(
      cyclesOf(
        new Map([
          ["a", ["b"]],
          ["b", ["c"]],
          ["c", ["a"]],
          ["d", ["a"]]
        ])
      )
    ).toEqual([["a", "b", "c"]])
    expect(cyclesOf(new Map([["a", ["a"]]]))).toEqual([["a"]])
    expect(
      cyclesOf(
        new Map([
          ["a", ["b"]],
          ["b", []]
        ])
      )
    ).toEqual([])
  })

  it("sees a circle across packages through their source entries, and a service named in core", () => {
    const root = mkdtempSync(join(tmpdir(), "opstatus-imports-"))
    const pkg = (name: string, files: Record<string, string>) => {
      mkdirSync(join(root, "packages", name, "src"), { recursive: true })
      writeFileSync(
        join(root, "packages", name, "package.json"),
        JSON.stringify({ name: `@x/${name}`, exports: { ".": { source: "./src/index.ts" } } })
      )
      for (const [file, text] of Object.entries(files))
        writeFileSync(join(root, "packages", name, "src", file), text)
    }
    pkg("core", { "index.ts": 'import { b } from "@x/adapter"\n// waits on Lightsail operations\n' })
    pkg("adapter", { "index.ts": 'import { a } from "@x/core"\n' })
    const cycles = cyclesOf(importGraph(root))
    expect(cycles).toHaveLength(1)
    expect(serviceNamesInCore(root)).toEqual([
      "packages/core/src/index.ts:2: // waits on Lightsail operations"
    ])
  })

  it("the project itself has no circle, and core names no service", () => {
    const root = join(import.meta.dirname, "..", "..")
    expect(cyclesOf(importGraph(root))).toEqual([])
    expect(serviceNamesInCore(root)).toEqual([])
    expect(barrelImports(root)).toEqual([])
  })
})
