/**
 * `pnpm test:stress`: the test suite under load, several times in a row.
 *
 * It starts a load generator (busy processes, by default two per core, so every
 * core stays busy however many the suite uses), then runs a command (by default
 * `pnpm test`) `--runs` times in a row, stopping at the first failure, and
 * prints each run's time, exit code and the load average seen during it.
 * The load generator is stopped however the runs end, Ctrl-C included.
 *
 *   tsx scripts/stress.ts [--runs 3] [--load <processes>] [-- command ...]
 *
 * Examples: `pnpm test:stress` (three runs of `pnpm test`),
 * `pnpm test:stress --runs 1 -- pnpm vitest run --project cli`,
 * `pnpm test:stress -- bash .ci/run`.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { availableParallelism, loadavg } from "node:os"
import { resolve } from "node:path"
import { fileURLToPath } from "node:url"

interface Options {
  readonly runs: number
  readonly load: number
  readonly command: ReadonlyArray<string>
}

const usage = "usage: tsx scripts/stress.ts [--runs <n>] [--load <processes>] [-- command ...]"

/** Reads the arguments; a problem is a message, never a throw. */
export const parseArgs = (argv: ReadonlyArray<string>, cores: number): Options | string => {
  let runs = 3
  let load = 2 * cores
  let command: ReadonlyArray<string> = ["pnpm", "test"]
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === "--") {
      const rest = argv.slice(i + 1)
      if (rest.length === 0) return `nothing after --. ${usage}`
      command = rest
      break
    }
    if (arg === "--runs" || arg === "--load") {
      const value = argv[i + 1]
      const n = value === undefined ? Number.NaN : Number(value)
      if (!Number.isInteger(n) || n < (arg === "--runs" ? 1 : 0) || n > 64) {
        return `${arg} takes a whole number${arg === "--runs" ? " from 1" : " from 0"} to 64, got ${value ?? "nothing"}. ${usage}`
      }
      if (arg === "--runs") runs = n
      else load = n
      i++
      continue
    }
    return `unknown argument ${arg}. ${usage}`
  }
  return { runs, load, command }
}

const startLoad = (processes: number): Array<ChildProcess> =>
  Array.from({ length: processes }, () => spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }))

const runOnce = (command: ReadonlyArray<string>): Promise<number> =>
  new Promise((resolve) => {
    const child = spawn(command[0]!, command.slice(1), { stdio: "inherit" })
    child.on("error", (error) => {
      console.error(`stress: could not start ${command.join(" ")}: ${error.message}`)
      resolve(127)
    })
    child.on("close", (code, signal) => resolve(code ?? (signal === null ? 1 : 128)))
  })

const main = async (): Promise<number> => {
  const cores = availableParallelism()
  const options = parseArgs(process.argv.slice(2), cores)
  if (typeof options === "string") {
    console.error(`stress: ${options}`)
    return 2
  }
  const load = startLoad(options.load)
  const stop = () => {
    for (const child of load) child.kill("SIGKILL")
  }
  process.on("exit", stop)
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      stop()
      process.exit(130)
    })
  }
  console.log(
    `stress: ${options.load} busy processes on ${cores} cores; ${options.runs} run(s) of ${options.command.join(" ")}`
  )
  const rows: Array<string> = []
  let failed = false
  for (let run = 1; run <= options.runs && !failed; run++) {
    const samples: Array<number> = []
    const sampler = setInterval(() => samples.push(loadavg()[0]!), 5_000)
    const started = Date.now()
    const code = await runOnce(options.command)
    clearInterval(sampler)
    samples.push(loadavg()[0]!)
    const seconds = ((Date.now() - started) / 1000).toFixed(0)
    const range = `${Math.min(...samples).toFixed(1)}–${Math.max(...samples).toFixed(1)}`
    rows.push(`| ${run} | ${code === 0 ? "passed" : `failed (exit ${code})`} | ${seconds} s | ${range} |`)
    failed = code !== 0
  }
  stop()
  console.log(
    ["", "| run | result | time | load average (1 min) |", "| --- | --- | --- | --- |", ...rows].join("\n")
  )
  return failed ? 1 : 0
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main().then((code) => process.exit(code))
}
