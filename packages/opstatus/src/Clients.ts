/**
 * The AWS side of the one-line default: the region a client serves, the
 * client a response came from (`track`), the default chain's region, and the
 * clients of each service and region, made on first use the way the AWS SDK
 * makes them (region, profile, `AWS_ENDPOINT_URL[_<SERVICE>]`, the default
 * credential chain).
 *
 * @since 0.2.0
 */
import { CloudControlClient } from "@aws-sdk/client-cloudcontrol"
import { CloudFormationClient } from "@aws-sdk/client-cloudformation"
import { ECSClient } from "@aws-sdk/client-ecs"
import { LightsailClient } from "@aws-sdk/client-lightsail"
import { Route53Client } from "@aws-sdk/client-route-53"
import { ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery"
import { cloudControlSource } from "@opstatus/cloudcontrol"
import { cloudFormationSource } from "@opstatus/cloudformation"
import type { OperationSource } from "@opstatus/core"
import { invalidConfig } from "@opstatus/core/adapter-kit"
import { ecsSource } from "@opstatus/ecs"
import { lightsailSource } from "@opstatus/lightsail"
import { route53Source } from "@opstatus/route53"
import { serviceDiscoverySource } from "@opstatus/servicediscovery"
import { type SsmSapLike, ssmSapSource } from "@opstatus/ssm-sap"
import { type SsmSapCredentials, SsmSapHttpClient } from "@opstatus/ssm-sap/http"
import {
  booleanSelector,
  CONFIG_PREFIX_SEPARATOR,
  loadConfig,
  NODE_REGION_CONFIG_FILE_OPTIONS,
  NODE_REGION_CONFIG_OPTIONS,
  SelectorType
} from "@smithy/core/config"

/**
 * The services of the default, by their slugs.
 *
 * @since 0.2.0
 * @category models
 */
export type ServiceSlug =
  | "lightsail"
  | "servicediscovery"
  | "ssm-sap"
  | "cloudformation"
  | "ecs"
  | "cloudcontrol"
  | "route53"

/**
 * A client whose region opstatus can read: an AWS SDK v3 client (its
 * `config.region`, a string or a provider), or `SsmSapHttpClient`.
 *
 * @since 0.2.0
 * @category models
 */
export type AwsClient = { readonly config: { readonly region?: unknown } } | SsmSapHttpClient

/**
 * An AWS SDK v3 client (Smithy): its config and its middleware stack.
 *
 * @since 0.2.0
 * @category models
 */
export interface SmithyClient {
  readonly config: { readonly region?: unknown }
  readonly middlewareStack: { use(pluggable: { applyToStack(stack: any): void }): void }
}

/**
 * What `track` accepts: an AWS SDK v3 client (a middleware remembers each
 * response's client) or `SsmSapHttpClient` (its mutating methods do).
 *
 * @since 0.2.0
 * @category models
 */
export type TrackableClient = SmithyClient | SsmSapHttpClient

const textOf = (u: unknown): string | undefined =>
  typeof u === "string" && u.trim() !== "" ? u.trim() : undefined

/** A field of any value, or nothing; never throws (a getter or proxy that throws reads as absent). */
export const fieldOf = (u: unknown, key: string): unknown => {
  if ((typeof u !== "object" && typeof u !== "function") || u === null) return undefined
  try {
    return (u as Record<string, unknown>)[key]
  } catch {
    return undefined
  }
}

/** A string, or a provider of one (called detached, as the SDK's providers are). */
const readProvided = async (value: unknown): Promise<string | undefined> => {
  try {
    return textOf(typeof value === "function" ? await (value as () => unknown)() : value)
  } catch {
    return undefined
  }
}

/**
 * The region a client serves: its `config.region` (an AWS SDK v3 client's,
 * or `SsmSapHttpClient`'s: a string or a provider). `undefined` when it
 * cannot be told.
 *
 * @since 0.2.0
 * @category clients
 */
export const regionOfClient = (client: unknown): Promise<string | undefined> =>
  readProvided(fieldOf(fieldOf(client, "config"), "region"))

/**
 * The service a client is for: an AWS SDK v3 client's `config.serviceId`
 * (`Lightsail`, `ServiceDiscovery`, `Ssm Sap`, `CloudFormation`, `ECS`,
 * `CloudControl`, `Route 53`), or `ssm-sap` for `SsmSapHttpClient`.
 *
 * @since 0.2.0
 * @category clients
 */
export const serviceOfClient = (client: unknown): ServiceSlug | undefined => {
  if (client instanceof SsmSapHttpClient) return "ssm-sap"
  const id = textOf(fieldOf(fieldOf(client, "config"), "serviceId"))
    ?.toLowerCase()
    .replace(/[\s_-]/g, "")
  return id === undefined ? undefined : clientServices[id]
}

/** Each SDK `serviceId`, lower-case without spaces, dashes or underscores, to its slug. */
const clientServices: Readonly<Record<string, ServiceSlug | undefined>> = Object.assign(Object.create(null), {
  lightsail: "lightsail",
  servicediscovery: "servicediscovery",
  ssmsap: "ssm-sap",
  cloudformation: "cloudformation",
  ecs: "ecs",
  cloudcontrol: "cloudcontrol",
  route53: "route53"
})

/** Each tracked response, to the client that made it. */
const responses = new WeakMap<object, object>()
/** Each tracked response, to the input of the command that made it (a StackSet call's `StackSetName`). */
const commandInputs = new WeakMap<object, unknown>()
const tracked = new WeakSet<object>()

/**
 * The client a tracked response came from.
 *
 * @since 0.2.0
 * @category clients
 */
export const clientOfResponse = (response: unknown): object | undefined =>
  typeof response === "object" && response !== null ? responses.get(response) : undefined

/**
 * The input of the command a tracked response answered, where the client is an AWS SDK v3 one.
 *
 * @since 0.3.0
 * @category clients
 */
export const commandInputOfResponse = (response: unknown): unknown =>
  typeof response === "object" && response !== null ? commandInputs.get(response) : undefined

const remember = (response: unknown, client: object, input?: unknown): void => {
  if (typeof response !== "object" || response === null) return
  responses.set(response, client)
  if (input !== undefined) commandInputs.set(response, input)
}

/** The mutating methods of SSM for SAP that start operations. */
const ssmSapMutating = [
  "registerApplication",
  "startApplication",
  "stopApplication",
  "startApplicationRefresh",
  "updateApplicationSettings"
] as const

const middlewareName = "opstatusTrackResponses"

/**
 * Makes a client remember, for each response it returns, that it made it,
 * so that a wait on the response reads the operation in the client's region
 * without being told. On an AWS SDK v3 client it adds one middleware
 * (`client.middlewareStack`, initialize step, named `opstatusTrackResponses`);
 * on `SsmSapHttpClient` it wraps the instance's mutating methods. Returns
 * the same client; tracking it twice does nothing more. Throws
 * `InvalidConfig` (an `OpstatusError`) for anything else.
 *
 * @since 0.2.0
 * @category clients
 */
export const track = <C extends TrackableClient>(client: C): C => {
  if ((typeof client !== "object" && typeof client !== "function") || client === null) {
    throw invalidConfig(
      "track",
      "pass an AWS SDK v3 client (such as a LightsailClient) or an SsmSapHttpClient"
    )
  }
  if (tracked.has(client)) return client
  const stack = fieldOf(client, "middlewareStack")
  if (typeof fieldOf(stack, "use") === "function") {
    ;(client as SmithyClient).middlewareStack.use({
      applyToStack: (s: {
        add(middleware: unknown, options: { step: string; name: string; override: boolean }): void
      }) =>
        s.add(
          (next: (args: unknown) => Promise<{ output?: unknown }>) => async (args: unknown) => {
            const result = await next(args)
            remember(result?.output, client, (args as { readonly input?: unknown } | undefined)?.input)
            return result
          },
          { step: "initialize", name: middlewareName, override: true }
        )
    })
  } else if (client instanceof SsmSapHttpClient) {
    const target = client as unknown as Record<string, unknown>
    for (const name of ssmSapMutating) {
      const method = target[name]
      if (typeof method !== "function") continue
      Object.defineProperty(client, name, {
        configurable: true,
        writable: true,
        value: async (...args: Array<unknown>) => {
          const output: unknown = await method.apply(client, args)
          remember(output, client)
          return output
        }
      })
    }
  } else {
    throw invalidConfig(
      "track",
      "the client has no middleware stack: pass an AWS SDK v3 client (such as a LightsailClient) or an SsmSapHttpClient"
    )
  }
  tracked.add(client)
  return client
}

/**
 * The default region, as the AWS SDK and the AWS CLI find it: `AWS_REGION`,
 * then `AWS_DEFAULT_REGION`, then the profile's `region` (`AWS_PROFILE`, the
 * config and credentials files), then the EC2 instance's. `undefined` when
 * none names one.
 *
 * @since 0.2.0
 * @category clients
 */
export const defaultRegion = async (): Promise<string | undefined> => {
  const fromEnv = textOf(process.env.AWS_REGION) ?? textOf(process.env.AWS_DEFAULT_REGION)
  if (fromEnv !== undefined) return fromEnv
  try {
    return textOf(await loadConfig(NODE_REGION_CONFIG_OPTIONS, NODE_REGION_CONFIG_FILE_OPTIONS)())
  } catch {
    return undefined
  }
}

type Selected = Record<string, string | undefined>

/**
 * The SSM for SAP endpoint the AWS SDK would use, from the same settings:
 * `AWS_ENDPOINT_URL_SSM_SAP`, `AWS_ENDPOINT_URL`, the profile's `services`
 * section and `endpoint_url`, none when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`
 * (or the profile's `ignore_configured_endpoint_urls`) is true.
 *
 * @since 0.2.0
 * @category clients
 */
export const ssmSapEndpoint = async (): Promise<string | undefined> => {
  const ignore = await loadConfig<boolean>({
    environmentVariableSelector: (env) =>
      booleanSelector(env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", SelectorType.ENV),
    configFileSelector: (profile) =>
      booleanSelector(profile, "ignore_configured_endpoint_urls", SelectorType.CONFIG),
    default: false
  })()
  if (ignore === true) return undefined
  return loadConfig<string | undefined>({
    environmentVariableSelector: (env: Selected) =>
      textOf(env.AWS_ENDPOINT_URL_SSM_SAP) ?? textOf(env.AWS_ENDPOINT_URL),
    configFileSelector: (profile: Selected, config?: Record<string, Selected>) => {
      const services = textOf(profile.services)
      const section =
        services === undefined ? undefined : config?.[`services${CONFIG_PREFIX_SEPARATOR}${services}`]
      return (
        textOf(section?.[`ssm_sap${CONFIG_PREFIX_SEPARATOR}endpoint_url`]) ?? textOf(profile.endpoint_url)
      )
    },
    default: undefined
  })()
}

/**
 * The sources of the default over clients made per service and region on
 * first use, and how to destroy them.
 *
 * @since 0.2.0
 * @category models
 */
export interface DefaultSources {
  readonly sources: ReadonlyArray<OperationSource<any>>
  /** Destroys every client made (their sockets with them); later reads make new ones. */
  readonly destroy: () => void
}

const cached = <C>(map: Map<string, C>, region: string, make: () => C): C => {
  let client = map.get(region)
  if (client === undefined) {
    client = make()
    map.set(region, client)
  }
  return client
}

/**
 * An SSM for SAP client of one region that builds its `SsmSapHttpClient` on
 * first call, once the endpoint settings and the credential chain are read.
 */
const lazySsmSap = (region: string, credentials: () => Promise<SsmSapCredentials>): SsmSapLike => {
  let inner: Promise<SsmSapHttpClient> | undefined
  const client = () => {
    inner ??= ssmSapEndpoint().then(
      (endpoint) =>
        new SsmSapHttpClient({ region, credentials, ...(endpoint === undefined ? {} : { endpoint }) }),
      (error: unknown) => {
        // A settings file that cannot be read is tried again on the next call.
        inner = undefined
        throw error
      }
    )
    return inner
  }
  const call = (options: { readonly abortSignal?: AbortSignal | undefined } | undefined) =>
    options?.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }
  return {
    getOperation: (args, options) => client().then((c) => c.getOperation(args, call(options))),
    listOperations: (args, options) => client().then((c) => c.listOperations(args, call(options))),
    listOperationEvents: (args, options) => client().then((c) => c.listOperationEvents(args, call(options)))
  }
}

/**
 * Builds the sources of the seven services over clients made on first use,
 * one per service and region: the SDK clients given only their region (so
 * the SDK reads the profile, the endpoint settings and its default credential
 * chain itself; Route 53's one client signs for us-east-1), and `SsmSapHttpClient`
 * with the endpoint the SDK would use and `fromNodeProviderChain()`, loaded
 * and made once on the first SSM for SAP call.
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeDefaultSources = (): DefaultSources => {
  const lightsail = new Map<string, LightsailClient>()
  const cloudMap = new Map<string, ServiceDiscoveryClient>()
  const cloudFormation = new Map<string, CloudFormationClient>()
  const ecs = new Map<string, ECSClient>()
  const cloudControl = new Map<string, CloudControlClient>()
  const route53 = new Map<string, Route53Client>()
  const ssmSap = new Map<string, SsmSapLike>()
  let chain: Promise<() => Promise<SsmSapCredentials>> | undefined
  const credentials = (): Promise<SsmSapCredentials> => {
    chain ??= import("@aws-sdk/credential-providers").then(({ fromNodeProviderChain }) =>
      fromNodeProviderChain()
    )
    return chain.then((provider) => provider())
  }
  return {
    sources: [
      lightsailSource({
        clientFor: (region) => cached(lightsail, region, () => new LightsailClient({ region }))
      }),
      serviceDiscoverySource({
        clientFor: (region) => cached(cloudMap, region, () => new ServiceDiscoveryClient({ region }))
      }),
      ssmSapSource({ clientFor: (region) => cached(ssmSap, region, () => lazySsmSap(region, credentials)) }),
      cloudFormationSource({
        clientFor: (region) => cached(cloudFormation, region, () => new CloudFormationClient({ region }))
      }),
      ecsSource({ clientFor: (region) => cached(ecs, region, () => new ECSClient({ region })) }),
      cloudControlSource({
        clientFor: (region) => cached(cloudControl, region, () => new CloudControlClient({ region }))
      }),
      // Route 53 is global: its refs name "global", and its client signs for us-east-1.
      route53Source({
        clientFor: () => cached(route53, "global", () => new Route53Client({ region: "us-east-1" }))
      })
    ],
    destroy: () => {
      for (const map of [lightsail, cloudMap, cloudFormation, ecs, cloudControl, route53]) {
        for (const client of map.values()) client.destroy()
        map.clear()
      }
      // Each SSM for SAP call is one fetch: nothing of it stays open.
      ssmSap.clear()
    }
  }
}
