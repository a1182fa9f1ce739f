/**
 * The vocabulary every wait shares: what a wait accepts (`Waitable`), how
 * each wait ends (`WaitOutcome`), what a fleet wait reports as it goes
 * (`FleetEvent`) and the counts it ends with (`FleetSummary`).
 *
 * @since 0.2.0
 */
import { isOperation, type Operation, type OperationStatus } from "./Operation.js"
import type { OperationRef, RefId } from "./OperationRef.js"
import type { OpstatusError } from "./OpstatusError.js"

/**
 * What a wait accepts: a ref string, a ref, or an operation snapshot (from a
 * mutating call's response). A snapshot that is already terminal resolves
 * without a read.
 *
 * @since 0.1.0
 * @category models
 */
export type Waitable = string | OperationRef | Operation

/**
 * How one wait ended, in input order: the terminal operation, or the error.
 *
 * @since 0.1.0
 * @category models
 */
export type WaitOutcome =
  | { readonly ok: true; readonly input: Waitable; readonly operation: Operation }
  | { readonly ok: false; readonly input: Waitable; readonly error: OpstatusError }

/**
 * What a fleet wait reports: each change of each operation once, each wait
 * that ends in an error, and a summary when every wait has ended.
 *
 * @since 0.1.0
 * @category models
 */
export type FleetEvent =
  | { readonly _tag: "Changed"; readonly operation: Operation }
  | { readonly _tag: "Failed"; readonly input: Waitable; readonly error: OpstatusError }
  /** The operation's endpoint cannot be reached: said at the first such answer; the wait goes on for its `unreachableGrace`. */
  | { readonly _tag: "Unreachable"; readonly ref: RefId; readonly error: OpstatusError }
  | { readonly _tag: "Summary"; readonly summary: FleetSummary }

/**
 * A final status, or `error` for a wait that ended in an error other than
 * the operation's own failure.
 *
 * @since 0.2.0
 * @category models
 */
export type SummaryStatus = OperationStatus | "error"

/**
 * Counts of how a fleet wait ended: by final status, by service, and every
 * outcome in input order.
 *
 * @since 0.1.0
 * @category models
 */
export interface FleetSummary {
  readonly total: number
  readonly byStatus: Readonly<Record<SummaryStatus, number>>
  readonly byService: Readonly<Record<string, Readonly<Record<SummaryStatus, number>>>>
  readonly outcomes: ReadonlyArray<WaitOutcome>
}

const zeroCounts = (): Record<SummaryStatus, number> => ({
  pending: 0,
  running: 0,
  succeeded: 0,
  failed: 0,
  cancelled: 0,
  unknown: 0,
  error: 0
})

/** The service an input names, as far as it can be told without parsing it. */
const serviceOfInput = (input: unknown): string | undefined => {
  if (typeof input === "string") {
    const colon = input.indexOf(":")
    return colon > 0 ? input.slice(0, colon) : undefined
  }
  if (isOperation(input)) return input.ref.service
  const service =
    typeof input === "object" && input !== null ? (input as { service?: unknown }).service : undefined
  return typeof service === "string" ? service : undefined
}

/**
 * Counts outcomes by status and by service.
 *
 * @since 0.1.0
 * @category constructors
 */
export const summarize = (outcomes: ReadonlyArray<WaitOutcome>): FleetSummary => {
  const byStatus = zeroCounts()
  const byService: Record<string, Record<SummaryStatus, number>> = Object.create(null)
  for (const outcome of outcomes) {
    const operation = outcome.ok
      ? outcome.operation
      : outcome.error.reason._tag === "OperationFailed"
        ? outcome.error.reason.operation
        : undefined
    const status: SummaryStatus = operation?.status ?? "error"
    const service =
      operation?.ref.service ??
      (outcome.ok ? undefined : outcome.error.service) ??
      serviceOfInput(outcome.input)
    byStatus[status]++
    if (service !== undefined) {
      const counts = byService[service] ?? zeroCounts()
      counts[status]++
      byService[service] = counts
    }
  }
  return { total: outcomes.length, byStatus, byService: { ...byService }, outcomes }
}
