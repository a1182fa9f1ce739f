import {
  type Operation as CloudMapOperation,
  CustomHealthNotFound,
  DuplicateRequest,
  GetOperationCommand,
  InstanceNotFound,
  InvalidInput,
  ListOperationsCommand,
  NamespaceAlreadyExists,
  NamespaceNotFound,
  OperationNotFound,
  RequestLimitExceeded,
  ResourceInUse,
  ResourceLimitExceeded,
  ResourceNotFoundException,
  ServiceAlreadyExists,
  ServiceAttributesLimitExceededException,
  ServiceDiscoveryClient,
  ServiceDiscoveryServiceException,
  ServiceNotFound,
  TooManyTagsException
} from "@aws-sdk/client-servicediscovery"
import {
  AccessDeniedError,
  createOperationStatus,
  InvalidOperationRefError,
  OperationFailedError,
  OperationNotFoundError
} from "@opstatus/core"
import { mockClient } from "aws-sdk-client-mock"
import { Effect, Stream } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import {
  classifyServiceDiscoveryError,
  refFromResponse,
  serviceDiscoverySource,
  serviceDiscoveryStatusTable,
  toFilters,
  toOperation
} from "../src/index.js"

const id = "gv4g5meo7ndmeh4fqskygvk23d2fijwa-k9302yzd"
const ref = `servicediscovery:us-east-1:${id}`
const raw = (Status: string, extra: Partial<CloudMapOperation> = {}): CloudMapOperation => ({
  Id: id,
  Type: "REGISTER_INSTANCE",
  Status: Status as CloudMapOperation["Status"],
  CreateDate: new Date("2026-01-01T00:00:00Z"),
  UpdateDate: new Date("2026-01-01T00:00:30Z"),
  Targets: { INSTANCE: "i-1", SERVICE: "srv-1" },
  ...extra
})
const quick = { minDelay: 1, maxDelay: 3, timeout: "5 seconds" } as const

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

  it("covers every raw value of the table", () => {
    expect(Object.keys(serviceDiscoveryStatusTable).sort()).toEqual([
      "FAIL",
      "PENDING",
      "SUBMITTED",
      "SUCCESS"
    ])
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

  it("keeps Targets, names the most specific resource and hints the service", () => {
    const op = toOperation(raw("SUCCESS"), "us-east-1")
    expect(op.targets).toEqual({ INSTANCE: "i-1", SERVICE: "srv-1" })
    expect(op.resource).toEqual({ type: "INSTANCE", id: "i-1" })
    expect(op.ref.serviceId).toBe("srv-1")
    expect(op.endedAt?.toISOString()).toBe("2026-01-01T00:00:30.000Z")
  })

  it("maps a ListOperations summary (Id and Status only)", () => {
    const op = toOperation({ Id: "x", Status: "PENDING" }, "us-east-1")
    expect(op.type).toBeUndefined()
    expect(op.status).toBe("running")
  })
})

describe("classifyServiceDiscoveryError: every modelled exception", () => {
  const opts = (status: number) => ({ message: "m", $metadata: { httpStatusCode: status, requestId: "r-1" } })
  it.each([
    [new OperationNotFound(opts(404)), "not-found"],
    [new RequestLimitExceeded(opts(429)), "throttled"],
    [new InvalidInput(opts(400)), "invalid"],
    [new CustomHealthNotFound(opts(404)), "invalid"],
    [new DuplicateRequest(opts(409)), "invalid"],
    [new InstanceNotFound(opts(404)), "invalid"],
    [new NamespaceAlreadyExists(opts(400)), "invalid"],
    [new NamespaceNotFound(opts(404)), "invalid"],
    [new ResourceInUse(opts(409)), "invalid"],
    [new ResourceLimitExceeded(opts(400)), "invalid"],
    [new ResourceNotFoundException(opts(404)), "invalid"],
    [new ServiceAlreadyExists(opts(400)), "invalid"],
    [new ServiceAttributesLimitExceededException(opts(400)), "invalid"],
    [new ServiceNotFound(opts(404)), "invalid"],
    [new TooManyTagsException(opts(400)), "invalid"],
    [
      new ServiceDiscoveryServiceException({ name: "AccessDeniedException", $fault: "client", ...opts(403) }),
      "denied"
    ],
    [
      new ServiceDiscoveryServiceException({ name: "ThrottlingException", $fault: "client", ...opts(400) }),
      "throttled"
    ],
    [
      new ServiceDiscoveryServiceException({ name: "InternalFailure", $fault: "server", ...opts(500) }),
      "transient"
    ],
    [new ServiceDiscoveryServiceException({ name: "Unknown", $fault: "server", ...opts(503) }), "transient"]
  ])("%s is %s", (error, reason) => {
    expect(classifyServiceDiscoveryError(error).reason).toBe(reason)
  })
})

