/**
 * The one-line API over the four services of 0.3: each service's mutating response, made by
 * the real SDK client against the emulator, goes straight to a wait; `cancel` stops what the
 * service can stop and refuses, before any request, what it cannot. The default instance
 * makes its own clients from the environment (`AWS_ENDPOINT_URL` points at the emulator).
 */
import { CloudControlClient, CreateResourceCommand } from "@aws-sdk/client-cloudcontrol"
import {
  CloudFormationClient,
  CreateStackInstancesCommand,
  CreateStackSetCommand
} from "@aws-sdk/client-cloudformation"
import { CreateServiceCommand, ECSClient } from "@aws-sdk/client-ecs"
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  Route53Client
} from "@aws-sdk/client-route-53"
import type { Emulator } from "@opstatus/emulator"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { cancel, close, refsOf, track, waitForSuccess, waitForTerminal } from "../src/index.js"
import {
  credentials,
  defaultRegion,
  otherRegion,
  quick,
  reasonOf,
  rejection,
  start,
  stubAwsEnv
} from "./helpers.js"

describe("the four services of 0.3, in one line", () => {
  let emulator: Emulator
  const made: Array<{ destroy(): void }> = []
  const config = (region: string) => ({ region, endpoint: emulator.endpoint, credentials, maxAttempts: 1 })
  const client = <C extends { destroy(): void }>(c: C): C => {
    made.push(c)
    return c
  }

  beforeAll(async () => {
    emulator = await start()
    stubAwsEnv(emulator.endpoint)
  })
  afterAll(async () => {
    await close()
    for (const c of made) c.destroy()
    vi.unstubAllEnvs()
    await emulator.stop()
  })

  it("ECS: CreateService's response, in the deployment ARN's own region", async () => {
    const ecs = client(new ECSClient(config(otherRegion)))
    const response = await ecs.send(
      new CreateServiceCommand({
        cluster: "prod",
        serviceName: "one-line",
        desiredCount: 1,
        taskDefinition: "app:1"
      })
    )
    const operation = await waitForSuccess(response, quick)
    expect(operation.ref).toMatchObject({ service: "ecs", region: otherRegion })
    expect(operation.rawStatus).toBe("SUCCESSFUL")
  })

  it("Cloud Control: CreateResource's ProgressEvent, in the default region", async () => {
    const cloudControl = client(new CloudControlClient(config(defaultRegion)))
    const response = await cloudControl.send(
      new CreateResourceCommand({ TypeName: "AWS::SQS::Queue", DesiredState: '{"QueueName":"one-line"}' })
    )
    const operation = await waitForSuccess(response, quick)
    expect(operation.ref).toMatchObject({ service: "cloudcontrol", region: defaultRegion })
    expect(operation.ref.id).toBe(response.ProgressEvent?.RequestToken)
    expect(operation.resource.type).toBe("AWS::SQS::Queue")
  })

  it("Route 53: a ChangeInfo, in the pseudo-region global", async () => {
    const route53 = client(new Route53Client(config("us-east-1")))
    const zone = await route53.send(
      new CreateHostedZoneCommand({ Name: "one.example.", CallerReference: "one" })
    )
    const change = await route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zone.HostedZone!.Id!,
        ChangeBatch: {
          Changes: [
            {
              Action: "UPSERT",
              ResourceRecordSet: {
                Name: "a.one.example.",
                Type: "A",
                TTL: 60,
                ResourceRecords: [{ Value: "192.0.2.9" }]
              }
            }
          ]
        }
      })
    )
    const [zoneDone, changeDone] = await Promise.all([
      waitForSuccess(zone, quick),
      waitForSuccess(change, quick)
    ])
    expect(zoneDone.ref.region).toBe("global")
    expect(changeDone.rawStatus).toBe("INSYNC")
  })

  it("CloudFormation: a tracked client's StackSet call names its stack set; else stackSetName does", async () => {
    const cfn = client(track(new CloudFormationClient(config(otherRegion))))
    await cfn.send(new CreateStackSetCommand({ StackSetName: "tracked", TemplateBody: "{}" }))
    const tracked = await cfn.send(
      new CreateStackInstancesCommand({
        StackSetName: "tracked",
        Accounts: ["111111111111"],
        Regions: [otherRegion]
      })
    )
    const operation = await waitForSuccess(tracked, quick)
    expect(operation.ref).toMatchObject({ service: "cloudformation", region: otherRegion })
    expect(operation.ref.id).toBe(`tracked/${tracked.OperationId}`)
    expect(operation.steps).toHaveLength(1)

    const plain = client(new CloudFormationClient(config(defaultRegion)))
    await plain.send(new CreateStackSetCommand({ StackSetName: "given", TemplateBody: "{}" }))
    const given = await plain.send(
      new CreateStackInstancesCommand({
        StackSetName: "given",
        Accounts: ["111111111111"],
        Regions: [defaultRegion]
      })
    )
    expect((await refsOf(given, { stackSetName: "given" }))[0]?.id).toBe(`given/${given.OperationId}`)
    expect((await waitForSuccess(given, { ...quick, stackSetName: "given" })).status).toBe("succeeded")
  })

  it("cancel: a Cloud Control request ends cancelled; Route 53 is refused before any request", async () => {
    const cloudControl = client(new CloudControlClient(config(defaultRegion)))
    const response = await cloudControl.send(
      new CreateResourceCommand({ TypeName: "AWS::SQS::Queue", DesiredState: '{"QueueName":"stopped"}' })
    )
    // Held running, it cannot end before the cancel.
    emulator.transition("cloudcontrol", response.ProgressEvent!.RequestToken!, "running")
    await cancel(response)
    const operation = await waitForTerminal(response, quick)
    expect([operation.status, operation.rawStatus]).toEqual(["cancelled", "CANCEL_COMPLETE"])
    const failed = await rejection(waitForSuccess(response, quick))
    expect(reasonOf(failed)._tag).toBe("OperationFailed")

    const { id } = emulator.createOperation({ service: "route53" })
    const before = emulator.metrics().services.route53.counts.total
    const refused = await rejection(cancel(`route53:global:${id}`))
    expect(reasonOf(refused)._tag).toBe("CancelNotSupported")
    expect(emulator.metrics().services.route53.counts.total).toBe(before)
  })
})
