import {
  AccessDeniedException,
  LightsailServiceException,
  NotFoundException,
  ServiceException
} from "@aws-sdk/client-lightsail"
import { OperationNotFound, RequestLimitExceeded } from "@aws-sdk/client-servicediscovery"
import { describe, expect, it } from "vitest"
import type { Emulator } from "../src/index.js"
import { cloudMap, lightsail, ManualClock, rejection, ssmSap, start } from "./helpers.js"

const AUTH =
  "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/lightsail/aws4_request, SignedHeaders=host, Signature=0"

/** A raw request to each service, so tests can send what the SDK never would. */
const raw = (
  emulator: Emulator,
  service: "lightsail" | "servicediscovery" | "ssm-sap",
  init: RequestInit = {}
) => {
  const headers: Record<string, string> =
    service === "lightsail"
      ? { "x-amz-target": "Lightsail_20161128.GetOperations", "content-type": "application/x-amz-json-1.1" }
      : service === "servicediscovery"
        ? {
            "x-amz-target": "Route53AutoNaming_v20170314.ListOperations",
            "content-type": "application/x-amz-json-1.1"
          }
        : { "content-type": "application/json" }
  const path = service === "ssm-sap" ? "/list-operations" : "/"
  return fetch(`${emulator.endpoint}${path}`, {
    method: "POST",
    body: service === "ssm-sap" ? '{"ApplicationId":"a"}' : "{}",
    ...init,
    headers: { ...headers, ...(init.headers as Record<string, string> | undefined) }
  })
}

describe("authentication and accounts", () => {
  it("answers 403 AccessDeniedException 'Missing Authentication Token' without an Authorization header", async () => {
    const emulator = await start()
    for (const service of ["lightsail", "servicediscovery", "ssm-sap"] as const) {
      const response = await raw(emulator, service)
      expect(response.status).toBe(403)
      expect(response.headers.get("x-amzn-errortype")).toBe("AccessDeniedException")
      expect(response.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/)
      expect(response.headers.get("date")).toBeNull()
      const body = await response.json()
      expect(body.message ?? body.Message).toBe("Missing Authentication Token")
      if (service !== "ssm-sap") expect(body.__type).toBe("AccessDeniedException")
    }
    expect(emulator.metrics().counts["error-4xx"]).toBe(3)
  })

  it("denies the access keys the scenario lists, and only those", async () => {
    const emulator = await start({ scenario: { deniedAccessKeys: ["AKIDDENIED"] } })
    const denied = await rejection(lightsail(emulator, "us-east-1", "AKIDDENIED").getOperations({}))
    expect(denied).toBeInstanceOf(AccessDeniedException)
    expect(denied.$metadata.httpStatusCode).toBe(403)
    const deniedMap = await rejection(cloudMap(emulator, "us-east-1", "AKIDDENIED").listOperations({}))
    expect(deniedMap.name).toBe("AccessDeniedException")
    const deniedSap = await ssmSap(emulator, "us-east-1", "AKIDDENIED").call("/list-operations", {
      ApplicationId: "a"
    })
    expect(deniedSap).toMatchObject({ status: 403, errorType: "AccessDeniedException" })
    expect((await ssmSap(emulator).call("/list-operations", { ApplicationId: "a" })).status).toBe(200)
    expect((await lightsail(emulator).getOperations({})).operations).toEqual([])
  })

  it("isolates regions and accounts", async () => {
    const emulator = await start()
    const east = lightsail(emulator, "us-east-1")
    const [op] = (await east.allocateStaticIp({ staticIpName: "ip" })).operations!
    const west = lightsail(emulator, "eu-west-1")
    expect(await rejection(west.getOperation({ operationId: op!.id! }))).toBeInstanceOf(NotFoundException)
    expect((await west.getOperations({})).operations).toEqual([])
    const otherAccount = lightsail(emulator, "us-east-1", "AKIDOTHER")
    expect(await rejection(otherAccount.getOperation({ operationId: op!.id! }))).toBeInstanceOf(
      NotFoundException
    )
    expect((await east.getOperation({ operationId: op!.id! })).operation!.id).toBe(op!.id)
    expect(op!.location!.regionName).toBe("us-east-1")

    const nsOp = (await cloudMap(emulator, "eu-west-1").createHttpNamespace({ Name: "n" })).OperationId!
    expect(
      await rejection(cloudMap(emulator, "us-east-1").getOperation({ OperationId: nsOp }))
    ).toBeInstanceOf(OperationNotFound)
    const sapOp = (await ssmSap(emulator, "eu-west-1").ok("/start-application", { ApplicationId: "a" }))
      .OperationId
    expect((await ssmSap(emulator).call("/get-operation", { OperationId: sapOp })).errorType).toBe(
      "ResourceNotFoundException"
    )
    expect(
      (await ssmSap(emulator, "eu-west-1").ok("/get-operation", { OperationId: sapOp })).Operation.Id
    ).toBe(sapOp)
    expect(Object.keys(emulator.metrics().services.lightsail.byRegion).sort()).toEqual([
      "eu-west-1",
      "us-east-1"
    ])
  })
})

