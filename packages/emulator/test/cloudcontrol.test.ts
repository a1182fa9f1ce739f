/**
 * Cloud Control on the wire: awsJson1_0 requests signed with SigV4 for `cloudcontrolapi`, routed by
 * `X-Amz-Target: CloudApiService.<Operation>`, read as they come back; then the real
 * CloudControlClient, which must parse every answer and raise the modelled exceptions.
 */
import {
  CancelResourceRequestCommand,
  CloudControlClient,
  ConcurrentModificationException,
  ConcurrentOperationException,
  CreateResourceCommand,
  DeleteResourceCommand,
  GetResourceRequestStatusCommand,
  InvalidRequestException,
  ListResourceRequestsCommand,
  paginateListResourceRequests,
  RequestTokenNotFoundException,
  ThrottlingException,
  UpdateResourceCommand
} from "@aws-sdk/client-cloudcontrol"
import { Sha256 } from "@smithy/core/checksum"
import { SignatureV4 } from "@smithy/signature-v4"
import { describe, expect, it } from "vitest"
import { CANCEL_MS, CLOUD_CONTROL_FAILURES, RETRY_AFTER_MS } from "../src/CloudControl.js"
import type { Emulator } from "../src/index.js"
import { credentials, ManualClock, rejection, start } from "./helpers.js"

interface Answer {
  readonly status: number
  readonly contentType: string | null
  readonly errorType: string | null
  readonly body: any
}

