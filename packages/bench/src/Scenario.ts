/**
 * The benchmark's fleet: which operations exist, how long each runs, which
 * fail, and the hints a realistic mutating response (or its request) gives
 * the caller. Drawn from a seeded generator, so the engine and the baseline
 * wait on identical operations.
 */
import type { CreateOperationInput } from "@opstatus/emulator"
import type { ServiceName } from "./Floor.js"

/** The shape of the fleet. */
export interface FleetShape {
  readonly perService: number
  readonly seed: number
  /** Real seconds from creation to the terminal state, drawn uniformly. */
  readonly durationSeconds: readonly [number, number]
  /** The share of operations that fail, rounded to whole operations per service. */
  readonly failureRate: number
  /** Simulated ms per real ms in the emulator. */
  readonly timeScale: number
  /** SSM for SAP operations per application (operations only batch within an application). */
  readonly opsPerApplication: number
  /** Cloud Map instances per service (RegisterInstance is called with a ServiceId). */
  readonly instancesPerService: number
}

/** One operation to create, with the hints its ref carries (`ref.hints`). */
export interface PlannedOperation {
  readonly input: CreateOperationInput & { readonly service: ServiceName }
  readonly hints: Readonly<Record<string, string>>
}

/** sfc32, seeded: the same seed, the same fleet. */
const prng = (seed: number) => {
  let a = 0x9e3779b9
  let b = 0x243f6a88
  let c = 0xb7e15162
  let d = seed >>> 0
  const next = () => {
    a >>>= 0
    b >>>= 0
    c >>>= 0
    d >>>= 0
    let t = (a + b) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    d = (d + 1) | 0
    t = (t + d) | 0
    c = (c + t) | 0
    return (t >>> 0) / 4294967296
  }
  for (let i = 0; i < 15; i++) next()
  return next
}

export const services: ReadonlyArray<ServiceName> = ["lightsail", "servicediscovery", "ssm-sap"]

/**
 * The fleet, service by service. Hints, as the mutating calls give them:
 * - Lightsail: `CreateInstances` answers one operation per instance, each
 *   naming its `resourceName`;
 * - Cloud Map: `RegisterInstance` answers `{ OperationId }`, and the caller
 *   knows the `ServiceId` it passed;
 * - SSM for SAP: `StartApplication` / `StopApplication` answer
 *   `{ OperationId }`, and the caller knows the `ApplicationId` it passed.
 */
export const planFleet = (shape: FleetShape): ReadonlyArray<PlannedOperation> => {
  const random = prng(shape.seed)
  const [min, max] = shape.durationSeconds
  const out: Array<PlannedOperation> = []
  for (const service of services) {
    const failing = new Set<number>()
    const failures = Math.round(shape.perService * shape.failureRate)
    while (failing.size < failures) failing.add(Math.floor(random() * shape.perService))
    for (let i = 0; i < shape.perService; i++) {
      const durationMs = Math.round((min + random() * (max - min)) * 1000 * shape.timeScale)
      const outcome = failing.has(i) ? "failure" : "success"
      if (service === "lightsail") {
        const resourceName = `web-${i}`
        out.push({
          input: { service, type: "CreateInstance", resourceName, durationMs, outcome },
          hints: { resourceName }
        })
      } else if (service === "servicediscovery") {
        const serviceId = `srv-${Math.floor(i / shape.instancesPerService)}`
        out.push({
          input: {
            service,
            type: "REGISTER_INSTANCE",
            serviceId,
            instanceId: `i-${i}`,
            durationMs,
            outcome
          },
          hints: { serviceId }
        })
      } else {
        const applicationId = `sap-${Math.floor(i / shape.opsPerApplication)}`
        out.push({
          input: {
            service,
            type: i % 2 === 0 ? "START_APPLICATION" : "STOP_APPLICATION",
            applicationId,
            durationMs,
            outcome
          },
          hints: { applicationId }
        })
      }
    }
  }
  return out
}
