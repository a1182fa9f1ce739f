/**
 * The one line: `await waitForSuccess("service:region:id")` on the default
 * instance, with no setup but the environment a user's AWS settings make
 * (here pointed at the emulator). Operations end when a test ends them
 * (`transition`), so no wait depends on wall-clock timing.
 */
import type { Emulator } from "@opstatus/emulator"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import {
  close,
  hasReason,
  type Operation,
  opstatus,
  refsOf,
  waitForAll,
  waitForSuccess,
  waitForTerminal,
  watch
} from "../src/index.js"
import { defaultRegion, otherRegion, quick, reasonOf, rejection, start, stubAwsEnv } from "./helpers.js"

const services = ["lightsail", "servicediscovery", "ssm-sap"] as const

describe("the default instance: one line per service", () => {
  let emulator: Emulator
  beforeAll(async () => {
    emulator = await start()
    stubAwsEnv(emulator.endpoint)
  })
  afterAll(async () => {
    await close()
    vi.unstubAllEnvs()
    await emulator.stop()
  })

  /** An operation that runs until the test ends it. */
  const running = (service: (typeof services)[number], region = defaultRegion) =>
    emulator.createOperation({ service, region, durationMs: 365 * 86_400_000 }).id

  it.each(services)("%s: await waitForSuccess(ref) just works", async (service) => {
    const id = running(service)
    emulator.transition(service, id, "succeeded")
    const operation = await waitForSuccess(`${service}:${defaultRegion}:${id}`)
    expect(operation.status).toBe("succeeded")
    expect(operation.terminal).toBe(true)
    expect(operation.ref).toMatchObject({ service, region: defaultRegion, id })
  })

  it.each(services)("%s: a ref of another region gets a client of that region", async (service) => {
    const id = running(service, otherRegion)
    emulator.transition(service, id, "succeeded")
    const before = emulator.metrics().services[service].byRegion[otherRegion]?.ok ?? 0
    const operation = await waitForSuccess(`${service}:${otherRegion}:${id}`)
    expect(operation.region).toBe(otherRegion)
    // The read was signed for that region: the emulator keeps each region's operations apart.
    expect(emulator.metrics().services[service].byRegion[otherRegion]?.ok).toBeGreaterThan(before)
  })

  it.each(services)("%s: a wait that polls, ended by the test once it is polling", async (service) => {
    const id = running(service)
    const seen: Array<string> = []
    const operation = await waitForSuccess(`${service}:${defaultRegion}:${id}`, {
      ...quick,
      onProgress: (op) => {
        seen.push(op.status)
        if (seen.length === 1) emulator.transition(service, id, "succeeded")
      }
    })
    expect(operation.status).toBe("succeeded")
    expect(seen[0]).not.toBe("succeeded")
    expect(seen.at(-1)).toBe("succeeded")
  })

  it("a failed operation rejects with OperationFailed and the service's code and message", async () => {
    const id = running("lightsail")
    emulator.transition("lightsail", id, "failed", {
      errorCode: "NoCapacity",
      errorMessage: "no capacity left"
    })
    const error = await rejection(waitForSuccess(`lightsail:${defaultRegion}:${id}`))
    if (!hasReason(error, "OperationFailed"))
      throw new Error(`expected OperationFailed, got ${String(error)}`)
    expect(error.code).toBe("NoCapacity")
    expect(error.serviceMessage).toBe("no capacity left")
    // waitForTerminal resolves with the failed operation instead.
    expect((await waitForTerminal(`lightsail:${defaultRegion}:${id}`)).status).toBe("failed")
  })

  it("watch and waitForAll on the default", async () => {
    const id = running("servicediscovery")
    const statuses: Array<string> = []
    for await (const op of watch(`servicediscovery:${defaultRegion}:${id}`, quick)) {
      statuses.push(op.status)
      if (statuses.length === 1) emulator.transition("servicediscovery", id, "succeeded")
    }
    expect(statuses.at(-1)).toBe("succeeded")

    const ids = services.map((service) => {
      const each = running(service)
      emulator.transition(service, each, "succeeded")
      return `${service}:${defaultRegion}:${each}`
    })
    const outcomes = await waitForAll(ids, { requireSuccess: true })
    expect(outcomes.map((o) => o.ok && o.operation.ref.service)).toEqual([...services])
  })

  it("an ill-formed ref is a typed InvalidRef, found before any request", async () => {
    const before = emulator.metrics().counts.total
    expect(reasonOf(await rejection(waitForSuccess("lightsail:moon:abc")))._tag).toBe("InvalidRef")
    expect(reasonOf(await rejection(waitForSuccess("ssm-sap:us-east-1:not-a-uuid")))._tag).toBe("InvalidRef")
    expect(emulator.metrics().counts.total).toBe(before)
    expect(await refsOf(`lightsail:${defaultRegion}:abc`)).toEqual([
      { service: "lightsail", region: defaultRegion, id: "abc" }
    ])
  })

  it("close() ends the waits still going and drops the default; the next call starts afresh", async () => {
    const id = running("lightsail")
    const pending = rejection(waitForSuccess(`lightsail:${defaultRegion}:${id}`, quick))
    await close()
    expect(reasonOf(await pending)._tag).toBe("WaitAborted")
    emulator.transition("lightsail", id, "succeeded")
    const operation: Operation = await opstatus.waitForSuccess(`lightsail:${defaultRegion}:${id}`)
    expect(operation.status).toBe("succeeded")
    await opstatus.close()
    await close() // closing twice is fine
  })
})
