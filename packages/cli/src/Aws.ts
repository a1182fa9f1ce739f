/**
 * AWS settings the way the AWS CLI reads them (`--region`, `--profile`, `--endpoint-url`,
 * `AWS_REGION`, `AWS_DEFAULT_REGION`, `AWS_PROFILE`, `AWS_ENDPOINT_URL[_<SERVICE>]`, the
 * profile's region in the config file, the default credential chain), and the clients and
 * sources built from them: one client per service and region, made on first use and
 * destroyed at the end.
 *
 * @since 0.1.0
 */
import { CloudControlClient } from "@aws-sdk/client-cloudcontrol"
import { CloudFormationClient } from "@aws-sdk/client-cloudformation"
import { ECSClient } from "@aws-sdk/client-ecs"
import { LightsailClient } from "@aws-sdk/client-lightsail"
import { Route53Client } from "@aws-sdk/client-route-53"
import { ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery"
import { fromNodeProviderChain } from "@aws-sdk/credential-providers"
import { type CloudControlQuery, cloudControlService, cloudControlSource } from "@opstatus/cloudcontrol"
import {
  type CloudFormationQuery,
  cloudFormationService,
  cloudFormationSource
} from "@opstatus/cloudformation"
import type { OperationSource, OpstatusError } from "@opstatus/core"
import { awsRegionPattern, classifySdkError, requestError } from "@opstatus/core/adapter-kit"
import { type EcsQuery, ecsService, ecsSource } from "@opstatus/ecs"
import { type LightsailQuery, lightsailService, lightsailSource } from "@opstatus/lightsail"
import { route53Service, route53Source } from "@opstatus/route53"
import {
  type ServiceDiscoveryQuery,
  serviceDiscoveryService,
  serviceDiscoverySource
} from "@opstatus/servicediscovery"
import { type SsmSapSource, ssmSapService, ssmSapSource } from "@opstatus/ssm-sap"
import { type SsmSapCredentials, SsmSapHttpClient } from "@opstatus/ssm-sap/http"
import { type CredentialsError, credentialsError, usageError } from "./Errors.js"
import type { Env } from "./Io.js"
import { endpointEnvName, services } from "./Services.js"

/**
 * The AWS flags of every command.
 *
 * @since 0.1.0
 * @category models
 */
export interface AwsFlags {
  readonly region?: string | undefined
  readonly profile?: string | undefined
  readonly endpointUrl?: string | undefined
}

/**
 * Resolved AWS settings.
 *
 * @since 0.1.0
 * @category models
 */
export interface AwsSettings {
  /** The default region; `undefined` when nothing names one. */
  readonly region: string | undefined
  /** The profile named by `--profile` or `AWS_PROFILE`. */
  readonly profile: string | undefined
  /** The endpoint of a service (by slug), when one is configured. */
  readonly endpointFor: (service: string) => string | undefined
}

/**
 * Checks a region code.
 *
 * @since 0.1.0
 * @category constructors
 */
export const checkRegion = (region: string, where: string): string => {
  if (!awsRegionPattern.test(region)) {
    throw usageError(`${where} "${region}" is not an AWS region code`, "Use a code like us-east-1")
  }
  return region
}

const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === "" ? undefined : value.trim()

const checkEndpoint = (value: string, where: string): string => {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw usageError(
      `${where} "${value}" is not a URL`,
      "Use a URL like https://lightsail.us-east-1.amazonaws.com"
    )
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw usageError(
      `${where} "${value}" is not an http or https URL`,
      "Use a URL like http://127.0.0.1:4566"
    )
  }
  return value
}

interface ProfileFiles {
  readonly configFile: Readonly<Record<string, Readonly<Record<string, string | undefined>>>>
  readonly credentialsFile: Readonly<Record<string, Readonly<Record<string, string | undefined>>>>
}

const loadProfiles = async (env: Env): Promise<ProfileFiles> => {
  try {
    const { loadSharedConfigFiles } = await import("@smithy/core/config")
    const configFilepath = nonEmpty(env.AWS_CONFIG_FILE)
    const filepath = nonEmpty(env.AWS_SHARED_CREDENTIALS_FILE)
    return (await loadSharedConfigFiles({
      ...(configFilepath === undefined ? {} : { configFilepath }),
      ...(filepath === undefined ? {} : { filepath }),
      ignoreCache: true
    })) as ProfileFiles
  } catch {
    return { configFile: {}, credentialsFile: {} }
  }
}

/**
 * Settings read without failing on a profile that does not exist: the CLI checks every
 * flag and ref first (usage, exit 2, wins over credentials, exit 4), then throws
 * `profileError`.
 *
 * @since 0.1.0
 * @category models
 */
export interface LoadedAwsSettings extends AwsSettings {
  /** A named profile that is in neither the config nor the credentials file (exit 4). */
  readonly profileError: CredentialsError | undefined
}

