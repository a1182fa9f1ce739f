/**
 * The structural contract of an SSM for SAP client. `@aws-sdk/client-ssm-sap`
 * is an optional peer: opstatus accepts its aggregated `SsmSap` class by
 * method shape, or a bare `SsmSapClient` plus its command classes, without
 * importing it. Every output field is optional and may be `undefined`, as in
 * the official models, so the official types fit.
 *
 * @since 0.1.0
 */

/**
 * An SSM for SAP operation as the SDK returns it.
 *
 * @since 0.1.0
 * @category models
 */
export interface SapOperation {
  readonly Id?: string | undefined
  readonly Type?: string | undefined
  readonly Status?: string | undefined
  readonly StatusMessage?: string | undefined
  readonly Properties?: Record<string, string> | undefined
  readonly ResourceType?: string | undefined
  readonly ResourceId?: string | undefined
  readonly ResourceArn?: string | undefined
  readonly StartTime?: Date | undefined
  readonly EndTime?: Date | undefined
  readonly LastUpdatedTime?: Date | undefined
}

/**
 * An SSM for SAP operation event (a step).
 *
 * @since 0.1.0
 * @category models
 */
export interface SapOperationEvent {
  readonly Description?: string | undefined
  readonly Resource?:
    | { readonly ResourceArn?: string | undefined; readonly ResourceType?: string | undefined }
    | undefined
  readonly Status?: string | undefined
  readonly StatusMessage?: string | undefined
  readonly Timestamp?: Date | undefined
}

/**
 * An SSM for SAP list filter. The operators end in an s: `GreaterThanOrEquals`.
 *
 * @since 0.1.0
 * @category models
 */
export interface SapFilter {
  readonly Name: string
  readonly Value: string
  readonly Operator: "Equals" | "GreaterThanOrEquals" | "LessThanOrEquals"
}

/**
 * Per-call options; the SDK's `HttpHandlerOptions` fits.
 *
 * @since 0.1.0
 * @category models
 */
export interface SapCallOptions {
  readonly abortSignal?: AbortSignal | undefined
}

interface Metadata {
  readonly $metadata?: { readonly requestId?: string | undefined } | undefined
}

/**
 * The aggregated client: the official `SsmSap` class fits by method shape.
 *
 * @since 0.1.0
 * @category models
 */
export interface SsmSapLike {
  getOperation(
    args: { OperationId: string },
    options?: SapCallOptions
  ): Promise<{ Operation?: SapOperation | undefined } & Metadata>
  listOperations(
    args: { ApplicationId: string; MaxResults?: number; NextToken?: string; Filters?: SapFilter[] },
    options?: SapCallOptions
  ): Promise<{ Operations?: SapOperation[] | undefined; NextToken?: string | undefined } & Metadata>
  listOperationEvents(
    args: { OperationId: string; MaxResults?: number; NextToken?: string; Filters?: SapFilter[] },
    options?: SapCallOptions
  ): Promise<{ OperationEvents?: SapOperationEvent[] | undefined; NextToken?: string | undefined } & Metadata>
}

/**
 * A bare client: the official `SsmSapClient` fits.
 *
 * @since 0.1.0
 * @category models
 */
export interface SsmSapBareClient {
  send(command: any, options?: SapCallOptions): Promise<any>
}

/**
 * The official command classes a bare client needs.
 *
 * @since 0.1.0
 * @category models
 */
export interface SsmSapCommands {
  readonly GetOperationCommand: new (input: any) => unknown
  readonly ListOperationsCommand: new (input: any) => unknown
  readonly ListOperationEventsCommand: new (input: any) => unknown
}

/**
 * Either kind of client.
 *
 * @since 0.1.0
 * @category models
 */
export type SsmSapClientLike = SsmSapLike | SsmSapBareClient

const isAggregate = (client: SsmSapClientLike): client is SsmSapLike =>
  typeof (client as SsmSapLike).getOperation === "function" &&
  typeof (client as SsmSapLike).listOperations === "function" &&
  typeof (client as SsmSapLike).listOperationEvents === "function"

/**
 * Gives a bare client the aggregated shape, using the command classes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const toSsmSapLike = (client: SsmSapClientLike, commands: SsmSapCommands | undefined): SsmSapLike => {
  if (isAggregate(client)) return client
  if (typeof (client as SsmSapBareClient)?.send !== "function") {
    throw new TypeError(
      "ssm-sap source: the client must be an SsmSap (getOperation, listOperations, listOperationEvents) or an SsmSapClient with send"
    )
  }
  if (commands === undefined) {
    throw new TypeError(
      "ssm-sap source: a bare SsmSapClient needs its command classes: { commands: { GetOperationCommand, ListOperationsCommand, ListOperationEventsCommand } }"
    )
  }
  const bare = client as SsmSapBareClient
  return {
    getOperation: (args, options) => bare.send(new commands.GetOperationCommand(args), options),
    listOperations: (args, options) => bare.send(new commands.ListOperationsCommand(args), options),
    listOperationEvents: (args, options) => bare.send(new commands.ListOperationEventsCommand(args), options)
  }
}
