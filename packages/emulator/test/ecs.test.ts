/**
 * ECS on the wire: awsJson 1.1 requests signed with SigV4 for `ecs` and routed by
 * `X-Amz-Target`, read as they come back (status, headers, the JSON itself: camelCase members,
 * epoch-second timestamps, ECS's error documents), and the deployment lifecycle on a clock the
 * tests move by hand. The real ECS client drives the same emulator in
 * packages/ecs/test/emulator.test.ts and packages/e2e/test/ecs.e2e.test.ts.
 */
import { Sha256 } from "@smithy/core/checksum"
import { SignatureV4 } from "@smithy/signature-v4"
import { describe, expect, it } from "vitest"
import { ECS_DESCRIBE_LIMIT, ECS_FAILURES, ECS_STOP_MS, ECS_TARGET_PREFIX } from "../src/Ecs.js"
import type { Emulator } from "../src/index.js"
import { credentials, ManualClock, start } from "./helpers.js"

interface Answer {
  readonly status: number
  readonly contentType: string | null
  readonly errorType: string | null
  readonly requestId: string | null
  readonly body: any
}

/** ECS calls to the emulator, signed as the SDK signs them. */
const ecs = (emulator: Emulator, region = "us-east-1", accessKeyId?: string) => {
  const signer = new SignatureV4({
    service: "ecs",
    region,
    credentials: credentials(accessKeyId),
    sha256: Sha256
  })
  const endpoint = new URL(emulator.endpoint)
  return async (operation: string, input: object = {}): Promise<Answer> => {
    const body = JSON.stringify(input)
    const signed = await signer.sign({
      method: "POST",
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      port: Number(endpoint.port),
      path: "/",
      query: {},
      headers: {
        host: endpoint.host,
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": `${ECS_TARGET_PREFIX}.${operation}`
      },
      body
    })
    const { host: _host, ...headers } = signed.headers
    const response = await fetch(endpoint, { method: "POST", headers, body })
    const text = await response.text()
    return {
      status: response.status,
      contentType: response.headers.get("content-type"),
      errorType: response.headers.get("x-amzn-errortype"),
      requestId: response.headers.get("x-amzn-requestid"),
      body: text === "" ? undefined : JSON.parse(text)
    }
  }
}

const setup = async (services: object = {}) => {
  const clock = new ManualClock()
  const durations = { queuedMs: [1_000, 1_000], runningMs: [9_000, 9_000] } as const
  const emulator = await start({
    now: clock.now,
    scenario: { services: { ecs: { durations, ...services } } }
  })
  const call = ecs(emulator)
  const status = async (arn: string): Promise<string> =>
    (await call("DescribeServiceDeployments", { serviceDeploymentArns: [arn] })).body.serviceDeployments[0]
      .status
  return { clock, emulator, call, status }
}

