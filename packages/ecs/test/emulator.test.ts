/**
 * The emulator's ECS through the real ECS client: each call as the SDK writes and reads it, the
 * deployment lifecycle (rollbacks, stops, a newer deployment stopping the older), ECS's errors
 * as the SDK's own classes and as the adapter classifies them, on a clock the tests move by hand.
 * The wire itself (targets, bodies, error documents) is tested in packages/emulator.
 */
import {
  ConflictException,
  ECS,
  InvalidParameterException,
  ServerException,
  type ServiceDeployment,
  ServiceDeploymentNotFoundException,
  ServiceNotFoundException
} from "@aws-sdk/client-ecs"
import { type Emulator, type StartEmulatorOptions, startEmulator } from "@opstatus/emulator"
import { afterEach, describe, expect, it } from "vitest"
import { classifyEcsError } from "../src/index.js"

/** The emulator's failure reasons (`ECS_FAILURES` in its Ecs module), code and statusReason. */
const ECS_FAILURES = [
  { code: "TASKS_FAILED_TO_START", message: "ECS deployment circuit breaker: tasks failed to start." },
  {
    code: "HEALTH_CHECKS_FAILED",
    message: "ECS deployment circuit breaker: tasks failed Elastic Load Balancing health checks."
  },
  { code: "ALARM", message: "ECS deployment alarm: the alarm 5xx-errors is in ALARM state." },
  {
    code: "ROLLBACK_FAILED",
    message:
      "ECS deployment circuit breaker: tasks failed to start, and the rollback's tasks failed to start too."
  }
] as const
/** How long the emulator takes to stop a deployment, simulated. */
const ECS_STOP_MS = 10_000
/** The most ARNs DescribeServiceDeployments takes. */
const ECS_DESCRIBE_LIMIT = 20

/** A clock the tests move by hand (simulated time runs at the emulator's default scale of 1). */
class ManualClock {
  t = 1_700_000_000_000
  readonly now = (): number => this.t
  advance(ms: number): void {
    this.t += ms
  }
}

const running: Emulator[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => emulator.stop()))
})

const start = async (options: StartEmulatorOptions): Promise<Emulator> => {
  const emulator = await startEmulator({ port: 0, ...options })
  running.push(emulator)
  return emulator
}

const credentials = (accessKeyId = "AKIDEXAMPLE") => ({ accessKeyId, secretAccessKey: "x" })

/** Settles a promise into its rejection (fails the test if it resolves). */
const rejection = async (promise: Promise<unknown>): Promise<any> => {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error("expected the call to fail, but it succeeded")
}

const DEPLOYMENT_ARN =
  /^arn:aws:ecs:us-east-1:\d{12}:service-deployment\/(?<cluster>[\w-]+)\/(?<service>[\w-]+)\/[A-Za-z0-9_-]{22}$/

/** A real ECS client pointed at the emulator, without retries. */
const ecsClient = (emulator: Emulator, region = "us-east-1", accessKeyId?: string) =>
  new ECS({ endpoint: emulator.endpoint, region, credentials: credentials(accessKeyId), maxAttempts: 1 })

/** Fixed durations: queued, then running. */
const durations = (queuedMs: number, runningMs: number, extra: object = {}) => ({
  ecs: {
    durations: { queuedMs: [queuedMs, queuedMs] as const, runningMs: [runningMs, runningMs] as const },
    ...extra
  }
})

/** An emulator on a hand-moved clock, with its ECS client and a reader of one deployment. */
const setup = async (scenario: object = durations(1_000, 9_000)) => {
  const clock = new ManualClock()
  const emulator = await start({ now: clock.now, scenario: { services: scenario } })
  const ecs = ecsClient(emulator)
  const read = async (arn: string): Promise<ServiceDeployment> => {
    const out = await ecs.describeServiceDeployments({ serviceDeploymentArns: [arn] })
    expect(out.failures).toEqual([])
    return out.serviceDeployments![0]!
  }
  const deploy = async (service = "web", cluster = "prod") =>
    (await ecs.createService({ cluster, serviceName: service, desiredCount: 4, taskDefinition: "web:1" }))
      .service!.currentServiceDeployment!
  return { clock, emulator, ecs, read, deploy }
}

