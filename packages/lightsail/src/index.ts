/**
 * `@opstatus/lightsail`: Amazon Lightsail operations for opstatus.
 *
 * @since 0.1.0
 */
export {
  classifyLightsailError,
  LightsailGetOperationAnswer,
  LightsailGetOperationsAnswer,
  LightsailGetOperationsForResourceAnswer,
  type LightsailQuery,
  LightsailRawOperation,
  type LightsailSourceOptions,
  lightsailBatchReads,
  lightsailErrorNames,
  lightsailService,
  lightsailSource,
  lightsailStatusTable,
  operationsFromResponse,
  refsFromResponse,
  toOperation
} from "./LightsailSource.js"
