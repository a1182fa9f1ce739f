import {
  AccessDeniedError,
  createOperationStatus,
  InvalidOperationRefError,
  OperationFailedError,
  OperationNotFoundError,
  ServiceError
} from "@opstatus/core"
import { Effect, Stream } from "effect"
import { describe, expect, it } from "vitest"
import {
  classifySsmSapError,
  refsFromResponse,
  type SapCallOptions,
  type SapOperation,
  type SapOperationEvent,
  type SsmSapLike,
  ssmSapEventStatusTable,
  ssmSapSource,
  ssmSapStatusTable,
  toFilters,
  toOperation,
  toStep
} from "../src/index.js"

const id = "0c5b2ee3-4a1d-4c5e-9a8c-1d2e3f4a5b6c"
const ref = `ssm-sap:us-east-1:${id}`
const quick = { minDelay: 1, maxDelay: 3, timeout: "5 seconds" } as const

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

/** An SDK-shaped service error, as the real client throws it. */
const sdkError = (name: string, status: number, message = "m") =>
  Object.assign(new Error(message), {
    name,
    Message: message,
    $fault: status >= 500 ? "server" : "client",
    $metadata: { httpStatusCode: status, requestId: "rid-7" }
  })

/** A structural double of the aggregated SsmSap client: answers from a script, records calls. */
class ScriptedSsmSap implements SsmSapLike {
  readonly calls: Array<{ method: string; args: unknown }> = []
  constructor(
    private readonly script: Array<SapOperation | Error>,
    private readonly pages: Record<string, { Operations: SapOperation[]; NextToken?: string }> = {},
    private readonly events: Record<string, { OperationEvents: SapOperationEvent[]; NextToken?: string }> = {}
  ) {}
  private i = 0
  async getOperation(args: { OperationId: string }, _options?: SapCallOptions) {
    this.calls.push({ method: "getOperation", args })
    const step = this.script[Math.min(this.i++, this.script.length - 1)]
    if (step instanceof Error) throw step
    return { Operation: step, $metadata: {} }
  }
  async listOperations(args: { ApplicationId: string; NextToken?: string }) {
    this.calls.push({ method: "listOperations", args })
    return this.pages[args.NextToken ?? ""] ?? { Operations: [] }
  }
  async listOperationEvents(args: { OperationId: string; NextToken?: string }) {
    this.calls.push({ method: "listOperationEvents", args })
    return this.events[args.NextToken ?? ""] ?? { OperationEvents: [] }
  }
}

describe("SSM for SAP status mapping", () => {
  it.each([
    ["INPROGRESS", "running", false],
    ["SUCCESS", "succeeded", true],
    ["ERROR", "failed", true]
  ] as const)("%s maps to %s (terminal %s)", (status, unified, terminal) => {
    const op = toOperation(raw(status), "us-east-1")
    expect([op.status, op.terminal, op.rawStatus]).toEqual([unified, terminal, status])
  })

  it("covers every raw value of the tables", () => {
    expect(Object.keys(ssmSapStatusTable).sort()).toEqual(["ERROR", "INPROGRESS", "SUCCESS"])
    expect(Object.keys(ssmSapEventStatusTable).sort()).toEqual(["COMPLETED", "FAILED", "IN_PROGRESS"])
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
    const op = toOperation(raw("CANCELLED_BY_USER"), "us-east-1")
    expect([op.status, op.terminal]).toEqual(["unknown", false])
  })

  it("an ERROR carries StatusMessage as the message", () => {
    const op = toOperation(raw("ERROR", { StatusMessage: "HANA did not start: timeout" }), "us-east-1")
    expect(op.error).toEqual({ message: "HANA did not start: timeout" })
  })

  it("keeps Properties, the resource and the application hint", () => {
    const op = toOperation(raw("SUCCESS"), "us-east-1")
    expect(op.properties).toEqual({ SAPApplicationId: "hana-prod" })
    expect(op.resource.arn).toContain("hana-prod")
    expect(op.ref.applicationId).toBe("hana-prod")
    expect(op.endedAt?.toISOString()).toBe("2026-01-01T00:05:00.000Z")
  })
})

describe("classifySsmSapError: every modelled exception", () => {
  it.each([
    ["ResourceNotFoundException", 404, "not-found"],
    ["ValidationException", 400, "invalid"],
    ["ConflictException", 409, "invalid"],
    ["UnauthorizedException", 401, "unauthenticated"],
    ["InternalServerException", 500, "transient"],
    ["ThrottlingException", 429, "throttled"],
    ["AccessDeniedException", 403, "denied"]
  ])("%s (%i) is %s", (name, status, reason) => {
    const c = classifySsmSapError(sdkError(name, status))
    expect(c.reason).toBe(reason)
    expect(c.code).toBe(name)
    expect(c.requestId).toBe("rid-7")
  })
})

