import {
  BeaconStackOperationStatus,
  CloudFormationClient,
  CreateStackCommand,
  DescribeEventsCommand,
  type OperationEvent
} from "@aws-sdk/client-cloudformation"
import { createOperationStatus, OperationSources, type OpstatusError, waitForTerminal } from "@opstatus/core"
import { mockClient } from "aws-sdk-client-mock"
import { Effect, Fiber, Layer } from "effect"
import { TestClock } from "effect/testing"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { cloudFormationSource, cloudFormationStackStatusTable, toStackOperation } from "../src/index.js"

const opId = "0f7c6a52-3b1e-4d8f-9c2a-7e6d5c4b3a21"
const stackId = "arn:aws:cloudformation:us-east-1:123456789012:stack/web/466df9e0-0dff-08e3-8e2f-5088487c4896"
const context = { region: "us-east-1", stackName: "web", operationId: opId }
const ref = `cloudformation:us-east-1:stack/web/${opId}`
const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second))
const event = (second: number, extra: Partial<OperationEvent> = {}): OperationEvent => ({
  EventId: `e-${second}`,
  StackId: stackId,
  OperationId: opId,
  OperationType: "UPDATE_STACK",
  EventType: "STACK_EVENT",
  Timestamp: at(second),
  ...extra
})
/** An event on the stack itself. */
const own = (
  second: number,
  ResourceStatus: string,
  OperationStatus: string,
  extra: Partial<OperationEvent> = {}
) =>
  event(second, {
    LogicalResourceId: "web",
    PhysicalResourceId: stackId,
    ResourceType: "AWS::CloudFormation::Stack",
    ResourceStatus: ResourceStatus as OperationEvent["ResourceStatus"],
    OperationStatus: OperationStatus as OperationEvent["OperationStatus"],
    ...extra
  })
/** Fast polling over mocked answers; the timeout only stops a wait that would hang, far beyond what one takes on a loaded machine. */
const quick = { minDelay: 1, maxDelay: 3, timeout: "2 minutes" } as const

const rejection = (promise: Promise<unknown>): Promise<OpstatusError> =>
  promise.then(
    () => {
      throw new Error("expected a rejection")
    },
    (e: unknown) => e as OpstatusError
  )

