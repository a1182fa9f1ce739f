#!/usr/bin/env node
// The `opstatus` command. This file is committed, not built, so that installing the workspace
// can link the command before any build (pnpm warns about a bin whose file is missing); it runs
// the built command, dist/bin.js.
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"

const built = new URL("../dist/bin.js", import.meta.url)
if (existsSync(built)) {
  await import(built.href)
} else {
  process.stderr.write(
    `opstatus: ${fileURLToPath(built)} is missing; build it first: pnpm --filter @opstatus/cli build\n`
  )
  process.exitCode = 1
}
