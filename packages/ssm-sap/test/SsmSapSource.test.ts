import { createOperationStatus, hasReason, isOpstatusError, type OpstatusError } from "@opstatus/core"
import { renderStatusTable } from "@opstatus/core/adapter-kit"
import { SsmSapHttpClient } from "@opstatus/ssm-sap/http"
import { Effect, Stream } from "effect"
import { describe, expect, it } from "vitest"
import {
  classifySsmSapError,
  refsFromResponse,
  type SapOperation,
  type SsmSapQuery,
  ssmSapEventStatusTable,
  ssmSapService,
  ssmSapSource,
  ssmSapStatusTable,
  toFilters,
  toOperation,
  toStep
} from "../src/index.js"
import { emulator, failure, fastLane, ok, quick, region, rejection, type Seen, serve } from "./helpers.js"

const id = "0c5b2ee3-4a1d-4c5e-9a8c-1d2e3f4a5b6c"
const ref = `ssm-sap:${region}:${id}`

/** An operation as SSM for SAP sends it on the wire (epoch seconds). */
const wireOp = (Status: string, extra: Record<string, unknown> = {}) => ({
  Id: id,
  Type: "START_APPLICATION",
  Status,
  Properties: { SAPApplicationId: "hana-prod" },
  ResourceType: "AWS::SSMSAP::Application",
  ResourceId: "hana-prod",
  ResourceArn: "arn:aws:ssm-sap:us-east-1:111122223333:HANA/hana-prod",
  StartTime: 1_767_225_600,
  LastUpdatedTime: 1_767_225_900,
  ...(Status === "INPROGRESS" ? {} : { EndTime: 1_767_225_900 }),
  ...extra
})

/** The same operation as the SDK returns it (Dates). */
const raw = (Status: string, extra: Partial<SapOperation> = {}): SapOperation => ({
  Id: id,
  Type: "START_APPLICATION",
  Status,
  Properties: { SAPApplicationId: "hana-prod" },
  ResourceType: "AWS::SSMSAP::Application",
  ResourceId: "hana-prod",
  ResourceArn: "arn:aws:ssm-sap:us-east-1:111122223333:HANA/hana-prod",
  StartTime: new Date("2026-01-01T00:00:00Z"),
  LastUpdatedTime: new Date("2026-01-01T00:05:00Z"),
  ...(Status === "INPROGRESS" ? {} : { EndTime: new Date("2026-01-01T00:05:00Z") }),
  ...extra
})

/** Answers each call path from its own script; the last step repeats. */
const scripted = (scripts: Record<string, ReadonlyArray<unknown>>) => {
  const at: Record<string, number> = {}
  return serve((seen: Seen) => {
    const script = scripts[seen.url] ?? [failure(404, "UnknownOperationException")]
    const i = at[seen.url] ?? 0
    at[seen.url] = i + 1
    const step = script[Math.min(i, script.length - 1)]
    return typeof step === "object" && step !== null && "status" in step ? (step as never) : ok(step)
  })
}

const bodies = (seen: ReadonlyArray<Seen>, path: string) =>
  seen.filter((s) => s.url === path).map((s) => JSON.parse(s.body) as unknown)

const reasonOf = (error: unknown) => (isOpstatusError(error) ? error.reason._tag : String(error))