describe("toFilters", () => {
  const filters = (q: Parameters<typeof toFilters>[0]) => Effect.runPromise(Effect.result(toFilters(q)))
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
    [{ applicationId: "a", maxResults: 51 }, "from 1 to 50"],
    [
      {
        applicationId: "a",
        filters: Array.from({ length: 11 }, () => ({ Name: "x", Value: "y", Operator: "Equals" }))
      },
      "at most 10"
    ],
    [{ applicationId: "a", filters: [{ Name: "", Value: "y", Operator: "Equals" }] }, "1 to 32"]
  ] as const)("rejects %j", async (query, text) => {
    const r = await filters(query as never)
    expect(r._tag === "Failure" && r.failure.message).toContain(text)
  })
})

describe("ssmSapSource over a structural client", () => {
  it("waits INPROGRESS to SUCCESS through the aggregated client, passing an abort signal", async () => {
    const client = new ScriptedSsmSap([raw("INPROGRESS"), raw("INPROGRESS"), raw("SUCCESS")])
    const status = createOperationStatus({ sources: [ssmSapSource({ client, region: "us-east-1" })] })
    expect((await status.waitForSuccess(ref, quick)).status).toBe("succeeded")
    expect(client.calls.filter((c) => c.method === "getOperation")).toHaveLength(3)
    expect(client.calls[0]?.args).toEqual({ OperationId: id })
  })

  it("an ERROR rejects waitForSuccess with the StatusMessage", async () => {
    const client = new ScriptedSsmSap([raw("ERROR", { StatusMessage: "stop failed on i-123" })])
    const status = createOperationStatus({ sources: [ssmSapSource({ client, region: "us-east-1" })] })
    const error = await status.waitForSuccess(ref, quick).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(OperationFailedError)
    expect((error as Error).message).toContain("stop failed on i-123")
  })

  it("works with a bare client plus its command classes", async () => {
    class GetOperationCommand {
      constructor(readonly input: unknown) {}
    }
    class ListOperationsCommand extends GetOperationCommand {}
    class ListOperationEventsCommand extends GetOperationCommand {}
    const sent: unknown[] = []
    const bare = {
      send: async (command: GetOperationCommand) => {
        sent.push(command)
        return { Operation: raw("SUCCESS") }
      }
    }
    const source = ssmSapSource({
      client: bare,
      region: "us-east-1",
      commands: { GetOperationCommand, ListOperationsCommand, ListOperationEventsCommand }
    })
    const status = createOperationStatus({ sources: [source] })
    expect((await status.get(ref)).status).toBe("succeeded")
    expect(sent[0]).toBeInstanceOf(GetOperationCommand)
    expect((sent[0] as GetOperationCommand).input).toEqual({ OperationId: id })
  })

  it("a bare client without its commands is refused with a clear message", () => {
    expect(() => ssmSapSource({ client: { send: async () => ({}) } })).toThrow(/needs its command classes/)
    expect(() => ssmSapSource({ client: {} as never })).toThrow(/must be an SsmSap/)
  })

  it("UnauthorizedException fails at once as AccessDeniedError", async () => {
    const client = new ScriptedSsmSap([sdkError("UnauthorizedException", 401, "bad token")])
    const status = createOperationStatus({ sources: [ssmSapSource({ client, region: "us-east-1" })] })
    await expect(status.waitForTerminal(ref, quick)).rejects.toBeInstanceOf(AccessDeniedError)
    expect(client.calls).toHaveLength(1)
  })

  it("ValidationException fails at once as ServiceError with the code", async () => {
    const client = new ScriptedSsmSap([sdkError("ValidationException", 400, "bad id")])
    const status = createOperationStatus({ sources: [ssmSapSource({ client, region: "us-east-1" })] })
    const error = (await status.waitForTerminal(ref, quick).catch((e: unknown) => e)) as ServiceError
    expect(error).toBeInstanceOf(ServiceError)
    expect(error.code).toBe("ValidationException")
  })

  it("absorbs throttling and internal errors", async () => {
    const client = new ScriptedSsmSap([
      sdkError("ThrottlingException", 429),
      sdkError("InternalServerException", 500),
      raw("SUCCESS")
    ])
    const status = createOperationStatus({ sources: [ssmSapSource({ client, region: "us-east-1" })] })
    expect((await status.waitForTerminal(ref, quick)).status).toBe("succeeded")
  })

  it("ResourceNotFoundException after the grace window is OperationNotFoundError", async () => {
    const client = new ScriptedSsmSap([sdkError("ResourceNotFoundException", 404)])
    const status = createOperationStatus({ sources: [ssmSapSource({ client, region: "us-east-1" })] })
    await expect(status.waitForTerminal(ref, { ...quick, notFoundGrace: 10 })).rejects.toBeInstanceOf(
      OperationNotFoundError
    )
  })

  it("lists an application's operations across pages", async () => {
    const client = new ScriptedSsmSap([], {
      "": { Operations: [raw("SUCCESS", { Id: "a" })], NextToken: "n".repeat(16) },
      ["n".repeat(16)]: { Operations: [raw("ERROR", { Id: "b" })] }
    })
    const source = ssmSapSource({ client, region: "us-east-1" })
    const ops = await Effect.runPromise(
      Stream.runCollect(source.list("us-east-1", { applicationId: "hana-prod", status: "SUCCESS" }))
    )
    expect(ops.map((o) => o.ref.id)).toEqual(["a", "b"])
    expect(client.calls[0]?.args).toEqual({
      ApplicationId: "hana-prod",
      Filters: [{ Name: "Status", Value: "SUCCESS", Operator: "Equals" }]
    })
  })

  it("reads ListOperationEvents as steps, with includeSteps on every poll", async () => {
    const client = new ScriptedSsmSap(
      [raw("SUCCESS")],
      {},
      {
        "": {
          OperationEvents: [
            { Description: "Stop EC2", Status: "COMPLETED", Resource: { ResourceType: "AWS::EC2::Instance" } }
          ],
          NextToken: "e".repeat(16)
        },
        ["e".repeat(16)]: {
          OperationEvents: [{ Description: "Stop HANA", Status: "FAILED", StatusMessage: "timeout" }]
        }
      }
    )
    const status = createOperationStatus({
      sources: [ssmSapSource({ client, region: "us-east-1", includeSteps: true })]
    })
    const op = await status.get(ref)
    expect(op.steps?.map((s) => [s.description, s.status])).toEqual([
      ["Stop EC2", "succeeded"],
      ["Stop HANA", "failed"]
    ])
    expect(op.steps?.[0]?.resource?.type).toBe("AWS::EC2::Instance")
  })

  it("rejects a region the client does not serve before any request", async () => {
    const client = new ScriptedSsmSap([raw("SUCCESS")])
    const status = createOperationStatus({ sources: [ssmSapSource({ client, region: "us-east-1" })] })
    await expect(status.get(`ssm-sap:eu-central-1:${id}`)).rejects.toBeInstanceOf(InvalidOperationRefError)
    expect(client.calls).toHaveLength(0)
  })
})