describe("stack operation status mapping", () => {
  it.each([
    ["IN_PROGRESS", "running", false],
    ["SUCCEEDED", "succeeded", true],
    ["FAILED", "failed", true]
  ] as const)("%s maps to %s (terminal %s)", (status, unified, terminal) => {
    const op = toStackOperation([event(1, { OperationStatus: status })], context)
    expect([op.status, op.terminal, op.rawStatus]).toEqual([unified, terminal, status])
  })

  it("has exactly one row for each value of the SDK's BeaconStackOperationStatus", () => {
    expect(Object.keys(cloudFormationStackStatusTable).sort()).toEqual(
      Object.values(BeaconStackOperationStatus).sort()
    )
  })

  it("an unknown status, or none, is unknown and not terminal", () => {
    for (const events of [[event(1, { OperationStatus: "PAUSED" as never })], [event(1)], []]) {
      const op = toStackOperation(events, context)
      expect([op.status, op.terminal, op.error]).toEqual(["unknown", false, undefined])
    }
  })

  it("the latest event's status wins, whatever the list order; a tie goes to the terminal one", () => {
    const events = [
      own(1, "UPDATE_IN_PROGRESS", "IN_PROGRESS"),
      own(9, "UPDATE_COMPLETE", "SUCCEEDED"),
      event(5, {
        OperationStatus: "IN_PROGRESS",
        LogicalResourceId: "Bucket",
        ResourceStatus: "UPDATE_COMPLETE"
      })
    ]
    expect(toStackOperation(events, context).status).toBe("succeeded")
    expect(toStackOperation([...events].reverse(), context).status).toBe("succeeded")
    const tie = [event(3, { OperationStatus: "IN_PROGRESS" }), event(3, { OperationStatus: "FAILED" })]
    expect(toStackOperation(tie, context).status).toBe("failed")
  })

  it("reads the type, the stack, the dates and keeps the events as raw", () => {
    const events = [
      own(9, "UPDATE_COMPLETE", "SUCCEEDED", { EndTime: at(10) }),
      own(1, "UPDATE_IN_PROGRESS", "IN_PROGRESS", { StartTime: at(0) })
    ]
    const op = toStackOperation(events, context, "req-1")
    expect(op.ref).toEqual({ service: "cloudformation", region: "us-east-1", id: `stack/web/${opId}` })
    expect(op.type).toBe("UPDATE_STACK")
    expect(op.resource).toEqual({ type: "AWS::CloudFormation::Stack", name: "web", arn: stackId })
    expect([op.createdAt, op.updatedAt, op.endedAt]).toEqual([at(0), at(9), at(10)])
    expect(op.requestId).toBe("req-1")
    expect(op.raw).toEqual({ OperationEvents: events })
    expect(op.steps).toBeUndefined()
  })

  it("a FAILED operation carries the events' failure reasons, oldest first, each once", () => {
    const events = [
      own(9, "CREATE_FAILED", "FAILED", {
        ResourceStatusReason: "The following resource(s) failed to create: [Bucket]"
      }),
      event(5, {
        EventType: "PROVISIONING_ERROR",
        LogicalResourceId: "Bucket",
        ResourceStatus: "CREATE_FAILED",
        ResourceStatusReason: "web-assets already exists"
      }),
      event(4, { EventType: "VALIDATION_ERROR", ValidationStatusReason: "Property Name is invalid" }),
      event(6, {
        LogicalResourceId: "Bucket",
        ResourceStatus: "CREATE_FAILED",
        ResourceStatusReason: "web-assets already exists"
      }),
      event(7, { LogicalResourceId: "Queue", ResourceStatus: "CREATE_FAILED" })
    ]
    expect(toStackOperation(events, { ...context }).error).toEqual({
      code: "StackOperationFailed",
      message:
        "Property Name is invalid; Bucket: web-assets already exists; " +
        "web: The following resource(s) failed to create: [Bucket]"
    })
    expect(toStackOperation([own(2, "CREATE_FAILED", "FAILED")], context).error).toEqual({
      code: "StackOperationFailed",
      message: "The stack operation on web failed"
    })
  })

  it("names five reasons at most", () => {
    const events = Array.from({ length: 8 }, (_, i) =>
      event(i, {
        OperationStatus: "FAILED",
        LogicalResourceId: `R${i}`,
        ResourceStatus: "CREATE_FAILED",
        ResourceStatusReason: "x"
      })
    )
    expect(toStackOperation(events, context).error?.message).toBe(
      "R0: x; R1: x; R2: x; R3: x; R4: x; and 3 more"
    )
  })

  it.each([
    ["UPDATE_ROLLBACK_COMPLETE", "SUCCEEDED"],
    ["UPDATE_ROLLBACK_COMPLETE", "FAILED"],
    ["ROLLBACK_COMPLETE", "FAILED"],
    ["UPDATE_ROLLBACK_FAILED", "FAILED"],
    ["ROLLBACK_FAILED", "SUCCEEDED"]
  ])(
    "a stack that ended %s (operation %s) rolled back: failed, never success",
    (stackStatus, operationStatus) => {
      const events = [
        own(9, stackStatus, operationStatus),
        event(5, {
          LogicalResourceId: "Bucket",
          ResourceStatus: "UPDATE_FAILED",
          ResourceStatusReason: "Access denied"
        }),
        own(1, "UPDATE_IN_PROGRESS", "IN_PROGRESS")
      ]
      const op = toStackOperation(events, context)
      expect([op.status, op.terminal, op.rawStatus]).toEqual(["failed", true, operationStatus])
      expect(op.error).toEqual({
        code: "StackRolledBack",
        message: `The stack web rolled back (${stackStatus}): Bucket: Access denied`
      })
    }
  )

  it("a rollback still going is running; a rollback operation that completes succeeded", () => {
    const going = toStackOperation([own(5, "UPDATE_ROLLBACK_IN_PROGRESS", "IN_PROGRESS")], context)
    expect([going.status, going.error]).toEqual(["running", undefined])
    for (const type of ["ROLLBACK", "CONTINUE_ROLLBACK"] as const) {
      const done = toStackOperation(
        [own(5, "UPDATE_ROLLBACK_COMPLETE", "SUCCEEDED", { OperationType: type })],
        context
      )
      expect([done.status, done.error]).toEqual(["succeeded", undefined])
    }
  })

  it("the rollback state of another resource does not make the stack rolled back", () => {
    const op = toStackOperation(
      [
        own(9, "UPDATE_COMPLETE", "SUCCEEDED"),
        event(5, {
          LogicalResourceId: "Nested",
          ResourceType: "AWS::CloudFormation::Stack",
          ResourceStatus: "UPDATE_ROLLBACK_COMPLETE"
        })
      ],
      context
    )
    expect(op.status).toBe("succeeded")
  })

  it.each([
    ["null events", [null, undefined, 5, "x"]],
    [
      "fields of the wrong type",
      [{ OperationStatus: 5, Timestamp: "never", ResourceStatus: [], StackId: {} }]
    ],
    ["not a list", "events"]
  ])("never throws on %s", (_, events) => {
    const op = toStackOperation(events as never, context)
    expect(op.status).toBe("unknown")
    expect(op.ref.id).toBe(`stack/web/${opId}`)
  })
})

