import { hasReason, type OperationStatusApi } from "@opstatus/core"
import { ssmSapSource } from "@opstatus/ssm-sap"
import { Effect, Stream } from "effect"
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { quick, region, rejection, type Stack, startStack } from "./harness.js"

describe("SSM for SAP end to end: the structural path (SsmSapHttpClient) against the emulator", () => {
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

  const source = () => ssmSapSource({ client: stack.ssmSap, region })

  it("RegisterApplication: the ref carries the application", async () => {
    const response = await stack.ssmSap.registerApplication({
      ApplicationId: "hana-prod",
      ApplicationType: "HANA",
      Instances: ["i-0123456789abcdef0"]
    })
    const [ref] = source().refsFromResponse(response)
    expect(ref?.hints?.applicationId).toBe("hana-prod")
    expect(ref?.region).toBe(region)
    expect((await status.waitForSuccess(ref!, quick)).status).toBe("succeeded")
  })

  it.each([
    [
      "StartApplication",
      () => stack.ssmSap.startApplication({ ApplicationId: "hana-prod" }),
      "START_APPLICATION"
    ],
    [
      "StopApplication",
      () =>
        stack.ssmSap.stopApplication({
          ApplicationId: "hana-prod",
          StopConnectedEntity: "DBMS",
          IncludeEc2InstanceShutdown: true
        }),
      "STOP_APPLICATION"
    ]
  ] as const)("%s: waited to SUCCESS with its steps", async (_name, call, type) => {
    const refs = source().refsFromResponse(await call(), { hints: { applicationId: "hana-prod" } })
    const done = await status.waitForSuccess(refs[0]!, quick)
    expect(done.type).toBe(type)
    expect(done.steps?.length).toBeGreaterThan(0)
    // The event log: each resource reports IN_PROGRESS, then COMPLETED.
    expect(done.steps?.some((s) => s.status === "succeeded")).toBe(true)
    expect(done.steps?.some((s) => s.status === "failed")).toBe(false)
  })

  it("UpdateApplicationSettings: every ref of { OperationIds }", async () => {
    const response = await stack.ssmSap.updateApplicationSettings({ ApplicationId: "hana-prod" })
    const refs = source().refsFromResponse(response, { hints: { applicationId: "hana-prod" } })
    expect(refs).toHaveLength(2)
    const outcomes = await status.waitForAll(refs, { ...quick, requireSuccess: true })
    expect(outcomes.every((o) => o.ok)).toBe(true)
  })

  it("an ERROR carries StatusMessage, and a FAILED step says where", async () => {
    const { id } = stack.emulator.createOperation({
      service: "ssm-sap",
      applicationId: "hana-prod",
      type: "START_APPLICATION",
      durationMs: 2_000,
      errorMessage: "HANA database did not start within 600 seconds"
    })
    const error = await rejection(status.waitForSuccess(`ssm-sap:${region}:${id}`, quick))
    if (!hasReason(error, "OperationFailed"))
      throw new Error(`expected OperationFailed, got ${String(error)}`)
    expect(error.message).toContain("HANA database did not start within 600 seconds")
    expect(error.serviceMessage).toBe("HANA database did not start within 600 seconds")
    expect(error.reason.operation.rawStatus).toBe("ERROR")
    expect(error.reason.operation.steps?.some((s) => s.status === "failed")).toBe(true)
  })

  it("ListOperations pages an application's operations and filters them", async () => {
    const fresh = await startStack({ timeScale: 1 })
    try {
      const created = Array.from({ length: 23 }, (_, i) =>
        fresh.emulator.createOperation({
          service: "ssm-sap",
          applicationId: "app-1",
          type: i % 2 === 0 ? "START_APPLICATION" : "STOP_APPLICATION",
          durationMs: 600_000
        })
      )
      fresh.emulator.createOperation({ service: "ssm-sap", applicationId: "app-2", durationMs: 600_000 })
      const list = (q: Parameters<ReturnType<typeof ssmSapSource>["list"]>[1]) =>
        Effect.runPromise(Stream.runCollect(ssmSapSource({ client: fresh.ssmSap, region }).list(region, q)))
      const all = await list({ applicationId: "app-1", maxResults: 10 })
      expect(new Set(all.map((o) => o.ref.id))).toEqual(new Set(created.map((c) => c.id)))
      expect(fresh.calls("ssm-sap", "ListOperations").ok).toBe(3)
      expect(await list({ applicationId: "app-1", type: "STOP_APPLICATION" })).toHaveLength(11)
      expect(
        await list({
          applicationId: "app-1",
          startedAfter: new Date(fresh.emulator.simulatedNow() + 3_600_000)
        })
      ).toHaveLength(0)
    } finally {
      await fresh.stop()
    }
  })
})
