/**
 * `opstatus`: await any Lightsail, Cloud Map or Systems Manager for SAP
 * operation in one line.
 *
 * ```ts
 * import { waitForSuccess } from "opstatus"
 *
 * await waitForSuccess("lightsail:us-east-1:4b8a2c1e-...")
 * await waitForSuccess(await lightsail.send(new CreateInstancesCommand({ ... })))
 * ```
 *
 * The functions exported here run on one default instance, made on the first
 * call: its clients are made on first use, one per service and region, from
 * the default credential chain and the AWS settings of the environment
 * (`AWS_REGION`, `AWS_DEFAULT_REGION`, `AWS_PROFILE`, `AWS_ENDPOINT_URL[_<SERVICE>]`).
 * A script need not close it: nothing it leaves after the last wait keeps
 * the process alive. `createOpstatus(options)` makes an instance of one's
 * own; `createOperationStatus({ sources })` from `@opstatus/core` (re-exported
 * here) takes sources built over one's own clients.
 *
 * @since 0.2.0
 */
import type { PromiseResumeOptions } from "@opstatus/core"
import { track as trackClient } from "./Clients.js"
import type { OperationInput, ResponseOptions } from "./Inputs.js"
import {
  createOpstatus,
  type Opstatus,
  type OpstatusFleetOptions,
  type OpstatusGetOptions,
  type OpstatusWaitForAllOptions,
  type OpstatusWaitOptions
} from "./Opstatus.js"

export { cloudControlSource } from "@opstatus/cloudcontrol"
export { cloudFormationSource } from "@opstatus/cloudformation"
export {
  createOperationStatus,
  type FleetEvent,
  type FleetOptions,
  type FleetPoller,
  type FleetSummary,
  formatRef,
  hasReason,
  isOperation,
  isOpstatusError,
  type Operation,
  type OperationRef,
  type OperationSource,
  type OperationStatus,
  type OperationStatusApi,
  type OperationStatusOptions,
  OpstatusError,
  type OpstatusErrorReason,
  type PromiseFleetOptions,
  type PromiseGetOptions,
  type PromiseResumeOptions,
  type PromiseWaitForAllOptions,
  type PromiseWaitOptions,
  type Waitable,
  type WaitOptions,
  type WaitOutcome
} from "@opstatus/core"
export { ecsSource } from "@opstatus/ecs"
export { lightsailSource, operationsFromResponse } from "@opstatus/lightsail"
export { route53Source } from "@opstatus/route53"
export { serviceDiscoverySource } from "@opstatus/servicediscovery"
export { ssmSapSource } from "@opstatus/ssm-sap"
export { SsmSapHttpClient } from "@opstatus/ssm-sap/http"
export {
  type AwsClient,
  defaultRegion,
  regionOfClient,
  type ServiceSlug,
  type SmithyClient,
  type TrackableClient,
  track
} from "./Clients.js"
export {
  cloudMapOperationIdPattern,
  type OperationInput,
  type OperationResponse,
  type OperationsResponse,
  type ResponseOptions,
  ssmSapOperationIdPattern
} from "./Inputs.js"
export {
  createOpstatus,
  type Opstatus,
  type OpstatusEvent,
  type OpstatusFleetOptions,
  type OpstatusGetOptions,
  type OpstatusOptions,
  type OpstatusOutcome,
  type OpstatusPoller,
  type OpstatusSummary,
  type OpstatusWaitForAllOptions,
  type OpstatusWaitOptions
} from "./Opstatus.js"

/** The default instance, made on the first call and dropped by `close()`. */
let current: Opstatus | undefined
const instance = (): Opstatus => {
  current ??= createOpstatus()
  return current
}

const closeDefault = (): Promise<void> => {
  const closing = current
  current = undefined
  return closing === undefined ? Promise.resolve() : closing.close()
}

/**
 * The default instance. Each method makes it on first use; `close()` ends
 * its waits still going (they reject with `WaitAborted`), destroys its
 * clients and drops it, so that a later call starts a fresh one. A script
 * need not call `close()` to exit.
 *
 * @since 0.2.0
 * @category instances
 */
