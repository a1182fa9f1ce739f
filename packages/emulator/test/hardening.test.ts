/**
 * What a hostile or broken client can send: strings that name Object.prototype members where
 * the emulator looks things up (credential scope regions, targets, paths, operation types,
 * scenario keys), bodies over the cap, malformed admin paths and admin paths with extra, empty
 * or dot segments; that configure() keeps the rate-limit buckets as they are; that a host
 * that is not loopback is refused unless allowed; and that the time scale is bounded, so the
 * simulated clock stays finite.
 */
import { request } from "node:http"
import { describe, expect, it } from "vitest"
import {
  type Emulator,
  MAX_TIME_SCALE,
  MIN_TIME_SCALE,
  main,
  NonLoopbackHostError,
  parseScenario,
  ScenarioError,
  startEmulator
} from "../src/index.js"
import { isLoopbackHost } from "../src/internal/loopback.js"
import { MAX_SIMULATED_MS, SimClock } from "../src/internal/simClock.js"
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

/** A request with the path sent verbatim (fetch would resolve `..` and `%2e%2e` before sending). */
const raw = (emulator: Emulator, method: string, path: string, body?: string) =>
  new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = request(`${emulator.endpoint}/`, { method, path }, (res) => {
      let text = ""
      res.setEncoding("utf8")
      res.on("data", (chunk: string) => {
        text += chunk
      })
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }))
      res.on("error", reject)
    })
    req.on("error", reject)
    req.end(body)
  })

describe("admin routes", () => {
  it("answer only their exact path: extra, empty and dot segments, encoded or not, are 404", async () => {
    const emulator = await start()
    const op = emulator.createOperation({ service: "lightsail" })
    const notFound: Array<[string, string]> = [
      ["GET", "/_emulator/health/extra"],
      ["GET", "/_emulator/health/"],
      ["GET", "/_emulator/health//"],
      ["GET", "/_emulator//health"],
      ["GET", "/_emulator/./health"],
      ["GET", "/_emulator/health/."],
      ["GET", "/_emulator/scenario/../health"],
      ["GET", "/_emulator/scenario/%2e%2e/health"],
      ["GET", "/_emulator/scenario/%2E%2E/health"],
      ["GET", "/_emulator/scenario/.%2e/health"],
      ["GET", "/_emulator/%2e/health"],
      ["GET", "/_emulator/health%2fextra"],
      ["GET", "/_emulator/metrics/x"],
      ["GET", "/_emulator/scenario/"],
      ["GET", "/_emulator/scenario/x"],
      ["POST", "/_emulator/scenario/x"],
      ["POST", "/_emulator/reset/"],
      ["POST", "/_emulator/reset/now"],
      ["POST", "/_emulator/operations/"],
      ["GET", `/_emulator/operations/lightsail/${op.id}/`],
      ["GET", `/_emulator/operations/lightsail/${op.id}/extra`],
      ["GET", `/_emulator/operations/lightsail/x/../${op.id}`],
      ["GET", `/_emulator/operations/lightsail/x/%2e%2e/${op.id}`],
      ["POST", `/_emulator/operations/lightsail/${op.id}/transition/`],
      ["POST", `/_emulator/operations/lightsail/${op.id}/transition/extra`],
      ["GET", "/_emulator/"]
    ]
    for (const [method, path] of notFound) {
      const answer = await raw(emulator, method, path, method === "POST" ? '{"to":"failed"}' : undefined)
      expect(answer.status, `${method} ${path}`).toBe(404)
      expect(answer.body.error, `${method} ${path}`).toMatch(/^no admin route /)
    }
    // Nothing was reset, configured or forced on the way.
    expect(emulator.scenario()).toEqual({})
    expect((await raw(emulator, "GET", `/_emulator/operations/lightsail/${op.id}`)).body.wire.status).toBe(
      "NotStarted"
    )
    // The exact paths still answer, with or without a query.
    expect((await raw(emulator, "GET", "/_emulator/health")).status).toBe(200)
    expect((await raw(emulator, "GET", "/_emulator/health?verbose=1")).status).toBe(200)
    expect((await raw(emulator, "GET", "/_emulator/scenario")).status).toBe(200)
  })
})

