import {
  AccessDeniedException,
  ClientException,
  ClusterNotFoundException,
  ConflictException,
  CreateServiceCommand,
  DescribeServiceDeploymentsCommand,
  ECSClient,
  ECSServiceException,
  InvalidParameterException,
  ListServiceDeploymentsCommand,
  ServerException,
  ServiceDeploymentNotFoundException,
  ServiceDeploymentStatus,
  ServiceNotActiveException,
  ServiceNotFoundException,
  StopServiceDeploymentCommand,
  UnsupportedFeatureException,
  UpdateServiceCommand
} from "@aws-sdk/client-ecs"
import {
  cancel,
  createOperationStatus,
  get,
  isOpstatusError,
  type OpstatusError,
  parseRef,
  waitForSuccess,
  waitForTerminal
} from "@opstatus/core"
import { checkRef, renderStatusTable } from "@opstatus/core/adapter-kit"
import { mockClient } from "aws-sdk-client-mock"
import { Effect, Stream } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import {
  classifyEcsError,
  type EcsQuery,
  ecsErrorCodes,
  ecsService,
  ecsSource,
  ecsStatusTable,
  failureError,
  parseServiceDeploymentArn,
  refsFromResponse,
  toListInput,
  toOperation
} from "../src/index.js"
import { arn, arnOf, clusterArn, deployment, revisionArn, runOnClock, serviceArn } from "./helpers.js"

const ref = `ecs:us-east-1:${arn}`
const refObject = { service: "ecs", region: "us-east-1", id: arn }

/** What a synchronous call threw, or `undefined`. */
const thrown = (f: () => unknown): unknown => {
  try {
    f()
    return undefined
  } catch (error) {
    return error
  }
}

/** The failure of a result, or a sign that there was none. */
const failureOf = <A>(r: { _tag: "Success"; success: A } | { _tag: "Failure"; failure: OpstatusError }) => {
  if (r._tag === "Success") throw new Error("expected a failure")
  return r.failure
}

describe("ecsService", () => {
  it("declares the slug, title, defaults and table, and reads no hints", () => {
    expect(ecsService.service).toBe("ecs")
    expect(ecsService.title).toBe("Amazon ECS")
    expect(ecsService.hints).toEqual({})
    expect(ecsService.defaults).toEqual({
      timeout: "30 minutes",
      minDelay: "5 seconds",
      maxDelay: "30 seconds",
      notFoundGrace: "30 seconds"
    })
    expect(ecsService.statusTable).toBe(ecsStatusTable)
  })

  const check = (input: string) =>
    Effect.runPromise(Effect.result(Effect.flatMap(parseRef(input), (r) => checkRef(r, ecsService))))

  it.each([
    ref,
    "ecs:us-west-2:arn:aws:ecs:us-west-2:123456789012:service-deployment/example/sd-example/NCWGC2ZR-taawPAYrIaU5",
    "ecs:cn-north-1:arn:aws-cn:ecs:cn-north-1:123456789012:service-deployment/c_1/s-1/r9i43YFjvgF_xlg7m2eJ1r",
    "ecs:us-gov-west-1:arn:aws-us-gov:ecs:us-gov-west-1:123456789012:service-deployment/c/s/x"
  ])("accepts %s", async (input) => {
    expect((await check(input))._tag).toBe("Success")
  })

  it.each([
    [`ecs:us-west-2:${arn}`, "an ECS ARN of the wrong region: it names us-east-1, the ref us-west-2"],
    ["ecs:us-east-1:Abc123", "a service deployment ARN"],
    [`ecs:us-east-1:${arn.replace("service-deployment", "service")}`, "a service deployment ARN"],
    [`ecs:us-east-1:${arn.replace(":aws:", ":aws-eu:")}`, "a service deployment ARN"],
    [`ecs:us-east-1:${arn.replace(":ecs:", ":ec2:")}`, "a service deployment ARN"],
    [`ecs:us-east-1:${arn.replace("123456789012", "1234")}`, "a service deployment ARN"],
    [`ecs:us-east-1:${arn}/extra`, "a service deployment ARN"],
    [`ecs:us-east-1:${arn.replace(":aws:", ":aws-cn:")}`, "wrong partition: aws-cn has no region us-east-1"],
    [
      "ecs:cn-north-1:arn:aws:ecs:cn-north-1:123456789012:service-deployment/c/s/x",
      "wrong partition: aws has no region cn-north-1"
    ]
  ])("rejects %s as InvalidRef before any request", async (input, text) => {
    const error = failureOf(await check(input))
    expect(error.reason._tag).toBe("InvalidRef")
    expect(error.message).toContain(text)
  })

  it("parses a deployment ARN into its parts", () => {
    expect(parseServiceDeploymentArn(arn)).toEqual({
      partition: "aws",
      region: "us-east-1",
      account: "123456789012",
      cluster: "my-cluster",
      service: "my-service",
      id: "Abc123"
    })
    for (const value of [undefined, null, 5, {}, "", `${arn}\n`, `x${arn}`, `${arn}${"a".repeat(600)}`]) {
      expect(parseServiceDeploymentArn(value)).toBeUndefined()
    }
  })
})

