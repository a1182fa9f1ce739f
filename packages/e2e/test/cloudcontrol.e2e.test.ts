/**
 * Cloud Control end to end: the real CloudControlClient against the emulator, its answers read by
 * the Cloud Control source and waited on through `createOperationStatus` (and the Effect API on
 * TestClock for RetryAfter). Requests that must end at a known point are created to last "forever"
 * and moved to their end by the test, between two rounds of the engine or on a clock the test
 * moves, never at a wall-clock instant.
 */
import {
  CancelResourceRequestCommand,
  CloudControlClient,
  ConcurrentModificationException,
  CreateResourceCommand,
  DeleteResourceCommand,
  GetResourceRequestStatusCommand,
  HandlerErrorCode,
  RequestTokenNotFoundException,
  UpdateResourceCommand
} from "@aws-sdk/client-cloudcontrol"
import { cloudControlSource, operationsFromResponse } from "@opstatus/cloudcontrol"
import {
  createOperationStatus,
  type FleetOptions,
  hasReason,
  type Operation,
  type OperationRef,
  OperationSources,
  type OperationStatusApi,
  type OperationStatusOptions,
  type OpstatusError,
  waitForTerminal
} from "@opstatus/core"
import { type Counts, type Emulator, type Scenario, startEmulator } from "@opstatus/emulator"
import { Effect, Fiber, Layer, Stream } from "effect"
import { TestClock } from "effect/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { forever, onRounds, quick, reasonOf, region, rejection } from "./harness.js"

const none: Counts = { total: 0, ok: 0, throttled: 0, "error-4xx": 0, "error-5xx": 0, reset: 0, malformed: 0 }

interface Sent {
  readonly command: string
  readonly input: Record<string, unknown>
}

interface CloudControlStack {
  readonly emulator: Emulator
  readonly client: CloudControlClient
  /** Every command the client sent, in order. */
  readonly sent: Array<Sent>
  readonly open: (options?: Partial<OperationStatusOptions>) => OperationStatusApi
  readonly calls: (operation?: string) => Counts
  /** A request the test ends: it lasts "forever" unless moved to its end. */
  readonly request: (input?: { type?: "CREATE" | "UPDATE" | "DELETE"; identifier?: string }) => OperationRef
  readonly stop: () => Promise<void>
}

const startCloudControl = async (
  options: { scenario?: Scenario; timeScale?: number; now?: () => number; accessKeyId?: string } = {}
): Promise<CloudControlStack> => {
  const emulator = await startEmulator({
    port: 0,
    seed: 1,
    timeScale: options.timeScale ?? 1000,
    ...(options.scenario === undefined ? {} : { scenario: options.scenario }),
    ...(options.now === undefined ? {} : { now: options.now })
  })
  const client = new CloudControlClient({
    endpoint: emulator.endpoint,
    region,
    credentials: { accessKeyId: options.accessKeyId ?? "AKIDEXAMPLE", secretAccessKey: "x" },
    // The engine owns retries.
    maxAttempts: 1
  })
  const sent: Array<Sent> = []
  client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push({ command: String(context.commandName), input: args.input as Record<string, unknown> })
      return next(args)
    },
    { step: "initialize", name: "recordSentCommands" }
  )
  const opened: Array<OperationStatusApi> = []
  return {
    emulator,
    client,
    sent,
    open: (given) => {
      const status = createOperationStatus({ sources: [cloudControlSource({ client })], ...given })
      opened.push(status)
      return status
    },
    calls: (operation) => {
      const m = emulator.metrics().services.cloudcontrol
      return (operation === undefined ? m.counts : m.byOperation[operation]) ?? none
    },
    request: (input = {}) => {
      const { id } = emulator.createOperation({
        service: "cloudcontrol",
        durationMs: forever,
        typeName: "AWS::SQS::Queue",
        ...input
      })
      return { service: "cloudcontrol", region, id }
    },
    stop: async () => {
      await Promise.all(opened.splice(0).map((status) => status.close()))
      client.destroy()
      await emulator.stop()
    }
  }
}

