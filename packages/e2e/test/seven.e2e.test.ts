/**
 * All seven services at once: one emulator, the seven real SDK clients, one
 * `createOperationStatus` over the seven sources. Operations are started by
 * the services' own mutating calls (their responses become refs and
 * snapshots), each runs until the test ends it: a success, a failure with
 * the service's own code, a rollback, a cancel through `cancel(ref)`. One
 * fleet wait follows them all; the emulator's counters are the truth of what
 * was read.
 */
import { CloudControlClient, CreateResourceCommand } from "@aws-sdk/client-cloudcontrol"
import {
  CloudFormationClient,
  CreateStackInstancesCommand,
  CreateStackSetCommand
} from "@aws-sdk/client-cloudformation"
import { CreateServiceCommand, ECSClient } from "@aws-sdk/client-ecs"
import { CreateInstancesCommand } from "@aws-sdk/client-lightsail"
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  Route53Client
} from "@aws-sdk/client-route-53"
import { RegisterInstanceCommand } from "@aws-sdk/client-servicediscovery"
import { operationsFromResponse as cloudControlOperations, cloudControlSource } from "@opstatus/cloudcontrol"
import { refsFromResponse as cloudFormationRefs, cloudFormationSource } from "@opstatus/cloudformation"
import {
  createOperationStatus,
  isOperation,
  type Operation,
  type OperationRef,
  type Waitable,
  type WaitOutcome
} from "@opstatus/core"
import { refsFromResponse as ecsRefs, ecsSource } from "@opstatus/ecs"
import type { Scenario, ServiceName } from "@opstatus/emulator"
import { operationsFromResponse as lightsailOperations } from "@opstatus/lightsail"
import { operationsFromResponse as route53Operations, route53Source } from "@opstatus/route53"
import { refFromResponse as cloudMapRef } from "@opstatus/servicediscovery"
import { describe, expect, it } from "vitest"
import { quick, reasonOf, region, rejection, withStack } from "./harness.js"

/** Nothing ends by itself within a test: about three simulated hours at ten times real time. */
const held = { durations: { queuedMs: [500, 500] as const, runningMs: [10_000_000, 10_000_000] as const } }
const scenario: Scenario = {
  services: {
    lightsail: held,
    servicediscovery: held,
    "ssm-sap": held,
    cloudformation: held,
    ecs: held,
    cloudcontrol: held,
    route53: held
  }
}

const refOf = (input: Waitable): OperationRef => (isOperation(input) ? input.ref : (input as OperationRef))

