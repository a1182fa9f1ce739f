/**
 * `@opstatus/ssm-sap`: AWS Systems Manager for SAP operations for opstatus.
 *
 * @since 0.1.0
 */
export * from "./SsmSapClient.js"
export * from "./SsmSapSource.js"