const withCloudControl = async <A>(
  options: Parameters<typeof startCloudControl>[0],
  f: (stack: CloudControlStack) => Promise<A>
): Promise<A> => {
  const stack = await startCloudControl(options)
  try {
    return await f(stack)
  } finally {
    await stack.stop()
  }
}

/** A clock the test moves: the emulator's time stands still between the test's steps. */
const manualClock = () => {
  let t = 1_700_000_000_000
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms
    }
  }
}

const failedWith = (error: unknown): OpstatusError & { readonly operation: Operation } => {
  if (!hasReason(error, "OperationFailed")) throw new Error(`expected OperationFailed, got ${String(error)}`)
  return error as OpstatusError & { readonly operation: Operation }
}

describe("Cloud Control end to end: the real CloudControlClient against the emulator", () => {
  let stack: CloudControlStack
  beforeAll(async () => {
    stack = await startCloudControl()
  })
  afterAll(() => stack.stop())

  const source = () => cloudControlSource({ client: stack.client })
  const queue = (name: string) => JSON.stringify({ QueueName: name })

  it.each([
    [
      "CreateResource",
      () => new CreateResourceCommand({ TypeName: "AWS::SQS::Queue", DesiredState: queue("a") }),
      "CREATE"
    ],
    [
      "UpdateResource",
      () =>
        new UpdateResourceCommand({
          TypeName: "AWS::SQS::Queue",
          Identifier: "queue-u",
          PatchDocument: '[{"op":"replace","path":"/DelaySeconds","value":5}]'
        }),
      "UPDATE"
    ],
    [
      "DeleteResource",
      () => new DeleteResourceCommand({ TypeName: "AWS::SQS::Queue", Identifier: "queue-d" }),
      "DELETE"
    ]
  ] as const)("%s: the ref from its ProgressEvent, waited to SUCCESS", async (_name, command, type) => {
    const status = stack.open()
    // Built before the call, as a program builds it: the client's region is known by the answer.
    const cc = source()
    const response = await stack.client.send(command() as never)
    const [ref] = cc.refsFromResponse(response)
    expect(ref).toMatchObject({ service: "cloudcontrol", region, hints: { typeName: "AWS::SQS::Queue" } })
    const done = await status.waitForSuccess(ref!, quick)
    expect([done.type, done.rawStatus, done.status, done.resource.type]).toEqual([
      type,
      "SUCCESS",
      "succeeded",
      "AWS::SQS::Queue"
    ])
    expect(done.resource.id).toEqual(expect.any(String))
    expect(done.endedAt).toBeInstanceOf(Date)
    expect(done.retryAfter).toBeUndefined()
    if (type === "CREATE") expect((done.raw as { ResourceModel?: string }).ResourceModel).toBe(queue("a"))
  })

  it("a response is a snapshot too: a wait starts from it, and an ended one needs no read", async () => {
    const status = stack.open()
    const response = await stack.client.send(
      new CreateResourceCommand({ TypeName: "AWS::SQS::Queue", DesiredState: queue("b") })
    )
    const [snapshot] = operationsFromResponse(response, { region })
    expect([snapshot?.rawStatus, snapshot?.status, snapshot?.requestId]).toEqual([
      "PENDING",
      "pending",
      expect.any(String)
    ])
    expect(snapshot?.retryAfter).toBeInstanceOf(Date)
    const done = await status.waitForSuccess(snapshot!, quick)
    const before = stack.calls("GetResourceRequestStatus").total
    // GetResourceRequestStatus answers a full event too.
    const final = await stack.client.send(new GetResourceRequestStatusCommand({ RequestToken: done.ref.id }))
    const [ended] = operationsFromResponse(final, { region })
    expect((await status.waitForSuccess(ended!, quick)).rawStatus).toBe("SUCCESS")
    expect(stack.calls("GetResourceRequestStatus").total - before).toBe(1)
  })

  it("lists with the source's query, paged", async () => {
    const fresh = await startCloudControl({ timeScale: 1 })
    try {
      const failed = Array.from({ length: 12 }, (_, i) =>
        fresh.request({ type: i % 2 === 0 ? "DELETE" : "CREATE" })
      )
      for (const ref of failed)
        fresh.emulator.transition("cloudcontrol", ref.id, "failed", { errorCode: "NotFound" })
      for (let i = 0; i < 5; i++) fresh.request({ type: "DELETE" })
      const ops = await Effect.runPromise(
        Stream.runCollect(
          cloudControlSource({ client: fresh.client }).list(region, {
            status: "FAILED",
            type: "DELETE",
            maxResults: 4
          })
        )
      )
      expect(ops.map((o) => o.ref.id)).toEqual(failed.filter((_, i) => i % 2 === 0).map((r) => r.id))
      expect(ops.every((o) => o.error?.code === "NotFound")).toBe(true)
      // 6 matches at 4 a page: the service filters before paging.
      expect(fresh.calls("ListResourceRequests").ok).toBe(2)
    } finally {
      await fresh.stop()
    }
  })
})

