import {
  GetOperationCommand,
  GetOperationsCommand,
  GetOperationsForResourceCommand,
  LightsailClient,
  type Operation as LightsailOperation
} from "@aws-sdk/client-lightsail"
import {
  type BatchCandidate,
  createOperationStatus,
  type Gate,
  type Operation,
  type OperationRef
} from "@opstatus/core"
import { mockClient } from "aws-sdk-client-mock"
import { Effect } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { lightsailBatchReads, lightsailSource, toOperation } from "../src/index.js"

const ref = (id: string, resourceName?: string): OperationRef => ({
  service: "lightsail",
  region: "us-east-1",
  id,
  ...(resourceName === undefined ? {} : { hints: { resourceName } })
})
const candidate = (r: OperationRef, last?: Operation): BatchCandidate => ({ ref: r, last, since: 0 })
const never = () => Effect.succeed({ items: [] })

const wire = (id: string, status: "Started" | "Completed"): LightsailOperation => ({
  id,
  resourceName: `web-${id}`,
  operationType: "CreateInstance",
  status,
  isTerminal: status === "Completed",
  location: { regionName: "us-east-1" }
})

describe("Lightsail batch reads", () => {
  it("offers the region's GetOperations, and GetOperationsForResource where two or more share a resource", () => {
    const reads = lightsailBatchReads(
      "us-east-1",
      [ref("a", "web-1"), ref("b", "web-1"), ref("c", "db-1"), ref("d")].map((r) => candidate(r)),
      never
    )
    expect(reads.map((r) => [r.key, r.covers.map((c) => c.ref.id)])).toEqual([
      ["GetOperations", ["a", "b", "c", "d"]],
      ["GetOperationsForResource:web-1", ["a", "b"]]
    ])
    expect(reads.every((r) => r.complete)).toBe(true)
  })

  it("groups by the last snapshot's resource when the ref has no hint", () => {
    const last = toOperation(wire("x", "Started"), "us-east-1")
    const reads = lightsailBatchReads(
      "us-east-1",
      [candidate(ref("a"), { ...last, resource: { name: "db-1" } }), candidate(ref("b", "db-1"))],
      never
    )
    expect(reads.map((r) => r.key)).toEqual(["GetOperations", "GetOperationsForResource:db-1"])
  })

  it("offers nothing for a single operation", () => {
    expect(lightsailBatchReads("us-east-1", [candidate(ref("a", "web-1"))], never)).toEqual([])
  })

  it("reads one page through the gate with the region, the resource and the token", async () => {
    const asked: Array<[string, string | undefined, string | undefined]> = []
    const reads = lightsailBatchReads(
      "eu-west-1",
      [ref("a", "web-1"), ref("b", "web-1")].map((r) => candidate(r)),
      (region, resourceName, token) => {
        asked.push([region, resourceName, token])
        return Effect.succeed({ items: [], next: "n" })
      }
    )
    let gated = 0
    const gate: Gate = (request) =>
      Effect.flatMap(
        Effect.sync(() => gated++),
        () => request
      )
    const pages = await Effect.runPromise(
      Effect.forEach(reads, (read) => read.page(gate, read.key === "GetOperations" ? undefined : "t2"))
    )
    expect(pages.map((p) => p.next)).toEqual(["n", "n"])
    expect(asked).toEqual([
      ["eu-west-1", undefined, undefined],
      ["eu-west-1", "web-1", "t2"]
    ])
    expect(gated).toBe(2)
  })
})

describe("a fleet wait over the real LightsailClient (aws-sdk-client-mock)", () => {
  const mock = mockClient(LightsailClient)
  let client: LightsailClient
  beforeEach(() => {
    mock.reset()
    client = new LightsailClient({
      region: "us-east-1",
      credentials: { accessKeyId: "AKID", secretAccessKey: "x" }
    })
  })
  afterEach(() => client.destroy())

  it("reads a fleet on separate resources with one GetOperations page a round and no GetOperation", async () => {
    let round = 0
    mock.on(GetOperationsCommand).callsFake(async () => {
      round++
      const operations = ["a", "b", "c"].map((id, i) => wire(id, round > i + 1 ? "Completed" : "Started"))
      return { operations }
    })
    mock.on(GetOperationCommand).callsFake(async (input: { operationId: string }) => ({
      operation: wire(input.operationId, "Completed")
    }))
    const status = createOperationStatus({
      sources: [lightsailSource({ client })],
      fleet: { rateLimit: { start: 100, max: 100 } },
      onWarning: () => {}
    })
    const outcomes = await status.waitForAll(
      ["a", "b", "c"].map((id) => ref(id, `web-${id}`)),
      { minDelay: 1, maxDelay: 2, timeout: "5 seconds" }
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
    await status.close()
  })

  it("a GetOperations page holding null elements still ends both waits right", async () => {
    let page = 0
    mock.on(GetOperationsCommand).callsFake(async () => {
      page++
      const status = page === 1 ? "Started" : "Completed"
      return {
        operations: [null, wire("a", status), null, wire("b", status)],
        $metadata: { requestId: `rid-${page}` }
      }
    })
    mock.on(GetOperationCommand).rejects(new Error("read by ID"))
    const warnings: Array<string> = []
    const status = createOperationStatus({
      sources: [lightsailSource({ client })],
      fleet: { rateLimit: { start: 100, max: 100 } },
      onWarning: (message) => warnings.push(message)
    })
    const outcomes = await status.waitForAll([ref("a", "web-a"), ref("b", "web-b")], {
      minDelay: 1,
      maxDelay: 2,
      timeout: "5 seconds"
    })
    expect(outcomes.map((o) => (o.ok ? [o.operation.ref.id, o.operation.status] : o.error.message))).toEqual([
      ["a", "succeeded"],
      ["b", "succeeded"]
    ])
    expect(outcomes.every((o) => o.ok && o.operation.requestId?.startsWith("rid-"))).toBe(true)
    expect(warnings).toEqual([])
    expect(mock.commandCalls(GetOperationCommand)).toHaveLength(0)
    expect(mock.commandCalls(GetOperationsCommand).length).toBeGreaterThanOrEqual(2)
    await status.close()
  })
})
