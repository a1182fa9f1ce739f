/**
 * Bundles the CLI from source once per test run (the workspace packages from their
 * `source` entry, every other package left external at its installed path), so each
 * child process starts in well under a second instead of compiling TypeScript on the
 * fly. One test still runs the command through `node --import tsx` from source. Split at
 * each `import()` as the published build is, so `--help` loads only what it needs there
 * too.
 */
import { mkdirSync, rmSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { build, type Plugin } from "esbuild"

export const bundlePath = fileURLToPath(new URL("../build/test/opstatus.mjs", import.meta.url))

/** Leaves every non-workspace package external, at the path it resolves to from its importer. */
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

export default async function setup(): Promise<void> {
  const outdir = fileURLToPath(new URL("../build/test/", import.meta.url))
  rmSync(outdir, { recursive: true, force: true })
  mkdirSync(outdir, { recursive: true })
  await build({
    entryPoints: { opstatus: fileURLToPath(new URL("../src/bin.ts", import.meta.url)) },
    outdir,
    outExtension: { ".js": ".mjs" },
    chunkNames: "chunks/[name]-[hash]",
    splitting: true,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    conditions: ["source"],
    mainFields: ["main"],
    logLevel: "warning",
    plugins: [externalDependencies]
  })
}
