/**
 * What the emulator's CloudFormation answers, through the real CloudFormationClient, means to
 * this adapter: every error and fault the emulator gives classified by the one classifier, and
 * the source reading the query protocol's XML (an operation with its per-instance results). The
 * emulator's own behaviour is tested in @opstatus/emulator (test/cloudformation.test.ts).
 */
import {
  CloudFormationClient,
  CreateStackInstancesCommand,
  CreateStackSetCommand,
  DescribeStackSetOperationCommand,
  ListStackSetOperationsCommand,
  OperationInProgressException,
  UpdateStackInstancesCommand,
  UpdateStackSetCommand
} from "@aws-sdk/client-cloudformation"
import { type Emulator, type Scenario, startEmulator } from "@opstatus/emulator"
import { Effect } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { classifyCloudFormationError, cloudFormationSource } from "../src/index.js"

/** A clock the tests move by hand (simulated time runs at the emulator's default scale of 1). */
class ManualClock {
  t = 1_700_000_000_000
  readonly now = (): number => this.t
  advance(ms: number): void {
    this.t += ms
  }
}

const running: Array<{ emulator: Emulator; client: CloudFormationClient }> = []
afterEach(async () => {
  for (const { emulator, client } of running.splice(0)) {
    client.destroy()
    await emulator.stop()
  }
})

const start = async (scenario: Scenario = {}, accessKeyId = "AKIDEXAMPLE") => {
  const clock = new ManualClock()
  const emulator = await startEmulator({
    port: 0,
    seed: 7,
    now: clock.now,
    scenario: {
      ...scenario,
      services: {
        cloudformation: {
          durations: { queuedMs: [1_000, 1_000], runningMs: [40_000, 40_000] },
          ...scenario.services?.cloudformation
        }
      }
    }
  })
  const client = new CloudFormationClient({
    endpoint: emulator.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId, secretAccessKey: "x" },
    maxAttempts: 1
  })
  running.push({ emulator, client })
  await client.send(new CreateStackSetCommand({ StackSetName: "web", TemplateBody: "{}" }))
  return { emulator, client, clock }
}

const rejection = async (promise: Promise<unknown>): Promise<Error> => {
  try {
    await promise
  } catch (error) {
    return error as Error
  }
  throw new Error("expected the call to fail")
}

const tagOf = (error: unknown) => classifyCloudFormationError(error).reason._tag

describe("the emulator's CloudFormation answers, classified by the adapter", () => {
  it.each([
    ["an unknown stack set (StackSetNotFoundException)", { StackSetName: "nope", OperationId: "x" }],
    ["an unknown operation (OperationNotFoundException)", { StackSetName: "web", OperationId: "nope" }]
  ])("%s is not found", async (_, input) => {
    const { client } = await start()
    const error = await rejection(client.send(new DescribeStackSetOperationCommand(input)))
    const classified = classifyCloudFormationError(error)
    expect([classified.reason._tag, classified.code]).toEqual(["OperationNotFound", error.name])
    expect(classified.requestId).toBeTruthy()
  })

  it("a second operation while one runs (OperationInProgressException, 409) is an invalid request, not retried", async () => {
    const { client } = await start()
    await client.send(
      new CreateStackInstancesCommand({
        StackSetName: "web",
        Accounts: ["111111111111"],
        Regions: ["us-east-1"]
      })
    )
    const error = await rejection(
      client.send(new UpdateStackSetCommand({ StackSetName: "web", TemplateBody: "{}" }))
    )
    expect(error).toBeInstanceOf(OperationInProgressException)
    const classified = classifyCloudFormationError(error)
    expect([classified.reason._tag, classified.isRetryable]).toEqual(["InvalidRequest", false])
  })

  it.each([
    [
      "StackInstanceNotFoundException",
      () =>
        new UpdateStackInstancesCommand({
          StackSetName: "web",
          Accounts: ["999999999999"],
          Regions: ["us-east-1"]
        })
    ],
    ["ValidationError", () => new ListStackSetOperationsCommand({ StackSetName: "web", MaxResults: 500 })]
  ])("%s is an invalid request", async (name, command) => {
    const { client } = await start()
    const error = await rejection(client.send(command() as never))
    expect([error.name, tagOf(error)]).toEqual([name, "InvalidRequest"])
  })

  it("throttling is the query protocol's Throttling: throttled", async () => {
    const { client } = await start({
      services: { cloudformation: { rateLimit: { perSecond: 0, burst: 1 } } }
    })
    const error = await rejection(client.send(new ListStackSetOperationsCommand({ StackSetName: "web" })))
    expect([error.name, tagOf(error)]).toEqual(["Throttling", "Throttled"])
  })

  it("a denied access key is AccessDenied", async () => {
    const clock = new ManualClock()
    const emulator = await startEmulator({
      port: 0,
      now: clock.now,
      scenario: { deniedAccessKeys: ["AKIDDENIED"] }
    })
    const client = new CloudFormationClient({
      endpoint: emulator.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "AKIDDENIED", secretAccessKey: "x" },
      maxAttempts: 1
    })
    running.push({ emulator, client })
    const error = await rejection(client.send(new ListStackSetOperationsCommand({ StackSetName: "web" })))
    expect(tagOf(error)).toBe("AccessDenied")
  })

  it.each([
    ["a 5xx answer", { error5xxRate: 1 }, ["ServiceUnavailable"]],
    ["a reset connection", { resetRate: 1 }, ["ServiceUnavailable"]],
    // A cut XML answer, or an HTML 502 page: never a success, never a client error.
    ["a malformed answer", { malformedRate: 1 }, ["MalformedResponse", "ServiceUnavailable"]]
  ] as const)("%s is retryable or malformed", async (_, faults, tags) => {
    const { client, emulator } = await start()
    emulator.configure({ services: { cloudformation: { faults } } })
    const seen = new Set<string>()
    for (let i = 0; i < 12; i++) {
      seen.add(
        tagOf(await rejection(client.send(new ListStackSetOperationsCommand({ StackSetName: "web" }))))
      )
    }
    expect([...seen].sort()).toEqual([...tags].sort())
  })

  it("the source reads the XML: an operation with its per-instance results as steps", async () => {
    const { client, clock } = await start()
    const { OperationId } = await client.send(
      new CreateStackInstancesCommand({
        StackSetName: "web",
        Accounts: ["111111111111", "222222222222"],
        Regions: ["us-east-1", "eu-west-1"]
      })
    )
    clock.advance(1_000 + 15_000)
    const op = await Effect.runPromise(
      cloudFormationSource({ client }).get({
        service: "cloudformation",
        region: "us-east-1",
        id: `web/${OperationId}`
      })
    )
    expect([op.type, op.rawStatus, op.status, op.createdAt]).toEqual([
      "CREATE",
      "RUNNING",
      "running",
      new Date(1_700_000_000_000)
    ])
    expect(op.resource).toMatchObject({ type: "AWS::CloudFormation::StackSet", name: "web" })
    expect(op.steps?.map((s) => [s.resource?.name, s.status])).toEqual([
      ["111111111111/us-east-1", "succeeded"],
      ["111111111111/eu-west-1", "running"],
      ["222222222222/us-east-1", "pending"],
      ["222222222222/eu-west-1", "pending"]
    ])
    expect(op.requestId).toBeTruthy()
  })
})
