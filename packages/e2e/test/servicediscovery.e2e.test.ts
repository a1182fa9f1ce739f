import {
  CreateHttpNamespaceCommand,
  DeleteNamespaceCommand,
  DeregisterInstanceCommand,
  RegisterInstanceCommand,
  UpdateServiceCommand
} from "@aws-sdk/client-servicediscovery"
import { hasReason, type Operation, type OperationStatusApi } from "@opstatus/core"
import { serviceDiscoverySource } from "@opstatus/servicediscovery"
import { Effect, Stream } from "effect"
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { quick, region, rejection, type Stack, startStack } from "./harness.js"

describe("Cloud Map end to end: the real ServiceDiscoveryClient against the emulator", () => {
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

  const source = () => serviceDiscoverySource({ client: stack.cloudMap, region })

  it.each([
    [
      "CreateHttpNamespace",
      () => new CreateHttpNamespaceCommand({ Name: "example.local" }),
      "CREATE_NAMESPACE"
    ],
    ["DeleteNamespace", () => new DeleteNamespaceCommand({ Id: "ns-abc" }), "DELETE_NAMESPACE"],
    [
      "RegisterInstance",
      () =>
        new RegisterInstanceCommand({
          ServiceId: "srv-1",
          InstanceId: "i-1",
          Attributes: { AWS_INSTANCE_IPV4: "10.0.0.1" }
        }),
      "REGISTER_INSTANCE"
    ],
    [
      "DeregisterInstance",
      () => new DeregisterInstanceCommand({ ServiceId: "srv-1", InstanceId: "i-1" }),
      "DEREGISTER_INSTANCE"
    ],
    [
      "UpdateService",
      () => new UpdateServiceCommand({ Id: "srv-1", Service: { Description: "v2" } }),
      "UPDATE_SERVICE"
    ]
  ] as const)(
    "%s: the ref from { OperationId }, waited to SUCCESS with its Targets",
    async (_name, command, type) => {
      const response = await stack.cloudMap.send(command() as never)
      const [ref] = source().refsFromResponse(response)
      expect(ref?.service).toBe("servicediscovery")
      const done = await status.waitForSuccess(ref!, quick)
      expect([done.type, done.rawStatus]).toEqual([type, "SUCCESS"])
      expect(Object.keys(done.targets ?? {}).length).toBeGreaterThan(0)
    }
  )

  it("a FAIL carries Cloud Map's ErrorCode and ErrorMessage", async () => {
    const { id } = stack.emulator.createOperation({
      service: "servicediscovery",
      type: "CREATE_NAMESPACE",
      namespaceId: "ns-zone",
      durationMs: 2_000,
      errorCode: "CANNOT_CREATE_HOSTED_ZONE",
      errorMessage: "The hosted zone limit was reached"
    })
    const error = await rejection(status.waitForSuccess(`servicediscovery:${region}:${id}`, quick))
    if (!hasReason(error, "OperationFailed"))
      throw new Error(`expected OperationFailed, got ${String(error)}`)
    expect(error.code).toBe("CANNOT_CREATE_HOSTED_ZONE")
    expect(error.serviceMessage).toBe("The hosted zone limit was reached")
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/)
    expect(error.reason.operation.error?.message).toBe("The hosted zone limit was reached")
    expect(error.reason.operation.rawStatus).toBe("FAIL")
  })

  describe("ListOperations", () => {
    let fresh: Stack
    const ids: Record<string, string[]> = { done: [], failed: [], running: [], ns: [], srv: [] }
    beforeAll(async () => {
      fresh = await startStack({ timeScale: 1 })
      for (let i = 0; i < 30; i++) {
        const namespaceId = i % 3 === 0 ? "ns-a" : "ns-b"
        const created = fresh.emulator.createOperation({
          service: "servicediscovery",
          type: i % 2 === 0 ? "REGISTER_INSTANCE" : "CREATE_NAMESPACE",
          namespaceId,
          serviceId: i % 5 === 0 ? "srv-x" : "srv-y",
          durationMs: 600_000
        })
        if (namespaceId === "ns-a") ids.ns!.push(created.id)
        // Only instance operations target a service; namespace operations target the namespace alone.
        if (i % 5 === 0 && i % 2 === 0) ids.srv!.push(created.id)
        if (i < 10) {
          fresh.emulator.transition("servicediscovery", created.id, i < 5 ? "succeeded" : "failed")
          ;(i < 5 ? ids.done! : ids.failed!).push(created.id)
        } else ids.running!.push(created.id)
      }
    })
    afterAll(() => fresh.stop())

    const list = async (query: Parameters<ReturnType<typeof serviceDiscoverySource>["list"]>[1]) => {
      const ops: ReadonlyArray<Operation> = await Effect.runPromise(
        Stream.runCollect(serviceDiscoverySource({ client: fresh.cloudMap }).list(region, query))
      )
      return ops.map((o) => o.ref.id)
    }

    it("pages with MaxResults, filtering after each page like the service", async () => {
      const before = fresh.calls("servicediscovery", "ListOperations").ok
      const all = await list({ maxResults: 7 })
      expect(all).toHaveLength(30)
      expect(fresh.calls("servicediscovery", "ListOperations").ok - before).toBe(5)
    })

    it("walks empty filtered pages that still carry a NextToken", async () => {
      const before = fresh.calls("servicediscovery", "ListOperations").ok
      const done = await list({ status: "SUCCESS", maxResults: 5 })
      expect(new Set(done)).toEqual(new Set(ids.done))
      // 30 operations at 5 a page: 6 pages, most of them empty after the filter.
      expect(fresh.calls("servicediscovery", "ListOperations").ok - before).toBe(6)
    })

    it.each([
      ["STATUS EQ", { status: "FAIL" }, () => ids.failed],
      ["STATUS IN", { status: ["SUCCESS", "FAIL"] }, () => [...ids.done!, ...ids.failed!]],
      ["NAMESPACE_ID EQ", { namespaceId: "ns-a" }, () => ids.ns],
      ["SERVICE_ID EQ", { serviceId: "srv-x" }, () => ids.srv]
    ] as const)("filters by %s", async (_name, query, expected) => {
      expect(new Set(await list(query))).toEqual(new Set(expected()))
    })

    it("filters by TYPE EQ and IN", async () => {
      expect(await list({ type: "REGISTER_INSTANCE" })).toHaveLength(15)
      expect(await list({ type: ["REGISTER_INSTANCE", "CREATE_NAMESPACE"] })).toHaveLength(30)
    })

    it("filters by UPDATE_DATE BETWEEN", async () => {
      const now = fresh.emulator.simulatedNow()
      expect(
        await list({ updatedBetween: [new Date(now - 3_600_000), new Date(now + 3_600_000)] })
      ).toHaveLength(30)
      expect(
        await list({ updatedBetween: [new Date(now - 7_200_000), new Date(now - 3_600_000)] })
      ).toHaveLength(0)
    })

    it("ANDs filters", async () => {
      const both = await list({ namespaceId: "ns-a", status: ["SUBMITTED", "PENDING"] })
      expect(new Set(both)).toEqual(new Set(ids.ns!.filter((id) => ids.running!.includes(id))))
    })
  })
})
