import type { BatchCandidate, Operation, OperationRef, OperationStep } from "@opstatus/core"
import { Effect, Stream } from "effect"
import { describe, expect, it } from "vitest"
import { type SsmSapQuery, ssmSapBatchReads } from "../src/index.js"

const ref = (n: number, applicationId?: string): OperationRef => ({
  service: "ssm-sap",
  region: "us-east-1",
  id: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
  ...(applicationId === undefined ? {} : { applicationId })
})
const op = (r: OperationRef, createdAt?: Date): Operation => ({
  ref: r,
  status: "running",
  terminal: false,
  rawStatus: "INPROGRESS",
  resource: {},
  region: "us-east-1",
  raw: {},
  ...(createdAt === undefined ? {} : { createdAt })
})
const candidate = (r: OperationRef, createdAt?: Date): BatchCandidate => ({
  ref: r,
  last: createdAt === undefined ? undefined : op(r, createdAt),
  since: 0
})
const step: OperationStep = { status: "running", rawStatus: "IN_PROGRESS" }

describe("SSM for SAP batch reads", () => {
  it("lists per application that two or more operations share, from the oldest known start", async () => {
    const queries: Array<SsmSapQuery> = []
    const stepped: Array<string> = []
    const candidates = [
      candidate(ref(1, "hana"), new Date("2026-01-01T10:00:05Z")),
      candidate(ref(2, "hana"), new Date("2026-01-01T09:00:00Z")),
      candidate(ref(3, "abap"), new Date("2026-01-01T09:00:00Z")),
      candidate(ref(4))
    ]
    const reads = ssmSapBatchReads(candidates, {
      includeSteps: true,
      readPage: (query) => {
        queries.push(query)
        // The application also has an operation no one waits on.
        return Effect.succeed({ items: [op(ref(1, "hana")), op(ref(2, "hana")), op(ref(9, "hana"))] })
      },
      stepsOf: (r) => {
        stepped.push(r.id)
        return Effect.succeed([step])
      }
    })
    expect(reads.map((r) => [r.key, r.covers.length, r.callsPerRef])).toEqual([["ListOperations:hana", 2, 1]])
    const [page] = await Effect.runPromise(Stream.runCollect(reads[0]!.pages((request) => request)))
    expect(queries[0]).toEqual({
      applicationId: "hana",
      maxResults: 50,
      startedAfter: new Date("2026-01-01T09:00:00Z")
    })
    // Steps only for the operations waited on.
    expect(stepped).toEqual([ref(1).id, ref(2).id])
    expect(page?.map((o) => o.steps?.length ?? 0)).toEqual([1, 1, 0])
  })

  it("leaves the start open while a start is unknown, and reads no steps unless asked", async () => {
    const queries: Array<SsmSapQuery> = []
    const reads = ssmSapBatchReads([candidate(ref(1, "hana"), new Date(0)), candidate(ref(2, "hana"))], {
      includeSteps: false,
      readPage: (query) => {
        queries.push(query)
        return Effect.succeed({ items: [] })
      },
      stepsOf: () => Effect.die("no steps")
    })
    await Effect.runPromise(Stream.runCollect(reads[0]!.pages((request) => request)))
    expect(queries[0]?.startedAfter).toBeUndefined()
    expect(reads[0]?.callsPerRef).toBe(0)
  })
})