describe("ECS on the wire", () => {
  it("answers awsJson 1.1 with camelCase members and epoch-second timestamps", async () => {
    const { clock, call } = await setup()
    const created = await call("CreateService", { cluster: "prod", serviceName: "web", desiredCount: 2 })
    expect([created.status, created.contentType]).toEqual([200, "application/x-amz-json-1.1"])
    expect(created.requestId).toMatch(/^[0-9a-f-]{36}$/)
    const arn: string = created.body.service.currentServiceDeployment
    expect(arn).toMatch(/^arn:aws:ecs:us-east-1:\d{12}:service-deployment\/prod\/web\/[A-Za-z0-9_-]{22}$/)
    expect(created.body.service.createdAt).toBe(clock.t / 1000)
    clock.advance(1_500)
    const described = await call("DescribeServiceDeployments", { serviceDeploymentArns: [arn] })
    const deployment = described.body.serviceDeployments[0]
    expect(described.body.failures).toEqual([])
    expect(deployment).toMatchObject({
      serviceDeploymentArn: arn,
      status: "IN_PROGRESS",
      createdAt: (clock.t - 1_500) / 1000,
      startedAt: (clock.t - 500) / 1000,
      updatedAt: (clock.t - 500) / 1000,
      targetServiceRevision: { requestedTaskCount: 2 },
      deploymentCircuitBreaker: { status: "MONITORING", threshold: 3 }
    })
    expect(Object.keys(deployment).every((key) => /^[a-z][A-Za-z]*$/.test(key))).toBe(true)
  })

  it("walks every status a deployment can show", async () => {
    const { clock, emulator, call, status } = await setup()
    const ok = (await call("CreateService", { cluster: "c", serviceName: "ok" })).body.service
      .currentServiceDeployment
    const aborted = (await call("CreateService", { cluster: "c", serviceName: "ab" })).body.service
      .currentServiceDeployment
    const rolled = emulator.createOperation({
      service: "ecs",
      cluster: "c",
      serviceName: "rb",
      outcome: "rollback",
      durationMs: 10_000
    }).id
    const failing = emulator.createOperation({
      service: "ecs",
      cluster: "c",
      serviceName: "rf",
      errorCode: "ROLLBACK_FAILED",
      durationMs: 10_000
    }).id
    const seen = new Set<string>()
    const look = async (...arns: string[]) => {
      for (const arn of arns) seen.add(await status(arn))
    }
    await look(ok)
    clock.advance(1_000)
    await call("StopServiceDeployment", { serviceDeploymentArn: aborted, stopType: "ABORT" })
    await look(ok, aborted)
    clock.advance(9_000)
    await look(ok, rolled)
    clock.advance(3_000)
    await look(rolled)
    clock.advance(ECS_STOP_MS)
    await look(aborted, rolled, failing)
    expect([...seen].sort()).toEqual([
      "IN_PROGRESS",
      "PENDING",
      "ROLLBACK_FAILED",
      "ROLLBACK_IN_PROGRESS",
      "ROLLBACK_REQUESTED",
      "ROLLBACK_SUCCESSFUL",
      "STOPPED",
      "STOP_REQUESTED",
      "SUCCESSFUL"
    ])
  })

  it("a failure named by an ECS code reads as ECS words it; another message wins when given", async () => {
    const { clock, emulator, call } = await setup()
    const named = emulator.createOperation({
      service: "ecs",
      serviceName: "a",
      errorCode: "HEALTH_CHECKS_FAILED",
      durationMs: 1_000
    })
    const worded = emulator.createOperation({
      service: "ecs",
      serviceName: "b",
      errorCode: "TASKS_FAILED_TO_START",
      errorMessage: "essential container exited",
      durationMs: 1_000
    })
    clock.advance(1_000)
    const out = await call("DescribeServiceDeployments", { serviceDeploymentArns: [named.id, worded.id] })
    expect(out.body.serviceDeployments.map((d: { statusReason: string }) => d.statusReason)).toEqual([
      ECS_FAILURES.find((r) => r.code === "HEALTH_CHECKS_FAILED")!.message,
      "essential container exited"
    ])
    expect(ECS_FAILURES.map((r) => r.code)).toEqual([
      "TASKS_FAILED_TO_START",
      "HEALTH_CHECKS_FAILED",
      "ALARM",
      "ROLLBACK_FAILED"
    ])
  })

  it.each([
    [
      "an unknown deployment stopped",
      "StopServiceDeployment",
      { serviceDeploymentArn: "arn:aws:ecs:us-east-1:123456789012:service-deployment/c/s/x" },
      "ServiceDeploymentNotFoundException"
    ],
    ["an unknown service updated", "UpdateService", { service: "nope" }, "ServiceNotFoundException"],
    [
      "too many ARNs",
      "DescribeServiceDeployments",
      {
        serviceDeploymentArns: Array.from(
          { length: ECS_DESCRIBE_LIMIT + 1 },
          (_, i) => `arn:aws:ecs:us-east-1:123456789012:service-deployment/c/s/${i}`
        )
      },
      "InvalidParameterException"
    ],
    ["no ARNs", "DescribeServiceDeployments", {}, "InvalidParameterException"],
    [
      "a stop type ECS has not",
      "StopServiceDeployment",
      { serviceDeploymentArn: "x", stopType: "PAUSE" },
      "InvalidParameterException"
    ],
    ["an operation ECS has not", "DescribeThings", {}, "UnknownOperationException"]
  ])("%s is an ECS error document (HTTP 400)", async (_, operation, input, type) => {
    const { call } = await setup()
    const out = await call(operation, input)
    expect([out.status, out.errorType, out.body.__type]).toEqual([400, type, type])
    expect(typeof out.body.message).toBe("string")
  })

  it("a stop of a deployment that ended is a ConflictException; of one stopping already, accepted", async () => {
    const { clock, call, status } = await setup()
    const arn = (await call("CreateService", { serviceName: "web" })).body.service.currentServiceDeployment
    expect(
      (await call("StopServiceDeployment", { serviceDeploymentArn: arn, stopType: "ABORT" })).body
    ).toEqual({
      serviceDeploymentArn: arn
    })
    expect(
      (await call("StopServiceDeployment", { serviceDeploymentArn: arn, stopType: "ABORT" })).status
    ).toBe(200)
    clock.advance(ECS_STOP_MS)
    expect(await status(arn)).toBe("STOPPED")
    const late = await call("StopServiceDeployment", { serviceDeploymentArn: arn, stopType: "ABORT" })
    expect([late.status, late.errorType]).toEqual([400, "ConflictException"])
  })

  it("faults come in ECS's format: ThrottlingException 400, ServerException 5xx", async () => {
    const { emulator, call } = await setup({ rateLimit: { perSecond: 0, burst: 1 } })
    await call("CreateCluster", { clusterName: "prod" })
    const throttled = await call("CreateCluster", { clusterName: "prod" })
    expect([throttled.status, throttled.errorType]).toEqual([400, "ThrottlingException"])
    emulator.configure({ services: { ecs: { rateLimit: null, faults: { error5xxRate: 1 } } } })
    const failed = await call("CreateCluster", { clusterName: "prod" })
    expect(failed.errorType).toBe("ServerException")
    expect([500, 503]).toContain(failed.status)
  })

  it("the same seed makes the same deployments", async () => {
    const arns = async () => {
      const { call } = await setup()
      const out: string[] = []
      for (const name of ["a", "b"])
        out.push((await call("CreateService", { serviceName: name })).body.service.currentServiceDeployment)
      return out
    }
    expect(await arns()).toEqual(await arns())
  })
})