describe("the emulator's ECS through the real ECS client", () => {
  it("CreateCluster and CreateService answer their cluster and service; the service names its deployment", async () => {
    const { clock, ecs, read } = await setup()
    const cluster = (await ecs.createCluster({ clusterName: "prod" })).cluster!
    expect(cluster.clusterArn).toMatch(/^arn:aws:ecs:us-east-1:\d{12}:cluster\/prod$/)
    expect(cluster.status).toBe("ACTIVE")
    const service = (await ecs.createService({ cluster: "prod", serviceName: "web", desiredCount: 4 }))
      .service!
    expect(service.serviceArn).toBe(cluster.clusterArn!.replace(":cluster/prod", ":service/prod/web"))
    expect(service.createdAt).toEqual(new Date(clock.t))
    const arn = service.currentServiceDeployment!
    expect(arn).toMatch(DEPLOYMENT_ARN)
    expect(arn.match(DEPLOYMENT_ARN)?.groups).toEqual({ cluster: "prod", service: "web" })

    const deployment = await read(arn)
    expect(deployment).toMatchObject({
      serviceDeploymentArn: arn,
      serviceArn: service.serviceArn,
      clusterArn: cluster.clusterArn,
      status: "PENDING",
      createdAt: new Date(clock.t),
      updatedAt: new Date(clock.t),
      sourceServiceRevisions: [],
      targetServiceRevision: { requestedTaskCount: 4, runningTaskCount: 0, pendingTaskCount: 0 },
      deploymentCircuitBreaker: { status: "MONITORING", failureCount: 0, threshold: 3 },
      alarms: { status: "DISABLED" }
    })
    expect(deployment.targetServiceRevision!.arn).toMatch(/:service-revision\/prod\/web\/\d+$/)
    expect(deployment.startedAt).toBeUndefined()

    const described = await ecs.describeServices({ cluster: "prod", services: ["web", "api"] })
    expect(described.services!.map((s) => s.currentServiceDeployment)).toEqual([arn])
    expect(described.failures).toEqual([
      { arn: service.serviceArn!.replace("/web", "/api"), reason: "MISSING" }
    ])
  })

  it("moves PENDING → IN_PROGRESS (tasks coming up) → SUCCESSFUL", async () => {
    const { clock, read, deploy } = await setup()
    const arn = await deploy()
    expect((await read(arn)).status).toBe("PENDING")
    clock.advance(1_000)
    const started = await read(arn)
    expect([started.status, started.startedAt]).toEqual(["IN_PROGRESS", new Date(clock.t)])
    clock.advance(4_500)
    const halfway = await read(arn)
    expect(halfway.targetServiceRevision).toMatchObject({
      requestedTaskCount: 4,
      runningTaskCount: 2,
      pendingTaskCount: 2
    })
    clock.advance(4_500)
    const done = await read(arn)
    expect(done).toMatchObject({
      status: "SUCCESSFUL",
      finishedAt: new Date(clock.t),
      targetServiceRevision: { runningTaskCount: 4, pendingTaskCount: 0 },
      deploymentCircuitBreaker: { status: "MONITORING_COMPLETE" }
    })
    expect(done.statusReason).toBeUndefined()
    expect(done.stoppedAt).toBeUndefined()
  })

  it("a failing deployment rolls back with its circuit breaker TRIGGERED: ROLLBACK_REQUESTED → ROLLBACK_IN_PROGRESS → ROLLBACK_SUCCESSFUL", async () => {
    const { clock, emulator, ecs, read, deploy } = await setup()
    const first = await deploy()
    clock.advance(10_000)
    emulator.configure({ services: { ecs: { failureRate: 1 } } })
    const update = await ecs.updateService({ cluster: "prod", service: "web", taskDefinition: "web:2" })
    const arn = update.service!.currentServiceDeployment!
    const source = (await read(first)).targetServiceRevision!.arn
    clock.advance(10_000)
    const requested = await read(arn)
    expect(requested.status).toBe("ROLLBACK_REQUESTED")
    expect(requested.sourceServiceRevisions!.map((r) => r.arn)).toEqual([source])
    const reason = ECS_FAILURES.find((r) => r.message === requested.statusReason)
    expect(reason).toBeDefined()
    expect(["TASKS_FAILED_TO_START", "HEALTH_CHECKS_FAILED", "ROLLBACK_FAILED"]).toContain(reason!.code)
    expect(requested.deploymentCircuitBreaker).toEqual({ status: "TRIGGERED", failureCount: 3, threshold: 3 })
    expect(requested.rollback).toEqual({
      reason: "Amazon ECS rolled back the service to its last completed deployment.",
      startedAt: new Date(clock.t),
      serviceRevisionArn: source
    })
    clock.advance(2_000)
    expect((await read(arn)).status).toBe("ROLLBACK_IN_PROGRESS")
    clock.advance(2_500)
    const ended = await read(arn)
    expect(ended.status).toBe(reason!.code === "ROLLBACK_FAILED" ? "ROLLBACK_FAILED" : "ROLLBACK_SUCCESSFUL")
    expect(ended.finishedAt).toEqual(new Date(clock.t))
  })

  it("a rollback can fail: ROLLBACK_FAILED", async () => {
    const { clock, emulator, read } = await setup()
    const created = emulator.createOperation({
      service: "ecs",
      cluster: "prod",
      serviceName: "api",
      errorCode: "ROLLBACK_FAILED",
      durationMs: 10_000
    })
    clock.advance(10_000)
    expect((await read(created.id)).status).toBe("ROLLBACK_REQUESTED")
    clock.advance(5_000)
    const ended = await read(created.id)
    expect(ended.status).toBe("ROLLBACK_FAILED")
    expect(ended.statusReason).toBe(ECS_FAILURES.find((r) => r.code === "ROLLBACK_FAILED")!.message)
    expect(ended.deploymentCircuitBreaker!.status).toBe("TRIGGERED")
  })

  it("with the rollback off a failing deployment is STOPPED, its circuit breaker TRIGGERED; an alarm names itself", async () => {
    const { clock, emulator, ecs, read } = await setup(durations(1_000, 9_000, { failureRate: 1 }))
    const stopped = (
      await ecs.createService({
        cluster: "prod",
        serviceName: "web",
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false } }
      })
    ).service!.currentServiceDeployment!
    emulator.configure({ services: { ecs: { failureRate: 0 } } })
    const alarmed = (
      await ecs.createService({
        cluster: "prod",
        serviceName: "api",
        deploymentConfiguration: {
          deploymentCircuitBreaker: { enable: true, rollback: false },
          alarms: { enable: true, rollback: false, alarmNames: ["latency", "5xx"] }
        }
      })
    ).service!.currentServiceDeployment!
    emulator.transition("ecs", alarmed, "failed", {
      errorCode: "ALARM",
      errorMessage: "ECS deployment alarm: latency."
    })
    clock.advance(10_000)
    const failed = await read(stopped)
    expect(failed).toMatchObject({
      status: "STOPPED",
      stoppedAt: new Date(clock.t),
      deploymentCircuitBreaker: { status: "TRIGGERED" }
    })
    expect(failed.finishedAt).toBeUndefined()
    expect(ECS_FAILURES.map((r) => r.message)).toContain(failed.statusReason)
    const byAlarm = await read(alarmed)
    expect(byAlarm).toMatchObject({
      status: "STOPPED",
      statusReason: "ECS deployment alarm: latency.",
      alarms: { status: "TRIGGERED", alarmNames: ["latency", "5xx"], triggeredAlarmNames: ["latency"] },
      deploymentCircuitBreaker: { status: "MONITORING_COMPLETE" }
    })
  })

  it("without a circuit breaker a failing deployment never ends", async () => {
    const { clock, ecs, read } = await setup(durations(1_000, 9_000, { failureRate: 1 }))
    const arn = (
      await ecs.createService({
        cluster: "prod",
        serviceName: "web",
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: false, rollback: false } }
      })
    ).service!.currentServiceDeployment!
    clock.advance(3_600_000)
    expect(await read(arn)).toMatchObject({
      status: "IN_PROGRESS",
      deploymentCircuitBreaker: { status: "DISABLED" }
    })
  })

  it("UpdateService while a deployment is in progress stops it, naming the newer one", async () => {
    const { clock, ecs, read, deploy } = await setup()
    const first = await deploy()
    clock.advance(3_000)
    const second = (await ecs.updateService({ cluster: "prod", service: "web", desiredCount: 6 })).service!
      .currentServiceDeployment!
    expect(second).not.toBe(first)
    const stopping = await read(first)
    expect(stopping.status).toBe("STOP_REQUESTED")
    expect(stopping.statusReason).toBe(`ECS stopped the deployment: a newer deployment started (${second}).`)
    clock.advance(ECS_STOP_MS)
    expect(await read(first)).toMatchObject({ status: "STOPPED", stoppedAt: new Date(clock.t) })
    const next = await read(second)
    expect(next.targetServiceRevision!.requestedTaskCount).toBe(6)
    expect(next.sourceServiceRevisions!.map((r) => r.arn)).toEqual([stopping.targetServiceRevision!.arn])
  })

  it("StopServiceDeployment ABORT: STOP_REQUESTED, then STOPPED; ROLLBACK (the default) rolls back", async () => {
    const { clock, ecs, read, deploy } = await setup()
    const aborted = await deploy("web")
    const rolled = await deploy("api")
    clock.advance(2_000)
    expect(
      await ecs.stopServiceDeployment({ serviceDeploymentArn: aborted, stopType: "ABORT" })
    ).toMatchObject({
      serviceDeploymentArn: aborted
    })
    await ecs.stopServiceDeployment({ serviceDeploymentArn: rolled })
    expect((await read(aborted)).status).toBe("STOP_REQUESTED")
    const rolling = await read(rolled)
    expect(rolling.status).toBe("ROLLBACK_REQUESTED")
    expect(rolling.rollback!.reason).toBe("A user requested the rollback.")
    expect(rolling.deploymentCircuitBreaker!.status).toBe("MONITORING")
    // Stopping what is stopping already is accepted and changes nothing.
    await ecs.stopServiceDeployment({ serviceDeploymentArn: aborted, stopType: "ABORT" })
    clock.advance(ECS_STOP_MS)
    const stopped = await read(aborted)
    expect([stopped.status, stopped.statusReason]).toEqual([
      "STOPPED",
      "Service deployment stopped by user request."
    ])
    const rolledBack = await read(rolled)
    expect([rolledBack.status, rolledBack.statusReason]).toEqual([
      "ROLLBACK_SUCCESSFUL",
      "Service deployment rolled back by user request."
    ])
    const ended = await rejection(
      ecs.stopServiceDeployment({ serviceDeploymentArn: aborted, stopType: "ABORT" })
    )
    expect(ended).toBeInstanceOf(ConflictException)
    expect(classifyEcsError(ended).reason._tag).toBe("InvalidRequest")
    expect(ended.message).toContain("has ended (STOPPED)")
    const unknown = await rejection(
      ecs.stopServiceDeployment({
        serviceDeploymentArn: aborted.replace(/[^/]+$/, "x".repeat(22)),
        stopType: "ABORT"
      })
    )
    expect(unknown).toBeInstanceOf(ServiceDeploymentNotFoundException)
    expect(classifyEcsError(unknown).reason._tag).toBe("OperationNotFound")
    const badType = await rejection(
      ecs.stopServiceDeployment({ serviceDeploymentArn: rolled, stopType: "PAUSE" as never })
    )
    expect(badType).toBeInstanceOf(InvalidParameterException)
  })

  it("DescribeServiceDeployments answers in order, lists unknown ARNs as MISSING and takes at most 20", async () => {
    const { ecs, deploy } = await setup()
    const a = await deploy("a")
    const b = await deploy("b")
    const other = a.replace("us-east-1", "eu-west-1")
    const unknown = a.replace(/[^/]+$/, "y".repeat(22))
    const out = await ecs.describeServiceDeployments({ serviceDeploymentArns: [b, unknown, a, other] })
    expect(out.serviceDeployments!.map((d) => d.serviceDeploymentArn)).toEqual([b, a])
    expect(out.failures).toEqual([
      { arn: unknown, reason: "MISSING" },
      { arn: other, reason: "MISSING" }
    ])
    // Another account does not see them either.
    const stranger = ecsClient((await setup()).emulator, "us-east-1", "AKIDOTHER")
    expect((await stranger.describeServiceDeployments({ serviceDeploymentArns: [a] })).failures).toHaveLength(
      1
    )
    const many = Array.from({ length: ECS_DESCRIBE_LIMIT + 1 }, () => a)
    expect(await rejection(ecs.describeServiceDeployments({ serviceDeploymentArns: many }))).toBeInstanceOf(
      InvalidParameterException
    )
    expect(
      (await ecs.describeServiceDeployments({ serviceDeploymentArns: many.slice(1) })).serviceDeployments
    ).toHaveLength(ECS_DESCRIBE_LIMIT)
    for (const bad of [[], ["not-an-arn"]]) {
      expect(await rejection(ecs.describeServiceDeployments({ serviceDeploymentArns: bad }))).toBeInstanceOf(
        InvalidParameterException
      )
    }
  })

  it("a new deployment is MISSING while the scenario hides new operations, then found", async () => {
    const { clock, ecs, deploy } = await setup(durations(1_000, 9_000, { faults: { notFoundForMs: 5_000 } }))
    const arn = await deploy()
    expect((await ecs.describeServiceDeployments({ serviceDeploymentArns: [arn] })).failures).toEqual([
      { arn, reason: "MISSING" }
    ])
    clock.advance(5_000)
    expect(
      (await ecs.describeServiceDeployments({ serviceDeploymentArns: [arn] })).serviceDeployments
    ).toHaveLength(1)
  })

  it("ListServiceDeployments pages a service's deployments, newest first, filtered by status and creation", async () => {
    const { clock, ecs, deploy } = await setup()
    const arns = [await deploy()]
    for (let i = 0; i < 4; i++) {
      clock.advance(60_000)
      arns.push(
        (await ecs.updateService({ cluster: "prod", service: "web" })).service!.currentServiceDeployment!
      )
    }
    const pages: string[][] = []
    let nextToken: string | undefined
    do {
      const page = await ecs.listServiceDeployments({
        cluster: "prod",
        service: "web",
        maxResults: 2,
        nextToken
      })
      pages.push(page.serviceDeployments!.map((d) => d.serviceDeploymentArn!))
      nextToken = page.nextToken
    } while (nextToken !== undefined)
    expect(pages).toEqual([[arns[4], arns[3]], [arns[2], arns[1]], [arns[0]]])
    const successful = await ecs.listServiceDeployments({
      cluster: "prod",
      service: "web",
      status: ["SUCCESSFUL"]
    })
    // Each deployment but the last had ended, 10 s after it started, when the next one started.
    expect(
      successful.serviceDeployments!.map((d) => [d.serviceDeploymentArn, d.status, d.finishedAt])
    ).toEqual([3, 2, 1, 0].map((i) => [arns[i], "SUCCESSFUL", new Date(clock.t - (4 - i) * 60_000 + 10_000)]))
    const pending = await ecs.listServiceDeployments({
      cluster: "prod",
      service: "web",
      status: ["PENDING", "STOPPED"]
    })
    expect(pending.serviceDeployments!.map((d) => d.serviceDeploymentArn)).toEqual([arns[4]])
    const recent = await ecs.listServiceDeployments({
      cluster: "prod",
      service: "web",
      createdAt: { after: new Date(clock.t - 60_000) }
    })
    expect(recent.serviceDeployments!.map((d) => d.serviceDeploymentArn)).toEqual([arns[4], arns[3]])
    const brief = recent.serviceDeployments![0]!
    expect(brief.targetServiceRevisionArn).toMatch(/:service-revision\/prod\/web\/\d+$/)
    expect(await rejection(ecs.listServiceDeployments({ cluster: "prod", service: "nope" }))).toBeInstanceOf(
      ServiceNotFoundException
    )
    expect(
      await rejection(ecs.listServiceDeployments({ cluster: "prod", service: "web", nextToken: "bad" }))
    ).toBeInstanceOf(InvalidParameterException)
  })

  it("answers a service it does not know, a second CreateService and bad input with ECS's errors", async () => {
    const { ecs, deploy } = await setup()
    await deploy()
    const missing = await rejection(ecs.updateService({ cluster: "prod", service: "nope" }))
    expect(missing).toBeInstanceOf(ServiceNotFoundException)
    expect(classifyEcsError(missing).reason._tag).toBe("OperationNotFound")
    const again = await rejection(ecs.createService({ cluster: "prod", serviceName: "web" }))
    expect(again).toBeInstanceOf(InvalidParameterException)
    expect(again.message).toBe("Creation of service was not idempotent.")
    expect(await rejection(ecs.createService({ cluster: "prod", serviceName: "bad name" }))).toBeInstanceOf(
      InvalidParameterException
    )
  })

  it("injected 5xx answers come as ServerException, a throttle as ThrottlingException, a denied key as AccessDeniedException", async () => {
    const { emulator, ecs, deploy } = await setup()
    const arn = await deploy()
    emulator.configure({ services: { ecs: { faults: { error5xxRate: 1 } } } })
    const error = await rejection(ecs.describeServiceDeployments({ serviceDeploymentArns: [arn] }))
    expect(error).toBeInstanceOf(ServerException)
    expect(classifyEcsError(error).reason._tag).toBe("ServiceUnavailable")
    expect(error.$metadata.httpStatusCode === 500 || error.$metadata.httpStatusCode === 503).toBe(true)
    emulator.configure({
      services: { ecs: { faults: { error5xxRate: 0 }, rateLimit: { perSecond: 0, burst: 1 } } }
    })
    await ecs.describeServiceDeployments({ serviceDeploymentArns: [arn] })
    const throttled = await rejection(ecs.describeServiceDeployments({ serviceDeploymentArns: [arn] }))
    expect(throttled.name).toBe("ThrottlingException")
    expect(throttled.$metadata.httpStatusCode).toBe(400)
    expect(classifyEcsError(throttled).reason._tag).toBe("Throttled")
    emulator.configure({ services: { ecs: { rateLimit: null } }, deniedAccessKeys: ["AKIDEXAMPLE"] })
    const denied = await rejection(ecs.describeServiceDeployments({ serviceDeploymentArns: [arn] }))
    expect([denied.name, classifyEcsError(denied).reason._tag]).toEqual([
      "AccessDeniedException",
      "AccessDenied"
    ])
  })

  it("operations made through the admin surface are deployments of the service they name", async () => {
    const { emulator, ecs } = await setup()
    const made = emulator.createOperation({ service: "ecs", cluster: "prod", serviceName: "batch" })
    expect(made.id).toMatch(DEPLOYMENT_ARN)
    expect(made.wire).toMatchObject({ serviceDeploymentArn: made.id, status: "PENDING" })
    const service = (await ecs.describeServices({ cluster: "prod", services: ["batch"] })).services![0]!
    expect(service.currentServiceDeployment).toBe(made.id)
    emulator.transition("ecs", made.id, "cancelled")
    const stopped = (await ecs.describeServiceDeployments({ serviceDeploymentArns: [made.id] }))
      .serviceDeployments!
    expect([stopped[0]!.status, stopped[0]!.statusReason]).toEqual([
      "STOPPED",
      "Service deployment stopped by user request."
    ])
  })
})
