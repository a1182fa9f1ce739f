/**
 * `@opstatus/core`: the unified operation model, refs, the one error, the
 * engine every wait runs on, its Effect API and its Promise facade. Core
 * names no service: sources (plugins) declare theirs. This is the documented
 * API; what sources and tools are built with (status tables, ref checks,
 * snapshot keys) is in `@opstatus/core/adapter-kit`.
 *
 * @since 0.1.0
 */

export {
  type BeginOptions,
  Engine,
  type EngineService,
  type FleetWait,
  type GetOptions,
  type ResumeOptions
} from "./Engine.js"
export { beginWaitForAll, type FleetWaitOptions, resumeWaitForAll, watchAll } from "./Fleet.js"
export {
  FleetConfig,
  type FleetOptions,
  type FleetSettings,
  type RateLimitOptions,
  type RoundReport
} from "./FleetConfig.js"
export { FleetState, FleetStateEntry } from "./FleetState.js"
export {
  isOperation,
  Operation,
  OperationErrorInfo,
  OperationResource,
  OperationStatus,
  OperationStep
} from "./Operation.js"
export { formatRef, OperationRef, RefId } from "./OperationRef.js"
export type {
  BatchCandidate,
  BatchRead,
  Gate,
  IdRule,
  OperationBatchReader,
  OperationSource,
  Page,
  PolicyDefaults,
  RefHints,
  ServiceInfo
} from "./OperationSource.js"
export { OperationSources } from "./OperationSources.js"
export {
  AccessDenied,
  CancelNotSupported,
  type ErrorKind,
  hasReason,
  InvalidConfig,
  InvalidFleetState,
  InvalidOptions,
  InvalidQuery,
  InvalidRef,
  InvalidRequest,
  isOpstatusError,
  isOpstatusErrorReason,
  MalformedResponse,
  OperationFailed,
  OperationNotFound,
  OpstatusError,
  OpstatusErrorReason,
  operationFailed,
  RequestReason,
  ServiceUnavailable,
  Throttled,
  Unauthenticated,
  UnknownServiceError,
  WaitAborted,
  WaitTimeout
} from "./OpstatusError.js"
export {
  createOperationStatus,
  type FleetPoller,
  type OperationStatusApi,
  type OperationStatusOptions,
  type PromiseFleetOptions,
  type PromiseGetOptions,
  type PromiseResumeOptions,
  type PromiseWaitForAllOptions,
  type PromiseWaitOptions
} from "./promise.js"
export { parseRef, toRef, validateRef } from "./Refs.js"
export type { ResolvedRef, SourceRegistry } from "./SourceRegistry.js"
export {
  cancel,
  get,
  list,
  type WaitForAllOptions,
  type WaitForOptions,
  waitForAll,
  waitForSuccess,
  waitForTerminal,
  watch
} from "./Waiter.js"
export {
  type FleetEvent,
  type FleetSummary,
  type SummaryStatus,
  summarize,
  type Waitable,
  type WaitOutcome
} from "./WaitOutcome.js"
export { resolvePolicy, type WaitOptions, WaitPolicy } from "./WaitPolicy.js"
