/**
 * ECS end to end: the real ECSClient against the emulator, service
 * deployments awaited through `ecsSource`. A deployment's ID is its ARN,
 * which names its region; a rollback is a failure, never a success; a cancel
 * (StopServiceDeployment ABORT) ends it `cancelled`. The status rows are
 * reached on a clock the test moves by hand; waits run on the emulator's
 * scaled clock, and faults are switched off between two rounds of the engine.
 */
import {
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand
} from "@aws-sdk/client-ecs"
import {
  createOperationStatus,
  hasReason,
  type Operation,
  type OperationRef,
  type OperationStatusApi,
  type OperationStatusOptions
} from "@opstatus/core"
import { ecsSource, ecsStatusTable, refsFromResponse } from "@opstatus/ecs"
import { type Emulator, type Faults, type Scenario, startEmulator } from "@opstatus/emulator"
import { Effect, Stream } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { forever, onRounds, quick, reasonOf, rejection } from "./harness.js"

const region = "us-east-1"
const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "x" }
/** A lane rate limit that leaves nothing to wait for but the service. */
const fastLane = { rateLimit: { start: 1000, min: 1000, max: 1000 } } as const
/** Deployments that take 1 s queued and 10 s running, simulated. */
const short = { durations: { queuedMs: [1_000, 1_000], runningMs: [10_000, 10_000] } } as const
/** Deployments that run until the test (or a stop) ends them. */
const held = { durations: { queuedMs: [1_000, 1_000], runningMs: [forever, forever] } } as const

interface EcsStack {
  readonly emulator: Emulator
  readonly client: ECSClient
  readonly open: (options?: Partial<OperationStatusOptions>) => OperationStatusApi
  /** Requests the emulator answered for ECS (one operation's, when named), by outcome. */
  readonly calls: (operation?: string) => { readonly total: number } & Record<string, number>
}

const stops: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop()
})

const startEcs = async (
  options: { ecs?: object; scenario?: Scenario; timeScale?: number; now?: () => number } = {}
): Promise<EcsStack> => {
  const emulator = await startEmulator({
    port: 0,
    seed: 1,
    timeScale: options.timeScale ?? 1000,
    ...(options.now === undefined ? {} : { now: options.now }),
    scenario: { ...options.scenario, services: { ecs: { ...short, ...options.ecs } } } as Scenario
  })
  // The engine owns retries; the SDK's own would only slow the tests down.
  const client = new ECSClient({ endpoint: emulator.endpoint, region, credentials, maxAttempts: 1 })
  const opened: Array<OperationStatusApi> = []
  stops.push(async () => {
    await Promise.all(opened.map((status) => status.close()))
    client.destroy()
    await emulator.stop()
  })
  return {
    emulator,
    client,
    open: (given) => {
      const status = createOperationStatus({ sources: [ecsSource({ client })], ...given })
      opened.push(status)
      return status
    },
    calls: (operation) => {
      const metrics = emulator.metrics().services.ecs
      const counts = operation === undefined ? metrics.counts : metrics.byOperation[operation]
      return (counts ?? { total: 0 }) as { readonly total: number } & Record<string, number>
    }
  }
}

/** The ref of the deployment a CreateService or UpdateService response names. */
const refOf = (stack: EcsStack, response: unknown): OperationRef => {
  const refs = ecsSource({ client: stack.client }).refsFromResponse(response)
  expect(refs).toHaveLength(1)
  return refs[0]!
}

const createService = (stack: EcsStack, serviceName: string, extra: object = {}) =>
  stack.client.send(
    new CreateServiceCommand({
      cluster: "prod",
      serviceName,
      desiredCount: 2,
      taskDefinition: "web:1",
      ...extra
    })
  )

let services = 0

/** Deployments that end only when the test ends them, each of a service of its own. */
const pending = (stack: EcsStack, n: number, extra: object = {}): OperationRef[] =>
  Array.from({ length: n }, () => {
    const { id } = stack.emulator.createOperation({
      service: "ecs",
      cluster: "fleet",
      serviceName: `svc-${++services}`,
      durationMs: forever,
      ...extra
    })
    return { service: "ecs", region, id }
  })

const finish = (stack: EcsStack, refs: ReadonlyArray<OperationRef>) => {
  for (const ref of refs) stack.emulator.transition("ecs", ref.id, "succeeded")
}

