import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { type BenchOptions, defaultOptions, runBench } from "../src/Bench.js"
import { toMarkdown, writeReport } from "../src/Report.js"

/** A few operations for a few seconds: the benchmark's whole path, so it cannot rot. */
const smoke: BenchOptions = {
  ...defaultOptions,
  fleet: { ...defaultOptions.fleet, perService: 3, durationSeconds: [0.5, 2], failureRate: 0.34 },
  policy: { minDelayMillis: 100, maxDelayMillis: 1_000, timeoutMillis: 30_000 },
  scaling: [30],
  scalingRounds: 2,
  scalingPolicy: { minDelayMillis: 300, maxDelayMillis: 300, timeoutMillis: 60_000 }
}

describe("the benchmark, smoke-sized", () => {
  it("runs both sides and a scaling step, and reports the engine making fewer calls than the baseline", async () => {
    const report = await runBench(smoke)
    for (const side of [report.engine, report.baseline]) {
      expect(side.calls).toBeGreaterThan(0)
      expect(side.waitErrors).toBe(0)
      expect(side.failuresDetected).toBe(3)
      expect(side.detectionLagMs.p50).toBeGreaterThanOrEqual(0)
      expect(side.detectionLagMs.max).toBeGreaterThanOrEqual(side.detectionLagMs.p99)
      expect(side.cpuMs).toBeGreaterThan(0)
      expect(side.peakRssMB).toBeGreaterThan(0)
      expect(Object.keys(side.callsByService).sort()).toEqual(["lightsail", "servicediscovery", "ssm-sap"])
    }
    expect(report.engine.calls).toBeLessThan(report.baseline.calls)
    expect(report.engine.throttlesSurfaced).toBe(0)
    expect(report.scaling.map((s) => [s.operations, s.sources])).toEqual([
      [30, "stack"],
      [30, "engine"]
    ])
    for (const s of report.scaling) {
      expect(s.measuredRounds).toBeGreaterThanOrEqual(2)
      expect(s.callsPerRound).toBeGreaterThan(0)
      expect(s.cpuMsPerRound).toBeGreaterThan(0)
    }
    expect(report.targets.map((t) => t.name)).toContain("API calls")

    const dir = mkdtempSync(join(tmpdir(), "opstatus-bench-"))
    writeReport(report, join(dir, "run.json"))
    expect(JSON.parse(readFileSync(join(dir, "run.json"), "utf8")).engine.calls).toBe(report.engine.calls)
    const markdown = readFileSync(join(dir, "run.md"), "utf8")
    expect(markdown).toBe(toMarkdown(report))
    expect(markdown).toContain("| API calls |")
  }, 180_000)
})
