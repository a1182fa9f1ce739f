/**
 * `await waitForSuccess(await client.send(command))`: a mutating call's
 * response is accepted wherever a ref is, through the real SDK clients (and
 * the SigV4 SSM for SAP client) against the emulator. Lightsail responses
 * name their region; Cloud Map's and SSM for SAP's do not, so it comes from
 * the client that made them (`track`, `{ client }`), else the default chain's.
 * The emulator keeps each region's operations apart, so a wait read in the
 * wrong region would not find its operation.
 */
import {
  CreateInstancesCommand,
  type CreateInstancesCommandOutput,
  LightsailClient
} from "@aws-sdk/client-lightsail"
import {
  RegisterInstanceCommand,
  type RegisterInstanceCommandOutput,
  ServiceDiscoveryClient
} from "@aws-sdk/client-servicediscovery"
import type { Emulator } from "@opstatus/emulator"
import { SsmSapHttpClient } from "@opstatus/ssm-sap/http"
import { afterAll, beforeAll, describe, expect, expectTypeOf, it, vi } from "vitest"
import {
  beginWaitForAll,
  close,
  hasReason,
  type Operation,
  type OpstatusEvent,
  refsOf,
  track,
  waitForAll,
  waitForSuccess,
  waitForTerminal,
  watch,
  watchAll
} from "../src/index.js"
import { credentials, defaultRegion, otherRegion, quick, start, stubAwsEnv } from "./helpers.js"

