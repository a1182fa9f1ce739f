/**
 * CloudFormation's query protocol in the emulator: the form a request comes in (dotted paths,
 * `member.N` lists, `Key=` for an empty list), the XML answers and errors, and the wire as it
 * leaves the emulator for a SigV4-signed request; then the service through the real
 * CloudFormationClient, on a clock the tests move by hand: each call's answers and errors as the
 * SDK's own classes, paging, one operation a stack set at a time, and the per-instance results of
 * a running, failed and stopped operation.
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
import { Sha256 } from "@smithy/core/checksum"
import { SignatureV4 } from "@smithy/signature-v4"
import { describe, expect, it } from "vitest"
import { cloudFormationCodec, decodeQueryRequest, toXml } from "../src/CloudFormation.js"
import type { Emulator, Scenario } from "../src/index.js"
import { ApiError } from "../src/internal/apiError.js"
import { credentials, ManualClock, rejection, start } from "./helpers.js"

const form = (text: string) => new URLSearchParams(text)

const apiError = (f: () => unknown): ApiError => {
  try {
    f()
  } catch (error) {
    if (error instanceof ApiError) return error
    throw error
  }
  throw new Error("expected an ApiError")
}

describe("decodeQueryRequest", () => {
  it("reads the Action, dotted paths and member lists in their index order", () => {
    expect(
      decodeQueryRequest(
        form(
          "Action=CreateStackInstances&Version=2010-05-15&StackSetName=web&Regions.member.2=eu-west-1" +
            "&Regions.member.1=us-east-1&DeploymentTargets.Accounts.member.1=111111111111" +
            "&OperationPreferences.RegionOrder.member.1=us-east-1&OperationPreferences.MaxConcurrentCount=2" +
            "&Regions.member.10=ap-south-1"
        )
      )
    ).toEqual({
      operation: "CreateStackInstances",
      input: {
        StackSetName: "web",
        Regions: ["us-east-1", "eu-west-1", "ap-south-1"],
        DeploymentTargets: { Accounts: ["111111111111"] },
        OperationPreferences: { RegionOrder: ["us-east-1"], MaxConcurrentCount: "2" }
      }
    })
  })

  it("reads an empty list (Key=) as an empty list", () => {
    expect(decodeQueryRequest(form("Action=X&Version=2010-05-15&Accounts=&Regions=")).input).toEqual({
      Accounts: [],
      Regions: []
    })
  })

  it.each([
    ["no Action", "Version=2010-05-15", "unknownOperation"],
    ["another Version", "Action=X&Version=2011-01-01", "validation"],
    ["no Version", "Action=X", "validation"],
    ["a __proto__ path", "Action=X&Version=2010-05-15&__proto__.polluted=1", "validation"],
    ["a constructor path", "Action=X&Version=2010-05-15&a.constructor.prototype=1", "validation"],
    ["an empty path part", "Action=X&Version=2010-05-15&a..b=1", "validation"],
    ["a value and a structure of one name", "Action=X&Version=2010-05-15&A=1&A.b=2", "validation"],
    ["a structure, then a value of its name", "Action=X&Version=2010-05-15&A.b=2&A=1", "validation"],
    ["members numbered from 0", "Action=X&Version=2010-05-15&A.member.0=x", "validation"]
  ])("%s is an ApiError (%s)", (_, text, kind) => {
    expect(apiError(() => decodeQueryRequest(form(text))).kind).toBe(kind)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it("reads a GET's query string, and refuses other methods", () => {
    const request = (method: string) => ({
      method,
      path: "/",
      query: form("Action=ListStackSetOperations&Version=2010-05-15&StackSetName=web"),
      headers: {},
      body: ""
    })
    expect(cloudFormationCodec.decode(request("GET")).operation).toBe("ListStackSetOperations")
    expect(apiError(() => cloudFormationCodec.decode(request("PUT"))).kind).toBe("unknownOperation")
  })
})

describe("the XML answers", () => {
  it("writes objects as elements, lists as members, and escapes text", () => {
    expect(toXml({ A: "x<&>\"'", B: [{ C: 1 }, { C: true }], D: undefined, E: [] })).toBe(
      "<A>x&lt;&amp;&gt;&quot;&apos;</A><B><member><C>1</C></member><member><C>true</C></member></B><E></E>"
    )
  })

  it("wraps a result in <Action>Response, <Action>Result and ResponseMetadata", () => {
    expect(cloudFormationCodec.encode("StopStackSetOperation", {}, "req-1")).toEqual({
      status: 200,
      contentType: "text/xml",
      body:
        '<StopStackSetOperationResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">' +
        "<StopStackSetOperationResult></StopStackSetOperationResult>" +
        "<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></StopStackSetOperationResponse>"
    })
  })

  it("writes errors as an ErrorResponse, Sender for a 4xx and Receiver for a 5xx", () => {
    expect(
      cloudFormationCodec.encodeError(
        { name: "StackSetNotFoundException", status: 404 },
        "StackSet web not found",
        "r"
      ).body
    ).toBe(
      '<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type>' +
        "<Code>StackSetNotFoundException</Code><Message>StackSet web not found</Message></Error>" +
        "<RequestId>r</RequestId></ErrorResponse>"
    )
    expect(
      cloudFormationCodec.encodeError({ name: "InternalFailure", status: 500 }, "x", "r").body
    ).toContain("<Type>Receiver</Type>")
  })
})

/** A SigV4-signed query-protocol request, as the SDK sends one. */
const query = async (emulator: Emulator, params: Record<string, string>) => {
  const endpoint = new URL(emulator.endpoint)
  const body = new URLSearchParams({ Version: "2010-05-15", ...params }).toString()
  const signer = new SignatureV4({
    service: "cloudformation",
    region: "us-east-1",
    credentials: credentials(),
    sha256: Sha256
  })
  const signed = await signer.sign({
    method: "POST",
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    port: Number(endpoint.port),
    path: "/",
    query: {},
    headers: { host: endpoint.host, "content-type": "application/x-www-form-urlencoded" },
    body
  })
  const { host: _host, ...headers } = signed.headers
  const response = await fetch(endpoint, { method: "POST", headers, body })
  return { status: response.status, type: response.headers.get("content-type"), text: await response.text() }
}

