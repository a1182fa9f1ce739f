/** The contract between the HTTP front end and each emulated service. */
import type { FailureReason, LifecycleOverrides, SimOperation } from "../Lifecycle.js"
import type { OperationStore } from "../OperationStore.js"
import type { CreateOperationInput, ServiceName } from "../Scenario.js"
import { ApiError } from "./apiError.js"
import { ownValue } from "./lookup.js"
import type { Prng } from "./prng.js"

/** A JSON object. */
export type Json = Record<string, unknown>

/** What a service needs from the simulation to create and read operations. */
export interface SimulationPort {
  readonly store: OperationStore
  /** The service's seeded stream for ids and lifecycles. */
  prng(service: ServiceName): Prng
  /** Plans a lifecycle for a new operation and stores it. */
  addOperation(spec: {
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

/** One emulated service. */
export interface ServiceApi {
  readonly service: ServiceName
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
