/**
 * The three real sources (`lightsailSource`, `serviceDiscoverySource`,
 * `ssmSapSource`) over in-memory clients of the SDK's shape, for the fuzz
 * properties that go through the registry and the engine without a network.
 * Each client records the reads it is asked for and answers with what the
 * test says, by default a terminal failure (so that no wait can succeed
 * unless the test made the service say success).
 */
import type { OperationSource } from "@opstatus/core"
import { lightsailSource } from "@opstatus/lightsail"
import { serviceDiscoverySource } from "@opstatus/servicediscovery"
import { ssmSapSource } from "@opstatus/ssm-sap"

/** One read a fake client was asked for. */
export interface Read {
  readonly service: string
  readonly region: string
  readonly call: string
  readonly id: string | undefined
}

/**
 * What a fake client answers to a read: a value, or a rejection; or, as no
 * well-behaved client would, a value returned instead of a promise, a value
 * thrown synchronously, or a promise that never settles (and ignores abort).
 */
export type Answer =
  | { readonly ok: true; readonly body: unknown }
  | { readonly ok: false; readonly error: unknown }
  | { readonly ok?: undefined; readonly sync: unknown }
  | { readonly ok?: undefined; readonly throws: unknown }
  | { readonly ok?: undefined; readonly hang: true }

export type Answerer = (read: Read) => Answer

/** The body of a terminal failure, in each service's own shape. */
export const failedBody = (read: Read): unknown => {
  switch (read.service) {
    case "lightsail":
      return read.id === undefined
        ? { operations: [] }
        : {
            operation: {
              id: read.id,
              status: "Failed",
              isTerminal: true,
              errorCode: "Fake",
              location: { regionName: read.region }
            }
          }
    case "servicediscovery":
      return read.id === undefined
        ? { Operations: [] }
        : { Operation: { Id: read.id, Status: "FAIL", ErrorCode: "Fake", ErrorMessage: "fake failure" } }
    default:
      return read.call === "ListOperationEvents"
        ? { OperationEvents: [] }
        : read.id === undefined
          ? { Operations: [] }
          : { Operation: { Id: read.id, Status: "ERROR", StatusMessage: "fake failure" } }
  }
}

const failing: Answerer = (read) => ({ ok: true, body: failedBody(read) })

const settle = (answer: Answer): unknown => {
  if (answer.ok === true) return Promise.resolve(answer.body)
  if (answer.ok === false) return Promise.reject(answer.error)
  if ("hang" in answer) return new Promise(() => undefined)
  if ("throws" in answer) throw answer.throws
  return answer.sync
}

/** The input of an SDK command, read leniently. */
const inputOf = (command: unknown): Record<string, unknown> => {
  const input = (command as { input?: unknown })?.input
  return typeof input === "object" && input !== null ? (input as Record<string, unknown>) : {}
}

const nameOf = (command: unknown): string =>
  String((command as { constructor?: { name?: unknown } })?.constructor?.name ?? "").replace(/Command$/, "")

const text = (u: unknown): string | undefined => (typeof u === "string" ? u : undefined)

/** The three sources over fake clients serving every region, and the reads they were asked for. */
export const fakeSources = (
  initial: Answerer = failing
): {
  readonly sources: ReadonlyArray<OperationSource<any>>
  readonly reads: Array<Read>
  answer: Answerer
} => {
  const reads: Array<Read> = []
  const state = {
    sources: [] as ReadonlyArray<OperationSource<any>>,
    reads,
    answer: initial
  }
  const record = (read: Read): any => {
    reads.push(read)
    let answer: Answer
    try {
      answer = state.answer(read)
    } catch (error) {
      answer = { ok: false, error }
    }
    return settle(answer)
  }
  const sdkClient = (service: string, region: string) => ({
    send: (command: unknown) => {
      const input = inputOf(command)
      const id = text(input.operationId) ?? text(input.OperationId)
      return record({ service, region, call: nameOf(command), id })
    }
  })
  state.sources = [
    lightsailSource({ clientFor: (region) => sdkClient("lightsail", region) as never }),
    serviceDiscoverySource({ clientFor: (region) => sdkClient("servicediscovery", region) as never }),
    ssmSapSource({
      clientFor: (region) => ({
        getOperation: (args: { OperationId: string }) =>
          record({ service: "ssm-sap", region, call: "GetOperation", id: args.OperationId }) as never,
        listOperations: () =>
          record({ service: "ssm-sap", region, call: "ListOperations", id: undefined }) as never,
        listOperationEvents: (args: { OperationId: string }) =>
          record({ service: "ssm-sap", region, call: "ListOperationEvents", id: args.OperationId }) as never
      })
    })
  ]
  return state
}
