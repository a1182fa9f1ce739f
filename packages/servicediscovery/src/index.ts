/**
 * `@opstatus/servicediscovery`: AWS Cloud Map operations for opstatus.
 *
 * @since 0.1.0
 */
export * from "./ServiceDiscoverySource.js"