describe("every status, on a clock the test moves", () => {
  it("PENDING, IN_PROGRESS and SUCCESS", async () => {
    const clock = manualClock()
    await withCloudControl({ timeScale: 1, now: clock.now }, async (stack) => {
      const ref = stack.request()
      const status = stack.open()
      const pending = await status.get(ref)
      expect([pending.rawStatus, pending.status, pending.terminal]).toEqual(["PENDING", "pending", false])
      stack.emulator.transition("cloudcontrol", ref.id, "running")
      const running = await status.get(ref)
      expect([running.rawStatus, running.status, running.resource.id]).toEqual([
        "IN_PROGRESS",
        "running",
        expect.any(String)
      ])
      stack.emulator.transition("cloudcontrol", ref.id, "succeeded")
      const done = await status.waitForSuccess(ref, quick)
      expect([done.rawStatus, done.status, done.terminal]).toEqual(["SUCCESS", "succeeded", true])
    })
  })

  it("FAILED carries the handler's ErrorCode and StatusMessage", async () => {
    await withCloudControl({}, async (stack) => {
      const ref = stack.request({ type: "UPDATE", identifier: "queue-1" })
      stack.emulator.transition("cloudcontrol", ref.id, "failed", {
        errorCode: "NotUpdatable",
        errorMessage: "Property QueueName cannot be updated."
      })
      const error = failedWith(await rejection(stack.open().waitForSuccess(ref, quick)))
      expect(error.code).toBe("NotUpdatable")
      expect(error.serviceMessage).toBe("Property QueueName cannot be updated.")
      expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/)
      expect(error.message).toContain("(UPDATE) failed: NotUpdatable: Property QueueName cannot be updated.")
      expect([error.operation.rawStatus, error.operation.resource]).toEqual([
        "FAILED",
        { type: "AWS::SQS::Queue", id: "queue-1" }
      ])
    })
  })

  it("a failure the emulator draws carries one of the model's handler error codes", async () => {
    await withCloudControl(
      { scenario: { services: { cloudcontrol: { failureRate: 1 } } } },
      async (stack) => {
        const cc = cloudControlSource({ client: stack.client })
        const response = await stack.client.send(
          new CreateResourceCommand({ TypeName: "AWS::Logs::LogGroup", DesiredState: '{"LogGroupName":"x"}' })
        )
        const [ref] = cc.refsFromResponse(response)
        const error = failedWith(await rejection(stack.open().waitForSuccess(ref!, quick)))
        expect(Object.values(HandlerErrorCode)).toContain(error.code)
        expect(error.serviceMessage).not.toBe("")
      }
    )
  })

  it("cancel: CANCEL_IN_PROGRESS is still running, CANCEL_COMPLETE is cancelled and never success", async () => {
    const clock = manualClock()
    await withCloudControl({ timeScale: 1, now: clock.now }, async (stack) => {
      const ref = stack.request()
      stack.emulator.transition("cloudcontrol", ref.id, "running")
      const status = stack.open()
      await status.cancel(ref)
      expect(stack.calls("CancelResourceRequest").ok).toBe(1)
      const seen: Array<string> = []
      const done = await status.waitForTerminal(ref, {
        ...quick,
        onProgress: (op) => {
          seen.push(`${op.rawStatus}:${op.status}`)
          // The cancel ends once the wait has seen it going.
          if (op.rawStatus === "CANCEL_IN_PROGRESS") clock.advance(60_000)
        }
      })
      expect(seen).toEqual(["CANCEL_IN_PROGRESS:running", "CANCEL_COMPLETE:cancelled"])
      expect([done.status, done.terminal]).toEqual(["cancelled", true])
      const error = failedWith(await rejection(status.waitForSuccess(ref, quick)))
      expect(error.operation.status).toBe("cancelled")
    })
  })

  it("a cancel of a request that ended is InvalidRequest with the service's code and message, sent once", async () => {
    await withCloudControl({}, async (stack) => {
      const ref = stack.request()
      stack.emulator.transition("cloudcontrol", ref.id, "succeeded")
      const error = await rejection(stack.open().cancel(ref))
      expect(reasonOf(error)._tag).toBe("InvalidRequest")
      expect((error as OpstatusError).code).toBe("ConcurrentModificationException")
      expect((error as OpstatusError).serviceMessage).toBe(
        `Request ${ref.id} is SUCCESS: only a PENDING or IN_PROGRESS request can be cancelled.`
      )
      expect(stack.calls("CancelResourceRequest")).toMatchObject({ total: 1, "error-5xx": 1 })
      // The SDK raises the modelled class.
      const raw = await rejection(
        stack.client.send(new CancelResourceRequestCommand({ RequestToken: ref.id }))
      )
      expect(raw).toBeInstanceOf(ConcurrentModificationException)
    })
  })

  it("a cancel of a token the service does not know is OperationNotFound", async () => {
    await withCloudControl({}, async (stack) => {
      const error = await rejection(stack.open().cancel(`cloudcontrol:${region}:no-such-token`))
      expect(reasonOf(error)._tag).toBe("OperationNotFound")
      expect((error as OpstatusError).code).toBe("RequestTokenNotFoundException")
      const raw = await rejection(
        stack.client.send(new GetResourceRequestStatusCommand({ RequestToken: "no-such-token" }))
      )
      expect(raw).toBeInstanceOf(RequestTokenNotFoundException)
    })
  })
})

