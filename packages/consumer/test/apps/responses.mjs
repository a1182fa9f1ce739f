// A mutating call's response, straight to a wait, for each of the three services.
import { CreateInstancesCommand, LightsailClient } from "@aws-sdk/client-lightsail"
import { RegisterInstanceCommand, ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery"
import { SsmSapHttpClient, waitForSuccess } from "opstatus"

const quick = { minDelay: 50, maxDelay: 100 }
const lightsail = new LightsailClient({})
const created = await lightsail.send(
  new CreateInstancesCommand({
    instanceNames: ["web-1"],
    availabilityZone: "us-east-1a",
    blueprintId: "ubuntu_22_04",
    bundleId: "nano_3_0"
  })
)
const [instance] = await waitForSuccess(created, quick)

const cloudMap = new ServiceDiscoveryClient({})
const registered = await cloudMap.send(
  new RegisterInstanceCommand({
    ServiceId: process.argv[2],
    InstanceId: "i-1",
    Attributes: { AWS_INSTANCE_IPV4: "10.0.0.1" }
  })
)
const registration = await waitForSuccess(registered, { ...quick, client: cloudMap })

const ssmSap = new SsmSapHttpClient({
  region: process.env.AWS_REGION,
  endpoint: process.env.AWS_ENDPOINT_URL,
  credentials: {
    accessKeyId: process.env.AWS_ACCESS_KEY_ID,
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY
  }
})
const started = await ssmSap.startApplication({ ApplicationId: process.argv[3] })
const start = await waitForSuccess(started, { ...quick, client: ssmSap })

console.log(JSON.stringify([instance, registration, start].map((op) => `${op.ref.service}:${op.status}`)))
