/**
 * `@opstatus/cloudcontrol`: AWS Cloud Control API resource requests for opstatus.
 *
 * @since 0.3.0
 */
export {}