describe("SSM for SAP status mapping", () => {
  it.each([
    ["INPROGRESS", "running", false],
    ["SUCCESS", "succeeded", true],
    ["ERROR", "failed", true]
  ] as const)("%s maps to %s (terminal %s)", (status, unified, terminal) => {
    const op = toOperation(raw(status), region)
    expect([op.status, op.terminal, op.rawStatus]).toEqual([unified, terminal, status])
  })

  it("covers every raw value of the tables, and the source declares the operation table", () => {
    expect(Object.keys(ssmSapStatusTable).sort()).toEqual(["ERROR", "INPROGRESS", "SUCCESS"])
    expect(Object.keys(ssmSapEventStatusTable).sort()).toEqual(["COMPLETED", "FAILED", "IN_PROGRESS"])
    expect(ssmSapService.statusTable).toBe(ssmSapStatusTable)
  })

  it.each([
    ["IN_PROGRESS", "running"],
    ["COMPLETED", "succeeded"],
    ["FAILED", "failed"],
    ["SKIPPED", "unknown"]
  ] as const)("event status %s maps to %s", (status, unified) => {
    expect(toStep({ Status: status }).status).toBe(unified)
  })

  it("an unknown status is unknown and not terminal", () => {
    const op = toOperation(raw("CANCELLED_BY_USER"), region)
    expect([op.status, op.terminal]).toEqual(["unknown", false])
  })

  it("an ERROR carries StatusMessage as the message", () => {
    const op = toOperation(raw("ERROR", { StatusMessage: "HANA did not start: timeout" }), region)
    expect(op.error).toEqual({ message: "HANA did not start: timeout" })
  })

  it("keeps Properties, the resource, the dates, the request ID and the application hint", () => {
    const op = toOperation(raw("SUCCESS"), region, undefined, "req-1")
    expect(op.properties).toEqual({ SAPApplicationId: "hana-prod" })
    expect(op.resource.arn).toContain("hana-prod")
    expect(op.ref).toEqual({ service: "ssm-sap", region, id, hints: { applicationId: "hana-prod" } })
    expect(op.createdAt?.toISOString()).toBe("2026-01-01T00:00:00.000Z")
    expect(op.endedAt?.toISOString()).toBe("2026-01-01T00:05:00.000Z")
    expect(op.requestId).toBe("req-1")
  })

  it("takes the application from Properties when the resource is not the application", () => {
    const op = toOperation(
      raw("SUCCESS", { ResourceType: "AWS::EC2::Instance", ResourceId: "i-0abc" }),
      region
    )
    expect(op.ref.hints).toEqual({ applicationId: "hana-prod" })
  })

  it("is total: nulls, a sparse Properties map and mistyped fields are absent, never a throw", () => {
    const op = toOperation(
      {
        Id: id,
        Status: "ERROR",
        StatusMessage: null,
        Type: null,
        Properties: { SAPApplicationId: null, Sid: "HDB" },
        ResourceType: 7 as never,
        ResourceId: null,
        StartTime: null,
        EndTime: "soon"
      },
      region
    )
    expect(op.properties).toEqual({ Sid: "HDB" })
    expect(op.type).toBeUndefined()
    expect(op.resource).toEqual({})
    expect(op.ref.hints).toBeUndefined()
    expect(op.error).toEqual({ message: "The SSM for SAP operation failed" })
    expect(op.createdAt).toBeUndefined()
    expect(op.endedAt).toBeUndefined()
    expect(toOperation(null as never, region)).toMatchObject({
      status: "unknown",
      rawStatus: "",
      ref: { id: "" }
    })
  })

  it("maps an event with Resource null to a step without a resource", () => {
    expect(
      toStep({ Description: "Stop HANA", Status: "COMPLETED", Resource: null, Timestamp: 1_767_225_600 })
    ).toEqual({
      description: "Stop HANA",
      status: "succeeded",
      rawStatus: "COMPLETED",
      at: new Date("2026-01-01T00:00:00Z")
    })
    expect(
      toStep({ Status: "FAILED", Resource: { ResourceType: "AWS::EC2::Instance", ResourceArn: null } })
    ).toEqual({ status: "failed", rawStatus: "FAILED", resource: { type: "AWS::EC2::Instance" } })
  })
})

describe("classifySsmSapError: every modelled exception, as the SigV4 client throws it", () => {
  it.each([
    ["ResourceNotFoundException", 404, "OperationNotFound"],
    ["ValidationException", 400, "InvalidRequest"],
    ["ConflictException", 409, "InvalidRequest"],
    ["UnauthorizedException", 401, "Unauthenticated"],
    ["InternalServerException", 500, "ServiceUnavailable"],
    ["ThrottlingException", 429, "Throttled"],
    ["AccessDeniedException", 403, "AccessDenied"]
  ])("%s (%i) is %s", async (name, status, reason) => {
    const { client } = await serve(() => failure(status, name, "the service said no"))
    const c = classifySsmSapError(await rejection(client.getOperation({ OperationId: id })))
    expect(c.reason._tag).toBe(reason)
    expect([c.code, c.requestId, c.serviceMessage]).toEqual([name, "rid-7", "the service said no"])
  })

  it("a body that is not JSON is a malformed answer", async () => {
    const { client } = await serve(() => ({ status: 200, body: "{trunc" }))
    expect(classifySsmSapError(await rejection(client.getOperation({ OperationId: id }))).reason._tag).toBe(
      "MalformedResponse"
    )
  })
})

