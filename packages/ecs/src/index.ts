/**
 * `@opstatus/ecs`: Amazon ECS service deployments for opstatus.
 *
 * @since 0.3.0
 */
export {
  checkServiceDeploymentArn,
  classifyEcsError,
  describeBatchSize,
  EcsDescribeServiceDeploymentsAnswer,
  EcsListServiceDeploymentsAnswer,
  type EcsQuery,
  EcsRawFailure,
  EcsRawServiceDeployment,
  EcsRawServiceDeploymentBrief,
  EcsRawServiceRevisionSummary,
  type EcsSourceOptions,
  EcsStopServiceDeploymentAnswer,
  ecsBatchReads,
  ecsErrorCodes,
  ecsErrorNames,
  ecsService,
  ecsSource,
  ecsStatusTable,
  failureError,
  parseServiceDeploymentArn,
  refsFromResponse,
  type ServiceDeploymentArn,
  serviceDeploymentArnPattern,
  toListInput,
  toOperation
} from "./EcsSource.js"
