import {
  CloudFormationClient,
  CloudFormationServiceException,
  CreateStackInstancesCommand,
  DescribeStackSetOperationCommand,
  InvalidOperationException,
  ListStackSetOperationResultsCommand,
  ListStackSetOperationsCommand,
  OperationIdAlreadyExistsException,
  OperationInProgressException,
  OperationNotFoundException,
  type StackSetOperation as SdkStackSetOperation,
  StackInstanceNotFoundException,
  StackSetNotFoundException,
  StackSetOperationResultStatus,
  StackSetOperationStatus,
  StaleRequestException,
  StopStackSetOperationCommand
} from "@aws-sdk/client-cloudformation"
import { createOperationStatus, isOpstatusError, type OpstatusError, parseRef } from "@opstatus/core"
import { checkRef, renderStatusTable } from "@opstatus/core/adapter-kit"
import { mockClient } from "aws-sdk-client-mock"
import { Effect, Stream } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import {
  type CloudFormationQuery,
  checkQuery,
  classifyCloudFormationError,
  cloudFormationResultStatusTable,
  cloudFormationService,
  cloudFormationSource,
  cloudFormationStackStatusTable,
  cloudFormationStatusTable,
  parseCloudFormationId,
  refsFromResponse,
  toOperation,
  toStep
} from "../src/index.js"

const opId = "8b7e2c1a-4f0d-4c55-9a63-0f1e2d3c4b5a"
const id = `web-baseline/${opId}`
const ref = `cloudformation:us-east-1:${id}`
const context = { region: "us-east-1", stackSetName: "web-baseline" }
const raw = (Status: string, extra: Partial<SdkStackSetOperation> = {}): SdkStackSetOperation => ({
  OperationId: opId,
  StackSetId: "web-baseline:11111111-2222-4333-8444-555555555555",
  Action: "CREATE",
  Status: Status as SdkStackSetOperation["Status"],
  CreationTimestamp: new Date("2026-01-01T00:00:00Z"),
  ...extra
})
/** Fast polling over mocked answers; the timeout only stops a wait that would hang, far beyond what one takes on a loaded machine. */
const quick = { minDelay: 1, maxDelay: 3, timeout: "2 minutes" } as const

/** The error a promise rejected with, or a sign that it did not reject. */
const rejection = (promise: Promise<unknown>): Promise<OpstatusError> =>
  promise.then(
    () => {
      throw new Error("expected a rejection")
    },
    (e: unknown) => e as OpstatusError
  )

/** What a synchronous call threw, or `undefined`. */
const thrown = (f: () => unknown): unknown => {
  try {
    f()
    return undefined
  } catch (error) {
    return error
  }
}

describe("cloudFormationService", () => {
  it("declares the slug, title, hints, defaults and table", () => {
    expect(cloudFormationService.service).toBe("cloudformation")
    expect(cloudFormationService.title).toBe("AWS CloudFormation")
    expect(Object.keys(cloudFormationService.hints).sort()).toEqual(["callAs", "stackSetName"])
    expect(cloudFormationService.defaults).toEqual({
      timeout: "60 minutes",
      minDelay: "5 seconds",
      maxDelay: "30 seconds",
      notFoundGrace: "30 seconds"
    })
    expect(cloudFormationService.statusTable).toBe(cloudFormationStatusTable)
  })

  const check = (input: string) =>
    Effect.runPromise(
      Effect.result(Effect.flatMap(parseRef(input), (r) => checkRef(r, cloudFormationService)))
    )

  it.each([
    ["a stack set name and an operation ID", ref],
    ["a stack set ID", `cloudformation:us-east-1:web-baseline:11111111-2222-4333-8444-555555555555/${opId}`],
    ["a named operation", "cloudformation:eu-west-1:a/deploy-2026-01-01"],
    ["a stack set named stack", "cloudformation:eu-west-1:stack/op-1"],
    ["a stack operation", `cloudformation:eu-west-1:stack/my-stack/${opId}`],
    ["the longest names", `cloudformation:us-east-1:a${"b".repeat(127)}/${"c".repeat(128)}`]
  ])("accepts %s", async (_, input) => {
    expect((await check(input))._tag).toBe("Success")
  })

  it.each([
    ["a Lightsail operation ID (a UUID)", `cloudformation:us-east-1:${opId}`],
    ["an ECS service ARN", "cloudformation:us-east-1:arn:aws:ecs:us-east-1:123456789012:service/c/s"],
    ["an operation without a stack set", `cloudformation:us-east-1:/${opId}`],
    ["a stack set name starting with a digit", `cloudformation:us-east-1:1web/${opId}`],
    ["a stack set ID that is no UUID", `cloudformation:us-east-1:web:123/${opId}`],
    ["an operation ID with a dot", "cloudformation:us-east-1:web/op.1"],
    ["an operation ID starting with a dash", "cloudformation:us-east-1:web/-op"],
    ["a name of 129 characters", `cloudformation:us-east-1:a${"b".repeat(128)}/${opId}`],
    ["an operation ID of 129 characters", `cloudformation:us-east-1:web/${"c".repeat(129)}`],
    ["three parts", `cloudformation:us-east-1:web/x/${opId}`],
    ["a stack ARN", `cloudformation:us-east-1:stack/arn:aws:cloudformation:us-east-1:1:stack/s/u/${opId}`]
  ])("rejects %s as InvalidRef before any request", async (_, input) => {
    const r = await check(input)
    expect(r._tag === "Failure" && r.failure.reason._tag).toBe("InvalidRef")
    expect(r._tag === "Failure" && r.failure.message).toMatch(/stackSetName|at most/)
  })

  it("reads both kinds of ID, and nothing else", () => {
    expect(parseCloudFormationId(id)).toEqual({
      kind: "stackSet",
      stackSetName: "web-baseline",
      operationId: opId
    })
    expect(parseCloudFormationId("stack/op")).toEqual({
      kind: "stackSet",
      stackSetName: "stack",
      operationId: "op"
    })
    expect(parseCloudFormationId("stack/s/op")).toEqual({ kind: "stack", stackName: "s", operationId: "op" })
    for (const bad of [opId, "", "a/b/c", 5, null, undefined, `a/${"b".repeat(300)}`]) {
      expect(parseCloudFormationId(bad)).toBeUndefined()
    }
  })
})

