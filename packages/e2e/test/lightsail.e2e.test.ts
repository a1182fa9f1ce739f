import {
  AllocateStaticIpCommand,
  CreateDiskCommand,
  CreateInstancesCommand,
  DeleteInstanceCommand,
  PutAlarmCommand,
  StopInstanceCommand
} from "@aws-sdk/client-lightsail"
import { hasReason, type OperationStatusApi } from "@opstatus/core"
import { lightsailSource, operationsFromResponse } from "@opstatus/lightsail"
import { Effect, Stream } from "effect"
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { quick, region, rejection, type Stack, startStack } from "./harness.js"

describe("Lightsail end to end: the real LightsailClient against the emulator", () => {
  let stack: Stack
  let status: OperationStatusApi
  beforeAll(async () => {
    stack = await startStack()
  })
  afterAll(() => stack.stop())
  beforeEach(() => {
    status = stack.open()
  })
  afterEach(() => status.close())

  it("CreateInstances: one operation per instance, each waited to Completed", async () => {
    const response = await stack.lightsail.send(
      new CreateInstancesCommand({
        instanceNames: ["web-1", "web-2", "web-3"],
        availabilityZone: "us-east-1a",
        bundleId: "nano_3_0",
        blueprintId: "amazon_linux_2023"
      })
    )
    const ops = operationsFromResponse(response)
    expect(ops.map((o) => o.ref.hints?.resourceName)).toEqual(["web-1", "web-2", "web-3"])
    expect(ops.every((o) => o.type === "CreateInstance" && o.region === region)).toBe(true)
    const outcomes = await status.waitForAll(ops, { ...quick, requireSuccess: true })
    expect(outcomes.map((o) => o.ok && o.operation.rawStatus)).toEqual([
      "Completed",
      "Completed",
      "Completed"
    ])
  })

  it.each([
    ["AllocateStaticIp", () => new AllocateStaticIpCommand({ staticIpName: "ip-1" }), "AllocateStaticIp"],
    [
      "CreateDisk",
      () => new CreateDiskCommand({ diskName: "d-1", availabilityZone: "us-east-1a", sizeInGb: 8 }),
      "CreateDisk"
    ],
    [
      "PutAlarm",
      () =>
        new PutAlarmCommand({
          alarmName: "cpu",
          metricName: "CPUUtilization",
          monitoredResourceName: "web-1",
          comparisonOperator: "GreaterThanThreshold",
          threshold: 90,
          evaluationPeriods: 1
        }),
      "PutAlarm"
    ],
    ["StopInstance", () => new StopInstanceCommand({ instanceName: "web-1" }), "StopInstance"],
    ["DeleteInstance", () => new DeleteInstanceCommand({ instanceName: "web-2" }), "DeleteInstance"]
  ] as const)("%s: refs from the response, waited to success", async (_name, command, type) => {
    const response = await stack.lightsail.send(command() as never)
    const refs = lightsailSource({ client: stack.lightsail }).refsFromResponse(response)
    expect(refs.length).toBeGreaterThan(0)
    const done = await status.waitForSuccess(refs[0]!, quick)
    expect(done.type).toBe(type)
    expect(done.status).toBe("succeeded")
  })

  it("a failure carries Lightsail's errorCode and errorDetails", async () => {
    const { id } = stack.emulator.createOperation({
      service: "lightsail",
      type: "CreateInstance",
      resourceName: "big-1",
      durationMs: 2_000,
      errorCode: "InsufficientCapacity",
      errorMessage: "There is not enough capacity in us-east-1a"
    })
    const error = await rejection(status.waitForSuccess(`lightsail:${region}:${id}`, quick))
    if (!hasReason(error, "OperationFailed"))
      throw new Error(`expected OperationFailed, got ${String(error)}`)
    expect(error.code).toBe("InsufficientCapacity")
    expect(error.serviceMessage).toBe("There is not enough capacity in us-east-1a")
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/)
    expect(error.reason.operation.error?.message).toBe("There is not enough capacity in us-east-1a")
    expect(error.reason.operation.rawStatus).toBe("Failed")
  })

  it("GetOperations pages 200 at a time, oldest first, across several pages", async () => {
    const fresh = await startStack({ timeScale: 1 })
    try {
      const created = Array.from({ length: 450 }, (_, i) =>
        fresh.emulator.createOperation({ service: "lightsail", resourceName: `r-${i}`, durationMs: 60_000 })
      )
      const source = lightsailSource({ client: fresh.lightsail })
      const listed = await Effect.runPromise(Stream.runCollect(source.list(region, {})))
      expect(listed.map((o) => o.ref.id)).toEqual(created.map((c) => c.id))
      expect(fresh.calls("lightsail", "GetOperations").ok).toBe(3)
    } finally {
      await fresh.stop()
    }
  })

  it("GetOperationsForResource lists one resource's operations", async () => {
    const fresh = await startStack({ timeScale: 1 })
    try {
      const mine = Array.from({ length: 205 }, () =>
        fresh.emulator.createOperation({ service: "lightsail", resourceName: "db-1", durationMs: 60_000 })
      )
      fresh.emulator.createOperation({ service: "lightsail", resourceName: "other", durationMs: 60_000 })
      const source = lightsailSource({ client: fresh.lightsail })
      const listed = await Effect.runPromise(Stream.runCollect(source.list(region, { resourceName: "db-1" })))
      expect(new Set(listed.map((o) => o.ref.id))).toEqual(new Set(mine.map((c) => c.id)))
      expect(fresh.calls("lightsail", "GetOperationsForResource").ok).toBeGreaterThanOrEqual(2)
    } finally {
      await fresh.stop()
    }
  })
})
