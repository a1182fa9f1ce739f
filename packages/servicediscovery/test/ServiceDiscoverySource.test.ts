import {
  CustomHealthNotFound,
  DuplicateRequest,
  GetOperationCommand,
  InstanceNotFound,
  InvalidInput,
  ListOperationsCommand,
  NamespaceAlreadyExists,
  NamespaceNotFound,
  OperationNotFound,
  RegisterInstanceCommand,
  RequestLimitExceeded,
  ResourceInUse,
  ResourceLimitExceeded,
  ResourceNotFoundException,
  type Operation as SdkOperation,
  OperationStatus as SdkOperationStatus,
  OperationType as SdkOperationType,
  ServiceAlreadyExists,
  ServiceAttributesLimitExceededException,
  ServiceDiscoveryClient,
  ServiceDiscoveryServiceException,
  ServiceNotFound,
  TooManyTagsException
} from "@aws-sdk/client-servicediscovery"
import { createOperationStatus, isOpstatusError, type OpstatusError, parseRef } from "@opstatus/core"
import { checkRef, renderStatusTable } from "@opstatus/core/adapter-kit"
import { mockClient } from "aws-sdk-client-mock"
import { Effect, Stream } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import {
  classifyServiceDiscoveryError,
  refFromResponse,
  type ServiceDiscoveryQuery,
  serviceDiscoveryService,
  serviceDiscoverySource,
  serviceDiscoveryStatusTable,
  toFilters,
  toOperation
} from "../src/index.js"

const id = "gv4g5meo7ndmeh4fqskygvk23d2fijwa-k9302yzd"
const ref = `servicediscovery:us-east-1:${id}`
const raw = (Status: string, extra: Partial<SdkOperation> = {}): SdkOperation => ({
  Id: id,
  Type: "REGISTER_INSTANCE",
  Status: Status as SdkOperation["Status"],
  CreateDate: new Date("2026-01-01T00:00:00Z"),
  UpdateDate: new Date("2026-01-01T00:00:30Z"),
  Targets: { INSTANCE: "i-1", SERVICE: "srv-1" },
  ...extra
})
const quick = { minDelay: 1, maxDelay: 3, timeout: "5 seconds" } as const

/** The error a promise rejected with, or a sign that it did not reject. */
const rejection = (promise: Promise<unknown>): Promise<OpstatusError> =>
  promise.then(
    () => {
      throw new Error("expected a rejection")
    },
    (e: unknown) => e as OpstatusError
  )

/** What a synchronous call threw, or `undefined`. */
const thrown = (f: () => unknown): unknown => {
  try {
    f()
    return undefined
  } catch (error) {
    return error
  }
}

describe("serviceDiscoveryService", () => {
  it("declares the slug, title, hints, defaults and table", () => {
    expect(serviceDiscoveryService.service).toBe("servicediscovery")
    expect(serviceDiscoveryService.title).toBe("AWS Cloud Map")
    expect(Object.keys(serviceDiscoveryService.hints).sort()).toEqual(["namespaceId", "serviceId"])
    expect(serviceDiscoveryService.defaults).toEqual({
      timeout: "5 minutes",
      minDelay: "1 second",
      maxDelay: "10 seconds",
      notFoundGrace: "30 seconds"
    })
    expect(serviceDiscoveryService.statusTable).toBe(serviceDiscoveryStatusTable)
  })

  const check = (input: string) =>
    Effect.runPromise(
      Effect.result(Effect.flatMap(parseRef(input), (r) => checkRef(r, serviceDiscoveryService)))
    )

  it("accepts Cloud Map operation IDs", async () => {
    expect((await check(ref))._tag).toBe("Success")
    expect((await check(`servicediscovery:us-east-1:${"a".repeat(255)}`))._tag).toBe("Success")
  })

  it.each([
    [`servicediscovery:us-east-1:${"a".repeat(256)}`, "at most 255"],
    ["servicediscovery:us-east-1:op_1", "letters, digits and dashes"],
    ["servicediscovery:us-east-1:op.1", "letters, digits and dashes"]
  ])("rejects %s as InvalidRef", async (input, text) => {
    const r = await check(input)
    expect(r._tag === "Failure" && r.failure.reason._tag).toBe("InvalidRef")
    expect(r._tag === "Failure" && r.failure.message).toContain(text)
  })
})

