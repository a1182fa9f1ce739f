/**
 * The benchmark report as a markdown table, and where it is written.
 */
import { mkdirSync, writeFileSync } from "node:fs"
import { dirname } from "node:path"
import { fileURLToPath } from "node:url"
import type { BenchReport, SideReport } from "./Bench.js"

/** `packages/bench/results/latest.json`: the last run, overwritten by each. */
export const latestPath = fileURLToPath(new URL("../results/latest.json", import.meta.url))
/** `packages/bench/results/latest.md`: the same run as markdown. */
export const latestMarkdownPath = fileURLToPath(new URL("../results/latest.md", import.meta.url))

const ms = (n: number) => (Number.isNaN(n) ? "n/a" : `${Math.round(n).toLocaleString("en-US")} ms`)

const callsOf = (side: SideReport) =>
  Object.entries(side.callsByService)
    .map(([service, ops]) => `${service} ${Object.values(ops).reduce((a, b) => a + b, 0)}`)
    .join(", ")

const threads = (byThread: Readonly<Record<string, number>>) =>
  Object.entries(byThread)
    .map(([name, ms]) => `${name === "node" ? "V8 workers" : name} ${ms}`)
    .join(", ")

const byService = (side: SideReport) =>
  (["lightsail", "servicediscovery", "ssm-sap"] as const)
    .map((s) => `${ms(side.detectionLagByService[s].p50)} / ${ms(side.detectionLagByService[s].p99)}`)
    .join("; ")

/** The report as markdown. */
export const toMarkdown = (report: BenchReport): string => {
  const { engine, baseline, options } = report
  const f = options.fleet
  const lines = [
    `### Engine vs one Smithy waiter per operation`,
    "",
    `${f.perService * 3} operations (${f.perService} per service), ${f.durationSeconds[0]}–${f.durationSeconds[1]} s real ` +
      `(time scale ${f.timeScale}), ${Math.round(f.failureRate * 100)}% failing, emulator limit ` +
      `${options.rateLimit === undefined ? "none" : `${options.rateLimit.perSecond}/s (burst ${options.rateLimit.burst}) per service`}, ` +
      `min/max delay ${options.policy.minDelayMillis / 1000}/${options.policy.maxDelayMillis / 1000} s on both sides, seed ${f.seed}. ` +
      `${report.environment.cpus} cores, Node ${report.environment.node}.`,
    "",
    "| | engine | baseline |",
    "| --- | ---: | ---: |",
    `| API calls | ${engine.calls} | ${baseline.calls} |`,
    `| calls by service | ${callsOf(engine)} | ${callsOf(baseline)} |`,
    `| throttled responses | ${engine.throttled} | ${baseline.throttled} |`,
    `| waits that ended in error | ${engine.waitErrors} | ${baseline.waitErrors} |`,
    `| failures detected (of ${Math.round(f.perService * f.failureRate) * 3}) | ${engine.failuresDetected} | ${baseline.failuresDetected} |`,
    `| detection lag p50 | ${ms(engine.detectionLagMs.p50)} | ${ms(baseline.detectionLagMs.p50)} |`,
    `| detection lag p99 | ${ms(engine.detectionLagMs.p99)} | ${ms(baseline.detectionLagMs.p99)} |`,
    `| detection lag max | ${ms(engine.detectionLagMs.max)} | ${ms(baseline.detectionLagMs.max)} |`,
    `| lag p50 / p99 by service (L; CM; SAP) | ${byService(engine)} | ${byService(baseline)} |`,
    `| wall time | ${ms(engine.wallMs)} | ${ms(baseline.wallMs)} |`,
    `| CPU time | ${ms(engine.cpuMs)} | ${ms(baseline.cpuMs)} |`,
    `| peak RSS | ${engine.peakRssMB} MB | ${baseline.peakRssMB} MB |`,
    ""
  ]
  if (report.scaling.length > 0) {
    lines.push(
      "### The engine at scale (steady-state rounds over long-running operations)",
      "",
      `min = max delay ${options.scalingPolicy.minDelayMillis / 1000} s, engine rate limit ${options.scalingRate}/s per lane, ` +
        `no emulator limit, ${options.scalingOpsPerApplication} SSM for SAP operations per application.`,
      "",
      "| operations | sources | calls per round | by service (L / CM / SAP) | CPU per round | CPU per round per 1,000 | CPU by thread | heap growth | RSS growth |",
      "| ---: | --- | ---: | --- | ---: | ---: | --- | ---: | ---: |"
    )
    for (const s of report.scaling) {
      const by = ["lightsail", "servicediscovery", "ssm-sap"]
        .map((k) => (s.callsPerRoundByService[k] ?? 0).toFixed(1))
        .join(" / ")
      lines.push(
        `| ${s.operations.toLocaleString("en-US")} | ${s.sources === "stack" ? "SDK clients" : "in memory"} | ${s.callsPerRound} | ${by} | ` +
          `${s.cpuMsPerRound} ms | ${s.cpuMsPerRoundPer1000} ms | ${threads(s.cpuMsPerRoundByThread)} | ${s.heapGrowthMB} MB | ${s.rssGrowthMB} MB |`
      )
    }
    lines.push("")
  }
  lines.push("### Targets", "", "| target | goal | measured | met |", "| --- | --- | --- | :---: |")
  for (const t of report.targets)
    lines.push(`| ${t.name} | ${t.target} | ${t.measured} | ${t.met ? "yes" : "**no**"} |`)
  lines.push("")
  return lines.join("\n")
}

/** Writes the report as JSON and markdown to `path` (and its `.md` sibling). */
export const writeReport = (report: BenchReport, path = latestPath): void => {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`)
  writeFileSync(path.replace(/\.json$/, ".md"), toMarkdown(report))
}
