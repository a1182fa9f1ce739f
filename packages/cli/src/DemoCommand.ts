/**
 * `opstatus demo`: starts the emulator in this process, starts operations on all seven
 * services with the real SDK clients, forces one of them to fail, cancels another, and
 * waits for them all with the same view `wait` uses. No AWS account, no network beyond loopback. The
 * emulator is loaded only when the demo runs: nothing else of the CLI imports it.
 *
 * @since 0.1.0
 */
import { CloudControlClient, CreateResourceCommand } from "@aws-sdk/client-cloudcontrol"
import {
  CloudFormationClient,
  CreateStackInstancesCommand,
  CreateStackSetCommand
} from "@aws-sdk/client-cloudformation"
import { CreateServiceCommand, ECSClient } from "@aws-sdk/client-ecs"
import { AllocateStaticIpCommand, CreateInstancesCommand, LightsailClient } from "@aws-sdk/client-lightsail"
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  Route53Client
} from "@aws-sdk/client-route-53"
import {
  CreateHttpNamespaceCommand,
  RegisterInstanceCommand,
  ServiceDiscoveryClient
} from "@aws-sdk/client-servicediscovery"
import { cloudControlService, cloudControlSource } from "@opstatus/cloudcontrol"
import { cloudFormationService, cloudFormationSource } from "@opstatus/cloudformation"
import { formatRef } from "@opstatus/core"
import { classifySdkError } from "@opstatus/core/adapter-kit"
import { ecsService, ecsSource } from "@opstatus/ecs"
import type { Emulator } from "@opstatus/emulator"
import { lightsailService, lightsailSource } from "@opstatus/lightsail"
import { route53Service, route53Source } from "@opstatus/route53"
import { serviceDiscoveryService, serviceDiscoverySource } from "@opstatus/servicediscovery"
import { ssmSapService, ssmSapSource } from "@opstatus/ssm-sap"
import { SsmSapHttpClient } from "@opstatus/ssm-sap/http"
import { booleanFlag, parseCommand } from "./Args.js"
import { formatElapsed } from "./Duration.js"
import { usageError } from "./Errors.js"
import { ExitCode } from "./ExitCodes.js"
import { demoFlags } from "./Flags.js"
import { commandHelp } from "./Help.js"
import { refOfTarget, type Target, targetsFromJson } from "./Input.js"
import { type CliIo, type Warn, type Writer, warnTo } from "./Io.js"
import { formatDebug, formatError } from "./Messages.js"
import { stateOf } from "./Render.js"
import { type Reporter, reporterFor, warningsOf } from "./Reporter.js"
import { runWait, withStatusApi } from "./Wait.js"

/**
 * What the demo needs.
 *
 * @since 0.1.0
 * @category models
 */
export interface DemoOptions {
  readonly stdout: Writer
  readonly stderr: Writer
  /** Where warnings go (`opstatus: warning: ...` on standard error) when the reporter takes none. */
  readonly warn: Warn
  readonly signal: AbortSignal
  /** `--json`: the narration goes to standard error, the events to standard output. */
  readonly json: boolean
  readonly reporter: Reporter
  readonly now: () => number
  /** `--debug`: an error's stack goes to standard error before its line. */
  readonly debug?: boolean | undefined
  /**
   * When the forced failure happens, in ms after the last operation started (default:
   * part-way through the failing registration's planned run). However late it comes, the
   * registration cannot succeed first: it is held running from the start.
   */
  readonly failAfterMillis?: number | undefined
}

/**
 * The error the demo forces on the second Cloud Map registration.
 *
 * @since 0.1.0
 * @category models
 */
export const demoFailure = {
  code: "INTERNAL_FAILURE",
  message: "An internal failure occurred. Try the operation again. (forced by the demo)"
} as const

/** Simulated durations, run five times faster than real time: everything ends within ~6 s. */
const demoScenario = {
  services: {
    lightsail: { durations: { queuedMs: [1_000, 2_000] as const, runningMs: [8_000, 15_000] as const } },
    servicediscovery: { durations: { queuedMs: [500, 1_500] as const, runningMs: [4_000, 10_000] as const } },
    "ssm-sap": { durations: { queuedMs: [2_000, 3_000] as const, runningMs: [15_000, 22_000] as const } },
    cloudformation: {
      durations: { queuedMs: [1_000, 2_000] as const, runningMs: [10_000, 16_000] as const }
    },
    ecs: { durations: { queuedMs: [1_000, 2_000] as const, runningMs: [10_000, 18_000] as const } },
    cloudcontrol: { durations: { queuedMs: [500, 1_500] as const, runningMs: [6_000, 12_000] as const } },
    route53: { durations: { queuedMs: [0, 0] as const, runningMs: [5_000, 10_000] as const } }
  }
}

