import {
  AlreadyExistsException,
  CancelResourceRequestCommand,
  ClientTokenConflictException,
  CloudControlClient,
  CloudControlServiceException,
  ConcurrentModificationException,
  ConcurrentOperationException,
  CreateResourceCommand,
  GeneralServiceException,
  GetResourceRequestStatusCommand,
  HandlerErrorCode,
  HandlerFailureException,
  HandlerInternalFailureException,
  InvalidCredentialsException,
  InvalidRequestException,
  ListResourceRequestsCommand,
  NetworkFailureException,
  NotStabilizedException,
  NotUpdatableException,
  PrivateTypeException,
  RequestTokenNotFoundException,
  ResourceConflictException,
  ResourceNotFoundException,
  type HookProgressEvent as SdkHookProgressEvent,
  Operation as SdkOperation,
  OperationStatus as SdkOperationStatus,
  type ProgressEvent as SdkProgressEvent,
  ServiceInternalErrorException,
  ServiceLimitExceededException,
  ThrottlingException,
  TypeNotFoundException,
  UnsupportedActionException
} from "@aws-sdk/client-cloudcontrol"
import {
  createOperationStatus,
  isOpstatusError,
  OperationSources,
  type OpstatusError,
  parseRef,
  waitForTerminal
} from "@opstatus/core"
import { checkRef, renderStatusTable } from "@opstatus/core/adapter-kit"
import { mockClient } from "aws-sdk-client-mock"
import { Effect, Fiber, Layer, Stream } from "effect"
import { TestClock } from "effect/testing"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import {
  type CloudControlQuery,
  classifyCloudControlError,
  cloudControlHookStatusTable,
  cloudControlService,
  cloudControlSource,
  cloudControlStatusTable,
  operationsFromResponse,
  refsFromResponse,
  toListInput,
  toOperation,
  toStep
} from "../src/index.js"

