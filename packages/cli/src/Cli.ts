/**
 * The `opstatus` command: `run(argv, io)` dispatches to the command, resolves with its
 * exit code, and turns anything thrown into one error line and the code it maps to.
 * `bin.ts` only wires it to the process.
 *
 * @since 0.1.0
 */
import { demoCommand } from "./DemoCommand.js"
import { usageError } from "./Errors.js"
import { ExitCode, exitCodeOf } from "./ExitCodes.js"
import { getCommand } from "./GetCommand.js"
import { commandHelp, mainHelp, version } from "./Help.js"
import type { CliIo, Command } from "./Io.js"
import { listCommand } from "./ListCommand.js"
import { formatDebug, formatError } from "./Messages.js"
import { waitCommand } from "./WaitCommand.js"

const commands: Readonly<Record<string, Command>> = {
  wait: (args, io, now) => waitCommand("wait", args, io, now),
  watch: (args, io, now) => waitCommand("watch", args, io, now),
  get: getCommand,
  list: listCommand,
  demo: demoCommand
}

const help = (topic: string | undefined, io: CliIo): number => {
  if (topic === undefined) {
    io.stdout.write(`${mainHelp}\n`)
    return ExitCode.ok
  }
  // Only the table's own keys: "toString" or "__proto__" are not commands.
  if (!Object.hasOwn(commandHelp, topic)) {
    throw usageError(`there is no command "${topic}"`, "Run opstatus --help")
  }
  io.stdout.write(`${commandHelp[topic]}\n`)
  return ExitCode.ok
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
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined
  if (command === undefined) {
    throw usageError(
      name.startsWith("-") ? `unknown option "${name}" before the command` : `unknown command "${name}"`,
      "Run opstatus --help to see the commands"
    )
  }
  return command(rest, io, io.now ?? Date.now)
}

/**
 * Runs the command and resolves with its exit code; never rejects. An error thrown on
 * the way is one line on standard error (`--debug` adds its stack first), and its exit
 * code is the command's.
 *
 * @since 0.1.0
 * @category waiting
 */
export const run = async (argv: ReadonlyArray<string>, io: CliIo): Promise<number> => {
  try {
    return await dispatch(argv, io)
  } catch (error) {
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