describe("stack operations over the real CloudFormationClient (aws-sdk-client-mock)", () => {
  const mock = mockClient(CloudFormationClient)
  let client: CloudFormationClient
  beforeEach(() => {
    mock.reset()
    client = new CloudFormationClient({
      region: "us-east-1",
      credentials: { accessKeyId: "AKID", secretAccessKey: "x" }
    })
  })
  afterEach(() => client.destroy())

  it("a CreateStack response's ref waits through DescribeEvents (every page) to success", async () => {
    mock.on(CreateStackCommand).resolves({ StackId: stackId, OperationId: opId })
    mock
      .on(DescribeEventsCommand)
      .resolvesOnce({
        OperationEvents: [own(1, "CREATE_IN_PROGRESS", "IN_PROGRESS", { OperationType: "CREATE_STACK" })]
      })
      .resolvesOnce({
        OperationEvents: [own(9, "CREATE_COMPLETE", "SUCCEEDED", { OperationType: "CREATE_STACK" })],
        NextToken: "t1"
      })
      .resolvesOnce({
        OperationEvents: [
          null,
          own(1, "CREATE_IN_PROGRESS", "IN_PROGRESS", { OperationType: "CREATE_STACK" })
        ]
      } as never)
    const source = cloudFormationSource({ client })
    const response = await client.send(new CreateStackCommand({ StackName: "web", TemplateBody: "{}" }))
    const [stackRef] = source.refsFromResponse(response)
    expect(stackRef).toEqual({ service: "cloudformation", region: "us-east-1", id: `stack/web/${opId}` })
    const status = createOperationStatus({ sources: [source] })
    const op = await status.waitForSuccess(stackRef!, quick)
    expect([op.status, op.type, op.createdAt]).toEqual(["succeeded", "CREATE_STACK", at(1)])
    expect(mock.commandCalls(DescribeEventsCommand).map((c) => c.args[0].input)).toEqual([
      { OperationId: opId },
      { OperationId: opId },
      { OperationId: opId, NextToken: "t1" }
    ])
    await status.close()
  })

  it("a rolled-back update rejects waitForSuccess with StackRolledBack and the reason", async () => {
    mock.on(DescribeEventsCommand).resolves({
      OperationEvents: [
        own(9, "UPDATE_ROLLBACK_COMPLETE", "FAILED"),
        event(5, {
          LogicalResourceId: "Bucket",
          ResourceStatus: "UPDATE_FAILED",
          ResourceStatusReason: "Access denied"
        })
      ],
      $metadata: { requestId: "req-2" }
    })
    const status = createOperationStatus({ sources: [cloudFormationSource({ client })] })
    const error = await rejection(status.waitForSuccess(ref, quick))
    expect([error.reason._tag, error.code, error.requestId]).toEqual([
      "OperationFailed",
      "StackRolledBack",
      "req-2"
    ])
    expect(error.serviceMessage).toBe(
      "The stack web rolled back (UPDATE_ROLLBACK_COMPLETE): Bucket: Access denied"
    )
    await status.close()
  })

  it("no events is not found: the wait keeps trying within its grace, then OperationNotFound (on TestClock)", async () => {
    mock.on(DescribeEventsCommand).resolves({ OperationEvents: [], $metadata: { requestId: "req-3" } })
    const source = cloudFormationSource({ client })
    // The grace window is TestClock's: the reads inside it do not depend on how fast the machine is.
    const result = await Effect.runPromise(
      Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(
          Effect.result(
            waitForTerminal(ref, { minDelay: "1 second", maxDelay: "1 second", notFoundGrace: "10 seconds" })
          )
        )
        for (let t = 0; t < 30; t++) {
          // One turn of the event loop lets the mocked request settle; then a simulated second passes.
          yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
          yield* TestClock.adjust("1 second")
        }
        return yield* Fiber.join(fiber)
      }).pipe(Effect.provide(Layer.merge(TestClock.layer(), OperationSources.layer([source]))))
    )
    const error = result._tag === "Failure" ? result.failure : undefined
    expect([error?.reason._tag, error?.code]).toEqual(["OperationNotFound", "NoOperationEvents"])
    expect(error?.ref).toEqual({ service: "cloudformation", region: "us-east-1", id: `stack/web/${opId}` })
    // Read through the ten simulated seconds of grace, about once a second: never one read only.
    const reads = mock.commandCalls(DescribeEventsCommand).length
    expect(reads).toBeGreaterThanOrEqual(5)
    expect(reads).toBeLessThanOrEqual(12)
  })

  it("an event that is not an object is a typed MalformedResponse", async () => {
    mock
      .on(DescribeEventsCommand)
      .resolves({ OperationEvents: [5], $metadata: { requestId: "req-4" } } as never)
    const r = await Effect.runPromise(
      Effect.result(
        cloudFormationSource({ client }).get({
          service: "cloudformation",
          region: "us-east-1",
          id: `stack/web/${opId}`
        })
      )
    )
    expect(r._tag === "Failure" && [r.failure.reason._tag, r.failure.requestId]).toEqual([
      "MalformedResponse",
      "req-4"
    ])
    expect(r._tag === "Failure" && r.failure.message).toContain("DescribeEvents")
  })
})
