/**
 * What a hostile or broken client can send: strings that name Object.prototype members where
 * the emulator looks things up (credential scope regions, targets, paths, operation types,
 * scenario keys), bodies over the cap, malformed admin paths; and that configure() keeps the
 * rate-limit buckets as they are.
 */
import { request } from "node:http"
import { describe, expect, it } from "vitest"
import { type Emulator, parseScenario, ScenarioError } from "../src/index.js"
import { lightsail, ManualClock, rejection, ssmSap, start } from "./helpers.js"

/** A SigV4-shaped Authorization header (the emulator reads the scope, never the signature). */
const authorization = (region: string, service: string) =>
  `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240501/${region}/${service}/aws4_request, SignedHeaders=host, Signature=00`

/** An awsJson call with a hand-made header. */
const awsJson = (emulator: Emulator, target: string, options: { region?: string; service?: string } = {}) =>
  fetch(`${emulator.endpoint}/`, {
    method: "POST",
    headers: {
      authorization: authorization(options.region ?? "us-east-1", options.service ?? "lightsail"),
      "x-amz-target": target,
      "content-type": "application/x-amz-json-1.1"
    },
    body: "{}"
  })

/** Object.prototype's own keys, to see that nothing was added to it. */
const prototypeKeys = () => Reflect.ownKeys(Object.prototype).map(String).sort()

const prototypeNames = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"]

describe("hostile input", () => {
  it("refuses a credential scope whose region is not a region code, and pollutes nothing", async () => {
    const emulator = await start()
    const before = prototypeKeys()
    const junk = [
      ...prototypeNames,
      "US-EAST-1",
      "us-east-1x",
      "moon",
      ...Array.from({ length: 30 }, (_, i) => `junk${i}`)
    ]
    for (const region of junk) {
      const response = await awsJson(emulator, "Lightsail_20161128.GetOperations", { region })
      expect(response.status, region).toBe(403)
      expect(response.headers.get("x-amzn-errortype")).toBe("AccessDeniedException")
      expect((await response.json()).message).toMatch(/^Credential should be scoped to a valid region/)
    }
    expect(prototypeKeys()).toEqual(before)
    expect(({} as Record<string, unknown>).total).toBeUndefined()
    // A real region still answers, and the metrics hold one key per real region plus "unknown".
    expect((await awsJson(emulator, "Lightsail_20161128.GetOperations")).status).toBe(200)
    const byRegion = emulator.metrics().services.lightsail.byRegion
    expect(Object.keys(byRegion).sort()).toEqual(["unknown", "us-east-1"])
    expect(byRegion.unknown).toMatchObject({ total: junk.length, "error-4xx": junk.length })
  })

  it("answers targets that name Object.prototype members with UnknownOperationException", async () => {
    const emulator = await start()
    // [target, the operation the answer names]
    const targets = [
      ["constructor.GetOperation", "constructor.GetOperation"],
      ["__proto__.GetOperation", "__proto__.GetOperation"],
      ["toString.GetOperation", "toString.GetOperation"],
      ["hasOwnProperty", "hasOwnProperty"],
      ["Lightsail_20161128.constructor", "constructor"],
      ["Route53AutoNaming_v20170314.__proto__", "__proto__"]
    ]
    for (const [target, operation] of targets) {
      const response = await awsJson(emulator, target!)
      expect(response.status, target).toBe(400)
      expect(response.headers.get("x-amzn-errortype")).toBe("UnknownOperationException")
      const body = await response.json()
      // Cloud Map spells it Message.
      expect(body.message ?? body.Message).toBe(`The operation ${operation} is not supported.`)
    }
    const { services } = emulator.metrics()
    expect(services.lightsail.byOperation).toEqual({ Unknown: expect.objectContaining({ total: 5 }) })
    expect(services.servicediscovery.byOperation).toEqual({ Unknown: expect.objectContaining({ total: 1 }) })
  })

  it("answers restJson paths that name Object.prototype members with UnknownOperationException", async () => {
    const emulator = await start()
    for (const name of prototypeNames) {
      const response = await fetch(`${emulator.endpoint}/${name}`, {
        method: "POST",
        headers: { authorization: authorization("us-east-1", "ssm-sap"), "content-type": "application/json" },
        body: "{}"
      })
      const text = await response.text()
      expect(response.status, name).toBe(400)
      expect(response.headers.get("x-amzn-errortype")).toBe("UnknownOperationException")
      expect(JSON.parse(text).message).toBe(`The operation /${name} is not supported.`)
      expect(text).not.toMatch(/function|\[object/)
    }
  })

  it("treats operation types that name Object.prototype members as any unknown type", async () => {
    const clock = new ManualClock()
    const emulator = await start({ now: clock.now })
    const op = emulator.createOperation({ service: "lightsail", type: "constructor", resourceName: "r" })
    expect(op.wire.resourceType).toBe("Instance")
    const sap = emulator.createOperation({ service: "ssm-sap", type: "constructor", durationMs: 1_000 })
    clock.advance(500)
    const events: Array<{ Description: string }> = (
      await ssmSap(emulator).ok("/list-operation-events", { OperationId: sap.id })
    ).OperationEvents
    expect(events.length).toBeGreaterThan(0)
    for (const event of events) expect(event.Description).toMatch(/^Updating /)
  })

  it("refuses scenario and operation regions that are not region codes", async () => {
    const own = JSON.parse('{"services":{"lightsail":{"regions":{"__proto__":{"failureRate":1}}}}}')
    expect(() => parseScenario(own)).toThrow(ScenarioError)
    expect(() => parseScenario(own)).toThrow(/regions: expected an AWS region code/)
    const emulator = await start()
    expect(() => emulator.createOperation({ service: "lightsail", region: "constructor" })).toThrow(
      /operation\.region: expected an AWS region code/
    )
    const response = await fetch(`${emulator.endpoint}/_emulator/scenario`, {
      method: "POST",
      body: '{"services":{"lightsail":{"regions":{"__proto__":{"failureRate":1}}}}}'
    })
    expect(response.status).toBe(400)
    expect((await response.json()).error).toMatch(/region code/)
    expect(emulator.scenario().services).toBeUndefined()
  })

  it("answers 400 to an admin path with malformed percent-encoding", async () => {
    const emulator = await start()
    for (const path of ["operations/lightsail/%E0%A4%A", "operations/%ZZ/x", "operations/lightsail/%"]) {
      const response = await fetch(`${emulator.endpoint}/_emulator/${path}`)
      expect(response.status, path).toBe(400)
      expect((await response.json()).error).toMatch(/not valid percent-encoding/)
    }
  })
})

/** Sends the head and `bytes` of a chunked body, never ending it; resolves with the answer's status. */
const statusWithoutEnd = (url: string, headers: Record<string, string>, bytes: number) => {
  const req = request(url, { method: "POST", headers })
  const answered = new Promise<number>((resolve, reject) => {
    req.on("response", (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on("error", reject)
  })
  req.write(Buffer.alloc(bytes, 0x61))
  return { answered, destroy: () => req.destroy() }
}

/** Rejects after `ms` (far longer than an answer at once takes; the old reader never answered). */
const within = <T>(promise: Promise<T>, ms: number): Promise<T> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
  })
  return Promise.race([promise, late]).finally(() => clearTimeout(timer))
}