describe("Cloud Map status mapping", () => {
  it.each([
    ["SUBMITTED", "pending", false],
    ["PENDING", "running", false],
    ["SUCCESS", "succeeded", true],
    ["FAIL", "failed", true]
  ] as const)("%s maps to %s (terminal %s)", (status, unified, terminal) => {
    const op = toOperation(raw(status), "us-east-1")
    expect(op.status).toBe(unified)
    expect(op.terminal).toBe(terminal)
    expect(op.rawStatus).toBe(status)
  })

  it.each(Object.values(SdkOperationStatus))("the SDK's OperationStatus %s has a row", (status) => {
    expect(Object.keys(serviceDiscoveryStatusTable)).toContain(status)
    expect(toOperation(raw(status), "us-east-1").status).not.toBe("unknown")
  })

  it("has no row the SDK does not know", () => {
    expect(Object.keys(serviceDiscoveryStatusTable).sort()).toEqual(Object.values(SdkOperationStatus).sort())
  })

  it("an unknown status is unknown and not terminal", () => {
    const op = toOperation(raw("CANCELLING"), "us-east-1")
    expect([op.status, op.terminal]).toEqual(["unknown", false])
  })

  it("a Cloud Map FAIL carries ErrorCode and ErrorMessage", () => {
    const op = toOperation(
      raw("FAIL", { ErrorCode: "CANNOT_CREATE_HOSTED_ZONE", ErrorMessage: "hosted zone limit reached" }),
      "us-east-1"
    )
    expect(op.error).toEqual({ code: "CANNOT_CREATE_HOSTED_ZONE", message: "hosted zone limit reached" })
  })

  it("a FAIL without ErrorCode or ErrorMessage still carries an error", () => {
    expect(toOperation(raw("FAIL"), "us-east-1").error).toEqual({ message: "The Cloud Map operation failed" })
    expect(toOperation(raw("SUCCESS"), "us-east-1").error).toBeUndefined()
  })

  it("keeps Targets, names the most specific resource and hints the namespace and service", () => {
    const op = toOperation(raw("SUCCESS"), "us-east-1")
    expect(op.targets).toEqual({ INSTANCE: "i-1", SERVICE: "srv-1" })
    expect(op.resource).toEqual({ type: "INSTANCE", id: "i-1" })
    expect(op.ref).toEqual({
      service: "servicediscovery",
      region: "us-east-1",
      id,
      hints: { serviceId: "srv-1" }
    })
    expect(op.endedAt?.toISOString()).toBe("2026-01-01T00:00:30.000Z")
    const ns = toOperation(
      raw("PENDING", { Type: "CREATE_NAMESPACE", Targets: { NAMESPACE: "ns-1" } }),
      "us-east-1"
    )
    expect(ns.ref.hints).toEqual({ namespaceId: "ns-1" })
    expect(ns.resource).toEqual({ type: "NAMESPACE", id: "ns-1" })
    expect(ns.endedAt).toBeUndefined()
  })

  it("carries the request ID it is given", () => {
    expect(toOperation(raw("SUCCESS"), "us-east-1", "req-1").requestId).toBe("req-1")
    expect("requestId" in toOperation(raw("SUCCESS"), "us-east-1")).toBe(false)
  })

  it("maps a ListOperations summary (Id and Status only)", () => {
    const op = toOperation({ Id: "x", Status: "PENDING" }, "us-east-1")
    expect(op.type).toBeUndefined()
    expect(op.ref).toEqual({ service: "servicediscovery", region: "us-east-1", id: "x" })
    expect(op.status).toBe("running")
  })

  it.each([
    [
      "nulls everywhere",
      { Id: null, Type: null, Status: null, ErrorCode: null, Targets: null, UpdateDate: null }
    ],
    ["no fields", {}],
    ["a null-prototype object", Object.assign(Object.create(null), { Id: "x", Status: "SUCCESS" })],
    [
      "dates that are not dates",
      { Id: "x", Status: "SUCCESS", CreateDate: "yesterday", UpdateDate: Number.NaN }
    ],
    ["an infinite date", { Id: "x", Status: "FAIL", UpdateDate: Number.POSITIVE_INFINITY }],
    [
      "Targets that are not strings",
      { Id: "x", Status: "PENDING", Targets: { SERVICE: 5, NAMESPACE: null } }
    ],
    ["Targets as an array", { Id: "x", Status: "PENDING", Targets: ["srv-1"] }],
    ["fields of the wrong type", { Id: 5, Status: { a: 1 }, Type: [], ErrorCode: 3, ErrorMessage: false }],
    ["null", null],
    ["a number", 5],
    ["a string", "SUCCESS"]
  ])("never throws on %s", (_, value) => {
    const op = toOperation(value as never, "us-east-1")
    expect(op.ref.service).toBe("servicediscovery")
    expect(typeof op.ref.id).toBe("string")
    expect(typeof op.rawStatus).toBe("string")
    expect(op.status === "succeeded" && op.rawStatus !== "SUCCESS").toBe(false)
    for (const date of [op.createdAt, op.updatedAt, op.endedAt]) {
      if (date !== undefined) expect(Number.isNaN(date.getTime())).toBe(false)
    }
    expect(op.raw).toBe(value)
  })

  it("keeps only the string targets", () => {
    const op = toOperation(
      { Id: "x", Status: "PENDING", Targets: { SERVICE: 5, NAMESPACE: "ns-1" } } as never,
      "us-east-1"
    )
    expect(op.targets).toEqual({ NAMESPACE: "ns-1" })
    expect(op.ref.hints).toEqual({ namespaceId: "ns-1" })
  })
})

