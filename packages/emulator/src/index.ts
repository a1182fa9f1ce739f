/**
 * @opstatus/emulator: a loopback emulator of the Lightsail, Cloud Map, SSM for SAP,
 * CloudFormation, ECS, Cloud Control and Route 53 operation APIs for tests and benchmarks. The
 * SigV4 SSM for SAP client is `@opstatus/ssm-sap/http`.
 */
export { ADMIN_PREFIX } from "./Admin.js"
export { type CliIo, main, untilSignal } from "./Cli.js"
export { CANCEL_MS as CLOUD_CONTROL_CANCEL_MS, CLOUD_CONTROL_FAILURES } from "./CloudControl.js"
export { CLOUDFORMATION_FAILURES, STOP_MS as CLOUDFORMATION_STOP_MS } from "./CloudFormation.js"
export { CLOUD_MAP_FAILURES } from "./CloudMap.js"
export { ECS_DESCRIBE_LIMIT, ECS_FAILURES, ECS_STOP_MS, ECS_TARGET_PREFIX } from "./Ecs.js"
export {
  DEFAULT_MAX_BODY_BYTES,
  type Emulator,
  NonLoopbackHostError,
  type StartEmulatorOptions,
  startEmulator
} from "./Emulator.js"
export { accountIdFor } from "./internal/ids.js"
export { LIGHTSAIL_COMPLETED_TYPES, lightsailResourceType } from "./Lightsail.js"
export type { Counts, EmulatorMetrics, Outcome, ServiceMetrics } from "./Metrics.js"
export { OUTCOMES } from "./Metrics.js"
export {
  type CreateOperationInput,
  DEFAULT_DURATIONS,
  type Durations,
  type Faults,
  MAX_TIME_SCALE,
  MIN_TIME_SCALE,
  mergeScenario,
  parseCreateOperationInput,
  parseScenario,
  type Range,
  type RateLimit,
  type Scenario,
  ScenarioError,
  SERVICE_NAMES,
  type ServiceName,
  type ServiceScenario,
  type ServiceSettings
} from "./Scenario.js"
export {
  DEFAULT_ACCESS_KEY_ID,
  DEFAULT_REGION,
  type OperationSnapshot,
  type TransitionTarget
} from "./Simulation.js"
export { SSM_SAP_ROUTES } from "./SsmSap.js"