describe("request validation", () => {
  it("caps the body: 413 with the service's validation error", async () => {
    const emulator = await start({ maxBodyBytes: 1024 })
    const error = await rejection(lightsail(emulator).allocateStaticIp({ staticIpName: "x".repeat(2_000) }))
    expect(error).toBeInstanceOf(LightsailServiceException)
    expect(error.name).toBe("InvalidInputException")
    expect(error.$metadata.httpStatusCode).toBe(413)
    const sap = await ssmSap(emulator).call("/start-application", { ApplicationId: "x".repeat(2_000) })
    expect(sap).toMatchObject({ status: 413, errorType: "ValidationException" })
    // The server keeps serving after a refused body.
    expect((await lightsail(emulator).getOperations({})).operations).toEqual([])
  })

  it("caps the body at 1 MiB by default", async () => {
    const emulator = await start()
    const response = await raw(emulator, "servicediscovery", {
      headers: { authorization: AUTH },
      body: JSON.stringify({ pad: "x".repeat(1024 * 1024) })
    })
    expect(response.status).toBe(413)
    expect(response.headers.get("x-amzn-errortype")).toBe("InvalidInput")
  })

  it("answers malformed JSON with each service's validation error", async () => {
    const emulator = await start()
    const expected = {
      lightsail: "InvalidInputException",
      servicediscovery: "InvalidInput",
      "ssm-sap": "ValidationException"
    }
    for (const service of ["lightsail", "servicediscovery", "ssm-sap"] as const) {
      for (const body of ["{not json", "[1,2]", "null"]) {
        const response = await raw(emulator, service, { headers: { authorization: AUTH }, body })
        expect(response.status).toBe(400)
        expect(response.headers.get("x-amzn-errortype")).toBe(expected[service])
      }
    }
  })

  it("answers unknown targets and paths with 400 UnknownOperationException", async () => {
    const emulator = await start()
    const cases: [string, Record<string, string>][] = [
      ["/", { "x-amz-target": "Lightsail_20161128.LaunchRocket" }],
      ["/", { "x-amz-target": "Route53AutoNaming_v20170314.Nope" }],
      ["/", { "x-amz-target": "SomethingElse_2020.GetOperation" }],
      ["/delete-everything", {}],
      ["/", {}]
    ]
    for (const [path, headers] of cases) {
      const response = await fetch(`${emulator.endpoint}${path}`, {
        method: "POST",
        headers: { ...headers, authorization: AUTH },
        body: "{}"
      })
      expect(response.status).toBe(400)
      expect(response.headers.get("x-amzn-errortype")).toBe("UnknownOperationException")
    }
    expect(emulator.metrics().services.lightsail.byOperation.Unknown?.["error-4xx"]).toBeGreaterThanOrEqual(1)
  })
})