describe("classifyServiceDiscoveryError: every modelled exception", () => {
  const opts = (status: number) => ({ message: "m", $metadata: { httpStatusCode: status, requestId: "r-1" } })
  it.each([
    [new OperationNotFound(opts(404)), "OperationNotFound"],
    [new RequestLimitExceeded(opts(429)), "Throttled"],
    [new RequestLimitExceeded(opts(400)), "Throttled"],
    [new InvalidInput(opts(400)), "InvalidRequest"],
    [new CustomHealthNotFound(opts(404)), "InvalidRequest"],
    [new DuplicateRequest(opts(409)), "InvalidRequest"],
    [new InstanceNotFound(opts(404)), "InvalidRequest"],
    [new NamespaceAlreadyExists(opts(400)), "InvalidRequest"],
    [new NamespaceNotFound(opts(404)), "InvalidRequest"],
    [new ResourceInUse(opts(409)), "InvalidRequest"],
    [new ResourceLimitExceeded(opts(400)), "InvalidRequest"],
    [new ResourceNotFoundException(opts(404)), "InvalidRequest"],
    [new ServiceAlreadyExists(opts(400)), "InvalidRequest"],
    [new ServiceAttributesLimitExceededException(opts(400)), "InvalidRequest"],
    [new ServiceNotFound(opts(404)), "InvalidRequest"],
    [new TooManyTagsException(opts(400)), "InvalidRequest"],
    [
      new ServiceDiscoveryServiceException({ name: "AccessDeniedException", $fault: "client", ...opts(403) }),
      "AccessDenied"
    ],
    [
      new ServiceDiscoveryServiceException({
        name: "UnrecognizedClientException",
        $fault: "client",
        ...opts(400)
      }),
      "Unauthenticated"
    ],
    [
      new ServiceDiscoveryServiceException({ name: "ThrottlingException", $fault: "client", ...opts(400) }),
      "Throttled"
    ],
    [
      new ServiceDiscoveryServiceException({ name: "InternalFailure", $fault: "server", ...opts(500) }),
      "ServiceUnavailable"
    ],
    [
      new ServiceDiscoveryServiceException({ name: "Unknown", $fault: "server", ...opts(503) }),
      "ServiceUnavailable"
    ]
  ])("%s is %s", (error, tag) => {
    const classified = classifyServiceDiscoveryError(error)
    expect(isOpstatusError(classified)).toBe(true)
    expect(classified.reason._tag).toBe(tag)
    expect(classified.service).toBe("servicediscovery")
    expect(classified.code).toBe(error.name)
    expect(classified.requestId).toBe("r-1")
  })
})