describe("ECS status mapping", () => {
  it.each([
    ["PENDING", "pending", false],
    ["IN_PROGRESS", "running", false],
    ["SUCCESSFUL", "succeeded", true],
    ["STOP_REQUESTED", "running", false],
    ["STOPPED", "cancelled", true],
    ["ROLLBACK_REQUESTED", "running", false],
    ["ROLLBACK_IN_PROGRESS", "running", false],
    ["ROLLBACK_SUCCESSFUL", "failed", true],
    ["ROLLBACK_FAILED", "failed", true]
  ] as const)("%s maps to %s (terminal %s)", (status, unified, terminal) => {
    const op = toOperation(deployment(status), "us-east-1")
    expect([op.status, op.terminal, op.rawStatus]).toEqual([unified, terminal, status])
    expect(ecsStatusTable[status]).toBe(unified)
  })

  it.each(Object.values(ServiceDeploymentStatus))(
    "the SDK's ServiceDeploymentStatus %s has a row",
    (status) => {
      expect(Object.keys(ecsStatusTable)).toContain(status)
      expect(toOperation(deployment(status), "us-east-1").status).not.toBe("unknown")
    }
  )

  it("has no row the SDK does not know", () => {
    expect(Object.keys(ecsStatusTable).sort()).toEqual(Object.values(ServiceDeploymentStatus).sort())
  })

  it.each(["FAILED", "successful", ""])("an unknown status %j is unknown and not terminal", (status) => {
    const op = toOperation(deployment(status), "us-east-1")
    expect([op.status, op.terminal, op.error]).toEqual(["unknown", false, undefined])
  })

  it("a rollback is never success: ROLLBACK_SUCCESSFUL carries RolledBack, the reason, the monitors and the revision", () => {
    const op = toOperation(
      deployment("ROLLBACK_SUCCESSFUL", {
        statusReason: "ECS deployment circuit breaker: tasks failed to start.",
        rollback: {
          reason: "Rolling back to the last deployment that completed successfully.",
          startedAt: new Date("2026-01-01T00:05:00Z"),
          serviceRevisionArn: revisionArn(1)
        },
        deploymentCircuitBreaker: { status: "TRIGGERED", failureCount: 3, threshold: 3 },
        alarms: { status: "TRIGGERED", alarmNames: ["cpu", "5xx"], triggeredAlarmNames: ["5xx"] },
        finishedAt: new Date("2026-01-01T00:09:00Z")
      }),
      "us-east-1"
    )
    expect([op.status, op.terminal]).toEqual(["failed", true])
    expect(op.error?.code).toBe("RolledBack")
    expect(op.error?.message).toBe(
      "The service deployment failed and was rolled back: ECS deployment circuit breaker: tasks failed to start.; " +
        "rollback reason: Rolling back to the last deployment that completed successfully.; " +
        "circuit breaker triggered (3 failed tasks, threshold 3); alarms triggered: 5xx; " +
        `rolled back to ${revisionArn(1)}`
    )
    expect(op.targets?.rollbackServiceRevision).toBe(revisionArn(1))
    expect(op.endedAt?.toISOString()).toBe("2026-01-01T00:09:00.000Z")
  })

  it("ROLLBACK_FAILED carries RollbackFailed and the service's reason", () => {
    const op = toOperation(
      deployment("ROLLBACK_FAILED", { statusReason: "rollback tasks failed to start" }),
      "us-east-1"
    )
    expect(op.error).toEqual({
      code: "RollbackFailed",
      message: "The service deployment failed and its rollback failed too: rollback tasks failed to start"
    })
  })

  it("a rollback without any detail still says it rolled back", () => {
    const op = toOperation({ serviceDeploymentArn: arn, status: "ROLLBACK_SUCCESSFUL" }, "us-east-1")
    expect(op.error).toEqual({
      code: "RolledBack",
      message: "The service deployment failed and was rolled back"
    })
  })

  it("STOPPED by a caller is cancelled and carries statusReason", () => {
    const op = toOperation(
      deployment("STOPPED", {
        statusReason: "Service deployment stopped by user.",
        stoppedAt: new Date("2026-01-01T00:02:00Z"),
        deploymentCircuitBreaker: { status: "MONITORING", failureCount: 0, threshold: 3 }
      }),
      "us-east-1"
    )
    expect([op.status, op.terminal]).toEqual(["cancelled", true])
    expect(op.error).toEqual({
      code: ecsErrorCodes.stopped,
      message: "The service deployment was stopped: Service deployment stopped by user."
    })
    expect(op.endedAt?.toISOString()).toBe("2026-01-01T00:02:00.000Z")
  })

  it.each([
    ["the circuit breaker", { deploymentCircuitBreaker: { status: "TRIGGERED" as const, failureCount: 4 } }],
    ["an alarm", { alarms: { status: "TRIGGERED" as const, triggeredAlarmNames: ["latency"] } }]
  ])("STOPPED after %s triggered with rollback off is failed, DeploymentFailed", (_, monitors) => {
    const op = toOperation(deployment("STOPPED", { statusReason: "tasks failed", ...monitors }), "us-east-1")
    expect([op.status, op.terminal]).toEqual(["failed", true])
    expect(op.error?.code).toBe("DeploymentFailed")
    expect(op.error?.message).toMatch(
      /^The service deployment failed and was stopped \(no rollback\): tasks failed; /
    )
  })

  it("maps the deployment's fields: resource, targets, dates, properties and the target revision's progress", () => {
    const op = toOperation(
      deployment("IN_PROGRESS", {
        lifecycleStage: "SCALE_UP",
        sourceServiceRevisions: [{ arn: revisionArn(1) }, { arn: revisionArn(3) }]
      }),
      "us-east-1",
      "req-1"
    )
    expect(op.ref).toEqual(refObject)
    expect(op.type).toBe("ServiceDeployment")
    expect(op.resource).toEqual({ type: "AWS::ECS::Service", name: "my-service", arn: serviceArn })
    expect(op.targets).toEqual({
      cluster: clusterArn,
      service: serviceArn,
      targetServiceRevision: revisionArn(2),
      sourceServiceRevisions: `${revisionArn(1)},${revisionArn(3)}`
    })
    expect(op.properties).toEqual({ lifecycleStage: "SCALE_UP" })
    expect(op.createdAt?.toISOString()).toBe("2026-01-01T00:00:00.000Z")
    expect(op.updatedAt?.toISOString()).toBe("2026-01-01T00:01:00.000Z")
    expect(op.endedAt).toBeUndefined()
    expect(op.error).toBeUndefined()
    expect(op.requestId).toBe("req-1")
    expect(op.steps).toEqual([
      {
        description: "target service revision",
        status: "running",
        rawStatus: "IN_PROGRESS",
        message: "1 of 2 tasks running, 1 pending",
        resource: { type: "AWS::ECS::ServiceRevision", arn: revisionArn(2) },
        at: new Date("2026-01-01T00:01:00Z")
      }
    ])
  })

  it("a SUCCESSFUL deployment ends at finishedAt; without updatedAt, startedAt is the update", () => {
    const op = toOperation(
      deployment("SUCCESSFUL", { updatedAt: undefined, finishedAt: new Date("2026-01-01T00:03:00Z") }),
      "us-east-1"
    )
    expect(op.updatedAt?.toISOString()).toBe("2026-01-01T00:00:05.000Z")
    expect(op.endedAt?.toISOString()).toBe("2026-01-01T00:03:00.000Z")
    expect(op.error).toBeUndefined()
  })

  it("maps a ListServiceDeployments brief (no task counts)", () => {
    const op = toOperation(
      {
        serviceDeploymentArn: arn,
        serviceArn,
        clusterArn,
        status: "SUCCESSFUL",
        targetServiceRevisionArn: revisionArn(2),
        finishedAt: new Date("2026-01-01T00:03:00Z")
      },
      "us-east-1"
    )
    expect(op.status).toBe("succeeded")
    expect(op.targets?.targetServiceRevision).toBe(revisionArn(2))
    expect(op.steps).toBeUndefined()
  })

  it.each([
    [
      "nulls everywhere",
      { serviceDeploymentArn: null, status: null, targetServiceRevision: null, rollback: null }
    ],
    ["no fields", {}],
    [
      "a null-prototype object",
      Object.assign(Object.create(null), { serviceDeploymentArn: arn, status: "SUCCESSFUL" })
    ],
    ["dates that are not dates", { status: "SUCCESSFUL", createdAt: "yesterday", finishedAt: Number.NaN }],
    [
      "nested fields of the wrong type",
      {
        status: "ROLLBACK_SUCCESSFUL",
        rollback: 5,
        deploymentCircuitBreaker: "TRIGGERED",
        alarms: { status: "TRIGGERED", triggeredAlarmNames: [5, null] },
        sourceServiceRevisions: "rev",
        targetServiceRevision: { arn: 5 }
      }
    ],
    [
      "counts that are not numbers",
      { status: "IN_PROGRESS", targetServiceRevision: { arn, runningTaskCount: "1" } }
    ],
    [
      "fields of the wrong type",
      { serviceDeploymentArn: 5, status: { a: 1 }, serviceArn: [], statusReason: 3 }
    ],
    ["null", null],
    ["a number", 5],
    ["a string", "SUCCESSFUL"]
  ])("never throws on %s", (_, value) => {
    const op = toOperation(value as never, "us-east-1")
    expect(op.ref.service).toBe("ecs")
    expect(typeof op.ref.id).toBe("string")
    expect(op.status === "succeeded" && op.rawStatus !== "SUCCESSFUL").toBe(false)
    for (const date of [op.createdAt, op.updatedAt, op.endedAt]) {
      if (date !== undefined) expect(Number.isNaN(date.getTime())).toBe(false)
    }
    expect(op.raw).toBe(value)
  })
})

