/**
 * Operation lifecycles. Each operation carries a timeline (queued, then running, then succeeded or
 * failed, at simulated instants planned when it is created); its state is computed lazily from the
 * clock when read, so there are no timers per operation. Forcing a state rewrites the timeline's future.
 */
import type { Prng } from "./internal/prng.js"
import type { EffectiveSettings, ServiceName } from "./Scenario.js"

/**
 * The service-neutral phases; each service maps them to its own status names. A lifecycle is
 * queued, running, then succeeded or failed; a cancel goes through `cancelling` to `cancelled`;
 * a rollback (a failure of a service that rolls back) through `rollingBack` to `rolledBack` or
 * `rollbackFailed`.
 */
export type Phase =
  | "queued"
  | "running"
  | "succeeded"
  | "failed"
  | "cancelling"
  | "cancelled"
  | "rollingBack"
  | "rolledBack"
  | "rollbackFailed"

/** The phase an operation enters at a simulated instant. */
export interface TimelineEntry {
  readonly phase: Phase
  readonly at: number
}

/** Why an operation failed (Cloud Map ErrorCode/ErrorMessage, Lightsail errorCode/errorDetails, SSM for SAP StatusMessage). */
export interface FailureReason {
  readonly code: string
  readonly message: string
}

/** Lightsail-specific fields. */
export interface LightsailDetail {
  readonly kind: "lightsail"
  readonly resourceName: string
  readonly resourceType: string
  readonly availabilityZone: string
  readonly operationDetails: string
}

/** Cloud Map-specific fields. */
export interface CloudMapDetail {
  readonly kind: "servicediscovery"
  readonly targets: Readonly<Record<string, string>>
  readonly namespaceId: string | undefined
}

/** A resource an SSM for SAP operation acts on (reported in its events). */
export interface SapResource {
  readonly arn: string
  readonly type: string
  readonly id: string
}

/** SSM for SAP-specific fields. */
export interface SsmSapDetail {
  readonly kind: "ssm-sap"
  readonly applicationId: string
  readonly applicationArn: string
  readonly resources: readonly SapResource[]
}

/**
 * The fields of an operation of CloudFormation, ECS, Cloud Control or Route 53: each service's
 * module keeps its own shape in `fields`.
 */
export interface ServiceDetail {
  readonly kind: "cloudformation" | "ecs" | "cloudcontrol" | "route53"
  readonly fields: Record<string, unknown>
}

/** An emulated operation of any service. */
export interface SimOperation {
  readonly service: ServiceName
  readonly id: string
  readonly account: string
  readonly region: string
  readonly type: string
  /** Simulated creation instant, epoch ms. */
  readonly createdAt: number
  /** Before this simulated instant the operation reads as not found. */
  readonly visibleAt: number
  timeline: TimelineEntry[]
  /** The reason used when the operation is (or will be) failed. */
  failure: FailureReason
  readonly detail: LightsailDetail | CloudMapDetail | SsmSapDetail | ServiceDetail
}

/** Per-operation overrides of the planned lifecycle. */
export interface LifecycleOverrides {
  readonly durationMs?: number | undefined
  /** `rollback` plans a failure; a service that rolls back turns it into a rollback (`planRollback`). */
  readonly outcome?: "success" | "failure" | "rollback" | undefined
  readonly errorCode?: string | undefined
  readonly errorMessage?: string | undefined
  readonly notFoundForMs?: number | undefined
}

/** A planned lifecycle. */
export interface LifecyclePlan {
  readonly timeline: TimelineEntry[]
  readonly failure: FailureReason
  readonly visibleAt: number
}

/**
 * Plans a lifecycle. Always makes the same four draws whatever the overrides, so an override on one
 * operation never shifts the ids or durations of the operations after it.
 */
export const planLifecycle = (
  prng: Prng,
  createdAt: number,
  settings: EffectiveSettings,
  reasons: readonly FailureReason[],
  overrides: LifecycleOverrides = {}
): LifecyclePlan => {
  let queuedMs = prng.int(settings.queuedMs[0], settings.queuedMs[1])
  let runningMs = prng.int(settings.runningMs[0], settings.runningMs[1])
  const failsByDraw = prng.next() < settings.failureRate
  const drawn = prng.pick(reasons)
  if (overrides.durationMs !== undefined) {
    const total = Math.max(0, Math.round(overrides.durationMs))
    queuedMs = Math.floor(total / 5)
    runningMs = total - queuedMs
  }
  const fails =
    overrides.outcome !== undefined
      ? overrides.outcome !== "success"
      : overrides.errorCode !== undefined || overrides.errorMessage !== undefined || failsByDraw
  const failure: FailureReason = {
    code: overrides.errorCode ?? drawn.code,
    message:
      overrides.errorMessage ?? (overrides.errorCode !== undefined ? overrides.errorCode : drawn.message)
  }
  const timeline: TimelineEntry[] = [
    { phase: "queued", at: createdAt },
    { phase: "running", at: createdAt + queuedMs },
    { phase: fails ? "failed" : "succeeded", at: createdAt + queuedMs + runningMs }
  ]
  const hidden = overrides.notFoundForMs ?? settings.notFoundForMs
  return { timeline, failure, visibleAt: createdAt + Math.max(0, hidden) }
}

