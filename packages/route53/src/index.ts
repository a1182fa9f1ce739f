/**
 * `@opstatus/route53`: Amazon Route 53 changes for opstatus.
 *
 * @since 0.3.0
 */
export {}