describe("StackSet status mapping", () => {
  it.each([
    ["QUEUED", "pending", false],
    ["RUNNING", "running", false],
    ["STOPPING", "running", false],
    ["SUCCEEDED", "succeeded", true],
    ["FAILED", "failed", true],
    ["STOPPED", "cancelled", true]
  ] as const)("%s maps to %s (terminal %s)", (status, unified, terminal) => {
    const op = toOperation(raw(status), context)
    expect([op.status, op.terminal, op.rawStatus]).toEqual([unified, terminal, status])
  })

  it("has exactly one row for each value of the SDK's StackSetOperationStatus", () => {
    expect(Object.keys(cloudFormationStatusTable).sort()).toEqual(
      Object.values(StackSetOperationStatus).sort()
    )
  })

  it.each(["CANCELLING", "", "succeeded"])("%j is unknown, not terminal, not success", (status) => {
    const op = toOperation(raw(status), context)
    expect([op.status, op.terminal, op.error]).toEqual(["unknown", false, undefined])
  })

  it("reads the type, the stack set, the dates and the properties", () => {
    const op = toOperation(
      raw("SUCCEEDED", {
        Action: "UPDATE",
        EndTimestamp: new Date("2026-01-01T00:05:00Z"),
        StatusDetails: { FailedStackInstancesCount: 0 }
      }),
      { ...context, hints: { callAs: "SELF" } },
      undefined,
      "req-1"
    )
    expect(op.ref).toEqual({ service: "cloudformation", region: "us-east-1", id, hints: { callAs: "SELF" } })
    expect(op.type).toBe("UPDATE")
    expect(op.resource).toEqual({
      type: "AWS::CloudFormation::StackSet",
      name: "web-baseline",
      id: "web-baseline:11111111-2222-4333-8444-555555555555"
    })
    expect(op.properties).toEqual({
      StackSetId: "web-baseline:11111111-2222-4333-8444-555555555555",
      FailedStackInstancesCount: "0"
    })
    expect(op.createdAt?.toISOString()).toBe("2026-01-01T00:00:00.000Z")
    expect(op.endedAt?.toISOString()).toBe("2026-01-01T00:05:00.000Z")
    expect(op.requestId).toBe("req-1")
    expect(op.error).toBeUndefined()
    expect(op.steps).toBeUndefined()
  })

  it("a running operation has no endedAt; a ref by stack set ID names the set by its name", () => {
    const op = toOperation(raw("RUNNING", { StackSetId: undefined }), {
      region: "us-east-1",
      stackSetName: "web:11111111-2222-4333-8444-555555555555"
    })
    expect(op.endedAt).toBeUndefined()
    expect(op.resource).toEqual({
      type: "AWS::CloudFormation::StackSet",
      name: "web",
      id: "web:11111111-2222-4333-8444-555555555555"
    })
    expect(op.ref.id).toBe(`web:11111111-2222-4333-8444-555555555555/${opId}`)
  })

  it("a FAILED operation's error names its reason and the instances that failed", () => {
    const steps = [
      toStep({ Account: "111111111111", Region: "us-east-1", Status: "SUCCEEDED" }),
      toStep({
        Account: "222222222222",
        Region: "eu-west-1",
        Status: "FAILED",
        StatusReason: "Bucket exists"
      }),
      toStep({ Account: "333333333333", Region: "eu-west-1", Status: "CANCELLED" })
    ]
    const op = toOperation(raw("FAILED", { StatusReason: "Failure tolerance exceeded" }), context, steps)
    expect(op.error).toEqual({
      code: "StackSetOperationFailed",
      message: "Failure tolerance exceeded; failed stack instances: 222222222222/eu-west-1 (Bucket exists)"
    })
    expect(op.steps).toEqual(steps)
  })

  it("names ten failed instances at most", () => {
    const steps = Array.from({ length: 13 }, (_, i) =>
      toStep({ Account: String(100000000000 + i), Region: "us-east-1", Status: "FAILED" })
    )
    const message = toOperation(raw("FAILED"), context, steps).error?.message ?? ""
    expect(message).toMatch(/^failed stack instances: 100000000000\/us-east-1, /)
    expect(message).toContain("100000000009/us-east-1, and 3 more")
    expect(message).not.toContain("100000000010")
  })

  it("without results, a FAILED operation's message counts the failed instances, or says it failed", () => {
    expect(
      toOperation(raw("FAILED", { StatusDetails: { FailedStackInstancesCount: 2 } }), context).error
    ).toEqual({
      code: "StackSetOperationFailed",
      message: "2 stack instances failed"
    })
    expect(toOperation(raw("FAILED"), context).error?.message).toBe("The StackSet operation failed")
  })

  it.each([
    [
      "nulls everywhere",
      { OperationId: null, Status: null, Action: null, StatusDetails: null, EndTimestamp: null }
    ],
    ["no fields", {}],
    ["a null-prototype object", Object.assign(Object.create(null), { Status: "SUCCEEDED" })],
    [
      "dates that are not dates",
      { Status: "SUCCEEDED", CreationTimestamp: "yesterday", EndTimestamp: Number.NaN }
    ],
    ["a count that is not a number", { Status: "FAILED", StatusDetails: { FailedStackInstancesCount: "2" } }],
    ["fields of the wrong type", { OperationId: 5, Status: { a: 1 }, Action: [], StatusReason: false }],
    ["null", null],
    ["a number", 5],
    ["a string", "SUCCEEDED"]
  ])("never throws on %s", (_, value) => {
    const op = toOperation(value as never, { ...context, operationId: opId })
    expect(op.ref.id).toBe(id)
    expect(typeof op.rawStatus).toBe("string")
    expect(op.status === "succeeded" && op.rawStatus !== "SUCCEEDED").toBe(false)
    for (const date of [op.createdAt, op.updatedAt, op.endedAt]) {
      if (date !== undefined) expect(Number.isNaN(date.getTime())).toBe(false)
    }
    expect(op.raw).toBe(value)
  })
})

