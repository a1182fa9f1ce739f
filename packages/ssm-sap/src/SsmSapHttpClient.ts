/**
 * `@opstatus/ssm-sap/http`: a small, real SSM for SAP client for where the
 * official `@aws-sdk/client-ssm-sap` cannot be installed. It makes
 * SigV4-signed restJson1 calls over global `fetch`, with the method shapes of
 * the official aggregated `SsmSap` class, so `ssmSapSource({ client })`
 * takes it as it takes the official one. It turns epoch-second timestamps
 * into `Date`, adds `$metadata`, and throws errors shaped like the SDK's,
 * choosing the error code in the restJson order. It never retries: retries
 * belong to the caller.
 *
 * @since 0.2.0
 */
import { Sha256 } from "@smithy/core/checksum"
import { SignatureV4 } from "@smithy/signature-v4"

/**
 * Static AWS credentials.
 *
 * @since 0.2.0
 * @category models
 */
export interface SsmSapCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken?: string
}

/**
 * Configuration of `SsmSapHttpClient`.
 *
 * @since 0.2.0
 * @category models
 */
export interface SsmSapHttpClientConfig {
  readonly region: string
  /** Defaults to `https://ssm-sap.<region>.amazonaws.com`. A path prefix is kept. */
  readonly endpoint?: string
  /** Static credentials or a provider such as `fromNodeProviderChain()`. */
  readonly credentials: SsmSapCredentials | (() => Promise<SsmSapCredentials>)
}

/**
 * Per-call options, as the SDK's `HttpHandlerOptions`.
 *
 * @since 0.2.0
 * @category models
 */
export interface SsmSapCallOptions {
  readonly abortSignal?: AbortSignal
}

/**
 * Response metadata, as the SDK's `$metadata`.
 *
 * @since 0.2.0
 * @category models
 */
export interface SsmSapResponseMetadata {
  httpStatusCode?: number
  requestId?: string
}

/**
 * What every output carries.
 *
 * @since 0.2.0
 * @category models
 */
export interface SsmSapMetadataBearer {
  $metadata: SsmSapResponseMetadata
}

/**
 * SSM for SAP operation status.
 *
 * @since 0.2.0
 * @category models
 */
export type SsmSapOperationStatus = "ERROR" | "INPROGRESS" | "SUCCESS"

/**
 * SSM for SAP operation event status.
 *
 * @since 0.2.0
 * @category models
 */
export type SsmSapOperationEventStatus = "COMPLETED" | "FAILED" | "IN_PROGRESS"

/**
 * A list filter; the wire operators are spelled with an s.
 *
 * @since 0.2.0
 * @category models
 */
export interface SsmSapFilter {
  Name: string | undefined
  Value: string | undefined
  Operator: "Equals" | "GreaterThanOrEquals" | "LessThanOrEquals" | undefined
}

/**
 * An operation, as the SDK models it.
 *
 * @since 0.2.0
 * @category models
 */
export interface SsmSapOperation {
  Id?: string | undefined
  Type?: string | undefined
  Status?: SsmSapOperationStatus | undefined
  StatusMessage?: string | undefined
  Properties?: Record<string, string> | undefined
  ResourceType?: string | undefined
  ResourceId?: string | undefined
  ResourceArn?: string | undefined
  StartTime?: Date | undefined
  EndTime?: Date | undefined
  LastUpdatedTime?: Date | undefined
}

/**
 * An operation event, as the SDK models it.
 *
 * @since 0.2.0
 * @category models
 */
export interface SsmSapOperationEvent {
  Description?: string | undefined
  Resource?: { ResourceArn?: string | undefined; ResourceType?: string | undefined } | undefined
  Status?: SsmSapOperationEventStatus | undefined
  StatusMessage?: string | undefined
  Timestamp?: Date | undefined
}

/**
 * An application, as RegisterApplication returns it.
 *
 * @since 0.2.0
 * @category models
 */
export interface SsmSapApplication {
  Id?: string | undefined
  Type?: string | undefined
  Arn?: string | undefined
  AppRegistryArn?: string | undefined
  Status?: string | undefined
  DiscoveryStatus?: string | undefined
  Components?: string[] | undefined
  LastUpdated?: Date | undefined
  StatusMessage?: string | undefined
  AssociatedApplicationArns?: string[] | undefined
}

/**
 * A database credential.
 *
 * @since 0.2.0
 * @category models
 */
export interface SsmSapApplicationCredential {
  DatabaseName: string | undefined
  CredentialType: "ADMIN" | undefined
  SecretId: string | undefined
}

/**
 * GetOperation input.
 *
 * @since 0.2.0
 * @category models
 */
