import * as Sdk from "@aws-sdk/client-route-53"
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  NoSuchChange,
  PriorRequestNotComplete,
  Route53Client,
  Route53ServiceException,
  ChangeStatus as SdkChangeStatus
} from "@aws-sdk/client-route-53"
import {
  cancel,
  createOperationStatus,
  isOpstatusError,
  type OperationRef,
  OperationSources,
  type OpstatusError,
  parseRef,
  waitForTerminal
} from "@opstatus/core"
import { checkRef, renderStatusTable } from "@opstatus/core/adapter-kit"
import { mockClient } from "aws-sdk-client-mock"
import { Effect, Fiber, Layer, Stream } from "effect"
import { TestClock } from "effect/testing"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import {
  classifyRoute53Error,
  operationsFromResponse,
  refsFromResponse,
  route53ChangeCalls,
  route53ErrorNames,
  route53Region,
  route53Service,
  route53Source,
  route53StatusTable,
  toOperation
} from "../src/index.js"

const id = "C2682N5HXP0BZ4"
const ref = `route53:global:${id}`
const submittedAt = new Date("2026-01-01T00:00:00.000Z")
const changeInfo = (Status: string, extra: Record<string, unknown> = {}) => ({
  Id: `/change/${id}`,
  Status: Status as Sdk.ChangeStatus,
  SubmittedAt: submittedAt,
  ...extra
})
/** Fast polling over mocked answers; the timeout only stops a wait that would hang, far beyond what one takes on a loaded machine. */
const quick = { minDelay: 1, maxDelay: 3, timeout: "2 minutes" } as const
const credentials = { accessKeyId: "AKID", secretAccessKey: "x" }

// One mock of the real client's `send`, for every client of this file.
const mock = mockClient(Route53Client)
beforeEach(() => mock.reset())

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

describe("route53Service", () => {
  it("declares the slug, title, the pseudo-region global, defaults and table", () => {
    expect(route53Service.service).toBe("route53")
    expect(route53Service.title).toBe("Amazon Route 53")
    expect(route53Service.hints).toEqual({})
    expect(route53Service.regionRule?.description).toBe("global (Route 53 is a global service)")
    expect(route53Region).toBe("global")
    expect(route53Service.defaults).toEqual({
      timeout: "10 minutes",
      minDelay: "2 seconds",
      maxDelay: "20 seconds",
      notFoundGrace: "30 seconds"
    })
    expect(route53Service.statusTable).toBe(route53StatusTable)
  })

  const check = (input: string) =>
    Effect.runPromise(Effect.result(Effect.flatMap(parseRef(input), (r) => checkRef(r, route53Service))))

  it("accepts change IDs in the region global", async () => {
    expect((await check(ref))._tag).toBe("Success")
    expect((await check(`route53:global:${"C".repeat(32)}`))._tag).toBe("Success")
  })

  it.each([
    [`route53:us-east-1:${id}`, '"us-east-1" is not global (Route 53 is a global service)'],
    [`route53:aws-global:${id}`, '"aws-global" is not global'],
    [`route53:global:${"C".repeat(33)}`, "at most 32"],
    [`route53:global:/change/${id}`, "without its /change/ prefix"],
    ["route53:global:c2682n5hxp0bz4", "capital letters and digits"],
    ["route53:global:C2682-N5HX", "capital letters and digits"]
  ])("rejects %s as InvalidRef", async (input, text) => {
    const r = await check(input)
    expect(r._tag === "Failure" && r.failure.reason._tag).toBe("InvalidRef")
    expect(r._tag === "Failure" && r.failure.message).toContain(text)
  })
})

