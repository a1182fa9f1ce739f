import {
  AccessDeniedException,
  AccountSetupInProgressException,
  GetOperationCommand,
  GetOperationsCommand,
  GetOperationsForResourceCommand,
  InvalidInputException,
  LightsailClient,
  type Operation as LightsailOperation,
  OperationStatus as LightsailOperationStatus,
  LightsailServiceException,
  NotFoundException,
  OperationFailureException,
  RegionSetupInProgressException,
  ServiceException,
  UnauthenticatedException
} from "@aws-sdk/client-lightsail"
import { createOperationStatus, hasReason, isOpstatusError, type OpstatusError } from "@opstatus/core"
import { renderStatusTable } from "@opstatus/core/adapter-kit"
import { mockClient } from "aws-sdk-client-mock"
import { Effect, Stream } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import {
  classifyLightsailError,
  type LightsailRawOperation,
  lightsailService,
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
/** What the wire may carry that the SDK's types do not allow (`null` fields and elements, wrong types). */
const odd = (value: unknown): LightsailRawOperation => value as LightsailRawOperation

const quick = { minDelay: 1, maxDelay: 2, timeout: "5 seconds" } as const
const silent = { onWarning: () => {} }

/** The typed error an effect fails with. */
const failureOf = <A>(effect: Effect.Effect<A, OpstatusError>) => Effect.runPromise(Effect.flip(effect))

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

  it("has one row for every value of the SDK's OperationStatus, and no other", () => {
    const values = Object.values(LightsailOperationStatus)
    expect(values.length).toBeGreaterThan(0)
    expect(Object.keys(lightsailStatusTable).sort()).toEqual([...values].sort())
    for (const value of values) {
      const op = toOperation(raw(value, { isTerminal: null as never }), "us-east-1")
      expect(op.status).toBe(lightsailStatusTable[value])
      expect(op.status).not.toBe("unknown")
    }
  })

  it("declares the table in its service info", () => {
    expect(lightsailService.statusTable).toBe(lightsailStatusTable)
    expect(lightsailService.service).toBe("lightsail")
    expect(Object.keys(lightsailService.hints)).toEqual(["resourceName"])
  })

  it("an unknown status is unknown, not terminal, never success", () => {
    const op = toOperation(raw("Paused", { isTerminal: undefined }), "us-east-1")
    expect(op.status).toBe("unknown")
    expect(op.terminal).toBe(false)
    expect(op.rawStatus).toBe("Paused")
  })

  it("isTerminal from the service wins on terminality when it is a boolean", () => {
    expect(toOperation(raw("Succeeded", { isTerminal: false }), "us-east-1").terminal).toBe(false)
    const ended = toOperation(raw("Paused", { isTerminal: true }), "us-east-1")
    expect(ended.terminal).toBe(true)
    expect(ended.status).toBe("unknown")
    // Not a boolean: the table decides.
    expect(toOperation(odd({ ...raw("Started"), isTerminal: "true" }), "us-east-1").terminal).toBe(false)
    expect(toOperation(odd({ ...raw("Failed"), isTerminal: null }), "us-east-1").terminal).toBe(true)
  })

  it("errorCode and errorDetails become error", () => {
    const op = toOperation(
      raw("Failed", { errorCode: "InsufficientCapacity", errorDetails: "no capacity in us-east-1a" }),
      "us-east-1"
    )
    expect(op.error).toEqual({ code: "InsufficientCapacity", message: "no capacity in us-east-1a" })
    expect(toOperation(raw("Failed"), "us-east-1").error).toEqual({
      message: "The Lightsail operation failed"
    })
    expect(toOperation(raw("Succeeded"), "us-east-1").error).toBeUndefined()
  })

  it("maps the resource, dates, location, the resourceName hint and the request ID", () => {
    const op = toOperation(raw("Succeeded"), "us-east-1", "rid-7")
    expect(op.ref).toEqual({
      service: "lightsail",
      region: "us-east-1",
      id,
      hints: { resourceName: "web-1" }
    })
    expect(op.resource).toEqual({ type: "Instance", name: "web-1" })
    expect(op.type).toBe("CreateInstance")
    expect(op.createdAt?.toISOString()).toBe("2026-01-01T00:00:00.000Z")
    expect(op.updatedAt?.toISOString()).toBe("2026-01-01T00:01:00.000Z")
    expect(op.endedAt?.toISOString()).toBe("2026-01-01T00:01:00.000Z")
    expect(op.location).toEqual({ availabilityZone: "us-east-1a", regionName: "us-east-1" })
    expect(op.requestId).toBe("rid-7")
    expect(op.raw).toEqual(raw("Succeeded"))
  })

  it("location: null is no location; the region given is the operation's", () => {
    const op = toOperation(odd({ ...raw("Started"), location: null }), "eu-west-1")
    expect(op.region).toBe("eu-west-1")
    expect(op.ref.region).toBe("eu-west-1")
    expect(op.location).toBeUndefined()
  })

  it.each([
    ["null", null],
    ["undefined", undefined],
    ["a number", 42],
    ["a string", "Started"],
    ["an array", [raw("Started")]],
    ["Object.create(null)", Object.create(null)],
    ["an object without id or status", { resourceType: "Instance" }],
    [
      "wrong types everywhere",
      { id: 7, status: 5, isTerminal: "yes", location: "here", createdAt: {}, resourceName: [], errorCode: 1 }
    ],
    [
      "null fields",
      { id, status: null, isTerminal: null, location: null, resourceName: null, errorCode: null }
    ],
    [
      "a getter that throws",
      Object.defineProperty({ id }, "status", {
        enumerable: true,
        get: () => {
          throw new Error("no")
        }
      })
    ]
  ])("toOperation never throws on %s", (_, value) => {
    const op = toOperation(odd(value), "us-east-1")
    expect(op.status).toBe("unknown")
    expect(op.terminal).toBe(false)
    expect(op.rawStatus).toBe("")
    expect(op.region).toBe("us-east-1")
    expect(typeof op.ref.id).toBe("string")
  })
})