describe("classifyEcsError: every exception the three calls model", () => {
  const opts = (status: number) => ({ message: "m", $metadata: { httpStatusCode: status, requestId: "r-1" } })
  it.each([
    [new ServiceDeploymentNotFoundException(opts(400)), "OperationNotFound"],
    [new ServiceNotFoundException(opts(400)), "OperationNotFound"],
    [new ClusterNotFoundException(opts(400)), "OperationNotFound"],
    [new AccessDeniedException(opts(400)), "AccessDenied"],
    [new ClientException(opts(400)), "InvalidRequest"],
    [new InvalidParameterException(opts(400)), "InvalidRequest"],
    [new UnsupportedFeatureException(opts(400)), "InvalidRequest"],
    [new ConflictException(opts(400)), "InvalidRequest"],
    [new ServiceNotActiveException(opts(400)), "InvalidRequest"],
    [new ServerException(opts(500)), "ServiceUnavailable"],
    [new ServerException({ message: "m", $metadata: { requestId: "r-1" } }), "ServiceUnavailable"],
    [new ECSServiceException({ name: "ThrottlingException", $fault: "client", ...opts(400) }), "Throttled"],
    [
      new ECSServiceException({ name: "UnrecognizedClientException", $fault: "client", ...opts(400) }),
      "Unauthenticated"
    ],
    [new ECSServiceException({ name: "Unknown", $fault: "server", ...opts(503) }), "ServiceUnavailable"]
  ])("%s is %s", (error, tag) => {
    const classified = classifyEcsError(error)
    expect(isOpstatusError(classified)).toBe(true)
    expect(classified.reason._tag).toBe(tag)
    expect(classified.service).toBe("ecs")
    expect(classified.code).toBe(error.name)
    expect(classified.requestId).toBe("r-1")
  })

  it("a MISSING failure is not found; any other reason an UnknownServiceError with the reason as code", () => {
    const missing = failureError({ arn, reason: "MISSING" }, "r-2")
    expect([missing.reason._tag, missing.code, missing.serviceMessage, missing.requestId]).toEqual([
      "OperationNotFound",
      "MISSING",
      `MISSING: ${arn}`,
      "r-2"
    ])
    const other = failureError({ arn, reason: "INACTIVE", detail: "the service is draining" })
    expect([other.reason._tag, other.code, other.serviceMessage]).toEqual([
      "UnknownServiceError",
      "INACTIVE",
      "the service is draining"
    ])
    expect(failureError(null).code).toBe("Failure")
  })
})

