#!/usr/bin/env node
/**
 * Entry point of the `opstatus` command: wires `run` to the process. Ctrl-C aborts the
 * run (polling stops at once, the summary is printed, exit 130); a second Ctrl-C exits
 * at once.
 */
import { setMaxListeners } from "node:events"
import { run } from "./Cli.js"

// The SDK's notice about future Node versions is for developers, not for the command's users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true"

const controller = new AbortController()
// Every wait and read listens to this one signal.
setMaxListeners(0, controller.signal)
let stdinUsed = false
let stoppedBy: NodeJS.Signals | undefined

const onSignal = (signal: NodeJS.Signals) => {
  if (controller.signal.aborted) process.exit(signal === "SIGTERM" ? 143 : 130)
  stoppedBy = signal
  controller.abort(new Error(`interrupted by ${signal}`))
}
process.on("SIGINT", onSignal)
process.on("SIGTERM", onSignal)

run(process.argv.slice(2), {
  stdin: () => {
    stdinUsed = true
    return process.stdin
  },
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  isTTY: process.stdout.isTTY === true,
  columns: process.stdout.columns,
  rows: process.stdout.rows,
  signal: controller.signal
})
  .then(
    (code) => {
      // Stopped by SIGTERM rather than Ctrl-C: the conventional 128 + 15.
      process.exitCode = code === 130 && stoppedBy === "SIGTERM" ? 143 : code
    },
    (error: unknown) => {
      process.stderr.write(
        `opstatus: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`
      )
      process.exitCode = 1
    }
  )
  .finally(() => {
    process.off("SIGINT", onSignal)
    process.off("SIGTERM", onSignal)
    if (stdinUsed) process.stdin.destroy()
  })