describe("toFilters", () => {
  const filters = (q: unknown) => Effect.runPromise(Effect.result(toFilters(q as SsmSapQuery)))
  it("builds Equals and range filters", async () => {
    const r = await filters({
      applicationId: "app",
      status: "ERROR",
      startedAfter: new Date(1_700_000_000_000)
    })
    expect(r._tag === "Success" && r.success).toEqual([
      { Name: "Status", Value: "ERROR", Operator: "Equals" },
      { Name: "StartTime", Value: "1700000000", Operator: "GreaterThanOrEquals" }
    ])
  })
  it.each([
    [{ applicationId: "" }, "needs an applicationId"],
    [null, "needs an applicationId"],
    [{ applicationId: "a", maxResults: 51 }, "from 1 to 50"],
    [{ applicationId: "a", maxResults: "5" }, "from 1 to 50"],
    [{ applicationId: "a", status: 3 }, "status must be a string"],
    [{ applicationId: "a", startedBefore: new Date("nope") }, "valid dates"],
    [
      {
        applicationId: "a",
        filters: Array.from({ length: 11 }, () => ({ Name: "x", Value: "y", Operator: "Equals" }))
      },
      "at most 10"
    ],
    [{ applicationId: "a", filters: [{ Name: "", Value: "y", Operator: "Equals" }] }, "1 to 32"],
    [
      { applicationId: "a", filters: [{ Name: "x", Value: "y", Operator: "GreaterThanOrEqual" }] },
      "operators"
    ],
    [{ applicationId: "a", filters: [null] }, "1 to 32"],
    [{ applicationId: "a", filters: "Status=ERROR" }, "must be an array"]
  ] as const)("rejects %j with InvalidQuery, never a throw", async (query, text) => {
    const r = await filters(query)
    expect(r._tag).toBe("Failure")
    const error = (r as { failure: OpstatusError }).failure
    expect(hasReason(error, "InvalidQuery")).toBe(true)
    expect(error.message).toContain(text)
  })
})

