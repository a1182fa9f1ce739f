import { describe, expect, it } from "vitest"
import { fixedDurations, ManualClock, ssmSap, start } from "./helpers.js"

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

/** restJson timestamps are epoch seconds. */
const seconds = (ms: number) => ms / 1000

describe("SSM for SAP over SigV4-signed restJson", () => {
  it("answers every call, with epoch-second timestamps and a request ID", async () => {
    const clock = new ManualClock()
    const emulator = await start({ now: clock.now, scenario: { services: fixedDurations(1_000, 5_000) } })
    const sap = ssmSap(emulator)

    const answer = await sap.call("/register-application", {
      ApplicationId: "hana-1",
      ApplicationType: "HANA",
      Instances: ["i-0123456789abcdef0"],
      SapInstanceNumber: "00",
      Sid: "HDB"
    })
    expect(answer.status).toBe(200)
    expect(answer.requestId).toMatch(/^[0-9a-f-]{36}$/)
    const registered = answer.body
    expect(registered.Application).toMatchObject({ Id: "hana-1", Type: "HANA", Status: "REGISTERING" })
    expect(registered.Application.Arn).toMatch(/^arn:aws:ssm-sap:us-east-1:\d{12}:HANA\/hana-1$/)
    expect(registered.Application.LastUpdated).toBe(seconds(clock.t))
    expect(registered.OperationId).toMatch(UUID)

    const started = await sap.ok("/start-application", { ApplicationId: "hana-1" })
    const stopped = await sap.ok("/stop-application", {
      ApplicationId: "hana-1",
      StopConnectedEntity: "DBMS",
      IncludeEc2InstanceShutdown: true
    })
    const updated = await sap.ok("/update-application-settings", {
      ApplicationId: "hana-1",
      DatabaseArn: "arn:db"
    })
    expect(updated.Message).toEqual(expect.any(String))
    expect(updated.OperationIds).toHaveLength(2)

    const ids: Array<string> = [
      registered.OperationId,
      started.OperationId,
      stopped.OperationId,
      ...updated.OperationIds
    ]
    const types = []
    for (const id of ids) {
      const { Operation } = await sap.ok("/get-operation", { OperationId: id })
      expect(Operation).toMatchObject({
        Id: id,
        Status: "INPROGRESS",
        Properties: { SAPApplicationId: "hana-1" },
        ResourceType: "AWS::SSMSAP::Application",
        ResourceId: "hana-1",
        ResourceArn: registered.Application.Arn
      })
      expect(Operation.StartTime).toBe(seconds(clock.t))
      expect(Operation.LastUpdatedTime).toBe(seconds(clock.t))
      expect(Operation).not.toHaveProperty("EndTime")
      types.push(Operation.Type)
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
    const sap = ssmSap(emulator)
    await sap.ok("/register-application", {
      ApplicationId: "app",
      ApplicationType: "SAP_ABAP",
      Instances: ["i-1", "i-2"]
    })
    const ok: string = (await sap.ok("/start-application", { ApplicationId: "app" })).OperationId
    const bad = emulator.createOperation({
      service: "ssm-sap",
      applicationId: "app",
      type: "STOP_APPLICATION",
      durationMs: 6_000,
      outcome: "failure",
      errorMessage: "HANA did not stop."
    }).id
    const events = async (id: string): Promise<Array<any>> =>
      (await sap.ok("/list-operation-events", { OperationId: id })).OperationEvents

    expect(await events(ok)).toEqual([])
    clock.advance(1_500)
    const running = await events(ok)
    expect(running.map((e) => [e.Resource.ResourceType, e.Status])).toEqual([
      ["AWS::EC2::Instance", "IN_PROGRESS"],
      ["AWS::EC2::Instance", "IN_PROGRESS"],
      ["AWS::SSMSAP::Application", "IN_PROGRESS"]
    ])
    expect(running[0].Timestamp).toBe(seconds(clock.t - 500))
    expect(running[0].Resource.ResourceArn).toMatch(/^arn:aws:ec2:us-east-1:\d{12}:instance\/i-1$/)

    clock.advance(4_500)
    const done = (await sap.ok("/get-operation", { OperationId: ok })).Operation
    expect(done.Status).toBe("SUCCESS")
    expect(done.EndTime).toBe(seconds(clock.t))
    expect(done).not.toHaveProperty("StatusMessage")
    expect((await events(ok)).filter((e) => e.Status === "COMPLETED")).toHaveLength(3)

    const failed = (await sap.ok("/get-operation", { OperationId: bad })).Operation
    expect(failed).toMatchObject({
      Status: "ERROR",
      StatusMessage: "HANA did not stop.",
      Type: "STOP_APPLICATION",
      EndTime: seconds(clock.t)
    })
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
    const sap = ssmSap(emulator)

    const pages: string[][] = []
    let token: string | undefined
    do {
      const page = await sap.ok("/list-operations", {
        ApplicationId: "app",
        MaxResults: 25,
        NextToken: token
      })
      pages.push(page.Operations.map((op: any) => op.Id))
      expect(page.Operations.every((op: any) => typeof op.StartTime === "number")).toBe(true)
      token = page.NextToken
    } while (token !== undefined)
    expect(pages.map((p) => p.length)).toEqual([25, 25, 10])
    expect(pages.flat()).toEqual(ids)
    expect((await sap.ok("/list-operations", { ApplicationId: "app" })).Operations).toHaveLength(50)

    const list = async (Filters: any[]) =>
      (await sap.ok("/list-operations", { ApplicationId: "app", Filters })).Operations.map((op: any) => op.Id)
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
    const sap = ssmSap(emulator)
    await sap.ok("/register-application", {
      ApplicationId: "app",
      ApplicationType: "HANA",
      Instances: ["i-1", "i-2", "i-3"]
    })
    const id = (await sap.ok("/start-application", { ApplicationId: "app" })).OperationId
    clock.advance(10)
    const all = (await sap.ok("/list-operation-events", { OperationId: id })).OperationEvents
    expect(all).toHaveLength(8)
    const filtered = async (Name: string, Value: string) =>
      (
        await sap.ok("/list-operation-events", {
          OperationId: id,
          Filters: [{ Name, Value, Operator: "Equals" }]
        })
      ).OperationEvents
    expect(await filtered("status", "COMPLETED")).toHaveLength(4)
    expect(await filtered("resourceID", "i-2")).toHaveLength(2)
    expect(await filtered("resourceType", "AWS::SSMSAP::Application")).toHaveLength(2)
    const first = await sap.ok("/list-operation-events", { OperationId: id, MaxResults: 5 })
    expect(first.OperationEvents).toHaveLength(5)
    const second = await sap.ok("/list-operation-events", {
      OperationId: id,
      MaxResults: 5,
      NextToken: first.NextToken
    })
    expect(second.OperationEvents).toEqual(all.slice(5))
    expect(second).not.toHaveProperty("NextToken")
    const bad = await sap.call("/list-operation-events", {
      OperationId: id,
      Filters: [{ Name: "status", Value: "X", Operator: "LessThanOrEquals" }]
    })
    expect(bad).toMatchObject({ status: 400, errorType: "ValidationException" })
  })

  it("answers ResourceNotFoundException and ValidationException in the restJson error format", async () => {
    const emulator = await start()
    const sap = ssmSap(emulator)
    const missing = await sap.call("/get-operation", { OperationId: "11111111-2222-4333-8444-555555555555" })
    expect(missing).toMatchObject({ status: 404, errorType: "ResourceNotFoundException" })
    expect(missing.requestId).toMatch(/^[0-9a-f-]{36}$/)
    expect(missing.body.message).toContain("11111111-2222-4333-8444-555555555555")
    expect(missing.body.Message).toBe(missing.body.message)
    expect(
      (await sap.call("/list-operation-events", { OperationId: "11111111-2222-4333-8444-555555555555" }))
        .errorType
    ).toBe("ResourceNotFoundException")

    const invalid: Array<[string, object]> = [
      ["/get-operation", { OperationId: "not-a-uuid" }],
      ["/list-operations", {}],
      ["/list-operations", { ApplicationId: "app", MaxResults: 51 }],
      [
        "/list-operations",
        { ApplicationId: "app", Filters: [{ Name: "Color", Value: "red", Operator: "Equals" }] }
      ],
      [
        "/list-operations",
        { ApplicationId: "app", Filters: [{ Name: "Type", Value: "X", Operator: "GreaterThanOrEquals" }] }
      ],
      [
        "/list-operations",
        { ApplicationId: "app", Filters: [{ Name: "StartTime", Value: "soon", Operator: "Equals" }] }
      ],
      ["/list-operations", { ApplicationId: "app", Filters: [] }],
      ["/register-application", { ApplicationId: "a", ApplicationType: "ORACLE", Instances: ["i-1"] }],
      ["/stop-application", { ApplicationId: "a", StopConnectedEntity: "APP" }]
    ]
    for (const [path, input] of invalid) {
      expect(await sap.call(path, input), path).toMatchObject({
        status: 400,
        errorType: "ValidationException"
      })
    }
  })

  it("accepts an operation id in braces, as the service's pattern allows", async () => {
    const emulator = await start()
    const sap = ssmSap(emulator)
    const id = (await sap.ok("/start-application", { ApplicationId: "app" })).OperationId
    expect((await sap.ok("/get-operation", { OperationId: `{${id}}` })).Operation.Id).toBe(id)
  })
})