const token = "3d1a2f0e-7b4c-4e55-9d3a-0c8e5f6a7b21"
const ref = `cloudcontrol:us-east-1:${token}`
const event = (OperationStatus: string, extra: Partial<SdkProgressEvent> = {}): SdkProgressEvent => ({
  TypeName: "AWS::Logs::LogGroup",
  Identifier: "app-logs",
  RequestToken: token,
  Operation: "CREATE",
  OperationStatus: OperationStatus as SdkProgressEvent["OperationStatus"],
  EventTime: new Date("2026-01-01T00:00:30Z"),
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

describe("cloudControlService", () => {
  it("declares the slug, title, hints, defaults and table", () => {
    expect(cloudControlService.service).toBe("cloudcontrol")
    expect(cloudControlService.title).toBe("AWS Cloud Control API")
    expect(Object.keys(cloudControlService.hints).sort()).toEqual(["identifier", "typeName"])
    expect(cloudControlService.defaults).toEqual({
      timeout: "1 hour",
      minDelay: "2 seconds",
      maxDelay: "30 seconds",
      notFoundGrace: "30 seconds"
    })
    expect(cloudControlService.statusTable).toBe(cloudControlStatusTable)
  })

  const check = (input: string) =>
    Effect.runPromise(Effect.result(Effect.flatMap(parseRef(input), (r) => checkRef(r, cloudControlService))))

  it.each([
    ref,
    `cloudcontrol:us-east-1:${"a".repeat(128)}`,
    "cloudcontrol:eu-west-1:AbC+/9=-x",
    "cloudcontrol:us-east-1:1"
  ])("accepts the RequestToken of %s", async (input) => {
    expect((await check(input))._tag).toBe("Success")
  })

  it.each([
    [`cloudcontrol:us-east-1:${"a".repeat(129)}`, "at most 128"],
    ["cloudcontrol:us-east-1:tok_1", "a RequestToken"],
    ["cloudcontrol:us-east-1:tok.1", "a RequestToken"],
    ["cloudcontrol:us-east-1:tok 1", "a RequestToken"],
    ["cloudcontrol:not-a-region:abc", "region"]
  ])("rejects %s as InvalidRef", async (input, text) => {
    const r = await check(input)
    expect(r._tag === "Failure" && r.failure.reason._tag).toBe("InvalidRef")
    expect(r._tag === "Failure" && r.failure.message).toContain(text)
  })
})

describe("Cloud Control status mapping", () => {
  it.each([
    ["PENDING", "pending", false],
    ["IN_PROGRESS", "running", false],
    ["SUCCESS", "succeeded", true],
    ["FAILED", "failed", true],
    ["CANCEL_IN_PROGRESS", "running", false],
    ["CANCEL_COMPLETE", "cancelled", true]
  ] as const)("%s maps to %s (terminal %s)", (status, unified, terminal) => {
    const op = toOperation(event(status), "us-east-1")
    expect([op.status, op.terminal, op.rawStatus]).toEqual([unified, terminal, status])
  })

  it.each(Object.values(SdkOperationStatus))("the SDK's OperationStatus %s has a row", (status) => {
    expect(toOperation(event(status), "us-east-1").status).not.toBe("unknown")
  })

  it("has no row the SDK does not know", () => {
    expect(Object.keys(cloudControlStatusTable).sort()).toEqual(Object.values(SdkOperationStatus).sort())
  })

  it.each(["ROLLBACK_IN_PROGRESS", "success", ""])(
    "the unknown status %j is unknown and not terminal",
    (s) => {
      const op = toOperation(event(s, { ErrorCode: undefined }), "us-east-1")
      expect([op.status, op.terminal]).toEqual(["unknown", false])
    }
  )

  it("a FAILED carries ErrorCode and StatusMessage", () => {
    const op = toOperation(
      event("FAILED", {
        ErrorCode: "AlreadyExists",
        StatusMessage: "Resource of type 'AWS::Logs::LogGroup' with identifier 'app-logs' already exists."
      }),
      "us-east-1"
    )
    expect(op.error).toEqual({
      code: "AlreadyExists",
      message: "Resource of type 'AWS::Logs::LogGroup' with identifier 'app-logs' already exists."
    })
  })

  it.each(Object.values(HandlerErrorCode))("the handler error code %s becomes error.code", (code) => {
    const op = toOperation(event("FAILED", { ErrorCode: code, StatusMessage: "m" }), "us-east-1")
    expect(op.error).toEqual({ code, message: "m" })
    expect(op.status).toBe("failed")
  })

  it("a FAILED without ErrorCode or StatusMessage still carries an error; a success none", () => {
    expect(toOperation(event("FAILED"), "us-east-1").error).toEqual({
      message: "The Cloud Control resource request failed"
    })
    expect(toOperation(event("FAILED", { ErrorCode: "NotStabilized" }), "us-east-1").error).toEqual({
      code: "NotStabilized",
      message: "NotStabilized"
    })
    expect(toOperation(event("SUCCESS"), "us-east-1").error).toBeUndefined()
    expect(
      toOperation(event("CANCEL_COMPLETE", { StatusMessage: "cancelled" }), "us-east-1").error
    ).toBeUndefined()
  })

  it("maps the type, the resource and its hints, EventTime, RetryAfter, and keeps ResourceModel in raw", () => {
    const raw = event("IN_PROGRESS", {
      Operation: "UPDATE",
      RetryAfter: new Date("2026-01-01T00:00:35Z"),
      ResourceModel: '{"LogGroupName":"app-logs","RetentionInDays":7}',
      HooksRequestToken: "hooks-1"
    })
    const op = toOperation(raw, "eu-west-1", "req-1")
    expect(op.ref).toEqual({
      service: "cloudcontrol",
      region: "eu-west-1",
      id: token,
      hints: { typeName: "AWS::Logs::LogGroup", identifier: "app-logs" }
    })
    expect(op.type).toBe("UPDATE")
    expect(op.resource).toEqual({ type: "AWS::Logs::LogGroup", id: "app-logs" })
    expect(op.updatedAt?.toISOString()).toBe("2026-01-01T00:00:30.000Z")
    expect(op.endedAt).toBeUndefined()
    expect(op.retryAfter?.toISOString()).toBe("2026-01-01T00:00:35.000Z")
    expect(op.requestId).toBe("req-1")
    expect(op.raw).toBe(raw)
    expect(op.properties).toBeUndefined()
    expect(op.steps).toBeUndefined()
    expect(op.region).toBe("eu-west-1")
  })

  it("EventTime is also the end of a terminal request", () => {
    expect(toOperation(event("SUCCESS"), "us-east-1").endedAt?.toISOString()).toBe("2026-01-01T00:00:30.000Z")
    expect(toOperation(event("CANCEL_COMPLETE"), "us-east-1").endedAt?.toISOString()).toBe(
      "2026-01-01T00:00:30.000Z"
    )
  })

  it("a request whose identifier is not known yet has a resource type only", () => {
    const op = toOperation(event("PENDING", { Identifier: undefined }), "us-east-1")
    expect(op.resource).toEqual({ type: "AWS::Logs::LogGroup" })
    expect(op.ref.hints).toEqual({ typeName: "AWS::Logs::LogGroup" })
  })

  it.each([
    [
      "nulls everywhere",
      { RequestToken: null, OperationStatus: null, EventTime: null, RetryAfter: null, ErrorCode: null }
    ],
    ["no fields", {}],
    [
      "a null-prototype object",
      Object.assign(Object.create(null), { RequestToken: "x", OperationStatus: "SUCCESS" })
    ],
    [
      "dates that are not dates",
      { RequestToken: "x", OperationStatus: "SUCCESS", EventTime: "soon", RetryAfter: Number.NaN }
    ],
    [
      "an infinite date",
      { RequestToken: "x", OperationStatus: "FAILED", RetryAfter: Number.POSITIVE_INFINITY }
    ],
    [
      "fields of the wrong type",
      { RequestToken: 5, OperationStatus: { a: 1 }, TypeName: [], ErrorCode: 3, StatusMessage: false }
    ],
    ["null", null],
    ["a number", 5],
    ["a string", "SUCCESS"]
  ])("never throws on %s", (_, value) => {
    const op = toOperation(value as never, "us-east-1", undefined, [null, 5, "x", { HookStatus: 7 }])
    expect(op.ref.service).toBe("cloudcontrol")
    expect(typeof op.ref.id).toBe("string")
    expect(typeof op.rawStatus).toBe("string")
    expect(op.status === "succeeded" && op.rawStatus !== "SUCCESS").toBe(false)
    for (const date of [op.updatedAt, op.endedAt, op.retryAfter]) {
      if (date !== undefined) expect(Number.isNaN(date.getTime())).toBe(false)
    }
    expect(op.raw).toBe(value)
  })
})

describe("hooks as steps", () => {
  const hook = (HookStatus: string, extra: Partial<SdkHookProgressEvent> = {}): SdkHookProgressEvent => ({
    HookTypeName: "Acme::Guard::Tags",
    HookTypeArn: "arn:aws:cloudformation:us-east-1:123456789012:type/hook/Acme-Guard-Tags",
    InvocationPoint: "PRE_PROVISION",
    HookStatus,
    HookEventTime: new Date("2026-01-01T00:00:10Z"),
    HookStatusMessage: "checked",
    FailureMode: "FAIL",
    ...extra
  })

  it.each([
    ["HOOK_PENDING", "pending"],
    ["HOOK_IN_PROGRESS", "running"],
    ["HOOK_COMPLETE_SUCCEEDED", "succeeded"],
    ["HOOK_COMPLETE_FAILED", "failed"],
    ["HOOK_FAILED", "failed"],
    ["HOOK_SKIPPED", "unknown"]
  ] as const)("a hook %s is a %s step", (status, unified) => {
    expect(toStep(hook(status))).toEqual({
      status: unified,
      rawStatus: status,
      description: "Acme::Guard::Tags (PRE_PROVISION)",
      message: "checked",
      resource: {
        name: "Acme::Guard::Tags",
        arn: "arn:aws:cloudformation:us-east-1:123456789012:type/hook/Acme-Guard-Tags"
      },
      at: new Date("2026-01-01T00:00:10Z")
    })
  })

  it("has a row for each documented HookStatus", () => {
    expect(Object.keys(cloudControlHookStatusTable)).toEqual([
      "HOOK_PENDING",
      "HOOK_IN_PROGRESS",
      "HOOK_COMPLETE_SUCCEEDED",
      "HOOK_COMPLETE_FAILED",
      "HOOK_FAILED"
    ])
  })

  it.each([
    ["not a list", "hooks" as never, undefined],
    [
      "a proxy that throws",
      new Proxy([], {
        get: () => {
          throw new Error("no")
        }
      }) as never,
      undefined
    ],
    ["a list of junk", [null, 5, "x", { HookStatus: 7 }], [{ status: "unknown", rawStatus: "" }]]
  ])("hooks that are %s throw nothing", (_, hooks, steps) => {
    const op = toOperation(event("IN_PROGRESS"), "us-east-1", undefined, hooks)
    expect(op.steps).toEqual(steps)
    expect(op.status).toBe("running")
  })

  it("a hook with nothing but a status is a bare step", () => {
    expect(toStep({ HookStatus: "HOOK_PENDING" })).toEqual({ status: "pending", rawStatus: "HOOK_PENDING" })
  })

  it("the hooks of an answer are the request's steps, in order", () => {
    const op = toOperation(event("IN_PROGRESS"), "us-east-1", undefined, [
      hook("HOOK_COMPLETE_SUCCEEDED"),
      null,
      hook("HOOK_IN_PROGRESS", { InvocationPoint: undefined, HookTypeName: "Acme::Guard::Names" })
    ])
    expect(op.steps?.map((s) => [s.rawStatus, s.description])).toEqual([
      ["HOOK_COMPLETE_SUCCEEDED", "Acme::Guard::Tags (PRE_PROVISION)"],
      ["HOOK_IN_PROGRESS", "Acme::Guard::Names"]
    ])
  })
})

describe("classifyCloudControlError: every modelled exception", () => {
  const opts = (status: number) => ({ message: "m", $metadata: { httpStatusCode: status, requestId: "r-1" } })
  it.each([
    [new RequestTokenNotFoundException(opts(400)), "OperationNotFound"],
    [new ThrottlingException(opts(429)), "Throttled"],
    [new ThrottlingException(opts(400)), "Throttled"],
    [new InvalidRequestException(opts(400)), "InvalidRequest"],
    [new AlreadyExistsException(opts(400)), "InvalidRequest"],
    [new ClientTokenConflictException(opts(409)), "InvalidRequest"],
    [new ConcurrentOperationException(opts(409)), "InvalidRequest"],
    [new NotStabilizedException(opts(400)), "InvalidRequest"],
    [new NotUpdatableException(opts(400)), "InvalidRequest"],
    [new PrivateTypeException(opts(400)), "InvalidRequest"],
    [new ResourceConflictException(opts(409)), "InvalidRequest"],
    [new ResourceNotFoundException(opts(404)), "InvalidRequest"],
    [new ServiceLimitExceededException(opts(400)), "InvalidRequest"],
    [new TypeNotFoundException(opts(404)), "InvalidRequest"],
    [new UnsupportedActionException(opts(405)), "InvalidRequest"],
    [new InvalidCredentialsException(opts(401)), "Unauthenticated"],
    [new ServiceInternalErrorException(opts(502)), "ServiceUnavailable"],
    [new HandlerFailureException(opts(502)), "ServiceUnavailable"],
    [new HandlerInternalFailureException(opts(502)), "ServiceUnavailable"],
    [new NetworkFailureException(opts(502)), "ServiceUnavailable"],
    [new GeneralServiceException(opts(400)), "ServiceUnavailable"],
    [new ConcurrentModificationException(opts(500)), "ServiceUnavailable"],
    [
      new CloudControlServiceException({ name: "AccessDeniedException", $fault: "client", ...opts(403) }),
      "AccessDenied"
    ],
    [
      new CloudControlServiceException({
        name: "UnrecognizedClientException",
        $fault: "client",
        ...opts(400)
      }),
      "Unauthenticated"
    ],
    [
      new CloudControlServiceException({ name: "Unknown", $fault: "server", ...opts(503) }),
      "ServiceUnavailable"
    ]
  ])("%s is %s", (error, tag) => {
    const classified = classifyCloudControlError(error)
    expect(isOpstatusError(classified)).toBe(true)
    expect(classified.reason._tag).toBe(tag)
    expect(classified.service).toBe("cloudcontrol")
    expect(classified.code).toBe(error.name)
    expect(classified.requestId).toBe("r-1")
  })
})

describe("toListInput: the filter and the page size", () => {
  const input = (q: unknown) => Effect.runPromise(Effect.result(toListInput(q as CloudControlQuery)))

  it("builds the ResourceRequestStatusFilter, each value once", async () => {
    const r = await input({ type: ["CREATE", "DELETE", "CREATE"], status: "FAILED", maxResults: 50 })
    expect(r._tag === "Success" && r.success).toEqual({
      ResourceRequestStatusFilter: { Operations: ["CREATE", "DELETE"], OperationStatuses: ["FAILED"] },
      MaxResults: 50
    })
  })

  it("takes every value of the SDK's Operation and OperationStatus", async () => {
    const r = await input({ type: Object.values(SdkOperation), status: Object.values(SdkOperationStatus) })
    expect(r._tag === "Success" && r.success.ResourceRequestStatusFilter).toEqual({
      Operations: Object.values(SdkOperation),
      OperationStatuses: Object.values(SdkOperationStatus)
    })
  })

  it.each([undefined, null, {}])("%j has no filter", async (q) => {
    const r = await input(q)
    expect(r._tag === "Success" && r.success).toEqual({})
  })

  it.each([
    [{ maxResults: 101 }, "from 1 to 100"],
    [{ maxResults: 0 }, "from 1 to 100"],
    [{ maxResults: 2.5 }, "from 1 to 100"],
    [{ maxResults: "10" }, "from 1 to 100"],
    [{ status: "DONE" }, 'status "DONE"'],
    [{ status: ["PENDING", undefined] }, 'status "undefined"'],
    [{ status: 5 }, "status must be a value or a list of values"],
    [{ type: [] }, "type needs at least one value"],
    [{ type: "create" }, 'type "create" is not one of CREATE, UPDATE, DELETE'],
    [5, "must be an object"],
    [[], "must be an object"]
  ])("rejects %j as InvalidQuery", async (query, text) => {
    const r = await input(query)
    expect(r._tag === "Failure" && r.failure.reason._tag).toBe("InvalidQuery")
    expect(r._tag === "Failure" && r.failure.message).toContain(text)
  })
})

describe("cloudControlSource over the real CloudControlClient (aws-sdk-client-mock)", () => {
  const mock = mockClient(CloudControlClient)
  let client: CloudControlClient
  beforeEach(() => {
    mock.reset()
    client = new CloudControlClient({
      region: "us-east-1",
      credentials: { accessKeyId: "AKID", secretAccessKey: "x" }
    })
  })
  afterEach(() => client.destroy())

  const get = (id: string = token) =>
    Effect.runPromise(
      Effect.result(cloudControlSource({ client }).get({ service: "cloudcontrol", region: "us-east-1", id }))
    )

  it("waits through PENDING and IN_PROGRESS to SUCCESS", async () => {
    mock
      .on(GetResourceRequestStatusCommand, { RequestToken: token })
      .resolvesOnce({ ProgressEvent: event("PENDING") })
      .resolvesOnce({ ProgressEvent: event("IN_PROGRESS") })
      .resolves({ ProgressEvent: event("SUCCESS") })
    const status = createOperationStatus({ sources: [cloudControlSource({ client })] })
    const op = await status.waitForSuccess(ref, quick)
    expect([op.status, op.type, op.resource]).toEqual([
      "succeeded",
      "CREATE",
      { type: "AWS::Logs::LogGroup", id: "app-logs" }
    ])
    expect(mock.commandCalls(GetResourceRequestStatusCommand)).toHaveLength(3)
    await status.close()
  })

  it("reads one request with its request ID, hints and hooks", async () => {
    mock.on(GetResourceRequestStatusCommand).resolves({
      ProgressEvent: event("IN_PROGRESS"),
      HooksProgressEvent: [{ HookTypeName: "Acme::Guard::Tags", HookStatus: "HOOK_IN_PROGRESS" }],
      $metadata: { requestId: "req-7" }
    })
    const r = await get()
    expect(r._tag === "Success" && r.success.requestId).toBe("req-7")
    expect(r._tag === "Success" && r.success.ref.hints).toEqual({
      typeName: "AWS::Logs::LogGroup",
      identifier: "app-logs"
    })
    expect(r._tag === "Success" && r.success.steps).toEqual([
      {
        status: "running",
        rawStatus: "HOOK_IN_PROGRESS",
        description: "Acme::Guard::Tags",
        resource: { name: "Acme::Guard::Tags" }
      }
    ])
    expect(mock.commandCalls(GetResourceRequestStatusCommand)[0]?.args[0].input).toEqual({
      RequestToken: token
    })
  })

  it("a ProgressEvent without a RequestToken keeps the token it was asked for", async () => {
    mock.on(GetResourceRequestStatusCommand).resolves({ ProgressEvent: { OperationStatus: "SUCCESS" } })
    const r = await get()
    expect(r._tag === "Success" && r.success.ref.id).toBe(token)
  })

  it.each([
    ["ProgressEvent: null", { ProgressEvent: null }],
    ["no ProgressEvent", {}]
  ])("%s is a typed MalformedResponse with the request ID", async (_, answer) => {
    mock
      .on(GetResourceRequestStatusCommand)
      .resolves({ ...answer, $metadata: { requestId: "req-9" } } as never)
    const r = await get()
    const error = r._tag === "Failure" ? r.failure : undefined
    expect(isOpstatusError(error)).toBe(true)
    expect(error?.reason._tag).toBe("MalformedResponse")
    expect(error?.requestId).toBe("req-9")
    expect(error?.ref).toEqual({ service: "cloudcontrol", region: "us-east-1", id: token })
    expect(error?.message).toContain("no ProgressEvent")
  })

  it.each([
    ["a ProgressEvent that is not an object", { ProgressEvent: "SUCCESS" }],
    [
      "an OperationStatus that is not a string",
      { ProgressEvent: { RequestToken: token, OperationStatus: 5 } }
    ],
    ["hooks that are not a list", { ProgressEvent: event("SUCCESS"), HooksProgressEvent: "none" }],
    ["a hook that is not an object", { ProgressEvent: event("SUCCESS"), HooksProgressEvent: [5] }]
  ])("%s is a typed MalformedResponse", async (_, answer) => {
    mock
      .on(GetResourceRequestStatusCommand)
      .resolves({ ...answer, $metadata: { requestId: "req-8" } } as never)
    const r = await get()
    const error = r._tag === "Failure" ? r.failure : undefined
    expect(error?.reason._tag).toBe("MalformedResponse")
    expect(error?.requestId).toBe("req-8")
    expect(error?.message).toContain("GetResourceRequestStatus")
  })

  it("a FAILED rejects waitForSuccess with OperationFailed carrying ErrorCode and StatusMessage", async () => {
    mock.on(GetResourceRequestStatusCommand).resolves({
      ProgressEvent: event("FAILED", {
        ErrorCode: "NotStabilized",
        StatusMessage: "Exceeded attempts to wait"
      }),
      $metadata: { requestId: "req-3" }
    })
    const status = createOperationStatus({ sources: [cloudControlSource({ client })] })
    const error = await rejection(status.waitForSuccess(ref, quick))
    expect(error.reason._tag).toBe("OperationFailed")
    expect(error.code).toBe("NotStabilized")
    expect(error.serviceMessage).toBe("Exceeded attempts to wait")
    expect(error.requestId).toBe("req-3")
    expect(error.message).toContain("(CREATE) failed: NotStabilized: Exceeded attempts to wait")
    await status.close()
  })

  it("a CANCEL_COMPLETE ends waitForTerminal cancelled and rejects waitForSuccess", async () => {
    mock
      .on(GetResourceRequestStatusCommand)
      .resolvesOnce({ ProgressEvent: event("CANCEL_IN_PROGRESS") })
      .resolves({ ProgressEvent: event("CANCEL_COMPLETE") })
    const status = createOperationStatus({ sources: [cloudControlSource({ client })] })
    const op = await status.waitForTerminal(ref, quick)
    expect([op.status, op.terminal, op.rawStatus]).toEqual(["cancelled", true, "CANCEL_COMPLETE"])
    const error = await rejection(status.waitForSuccess(ref, quick))
    expect(error.reason._tag).toBe("OperationFailed")
    expect(error.operation?.status).toBe("cancelled")
    await status.close()
  })

  it("absorbs ThrottlingException and waits on", async () => {
    mock
      .on(GetResourceRequestStatusCommand)
      .rejectsOnce(new ThrottlingException({ message: "Rate exceeded", $metadata: { httpStatusCode: 429 } }))
      .resolves({ ProgressEvent: event("SUCCESS") })
    const status = createOperationStatus({ sources: [cloudControlSource({ client })] })
    expect((await status.waitForTerminal(ref, quick)).status).toBe("succeeded")
    expect(mock.commandCalls(GetResourceRequestStatusCommand)).toHaveLength(2)
    await status.close()
  })

  it("RequestTokenNotFoundException after the grace window is OperationNotFound", async () => {
    mock
      .on(GetResourceRequestStatusCommand)
      .rejects(
        new RequestTokenNotFoundException({ message: "no such token", $metadata: { httpStatusCode: 400 } })
      )
    const status = createOperationStatus({ sources: [cloudControlSource({ client })] })
    const error = await rejection(status.waitForTerminal(ref, { ...quick, notFoundGrace: 20 }))
    expect(error.reason._tag).toBe("OperationNotFound")
    expect(error.code).toBe("RequestTokenNotFoundException")
    expect(error.ref).toEqual({ service: "cloudcontrol", region: "us-east-1", id: token })
    await status.close()
  })

  it("access denied fails at once", async () => {
    mock.on(GetResourceRequestStatusCommand).rejects(
      new CloudControlServiceException({
        name: "AccessDeniedException",
        $fault: "client",
        message: "denied",
        $metadata: { httpStatusCode: 403 }
      })
    )
    const status = createOperationStatus({ sources: [cloudControlSource({ client })] })
    const error = await rejection(status.waitForTerminal(ref, quick))
    expect(error.reason._tag).toBe("AccessDenied")
    expect(mock.commandCalls(GetResourceRequestStatusCommand)).toHaveLength(1)
    await status.close()
  })

  it("lists with the filter across pages, skipping null items and items without a token", async () => {
    mock
      .on(ListResourceRequestsCommand)
      .resolvesOnce({
        ResourceRequestStatusSummaries: [null, event("FAILED", { RequestToken: "a", ErrorCode: "NotFound" })],
        NextToken: "t1",
        $metadata: { requestId: "req-4" }
      } as never)
      .resolvesOnce({ ResourceRequestStatusSummaries: [], NextToken: "t2" })
      .resolvesOnce({
        ResourceRequestStatusSummaries: [
          event("FAILED", { RequestToken: undefined }),
          event("FAILED", { RequestToken: "b" })
        ],
        NextToken: null
      } as never)
    const source = cloudControlSource({ client })
    const ops = await Effect.runPromise(
      Stream.runCollect(source.list("us-east-1", { status: "FAILED", type: ["CREATE"], maxResults: 10 }))
    )
    expect(ops.map((o) => [o.ref.id, o.status, o.error?.code, o.requestId])).toEqual([
      ["a", "failed", "NotFound", "req-4"],
      ["b", "failed", undefined, undefined]
    ])
    const inputs = mock.commandCalls(ListResourceRequestsCommand).map((c) => c.args[0].input)
    expect(inputs.map((i) => i.NextToken)).toEqual([undefined, "t1", "t2"])
    expect(inputs[0]).toEqual({
      ResourceRequestStatusFilter: { Operations: ["CREATE"], OperationStatuses: ["FAILED"] },
      MaxResults: 10
    })
  })

  it("a list page whose summaries are null is an empty page", async () => {
    mock.on(ListResourceRequestsCommand).resolves({ ResourceRequestStatusSummaries: null } as never)
    const source = cloudControlSource({ client })
    expect(await Effect.runPromise(Stream.runCollect(source.list("us-east-1", {})))).toEqual([])
  })

  it("a list item that is not an object is a typed MalformedResponse", async () => {
    mock
      .on(ListResourceRequestsCommand)
      .resolves({ ResourceRequestStatusSummaries: [5], $metadata: { requestId: "req-5" } } as never)
    const r = await Effect.runPromise(
      Effect.result(Stream.runCollect(cloudControlSource({ client }).list("us-east-1", {})))
    )
    expect(r._tag === "Failure" && r.failure.reason._tag).toBe("MalformedResponse")
    expect(r._tag === "Failure" && r.failure.requestId).toBe("req-5")
  })

  it("an invalid query fails before any request", async () => {
    const r = await Effect.runPromise(
      Effect.result(Stream.runCollect(cloudControlSource({ client }).list("us-east-1", { maxResults: 500 })))
    )
    expect(r._tag === "Failure" && r.failure.reason._tag).toBe("InvalidQuery")
    expect(mock.calls()).toHaveLength(0)
  })

  it("rejects a region the client does not serve, and a malformed token, before any request", async () => {
    const status = createOperationStatus({ sources: [cloudControlSource({ client })] })
    for (const input of [
      `cloudcontrol:ap-south-1:${token}`,
      "cloudcontrol:us-east-1:bad token",
      "cloudcontrol:us-east-1:a_b"
    ]) {
      expect((await rejection(status.get(input))).reason._tag).toBe("InvalidRef")
      expect((await rejection(status.cancel(input))).reason._tag).toBe("InvalidRef")
    }
    expect(mock.calls()).toHaveLength(0)
    await status.close()
  })

  it("rejects options that are neither { client } nor { clientFor } with InvalidConfig", () => {
    const error = thrown(() => cloudControlSource({} as never))
    expect(isOpstatusError(error) && error.reason._tag).toBe("InvalidConfig")
  })
})

describe("cancel over the real CloudControlClient (aws-sdk-client-mock)", () => {
  const mock = mockClient(CloudControlClient)
  let client: CloudControlClient
  beforeEach(() => {
    mock.reset()
    client = new CloudControlClient({
      region: "us-east-1",
      credentials: { accessKeyId: "AKID", secretAccessKey: "x" },
      maxAttempts: 1
    })
  })
  afterEach(() => client.destroy())

  it("sends CancelResourceRequest, and a wait then ends cancelled", async () => {
    let cancelled = false
    mock.on(CancelResourceRequestCommand).callsFake(async () => {
      cancelled = true
      return { ProgressEvent: event("CANCEL_IN_PROGRESS") }
    })
    let reads = 0
    mock.on(GetResourceRequestStatusCommand).callsFake(async () => {
      reads++
      return {
        ProgressEvent: event(
          !cancelled ? "IN_PROGRESS" : reads < 4 ? "CANCEL_IN_PROGRESS" : "CANCEL_COMPLETE"
        )
      }
    })
    const status = createOperationStatus({ sources: [cloudControlSource({ client })] })
    await status.cancel(ref)
    expect(mock.commandCalls(CancelResourceRequestCommand).map((c) => c.args[0].input)).toEqual([
      { RequestToken: token }
    ])
    const op = await status.waitForTerminal(ref, quick)
    expect([op.status, op.rawStatus]).toEqual(["cancelled", "CANCEL_COMPLETE"])
    await status.close()
  })

  it.each([
    [
      "ConcurrentModificationException (the model's refusal, a 500)",
      new ConcurrentModificationException({
        message: "Request cannot be cancelled: it is in status SUCCESS",
        $metadata: { httpStatusCode: 500, requestId: "req-c" }
      })
    ],
    [
      "InvalidRequestException",
      new InvalidRequestException({
        message: "Request cannot be cancelled: it is in status SUCCESS",
        $metadata: { httpStatusCode: 400, requestId: "req-c" }
      })
    ]
  ])(
    "a refused cancel (%s) is InvalidRequest with the service's code and message, not retried",
    async (_, error) => {
      mock.on(CancelResourceRequestCommand).rejects(error)
      const status = createOperationStatus({ sources: [cloudControlSource({ client })] })
      const failure = await rejection(status.cancel(ref))
      expect(failure.reason._tag).toBe("InvalidRequest")
      expect(failure.code).toBe(error.name)
      expect(failure.serviceMessage).toBe("Request cannot be cancelled: it is in status SUCCESS")
      expect(failure.requestId).toBe("req-c")
      expect(failure.ref).toEqual({ service: "cloudcontrol", region: "us-east-1", id: token })
      expect(mock.commandCalls(CancelResourceRequestCommand)).toHaveLength(1)
      await status.close()
    }
  )

  it("a cancel of an unknown token is OperationNotFound", async () => {
    mock
      .on(CancelResourceRequestCommand)
      .rejects(
        new RequestTokenNotFoundException({ message: "no such token", $metadata: { httpStatusCode: 400 } })
      )
    const status = createOperationStatus({ sources: [cloudControlSource({ client })] })
    expect((await rejection(status.cancel(ref))).reason._tag).toBe("OperationNotFound")
    await status.close()
  })

  it("a throttled cancel is retried", async () => {
    mock
      .on(CancelResourceRequestCommand)
      .rejectsOnce(new ThrottlingException({ message: "Rate exceeded", $metadata: { httpStatusCode: 429 } }))
      .resolves({ ProgressEvent: event("CANCEL_IN_PROGRESS") })
    const status = createOperationStatus({ sources: [cloudControlSource({ client })] })
    await expect(status.cancel(ref, { minDelay: 4 })).resolves.toBeUndefined()
    expect(mock.commandCalls(CancelResourceRequestCommand)).toHaveLength(2)
    await status.close()
  })

  it("a cancel answered without a body that fits is a MalformedResponse", async () => {
    mock.on(CancelResourceRequestCommand).resolves({ ProgressEvent: "yes" } as never)
    const status = createOperationStatus({ sources: [cloudControlSource({ client })] })
    expect((await rejection(status.cancel(ref))).reason._tag).toBe("MalformedResponse")
    await status.close()
  })
})

describe("RetryAfter on the test clock", () => {
  const mock = mockClient(CloudControlClient)
  beforeEach(() => mock.reset())

  it("a wait does not read before the event's RetryAfter", async () => {
    // Each answer asks to be read again well after the policy's 1-2 s delays would.
    const answers = [
      event("IN_PROGRESS", { RetryAfter: new Date(30_000) }),
      event("IN_PROGRESS", { RetryAfter: new Date(75_000) }),
      event("SUCCESS")
    ]
    let now = 0
    const readAt: Array<number> = []
    mock.on(GetResourceRequestStatusCommand).callsFake(async () => {
      readAt.push(now)
      return { ProgressEvent: answers[Math.min(readAt.length - 1, answers.length - 1)] }
    })
    const client = new CloudControlClient({ region: "us-east-1" })
    const result = await Effect.runPromise(
      Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(
          Effect.result(waitForTerminal(ref, { minDelay: 1_000, maxDelay: 2_000, timeout: "5 minutes" }))
        )
        // Step the clock by 100 ms and let the mocked promise settle between steps: a read made in
        // a step is stamped with the step's end, never earlier than it happened.
        for (let t = 0; t < 120_000; t += 100) {
          now = t + 100
          yield* TestClock.adjust(100)
          yield* Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))
        }
        return yield* Fiber.join(fiber)
      }).pipe(
        Effect.provide(
          Layer.merge(TestClock.layer(), OperationSources.layer([cloudControlSource({ client })]))
        )
      )
    )
    client.destroy()
    expect(result._tag === "Success" && result.success.status).toBe("succeeded")
    expect(readAt).toHaveLength(3)
    expect(readAt[1]).toBeGreaterThanOrEqual(30_000)
    expect(readAt[2]).toBeGreaterThanOrEqual(75_000)
    // Held only until RetryAfter, not longer.
    expect(readAt[2]).toBeLessThan(75_000 + 2_500)
  })
})