describe("a fleet larger than a page", () => {
  it("waitForAll over 150 requests: ListResourceRequests of the in-flight ones, 100 a page; each ending read once", async () => {
    await withCloudControl({}, async (stack) => {
      const refs = Array.from({ length: 150 }, (_, i) => stack.request({ identifier: `queue-${i}` }))
      const end = (from: number, to: number) => {
        for (let i = from; i < to; i++) {
          const id = refs[i]!.id
          if (i % 15 === 1)
            stack.emulator.transition("cloudcontrol", id, "failed", { errorCode: "NotStabilized" })
          else if (i % 15 === 2) stack.emulator.transition("cloudcontrol", id, "cancelled")
          else stack.emulator.transition("cloudcontrol", id, "succeeded")
        }
      }
      const fleet: FleetOptions = {
        rateLimit: { start: 200, max: 200 },
        onRound: onRounds("cloudcontrol", { 2: () => end(0, 70), 4: () => end(70, 150) })
      }
      const outcomes = await stack.open({ fleet }).waitForAll(refs, quick)
      const statuses = outcomes.map((o) => (o.ok ? o.operation.status : "error"))
      expect(statuses.filter((s) => s === "failed")).toHaveLength(10)
      expect(statuses.filter((s) => s === "cancelled")).toHaveLength(10)
      expect(statuses.filter((s) => s === "succeeded")).toHaveLength(130)
      const failed = outcomes[1]
      expect(failed?.ok === true && failed.operation.error?.code).toBe("NotStabilized")
      const lists = stack.sent.filter((s) => s.command === "ListResourceRequestsCommand").map((s) => s.input)
      expect(lists[0]).toEqual({
        ResourceRequestStatusFilter: { OperationStatuses: ["PENDING", "IN_PROGRESS", "CANCEL_IN_PROGRESS"] },
        MaxResults: 100
      })
      // The second page of the first round.
      expect(lists[1]?.NextToken).toEqual(expect.any(String))
      // Every request ended out of the in-flight list and was read once by its token, no more.
      expect(stack.calls("GetResourceRequestStatus").ok).toBe(150)
    })
  })
})