describe("per-instance result mapping (steps)", () => {
  it.each([
    ["PENDING", "pending"],
    ["RUNNING", "running"],
    ["SUCCEEDED", "succeeded"],
    ["FAILED", "failed"],
    ["CANCELLED", "cancelled"]
  ] as const)("%s is a %s step", (status, unified) => {
    const step = toStep({ Account: "111111111111", Region: "us-east-1", Status: status })
    expect([step.status, step.rawStatus]).toEqual([unified, status])
  })

  it("has exactly one row for each value of the SDK's StackSetOperationResultStatus", () => {
    expect(Object.keys(cloudFormationResultStatusTable).sort()).toEqual(
      Object.values(StackSetOperationResultStatus).sort()
    )
  })

  it("an unknown result status is an unknown step", () => {
    expect(toStep({ Status: "SKIPPED" as never }).status).toBe("unknown")
  })

  it("names the stack instance and keeps a FAILED result's account gate", () => {
    expect(
      toStep({
        Account: "111111111111",
        Region: "eu-west-1",
        Status: "FAILED",
        StatusReason: "Account gate failed",
        OrganizationalUnitId: "ou-ab12-cd34ef56",
        AccountGateResult: { Status: "FAILED", StatusReason: "Lambda returned FAILED" }
      })
    ).toEqual({
      description: "stack instance in account 111111111111, region eu-west-1 (ou-ab12-cd34ef56)",
      status: "failed",
      rawStatus: "FAILED",
      message: "Account gate failed; account gate FAILED: Lambda returned FAILED",
      resource: { type: "AWS::CloudFormation::StackInstance", name: "111111111111/eu-west-1" }
    })
    // A failure the gate did not cause, and a result that did not fail, keep their reason only.
    expect(
      toStep({
        Status: "FAILED",
        StatusReason: "Bucket exists",
        AccountGateResult: { Status: "SKIPPED", StatusReason: "No account gate function configured." }
      }).message
    ).toBe("Bucket exists")
    const ok = toStep({
      Account: "1",
      Region: "r",
      Status: "SUCCEEDED",
      AccountGateResult: { Status: "SKIPPED", StatusReason: "no gate" }
    })
    expect(ok.message).toBeUndefined()
  })

  it.each([null, 5, {}, { Account: 5, Region: null, AccountGateResult: "x" }])(
    "never throws on %j",
    (value) => {
      const step = toStep(value as never)
      expect(step.status).toBe("unknown")
      expect(step.resource?.type).toBe("AWS::CloudFormation::StackInstance")
    }
  )
})