describe("ssmSapSource over the SigV4 client", () => {
  it("waits INPROGRESS to SUCCESS, one GetOperation per poll with the ID", async () => {
    const { client, seen } = await scripted({
      "/get-operation": [
        { Operation: wireOp("INPROGRESS") },
        { Operation: wireOp("INPROGRESS") },
        ok({ Operation: wireOp("SUCCESS") }, "req-3")
      ]
    })
    await using status = createOperationStatus({ sources: [ssmSapSource({ client, region })] })
    const done = await status.waitForSuccess(ref, quick)
    expect([done.status, done.requestId]).toEqual(["succeeded", "req-3"])
    expect(bodies(seen, "/get-operation")).toEqual([
      { OperationId: id },
      { OperationId: id },
      { OperationId: id }
    ])
  })

  it("an ERROR rejects waitForSuccess with OperationFailed carrying the StatusMessage", async () => {
    const { client } = await scripted({
      "/get-operation": [{ Operation: wireOp("ERROR", { StatusMessage: "stop failed on i-123" }) }]
    })
    const status = createOperationStatus({ sources: [ssmSapSource({ client, region })] })
    const error = await rejection(status.waitForSuccess(ref, quick))
    expect(hasReason(error, "OperationFailed")).toBe(true)
    expect(error.message).toContain("stop failed on i-123")
    expect(error.operation.error).toEqual({ message: "stop failed on i-123" })
    await status.close()
  })

  it("works with a bare client plus its command classes", async () => {
    class GetOperationCommand {
      constructor(readonly input: any) {}
    }
    class ListOperationsCommand extends GetOperationCommand {}
    class ListOperationEventsCommand extends GetOperationCommand {}
    const { client: http } = await scripted({ "/get-operation": [{ Operation: wireOp("SUCCESS") }] })
    const sent: Array<unknown> = []
    // A bare client in the SDK's shape: one `send`, dispatching on the command.
    const bare = {
      send: (command: GetOperationCommand, options?: { abortSignal?: AbortSignal }) => {
        sent.push(command)
        if (command instanceof ListOperationsCommand) return http.listOperations(command.input, options)
        if (command instanceof ListOperationEventsCommand)
          return http.listOperationEvents(command.input, options)
        return http.getOperation(command.input, options)
      }
    }
    const source = ssmSapSource({
      client: bare,
      region,
      commands: { GetOperationCommand, ListOperationsCommand, ListOperationEventsCommand }
    })
    const status = createOperationStatus({ sources: [source] })
    expect((await status.get(ref)).status).toBe("succeeded")
    expect(sent[0]).toBeInstanceOf(GetOperationCommand)
    expect((sent[0] as GetOperationCommand).input).toEqual({ OperationId: id })
    await status.close()
  })

  it.each([
    [{ client: { send: async () => ({}) } }, /needs its command classes/],
    [
      { client: { send: async () => ({}) }, commands: { GetOperationCommand: class {} } },
      /needs its command classes/
    ],
    [{ client: {} }, /must be an SsmSap/],
    [{ client: null }, /SsmSap/],
    [{ client: "ssm-sap" }, /SsmSap/],
    [
      {
        client: new SsmSapHttpClient({ region, credentials: { accessKeyId: "a", secretAccessKey: "b" } }),
        region: 5
      },
      /region/
    ],
    [{}, /client/],
    [null, /client/],
    [{ clientFor: "us-east-1" }, /client/]
  ])("bad client options %# throw InvalidConfig, not a TypeError", (options, message) => {
    let thrown: unknown
    try {
      ssmSapSource(options as never)
    } catch (error) {
      thrown = error
    }
    expect(hasReason(thrown, "InvalidConfig")).toBe(true)
    expect((thrown as Error).message).toMatch(message)
  })

  it("a clientFor that returns no usable client refuses the region before any request", async () => {
    const source = ssmSapSource({ clientFor: (r) => (r === "eu-west-1" ? ({} as never) : undefined) })
    const status = createOperationStatus({ sources: [source] })
    for (const r of ["eu-west-1", "ap-south-1"]) {
      expect(reasonOf(await rejection(status.get(`ssm-sap:${r}:${id}`)))).toBe("InvalidRef")
    }
    await status.close()
  })

  it("UnauthorizedException fails at once as Unauthenticated", async () => {
    const { client, seen } = await scripted({
      "/get-operation": [failure(401, "UnauthorizedException", "bad token")]
    })
    const status = createOperationStatus({ sources: [ssmSapSource({ client, region })] })
    const error = await rejection(status.waitForTerminal(ref, quick))
    expect(hasReason(error, "Unauthenticated")).toBe(true)
    expect(error.ref).toEqual({ service: "ssm-sap", region, id })
    expect(seen).toHaveLength(1)
    await status.close()
  })

  it("ValidationException fails at once as InvalidRequest with the code", async () => {
    const { client, seen } = await scripted({
      "/get-operation": [failure(400, "ValidationException", "bad id")]
    })
    const status = createOperationStatus({ sources: [ssmSapSource({ client, region })] })
    const error = await rejection(status.waitForTerminal(ref, quick))
    expect(hasReason(error, "InvalidRequest")).toBe(true)
    expect([error.code, error.serviceMessage]).toEqual(["ValidationException", "bad id"])
    expect(seen).toHaveLength(1)
    await status.close()
  })

  it("absorbs throttling and internal errors", async () => {
    const { client, seen } = await scripted({
      "/get-operation": [
        failure(429, "ThrottlingException"),
        failure(500, "InternalServerException"),
        { Operation: wireOp("SUCCESS") }
      ]
    })
    const status = createOperationStatus({ sources: [ssmSapSource({ client, region })], fleet: fastLane })
    expect((await status.waitForTerminal(ref, quick)).status).toBe("succeeded")
    expect(seen).toHaveLength(3)
    await status.close()
  })

  it("ResourceNotFoundException after the grace window is OperationNotFound", async () => {
    const { client } = await scripted({ "/get-operation": [failure(404, "ResourceNotFoundException")] })
    const status = createOperationStatus({ sources: [ssmSapSource({ client, region })] })
    const error = await rejection(status.waitForTerminal(ref, { ...quick, notFoundGrace: 10 }))
    expect(hasReason(error, "OperationNotFound")).toBe(true)
    await status.close()
  })

  it("interrupting a read aborts the request in flight", async () => {
    const { client, seen, dropped } = await serve(() => "hang")
    const status = createOperationStatus({ sources: [ssmSapSource({ client, region })] })
    const controller = new AbortController()
    const pending = status.get(ref, { signal: controller.signal })
    await expect.poll(() => seen.length).toBe(1)
    controller.abort()
    expect(reasonOf(await rejection(pending))).toBe("WaitAborted")
    await expect.poll(() => dropped.length).toBe(1)
    expect(seen).toHaveLength(1)
    await status.close()
  })

  it("lists an application's operations across pages, with the filters on the wire", async () => {
    const { client, seen } = await scripted({
      "/list-operations": [
        ok({ Operations: [wireOp("SUCCESS", { Id: "a" })], NextToken: "n".repeat(16) }, "req-p1"),
        ok({ Operations: [wireOp("SUCCESS", { Id: "b" })] }, "req-p2")
      ]
    })
    const source = ssmSapSource({ client, region })
    const ops = await Effect.runPromise(
      Stream.runCollect(source.list(region, { applicationId: "hana-prod", status: "SUCCESS", maxResults: 1 }))
    )
    expect(ops.map((o) => [o.ref.id, o.requestId])).toEqual([
      ["a", "req-p1"],
      ["b", "req-p2"]
    ])
    expect(bodies(seen, "/list-operations")).toEqual([
      {
        ApplicationId: "hana-prod",
        MaxResults: 1,
        Filters: [{ Name: "Status", Value: "SUCCESS", Operator: "Equals" }]
      },
      {
        ApplicationId: "hana-prod",
        MaxResults: 1,
        Filters: [{ Name: "Status", Value: "SUCCESS", Operator: "Equals" }],
        NextToken: "n".repeat(16)
      }
    ])
  })

  it("a bad list query fails with InvalidQuery before any request", async () => {
    const { client, seen } = await scripted({})
    const source = ssmSapSource({ client, region })
    const r = await Effect.runPromise(
      Effect.result(Stream.runCollect(source.list(region, { applicationId: "" })))
    )
    expect(r._tag === "Failure" && r.failure.reason._tag).toBe("InvalidQuery")
    expect(seen).toHaveLength(0)
  })

  it("reads ListOperationEvents as steps, with includeSteps on every poll, and as a stream of its own", async () => {
    const { client, seen } = await scripted({
      "/get-operation": [{ Operation: wireOp("SUCCESS") }],
      "/list-operation-events": [
        {
          OperationEvents: [
            { Description: "Stop EC2", Status: "COMPLETED", Resource: { ResourceType: "AWS::EC2::Instance" } }
          ],
          NextToken: "e".repeat(16)
        },
        { OperationEvents: [{ Description: "Stop HANA", Status: "FAILED", StatusMessage: "timeout" }] },
        { OperationEvents: [{ Description: "Stop EC2", Status: "COMPLETED" }] }
      ]
    })
    const source = ssmSapSource({ client, region, includeSteps: true })
    const status = createOperationStatus({ sources: [source] })
    const op = await status.get(ref)
    expect(op.steps?.map((s) => [s.description, s.status])).toEqual([
      ["Stop EC2", "succeeded"],
      ["Stop HANA", "failed"]
    ])
    expect(op.steps?.[0]?.resource?.type).toBe("AWS::EC2::Instance")
    expect(bodies(seen, "/list-operation-events")).toEqual([
      { OperationId: id },
      { OperationId: id, NextToken: "e".repeat(16) }
    ])
    const steps = await Effect.runPromise(Stream.runCollect(source.steps({ service: "ssm-sap", region, id })))
    expect(steps.map((s) => s.description)).toEqual(["Stop EC2"])
    await status.close()
  })

  it("rejects a region the client does not serve before any request", async () => {
    const { client, seen } = await scripted({ "/get-operation": [{ Operation: wireOp("SUCCESS") }] })
    const status = createOperationStatus({ sources: [ssmSapSource({ client, region })] })
    expect(reasonOf(await rejection(status.get(`ssm-sap:eu-central-1:${id}`)))).toBe("InvalidRef")
    expect(seen).toHaveLength(0)
    await status.close()
  })

  it("rejects an ID that is not a UUID, optionally in braces, before any request", async () => {
    const { client, seen } = await scripted({ "/get-operation": [{ Operation: wireOp("SUCCESS") }] })
    const status = createOperationStatus({ sources: [ssmSapSource({ client, region })] })
    for (const bad of ["not-a-uuid", `${id}-${id}`]) {
      const error = await rejection(status.get(`ssm-sap:${region}:${bad}`))
      expect(hasReason(error, "InvalidRef")).toBe(true)
    }
    expect((await rejection(status.get(`ssm-sap:${region}:x${id}`))).message).toContain(
      "a UUID, optionally in braces"
    )
    // Braces are part of the ID SSM for SAP accepts.
    expect((await status.get(`ssm-sap:${region}:{${id}}`)).status).toBe("succeeded")
    expect(seen.map((s) => JSON.parse(s.body))).toEqual([{ OperationId: `{${id}}` }])
    await status.close()
  })
})

