/**
 * The emulator's state without HTTP: the scaled clock, the seeded streams, the operation store,
 * fault decisions and metrics, plus the programmatic controls (create, transition, terminalAt,
 * reset, configure). The HTTP front end and the admin surface both drive this.
 */

import { cloudControlApi } from "./CloudControl.js"
import { cloudFormationApi } from "./CloudFormation.js"
import { cloudMapApi } from "./CloudMap.js"
import { ecsApi } from "./Ecs.js"
import { FaultInjector } from "./Faults.js"
import { accountIdFor } from "./internal/ids.js"
import { createPrng, type Prng } from "./internal/prng.js"
import type { CallContext, Json, ServiceApi, SimulationPort } from "./internal/serviceApi.js"
import { SimClock } from "./internal/simClock.js"
import { forcePhase, planLifecycle, type SimOperation, terminalEntry } from "./Lifecycle.js"
import { lightsailApi } from "./Lightsail.js"
import { MetricsRecorder } from "./Metrics.js"
import { OperationStore } from "./OperationStore.js"
import { route53Api } from "./Route53.js"
import {
  type CreateOperationInput,
  type EffectiveSettings,
  effectiveSettings,
  mergeScenario,
  type Scenario,
  ScenarioError,
  SERVICE_NAMES,
  type ServiceName
} from "./Scenario.js"
import { ssmSapApi } from "./SsmSap.js"

/** The access key id the command prints and admin-created operations belong to by default. */
export const DEFAULT_ACCESS_KEY_ID = "AKIDEXAMPLE"

/** The region admin-created operations use by default. */
export const DEFAULT_REGION = "us-east-1"

/** The services by name. */
export const SERVICES: { readonly [S in ServiceName]: ServiceApi } = {
  lightsail: lightsailApi,
  servicediscovery: cloudMapApi,
  "ssm-sap": ssmSapApi,
  cloudformation: cloudFormationApi,
  ecs: ecsApi,
  cloudcontrol: cloudControlApi,
  route53: route53Api
}

/** An operation as created or forced: where it lives and its wire shape at that moment. */
export interface OperationSnapshot {
  readonly service: ServiceName
  readonly id: string
  readonly account: string
  readonly region: string
  /** The JSON the service's GetOperation returns for it (the inner Operation object). */
  readonly wire: Record<string, unknown>
}

/** The targets `transition` can force. */
export type TransitionTarget = "running" | "succeeded" | "failed" | "cancelled"

/** Options of a simulation. */
export interface SimulationOptions {
  readonly scenario: Scenario
  readonly now: () => number
}

/** The emulator's state and controls. */
export class Simulation implements SimulationPort {
  readonly store = new OperationStore()
  readonly metrics = new MetricsRecorder()
  readonly clock: SimClock
  readonly faults: FaultInjector
  private current: Scenario
  private prngs = new Map<ServiceName, Prng>()

  constructor(options: SimulationOptions) {
    this.current = options.scenario
    this.clock = new SimClock(options.now, options.scenario.timeScale ?? 1)
    this.faults = new FaultInjector(this.seed())
    this.reseed()
    this.createScenarioOperations()
  }

  private seed(): number {
    return this.current.seed ?? 1
  }

  private reseed(): void {
    this.prngs = new Map(SERVICE_NAMES.map((name) => [name, createPrng(this.seed(), `operations:${name}`)]))
    this.faults.reseed(this.seed())
  }

  private createScenarioOperations(): void {
    for (const op of this.current.operations ?? []) this.createOperation(op)
  }

  /** The scenario in force. */
  scenario(): Scenario {
    return this.current
  }

  /** The real instant (the injected clock's epoch ms) a simulated one comes at. */
  toReal(simulated: number): number {
    return this.clock.toReal(simulated)
  }

  /** The service's seeded stream for ids and lifecycles. */
  prng(service: ServiceName): Prng {
    return this.prngs.get(service)!
  }

  /** The resolved settings of a service in a region. */
  settings(service: ServiceName, region: string): EffectiveSettings {
    return effectiveSettings(this.current, service, region)
  }

