import {
  AccessDeniedException,
  AccountSetupInProgressException,
  GetOperationCommand,
  GetOperationsCommand,
  GetOperationsForResourceCommand,
  InvalidInputException,
  LightsailClient,
  type Operation as LightsailOperation,
  LightsailServiceException,
  NotFoundException,
  OperationFailureException,
  RegionSetupInProgressException,
  ServiceException,
  UnauthenticatedException
} from "@aws-sdk/client-lightsail"
import {
  AccessDeniedError,
  createOperationStatus,
  InvalidOperationRefError,
  OperationFailedError,
  OperationNotFoundError,
  ServiceError
} from "@opstatus/core"
import { mockClient } from "aws-sdk-client-mock"
import { Effect, Stream } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import {
  classifyLightsailError,
  lightsailSource,
  lightsailStatusTable,
  operationsFromResponse,
  refsFromResponse,
  toOperation
} from "../src/index.js"

const id = "0c5b2ee3-4a1d-4c5e-9a8c-1d2e3f4a5b6c"
const ref = `lightsail:us-east-1:${id}`
const raw = (status: string, extra: Partial<LightsailOperation> = {}): LightsailOperation => ({
  id,
  resourceName: "web-1",
  resourceType: "Instance",
  operationType: "CreateInstance",
  status: status as LightsailOperation["status"],
  isTerminal: status === "Succeeded" || status === "Completed" || status === "Failed",
  createdAt: new Date("2026-01-01T00:00:00Z"),
  statusChangedAt: new Date("2026-01-01T00:01:00Z"),
  location: { availabilityZone: "us-east-1a", regionName: "us-east-1" },
  ...extra
})

const quick = { minDelay: 1, maxDelay: 3, timeout: "5 seconds" } as const

describe("Lightsail status mapping", () => {
  it.each([
    ["NotStarted", "pending", false],
    ["Started", "running", false],
    ["Succeeded", "succeeded", true],
    ["Completed", "succeeded", true],
    ["Failed", "failed", true]
  ] as const)("%s maps to %s (terminal %s)", (status, unified, terminal) => {
    const op = toOperation(raw(status), "us-east-1")
    expect(op.status).toBe(unified)
    expect(op.terminal).toBe(terminal)
    expect(op.rawStatus).toBe(status)
  })

  it("covers every raw value of the table", () => {
    expect(Object.keys(lightsailStatusTable).sort()).toEqual([
      "Completed",
      "Failed",
      "NotStarted",
      "Started",
      "Succeeded"
    ])
  })

  it("an unknown status is unknown, not terminal, never success", () => {
    const op = toOperation(raw("Paused", { isTerminal: undefined }), "us-east-1")
    expect(op.status).toBe("unknown")
    expect(op.terminal).toBe(false)
  })

  it("isTerminal from the service wins on terminality", () => {
    expect(toOperation(raw("Succeeded", { isTerminal: false }), "us-east-1").terminal).toBe(false)
    const odd = toOperation(raw("Paused", { isTerminal: true }), "us-east-1")
    expect(odd.terminal).toBe(true)
    expect(odd.status).toBe("unknown")
  })

  it("errorCode and errorDetails become error", () => {
    const op = toOperation(
      raw("Failed", { errorCode: "InsufficientCapacity", errorDetails: "no capacity in us-east-1a" }),
      "us-east-1"
    )
    expect(op.error).toEqual({ code: "InsufficientCapacity", message: "no capacity in us-east-1a" })
  })

  it("maps the resource, dates, location and ref hints", () => {
    const op = toOperation(raw("Succeeded"), "us-east-1")
    expect(op.ref).toEqual({ service: "lightsail", region: "us-east-1", id, resourceName: "web-1" })
    expect(op.resource).toEqual({ type: "Instance", name: "web-1" })
    expect(op.type).toBe("CreateInstance")
    expect(op.createdAt?.toISOString()).toBe("2026-01-01T00:00:00.000Z")
    expect(op.endedAt?.toISOString()).toBe("2026-01-01T00:01:00.000Z")
    expect(op.location).toEqual({ availabilityZone: "us-east-1a", regionName: "us-east-1" })
  })
})