describe("classifyCloudFormationError: every name it knows", () => {
  const opts = (status: number) => ({ message: "m", $metadata: { httpStatusCode: status, requestId: "r-1" } })
  const named = (name: string, status: number, fault: "client" | "server" = "client") =>
    new CloudFormationServiceException({ name, $fault: fault, ...opts(status) })
  it.each([
    [new OperationNotFoundException(opts(404)), "OperationNotFound"],
    [new StackSetNotFoundException(opts(404)), "OperationNotFound"],
    [new InvalidOperationException(opts(400)), "InvalidRequest"],
    [new OperationInProgressException(opts(409)), "InvalidRequest"],
    [new OperationIdAlreadyExistsException(opts(409)), "InvalidRequest"],
    [new StaleRequestException(opts(409)), "InvalidRequest"],
    [new StackInstanceNotFoundException(opts(404)), "InvalidRequest"],
    [named("StackNotFoundException", 404), "InvalidRequest"],
    [named("ValidationError", 400), "InvalidRequest"],
    [named("Throttling", 400), "Throttled"],
    [named("AccessDenied", 403), "AccessDenied"],
    [named("InvalidClientTokenId", 403), "Unauthenticated"],
    [named("ExpiredToken", 400), "Unauthenticated"],
    [named("InternalFailure", 500, "server"), "ServiceUnavailable"],
    [named("ServiceUnavailable", 503, "server"), "ServiceUnavailable"]
  ])("%s is %s", (error, tag) => {
    const classified = classifyCloudFormationError(error)
    expect(isOpstatusError(classified)).toBe(true)
    expect(classified.reason._tag).toBe(tag)
    expect(classified.service).toBe("cloudformation")
    expect(classified.code).toBe(error.name)
    expect(classified.requestId).toBe("r-1")
    expect(classified.isRetryable).toBe(tag === "Throttled" || tag === "ServiceUnavailable")
  })
})

describe("checkQuery", () => {
  const run = (q: unknown) => Effect.runPromise(Effect.result(checkQuery(q as CloudFormationQuery)))
  it("keeps a good query", async () => {
    const r = await run({ stackSetName: "web", callAs: "DELEGATED_ADMIN", maxResults: 100 })
    expect(r._tag === "Success" && r.success).toEqual({
      stackSetName: "web",
      callAs: "DELEGATED_ADMIN",
      maxResults: 100
    })
  })

  it.each([
    [{}, "stackSetName"],
    [{ stackSetName: "1web" }, "stackSetName"],
    [{ stackSetName: "web", callAs: "ME" }, "callAs must be SELF or DELEGATED_ADMIN"],
    [{ stackSetName: "web", maxResults: 0 }, "from 1 to 100"],
    [{ stackSetName: "web", maxResults: 101 }, "from 1 to 100"],
    [{ stackSetName: "web", maxResults: 1.5 }, "from 1 to 100"],
    [null, "must be an object"],
    [[], "must be an object"],
    ["web", "must be an object"]
  ])("rejects %j as InvalidQuery", async (query, text) => {
    const r = await run(query)
    expect(r._tag === "Failure" && r.failure.reason._tag).toBe("InvalidQuery")
    expect(r._tag === "Failure" && r.failure.message).toContain(text)
  })
})

