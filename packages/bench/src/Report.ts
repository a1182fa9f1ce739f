/**
 * The benchmark report as markdown, and where it is written.
 */
import { mkdirSync, writeFileSync } from "node:fs"
import { dirname } from "node:path"
import { fileURLToPath } from "node:url"
import type { BenchReport, RunFigures, RunReport, SideReport } from "./Bench.js"

/** `packages/bench/results/latest.json`: the last run, overwritten by each. */
export const latestPath = fileURLToPath(new URL("../results/latest.json", import.meta.url))
/** `packages/bench/results/latest.md`: the same run as markdown. */
export const latestMarkdownPath = fileURLToPath(new URL("../results/latest.md", import.meta.url))

const num = (n: number, digits = 0) =>
  Number.isNaN(n)
    ? "n/a"
    : n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })

const ms = (n: number) => (Number.isNaN(n) ? "n/a" : `${num(n)} ms`)

const callsOf = (side: SideReport) =>
  Object.values(side.callsByService)
    .map((ops) => `${Object.values(ops).reduce((a, b) => a + b, 0)}`)
    .join(" / ")

const threads = (byThread: Readonly<Record<string, number>>) =>
  Object.entries(byThread)
    .map(([name, ms]) => `${name === "node" ? "V8 workers" : name} ${ms}`)
    .join(", ")

const lagsByService = (side: SideReport) =>
  (["lightsail", "servicediscovery", "ssm-sap"] as const)
    .map((s) => `${num(side.detectionLagByService[s].p50)} / ${num(side.detectionLagByService[s].p99)}`)
    .join("; ")