describe("classifyLightsailError", () => {
  const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode, requestId: "rid-1" } })
  it.each([
    [new NotFoundException({ message: "gone", ...meta(404) }), "OperationNotFound"],
    [new AccessDeniedException({ message: "no", ...meta(403) }), "AccessDenied"],
    [new UnauthenticatedException({ message: "who", ...meta(401) }), "Unauthenticated"],
    [new InvalidInputException({ message: "bad", ...meta(400) }), "InvalidRequest"],
    [new OperationFailureException({ message: "failed", ...meta(400) }), "InvalidRequest"],
    [new ServiceException({ message: "oops", ...meta(500) }), "ServiceUnavailable"],
    [new AccountSetupInProgressException({ message: "setting up", ...meta(428) }), "ServiceUnavailable"],
    [new RegionSetupInProgressException({ message: "setting up", ...meta(428) }), "ServiceUnavailable"],
    [
      new LightsailServiceException({
        name: "ThrottlingException",
        $fault: "client",
        message: "slow",
        ...meta(400)
      }),
      "Throttled"
    ],
    [
      new LightsailServiceException({ name: "Unknown", $fault: "server", message: "x", ...meta(503) }),
      "ServiceUnavailable"
    ],
    [Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), "ServiceUnavailable"]
  ])("%s is %s", (error, tag) => {
    const classified = classifyLightsailError(error)
    expect(isOpstatusError(classified)).toBe(true)
    expect(classified.reason._tag).toBe(tag)
    expect(classified.service).toBe("lightsail")
  })

  it("keeps the code, the service's message and the request ID", () => {
    const c = classifyLightsailError(
      new NotFoundException({ message: "gone", $metadata: { httpStatusCode: 404, requestId: "rid-9" } })
    )
    expect(c.code).toBe("NotFoundException")
    expect(c.serviceMessage).toBe("gone")
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
      .resolves({ operation: raw("Succeeded"), $metadata: { requestId: "rid-3" } })
    const status = createOperationStatus({ sources: [lightsailSource({ client })], ...silent })
    const op = await status.waitForSuccess(ref, quick)
    expect(op.status).toBe("succeeded")
    expect(op.requestId).toBe("rid-3")
    expect(mock.commandCalls(GetOperationCommand)).toHaveLength(3)
    await status.close()
  })

  it("fails with the service's errorCode and errorDetails", async () => {
    mock.on(GetOperationCommand).resolves({
      operation: raw("Failed", {
        errorCode: "InsufficientCapacity",
        errorDetails: "There is not enough capacity"
      })
    })
    const status = createOperationStatus({ sources: [lightsailSource({ client })], ...silent })
    const error = await status.waitForSuccess(ref, quick).catch((e: unknown) => e)
    expect(hasReason(error, "OperationFailed")).toBe(true)
    expect((error as OpstatusError).code).toBe("InsufficientCapacity")
    expect((error as OpstatusError).message).toContain("There is not enough capacity")
    await status.close()
  })

  it("access denied fails at once", async () => {
    mock
      .on(GetOperationCommand)
      .rejects(new AccessDeniedException({ message: "not allowed", $metadata: { httpStatusCode: 403 } }))
    const status = createOperationStatus({ sources: [lightsailSource({ client })], ...silent })
    const error = await status.waitForTerminal(ref, quick).catch((e: unknown) => e)
    expect(hasReason(error, "AccessDenied")).toBe(true)
    expect(mock.commandCalls(GetOperationCommand)).toHaveLength(1)
    await status.close()
  })

  it("get reports a missing operation as OperationNotFound", async () => {
    mock
      .on(GetOperationCommand)
      .rejects(new NotFoundException({ message: "no such op", $metadata: { httpStatusCode: 404 } }))
    const status = createOperationStatus({ sources: [lightsailSource({ client })], ...silent })
    const error = await status.get(ref).catch((e: unknown) => e)
    expect(hasReason(error, "OperationNotFound")).toBe(true)
    expect((error as OpstatusError).ref).toEqual({ service: "lightsail", region: "us-east-1", id })
    await status.close()
  })

  it("a response missing its operation is a typed error, not a crash", async () => {
    mock.on(GetOperationCommand).resolves({ $metadata: { requestId: "rid-m" } })
    const source = lightsailSource({ client })
    const error = await failureOf(source.get({ service: "lightsail", region: "us-east-1", id }))
    expect(error.reason._tag).toBe("MalformedResponse")
    expect(error.serviceMessage).toBe("GetOperation returned no operation")
    expect(error.requestId).toBe("rid-m")
    expect(mock.commandCalls(GetOperationCommand)).toHaveLength(1)

    // A wait retries a malformed answer, three in a row at most, then fails with it.
    const status = createOperationStatus({ sources: [source], ...silent })
    const waited = await status.waitForTerminal(ref, quick).catch((e: unknown) => e)
    expect(hasReason(waited, "MalformedResponse")).toBe(true)
    expect((waited as OpstatusError).requestId).toBe("rid-m")
    expect(mock.commandCalls(GetOperationCommand)).toHaveLength(4)
    await status.close()
  })

  it("operation: null from GetOperation is a typed MalformedResponse with the request ID", async () => {
    mock.on(GetOperationCommand).resolves({ operation: null as never, $metadata: { requestId: "rid-n" } })
    const error = await failureOf(
      lightsailSource({ client }).get({ service: "lightsail", region: "us-east-1", id })
    )
    expect(error.reason._tag).toBe("MalformedResponse")
    expect(error.serviceMessage).toBe("GetOperation returned no operation")
    expect(error.requestId).toBe("rid-n")
  })

  it("an operation that does not fit the model is a typed MalformedResponse naming the call", async () => {
    mock.on(GetOperationCommand).resolves({ operation: odd({ id, status: 5 }) as never })
    const error = await failureOf(
      lightsailSource({ client }).get({ service: "lightsail", region: "us-east-1", id })
    )
    expect(error.reason._tag).toBe("MalformedResponse")
    expect(error.serviceMessage).toContain("GetOperation")
  })

  it("reads an operation with location: null and null fields", async () => {
    mock.on(GetOperationCommand).resolves({
      operation: odd({
        ...raw("Completed"),
        location: null,
        errorCode: null,
        operationDetails: null
      }) as never
    })
    const op = await Effect.runPromise(
      lightsailSource({ client }).get({ service: "lightsail", region: "us-east-1", id })
    )
    expect(op.status).toBe("succeeded")
    expect(op.region).toBe("us-east-1")
    expect(op.location).toBeUndefined()
    expect(op.error).toBeUndefined()
  })

  it("an operation without its ID is the one asked for", async () => {
    const { id: _id, ...withoutId } = raw("Started")
    mock.on(GetOperationCommand).resolves({ operation: withoutId })
    const op = await Effect.runPromise(
      lightsailSource({ client }).get({ service: "lightsail", region: "us-east-1", id })
    )
    expect(op.ref.id).toBe(id)
  })

  it("rejects a region the client does not serve before any request", async () => {
    const status = createOperationStatus({ sources: [lightsailSource({ client })], ...silent })
    const error = await status.get(`lightsail:eu-west-2:${id}`).catch((e: unknown) => e)
    expect(hasReason(error, "InvalidRef")).toBe(true)
    expect((error as Error).message).toContain("eu-west-2")
    expect(mock.calls()).toHaveLength(0)
    await status.close()
  })

  it("rejects an ID of the wrong shape before any request", async () => {
    const status = createOperationStatus({ sources: [lightsailSource({ client })], ...silent })
    const error = await status.get("lightsail:us-east-1:not_a_uuid!").catch((e: unknown) => e)
    expect(hasReason(error, "InvalidRef")).toBe(true)
    expect(mock.calls()).toHaveLength(0)
    await status.close()
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
    const status = createOperationStatus({ sources: [source], ...silent })
    expect((await status.get(`lightsail:eu-west-2:${id}`)).region).toBe("eu-west-2")
    const error = await status.get(ref).catch((e: unknown) => e)
    expect(hasReason(error, "InvalidRef")).toBe(true)
    await status.close()
    eu.destroy()
  })

  it("throws a typed InvalidConfig for options that are neither { client } nor { clientFor }", () => {
    let thrown: unknown
    try {
      lightsailSource({} as never)
    } catch (e) {
      thrown = e
    }
    expect(hasReason(thrown, "InvalidConfig")).toBe(true)
  })

  it("lists GetOperations across pages by pageToken", async () => {
    mock
      .on(GetOperationsCommand, {})
      .resolves({
        operations: [raw("Succeeded", { id: "a" }), raw("Started", { id: "b" })],
        nextPageToken: "p2",
        $metadata: { requestId: "rid-p1" }
      })
      .on(GetOperationsCommand, { pageToken: "p2" })
      .resolves({ operations: [raw("Failed", { id: "c" })] })
    const source = lightsailSource({ client })
    const ops = await Effect.runPromise(Stream.runCollect(source.list("us-east-1", {})))
    expect(ops.map((o) => o.ref.id)).toEqual(["a", "b", "c"])
    expect(ops.map((o) => o.requestId)).toEqual(["rid-p1", "rid-p1", undefined])
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

  it("skips null elements of a listed page", async () => {
    mock.on(GetOperationsCommand).resolves({
      operations: [null, raw("Started", { id: "a" }), null] as never,
      nextPageToken: null as never
    })
    const ops = await Effect.runPromise(Stream.runCollect(lightsailSource({ client }).list("us-east-1", {})))
    expect(ops.map((o) => o.ref.id)).toEqual(["a"])
  })

  it("stops paging when the service repeats a token", async () => {
    mock.on(GetOperationsCommand).resolves({ operations: [raw("Succeeded")], nextPageToken: "same" })
    const ops = await Effect.runPromise(Stream.runCollect(lightsailSource({ client }).list("us-east-1", {})))
    expect(ops).toHaveLength(2)
  })

  it.each([
    ["an empty resourceName", { resourceName: "" }],
    ["a resourceName that is not a string", { resourceName: 5 }],
    ["a query that is not an object", "web-1"]
  ])("rejects %s as InvalidQuery before any request", async (_, query) => {
    const error = await failureOf(
      Stream.runCollect(lightsailSource({ client }).list("us-east-1", query as never))
    )
    expect(error.reason._tag).toBe("InvalidQuery")
    expect(mock.calls()).toHaveLength(0)
  })

  it("refsFromResponse of the source takes the configured region and keeps the caller's hints", () => {
    const response = { operations: [raw("Started", { location: undefined })] }
    const source = lightsailSource({ client, region: "us-east-1" })
    expect(source.refsFromResponse(response)).toEqual([
      { service: "lightsail", region: "us-east-1", id, hints: { resourceName: "web-1" } }
    ])
    expect(
      source.refsFromResponse(response, { region: "eu-west-1", hints: { resourceName: "other", note: "x" } })
    ).toEqual([
      { service: "lightsail", region: "eu-west-1", id, hints: { resourceName: "web-1", note: "x" } }
    ])
    // The operation's own location wins over the configured region.
    expect(
      source.refsFromResponse({ operations: [raw("Started", { location: { regionName: "eu-west-2" } })] })
    ).toEqual([{ service: "lightsail", region: "eu-west-2", id, hints: { resourceName: "web-1" } }])
  })

  it("refsFromResponse of the source takes the region of a plain { client } once it is read", async () => {
    const source = lightsailSource({ client })
    await Effect.runPromise(source.checkRegion("us-east-1"))
    expect(source.refsFromResponse({ operations: [raw("Started", { location: undefined })] })).toEqual([
      { service: "lightsail", region: "us-east-1", id, hints: { resourceName: "web-1" } }
    ])
    expect(mock.calls()).toHaveLength(0)
  })

  it("refsFromResponse of the source throws the typed InvalidRef when no region is known", () => {
    // With clientFor there is no one region to assume: only the operation's own location names it.
    const source = lightsailSource({ clientFor: () => client })
    let thrown: unknown
    try {
      source.refsFromResponse({ operations: [raw("Started", { location: undefined })] })
    } catch (e) {
      thrown = e
    }
    expect(hasReason(thrown, "InvalidRef")).toBe(true)
    expect(source.refsFromResponse({ operations: [raw("Started")] }).map((r) => r.region)).toEqual([
      "us-east-1"
    ])
  })
})

