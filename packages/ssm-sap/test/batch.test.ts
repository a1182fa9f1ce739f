import type { BatchCandidate, Gate, Operation, OperationRef, OperationStep } from "@opstatus/core"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { type SsmSapQuery, ssmSapBatchReads, ssmSapSource } from "../src/index.js"
import { ok, region, type Seen, serve } from "./helpers.js"

const ref = (n: number, applicationId?: string): OperationRef => ({
  service: "ssm-sap",
  region,
  id: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
  ...(applicationId === undefined ? {} : { hints: { applicationId } })
})
const op = (r: OperationRef, createdAt?: Date): Operation => ({
  ref: r,
  status: "running",
  terminal: false,
  rawStatus: "INPROGRESS",
  resource: {},
  region,
  raw: {},
  ...(createdAt === undefined ? {} : { createdAt })
})
const candidate = (r: OperationRef, createdAt?: Date): BatchCandidate => ({
  ref: r,
  last: createdAt === undefined ? undefined : op(r, createdAt),
  since: 0
})
const step: OperationStep = { status: "running", rawStatus: "IN_PROGRESS" }

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

describe("SSM for SAP batch reads: the plan", () => {
  it("lists per application that two or more operations share, from the oldest known start", async () => {
    const queries: Array<[SsmSapQuery, string | undefined]> = []
    const stepped: Array<string> = []
    const candidates = [
      candidate(ref(1, "hana"), new Date("2026-01-01T10:00:05Z")),
      candidate(ref(2, "hana"), new Date("2026-01-01T09:00:00Z")),
      candidate(ref(3, "abap"), new Date("2026-01-01T09:00:00Z")),
      candidate(ref(4))
    ]
    const reads = ssmSapBatchReads(candidates, {
      includeSteps: true,
      readPage: (query, token) => {
        queries.push([query, token])
        // The application also has an operation no one waits on.
        return Effect.succeed({
          items: [op(ref(1, "hana")), op(ref(2, "hana")), op(ref(9, "hana"))],
          next: "t2"
        })
      },
      stepsOf: (r) => {
        stepped.push(r.id)
        return Effect.succeed([step])
      }
    })
    expect(reads.map((r) => [r.key, r.covers, r.callsPerRef, r.complete])).toEqual([
      ["ListOperations:hana", [candidates[0], candidates[1]], 1, true]
    ])
    const gate = countingGate()
    const page = await Effect.runPromise(reads[0]!.page(gate.run, "t1"))
    expect(queries).toEqual([
      [{ applicationId: "hana", maxResults: 50, startedAfter: new Date("2026-01-01T09:00:00Z") }, "t1"]
    ])
    // Steps only for the operations waited on; every request through the gate.
    expect(stepped).toEqual([ref(1).id, ref(2).id])
    expect(page.items.map((o) => o.steps?.length ?? 0)).toEqual([1, 1, 0])
    expect(page.next).toBe("t2")
    expect(gate.count).toBe(1)
  })

  it("leaves the start open while a start is unknown, and reads no steps unless asked", async () => {
    const queries: Array<SsmSapQuery> = []
    const reads = ssmSapBatchReads([candidate(ref(1, "hana"), new Date(0)), candidate(ref(2, "hana"))], {
      includeSteps: false,
      readPage: (query) => {
        queries.push(query)
        return Effect.succeed({ items: [op(ref(1, "hana"))] })
      },
      stepsOf: () => Effect.die("no steps")
    })
    const page = await Effect.runPromise(reads[0]!.page((request) => request, undefined))
    expect(queries[0]?.startedAfter).toBeUndefined()
    expect(reads[0]?.callsPerRef).toBe(0)
    expect(page.items[0]?.steps).toBeUndefined()
  })

  it("plans nothing for lone operations or operations without an application", () => {
    const reads = ssmSapBatchReads(
      [candidate(ref(1, "hana")), candidate(ref(2, "abap")), candidate(ref(3))],
      {
        includeSteps: false,
        readPage: () => Effect.die("no read"),
        stepsOf: () => Effect.die("no steps")
      }
    )
    expect(reads).toEqual([])
  })
})

describe("SSM for SAP batch reads through the source, on the wire", () => {
  const start = new Date("2026-01-01T09:00:00.750Z")
  const wire = (r: OperationRef) => ({ Id: r.id, Status: "INPROGRESS", StartTime: start.getTime() / 1000 })

  it("one page per call: ListOperations with a StartTime filter, then each covered operation's events, gated", async () => {
    const { client, seen } = await serve((s: Seen) =>
      s.url === "/list-operations"
        ? ok({ Operations: [wire(ref(1)), wire(ref(2)), wire(ref(9))], NextToken: "p".repeat(16) })
        : ok({ OperationEvents: [{ Description: "Start HANA", Status: "IN_PROGRESS" }] })
    )
    const source = ssmSapSource({ client, region, includeSteps: true })
    expect(source.batch?.getCost).toBe(2)
    const [read] = source.batch!.plan(
      region,
      [candidate(ref(1, "hana"), start), candidate(ref(2, "hana"), start)],
      0
    )
    const gate = countingGate()
    const page = await Effect.runPromise(read!.page(gate.run, "q".repeat(16)))
    expect(page.next).toBe("p".repeat(16))
    expect(page.items.map((o) => [o.ref.id, o.steps?.map((s) => s.description)])).toEqual([
      [ref(1).id, ["Start HANA"]],
      [ref(2).id, ["Start HANA"]],
      [ref(9).id, undefined]
    ])
    expect(seen.map((s) => [s.url, JSON.parse(s.body)])).toEqual([
      [
        "/list-operations",
        {
          ApplicationId: "hana",
          MaxResults: 50,
          Filters: [
            {
              Name: "StartTime",
              Value: String(Math.floor(start.getTime() / 1000)),
              Operator: "GreaterThanOrEquals"
            }
          ],
          NextToken: "q".repeat(16)
        }
      ],
      ["/list-operation-events", { OperationId: ref(1).id }],
      ["/list-operation-events", { OperationId: ref(2).id }]
    ])
    expect(gate.count).toBe(3)
  })

  it("without includeSteps a page is one request and a get costs one", async () => {
    const { client, seen } = await serve(() => ok({ Operations: [wire(ref(1))] }))
    const source = ssmSapSource({ client, region })
    expect(source.batch?.getCost).toBe(1)
    const [read] = source.batch!.plan(region, [candidate(ref(1, "hana")), candidate(ref(2, "hana"))], 0)
    const page = await Effect.runPromise(read!.page((request) => request, undefined))
    expect([page.items.length, page.next, seen.length]).toEqual([1, undefined, 1])
    expect(JSON.parse(seen[0]!.body)).toEqual({ ApplicationId: "hana", MaxResults: 50 })
  })
})
