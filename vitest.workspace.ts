/**
 * The one list of test projects. Vitest 4 reads projects from
 * `vitest.config.ts`, which imports this list.
 */
export const projects = [
  "packages/core",
  "packages/lightsail",
  "packages/servicediscovery",
  "packages/ssm-sap",
  "packages/cloudformation",
  "packages/ecs",
  "packages/cloudcontrol",
  "packages/route53",
  "packages/emulator",
  "packages/e2e",
  "packages/bench",
  "packages/cli",
  "packages/opstatus",
  "packages/docs-check",
  "packages/consumer",
  "packages/reliability/chaos",
  "packages/reliability/fuzz",
  "packages/reliability/leaks",
  "packages/reliability/secrets",
  "scripts"
]