describe("Route 53 status mapping", () => {
  it.each([
    ["PENDING", "running", false],
    ["INSYNC", "succeeded", true]
  ] as const)("%s maps to %s (terminal %s)", (status, unified, terminal) => {
    const op = toOperation(changeInfo(status))
    expect([op.status, op.terminal, op.rawStatus]).toEqual([unified, terminal, status])
  })

  it.each(Object.values(SdkChangeStatus))("the SDK's ChangeStatus %s has a row", (status) => {
    expect(Object.keys(route53StatusTable)).toContain(status)
    expect(toOperation(changeInfo(status)).status).not.toBe("unknown")
  })

  it("has no row the SDK does not know", () => {
    expect(Object.keys(route53StatusTable).sort()).toEqual(Object.values(SdkChangeStatus).sort())
  })

  it.each(["FAILED", "pending", ""])("%j is unknown and not terminal", (status) => {
    const op = toOperation(changeInfo(status))
    expect([op.status, op.terminal, op.rawStatus]).toEqual(["unknown", false, status])
  })

  it("maps a ChangeInfo: the bare ID, SubmittedAt as createdAt, Comment as a property", () => {
    const op = toOperation(changeInfo("INSYNC", { Comment: "add www" }), "req-1")
    expect(op).toEqual({
      ref: { service: "route53", region: "global", id },
      status: "succeeded",
      terminal: true,
      rawStatus: "INSYNC",
      resource: {},
      properties: { Comment: "add www" },
      createdAt: submittedAt,
      region: "global",
      requestId: "req-1",
      raw: changeInfo("INSYNC", { Comment: "add www" })
    })
    expect(op.error).toBeUndefined()
    expect(op.endedAt).toBeUndefined()
  })

  it("keeps an ID that comes without its prefix, and reads an ISO SubmittedAt (the AWS CLI's JSON)", () => {
    const op = toOperation({ Id: id, Status: "PENDING", SubmittedAt: "2017-03-27T17:48:16.751Z" } as never)
    expect(op.ref.id).toBe(id)
    expect(op.createdAt?.toISOString()).toBe("2017-03-27T17:48:16.751Z")
    expect("properties" in op).toBe(false)
    expect("requestId" in op).toBe(false)
  })

  it.each([
    ["nulls everywhere", { Id: null, Status: null, SubmittedAt: null, Comment: null }],
    ["no fields", {}],
    ["a null-prototype object", Object.assign(Object.create(null), { Id: "/change/C1", Status: "INSYNC" })],
    ["a date that is no date", { Id: "/change/C1", Status: "INSYNC", SubmittedAt: "yesterday" }],
    ["fields of the wrong type", { Id: 5, Status: { a: 1 }, SubmittedAt: [], Comment: 3 }],
    [
      "a getter that throws",
      Object.defineProperty({ Id: "/change/C1" }, "Status", {
        get() {
          throw new Error("boom")
        }
      })
    ],
    ["null", null],
    ["a number", 5],
    ["a string", "INSYNC"]
  ])("never throws on %s", (_, value) => {
    const op = toOperation(value as never)
    expect(op.ref).toMatchObject({ service: "route53", region: "global" })
    expect(typeof op.ref.id).toBe("string")
    expect(op.status === "succeeded" && op.rawStatus !== "INSYNC").toBe(false)
    if (op.createdAt !== undefined) expect(Number.isNaN(op.createdAt.getTime())).toBe(false)
    expect(op.raw).toBe(value)
  })
})

