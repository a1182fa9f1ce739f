/**
 * What each published package says of its versions is true: no `@since` in its
 * sources (and so in its `.d.ts`) names a version later than the package's own,
 * and the CLI's `--version` is its package's version.
 */
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"

const packages = join(import.meta.dirname, "..", "..", "packages")

interface Manifest {
  readonly name: string
  readonly version: string
  readonly private?: boolean
}

const published = readdirSync(packages)
  .map((dir) => ({
    dir,
    manifest: JSON.parse(readFileSync(join(packages, dir, "package.json"), "utf8")) as Manifest
  }))
  .filter(({ manifest }) => manifest.private !== true)

const sourcesOf = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourcesOf(path)
    return path.endsWith(".ts") ? [path] : []
  })

/** Compares two `major.minor.patch` versions. */
const compare = (a: string, b: string): number => {
  const [x, y] = [a, b].map((v) => v.split("-")[0]!.split(".").map(Number))
  for (let i = 0; i < 3; i++) if (x![i] !== y![i]) return x![i]! - y![i]!
  return 0
}

describe("the versions the packages state", () => {
  it("compares versions by number", () => {
    expect(compare("0.10.0", "0.9.3")).toBeGreaterThan(0)
    expect(compare("0.2.0", "0.2.0")).toBe(0)
    expect(compare("0.1.0", "0.2.0")).toBeLessThan(0)
  })

  it("finds the tags: core's sources have them", () => {
    const core = sourcesOf(join(packages, "core", "src")).map((file) => readFileSync(file, "utf8"))
    expect(core.join("\n").match(/@since \d+\.\d+\.\d+/g)?.length).toBeGreaterThan(100)
  })

  it("every published package is found", () => {
    expect(published.map(({ manifest }) => manifest.name).sort()).toEqual([
      "@opstatus/cli",
      "@opstatus/cloudcontrol",
      "@opstatus/cloudformation",
      "@opstatus/core",
      "@opstatus/ecs",
      "@opstatus/emulator",
      "@opstatus/lightsail",
      "@opstatus/route53",
      "@opstatus/servicediscovery",
      "@opstatus/ssm-sap",
      "opstatus"
    ])
  })

  it.each(published.map(({ dir, manifest }) => [manifest.name, dir, manifest.version] as const))(
    "%s: no @since later than the package's version",
    (_name, dir, version) => {
      const later: Array<string> = []
      for (const file of sourcesOf(join(packages, dir, "src"))) {
        for (const match of readFileSync(file, "utf8").matchAll(/@since (\d+\.\d+\.\d+)/g)) {
          if (compare(match[1]!, version) > 0)
            later.push(`${file.slice(packages.length + 1)}: @since ${match[1]}`)
        }
      }
      expect(later).toEqual([])
    }
  )

  it("the CLI's --version is its package's version", () => {
    const cli = published.find(({ manifest }) => manifest.name === "@opstatus/cli")!
    const help = readFileSync(join(packages, cli.dir, "src", "Help.ts"), "utf8")
    expect(help).toContain(`export const version = "${cli.manifest.version}"`)
  })
})
