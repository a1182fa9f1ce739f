/**
 * `@opstatus/ecs`: Amazon ECS service deployments for opstatus.
 *
 * @since 0.3.0
 */
export {}
