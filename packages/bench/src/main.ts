/**
 * `pnpm bench`: the fleet engine against one Smithy waiter per operation, then
 * the engine at 100, 1,000 and 10,000 operations. Writes
 * packages/bench/results/latest.json and latest.md; `--out <file.json>`
 * writes a copy there too. `--no-scaling` skips the scaling runs.
 */
import { defaultOptions, runBench } from "./Bench.js"
import { latestPath, toMarkdown, writeReport } from "./Report.js"

const args = process.argv.slice(2)
const out = args.includes("--out") ? args[args.indexOf("--out") + 1] : undefined

const report = await runBench({
  ...defaultOptions,
  ...(args.includes("--no-scaling") ? { scaling: [] } : {}),
  log: (line) => console.error(`bench: ${line}`)
})
writeReport(report)
if (out !== undefined) writeReport(report, out)
console.log(toMarkdown(report))
console.error(`bench: wrote ${latestPath}${out === undefined ? "" : ` and ${out}`}`)
