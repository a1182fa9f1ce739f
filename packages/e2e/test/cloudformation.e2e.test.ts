/**
 * CloudFormation StackSets end to end: the real CloudFormationClient against the emulator, its
 * responses' refs waited on through createOperationStatus. Operations run on the emulator's
 * simulated clock; where a test must see a status before it changes, the clock is slowed down
 * (or the operation moved by hand) and sped up again afterwards, never a real wait.
 */
import {
  CloudFormationClient,
  CreateStackInstancesCommand,
  CreateStackSetCommand,
  DeleteStackInstancesCommand,
  DetectStackSetDriftCommand,
  ImportStacksToStackSetCommand,
  OperationInProgressException,
  UpdateStackInstancesCommand,
  UpdateStackSetCommand
} from "@aws-sdk/client-cloudformation"
import { classifyCloudFormationError, cloudFormationSource } from "@opstatus/cloudformation"
import {
  createOperationStatus,
  type FleetOptions,
  hasReason,
  isOpstatusError,
  type OperationRef,
  type OperationStatusApi,
  type OpstatusError
} from "@opstatus/core"
import { type Counts, type Emulator, type Faults, type Scenario, startEmulator } from "@opstatus/emulator"
import { afterEach, describe, expect, it } from "vitest"
import { forever, onRounds, quick, reasonOf, region, rejection } from "./harness.js"

const none: Counts = { total: 0, ok: 0, throttled: 0, "error-4xx": 0, "error-5xx": 0, reset: 0, malformed: 0 }

interface CfnStack {
  readonly emulator: Emulator
  readonly client: CloudFormationClient
  readonly source: ReturnType<typeof cloudFormationSource>
  readonly open: (fleet?: FleetOptions) => OperationStatusApi
  /** Requests the emulator answered for CloudFormation (one operation name), by outcome. */
  readonly calls: (operation?: string) => Counts
}

const stacks: Array<{ stop: () => Promise<void> }> = []
afterEach(async () => {
  for (const s of stacks.splice(0)) await s.stop()
})

const start = async (
  options: { scenario?: Scenario; timeScale?: number; accessKeyId?: string } = {}
): Promise<CfnStack> => {
  const emulator = await startEmulator({
    port: 0,
    seed: 1,
    timeScale: options.timeScale ?? 1000,
    ...(options.scenario === undefined ? {} : { scenario: options.scenario })
  })
  // The engine owns retries; the SDK's own would only slow the tests down.
  const client = new CloudFormationClient({
    endpoint: emulator.endpoint,
    region,
    credentials: { accessKeyId: options.accessKeyId ?? "AKIDEXAMPLE", secretAccessKey: "x" },
    maxAttempts: 1
  })
  const source = cloudFormationSource({ client, region })
  const opened: Array<OperationStatusApi> = []
  stacks.push({
    stop: async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()))
      client.destroy()
      await emulator.stop()
    }
  })
  return {
    emulator,
    client,
    source,
    open: (fleet) => {
      const status = createOperationStatus({ sources: [source], ...(fleet === undefined ? {} : { fleet }) })
      opened.push(status)
      return status
    },
    calls: (operation) => {
      const m = emulator.metrics().services.cloudformation
      return (operation === undefined ? m.counts : m.byOperation[operation]) ?? none
    }
  }
}

const accounts = ["111111111111", "222222222222"]
const regions = ["us-east-1", "eu-west-1"]

const withStackSet = async (stack: CfnStack, name = "web") => {
  await stack.client.send(new CreateStackSetCommand({ StackSetName: name, TemplateBody: "{}" }))
}

