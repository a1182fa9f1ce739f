/**
 * `@opstatus/core`: the unified operation model, waiting policies, the
 * waiter on Effect and its Promise facade.
 *
 * @since 0.1.0
 */

export * from "./Adapter.js"
export * from "./Fleet.js"
export * from "./Operation.js"
export * from "./OperationError.js"
export * from "./OperationRef.js"
export * from "./OperationSource.js"
export * from "./promise.js"
export * from "./SdkError.js"
export * from "./StatusMapping.js"
export * from "./Waiter.js"
export * from "./WaitPolicy.js"
