/**
 * Where operations live: per service, per account and per region (so two regions or two accounts
 * never see each other's operations), in creation order, plus a per-service index by id for the
 * admin surface. Also remembers SSM for SAP applications registered through the API.
 */
import type { SimOperation } from "./Lifecycle.js"
import type { ServiceName } from "./Scenario.js"

/** An SSM for SAP application known to the emulator. */
export interface SapApplication {
  readonly id: string
  readonly type: string
  readonly arn: string
  readonly instances: readonly string[]
}

const scopeKey = (service: ServiceName, account: string, region: string): string =>
  `${service}|${account}|${region}`

/** All emulated state that reset() clears. */
export class OperationStore {
  private readonly scopes = new Map<string, SimOperation[]>()
  private readonly byId = new Map<string, SimOperation>()
  private readonly applications = new Map<string, SapApplication>()
  private readonly resources = new Map<string, Map<string, unknown>>()

  /**
   * A service's own resources of one kind (CloudFormation stack sets), by key: created on first
   * use, cleared with everything else.
   */
  resourcesOf<A>(service: ServiceName, kind: string): Map<string, A> {
    const key = `${service}|${kind}`
    let map = this.resources.get(key)
    if (map === undefined) {
      map = new Map()
      this.resources.set(key, map)
    }
    return map as Map<string, A>
  }

  /** Adds an operation at the end of its scope. */
  add(op: SimOperation): void {
    const key = scopeKey(op.service, op.account, op.region)
    const list = this.scopes.get(key)
    if (list === undefined) this.scopes.set(key, [op])
    else list.push(op)
    this.byId.set(`${op.service}|${op.id}`, op)
  }

  /** Finds an operation by id in any account and region. */
  get(service: ServiceName, id: string): SimOperation | undefined {
    return this.byId.get(`${service}|${id}`)
  }

  /** Finds an operation by id within one account and region. */
  find(service: ServiceName, account: string, region: string, id: string): SimOperation | undefined {
    const op = this.get(service, id)
    return op !== undefined && op.account === account && op.region === region ? op : undefined
  }

  /** The operations of one account and region, oldest first. */
  list(service: ServiceName, account: string, region: string): readonly SimOperation[] {
    return this.scopes.get(scopeKey(service, account, region)) ?? []
  }

  /** Remembers an SSM for SAP application. */
  putApplication(account: string, region: string, app: SapApplication): void {
    this.applications.set(`${account}|${region}|${app.id}`, app)
  }

  /** Looks up an SSM for SAP application. */
  getApplication(account: string, region: string, id: string): SapApplication | undefined {
    return this.applications.get(`${account}|${region}|${id}`)
  }

  /** Forgets everything. */
  clear(): void {
    this.scopes.clear()
    this.byId.clear()
    this.applications.clear()
    this.resources.clear()
  }
}