describe("injected faults", () => {
  it("throttles with a per-service, per-region token bucket on real time", async () => {
    const clock = new ManualClock()
    const rateLimit = { perSecond: 1, burst: 2 }
    const emulator = await start({
      now: clock.now,
      scenario: {
        services: {
          lightsail: { rateLimit },
          servicediscovery: { rateLimit },
          "ssm-sap": { rateLimit: null, regions: { "eu-west-1": { rateLimit } } }
        }
      }
    })
    const ls = lightsail(emulator)
    await ls.getOperations({})
    await ls.getOperations({})
    const throttled = await rejection(ls.getOperations({}))
    expect(throttled).toBeInstanceOf(LightsailServiceException)
    expect(throttled.name).toBe("ThrottlingException")
    expect(throttled.$metadata.httpStatusCode).toBe(429)
    // Another region has its own bucket.
    await lightsail(emulator, "us-west-2").getOperations({})
    clock.advance(1_000)
    await ls.getOperations({})
    expect(await rejection(ls.getOperations({}))).toMatchObject({ name: "ThrottlingException" })

    const cm = cloudMap(emulator)
    await cm.listOperations({})
    await cm.listOperations({})
    const limited = await rejection(cm.listOperations({}))
    expect(limited).toBeInstanceOf(RequestLimitExceeded)
    expect(limited.$metadata.httpStatusCode).toBe(429)

    const sapEast = ssmSap(emulator)
    for (let i = 0; i < 5; i++) await sapEast.ok("/list-operations", { ApplicationId: "a" })
    const sapWest = ssmSap(emulator, "eu-west-1")
    await sapWest.ok("/list-operations", { ApplicationId: "a" })
    await sapWest.ok("/list-operations", { ApplicationId: "a" })
    const sapLimited = await sapWest.call("/list-operations", { ApplicationId: "a" })
    expect(sapLimited).toMatchObject({ status: 429, errorType: "ThrottlingException" })

    const metrics = emulator.metrics()
    expect(metrics.services.lightsail.counts.throttled).toBe(2)
    expect(metrics.services.lightsail.byOperation.GetOperations!.ok).toBe(4)
    expect(metrics.services.servicediscovery.counts.throttled).toBe(1)
    expect(metrics.services["ssm-sap"].byRegion["eu-west-1"]!.throttled).toBe(1)
    expect(metrics.services["ssm-sap"].byRegion["us-east-1"]!.throttled).toBe(0)
  })

  it("answers 500/503 in each service's format", async () => {
    const emulator = await start({
      scenario: {
        services: {
          lightsail: { faults: { error5xxRate: 1 } },
          servicediscovery: { faults: { error5xxRate: 1 } },
          "ssm-sap": { faults: { error5xxRate: 1 } }
        }
      }
    })
    const statuses = new Set<number>()
    for (let i = 0; i < 8; i++) {
      const error = await rejection(lightsail(emulator).getOperations({}))
      expect(error).toBeInstanceOf(ServiceException)
      expect(error.$fault).toBe("server")
      statuses.add(error.$metadata.httpStatusCode)
    }
    expect([...statuses].sort()).toEqual([500, 503])
    const cm = await rejection(cloudMap(emulator).listOperations({}))
    expect(["InternalServerException", "ServiceUnavailable"]).toContain(cm.name)
    expect(cm.$fault).toBe("server")
    const sap = await ssmSap(emulator).call("/list-operations", { ApplicationId: "a" })
    expect(["InternalServerException", "ServiceUnavailable"]).toContain(sap.errorType)
    expect([500, 503]).toContain(sap.status)
    expect(emulator.metrics().counts["error-5xx"]).toBe(10)
  })

  it("sends malformed answers: a 200 with truncated JSON or an HTML 502", async () => {
    const emulator = await start({
      scenario: {
        services: { lightsail: { faults: { malformedRate: 1 } }, "ssm-sap": { faults: { malformedRate: 1 } } }
      }
    })
    const statuses = new Set<number>()
    for (let i = 0; i < 8; i++) {
      const error = await rejection(lightsail(emulator).getOperations({}))
      expect(error).toBeInstanceOf(SyntaxError)
      statuses.add(error.$metadata.httpStatusCode)
    }
    expect([...statuses].sort()).toEqual([200, 502])
    const sap = await ssmSap(emulator).call("/list-operations", { ApplicationId: "a" })
    expect(() => JSON.parse(sap.text)).toThrow(SyntaxError)
    expect([200, 502]).toContain(sap.status)
    expect(emulator.metrics().counts.malformed).toBe(9)
  })

  it("resets connections: the SDK sees ECONNRESET, fetch a socket error", async () => {
    const emulator = await start({
      scenario: {
        services: { servicediscovery: { faults: { resetRate: 1 } }, "ssm-sap": { faults: { resetRate: 1 } } }
      }
    })
    const error = await rejection(cloudMap(emulator).listOperations({}))
    expect(error.code).toBe("ECONNRESET")
    const sap = await rejection(ssmSap(emulator).call("/list-operations", { ApplicationId: "a" }))
    expect(sap).toBeInstanceOf(TypeError)
    expect(sap.cause).toBeDefined()
    expect(emulator.metrics().counts.reset).toBe(2)
    // Lightsail is unaffected.
    expect((await lightsail(emulator).getOperations({})).operations).toEqual([])
  })

  it("adds latency", async () => {
    const emulator = await start({
      scenario: { services: { lightsail: { faults: { latencyMs: [20, 20] } } } }
    })
    const started = performance.now()
    await lightsail(emulator).getOperations({})
    expect(performance.now() - started).toBeGreaterThanOrEqual(19)
  })

  it("hides new operations for notFoundForMs (eventual consistency)", async () => {
    const clock = new ManualClock()
    const emulator = await start({
      now: clock.now,
      scenario: { services: { lightsail: { faults: { notFoundForMs: 2_000 } } } }
    })
    const client = lightsail(emulator)
    const [op] = (await client.allocateStaticIp({ staticIpName: "ip" })).operations!
    expect(await rejection(client.getOperation({ operationId: op!.id! }))).toBeInstanceOf(NotFoundException)
    expect((await client.getOperations({})).operations).toEqual([])
    clock.advance(1_999)
    expect(await rejection(client.getOperation({ operationId: op!.id! }))).toBeInstanceOf(NotFoundException)
    clock.advance(1)
    expect((await client.getOperation({ operationId: op!.id! })).operation!.id).toBe(op!.id)

    const lagging = emulator.createOperation({ service: "servicediscovery", notFoundForMs: 500 })
    const cm = cloudMap(emulator)
    expect(await rejection(cm.getOperation({ OperationId: lagging.id }))).toBeInstanceOf(OperationNotFound)
    clock.advance(500)
    expect((await cm.getOperation({ OperationId: lagging.id })).Operation!.Id).toBe(lagging.id)
  })

  it("replays the same faults for the same seed and different ones for another seed", async () => {
    const outcomes = async (seed: number) => {
      const emulator = await start({
        seed,
        scenario: { services: { lightsail: { faults: { error5xxRate: 0.5 } } } }
      })
      const client = lightsail(emulator)
      const seen: string[] = []
      for (let i = 0; i < 24; i++) {
        seen.push(
          await client.getOperations({}).then(
            () => "ok",
            (e) => String(e.$metadata.httpStatusCode)
          )
        )
      }
      return seen.join(",")
    }
    const first = await outcomes(7)
    expect(await outcomes(7)).toBe(first)
    expect(await outcomes(8)).not.toBe(first)
    expect(first).toContain("ok")
    expect(first).toMatch(/50[03]/)
  })

  it("changes faults at runtime with configure()", async () => {
    const emulator = await start()
    const client = lightsail(emulator)
    await client.getOperations({})
    emulator.configure({ services: { lightsail: { faults: { error5xxRate: 1 } } } })
    expect(await rejection(client.getOperations({}))).toBeInstanceOf(ServiceException)
    emulator.configure({ services: { lightsail: { faults: { error5xxRate: 0 } } } })
    await client.getOperations({})
    expect(emulator.metrics().services.lightsail.counts).toMatchObject({ total: 3, ok: 2, "error-5xx": 1 })
  })
})
