import {
  CloudFormationClient,
  DescribeStackSetOperationCommand,
  ListStackSetOperationResultsCommand,
  ListStackSetOperationsCommand
} from "@aws-sdk/client-cloudformation"
import { type BatchCandidate, createOperationStatus, type Gate, type OperationRef } from "@opstatus/core"
import { mockClient } from "aws-sdk-client-mock"
import { Effect } from "effect"
import { beforeEach, describe, expect, it } from "vitest"
import { type CloudFormationQuery, cloudFormationSource, stackSetBatchReads } from "../src/index.js"

const ref = (id: string, hints?: Record<string, string>): OperationRef => ({
  service: "cloudformation",
  region: "us-east-1",
  id,
  ...(hints === undefined ? {} : { hints })
})
const candidate = (r: OperationRef): BatchCandidate => ({ ref: r, last: undefined, since: 0 })

/** A gate that counts the requests it lets through. */
const countingGate = () => {
  const gate = {
    count: 0,
    run: ((request) =>
      Effect.suspend(() => {
        gate.count++
        return request
      })) as Gate
  }
  return gate
}

describe("StackSet batch reads: the plan", () => {
  it("one ListStackSetOperations per stack set and callAs that two or more operations share", async () => {
    const candidates = [
      candidate(ref("web/a")),
      candidate(ref("web/b")),
      candidate(ref("web/c", { callAs: "DELEGATED_ADMIN" })),
      candidate(ref("web/d", { callAs: "DELEGATED_ADMIN" })),
      candidate(ref("db/e")),
      candidate(ref("stack/web/f")),
      candidate(ref("stack/web/g")),
      candidate(ref("web/h", { callAs: "ROOT" })),
      candidate(ref("web/i", { callAs: "ROOT" }))
    ]
    const queries: Array<[CloudFormationQuery, string | undefined]> = []
    const reads = stackSetBatchReads(candidates, (query, token) => {
      queries.push([query, token])
      return Effect.succeed({ items: [], next: "t2" })
    })
    // db has one operation (a read by ID costs the same), stack operations have no list, a bad callAs is read by ID.
    expect(reads.map((r) => [r.key, r.covers, r.complete])).toEqual([
      ["ListStackSetOperations:web", [candidates[0], candidates[1]], false],
      ["ListStackSetOperations:web:DELEGATED_ADMIN", [candidates[2], candidates[3]], false]
    ])
    const gate = countingGate()
    expect((await Effect.runPromise(reads[1]!.page(gate.run, "t1"))).next).toBe("t2")
    expect(await Effect.runPromise(reads[0]!.page(gate.run, undefined))).toEqual({ items: [], next: "t2" })
    expect(queries).toEqual([
      [{ stackSetName: "web", maxResults: 100, callAs: "DELEGATED_ADMIN" }, "t1"],
      [{ stackSetName: "web", maxResults: 100 }, undefined]
    ])
    expect(gate.count).toBe(2)
  })

  it("a stack set named by its ID is its own group", () => {
    const byId = "web:11111111-2222-4333-8444-555555555555"
    const reads = stackSetBatchReads(
      [candidate(ref(`${byId}/a`)), candidate(ref(`${byId}/b`)), candidate(ref("web/c"))],
      () => Effect.succeed({ items: [] })
    )
    expect(reads.map((r) => r.key)).toEqual([`ListStackSetOperations:${byId}`])
  })

  it("declares what one read by ID costs: DescribeStackSetOperation and ListStackSetOperationResults", () => {
    const source = cloudFormationSource({ client: new CloudFormationClient({ region: "us-east-1" }) })
    expect(source.batch?.getCost).toBe(2)
  })
})

const mock = mockClient(CloudFormationClient)

