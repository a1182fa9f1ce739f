#!/usr/bin/env node
/** Entry point of the `opstatus-emulator` command. */
import { main } from "./Cli.js"

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`opstatus-emulator: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
  }
)
