/**
 * The official `SsmSap` class is not installable here; this replica copies
 * its method overloads (clients/client-ssm-sap/src/SsmSap.ts) so the type
 * checker proves the structural contract accepts it, and runs a read through it.
 */
import { createOperationStatus, hasReason } from "@opstatus/core"
import { describe, expect, expectTypeOf, it } from "vitest"
import {
  type SapOperationEventStatus,
  type SapOperationStatus,
  type SsmSapLike,
  ssmSapSource
} from "../src/index.js"

type Status = "ERROR" | "INPROGRESS" | "SUCCESS"
type EventStatus = "IN_PROGRESS" | "COMPLETED" | "FAILED"
interface OfficialOperation {
  Id?: string | undefined
  Type?: string | undefined
  Status?: Status | undefined
  StatusMessage?: string | undefined
  Properties?: Record<string, string> | undefined
  ResourceType?: string | undefined
  ResourceId?: string | undefined
  ResourceArn?: string | undefined
  StartTime?: Date | undefined
  EndTime?: Date | undefined
  LastUpdatedTime?: Date | undefined
}
interface HttpHandlerOptions {
  abortSignal?: AbortSignal | undefined
  requestTimeout?: number | undefined
}
interface MetadataBearer {
  $metadata: { httpStatusCode?: number | undefined; requestId?: string | undefined }
}
type Filter = {
  Name: string | undefined
  Value: string | undefined
  Operator: "Equals" | "GreaterThanOrEquals" | "LessThanOrEquals" | undefined
}

type Callback = (err: any, data?: unknown) => void
type GetInput = { OperationId: string | undefined }
type GetOutput = { Operation?: OfficialOperation | undefined } & MetadataBearer
type ListInput = {
  ApplicationId: string | undefined
  MaxResults?: number | undefined
  NextToken?: string | undefined
  Filters?: Filter[] | undefined
}
type ListOutput = {
  Operations?: OfficialOperation[] | undefined
  NextToken?: string | undefined
} & MetadataBearer
type EventsInput = {
  OperationId: string | undefined
  MaxResults?: number | undefined
  NextToken?: string | undefined
  Filters?: Filter[] | undefined
}
type EventsOutput = {
  OperationEvents?: Array<{ Description?: string | undefined; Status?: EventStatus | undefined }> | undefined
  NextToken?: string | undefined
} & MetadataBearer

/** The official overloads: a Promise form and two callback forms per method. */
class OfficialSsmSapReplica {
  readonly seen: Array<HttpHandlerOptions | undefined> = []
  readonly config = { region: async () => "us-east-1" }
  constructor(private readonly operation: OfficialOperation = { Status: "SUCCESS" }) {}
  getOperation(args: GetInput, options?: HttpHandlerOptions): Promise<GetOutput>
  getOperation(args: GetInput, cb: Callback): void
  getOperation(args: GetInput, options: HttpHandlerOptions, cb: Callback): void
  getOperation(
    args: GetInput,
    options?: HttpHandlerOptions | Callback,
    _cb?: Callback
  ): Promise<GetOutput> | undefined {
    this.seen.push(typeof options === "function" ? undefined : options)
    return Promise.resolve({
      Operation: { Id: args.OperationId, ...this.operation },
      $metadata: { httpStatusCode: 200, requestId: "req-official" }
    })
  }
  listOperations(args: ListInput, options?: HttpHandlerOptions): Promise<ListOutput>
  listOperations(args: ListInput, cb: Callback): void
  listOperations(
    _args: ListInput,
    _options?: HttpHandlerOptions | Callback
  ): Promise<ListOutput> | undefined {
    return Promise.resolve({ Operations: [], $metadata: {} })
  }
  listOperationEvents(args: EventsInput, options?: HttpHandlerOptions): Promise<EventsOutput>
  listOperationEvents(args: EventsInput, cb: Callback): void
  listOperationEvents(
    _args: EventsInput,
    _options?: HttpHandlerOptions | Callback
  ): Promise<EventsOutput> | undefined {
    return Promise.resolve({ OperationEvents: [], $metadata: {} })
  }
}

describe("the official SsmSap shape", () => {
  it("declares the official status enums", () => {
    expectTypeOf<SapOperationStatus>().toEqualTypeOf<Status>()
    expectTypeOf<SapOperationEventStatus>().toEqualTypeOf<EventStatus>()
  })

  it("is accepted by the structural contract and called with an abort signal", async () => {
    const client = new OfficialSsmSapReplica()
    const accepted: SsmSapLike = client
    const status = createOperationStatus({ sources: [ssmSapSource({ client: accepted })] })
    const op = await status.get("ssm-sap:us-east-1:0c5b2ee3-4a1d-4c5e-9a8c-1d2e3f4a5b6c")
    expect([op.status, op.requestId]).toEqual(["succeeded", "req-official"])
    expect(client.seen[0]?.abortSignal).toBeInstanceOf(AbortSignal)
    await status.close()
  })

  it("takes fields set to undefined, as the official types allow, as absent", async () => {
    const client = new OfficialSsmSapReplica({
      Status: "ERROR",
      StatusMessage: undefined,
      Type: undefined,
      Properties: undefined,
      EndTime: undefined
    })
    const status = createOperationStatus({ sources: [ssmSapSource({ client })] })
    const op = await status.get("ssm-sap:us-east-1:0c5b2ee3-4a1d-4c5e-9a8c-1d2e3f4a5b6c")
    expect([op.status, op.error?.message, op.type]).toEqual([
      "failed",
      "The SSM for SAP operation failed",
      undefined
    ])
    await status.close()
  })

  it("reads the region from the client's config", async () => {
    const status = createOperationStatus({ sources: [ssmSapSource({ client: new OfficialSsmSapReplica() })] })
    const error = await status
      .get("ssm-sap:eu-west-1:0c5b2ee3-4a1d-4c5e-9a8c-1d2e3f4a5b6c")
      .catch((e: unknown) => e)
    expect(hasReason(error, "InvalidRef")).toBe(true)
    expect((error as Error).message).toMatch(/configured client is for us-east-1/)
    await status.close()
  })

  it("gives refs from a StartApplication response with the region passed", () => {
    const source = ssmSapSource({ client: new OfficialSsmSapReplica() })
    const response = { OperationId: "0c5b2ee3-4a1d-4c5e-9a8c-1d2e3f4a5b6c", $metadata: {} }
    expect(
      source.refsFromResponse(response, { region: "us-east-1", hints: { applicationId: "hana" } })
    ).toEqual([
      {
        service: "ssm-sap",
        region: "us-east-1",
        id: "0c5b2ee3-4a1d-4c5e-9a8c-1d2e3f4a5b6c",
        hints: { applicationId: "hana" }
      }
    ])
  })
})
