/**
 * Test fixtures: the CLI as a real child process (bundled by globalSetup.ts, or from source
 * through tsx), always with a kill timeout shorter than the test's and killed when the test
 * ends; the CLI in-process through `run`; an environment that reads no real AWS
 * configuration; emulators stopped after each test; and a small terminal screen that
 * replays what the CLI drew through a pseudo-terminal.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { type Emulator, type StartEmulatorOptions, startEmulator } from "@opstatus/emulator"
import { afterAll } from "vitest"
import { run } from "../src/Cli.js"

/** The monorepo's root. */
export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url))

/** The command that runs the CLI from its sources, bundled by globalSetup.ts. */
export const cliCommand = ["node", "packages/cli/build/test/opstatus.mjs"] as const

/** The command that runs the CLI from source through tsx, as `pnpm demo` does. */
export const tsxCommand = [
  "node",
  "--conditions=source",
  "--import",
  "tsx",
  "packages/cli/src/bin.ts"
] as const

const home = mkdtempSync(join(tmpdir(), "opstatus-cli-test-"))
writeFileSync(join(home, "config"), "")
writeFileSync(join(home, "credentials"), "")

/**
 * An environment with nothing from the real one but PATH: empty AWS config files, the
 * emulator's default keys, and no instance metadata lookups.
 */
export const cliEnv = (extra: Record<string, string | undefined> = {}): Record<string, string> => {
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: home,
    AWS_CONFIG_FILE: join(home, "config"),
    AWS_SHARED_CREDENTIALS_FILE: join(home, "credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "emulator",
    // The SDK's notice that Node 20 support ends (on Node 20 only); one test lets it through.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    ...extra
  }
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined))
}

/** What a run of the CLI ended with. */
export interface CliResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  readonly millis: number
}

/** A running CLI. */
export interface CliProcess {
  readonly child: ChildProcess
  readonly result: Promise<CliResult>
  /** Resolves once standard output contains the text; rejects if the command ends without it. */
  readonly waitForStdout: (text: string | RegExp) => Promise<void>
  /** Resolves once standard error contains the text; rejects if the command ends without it. */
  readonly waitForStderr: (text: string | RegExp) => Promise<void>
}

/** The part of a test's context that runs code when it ends (works for concurrent tests). */
export interface TestHooks {
  readonly onTestFinished: (fn: () => Promise<void> | void) => void
}

/**
 * The safety net for a child that hangs: shorter than the CLI project's test timeout, and far
 * longer than any command of a test takes on a machine at a load average of 15. A command is
 * bounded by what it does (its own --timeout, the operations the test ends), not by this.
 */
export const killAfterMillis = 150_000

const live = new Set<ChildProcess>()

const kill = (child: ChildProcess) => {
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
}

// A test that failed before awaiting its children leaves none behind.
afterAll(() => {
  for (const child of live) kill(child)
})

/**
 * Spawns a command with a kill timeout (SIGKILL, reported as a test failure with the output
 * so far); with `hooks` (the test's context), it is also killed when the test ends.
 */
export const spawnCommand = (
  command: ReadonlyArray<string>,
  options: {
    readonly env: Record<string, string>
    readonly stdin?: string
    readonly timeoutMillis?: number
    readonly hooks?: TestHooks
  }
): CliProcess => {
  const started = Date.now()
  const child = spawn(command[0]!, command.slice(1), {
    cwd: repoRoot,
    env: options.env,
    stdio: ["pipe", "pipe", "pipe"]
  })
  live.add(child)
  child.on("exit", () => live.delete(child))
  options.hooks?.onTestFinished(() => kill(child))
  const output = { stdout: "", stderr: "" }
  let ended = false
  const watchers = new Set<() => void>()
  const notify = () => {
    for (const w of watchers) w()
  }
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    output.stdout += chunk
    notify()
  })
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    output.stderr += chunk
    notify()
  })
  child.stdin!.on("error", () => {})
  child.stdin!.end(options.stdin ?? "")
  const timeoutMillis = options.timeoutMillis ?? killAfterMillis
  const result = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(
        new Error(
          `${command.join(" ")} did not end within ${timeoutMillis} ms\nstdout:\n${output.stdout}\nstderr:\n${output.stderr}`
        )
      )
    }, timeoutMillis)
    const end = () => {
      clearTimeout(timer)
      ended = true
      notify()
    }
    child.on("error", (error) => {
      end()
      reject(error)
    })
    child.on("close", (code, signal) => {
      end()
      resolve({ code, signal, ...output, millis: Date.now() - started })
    })
  })
  result.catch(() => {})
  const waitFor = (stream: "stdout" | "stderr") => (text: string | RegExp) =>
    new Promise<void>((resolve, reject) => {
      const matches = () =>
        typeof text === "string" ? output[stream].includes(text) : text.test(output[stream])
      const check = () => {
        if (matches()) {
          watchers.delete(check)
          resolve()
        } else if (ended) {
          watchers.delete(check)
          reject(
            new Error(
              `the command ended without ${String(text)} on ${stream}\nstdout:\n${output.stdout}\nstderr:\n${output.stderr}`
            )
          )
        }
      }
      watchers.add(check)
      check()
    })
  return { child, result, waitForStdout: waitFor("stdout"), waitForStderr: waitFor("stderr") }
}

