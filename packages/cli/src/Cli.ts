/**
 * The `opstatus` command: `run(argv, io)` reads the command and its flags, answers
 * `--help` and `--version` itself, loads the command's module (`import()`) only to run it,
 * resolves with its exit code, and turns anything thrown into one error line and the code
 * it maps to. `bin.ts` only wires it to the process.
 *
 * What this module loads up front is argument parsing and the help texts, nothing more:
 * core, the adapters, the AWS SDK and effect come with the command that needs them, so
 * `--help` and `--version` start in a fraction of the time.
 *
 * @since 0.1.0
 */
import { setMaxListeners } from "node:events"
import { ExitCode } from "./ExitCodes.js"
import { closest, commandFlags, parseFlags, wordList } from "./Flags.js"
import { commandHelp, mainHelp, version } from "./Help.js"
import type { CliIo, Command, Writer } from "./Io.js"
import type { UsageProblem } from "./Usage.js"

/** Each command's module, loaded when the command runs. */
const commands: Readonly<Record<string, () => Promise<Command>>> = {
  wait: async () => {
    const { waitCommand } = await import("./WaitCommand.js")
    return (args, io, now) => waitCommand("wait", args, io, now)
  },
  watch: async () => {
    const { waitCommand } = await import("./WaitCommand.js")
    return (args, io, now) => waitCommand("watch", args, io, now)
  },
  get: async () => (await import("./GetCommand.js")).getCommand,
  cancel: async () => (await import("./CancelCommand.js")).cancelCommand,
  list: async () => (await import("./ListCommand.js")).listCommand,
  demo: async () => (await import("./DemoCommand.js")).demoCommand
}

const commandNames = Object.keys(commands)

/** A usage problem as the `UsageError` it is thrown as (its module loaded only then). */
const usageError = async (problem: UsageProblem): Promise<Error> => {
  const { usageError } = await import("./Errors.js")
  return usageError(problem.message, problem.hint)
}

const didYouMean = (near: ReadonlyArray<string>): string =>
  near.length === 0 ? "" : `Did you mean ${wordList(near)}? `

const help = async (topic: string | undefined, io: CliIo): Promise<number> => {
  if (topic === undefined) {
    io.stdout.write(`${mainHelp}\n`)
    return ExitCode.ok
  }
  // Only the table's own keys: "toString" or "__proto__" are not commands.
  if (!Object.hasOwn(commandHelp, topic)) {
    throw await usageError({
      message: `there is no command "${topic}"`,
      hint: `${didYouMean(closest(topic, commandNames))}Run opstatus --help`
    })
  }
  io.stdout.write(`${commandHelp[topic]}\n`)
  return ExitCode.ok
}

const unknownCommand = (name: string): UsageProblem => {
  if (!name.startsWith("-")) {
    return {
      message: `unknown command "${name}"`,
      hint: `${didYouMean(closest(name, commandNames))}Run opstatus --help to see the commands`
    }
  }
  const flag = name.replace(/^-+/, "").replace(/=.*$/, "")
  const near = closest(flag, ["help", "version"]).map((option) => `--${option}`)
  const owners = commandNames.filter((command) => Object.hasOwn(commandFlags[command]!, flag))
  return {
    message: `unknown option ${name} before the command`,
    hint:
      near.length === 0 && owners.length > 0
        ? `Options go after the command: opstatus ${owners[0]} ${name} ...`
        : `${didYouMean(near)}Run opstatus --help to see the commands`
  }
}

const dispatch = async (argv: ReadonlyArray<string>, io: CliIo): Promise<number> => {
  const [name, ...rest] = argv
  if (name === undefined) {
    io.stderr.write(`${mainHelp}\n`)
    return ExitCode.usage
  }
  switch (name) {
    case "-h":
    case "--help":
      return help(undefined, io)
    case "help":
      return help(rest[0], io)
    case "-V":
    case "--version":
    case "version":
      io.stdout.write(`opstatus ${version}\n`)
      return ExitCode.ok
  }
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined
  if (load === undefined) throw await usageError(unknownCommand(name))
  // The flags are read here first, so a command's --help, and a bad flag, load nothing more.
  const read = parseFlags(name, rest, commandFlags[name]!)
  if ("problem" in read) throw await usageError(read.problem)
  if (read.parsed.values.help === true) {
    io.stdout.write(`${commandHelp[name]}\n`)
    return ExitCode.ok
  }
  const command = await load()
  return command(rest, io, io.now ?? Date.now)
}

/**
 * True for the error of a write to an output whose reader has gone: `EPIPE`, or a write
 * to the stream Node destroyed for it.
 *
 * @since 0.2.0
 * @category errors
 */
export const isOutputClosedError = (error: unknown): boolean => {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined
  return code === "EPIPE" || code === "ERR_STREAM_DESTROYED"
}

const runCommand = async (argv: ReadonlyArray<string>, io: CliIo): Promise<number> => {
  try {
    return await dispatch(argv, io)
  } catch (error) {
    const [{ exitCodeOf }, { formatDebug, formatError }] = await Promise.all([
      import("./ErrorCodes.js"),
      import("./Messages.js")
    ])
    const code = exitCodeOf(error)
    if (code === ExitCode.interrupted) {
      io.stderr.write("opstatus: interrupted.\n")
      return code
    }
    if (argv.includes("--debug")) io.stderr.write(`${formatDebug(error)}\n`)
    io.stderr.write(`${formatError(error)}\n`)
    return code
  }
}

/**
 * Runs the command and resolves with its exit code; never rejects. An error thrown on
 * the way is one line on standard error (`--debug` adds its stack first), and its exit
 * code is the command's.
 *
 * When standard output is closed by its reader (`opstatus wait --json ... | head -1`): a
 * write that throws `EPIPE`, or `io.outputClosed` firing, the command writes nothing more
 * (to either output), stops polling as on Ctrl-C, and resolves with 141
 * (`ExitCode.outputClosed`), quietly.
 *
 * @since 0.1.0
 * @category waiting
 */
export const run = async (argv: ReadonlyArray<string>, io: CliIo): Promise<number> => {
  const closed = new AbortController()
  const close = () => {
    if (!closed.signal.aborted) closed.abort(new Error("standard output was closed"))
  }
  const outputClosed = io.outputClosed
  if (outputClosed?.aborted === true) close()
  outputClosed?.addEventListener("abort", close, { once: true })
  let stderrClosed = false
  const stdout: Writer = {
    write: (chunk) => {
      if (closed.signal.aborted) return false
      try {
        return io.stdout.write(chunk)
      } catch (error) {
        if (!isOutputClosedError(error)) throw error
        close()
        return false
      }
    }
  }
  const stderr: Writer = {
    write: (chunk) => {
      // After standard output is gone the command ends quietly, as a pipeline expects.
      if (closed.signal.aborted || stderrClosed) return false
      try {
        return io.stderr.write(chunk)
      } catch (error) {
        if (!isOutputClosedError(error)) throw error
        stderrClosed = true
        return false
      }
    }
  }
  const signal = AbortSignal.any([io.signal, closed.signal])
  // Every wait and read listens to this one signal.
  setMaxListeners(0, signal)
  try {
    const code = await runCommand(argv, { ...io, stdout, stderr, signal })
    return closed.signal.aborted ? ExitCode.outputClosed : code
  } finally {
    outputClosed?.removeEventListener("abort", close)
  }
}
