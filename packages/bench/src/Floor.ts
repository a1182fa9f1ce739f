/**
 * The floor of a scenario: the fewest reads that detect every ending within a
 * lag L, for a reader that reads periodically and knows the best list reads.
 * Such a reader reads each independently readable group once every L for as
 * long as the group has an operation running (reads at L, 2L, ... until its
 * longest operation has ended: `ceil(longest / L)` reads, at least one, times
 * the pages the group's listed operations need), plus what no list tells:
 *
 * - Lightsail: one group per region, `GetOperations` (pages of 200);
 * - Cloud Map: one group per region, `ListOperations` (pages of 100), plus
 *   one `GetOperation` per failed operation, since a failure's `ErrorCode`
 *   and `ErrorMessage` only come from GetOperation;
 * - SSM for SAP: one group per application, `ListOperations` being per
 *   application (pages of 50).
 *
 * It is computed from the operations a run created, with their real
 * durations and outcomes, at the lag the engine measured.
 */
/** The services the benchmark's scenario runs. */
export type ServiceName = "lightsail" | "servicediscovery" | "ssm-sap"

/** One operation as the floor sees it. */
export interface FloorOperation {
  readonly service: ServiceName
  readonly region: string
  /** SSM for SAP: the application it runs on (a list read covers one application). */
  readonly applicationId?: string | undefined
  /** Real ms from creation to the terminal state. */
  readonly durationMs: number
  readonly failed: boolean
}

/** How a service's list reads go: operations a page, and whether a failure needs a GetOperation. */
export interface ListShape {
  readonly pageSize: number
  readonly getPerFailure: boolean
}

/** The list reads of each service (the emulator's page sizes, which are the services' maxima). */
export const listShapes: Readonly<Record<ServiceName, ListShape>> = {
  lightsail: { pageSize: 200, getPerFailure: false },
  servicediscovery: { pageSize: 100, getPerFailure: true },
  "ssm-sap": { pageSize: 50, getPerFailure: false }
}

export interface ServiceFloor {
  /** Independently readable groups: regions, or for SSM for SAP applications. */
  readonly groups: number
  /** Each group's `ceil(longest / L)` times its pages, summed. */
  readonly listReads: number
  /** GetOperation calls for what a list read does not carry (Cloud Map's failures). */
  readonly gets: number
  readonly calls: number
}

export interface Floor {
  /** The lag L the floor is computed at, ms. */
  readonly lagMs: number
  readonly calls: number
  readonly byService: Readonly<Record<ServiceName, ServiceFloor>>
}

const serviceNames: ReadonlyArray<ServiceName> = ["lightsail", "servicediscovery", "ssm-sap"]

const groupOf = (op: FloorOperation): string =>
  op.service === "ssm-sap" ? `${op.region}/${op.applicationId ?? ""}` : op.region

/** The floor of `operations` at a lag of `lagMs`; NaN calls when the lag is not a positive number. */
export const floorOf = (
  operations: ReadonlyArray<FloorOperation>,
  lagMs: number,
  shapes: Readonly<Record<ServiceName, ListShape>> = listShapes
): Floor => {
  const valid = lagMs > 0 && Number.isFinite(lagMs)
  const byService = {} as Record<ServiceName, ServiceFloor>
  for (const service of serviceNames) {
    const shape = shapes[service]
    const groups = new Map<string, { longest: number; count: number }>()
    let failures = 0
    for (const op of operations) {
      if (op.service !== service) continue
      if (op.failed) failures++
      const key = groupOf(op)
      const group = groups.get(key) ?? { longest: 0, count: 0 }
      group.longest = Math.max(group.longest, op.durationMs)
      group.count++
      groups.set(key, group)
    }
    let listReads = 0
    for (const { longest, count } of groups.values())
      listReads += Math.max(1, Math.ceil(longest / lagMs)) * Math.ceil(count / shape.pageSize)
    const gets = shape.getPerFailure ? failures : 0
    byService[service] = valid
      ? { groups: groups.size, listReads, gets, calls: listReads + gets }
      : { groups: groups.size, listReads: Number.NaN, gets, calls: Number.NaN }
  }
  const calls = serviceNames.reduce((sum, s) => sum + byService[s].calls, 0)
  return { lagMs, calls, byService }
}
