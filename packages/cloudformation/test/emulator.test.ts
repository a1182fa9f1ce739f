/**
 * The emulator's CloudFormation StackSets through the real CloudFormationClient: the query
 * protocol's requests and XML answers as the SDK writes and reads them, each call's errors as
 * the SDK's own classes, paging, the one-operation-at-a-time rule, and the per-instance results
 * of a running, failed and stopped operation, on a clock the tests move by hand.
 */
import {
  CloudFormationClient,
  type CloudFormationServiceException,
  CreateStackInstancesCommand,
  CreateStackSetCommand,
  DeleteStackInstancesCommand,
  DescribeStackSetOperationCommand,
  DetectStackSetDriftCommand,
  ImportStacksToStackSetCommand,
  InvalidOperationException,
  ListStackSetOperationResultsCommand,
  ListStackSetOperationsCommand,
  NameAlreadyExistsException,
  OperationIdAlreadyExistsException,
  OperationInProgressException,
  OperationNotFoundException,
  paginateListStackSetOperationResults,
  paginateListStackSetOperations,
  StackInstanceNotFoundException,
  StackSetNotFoundException,
  StopStackSetOperationCommand,
  UpdateStackInstancesCommand,
  UpdateStackSetCommand
} from "@aws-sdk/client-cloudformation"
import { type Emulator, type Scenario, startEmulator } from "@opstatus/emulator"
import { afterEach, describe, expect, it } from "vitest"
import { classifyCloudFormationError } from "../src/index.js"

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

const durations = { durations: { queuedMs: [1_000, 1_000], runningMs: [40_000, 40_000] } } as const

const start = async (scenario: Scenario = {}, accessKeyId = "AKIDEXAMPLE") => {
  const clock = new ManualClock()
  const emulator = await startEmulator({
    port: 0,
    seed: 7,
    now: clock.now,
    scenario: {
      ...scenario,
      services: { cloudformation: { ...durations, ...scenario.services?.cloudformation } }
    }
  })
  const client = new CloudFormationClient({
    endpoint: emulator.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId, secretAccessKey: "x" },
    maxAttempts: 1
  })
  running.push({ emulator, client })
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

const accounts = ["111111111111", "222222222222"]
const regions = ["us-east-1", "eu-west-1"]