describe("toListInput: every ListServiceDeployments parameter", () => {
  const input = (q: unknown) => Effect.runPromise(Effect.result(toListInput(q as EcsQuery)))
  it("builds the request", async () => {
    const r = await input({
      service: "my-service",
      cluster: "my-cluster",
      status: ["IN_PROGRESS", "ROLLBACK_SUCCESSFUL"],
      createdAfter: new Date(1_000),
      createdBefore: new Date(2_000),
      maxResults: 50
    })
    expect(r._tag === "Success" && r.success).toEqual({
      service: "my-service",
      cluster: "my-cluster",
      status: ["IN_PROGRESS", "ROLLBACK_SUCCESSFUL"],
      createdAt: { after: new Date(1_000), before: new Date(2_000) },
      maxResults: 50
    })
    const one = await input({ service: "s", status: "PENDING", createdBefore: new Date(5) })
    expect(one._tag === "Success" && one.success).toEqual({
      service: "s",
      status: ["PENDING"],
      createdAt: { before: new Date(5) }
    })
  })

  it.each([
    [{}, "service"],
    [{ service: "" }, "service"],
    [{ service: 5 }, "service"],
    [{ service: "s", cluster: "" }, "cluster must be a non-empty string"],
    [{ service: "s", maxResults: 101 }, "from 1 to 100"],
    [{ service: "s", maxResults: 1.5 }, "from 1 to 100"],
    [{ service: "s", status: "DONE" }, 'status "DONE"'],
    [{ service: "s", status: [] }, "at least one value"],
    [{ service: "s", status: 5 }, "a value or a list"],
    [{ service: "s", createdAfter: "yesterday" }, "createdAfter must be a valid date"],
    [{ service: "s", createdBefore: new Date(Number.NaN) }, "createdBefore must be a valid date"],
    [{ service: "s", createdAfter: new Date(2), createdBefore: new Date(1) }, "after createdBefore"],
    [null, "must be an object"],
    [[], "must be an object"]
  ])("rejects %j as InvalidQuery", async (query, text) => {
    const error = failureOf(await input(query))
    expect(error.reason._tag).toBe("InvalidQuery")
    expect(error.message).toContain(text)
  })
})

