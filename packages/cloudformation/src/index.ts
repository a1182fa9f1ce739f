/**
 * `@opstatus/cloudformation`: AWS CloudFormation StackSet operations (and
 * stack operations) for opstatus.
 *
 * @since 0.3.0
 */
export {
  type CloudFormationId,
  cloudFormationIdMaxLength,
  cloudFormationIdPattern,
  isOperationId,
  isStackSetName,
  parseCloudFormationId,
  stackOperationId,
  stackSetOperationId
} from "./CloudFormationId.js"
export {
  CloudFormationDescribeStackSetOperationAnswer,
  CloudFormationListStackSetOperationResultsAnswer,
  CloudFormationListStackSetOperationsAnswer,
  type CloudFormationQuery,
  CloudFormationRawOperationResult,
  CloudFormationRawStackSetOperation,
  type CloudFormationRefOptions,
  type CloudFormationSourceOptions,
  checkQuery,
  classifyCloudFormationError,
  cloudFormationErrorNames,
  cloudFormationResultStatusTable,
  cloudFormationService,
  cloudFormationSource,
  cloudFormationStatusTable,
  refsFromResponse,
  stackSetBatchReads,
  toOperation,
  toStep
} from "./CloudFormationSource.js"
export {
  CloudFormationDescribeEventsAnswer,
  CloudFormationRawOperationEvent,
  cloudFormationStackStatusTable,
  toStackOperation
} from "./StackOperation.js"