describe("the emulator's CloudFormation StackSets (real CloudFormationClient)", () => {
  it("CreateStackSet answers a StackSetId; a second one of that name is NameAlreadyExistsException", async () => {
    const { client } = await start()
    const { StackSetId } = await client.send(
      new CreateStackSetCommand({ StackSetName: "web", TemplateBody: "{}" })
    )
    expect(StackSetId).toMatch(/^web:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    const error = await rejection(
      client.send(new CreateStackSetCommand({ StackSetName: "web", TemplateBody: "{}" }))
    )
    expect(error).toBeInstanceOf(NameAlreadyExistsException)
    expect((error as CloudFormationServiceException).$metadata.httpStatusCode).toBe(409)
  })

  it("an operation goes QUEUED, RUNNING, SUCCEEDED, with one result per account and region, run one after the other", async () => {
    const { client, clock } = await start()
    const { StackSetId } = await client.send(
      new CreateStackSetCommand({ StackSetName: "web", TemplateBody: "{}" })
    )
    const { OperationId } = await client.send(
      new CreateStackInstancesCommand({ StackSetName: "web", Accounts: accounts, Regions: regions })
    )
    expect(OperationId).toMatch(/^[0-9a-f-]{36}$/)
    const describe = async () =>
      (await client.send(new DescribeStackSetOperationCommand({ StackSetName: "web", OperationId })))
        .StackSetOperation!
    const results = async () =>
      (
        await client.send(new ListStackSetOperationResultsCommand({ StackSetName: "web", OperationId }))
      ).Summaries!.map((s) => s.Status)
    const queued = await describe()
    expect(queued).toMatchObject({ OperationId, StackSetId, Action: "CREATE", Status: "QUEUED" })
    expect(queued.CreationTimestamp).toEqual(new Date(clock.t))
    expect(queued.EndTimestamp).toBeUndefined()
    expect(await results()).toEqual([])
    // Running from 1 s; four instances of 10 s each.
    clock.advance(1_000 + 15_000)
    expect((await describe()).Status).toBe("RUNNING")
    expect(await results()).toEqual(["SUCCEEDED", "RUNNING", "PENDING", "PENDING"])
    clock.advance(25_000)
    const done = await describe()
    expect(done.Status).toBe("SUCCEEDED")
    expect(done.EndTimestamp).toEqual(new Date(1_700_000_000_000 + 41_000))
    const summaries = (
      await client.send(new ListStackSetOperationResultsCommand({ StackSetName: "web", OperationId }))
    ).Summaries!
    expect(summaries.map((s) => [s.Account, s.Region, s.Status])).toEqual([
      ["111111111111", "us-east-1", "SUCCEEDED"],
      ["111111111111", "eu-west-1", "SUCCEEDED"],
      ["222222222222", "us-east-1", "SUCCEEDED"],
      ["222222222222", "eu-west-1", "SUCCEEDED"]
    ])
    expect(summaries[0]?.AccountGateResult?.Status).toBe("SKIPPED")
  })

  it("a failing operation fails at one instance, with its reason, and cancels the ones after it", async () => {
    const { client, clock } = await start({ services: { cloudformation: { failureRate: 1 } } })
    await client.send(new CreateStackSetCommand({ StackSetName: "web", TemplateBody: "{}" }))
    const { OperationId } = await client.send(
      new CreateStackInstancesCommand({ StackSetName: "web", Accounts: accounts, Regions: regions })
    )
    clock.advance(41_000)
    const op = (await client.send(new DescribeStackSetOperationCommand({ StackSetName: "web", OperationId })))
      .StackSetOperation!
    expect(op.Status).toBe("FAILED")
    expect(op.StatusDetails?.FailedStackInstancesCount).toBe(1)
    expect(op.StatusReason).toBe("1 of 4 stack instances failed, beyond the failure tolerance of 0.")
    const summaries = (
      await client.send(new ListStackSetOperationResultsCommand({ StackSetName: "web", OperationId }))
    ).Summaries!
    const failed = summaries.findIndex((s) => s.Status === "FAILED")
    expect(failed).toBeGreaterThanOrEqual(0)
    expect(summaries.slice(0, failed).every((s) => s.Status === "SUCCEEDED")).toBe(true)
    expect(summaries.slice(failed + 1).every((s) => s.Status === "CANCELLED")).toBe(true)
    expect(summaries[failed]?.StatusReason).toBeTruthy()
  })

  it("a failure of the account gate shows in the instance's AccountGateResult", async () => {
    const { emulator, client, clock } = await start()
    const created = emulator.createOperation({
      service: "cloudformation",
      stackSetName: "gated",
      errorCode: "AccountGateFailed",
      errorMessage: "The account gate function returned FAILED."
    })
    clock.advance(60_000)
    const summaries = (
      await client.send(
        new ListStackSetOperationResultsCommand({ StackSetName: "gated", OperationId: created.id })
      )
    ).Summaries!
    const failed = summaries.find((s) => s.Status === "FAILED")
    expect(failed?.AccountGateResult).toEqual({
      Status: "FAILED",
      StatusReason: "The account gate function returned FAILED."
    })
  })

  it("StopStackSetOperation: STOPPING, then STOPPED; the instance under way finishes, the rest are CANCELLED", async () => {
    const { client, clock } = await start()
    await client.send(new CreateStackSetCommand({ StackSetName: "web", TemplateBody: "{}" }))
    const { OperationId } = await client.send(
      new CreateStackInstancesCommand({
        StackSetName: "web",
        Accounts: accounts,
        Regions: regions,
        CallAs: "SELF"
      })
    )
    clock.advance(1_000 + 15_000)
    await client.send(new StopStackSetOperationCommand({ StackSetName: "web", OperationId, CallAs: "SELF" }))
    const status = async () =>
      (await client.send(new DescribeStackSetOperationCommand({ StackSetName: "web", OperationId })))
        .StackSetOperation!.Status
    const results = async () =>
      (
        await client.send(new ListStackSetOperationResultsCommand({ StackSetName: "web", OperationId }))
      ).Summaries!.map((s) => s.Status)
    expect(await status()).toBe("STOPPING")
    expect(await results()).toEqual(["SUCCEEDED", "RUNNING", "PENDING", "PENDING"])
    // A second stop while it stops changes nothing.
    await client.send(new StopStackSetOperationCommand({ StackSetName: "web", OperationId }))
    clock.advance(5_000)
    expect(await status()).toBe("STOPPED")
    expect(await results()).toEqual(["SUCCEEDED", "SUCCEEDED", "CANCELLED", "CANCELLED"])
    const error = await rejection(
      client.send(new StopStackSetOperationCommand({ StackSetName: "web", OperationId }))
    )
    expect(error).toBeInstanceOf(InvalidOperationException)
    expect(error.message).toContain("STOPPED")
  })

  it("a queued operation that is stopped never starts an instance", async () => {
    const { client, clock } = await start()
    await client.send(new CreateStackSetCommand({ StackSetName: "web", TemplateBody: "{}" }))
    const { OperationId } = await client.send(
      new CreateStackInstancesCommand({ StackSetName: "web", Accounts: accounts, Regions: ["us-east-1"] })
    )
    await client.send(new StopStackSetOperationCommand({ StackSetName: "web", OperationId }))
    clock.advance(60_000)
    const summaries = (
      await client.send(new ListStackSetOperationResultsCommand({ StackSetName: "web", OperationId }))
    ).Summaries!
    expect(summaries.map((s) => [s.Status, s.StatusReason])).toEqual([
      ["CANCELLED", "Cancelled since the operation was stopped"],
      ["CANCELLED", "Cancelled since the operation was stopped"]
    ])
  })

  it("one operation at a time: a second is OperationInProgressException (409) until the first ends", async () => {
    const { client, clock } = await start()
    await client.send(new CreateStackSetCommand({ StackSetName: "web", TemplateBody: "{}" }))
    await client.send(
      new CreateStackInstancesCommand({ StackSetName: "web", Accounts: accounts, Regions: regions })
    )
    const second = () => client.send(new UpdateStackSetCommand({ StackSetName: "web", TemplateBody: "{}" }))
    const error = await rejection(second())
    expect(error).toBeInstanceOf(OperationInProgressException)
    expect((error as CloudFormationServiceException).$metadata.httpStatusCode).toBe(409)
    expect(classifyCloudFormationError(error).reason._tag).toBe("InvalidRequest")
    clock.advance(41_000)
    const { OperationId } = await second()
    const op = (await client.send(new DescribeStackSetOperationCommand({ StackSetName: "web", OperationId })))
      .StackSetOperation!
    expect(op.Action).toBe("UPDATE")
    // The update covers every instance the stack set has.
    clock.advance(41_000)
    const results = await client.send(
      new ListStackSetOperationResultsCommand({ StackSetName: "web", OperationId })
    )
    expect(results.Summaries).toHaveLength(4)
  })

  it("an OperationId the caller gives is used; the same call again is the same operation; on another call it is OperationIdAlreadyExistsException", async () => {
    const { client, clock } = await start()
    await client.send(new CreateStackSetCommand({ StackSetName: "web", TemplateBody: "{}" }))
    const call = () =>
      client.send(
        new CreateStackInstancesCommand({
          StackSetName: "web",
          Accounts: ["111111111111"],
          Regions: ["us-east-1"],
          OperationId: "deploy-1"
        })
      )
    expect((await call()).OperationId).toBe("deploy-1")
    expect((await call()).OperationId).toBe("deploy-1")
    clock.advance(41_000)
    const error = await rejection(
      client.send(new DetectStackSetDriftCommand({ StackSetName: "web", OperationId: "deploy-1" }))
    )
    expect(error).toBeInstanceOf(OperationIdAlreadyExistsException)
  })

  it("every call that starts an operation answers its OperationId, with its Action", async () => {
    const { client, clock } = await start()
    await client.send(new CreateStackSetCommand({ StackSetName: "web", TemplateBody: "{}" }))
    const calls = [
      [
        "CREATE",
        () =>
          client.send(
            new CreateStackInstancesCommand({ StackSetName: "web", Accounts: accounts, Regions: regions })
          )
      ],
      [
        "UPDATE",
        () =>
          client.send(
            new UpdateStackInstancesCommand({
              StackSetName: "web",
              DeploymentTargets: { Accounts: ["111111111111"] },
              Regions: ["us-east-1"]
            })
          )
      ],
      ["UPDATE", () => client.send(new UpdateStackSetCommand({ StackSetName: "web", TemplateBody: "{}" }))],
      ["DETECT_DRIFT", () => client.send(new DetectStackSetDriftCommand({ StackSetName: "web" }))],
      [
        "CREATE",
        () =>
          client.send(
            new ImportStacksToStackSetCommand({
              StackSetName: "web",
              StackIds: [
                "arn:aws:cloudformation:eu-central-1:333333333333:stack/legacy/466df9e0-0dff-08e3-8e2f-5088487c4896"
              ]
            })
          )
      ],
      [
        "DELETE",
        () =>
          client.send(
            new DeleteStackInstancesCommand({
              StackSetName: "web",
              Accounts: ["222222222222"],
              Regions: regions,
              RetainStacks: true
            })
          )
      ]
    ] as const
    const seen: Array<[string | undefined, number | undefined]> = []
    for (const [, call] of calls) {
      const { OperationId } = await call()
      const op = (
        await client.send(new DescribeStackSetOperationCommand({ StackSetName: "web", OperationId }))
      ).StackSetOperation!
      clock.advance(41_000)
      const results = await client.send(
        new ListStackSetOperationResultsCommand({ StackSetName: "web", OperationId })
      )
      seen.push([op.Action, results.Summaries?.length])
    }
    // The drift detection covers the 4 instances, the import adds one, the delete removes two.
    expect(seen).toEqual([
      ["CREATE", 4],
      ["UPDATE", 1],
      ["UPDATE", 4],
      ["DETECT_DRIFT", 4],
      ["CREATE", 1],
      ["DELETE", 2]
    ])
    const ops = await client.send(new ListStackSetOperationsCommand({ StackSetName: "web" }))
    // The newest first.
    expect(ops.Summaries?.map((s) => s.Action)).toEqual([
      "DELETE",
      "CREATE",
      "DETECT_DRIFT",
      "UPDATE",
      "UPDATE",
      "CREATE"
    ])
  })

  it("pages ListStackSetOperations and ListStackSetOperationResults", async () => {
    const { emulator, client, clock } = await start()
    const ids: Array<string> = []
    for (let i = 0; i < 7; i++) {
      ids.push(
        emulator.createOperation({ service: "cloudformation", stackSetName: "web", durationMs: 1_000 }).id
      )
      clock.advance(2_000)
    }
    const listed: Array<string | undefined> = []
    for await (const page of paginateListStackSetOperations(
      { client, pageSize: 3 },
      { StackSetName: "web" }
    )) {
      expect(page.Summaries!.length).toBeLessThanOrEqual(3)
      listed.push(...page.Summaries!.map((s) => s.OperationId))
    }
    expect(listed).toEqual([...ids].reverse())
    const { OperationId } = await client.send(
      new CreateStackInstancesCommand({
        StackSetName: "web",
        Accounts: ["111111111111", "222222222222", "333333333333"],
        Regions: ["us-east-1", "eu-west-1", "ap-south-1"]
      })
    )
    clock.advance(41_000)
    const results: Array<string> = []
    let pages = 0
    for await (const page of paginateListStackSetOperationResults(
      { client, pageSize: 4 },
      { StackSetName: "web", OperationId }
    )) {
      pages++
      results.push(...page.Summaries!.map((s) => `${s.Account}/${s.Region}`))
    }
    expect(pages).toBe(3)
    expect(new Set(results).size).toBe(9)
  })

  it.each([
    ["an unknown stack set", { StackSetName: "nope", OperationId: "x" }, StackSetNotFoundException],
    ["an unknown operation", { StackSetName: "web", OperationId: "nope" }, OperationNotFoundException]
  ])("DescribeStackSetOperation of %s is the SDK's own class", async (_, input, type) => {
    const { client } = await start()
    await client.send(new CreateStackSetCommand({ StackSetName: "web", TemplateBody: "{}" }))
    const error = await rejection(client.send(new DescribeStackSetOperationCommand(input)))
    expect(error).toBeInstanceOf(type)
    expect((error as CloudFormationServiceException).$metadata.httpStatusCode).toBe(404)
    expect((error as CloudFormationServiceException).$metadata.requestId).toBeTruthy()
    expect(classifyCloudFormationError(error).reason._tag).toBe("OperationNotFound")
  })

  it("a stack set named by its ID is the stack set; an ID of another is not found", async () => {
    const { client } = await start()
    const { StackSetId } = await client.send(
      new CreateStackSetCommand({ StackSetName: "web", TemplateBody: "{}" })
    )
    const { OperationId } = await client.send(
      new CreateStackInstancesCommand({
        StackSetName: StackSetId,
        Accounts: ["111111111111"],
        Regions: ["us-east-1"]
      })
    )
    const op = await client.send(
      new DescribeStackSetOperationCommand({ StackSetName: StackSetId, OperationId })
    )
    expect(op.StackSetOperation?.StackSetId).toBe(StackSetId)
    const error = await rejection(
      client.send(
        new DescribeStackSetOperationCommand({
          StackSetName: "web:00000000-0000-4000-8000-000000000000",
          OperationId
        })
      )
    )
    expect(error).toBeInstanceOf(StackSetNotFoundException)
  })

  it.each([
    [
      "an instance the stack set does not have",
      () =>
        new UpdateStackInstancesCommand({
          StackSetName: "web",
          Accounts: ["999999999999"],
          Regions: ["us-east-1"]
        }),
      StackInstanceNotFoundException
    ],
    [
      "an account that is not 12 digits",
      () => new CreateStackInstancesCommand({ StackSetName: "web", Accounts: ["1"], Regions: ["us-east-1"] }),
      undefined
    ],
    [
      "no regions",
      () => new CreateStackInstancesCommand({ StackSetName: "web", Accounts: ["111111111111"], Regions: [] }),
      undefined
    ],
    [
      "a CallAs that is neither",
      () => new DetectStackSetDriftCommand({ StackSetName: "web", CallAs: "ROOT" as never }),
      undefined
    ],
    [
      "a page size of 500",
      () => new ListStackSetOperationsCommand({ StackSetName: "web", MaxResults: 500 }),
      undefined
    ],
    [
      "a NextToken of another list",
      () => new ListStackSetOperationsCommand({ StackSetName: "web", NextToken: "bm9wZQ" }),
      undefined
    ]
  ])("%s is a client error", async (_, command, type) => {
    const { client } = await start()
    await client.send(new CreateStackSetCommand({ StackSetName: "web", TemplateBody: "{}" }))
    const error = await rejection(client.send(command() as never))
    if (type !== undefined) expect(error).toBeInstanceOf(type)
    else expect(error.name).toBe("ValidationError")
    expect((error as CloudFormationServiceException).$fault).toBe("client")
    expect(classifyCloudFormationError(error).reason._tag).toBe("InvalidRequest")
  })

  it("an operation hidden by eventual consistency is OperationNotFoundException, then appears", async () => {
    const { client, clock } = await start({
      services: { cloudformation: { faults: { notFoundForMs: 3_000 } } }
    })
    await client.send(new CreateStackSetCommand({ StackSetName: "web", TemplateBody: "{}" }))
    const { OperationId } = await client.send(
      new CreateStackInstancesCommand({
        StackSetName: "web",
        Accounts: ["111111111111"],
        Regions: ["us-east-1"]
      })
    )
    const read = () => client.send(new DescribeStackSetOperationCommand({ StackSetName: "web", OperationId }))
    expect(await rejection(read())).toBeInstanceOf(OperationNotFoundException)
    expect((await client.send(new ListStackSetOperationsCommand({ StackSetName: "web" }))).Summaries).toEqual(
      []
    )
    clock.advance(3_000)
    expect((await read()).StackSetOperation?.Status).toBe("RUNNING")
  })

  it("throttling is the query protocol's Throttling, which the classifier calls throttled", async () => {
    const { client } = await start({
      services: { cloudformation: { ...durations, rateLimit: { perSecond: 0.001, burst: 1 } } }
    })
    await client.send(new CreateStackSetCommand({ StackSetName: "web", TemplateBody: "{}" }))
    const error = await rejection(client.send(new ListStackSetOperationsCommand({ StackSetName: "web" })))
    expect(error.name).toBe("Throttling")
    expect(classifyCloudFormationError(error).reason._tag).toBe("Throttled")
  })

  it("a denied access key is AccessDenied (403)", async () => {
    const { client } = await start({ deniedAccessKeys: ["AKIDDENIED"] }, "AKIDDENIED")
    const error = await rejection(client.send(new ListStackSetOperationsCommand({ StackSetName: "web" })))
    expect(classifyCloudFormationError(error).reason._tag).toBe("AccessDenied")
  })

  it("5xx and malformed answers reach the classifier as retryable and malformed", async () => {
    const { client, emulator } = await start()
    await client.send(new CreateStackSetCommand({ StackSetName: "web", TemplateBody: "{}" }))
    emulator.configure({ services: { cloudformation: { faults: { error5xxRate: 1 } } } })
    const unavailable = await rejection(
      client.send(new ListStackSetOperationsCommand({ StackSetName: "web" }))
    )
    expect(classifyCloudFormationError(unavailable).reason._tag).toBe("ServiceUnavailable")
    emulator.configure({ services: { cloudformation: { faults: { error5xxRate: 0, malformedRate: 1 } } } })
    const kinds = new Set<string>()
    for (let i = 0; i < 12; i++) {
      const error = await rejection(client.send(new ListStackSetOperationsCommand({ StackSetName: "web" })))
      const tag = classifyCloudFormationError(error).reason._tag
      kinds.add(tag)
    }
    // A cut XML answer, or an HTML 502 page: never a success, never a client error.
    expect(kinds.has("MalformedResponse")).toBe(true)
    for (const tag of kinds) expect(["MalformedResponse", "ServiceUnavailable"]).toContain(tag)
  })
})
