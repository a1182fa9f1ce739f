/**
 * What SSM for SAP may put on the wire that the models do not promise:
 * `null` for an object or a list element, a mistyped field. Each is read
 * through the SigV4 client, and each is an answer or a typed
 * `MalformedResponse`, never a throw.
 */
import { createOperationStatus, hasReason, type OpstatusError } from "@opstatus/core"
import { Effect, Stream } from "effect"
import { describe, expect, it } from "vitest"
import { ssmSapSource } from "../src/index.js"
import { callsTo, emulator, httpClient, ok, proxy, quick, region, rejection, serve } from "./helpers.js"

const id = "0c5b2ee3-4a1d-4c5e-9a8c-1d2e3f4a5b6c"
const ref = { service: "ssm-sap", region, id } as const

const op = (extra: Record<string, unknown> = {}) => ({
  Id: id,
  Type: "STOP_APPLICATION",
  Status: "SUCCESS",
  ResourceType: "AWS::SSMSAP::Application",
  ResourceId: "hana-prod",
  StartTime: 1_767_225_600,
  ...extra
})

const failureOf = async <A>(effect: Effect.Effect<A, OpstatusError>): Promise<OpstatusError> => {
  const result = await Effect.runPromise(Effect.result(effect))
  if (result._tag === "Success") throw new Error("expected a failure")
  return result.failure
}

describe("GetOperation answers", () => {
  it.each([
    ["Operation: null", { Operation: null }],
    ["no Operation", {}]
  ])("%s is a MalformedResponse with the request ID", async (_name, body) => {
    const { client } = await serve(() => ok(body, "req-null"))
    const source = ssmSapSource({ client, region })
    const error = await failureOf(source.get(ref))
    expect(hasReason(error, "MalformedResponse")).toBe(true)
    expect(error.serviceMessage).toBe("GetOperation returned no Operation")
    expect(error.requestId).toBe("req-null")
  })

  it("a wait on an answer without an Operation fails with MalformedResponse after three in a row", async () => {
    const { client, seen } = await serve(() => ok({ Operation: null }))
    const status = createOperationStatus({ sources: [ssmSapSource({ client, region })] })
    const error = await rejection(status.waitForTerminal(ref, quick))
    expect(hasReason(error, "MalformedResponse")).toBe(true)
    expect(error.ref).toEqual(ref)
    expect(seen).toHaveLength(3)
    await status.close()
  })

  it("a ResourceType that is not a string is a MalformedResponse naming the field, not a throw", async () => {
    const { client } = await serve(() => ok({ Operation: op({ ResourceType: 42 }) }, "req-rt"))
    const error = await failureOf(ssmSapSource({ client, region }).get(ref))
    expect(hasReason(error, "MalformedResponse")).toBe(true)
    expect(error.serviceMessage).toContain("ResourceType")
    expect(error.requestId).toBe("req-rt")
  })

  it.each([
    ["a Status", { Status: 1 }],
    ["a Properties value", { Properties: { SAPApplicationId: 3 } }],
    ["Properties", { Properties: ["a"] }]
  ])("%s of the wrong type is a MalformedResponse", async (_name, extra) => {
    const { client } = await serve(() => ok({ Operation: op(extra) }))
    expect((await failureOf(ssmSapSource({ client, region }).get(ref))).reason._tag).toBe("MalformedResponse")
  })

  it("null fields are absent: a sparse Properties map, a null StatusMessage, null timestamps", async () => {
    const { client } = await serve(() =>
      ok({
        Operation: op({
          Status: "ERROR",
          StatusMessage: null,
          Properties: { SAPApplicationId: null, Sid: "HDB" },
          ResourceType: null,
          ResourceId: null,
          EndTime: null,
          LastUpdatedTime: null
        })
      })
    )
    const read = await Effect.runPromise(ssmSapSource({ client, region }).get(ref))
    expect(read).toMatchObject({
      status: "failed",
      terminal: true,
      properties: { Sid: "HDB" },
      resource: {},
      error: { message: "The SSM for SAP operation failed" }
    })
    expect(read.ref).toEqual(ref)
    expect(read.endedAt).toBeUndefined()
  })

  it("an event with Resource: null, and null events, make steps without holes", async () => {
    const { client } = await serve((seen) =>
      seen.url === "/get-operation"
        ? ok({ Operation: op() })
        : ok({
            OperationEvents: [
              null,
              { Description: "Stop HANA", Status: "COMPLETED", Resource: null, Timestamp: 1_767_225_660 },
              {
                Description: "Stop EC2",
                Status: "COMPLETED",
                Resource: { ResourceType: "AWS::EC2::Instance" }
              },
              null
            ],
            NextToken: null
          })
    )
    const read = await Effect.runPromise(ssmSapSource({ client, region, includeSteps: true }).get(ref))
    expect(read.steps).toEqual([
      {
        description: "Stop HANA",
        status: "succeeded",
        rawStatus: "COMPLETED",
        at: new Date(1_767_225_660_000)
      },
      {
        description: "Stop EC2",
        status: "succeeded",
        rawStatus: "COMPLETED",
        resource: { type: "AWS::EC2::Instance" }
      }
    ])
  })
})

