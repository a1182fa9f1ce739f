/**
 * The services the CLI knows: the seven adapters' `ServiceInfo`s, which say each one's
 * slug, title, ID rule, ref hints, default policy and status table. Everything the CLI
 * does with a service comes from them; the help texts read `Catalog`, a copy of what they
 * need that a test checks against these declarations.
 *
 * @since 0.2.0
 */
import { cloudControlService } from "@opstatus/cloudcontrol"
import { cloudFormationService } from "@opstatus/cloudformation"
import { resolvePolicy, type ServiceInfo, type WaitPolicy } from "@opstatus/core"
import { ecsService } from "@opstatus/ecs"
import { lightsailService } from "@opstatus/lightsail"
import { route53Service } from "@opstatus/route53"
import { serviceDiscoveryService } from "@opstatus/servicediscovery"
import { ssmSapService } from "@opstatus/ssm-sap"
import * as Effect from "effect/Effect"
import { serviceSlugOf, slugList } from "./Catalog.js"
import { usageError } from "./Errors.js"

/**
 * The services, in the order the CLI lists them.
 *
 * @since 0.2.0
 * @category models
 */
export const services: ReadonlyArray<ServiceInfo> = [
  lightsailService,
  serviceDiscoveryService,
  ssmSapService,
  cloudFormationService,
  ecsService,
  cloudControlService,
  route53Service
]

/**
 * The service of a slug or alias, in any case; `undefined` for a name it does not know.
 *
 * @since 0.2.0
 * @category models
 */
export const findService = (name: string): ServiceInfo | undefined => {
  const slug = serviceSlugOf(name)
  return slug === undefined ? undefined : services.find((info) => info.service === slug)
}

/**
 * Reads a service name given on the command line (`--service`, `list <service>`), or
 * throws a `UsageError` naming the flag.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parseService = (value: string, flag = "--service"): ServiceInfo => {
  const info = findService(value)
  if (info === undefined) {
    throw usageError(`${flag} "${value}" is not a service opstatus knows`, `Use one of ${slugList()}`)
  }
  return info
}

const policies = new Map<string, WaitPolicy>(
  services.map((info): [string, WaitPolicy] => [info.service, Effect.runSync(resolvePolicy(info.defaults))])
)

/**
 * A service's default policy in milliseconds, as its adapter declares it.
 *
 * @since 0.2.0
 * @category models
 */
export const defaultPolicyOf = (info: ServiceInfo): WaitPolicy =>
  policies.get(info.service) ?? Effect.runSync(resolvePolicy(info.defaults))

/**
 * The environment variable of a service's endpoint, by the AWS rule (the SDK's service ID in
 * capitals, spaces and dashes as underscores): `AWS_ENDPOINT_URL_SSM_SAP`,
 * `AWS_ENDPOINT_URL_ROUTE_53` (its service ID is `Route 53`).
 *
 * @since 0.2.0
 * @category models
 */
export const endpointEnvName = (info: ServiceInfo): string =>
  `AWS_ENDPOINT_URL_${(info.service === "route53" ? "route 53" : info.service).toUpperCase().replace(/[^A-Z0-9]/g, "_")}`