describe("CloudFormation end to end: the real CloudFormationClient against the emulator", () => {
  it("every call that starts an operation: its { OperationId } and the stack set make the ref, waited to SUCCEEDED with a step per instance", async () => {
    const stack = await start()
    await withStackSet(stack)
    const status = stack.open()
    const legacy =
      "arn:aws:cloudformation:eu-central-1:333333333333:stack/legacy/466df9e0-0dff-08e3-8e2f-5088487c4896"
    const calls = [
      [
        "CreateStackInstances",
        () => new CreateStackInstancesCommand({ StackSetName: "web", Accounts: accounts, Regions: regions }),
        "CREATE",
        4
      ],
      [
        "UpdateStackInstances",
        () =>
          new UpdateStackInstancesCommand({
            StackSetName: "web",
            Accounts: ["111111111111"],
            Regions: regions
          }),
        "UPDATE",
        2
      ],
      [
        "UpdateStackSet",
        () => new UpdateStackSetCommand({ StackSetName: "web", TemplateBody: "{}" }),
        "UPDATE",
        4
      ],
      [
        "DetectStackSetDrift",
        () => new DetectStackSetDriftCommand({ StackSetName: "web" }),
        "DETECT_DRIFT",
        4
      ],
      [
        "ImportStacksToStackSet",
        () => new ImportStacksToStackSetCommand({ StackSetName: "web", StackIds: [legacy] }),
        "CREATE",
        1
      ],
      [
        "DeleteStackInstances",
        () =>
          new DeleteStackInstancesCommand({
            StackSetName: "web",
            DeploymentTargets: { Accounts: ["222222222222"] },
            Regions: regions,
            RetainStacks: false
          }),
        "DELETE",
        2
      ]
    ] as const
    for (const [name, command, action, instances] of calls) {
      const response = await stack.client.send(command() as never)
      const refs = stack.source.refsFromResponse(response, { hints: { stackSetName: "web" } })
      expect(refs, name).toEqual([
        { service: "cloudformation", region, id: `web/${(response as { OperationId: string }).OperationId}` }
      ])
      const done = await status.waitForSuccess(refs[0]!, quick)
      expect([name, done.type, done.rawStatus, done.status], name).toEqual([
        name,
        action,
        "SUCCEEDED",
        "succeeded"
      ])
      expect(
        done.steps?.map((s) => s.rawStatus),
        name
      ).toEqual(Array(instances).fill("SUCCEEDED"))
      expect(done.resource, name).toMatchObject({ type: "AWS::CloudFormation::StackSet", name: "web" })
      expect(done.endedAt, name).toBeInstanceOf(Date)
    }
  })

  it("a ref by stack set ID, with callAs passed to every call", async () => {
    const stack = await start()
    const { StackSetId } = await stack.client.send(
      new CreateStackSetCommand({ StackSetName: "web", TemplateBody: "{}" })
    )
    const response = await stack.client.send(
      new CreateStackInstancesCommand({
        StackSetName: StackSetId,
        Accounts: ["111111111111"],
        Regions: regions,
        CallAs: "SELF"
      })
    )
    const [ref] = stack.source.refsFromResponse(response, {
      hints: { stackSetName: StackSetId!, callAs: "SELF" }
    })
    expect(ref?.id).toBe(`${StackSetId}/${response.OperationId}`)
    const done = await stack.open().waitForSuccess(ref!, quick)
    expect([done.resource.id, done.properties?.StackSetId, done.ref.hints]).toEqual([
      StackSetId,
      StackSetId,
      { callAs: "SELF" }
    ])
  })

  it("every StackSet status and every result status is reachable: QUEUED, RUNNING, STOPPING, STOPPED (cancelled, never success)", async () => {
    // Slow enough that nothing moves while the test reads: 5 simulated seconds of STOPPING last over an hour.
    const stack = await start({ timeScale: 0.001 })
    await withStackSet(stack)
    const status = stack.open()
    const response = await stack.client.send(
      new CreateStackInstancesCommand({ StackSetName: "web", Accounts: accounts, Regions: regions })
    )
    const [ref] = stack.source.refsFromResponse(response, { hints: { stackSetName: "web" } })
    const queued = await status.get(ref!)
    expect([queued.rawStatus, queued.status, queued.steps]).toEqual(["QUEUED", "pending", []])
    stack.emulator.transition("cloudformation", response.OperationId!, "running")
    const running = await status.get(ref!)
    expect([running.rawStatus, running.status]).toEqual(["RUNNING", "running"])
    expect(running.steps?.map((s) => [s.rawStatus, s.status])).toEqual([
      ["RUNNING", "running"],
      ["PENDING", "pending"],
      ["PENDING", "pending"],
      ["PENDING", "pending"]
    ])
    await status.cancel(ref!)
    const stopping = await status.get(ref!)
    expect([stopping.rawStatus, stopping.status, stopping.terminal]).toEqual(["STOPPING", "running", false])
    stack.emulator.configure({ timeScale: 1_000_000 })
    const stopped = await status.waitForTerminal(ref!, quick)
    expect([stopped.rawStatus, stopped.status, stopped.terminal]).toEqual(["STOPPED", "cancelled", true])
    expect(stopped.steps?.map((s) => [s.rawStatus, s.status])).toEqual([
      ["SUCCEEDED", "succeeded"],
      ["CANCELLED", "cancelled"],
      ["CANCELLED", "cancelled"],
      ["CANCELLED", "cancelled"]
    ])
    const error = await rejection(status.waitForSuccess(ref!, quick))
    expect(reasonOf(error)._tag).toBe("OperationFailed")
    expect((error as OpstatusError).operation?.status).toBe("cancelled")
    // A second stop of an operation that ended is the service's InvalidOperationException, not retried.
    const again = await rejection(status.cancel(ref!))
    expect([reasonOf(again)._tag, (again as OpstatusError).code]).toEqual([
      "InvalidRequest",
      "InvalidOperationException"
    ])
  })

  it("a FAILED operation rejects waitForSuccess with StackSetOperationFailed, naming the failed instance and the service's reason", async () => {
    const stack = await start({ scenario: { services: { cloudformation: { failureRate: 1 } } } })
    await withStackSet(stack)
    const response = await stack.client.send(
      new CreateStackInstancesCommand({ StackSetName: "web", Accounts: accounts, Regions: regions })
    )
    const [ref] = stack.source.refsFromResponse(response, { hints: { stackSetName: "web" } })
    const error = await rejection(stack.open().waitForSuccess(ref!, quick))
    if (!hasReason(error, "OperationFailed"))
      throw new Error(`expected OperationFailed, got ${String(error)}`)
    const op = error.reason.operation
    expect([op.rawStatus, op.status, error.code]).toEqual(["FAILED", "failed", "StackSetOperationFailed"])
    const failed = op.steps?.find((s) => s.rawStatus === "FAILED")
    expect(failed?.status).toBe("failed")
    expect(op.steps?.some((s) => s.rawStatus === "FAILED")).toBe(true)
    expect(error.serviceMessage).toContain("stack instances failed, beyond the failure tolerance of 0.")
    expect(error.serviceMessage).toContain(
      `failed stack instances: ${failed?.resource?.name} (${failed?.message})`
    )
    expect(op.properties?.FailedStackInstancesCount).toBe("1")
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/)
  })

  it("the scenario's reason reaches the error message", async () => {
    const stack = await start()
    const { id } = stack.emulator.createOperation({
      service: "cloudformation",
      stackSetName: "web",
      durationMs: 2_000,
      errorCode: "ExecutionRoleMissing",
      errorMessage: "Account 111111111111 should have 'AWSCloudFormationStackSetExecutionRole' role"
    })
    const error = await rejection(stack.open().waitForSuccess(`cloudformation:${region}:web/${id}`, quick))
    expect((error as OpstatusError).serviceMessage).toContain(
      "(Account 111111111111 should have 'AWSCloudFormationStackSetExecutionRole' role)"
    )
  })

  it("a second operation while one runs is OperationInProgressException: an invalid request, not retried", async () => {
    // The first runs until the test ends it: still running at the second call however slow the machine.
    const stack = await start({
      scenario: { services: { cloudformation: { durations: { runningMs: [forever, forever] } } } }
    })
    await withStackSet(stack)
    await stack.client.send(
      new CreateStackInstancesCommand({ StackSetName: "web", Accounts: accounts, Regions: regions })
    )
    const error = await rejection(stack.client.send(new DetectStackSetDriftCommand({ StackSetName: "web" })))
    expect(error).toBeInstanceOf(OperationInProgressException)
    const classified = classifyCloudFormationError(error)
    expect([classified.reason._tag, classified.isRetryable]).toEqual(["InvalidRequest", false])
  })

  it("a fleet of one stack set larger than a page: ListStackSetOperations pages, SUCCEEDED summaries settle without a full read", async () => {
    const stack = await start({ timeScale: 1 })
    const refs: Array<OperationRef> = Array.from({ length: 130 }, () => {
      const { id } = stack.emulator.createOperation({
        service: "cloudformation",
        stackSetName: "fleet",
        durationMs: forever
      })
      return { service: "cloudformation", region, id: `fleet/${id}` }
    })
    const status = stack.open({
      rateLimit: { start: 100, max: 100 },
      onRound: onRounds("cloudformation", {
        1: () => {
          for (const ref of refs)
            stack.emulator.transition("cloudformation", ref.id.split("/")[1]!, "succeeded")
        }
      })
    })
    const outcomes = await status.waitForAll(refs, { ...quick, requireSuccess: true })
    expect(outcomes.filter((o) => !o.ok)).toEqual([])
    expect(outcomes.map((o) => o.ok && o.operation.rawStatus)).toEqual(Array(130).fill("SUCCEEDED"))
    // Two pages a sweep (100 and 30), two sweeps; no operation read by ID.
    expect(stack.calls("ListStackSetOperations").ok).toBeGreaterThanOrEqual(4)
    expect(stack.calls("DescribeStackSetOperation").total).toBe(0)
  })

  it("a fleet's failures are read in full: their per-instance results and reason", async () => {
    const stack = await start({ timeScale: 1 })
    const created = Array.from({ length: 6 }, (_, i) =>
      stack.emulator.createOperation({
        service: "cloudformation",
        stackSetName: "fleet",
        durationMs: forever,
        ...(i % 3 === 0 ? { errorMessage: `broken ${i}` } : {})
      })
    )
    const refs = created.map(({ id }) => ({ service: "cloudformation", region, id: `fleet/${id}` }))
    const status = stack.open({
      rateLimit: { start: 100, max: 100 },
      onRound: onRounds("cloudformation", {
        1: () => {
          for (const [i, { id }] of created.entries()) {
            stack.emulator.transition("cloudformation", id, i % 3 === 0 ? "failed" : "succeeded")
          }
        }
      })
    })
    const outcomes = await status.waitForAll(refs, quick)
    expect(outcomes.map((o) => o.ok && o.operation.status)).toEqual([
      "failed",
      "succeeded",
      "succeeded",
      "failed",
      "succeeded",
      "succeeded"
    ])
    const failed = outcomes[3]
    expect(failed?.ok === true && failed.operation.error?.message).toContain("(broken 3)")
    // Only the two failures were read by ID.
    expect(stack.calls("DescribeStackSetOperation").total).toBe(2)
  })

  it("an operation's results over more than a page are read in full (ListStackSetOperationResults paged)", async () => {
    const stack = await start()
    await withStackSet(stack)
    const many = Array.from({ length: 11 }, (_, i) => String(100000000000 + i))
    const tenRegions = [
      "us-east-1",
      "us-east-2",
      "us-west-1",
      "us-west-2",
      "eu-west-1",
      "eu-west-2",
      "eu-central-1",
      "ap-south-1",
      "ap-northeast-1",
      "sa-east-1"
    ]
    const response = await stack.client.send(
      new CreateStackInstancesCommand({ StackSetName: "web", Accounts: many, Regions: tenRegions })
    )
    const [ref] = stack.source.refsFromResponse(response, { hints: { stackSetName: "web" } })
    const done = await stack.open().waitForSuccess(ref!, quick)
    expect(done.steps).toHaveLength(110)
    expect(new Set(done.steps?.map((s) => s.resource?.name)).size).toBe(110)
    const reads = stack.calls("ListStackSetOperationResults").ok
    const describes = stack.calls("DescribeStackSetOperation").ok
    // Two pages for each read of a running or ended operation.
    expect(reads).toBeGreaterThanOrEqual(2)
    expect(reads).toBeLessThanOrEqual(2 * describes)
  })

  describe("faults through the stack", () => {
    const faultsOf = (faults: Faults): Scenario => ({ services: { cloudformation: { faults } } })
    const fleet = (stack: CfnStack, n: number) =>
      Array.from({ length: n }, () => {
        const { id } = stack.emulator.createOperation({
          service: "cloudformation",
          stackSetName: "web",
          durationMs: forever
        })
        return { service: "cloudformation", region, id: `web/${id}` }
      })
    const finish = (stack: CfnStack, refs: ReadonlyArray<OperationRef>) => {
      for (const ref of refs) stack.emulator.transition("cloudformation", ref.id.split("/")[1]!, "succeeded")
    }

    it("Throttling is absorbed: every wait succeeds, none surfaces the throttle", async () => {
      const stack = await start({
        scenario: { services: { cloudformation: { rateLimit: { perSecond: 0, burst: 1 } } } }
      })
      const refs = fleet(stack, 6)
      const status = stack.open({
        onRound: (report) => {
          if (report.service !== "cloudformation" || report.throttled === 0) return
          stack.emulator.configure({ services: { cloudformation: { rateLimit: null } } })
          finish(stack, refs)
        }
      })
      const outcomes = await status.waitForAll(refs, { ...quick, requireSuccess: true })
      expect(outcomes.filter((o) => !o.ok)).toEqual([])
      expect(stack.calls().throttled).toBeGreaterThan(0)
    })

    it.each([
      ["5xx answers", { error5xxRate: 1 }, "error-5xx"],
      ["connection resets", { resetRate: 1 }, "reset"],
      ["malformed answers (cut XML, HTML 502)", { malformedRate: 1 }, "malformed"]
    ] as const)("%s are retried until the service recovers", async (_name, faults, counter) => {
      const stack = await start({ scenario: faultsOf(faults) })
      const refs = fleet(stack, 4)
      const status = stack.open({
        onRound: onRounds("cloudformation", {
          2: () => {
            stack.emulator.configure(faultsOf({ error5xxRate: 0, resetRate: 0, malformedRate: 0 }))
            finish(stack, refs)
          }
        })
      })
      const outcomes = await status.waitForAll(refs, { ...quick, requireSuccess: true })
      expect(outcomes.filter((o) => !o.ok)).toEqual([])
      expect(stack.calls()[counter]).toBeGreaterThanOrEqual(2)
    })

    it("a single wait absorbs 5xx answers to DescribeStackSetOperation and ListStackSetOperationResults", async () => {
      const stack = await start({ scenario: faultsOf({ error5xxRate: 1 }) })
      const [ref] = fleet(stack, 1)
      const status = stack.open({
        onRound: onRounds("cloudformation", {
          2: () => {
            stack.emulator.configure(faultsOf({ error5xxRate: 0 }))
            finish(stack, [ref!])
          }
        })
      })
      expect((await status.waitForSuccess(ref!, quick)).rawStatus).toBe("SUCCEEDED")
      expect(stack.calls()["error-5xx"]).toBeGreaterThanOrEqual(2)
    })

    it("not visible yet, then found: the wait succeeds inside the grace window", async () => {
      const stack = await start({ timeScale: 1 })
      const { id } = stack.emulator.createOperation({
        service: "cloudformation",
        stackSetName: "web",
        durationMs: 120_000,
        notFoundForMs: 60_000
      })
      const status = stack.open({
        onRound: onRounds("cloudformation", { 1: () => stack.emulator.configure({ timeScale: 1_000_000 }) })
      })
      expect((await status.waitForSuccess(`cloudformation:${region}:web/${id}`, quick)).status).toBe(
        "succeeded"
      )
      expect(stack.calls("DescribeStackSetOperation")["error-4xx"]).toBeGreaterThan(0)
    })

    it("an unknown stack set is OperationNotFound after the grace window, with the service's code", async () => {
      const stack = await start()
      const error = await rejection(
        stack
          .open()
          .waitForTerminal(`cloudformation:${region}:nowhere/op-1`, { ...quick, notFoundGrace: 200 })
      )
      expect([reasonOf(error)._tag, (error as OpstatusError).code]).toEqual([
        "OperationNotFound",
        "StackSetNotFoundException"
      ])
    })

    it("access denied fails fast: one request, the service's code", async () => {
      const stack = await start({ accessKeyId: "AKIDDENIED", scenario: { deniedAccessKeys: ["AKIDDENIED"] } })
      const error = await rejection(stack.open().waitForTerminal(`cloudformation:${region}:web/op-1`, quick))
      expect(reasonOf(error)._tag).toBe("AccessDenied")
      expect(stack.calls().total).toBe(1)
    })
  })

  describe("bad input is typed, before any request", () => {
    it.each([
      ["a Lightsail operation ID", `cloudformation:${region}:8a7f630e-a7d2-4871-a892-f03ac84d82f2`],
      [
        "an ECS deployment ARN",
        `cloudformation:${region}:arn:aws:ecs:us-east-1:123456789012:service-deployment/c/s/abc`
      ],
      ["no operation ID", `cloudformation:${region}:web/`],
      ["a region no client serves", "cloudformation:eu-west-3:web/op-1"]
    ])("%s is an InvalidRef", async (_name, ref) => {
      const stack = await start()
      const status = stack.open()
      for (const wait of [status.get(ref), status.waitForSuccess(ref, quick), status.cancel(ref)]) {
        expect(reasonOf(await rejection(wait))._tag).toBe("InvalidRef")
      }
      expect(stack.calls().total).toBe(0)
    })

    it("a callAs hint that is neither SELF nor DELEGATED_ADMIN is an InvalidRef", async () => {
      const stack = await start()
      const error = await rejection(
        stack
          .open()
          .waitForSuccess(
            { service: "cloudformation", region, id: "web/op-1", hints: { callAs: "ROOT" } },
            quick
          )
      )
      expect(reasonOf(error)._tag).toBe("InvalidRef")
      expect(stack.calls().total).toBe(0)
    })

    it("a StackSet response without the stack set throws a typed InvalidRef saying to pass it", async () => {
      const stack = await start()
      await withStackSet(stack)
      const response = await stack.client.send(
        new CreateStackInstancesCommand({
          StackSetName: "web",
          Accounts: ["111111111111"],
          Regions: ["us-east-1"]
        })
      )
      let thrown: unknown
      try {
        stack.source.refsFromResponse(response)
      } catch (error) {
        thrown = error
      }
      expect(
        isOpstatusError(thrown) && [thrown.reason._tag, thrown.message.includes("stackSetName")]
      ).toEqual(["InvalidRef", true])
    })

    it("a stack operation cannot be cancelled: CancelNotSupported, before any request", async () => {
      const stack = await start()
      const error = await rejection(stack.open().cancel(`cloudformation:${region}:stack/web/op-1`))
      expect(reasonOf(error)._tag).toBe("CancelNotSupported")
      expect(stack.calls().total).toBe(0)
    })
  })
})