describe("cloudFormationSource over the real CloudFormationClient (aws-sdk-client-mock)", () => {
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

  const get = (r: { id: string; hints?: Record<string, string> }) =>
    Effect.runPromise(
      Effect.result(
        cloudFormationSource({ client }).get({ service: "cloudformation", region: "us-east-1", ...r })
      )
    )

  it("reads the operation and every page of its results as steps, with CallAs", async () => {
    mock
      .on(DescribeStackSetOperationCommand)
      .resolves({ StackSetOperation: raw("RUNNING"), $metadata: { requestId: "req-7" } })
    mock
      .on(ListStackSetOperationResultsCommand)
      .resolvesOnce({
        Summaries: [{ Account: "111111111111", Region: "us-east-1", Status: "SUCCEEDED" }],
        NextToken: "t1"
      })
      .resolvesOnce({
        Summaries: [null, { Account: "111111111111", Region: "eu-west-1", Status: "RUNNING" }]
      } as never)
    const r = await get({ id, hints: { callAs: "DELEGATED_ADMIN" } })
    expect(r._tag).toBe("Success")
    const op = r._tag === "Success" ? r.success : undefined
    expect(op?.status).toBe("running")
    expect(op?.requestId).toBe("req-7")
    expect(op?.steps?.map((s) => [s.resource?.name, s.status])).toEqual([
      ["111111111111/us-east-1", "succeeded"],
      ["111111111111/eu-west-1", "running"]
    ])
    expect(mock.commandCalls(DescribeStackSetOperationCommand)[0]?.args[0].input).toEqual({
      StackSetName: "web-baseline",
      OperationId: opId,
      CallAs: "DELEGATED_ADMIN"
    })
    expect(mock.commandCalls(ListStackSetOperationResultsCommand).map((c) => c.args[0].input)).toEqual([
      { StackSetName: "web-baseline", OperationId: opId, CallAs: "DELEGATED_ADMIN", MaxResults: 100 },
      {
        StackSetName: "web-baseline",
        OperationId: opId,
        CallAs: "DELEGATED_ADMIN",
        MaxResults: 100,
        NextToken: "t1"
      }
    ])
  })

  it("a QUEUED operation's results are not read", async () => {
    mock.on(DescribeStackSetOperationCommand).resolves({ StackSetOperation: raw("QUEUED") })
    const r = await get({ id })
    expect(r._tag === "Success" && [r.success.status, r.success.steps]).toEqual(["pending", []])
    expect(mock.commandCalls(ListStackSetOperationResultsCommand)).toHaveLength(0)
    expect(mock.commandCalls(DescribeStackSetOperationCommand)[0]?.args[0].input).toEqual({
      StackSetName: "web-baseline",
      OperationId: opId
    })
  })

  it("a results page that repeats its token ends the walk", async () => {
    mock.on(DescribeStackSetOperationCommand).resolves({ StackSetOperation: raw("RUNNING") })
    mock.on(ListStackSetOperationResultsCommand).resolves({
      Summaries: [{ Account: "1", Region: "us-east-1", Status: "RUNNING" }],
      NextToken: "same"
    })
    const r = await get({ id })
    expect(r._tag === "Success" && r.success.steps).toHaveLength(2)
    expect(mock.commandCalls(ListStackSetOperationResultsCommand)).toHaveLength(2)
  })

  it.each([
    ["a callAs that is neither SELF nor DELEGATED_ADMIN", { id, hints: { callAs: "ROOT" } }, "callAs"],
    ["an ID of neither shape", { id: opId }, "stackSetName"]
  ])("%s is a typed InvalidRef before any request", async (_, r, text) => {
    const result = await get(r)
    expect(result._tag === "Failure" && result.failure.reason._tag).toBe("InvalidRef")
    expect(result._tag === "Failure" && result.failure.message).toContain(text)
    expect(mock.calls()).toHaveLength(0)
  })

  it.each([
    ["StackSetOperation: null", { StackSetOperation: null }, "no StackSetOperation"],
    ["no StackSetOperation", {}, "no StackSetOperation"],
    ["a Status that is not a string", { StackSetOperation: { Status: 5 } }, "DescribeStackSetOperation"],
    [
      "a count that is not a number",
      { StackSetOperation: { StatusDetails: { FailedStackInstancesCount: "x" } } },
      "DescribeStackSetOperation"
    ]
  ])("%s is a typed MalformedResponse with the request ID", async (_, answer, text) => {
    mock
      .on(DescribeStackSetOperationCommand)
      .resolves({ ...answer, $metadata: { requestId: "req-9" } } as never)
    const r = await get({ id })
    const error = r._tag === "Failure" ? r.failure : undefined
    expect(error?.reason._tag).toBe("MalformedResponse")
    expect(error?.requestId).toBe("req-9")
    expect(error?.ref).toEqual({ service: "cloudformation", region: "us-east-1", id })
    expect(error?.message).toContain(text)
  })

  it("a results item that is not an object is a typed MalformedResponse", async () => {
    mock.on(DescribeStackSetOperationCommand).resolves({ StackSetOperation: raw("RUNNING") })
    mock
      .on(ListStackSetOperationResultsCommand)
      .resolves({ Summaries: ["x"], $metadata: { requestId: "req-5" } } as never)
    const r = await get({ id })
    expect(r._tag === "Failure" && [r.failure.reason._tag, r.failure.requestId]).toEqual([
      "MalformedResponse",
      "req-5"
    ])
    expect(r._tag === "Failure" && r.failure.message).toContain("ListStackSetOperationResults")
  })

  it("waits through QUEUED and RUNNING to SUCCEEDED", async () => {
    mock
      .on(DescribeStackSetOperationCommand)
      .resolvesOnce({ StackSetOperation: raw("QUEUED") })
      .resolvesOnce({ StackSetOperation: raw("RUNNING") })
      .resolves({ StackSetOperation: raw("SUCCEEDED", { EndTimestamp: new Date("2026-01-01T00:05:00Z") }) })
    mock.on(ListStackSetOperationResultsCommand).resolves({
      Summaries: [{ Account: "111111111111", Region: "us-east-1", Status: "SUCCEEDED" }]
    })
    const status = createOperationStatus({ sources: [cloudFormationSource({ client })] })
    const op = await status.waitForSuccess(ref, quick)
    expect([op.status, op.type, op.steps?.length]).toEqual(["succeeded", "CREATE", 1])
    expect(mock.commandCalls(DescribeStackSetOperationCommand)).toHaveLength(3)
    await status.close()
  })

  it("a FAILED operation rejects waitForSuccess with its code and the failed instances", async () => {
    mock.on(DescribeStackSetOperationCommand).resolves({
      StackSetOperation: raw("FAILED", { StatusReason: "Failure tolerance exceeded" }),
      $metadata: { requestId: "req-3" }
    })
    mock.on(ListStackSetOperationResultsCommand).resolves({
      Summaries: [
        { Account: "222222222222", Region: "eu-west-1", Status: "FAILED", StatusReason: "Bucket exists" }
      ]
    })
    const status = createOperationStatus({ sources: [cloudFormationSource({ client })] })
    const error = await rejection(status.waitForSuccess(ref, quick))
    expect(error.reason._tag).toBe("OperationFailed")
    expect(error.code).toBe("StackSetOperationFailed")
    expect(error.serviceMessage).toBe(
      "Failure tolerance exceeded; failed stack instances: 222222222222/eu-west-1 (Bucket exists)"
    )
    expect(error.requestId).toBe("req-3")
    await status.close()
  })

  it("cancel sends StopStackSetOperation with CallAs; the wait then ends cancelled, never success", async () => {
    mock.on(StopStackSetOperationCommand).resolves({})
    mock
      .on(DescribeStackSetOperationCommand)
      .resolvesOnce({ StackSetOperation: raw("STOPPING") })
      .resolves({ StackSetOperation: raw("STOPPED") })
    mock.on(ListStackSetOperationResultsCommand).resolves({
      Summaries: [
        { Account: "1", Region: "us-east-1", Status: "SUCCEEDED" },
        { Account: "1", Region: "eu-west-1", Status: "CANCELLED" }
      ]
    })
    const status = createOperationStatus({ sources: [cloudFormationSource({ client })] })
    const target = { service: "cloudformation", region: "us-east-1", id, hints: { callAs: "SELF" } }
    await status.cancel(target)
    expect(mock.commandCalls(StopStackSetOperationCommand)[0]?.args[0].input).toEqual({
      StackSetName: "web-baseline",
      OperationId: opId,
      CallAs: "SELF"
    })
    const op = await status.waitForTerminal(target, quick)
    expect([op.status, op.rawStatus, op.error]).toEqual(["cancelled", "STOPPED", undefined])
    expect(op.steps?.map((s) => s.status)).toEqual(["succeeded", "cancelled"])
    const error = await rejection(status.waitForSuccess(target, quick))
    expect(error.reason._tag).toBe("OperationFailed")
    expect(error.operation?.status).toBe("cancelled")
    await status.close()
  })

  it("cancelling an operation that already ended is the service's InvalidOperationException, not retried", async () => {
    mock
      .on(StopStackSetOperationCommand)
      .rejects(
        new InvalidOperationException({ message: "already SUCCEEDED", $metadata: { httpStatusCode: 400 } })
      )
    const status = createOperationStatus({ sources: [cloudFormationSource({ client })] })
    const error = await rejection(status.cancel(ref))
    expect([error.reason._tag, error.code, error.serviceMessage]).toEqual([
      "InvalidRequest",
      "InvalidOperationException",
      "already SUCCEEDED"
    ])
    expect(error.ref).toEqual({ service: "cloudformation", region: "us-east-1", id })
    expect(mock.commandCalls(StopStackSetOperationCommand)).toHaveLength(1)
    await status.close()
  })

  it("a stack operation cannot be cancelled: CancelNotSupported before any request", async () => {
    const status = createOperationStatus({ sources: [cloudFormationSource({ client })] })
    const error = await rejection(status.cancel(`cloudformation:us-east-1:stack/my-stack/${opId}`))
    expect(error.reason._tag).toBe("CancelNotSupported")
    expect(error.message).toContain("CancelUpdateStack")
    expect(mock.calls()).toHaveLength(0)
    await status.close()
  })

  it("absorbs Throttling and waits on", async () => {
    mock
      .on(DescribeStackSetOperationCommand)
      .rejectsOnce(
        new CloudFormationServiceException({
          name: "Throttling",
          $fault: "client",
          message: "Rate exceeded",
          $metadata: { httpStatusCode: 400 }
        })
      )
      .resolves({ StackSetOperation: raw("SUCCEEDED") })
    mock.on(ListStackSetOperationResultsCommand).resolves({ Summaries: [] })
    const status = createOperationStatus({ sources: [cloudFormationSource({ client })] })
    expect((await status.waitForTerminal(ref, quick)).status).toBe("succeeded")
    expect(mock.commandCalls(DescribeStackSetOperationCommand)).toHaveLength(2)
    await status.close()
  })

  it("OperationNotFoundException after the grace window is an OperationNotFound error", async () => {
    mock
      .on(DescribeStackSetOperationCommand)
      .rejects(new OperationNotFoundException({ message: "no op", $metadata: { httpStatusCode: 404 } }))
    const status = createOperationStatus({ sources: [cloudFormationSource({ client })] })
    const error = await rejection(status.waitForTerminal(ref, { ...quick, notFoundGrace: 20 }))
    expect([error.reason._tag, error.code]).toEqual(["OperationNotFound", "OperationNotFoundException"])
    expect(error.ref).toEqual({ service: "cloudformation", region: "us-east-1", id })
    await status.close()
  })

  it("lists a stack set's operations across pages, with CallAs and MaxResults", async () => {
    mock
      .on(ListStackSetOperationsCommand)
      .resolvesOnce({
        Summaries: [{ OperationId: "a", Status: "RUNNING", Action: "UPDATE" }, null],
        NextToken: "t1",
        $metadata: { requestId: "req-4" }
      } as never)
      .resolvesOnce({ Summaries: [{ Status: "RUNNING" }, { OperationId: "b", Status: "STOPPED" }] })
    const source = cloudFormationSource({ client })
    const ops = await Effect.runPromise(
      Stream.runCollect(source.list("us-east-1", { stackSetName: "web", callAs: "SELF", maxResults: 10 }))
    )
    expect(ops.map((o) => [o.ref.id, o.status, o.type, o.ref.hints, o.requestId])).toEqual([
      ["web/a", "running", "UPDATE", { callAs: "SELF" }, "req-4"],
      ["web/b", "cancelled", undefined, { callAs: "SELF" }, undefined]
    ])
    expect(mock.commandCalls(ListStackSetOperationsCommand).map((c) => c.args[0].input)).toEqual([
      { StackSetName: "web", CallAs: "SELF", MaxResults: 10 },
      { StackSetName: "web", CallAs: "SELF", MaxResults: 10, NextToken: "t1" }
    ])
  })

  it("an invalid query fails before any request", async () => {
    const source = cloudFormationSource({ client })
    const r = await Effect.runPromise(
      Effect.result(Stream.runCollect(source.list("us-east-1", { stackSetName: "web", maxResults: 500 })))
    )
    expect(r._tag === "Failure" && r.failure.reason._tag).toBe("InvalidQuery")
    expect(mock.calls()).toHaveLength(0)
  })

  it("rejects a region the client does not serve before any request", async () => {
    const status = createOperationStatus({ sources: [cloudFormationSource({ client })] })
    const error = await rejection(status.get(`cloudformation:ap-south-1:${id}`))
    expect(error.reason._tag).toBe("InvalidRef")
    expect(mock.calls()).toHaveLength(0)
    await status.close()
  })

  it("rejects options that are neither { client } nor { clientFor } with InvalidConfig", () => {
    const error = thrown(() => cloudFormationSource({} as never))
    expect(isOpstatusError(error) && error.reason._tag).toBe("InvalidConfig")
  })
})

