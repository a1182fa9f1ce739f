import {
  GetOperationCommand,
  GetOperationsCommand,
  GetOperationsForResourceCommand,
  LightsailClient
} from "@aws-sdk/client-lightsail"
import { type BatchCandidate, createOperationStatus, type OperationRef } from "@opstatus/core"
import { mockClient } from "aws-sdk-client-mock"
import { Effect } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { lightsailBatchReads, lightsailSource } from "../src/index.js"

const ref = (id: string, resourceName?: string): OperationRef => ({
  service: "lightsail",
  region: "us-east-1",
  id,
  ...(resourceName === undefined ? {} : { resourceName })
})
const candidate = (r: OperationRef): BatchCandidate => ({ ref: r, last: undefined, since: 0 })
const never = () => Effect.succeed({ items: [] })

describe("Lightsail batch reads", () => {
  it("offers the region's GetOperations, and GetOperationsForResource where two or more share a resource", () => {
    const reads = lightsailBatchReads(
      "us-east-1",
      [ref("a", "web-1"), ref("b", "web-1"), ref("c", "db-1"), ref("d")].map(candidate),
      never
    )
    expect(reads.map((r) => [r.key, r.covers.map((c) => c.ref.id)])).toEqual([
      ["GetOperations", ["a", "b", "c", "d"]],
      ["GetOperationsForResource:web-1", ["a", "b"]]
    ])
    expect(reads.every((r) => r.complete)).toBe(true)
  })

  it("offers nothing for a single operation", () => {
    expect(lightsailBatchReads("us-east-1", [candidate(ref("a", "web-1"))], never)).toEqual([])
  })
})

describe("a fleet wait over the real LightsailClient (aws-sdk-client-mock)", () => {
  const mock = mockClient(LightsailClient)
  afterEach(() => mock.reset())

  it("reads a fleet on separate resources with one GetOperations page a round and no GetOperation", async () => {
    let round = 0
    mock.on(GetOperationsCommand).callsFake(async () => {
      round++
      return {
        operations: ["a", "b", "c"].map((id, i) => ({
          id,
          resourceName: `web-${id}`,
          operationType: "CreateInstance" as const,
          status: (round > i + 1 ? "Completed" : "Started") as "Completed" | "Started",
          isTerminal: round > i + 1,
          location: { regionName: "us-east-1" as const }
        }))
      }
    })
    mock.on(GetOperationCommand).callsFake(async (input: { operationId: string }) => ({
      operation: {
        id: input.operationId,
        resourceName: `web-${input.operationId}`,
        operationType: "CreateInstance" as const,
        status: "Completed" as const,
        isTerminal: true,
        location: { regionName: "us-east-1" as const }
      }
    }))
    const status = createOperationStatus({
      sources: [lightsailSource({ client: new LightsailClient({ region: "us-east-1" }) })],
      fleet: { rateLimit: { start: 100, max: 100 } }
    })
    const outcomes = await status.waitForAll(
      ["a", "b", "c"].map((id) => ref(id, `web-${id}`)),
      { minDelay: 5, maxDelay: 5, timeout: "5 seconds" }
    )
    expect(outcomes.map((o) => o.ok && o.operation.rawStatus)).toEqual([
      "Completed",
      "Completed",
      "Completed"
    ])
    expect(mock.commandCalls(GetOperationsForResourceCommand)).toHaveLength(0)
    // The last operation, once alone, may be read by ID: one page or one get cost the same.
    expect(mock.commandCalls(GetOperationCommand).length).toBeLessThanOrEqual(1)
    expect(mock.commandCalls(GetOperationsCommand).length).toBeGreaterThanOrEqual(3)
  })
})
