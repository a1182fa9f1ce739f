#!/usr/bin/env node
/**
 * Entry point of the `opstatus` command: wires `run` to the process. Ctrl-C aborts the
 * run (polling stops at once, the summary is printed, exit 130); a second Ctrl-C exits
 * at once. Standard output closed by its reader (`| head -1`) ends the run quietly, with
 * 141 as a shell reports SIGPIPE.
 *
 * The signal handlers come first, before any module of the command is loaded: a Ctrl-C
 * while the command is still starting is kept, and the run then ends at once with 130 and
 * what it knew (the operations it was given). Then it loads `Cli` only (argument parsing
 * and the help texts): each command loads what it needs when it runs.
 *
 * The AWS SDK's own notice about the Node versions it will support is left to the SDK: on
 * a Node version it is leaving behind, it prints once on standard error (set
 * `AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true` to silence it).
 */
import { setMaxListeners } from "node:events"

const outputClosedCode = 141
const controller = new AbortController()
// Every wait and read listens to this one signal.
setMaxListeners(0, controller.signal)
const outputClosed = new AbortController()
let stdinUsed = false
let stoppedBy: NodeJS.Signals | undefined
let writeFailure: Error | undefined

const onSignal = (signal: NodeJS.Signals) => {
  if (controller.signal.aborted) process.exit(signal === "SIGTERM" ? 143 : 130)
  stoppedBy = signal
  controller.abort(new Error(`interrupted by ${signal}`))
}
process.on("SIGINT", onSignal)
process.on("SIGTERM", onSignal)

/** The code to exit with: the run's, unless standard output failed (141 when its reader left). */
let runCode: number | undefined
const settle = () => {
  if (runCode === undefined) return
  if (writeFailure !== undefined) process.exitCode = 1
  else if (outputClosed.signal.aborted) process.exitCode = outputClosedCode
  // Stopped by SIGTERM rather than Ctrl-C: the conventional 128 + 15.
  else process.exitCode = runCode === 130 && stoppedBy === "SIGTERM" ? 143 : runCode
}

const { isOutputClosedError, run } = await import("./Cli.js")

// A write to a closed pipe fails after the fact, as an "error" event: without a listener it
// would be thrown from the event loop, with a stack trace. It may come after the run ended.
process.stdout.on("error", (error: Error) => {
  if (!isOutputClosedError(error) && writeFailure === undefined) {
    // Not a reader that went away: standard output cannot be written (a full disk).
    writeFailure = error
    process.stderr.write(`opstatus: cannot write to standard output: ${error.message}.\n`)
  }
  outputClosed.abort()
  settle()
})
// Standard error closed too (2>&1 | head): nothing more can be said.
process.stderr.on("error", () => {})

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
  signal: controller.signal,
  outputClosed: outputClosed.signal
})
  .then(
    (code) => {
      runCode = code
    },
    (error: unknown) => {
      process.stderr.write(
        `opstatus: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`
      )
      runCode = 1
    }
  )
  .finally(() => {
    settle()
    process.off("SIGINT", onSignal)
    process.off("SIGTERM", onSignal)
    if (stdinUsed) process.stdin.destroy()
  })
