/**
 * `@opstatus/cloudformation`: AWS CloudFormation StackSet operations for opstatus.
 *
 * @since 0.3.0
 */
export {}