describe("faults through the stack", () => {
  const end = (stack: CloudControlStack, refs: ReadonlyArray<OperationRef>) => {
    for (const ref of refs) stack.emulator.transition("cloudcontrol", ref.id, "succeeded")
  }

  it("throttling is absorbed: every wait succeeds", async () => {
    // A bucket that never refills: after its one token, every request is throttled until the limit goes.
    const limited: Scenario = { services: { cloudcontrol: { rateLimit: { perSecond: 0, burst: 1 } } } }
    await withCloudControl({ scenario: limited }, async (stack) => {
      const refs = Array.from({ length: 4 }, () => stack.request())
      const status = stack.open({
        fleet: {
          onRound: (report) => {
            if (report.service !== "cloudcontrol" || report.throttled === 0) return
            stack.emulator.configure({ services: { cloudcontrol: { rateLimit: null } } })
            end(stack, refs)
          }
        }
      })
      const outcomes = await status.waitForAll(refs, { ...quick, requireSuccess: true })
      expect(outcomes.filter((o) => !o.ok)).toEqual([])
      expect(stack.calls().throttled).toBeGreaterThan(0)
    })
  })

  it.each([
    ["5xx answers", { error5xxRate: 1 }, "error-5xx"],
    ["connection resets", { resetRate: 1 }, "reset"],
    ["malformed bodies", { malformedRate: 1 }, "malformed"]
  ] as const)("%s are retried until the service recovers", async (_name, faults, counter) => {
    await withCloudControl({ scenario: { services: { cloudcontrol: { faults } } } }, async (stack) => {
      const refs = Array.from({ length: 3 }, () => stack.request())
      const status = stack.open({
        fleet: {
          onRound: onRounds("cloudcontrol", {
            2: () => {
              stack.emulator.configure({
                services: { cloudcontrol: { faults: { error5xxRate: 0, resetRate: 0, malformedRate: 0 } } }
              })
              end(stack, refs)
            }
          })
        }
      })
      const outcomes = await status.waitForAll(refs, { ...quick, requireSuccess: true })
      expect(outcomes.filter((o) => !o.ok)).toEqual([])
      expect(stack.calls()[counter]).toBeGreaterThanOrEqual(2)
    })
  })

  it("not found, then found: a new request shows up inside the grace window", async () => {
    const clock = manualClock()
    await withCloudControl(
      {
        timeScale: 1,
        now: clock.now,
        scenario: { services: { cloudcontrol: { faults: { notFoundForMs: 30_000 } } } }
      },
      async (stack) => {
        const ref = stack.request()
        const status = stack.open({
          fleet: {
            onRound: onRounds("cloudcontrol", {
              1: () => {
                clock.advance(30_000)
                end(stack, [ref])
              }
            })
          }
        })
        expect((await status.waitForSuccess(ref, quick)).status).toBe("succeeded")
        expect(stack.calls("GetResourceRequestStatus")["error-4xx"]).toBeGreaterThan(0)
      }
    )
  })

  it("access denied fails fast: one request, the service's code", async () => {
    await withCloudControl(
      { accessKeyId: "AKIDDENIED", scenario: { deniedAccessKeys: ["AKIDDENIED"] } },
      async (stack) => {
        const ref = stack.request()
        const error = await rejection(stack.open().waitForTerminal(ref, quick))
        expect(reasonOf(error)._tag).toBe("AccessDenied")
        expect((error as OpstatusError).code).toBe("AccessDeniedException")
        expect(stack.calls().total).toBe(1)
      }
    )
  })
})