describe("ecsSource over the real ECSClient (aws-sdk-client-mock)", () => {
  const mock = mockClient(ECSClient)
  let client: ECSClient
  beforeEach(() => {
    mock.reset()
    client = new ECSClient({
      region: "us-east-1",
      credentials: { accessKeyId: "AKID", secretAccessKey: "x" }
    })
  })
  afterEach(() => client.destroy())

  const describeCalls = () =>
    mock.commandCalls(DescribeServiceDeploymentsCommand).map((c) => c.args[0].input.serviceDeploymentArns)

  it("waits through PENDING and IN_PROGRESS to SUCCESSFUL", async () => {
    mock
      .on(DescribeServiceDeploymentsCommand)
      .resolvesOnce({ serviceDeployments: [deployment("PENDING")], failures: [] })
      .resolvesOnce({ serviceDeployments: [deployment("IN_PROGRESS")], failures: [] })
      .resolves({ serviceDeployments: [deployment("SUCCESSFUL")], failures: [] })
    const r = await runOnClock(waitForSuccess(ref), [ecsSource({ client })])
    expect(r._tag === "Success" && [r.success.status, r.success.rawStatus]).toEqual([
      "succeeded",
      "SUCCESSFUL"
    ])
    expect(describeCalls()).toEqual([[arn], [arn], [arn]])
  })

  it("a rolled-back deployment rejects waitForSuccess with OperationFailed: RolledBack and the service's reason", async () => {
    mock
      .on(DescribeServiceDeploymentsCommand)
      .resolvesOnce({ serviceDeployments: [deployment("IN_PROGRESS")] })
      .resolvesOnce({ serviceDeployments: [deployment("ROLLBACK_IN_PROGRESS")] })
      .resolves({
        serviceDeployments: [
          deployment("ROLLBACK_SUCCESSFUL", {
            statusReason: "ECS deployment circuit breaker: tasks failed to start.",
            deploymentCircuitBreaker: { status: "TRIGGERED", failureCount: 3, threshold: 3 },
            rollback: { reason: "circuit breaker", serviceRevisionArn: revisionArn(1) }
          })
        ],
        $metadata: { requestId: "req-3" }
      })
    const error = failureOf(await runOnClock(waitForSuccess(ref), [ecsSource({ client })]))
    expect(error.reason._tag).toBe("OperationFailed")
    expect(error.code).toBe("RolledBack")
    expect(error.serviceMessage).toContain("ECS deployment circuit breaker: tasks failed to start.")
    expect(error.serviceMessage).toContain("circuit breaker triggered (3 failed tasks, threshold 3)")
    expect(error.requestId).toBe("req-3")
    expect(error.message).toContain(`ecs:us-east-1:${arn} (ServiceDeployment) failed: RolledBack:`)
  })

  it("reads one deployment with its request ID", async () => {
    mock.on(DescribeServiceDeploymentsCommand).resolves({
      serviceDeployments: [deployment("IN_PROGRESS")],
      failures: [],
      $metadata: { requestId: "req-7" }
    })
    const r = await Effect.runPromise(Effect.result(ecsSource({ client }).get(refObject)))
    expect(r._tag === "Success" && [r.success.status, r.success.requestId]).toEqual(["running", "req-7"])
    expect(describeCalls()).toEqual([[arn]])
  })

  it("picks the deployment asked for among several, and keeps the ID of one that names none", async () => {
    mock
      .on(DescribeServiceDeploymentsCommand)
      .resolvesOnce({
        serviceDeployments: [deployment("SUCCESSFUL", {}, arnOf("other")), deployment("IN_PROGRESS")]
      })
      .resolvesOnce({ serviceDeployments: [{ status: "IN_PROGRESS" }] })
    const source = ecsSource({ client })
    const first = await Effect.runPromise(source.get(refObject))
    expect([first.ref.id, first.status]).toEqual([arn, "running"])
    const second = await Effect.runPromise(source.get(refObject))
    expect([second.ref.id, second.status]).toEqual([arn, "running"])
  })

  it("a MISSING failure is OperationNotFound with the ref", async () => {
    mock.on(DescribeServiceDeploymentsCommand).resolves({
      serviceDeployments: [],
      failures: [{ arn, reason: "MISSING" }],
      $metadata: { requestId: "r" }
    })
    const error = failureOf(await Effect.runPromise(Effect.result(ecsSource({ client }).get(refObject))))
    expect([error.reason._tag, error.code, error.requestId]).toEqual(["OperationNotFound", "MISSING", "r"])
    expect(error.ref).toEqual(refObject)
  })

  it("MISSING is waited out in the grace window: a deployment that shows up is waited on", async () => {
    mock
      .on(DescribeServiceDeploymentsCommand)
      .resolvesOnce({ failures: [{ arn, reason: "MISSING" }] })
      .resolvesOnce({ failures: [{ arn, reason: "MISSING" }] })
      .resolves({ serviceDeployments: [deployment("SUCCESSFUL")] })
    const r = await runOnClock(waitForSuccess(ref), [ecsSource({ client })])
    expect(r._tag === "Success" && r.success.status).toBe("succeeded")
    expect(describeCalls()).toHaveLength(3)
  })

  it("MISSING past the grace window fails the wait with OperationNotFound", async () => {
    mock.on(DescribeServiceDeploymentsCommand).resolves({ failures: [{ arn, reason: "MISSING" }] })
    const error = failureOf(
      await runOnClock(waitForTerminal(ref, { notFoundGrace: "20 seconds" }), [ecsSource({ client })])
    )
    expect([error.reason._tag, error.code]).toEqual(["OperationNotFound", "MISSING"])
    expect(error.ref).toEqual(refObject)
    expect(describeCalls().length).toBeGreaterThan(1)
  })

  it("another failure reason fails at once, typed", async () => {
    mock
      .on(DescribeServiceDeploymentsCommand)
      .resolves({ failures: [{ arn, reason: "INACTIVE", detail: "gone" }] })
    const error = failureOf(await runOnClock(waitForTerminal(ref), [ecsSource({ client })]))
    expect([error.reason._tag, error.code, error.serviceMessage]).toEqual([
      "UnknownServiceError",
      "INACTIVE",
      "gone"
    ])
    expect(describeCalls()).toHaveLength(1)
  })

  it.each([
    ["neither the deployment nor a failure", { serviceDeployments: [], failures: [] }],
    ["only another deployment", { serviceDeployments: [deployment("SUCCESSFUL", {}, arnOf("other"))] }],
    ["an empty answer", {}]
  ])("%s is a typed MalformedResponse with the request ID", async (_, answer) => {
    mock
      .on(DescribeServiceDeploymentsCommand)
      .resolves({ ...answer, $metadata: { requestId: "req-9" } } as never)
    const error = failureOf(await Effect.runPromise(Effect.result(ecsSource({ client }).get(refObject))))
    expect(error.reason._tag).toBe("MalformedResponse")
    expect(error.requestId).toBe("req-9")
    expect(error.ref).toEqual(refObject)
    expect(error.message).toContain("neither the deployment nor a failure")
  })

  it.each([
    ["serviceDeployments that is not a list", { serviceDeployments: "x" }],
    ["a status that is not a string", { serviceDeployments: [{ serviceDeploymentArn: arn, status: 5 }] }],
    [
      "a task count that is not a number",
      {
        serviceDeployments: [
          deployment("IN_PROGRESS", { targetServiceRevision: { runningTaskCount: "1" as never } })
        ]
      }
    ],
    ["failures that are not objects", { failures: ["MISSING"] }]
  ])("%s is a typed MalformedResponse naming the call", async (_, answer) => {
    mock
      .on(DescribeServiceDeploymentsCommand)
      .resolves({ ...answer, $metadata: { requestId: "req-8" } } as never)
    const error = failureOf(await Effect.runPromise(Effect.result(ecsSource({ client }).get(refObject))))
    expect(error.reason._tag).toBe("MalformedResponse")
    expect(error.requestId).toBe("req-8")
    expect(error.message).toContain("DescribeServiceDeployments")
  })

  it("absorbs throttling and ServerException and waits on", async () => {
    mock
      .on(DescribeServiceDeploymentsCommand)
      .rejectsOnce(
        new ECSServiceException({
          name: "ThrottlingException",
          $fault: "client",
          message: "Rate exceeded",
          $metadata: { httpStatusCode: 400 }
        })
      )
      .rejectsOnce(new ServerException({ message: "internal", $metadata: { httpStatusCode: 500 } }))
      .resolves({ serviceDeployments: [deployment("SUCCESSFUL")] })
    const r = await runOnClock(waitForTerminal(ref), [ecsSource({ client })])
    expect(r._tag === "Success" && r.success.status).toBe("succeeded")
    expect(describeCalls()).toHaveLength(3)
  })

  it("access denied fails at once", async () => {
    mock
      .on(DescribeServiceDeploymentsCommand)
      .rejects(new AccessDeniedException({ message: "denied", $metadata: { httpStatusCode: 400 } }))
    const error = failureOf(await runOnClock(waitForTerminal(ref), [ecsSource({ client })]))
    expect(error.reason._tag).toBe("AccessDenied")
    expect(describeCalls()).toHaveLength(1)
  })

  it("cancel stops the deployment with ABORT, and the wait then ends cancelled", async () => {
    let stopped = false
    mock.on(StopServiceDeploymentCommand).callsFake(async () => {
      stopped = true
      return { serviceDeploymentArn: arn }
    })
    let readsAfterStop = 0
    mock.on(DescribeServiceDeploymentsCommand).callsFake(async () => {
      if (!stopped) return { serviceDeployments: [deployment("IN_PROGRESS")] }
      readsAfterStop++
      return {
        serviceDeployments: [
          readsAfterStop < 2
            ? deployment("STOP_REQUESTED")
            : deployment("STOPPED", { statusReason: "Service deployment stopped by user." })
        ]
      }
    })
    const r = await runOnClock(
      Effect.gen(function* () {
        expect((yield* get(ref)).status).toBe("running")
        yield* cancel(ref)
        return yield* waitForTerminal(ref)
      }),
      [ecsSource({ client })]
    )
    expect(r._tag === "Success" && [r.success.status, r.success.rawStatus, r.success.error?.code]).toEqual([
      "cancelled",
      "STOPPED",
      "Stopped"
    ])
    expect(mock.commandCalls(StopServiceDeploymentCommand).map((c) => c.args[0].input)).toEqual([
      { serviceDeploymentArn: arn, stopType: "ABORT" }
    ])
  })

  it("a cancelled deployment rejects waitForSuccess with OperationFailed (Promise API)", async () => {
    mock.on(StopServiceDeploymentCommand).resolves({ serviceDeploymentArn: arn })
    mock
      .on(DescribeServiceDeploymentsCommand)
      .resolves({ serviceDeployments: [deployment("STOPPED", { statusReason: "stopped by user" })] })
    await using status = createOperationStatus({ sources: [ecsSource({ client })] })
    await status.cancel(ref)
    const error = await status.waitForSuccess(ref).then(
      () => undefined,
      (e: unknown) => e as OpstatusError
    )
    expect(error?.reason._tag).toBe("OperationFailed")
    expect(error?.reason._tag === "OperationFailed" && error.reason.operation.status).toBe("cancelled")
    expect(error?.serviceMessage).toBe("The service deployment was stopped: stopped by user")
  })

  it.each([
    [
      new ServiceDeploymentNotFoundException({ message: "no", $metadata: { httpStatusCode: 400 } }),
      "OperationNotFound"
    ],
    [
      new ConflictException({ message: "already done", $metadata: { httpStatusCode: 400 } }),
      "InvalidRequest"
    ],
    [new AccessDeniedException({ message: "denied", $metadata: { httpStatusCode: 400 } }), "AccessDenied"]
  ])("a cancel the service refuses (%s) is a typed %s with the ref", async (rejection, tag) => {
    mock.on(StopServiceDeploymentCommand).rejects(rejection)
    const error = failureOf(await runOnClock(cancel(ref), [ecsSource({ client })]))
    expect(error.reason._tag).toBe(tag)
    expect(error.ref).toEqual(refObject)
    expect(mock.commandCalls(StopServiceDeploymentCommand)).toHaveLength(1)
  })

  it("a throttled cancel is retried", async () => {
    mock
      .on(StopServiceDeploymentCommand)
      .rejectsOnce(
        new ECSServiceException({
          name: "ThrottlingException",
          $fault: "client",
          message: "slow",
          $metadata: {}
        })
      )
      .resolves({ serviceDeploymentArn: arn })
    const r = await runOnClock(cancel(ref), [ecsSource({ client })])
    expect(r._tag).toBe("Success")
    expect(mock.commandCalls(StopServiceDeploymentCommand)).toHaveLength(2)
  })

  it.each([
    [`ecs:us-west-2:${arn}`, "wrong region"],
    [`ecs:us-east-1:not-an-arn`, "service deployment ARN"],
    [`ecs:ap-south-1:${arnOf("x", { region: "ap-south-1" })}`, "no ecs client serves region ap-south-1"]
  ])("rejects %s with InvalidRef before any request (get, wait and cancel)", async (input, text) => {
    const source = ecsSource({ client })
    for (const effect of [get(input), waitForTerminal(input), cancel(input)]) {
      const error = failureOf(
        await runOnClock(effect as Effect.Effect<unknown, OpstatusError, never>, [source])
      )
      expect(error.reason._tag).toBe("InvalidRef")
      expect(error.message).toContain(text)
    }
    expect(mock.calls()).toHaveLength(0)
  })

  it("lists a service's deployments across pages, skipping null items", async () => {
    mock
      .on(ListServiceDeploymentsCommand)
      .resolvesOnce({
        serviceDeployments: [null, { serviceDeploymentArn: arn, status: "IN_PROGRESS" }],
        nextToken: "t1",
        $metadata: { requestId: "req-4" }
      } as never)
      .resolvesOnce({ serviceDeployments: [], nextToken: "t2" })
      .resolvesOnce({
        serviceDeployments: [
          { serviceDeploymentArn: arnOf("b"), status: "ROLLBACK_SUCCESSFUL" },
          { status: "PENDING" }
        ]
      })
    const ops = await Effect.runPromise(
      Stream.runCollect(
        ecsSource({ client }).list("us-east-1", {
          service: "my-service",
          cluster: "my-cluster",
          maxResults: 10
        })
      )
    )
    expect(ops.map((o) => [o.ref.id, o.status, o.requestId])).toEqual([
      [arn, "running", "req-4"],
      [arnOf("b"), "failed", undefined]
    ])
    const inputs = mock.commandCalls(ListServiceDeploymentsCommand).map((c) => c.args[0].input)
    expect(inputs.map((i) => i.nextToken)).toEqual([undefined, "t1", "t2"])
    expect(inputs[0]).toEqual({ service: "my-service", cluster: "my-cluster", maxResults: 10 })
  })

  it("an invalid query fails before any request", async () => {
    const r = await Effect.runPromise(
      Effect.result(Stream.runCollect(ecsSource({ client }).list("us-east-1", { service: "" })))
    )
    expect(failureOf(r).reason._tag).toBe("InvalidQuery")
    expect(mock.calls()).toHaveLength(0)
  })

  it("rejects options that are neither { client } nor { clientFor } with InvalidConfig", () => {
    const error = thrown(() => ecsSource({} as never))
    expect(isOpstatusError(error) && error.reason._tag).toBe("InvalidConfig")
  })
})