describe("fleet waits across all seven services", () => {
  it("one waitForAll: successes, failures with each service's code, an ECS rollback, and cancels", async () => {
    await withStack({ scenario, timeScale: 10 }, async (stack) => {
      const { emulator } = stack
      const config = {
        endpoint: emulator.endpoint,
        region,
        credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "x" },
        maxAttempts: 1
      }
      const cloudFormation = new CloudFormationClient(config)
      const ecs = new ECSClient(config)
      const cloudControl = new CloudControlClient(config)
      const route53 = new Route53Client(config)
      const status = createOperationStatus({
        sources: [
          ...stack.sources,
          cloudFormationSource({ client: cloudFormation }),
          ecsSource({ client: ecs }),
          cloudControlSource({ client: cloudControl }),
          route53Source({ client: route53 })
        ],
        fleet: { rateLimit: { start: 100, max: 200 } },
        onWarning: () => {}
      })
      try {
        // Lightsail: three instances, full operations in the response.
        const instances = lightsailOperations(
          await stack.lightsail.send(
            new CreateInstancesCommand({
              instanceNames: ["web-1", "web-2", "web-3"],
              availabilityZone: `${region}a`,
              blueprintId: "ubuntu_22_04",
              bundleId: "nano_3_0"
            })
          )
        )
        // Cloud Map: two registrations, { OperationId }.
        const registrations = await Promise.all(
          ["i-1", "i-2"].map(
            async (instanceId) =>
              cloudMapRef(
                await stack.cloudMap.send(
                  new RegisterInstanceCommand({
                    ServiceId: "srv-seven",
                    InstanceId: instanceId,
                    Attributes: { AWS_INSTANCE_IPV4: "192.0.2.1" }
                  })
                ),
                { region }
              )!
          )
        )
        // SSM for SAP: two operations the emulator starts.
        const sap = [0, 1].map((): OperationRef => {
          const { id } = emulator.createOperation({ service: "ssm-sap", applicationId: "hana" })
          return { service: "ssm-sap", region, id }
        })
        // CloudFormation: two stack sets, one operation each ({ OperationId } and the stack set).
        const stackSets: Array<OperationRef> = []
        for (const name of ["set-a", "set-b"]) {
          await cloudFormation.send(new CreateStackSetCommand({ StackSetName: name, TemplateBody: "{}" }))
          const response = await cloudFormation.send(
            new CreateStackInstancesCommand({
              StackSetName: name,
              Accounts: ["111111111111", "222222222222"],
              Regions: ["us-east-1", "eu-west-1"]
            })
          )
          stackSets.push(...cloudFormationRefs(response, { region, stackSetName: name }))
        }
        // ECS: two services' first deployments, and one that will fail and roll back.
        const deployments: Array<OperationRef> = []
        for (const serviceName of ["api", "worker"]) {
          const response = await ecs.send(
            new CreateServiceCommand({
              cluster: "prod",
              serviceName,
              desiredCount: 2,
              taskDefinition: "app:1"
            })
          )
          deployments.push(...ecsRefs(response))
        }
        const rollback = emulator.createOperation({
          service: "ecs",
          cluster: "prod",
          serviceName: "batch",
          outcome: "rollback",
          durationMs: 20_000
        })
        const rolledBack = ecsRefs(rollback.wire)
        // Cloud Control: three requests, each response a ProgressEvent.
        const requests: Array<Operation> = []
        for (const name of ["q1", "q2", "q3"]) {
          const response = await cloudControl.send(
            new CreateResourceCommand({
              TypeName: "AWS::SQS::Queue",
              DesiredState: JSON.stringify({ QueueName: name })
            })
          )
          requests.push(...cloudControlOperations(response, { region }))
        }
        // Route 53: a hosted zone and a record change, each response a ChangeInfo.
        const zone = await route53.send(
          new CreateHostedZoneCommand({ Name: "seven.example.", CallerReference: "seven" })
        )
        const changes = [
          ...route53Operations(zone),
          ...route53Operations(
            await route53.send(
              new ChangeResourceRecordSetsCommand({
                HostedZoneId: zone.HostedZone!.Id!,
                ChangeBatch: {
                  Changes: [
                    {
                      Action: "UPSERT",
                      ResourceRecordSet: {
                        Name: "www.seven.example.",
                        Type: "A",
                        TTL: 60,
                        ResourceRecords: [{ Value: "192.0.2.7" }]
                      }
                    }
                  ]
                }
              })
            )
          )
        ]

        const inputs: Array<Waitable> = [
          ...instances,
          ...registrations,
          ...sap,
          ...stackSets,
          ...deployments,
          ...rolledBack,
          ...requests,
          ...changes
        ]
        expect(inputs).toHaveLength(3 + 2 + 2 + 2 + 2 + 1 + 3 + 2)
        expect(new Set(inputs.map((i) => refOf(i).service))).toEqual(
          new Set([
            "lightsail",
            "servicediscovery",
            "ssm-sap",
            "cloudformation",
            "ecs",
            "cloudcontrol",
            "route53"
          ])
        )

        // Route 53 cannot cancel: refused before any request.
        const before = emulator.metrics().services.route53.counts.total
        const refused = await rejection(status.cancel(changes[0]!))
        expect(reasonOf(refused)._tag).toBe("CancelNotSupported")
        expect(emulator.metrics().services.route53.counts.total).toBe(before)

        const waiting = status.waitForAll(inputs, quick)
        // Awaited below; should the test fail before that, closing the status must not leave it unhandled.
        waiting.catch(() => undefined)

        // How each ends: forced now, or cancelled through opstatus.
        const end = (ref: OperationRef, to: "succeeded" | "failed", errorCode?: string) =>
          emulator.transition(
            ref.service as ServiceName,
            // The emulator knows a StackSet operation by its operation ID, the part after the stack set.
            ref.service === "cloudformation" ? ref.id.split("/").at(-1)! : ref.id,
            to,
            errorCode === undefined ? undefined : { errorCode }
          )
        end(refOf(instances[0]!), "succeeded")
        end(refOf(instances[1]!), "failed", "InsufficientCapacity")
        end(refOf(instances[2]!), "succeeded")
        end(registrations[0]!, "succeeded")
        end(registrations[1]!, "failed", "INTERNAL_FAILURE")
        end(sap[0]!, "succeeded")
        end(sap[1]!, "failed")
        end(stackSets[0]!, "succeeded")
        end(deployments[0]!, "succeeded")
        end(refOf(requests[0]!), "succeeded")
        end(refOf(requests[1]!), "failed", "NotStabilized")
        for (const change of changes) end(refOf(change), "succeeded")
        await status.cancel(stackSets[1]!)
        await status.cancel(deployments[1]!)
        await status.cancel(requests[2]!)

        const outcomes = await waiting
        const byKey = new Map<string, WaitOutcome>()
        for (const [i, outcome] of outcomes.entries()) {
          byKey.set(`${refOf(inputs[i]!).service}:${refOf(inputs[i]!).id}`, outcome)
        }
        const result = (input: Waitable) => {
          const outcome = byKey.get(`${refOf(input).service}:${refOf(input).id}`)!
          expect(outcome.ok, JSON.stringify(outcome)).toBe(true)
          const op = (outcome as Extract<WaitOutcome, { ok: true }>).operation
          return { status: op.status, code: op.error?.code, terminal: op.terminal }
        }
        expect(result(instances[0]!)).toEqual({ status: "succeeded", code: undefined, terminal: true })
        expect(result(instances[1]!)).toMatchObject({ status: "failed", code: "InsufficientCapacity" })
        expect(result(registrations[1]!)).toMatchObject({ status: "failed", code: "INTERNAL_FAILURE" })
        expect(result(sap[0]!).status).toBe("succeeded")
        expect(result(sap[1]!).status).toBe("failed")
        expect(result(stackSets[0]!).status).toBe("succeeded")
        expect(result(stackSets[1]!).status).toBe("cancelled")
        expect(result(deployments[0]!).status).toBe("succeeded")
        expect(result(deployments[1]!).status).toBe("cancelled")
        // A rolled-back deployment is a failure whose error names the rollback, never a success.
        expect(result(rolledBack[0]!)).toMatchObject({ status: "failed", code: "RolledBack" })
        expect(result(requests[0]!).status).toBe("succeeded")
        expect(result(requests[1]!)).toMatchObject({ status: "failed", code: "NotStabilized" })
        expect(result(requests[2]!).status).toBe("cancelled")
        for (const change of changes) expect(result(change).status).toBe("succeeded")

        // The CloudFormation operation that succeeded reports each account and region as a step.
        const set = (byKey.get(`cloudformation:${stackSets[0]!.id}`) as Extract<WaitOutcome, { ok: true }>)
          .operation
        expect(set.steps?.map((s) => s.resource?.name).sort()).toEqual([
          "111111111111/eu-west-1",
          "111111111111/us-east-1",
          "222222222222/eu-west-1",
          "222222222222/us-east-1"
        ])

        // Every service was read, and nothing was throttled into an outcome.
        const metrics = emulator.metrics().services
        for (const service of [
          "lightsail",
          "servicediscovery",
          "ssm-sap",
          "cloudformation",
          "ecs",
          "cloudcontrol",
          "route53"
        ] as const) {
          expect(metrics[service].counts.ok, service).toBeGreaterThan(0)
        }
        // The ECS deployments were read together (DescribeServiceDeployments takes 20 ARNs).
        expect(metrics.ecs.byOperation.DescribeServiceDeployments?.ok ?? 0).toBeGreaterThan(0)
        expect(outcomes.every((o) => o.ok)).toBe(true)
      } finally {
        await status.close()
        cloudFormation.destroy()
        ecs.destroy()
        cloudControl.destroy()
        route53.destroy()
      }
    })
  })
})