describe("refs from mutating responses", () => {
  it("reads operations[] (CreateInstances) with the resource hint", () => {
    const refs = refsFromResponse({
      operations: [raw("Started", { id: "x1" }), raw("Started", { id: "x2", resourceName: "web-2" })]
    })
    expect(refs).toEqual([
      { service: "lightsail", region: "us-east-1", id: "x1", hints: { resourceName: "web-1" } },
      { service: "lightsail", region: "us-east-1", id: "x2", hints: { resourceName: "web-2" } }
    ])
  })

  it("reads a singular operation (CreateKeyPair)", () => {
    expect(refsFromResponse({ operation: raw("Succeeded", { id: "k1" }) }).map((r) => r.id)).toEqual(["k1"])
  })

  it("skips null elements: { operations: [null, op] }", () => {
    expect(refsFromResponse({ operations: [null, raw("Started", { id: "x1" })] }).map((r) => r.id)).toEqual([
      "x1"
    ])
  })

  it("keeps the answer's request ID on each operation", () => {
    const [op] = operationsFromResponse({ operations: [raw("Started")], $metadata: { requestId: "rid-c" } })
    expect(op?.requestId).toBe("rid-c")
  })

  it("uses the given region when the operation names none, and a typed InvalidRef when nothing does", () => {
    const refs = refsFromResponse(
      { operations: [raw("Started", { location: undefined })] },
      { region: "eu-west-1" }
    )
    expect(refs[0]?.region).toBe("eu-west-1")
    for (const location of [undefined, null, {}, { regionName: null }]) {
      let thrown: unknown
      try {
        refsFromResponse({ operations: [{ ...raw("Started"), location }] })
      } catch (e) {
        thrown = e
      }
      expect(hasReason(thrown, "InvalidRef")).toBe(true)
    }
  })

  it.each([
    ["null", null],
    ["undefined", undefined],
    ["a number", 42],
    ["a string", "operations"],
    ["an array with nulls", [null, raw("Started")]],
    ["Object.create(null)", Object.create(null)],
    ["operations: null", { operations: null }],
    ["operations of odd values", { operations: [null, 5, "x", [], {}, Object.create(null), { id: 5 }] }],
    ["operations that is not an array", { operations: "many" }],
    ["operation: null", { operation: null }],
    ["operation: a number", { operation: 5 }],
    [
      "an operation of wrong types",
      {
        operations: [
          {
            id: "a",
            status: 5,
            isTerminal: "no",
            createdAt: {},
            resourceName: 3,
            location: { regionName: "us-east-1" }
          }
        ]
      }
    ]
  ])("operationsFromResponse and refsFromResponse never throw on %s", (_, response) => {
    for (const options of [{ region: "us-east-1" }, undefined, null, 5]) {
      const ops = operationsFromResponse(response, options as never)
      expect(Array.isArray(ops)).toBe(true)
      for (const op of ops) expect(op.status).toBe("unknown")
      expect(refsFromResponse(response, options as never)).toEqual(ops.map((o) => o.ref))
    }
  })

  it("an operation of wrong types without a region throws only the typed InvalidRef", () => {
    let thrown: unknown
    try {
      operationsFromResponse({ operations: [{ id: "a", status: 5, location: 7 }] })
    } catch (e) {
      thrown = e
    }
    expect(hasReason(thrown, "InvalidRef")).toBe(true)
  })

  it("an operation already terminal in the response resolves without a poll", async () => {
    const mock = mockClient(LightsailClient)
    const client = new LightsailClient({
      region: "us-east-1",
      credentials: { accessKeyId: "AKID", secretAccessKey: "x" }
    })
    const [done] = operationsFromResponse({ operations: [raw("Succeeded")] })
    const status = createOperationStatus({ sources: [lightsailSource({ client })], ...silent })
    expect((await status.waitForSuccess(done!)).status).toBe("succeeded")
    expect(mock.calls()).toHaveLength(0)
    await status.close()
    client.destroy()
    mock.restore()
  })
})

describe("docs/status-mapping.md", () => {
  it("prints the Lightsail table verbatim", async () => {
    const { readFile } = await import("node:fs/promises")
    const doc = await readFile(new URL("../../../docs/status-mapping.md", import.meta.url), "utf8")
    expect(doc).toContain(`<!-- table:lightsail -->\n${renderStatusTable(lightsailStatusTable)}\n`)
  })
})
