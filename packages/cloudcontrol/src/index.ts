/**
 * `@opstatus/cloudcontrol`: AWS Cloud Control API resource requests for opstatus.
 *
 * @since 0.3.0
 */
export {
  CloudControlGetResourceRequestStatusAnswer,
  CloudControlHookProgressEvent,
  CloudControlListResourceRequestsAnswer,
  CloudControlProgressEvent,
  CloudControlProgressEventAnswer,
  type CloudControlQuery,
  type CloudControlSourceOptions,
  classifyCloudControlError,
  cloudControlBatchReads,
  cloudControlErrorNames,
  cloudControlHookStatusTable,
  cloudControlService,
  cloudControlSource,
  cloudControlStatusTable,
  inFlightStatuses,
  operationsFromResponse,
  refsFromResponse,
  toListInput,
  toOperation,
  toStep
} from "./CloudControlSource.js"
