import { describe, expect, it } from "vitest"
import { ScenarioError } from "../src/index.js"
import { cloudMap, lightsail, ManualClock, rejection, ssmSap, start } from "./helpers.js"

describe("lifecycles, determinism and time", () => {
  it("draws durations within the configured ranges and states follow the clock", async () => {
    const clock = new ManualClock()
    const t0 = clock.t
    const emulator = await start({
      now: clock.now,
      scenario: {
        services: { servicediscovery: { durations: { queuedMs: [100, 200], runningMs: [1_000, 2_000] } } }
      }
    })
    const ops = Array.from({ length: 40 }, () => emulator.createOperation({ service: "servicediscovery" }))
    const terminal = ops.map((op) => emulator.terminalAt("servicediscovery", op.id)! - t0)
    for (const ms of terminal) {
      expect(ms).toBeGreaterThanOrEqual(1_100)
      expect(ms).toBeLessThanOrEqual(2_200)
    }
    expect(new Set(terminal).size).toBeGreaterThan(10)
    const client = cloudMap(emulator)
    const statuses = async () => {
      const counts: Record<string, number> = {}
      for (const op of (await client.listOperations({})).Operations!)
        counts[op.Status!] = (counts[op.Status!] ?? 0) + 1
      return counts
    }
    expect(await statuses()).toEqual({ SUBMITTED: 40 })
    clock.advance(200)
    expect(await statuses()).toEqual({ PENDING: 40 })
    clock.advance(2_000)
    expect(await statuses()).toEqual({ SUCCESS: 40 })
  })

  it("gives the same ids, durations and outcomes for the same seed, and others for another seed", async () => {
    const run = async (seed: number) => {
      const clock = new ManualClock()
      const emulator = await start({
        seed,
        now: clock.now,
        scenario: { services: { lightsail: { failureRate: 0.5 }, "ssm-sap": { failureRate: 0.5 } } }
      })
      const ls = lightsail(emulator)
      const ids: string[] = []
      for (let i = 0; i < 10; i++)
        ids.push((await ls.allocateStaticIp({ staticIpName: `ip${i}` })).operations![0]!.id!)
      ids.push((await cloudMap(emulator).createHttpNamespace({ Name: "n" })).OperationId!)
      ids.push((await ssmSap(emulator).ok("/start-application", { ApplicationId: "a" })).OperationId)
      const terminals = ids.slice(0, 10).map((id) => emulator.terminalAt("lightsail", id)! - clock.t)
      clock.advance(10 * 60_000)
      const outcomes = []
      for (const id of ids.slice(0, 10))
        outcomes.push((await ls.getOperation({ operationId: id })).operation!.status)
      return { ids, terminals, outcomes }
    }
    const a = await run(42)
    const b = await run(42)
    const c = await run(43)
    expect(b).toEqual(a)
    expect(a.outcomes).toContain("Failed")
    expect(a.outcomes).toContain("Succeeded")
    expect(c.ids.some((id, i) => id !== a.ids[i])).toBe(true)
    expect(c.terminals).not.toEqual(a.terminals)
  })

  it("an override on one operation does not shift the ids after it", async () => {
    const ids = async (override: boolean) => {
      const emulator = await start({ seed: 5, now: new ManualClock().now })
      emulator.createOperation({
        service: "lightsail",
        ...(override ? { durationMs: 5, outcome: "failure" as const } : {})
      })
      return emulator.createOperation({ service: "lightsail" }).id
    }
    expect(await ids(true)).toBe(await ids(false))
  })

  it("a Cloud Map namespace id given or drawn does not shift the ids after it", async () => {
    const ids = async (namespaceId: string | undefined) => {
      const emulator = await start({ seed: 5, now: new ManualClock().now })
      emulator.createOperation({
        service: "servicediscovery",
        type: "CREATE_NAMESPACE",
        ...(namespaceId === undefined ? {} : { namespaceId })
      })
      // Types that name no namespace make the same draws too.
      emulator.createOperation({ service: "servicediscovery", type: "REGISTER_INSTANCE" })
      return emulator.createOperation({ service: "servicediscovery" }).id
    }
    expect(await ids("ns-given")).toBe(await ids(undefined))
  })

  it("an SSM for SAP operation on a registered application does not shift the ids after it", async () => {
    const ids = async (registered: boolean) => {
      const emulator = await start({ seed: 5, now: new ManualClock().now })
      const sap = ssmSap(emulator)
      await sap.ok("/register-application", {
        ApplicationId: "hana-1",
        ApplicationType: "HANA",
        Instances: ["i-0123456789abcdef0"]
      })
      // The registered application has its own instance; another one gets a drawn EC2 instance id.
      await sap.ok("/start-application", { ApplicationId: registered ? "hana-1" : "hana-unregistered" })
      return (await sap.ok("/start-application", { ApplicationId: "hana-2" })).OperationId
    }
    expect(await ids(true)).toBe(await ids(false))
  })

  it("applies per-operation overrides: durationMs, outcome, errorCode", async () => {
    const clock = new ManualClock()
    const emulator = await start({ now: clock.now })
    const op = emulator.createOperation({
      service: "servicediscovery",
      durationMs: 1_000,
      errorCode: "THROTTLED_REQUEST"
    })
    expect(op.wire.Status).toBe("SUBMITTED")
    expect(emulator.terminalAt("servicediscovery", op.id)).toBe(clock.t + 1_000)
    clock.advance(200)
    const client = cloudMap(emulator)
    expect((await client.getOperation({ OperationId: op.id })).Operation!.Status).toBe("PENDING")
    clock.advance(800)
    expect((await client.getOperation({ OperationId: op.id })).Operation).toMatchObject({
      Status: "FAIL",
      ErrorCode: "THROTTLED_REQUEST",
      ErrorMessage: "THROTTLED_REQUEST"
    })
    const ok = emulator.createOperation({ service: "servicediscovery", durationMs: 0, outcome: "success" })
    expect(ok.wire.Status).toBe("SUCCESS")
  })

  it("forces states with transition() and moves terminalAt accordingly", async () => {
    const clock = new ManualClock()
    const emulator = await start({ now: clock.now })
    const op = emulator.createOperation({ service: "lightsail", type: "CreateInstance", resourceName: "a" })
    expect(op.wire.status).toBe("NotStarted")
    clock.advance(10)
    expect(emulator.transition("lightsail", op.id, "running").wire).toMatchObject({
      status: "Started",
      isTerminal: false
    })
    expect(emulator.terminalAt("lightsail", op.id)).toBeUndefined()
    clock.advance(10_000_000)
    expect((await lightsail(emulator).getOperation({ operationId: op.id })).operation!.status).toBe("Started")
    const failed = emulator.transition("lightsail", op.id, "failed", {
      errorCode: "Boom",
      errorMessage: "it broke"
    })
    expect(failed.wire).toMatchObject({
      status: "Failed",
      errorCode: "Boom",
      errorDetails: "it broke",
      isTerminal: true
    })
    expect(emulator.terminalAt("lightsail", op.id)).toBe(clock.t)
    const other = emulator.createOperation({ service: "lightsail", type: "CreateInstance" })
    expect(emulator.transition("lightsail", other.id, "succeeded").wire.status).toBe("Completed")
    expect(() => emulator.transition("lightsail", "missing", "running")).toThrow(ScenarioError)
    expect(emulator.terminalAt("lightsail", "missing")).toBeUndefined()
  })

  it("scales time: timestamps are simulated, terminalAt is real", async () => {
    const clock = new ManualClock()
    const t0 = clock.t
    const emulator = await start({
      now: clock.now,
      timeScale: 60,
      scenario: { services: { lightsail: { durations: { queuedMs: [0, 0], runningMs: [60_000, 60_000] } } } }
    })
    const client = lightsail(emulator)
    clock.advance(1_000)
    const [op] = (await client.allocateStaticIp({ staticIpName: "ip" })).operations!
    // One real second is a simulated minute.
    expect(op!.createdAt).toEqual(new Date(t0 + 60_000))
    expect(emulator.terminalAt("lightsail", op!.id!)).toBe(t0 + 2_000)
    clock.advance(999)
    expect((await client.getOperation({ operationId: op!.id! })).operation!.status).toBe("Started")
    clock.advance(1)
    const done = (await client.getOperation({ operationId: op!.id! })).operation!
    expect(done.status).toBe("Succeeded")
    expect(done.statusChangedAt).toEqual(new Date(t0 + 120_000))

    // Changing the scale keeps simulated time continuous.
    emulator.configure({ timeScale: 1 })
    expect(emulator.simulatedNow()).toBe(t0 + 120_000)
    clock.advance(1_000)
    expect(emulator.simulatedNow()).toBe(t0 + 121_000)
  })

  it("creates the scenario's operations at start and again after reset(), with the same ids", async () => {
    const clock = new ManualClock()
    const emulator = await start({
      seed: 9,
      now: clock.now,
      scenario: {
        operations: [
          { service: "lightsail", type: "CreateInstance", resourceName: "web-1", region: "eu-west-1" },
          { service: "ssm-sap", applicationId: "app", type: "STOP_APPLICATION" }
        ]
      }
    })
    const before = (await lightsail(emulator, "eu-west-1").getOperations({})).operations!.map((op) => op.id)
    expect(before).toHaveLength(1)
    await lightsail(emulator, "eu-west-1").allocateStaticIp({ staticIpName: "ip" })
    expect((await ssmSap(emulator).ok("/list-operations", { ApplicationId: "app" })).Operations).toHaveLength(
      1
    )
    emulator.reset()
    expect(emulator.metrics().counts.total).toBe(0)
    const after = (await lightsail(emulator, "eu-west-1").getOperations({})).operations!.map((op) => op.id)
    expect(after).toEqual(before)
  })

  it("rejects an invalid scenario with a path to the problem", async () => {
    await expect(start({ scenario: { services: { lightsail: { failureRate: 2 } } } })).rejects.toThrow(
      /scenario\.services\.lightsail\.failureRate/
    )
    const emulator = await start()
    expect(() => emulator.configure({ services: { lightsail: { faults: { resetRate: -1 } } } })).toThrow(
      ScenarioError
    )
    expect(() => emulator.createOperation({ service: "nope" as never })).toThrow(ScenarioError)
    expect((await rejection(lightsail(emulator).getOperation({ operationId: "x" }))).name).toBe(
      "NotFoundException"
    )
  })
})