describe("refs from mutating responses", () => {
  it("a StackSet response's { OperationId } with the stack set given as a hint", () => {
    expect(
      refsFromResponse(
        { OperationId: opId },
        { region: "us-west-2", hints: { stackSetName: "web-baseline" } }
      )
    ).toEqual([{ service: "cloudformation", region: "us-west-2", id }])
    expect(
      refsFromResponse({ OperationId: opId }, { region: "us-west-2", stackSetName: "web-baseline" })
    ).toEqual([{ service: "cloudformation", region: "us-west-2", id }])
  })

  it("keeps callAs (and other hints) on the refs, not the stack set", () => {
    expect(
      refsFromResponse(
        { OperationId: opId },
        { region: "us-west-2", hints: { stackSetName: "web-baseline", callAs: "DELEGATED_ADMIN", team: "a" } }
      )
    ).toEqual([
      { service: "cloudformation", region: "us-west-2", id, hints: { callAs: "DELEGATED_ADMIN", team: "a" } }
    ])
    expect(
      refsFromResponse(
        { OperationId: opId },
        { region: "us-west-2", stackSetName: "web-baseline", callAs: "SELF" }
      )[0]?.hints
    ).toEqual({ callAs: "SELF" })
  })

  it("without the stack set it throws a typed InvalidRef saying to pass it", () => {
    const error = thrown(() => refsFromResponse({ OperationId: opId }, { region: "us-west-2" }))
    expect(isOpstatusError(error) && error.reason._tag).toBe("InvalidRef")
    expect(isOpstatusError(error) && error.message).toContain("stackSetName")
  })

  it.each([
    ["a stack set name of the wrong shape", { region: "us-west-2", hints: { stackSetName: "web set" } }],
    ["no region", { hints: { stackSetName: "web" } }]
  ])("%s throws a typed InvalidRef", (_, options) => {
    const error = thrown(() => refsFromResponse({ OperationId: opId }, options))
    expect(isOpstatusError(error) && error.reason._tag).toBe("InvalidRef")
  })

  it("an OperationId of the wrong shape throws a typed InvalidRef", () => {
    const error = thrown(() =>
      refsFromResponse({ OperationId: "op.1" }, { region: "us-west-2", hints: { stackSetName: "web" } })
    )
    expect(isOpstatusError(error) && error.reason._tag).toBe("InvalidRef")
  })

  it("a stack response ({ StackId, OperationId }) names its stack and region in the stack ARN", () => {
    const response = {
      StackId:
        "arn:aws:cloudformation:eu-central-1:123456789012:stack/my-stack/466df9e0-0dff-08e3-8e2f-5088487c4896",
      OperationId: opId
    }
    expect(refsFromResponse(response, { region: "us-west-2" })).toEqual([
      { service: "cloudformation", region: "eu-central-1", id: `stack/my-stack/${opId}` }
    ])
    expect(refsFromResponse(response)[0]?.region).toBe("eu-central-1")
  })

  it.each([
    ["null", null],
    ["undefined", undefined],
    ["a number", 5],
    ["a string", "OperationId"],
    ["an array", [{ OperationId: opId }]],
    ["a null-prototype object", Object.create(null)],
    ["a numeric OperationId", { OperationId: 5 }],
    ["an empty OperationId", { OperationId: "" }],
    ["a StackSet creation (StackSetId only)", { StackSetId: "web:11111111-2222-4333-8444-555555555555" }]
  ])("%s carries no ref and throws nothing", (_, response) => {
    expect(refsFromResponse(response, { region: "us-west-2", hints: { stackSetName: "web" } })).toEqual([])
    expect(refsFromResponse(response)).toEqual([])
  })

  it("the source fills in its client's region: a CreateStackInstances response goes straight to a wait", async () => {
    const client = new CloudFormationClient({ region: "us-east-1" })
    const mock = mockClient(client)
    mock.on(CreateStackInstancesCommand).resolves({ OperationId: opId })
    try {
      const source = cloudFormationSource({ client })
      const response = await client.send(
        new CreateStackInstancesCommand({
          StackSetName: "web-baseline",
          Accounts: ["111111111111"],
          Regions: ["us-east-1"]
        })
      )
      // The mock answers within microtasks; one turn of the event loop stands for the network.
      await new Promise((resolve) => setImmediate(resolve))
      expect(source.refsFromResponse(response, { hints: { stackSetName: "web-baseline" } })).toEqual([
        { service: "cloudformation", region: "us-east-1", id }
      ])
    } finally {
      mock.restore()
      client.destroy()
    }
  })
})

describe("docs/status-mapping.md", () => {
  it.each([
    ["cloudformation", cloudFormationStatusTable],
    ["cloudformation-results", cloudFormationResultStatusTable],
    ["cloudformation-stack", cloudFormationStackStatusTable]
  ] as const)("prints the %s table verbatim", async (name, table) => {
    const { readFile } = await import("node:fs/promises")
    const doc = await readFile(new URL("../../../docs/status-mapping.md", import.meta.url), "utf8")
    expect(doc).toContain(`<!-- table:${name} -->\n${renderStatusTable(table)}\n`)
  })
})
