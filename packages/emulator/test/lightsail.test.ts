import { InvalidInputException, NotFoundException } from "@aws-sdk/client-lightsail"
import { describe, expect, it } from "vitest"
import { fixedDurations, lightsail, ManualClock, rejection, start } from "./helpers.js"

describe("Lightsail through the real SDK client", () => {
  it("round-trips every mutating call and reads each operation back with Dates", async () => {
    const clock = new ManualClock()
    const emulator = await start({ now: clock.now, scenario: { services: fixedDurations(1_000, 5_000) } })
    const client = lightsail(emulator)

    const ip = await client.allocateStaticIp({ staticIpName: "ip-1" })
    const instances = await client.createInstances({
      instanceNames: ["web-1", "web-2"],
      availabilityZone: "us-east-1a",
      bundleId: "nano_3_0",
      blueprintId: "amazon_linux_2023"
    })
    const disk = await client.createDisk({ diskName: "data-1", availabilityZone: "us-east-1b", sizeInGb: 32 })
    const alarm = await client.putAlarm({
      alarmName: "cpu-high",
      metricName: "CPUUtilization",
      monitoredResourceName: "web-1",
      comparisonOperator: "GreaterThanThreshold",
      threshold: 90,
      evaluationPeriods: 1
    })
    const stop = await client.stopInstance({ instanceName: "web-1" })
    const del = await client.deleteInstance({ instanceName: "web-2" })

    expect(ip.$metadata.httpStatusCode).toBe(200)
    expect(ip.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/)
    expect(ip.operations).toHaveLength(1)
    expect(ip.operations![0]).toMatchObject({
      resourceName: "ip-1",
      resourceType: "StaticIp",
      operationType: "AllocateStaticIp",
      status: "NotStarted",
      isTerminal: false,
      location: { availabilityZone: "all", regionName: "us-east-1" }
    })
    expect(ip.operations![0]!.createdAt).toEqual(new Date(clock.t))
    expect(ip.operations![0]!.statusChangedAt).toEqual(new Date(clock.t))
    expect(instances.operations!.map((op) => [op.resourceName, op.operationType, op.resourceType])).toEqual([
      ["web-1", "CreateInstance", "Instance"],
      ["web-2", "CreateInstance", "Instance"]
    ])
    expect(instances.operations![0]!.location).toEqual({
      availabilityZone: "us-east-1a",
      regionName: "us-east-1"
    })
    expect(disk.operations![0]).toMatchObject({
      operationType: "CreateDisk",
      resourceType: "Disk",
      resourceName: "data-1"
    })
    expect(alarm.operations![0]).toMatchObject({
      operationType: "PutAlarm",
      resourceType: "Alarm",
      resourceName: "cpu-high"
    })
    expect(stop.operations![0]).toMatchObject({ operationType: "StopInstance", resourceType: "Instance" })
    expect(del.operations![0]).toMatchObject({ operationType: "DeleteInstance", resourceName: "web-2" })

    const started = [ip, instances, disk, alarm, stop, del].flatMap((out) => out.operations!)
    for (const op of started) {
      const read = await client.getOperation({ operationId: op.id! })
      expect(read.operation).toEqual(op)
    }
    const all = await client.getOperations({})
    expect(all.operations!.map((op) => op.id)).toEqual(started.map((op) => op.id))
    expect(all.nextPageToken).toBeUndefined()
    expect(new Set(started.map((op) => op.id)).size).toBe(7)
    for (const op of started)
      expect(op.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })

  it("moves NotStarted → Started → Completed for CreateInstance and → Succeeded for other types", async () => {
    const clock = new ManualClock()
    const emulator = await start({ now: clock.now, scenario: { services: fixedDurations(1_000, 5_000) } })
    const client = lightsail(emulator)
    const [create] = (
      await client.createInstances({
        instanceNames: ["a"],
        availabilityZone: "us-east-1a",
        bundleId: "nano_3_0",
        blueprintId: "debian_12"
      })
    ).operations!
    const [ip] = (await client.allocateStaticIp({ staticIpName: "ip" })).operations!
    const read = async (id: string) => (await client.getOperation({ operationId: id })).operation!

    expect((await read(create!.id!)).status).toBe("NotStarted")
    clock.advance(1_000)
    const running = await read(create!.id!)
    expect(running).toMatchObject({ status: "Started", isTerminal: false })
    expect(running.statusChangedAt).toEqual(new Date(clock.t))
    clock.advance(4_999)
    expect((await read(create!.id!)).status).toBe("Started")
    clock.advance(1)
    expect(await read(create!.id!)).toMatchObject({ status: "Completed", isTerminal: true })
    expect(await read(ip!.id!)).toMatchObject({ status: "Succeeded", isTerminal: true })
    expect((await read(ip!.id!)).errorCode).toBeUndefined()
  })

  it("reports failed operations with errorCode and errorDetails", async () => {
    const clock = new ManualClock()
    const emulator = await start({
      now: clock.now,
      scenario: {
        services: { lightsail: { failureRate: 1, durations: { queuedMs: [0, 0], runningMs: [10, 10] } } }
      }
    })
    const client = lightsail(emulator)
    const [op] = (await client.allocateStaticIp({ staticIpName: "ip" })).operations!
    expect(op!.status).toBe("Started")
    clock.advance(10)
    const failed = (await client.getOperation({ operationId: op!.id! })).operation!
    expect(failed).toMatchObject({ status: "Failed", isTerminal: true })
    expect(["InsufficientCapacity", "InternalFailure", "ResourceLimitExceeded"]).toContain(failed.errorCode)
    expect(failed.errorDetails?.length).toBeGreaterThan(10)

    const custom = emulator.createOperation({
      service: "lightsail",
      type: "CreateInstance",
      resourceName: "x",
      durationMs: 0,
      errorCode: "InsufficientCapacity",
      errorMessage: "There is not enough capacity in us-east-1a."
    })
    const read = (await client.getOperation({ operationId: custom.id })).operation!
    expect(read).toMatchObject({
      status: "Failed",
      errorCode: "InsufficientCapacity",
      errorDetails: "There is not enough capacity in us-east-1a.",
      resourceType: "Instance"
    })
  })

  it("pages GetOperations 200 at a time, oldest to newest", async () => {
    const emulator = await start({ now: new ManualClock().now })
    const ids = Array.from(
      { length: 450 },
      (_, i) => emulator.createOperation({ service: "lightsail", resourceName: `r${i}` }).id
    )
    const client = lightsail(emulator)
    const pages: string[][] = []
    let token: string | undefined
    do {
      const page = await client.getOperations(token === undefined ? {} : { pageToken: token })
      pages.push(page.operations!.map((op) => op.id!))
      token = page.nextPageToken
    } while (token !== undefined)
    expect(pages.map((p) => p.length)).toEqual([200, 200, 50])
    expect(pages.flat()).toEqual(ids)
  })

  it("pages GetOperationsForResource and filters by resource name", async () => {
    const emulator = await start({ now: new ManualClock().now })
    for (let i = 0; i < 250; i++) emulator.createOperation({ service: "lightsail", resourceName: "web-1" })
    emulator.createOperation({ service: "lightsail", resourceName: "web-2" })
    const client = lightsail(emulator)
    const first = await client.getOperationsForResource({ resourceName: "web-1" })
    expect(first.operations).toHaveLength(200)
    expect(first.nextPageCount).toBe("1")
    const second = await client.getOperationsForResource({
      resourceName: "web-1",
      pageToken: first.nextPageToken!
    })
    expect(second.operations).toHaveLength(50)
    expect(second.nextPageToken).toBeUndefined()
    expect([...first.operations!, ...second.operations!].every((op) => op.resourceName === "web-1")).toBe(
      true
    )
    const other = await client.getOperationsForResource({ resourceName: "web-2" })
    expect(other.operations!.map((op) => op.resourceName)).toEqual(["web-2"])
    // A token from another list is refused.
    const wrong = await rejection(client.getOperations({ pageToken: first.nextPageToken! }))
    expect(wrong).toBeInstanceOf(InvalidInputException)
  })

  it("raises NotFoundException (404, code NotFound) for an unknown id", async () => {
    const emulator = await start()
    const error = await rejection(lightsail(emulator).getOperation({ operationId: "no-such-id" }))
    expect(error).toBeInstanceOf(NotFoundException)
    expect(error.code).toBe("NotFound")
    expect(error.$metadata.httpStatusCode).toBe(404)
    expect(error.$fault).toBe("client")
  })

  it("raises InvalidInputException for missing required members", async () => {
    const emulator = await start()
    const client = lightsail(emulator)
    for (const call of [
      client.getOperation({} as never),
      client.getOperationsForResource({} as never),
      client.allocateStaticIp({} as never),
      client.createInstances({ instanceNames: [], availabilityZone: "a", bundleId: "b", blueprintId: "c" }),
      client.createInstances({ instanceNames: ["x"], availabilityZone: "a", bundleId: "b" } as never),
      client.createDisk({ diskName: "d", availabilityZone: "a", sizeInGb: 0 }),
      client.stopInstance({} as never)
    ]) {
      const error = await rejection(call)
      expect(error).toBeInstanceOf(InvalidInputException)
      expect(error.$metadata.httpStatusCode).toBe(400)
    }
  })
})