describe("refsFromResponse", () => {
  it("reads { OperationId } and the application from RegisterApplication", () => {
    expect(refsFromResponse({ OperationId: id, Application: { Id: "hana-prod" } }, { region })).toEqual([
      { service: "ssm-sap", region, id, hints: { applicationId: "hana-prod" } }
    ])
  })

  it("reads { OperationIds } (UpdateApplicationSettings) with the caller's hints", () => {
    const refs = refsFromResponse(
      { Message: "ok", OperationIds: ["a", "b", 7, null] },
      { region: "eu-west-1", hints: { applicationId: "x" } }
    )
    expect(refs.map((r) => [r.id, r.region, r.hints?.applicationId])).toEqual([
      ["a", "eu-west-1", "x"],
      ["b", "eu-west-1", "x"]
    ])
  })

  it("is total on any response, and needs a region only when there are IDs", () => {
    for (const response of [undefined, null, 7, "x", [], {}, { OperationId: 7 }, { OperationIds: "a" }]) {
      expect(refsFromResponse(response, {})).toEqual([])
    }
    let thrown: unknown
    try {
      refsFromResponse({ OperationId: id })
    } catch (error) {
      thrown = error
    }
    expect(hasReason(thrown, "InvalidRef")).toBe(true)
  })

  it("takes the region of the source's client: given, or a string in the client's config", async () => {
    const { client } = await serve(() => ok({}))
    expect(ssmSapSource({ client, region: "eu-west-1" }).refsFromResponse({ OperationId: id })).toEqual([
      { service: "ssm-sap", region: "eu-west-1", id }
    ])
    const configured = Object.assign(client, { config: { region: "ap-south-1" } })
    expect(
      ssmSapSource({ client: configured }).refsFromResponse({ OperationId: id, Application: { Id: "hana" } })
    ).toEqual([{ service: "ssm-sap", region: "ap-south-1", id, hints: { applicationId: "hana" } }])
    // An explicit region wins over the client's.
    expect(
      ssmSapSource({ client: configured }).refsFromResponse({ OperationId: id }, { region })[0]?.region
    ).toBe(region)
    // A factory knows no single region.
    expect(() => ssmSapSource({ clientFor: () => client }).refsFromResponse({ OperationId: id })).toThrow(
      /pass \{ region \}/
    )
  })

  it("gives refs that wait through the emulator: StartApplication, then waitForSuccess", async () => {
    const emu = await emulator()
    const client = new SsmSapHttpClient({
      region,
      endpoint: emu.endpoint,
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "x" }
    })
    const source = ssmSapSource({ client, region })
    const status = createOperationStatus({ sources: [source] })
    const [started] = source.refsFromResponse(await client.startApplication({ ApplicationId: "hana-prod" }), {
      hints: { applicationId: "hana-prod" }
    })
    const done = await status.waitForSuccess(started!, quick)
    expect([done.type, done.ref.hints?.applicationId]).toEqual(["START_APPLICATION", "hana-prod"])
    await status.close()
  })
})

describe("docs/status-mapping.md", () => {
  it("prints the SSM for SAP tables verbatim", async () => {
    const { readFile } = await import("node:fs/promises")
    const doc = await readFile(new URL("../../../docs/status-mapping.md", import.meta.url), "utf8")
    expect(doc).toContain(`<!-- table:ssm-sap -->\n${renderStatusTable(ssmSapStatusTable)}\n`)
    expect(doc).toContain(`<!-- table:ssm-sap-events -->\n${renderStatusTable(ssmSapEventStatusTable)}\n`)
  })
})