export interface SsmSapGetOperationInput {
  OperationId: string | undefined
}
/**
 * GetOperation output.
 *
 * @since 0.2.0
 * @category models
 */
export interface SsmSapGetOperationOutput extends SsmSapMetadataBearer {
  Operation?: SsmSapOperation | undefined
}
/**
 * ListOperations input.
 *
 * @since 0.2.0
 * @category models
 */
export interface SsmSapListOperationsInput {
  ApplicationId: string | undefined
  MaxResults?: number | undefined
  NextToken?: string | undefined
  Filters?: SsmSapFilter[] | undefined
}
/**
 * ListOperations output.
 *
 * @since 0.2.0
 * @category models
 */
export interface SsmSapListOperationsOutput extends SsmSapMetadataBearer {
  Operations?: SsmSapOperation[] | undefined
  NextToken?: string | undefined
}
/**
 * ListOperationEvents input.
 *
 * @since 0.2.0
 * @category models
 */
export interface SsmSapListOperationEventsInput {
  OperationId: string | undefined
  MaxResults?: number | undefined
  NextToken?: string | undefined
  Filters?: SsmSapFilter[] | undefined
}
/**
 * ListOperationEvents output.
 *
 * @since 0.2.0
 * @category models
 */
export interface SsmSapListOperationEventsOutput extends SsmSapMetadataBearer {
  OperationEvents?: SsmSapOperationEvent[] | undefined
  NextToken?: string | undefined
}
/**
 * RegisterApplication input.
 *
 * @since 0.2.0
 * @category models
 */
export interface SsmSapRegisterApplicationInput {
  ApplicationId: string | undefined
  ApplicationType: "HANA" | "SAP_ABAP" | undefined
  Instances: string[] | undefined
  SapInstanceNumber?: string | undefined
  Sid?: string | undefined
  Tags?: Record<string, string> | undefined
  Credentials?: SsmSapApplicationCredential[] | undefined
  DatabaseArn?: string | undefined
  ComponentsInfo?: Record<string, unknown>[] | undefined
}
/**
 * RegisterApplication output.
 *
 * @since 0.2.0
 * @category models
 */
export interface SsmSapRegisterApplicationOutput extends SsmSapMetadataBearer {
  Application?: SsmSapApplication | undefined
  OperationId?: string | undefined
}
/**
 * StartApplication input.
 *
 * @since 0.2.0
 * @category models
 */
export interface SsmSapStartApplicationInput {
  ApplicationId: string | undefined
}
/**
 * StartApplication output.
 *
 * @since 0.2.0
 * @category models
 */
export interface SsmSapStartApplicationOutput extends SsmSapMetadataBearer {
  OperationId?: string | undefined
}
/**
 * StopApplication input.
 *
 * @since 0.2.0
 * @category models
 */
export interface SsmSapStopApplicationInput {
  ApplicationId: string | undefined
  StopConnectedEntity?: "DBMS" | undefined
  IncludeEc2InstanceShutdown?: boolean | undefined
}
/**
 * StopApplication output.
 *
 * @since 0.2.0
 * @category models
 */
export interface SsmSapStopApplicationOutput extends SsmSapMetadataBearer {
  OperationId?: string | undefined
}
/**
 * UpdateApplicationSettings input.
 *
 * @since 0.2.0
 * @category models
 */
export interface SsmSapUpdateApplicationSettingsInput {
  ApplicationId: string | undefined
  CredentialsToAddOrUpdate?: SsmSapApplicationCredential[] | undefined
  CredentialsToRemove?: SsmSapApplicationCredential[] | undefined
  Backint?: { BackintMode: string | undefined; EnsureNoBackupInProcess: boolean | undefined } | undefined
  DatabaseArn?: string | undefined
}
/**
 * UpdateApplicationSettings output.
 *
 * @since 0.2.0
 * @category models
 */
export interface SsmSapUpdateApplicationSettingsOutput extends SsmSapMetadataBearer {
  Message?: string | undefined
  OperationIds?: string[] | undefined
}

/**
 * An error answered by the service, shaped like the SDK's service exceptions.
 *
 * @since 0.2.0
 * @category errors
 */
export class SsmSapServiceException extends Error {
  /** "client" below HTTP 500, else "server". */
  readonly $fault: "client" | "server"
  readonly $metadata: SsmSapResponseMetadata
  /** The service's `Message` member. */
  readonly Message: string | undefined

  constructor(init: {
    name: string
    message: string
    Message: string | undefined
    $metadata: SsmSapResponseMetadata
  }) {
    super(init.message)
    this.name = init.name
    this.Message = init.Message
    this.$metadata = init.$metadata
    this.$fault = (init.$metadata.httpStatusCode ?? 500) < 500 ? "client" : "server"
  }
}

