/**
 * The command with the four services of 0.3, in this process through `run`, against the
 * emulator: refs of each waited, each service's mutating response piped in as the AWS CLI
 * prints it (made here by the real SDK clients, dates as ISO strings), `cancel` with and
 * without `--wait`, a cancel refused before any request, `list` of each, and bad input
 * refused before any request.
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
import type { Emulator, ServiceName } from "@opstatus/emulator"
import { describe, expect, it } from "vitest"
import { emulator, expectExit, explain, fast, jsonLines, runInProcess } from "./helpers.js"

const region = "us-east-1"

/** Nothing ends by itself: a test ends each operation, or cancels it. */
const held = (() => {
  const durations = { queuedMs: [200, 200] as const, runningMs: [100_000_000, 100_000_000] as const }
  return {
    services: {
      cloudformation: { durations },
      ecs: { durations },
      cloudcontrol: { durations },
      route53: { durations }
    }
  }
})()

const env = (emu: Emulator) => ({ AWS_ENDPOINT_URL: emu.endpoint })

const clientConfig = (emu: Emulator) => ({
  endpoint: emu.endpoint,
  region,
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "emulator" },
  maxAttempts: 1
})

/** A response as the AWS CLI prints it: without `$metadata`, dates as ISO strings. */
const printed = (response: object): string => {
  const { $metadata: _, ...rest } = response as Record<string, unknown>
  return JSON.stringify(rest)
}

/** The emulator's ID of an operation: a StackSet operation's is the part after its stack set. */
const emulatorId = (service: ServiceName, id: string) =>
  service === "cloudformation" ? id.split("/").at(-1)! : id

const refsOf = (emu: Emulator) => {
  const cfn = emu.createOperation({ service: "cloudformation", stackSetName: "web" })
  const ecs = emu.createOperation({ service: "ecs", cluster: "prod", serviceName: "api" })
  const cc = emu.createOperation({ service: "cloudcontrol", typeName: "AWS::SQS::Queue" })
  const r53 = emu.createOperation({ service: "route53" })
  return {
    cloudformation: `cloudformation:${region}:web/${cfn.id}`,
    ecs: `ecs:${region}:${ecs.id}`,
    cloudcontrol: `cloudcontrol:${region}:${cc.id}`,
    route53: `route53:global:${r53.id}`
  }
}

