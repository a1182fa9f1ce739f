/**
 * The unified `Operation`: one shape for an operation of any service.
 * Sources map the service's own object into it with a pure function and keep
 * the untouched original in `raw`.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { OperationRef } from "./OperationRef.js"

/**
 * The six unified statuses. `unknown` is what a status value the adapter does
 * not know maps to: never terminal, never success.
 *
 * @since 0.1.0
 * @category models
 */
export const OperationStatus = Schema.Literals([
  "pending",
  "running",
  "succeeded",
  "failed",
  "cancelled",
  "unknown"
])

/**
 * @since 0.1.0
 * @category models
 */
export type OperationStatus = typeof OperationStatus.Type

/**
 * The statuses that end an operation.
 *
 * @since 0.1.0
 * @category models
 */
export const terminalStatuses: ReadonlySet<OperationStatus> = new Set(["succeeded", "failed", "cancelled"])

/**
 * The error a failed operation reports: the service's own code and message.
 *
 * @since 0.1.0
 * @category models
 */
export const OperationErrorInfo = Schema.Struct({
  code: Schema.optionalKey(Schema.String),
  message: Schema.String
})

/**
 * What the operation acts on.
 *
 * @since 0.1.0
 * @category models
 */
export const OperationResource = Schema.Struct({
  type: Schema.optionalKey(Schema.String),
  name: Schema.optionalKey(Schema.String),
  id: Schema.optionalKey(Schema.String),
  arn: Schema.optionalKey(Schema.String)
})

/**
 * One step of an operation, where the service reports them (operation
 * events, per-instance results).
 *
 * @since 0.1.0
 * @category models
 */
export const OperationStep = Schema.Struct({
  description: Schema.optionalKey(Schema.String),
  status: OperationStatus,
  rawStatus: Schema.String,
  message: Schema.optionalKey(Schema.String),
  resource: Schema.optionalKey(OperationResource),
  at: Schema.optionalKey(Schema.Date)
})

/**
 * @since 0.1.0
 * @category models
 */
export type OperationStep = typeof OperationStep.Type

/**
 * The unified operation.
 *
 * @since 0.1.0
 * @category models
 */
export const Operation = Schema.Struct({
  ref: OperationRef,
  /** The service's own operation type, e.g. `CreateInstance`, `REGISTER_INSTANCE`; absent where the service did not say. */
  type: Schema.optionalKey(Schema.String),
  status: OperationStatus,
  terminal: Schema.Boolean,
  /** The status value exactly as the service sent it. */
  rawStatus: Schema.String,
  resource: OperationResource,
  /** What the operation acts on, by kind, as the service names them (e.g. `NAMESPACE`, `INSTANCE` to IDs). */
  targets: Schema.optionalKey(Schema.Record(Schema.String, Schema.String)),
  /** The service's own properties of the operation. */
  properties: Schema.optionalKey(Schema.Record(Schema.String, Schema.String)),
  createdAt: Schema.optionalKey(Schema.Date),
  updatedAt: Schema.optionalKey(Schema.Date),
  endedAt: Schema.optionalKey(Schema.Date),
  error: Schema.optionalKey(OperationErrorInfo),
  region: Schema.String,
  /** Where the service placed the operation: its availability zone and region. */
  location: Schema.optionalKey(
    Schema.Struct({
      availabilityZone: Schema.optionalKey(Schema.String),
      regionName: Schema.optionalKey(Schema.String)
    })
  ),
  /** Steps, where the service reports them. */
  steps: Schema.optionalKey(Schema.Array(OperationStep)),
  /**
   * The earliest instant the service asks to be read again (a retry-after time it sends with the
   * operation). A wait does not read the operation before it, unless its deadline comes first.
   */
  retryAfter: Schema.optionalKey(Schema.Date),
  /** The request ID of the answer this snapshot came from, where the service gave one. */
  requestId: Schema.optionalKey(Schema.String),
  /** The untouched service object. */
  raw: Schema.Unknown
})

/**
 * @since 0.1.0
 * @category models
 */
export type Operation = typeof Operation.Type

/**
 * True when the value is an `Operation` (a snapshot rather than a bare ref).
 *
 * @since 0.1.0
 * @category guards
 */
export const isOperation = (u: unknown): u is Operation => {
  try {
    return (
      typeof u === "object" &&
      u !== null &&
      "ref" in u &&
      "status" in u &&
      "terminal" in u &&
      "rawStatus" in u
    )
  } catch {
    // A value whose keys cannot be asked about (a revoked proxy) is no operation.
    return false
  }
}

/**
 * A key that changes when anything a waiter reports changes: used to emit
 * snapshots only on change.
 *
 * @since 0.1.0
 * @category models
 */
export const snapshotKey = (op: Operation): string =>
  // A template rather than an array join: fleets compute this for thousands of operations a round.
  `${op.status}|${op.rawStatus}|${op.terminal}|${op.updatedAt?.getTime() ?? ""}|${op.endedAt?.getTime() ?? ""}|` +
  `${op.error?.code ?? ""}|${op.error?.message ?? ""}|${op.steps?.length ?? ""}`

/**
 * True when two snapshots report the same (their `snapshotKey`s are equal), without building the
 * keys: what a fleet asks of thousands of unchanged operations a round.
 *
 * @since 0.2.0
 * @category models
 */
export const sameSnapshot = (a: Operation, b: Operation): boolean =>
  a.status === b.status &&
  a.rawStatus === b.rawStatus &&
  a.terminal === b.terminal &&
  a.updatedAt?.getTime() === b.updatedAt?.getTime() &&
  a.endedAt?.getTime() === b.endedAt?.getTime() &&
  a.error?.code === b.error?.code &&
  a.error?.message === b.error?.message &&
  a.steps?.length === b.steps?.length