describe("the wire of a signed request", () => {
  it("answers XML with member lists, ISO 8601 timestamps and the request ID", async () => {
    const clock = new ManualClock()
    const emulator = await start({ port: 0, seed: 3, now: clock.now })
    const created = await query(emulator, {
      Action: "CreateStackSet",
      StackSetName: "web",
      TemplateBody: "{}"
    })
    expect(created.status).toBe(200)
    expect(created.type).toBe("text/xml")
    expect(created.text).toMatch(
      /^<CreateStackSetResponse xmlns="http:\/\/cloudformation\.amazonaws\.com\/doc\/2010-05-15\/"><CreateStackSetResult><StackSetId>web:[0-9a-f-]{36}<\/StackSetId><\/CreateStackSetResult><ResponseMetadata><RequestId>[^<]+<\/RequestId><\/ResponseMetadata><\/CreateStackSetResponse>$/
    )
    const started = await query(emulator, {
      Action: "CreateStackInstances",
      StackSetName: "web",
      "Accounts.member.1": "111111111111",
      "Regions.member.1": "us-east-1",
      OperationId: "op-1"
    })
    expect(started.text).toContain(
      "<CreateStackInstancesResult><OperationId>op-1</OperationId></CreateStackInstancesResult>"
    )
    const listed = await query(emulator, { Action: "ListStackSetOperations", StackSetName: "web" })
    expect(listed.text).toContain(
      `<Summaries><member><OperationId>op-1</OperationId><Action>CREATE</Action><Status>QUEUED</Status><CreationTimestamp>${new Date(clock.t).toISOString()}</CreationTimestamp></member></Summaries>`
    )
  })

  it("answers an unknown Action with InvalidAction, and an unknown stack set with StackSetNotFoundException", async () => {
    const emulator = await start({ port: 0 })
    const unknown = await query(emulator, { Action: "DescribeStackSet" })
    expect([unknown.status, unknown.text]).toEqual([
      400,
      expect.stringContaining("<Code>InvalidAction</Code>")
    ])
    const missing = await query(emulator, {
      Action: "DescribeStackSetOperation",
      StackSetName: "web",
      OperationId: "x"
    })
    expect(missing.status).toBe(404)
    expect(missing.text).toContain("<Code>StackSetNotFoundException</Code>")
    expect(missing.text).toContain("<Message>StackSet web not found</Message>")
  })
})