describe("bad input is typed before any request", () => {
  it.each([
    ["a token with a space", "cloudcontrol:us-east-1:bad token"],
    ["a token with an underscore", "cloudcontrol:us-east-1:a_b"],
    ["a token too long", `cloudcontrol:us-east-1:${"a".repeat(129)}`],
    ["a region the client does not serve", "cloudcontrol:eu-west-1:abc"],
    ["no region code", "cloudcontrol:east:abc"]
  ])("%s is InvalidRef, for a wait and a cancel", async (_name, input) => {
    await withCloudControl({}, async (stack) => {
      const status = stack.open()
      expect(reasonOf(await rejection(status.waitForTerminal(input, quick)))._tag).toBe("InvalidRef")
      expect(reasonOf(await rejection(status.cancel(input)))._tag).toBe("InvalidRef")
      expect(reasonOf(await rejection(status.get(input)))._tag).toBe("InvalidRef")
      expect(stack.calls().total).toBe(0)
    })
  })

  it("an invalid list query is InvalidQuery", async () => {
    await withCloudControl({}, async (stack) => {
      const r = await Effect.runPromise(
        Effect.result(
          Stream.runCollect(
            cloudControlSource({ client: stack.client }).list(region, { status: "DONE" as never })
          )
        )
      )
      expect(r._tag === "Failure" && r.failure.reason._tag).toBe("InvalidQuery")
      expect(stack.calls().total).toBe(0)
    })
  })
})

describe("RetryAfter through the emulator, on TestClock", () => {
  it("a wait reads no sooner than each answer's RetryAfter asks", async () => {
    // The emulator's clock is the test clock: both start at 0 and move only when the test moves them.
    let now = 0
    await withCloudControl({ timeScale: 1, now: () => now }, async (stack) => {
      const readAt: Array<number> = []
      let inFlight = 0
      stack.client.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName === "GetResourceRequestStatusCommand") readAt.push(now)
          inFlight++
          try {
            return await next(args)
          } finally {
            inFlight--
          }
        },
        { step: "initialize", name: "stampReads" }
      )
      // 6 s queued, 24 s running; every answer in flight asks to be read 5 s later.
      const { id } = stack.emulator.createOperation({ service: "cloudcontrol", durationMs: 30_000 })
      const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve))
      const result = await Effect.runPromise(
        Effect.gen(function* () {
          const fiber = yield* Effect.forkChild(
            Effect.result(
              waitForTerminal(`cloudcontrol:${region}:${id}`, {
                minDelay: 100,
                maxDelay: 200,
                timeout: "2 minutes"
              })
            )
          )
          for (let step = 0; step < 400; step++) {
            // Let every request in flight come back before time moves on.
            yield* Effect.promise(async () => {
              do await macrotask()
              while (inFlight > 0)
              await macrotask()
            })
            now += 100
            yield* TestClock.adjust(100)
          }
          return yield* Fiber.join(fiber)
        }).pipe(
          Effect.provide(
            Layer.merge(
              TestClock.layer(),
              OperationSources.layer([cloudControlSource({ client: stack.client })])
            )
          )
        )
      )
      expect(result._tag === "Success" && result.success.rawStatus).toBe("SUCCESS")
      // Without RetryAfter a 100-200 ms policy reads some 200 times in 30 s.
      expect(readAt.length).toBeGreaterThanOrEqual(6)
      expect(readAt.length).toBeLessThanOrEqual(8)
      for (let i = 1; i < readAt.length; i++)
        expect(readAt[i]! - readAt[i - 1]!).toBeGreaterThanOrEqual(5_000)
      expect(stack.calls("GetResourceRequestStatus").ok).toBe(readAt.length)
    })
  })
})
