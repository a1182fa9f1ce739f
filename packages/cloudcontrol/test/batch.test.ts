import {
  CloudControlClient,
  GetResourceRequestStatusCommand,
  ListResourceRequestsCommand,
  type ProgressEvent
} from "@aws-sdk/client-cloudcontrol"
import { type BatchCandidate, createOperationStatus, type Operation, type OperationRef } from "@opstatus/core"
import { mockClient } from "aws-sdk-client-mock"
import { Effect } from "effect"
import { beforeEach, describe, expect, it } from "vitest"
import {
  type CloudControlQuery,
  cloudControlBatchReads,
  cloudControlSource,
  inFlightStatuses
} from "../src/index.js"

const ref = (id: string): OperationRef => ({ service: "cloudcontrol", region: "us-east-1", id })
const candidate = (r: OperationRef, last?: Partial<Operation>): BatchCandidate => ({
  ref: r,
  since: 0,
  last:
    last === undefined
      ? undefined
      : {
          ref: r,
          status: "running",
          terminal: false,
          rawStatus: "IN_PROGRESS",
          resource: {},
          region: "us-east-1",
          raw: {},
          ...last
        }
})

/** The query of a plan's one read, as its first page asks ListResourceRequests. */
const planned = async (candidates: ReadonlyArray<BatchCandidate>) => {
  const queries: Array<CloudControlQuery> = []
  const reads = cloudControlBatchReads(candidates, (query) => {
    queries.push(query)
    return Effect.succeed({ items: [] })
  })
  let gated = 0
  for (const read of reads) {
    await Effect.runPromise(
      read.page((request) => {
        gated++
        return request
      }, undefined)
    )
  }
  expect(gated).toBe(reads.length)
  return { reads, queries }
}

describe("Cloud Control batch reads", () => {
  it("the in-flight statuses are the non-terminal rows", () => {
    expect(inFlightStatuses).toEqual(["PENDING", "IN_PROGRESS", "CANCEL_IN_PROGRESS"])
  })

  it("offers nothing for a single request (one GetResourceRequestStatus costs the same)", async () => {
    expect((await planned([candidate(ref("a"))])).reads).toEqual([])
  })

  it("lists the requests still in flight, 100 a page, with full ProgressEvents", async () => {
    const { reads, queries } = await planned([candidate(ref("a")), candidate(ref("b"), { type: "CREATE" })])
    expect(reads.map((r) => [r.key, r.complete, r.covers.length])).toEqual([
      ["ListResourceRequests", true, 2]
    ])
    // A type is unknown until a snapshot says it: no type filter yet.
    expect(queries).toEqual([{ status: ["PENDING", "IN_PROGRESS", "CANCEL_IN_PROGRESS"], maxResults: 100 }])
  })

  it("narrows to the requests' types once every one is known", async () => {
    const { reads, queries } = await planned([
      candidate(ref("a"), { type: "DELETE" }),
      candidate(ref("b"), { type: "CREATE" }),
      candidate(ref("c"), { type: "CREATE" })
    ])
    expect(reads[0]?.key).toBe("ListResourceRequests:CREATE,DELETE")
    expect(queries[0]?.type).toEqual(["CREATE", "DELETE"])
    const all = await planned(
      (["CREATE", "UPDATE", "DELETE"] as const).map((type, i) => candidate(ref(`r${i}`), { type }))
    )
    expect(all.queries[0]?.type).toBeUndefined()
    const odd = await planned([
      candidate(ref("a"), { type: "IMPORT" }),
      candidate(ref("b"), { type: "CREATE" })
    ])
    expect(odd.queries[0]?.type).toBeUndefined()
  })

  it("reads one page per call, with the token it is given", async () => {
    const tokens: Array<string | undefined> = []
    const [read] = cloudControlBatchReads([candidate(ref("a")), candidate(ref("b"))], (_, token) => {
      tokens.push(token)
      return Effect.succeed({ items: [], next: token === undefined ? "t1" : undefined })
    })
    const pass = <A, E, R>(request: Effect.Effect<A, E, R>) => request
    expect((await Effect.runPromise(read!.page(pass, undefined))).next).toBe("t1")
    expect((await Effect.runPromise(read!.page(pass, "t1"))).next).toBeUndefined()
    expect(tokens).toEqual([undefined, "t1"])
  })
})

describe("a fleet wait over the real CloudControlClient (aws-sdk-client-mock)", () => {
  const mock = mockClient(CloudControlClient)
  beforeEach(() => mock.reset())

  const event = (RequestToken: string, OperationStatus: ProgressEvent["OperationStatus"]): ProgressEvent => ({
    RequestToken,
    OperationStatus,
    Operation: "CREATE",
    TypeName: "AWS::SQS::Queue",
    Identifier: `q-${RequestToken}`,
    ...(OperationStatus === "FAILED" ? { ErrorCode: "AlreadyExists", StatusMessage: "queue exists" } : {})
  })

  it("pages the in-flight list; a request that ended drops out and is read once by its token", async () => {
    let round = 0
    mock.on(ListResourceRequestsCommand).callsFake(async (input: { NextToken?: string }) => {
      if (input.NextToken === undefined) round++
      // Round 1: two pages show a, b and c in flight; later rounds show only c (a and b ended).
      if (round === 1) {
        return input.NextToken === undefined
          ? {
              ResourceRequestStatusSummaries: [event("a", "IN_PROGRESS"), event("x", "PENDING")],
              NextToken: "p2"
            }
          : { ResourceRequestStatusSummaries: [event("b", "PENDING"), event("c", "IN_PROGRESS")] }
      }
      return { ResourceRequestStatusSummaries: round < 4 ? [event("c", "IN_PROGRESS")] : [] }
    })
    mock.on(GetResourceRequestStatusCommand).callsFake(async (input: { RequestToken: string }) => ({
      ProgressEvent: event(input.RequestToken, input.RequestToken === "b" ? "FAILED" : "SUCCESS")
    }))
    const client = new CloudControlClient({ region: "us-east-1" })
    const status = createOperationStatus({
      sources: [cloudControlSource({ client })],
      fleet: { rateLimit: { start: 100, max: 100 } }
    })
    const outcomes = await status.waitForAll(["a", "b", "c"].map(ref), {
      minDelay: 5,
      maxDelay: 5,
      timeout: "2 minutes"
    })
    expect(outcomes.map((o) => o.ok && [o.operation.ref.id, o.operation.status])).toEqual([
      ["a", "succeeded"],
      ["b", "failed"],
      ["c", "succeeded"]
    ])
    const failed = outcomes[1]
    expect(failed?.ok === true && failed.operation.error).toEqual({
      code: "AlreadyExists",
      message: "queue exists"
    })
    const gets = mock.commandCalls(GetResourceRequestStatusCommand).map((c) => c.args[0].input.RequestToken)
    expect([...gets].sort()).toEqual(["a", "b", "c"])
    const lists = mock.commandCalls(ListResourceRequestsCommand).map((c) => c.args[0].input)
    expect(lists[0]?.ResourceRequestStatusFilter?.OperationStatuses).toEqual([
      "PENDING",
      "IN_PROGRESS",
      "CANCEL_IN_PROGRESS"
    ])
    expect(lists[0]?.MaxResults).toBe(100)
    expect(lists[1]?.NextToken).toBe("p2")
    await status.close()
    client.destroy()
  })
})
