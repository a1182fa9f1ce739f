/**
 * The structural contract of an SSM for SAP client. `@aws-sdk/client-ssm-sap`
 * is an optional peer: opstatus accepts its aggregated `SsmSap` class by
 * method shape, or a bare `SsmSapClient` plus its command classes, without
 * importing it (`@opstatus/ssm-sap/http` has a small client of the same
 * shape). Every output field is optional, as in the official models, and may
 * also be `null`, as in the AWS CLI's JSON: the official types fit.
 *
 * @since 0.1.0
 */
import { invalidConfig } from "@opstatus/core/adapter-kit"

/**
 * SSM for SAP's operation statuses, as the SDK's `OperationStatus` enum.
 *
 * @since 0.2.0
 * @category models
 */
export type SapOperationStatus = "INPROGRESS" | "SUCCESS" | "ERROR"

/**
 * SSM for SAP's operation event statuses, as the SDK's `OperationEventStatus` enum.
 *
 * @since 0.2.0
 * @category models
 */
export type SapOperationEventStatus = "IN_PROGRESS" | "COMPLETED" | "FAILED"

/**
 * An SSM for SAP operation as the SDK returns it. Timestamps are `Date`s from
 * the SDK, epoch seconds or ISO strings from the AWS CLI.
 *
 * @since 0.1.0
 * @category models
 */
export interface SapOperation {
  readonly Id?: string | null | undefined
  readonly Type?: string | null | undefined
  /** A `SapOperationStatus`, or a value AWS adds later. */
  readonly Status?: string | null | undefined
  readonly StatusMessage?: string | null | undefined
  /** A sparse map: values may be `null`. */
  readonly Properties?: Readonly<Record<string, string | null>> | null | undefined
  readonly ResourceType?: string | null | undefined
  readonly ResourceId?: string | null | undefined
  readonly ResourceArn?: string | null | undefined
  readonly StartTime?: unknown
  readonly EndTime?: unknown
  readonly LastUpdatedTime?: unknown
}

/**
 * An SSM for SAP operation event (a step).
 *
 * @since 0.1.0
 * @category models
 */
export interface SapOperationEvent {
  readonly Description?: string | null | undefined
  readonly Resource?:
    | {
        readonly ResourceArn?: string | null | undefined
        readonly ResourceType?: string | null | undefined
      }
    | null
    | undefined
  /** A `SapOperationEventStatus`, or a value AWS adds later. */
  readonly Status?: string | null | undefined
  readonly StatusMessage?: string | null | undefined
  readonly Timestamp?: unknown
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
  ): Promise<{ readonly Operation?: SapOperation | null | undefined } & Metadata>
  listOperations(
    args: { ApplicationId: string; MaxResults?: number; NextToken?: string; Filters?: SapFilter[] },
    options?: SapCallOptions
  ): Promise<
    {
      readonly Operations?: ReadonlyArray<SapOperation | null> | null | undefined
      readonly NextToken?: string | null | undefined
    } & Metadata
  >
  listOperationEvents(
    args: { OperationId: string; MaxResults?: number; NextToken?: string; Filters?: SapFilter[] },
    options?: SapCallOptions
  ): Promise<
    {
      readonly OperationEvents?: ReadonlyArray<SapOperationEvent | null> | null | undefined
      readonly NextToken?: string | null | undefined
    } & Metadata
  >
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

const methodOf = (client: object, name: string): unknown => (client as Record<string, unknown>)[name]

const isAggregate = (client: object): client is SsmSapLike =>
  typeof methodOf(client, "getOperation") === "function" &&
  typeof methodOf(client, "listOperations") === "function" &&
  typeof methodOf(client, "listOperationEvents") === "function"

const commandNames = ["GetOperationCommand", "ListOperationsCommand", "ListOperationEventsCommand"] as const

/**
 * Gives a bare client the aggregated shape, using the command classes.
 * Throws `InvalidConfig` (an `OpstatusError`) when the client is neither
 * kind, or a bare client comes without its command classes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const toSsmSapLike = (client: SsmSapClientLike, commands: SsmSapCommands | undefined): SsmSapLike => {
  if ((typeof client !== "object" && typeof client !== "function") || client === null) {
    throw invalidConfig(
      "ssm-sap source client",
      "pass an SsmSap (getOperation, listOperations, listOperationEvents) or an SsmSapClient with send"
    )
  }
  if (isAggregate(client)) return client
  if (typeof methodOf(client, "send") !== "function") {
    throw invalidConfig(
      "ssm-sap source client",
      "the client must be an SsmSap (getOperation, listOperations, listOperationEvents) or an SsmSapClient with send"
    )
  }
  if (
    typeof commands !== "object" ||
    commands === null ||
    !commandNames.every((name) => typeof commands[name] === "function")
  ) {
    throw invalidConfig(
      "ssm-sap source commands",
      "a bare SsmSapClient needs its command classes: { commands: { GetOperationCommand, ListOperationsCommand, ListOperationEventsCommand } }"
    )
  }
  const bare = client as SsmSapBareClient
  return {
    getOperation: (args, options) => bare.send(new commands.GetOperationCommand(args), options),
    listOperations: (args, options) => bare.send(new commands.ListOperationsCommand(args), options),
    listOperationEvents: (args, options) => bare.send(new commands.ListOperationEventsCommand(args), options)
  }
}
