import { describe, expect, it } from "vitest"
import { fixedDurations, ManualClock, rejection, ssmSap, start } from "./helpers.js"

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe("SSM for SAP through SsmSapHttpClient", () => {
  it("round-trips every call and converts timestamps to Date", async () => {
    const clock = new ManualClock()
    const emulator = await start({ now: clock.now, scenario: { services: fixedDurations(1_000, 5_000) } })
    const client = ssmSap(emulator)

    const registered = await client.registerApplication({
      ApplicationId: "hana-1",
      ApplicationType: "HANA",
      Instances: ["i-0123456789abcdef0"],
      SapInstanceNumber: "00",
      Sid: "HDB"
    })
    expect(registered.Application).toMatchObject({ Id: "hana-1", Type: "HANA", Status: "REGISTERING" })
    expect(registered.Application!.Arn).toMatch(/^arn:aws:ssm-sap:us-east-1:\d{12}:HANA\/hana-1$/)
    expect(registered.Application!.LastUpdated).toEqual(new Date(clock.t))
    expect(registered.OperationId).toMatch(UUID)
    expect(registered.$metadata).toEqual({
      httpStatusCode: 200,
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/)
    })

    const started = await client.startApplication({ ApplicationId: "hana-1" })
    const stopped = await client.stopApplication({
      ApplicationId: "hana-1",
      StopConnectedEntity: "DBMS",
      IncludeEc2InstanceShutdown: true
    })
    const updated = await client.updateApplicationSettings({ ApplicationId: "hana-1", DatabaseArn: "arn:db" })
    expect(updated.Message).toEqual(expect.any(String))
    expect(updated.OperationIds).toHaveLength(2)

    const ids = [
      registered.OperationId!,
      started.OperationId!,
      stopped.OperationId!,
      ...updated.OperationIds!
    ]
    const types = []
    for (const id of ids) {
      const { Operation } = await client.getOperation({ OperationId: id })
      expect(Operation).toMatchObject({
        Id: id,
        Status: "INPROGRESS",
        Properties: { SAPApplicationId: "hana-1" },
        ResourceType: "AWS::SSMSAP::Application",
        ResourceId: "hana-1",
        ResourceArn: registered.Application!.Arn
      })
      expect(Operation!.StartTime).toEqual(new Date(clock.t))
      expect(Operation!.LastUpdatedTime).toBeInstanceOf(Date)
      expect(Operation!.EndTime).toBeUndefined()
      types.push(Operation!.Type)
    }
    expect(types).toEqual([
      "REGISTER_APPLICATION",
      "START_APPLICATION",
      "STOP_APPLICATION",
      "UPDATE_APPLICATION_SETTINGS",
      "REFRESH_APPLICATION"
    ])
  })

  it("goes INPROGRESS → SUCCESS with EndTime, and ERROR with StatusMessage and a FAILED event", async () => {
    const clock = new ManualClock()
    const emulator = await start({ now: clock.now, scenario: { services: fixedDurations(1_000, 5_000) } })
    const client = ssmSap(emulator)
    await client.registerApplication({
      ApplicationId: "app",
      ApplicationType: "SAP_ABAP",
      Instances: ["i-1", "i-2"]
    })
    const ok = (await client.startApplication({ ApplicationId: "app" })).OperationId!
    const bad = emulator.createOperation({
      service: "ssm-sap",
      applicationId: "app",
      type: "STOP_APPLICATION",
      durationMs: 6_000,
      outcome: "failure",
      errorMessage: "HANA did not stop."
    }).id
    const events = async (id: string) =>
      (await client.listOperationEvents({ OperationId: id })).OperationEvents!

    expect(await events(ok)).toEqual([])
    clock.advance(1_500)
    const running = await events(ok)
    expect(running.map((e) => [e.Resource!.ResourceType, e.Status])).toEqual([
      ["AWS::EC2::Instance", "IN_PROGRESS"],
      ["AWS::EC2::Instance", "IN_PROGRESS"],
      ["AWS::SSMSAP::Application", "IN_PROGRESS"]
    ])
    expect(running[0]!.Timestamp).toEqual(new Date(clock.t - 500))
    expect(running[0]!.Resource!.ResourceArn).toMatch(/^arn:aws:ec2:us-east-1:\d{12}:instance\/i-1$/)

    clock.advance(4_500)
    const done = (await client.getOperation({ OperationId: ok })).Operation!
    expect(done.Status).toBe("SUCCESS")
    expect(done.EndTime).toEqual(new Date(clock.t))
    expect(done.StatusMessage).toBeUndefined()
    expect((await events(ok)).filter((e) => e.Status === "COMPLETED")).toHaveLength(3)

    const failed = (await client.getOperation({ OperationId: bad })).Operation!
    expect(failed).toMatchObject({
      Status: "ERROR",
      StatusMessage: "HANA did not stop.",
      Type: "STOP_APPLICATION"
    })
    expect(failed.EndTime).toBeInstanceOf(Date)
    const failedEvents = await events(bad)
    expect(failedEvents.filter((e) => e.Status === "FAILED")).toEqual([
      expect.objectContaining({ StatusMessage: "HANA did not stop.", Timestamp: failed.EndTime })
    ])
  })

  it("lists an application's operations with filters and MaxResults paging", async () => {
    const clock = new ManualClock(1_700_000_000_000)
    const emulator = await start({ now: clock.now, scenario: { services: fixedDurations(1e9, 1) } })
    const ids: string[] = []
    for (let i = 0; i < 60; i++) {
      ids.push(
        emulator.createOperation({
          service: "ssm-sap",
          applicationId: "app",
          type: i % 2 === 0 ? "START_APPLICATION" : "STOP_APPLICATION"
        }).id
      )
      clock.advance(1_000)
    }
    emulator.createOperation({ service: "ssm-sap", applicationId: "other" })
    emulator.transition("ssm-sap", ids[0]!, "succeeded")
    const client = ssmSap(emulator)

    const pages: string[][] = []
    let token: string | undefined
    do {
      const page = await client.listOperations({ ApplicationId: "app", MaxResults: 25, NextToken: token })
      pages.push(page.Operations!.map((op) => op.Id!))
      expect(page.Operations!.every((op) => op.StartTime instanceof Date)).toBe(true)
      token = page.NextToken
    } while (token !== undefined)
    expect(pages.map((p) => p.length)).toEqual([25, 25, 10])
    expect(pages.flat()).toEqual(ids)
    expect((await client.listOperations({ ApplicationId: "app" })).Operations).toHaveLength(50)

    const list = async (Filters: any[]) =>
      (await client.listOperations({ ApplicationId: "app", Filters })).Operations!.map((op) => op.Id)
    expect(await list([{ Name: "Status", Value: "SUCCESS", Operator: "Equals" }])).toEqual([ids[0]])
    expect(await list([{ Name: "Type", Value: "STOP_APPLICATION", Operator: "Equals" }])).toHaveLength(30)
    const t0 = 1_700_000_000
    expect(await list([{ Name: "StartTime", Value: String(t0 + 5), Operator: "Equals" }])).toEqual([ids[5]])
    expect(
      await list([{ Name: "StartTime", Value: String(t0 + 55), Operator: "GreaterThanOrEquals" }])
    ).toEqual(ids.slice(55))
    expect(
      await list([
        { Name: "StartTime", Value: String(t0 + 2), Operator: "LessThanOrEquals" },
        { Name: "Type", Value: "START_APPLICATION", Operator: "Equals" }
      ])
    ).toEqual([ids[0], ids[2]])
  })

  it("filters and pages operation events", async () => {
    const clock = new ManualClock()
    const emulator = await start({ now: clock.now, scenario: { services: fixedDurations(0, 10) } })
    const client = ssmSap(emulator)
    await client.registerApplication({
      ApplicationId: "app",
      ApplicationType: "HANA",
      Instances: ["i-1", "i-2", "i-3"]
    })
    const id = (await client.startApplication({ ApplicationId: "app" })).OperationId!
    clock.advance(10)
    const all = (await client.listOperationEvents({ OperationId: id })).OperationEvents!
    expect(all).toHaveLength(8)
    const filtered = async (Name: string, Value: string) =>
      (await client.listOperationEvents({ OperationId: id, Filters: [{ Name, Value, Operator: "Equals" }] }))
        .OperationEvents!
    expect(await filtered("status", "COMPLETED")).toHaveLength(4)
    expect(await filtered("resourceID", "i-2")).toHaveLength(2)
    expect(await filtered("resourceType", "AWS::SSMSAP::Application")).toHaveLength(2)
    const first = await client.listOperationEvents({ OperationId: id, MaxResults: 5 })
    expect(first.OperationEvents).toHaveLength(5)
    const second = await client.listOperationEvents({
      OperationId: id,
      MaxResults: 5,
      NextToken: first.NextToken
    })
    expect(second.OperationEvents).toEqual(all.slice(5))
    expect(second.NextToken).toBeUndefined()
    const bad = await rejection(
      client.listOperationEvents({
        OperationId: id,
        Filters: [{ Name: "status", Value: "X", Operator: "LessThanOrEquals" }]
      })
    )
    expect(bad.name).toBe("ValidationException")
  })

  it("raises ResourceNotFoundException and ValidationException shaped like the SDK's errors", async () => {
    const emulator = await start()
    const client = ssmSap(emulator)
    const missing = await rejection(
      client.getOperation({ OperationId: "11111111-2222-4333-8444-555555555555" })
    )
    expect(missing).toBeInstanceOf(Error)
    expect(missing.name).toBe("ResourceNotFoundException")
    expect(missing.$fault).toBe("client")
    expect(missing.$metadata.httpStatusCode).toBe(404)
    expect(missing.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/)
    expect(missing.message).toContain("11111111-2222-4333-8444-555555555555")
    expect(missing.Message).toBe(missing.message)
    expect(
      (await rejection(client.listOperationEvents({ OperationId: "11111111-2222-4333-8444-555555555555" })))
        .name
    ).toBe("ResourceNotFoundException")

    const invalid: Promise<unknown>[] = [
      client.getOperation({ OperationId: "not-a-uuid" }),
      client.listOperations({ ApplicationId: undefined }),
      client.listOperations({ ApplicationId: "app", MaxResults: 51 }),
      client.listOperations({
        ApplicationId: "app",
        Filters: [{ Name: "Color", Value: "red", Operator: "Equals" }]
      }),
      client.listOperations({
        ApplicationId: "app",
        Filters: [{ Name: "Type", Value: "X", Operator: "GreaterThanOrEquals" }]
      }),
      client.listOperations({
        ApplicationId: "app",
        Filters: [{ Name: "StartTime", Value: "soon", Operator: "Equals" }]
      }),
      client.listOperations({ ApplicationId: "app", Filters: [] }),
      client.registerApplication({
        ApplicationId: "a",
        ApplicationType: "ORACLE" as never,
        Instances: ["i-1"]
      }),
      client.stopApplication({ ApplicationId: "a", StopConnectedEntity: "APP" as never })
    ]
    for (const call of invalid) {
      const error = await rejection(call)
      expect(error.name).toBe("ValidationException")
      expect(error.$metadata.httpStatusCode).toBe(400)
      expect(error.$fault).toBe("client")
    }
  })

  it("accepts an operation id in braces, as the service's pattern allows", async () => {
    const emulator = await start()
    const client = ssmSap(emulator)
    const id = (await client.startApplication({ ApplicationId: "app" })).OperationId!
    expect((await client.getOperation({ OperationId: `{${id}}` })).Operation!.Id).toBe(id)
  })
})