/** Cloud Control calls to the emulator, signed as the SDK signs them. */
const cloudControl = (emulator: Emulator, region = "us-east-1", accessKeyId?: string) => {
  const signer = new SignatureV4({
    service: "cloudcontrolapi",
    region,
    credentials: credentials(accessKeyId),
    sha256: Sha256
  })
  const endpoint = new URL(emulator.endpoint)
  const call = async (operation: string, input: object = {}): Promise<Answer> => {
    const body = JSON.stringify(input)
    const signed = await signer.sign({
      method: "POST",
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      port: Number(endpoint.port),
      path: "/",
      query: {},
      headers: {
        host: endpoint.host,
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": `CloudApiService.${operation}`
      },
      body
    })
    const { host: _host, ...headers } = signed.headers
    const response = await fetch(new URL("/", endpoint), { method: "POST", headers, body })
    const text = await response.text()
    return {
      status: response.status,
      contentType: response.headers.get("content-type"),
      errorType: response.headers.get("x-amzn-errortype"),
      body: JSON.parse(text)
    }
  }
  const ok = async (operation: string, input: object = {}): Promise<any> => {
    const answer = await call(operation, input)
    if (answer.status !== 200)
      throw new Error(`${operation} answered ${answer.status}: ${JSON.stringify(answer.body)}`)
    return answer.body
  }
  return { call, ok }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const durations = (queuedMs: number, runningMs: number) => ({
  cloudcontrol: {
    durations: { queuedMs: [queuedMs, queuedMs] as const, runningMs: [runningMs, runningMs] as const }
  }
})
const logGroup = { TypeName: "AWS::Logs::LogGroup", DesiredState: '{"LogGroupName":"app-logs"}' }

describe("Cloud Control on the wire", () => {
  it("CreateResource answers a PENDING ProgressEvent in awsJson1_0, with RetryAfter a few seconds ahead", async () => {
    const clock = new ManualClock()
    const emulator = await start({ now: clock.now, scenario: { services: durations(1_000, 9_000) } })
    const answer = await cloudControl(emulator).call("CreateResource", logGroup)
    expect(answer.status).toBe(200)
    expect(answer.contentType).toBe("application/x-amz-json-1.0")
    const event = answer.body.ProgressEvent
    expect(event).toEqual({
      TypeName: "AWS::Logs::LogGroup",
      RequestToken: expect.stringMatching(UUID),
      Operation: "CREATE",
      OperationStatus: "PENDING",
      EventTime: clock.t / 1000,
      RetryAfter: (clock.t + RETRY_AFTER_MS) / 1000
    })
    // No identifier before the handler has made the resource.
    expect(event.Identifier).toBeUndefined()
    expect(emulator.metrics().services.cloudcontrol.byOperation.CreateResource?.ok).toBe(1)
  })

  it("moves PENDING → IN_PROGRESS → SUCCESS; the identifier appears once running, the model once done", async () => {
    const clock = new ManualClock()
    const emulator = await start({ now: clock.now, scenario: { services: durations(1_000, 9_000) } })
    const cc = cloudControl(emulator)
    const token = (await cc.ok("CreateResource", logGroup)).ProgressEvent.RequestToken
    const read = async () => (await cc.ok("GetResourceRequestStatus", { RequestToken: token })).ProgressEvent
    clock.advance(1_000)
    const running = await read()
    expect([running.OperationStatus, running.EventTime]).toEqual(["IN_PROGRESS", clock.t / 1000])
    expect(running.Identifier).toMatch(/^loggroup-[0-9a-f]{8}$/)
    expect(running.RetryAfter).toBe((clock.t + RETRY_AFTER_MS) / 1000)
    clock.advance(9_000)
    const done = await read()
    expect(done).toEqual({
      TypeName: "AWS::Logs::LogGroup",
      Identifier: running.Identifier,
      RequestToken: token,
      Operation: "CREATE",
      OperationStatus: "SUCCESS",
      EventTime: clock.t / 1000,
      ResourceModel: '{"LogGroupName":"app-logs"}'
    })
  })

  it("a FAILED carries a handler ErrorCode and its StatusMessage", async () => {
    const clock = new ManualClock()
    const emulator = await start({
      now: clock.now,
      scenario: { services: { cloudcontrol: { ...durations(0, 1_000).cloudcontrol, failureRate: 1 } } }
    })
    const cc = cloudControl(emulator)
    const token = (await cc.ok("DeleteResource", { TypeName: "AWS::SQS::Queue", Identifier: "q-1" }))
      .ProgressEvent.RequestToken
    clock.advance(1_000)
    const failed = (await cc.ok("GetResourceRequestStatus", { RequestToken: token })).ProgressEvent
    expect([failed.OperationStatus, failed.Operation, failed.Identifier]).toEqual(["FAILED", "DELETE", "q-1"])
    expect(failed.RetryAfter).toBeUndefined()
    const reason = CLOUD_CONTROL_FAILURES.find((r) => r.code === failed.ErrorCode)
    expect(reason?.message).toBe(failed.StatusMessage)
    const given = emulator.createOperation({
      service: "cloudcontrol",
      type: "UPDATE",
      typeName: "AWS::SQS::Queue",
      identifier: "q-2",
      durationMs: 500,
      errorCode: "NotUpdatable",
      errorMessage: "Property QueueName cannot be updated."
    })
    clock.advance(500)
    const forced = (await cc.ok("GetResourceRequestStatus", { RequestToken: given.id })).ProgressEvent
    expect([forced.OperationStatus, forced.ErrorCode, forced.StatusMessage, forced.Identifier]).toEqual([
      "FAILED",
      "NotUpdatable",
      "Property QueueName cannot be updated.",
      "q-2"
    ])
  })

  it("the handler error codes are the model's", () => {
    expect(CLOUD_CONTROL_FAILURES.map((r) => r.code)).toEqual([
      "AlreadyExists",
      "NotFound",
      "InvalidRequest",
      "AccessDenied",
      "ServiceLimitExceeded",
      "NotStabilized",
      "GeneralServiceException",
      "InternalFailure"
    ])
  })

  it("CancelResourceRequest: CANCEL_IN_PROGRESS, then CANCEL_COMPLETE; an ended request is refused", async () => {
    const clock = new ManualClock()
    const emulator = await start({ now: clock.now, scenario: { services: durations(1_000, 60_000) } })
    const cc = cloudControl(emulator)
    const token = (await cc.ok("CreateResource", logGroup)).ProgressEvent.RequestToken
    clock.advance(2_000)
    const cancelling = (await cc.ok("CancelResourceRequest", { RequestToken: token })).ProgressEvent
    expect([cancelling.OperationStatus, cancelling.EventTime]).toEqual(["CANCEL_IN_PROGRESS", clock.t / 1000])
    const again = await cc.call("CancelResourceRequest", { RequestToken: token })
    expect([again.status, again.errorType, again.body.__type]).toEqual([
      500,
      "ConcurrentModificationException",
      "ConcurrentModificationException"
    ])
    expect(again.body.message).toContain("CANCEL_IN_PROGRESS")
    clock.advance(CANCEL_MS)
    const cancelled = (await cc.ok("GetResourceRequestStatus", { RequestToken: token })).ProgressEvent
    expect([cancelled.OperationStatus, cancelled.RetryAfter]).toEqual(["CANCEL_COMPLETE", undefined])
    const ended = await cc.call("CancelResourceRequest", { RequestToken: token })
    expect([ended.status, ended.body.__type]).toEqual([500, "ConcurrentModificationException"])
    expect(ended.body.message).toBe(
      `Request ${token} is CANCEL_COMPLETE: only a PENDING or IN_PROGRESS request can be cancelled.`
    )
    // A queued request can be cancelled too; the admin surface can force a cancel.
    const queued = (await cc.ok("CreateResource", logGroup)).ProgressEvent.RequestToken
    expect(
      (await cc.ok("CancelResourceRequest", { RequestToken: queued })).ProgressEvent.OperationStatus
    ).toBe("CANCEL_IN_PROGRESS")
    const other = emulator.createOperation({ service: "cloudcontrol" })
    expect(emulator.transition("cloudcontrol", other.id, "cancelled").wire.OperationStatus).toBe(
      "CANCEL_COMPLETE"
    )
  })

  it("answers RequestTokenNotFoundException (400) for a token it does not know, in another region or account too", async () => {
    const emulator = await start({ now: new ManualClock().now })
    const token = (await cloudControl(emulator).ok("CreateResource", logGroup)).ProgressEvent.RequestToken
    for (const [operation, cc] of [
      ["GetResourceRequestStatus", cloudControl(emulator)],
      ["CancelResourceRequest", cloudControl(emulator)],
      ["GetResourceRequestStatus", cloudControl(emulator, "eu-west-1")],
      ["GetResourceRequestStatus", cloudControl(emulator, "us-east-1", "AKIDOTHER")]
    ] as const) {
      const unknown = await cc.call(operation, { RequestToken: "no-such-token" })
      expect([unknown.status, unknown.errorType]).toEqual([400, "RequestTokenNotFoundException"])
    }
    const elsewhere = await cloudControl(emulator, "eu-west-1").call("GetResourceRequestStatus", {
      RequestToken: token
    })
    expect(elsewhere.body.__type).toBe("RequestTokenNotFoundException")
  })

  it("a new request reads as not found while the region is eventually consistent", async () => {
    const clock = new ManualClock()
    const emulator = await start({
      now: clock.now,
      scenario: { services: { cloudcontrol: { faults: { notFoundForMs: 2_000 } } } }
    })
    const cc = cloudControl(emulator)
    const token = (await cc.ok("CreateResource", logGroup)).ProgressEvent.RequestToken
    expect((await cc.call("GetResourceRequestStatus", { RequestToken: token })).errorType).toBe(
      "RequestTokenNotFoundException"
    )
    expect((await cc.ok("ListResourceRequests", {})).ResourceRequestStatusSummaries).toEqual([])
    clock.advance(2_000)
    expect(
      (await cc.ok("GetResourceRequestStatus", { RequestToken: token })).ProgressEvent.RequestToken
    ).toBe(token)
  })

  it("the same ClientToken is the same request", async () => {
    const emulator = await start({ now: new ManualClock().now })
    const cc = cloudControl(emulator)
    const first = (await cc.ok("CreateResource", { ...logGroup, ClientToken: "ct-1" })).ProgressEvent
    const retried = (await cc.ok("CreateResource", { ...logGroup, ClientToken: "ct-1" })).ProgressEvent
    const other = (await cc.ok("CreateResource", { ...logGroup, ClientToken: "ct-2" })).ProgressEvent
    expect(retried.RequestToken).toBe(first.RequestToken)
    expect(other.RequestToken).not.toBe(first.RequestToken)
  })

  it("refuses a second request on a resource while one is in flight (ConcurrentOperationException, 409)", async () => {
    const clock = new ManualClock()
    const emulator = await start({ now: clock.now, scenario: { services: durations(0, 5_000) } })
    const cc = cloudControl(emulator)
    const target = { TypeName: "AWS::SQS::Queue", Identifier: "q-1" }
    await cc.ok("UpdateResource", {
      ...target,
      PatchDocument: '[{"op":"replace","path":"/DelaySeconds","value":5}]'
    })
    const busy = await cc.call("DeleteResource", target)
    expect([busy.status, busy.errorType]).toEqual([409, "ConcurrentOperationException"])
    expect((await cc.call("DeleteResource", { ...target, Identifier: "q-2" })).status).toBe(200)
    clock.advance(5_000)
    expect((await cc.call("DeleteResource", target)).status).toBe(200)
  })

  it.each([
    ["CreateResource", { DesiredState: "{}" }, "TypeName"],
    ["CreateResource", { TypeName: "LogGroup", DesiredState: "{}" }, "resource type name"],
    [
      "CreateResource",
      { TypeName: "AWS::Logs::LogGroup", DesiredState: "not json" },
      "DesiredState is not valid JSON"
    ],
    [
      "CreateResource",
      { TypeName: "AWS::Logs::LogGroup", DesiredState: "[1]" },
      "DesiredState must be a JSON object"
    ],
    [
      "UpdateResource",
      { TypeName: "AWS::Logs::LogGroup", Identifier: "a", PatchDocument: "{}" },
      "JSON array"
    ],
    ["UpdateResource", { TypeName: "AWS::Logs::LogGroup", PatchDocument: "[]" }, "Identifier"],
    ["DeleteResource", { TypeName: "AWS::Logs::LogGroup" }, "Identifier"],
    ["GetResourceRequestStatus", {}, "RequestToken"],
    ["GetResourceRequestStatus", { RequestToken: "a b" }, "[-A-Za-z0-9+/=]+"],
    ["CancelResourceRequest", { RequestToken: "x".repeat(129) }, "at most 128"],
    ["ListResourceRequests", { MaxResults: 101 }, "between 1 and 100"],
    ["ListResourceRequests", { MaxResults: 0 }, "between 1 and 100"],
    ["ListResourceRequests", { NextToken: "garbage" }, "NextToken"],
    ["ListResourceRequests", { ResourceRequestStatusFilter: [] }, "must be an object"],
    ["ListResourceRequests", { ResourceRequestStatusFilter: { Operations: ["IMPORT"] } }, "Operations"],
    [
      "ListResourceRequests",
      { ResourceRequestStatusFilter: { OperationStatuses: "FAILED" } },
      "OperationStatuses"
    ]
  ])("%s %j is InvalidRequestException (400)", async (operation, input, text) => {
    const emulator = await start()
    const answer = await cloudControl(emulator).call(operation, input)
    expect([answer.status, answer.errorType, answer.body.__type]).toEqual([
      400,
      "InvalidRequestException",
      "InvalidRequestException"
    ])
    expect(answer.body.message).toContain(text)
  })

  it("an unknown operation is UnknownOperationException", async () => {
    const emulator = await start()
    const answer = await cloudControl(emulator).call("GetResource", {
      TypeName: "AWS::Logs::LogGroup",
      Identifier: "a"
    })
    expect([answer.status, answer.body.__type]).toEqual([400, "UnknownOperationException"])
  })

  it("the admin surface creates requests of a type, resource type and identifier, and refuses other types", async () => {
    const emulator = await start({ now: new ManualClock().now })
    const created = emulator.createOperation({
      service: "cloudcontrol",
      type: "DELETE",
      typeName: "AWS::S3::Bucket",
      identifier: "my-bucket"
    })
    expect(created.wire).toMatchObject({
      TypeName: "AWS::S3::Bucket",
      Identifier: "my-bucket",
      Operation: "DELETE",
      OperationStatus: "PENDING",
      RequestToken: created.id
    })
    expect(emulator.createOperation({ service: "cloudcontrol" }).wire).toMatchObject({
      TypeName: "AWS::Logs::LogGroup",
      Operation: "CREATE"
    })
    expect(() => emulator.createOperation({ service: "cloudcontrol", type: "IMPORT" })).toThrow(
      "a Cloud Control request is CREATE, UPDATE, DELETE, not IMPORT"
    )
  })

  it("the same seed gives the same tokens and identifiers", async () => {
    const tokens = async () => {
      const emulator = await start({ seed: 7, now: new ManualClock().now })
      const cc = cloudControl(emulator)
      const out: string[] = []
      for (let i = 0; i < 3; i++) {
        const event = (await cc.ok("DeleteResource", { TypeName: "AWS::SQS::Queue", Identifier: `q-${i}` }))
          .ProgressEvent
        out.push(event.RequestToken)
      }
      out.push(emulator.createOperation({ service: "cloudcontrol" }).id)
      return out
    }
    expect(await tokens()).toEqual(await tokens())
  })
})

describe("ListResourceRequests", () => {
  it("filters by operation and status before paging, 20 a page by default", async () => {
    const clock = new ManualClock()
    const emulator = await start({ now: clock.now, scenario: { services: durations(0, 3_600_000) } })
    const cc = cloudControl(emulator)
    const tokens: Record<string, string[]> = { CREATE: [], DELETE: [], failed: [] }
    for (let i = 0; i < 45; i++) {
      const type = i % 3 === 0 ? "DELETE" : "CREATE"
      const op = emulator.createOperation({ service: "cloudcontrol", type, identifier: `r-${i}` })
      tokens[type]!.push(op.id)
      if (i % 9 === 0) {
        emulator.transition("cloudcontrol", op.id, "failed")
        tokens.failed!.push(op.id)
      }
    }
    const first = await cc.ok("ListResourceRequests", {})
    expect(first.ResourceRequestStatusSummaries).toHaveLength(20)
    expect(first.NextToken).toEqual(expect.any(String))
    const all: any[] = []
    let page: any = { NextToken: undefined }
    let pages = 0
    do {
      page = await cc.ok("ListResourceRequests", {
        MaxResults: 7,
        ...(page.NextToken === undefined ? {} : { NextToken: page.NextToken })
      })
      all.push(...page.ResourceRequestStatusSummaries)
      pages++
    } while (page.NextToken !== undefined)
    expect(pages).toBe(7)
    expect(all).toHaveLength(45)
    // Summaries are full ProgressEvents.
    expect(Object.keys(all[1]).sort()).toEqual(
      [
        "EventTime",
        "Identifier",
        "Operation",
        "OperationStatus",
        "RequestToken",
        "RetryAfter",
        "TypeName"
      ].sort()
    )
    const filtered = await cc.ok("ListResourceRequests", {
      MaxResults: 3,
      ResourceRequestStatusFilter: { Operations: ["DELETE"], OperationStatuses: ["PENDING", "IN_PROGRESS"] }
    })
    // Filtered first: every page is full but the last.
    expect(filtered.ResourceRequestStatusSummaries).toHaveLength(3)
    for (const event of filtered.ResourceRequestStatusSummaries) {
      expect(event.Operation).toBe("DELETE")
      expect(tokens.failed).not.toContain(event.RequestToken)
    }
    const failed = await cc.ok("ListResourceRequests", {
      ResourceRequestStatusFilter: { OperationStatuses: ["FAILED"] }
    })
    expect(failed.ResourceRequestStatusSummaries.map((e: any) => e.RequestToken)).toEqual(tokens.failed)
    expect(failed.NextToken).toBeUndefined()
  })
})

describe("RetryAfter on a scaled clock", () => {
  it("is the real instant at which the simulated one comes", async () => {
    const clock = new ManualClock()
    const emulator = await start({
      now: clock.now,
      timeScale: 1_000,
      scenario: { services: durations(60_000, 60_000) }
    })
    clock.advance(10)
    const event = (await cloudControl(emulator).ok("CreateResource", logGroup)).ProgressEvent
    // 10 real ms are 10 simulated seconds; RetryAfter is 5 simulated seconds ahead, 5 real ms.
    expect(event.EventTime).toBe((clock.t - 10 + 10_000) / 1000)
    expect(event.RetryAfter).toBe((clock.t + RETRY_AFTER_MS / 1_000) / 1000)
  })
})

describe("faults in Cloud Control's error format", () => {
  it("a throttle is ThrottlingException and a 5xx ServiceInternalErrorException, each with __type", async () => {
    const emulator = await start({
      scenario: { services: { cloudcontrol: { rateLimit: { perSecond: 0.001, burst: 1 } } } }
    })
    const cc = cloudControl(emulator)
    expect((await cc.call("ListResourceRequests")).status).toBe(200)
    const throttled = await cc.call("ListResourceRequests")
    expect([throttled.status, throttled.errorType, throttled.body.__type]).toEqual([
      400,
      "ThrottlingException",
      "ThrottlingException"
    ])
    emulator.configure({ services: { cloudcontrol: { rateLimit: null, faults: { error5xxRate: 1 } } } })
    const failing = await cc.call("ListResourceRequests")
    expect([500, 503]).toContain(failing.status)
    expect(failing.body.__type).toBe("ServiceInternalErrorException")
  })
})

describe("Cloud Control through the real CloudControlClient", () => {
  const client = (emulator: Emulator, region = "us-east-1") =>
    new CloudControlClient({
      endpoint: emulator.endpoint,
      region,
      credentials: credentials(),
      maxAttempts: 1
    })

  it("parses every ProgressEvent the calls answer: dates, statuses, the model", async () => {
    const clock = new ManualClock()
    const emulator = await start({ now: clock.now, scenario: { services: durations(1_000, 4_000) } })
    const cc = client(emulator)
    const created = await cc.send(new CreateResourceCommand(logGroup))
    const token = created.ProgressEvent!.RequestToken!
    expect(created.ProgressEvent).toEqual({
      TypeName: "AWS::Logs::LogGroup",
      RequestToken: token,
      Operation: "CREATE",
      OperationStatus: "PENDING",
      EventTime: new Date(clock.t),
      RetryAfter: new Date(clock.t + RETRY_AFTER_MS)
    })
    expect(created.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/)
    const updated = await cc.send(
      new UpdateResourceCommand({ TypeName: "AWS::SQS::Queue", Identifier: "q-1", PatchDocument: "[]" })
    )
    const deleted = await cc.send(
      new DeleteResourceCommand({ TypeName: "AWS::SQS::Queue", Identifier: "q-2" })
    )
    expect([updated.ProgressEvent?.Operation, deleted.ProgressEvent?.Operation]).toEqual(["UPDATE", "DELETE"])
    expect([updated.ProgressEvent?.Identifier, deleted.ProgressEvent?.Identifier]).toEqual(["q-1", "q-2"])
    clock.advance(5_000)
    const done = await cc.send(new GetResourceRequestStatusCommand({ RequestToken: token }))
    expect(done.ProgressEvent).toMatchObject({
      OperationStatus: "SUCCESS",
      EventTime: new Date(clock.t),
      ResourceModel: logGroup.DesiredState
    })
    expect(done.ProgressEvent?.RetryAfter).toBeUndefined()
    expect(done.HooksProgressEvent).toBeUndefined()
    cc.destroy()
  })

  it("a ClientToken the SDK fills in makes each call a request of its own; one given twice is one request", async () => {
    const emulator = await start({ now: new ManualClock().now })
    const cc = client(emulator)
    const a = await cc.send(new CreateResourceCommand(logGroup))
    const b = await cc.send(new CreateResourceCommand(logGroup))
    expect(a.ProgressEvent?.RequestToken).not.toBe(b.ProgressEvent?.RequestToken)
    const once = await cc.send(new CreateResourceCommand({ ...logGroup, ClientToken: "deploy-42" }))
    const twice = await cc.send(new CreateResourceCommand({ ...logGroup, ClientToken: "deploy-42" }))
    expect(twice.ProgressEvent?.RequestToken).toBe(once.ProgressEvent?.RequestToken)
    cc.destroy()
  })

  it("raises the modelled exception classes", async () => {
    const clock = new ManualClock()
    const emulator = await start({ now: clock.now, scenario: { services: durations(0, 5_000) } })
    const cc = client(emulator)
    const missing = await rejection(cc.send(new GetResourceRequestStatusCommand({ RequestToken: "nope" })))
    expect(missing).toBeInstanceOf(RequestTokenNotFoundException)
    expect([missing.$metadata.httpStatusCode, missing.message]).toEqual([
      400,
      "Request with token nope was not found."
    ])
    expect(
      await rejection(cc.send(new CancelResourceRequestCommand({ RequestToken: "nope" })))
    ).toBeInstanceOf(RequestTokenNotFoundException)
    const bad = await rejection(
      cc.send(new CreateResourceCommand({ TypeName: "AWS::Logs::LogGroup", DesiredState: "x" }))
    )
    expect(bad).toBeInstanceOf(InvalidRequestException)
    await cc.send(new DeleteResourceCommand({ TypeName: "AWS::SQS::Queue", Identifier: "q-1" }))
    const busy = await rejection(
      cc.send(new DeleteResourceCommand({ TypeName: "AWS::SQS::Queue", Identifier: "q-1" }))
    )
    expect(busy).toBeInstanceOf(ConcurrentOperationException)
    const token = (await cc.send(new CreateResourceCommand(logGroup))).ProgressEvent!.RequestToken!
    clock.advance(5_000)
    const refused = await rejection(cc.send(new CancelResourceRequestCommand({ RequestToken: token })))
    expect(refused).toBeInstanceOf(ConcurrentModificationException)
    expect([refused.$fault, refused.$metadata.httpStatusCode]).toEqual(["server", 500])
    // A bucket of one token that never refills: the second call is throttled.
    emulator.configure({ services: { cloudcontrol: { rateLimit: { perSecond: 0, burst: 1 } } } })
    await cc.send(new ListResourceRequestsCommand({}))
    expect(await rejection(cc.send(new ListResourceRequestsCommand({})))).toBeInstanceOf(ThrottlingException)
    cc.destroy()
  })

  it("pages ListResourceRequests with the SDK's paginator, the filter applied before paging", async () => {
    const emulator = await start({
      now: new ManualClock().now,
      scenario: { services: durations(0, 3_600_000) }
    })
    const ids = Array.from(
      { length: 23 },
      (_, i) =>
        emulator.createOperation({ service: "cloudcontrol", type: i % 2 === 0 ? "CREATE" : "DELETE" }).id
    )
    const cc = client(emulator)
    const seen: string[] = []
    let pages = 0
    for await (const page of paginateListResourceRequests(
      { client: cc, pageSize: 5 },
      {
        ResourceRequestStatusFilter: { Operations: ["CREATE"], OperationStatuses: ["PENDING", "IN_PROGRESS"] }
      }
    )) {
      pages++
      seen.push(...(page.ResourceRequestStatusSummaries ?? []).map((e) => e.RequestToken!))
    }
    expect(seen).toEqual(ids.filter((_, i) => i % 2 === 0))
    expect(pages).toBe(3)
    cc.destroy()
  })
})