  /** True when the access key is listed as denied. */
  isDenied(accessKeyId: string): boolean {
    return this.current.deniedAccessKeys?.includes(accessKeyId) ?? false
  }

  /** Plans and stores a new operation. */
  addOperation(spec: Parameters<SimulationPort["addOperation"]>[0]): SimOperation {
    const now = spec.now
    const plan = planLifecycle(
      this.prng(spec.service),
      now,
      this.settings(spec.service, spec.region),
      spec.reasons,
      spec.overrides
    )
    const op: SimOperation = {
      service: spec.service,
      id: spec.id,
      account: spec.account,
      region: spec.region,
      type: spec.type,
      createdAt: now,
      visibleAt: plan.visibleAt,
      timeline: plan.timeline,
      failure: plan.failure,
      detail: spec.detail
    }
    this.store.add(op)
    return op
  }

  /** A call context for an account and region at the current simulated time. */
  context(account: string, region: string): CallContext {
    return { account, region, now: this.clock.now(), sim: this }
  }

  /** Answers one service call; throws ApiError for error answers. */
  call(service: ServiceName, operation: string, input: Json, accessKeyId: string, region: string): Json {
    return SERVICES[service].handle(operation, input, this.context(accountIdFor(accessKeyId), region))
  }

  private snapshot(op: SimOperation): OperationSnapshot {
    return {
      service: op.service,
      id: op.id,
      account: op.account,
      region: op.region,
      wire: SERVICES[op.service].wire(op, this.clock.now())
    }
  }

  /** Creates an operation with optional lifecycle overrides. */
  createOperation(input: CreateOperationInput): OperationSnapshot {
    const account = accountIdFor(input.account ?? DEFAULT_ACCESS_KEY_ID)
    const op = SERVICES[input.service].create(input, this.context(account, input.region ?? DEFAULT_REGION))
    return this.snapshot(op)
  }

  private require(service: ServiceName, id: string): SimOperation {
    const op = this.store.get(service, id)
    if (op === undefined) throw new ScenarioError(`no ${service} operation with id ${id}`)
    return op
  }

  /** Forces an operation into a state now; the past of its timeline is kept. */
  transition(
    service: ServiceName,
    id: string,
    to: TransitionTarget,
    reason?: { readonly errorCode?: string; readonly errorMessage?: string }
  ): OperationSnapshot {
    const op = this.require(service, id)
    const failure: { code?: string; message?: string } = {}
    if (reason?.errorCode !== undefined) failure.code = reason.errorCode
    if (reason?.errorMessage !== undefined) failure.message = reason.errorMessage
    forcePhase(op, to, this.clock.now(), failure)
    return this.snapshot(op)
  }

  /** The operation's wire shape now, or undefined. */
  describe(service: ServiceName, id: string): OperationSnapshot | undefined {
    const op = this.store.get(service, id)
    return op === undefined ? undefined : this.snapshot(op)
  }

  /**
   * The real instant (in the injected clock's epoch ms) at which the operation turned or will turn
   * terminal; undefined if it is unknown or has no terminal state planned (forced to running).
   */
  terminalAt(service: ServiceName, id: string): number | undefined {
    const op = this.store.get(service, id)
    const entry = op === undefined ? undefined : terminalEntry(op)
    return entry === undefined ? undefined : this.clock.toReal(entry.at)
  }

  /** Clears operations and metrics, restarts the seeded streams and re-creates the scenario's operations. */
  reset(): void {
    this.store.clear()
    this.metrics.reset()
    this.reseed()
    this.createScenarioOperations()
  }

  /**
   * Merges a partial scenario into the one in force (see docs for what takes effect when). Token
   * buckets keep their tokens: a new rate limit applies from the next request, without a refill.
   */
  configure(patch: Scenario): void {
    this.current = mergeScenario(this.current, patch)
    if (patch.timeScale !== undefined) this.clock.setTimeScale(patch.timeScale)
  }
}
