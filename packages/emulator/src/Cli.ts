/**
 * The `opstatus-emulator` command: parses its arguments, starts the emulator, prints the endpoint
 * and the environment that points AWS clients at it, and stops cleanly on SIGINT or SIGTERM.
 * `main` is exported so tests can run it in-process.
 */
import { readFile } from "node:fs/promises"
import { parseArgs } from "node:util"
import { NonLoopbackHostError, startEmulator } from "./Emulator.js"
import { isLoopbackHost } from "./internal/loopback.js"
import { MAX_TIME_SCALE, MIN_TIME_SCALE, parseScenario, type Scenario } from "./Scenario.js"
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_REGION } from "./Simulation.js"

/** Where the command writes and how it learns it must stop. */
export interface CliIo {
  readonly stdout: (line: string) => void
  readonly stderr: (line: string) => void
  /** Resolves with the signal's name when the command should stop. */
  readonly untilStopped: () => Promise<string>
}

const USAGE =
  "usage: opstatus-emulator [--port 4566] [--host 127.0.0.1 [--allow-remote]] [--seed 1] [--scenario file.json] [--time-scale N]"

/** Waits for SIGINT or SIGTERM, then removes both listeners. */
export const untilSignal = (): Promise<string> =>
  new Promise((resolve) => {
    const onSignal = (signal: string): void => {
      process.off("SIGINT", onSignal)
      process.off("SIGTERM", onSignal)
      resolve(signal)
    }
    process.on("SIGINT", onSignal)
    process.on("SIGTERM", onSignal)
  })

const defaultIo: CliIo = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  untilStopped: untilSignal
}

class UsageError extends Error {}

const integer = (value: string, flag: string, min: number, max: number): number => {
  const n = Number(value)
  if (!/^-?\d+$/.test(value) || n < min || n > max) {
    throw new UsageError(`--${flag} must be an integer between ${min} and ${max}, got "${value}"`)
  }
  return n
}

interface Parsed {
  readonly help: boolean
  readonly port: number
  readonly host: string | undefined
  readonly allowRemote: boolean
  readonly seed: number | undefined
  readonly timeScale: number | undefined
  readonly scenarioFile: string | undefined
}

const parse = (argv: readonly string[]): Parsed => {
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({
      args: [...argv],
      allowPositionals: false,
      strict: true,
      options: {
        port: { type: "string" },
        host: { type: "string" },
        "allow-remote": { type: "boolean" },
        seed: { type: "string" },
        scenario: { type: "string" },
        "time-scale": { type: "string" },
        help: { type: "boolean", short: "h" }
      }
    }).values
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const timeScale = values["time-scale"] as string | undefined
  // Decimal only: Number() would also take "0x10", "1e3" or " 5 ".
  if (timeScale !== undefined && !(/^(\d+(\.\d*)?|\.\d+)$/.test(timeScale) && Number(timeScale) > 0)) {
    throw new UsageError(`--time-scale must be a positive decimal number, got "${timeScale}"`)
  }
  if (
    timeScale !== undefined &&
    !(Number(timeScale) >= MIN_TIME_SCALE && Number(timeScale) <= MAX_TIME_SCALE)
  ) {
    throw new UsageError(
      `--time-scale must be between ${MIN_TIME_SCALE} and ${MAX_TIME_SCALE}, got "${timeScale}"`
    )
  }
  const host = values.host as string | undefined
  if (host === "") throw new UsageError("--host must not be empty")
  return {
    help: values.help === true,
    port: values.port === undefined ? 4566 : integer(values.port as string, "port", 0, 65535),
    host,
    allowRemote: values["allow-remote"] === true,
    seed:
      values.seed === undefined ? undefined : integer(values.seed as string, "seed", -(2 ** 31), 2 ** 32 - 1),
    timeScale: timeScale === undefined ? undefined : Number(timeScale),
    scenarioFile: values.scenario as string | undefined
  }
}

const loadScenario = async (file: string): Promise<Scenario> => {
  let text: string
  try {
    text = await readFile(file, "utf8")
  } catch (error) {
    throw new UsageError(`cannot read --scenario ${file}: ${(error as Error).message}`)
  }
  try {
    return parseScenario(JSON.parse(text))
  } catch (error) {
    throw new UsageError(`invalid --scenario ${file}: ${(error as Error).message}`)
  }
}

/** Runs the command; resolves with the exit code (0 after a clean stop, 1 if it cannot start, 2 for bad arguments). */
export const main = async (argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> => {
  const out = { ...defaultIo, ...io }
  let args: Parsed
  let scenario: Scenario = {}
  try {
    args = parse(argv)
    if (args.scenarioFile !== undefined) scenario = await loadScenario(args.scenarioFile)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    out.stderr(`opstatus-emulator: ${error.message}`)
    return 2
  }
  if (args.help) {
    out.stdout(USAGE)
    return 0
  }
  let emulator: Awaited<ReturnType<typeof startEmulator>>
  try {
    emulator = await startEmulator({
      port: args.port,
      scenario,
      ...(args.host !== undefined ? { host: args.host } : {}),
      ...(args.allowRemote ? { allowRemote: true } : {}),
      ...(args.seed !== undefined ? { seed: args.seed } : {}),
      ...(args.timeScale !== undefined ? { timeScale: args.timeScale } : {})
    })
  } catch (error) {
    if (error instanceof NonLoopbackHostError) {
      out.stderr(
        `opstatus-emulator: refusing --host ${error.host}${error.address === undefined ? "" : ` (${error.address})`}: ` +
          "it is not a loopback address and the emulator has no authentication; add --allow-remote to listen there anyway"
      )
      return 2
    }
    out.stderr(`opstatus-emulator: cannot start: ${(error as Error).message}`)
    return 1
  }
  if (args.allowRemote && args.host !== undefined && !isLoopbackHost(args.host)) {
    out.stderr(
      `opstatus-emulator: warning: listening on ${emulator.endpoint} with no authentication: ` +
        "anyone who can reach it can create, force and reset operations and change the scenario"
    )
  }
  const stopped = out.untilStopped()
  const current = emulator.scenario()
  out.stdout(
    `opstatus-emulator listening on ${emulator.endpoint} (seed ${current.seed ?? 1}, time scale ${current.timeScale ?? 1})`
  )
  out.stdout("Point AWS clients at it with:")
  out.stdout(`AWS_ENDPOINT_URL=${emulator.endpoint}`)
  out.stdout(`AWS_REGION=${DEFAULT_REGION}`)
  out.stdout(`AWS_ACCESS_KEY_ID=${DEFAULT_ACCESS_KEY_ID}`)
  out.stdout("AWS_SECRET_ACCESS_KEY=emulator")
  const signal = await stopped
  await emulator.stop()
  out.stdout(`opstatus-emulator stopped (${signal})`)
  return 0
}