/** The Cloud Control request the demo cancels on purpose, to show how a cancel looks. */
const cancelledQueue = "demo-queue"

const timeScale = 5

/**
 * The configuration of the demo's SDK clients, for the emulator's endpoint, region and
 * access key. Retries are set here (`maxAttempts` 3, standard mode), so
 * `AWS_MAX_ATTEMPTS` or `~/.aws/config` cannot change the demo.
 *
 * @since 0.1.0
 * @category constructors
 */
export const demoClientConfig = (
  endpoint: string,
  emulator: { readonly region: string; readonly accessKeyId: string }
) => ({
  region: emulator.region,
  endpoint,
  credentials: { accessKeyId: emulator.accessKeyId, secretAccessKey: "emulator" },
  retryMode: "standard",
  maxAttempts: 3
})

/** A call the demo makes itself, its failure classified as any request's. */
const started = <A>(service: string, call: Promise<A>): Promise<A> =>
  call.catch(
    (error: unknown): Promise<never> => Promise.reject(classifySdkError(service, { notFound: [] }, error))
  )

/**
 * Runs the demo; resolves with 0 when everything went as designed (the one failure is
 * expected), 130 when interrupted, and 1 in every other case (another outcome, or an
 * error, whose line it writes to standard error).
 *
 * @since 0.1.0
 * @category waiting
 */
