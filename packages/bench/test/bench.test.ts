import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { type BenchOptions, defaultOptions, runBench } from "../src/Bench.js"
import { toMarkdown, writeReport } from "../src/Report.js"
import { median } from "../src/Stats.js"

/** A few operations for a few seconds, one seed: the benchmark's whole path, so it cannot rot. */
const smoke: BenchOptions = {
  ...defaultOptions,
  fleet: { ...defaultOptions.fleet, perService: 3, durationSeconds: [0.5, 2], failureRate: 0.34 },
  seeds: [43],
  // The timeout only stops a hang: the operations end in 2 s of their clock, the waits soon after, however loaded the machine.
  policy: { minDelayMillis: 100, maxDelayMillis: 1_000, timeoutMillis: 120_000 },
  scaling: [30],
  scalingWarmupRounds: 2,
  scalingRounds: 2,
  scalingPolicy: { minDelayMillis: 300, maxDelayMillis: 300, timeoutMillis: 60_000 }
}

describe("the benchmark, smoke-sized", () => {
  it("runs both sides on a seed and a scaling step, and reports the medians, the floor and the targets", async () => {
    const report = await runBench(smoke)
    expect(report.runs.map((r) => r.seed)).toEqual([43])
    for (const run of report.runs) {
      for (const side of [run.engine, run.baseline]) {
        expect(side.calls).toBeGreaterThan(0)
        expect(side.answered + side.throttled).toBe(side.calls)
        expect(side.waitErrors).toBe(0)
        expect(side.failuresDetected).toBe(3)
        expect(side.detectionLagMs.p50).toBeGreaterThanOrEqual(0)
        expect(side.detectionLagMs.max).toBeGreaterThanOrEqual(side.detectionLagMs.p99)
        expect(side.cpuMs).toBeGreaterThan(0)
        expect(side.peakRssMB).toBeGreaterThan(0)
        expect(Object.keys(side.callsByService).sort()).toEqual(["lightsail", "servicediscovery", "ssm-sap"])
      }
      // How many calls each side makes depends on the machine's speed at this size (a loaded machine
      // slows the waiters until the operations have ended): the comparison is `pnpm bench`'s, not a test's.
      expect(run.engine.throttlesSurfaced).toBe(0)
      // The floor at the engine's own p99: every group read at least once, Cloud Map's 3 failures read.
      expect(run.floor.lagMs).toBe(run.engine.detectionLagMs.p99)
      expect(run.floor.byService.lightsail.groups).toBe(1)
      expect(run.floor.byService.servicediscovery.gets).toBe(1)
      expect(run.floor.byService["ssm-sap"].groups).toBe(1)
      expect(run.floor.calls).toBeGreaterThanOrEqual(4)
      expect(run.figures.engineOverFloor).toBeCloseTo(run.engine.calls / run.floor.calls)
    }
    expect(report.median.engineCalls).toBe(median(report.runs.map((r) => r.engine.calls)))
    expect(report.median.engineOverFloor).toBe(median(report.runs.map((r) => r.figures.engineOverFloor)))
    expect(report.scaling.map((s) => [s.operations, s.sources])).toEqual([
      [30, "stack"],
      [30, "engine"]
    ])
    for (const s of report.scaling) {
      expect(s.warmupRounds).toBe(2)
      expect(s.warmupCpuMs).toHaveLength(2)
      expect(s.measuredRounds).toBeGreaterThanOrEqual(2)
      expect(s.measuredSweepCpuMs.length).toBeGreaterThanOrEqual(2)
      expect(s.callsPerRound).toBeGreaterThan(0)
      expect(s.cpuMsPerRound).toBeGreaterThan(0)
      // In memory, the sources' own share is measured and taken out of the engine's; through the
      // SDK clients nothing is taken out.
      if (s.sources === "engine") {
        // Measured (at 30 operations it may round to 0.0 ms), and a part of the process's CPU.
        expect(s.sourceMsPerRound).toBeTypeOf("number")
        expect(s.sourceMsPerRound).toBeGreaterThanOrEqual(0)
        expect(s.engineCpuMsPerRound).toBeCloseTo(s.cpuMsPerRound - s.sourceMsPerRound!, 0)
        expect(s.engineCpuMsPerRound).toBeLessThanOrEqual(s.cpuMsPerRound)
        expect(s.engineCpuMsPerRound).toBeGreaterThan(0)
      } else {
        expect(s.sourceMsPerRound).toBeNull()
        expect(s.engineCpuMsPerRound).toBe(s.cpuMsPerRound)
      }
    }
    expect(report.targets.map((t) => t.target)).toEqual([
      "at least 10x fewer",
      "at most 1.15x",
      "at most the baseline's p50, and at most minDelay + 0.5 s (600 ms)",
      "0",
      "under 2 ms per 1,000 operations"
    ])
    // No 10,000-operation run in the smoke: that target is reported as not measured.
    expect(report.targets[4]!.met).toBeNull()

    const dir = mkdtempSync(join(tmpdir(), "opstatus-bench-"))
    writeReport(report, join(dir, "run.json"))
    const json = JSON.parse(readFileSync(join(dir, "run.json"), "utf8"))
    expect(json.runs[0].engine.calls).toBe(report.runs[0]!.engine.calls)
    expect(json.median.floorCalls).toBe(report.median.floorCalls)
    const markdown = readFileSync(join(dir, "run.md"), "utf8")
    expect(markdown).toBe(toMarkdown(report))
    expect(markdown).toContain("| engine API calls |")
    expect(markdown).toContain("### The floor")
  })
})