describe("classifyLightsailError", () => {
  const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode, requestId: "rid-1" } })
  it.each([
    [new NotFoundException({ message: "gone", ...meta(404) }), "not-found"],
    [new AccessDeniedException({ message: "no", ...meta(403) }), "denied"],
    [new UnauthenticatedException({ message: "who", ...meta(401) }), "unauthenticated"],
    [new InvalidInputException({ message: "bad", ...meta(400) }), "invalid"],
    [new OperationFailureException({ message: "failed", ...meta(400) }), "invalid"],
    [new ServiceException({ message: "oops", ...meta(500) }), "transient"],
    [new AccountSetupInProgressException({ message: "setting up", ...meta(428) }), "transient"],
    [new RegionSetupInProgressException({ message: "setting up", ...meta(428) }), "transient"],
    [
      new LightsailServiceException({
        name: "ThrottlingException",
        $fault: "client",
        message: "slow",
        ...meta(400)
      }),
      "throttled"
    ],
    [
      new LightsailServiceException({ name: "Unknown", $fault: "server", message: "x", ...meta(503) }),
      "transient"
    ],
    [Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), "transient"]
  ])("%s is %s", (error, reason) => {
    const classified = classifyLightsailError(error)
    expect(classified.reason).toBe(reason)
    expect(classified.service).toBe("lightsail")
  })

  it("keeps the code, message and request id", () => {
    const c = classifyLightsailError(
      new NotFoundException({ message: "gone", $metadata: { httpStatusCode: 404, requestId: "rid-9" } })
    )
    expect(c.code).toBe("NotFoundException")
    expect(c.message).toBe("gone")
    expect(c.requestId).toBe("rid-9")
  })
})

describe("lightsailSource over the real LightsailClient (aws-sdk-client-mock)", () => {
  const mock = mockClient(LightsailClient)
  let client: LightsailClient
  beforeEach(() => {
    mock.reset()
    client = new LightsailClient({
      region: "us-east-1",
      credentials: { accessKeyId: "AKID", secretAccessKey: "x" }
    })
  })
  afterEach(() => client.destroy())

  it("waits through NotStarted and Started to Succeeded", async () => {
    mock
      .on(GetOperationCommand, { operationId: id })
      .resolvesOnce({ operation: raw("NotStarted") })
      .resolvesOnce({ operation: raw("Started") })
      .resolves({ operation: raw("Succeeded") })
    const status = createOperationStatus({ sources: [lightsailSource({ client })] })
    const op = await status.waitForSuccess(ref, quick)
    expect(op.status).toBe("succeeded")
    expect(mock.commandCalls(GetOperationCommand)).toHaveLength(3)
  })

  it("fails with the service's errorCode and errorDetails", async () => {
    mock.on(GetOperationCommand).resolves({
      operation: raw("Failed", {
        errorCode: "InsufficientCapacity",
        errorDetails: "There is not enough capacity"
      })
    })
    const status = createOperationStatus({ sources: [lightsailSource({ client })] })
    const error = await status.waitForSuccess(ref, quick).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(OperationFailedError)
    expect((error as OperationFailedError).code).toBe("InsufficientCapacity")
    expect((error as OperationFailedError).message).toContain("There is not enough capacity")
  })

  it("access denied fails at once", async () => {
    mock
      .on(GetOperationCommand)
      .rejects(new AccessDeniedException({ message: "not allowed", $metadata: { httpStatusCode: 403 } }))
    const status = createOperationStatus({ sources: [lightsailSource({ client })] })
    await expect(status.waitForTerminal(ref, quick)).rejects.toBeInstanceOf(AccessDeniedError)
    expect(mock.commandCalls(GetOperationCommand)).toHaveLength(1)
  })

  it("get reports a missing operation as OperationNotFoundError", async () => {
    mock
      .on(GetOperationCommand)
      .rejects(new NotFoundException({ message: "no such op", $metadata: { httpStatusCode: 404 } }))
    const status = createOperationStatus({ sources: [lightsailSource({ client })] })
    await expect(status.get(ref)).rejects.toBeInstanceOf(OperationNotFoundError)
  })

  it("a response missing its operation is a typed error, not a crash", async () => {
    mock.on(GetOperationCommand).resolves({})
    const status = createOperationStatus({ sources: [lightsailSource({ client })] })
    const error = await status.get(ref).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ServiceError)
    expect((error as ServiceError).reason).toBe("malformed")
  })

  it("rejects a region the client does not serve before any request", async () => {
    const status = createOperationStatus({ sources: [lightsailSource({ client })] })
    const error = await status.get(`lightsail:eu-west-2:${id}`).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InvalidOperationRefError)
    expect((error as Error).message).toContain("eu-west-2")
    expect(mock.calls()).toHaveLength(0)
  })

  it("serves many regions through clientFor", async () => {
    const eu = new LightsailClient({
      region: "eu-west-2",
      credentials: { accessKeyId: "AKID", secretAccessKey: "x" }
    })
    mock
      .on(GetOperationCommand)
      .resolves({ operation: raw("Succeeded", { location: { regionName: "eu-west-2" } }) })
    const source = lightsailSource({ clientFor: (region) => (region === "eu-west-2" ? eu : undefined) })
    const status = createOperationStatus({ sources: [source] })
    expect((await status.get(`lightsail:eu-west-2:${id}`)).region).toBe("eu-west-2")
    await expect(status.get(ref)).rejects.toBeInstanceOf(InvalidOperationRefError)
    eu.destroy()
  })

  it("lists GetOperations across pages by pageToken", async () => {
    mock
      .on(GetOperationsCommand, {})
      .resolves({
        operations: [raw("Succeeded", { id: "a" }), raw("Started", { id: "b" })],
        nextPageToken: "p2"
      })
      .on(GetOperationsCommand, { pageToken: "p2" })
      .resolves({ operations: [raw("Failed", { id: "c" })] })
    const source = lightsailSource({ client })
    const ops = await Effect.runPromise(Stream.runCollect(source.list("us-east-1", {})))
    expect(ops.map((o) => o.ref.id)).toEqual(["a", "b", "c"])
    expect(mock.commandCalls(GetOperationsCommand).map((c) => c.args[0].input)).toEqual([
      {},
      { pageToken: "p2" }
    ])
  })

  it("lists GetOperationsForResource across pages", async () => {
    mock
      .on(GetOperationsForResourceCommand, { resourceName: "web-1" })
      .resolvesOnce({ operations: [raw("Succeeded", { id: "a" })], nextPageToken: "t1" })
      .resolvesOnce({ operations: [raw("Succeeded", { id: "b" })] })
    const source = lightsailSource({ client })
    const ops = await Effect.runPromise(
      Stream.runCollect(source.list("us-east-1", { resourceName: "web-1" }))
    )
    expect(ops.map((o) => o.ref.id)).toEqual(["a", "b"])
    expect(mock.commandCalls(GetOperationsForResourceCommand)[1]?.args[0].input).toEqual({
      resourceName: "web-1",
      pageToken: "t1"
    })
  })

  it("stops paging when the service repeats a token", async () => {
    mock.on(GetOperationsCommand).resolves({ operations: [raw("Succeeded")], nextPageToken: "same" })
    const ops = await Effect.runPromise(Stream.runCollect(lightsailSource({ client }).list("us-east-1", {})))
    expect(ops).toHaveLength(2)
  })
})

