#!/usr/bin/env node
// The `opstatus` command, for those who install `opstatus`: it is the command of @opstatus/cli,
// a dependency of this package. This file finds that package the way Node finds any dependency
// from here, reads the command's file from its package.json (`bin`), and runs it.
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { pathToFileURL } from "node:url"

const require = createRequire(import.meta.url)

/** The file of @opstatus/cli's `opstatus` command, or undefined when the package cannot be found. */
const commandFile = () => {
  let manifestPath
  try {
    manifestPath = require.resolve("@opstatus/cli/package.json")
  } catch {
    return undefined
  }
  const { bin } = JSON.parse(readFileSync(manifestPath, "utf8"))
  const file = typeof bin === "string" ? bin : bin?.opstatus
  return typeof file === "string" ? join(dirname(manifestPath), file) : undefined
}

const file = commandFile()
if (file !== undefined) {
  await import(pathToFileURL(file).href)
} else {
  process.stderr.write(
    "opstatus: the command comes with @opstatus/cli, which cannot be found from here; install opstatus again (npm install opstatus), or install @opstatus/cli\n"
  )
  process.exitCode = 1
}