describe("ListOperations answers", () => {
  it("skips null elements (and operations without an Id) of a page", async () => {
    const { client } = await serve(() =>
      ok({
        Operations: [null, op({ Id: "a" }), { Status: "SUCCESS" }, null, op({ Id: "b" })],
        NextToken: null
      })
    )
    const ops = await Effect.runPromise(
      Stream.runCollect(ssmSapSource({ client, region }).list(region, { applicationId: "hana-prod" }))
    )
    expect(ops.map((o) => [o.ref.id, o.status])).toEqual([
      ["a", "succeeded"],
      ["b", "succeeded"]
    ])
  })

  it("Operations: null is an empty page; a mistyped operation is a MalformedResponse", async () => {
    const answers = [ok({ Operations: null }), ok({ Operations: [op({ ResourceType: ["x"] })] }, "req-bad")]
    let i = 0
    const { client } = await serve(() => answers[i++]!)
    const source = ssmSapSource({ client, region })
    const list = () => Stream.runCollect(source.list(region, { applicationId: "hana-prod" }))
    expect(await Effect.runPromise(list())).toEqual([])
    const error = await failureOf(list())
    expect([error.reason._tag, error.requestId]).toEqual(["MalformedResponse", "req-bad"])
  })

  it("a fleet waitForAll of two operations of one application reads a page holding null: both end right", async () => {
    const emu = await emulator()
    const started = emu.createOperation({
      service: "ssm-sap",
      applicationId: "hana-prod",
      durationMs: 3_600_000
    })
    const stopped = emu.createOperation({
      service: "ssm-sap",
      applicationId: "hana-prod",
      type: "STOP_APPLICATION",
      durationMs: 3_600_000
    })
    let pages = 0
    const endpoint = await proxy(emu.endpoint, (path, json) => {
      if (path === "/list-operation-events")
        return { ...json, OperationEvents: [null, ...json.OperationEvents] }
      if (path !== "/list-operations") return json
      // Both end while the first page is on its way: the next page reports both terminal.
      if (++pages === 1) {
        emu.transition("ssm-sap", started.id, "succeeded")
        emu.transition("ssm-sap", stopped.id, "failed", { errorMessage: "HANA did not stop" })
      }
      return { ...json, Operations: [null, ...json.Operations, null] }
    })
    const warnings: Array<string> = []
    const status = createOperationStatus({
      sources: [ssmSapSource({ client: httpClient(endpoint), region, includeSteps: true })],
      onWarning: (message) => warnings.push(message)
    })
    const refs = [started, stopped].map((o) => ({ ...ref, id: o.id, hints: { applicationId: "hana-prod" } }))
    const outcomes = await status.waitForAll(refs, quick)
    await status.close()
    expect(
      outcomes.map((o) =>
        o.ok ? [o.operation.ref.id, o.operation.status, o.operation.error?.message] : o.error
      )
    ).toEqual([
      [started.id, "succeeded", undefined],
      [stopped.id, "failed", "HANA did not stop"]
    ])
    for (const o of outcomes) {
      if (!o.ok) continue
      expect(o.operation.steps?.length).toBeGreaterThan(0)
      expect(o.operation.steps?.every((s) => s.rawStatus !== "")).toBe(true)
    }
    // Read by the list, nulls and all: no operation fell back to GetOperation, nothing was malformed.
    expect(pages).toBeGreaterThanOrEqual(2)
    expect(callsTo(emu, "ListOperations")).toBe(pages)
    expect(callsTo(emu, "GetOperation")).toBe(0)
    expect(warnings).toEqual([])
  })
})