describe("toFilters: every filter and condition", () => {
  const filters = (q: unknown) => Effect.runPromise(Effect.result(toFilters(q as ServiceDiscoveryQuery)))
  it("builds EQ, IN and BETWEEN filters", async () => {
    const r = await filters({
      namespaceId: "ns-1",
      serviceId: "srv-1",
      status: ["SUBMITTED", "PENDING"],
      type: "REGISTER_INSTANCE",
      updatedBetween: [new Date(1_516_925_490_000), new Date(1_516_925_999_000)]
    })
    expect(r._tag === "Success" && r.success).toEqual([
      { Name: "NAMESPACE_ID", Values: ["ns-1"], Condition: "EQ" },
      { Name: "SERVICE_ID", Values: ["srv-1"], Condition: "EQ" },
      { Name: "STATUS", Values: ["SUBMITTED", "PENDING"], Condition: "IN" },
      { Name: "TYPE", Values: ["REGISTER_INSTANCE"], Condition: "EQ" },
      { Name: "UPDATE_DATE", Values: ["1516925490", "1516925999"], Condition: "BETWEEN" }
    ])
  })

  it("rounds the UPDATE_DATE window outwards to whole seconds", async () => {
    const r = await filters({ updatedBetween: [new Date(1_516_925_490_900), new Date(1_516_925_999_100)] })
    expect(r._tag === "Success" && r.success[0]?.Values).toEqual(["1516925490", "1516926000"])
  })

  it("takes every value of the SDK's OperationStatus and OperationType", async () => {
    const r = await filters({
      status: Object.values(SdkOperationStatus),
      type: Object.values(SdkOperationType)
    })
    expect(r._tag === "Success" && r.success.map((f) => f.Values?.length)).toEqual([
      Object.values(SdkOperationStatus).length,
      Object.values(SdkOperationType).length
    ])
  })

  it("an empty query has no filters", async () => {
    const r = await filters({})
    expect(r._tag === "Success" && r.success).toEqual([])
  })

  it.each([
    [{ maxResults: 500 }, "from 1 to 100"],
    [{ maxResults: 0 }, "from 1 to 100"],
    [{ maxResults: "10" }, "from 1 to 100"],
    [{ status: "DONE" }, 'STATUS "DONE"'],
    [{ status: ["PENDING", undefined] }, 'STATUS "undefined"'],
    [{ status: [Object.create(null)] }, "STATUS"],
    [{ status: 5 }, "STATUS must be a value or a list of values"],
    [{ type: [] }, "TYPE needs at least one value"],
    [{ namespaceId: "" }, "NAMESPACE_ID must not be empty"],
    [{ serviceId: 5 }, "SERVICE_ID must be a string"],
    [{ updatedBetween: [new Date(2000), new Date(1000)] }, "start is after the end"],
    [{ updatedBetween: "yesterday" }, "two valid dates"],
    [{ updatedBetween: [new Date(Number.NaN), new Date(1000)] }, "two valid dates"],
    [5, "must be an object"],
    [[], "must be an object"]
  ])("rejects %j as InvalidQuery", async (query, text) => {
    const r = await filters(query)
    expect(r._tag === "Failure" && r.failure.reason._tag).toBe("InvalidQuery")
    expect(r._tag === "Failure" && r.failure.message).toContain(text)
  })
})