describe("refs from mutating responses", () => {
  it("reads operations[] (CreateInstances) with the resource hint", () => {
    const refs = refsFromResponse({
      operations: [raw("Started", { id: "x1" }), raw("Started", { id: "x2", resourceName: "web-2" })]
    })
    expect(refs).toEqual([
      { service: "lightsail", region: "us-east-1", id: "x1", resourceName: "web-1" },
      { service: "lightsail", region: "us-east-1", id: "x2", resourceName: "web-2" }
    ])
  })

  it("reads a singular operation (CreateKeyPair)", () => {
    expect(refsFromResponse({ operation: raw("Succeeded", { id: "k1" }) }).map((r) => r.id)).toEqual(["k1"])
  })

  it("uses the given region when the operation has no location", () => {
    const refs = refsFromResponse(
      { operations: [raw("Started", { location: undefined })] },
      { region: "eu-west-1" }
    )
    expect(refs[0]?.region).toBe("eu-west-1")
    expect(() => refsFromResponse({ operations: [raw("Started", { location: undefined })] })).toThrow(
      InvalidOperationRefError
    )
  })

  it("an operation already terminal in the response resolves without a poll", async () => {
    const mock = mockClient(LightsailClient)
    const client = new LightsailClient({
      region: "us-east-1",
      credentials: { accessKeyId: "AKID", secretAccessKey: "x" }
    })
    const [done] = operationsFromResponse({ operations: [raw("Succeeded")] })
    const status = createOperationStatus({ sources: [lightsailSource({ client })] })
    expect((await status.waitForSuccess(done!)).status).toBe("succeeded")
    expect(mock.calls()).toHaveLength(0)
    mock.restore()
  })
})

describe("docs/status-mapping.md", () => {
  it("prints the Lightsail table verbatim", async () => {
    const { readFile } = await import("node:fs/promises")
    const { renderStatusTable } = await import("@opstatus/core")
    const doc = await readFile(new URL("../../../docs/status-mapping.md", import.meta.url), "utf8")
    expect(doc).toContain(`<!-- table:lightsail -->\n${renderStatusTable(lightsailStatusTable)}\n`)
  })
})
