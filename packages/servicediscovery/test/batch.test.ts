import {
  GetOperationCommand,
  ListOperationsCommand,
  ServiceDiscoveryClient
} from "@aws-sdk/client-servicediscovery"
import { type BatchCandidate, createOperationStatus, type Operation, type OperationRef } from "@opstatus/core"
import { mockClient } from "aws-sdk-client-mock"
import { Effect } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import {
  cloudMapBatchReads,
  type ServiceDiscoveryQuery,
  serviceDiscoverySource,
  windowSlackAfterMillis,
  windowSlackBeforeMillis
} from "../src/index.js"

const ref = (id: string, hints?: Record<string, string>): OperationRef => ({
  service: "servicediscovery",
  region: "us-east-1",
  id,
  ...(hints === undefined ? {} : { hints })
})
const candidate = (r: OperationRef, since: number, last?: Partial<Operation>): BatchCandidate => ({
  ref: r,
  since,
  last:
    last === undefined
      ? undefined
      : {
          ref: r,
          status: "running",
          terminal: false,
          rawStatus: "PENDING",
          resource: {},
          region: "us-east-1",
          raw: {},
          ...last
        }
})

/** A gate that lets every request through, counting them. */
const countingGate = () => {
  let count = 0
  return {
    gate: <A, E, R>(request: Effect.Effect<A, E, R>) =>
      Effect.suspend(() => {
        count++
        return request
      }),
    count: () => count
  }
}

/** The query of the read's first page, as it reaches ListOperations. */
const queryOf = async (candidates: ReadonlyArray<BatchCandidate>, now: number) => {
  const queries: Array<ServiceDiscoveryQuery> = []
  const [read] = cloudMapBatchReads(candidates, now, (query) => {
    queries.push(query)
    return Effect.succeed({ items: [] })
  })
  const { gate, count } = countingGate()
  await Effect.runPromise(read!.page(gate, undefined))
  expect(count()).toBe(1)
  return { read: read!, query: queries[0]! }
}

describe("Cloud Map batch reads", () => {
  const now = Date.parse("2026-03-01T12:00:00Z")

  it("offers nothing for a single operation (one GetOperation costs the same)", () => {
    expect(cloudMapBatchReads([candidate(ref("a"), now)], now, () => Effect.succeed({ items: [] }))).toEqual(
      []
    )
  })

  it("lists pending operations in an UPDATE_DATE window from the oldest known date, scoped by a shared service", async () => {
    const oldest = new Date(now - 3_600_000)
    const { read, query } = await queryOf(
      [
        candidate(ref("a", { serviceId: "srv-1" }), now - 60_000, { updatedAt: oldest }),
        candidate(ref("b", { serviceId: "srv-1" }), now - 60_000, { createdAt: new Date(now - 1_800_000) }),
        candidate(ref("c", { serviceId: "srv-1" }), now - 60_000)
      ],
      now
    )
    expect(read.key).toBe("ListOperations")
    expect(read.complete).toBe(false)
    expect(read.covers).toHaveLength(3)
    // No status filter: Cloud Map filters after reading a page, and the list then shows what ended.
    expect(query.status).toBeUndefined()
    expect(query.serviceId).toBe("srv-1")
    expect(query.namespaceId).toBeUndefined()
    expect(query.maxResults).toBe(100)
    expect(query.updatedBetween).toEqual([
      new Date(oldest.getTime() - windowSlackBeforeMillis),
      new Date(now + windowSlackAfterMillis)
    ])
  })

  it("prefers a shared namespace, and scopes nothing when the operations share neither", async () => {
    const ns = await queryOf(
      [
        candidate(ref("a", { namespaceId: "ns-1", serviceId: "srv-1" }), now),
        candidate(ref("b", { namespaceId: "ns-1", serviceId: "srv-2" }), now)
      ],
      now
    )
    expect([ns.query.namespaceId, ns.query.serviceId]).toEqual(["ns-1", undefined])
    const mixed = await queryOf(
      [candidate(ref("a", { serviceId: "srv-1" }), now), candidate(ref("b"), now)],
      now
    )
    expect([mixed.query.namespaceId, mixed.query.serviceId]).toEqual([undefined, undefined])
    // Without a snapshot, the window opens at the wait's start.
    expect(mixed.query.updatedBetween?.[0]).toEqual(new Date(now - windowSlackBeforeMillis))
  })

  it("reads one page per call, with the token it is given", async () => {
    const tokens: Array<string | undefined> = []
    const [read] = cloudMapBatchReads(
      [candidate(ref("a"), now), candidate(ref("b"), now)],
      now,
      (_, token) => {
        tokens.push(token)
        return Effect.succeed({ items: [], next: token === undefined ? "t1" : undefined })
      }
    )
    const { gate, count } = countingGate()
    expect((await Effect.runPromise(read!.page(gate, undefined))).next).toBe("t1")
    expect((await Effect.runPromise(read!.page(gate, "t1"))).next).toBeUndefined()
    expect(tokens).toEqual([undefined, "t1"])
    expect(count()).toBe(2)
  })
})

const mock = mockClient(ServiceDiscoveryClient)