describe("serviceDiscoverySource over the real ServiceDiscoveryClient (aws-sdk-client-mock)", () => {
  const mock = mockClient(ServiceDiscoveryClient)
  let client: ServiceDiscoveryClient
  beforeEach(() => {
    mock.reset()
    client = new ServiceDiscoveryClient({
      region: "us-east-1",
      credentials: { accessKeyId: "AKID", secretAccessKey: "x" }
    })
  })
  afterEach(() => client.destroy())

  const get = (r: string = ref) =>
    Effect.runPromise(
      Effect.result(
        serviceDiscoverySource({ client }).get({ service: "servicediscovery", region: "us-east-1", id: r })
      )
    )

  it("waits through SUBMITTED and PENDING to SUCCESS", async () => {
    mock
      .on(GetOperationCommand, { OperationId: id })
      .resolvesOnce({ Operation: raw("SUBMITTED") })
      .resolvesOnce({ Operation: raw("PENDING") })
      .resolves({ Operation: raw("SUCCESS") })
    const status = createOperationStatus({ sources: [serviceDiscoverySource({ client })] })
    expect((await status.waitForSuccess(ref, quick)).status).toBe("succeeded")
    expect(mock.commandCalls(GetOperationCommand)).toHaveLength(3)
    await status.close()
  })

  it("reads one operation with its request ID and hints", async () => {
    mock.on(GetOperationCommand).resolves({ Operation: raw("PENDING"), $metadata: { requestId: "req-7" } })
    const r = await get(id)
    expect(r._tag === "Success" && r.success.requestId).toBe("req-7")
    expect(r._tag === "Success" && r.success.ref.hints).toEqual({ serviceId: "srv-1" })
    expect(mock.commandCalls(GetOperationCommand)[0]?.args[0].input).toEqual({ OperationId: id })
  })

  it("an Operation without an Id keeps the ID it was asked for", async () => {
    mock.on(GetOperationCommand).resolves({ Operation: { Status: "SUCCESS" } })
    const r = await get(id)
    expect(r._tag === "Success" && r.success.ref.id).toBe(id)
  })

  it.each([
    ["Operation: null", { Operation: null }],
    ["no Operation", {}]
  ])("%s is a typed MalformedResponse with the request ID", async (_, answer) => {
    mock.on(GetOperationCommand).resolves({ ...answer, $metadata: { requestId: "req-9" } } as never)
    const r = await get(id)
    expect(r._tag).toBe("Failure")
    const error = r._tag === "Failure" ? r.failure : undefined
    expect(isOpstatusError(error)).toBe(true)
    expect(error?.reason._tag).toBe("MalformedResponse")
    expect(error?.requestId).toBe("req-9")
    expect(error?.ref).toEqual({ service: "servicediscovery", region: "us-east-1", id })
    expect(error?.message).toContain("no Operation")
  })

  it.each([
    ["an Operation that is not an object", { Operation: "SUCCESS" }],
    ["a Status that is not a string", { Operation: { Id: id, Status: 5 } }],
    ["Targets that are not a map", { Operation: { Id: id, Status: "SUCCESS", Targets: "srv-1" } }]
  ])("%s is a typed MalformedResponse", async (_, answer) => {
    mock.on(GetOperationCommand).resolves({ ...answer, $metadata: { requestId: "req-8" } } as never)
    const r = await get(id)
    const error = r._tag === "Failure" ? r.failure : undefined
    expect(error?.reason._tag).toBe("MalformedResponse")
    expect(error?.requestId).toBe("req-8")
    expect(error?.message).toContain("GetOperation")
  })

  it("a waiter retries a missing Operation, then fails with MalformedResponse", async () => {
    mock.on(GetOperationCommand).resolves({ Operation: null } as never)
    const status = createOperationStatus({ sources: [serviceDiscoverySource({ client })] })
    const error = await rejection(status.waitForTerminal(ref, quick))
    expect(error.reason._tag).toBe("MalformedResponse")
    expect(mock.commandCalls(GetOperationCommand).length).toBeGreaterThan(1)
    await status.close()
  })

  it("a FAIL rejects waitForSuccess with OperationFailed, ErrorCode and ErrorMessage", async () => {
    mock.on(GetOperationCommand).resolves({
      Operation: raw("FAIL", { ErrorCode: "INVALID_CHANGE_BATCH", ErrorMessage: "bad batch" }),
      $metadata: { requestId: "req-3" }
    })
    const status = createOperationStatus({ sources: [serviceDiscoverySource({ client })] })
    const error = await rejection(status.waitForSuccess(ref, quick))
    expect(error.reason._tag).toBe("OperationFailed")
    expect(error.code).toBe("INVALID_CHANGE_BATCH")
    expect(error.serviceMessage).toBe("bad batch")
    expect(error.requestId).toBe("req-3")
    expect(error.message).toContain("bad batch")
    await status.close()
  })

  it("absorbs RequestLimitExceeded and waits on", async () => {
    mock
      .on(GetOperationCommand)
      .rejectsOnce(new RequestLimitExceeded({ message: "Rate exceeded", $metadata: { httpStatusCode: 429 } }))
      .resolves({ Operation: raw("SUCCESS") })
    const status = createOperationStatus({ sources: [serviceDiscoverySource({ client })] })
    expect((await status.waitForTerminal(ref, quick)).status).toBe("succeeded")
    expect(mock.commandCalls(GetOperationCommand)).toHaveLength(2)
    await status.close()
  })

  it("OperationNotFound after the grace window is an OperationNotFound error", async () => {
    mock
      .on(GetOperationCommand)
      .rejects(new OperationNotFound({ message: "no op", $metadata: { httpStatusCode: 404 } }))
    const status = createOperationStatus({ sources: [serviceDiscoverySource({ client })] })
    const error = await rejection(status.waitForTerminal(ref, { ...quick, notFoundGrace: 20 }))
    expect(error.reason._tag).toBe("OperationNotFound")
    expect(error.code).toBe("OperationNotFound")
    expect(error.ref).toEqual({ service: "servicediscovery", region: "us-east-1", id })
    await status.close()
  })

  it("access denied fails at once", async () => {
    mock.on(GetOperationCommand).rejects(
      new ServiceDiscoveryServiceException({
        name: "AccessDeniedException",
        $fault: "client",
        message: "denied",
        $metadata: { httpStatusCode: 403 }
      })
    )
    const status = createOperationStatus({ sources: [serviceDiscoverySource({ client })] })
    const error = await rejection(status.waitForTerminal(ref, quick))
    expect(error.reason._tag).toBe("AccessDenied")
    expect(mock.commandCalls(GetOperationCommand)).toHaveLength(1)
    await status.close()
  })

  it("lists with filters across pages, including an empty page that carries a NextToken", async () => {
    mock
      .on(ListOperationsCommand)
      .resolvesOnce({ Operations: [{ Id: "a", Status: "PENDING" }], NextToken: "t1" })
      .resolvesOnce({ Operations: [], NextToken: "t2" })
      .resolvesOnce({ Operations: [{ Id: "b", Status: "SUBMITTED" }] })
    const source = serviceDiscoverySource({ client })
    const ops = await Effect.runPromise(
      Stream.runCollect(
        source.list("us-east-1", { status: ["SUBMITTED", "PENDING"], namespaceId: "ns-1", maxResults: 10 })
      )
    )
    expect(ops.map((o) => o.ref.id)).toEqual(["a", "b"])
    const inputs = mock.commandCalls(ListOperationsCommand).map((c) => c.args[0].input)
    expect(inputs.map((i) => i.NextToken)).toEqual([undefined, "t1", "t2"])
    expect(inputs[0]?.MaxResults).toBe(10)
    expect(inputs[0]?.Filters).toEqual([
      { Name: "NAMESPACE_ID", Values: ["ns-1"], Condition: "EQ" },
      { Name: "STATUS", Values: ["SUBMITTED", "PENDING"], Condition: "IN" }
    ])
  })

  it("a list page holding null items skips them", async () => {
    mock
      .on(ListOperationsCommand)
      .resolvesOnce({
        Operations: [null, { Id: "a", Status: "PENDING" }, null],
        NextToken: "t1",
        $metadata: { requestId: "req-4" }
      } as never)
      .resolvesOnce({
        Operations: [null, { Status: "PENDING" }, { Id: "b", Status: null }],
        NextToken: null
      } as never)
    const source = serviceDiscoverySource({ client })
    const ops = await Effect.runPromise(Stream.runCollect(source.list("us-east-1", {})))
    expect(ops.map((o) => [o.ref.id, o.status, o.requestId])).toEqual([
      ["a", "running", "req-4"],
      ["b", "unknown", undefined]
    ])
    expect(mock.commandCalls(ListOperationsCommand)).toHaveLength(2)
  })

  it("a list page whose Operations is null is an empty page", async () => {
    mock.on(ListOperationsCommand).resolves({ Operations: null } as never)
    const source = serviceDiscoverySource({ client })
    expect(await Effect.runPromise(Stream.runCollect(source.list("us-east-1", {})))).toEqual([])
  })

  it("a list item that is not an object is a typed MalformedResponse", async () => {
    mock.on(ListOperationsCommand).resolves({ Operations: [5], $metadata: { requestId: "req-5" } } as never)
    const source = serviceDiscoverySource({ client })
    const r = await Effect.runPromise(Effect.result(Stream.runCollect(source.list("us-east-1", {}))))
    expect(r._tag === "Failure" && r.failure.reason._tag).toBe("MalformedResponse")
    expect(r._tag === "Failure" && r.failure.requestId).toBe("req-5")
  })

  it("an invalid query fails before any request", async () => {
    const source = serviceDiscoverySource({ client })
    const r = await Effect.runPromise(
      Effect.result(Stream.runCollect(source.list("us-east-1", { maxResults: 500 })))
    )
    expect(r._tag === "Failure" && r.failure.reason._tag).toBe("InvalidQuery")
    expect(mock.calls()).toHaveLength(0)
  })

  it("rejects a region the client does not serve before any request", async () => {
    const status = createOperationStatus({ sources: [serviceDiscoverySource({ client })] })
    const error = await rejection(status.get(`servicediscovery:ap-south-1:${id}`))
    expect(error.reason._tag).toBe("InvalidRef")
    expect(mock.calls()).toHaveLength(0)
    await status.close()
  })

  it("rejects options that are neither { client } nor { clientFor } with InvalidConfig", () => {
    const error = thrown(() => serviceDiscoverySource({} as never))
    expect(isOpstatusError(error) && error.reason._tag).toBe("InvalidConfig")
  })
})