const durations = { durations: { queuedMs: [1_000, 1_000], runningMs: [40_000, 40_000] } } as const

/** An emulator on a clock the test moves by hand, and the real CloudFormationClient, without retries. */
const cloudFormation = async (scenario: Scenario = {}, accessKeyId = "AKIDEXAMPLE") => {
  const clock = new ManualClock()
  const emulator = await start({
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
    credentials: credentials(accessKeyId),
    maxAttempts: 1
  })
  return { emulator, client, clock }
}

const accounts = ["111111111111", "222222222222"]
const regions = ["us-east-1", "eu-west-1"]

describe("the emulator's CloudFormation StackSets (real CloudFormationClient)", () => {
  it("CreateStackSet answers a StackSetId; a second one of that name is NameAlreadyExistsException", async () => {
    const { client } = await cloudFormation()
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
    const { client, clock } = await cloudFormation()
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
    const { client, clock } = await cloudFormation({ services: { cloudformation: { failureRate: 1 } } })
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
    const { emulator, client, clock } = await cloudFormation()
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
    const { client, clock } = await cloudFormation()
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
    const { client, clock } = await cloudFormation()
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
    const { client, clock } = await cloudFormation()
    await client.send(new CreateStackSetCommand({ StackSetName: "web", TemplateBody: "{}" }))
    await client.send(
      new CreateStackInstancesCommand({ StackSetName: "web", Accounts: accounts, Regions: regions })
    )
    const second = () => client.send(new UpdateStackSetCommand({ StackSetName: "web", TemplateBody: "{}" }))
    const error = await rejection(second())
    expect(error).toBeInstanceOf(OperationInProgressException)
    expect((error as CloudFormationServiceException).$metadata.httpStatusCode).toBe(409)
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
    const { client, clock } = await cloudFormation()
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
    const { client, clock } = await cloudFormation()
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
    const { emulator, client, clock } = await cloudFormation()
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
    const { client } = await cloudFormation()
    await client.send(new CreateStackSetCommand({ StackSetName: "web", TemplateBody: "{}" }))
    const error = await rejection(client.send(new DescribeStackSetOperationCommand(input)))
    expect(error).toBeInstanceOf(type)
    expect((error as CloudFormationServiceException).$metadata.httpStatusCode).toBe(404)
    expect((error as CloudFormationServiceException).$metadata.requestId).toBeTruthy()
  })

  it("a stack set named by its ID is the stack set; an ID of another is not found", async () => {
    const { client } = await cloudFormation()
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
    const { client } = await cloudFormation()
    await client.send(new CreateStackSetCommand({ StackSetName: "web", TemplateBody: "{}" }))
    const error = await rejection(client.send(command() as never))
    if (type !== undefined) expect(error).toBeInstanceOf(type)
    else expect(error.name).toBe("ValidationError")
    expect((error as CloudFormationServiceException).$fault).toBe("client")
    expect((error as CloudFormationServiceException).$metadata.httpStatusCode).toBe(
      type === StackInstanceNotFoundException ? 404 : 400
    )
  })

  it("an operation hidden by eventual consistency is OperationNotFoundException, then appears", async () => {
    const { client, clock } = await cloudFormation({
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
})