describe("listening address", () => {
  it("counts 127.0.0.0/8, ::1 in any spelling and localhost as loopback, and nothing else", () => {
    const loopback = [
      "127.0.0.1",
      "127.1.2.3",
      "127.255.255.254",
      "::1",
      "0:0:0:0:0:0:0:1",
      "::ffff:127.0.0.1"
    ]
    for (const host of [...loopback, "localhost", "LOCALHOST", "localhost."]) {
      expect(isLoopbackHost(host), host).toBe(true)
    }
    const remote = [
      "0.0.0.0",
      "::",
      "",
      "10.0.0.1",
      "192.168.1.10",
      "128.0.0.1",
      "::2",
      "::ffff:10.0.0.1",
      "example.com",
      "localhost.example.com",
      "127.0.0.1.nip.io",
      "[::1]"
    ]
    for (const host of remote) expect(isLoopbackHost(host), host).toBe(false)
  })

  it("refuses a host that is not loopback with NonLoopbackHostError naming it, unless allowRemote", async () => {
    for (const host of ["0.0.0.0", "::", "", "192.0.2.1", "example.com"]) {
      const error = await rejection(startEmulator({ port: 0, host }))
      expect(error, host).toBeInstanceOf(NonLoopbackHostError)
      expect(error.name).toBe("NonLoopbackHostError")
      expect(error.host).toBe(host)
      expect(error.message).toContain(`refusing to listen on ${JSON.stringify(host)}`)
      expect(error.message).toMatch(/allowRemote: true \(--allow-remote\)/)
    }
    // Loopback hosts need nothing more; 0.0.0.0 listens once allowed (and answers on loopback).
    for (const host of ["127.0.0.1", "localhost"]) {
      const emulator = await start({ host })
      expect((await fetch(`${emulator.endpoint}/_emulator/health`)).status, host).toBe(200)
    }
    const open = await start({ host: "0.0.0.0", allowRemote: true })
    expect(open.endpoint).toBe(`http://0.0.0.0:${open.port}`)
    expect((await fetch(`http://127.0.0.1:${open.port}/_emulator/health`)).status).toBe(200)
  })

  it("opstatus-emulator: --host 0.0.0.0 exits 2 naming the host; with --allow-remote it listens and warns", async () => {
    const lines = () => {
      const out: string[] = []
      const err: string[] = []
      let stop: (signal: string) => void = () => {}
      const stopped = new Promise<string>((resolve) => {
        stop = resolve
      })
      const io = {
        stdout: (l: string) => {
          out.push(l)
        },
        stderr: (l: string) => {
          err.push(l)
        },
        untilStopped: () => stopped
      }
      return { out, err, io, stop }
    }
    for (const host of ["0.0.0.0", "::", "192.0.2.1"]) {
      const refused = lines()
      expect(await main(["--port", "0", "--host", host], refused.io), host).toBe(2)
      expect(refused.out).toEqual([])
      expect(refused.err).toEqual([
        `opstatus-emulator: refusing --host ${host}: it is not a loopback address and the emulator has no authentication; add --allow-remote to listen there anyway`
      ])
    }
    const allowed = lines()
    const exit = main(["--port", "0", "--host", "0.0.0.0", "--allow-remote"], allowed.io)
    // main writes its lines right after it listens, then waits for the stop: the first
    // awaited stop signal resolves only once those lines are out.
    allowed.stop("SIGTERM")
    expect(await exit).toBe(0)
    expect(allowed.out[0]).toMatch(/^opstatus-emulator listening on http:\/\/0\.0\.0\.0:\d+ /)
    expect(allowed.err).toEqual([
      expect.stringMatching(
        /^opstatus-emulator: warning: listening on http:\/\/0\.0\.0\.0:\d+ with no authentication: /
      )
    ])
    const local = lines()
    const localExit = main(["--port", "0", "--host", "localhost"], local.io)
    local.stop("SIGTERM")
    expect(await localExit).toBe(0)
    expect(local.err).toEqual([])
  })
})

