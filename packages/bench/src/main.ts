/**
 * `pnpm bench`: the fleet engine against one Smithy waiter per operation, once
 * per seed, then the engine at 100, 1,000 and 10,000 operations. Writes
 * packages/bench/results/latest.json and latest.md.
 *
 * - `--seeds 42,43,44`: the seeds of the comparison (default 42, 43, 44);
 * - `--runs <n>`: the first n of them (more than given: the next seeds up),
 *   e.g. `--runs 1` for a quick local run;
 * - `--no-scaling`: skip the scaling runs;
 * - `--out <file.json>`: write a copy there too.
 */
import { defaultOptions, runBench } from "./Bench.js"
import { latestPath, toMarkdown, writeReport } from "./Report.js"

const args = process.argv.slice(2)
const flagValue = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined)
const fail = (message: string): never => {
  console.error(`bench: ${message}`)
  process.exit(2)
}

const seedsOf = (): ReadonlyArray<number> => {
  const given = flagValue("--seeds")
  const seeds =
    given === undefined
      ? defaultOptions.seeds
      : given.split(",").map((s) => {
          const n = Number(s.trim())
          return Number.isInteger(n) ? n : fail(`--seeds takes integers separated by commas, not ${given}`)
        })
  if (seeds.length === 0) fail("--seeds needs at least one seed")
  const runs = flagValue("--runs")
  if (runs === undefined) return seeds
  const n = Number(runs)
  if (!Number.isInteger(n) || n < 1) fail(`--runs takes a positive integer, not ${runs}`)
  return Array.from({ length: n }, (_, i) => seeds[i] ?? seeds.at(-1)! + (i - seeds.length + 1))
}

const out = flagValue("--out")
const report = await runBench({
  ...defaultOptions,
  seeds: seedsOf(),
  ...(args.includes("--no-scaling") ? { scaling: [] } : {}),
  log: (line) => console.error(`bench: ${line}`)
})
writeReport(report)
if (out !== undefined) writeReport(report, out)
console.log(toMarkdown(report))
console.error(`bench: wrote ${latestPath}${out === undefined ? "" : ` and ${out}`}`)
