import { describe, expect, it } from "vitest"
import { accountIdFor, mergeScenario, parseScenario, ScenarioError } from "../src/index.js"
import { createPrng } from "../src/internal/prng.js"
import { parseAuthorization } from "../src/internal/sigv4.js"

describe("seeded PRNG", () => {
  it("replays for a seed and stream, and differs across seeds and streams", () => {
    const draw = (seed: number, stream: string) => {
      const prng = createPrng(seed, stream)
      return Array.from({ length: 8 }, () => prng.uint32())
    }
    expect(draw(1, "a")).toEqual(draw(1, "a"))
    expect(draw(1, "a")).not.toEqual(draw(2, "a"))
    expect(draw(1, "a")).not.toEqual(draw(1, "b"))
  })

  it("stays in range and spreads", () => {
    const prng = createPrng(7, "x")
    const seen = new Set<number>()
    for (let i = 0; i < 2_000; i++) {
      const n = prng.int(3, 9)
      expect(n).toBeGreaterThanOrEqual(3)
      expect(n).toBeLessThanOrEqual(9)
      seen.add(n)
      const f = prng.next()
      expect(f).toBeGreaterThanOrEqual(0)
      expect(f).toBeLessThan(1)
    }
    expect(seen.size).toBe(7)
  })
})

describe("helpers", () => {
  it("maps access keys to stable 12-digit accounts", () => {
    expect(accountIdFor("AKIDEXAMPLE")).toMatch(/^\d{12}$/)
    expect(accountIdFor("AKIDEXAMPLE")).toBe(accountIdFor("AKIDEXAMPLE"))
    expect(accountIdFor("AKIDOTHER")).not.toBe(accountIdFor("AKIDEXAMPLE"))
    expect(accountIdFor("123456789012")).toBe("123456789012")
  })

  it("reads the credential scope of a SigV4 header", () => {
    expect(
      parseAuthorization(
        "AWS4-HMAC-SHA256 Credential=AKID/20240101/eu-central-1/servicediscovery/aws4_request, SignedHeaders=host, Signature=abc"
      )
    ).toEqual({ accessKeyId: "AKID", region: "eu-central-1", service: "servicediscovery" })
    expect(parseAuthorization("Bearer token")).toBeUndefined()
    expect(parseAuthorization(undefined)).toBeUndefined()
  })
})

describe("scenario", () => {
  it("validates and points at the bad setting", () => {
    expect(() => parseScenario({ services: { ec2: {} } })).toThrow(/scenario\.services\.ec2/)
    expect(() => parseScenario({ services: { lightsail: { durations: { queuedMs: [5, 1] } } } })).toThrow(
      /queuedMs: min is greater than max/
    )
    expect(() =>
      parseScenario({ services: { "ssm-sap": { regions: { "eu-west-1": { faults: { x: 1 } } } } } })
    ).toThrow(/regions\.eu-west-1\.faults\.x/)
    expect(() => parseScenario({ seed: 1.5 })).toThrow(ScenarioError)
    expect(() => parseScenario({ operations: [{ service: "lightsail", outcome: "maybe" }] })).toThrow(
      /outcome/
    )
    const full = {
      seed: 1,
      timeScale: 60,
      services: {
        lightsail: {
          durations: { queuedMs: [1, 2], runningMs: [3, 4] },
          failureRate: 0.1,
          rateLimit: { perSecond: 5, burst: 10 },
          faults: {
            error5xxRate: 0.01,
            resetRate: 0.01,
            latencyMs: [1, 5],
            malformedRate: 0.01,
            notFoundForMs: 100
          },
          regions: { "eu-west-1": { failureRate: 0.5 } }
        }
      },
      deniedAccessKeys: ["AKIDDENIED"],
      operations: [{ service: "lightsail", type: "CreateInstance", durationMs: 10 }]
    }
    expect(parseScenario(JSON.parse(JSON.stringify(full)))).toEqual(full)
  })

  it("merges faults deeply and replaces lists", () => {
    const merged = mergeScenario(
      {
        seed: 1,
        deniedAccessKeys: ["A"],
        services: { lightsail: { faults: { resetRate: 0.5 }, failureRate: 0.2 } }
      },
      { deniedAccessKeys: ["B"], services: { lightsail: { faults: { error5xxRate: 0.1 } } } }
    )
    expect(merged).toEqual({
      seed: 1,
      deniedAccessKeys: ["B"],
      services: { lightsail: { faults: { resetRate: 0.5, error5xxRate: 0.1 }, failureRate: 0.2 } }
    })
  })
})