/** A row of the comparison table: one cell per run, then the median. */
const row = (
  label: string,
  runs: ReadonlyArray<RunReport>,
  median: RunFigures,
  cell: (f: RunFigures) => string
) => `| ${label} | ${runs.map((r) => cell(r.figures)).join(" | ")} | **${cell(median)}** |`

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`

const floorCell = (r: RunReport) => {
  const { lightsail, servicediscovery } = r.floor.byService
  const sap = r.floor.byService["ssm-sap"]
  return (
    `| ${r.seed} | ${ms(r.floor.lagMs)} | ${num(lightsail.calls)} (${plural(lightsail.groups, "region", "regions")}) | ` +
    `${num(servicediscovery.calls)}: ${num(servicediscovery.listReads)} lists + ${plural(servicediscovery.gets, "get", "gets")} ` +
    `(${plural(servicediscovery.groups, "region", "regions")}) | ${num(sap.calls)} (${plural(sap.groups, "application", "applications")}) | ` +
    `${num(r.floor.calls)} | ${num(r.engine.calls)} | ${num(r.figures.engineOverFloor, 2)}x |`
  )
}

const shortNames = { lightsail: "L", servicediscovery: "CM", "ssm-sap": "SAP" } as const

/** `L: GetOperations 9; CM: ListOperations 8, GetOperation 100; ...` */
const byOperation = (side: SideReport) =>
  (["lightsail", "servicediscovery", "ssm-sap"] as const)
    .map(
      (s) =>
        `${shortNames[s]}: ${Object.entries(side.callsByService[s])
          .map(([op, n]) => `${op} ${n}`)
          .join(", ")}`
    )
    .join("; ")

const gitNote = (report: BenchReport) => {
  const git = report.environment.git
  if (git === undefined) return ""
  const changed = git.uncommitted.length
  return `, commit ${git.commit.slice(0, 7)}${changed === 0 ? "" : ` with ${changed} measured file${changed === 1 ? "" : "s"} changed from it (listed in latest.json)`}`
}

/** The report as markdown. */
export const toMarkdown = (report: BenchReport): string => {
  const { runs, median: m, options } = report
  const f = options.fleet
  const failures = Math.round(f.perService * f.failureRate) * 3
  const seeds = runs.map((r) => r.seed).join(", ")
  const cols = runs.map((r) => `seed ${r.seed}`).join(" | ")
  const align = runs.map(() => "---:").join(" | ")
  const lines = [
    `### Engine vs one Smithy waiter per operation`,
    "",
    `${f.perService * 3} operations (${f.perService} per service), ${f.durationSeconds[0]}–${f.durationSeconds[1]} s real ` +
      `(time scale ${f.timeScale}), ${Math.round(f.failureRate * 100)}% failing, emulator limit ` +
      `${options.rateLimit === undefined ? "none" : `${options.rateLimit.perSecond}/s (burst ${options.rateLimit.burst}) per service`}, ` +
      `min/max delay ${options.policy.minDelayMillis / 1000}/${options.policy.maxDelayMillis / 1000} s on both sides; ` +
      `one run per seed (${seeds}), the last column the median of each figure over the runs. ` +
      `${report.environment.cpus} cores, Node ${report.environment.node}${gitNote(report)}.`,
    "",
    `| | ${cols} | median |`,
    `| --- | ${align} | ---: |`,
    row("engine API calls", runs, m, (x) => num(x.engineCalls)),
    row("baseline API calls", runs, m, (x) => num(x.baselineCalls)),
    row("baseline calls answered", runs, m, (x) => num(x.baselineAnswered)),
    row("baseline calls throttled", runs, m, (x) => num(x.baselineThrottled)),
    row(
      "baseline / engine calls (all; answered only)",
      runs,
      m,
      (x) => `${num(x.baselineOverEngine, 1)}x; ${num(x.baselineAnsweredOverEngine, 1)}x`
    ),
    row(
      "floor at the engine's p99 (L / CM / SAP)",
      runs,
      m,
      (x) =>
        `${num(x.floorCalls)} (${num(x.floorLightsail)} / ${num(x.floorServiceDiscovery)} / ${num(x.floorSsmSap)})`
    ),
    row("engine calls / floor", runs, m, (x) => `${num(x.engineOverFloor, 2)}x`),
    row("engine throttled responses", runs, m, (x) => num(x.engineThrottled)),
    row("throttles surfaced to a caller (engine)", runs, m, (x) => num(x.engineThrottlesSurfaced)),
    row(
      "waits ended in error (engine / baseline)",
      runs,
      m,
      (x) => `${num(x.engineWaitErrors)} / ${num(x.baselineWaitErrors)}`
    ),
    row(
      `failures detected of ${failures} (engine / baseline)`,
      runs,
      m,
      (x) => `${num(x.engineFailuresDetected)} / ${num(x.baselineFailuresDetected)}`
    ),
    row(
      "engine lag p50 / p99 / max",
      runs,
      m,
      (x) => `${num(x.engineLagP50Ms)} / ${num(x.engineLagP99Ms)} / ${num(x.engineLagMaxMs)} ms`
    ),
    row(
      "baseline lag p50 / p99 / max",
      runs,
      m,
      (x) => `${num(x.baselineLagP50Ms)} / ${num(x.baselineLagP99Ms)} / ${num(x.baselineLagMaxMs)} ms`
    ),
    row(
      "wall time (engine / baseline)",
      runs,
      m,
      (x) => `${num(x.engineWallMs)} / ${num(x.baselineWallMs)} ms`
    ),
    row("CPU time (engine / baseline)", runs, m, (x) => `${num(x.engineCpuMs)} / ${num(x.baselineCpuMs)} ms`),
    row(
      "peak RSS (engine / baseline)",
      runs,
      m,
      (x) => `${num(x.enginePeakRssMB, 1)} / ${num(x.baselinePeakRssMB, 1)} MB`
    ),
    "",
    "By service (Lightsail / Cloud Map / SSM for SAP):",
    "",
    "| seed | side | calls | calls by operation | lag p50 / p99 (L; CM; SAP), ms |",
    "| ---: | --- | --- | --- | --- |"
  ]
  for (const r of runs)
    for (const [name, side] of [
      ["engine", r.engine],
      ["baseline", r.baseline]
    ] as const)
      lines.push(`| ${r.seed} | ${name} | ${callsOf(side)} | ${byOperation(side)} | ${lagsByService(side)} |`)
  lines.push(
    "",
    "### The floor",
    "",
    "The fewest calls that detect every ending within a lag L: a reader that knows the best list reads " +
      "reads each independently readable group once every L for as long as the group has an operation running " +
      "(`ceil(longest duration / L)` reads, times the pages its operations need), plus what no list tells. " +
      "Lightsail: one group per region (`GetOperations`, 200 a page); Cloud Map: one group per region " +
      "(`ListOperations`, 100 a page) plus one `GetOperation` per failed operation (a failure's `ErrorCode` and " +
      "`ErrorMessage` only come from GetOperation); SSM for SAP: one group per application (`ListOperations` is " +
      "per application, 50 a page). Computed from the operations each run created (real durations from the " +
      "emulator, outcomes as planned), at L = the engine's p99 detection lag of that run. The engine can come in " +
      "under it: the floor detects every ending within L, and the engine's p99 leaves 1% of its endings later than L.",
    "",
    "| seed | L (engine p99) | Lightsail | Cloud Map | SSM for SAP | floor | engine calls | engine / floor |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...runs.map(floorCell),
    ""
  )
  if (report.scaling.length > 0) {
    const first = report.scaling[0]!
    lines.push(
      "### The engine at scale (steady-state rounds over long-running operations)",
      "",
      `min = max delay ${options.scalingPolicy.minDelayMillis / 1000} s, engine rate limit ${options.scalingRate}/s per lane, ` +
        `no emulator limit, ${options.scalingOpsPerApplication} SSM for SAP operations per application, seed ${options.seeds[0]}. ` +
        `A round is a sweep of every lane; the first ${first.warmupRounds} rounds are discarded as warm-up (V8 compiles ` +
        `the round's code over them) and the next ${options.scalingRounds} are measured (CPU of the whole process, ` +
        "every thread; the CPU of each round is listed in latest.json). With in-memory sources, the time spent " +
        "inside them building their answers (pages of fresh operation objects, the SDK's part) is measured too, " +
        "and the engine's own CPU is the process's less that. Heap and RSS growth run from before the " +
        "wait began to the end of the measured rounds.",
      "",
      "| operations | sources | calls per round | by service (L / CM / SAP) | warm-up rounds, CPU each | CPU per round (measured rounds' range) | of it, building the sources' pages | engine CPU per round | engine CPU per round per 1,000 | CPU by thread | heap growth | RSS growth |",
      "| ---: | --- | ---: | --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |"
    )
    for (const s of report.scaling) {
      const by = ["lightsail", "servicediscovery", "ssm-sap"]
        .map((k) => num(s.callsPerRoundByService[k] ?? 0, 1))
        .join(" / ")
      const range =
        s.measuredSweepCpuMs.length === 0
          ? ""
          : ` (${num(Math.min(...s.measuredSweepCpuMs))}–${num(Math.max(...s.measuredSweepCpuMs))})`
      lines.push(
        `| ${num(s.operations)} | ${s.sources === "stack" ? "SDK clients" : "in memory"} | ${s.callsPerRound} | ${by} | ` +
          `${s.warmupRounds}: ${s.warmupCpuMs.map((c) => num(c)).join(", ")} ms | ${num(s.cpuMsPerRound, 1)} ms${range} | ` +
          `${s.sourceMsPerRound === null ? "n/a (the SDK's share is not split)" : `${num(s.sourceMsPerRound, 1)} ms`} | ` +
          `${num(s.engineCpuMsPerRound, 1)} ms | ${num(s.engineCpuMsPerRoundPer1000, 2)} ms | ` +
          `${threads(s.cpuMsPerRoundByThread)} | ${s.heapGrowthMB} MB | ${s.rssGrowthMB} MB |`
      )
    }
    lines.push("")
  }
  lines.push("### Targets", "", "| figure | target | measured | met |", "| --- | --- | --- | :---: |")
  for (const t of report.targets)
    lines.push(
      `| ${t.figure} | ${t.target} | ${t.measured} | ${t.met === null ? "n/a" : t.met ? "yes" : "**no**"} |`
    )
  lines.push("")
  return lines.join("\n")
}

/** Writes the report as JSON and markdown to `path` (and its `.md` sibling). */
export const writeReport = (report: BenchReport, path = latestPath): void => {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`)
  writeFileSync(path.replace(/\.json$/, ".md"), toMarkdown(report))
}