describe("classifyRoute53Error: every modelled exception", () => {
  const special: Record<string, string> = {
    NoSuchChange: "OperationNotFound",
    PriorRequestNotComplete: "Throttled",
    ThrottlingException: "Throttled",
    NotAuthorizedException: "AccessDenied",
    ConcurrentModification: "ServiceUnavailable"
  }
  const modelled = Object.entries(Sdk as Record<string, unknown>).filter(
    (entry): entry is [string, new (o: never) => Route53ServiceException] =>
      typeof entry[1] === "function" && entry[1].prototype instanceof Route53ServiceException
  )
  const statusOf = (name: string) =>
    name === "NoSuchChange" ? 404 : name === "NotAuthorizedException" ? 401 : 400

  it("the SDK models the errors this table knows", () => {
    expect(modelled.length).toBeGreaterThan(60)
  })

  it.each(modelled)("%s is classified as the table says", (name, Class) => {
    const error = new Class({
      message: "m",
      $metadata: { httpStatusCode: statusOf(name), requestId: "r-1" }
    } as never)
    const classified = classifyRoute53Error(error)
    expect(isOpstatusError(classified)).toBe(true)
    expect(classified.reason._tag).toBe(special[name] ?? "InvalidRequest")
    expect(classified.service).toBe("route53")
    expect(classified.code).toBe(name)
    expect(classified.requestId).toBe("r-1")
  })

  it("every modelled error is named, by the adapter or by the SDK's throttling list", () => {
    const named = new Set([
      ...route53ErrorNames.notFound,
      ...(route53ErrorNames.denied ?? []),
      ...(route53ErrorNames.invalid ?? []),
      ...(route53ErrorNames.transient ?? []),
      "PriorRequestNotComplete",
      "ThrottlingException"
    ])
    expect(modelled.map(([name]) => name).filter((name) => !named.has(name))).toEqual([])
  })

  it.each([
    ["Throttling", 400, "Throttled"],
    ["AccessDenied", 403, "AccessDenied"],
    ["InvalidClientTokenId", 403, "Unauthenticated"],
    ["SignatureDoesNotMatch", 403, "Unauthenticated"],
    ["InternalFailure", 500, "ServiceUnavailable"],
    ["ServiceUnavailable", 503, "ServiceUnavailable"],
    ["Unknown", 503, "ServiceUnavailable"],
    ["SomethingNew", 418, "UnknownServiceError"]
  ])("the unmodelled %s (HTTP %s) is %s", (name, status, tag) => {
    const error = new Route53ServiceException({
      name,
      $fault: status >= 500 ? "server" : "client",
      message: "m",
      $metadata: { httpStatusCode: status }
    })
    expect(classifyRoute53Error(error).reason._tag).toBe(tag)
  })
})

describe("refs and snapshots from mutating responses", () => {
  it("the calls listed are exactly those whose SDK output has a ChangeInfo", () => {
    const withChangeInfo = Object.entries(Sdk)
      .filter(([name, schema]) => {
        if (!name.endsWith("Response$") || !Array.isArray(schema)) return false
        const members = schema[4] as ReadonlyArray<string>
        const types = schema[5] as ReadonlyArray<unknown>
        const at = members.indexOf("ChangeInfo")
        const type = types[at]
        return at >= 0 && typeof type === "function" && type() === Sdk.ChangeInfo$
      })
      .map(([name]) => name.slice(0, -"Response$".length))
      .sort()
    expect(withChangeInfo).toEqual([...route53ChangeCalls].sort())
  })

  describe.each(route53ChangeCalls)("%s", (call) => {
    it("its response, sent through the real client, gives the change's ref and snapshot", async () => {
      const client = new Route53Client({ region: "us-east-1", credentials })
      const Command = (Sdk as unknown as Record<string, new (input: object) => GetChangeCommand>)[
        `${call}Command`
      ]!
      mock.on(Command as never).resolves({
        ChangeInfo: changeInfo("PENDING", { Comment: call }),
        $metadata: { requestId: `req-${call}` }
      } as never)
      const response = await client.send(new Command({}))
      expect(refsFromResponse(response)).toEqual([{ service: "route53", region: "global", id }])
      const [op] = operationsFromResponse(response)
      expect(op?.status).toBe("running")
      expect(op?.properties).toEqual({ Comment: call })
      expect(op?.requestId).toBe(`req-${call}`)
      client.destroy()
    })
  })

  it("always names the region global, whatever region is given, and keeps the hints", () => {
    const response = { ChangeInfo: changeInfo("PENDING") }
    expect(
      refsFromResponse(response, { region: "us-east-1", hints: { zone: "Z1", odd: 5 as never } })
    ).toEqual([{ service: "route53", region: "global", id, hints: { zone: "Z1" } }])
  })

  it.each([
    ["null", null],
    ["undefined", undefined],
    ["a number", 5],
    ["a string", "ChangeInfo"],
    ["an array", [{ ChangeInfo: changeInfo("PENDING") }]],
    ["a null-prototype object", Object.create(null)],
    ["ChangeInfo: null", { ChangeInfo: null }],
    ["a ChangeInfo without an Id", { ChangeInfo: { Status: "PENDING" } }],
    ["a ChangeInfo with an empty Id", { ChangeInfo: { Id: "", Status: "PENDING" } }],
    ["a ChangeInfo whose Id is only the prefix", { ChangeInfo: { Id: "/change/", Status: "PENDING" } }],
    ["a ChangeInfo that is a string", { ChangeInfo: "/change/C1" }],
    [
      "ChangeCidrCollection's { Id }, which GetChange cannot read",
      { Id: "c8c02b2a-30e5-4ba4-8b77-6a4cbc0ef5d1" }
    ],
    [
      "a ChangeInfo that throws",
      Object.defineProperty({}, "ChangeInfo", {
        get() {
          throw new Error("boom")
        }
      })
    ]
  ])("%s carries no change and throws nothing", (_, response) => {
    expect(refsFromResponse(response)).toEqual([])
    expect(operationsFromResponse(response, null as never)).toEqual([])
  })

  it("the source reads refs in global whether it was given a client or clientFor", () => {
    const client = new Route53Client({ region: "eu-west-1", credentials })
    const response = { ChangeInfo: changeInfo("PENDING") }
    for (const source of [route53Source({ client }), route53Source({ clientFor: () => client })]) {
      expect(source.refsFromResponse(response)).toEqual([{ service: "route53", region: "global", id }])
      expect(source.refsFromResponse(response, { region: "eu-west-1" })[0]?.region).toBe("global")
      expect(source.refsFromResponse({ Something: 1 })).toEqual([])
    }
    client.destroy()
  })
})

