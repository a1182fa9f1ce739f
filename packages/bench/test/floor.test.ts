import { describe, expect, it } from "vitest"
import { defaultOptions } from "../src/Bench.js"
import { type FloorOperation, floorOf } from "../src/Floor.js"
import { planFleet } from "../src/Scenario.js"
import { median, medianOf, percentiles } from "../src/Stats.js"

const op = (
  service: FloorOperation["service"],
  durationMs: number,
  extra: Partial<FloorOperation> = {}
): FloorOperation => ({ service, region: "us-east-1", durationMs, failed: false, ...extra })

describe("the floor", () => {
  it("reads each group once every L while it runs, pages included, plus Cloud Map's failures", () => {
    const operations: Array<FloorOperation> = [
      // Lightsail, one region: the longest is 2.5 s, so reads at 1, 2 and 3 s.
      op("lightsail", 500),
      op("lightsail", 2_500, { failed: true }),
      // Lightsail, another region: a group of its own, 1 read.
      op("lightsail", 900, { region: "eu-west-1" }),
      // Cloud Map: 150 operations in one region (2 pages), the longest 1.5 s: 2 reads of 2 pages,
      // and one GetOperation for each of the 3 failures.
      ...Array.from({ length: 150 }, (_, i) =>
        op("servicediscovery", i === 0 ? 1_500 : 200, { failed: i < 3 })
      ),
      // SSM for SAP: application a ends at 3 s exactly (3 reads), b at 0.1 s (1 read; none are free),
      // and c holds 51 operations (2 pages) over 1.2 s (2 reads each).
      op("ssm-sap", 3_000, { applicationId: "a" }),
      op("ssm-sap", 1_000, { applicationId: "a", failed: true }),
      op("ssm-sap", 100, { applicationId: "b" }),
      ...Array.from({ length: 51 }, (_, i) => op("ssm-sap", i === 0 ? 1_200 : 300, { applicationId: "c" }))
    ]
    const floor = floorOf(operations, 1_000)
    expect(floor.byService.lightsail).toEqual({ groups: 2, listReads: 4, gets: 0, calls: 4 })
    expect(floor.byService.servicediscovery).toEqual({ groups: 1, listReads: 4, gets: 3, calls: 7 })
    expect(floor.byService["ssm-sap"]).toEqual({ groups: 3, listReads: 8, gets: 0, calls: 8 })
    expect(floor).toMatchObject({ lagMs: 1_000, calls: 19 })
  })

  it("falls as the lag allowed grows, and is not a number without a lag", () => {
    const operations = [op("lightsail", 8_000), op("ssm-sap", 8_000, { applicationId: "a" })]
    expect(floorOf(operations, 1_000).calls).toBe(16)
    expect(floorOf(operations, 2_000).calls).toBe(8)
    expect(floorOf(operations, 10_000).calls).toBe(2)
    expect(floorOf(operations, Number.NaN).calls).toBeNaN()
    expect(floorOf(operations, 0).calls).toBeNaN()
  })

  it("comes to 83 calls for the benchmark's scenario (seed 42) at L = 2.3 s", () => {
    const { fleet } = defaultOptions
    const operations = planFleet({ ...fleet, seed: 42 }).map(({ input, hints }) =>
      op(input.service, (input.durationMs ?? 0) / fleet.timeScale, {
        applicationId: hints.applicationId,
        failed: input.outcome === "failure"
      })
    )
    const floor = floorOf(operations, 2_300)
    expect(floor.byService.lightsail).toMatchObject({ groups: 1, calls: 4 })
    expect(floor.byService.servicediscovery).toEqual({ groups: 1, listReads: 4, gets: 5, calls: 9 })
    expect(floor.byService["ssm-sap"]).toMatchObject({ groups: 20, calls: 70 })
    expect(floor.calls).toBe(83)
  })
})

describe("the median", () => {
  it("is the middle value of an odd count and the mean of the middle two of an even count", () => {
    expect(median([245, 251, 239])).toBe(245)
    expect(median([3, 1, 2, 10])).toBe(2.5)
    expect(median([7])).toBe(7)
    expect(median([])).toBeNaN()
    expect(median([Number.NaN, 4, 2])).toBe(3)
  })

  it("is taken figure by figure, not run by run", () => {
    expect(
      medianOf([
        { calls: 250, lag: 1_900 },
        { calls: 240, lag: 2_100 },
        { calls: 260, lag: 1_700 }
      ])
    ).toEqual({ calls: 250, lag: 1_900 })
  })

  it("leaves percentiles nearest-rank", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1)
    expect(percentiles(values)).toEqual({ p50: 50, p99: 99, max: 100 })
  })
})