export const opstatus: Opstatus = {
  get: (input: OperationInput, options?: OpstatusGetOptions) => instance().get(input, options),
  waitForTerminal: (input: OperationInput, options?: OpstatusWaitOptions) =>
    instance().waitForTerminal(input, options),
  waitForSuccess: (input: OperationInput, options?: OpstatusWaitOptions) =>
    instance().waitForSuccess(input, options),
  waitForAll: (inputs: Iterable<OperationInput>, options?: OpstatusWaitForAllOptions) =>
    instance().waitForAll(inputs, options),
  watch: (input: OperationInput, options?: OpstatusWaitOptions) => ({
    [Symbol.asyncIterator]: () => instance().watch(input, options)[Symbol.asyncIterator]()
  }),
  watchAll: (inputs: Iterable<OperationInput>, options?: OpstatusFleetOptions) => ({
    [Symbol.asyncIterator]: () => instance().watchAll(inputs, options)[Symbol.asyncIterator]()
  }),
  beginWaitForAll: (inputs: Iterable<OperationInput>, options?: OpstatusFleetOptions) =>
    instance().beginWaitForAll(inputs, options),
  resume: (state: string, options?: PromiseResumeOptions) => instance().resume(state, options),
  cancel: (input: OperationInput, options?: OpstatusGetOptions) => instance().cancel(input, options),
  refsOf: (input: OperationInput, options?: ResponseOptions) => instance().refsOf(input, options),
  track: trackClient,
  close: closeDefault,
  [Symbol.asyncDispose]: closeDefault
} as unknown as Opstatus

/**
 * One read now, on the default instance.
 *
 * @since 0.2.0
 * @category waiting
 */
export const get: Opstatus["get"] = opstatus.get

/**
 * The terminal operation (succeeded or failed), on the default instance.
 *
 * @since 0.2.0
 * @category waiting
 */
export const waitForTerminal: Opstatus["waitForTerminal"] = opstatus.waitForTerminal

/**
 * The succeeded operation, on the default instance; rejects with an
 * `OperationFailed` reason, carrying the service's code and message, when it
 * fails. `await waitForSuccess("lightsail:us-east-1:<id>")`, or
 * `await waitForSuccess(await client.send(command))`.
 *
 * @since 0.2.0
 * @category waiting
 */
export const waitForSuccess: Opstatus["waitForSuccess"] = opstatus.waitForSuccess

/**
 * One outcome per operation the inputs name, in input order, on the default instance.
 *
 * @since 0.2.0
 * @category waiting
 */
export const waitForAll: Opstatus["waitForAll"] = opstatus.waitForAll

/**
 * Each change of an operation once, ending with the terminal one, on the default instance.
 *
 * @since 0.2.0
 * @category waiting
 */
export const watch: Opstatus["watch"] = opstatus.watch

/**
 * Every change of every operation, each failure, then a summary, on the default instance.
 *
 * @since 0.2.0
 * @category waiting
 */
export const watchAll: Opstatus["watchAll"] = opstatus.watchAll

/**
 * Starts a fleet wait that can be serialized, on the default instance.
 *
 * @since 0.2.0
 * @category waiting
 */
export const beginWaitForAll: Opstatus["beginWaitForAll"] = opstatus.beginWaitForAll

/**
 * Resumes a serialized fleet wait, on the default instance.
 *
 * @since 0.2.0
 * @category waiting
 */
export const resume: Opstatus["resume"] = opstatus.resume

/**
 * Asks the operation's service to cancel it, on the default instance:
 * `await cancel("cloudcontrol:us-east-1:<request-token>")`. Rejects with
 * `CancelNotSupported` before any request for a service that cannot cancel.
 *
 * @since 0.3.0
 * @category waiting
 */
export const cancel: Opstatus["cancel"] = opstatus.cancel

/**
 * The refs an input names, their region found as a wait finds it.
 *
 * @since 0.2.0
 * @category refs
 */
export const refsOf: Opstatus["refsOf"] = opstatus.refsOf

/**
 * Closes the default instance (see `opstatus`); a script need not call it to exit.
 *
 * @since 0.2.0
 * @category instances
 */
export const close: () => Promise<void> = closeDefault