describe("toFilters: every filter and condition", () => {
  const filters = (q: Parameters<typeof toFilters>[0]) => Effect.runPromise(Effect.result(toFilters(q)))
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

  it.each([
    [{ maxResults: 500 }, "from 1 to 100"],
    [{ maxResults: 0 }, "from 1 to 100"],
    [{ status: "DONE" }, 'STATUS "DONE"'],
    [{ type: [] }, "TYPE needs at least one value"],
    [{ namespaceId: "" }, "NAMESPACE_ID must not be empty"],
    [{ updatedBetween: [new Date(2000), new Date(1000)] }, "start is after the end"]
  ] as const)("rejects %j before any request", async (query, text) => {
    const r = await filters(query as never)
    expect(r._tag === "Failure" && r.failure._tag).toBe("InvalidQueryError")
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

  it("waits through SUBMITTED and PENDING to SUCCESS", async () => {
    mock
      .on(GetOperationCommand, { OperationId: id })
      .resolvesOnce({ Operation: raw("SUBMITTED") })
      .resolvesOnce({ Operation: raw("PENDING") })
      .resolves({ Operation: raw("SUCCESS") })
    const status = createOperationStatus({ sources: [serviceDiscoverySource({ client })] })
    expect((await status.waitForSuccess(ref, quick)).status).toBe("succeeded")
    expect(mock.commandCalls(GetOperationCommand)).toHaveLength(3)
  })

  it("a FAIL rejects waitForSuccess with ErrorCode and ErrorMessage", async () => {
    mock
      .on(GetOperationCommand)
      .resolves({ Operation: raw("FAIL", { ErrorCode: "INVALID_CHANGE_BATCH", ErrorMessage: "bad batch" }) })
    const status = createOperationStatus({ sources: [serviceDiscoverySource({ client })] })
    const error = (await status.waitForSuccess(ref, quick).catch((e: unknown) => e)) as OperationFailedError
    expect(error).toBeInstanceOf(OperationFailedError)
    expect(error.code).toBe("INVALID_CHANGE_BATCH")
    expect(error.message).toContain("bad batch")
  })

  it("absorbs RequestLimitExceeded and waits on", async () => {
    mock
      .on(GetOperationCommand)
      .rejectsOnce(new RequestLimitExceeded({ message: "Rate exceeded", $metadata: { httpStatusCode: 429 } }))
      .resolves({ Operation: raw("SUCCESS") })
    const status = createOperationStatus({ sources: [serviceDiscoverySource({ client })] })
    expect((await status.waitForTerminal(ref, quick)).status).toBe("succeeded")
  })

  it("OperationNotFound after the grace window is OperationNotFoundError", async () => {
    mock
      .on(GetOperationCommand)
      .rejects(new OperationNotFound({ message: "no op", $metadata: { httpStatusCode: 404 } }))
    const status = createOperationStatus({ sources: [serviceDiscoverySource({ client })] })
    const error = await status.waitForTerminal(ref, { ...quick, notFoundGrace: 20 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(OperationNotFoundError)
    expect((error as OperationNotFoundError).code).toBe("OperationNotFound")
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
    await expect(status.waitForTerminal(ref, quick)).rejects.toBeInstanceOf(AccessDeniedError)
    expect(mock.commandCalls(GetOperationCommand)).toHaveLength(1)
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

  it("an invalid query fails before any request", async () => {
    const source = serviceDiscoverySource({ client })
    const r = await Effect.runPromise(
      Effect.result(Stream.runCollect(source.list("us-east-1", { maxResults: 500 })))
    )
    expect(r._tag === "Failure" && r.failure._tag).toBe("InvalidQueryError")
    expect(mock.calls()).toHaveLength(0)
  })

  it("rejects a region the client does not serve before any request", async () => {
    const status = createOperationStatus({ sources: [serviceDiscoverySource({ client })] })
    await expect(status.get(`servicediscovery:ap-south-1:${id}`)).rejects.toBeInstanceOf(
      InvalidOperationRefError
    )
    expect(mock.calls()).toHaveLength(0)
  })
})

describe("refs from mutating responses", () => {
  it("reads { OperationId } with the region and hints", () => {
    expect(refFromResponse({ OperationId: id }, { region: "us-west-2", namespaceId: "ns-1" })).toEqual({
      service: "servicediscovery",
      region: "us-west-2",
      id,
      namespaceId: "ns-1"
    })
    expect(refFromResponse({ Something: 1 }, { region: "us-west-2" })).toBeUndefined()
  })

  it("the source fills in its own region", () => {
    const client = new ServiceDiscoveryClient({ region: "eu-west-1" })
    const source = serviceDiscoverySource({ client, region: "eu-west-1" })
    expect(source.refsFromResponse({ OperationId: id })[0]?.region).toBe("eu-west-1")
    expect(() =>
      serviceDiscoverySource({ clientFor: () => client }).refsFromResponse({ OperationId: id })
    ).toThrow(InvalidOperationRefError)
  })
})

describe("docs/status-mapping.md", () => {
  it("prints the Cloud Map table verbatim", async () => {
    const { readFile } = await import("node:fs/promises")
    const { renderStatusTable } = await import("@opstatus/core")
    const doc = await readFile(new URL("../../../docs/status-mapping.md", import.meta.url), "utf8")
    expect(doc).toContain(
      `<!-- table:servicediscovery -->\n${renderStatusTable(serviceDiscoveryStatusTable)}\n`
    )
  })
})
