/**
 * `@opstatus/servicediscovery`: AWS Cloud Map operations for opstatus.
 *
 * @since 0.1.0
 */
export {
  CloudMapGetOperationAnswer,
  CloudMapListOperationsAnswer,
  CloudMapOperationSummary,
  CloudMapRawOperation,
  classifyServiceDiscoveryError,
  cloudMapBatchReads,
  refFromResponse,
  type ServiceDiscoveryQuery,
  type ServiceDiscoverySourceOptions,
  serviceDiscoveryErrorNames,
  serviceDiscoveryService,
  serviceDiscoverySource,
  serviceDiscoveryStatusTable,
  toFilters,
  toOperation,
  windowSlackAfterMillis,
  windowSlackBeforeMillis
} from "./ServiceDiscoverySource.js"