/**
 * Reads the settings (flags over the environment over the profile's config) and checks
 * the region and every endpoint; a missing profile is returned, not thrown.
 *
 * @since 0.1.0
 * @category constructors
 */
export const loadAwsSettings = async (flags: AwsFlags, env: Env): Promise<LoadedAwsSettings> => {
  const profile = nonEmpty(flags.profile) ?? nonEmpty(env.AWS_PROFILE)
  let region = nonEmpty(flags.region)
  if (region !== undefined) checkRegion(region, "--region")
  region ??= nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION)
  let profileError: CredentialsError | undefined
  if (region === undefined || profile !== undefined) {
    const files = await loadProfiles(env)
    const name = profile ?? "default"
    if (
      profile !== undefined &&
      !Object.hasOwn(files.configFile, name) &&
      !Object.hasOwn(files.credentialsFile, name)
    ) {
      profileError = credentialsError(
        `the profile "${profile}" is not in the AWS config or credentials file`,
        `Check --profile and AWS_PROFILE, or create it with: aws configure --profile ${profile}`
      )
    } else if (Object.hasOwn(files.configFile, name)) {
      region ??= nonEmpty(files.configFile[name]?.region)
    }
  }
  if (region !== undefined) checkRegion(region, "the region")
  const flagEndpoint = nonEmpty(flags.endpointUrl)
  if (flagEndpoint !== undefined) checkEndpoint(flagEndpoint, "--endpoint-url")
  const ignoreEnv = env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === "true"
  // Every endpoint is checked now, so a bad AWS_ENDPOINT_URL is a usage error before any request.
  const endpoints = new Map<string, string | undefined>(
    services.map((info): [string, string | undefined] => {
      if (flagEndpoint !== undefined) return [info.service, flagEndpoint]
      if (ignoreEnv) return [info.service, undefined]
      const name = endpointEnvName(info)
      const specific = nonEmpty(env[name])
      if (specific !== undefined) return [info.service, checkEndpoint(specific, name)]
      const general = nonEmpty(env.AWS_ENDPOINT_URL)
      return [info.service, general === undefined ? undefined : checkEndpoint(general, "AWS_ENDPOINT_URL")]
    })
  )
  return { region, profile, endpointFor: (service) => endpoints.get(service), profileError }
}

/**
 * Resolves the settings: flags over the environment over the profile's config. Throws
 * `CredentialsError` for a named profile that does not exist.
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolveAwsSettings = async (flags: AwsFlags, env: Env): Promise<AwsSettings> => {
  const { profileError, ...settings } = await loadAwsSettings(flags, env)
  if (profileError !== undefined) throw profileError
  return settings
}

/**
 * A credential provider, as the SDK's.
 *
 * @since 0.1.0
 * @category models
 */
export type CredentialProvider = () => Promise<SsmSapCredentials>

/**
 * The credentials: static keys from the environment when no profile is named (the first
 * link of the default chain), else the SDK's default chain for the profile. One provider
 * is shared by every client, so credentials are resolved once.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultCredentials = (settings: AwsSettings, env: Env): CredentialProvider => {
  const accessKeyId = nonEmpty(env.AWS_ACCESS_KEY_ID)
  const secretAccessKey = nonEmpty(env.AWS_SECRET_ACCESS_KEY)
  if (settings.profile === undefined && accessKeyId !== undefined && secretAccessKey !== undefined) {
    const sessionToken = nonEmpty(env.AWS_SESSION_TOKEN)
    const credentials: SsmSapCredentials = {
      accessKeyId,
      secretAccessKey,
      ...(sessionToken === undefined ? {} : { sessionToken })
    }
    return () => Promise.resolve(credentials)
  }
  const chain = fromNodeProviderChain(settings.profile === undefined ? {} : { profile: settings.profile })
  return () => chain()
}

/**
 * A failure of the credential provider, as the `OpstatusError` the request it was for
 * fails with. The one classifier reads it; what it cannot place is still a failure to
 * authenticate, since it came from the provider.
 *
 * @since 0.2.0
 * @category errors
 */
export const credentialsFailure = (service: string, error: unknown): OpstatusError => {
  const classified = classifySdkError(service, { notFound: [] }, error)
  const reason = classified.reason
  if (reason._tag !== "UnknownServiceError") return classified
  return requestError("Unauthenticated", {
    service,
    code: reason.code,
    serviceMessage: reason.serviceMessage,
    requestId: reason.requestId,
    httpStatus: reason.httpStatus
  })
}

/** The provider of one service's clients: its failures fail that service's requests, typed. */
const classified =
  (service: string, provider: CredentialProvider): CredentialProvider =>
  () =>
    provider().catch((error: unknown) => Promise.reject(credentialsFailure(service, error)))

/**
 * The clients and sources of one run.
 *
 * @since 0.1.0
 * @category models
 */