describe.concurrent("the four services of 0.3 in the command", () => {
  it("wait: a ref of each, to its end, with the services' own statuses in --json", async (ctx) => {
    const emu = await emulator(ctx, { timeScale: 100, scenario: held })
    const refs = refsOf(emu)
    for (const [service, ref] of Object.entries(refs)) {
      emu.transition(
        service as ServiceName,
        emulatorId(service as ServiceName, ref.split(":").slice(2).join(":")),
        "succeeded"
      )
    }
    const result = await runInProcess(["wait", "--json", "--success", ...fast, ...Object.values(refs)], {
      env: env(emu)
    })
    expectExit(result, 0)
    explain(result, () => {
      const done = jsonLines(result.stdout).find((line) => line.event === "done")!
      expect(done.summary.byStatus).toEqual({ succeeded: 4 })
      const raw = Object.fromEntries(
        (done.operations as Array<{ ref: { service: string }; rawStatus: string }>).map((op) => [
          op.ref.service,
          op.rawStatus
        ])
      )
      expect(raw).toEqual({
        cloudformation: "SUCCEEDED",
        ecs: "SUCCESSFUL",
        cloudcontrol: "SUCCESS",
        route53: "INSYNC"
      })
    })
  })

  it("piped responses of each service, as the AWS CLI prints them", async (ctx) => {
    const emu = await emulator(ctx, { timeScale: 100, scenario: held })
    const config = clientConfig(emu)
    const cloudFormation = new CloudFormationClient(config)
    const ecs = new ECSClient(config)
    const cloudControl = new CloudControlClient(config)
    const route53 = new Route53Client(config)
    ctx.onTestFinished(() => {
      for (const client of [cloudFormation, ecs, cloudControl, route53]) client.destroy()
    })
    await cloudFormation.send(new CreateStackSetCommand({ StackSetName: "piped", TemplateBody: "{}" }))
    const stackSet = await cloudFormation.send(
      new CreateStackInstancesCommand({
        StackSetName: "piped",
        Accounts: ["111111111111"],
        Regions: [region]
      })
    )
    const service = await ecs.send(
      new CreateServiceCommand({
        cluster: "prod",
        serviceName: "piped",
        desiredCount: 1,
        taskDefinition: "app:1"
      })
    )
    const request = await cloudControl.send(
      new CreateResourceCommand({ TypeName: "AWS::SQS::Queue", DesiredState: '{"QueueName":"piped"}' })
    )
    const zone = await route53.send(
      new CreateHostedZoneCommand({ Name: "piped.example.", CallerReference: "piped" })
    )
    const change = await route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zone.HostedZone!.Id!,
        ChangeBatch: {
          Changes: [
            {
              Action: "UPSERT",
              ResourceRecordSet: {
                Name: "a.piped.example.",
                Type: "A",
                TTL: 60,
                ResourceRecords: [{ Value: "192.0.2.1" }]
              }
            }
          ]
        }
      })
    )

    // ECS, Cloud Control and Route 53 responses say which service they are; ECS and Route 53 their region too.
    const mixed = [printed(service), printed(request), printed(change)].join("\n")
    const read = await runInProcess(["get", "--json", "-"], { env: env(emu), stdin: mixed })
    expectExit(read, 0)
    explain(read, () => {
      const refs = jsonLines(read.stdout)
        .filter((line) => line.event === "operation")
        .map((line) => `${line.operation.ref.service}:${line.operation.ref.region}`)
      expect(refs.sort()).toEqual(["cloudcontrol:us-east-1", "ecs:us-east-1", "route53:global"])
    })

    // A StackSet call's { OperationId } names no stack set: --stack-set does.
    const without = await runInProcess(["get", "--service", "cloudformation", "-"], {
      env: env(emu),
      stdin: printed(stackSet)
    })
    expectExit(without, 2)
    expect(without.stderr).toContain("Pass --stack-set <stack-set-name>")
    const withSet = await runInProcess(["get", "--json", "--stack-set", "piped", "-"], {
      env: env(emu),
      stdin: printed(stackSet)
    })
    expectExit(withSet, 0)
    explain(withSet, () => {
      const op = jsonLines(withSet.stdout).find((line) => line.event === "operation")!.operation
      expect(op.ref.id).toBe(`piped/${stackSet.OperationId}`)
    })
  })

  it("cancel: accepted, then --wait ends cancelled; a service that cannot cancel is refused before any request", async (ctx) => {
    const emu = await emulator(ctx, { timeScale: 100, scenario: held })
    const refs = refsOf(emu)
    const cancelled = await runInProcess(["cancel", refs.cloudcontrol], { env: env(emu) })
    expectExit(cancelled, 0)
    expect(cancelled.stdout).toBe(`cancel requested  ${refs.cloudcontrol}\n`)

    const waited = await runInProcess(
      ["cancel", "--wait", "--json", ...fast, refs.ecs, refs.cloudformation],
      {
        env: env(emu)
      }
    )
    expectExit(waited, 0)
    explain(waited, () => {
      const lines = jsonLines(waited.stdout)
      expect(lines.filter((line) => line.event === "cancel" && line.accepted === true)).toHaveLength(2)
      const done = lines.find((line) => line.event === "done")!
      expect(
        (done.operations as Array<{ status: string; rawStatus: string }>)
          .map((op) => [op.status, op.rawStatus])
          .sort()
      ).toEqual([
        ["cancelled", "STOPPED"],
        ["cancelled", "STOPPED"]
      ])
    })

    const before = emu.metrics().services.route53.counts.total
    const refused = await runInProcess(["cancel", refs.route53], { env: env(emu) })
    expectExit(refused, 2)
    expect(refused.stderr).toContain("Amazon Route 53 operations cannot be cancelled")
    expect(emu.metrics().services.route53.counts.total).toBe(before)

    // Cancelling what has ended: the service's own refusal, exit 1.
    emu.transition("cloudcontrol", refs.cloudcontrol.split(":").at(-1)!, "succeeded")
    const late = emu.createOperation({ service: "cloudcontrol" })
    emu.transition("cloudcontrol", late.id, "succeeded")
    const ended = await runInProcess(["cancel", `cloudcontrol:${region}:${late.id}`], { env: env(emu) })
    expectExit(ended, 1)
  })

  it("cancel --wait: an operation that finished first exits 1 and says so", async (ctx) => {
    const emu = await emulator(ctx, { timeScale: 100, scenario: held })
    const { id } = emu.createOperation({ service: "cloudcontrol" })
    const ref = `cloudcontrol:${region}:${id}`
    // The cancel is accepted; the request then succeeds before the cancel takes effect.
    let ended = false
    const result = await runInProcess(["cancel", "--wait", ...fast, ref], {
      env: env(emu),
      onStdout: (chunk) => {
        if (!ended && chunk.includes("cancel requested")) {
          ended = true
          emu.transition("cloudcontrol", id, "succeeded")
        }
      }
    })
    expectExit(result, 1)
    expect(result.stderr).toContain(`${ref} ended succeeded (SUCCESS) before the cancel took effect`)
  })

  it("list: cloudcontrol, cloudformation --stack-set, ecs --ecs-service; route53 has none", async (ctx) => {
    const emu = await emulator(ctx, { timeScale: 100, scenario: held })
    refsOf(emu)
    const listed = await Promise.all([
      runInProcess(["list", "cloudcontrol", "--json"], { env: env(emu) }),
      runInProcess(["list", "cloudformation", "--stack-set", "web", "--json"], { env: env(emu) }),
      runInProcess(["list", "ecs", "--ecs-service", "api", "--cluster", "prod", "--json"], { env: env(emu) })
    ])
    for (const [i, service] of ["cloudcontrol", "cloudformation", "ecs"].entries()) {
      const result = listed[i]!
      expectExit(result, 0)
      explain(result, () => {
        const ops = jsonLines(result.stdout).filter((line) => line.event === "operation")
        expect(ops.length, service).toBe(1)
        expect(ops[0]!.operation.ref.service).toBe(service)
      })
    }
    const route53 = await runInProcess(["list", "route53"], { env: env(emu) })
    expectExit(route53, 2)
    expect(route53.stderr).toContain("Route 53 has no API that lists changes")
    const noSet = await runInProcess(["list", "cloudformation"], { env: env(emu) })
    expectExit(noSet, 2)
    expect(noSet.stderr).toContain("--stack-set")
    const noService = await runInProcess(["list", "ecs"], { env: env(emu) })
    expectExit(noService, 2)
    expect(noService.stderr).toContain("--ecs-service")
  })

  it("bad input is refused before any request: another service's ID shape, an ECS ARN of another region", async (ctx) => {
    const emu = await emulator(ctx, { timeScale: 100, scenario: held })
    const arn = "arn:aws:ecs:eu-west-1:123456789012:service-deployment/prod/api/AbC123dEf456"
    const uuid = "8a7f630e-a7d2-4871-a892-f03ac84d82f2"
    for (const ref of [
      `ecs:us-east-1:${arn}`,
      `cloudformation:us-east-1:${uuid}`,
      `route53:us-east-1:C2682N5HXP0BZ4`,
      `cloudcontrol:us-east-1:${arn}`,
      `ecs:us-east-1:${uuid}`
    ]) {
      const result = await runInProcess(["get", ref], { env: env(emu) })
      expectExit(result, 2)
      expect(result.stderr, ref).toMatch(/Invalid operation reference/)
    }
    const total = Object.values(emu.metrics().services).reduce((sum, s) => sum + s.counts.total, 0)
    expect(total).toBe(0)
  })
})