/**
 * Cleans an error identifier as the SDK does: before the first `,`, before the first `:`, after a `#`.
 *
 * @since 0.2.0
 * @category errors
 */
export const sanitizeErrorCode = (raw: string): string => {
  let code = raw
  if (code.includes(",")) code = code.split(",")[0]!
  if (code.includes(":")) code = code.split(":")[0]!
  if (code.includes("#")) code = code.split("#")[1]!
  return code
}

type Json = Record<string, unknown>

/** restJson order: the x-amzn-errortype header, then a body key `code` (any case), then `__type`. */
const errorCodeOf = (headers: Headers, body: Json): string | undefined => {
  const header = headers.get("x-amzn-errortype")
  if (header !== null && header !== "") return sanitizeErrorCode(header)
  const codeKey = Object.keys(body).find((key) => key.toLowerCase() === "code")
  const code = codeKey === undefined ? undefined : body[codeKey]
  if (typeof code === "string" && code !== "") return sanitizeErrorCode(code)
  if (typeof body.__type === "string" && body.__type !== "") return sanitizeErrorCode(body.__type)
  return undefined
}

// Epoch seconds as a number or numeric string; the SDK rounds to whole milliseconds.
const toDate = (value: unknown): Date | undefined => {
  if (value === undefined || value === null) return undefined
  const seconds = typeof value === "number" ? value : Number(value)
  if (!Number.isFinite(seconds)) throw new TypeError(`Expected epoch seconds, got ${JSON.stringify(value)}`)
  return new Date(Math.round(seconds * 1000))
}

const withDates = <T>(value: unknown, keys: readonly string[]): T => {
  if (typeof value !== "object" || value === null) return value as T
  const out: Json = { ...(value as Json) }
  for (const key of keys) {
    if (key in out) out[key] = toDate(out[key])
  }
  return out as T
}

const operationOf = (value: unknown): SsmSapOperation =>
  withDates(value, ["StartTime", "EndTime", "LastUpdatedTime"])
const eventOf = (value: unknown): SsmSapOperationEvent => withDates(value, ["Timestamp"])
const applicationOf = (value: unknown): SsmSapApplication => withDates(value, ["LastUpdated"])

const mapList = <T>(value: unknown, map: (item: unknown) => T): T[] | undefined =>
  Array.isArray(value) ? value.map(map) : undefined

/** Reads an answer's members; what cannot be read fails with the answer's `$metadata`, as the SDK's deserializers do. */
const deserialize = <T>($metadata: SsmSapResponseMetadata, read: () => T): T => {
  try {
    return read()
  } catch (error) {
    if (typeof error === "object" && error !== null && !("$metadata" in error)) {
      Object.assign(error, { $metadata })
    }
    throw error
  }
}

/**
 * An SSM for SAP client speaking restJson1 with SigV4 over `fetch`.
 *
 * @since 0.2.0
 * @category services
 */
export class SsmSapHttpClient {
  private readonly signer: SignatureV4
  private readonly endpoint: URL
  /**
   * The client's settings as an SDK v3 client shows them: its region, as a provider (so code that
   * reads an SDK client's `config.region` reads this one alike).
   */
  readonly config: { readonly region: () => Promise<string> }

  constructor(config: SsmSapHttpClientConfig) {
    const region = config.region
    this.config = { region: () => Promise.resolve(region) }
    this.endpoint = new URL(config.endpoint ?? `https://ssm-sap.${config.region}.amazonaws.com`)
    this.signer = new SignatureV4({
      service: "ssm-sap",
      region: config.region,
      credentials: config.credentials,
      sha256: Sha256
    })
  }