/** A clock the test moves by hand. */
const manualClock = () => {
  let t = 1_800_000_000_000
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms
    }
  }
}

describe("ECS end to end: the real ECSClient against the emulator", () => {
  it.each([
    ["CreateService", async (stack: EcsStack) => createService(stack, "web")],
    [
      "UpdateService",
      async (stack: EcsStack) => {
        await createService(stack, "api")
        return stack.client.send(
          new UpdateServiceCommand({ cluster: "prod", service: "api", desiredCount: 2 })
        )
      }
    ]
  ] as const)(
    "%s: the ref from service.currentServiceDeployment, waited through PENDING and IN_PROGRESS to SUCCESSFUL",
    async (_name, call) => {
      // Each phase lasts until the test ends it, once the wait has seen it: seen in order however slow the machine.
      const stack = await startEcs({
        ecs: { durations: { queuedMs: [forever, forever], runningMs: [forever, forever] } }
      })
      const response = await call(stack)
      const ref = refOf(stack, response)
      expect(ref).toEqual({ service: "ecs", region, id: response.service!.currentServiceDeployment })
      const seen: Array<string> = []
      const done = await stack.open().waitForSuccess(ref, {
        ...quick,
        onProgress: (op) => {
          seen.push(`${op.status}/${op.rawStatus}`)
          if (op.rawStatus === "PENDING") stack.emulator.transition("ecs", ref.id, "running")
          if (op.rawStatus === "IN_PROGRESS") stack.emulator.transition("ecs", ref.id, "succeeded")
        }
      })
      expect([done.status, done.rawStatus, done.terminal, done.type, done.error]).toEqual([
        "succeeded",
        "SUCCESSFUL",
        true,
        "ServiceDeployment",
        undefined
      ])
      expect(seen).toEqual(["pending/PENDING", "running/IN_PROGRESS", "succeeded/SUCCESSFUL"])
      expect(done.resource).toEqual({
        type: "AWS::ECS::Service",
        name: response.service!.serviceName,
        arn: response.service!.serviceArn
      })
      expect(done.targets?.cluster).toBe(response.service!.clusterArn)
      expect(done.steps?.[0]?.message).toBe("2 of 2 tasks running")
      expect(done.endedAt).toBeInstanceOf(Date)
      expect(done.requestId).toMatch(/^[0-9a-f-]{36}$/)
    }
  )

  it("every raw status is reachable and maps as its table row says", async () => {
    const clock = manualClock()
    const stack = await startEcs({ now: clock.now, timeScale: 1 })
    const status = stack.open()
    const seen = new Map<string, Operation>()
    const read = async (ref: OperationRef) => {
      const op = await status.get(ref)
      seen.set(op.rawStatus, op)
      return op
    }
    const web = refOf(stack, await createService(stack, "web"))
    const stopped = refOf(stack, await createService(stack, "api"))
    const rolled = refOf(stack, await createService(stack, "batch"))
    const broken = refOf(
      stack,
      await createService(stack, "worker", {
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false } }
      })
    )
    stack.emulator.transition("ecs", broken.id, "failed")
    const failing = {
      service: "ecs",
      region,
      id: stack.emulator.createOperation({
        service: "ecs",
        cluster: "prod",
        serviceName: "cron",
        errorCode: "ROLLBACK_FAILED",
        durationMs: 11_000
      }).id
    }
    expect((await read(web)).rawStatus).toBe("PENDING")
    clock.advance(1_000)
    expect((await read(web)).rawStatus).toBe("IN_PROGRESS")
    await status.cancel(stopped)
    await stack.client.send(
      new StopServiceDeploymentCommand({ serviceDeploymentArn: rolled.id, stopType: "ROLLBACK" })
    )
    expect((await read(stopped)).rawStatus).toBe("STOP_REQUESTED")
    expect((await read(rolled)).rawStatus).toBe("ROLLBACK_REQUESTED")
    clock.advance(3_000)
    expect((await read(rolled)).rawStatus).toBe("ROLLBACK_IN_PROGRESS")
    clock.advance(10_000)
    for (const ref of [web, stopped, rolled]) await read(ref)
    clock.advance(10_000)
    expect((await read(failing)).rawStatus).toBe("ROLLBACK_FAILED")
    expect([...seen.keys()].sort()).toEqual(Object.keys(ecsStatusTable).sort())
    for (const [raw, op] of seen) {
      expect([raw, op.status]).toEqual([raw, ecsStatusTable[raw as keyof typeof ecsStatusTable]])
      expect(op.terminal).toBe(["succeeded", "failed", "cancelled"].includes(op.status))
    }
    // The one STOPPED the table does not decide: the circuit breaker stopped it, rollback off.
    const failed = await status.get(broken)
    expect([failed.rawStatus, failed.status, failed.error?.code]).toEqual([
      "STOPPED",
      "failed",
      "DeploymentFailed"
    ])
    expect((await read(stopped)).error?.code).toBe("Stopped")
  })

  it("a rolled-back deployment is never success: OperationFailed with RolledBack and ECS's reason", async () => {
    const stack = await startEcs()
    await createService(stack, "web")
    stack.emulator.configure({ services: { ecs: { failureRate: 1 } } })
    const response = await stack.client.send(new UpdateServiceCommand({ cluster: "prod", service: "web" }))
    const ref = refOf(stack, response)
    const status = stack.open()
    const error = await rejection(status.waitForSuccess(ref, quick))
    if (!hasReason(error, "OperationFailed"))
      throw new Error(`expected OperationFailed, got ${String(error)}`)
    const op = error.reason.operation
    expect(["ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"]).toContain(op.rawStatus)
    expect(op.status).toBe("failed")
    expect(error.code).toBe(op.rawStatus === "ROLLBACK_SUCCESSFUL" ? "RolledBack" : "RollbackFailed")
    expect(error.serviceMessage).toMatch(/ECS deployment circuit breaker: /)
    expect(error.serviceMessage).toContain("circuit breaker triggered (3 failed tasks, threshold 3)")
    expect(error.message).toContain(`(ServiceDeployment) failed: ${error.code}:`)
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/)
    expect((await status.waitForTerminal(ref, quick)).status).toBe("failed")
  })

  it("cancel stops a running deployment: STOP_REQUESTED, then STOPPED, cancelled", async () => {
    // Running until the cancel stops it: never SUCCESSFUL before the stop however slow the machine.
    const stack = await startEcs({ ecs: held })
    const ref = refOf(stack, await createService(stack, "web", {}))
    stack.emulator.transition("ecs", ref.id, "running")
    const status = stack.open()
    await status.cancel(ref)
    expect(stack.calls("StopServiceDeployment").ok).toBe(1)
    const seen: Array<string> = []
    const done = await status.waitForTerminal(ref, { ...quick, onProgress: (op) => seen.push(op.rawStatus) })
    expect([done.status, done.rawStatus, done.terminal, done.error]).toEqual([
      "cancelled",
      "STOPPED",
      true,
      {
        code: "Stopped",
        message: "The service deployment was stopped: Service deployment stopped by user request."
      }
    ])
    expect(seen.filter((s) => s !== "STOPPED").every((s) => s === "STOP_REQUESTED")).toBe(true)
    const error = await rejection(status.waitForSuccess(ref, quick))
    expect(hasReason(error, "OperationFailed") && error.reason.operation.status).toBe("cancelled")
    // Stopping it again: ECS's ConflictException, an invalid request that is not retried.
    const again = await rejection(status.cancel(ref))
    expect(reasonOf(again)._tag).toBe("InvalidRequest")
    expect(again).toMatchObject({ code: "ConflictException", ref })
    expect(stack.calls("StopServiceDeployment").total).toBe(2)
  })

  it("a newer deployment stops the one in progress: a wait on the older ends cancelled, naming it", async () => {
    const stack = await startEcs({ ecs: held })
    const first = refOf(stack, await createService(stack, "web"))
    const second = refOf(
      stack,
      await stack.client.send(new UpdateServiceCommand({ cluster: "prod", service: "web" }))
    )
    const done = await stack.open().waitForTerminal(first, quick)
    expect([done.status, done.rawStatus]).toEqual(["cancelled", "STOPPED"])
    expect(done.error?.message).toContain(`a newer deployment started (${second.id})`)
  })

  it("refs from every response that names a deployment", async () => {
    // In progress until the test stops it: StopServiceDeployment never meets one that ended.
    const stack = await startEcs({ ecs: held })
    const created = await createService(stack, "web")
    const arn = created.service!.currentServiceDeployment!
    const expected = [{ service: "ecs", region, id: arn }]
    const described = await stack.client.send(
      new DescribeServicesCommand({ cluster: "prod", services: ["web"] })
    )
    const listed = await stack.client.send(
      new ListServiceDeploymentsCommand({ cluster: "prod", service: "web" })
    )
    const stopped = await stack.client.send(
      new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: "ABORT" })
    )
    for (const response of [created, described, listed, stopped, arn, [arn]]) {
      expect(refsFromResponse(response)).toEqual(expected)
    }
  })

  it("a fleet of 45 deployments: DescribeServiceDeployments 20 at a time, a hidden one read alone", async () => {
    // Simulated time runs at the real pace until the test speeds it up: the hidden one stays hidden
    // for the first two rounds however slow the machine, and shows up once the test lets it.
    const stack = await startEcs({ timeScale: 1 })
    const refs = pending(stack, 44)
    // One more that the emulator hides for a while (eventual consistency): MISSING, then found.
    const late = pending(stack, 1, { notFoundForMs: 60_000 })
    const all = [...refs, ...late]
    const described: Array<ReadonlyArray<string>> = []
    const missing: Array<string> = []
    stack.client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args)
        if (context.commandName === "DescribeServiceDeploymentsCommand") {
          described.push((args.input as { serviceDeploymentArns: Array<string> }).serviceDeploymentArns)
          const { failures } = result.output as { failures?: Array<{ arn?: string; reason?: string }> }
          for (const f of failures ?? []) if (f.reason === "MISSING") missing.push(f.arn!)
        }
        return result
      },
      { step: "initialize", name: "recordDescribes" }
    )
    const sizes: Array<ReadonlyArray<number>> = []
    const status = stack.open({
      fleet: {
        ...fastLane,
        onRound: (report) => {
          sizes.push(report.reads.map((r) => r.covers))
          if (sizes.length === 2) {
            stack.emulator.configure({ timeScale: 1_000_000 })
            finish(stack, all)
          }
        }
      }
    })
    const outcomes = await status.waitForAll(all, { ...quick, requireSuccess: true })
    expect(outcomes.filter((o) => !o.ok)).toEqual([])
    expect(outcomes.map((o) => (o.ok ? o.operation.ref.id : ""))).toEqual(all.map((r) => r.id))
    expect(sizes[0]).toEqual([20, 20, 5])
    // The hidden one was MISSING, and read alone.
    expect(new Set(missing)).toEqual(new Set([late[0]!.id]))
    expect(described.some((arns) => arns.length === 1 && arns[0] === late[0]!.id)).toBe(true)
    // Far fewer reads than one a deployment a round: 3 list reads a round, and the hidden one alone.
    const describes = stack.calls("DescribeServiceDeployments")
    expect(describes["error-4xx"] ?? 0).toBe(0)
    expect(describes.total).toBeLessThan(2 * 45)
  })

  it("lists a service's deployments across pages of ListServiceDeployments", async () => {
    const stack = await startEcs({ ecs: held })
    const arns = [(await createService(stack, "web")).service!.currentServiceDeployment!]
    for (let i = 0; i < 6; i++) {
      const updated = await stack.client.send(new UpdateServiceCommand({ cluster: "prod", service: "web" }))
      arns.push(updated.service!.currentServiceDeployment!)
    }
    const ops = await Effect.runPromise(
      Stream.runCollect(
        ecsSource({ client: stack.client }).list(region, { cluster: "prod", service: "web", maxResults: 3 })
      )
    )
    expect(ops.map((o) => o.ref.id)).toEqual([...arns].reverse())
    expect(stack.calls("ListServiceDeployments").ok).toBe(3)
    // Each update stopped the one before it.
    expect(ops.slice(1).every((o) => o.rawStatus === "STOP_REQUESTED" || o.rawStatus === "STOPPED")).toBe(
      true
    )
  })

  it("a deployment that does not exist is OperationNotFound after the grace window, with MISSING", async () => {
    const stack = await startEcs()
    const ref = refOf(stack, await createService(stack, "web"))
    const missing = { ...ref, id: ref.id.replace(/[^/]+$/, "M".repeat(22)) }
    const error = await rejection(stack.open().waitForTerminal(missing, { ...quick, notFoundGrace: 200 }))
    expect(reasonOf(error)._tag).toBe("OperationNotFound")
    expect(error).toMatchObject({ code: "MISSING", ref: missing, service: "ecs" })
  })

  it("a deployment not visible yet is waited for inside the grace window", async () => {
    const stack = await startEcs({ timeScale: 1 })
    const { id } = stack.emulator.createOperation({
      service: "ecs",
      serviceName: "web",
      durationMs: 120_000,
      notFoundForMs: 60_000
    })
    const status = stack.open({
      fleet: { onRound: onRounds("ecs", { 1: () => stack.emulator.configure({ timeScale: 1_000_000 }) }) }
    })
    expect((await status.waitForSuccess({ service: "ecs", region, id }, quick)).status).toBe("succeeded")
  })

  it.each([
    [
      "an ARN of another region",
      `ecs:eu-west-1:arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/Abc123`,
      "an ECS ARN of the wrong region"
    ],
    ["an ID that is no deployment ARN", "ecs:us-east-1:Abc123", "service deployment ARN"],
    [
      "a service ARN",
      "ecs:us-east-1:arn:aws:ecs:us-east-1:123456789012:service/prod/web",
      "service deployment ARN"
    ]
  ])("a ref with %s is InvalidRef before any request: get, wait and cancel", async (_, ref, message) => {
    const stack = await startEcs()
    const status = stack.open()
    for (const call of [status.get(ref), status.waitForTerminal(ref, quick), status.cancel(ref)]) {
      const error = await rejection(call)
      expect(reasonOf(error)._tag).toBe("InvalidRef")
      expect((error as Error).message).toContain(message)
    }
    expect(stack.calls().total).toBe(0)
  })

  it("ECS's request budget: throttles (ThrottlingException) are absorbed by the lane", async () => {
    const stack = await startEcs({ ecs: { rateLimit: { perSecond: 0, burst: 1 } } })
    const refs = pending(stack, 8)
    const status = stack.open({
      fleet: {
        onRound: (report) => {
          if (report.service !== "ecs" || report.throttled === 0) return
          stack.emulator.configure({ services: { ecs: { rateLimit: null } } } as Scenario)
          finish(stack, refs)
        }
      }
    })
    const outcomes = await status.waitForAll(refs, { ...quick, requireSuccess: true })
    expect(outcomes.filter((o) => !o.ok)).toEqual([])
    expect(stack.calls("DescribeServiceDeployments").throttled).toBeGreaterThan(0)
  })

  it.each([
    ["5xx answers (ServerException)", { error5xxRate: 1 }, "error-5xx"],
    ["connection resets", { resetRate: 1 }, "reset"],
    // Cut JSON and HTML 502s; a wait gives up only after three malformed answers in a row.
    ["malformed answers", { malformedRate: 1 }, "malformed"]
  ] as const)("%s are absorbed until the service recovers", async (_name, faults, counter) => {
    const stack = await startEcs({ ecs: { faults } })
    const refs = pending(stack, 4)
    const status = stack.open({
      fleet: {
        onRound: onRounds("ecs", {
          2: () => {
            stack.emulator.configure({
              services: {
                ecs: { faults: { error5xxRate: 0, resetRate: 0, malformedRate: 0 } satisfies Faults }
              }
            })
            finish(stack, refs)
          }
        })
      }
    })
    const outcomes = await status.waitForAll(refs, { ...quick, requireSuccess: true })
    expect(outcomes.filter((o) => !o.ok)).toEqual([])
    expect(stack.calls("DescribeServiceDeployments")[counter]).toBeGreaterThanOrEqual(2)
  })

  it("three malformed answers in a row end the wait with MalformedResponse, never success", async () => {
    const stack = await startEcs({ ecs: { faults: { malformedRate: 1 } } })
    const [ref] = pending(stack, 1)
    finish(stack, [ref!])
    const error = await rejection(stack.open().waitForSuccess(ref!, quick))
    expect(reasonOf(error)._tag).toBe("MalformedResponse")
    expect(stack.calls("DescribeServiceDeployments").malformed).toBeGreaterThanOrEqual(3)
  })

  it("access denied fails fast: one request, ECS's code", async () => {
    const stack = await startEcs({ scenario: { deniedAccessKeys: ["AKIDEXAMPLE"] } })
    const ref = `ecs:${region}:arn:aws:ecs:${region}:123456789012:service-deployment/prod/web/Abc123`
    const error = await rejection(stack.open().waitForTerminal(ref, quick))
    expect(reasonOf(error)._tag).toBe("AccessDenied")
    expect(error).toMatchObject({ code: "AccessDeniedException", service: "ecs" })
    expect(stack.calls().total).toBe(1)
  })
})