describe("refs from mutating responses", () => {
  it("reads { OperationId } with the region and hints", () => {
    expect(
      refFromResponse({ OperationId: id }, { region: "us-west-2", hints: { namespaceId: "ns-1" } })
    ).toEqual({
      service: "servicediscovery",
      region: "us-west-2",
      id,
      hints: { namespaceId: "ns-1" }
    })
    expect(refFromResponse({ OperationId: id }, { region: "us-west-2" })).toEqual({
      service: "servicediscovery",
      region: "us-west-2",
      id
    })
    expect(refFromResponse({ Something: 1 }, { region: "us-west-2" })).toBeUndefined()
  })

  it.each([
    ["null", null],
    ["undefined", undefined],
    ["a number", 5],
    ["a string", "OperationId"],
    ["an array", [{ OperationId: id }]],
    ["a null-prototype object", Object.create(null)],
    ["a numeric OperationId", { OperationId: 5 }],
    ["an empty OperationId", { OperationId: "" }],
    ["a null OperationId", { OperationId: null }]
  ])("%s carries no ref and throws nothing", (_, response) => {
    expect(refFromResponse(response, { region: "us-west-2" })).toBeUndefined()
    expect(refFromResponse(response)).toBeUndefined()
  })

  it("reads a null-prototype response", () => {
    const response = Object.assign(Object.create(null), { OperationId: id })
    expect(refFromResponse(response, { region: "us-west-2" })?.id).toBe(id)
  })

  it.each([
    ["no options", undefined],
    ["null options", null],
    ["a numeric region", { region: 5 }],
    ["an empty region", { region: "" }],
    ["odd hints", { hints: 5 }]
  ])("without a region (%s) it throws a typed InvalidRef", (_, options) => {
    const error = thrown(() => refFromResponse({ OperationId: id }, options as never))
    expect(isOpstatusError(error) && error.reason._tag).toBe("InvalidRef")
  })

  it("keeps only the string hints it is given", () => {
    const ref = refFromResponse(
      { OperationId: id },
      { region: "us-west-2", hints: { serviceId: "srv-1", namespaceId: 5, other: null } as never }
    )
    expect(ref?.hints).toEqual({ serviceId: "srv-1" })
    expect(refFromResponse({ OperationId: id }, { region: "us-west-2", hints: null as never })).toEqual({
      service: "servicediscovery",
      region: "us-west-2",
      id
    })
  })

  it("the source fills in the region it was given", () => {
    const client = new ServiceDiscoveryClient({ region: "eu-west-1" })
    const source = serviceDiscoverySource({ client, region: "eu-west-1" })
    expect(source.refsFromResponse({ OperationId: id })).toEqual([
      { service: "servicediscovery", region: "eu-west-1", id }
    ])
    expect(source.refsFromResponse({ OperationId: id }, { region: "us-west-2" })[0]?.region).toBe("us-west-2")
    expect(source.refsFromResponse({ Something: 1 })).toEqual([])
    client.destroy()
  })

  it("the source fills in its client's own region: a mutating call's response goes straight to a wait", async () => {
    const client = new ServiceDiscoveryClient({ region: "us-east-1" })
    const mock = mockClient(client)
    mock.on(RegisterInstanceCommand).resolves({ OperationId: id })
    try {
      const source = serviceDiscoverySource({ client })
      const response = await client.send(
        new RegisterInstanceCommand({
          ServiceId: "srv-1",
          InstanceId: "i-1",
          Attributes: { AWS_INSTANCE_IPV4: "10.0.0.1" }
        })
      )
      // The mock answers within microtasks; a real call crosses the network, by which time the
      // client's region provider has long answered. One turn of the event loop stands for it.
      await new Promise((resolve) => setImmediate(resolve))
      expect(source.refsFromResponse(response, { hints: { serviceId: "srv-1" } })).toEqual([
        { service: "servicediscovery", region: "us-east-1", id, hints: { serviceId: "srv-1" } }
      ])
    } finally {
      mock.restore()
      client.destroy()
    }
  })

  it("a source that cannot know the region throws a typed InvalidRef", () => {
    const client = new ServiceDiscoveryClient({ region: "eu-west-1" })
    const source = serviceDiscoverySource({ clientFor: () => client })
    const error = thrown(() => source.refsFromResponse({ OperationId: id }))
    expect(isOpstatusError(error) && error.reason._tag).toBe("InvalidRef")
    client.destroy()
  })

  it.each([null, undefined, 5, "x", Object.create(null), { OperationId: 5 }])(
    "the source's refsFromResponse(%s) is empty and throws nothing",
    (response) => {
      const client = new ServiceDiscoveryClient({ region: "eu-west-1" })
      const source = serviceDiscoverySource({ clientFor: () => client })
      expect(source.refsFromResponse(response)).toEqual([])
      expect(source.refsFromResponse(response, null as never)).toEqual([])
      client.destroy()
    }
  )
})

describe("docs/status-mapping.md", () => {
  it("prints the Cloud Map table verbatim", async () => {
    const { readFile } = await import("node:fs/promises")
    const doc = await readFile(new URL("../../../docs/status-mapping.md", import.meta.url), "utf8")
    expect(doc).toContain(
      `<!-- table:servicediscovery -->\n${renderStatusTable(serviceDiscoveryStatusTable)}\n`
    )
  })
})