describe("a fleet wait over the real CloudFormationClient (aws-sdk-client-mock)", () => {
  beforeEach(() => mock.reset())

  it("reads a stack set's fleet with ListStackSetOperations: a SUCCEEDED settles, a FAILED and a STOPPED are read in full", async () => {
    let round = 0
    mock.on(ListStackSetOperationsCommand).callsFake(async () => {
      round++
      // Round 1: everything runs (d is not listed yet); then a succeeded, b failed, c stopped.
      return round === 1
        ? {
            Summaries: [
              { OperationId: "a", Status: "RUNNING", Action: "UPDATE" },
              { OperationId: "b", Status: "RUNNING", Action: "UPDATE" },
              { OperationId: "c", Status: "STOPPING", Action: "UPDATE" },
              { OperationId: "zz", Status: "SUCCEEDED", Action: "CREATE" }
            ]
          }
        : {
            Summaries: [
              { OperationId: "a", Status: "SUCCEEDED", Action: "UPDATE" },
              {
                OperationId: "b",
                Status: "FAILED",
                Action: "UPDATE",
                StatusReason: "Failure tolerance exceeded"
              },
              { OperationId: "c", Status: "STOPPED", Action: "UPDATE" }
            ]
          }
    })
    mock.on(DescribeStackSetOperationCommand).callsFake(async (input: { OperationId: string }) => ({
      StackSetOperation: {
        OperationId: input.OperationId,
        Action: "UPDATE",
        Status: { b: "FAILED", c: "STOPPED", d: "SUCCEEDED" }[input.OperationId] ?? "RUNNING",
        ...(input.OperationId === "b" ? { StatusReason: "Failure tolerance exceeded" } : {})
      }
    }))
    mock.on(ListStackSetOperationResultsCommand).callsFake(async (input: { OperationId: string }) => ({
      Summaries:
        input.OperationId === "b"
          ? [
              {
                Account: "222222222222",
                Region: "eu-west-1",
                Status: "FAILED",
                StatusReason: "Bucket exists"
              }
            ]
          : []
    }))
    const client = new CloudFormationClient({ region: "us-east-1" })
    const status = createOperationStatus({
      sources: [cloudFormationSource({ client })],
      fleet: { rateLimit: { start: 100, max: 100 } }
    })
    const outcomes = await status.waitForAll(
      ["a", "b", "c", "d"].map((id) => ref(`web/${id}`)),
      { minDelay: 5, maxDelay: 5, timeout: "2 minutes" }
    )
    expect(outcomes.map((o) => o.ok && o.operation.status)).toEqual([
      "succeeded",
      "failed",
      "cancelled",
      "succeeded"
    ])
    const failed = outcomes[1]
    expect(failed?.ok === true && failed.operation.error).toEqual({
      code: "StackSetOperationFailed",
      message: "Failure tolerance exceeded; failed stack instances: 222222222222/eu-west-1 (Bucket exists)"
    })
    // a settled from the list alone; b and c ended otherwise and were read in full, d was never listed.
    const described = mock
      .commandCalls(DescribeStackSetOperationCommand)
      .map((c) => c.args[0].input.OperationId)
    expect([...new Set(described)].sort()).toEqual(["b", "c", "d"])
    expect(mock.commandCalls(ListStackSetOperationsCommand)[0]?.args[0].input).toEqual({
      StackSetName: "web",
      MaxResults: 100
    })
    await status.close()
    client.destroy()
  })

  it("a single operation is read by ID, with its results", async () => {
    mock
      .on(DescribeStackSetOperationCommand)
      .resolves({ StackSetOperation: { OperationId: "a", Status: "SUCCEEDED" } })
    mock.on(ListStackSetOperationResultsCommand).resolves({
      Summaries: [{ Account: "1", Region: "us-east-1", Status: "SUCCEEDED" }]
    })
    const client = new CloudFormationClient({ region: "us-east-1" })
    const status = createOperationStatus({ sources: [cloudFormationSource({ client })] })
    const [outcome] = await status.waitForAll([ref("web/a")], {
      minDelay: 5,
      maxDelay: 5,
      timeout: "2 minutes"
    })
    expect(outcome?.ok === true && outcome.operation.steps?.length).toBe(1)
    expect(mock.commandCalls(ListStackSetOperationsCommand)).toHaveLength(0)
    await status.close()
    client.destroy()
  })
})