describe("route53Source over the real Route53Client (aws-sdk-client-mock)", () => {
  let client: Route53Client
  beforeEach(() => {
    client = new Route53Client({ region: "us-east-1", credentials })
  })
  afterEach(() => client.destroy())

  const getOnce = (
    source = route53Source({ client }),
    r: OperationRef = { service: "route53", region: "global", id }
  ) => Effect.runPromise(Effect.result(source.get(r)))

  it("waits through PENDING to INSYNC, asking GetChange for the bare ID", async () => {
    mock
      .on(GetChangeCommand)
      .resolvesOnce({ ChangeInfo: changeInfo("PENDING") })
      .resolvesOnce({ ChangeInfo: changeInfo("PENDING") })
      .resolves({ ChangeInfo: changeInfo("INSYNC") })
    const status = createOperationStatus({ sources: [route53Source({ client })] })
    const op = await status.waitForSuccess(ref, quick)
    expect([op.status, op.rawStatus, op.ref.id]).toEqual(["succeeded", "INSYNC", id])
    expect(mock.commandCalls(GetChangeCommand).map((c) => c.args[0].input)).toEqual([
      { Id: id },
      { Id: id },
      { Id: id }
    ])
    await status.close()
  })

  it("a response already INSYNC resolves the wait without a read", async () => {
    const status = createOperationStatus({ sources: [route53Source({ client })] })
    const [snapshot] = operationsFromResponse({ ChangeInfo: changeInfo("INSYNC") })
    expect((await status.waitForSuccess(snapshot!, quick)).status).toBe("succeeded")
    expect(mock.commandCalls(GetChangeCommand)).toHaveLength(0)
    await status.close()
  })

  it("serves global whatever region the client signs for", async () => {
    const frankfurt = new Route53Client({ region: "eu-central-1", credentials })
    mock
      .on(GetChangeCommand)
      .resolves({ ChangeInfo: changeInfo("INSYNC"), $metadata: { requestId: "req-7" } })
    const r = await getOnce(route53Source({ client: frankfurt }))
    expect(r._tag === "Success" && [r.success.status, r.success.requestId, r.success.region]).toEqual([
      "succeeded",
      "req-7",
      "global"
    ])
    frankfurt.destroy()
  })

  it("asks clientFor for the region global", async () => {
    const asked: Array<string> = []
    mock.on(GetChangeCommand).resolves({ ChangeInfo: changeInfo("PENDING") })
    const source = route53Source({
      clientFor: (region) => {
        asked.push(region)
        return client
      }
    })
    expect((await getOnce(source))._tag).toBe("Success")
    expect(asked).toEqual(["global"])
  })

  it("a ref in a region code is InvalidRef before any request", async () => {
    const status = createOperationStatus({ sources: [route53Source({ client })] })
    const error = await rejection(status.get(`route53:us-east-1:${id}`))
    expect(error.reason._tag).toBe("InvalidRef")
    expect(error.message).toContain("global (Route 53 is a global service)")
    const prefixed = await rejection(status.get(`route53:global:/change/${id}`))
    expect(prefixed.reason._tag).toBe("InvalidRef")
    expect(mock.calls()).toHaveLength(0)
    await status.close()
  })

  it("a ChangeInfo without an Id keeps the ID it was asked for", async () => {
    mock.on(GetChangeCommand).resolves({ ChangeInfo: { Status: "INSYNC" } } as never)
    const r = await getOnce()
    expect(r._tag === "Success" && r.success.ref.id).toBe(id)
  })

  it.each([
    ["ChangeInfo: null", { ChangeInfo: null }, "no ChangeInfo"],
    ["no ChangeInfo", {}, "no ChangeInfo"],
    ["a ChangeInfo that is not an object", { ChangeInfo: "INSYNC" }, "GetChange"],
    ["a Status that is not a string", { ChangeInfo: { Id: `/change/${id}`, Status: 5 } }, "GetChange"]
  ])("%s is a typed MalformedResponse with the request ID", async (_, answer, text) => {
    mock.on(GetChangeCommand).resolves({ ...answer, $metadata: { requestId: "req-9" } } as never)
    const r = await getOnce()
    const error = r._tag === "Failure" ? r.failure : undefined
    expect(isOpstatusError(error)).toBe(true)
    expect(error?.reason._tag).toBe("MalformedResponse")
    expect(error?.requestId).toBe("req-9")
    expect(error?.ref).toEqual({ service: "route53", region: "global", id })
    expect(error?.message).toContain(text)
  })

  it("absorbs PriorRequestNotComplete and Throttling and waits on", async () => {
    mock
      .on(GetChangeCommand)
      .rejectsOnce(new PriorRequestNotComplete({ message: "slow down", $metadata: { httpStatusCode: 400 } }))
      .rejectsOnce(
        new Route53ServiceException({
          name: "Throttling",
          $fault: "client",
          message: "Rate exceeded",
          $metadata: { httpStatusCode: 400 }
        })
      )
      .resolves({ ChangeInfo: changeInfo("INSYNC") })
    const status = createOperationStatus({
      sources: [route53Source({ client })],
      fleet: { rateLimit: { start: 1000, min: 1000, max: 1000 } }
    })
    expect((await status.waitForTerminal(ref, quick)).status).toBe("succeeded")
    expect(mock.commandCalls(GetChangeCommand)).toHaveLength(3)
    await status.close()
  })

  it("access denied fails at once", async () => {
    mock.on(GetChangeCommand).rejects(
      new Route53ServiceException({
        name: "AccessDenied",
        $fault: "client",
        message: "denied",
        $metadata: { httpStatusCode: 403 }
      })
    )
    const status = createOperationStatus({ sources: [route53Source({ client })] })
    const error = await rejection(status.waitForTerminal(ref, quick))
    expect([error.reason._tag, error.code]).toEqual(["AccessDenied", "AccessDenied"])
    expect(mock.commandCalls(GetChangeCommand)).toHaveLength(1)
    await status.close()
  })

  it("an InvalidInput fails at once with the service's message", async () => {
    mock
      .on(GetChangeCommand)
      .rejects(new Sdk.InvalidInput({ message: "bad change id", $metadata: { httpStatusCode: 400 } }))
    const status = createOperationStatus({ sources: [route53Source({ client })] })
    const error = await rejection(status.waitForTerminal(ref, quick))
    expect([error.reason._tag, error.code, error.serviceMessage]).toEqual([
      "InvalidRequest",
      "InvalidInput",
      "bad change id"
    ])
    expect(mock.commandCalls(GetChangeCommand)).toHaveLength(1)
    await status.close()
  })

  it("NoSuchChange is waited through for the grace window, then an OperationNotFound (on TestClock)", async () => {
    mock
      .on(GetChangeCommand)
      .rejects(new NoSuchChange({ message: "no change", $metadata: { httpStatusCode: 404 } }))
    const source = route53Source({ client })
    const exit = await Effect.runPromise(
      Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(
          Effect.result(
            waitForTerminal(ref, { minDelay: "1 second", maxDelay: "1 second", notFoundGrace: "10 seconds" })
          )
        )
        for (let t = 0; t < 30; t++) {
          // One turn of the event loop lets the mocked request settle; then a simulated second passes.
          yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
          yield* TestClock.adjust("1 second")
        }
        return yield* Fiber.join(fiber)
      }).pipe(Effect.provide(Layer.merge(TestClock.layer(), OperationSources.layer([source]))))
    )
    const error = exit._tag === "Failure" ? exit.failure : undefined
    expect([error?.reason._tag, error?.code]).toEqual(["OperationNotFound", "NoSuchChange"])
    expect(error?.ref).toEqual({ service: "route53", region: "global", id })
    // Read through the ten simulated seconds of grace, about once a second: never one read only.
    const reads = mock.commandCalls(GetChangeCommand).length
    expect(reads).toBeGreaterThanOrEqual(5)
    expect(reads).toBeLessThanOrEqual(12)
  })

  it("cannot cancel: CancelNotSupported before any request, in both APIs", async () => {
    const source = route53Source({ client })
    expect(source.cancel).toBeUndefined()
    const status = createOperationStatus({ sources: [source] })
    const error = await rejection(status.cancel(ref))
    expect(error.reason._tag).toBe("CancelNotSupported")
    expect(error.message).toContain("Amazon Route 53 operations cannot be cancelled")
    const effect = await Effect.runPromise(
      Effect.result(cancel(ref)).pipe(Effect.provide(OperationSources.layer([source])))
    )
    expect(effect._tag === "Failure" && effect.failure.reason._tag).toBe("CancelNotSupported")
    expect(mock.calls()).toHaveLength(0)
    await status.close()
  })

  it("has no list: InvalidQuery before any request", async () => {
    const r = await Effect.runPromise(
      Effect.result(Stream.runCollect(route53Source({ client }).list("global", {})))
    )
    expect(r._tag === "Failure" && r.failure.reason._tag).toBe("InvalidQuery")
    expect(r._tag === "Failure" && r.failure.message).toContain("no API that lists its changes")
    expect(mock.calls()).toHaveLength(0)
  })

  it.each([
    ["neither client nor clientFor", {}],
    ["a client with a region code", { client: "us-east-1" }],
    ["null", null]
  ])("rejects options with %s as InvalidConfig", (_, options) => {
    const given =
      options !== null && "client" in options
        ? { client: new Route53Client({ region: "us-east-1" }), region: options.client }
        : options
    const error = thrown(() => route53Source(given as never))
    expect(isOpstatusError(error) && error.reason._tag).toBe("InvalidConfig")
  })

  it("accepts a client given the region global", async () => {
    mock.on(GetChangeCommand).resolves({ ChangeInfo: changeInfo("INSYNC") })
    expect((await getOnce(route53Source({ client, region: "global" })))._tag).toBe("Success")
  })
})

