/**
 * The real clients, pointed at the emulator. The engine's SDK clients make one
 * attempt per request (the engine owns retries and must see every throttle to
 * adapt); the baseline's keep the SDK's default retry settings (standard
 * mode, 3 attempts), set explicitly so `AWS_MAX_ATTEMPTS` cannot leak in.
 * `SsmSapHttpClient` never retries, on either side.
 */
import { LightsailClient } from "@aws-sdk/client-lightsail"
import { ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery"
import { SsmSapHttpClient } from "@opstatus/ssm-sap/http"

export const region = "us-east-1"
const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "bench" }

export interface Clients {
  readonly lightsail: LightsailClient
  readonly cloudMap: ServiceDiscoveryClient
  readonly ssmSap: SsmSapHttpClient
  readonly destroy: () => void
}

export const makeClients = (endpoint: string, retries: "engine" | "sdk-default"): Clients => {
  const retry = retries === "engine" ? { maxAttempts: 1 } : { maxAttempts: 3, retryMode: "standard" }
  const config = { endpoint, region, credentials, ...retry }
  const lightsail = new LightsailClient(config)
  const cloudMap = new ServiceDiscoveryClient(config)
  const ssmSap = new SsmSapHttpClient({ endpoint, region, credentials })
  return {
    lightsail,
    cloudMap,
    ssmSap,
    destroy: () => {
      lightsail.destroy()
      cloudMap.destroy()
    }
  }
}
