/** The contract between the HTTP front end and each emulated service. */

import type { IncomingHttpHeaders } from "node:http"
import type { FailureReason, LifecycleOverrides, SimOperation } from "../Lifecycle.js"
import type { OperationStore } from "../OperationStore.js"
import type { CreateOperationInput, ServiceName } from "../Scenario.js"
import { ApiError, type ErrorKind } from "./apiError.js"
import { ownValue } from "./lookup.js"
import type { Prng } from "./prng.js"

/** A JSON object. */
export type Json = Record<string, unknown>

/** What a service needs from the simulation to create and read operations. */
export interface SimulationPort {
  readonly store: OperationStore
  /** The service's seeded stream for ids and lifecycles. */
  prng(service: ServiceName): Prng
  /** The real instant (the injected clock's epoch ms) a simulated one comes at. */
  toReal(simulated: number): number
  /** Plans a lifecycle for a new operation and stores it. */
  addOperation(spec: {
    /** The simulated instant it is created at: the request's own (`CallContext.now`). */
    readonly now: number
    readonly service: ServiceName
    readonly account: string
    readonly region: string
    readonly id: string
    readonly type: string
    readonly detail: SimOperation["detail"]
    readonly reasons: readonly FailureReason[]
    readonly overrides?: LifecycleOverrides | undefined
  }): SimOperation
}

/** The caller and the moment of one call. */
export interface CallContext {
  readonly account: string
  readonly region: string
  /** Simulated now, epoch ms. */
  readonly now: number
  readonly sim: SimulationPort
}

/** An error's name on the wire and its HTTP status. */
export interface WireError {
  readonly name: string
  readonly status: number
}

/** A service's error name and status for each kind. */
export type ErrorTable = { readonly [K in ErrorKind]: WireError }

/** A request as a codec reads it. */
export interface RawRequest {
  readonly method: string
  /** The path without its query string. */
  readonly path: string
  readonly query: URLSearchParams
  readonly headers: IncomingHttpHeaders
  /** The body as UTF-8 text. */
  readonly body: string
}

/** An answer as a codec writes it. */
export interface WireAnswer {
  readonly status: number
  readonly contentType: string
  readonly body: string
  readonly headers?: Readonly<Record<string, string>> | undefined
}

/**
 * The protocol of a service that does not speak awsJson (CloudFormation's query protocol, Route
 * 53's REST-XML): how a request names its operation and input, and how answers and errors look.
 */
export interface WireCodec {
  /**
   * The operation a request asks for and its input as a JSON object. Throws `ApiError`
   * (`unknownOperation`, `validation`) for a request it cannot read.
   */
  decode(request: RawRequest): { readonly operation: string; readonly input: Json }
  /** A successful answer. */
  encode(operation: string, result: Json, requestId: string): WireAnswer
  /** An error answer. */
  encodeError(error: WireError, message: string, requestId: string): WireAnswer
}

/** One emulated service. */
export interface ServiceApi {
  readonly service: ServiceName
  /** An awsJson service's `X-Amz-Target` prefix and content type (absent for the first three, which the front end knows). */
  readonly json?: { readonly targetPrefix: string; readonly contentType: string } | undefined
  /** Its error names and statuses (absent for the first three, which the front end knows). */
  readonly errors?: ErrorTable | undefined
  /** Its protocol, when it is not awsJson. */
  readonly codec?: WireCodec | undefined
  /**
   * Claims a request without `X-Amz-Target` (a REST path, a query protocol request), given the
   * service its SigV4 credential scope names.
   */
  readonly claims?:
    | ((
        request: { readonly method: string; readonly path: string },
        scopeService: string | undefined
      ) => boolean)
    | undefined
  /** The operations it answers. */
  readonly operations: ReadonlySet<string>
  /** Runs an operation; throws ApiError for error answers. */
  handle(operation: string, input: Json, ctx: CallContext): Json
  /** Creates an operation for the admin surface or a scenario. */
  create(input: CreateOperationInput, ctx: CallContext): SimOperation
  /** The operation's wire shape at a simulated instant. */
  wire(op: SimOperation, now: number): Json
}

/** Converts simulated epoch milliseconds to the wire's epoch seconds (a JSON number with a fraction). */
export const epochSeconds = (ms: number): number => ms / 1000

/** True once an eventually consistent operation can be read. */
export const isVisible = (op: SimOperation, now: number): boolean => now >= op.visibleAt

/** A service's operation handlers, by operation name. */
export type Handlers = Readonly<Record<string, (input: Json, ctx: CallContext) => Json>>

/** The `operations` and `handle` of a service from its handler table (own keys only). */
export const dispatch = (handlers: Handlers): Pick<ServiceApi, "operations" | "handle"> => ({
  operations: new Set(Object.keys(handlers)),
  handle: (operation, input, ctx) => {
    const handler = ownValue(handlers, operation)
    if (handler === undefined) throw new ApiError("unknownOperation", `Unknown operation: ${operation}`)
    return handler(input, ctx)
  }
})