describe("the source's batch read over the real ServiceDiscoveryClient (aws-sdk-client-mock)", () => {
  let client: ServiceDiscoveryClient
  beforeEach(() => {
    mock.reset()
    client = new ServiceDiscoveryClient({ region: "us-east-1" })
  })
  afterEach(() => client.destroy())

  it("skips null items of a ListOperations page", async () => {
    mock.on(ListOperationsCommand).resolves({
      Operations: [null, { Id: "a", Status: "PENDING" }, null, { Id: "b", Status: "SUBMITTED" }],
      NextToken: "t1",
      $metadata: { requestId: "req-1" }
    } as never)
    const source = serviceDiscoverySource({ client })
    const now = Date.now()
    const [read] = source.batch!.plan(
      "us-east-1",
      [candidate(ref("a", { serviceId: "srv-1" }), now), candidate(ref("b", { serviceId: "srv-1" }), now)],
      now
    )
    const page = await Effect.runPromise(read!.page((request) => request, undefined))
    expect(page.next).toBe("t1")
    expect(page.items.map((o) => [o.ref.id, o.status, o.requestId])).toEqual([
      ["a", "running", "req-1"],
      ["b", "pending", "req-1"]
    ])
    const [call] = mock.commandCalls(ListOperationsCommand)
    expect(call?.args[0].input.MaxResults).toBe(100)
    expect(call?.args[0].input.Filters?.map((f) => [f.Name, f.Condition, f.Values])).toEqual([
      ["SERVICE_ID", "EQ", ["srv-1"]],
      ["UPDATE_DATE", "BETWEEN", expect.any(Array)]
    ])
  })
})

describe("a fleet wait over the real ServiceDiscoveryClient (aws-sdk-client-mock)", () => {
  beforeEach(() => mock.reset())

  const full = (Id: string, Status: "SUCCESS" | "FAIL") => ({
    Operation: {
      Id,
      Type: "REGISTER_INSTANCE" as const,
      Status,
      Targets: { INSTANCE: `i-${Id}`, SERVICE: "srv-1" },
      ...(Status === "FAIL" ? { ErrorCode: "INVALID_CHANGE_BATCH", ErrorMessage: "bad batch" } : {})
    }
  })

  it("reads the fleet with ListOperations: a SUCCESS settles, a FAIL is read by ID, what it does not show too", async () => {
    let round = 0
    mock.on(ListOperationsCommand).callsFake(async () => {
      round++
      // Round 1: c is not visible yet; round 2: a succeeded, b failed (c still not listed).
      return {
        Operations:
          round === 1
            ? [
                { Id: "a", Status: "PENDING" },
                { Id: "b", Status: "SUBMITTED" }
              ]
            : [
                { Id: "a", Status: "SUCCESS" },
                { Id: "b", Status: "FAIL" }
              ]
      }
    })
    mock
      .on(GetOperationCommand)
      .callsFake(async (input: { OperationId: string }) =>
        full(input.OperationId, input.OperationId === "b" ? "FAIL" : "SUCCESS")
      )
    const client = new ServiceDiscoveryClient({ region: "us-east-1" })
    const status = createOperationStatus({
      sources: [serviceDiscoverySource({ client })],
      fleet: { rateLimit: { start: 100, max: 100 } }
    })
    const outcomes = await status.waitForAll(
      ["a", "b", "c"].map((id) => ref(id, { serviceId: "srv-1" })),
      { minDelay: 5, maxDelay: 5, timeout: "5 seconds" }
    )
    expect(outcomes.map((o) => o.ok && o.operation.status)).toEqual(["succeeded", "failed", "succeeded"])
    const failed = outcomes[1]
    expect(failed?.ok === true && failed.operation.error).toEqual({
      code: "INVALID_CHANGE_BATCH",
      message: "bad batch"
    })
    expect(failed?.ok === true && failed.operation.targets).toEqual({ INSTANCE: "i-b", SERVICE: "srv-1" })
    // c, which no list showed, and b's failure: a's success came from the list alone.
    const gets = mock.commandCalls(GetOperationCommand).map((c) => c.args[0].input.OperationId)
    expect(gets[0]).toBe("c")
    expect([...gets].sort()).toEqual(["b", "c"])
    const settled = outcomes[0]
    expect(settled?.ok === true && settled.operation.rawStatus).toBe("SUCCESS")
    const [first] = mock.commandCalls(ListOperationsCommand)
    expect(first?.args[0].input.Filters?.map((f) => [f.Name, f.Condition])).toEqual([
      ["SERVICE_ID", "EQ"],
      ["UPDATE_DATE", "BETWEEN"]
    ])
    await status.close()
    client.destroy()
  })

  it("a ListOperations page holding null items: both operations end right, with no fallback", async () => {
    let round = 0
    mock.on(ListOperationsCommand).callsFake(async () => {
      round++
      return {
        Operations:
          round === 1
            ? [null, { Id: "a", Status: "PENDING" }, null, { Id: "b", Status: "SUBMITTED" }]
            : [null]
      }
    })
    mock
      .on(GetOperationCommand)
      .callsFake(async (input: { OperationId: string }) =>
        full(input.OperationId, input.OperationId === "b" ? "FAIL" : "SUCCESS")
      )
    const warnings: Array<string> = []
    const client = new ServiceDiscoveryClient({ region: "us-east-1" })
    const status = createOperationStatus({
      sources: [serviceDiscoverySource({ client })],
      fleet: { rateLimit: { start: 100, max: 100 } },
      onWarning: (message) => warnings.push(message)
    })
    const outcomes = await status.waitForAll(
      ["a", "b"].map((id) => ref(id, { namespaceId: "ns-1" })),
      { minDelay: 5, maxDelay: 5, timeout: "5 seconds" }
    )
    expect(outcomes.map((o) => o.ok && [o.operation.ref.id, o.operation.status])).toEqual([
      ["a", "succeeded"],
      ["b", "failed"]
    ])
    expect(warnings).toEqual([])
    // Round 1 lists both as pending; round 2 lists neither, so each is read once by ID.
    expect(mock.commandCalls(ListOperationsCommand)).toHaveLength(2)
    expect(
      mock
        .commandCalls(GetOperationCommand)
        .map((c) => c.args[0].input.OperationId)
        .sort()
    ).toEqual(["a", "b"])
    await status.close()
    client.destroy()
  })
})
