/**
 * `@opstatus/lightsail`: Amazon Lightsail operations for opstatus.
 *
 * @since 0.1.0
 */
export * from "./LightsailSource.js"