describe("refs and snapshots from responses", () => {
  it("reads { ProgressEvent } with the region and the hints it is given, as a snapshot", () => {
    const response = { ProgressEvent: event("PENDING"), $metadata: { requestId: "req-1" } }
    const [op] = operationsFromResponse(response, { region: "us-west-2", hints: { team: "data" } })
    expect(op?.ref).toEqual({
      service: "cloudcontrol",
      region: "us-west-2",
      id: token,
      hints: { team: "data", typeName: "AWS::Logs::LogGroup", identifier: "app-logs" }
    })
    expect([op?.status, op?.requestId, op?.raw]).toEqual(["pending", "req-1", response.ProgressEvent])
    expect(refsFromResponse(response, { region: "us-west-2" })).toEqual([
      {
        service: "cloudcontrol",
        region: "us-west-2",
        id: token,
        hints: { typeName: "AWS::Logs::LogGroup", identifier: "app-logs" }
      }
    ])
  })

  it("reads a GetResourceRequestStatus output with its hooks, and a bare ProgressEvent", () => {
    const [withHooks] = operationsFromResponse(
      {
        ProgressEvent: event("IN_PROGRESS"),
        HooksProgressEvent: [{ HookStatus: "HOOK_COMPLETE_SUCCEEDED" }]
      },
      { region: "us-east-1" }
    )
    expect(withHooks?.steps).toEqual([{ status: "succeeded", rawStatus: "HOOK_COMPLETE_SUCCEEDED" }])
    expect(operationsFromResponse(event("SUCCESS"), { region: "us-east-1" })[0]?.terminal).toBe(true)
  })

  it.each([
    ["null", null],
    ["undefined", undefined],
    ["a number", 5],
    ["a string", "ProgressEvent"],
    ["an array", [{ ProgressEvent: event("PENDING") }]],
    ["a null-prototype object", Object.create(null)],
    ["a ProgressEvent without a token", { ProgressEvent: event("PENDING", { RequestToken: undefined }) }],
    ["a numeric token", { ProgressEvent: { RequestToken: 5, OperationStatus: "PENDING" } }],
    ["an empty token", { ProgressEvent: { RequestToken: "", OperationStatus: "PENDING" } }],
    ["a null ProgressEvent", { ProgressEvent: null }],
    ["a token without a status", { RequestToken: token }],
    [
      "a proxy that throws",
      new Proxy(
        {},
        {
          get: () => {
            throw new Error("no")
          },
          has: () => {
            throw new Error("no")
          }
        }
      )
    ]
  ])("%s carries nothing and throws nothing", (_, response) => {
    expect(operationsFromResponse(response, { region: "us-west-2" })).toEqual([])
    expect(refsFromResponse(response)).toEqual([])
  })

  it.each([
    ["no options", undefined],
    ["null options", null],
    ["a numeric region", { region: 5 }],
    ["an empty region", { region: "" }]
  ])("without a region (%s) it throws a typed InvalidRef", (_, options) => {
    const error = thrown(() => refsFromResponse({ ProgressEvent: event("PENDING") }, options as never))
    expect(isOpstatusError(error) && error.reason._tag).toBe("InvalidRef")
  })

  it("keeps only the string hints it is given", () => {
    const [r] = refsFromResponse(
      { ProgressEvent: event("PENDING", { TypeName: undefined, Identifier: undefined }) },
      { region: "us-west-2", hints: { team: "data", n: 5, x: null } as never }
    )
    expect(r?.hints).toEqual({ team: "data" })
    const [bare] = refsFromResponse(
      { ProgressEvent: event("PENDING", { TypeName: undefined, Identifier: undefined }) },
      { region: "us-west-2", hints: 5 as never }
    )
    expect(bare).toEqual({ service: "cloudcontrol", region: "us-west-2", id: token })
  })

  it("the source fills in the region it was given, or its client's own", async () => {
    const client = new CloudControlClient({ region: "eu-west-1" })
    const mock = mockClient(client)
    mock.on(CreateResourceCommand).resolves({ ProgressEvent: event("PENDING") })
    try {
      const given = cloudControlSource({ client, region: "eu-west-1" })
      expect(given.refsFromResponse({ ProgressEvent: event("PENDING") })[0]?.region).toBe("eu-west-1")
      expect(
        given.refsFromResponse({ ProgressEvent: event("PENDING") }, { region: "us-west-2" })[0]?.region
      ).toBe("us-west-2")
      const own = cloudControlSource({ client })
      const response = await client.send(
        new CreateResourceCommand({
          TypeName: "AWS::Logs::LogGroup",
          DesiredState: '{"LogGroupName":"app-logs"}'
        })
      )
      // The mock answers within microtasks; a real call crosses the network, by which time the
      // client's region provider has long answered. One turn of the event loop stands for it.
      await new Promise((resolve) => setImmediate(resolve))
      expect(own.refsFromResponse(response)).toEqual([
        {
          service: "cloudcontrol",
          region: "eu-west-1",
          id: token,
          hints: { typeName: "AWS::Logs::LogGroup", identifier: "app-logs" }
        }
      ])
    } finally {
      mock.restore()
      client.destroy()
    }
  })

  it("a source that cannot know the region throws a typed InvalidRef; one that names nothing throws nothing", () => {
    const client = new CloudControlClient({ region: "eu-west-1" })
    const source = cloudControlSource({ clientFor: () => client })
    const error = thrown(() => source.refsFromResponse({ ProgressEvent: event("PENDING") }))
    expect(isOpstatusError(error) && error.reason._tag).toBe("InvalidRef")
    for (const response of [null, 5, "x", Object.create(null), { ProgressEvent: { RequestToken: 5 } }]) {
      expect(source.refsFromResponse(response)).toEqual([])
    }
    client.destroy()
  })

  it("a terminal snapshot from a response resolves a wait without a read", async () => {
    const client = new CloudControlClient({ region: "us-east-1" })
    const mock = mockClient(client)
    try {
      const [op] = operationsFromResponse({ ProgressEvent: event("SUCCESS") }, { region: "us-east-1" })
      const status = createOperationStatus({ sources: [cloudControlSource({ client })] })
      expect((await status.waitForSuccess(op!, quick)).status).toBe("succeeded")
      expect(mock.calls()).toHaveLength(0)
      await status.close()
    } finally {
      mock.restore()
      client.destroy()
    }
  })
})

describe("docs/status-mapping.md", () => {
  it("prints the Cloud Control tables verbatim", async () => {
    const { readFile } = await import("node:fs/promises")
    const doc = await readFile(new URL("../../../docs/status-mapping.md", import.meta.url), "utf8")
    expect(doc).toContain(`<!-- table:cloudcontrol -->\n${renderStatusTable(cloudControlStatusTable)}\n`)
    expect(doc).toContain(
      `<!-- table:cloudcontrol-hooks -->\n${renderStatusTable(cloudControlHookStatusTable)}\n`
    )
  })
})