  private async send(
    path: string,
    input: object,
    options: SsmSapCallOptions | undefined
  ): Promise<[Json, SsmSapResponseMetadata]> {
    const body = JSON.stringify(input ?? {})
    const url = new URL(this.endpoint.href)
    url.pathname = `${url.pathname.replace(/\/+$/, "")}${path}`
    const request = {
      method: "POST",
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port === "" ? {} : { port: Number(url.port) }),
      path: url.pathname,
      query: {},
      headers: { host: url.host, "content-type": "application/json" },
      body
    }
    const signed = await this.signer.sign(request)
    const headers: Record<string, string> = {}
    for (const [key, value] of Object.entries(signed.headers)) {
      if (key.toLowerCase() !== "host") headers[key] = value
    }
    const init: RequestInit = { method: "POST", headers, body }
    if (options?.abortSignal !== undefined) init.signal = options.abortSignal
    const response = await fetch(url, init)
    const text = await response.text()
    const $metadata: SsmSapResponseMetadata = { httpStatusCode: response.status }
    const requestId = response.headers.get("x-amzn-requestid") ?? response.headers.get("x-amz-request-id")
    if (requestId !== null) $metadata.requestId = requestId
    let parsed: unknown = {}
    if (text.trim() !== "") {
      try {
        parsed = JSON.parse(text)
      } catch (error) {
        // As in the SDK, a body that is not JSON (an HTML 502, a truncated 200) surfaces as a SyntaxError.
        throw Object.assign(error as SyntaxError, { $metadata, $responseBodyText: text })
      }
    }
    const json: Json =
      typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Json) : {}
    if (response.status >= 300) {
      const message = json.message ?? json.Message
      throw new SsmSapServiceException({
        name: errorCodeOf(response.headers, json) ?? "Unknown",
        message: typeof message === "string" ? message : "UnknownError",
        Message: typeof json.Message === "string" ? json.Message : undefined,
        $metadata
      })
    }
    return [json, $metadata]
  }

  /** Gets an operation by id. */
  async getOperation(
    args: SsmSapGetOperationInput,
    options?: SsmSapCallOptions
  ): Promise<SsmSapGetOperationOutput> {
    const [json, $metadata] = await this.send("/get-operation", args, options)
    const out: SsmSapGetOperationOutput = { $metadata }
    if (json.Operation !== undefined)
      out.Operation = deserialize($metadata, () => operationOf(json.Operation))
    return out
  }

  /** Lists the operations of an application. */
  async listOperations(
    args: SsmSapListOperationsInput,
    options?: SsmSapCallOptions
  ): Promise<SsmSapListOperationsOutput> {
    const [json, $metadata] = await this.send("/list-operations", args, options)
    const out: SsmSapListOperationsOutput = { $metadata }
    const operations = deserialize($metadata, () => mapList(json.Operations, operationOf))
    if (operations !== undefined) out.Operations = operations
    if (typeof json.NextToken === "string") out.NextToken = json.NextToken
    return out
  }

  /** Lists the events of an operation. */
  async listOperationEvents(
    args: SsmSapListOperationEventsInput,
    options?: SsmSapCallOptions
  ): Promise<SsmSapListOperationEventsOutput> {
    const [json, $metadata] = await this.send("/list-operation-events", args, options)
    const out: SsmSapListOperationEventsOutput = { $metadata }
    const events = deserialize($metadata, () => mapList(json.OperationEvents, eventOf))
    if (events !== undefined) out.OperationEvents = events
    if (typeof json.NextToken === "string") out.NextToken = json.NextToken
    return out
  }

  /** Registers an application; returns it and the id of the registration operation. */
  async registerApplication(
    args: SsmSapRegisterApplicationInput,
    options?: SsmSapCallOptions
  ): Promise<SsmSapRegisterApplicationOutput> {
    const [json, $metadata] = await this.send("/register-application", args, options)
    const out: SsmSapRegisterApplicationOutput = { $metadata }
    if (json.Application !== undefined) {
      out.Application = deserialize($metadata, () => applicationOf(json.Application))
    }
    if (typeof json.OperationId === "string") out.OperationId = json.OperationId
    return out
  }

  /** Starts an application. */
  async startApplication(
    args: SsmSapStartApplicationInput,
    options?: SsmSapCallOptions
  ): Promise<SsmSapStartApplicationOutput> {
    const [json, $metadata] = await this.send("/start-application", args, options)
    const out: SsmSapStartApplicationOutput = { $metadata }
    if (typeof json.OperationId === "string") out.OperationId = json.OperationId
    return out
  }

  /** Stops an application. */
  async stopApplication(
    args: SsmSapStopApplicationInput,
    options?: SsmSapCallOptions
  ): Promise<SsmSapStopApplicationOutput> {
    const [json, $metadata] = await this.send("/stop-application", args, options)
    const out: SsmSapStopApplicationOutput = { $metadata }
    if (typeof json.OperationId === "string") out.OperationId = json.OperationId
    return out
  }

  /** Updates an application's settings; returns the ids of the operations that apply them. */
  async updateApplicationSettings(
    args: SsmSapUpdateApplicationSettingsInput,
    options?: SsmSapCallOptions
  ): Promise<SsmSapUpdateApplicationSettingsOutput> {
    const [json, $metadata] = await this.send("/update-application-settings", args, options)
    const out: SsmSapUpdateApplicationSettingsOutput = { $metadata }
    if (typeof json.Message === "string") out.Message = json.Message
    if (Array.isArray(json.OperationIds)) out.OperationIds = json.OperationIds as string[]
    return out
  }
}