describe("time scale", () => {
  it("is bounded to [MIN_TIME_SCALE, MAX_TIME_SCALE]; the rest is a ScenarioError naming the setting", async () => {
    expect([MIN_TIME_SCALE, MAX_TIME_SCALE]).toEqual([0.001, 1_000_000])
    const bad = [
      1e308,
      Number.MAX_VALUE,
      Infinity,
      -Infinity,
      Number.NaN,
      0,
      -1,
      Number.MIN_VALUE,
      1e-4,
      1_000_001,
      "60"
    ]
    for (const timeScale of bad) {
      expect(() => parseScenario({ timeScale }), String(timeScale)).toThrow(ScenarioError)
      expect(() => parseScenario({ timeScale }), String(timeScale)).toThrow(
        /^scenario\.timeScale: expected a number in \[0\.001, 1000000\]$/
      )
    }
    for (const timeScale of [MIN_TIME_SCALE, 0.5, 1, 60, 100_000, MAX_TIME_SCALE]) {
      expect(parseScenario({ timeScale }).timeScale).toBe(timeScale)
    }
    // Every way in: startEmulator, configure, the admin surface, the command line.
    expect(await rejection(startEmulator({ timeScale: 1e308 }))).toBeInstanceOf(ScenarioError)
    expect(await rejection(startEmulator({ scenario: { timeScale: 1e308 } }))).toBeInstanceOf(ScenarioError)
    const emulator = await start({ timeScale: 60 })
    expect(() => emulator.configure({ timeScale: 1e308 })).toThrow(ScenarioError)
    const posted = await raw(emulator, "POST", "/_emulator/scenario", '{"timeScale":1e308}')
    expect(posted.status).toBe(400)
    expect(posted.body.error).toMatch(/scenario\.timeScale/)
    const health = await raw(emulator, "GET", "/_emulator/health")
    expect(health.body.timeScale).toBe(60)
    for (const flag of ["1000001", `1${"0".repeat(400)}`, "0.0001"]) {
      const err: string[] = []
      const code = await main(["--port", "0", "--time-scale", flag], {
        stdout: () => {},
        stderr: (l) => {
          err.push(l)
        },
        untilStopped: () => new Promise(() => {})
      })
      expect(code, flag).toBe(2)
      expect(err).toEqual([
        `opstatus-emulator: --time-scale must be between 0.001 and 1000000, got "${flag}"`
      ])
    }
  })

  it("keeps the simulated clock finite: it stops at the end of year 9999, whatever the real clock does", async () => {
    const clock = new ManualClock()
    const emulator = await start({ now: clock.now, timeScale: MAX_TIME_SCALE })
    const op = emulator.createOperation({ service: "lightsail", type: "AllocateStaticIp", durationMs: 1_000 })
    clock.advance(1e15)
    expect(emulator.simulatedNow()).toBe(MAX_SIMULATED_MS)
    const health = await raw(emulator, "GET", "/_emulator/health")
    expect(health.body.simulatedNow).toBe(MAX_SIMULATED_MS)
    // The operation ended, and is read with finite timestamps.
    const read = await lightsail(emulator).getOperation({ operationId: op.id })
    expect(read.operation?.status).toBe("Succeeded")
    expect(Number.isFinite(read.operation?.createdAt?.getTime())).toBe(true)
    expect(Number.isFinite(emulator.terminalAt("lightsail", op.id))).toBe(true)
    // A change of scale there re-anchors at the bound, still finite.
    emulator.configure({ timeScale: 1 })
    clock.advance(1_000)
    expect(emulator.simulatedNow()).toBe(MAX_SIMULATED_MS)

    // The clock itself, at scales no scenario may set, and with a real clock gone wrong.
    let real = 1_700_000_000_000
    const huge = new SimClock(() => real, Number.MAX_VALUE)
    real += 1
    expect(huge.now()).toBe(MAX_SIMULATED_MS)
    real = Infinity
    expect(Number.isFinite(huge.now())).toBe(true)
    real = Number.NaN
    expect(Number.isFinite(huge.now())).toBe(true)
    const backwards = new SimClock(() => real, Number.MAX_VALUE)
    real = 1_700_000_000_000
    expect(Number.isFinite(backwards.now())).toBe(true)
    real = -1e300
    expect(new SimClock(() => real, 1).now()).toBe(-MAX_SIMULATED_MS)
  })
})