/** The phase of an operation at a simulated instant, and when it began. */
export const phaseAt = (op: SimOperation, now: number): TimelineEntry => {
  let current = op.timeline[0]!
  for (const entry of op.timeline) {
    if (entry.at <= now) current = entry
  }
  return current
}

/** The phases that end an operation. */
const TERMINAL_PHASES: ReadonlySet<Phase> = new Set([
  "succeeded",
  "failed",
  "cancelled",
  "rolledBack",
  "rollbackFailed"
])

/** True for succeeded, failed, cancelled, rolledBack and rollbackFailed. */
export const isTerminalPhase = (phase: Phase): boolean => TERMINAL_PHASES.has(phase)

/** The planned or past terminal entry, if the timeline has one. */
export const terminalEntry = (op: SimOperation): TimelineEntry | undefined =>
  op.timeline.find((entry) => isTerminalPhase(entry.phase))

/** Forces an operation into a phase at `now`: the past is kept, the planned future is dropped. */
export const forcePhase = (
  op: SimOperation,
  to: "running" | "succeeded" | "failed" | "cancelled",
  now: number,
  reason?: Partial<FailureReason>
): void => {
  const past = op.timeline.filter((entry) => entry.at <= now)
  const current = past[past.length - 1]
  if (current?.phase !== to) past.push({ phase: to, at: Math.max(now, current?.at ?? now) })
  op.timeline = past
  if (to === "failed" && reason !== undefined) {
    op.failure = {
      code: reason.code ?? op.failure.code,
      message: reason.message ?? reason.code ?? op.failure.message
    }
  }
}

/**
 * Cancels an operation at `now`: it is `cancelling` from now and `cancelled` `stopMs` later; the
 * planned future is dropped. False (and nothing changes) when it has ended, or is being cancelled
 * or rolled back already.
 */
export const cancelOperation = (op: SimOperation, now: number, stopMs: number): boolean => {
  const { phase } = phaseAt(op, now)
  if (isTerminalPhase(phase) || phase === "cancelling" || phase === "rollingBack") return false
  const past = op.timeline.filter((entry) => entry.at <= now)
  const at = Math.max(now, past[past.length - 1]?.at ?? now)
  op.timeline = [...past, { phase: "cancelling", at }, { phase: "cancelled", at: at + Math.max(0, stopMs) }]
  return true
}

/**
 * Turns a planned failure into a rollback: where the timeline fails, the operation is
 * `rollingBack` instead and ends `rolledBack` (or `rollbackFailed`) `rollbackMs` later. Nothing
 * changes for an operation that does not fail.
 */
export const planRollback = (op: SimOperation, rollbackMs: number, rollbackFails = false): void => {
  const failed = op.timeline.findIndex((entry) => entry.phase === "failed")
  if (failed < 0) return
  const at = op.timeline[failed]!.at
  op.timeline = [
    ...op.timeline.slice(0, failed),
    { phase: "rollingBack", at },
    { phase: rollbackFails ? "rollbackFailed" : "rolledBack", at: at + Math.max(0, rollbackMs) }
  ]
}

/**
 * Starts a rollback at `now` (a caller's stop that rolls back): `rollingBack` from now, then
 * `rolledBack` `rollbackMs` later. False when the operation has ended or is stopping already.
 */
export const rollBackOperation = (op: SimOperation, now: number, rollbackMs: number): boolean => {
  const { phase } = phaseAt(op, now)
  if (isTerminalPhase(phase) || phase === "cancelling" || phase === "rollingBack") return false
  const past = op.timeline.filter((entry) => entry.at <= now)
  const at = Math.max(now, past[past.length - 1]?.at ?? now)
  op.timeline = [
    ...past,
    { phase: "rollingBack", at },
    { phase: "rolledBack", at: at + Math.max(0, rollbackMs) }
  ]
  return true
}