describe("bodies over the cap", () => {
  it("answer 413 as soon as the cap is passed, before the body ends", async () => {
    const emulator = await start({ maxBodyBytes: 1_024 })
    const service = statusWithoutEnd(
      `${emulator.endpoint}/`,
      {
        authorization: authorization("us-east-1", "lightsail"),
        "x-amz-target": "Lightsail_20161128.GetOperations"
      },
      4_096
    )
    const admin = statusWithoutEnd(`${emulator.endpoint}/_emulator/operations`, {}, 4_096)
    try {
      expect(await within(service.answered, 10_000)).toBe(413)
      expect(await within(admin.answered, 10_000)).toBe(413)
    } finally {
      service.destroy()
      admin.destroy()
    }
    // A Content-Length over the cap is refused before any of the body is read.
    const declared = await fetch(`${emulator.endpoint}/`, {
      method: "POST",
      headers: {
        authorization: authorization("us-east-1", "lightsail"),
        "x-amz-target": "Lightsail_20161128.GetOperations"
      },
      body: "x".repeat(2_048)
    })
    expect(declared.status).toBe(413)
    expect(declared.headers.get("connection")).toBe("close")
    expect(emulator.metrics().services.lightsail.counts["error-4xx"]).toBe(2)
  })
})

describe("rate limits", () => {
  it("configure() keeps the tokens of every bucket, even when the limit changes", async () => {
    const emulator = await start({
      scenario: { services: { lightsail: { rateLimit: { perSecond: 0, burst: 2 } } } }
    })
    const client = lightsail(emulator)
    await client.getOperations({})
    await client.getOperations({})
    const throttled = async () => (await rejection(client.getOperations({}))).name
    expect(await throttled()).toBe("ThrottlingException")
    emulator.configure({ services: { lightsail: { faults: { latencyMs: 0 } } } })
    expect(await throttled()).toBe("ThrottlingException")
    emulator.configure({ services: { lightsail: { rateLimit: { perSecond: 0, burst: 5 } } } })
    expect(await throttled()).toBe("ThrottlingException")
    // reset() restarts the buckets, as documented.
    emulator.reset()
    await client.getOperations({})
  })
})