describe("a change batch through the real client, then a wait", () => {
  it("ChangeResourceRecordSets' response goes straight to a wait", async () => {
    const client = new Route53Client({ region: "us-east-1", credentials })
    mock.on(ChangeResourceRecordSetsCommand).resolves({ ChangeInfo: changeInfo("PENDING") })
    mock.on(GetChangeCommand).resolves({ ChangeInfo: changeInfo("INSYNC") })
    const source = route53Source({ client })
    const status = createOperationStatus({ sources: [source] })
    try {
      const response = await client.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: "Z1D633PJN98FT9",
          ChangeBatch: {
            Changes: [
              {
                Action: "UPSERT",
                ResourceRecordSet: {
                  Name: "www.example.com.",
                  Type: "A",
                  TTL: 60,
                  ResourceRecords: [{ Value: "192.0.2.44" }]
                }
              }
            ]
          }
        })
      )
      const [r] = source.refsFromResponse(response)
      expect((await status.waitForSuccess(r!, quick)).ref).toEqual({
        service: "route53",
        region: "global",
        id
      })
    } finally {
      await status.close()
      client.destroy()
    }
  })
})

describe("docs/status-mapping.md", () => {
  it("prints the Route 53 table verbatim", async () => {
    const { readFile } = await import("node:fs/promises")
    const doc = await readFile(new URL("../../../docs/status-mapping.md", import.meta.url), "utf8")
    expect(doc).toContain(`<!-- table:route53 -->\n${renderStatusTable(route53StatusTable)}\n`)
  })
})