describe("refsFromResponse", () => {
  it("reads { OperationId } (StartApplication) and the application from RegisterApplication", () => {
    expect(
      refsFromResponse({ OperationId: id, Application: { Id: "hana-prod" } }, { region: "us-east-1" })
    ).toEqual([{ service: "ssm-sap", region: "us-east-1", id, applicationId: "hana-prod" }])
  })
  it("reads { OperationIds } (UpdateApplicationSettings)", () => {
    const refs = refsFromResponse(
      { Message: "ok", OperationIds: ["a", "b"] },
      { region: "eu-west-1", applicationId: "x" }
    )
    expect(refs.map((r) => [r.id, r.applicationId])).toEqual([
      ["a", "x"],
      ["b", "x"]
    ])
  })
  it("needs a region", () => {
    expect(() => refsFromResponse({ OperationId: id })).toThrow(InvalidOperationRefError)
    expect(refsFromResponse({}, { region: "us-east-1" })).toEqual([])
  })
})

describe("docs/status-mapping.md", () => {
  it("prints the SSM for SAP tables verbatim", async () => {
    const { readFile } = await import("node:fs/promises")
    const { renderStatusTable } = await import("@opstatus/core")
    const doc = await readFile(new URL("../../../docs/status-mapping.md", import.meta.url), "utf8")
    expect(doc).toContain(`<!-- table:ssm-sap -->\n${renderStatusTable(ssmSapStatusTable)}\n`)
    expect(doc).toContain(`<!-- table:ssm-sap-events -->\n${renderStatusTable(ssmSapEventStatusTable)}\n`)
  })
})
