/**
 * `@opstatus/ssm-sap`: AWS Systems Manager for SAP operations for opstatus.
 * The small SigV4 client is in `@opstatus/ssm-sap/http`.
 *
 * @since 0.1.0
 */
export {
  type SapCallOptions,
  type SapFilter,
  type SapOperation,
  type SapOperationEvent,
  type SapOperationEventStatus,
  type SapOperationStatus,
  type SsmSapBareClient,
  type SsmSapClientLike,
  type SsmSapCommands,
  type SsmSapLike,
  toSsmSapLike
} from "./SsmSapClient.js"
export {
  classifySsmSapError,
  refsFromResponse,
  SsmSapGetOperationAnswer,
  SsmSapListOperationEventsAnswer,
  SsmSapListOperationsAnswer,
  type SsmSapQuery,
  SsmSapRawOperation,
  SsmSapRawOperationEvent,
  type SsmSapSource,
  type SsmSapSourceOptions,
  ssmSapBatchReads,
  ssmSapErrorNames,
  ssmSapEventStatusTable,
  ssmSapService,
  ssmSapSource,
  ssmSapStatusTable,
  toFilters,
  toOperation,
  toStep
} from "./SsmSapSource.js"
