import { InvalidInput, OperationNotFound, paginateListOperations } from "@aws-sdk/client-servicediscovery"
import { describe, expect, it } from "vitest"
import { CLOUD_MAP_FAILURES } from "../src/index.js"
import { cloudMap, fixedDurations, ManualClock, rejection, start } from "./helpers.js"

const OPERATION_ID = /^[a-z2-7]{32}-[a-z0-9]{8}$/

describe("Cloud Map through the real SDK client", () => {
  it("round-trips every call that starts an operation and GetOperation parses it", async () => {
    const clock = new ManualClock()
    const emulator = await start({ now: clock.now, scenario: { services: fixedDurations(1_000, 5_000) } })
    const client = cloudMap(emulator)

    const created = await client.createHttpNamespace({ Name: "example.local", Description: "test" })
    const deleted = await client.deleteNamespace({ Id: "ns-abc" })
    const registered = await client.registerInstance({
      ServiceId: "srv-1",
      InstanceId: "i-1",
      Attributes: { AWS_INSTANCE_IPV4: "10.0.0.1" }
    })
    const deregistered = await client.deregisterInstance({ ServiceId: "srv-1", InstanceId: "i-1" })
    const updated = await client.updateService({ Id: "srv-2", Service: { Description: "d" } })

    const ids = [created, deleted, registered, deregistered, updated].map((out) => out.OperationId!)
    for (const id of ids) expect(id).toMatch(OPERATION_ID)
    const read = await Promise.all(
      ids.map(async (id) => (await client.getOperation({ OperationId: id })).Operation!)
    )
    expect(read.map((op) => op.Type)).toEqual([
      "CREATE_NAMESPACE",
      "DELETE_NAMESPACE",
      "REGISTER_INSTANCE",
      "DEREGISTER_INSTANCE",
      "UPDATE_SERVICE"
    ])
    expect(read[0]!.Targets!.NAMESPACE).toMatch(/^ns-[a-z0-9]{16}$/)
    expect(read[1]!.Targets).toEqual({ NAMESPACE: "ns-abc" })
    expect(read[2]!.Targets).toEqual({ INSTANCE: "i-1", SERVICE: "srv-1" })
    expect(read[4]!.Targets).toEqual({ SERVICE: "srv-2" })
    for (const op of read) {
      expect(op.Status).toBe("SUBMITTED")
      expect(op.OwnerAccount).toMatch(/^\d{12}$/)
      expect(op.CreateDate).toEqual(new Date(clock.t))
      expect(op.UpdateDate).toEqual(new Date(clock.t))
      expect(op.ErrorCode).toBeUndefined()
    }
  })

  it("moves SUBMITTED → PENDING → SUCCESS, or FAIL with a documented ErrorCode and matching message", async () => {
    const clock = new ManualClock()
    const emulator = await start({ now: clock.now, scenario: { services: fixedDurations(100, 900) } })
    const client = cloudMap(emulator)
    const ok = (await client.createHttpNamespace({ Name: "a" })).OperationId!
    emulator.configure({ services: { servicediscovery: { failureRate: 1 } } })
    const bad = (await client.createHttpNamespace({ Name: "b" })).OperationId!
    const status = async (id: string) => (await client.getOperation({ OperationId: id })).Operation!

    expect((await status(ok)).Status).toBe("SUBMITTED")
    clock.advance(100)
    expect((await status(ok)).Status).toBe("PENDING")
    expect((await status(ok)).UpdateDate).toEqual(new Date(clock.t))
    clock.advance(900)
    expect((await status(ok)).Status).toBe("SUCCESS")
    const failed = await status(bad)
    expect(failed.Status).toBe("FAIL")
    const reason = CLOUD_MAP_FAILURES.find((r) => r.code === failed.ErrorCode)
    expect(reason).toBeDefined()
    expect(failed.ErrorMessage).toBe(reason!.message)
    expect(CLOUD_MAP_FAILURES.map((r) => r.code)).toEqual([
      "ACCESS_DENIED",
      "CANNOT_CREATE_HOSTED_ZONE",
      "EXPIRED_TOKEN",
      "HOSTED_ZONE_NOT_FOUND",
      "INTERNAL_FAILURE",
      "INVALID_CHANGE_BATCH",
      "THROTTLED_REQUEST"
    ])
  })

  it("pages ListOperations with MaxResults and NextToken; summaries carry only Id and Status", async () => {
    const emulator = await start({ now: new ManualClock().now })
    const ids = Array.from({ length: 25 }, () => emulator.createOperation({ service: "servicediscovery" }).id)
    const client = cloudMap(emulator)
    const first = await client.listOperations({ MaxResults: 10 })
    expect(first.Operations).toHaveLength(10)
    expect(Object.keys(first.Operations![0]!).sort()).toEqual(["Id", "Status"])
    expect(first.NextToken).toBeDefined()
    const seen: string[] = []
    for await (const page of paginateListOperations({ client }, { MaxResults: 10 })) {
      seen.push(...page.Operations!.map((op) => op.Id!))
    }
    expect(seen).toEqual(ids)
    const all = await client.listOperations({})
    expect(all.Operations).toHaveLength(25)
    expect(all.NextToken).toBeUndefined()
  })

  it("takes MaxResults operations first and filters them after: a page can be empty yet carry NextToken", async () => {
    const emulator = await start({ now: new ManualClock().now })
    for (let i = 0; i < 3; i++)
      emulator.createOperation({ service: "servicediscovery", type: "REGISTER_INSTANCE" })
    const wanted = [0, 1, 2].map(
      () => emulator.createOperation({ service: "servicediscovery", type: "CREATE_NAMESPACE" }).id
    )
    const client = cloudMap(emulator)
    const filters = [{ Name: "TYPE" as const, Values: ["CREATE_NAMESPACE"], Condition: "EQ" as const }]
    const first = await client.listOperations({ MaxResults: 3, Filters: filters })
    expect(first.Operations).toEqual([])
    expect(first.NextToken).toBeDefined()
    const second = await client.listOperations({
      MaxResults: 3,
      Filters: filters,
      NextToken: first.NextToken!
    })
    expect(second.Operations!.map((op) => op.Id)).toEqual(wanted)
    expect(second.NextToken).toBeUndefined()
  })

  it("supports every filter name and condition, ANDed", async () => {
    const clock = new ManualClock(1_700_000_000_000)
    const emulator = await start({
      now: clock.now,
      scenario: { services: { servicediscovery: { durations: { queuedMs: [1e9, 1e9], runningMs: [1, 1] } } } }
    })
    const create = (input: Record<string, string>) => {
      const op = emulator.createOperation({ service: "servicediscovery", ...input } as never)
      clock.advance(10_000)
      return op.id
    }
    const nsA = create({ type: "CREATE_NAMESPACE", namespaceId: "ns-a" })
    const nsB = create({ type: "DELETE_NAMESPACE", namespaceId: "ns-b" })
    const reg = create({
      type: "REGISTER_INSTANCE",
      serviceId: "srv-1",
      instanceId: "i-1",
      namespaceId: "ns-a"
    })
    const upd = create({ type: "UPDATE_SERVICE", serviceId: "srv-2" })
    emulator.transition("servicediscovery", nsB, "running")
    emulator.transition("servicediscovery", upd, "failed")
    const client = cloudMap(emulator)
    const list = async (Filters: any[]) =>
      ((await client.listOperations({ Filters })).Operations ?? []).map((op) => op.Id).sort()

    expect(await list([{ Name: "NAMESPACE_ID", Values: ["ns-a"] }])).toEqual([nsA, reg].sort())
    expect(await list([{ Name: "NAMESPACE_ID", Values: ["ns-a"], Condition: "EQ" }])).toEqual(
      [nsA, reg].sort()
    )
    expect(await list([{ Name: "SERVICE_ID", Values: ["srv-1"] }])).toEqual([reg])
    expect(await list([{ Name: "STATUS", Values: ["SUBMITTED"] }])).toEqual([nsA, reg].sort())
    expect(await list([{ Name: "STATUS", Values: ["PENDING", "FAIL"], Condition: "IN" }])).toEqual(
      [nsB, upd].sort()
    )
    expect(await list([{ Name: "TYPE", Values: ["UPDATE_SERVICE"] }])).toEqual([upd])
    expect(
      await list([{ Name: "TYPE", Values: ["CREATE_NAMESPACE", "DELETE_NAMESPACE"], Condition: "IN" }])
    ).toEqual([nsA, nsB].sort())
    // nsA and reg were last updated at creation (t0 and t0+20s); nsB and upd when forced (t0+40s).
    const t0 = 1_700_000_000
    expect(
      await list([{ Name: "UPDATE_DATE", Values: [String(t0 + 15), String(t0 + 25)], Condition: "BETWEEN" }])
    ).toEqual([reg])
    expect(
      await list([{ Name: "UPDATE_DATE", Values: [String(t0), String(t0 + 40)], Condition: "BETWEEN" }])
    ).toEqual([nsA, nsB, reg, upd].sort())
    expect(
      await list([
        {
          Name: "TYPE",
          Values: ["CREATE_NAMESPACE", "REGISTER_INSTANCE", "DELETE_NAMESPACE"],
          Condition: "IN"
        },
        { Name: "STATUS", Values: ["SUBMITTED"], Condition: "EQ" },
        { Name: "NAMESPACE_ID", Values: ["ns-a"] }
      ])
    ).toEqual([nsA, reg].sort())
  })

  it("answers InvalidInput for out-of-range MaxResults and misused filters", async () => {
    const emulator = await start()
    const client = cloudMap(emulator)
    const invalid: any[] = [
      { MaxResults: 500 },
      { MaxResults: 0 },
      { Filters: [{ Name: "STATUS", Values: ["A", "B"], Condition: "EQ" }] },
      { Filters: [{ Name: "STATUS", Values: ["SUCCESS"], Condition: "BETWEEN" }] },
      { Filters: [{ Name: "NAMESPACE_ID", Values: ["ns-a"], Condition: "IN" }] },
      { Filters: [{ Name: "TYPE", Values: ["X"], Condition: "BEGINS_WITH" }] },
      { Filters: [{ Name: "TYPE", Values: [], Condition: "IN" }] },
      { Filters: [{ Name: "UPDATE_DATE", Values: ["1"], Condition: "BETWEEN" }] },
      { Filters: [{ Name: "UPDATE_DATE", Values: ["2", "1"], Condition: "BETWEEN" }] },
      { Filters: [{ Name: "UPDATE_DATE", Values: ["a", "b"], Condition: "BETWEEN" }] },
      { Filters: [{ Name: "UPDATE_DATE", Values: ["1"] }] },
      { Filters: [{ Name: "OWNER", Values: ["1"] }] },
      { NextToken: "garbage" }
    ]
    for (const input of invalid) {
      const error = await rejection(client.listOperations(input))
      expect(error, JSON.stringify(input)).toBeInstanceOf(InvalidInput)
      expect(error.$metadata.httpStatusCode).toBe(400)
      // The SDK copies the body's Message into message and deletes Message (decorateServiceException).
      expect(error.message).not.toBe("UnknownError")
    }
    expect((await client.listOperations({ MaxResults: 100 })).Operations).toEqual([])
  })

  it("raises OperationNotFound (404) for an unknown id and InvalidInput for a missing one", async () => {
    const emulator = await start()
    const client = cloudMap(emulator)
    const missing = await rejection(client.getOperation({ OperationId: "nope" }))
    expect(missing).toBeInstanceOf(OperationNotFound)
    expect(missing.$metadata.httpStatusCode).toBe(404)
    expect(missing.message).toContain("nope")
    expect(await rejection(client.getOperation({} as never))).toBeInstanceOf(InvalidInput)
    expect(
      await rejection(client.registerInstance({ ServiceId: "s", InstanceId: "i" } as never))
    ).toBeInstanceOf(InvalidInput)
  })
})