/** Runs `opstatus <args>` as a child process. */
export const spawnCli = (
  args: ReadonlyArray<string>,
  options: {
    readonly env?: Record<string, string | undefined>
    readonly stdin?: string
    readonly timeoutMillis?: number
    readonly command?: ReadonlyArray<string>
    readonly hooks?: TestHooks
  } = {}
): CliProcess =>
  spawnCommand([...(options.command ?? cliCommand), ...args], {
    env: cliEnv(options.env),
    ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
    ...(options.timeoutMillis === undefined ? {} : { timeoutMillis: options.timeoutMillis }),
    ...(options.hooks === undefined ? {} : { hooks: options.hooks })
  })

/** Runs `opstatus <args>` and resolves with how it ended. */
export const runCli = (
  args: ReadonlyArray<string>,
  options: Parameters<typeof spawnCli>[1] = {}
): Promise<CliResult> => spawnCli(args, options).result

/** Starts an emulator on a free loopback port, stopped when the test finishes. */
export const emulator = async (hooks: TestHooks, options: StartEmulatorOptions = {}): Promise<Emulator> => {
  const started = await startEmulator({ port: 0, seed: 7, ...options })
  hooks.onTestFinished(() => started.stop())
  return started
}

/** Fast polling for tests. */
export const fast = ["--min-delay", "100ms", "--max-delay", "300ms"] as const

/** The lines of standard output parsed as JSON. */
export const jsonLines = (text: string): Array<Record<string, any>> =>
  text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, any>)

/**
 * Replays what a program wrote to a terminal (text, CR, LF, cursor up, erase line, erase
 * below; colours and cursor visibility ignored) and returns the final screen's lines.
 */
export const screenOf = (output: string, width = 200): string[] => {
  const screen: string[][] = [[]]
  let row = 0
  let col = 0
  const line = (r: number) => {
    while (screen.length <= r) screen.push([])
    return screen[r]!
  }
  for (let i = 0; i < output.length; ) {
    const ch = output[i]!
    if (ch === "\x1b" && output[i + 1] === "[") {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: parsing ANSI escape sequences
      const m = /^\x1b\[([0-9;?]*)([A-Za-z])/.exec(output.slice(i))
      if (m === null) {
        i++
        continue
      }
      const [all, params = "", command] = m
      const n = Number.parseInt(params || "1", 10)
      if (command === "A") row = Math.max(0, row - n)
      else if (command === "B") row += n
      else if (command === "K") {
        if (params === "2") screen[row] = []
        else line(row).length = Math.min(line(row).length, col)
      } else if (command === "J") {
        line(row).length = Math.min(line(row).length, col)
        screen.length = row + 1
      }
      i += all.length
      continue
    }
    if (ch === "\r") col = 0
    else if (ch === "\n") row++
    else {
      const cp = output.codePointAt(i)!
      const text = String.fromCodePoint(cp)
      if (col >= width) {
        row++
        col = 0
      }
      const cells = line(row)
      while (cells.length < col) cells.push(" ")
      cells[col] = text
      col++
      i += text.length
      continue
    }
    i++
  }
  return screen.map((cells) => cells.join("").trimEnd())
}

/** Quotes a word for sh. */
export const shellQuote = (word: string): string => `'${word.replace(/'/g, "'\\''")}'`

/** Runs assertions on a result; when one fails, its message ends with the run's output. */
export const explain = (result: CliResult, assertions: () => void): void => {
  try {
    assertions()
  } catch (error) {
    if (error instanceof Error) {
      error.message += `\n--- exit ${result.code} (signal ${result.signal}) after ${result.millis} ms\n--- stdout:\n${result.stdout}\n--- stderr:\n${result.stderr}`
    }
    throw error
  }
}

/**
 * Runs `opstatus <args>` in this process through `run`, with the same environment as a
 * child process; `isTTY` pretends standard output is a terminal.
 */
export const runInProcess = async (
  args: ReadonlyArray<string>,
  options: {
    readonly env?: Record<string, string | undefined>
    readonly stdin?: string | (() => AsyncIterable<string | Uint8Array>)
    readonly isTTY?: boolean
    /** Fires like Ctrl-C. */
    readonly signal?: AbortSignal
    /** Sees each chunk of standard output before it is kept (and may throw, as a broken pipe does). */
    readonly onStdout?: (chunk: string, all: string) => void
    /** Sees each chunk of standard error before it is kept. */
    readonly onStderr?: (chunk: string, all: string) => void
  } = {}
): Promise<CliResult> => {
  const started = Date.now()
  let stdout = ""
  let stderr = ""
  const stdin = options.stdin
  const onStdout = options.onStdout
  const onStderr = options.onStderr
  const code = await run(args, {
    stdin:
      typeof stdin === "function"
        ? stdin
        : async function* () {
            if (stdin !== undefined) yield stdin
          },
    stdout: {
      write: (chunk: string) => {
        onStdout?.(chunk, stdout + chunk)
        stdout += chunk
      }
    },
    stderr: {
      write: (chunk: string) => {
        onStderr?.(chunk, stderr + chunk)
        stderr += chunk
      }
    },
    env: cliEnv(options.env),
    isTTY: options.isTTY ?? false,
    columns: 160,
    rows: 50,
    signal: options.signal ?? new AbortController().signal
  })
  return { code, signal: null, stdout, stderr, millis: Date.now() - started }
}

/** Asserts the exit code, showing the output when it differs. */
export const expectExit = (result: CliResult, code: number): void => {
  if (result.code !== code) {
    throw new Error(
      `expected exit ${code}, got ${result.code} (signal ${result.signal}) after ${result.millis} ms\n--- stdout:\n${result.stdout}\n--- stderr:\n${result.stderr}`
    )
  }
}