export const runDemo = async (options: DemoOptions): Promise<number> => {
  const say = (line: string) => (options.json ? options.stderr : options.stdout).write(`${line}\n`)
  const startedAt = options.now()
  let emulator: Emulator | undefined
  let lightsail: LightsailClient | undefined
  let cloudMap: ServiceDiscoveryClient | undefined
  let cloudFormation: CloudFormationClient | undefined
  let ecs: ECSClient | undefined
  let cloudControl: CloudControlClient | undefined
  let route53: Route53Client | undefined
  let failTimer: ReturnType<typeof setTimeout> | undefined
  try {
    const { DEFAULT_ACCESS_KEY_ID, DEFAULT_REGION, startEmulator } = await import("@opstatus/emulator")
    emulator = await startEmulator({ port: 0, seed: 2024, timeScale, scenario: demoScenario })
    const endpoint = emulator.endpoint
    const sdkConfig = demoClientConfig(endpoint, {
      region: DEFAULT_REGION,
      accessKeyId: DEFAULT_ACCESS_KEY_ID
    })
    const { region, credentials } = sdkConfig
    lightsail = new LightsailClient(sdkConfig)
    cloudMap = new ServiceDiscoveryClient(sdkConfig)
    const ssmSap = new SsmSapHttpClient({ region, endpoint, credentials })
    cloudFormation = new CloudFormationClient(sdkConfig)
    ecs = new ECSClient(sdkConfig)
    cloudControl = new CloudControlClient(sdkConfig)
    route53 = new Route53Client(sdkConfig)
    say(
      `opstatus demo: an emulator of Lightsail, Cloud Map, SSM for SAP, CloudFormation, ECS, Cloud Control and Route 53 listens on ${endpoint}`
    )
    say(`  (no AWS account, no network; simulated time runs ${timeScale}x faster)`)

    const abortSignal = options.signal
    const instances = await started(
      lightsailService.service,
      lightsail.send(
        new CreateInstancesCommand({
          instanceNames: ["demo-web-1", "demo-web-2", "demo-web-3"],
          availabilityZone: `${region}a`,
          blueprintId: "ubuntu_22_04",
          bundleId: "nano_3_0"
        }),
        { abortSignal }
      )
    )
    say(
      `  -> lightsail CreateInstances demo-web-1, demo-web-2, demo-web-3: ${instances.operations?.length ?? 0} operations`
    )
    const staticIp = await started(
      lightsailService.service,
      lightsail.send(new AllocateStaticIpCommand({ staticIpName: "demo-static-ip" }), { abortSignal })
    )
    say("  -> lightsail AllocateStaticIp demo-static-ip: 1 operation")
    const namespace = await started(
      serviceDiscoveryService.service,
      cloudMap.send(
        new CreateHttpNamespaceCommand({ Name: "demo.local", CreatorRequestId: "opstatus-demo-namespace" }),
        { abortSignal }
      )
    )
    say("  -> servicediscovery CreateHttpNamespace demo.local: 1 operation")
    const registry = cloudMap
    const register = (instanceId: string, ip: string) =>
      started(
        serviceDiscoveryService.service,
        registry.send(
          new RegisterInstanceCommand({
            ServiceId: "srv-opstatusdemo01",
            InstanceId: instanceId,
            CreatorRequestId: `opstatus-demo-${instanceId}`,
            Attributes: { AWS_INSTANCE_IPV4: ip, AWS_INSTANCE_PORT: "8080" }
          }),
          { abortSignal }
        )
      )
    const web1 = await register("web-1", "192.0.2.11")
    const web2 = await register("web-2", "192.0.2.12")
    // Held running from now on, web-2 cannot succeed before it is failed below, however late that comes.
    const failingId = web2.OperationId ?? ""
    const plannedEnd = emulator.terminalAt("servicediscovery", failingId)
    emulator.transition("servicediscovery", failingId, "running")
    say(
      `  -> servicediscovery RegisterInstance web-1, web-2: 2 operations (web-2 will fail on purpose with ${demoFailure.code})`
    )
    const sap = await started(
      ssmSapService.service,
      ssmSap.startApplication({ ApplicationId: "demo-hana" }, { abortSignal })
    )
    say("  -> ssm-sap StartApplication demo-hana: 1 operation")
    const stackSets = cloudFormation
    await started(
      cloudFormationService.service,
      stackSets.send(new CreateStackSetCommand({ StackSetName: "demo-baseline", TemplateBody: "{}" }), {
        abortSignal
      })
    )
    const baseline = await started(
      cloudFormationService.service,
      stackSets.send(
        new CreateStackInstancesCommand({
          StackSetName: "demo-baseline",
          Accounts: ["111111111111", "222222222222"],
          Regions: [region, "eu-west-1"]
        }),
        { abortSignal }
      )
    )
    say("  -> cloudformation CreateStackInstances demo-baseline: 1 operation over 4 stack instances")
    const deployment = await started(
      ecsService.service,
      ecs.send(
        new CreateServiceCommand({
          cluster: "demo",
          serviceName: "demo-api",
          desiredCount: 2,
          taskDefinition: "demo-api:1"
        }),
        { abortSignal }
      )
    )
    say("  -> ecs CreateService demo-api: 1 service deployment")
    const resources = cloudControl
    const createResource = (typeName: string, name: string) =>
      started(
        cloudControlService.service,
        resources.send(
          new CreateResourceCommand({ TypeName: typeName, DesiredState: JSON.stringify({ Name: name }) }),
          { abortSignal }
        )
      )
    const logGroup = await createResource("AWS::Logs::LogGroup", "demo-logs")
    const queue = await createResource("AWS::SQS::Queue", cancelledQueue)
    // Held running, the queue cannot be created before the demo cancels it.
    const queueToken = queue.ProgressEvent?.RequestToken ?? ""
    emulator.transition("cloudcontrol", queueToken, "running")
    say(
      `  -> cloudcontrol CreateResource demo-logs, ${cancelledQueue}: 2 requests (${cancelledQueue} will be cancelled on purpose)`
    )
    const zone = await started(
      route53Service.service,
      route53.send(new CreateHostedZoneCommand({ Name: "demo.example.", CallerReference: "opstatus-demo" }), {
        abortSignal
      })
    )
    const record = await started(
      route53Service.service,
      route53.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zone.HostedZone?.Id ?? "",
          ChangeBatch: {
            Changes: [
              {
                Action: "UPSERT",
                ResourceRecordSet: {
                  Name: "www.demo.example.",
                  Type: "A",
                  TTL: 60,
                  ResourceRecords: [{ Value: "192.0.2.80" }]
                }
              }
            ]
          }
        }),
        { abortSignal }
      )
    )
    say("  -> route53 CreateHostedZone demo.example., ChangeResourceRecordSets www: 2 changes")

    // Make web-2 fail part-way through its run, as a real failure would.
    const delay =
      options.failAfterMillis ??
      (plannedEnd === undefined ? 500 : Math.max(200, Math.floor((plannedEnd - Date.now()) * 0.6)))
    const running = emulator
    failTimer = setTimeout(() => {
      running.transition("servicediscovery", failingId, "failed", {
        errorCode: demoFailure.code,
        errorMessage: demoFailure.message
      })
    }, delay)

    // The responses go through the same reader as `aws ... | opstatus wait -`.
    const input = { region }
    const targets: Target[] = [
      ...[instances, staticIp, namespace, web1, web2, sap, deployment, logGroup, queue, zone, record].flatMap(
        (response) => targetsFromJson(response, input)
      ),
      // A StackSet call's { OperationId } names no stack set: the demo gives it, as --stack-set does.
      ...targetsFromJson(baseline, { ...input, stackSet: "demo-baseline" })
    ]
    say(`Waiting for ${targets.length} operations...\n`)
    const sources = [
      lightsailSource({ client: lightsail, region }),
      serviceDiscoverySource({ client: cloudMap, region }),
      ssmSapSource({ client: ssmSap, region }),
      cloudFormationSource({ client: stackSets, region }),
      ecsSource({ client: ecs, region }),
      cloudControlSource({ client: resources, region }),
      route53Source({ client: route53 })
    ]
    const queueRef = targets.map(refOfTarget).find((ref) => ref.id === queueToken)
    const result = await withStatusApi(
      { sources, warn: warningsOf(options.reporter, options.warn) },
      async (api) => {
        if (queueRef !== undefined) {
          await api.cancel(queueRef, { signal: options.signal })
          say(`  -> cancel ${formatRef(queueRef)}: the service accepted`)
        }
        return runWait({
          api,
          targets,
          success: false,
          timing: { timeout: 30_000, minDelay: 200, maxDelay: 1_000 },
          reporter: options.reporter,
          signal: options.signal,
          now: options.now
        })
      }
    )
    if (result.interrupted) return ExitCode.interrupted

    const failingRef = targets.map(refOfTarget).find((ref) => ref.id === failingId)
    const failed = result.entries.filter((e) => stateOf(e) !== "succeeded" && stateOf(e) !== "cancelled")
    const cancelled = result.entries.filter((e) => stateOf(e) === "cancelled")
    const forced = failed[0]
    const asDesigned =
      failingRef !== undefined &&
      queueRef !== undefined &&
      failed.length === 1 &&
      forced?.key === formatRef(failingRef) &&
      stateOf(forced) === "failed" &&
      forced.operation?.error?.code === demoFailure.code &&
      cancelled.length === 1 &&
      cancelled[0]?.key === formatRef(queueRef)
    const took = formatElapsed(options.now() - startedAt)
    if (asDesigned) {
      say(
        `\nThe demo ran as designed in ${took}: ${result.entries.length - 2} operations succeeded; the one ` +
          `failure (Cloud Map RegisterInstance web-2, ${demoFailure.code}) was forced on purpose to show how a failure looks, ` +
          `and the Cloud Control request for ${cancelledQueue} was cancelled on purpose to show how a cancel looks.`
      )
      return ExitCode.ok
    }
    const got = [...failed, ...cancelled].map(
      (e) => `${e.key} ${stateOf(e)}${e.operation?.error?.code ? ` ${e.operation.error.code}` : ""}`
    )
    options.stderr.write(
      `opstatus: the demo did not run as designed: expected only ${failingRef === undefined ? "web-2" : formatRef(failingRef)} to fail with ${demoFailure.code} ` +
        `and ${queueRef === undefined ? cancelledQueue : formatRef(queueRef)} to be cancelled, ` +
        `got ${got.length === 0 ? "neither" : got.join("; ")}. Please report it with the output above.\n`
    )
    return ExitCode.failed
  } catch (error) {
    if (options.signal.aborted) {
      options.stderr.write("opstatus: interrupted.\n")
      return ExitCode.interrupted
    }
    if (options.debug === true) options.stderr.write(`${formatDebug(error)}\n`)
    options.stderr.write(`${formatError(error)}\n`)
    return ExitCode.failed
  } finally {
    if (failTimer !== undefined) clearTimeout(failTimer)
    for (const client of [lightsail, cloudMap, cloudFormation, ecs, cloudControl, route53]) client?.destroy()
    await emulator?.stop()
  }
}

/**
 * Runs `demo`.
 *
 * @since 0.2.0
 * @category waiting
 */
export const demoCommand = async (
  args: ReadonlyArray<string>,
  io: CliIo,
  now: () => number
): Promise<number> => {
  const { values, positionals } = parseCommand("demo", args, demoFlags)
  if (booleanFlag(values, "help")) {
    io.stdout.write(`${commandHelp.demo}\n`)
    return ExitCode.ok
  }
  if (positionals.length > 0) throw usageError("demo takes no arguments", "Run opstatus demo --help")
  const json = booleanFlag(values, "json")
  return runDemo({
    stdout: io.stdout,
    stderr: io.stderr,
    warn: warnTo(io),
    signal: io.signal,
    json,
    debug: booleanFlag(values, "debug"),
    reporter: reporterFor(io, { json, noColor: booleanFlag(values, "no-color"), everyChange: false, now }),
    now
  })
}
