import { describe, expect, it } from "vitest"
import { lightsail, ManualClock, start } from "./helpers.js"

describe("admin surface under /_emulator/", () => {
  it("creates, reads and forces operations, and serves metrics, health, scenario and reset", async () => {
    const clock = new ManualClock()
    const emulator = await start({ now: clock.now })
    const admin = (path: string, body?: unknown) =>
      fetch(`${emulator.endpoint}/_emulator/${path}`, {
        method: body === undefined ? "GET" : "POST",
        ...(body === undefined ? {} : { body: JSON.stringify(body) })
      })

    const health = await admin("health")
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ status: "ok", simulatedNow: clock.t, timeScale: 1 })

    const created = await admin("operations", {
      service: "lightsail",
      region: "us-east-1",
      type: "CreateInstance",
      resourceName: "web-1",
      durationMs: 1_000
    })
    expect(created.status).toBe(201)
    const op = await created.json()
    expect(op).toMatchObject({
      service: "lightsail",
      region: "us-east-1",
      account: expect.stringMatching(/^\d{12}$/)
    })
    expect(op.wire).toMatchObject({ id: op.id, operationType: "CreateInstance", status: "NotStarted" })

    // Created for the default access key, so the SDK with AKIDEXAMPLE sees it.
    const read = await lightsail(emulator).getOperation({ operationId: op.id })
    expect(read.operation!.resourceName).toBe("web-1")

    const described = await (await admin(`operations/lightsail/${op.id}`)).json()
    expect(described.terminalAt).toBe(clock.t + 1_000)

    const forced = await admin(`operations/lightsail/${op.id}/transition`, {
      to: "failed",
      errorCode: "InsufficientCapacity",
      errorMessage: "no room"
    })
    expect(forced.status).toBe(200)
    expect((await forced.json()).wire).toMatchObject({ status: "Failed", errorCode: "InsufficientCapacity" })

    const metrics = await (await admin("metrics")).json()
    expect(metrics.services.lightsail.byOperation.GetOperation.ok).toBe(1)
    expect(metrics.counts.total).toBe(1)

    const configured = await admin("scenario", { services: { lightsail: { faults: { error5xxRate: 1 } } } })
    expect(configured.status).toBe(200)
    expect((await configured.json()).services.lightsail.faults.error5xxRate).toBe(1)
    expect((await (await admin("scenario")).json()).services.lightsail.faults.error5xxRate).toBe(1)
    await expect(lightsail(emulator).getOperations({})).rejects.toMatchObject({ name: "ServiceException" })

    expect((await admin("reset", {})).status).toBe(200)
    expect((await (await admin("metrics")).json()).counts.total).toBe(0)
    expect((await admin(`operations/lightsail/${op.id}`)).status).toBe(404)
  })

  it("answers bad admin requests with 4xx and a JSON error", async () => {
    const emulator = await start()
    const post = (path: string, body: string) =>
      fetch(`${emulator.endpoint}/_emulator/${path}`, { method: "POST", body })
    const cases: [Promise<Response>, number][] = [
      [post("operations", "{oops"), 400],
      [post("operations", JSON.stringify({ service: "ec2" })), 400],
      [post("operations", JSON.stringify({ service: "lightsail", durationMs: -1 })), 400],
      [
        post("scenario", JSON.stringify({ services: { lightsail: { rateLimit: { perSecond: "fast" } } } })),
        400
      ],
      [post("operations/lightsail/nope/transition", JSON.stringify({ to: "running" })), 404],
      [post("operations/ec2/nope/transition", JSON.stringify({ to: "running" })), 404],
      [post("operations/lightsail/nope/transition", JSON.stringify({ to: "sideways" })), 400],
      [fetch(`${emulator.endpoint}/_emulator/nothing-here`), 404],
      [fetch(`${emulator.endpoint}/_emulator/reset`), 404]
    ]
    for (const [request, status] of cases) {
      const response = await request
      expect(response.status).toBe(status)
      expect((await response.json()).error).toEqual(expect.any(String))
    }
    expect(emulator.metrics().counts.total).toBe(0)
  })
})