describe("refs from responses", () => {
  const expected = (id: string, region = "us-east-1") => ({ service: "ecs", region, id })

  it("reads CreateService and UpdateService responses: service.currentServiceDeployment", async () => {
    const client = new ECSClient({ region: "us-east-1" })
    const mock = mockClient(client)
    mock.on(CreateServiceCommand).resolves({ service: { serviceArn, currentServiceDeployment: arn } })
    mock
      .on(UpdateServiceCommand)
      .resolves({ service: { serviceArn, currentServiceDeployment: arnOf("Def456") } })
    try {
      const source = ecsSource({ client })
      const created = await client.send(
        new CreateServiceCommand({ serviceName: "my-service", cluster: "my-cluster" })
      )
      const updated = await client.send(
        new UpdateServiceCommand({ service: "my-service", cluster: "my-cluster" })
      )
      expect(source.refsFromResponse(created)).toEqual([expected(arn)])
      expect(source.refsFromResponse(updated, { hints: { team: "web" } })).toEqual([
        { ...expected(arnOf("Def456")), hints: { team: "web" } }
      ])
    } finally {
      mock.restore()
      client.destroy()
    }
  })

  it("the region is the ARN's, whatever the client's or the one given", () => {
    const other = arnOf("x", { region: "eu-west-1" })
    expect(
      refsFromResponse({ service: { currentServiceDeployment: other } }, { region: "us-east-1" })
    ).toEqual([expected(other, "eu-west-1")])
  })

  it.each([
    ["StopServiceDeployment", { serviceDeploymentArn: arn }],
    [
      "DescribeServices",
      { services: [{ currentServiceDeployment: arn }, { serviceName: "never-deployed" }] }
    ],
    ["ListServiceDeployments", { serviceDeployments: [{ serviceDeploymentArn: arn, status: "PENDING" }] }],
    ["a bare ARN", arn],
    ["a list of ARNs", [arn, arn, "not-an-arn"]]
  ])("reads a %s response", (_, response) => {
    expect(refsFromResponse(response)).toEqual([expected(arn)])
  })

  it("keeps every ARN of a list, in order, each once", () => {
    expect(refsFromResponse([arnOf("a"), arnOf("b"), arnOf("a")]).map((r) => r.id)).toEqual([
      arnOf("a"),
      arnOf("b")
    ])
  })

  it.each([
    ["null", null],
    ["undefined", undefined],
    ["a number", 5],
    ["a string that is no ARN", "Abc123"],
    ["a service without a deployment", { service: { serviceArn } }],
    ["a service ARN", { service: { currentServiceDeployment: serviceArn } }],
    ["a numeric ARN", { serviceDeploymentArn: 5 }],
    ["a null-prototype object", Object.create(null)],
    ["services that is not a list", { services: { currentServiceDeployment: arn } }]
  ])("%s carries no ref and throws nothing", (_, response) => {
    expect(refsFromResponse(response)).toEqual([])
    expect(refsFromResponse(response, null as never)).toEqual([])
  })

  it("a response whose getters throw carries no ref and throws nothing", () => {
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error("no")
        }
      }
    )
    expect(refsFromResponse(hostile, { hints: hostile as never })).toEqual([])
  })

  it("keeps only the string hints it is given", () => {
    expect(
      refsFromResponse({ serviceDeploymentArn: arn }, { hints: { team: "web", n: 5, empty: "" } as never })
    ).toEqual([{ ...expected(arn), hints: { team: "web" } }])
  })
})

describe("docs/status-mapping.md", () => {
  it("prints the ECS table verbatim", async () => {
    const { readFile } = await import("node:fs/promises")
    const doc = await readFile(new URL("../../../docs/status-mapping.md", import.meta.url), "utf8")
    expect(doc).toContain(`<!-- table:ecs -->\n${renderStatusTable(ecsStatusTable)}\n`)
  })
})