describe("a mutating call's response, wherever a ref is accepted", () => {
  let emulator: Emulator
  const made: Array<{ destroy(): void }> = []
  /** The user's own clients, configured in code (not from the environment). */
  const lightsail = (region: string) => {
    const client = new LightsailClient({ region, endpoint: emulator.endpoint, credentials, maxAttempts: 1 })
    made.push(client)
    return client
  }
  const cloudMap = (region: string) => {
    const client = new ServiceDiscoveryClient({
      region,
      endpoint: emulator.endpoint,
      credentials,
      maxAttempts: 1
    })
    made.push(client)
    return client
  }
  const ssmSap = (region: string) =>
    new SsmSapHttpClient({ region, endpoint: emulator.endpoint, credentials })

  /** Successful reads signed for a region, over every service. */
  const readsIn = (region: string) =>
    (["lightsail", "servicediscovery", "ssm-sap"] as const).reduce(
      (sum, service) => sum + (emulator.metrics().services[service].byRegion[region]?.ok ?? 0),
      0
    )

  const createInstances = async (client: LightsailClient, names: ReadonlyArray<string>) =>
    client.send(
      new CreateInstancesCommand({
        instanceNames: [...names],
        availabilityZone: `${await client.config.region()}a`,
        bundleId: "nano_3_0",
        blueprintId: "amazon_linux_2023"
      })
    )
  const registerInstance = (client: ServiceDiscoveryClient, instance: string) =>
    client.send(
      new RegisterInstanceCommand({
        ServiceId: "srv-1",
        InstanceId: instance,
        Attributes: { AWS_INSTANCE_IPV4: "10.0.0.1" }
      })
    )

  beforeAll(async () => {
    emulator = await start()
    stubAwsEnv(emulator.endpoint)
  })
  afterAll(async () => {
    await close()
    for (const client of made) client.destroy()
    vi.unstubAllEnvs()
    await emulator.stop()
  })

  describe("Lightsail: responses carry full operations and their region", () => {
    it("CreateInstances: waitForSuccess(response) waits on every operation, in the response's order", async () => {
      const response = await createInstances(lightsail(defaultRegion), ["web-1", "web-2"])
      const operations = await waitForSuccess(response, quick)
      expectTypeOf(operations).toEqualTypeOf<ReadonlyArray<Operation>>()
      expect(operations.map((op) => [op.ref.hints?.resourceName, op.status, op.region])).toEqual([
        ["web-1", "succeeded", defaultRegion],
        ["web-2", "succeeded", defaultRegion]
      ])
    })

    it("a client of another region: the operations' location names it, no client needed", async () => {
      const before = readsIn(otherRegion)
      const response = await createInstances(lightsail(otherRegion), ["eu-1"])
      const [operation] = await waitForTerminal(response, quick)
      expect(operation?.status).toBe("succeeded")
      expect(operation?.ref.region).toBe(otherRegion)
      expect(readsIn(otherRegion)).toBeGreaterThan(before)
    })

    it("one operation of a response, as the SDK gives it", async () => {
      const response = await createInstances(lightsail(defaultRegion), ["one-1"])
      const operation = await waitForSuccess(response.operations![0]!, quick)
      expectTypeOf(operation).toEqualTypeOf<Operation>()
      expect(operation.ref.hints?.resourceName).toBe("one-1")
    })
  })

  describe("Cloud Map: { OperationId } names no region", () => {
    it("RegisterInstance through a client of the default region: the default chain's region", async () => {
      const response = await registerInstance(cloudMap(defaultRegion), "i-default")
      const operation = await waitForSuccess(response, quick)
      expectTypeOf(operation).toEqualTypeOf<Operation>()
      expect(operation.type).toBe("REGISTER_INSTANCE")
      expect(operation.ref).toMatchObject({ service: "servicediscovery", region: defaultRegion })
    })

    it("a client of another region, given as { client }", async () => {
      const client = cloudMap(otherRegion)
      const response = await registerInstance(client, "i-eu-given")
      // Without it, the default chain's region would be used: the operation is not there.
      expect((await refsOf(response))[0]?.region).toBe(defaultRegion)
      const before = readsIn(otherRegion)
      const operation = await waitForSuccess(response, { ...quick, client })
      expect(operation.ref.region).toBe(otherRegion)
      expect(operation.status).toBe("succeeded")
      expect(readsIn(otherRegion)).toBeGreaterThan(before)
    })

    it("a tracked client of another region: its responses are waited on in its region, untold", async () => {
      const client = track(cloudMap(otherRegion))
      expect(track(client)).toBe(client) // tracking twice adds nothing
      const response: RegisterInstanceCommandOutput = await registerInstance(client, "i-eu-tracked")
      expect(await refsOf(response)).toEqual([
        { service: "servicediscovery", region: otherRegion, id: response.OperationId }
      ])
      const operation = await waitForSuccess(response, quick)
      expect(operation.ref.region).toBe(otherRegion)
      expect(operation.targets?.INSTANCE).toBe("i-eu-tracked")
    })
  })

  describe("SSM for SAP through SsmSapHttpClient: { OperationId } and { OperationIds }", () => {
    it("StartApplication through a client of the default region", async () => {
      const response = await ssmSap(defaultRegion).startApplication({ ApplicationId: "hana-prod" })
      const operation = await waitForSuccess(response, quick)
      expect(operation.type).toBe("START_APPLICATION")
      expect(operation.ref).toMatchObject({ service: "ssm-sap", region: defaultRegion })
    })

    it("StartApplication through a client of another region, given as { client } or tracked", async () => {
      const given = ssmSap(otherRegion)
      const before = readsIn(otherRegion)
      const first = await waitForSuccess(await given.startApplication({ ApplicationId: "hana-eu" }), {
        ...quick,
        client: given
      })
      expect(first.ref.region).toBe(otherRegion)
      const tracked = track(ssmSap(otherRegion))
      const second = await waitForSuccess(await tracked.startApplication({ ApplicationId: "hana-eu" }), quick)
      expect(second.ref.region).toBe(otherRegion)
      expect(second.type).toBe("START_APPLICATION")
      expect(readsIn(otherRegion)).toBeGreaterThan(before)
    })

    it("UpdateApplicationSettings: { OperationIds } resolves with every operation", async () => {
      const response = await ssmSap(defaultRegion).updateApplicationSettings({ ApplicationId: "hana-prod" })
      const operations = await waitForSuccess(response, quick)
      expectTypeOf(operations).toEqualTypeOf<ReadonlyArray<Operation>>()
      expect(operations.map((op) => op.ref.id)).toEqual(response.OperationIds)
      expect(operations.every((op) => op.status === "succeeded")).toBe(true)
    })
  })

  describe("the fleet functions take responses too, one outcome per operation", () => {
    it("waitForAll: a ref, a Lightsail response of two, a Cloud Map response, an unknown object", async () => {
      const { id } = emulator.createOperation({ service: "ssm-sap", region: defaultRegion })
      emulator.transition("ssm-sap", id, "succeeded")
      const instances: CreateInstancesCommandOutput = await createInstances(lightsail(defaultRegion), [
        "a-1",
        "a-2"
      ])
      const registered = await registerInstance(track(cloudMap(otherRegion)), "i-all")
      const unknown = { Foo: "bar" }
      const outcomes = await waitForAll(
        [`ssm-sap:${defaultRegion}:${id}`, instances, registered, unknown as never],
        {
          ...quick,
          requireSuccess: true
        }
      )
      expect(outcomes.map((o) => (o.ok ? o.operation.ref.service : o.error.reason._tag))).toEqual([
        "ssm-sap",
        "lightsail",
        "lightsail",
        "servicediscovery",
        "InvalidRef"
      ])
      expect(outcomes[3]?.ok && outcomes[3].operation.ref.region).toBe(otherRegion)
      expect(outcomes[4]?.input).toBe(unknown)
    })

    it("watch(response of many) and watchAll with an input that names nothing", async () => {
      const response = await createInstances(lightsail(defaultRegion), ["w-1", "w-2"])
      const seen = new Map<string, string>()
      for await (const op of watch(response, quick)) seen.set(op.ref.id, op.status)
      expect([...seen.values()]).toEqual(["succeeded", "succeeded"])

      const events: Array<OpstatusEvent> = []
      const reported: Array<OpstatusEvent> = []
      const again = await registerInstance(cloudMap(defaultRegion), "i-watch")
      for await (const event of watchAll([again, { operations: [] } as never], {
        ...quick,
        onEvent: (e) => reported.push(e)
      })) {
        events.push(event)
      }
      const failed = events.find((e) => e._tag === "Failed")
      expect(failed?._tag === "Failed" && failed.error.reason._tag).toBe("InvalidRef")
      const summary = events.at(-1)
      expect(summary?._tag === "Summary" && summary.summary.total).toBe(2)
      expect(summary?._tag === "Summary" && summary.summary.byStatus).toMatchObject({
        succeeded: 1,
        error: 1
      })
      // onEvent sees every event but the summary, the input that named nothing included.
      expect(reported).toEqual(events.slice(0, -1))
    })

    it("beginWaitForAll(response): done holds every operation's outcome", async () => {
      const response = await createInstances(lightsail(defaultRegion), ["b-1", "b-2"])
      const poller = await beginWaitForAll([response], quick)
      expect(JSON.parse(poller.serialize())).toBeTypeOf("object")
      const outcomes = await poller.done
      expect(outcomes.map((o) => o.ok && o.operation.status)).toEqual(["succeeded", "succeeded"])
    })
  })

  it("a response of many rejects with its first failure, the service's code and message on it", async () => {
    emulator.configure({ services: { lightsail: { failureRate: 1 } } })
    try {
      const response = await createInstances(lightsail(defaultRegion), ["f-1", "f-2"])
      const error = await waitForSuccess(response, quick).then(
        () => undefined,
        (e: unknown) => e
      )
      if (!hasReason(error, "OperationFailed"))
        throw new Error(`expected OperationFailed, got ${String(error)}`)
      expect(["f-1", "f-2"]).toContain(error.operation?.ref.hints?.resourceName)
      expect(error.operation?.status).toBe("failed")
      expect(error.code).toBeTypeOf("string")
      expect(error.serviceMessage).toBeTypeOf("string")
    } finally {
      emulator.configure({ services: { lightsail: { failureRate: 0 } } })
    }
  })
})