export interface Aws {
  readonly sources: ReadonlyArray<OperationSource<any>>
  readonly lightsail: OperationSource<LightsailQuery>
  readonly serviceDiscovery: OperationSource<ServiceDiscoveryQuery>
  readonly ssmSap: SsmSapSource
  readonly cloudFormation: OperationSource<CloudFormationQuery>
  readonly ecs: OperationSource<EcsQuery>
  readonly cloudControl: OperationSource<CloudControlQuery>
  /** Destroys every client made, so no socket keeps the process alive. */
  readonly destroy: () => void
}

/**
 * Builds the sources over clients made per region on first use.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeAws = (
  settings: AwsSettings,
  credentials: CredentialProvider,
  options: { readonly includeSteps?: boolean | undefined } = {}
): Aws => {
  const lightsailClients = new Map<string, LightsailClient>()
  const cloudMapClients = new Map<string, ServiceDiscoveryClient>()
  const ssmSapClients = new Map<string, SsmSapHttpClient>()
  const cloudFormationClients = new Map<string, CloudFormationClient>()
  const ecsClients = new Map<string, ECSClient>()
  const cloudControlClients = new Map<string, CloudControlClient>()
  const route53Clients = new Map<string, Route53Client>()
  const sdkConfig = (service: string, region: string) => {
    const endpoint = settings.endpointFor(service)
    return {
      region,
      credentials: classified(service, credentials),
      retryMode: "standard",
      ...(endpoint === undefined ? {} : { endpoint }),
      ...(settings.profile === undefined ? {} : { profile: settings.profile })
    }
  }
  const cached = <C>(map: Map<string, C>, region: string, make: () => C): C => {
    let client = map.get(region)
    if (client === undefined) {
      client = make()
      map.set(region, client)
    }
    return client
  }
  const lightsail = lightsailSource({
    clientFor: (region) =>
      cached(lightsailClients, region, () => new LightsailClient(sdkConfig(lightsailService.service, region)))
  })
  const serviceDiscovery = serviceDiscoverySource({
    clientFor: (region) =>
      cached(
        cloudMapClients,
        region,
        () => new ServiceDiscoveryClient(sdkConfig(serviceDiscoveryService.service, region))
      )
  })
  const ssmSap = ssmSapSource({
    includeSteps: options.includeSteps === true,
    clientFor: (region) =>
      cached(ssmSapClients, region, () => {
        const endpoint = settings.endpointFor(ssmSapService.service)
        return new SsmSapHttpClient({
          region,
          credentials: classified(ssmSapService.service, credentials),
          ...(endpoint === undefined ? {} : { endpoint })
        })
      })
  })
  const cloudFormation = cloudFormationSource({
    clientFor: (region) =>
      cached(
        cloudFormationClients,
        region,
        () => new CloudFormationClient(sdkConfig(cloudFormationService.service, region))
      )
  })
  const ecs = ecsSource({
    clientFor: (region) =>
      cached(ecsClients, region, () => new ECSClient(sdkConfig(ecsService.service, region)))
  })
  const cloudControl = cloudControlSource({
    clientFor: (region) =>
      cached(
        cloudControlClients,
        region,
        () => new CloudControlClient(sdkConfig(cloudControlService.service, region))
      )
  })
  // Route 53 is global: its refs name "global", and its one client signs for us-east-1.
  const route53 = route53Source({
    clientFor: () =>
      cached(
        route53Clients,
        "global",
        () => new Route53Client(sdkConfig(route53Service.service, "us-east-1"))
      )
  })
  return {
    sources: [lightsail, serviceDiscovery, ssmSap, cloudFormation, ecs, cloudControl, route53],
    lightsail,
    serviceDiscovery,
    ssmSap,
    cloudFormation,
    ecs,
    cloudControl,
    destroy: () => {
      for (const map of [
        lightsailClients,
        cloudMapClients,
        cloudFormationClients,
        ecsClients,
        cloudControlClients,
        route53Clients
      ]) {
        for (const client of map.values()) client.destroy()
        map.clear()
      }
      // The SSM for SAP client holds nothing open: each call is one fetch.
      ssmSapClients.clear()
    }
  }
}

/**
 * Throws the settings' `profileError`, if any: called once every flag and ref is checked.
 *
 * @since 0.2.0
 * @category constructors
 */
export const requireProfile = (settings: LoadedAwsSettings): void => {
  if (settings.profileError !== undefined) throw settings.profileError
}

/**
 * Runs `use` with the clients and sources of the settings (credentials from the default
 * chain), and destroys every client made when `use` settles.
 *
 * @since 0.2.0
 * @category constructors
 */
export const withAws = async <A>(
  settings: AwsSettings,
  env: Env,
  options: { readonly includeSteps?: boolean | undefined },
  use: (aws: Aws) => Promise<A>
): Promise<A> => {
  const aws = makeAws(settings, defaultCredentials(settings, env), options)
  try {
    return await use(aws)
  } finally {
    aws.destroy()
  }
}
