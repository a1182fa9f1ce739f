/**
 * Every command as a real child process against the emulator, with refs from arguments
 * and the three services' responses piped in as the AWS CLI prints them.
 */

import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { CreateInstancesCommand, LightsailClient } from "@aws-sdk/client-lightsail"
import { RegisterInstanceCommand, ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery"
import type { Emulator } from "@opstatus/emulator"
import { SsmSapHttpClient } from "@opstatus/ssm-sap/http"
import { describe, expect, it } from "vitest"
import { emulator, expectExit, explain, fast, jsonLines, runCli } from "./helpers.js"

const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "emulator" }
const region = "us-east-1"

/** Every operation is queued 0.3 s and runs 0.9 s (real time). */
const quick = (() => {
  const durations = { queuedMs: [300, 300] as const, runningMs: [900, 900] as const }
  return { services: { lightsail: { durations }, servicediscovery: { durations }, "ssm-sap": { durations } } }
})()

const env = (emu: Emulator, extra: Record<string, string> = {}) => ({
  AWS_ENDPOINT_URL: emu.endpoint,
  ...extra
})

/** The AWS CLI's JSON: no `$metadata`, timestamps as ISO strings or epoch seconds, 4-space indent. */
const awsCliJson = (response: Record<string, unknown>, dates: (date: Date, i: number) => unknown): string => {
  const { $metadata: _, ...rest } = response
  let i = 0
  return JSON.stringify(
    rest,
    function (this: Record<string, unknown>, key, value) {
      const original = this[key]
      return original instanceof Date ? dates(original, i++) : value
    },
    4
  )
}

describe.concurrent("opstatus as a child process", () => {
  it("--version and --help", async () => {
    const version = await runCli(["--version"])
    expectExit(version, 0)
    expect(version.stdout).toMatch(/^opstatus \d+\.\d+\.\d+\n$/)
    const help = await runCli(["wait", "--help"])
    expectExit(help, 0)
    expect(help.stdout).toContain("Usage: opstatus wait [options] <ref...>")
    expect(help.stdout).toContain("--min-delay")
    expect(help.stdout).toContain("130  interrupted")
  })

  it("the AWS SDK's notice about Node versions reaches the user, once, where the SDK gives it", async (ctx) => {
    const emu = await emulator(ctx, { scenario: quick })
    const a = emu.createOperation({ service: "lightsail", type: "CreateInstance", resourceName: "web-1" })
    const b = emu.createOperation({ service: "servicediscovery", type: "CREATE_NAMESPACE" })
    const refs = [`lightsail:${region}:${a.id}`, `servicediscovery:${region}:${b.id}`]
    // Not silenced by opstatus: only the user's own AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED does.
    const [told, silenced] = await Promise.all([
      runCli(["get", ...refs], {
        env: { ...env(emu), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: undefined }
      }),
      runCli(["get", ...refs], { env: env(emu) })
    ])
    expectExit(told, 0)
    expectExit(silenced, 0)
    expect(silenced.stderr).toBe("")
    const major = Number(process.versions.node.split(".")[0])
    // The SDK warns below Node 22 (releases after the first week of January 2027 require it).
    expect(told.stderr.split("NodeVersionSupportWarning").length - 1).toBe(major < 22 ? 1 : 0)
    for (const id of [a.id, b.id]) expect(told.stdout).toContain(id)
  })

  it("wait: refs from arguments, plain lines per change and a summary (exit 0)", async (ctx) => {
    const emu = await emulator(ctx, { scenario: quick })
    const a = emu.createOperation({ service: "lightsail", type: "CreateInstance", resourceName: "web-1" })
    const b = emu.createOperation({ service: "servicediscovery", type: "CREATE_NAMESPACE" })
    const result = await runCli(
      ["wait", ...fast, `lightsail:${region}:${a.id}`, `servicediscovery:${region}:${b.id}`],
      { env: env(emu) }
    )
    expect(result.stderr).toBe("")
    expectExit(result, 0)
    const lines = result.stdout.split("\n")
    const line = new RegExp(
      `^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z lightsail us-east-1 ${a.id} CreateInstance Completed -> succeeded$`
    )
    expect(lines.some((l) => line.test(l))).toBe(true)
    expect(result.stdout).toContain(
      `servicediscovery us-east-1 ${b.id} CREATE_NAMESPACE SUCCESS -> succeeded`
    )
    expect(result.stdout).toMatch(/Summary \([\d.]+m?s\): 2 operations: 2 succeeded/)
    expect(result.stdout).toMatch(/lightsail\s+1\s+1 succeeded/)
  })

  it("wait -: the AWS CLI's Lightsail create-instances output, ISO and epoch timestamps", async (ctx) => {
    const emu = await emulator(ctx, { scenario: quick })
    const client = new LightsailClient({ endpoint: emu.endpoint, region, credentials, maxAttempts: 1 })
    const response = await client.send(
      new CreateInstancesCommand({
        instanceNames: ["web-1", "web-2", "web-3"],
        availabilityZone: "us-east-1a",
        bundleId: "nano_3_0",
        blueprintId: "ubuntu_22_04"
      })
    )
    client.destroy()
    const stdin = awsCliJson(response as unknown as Record<string, unknown>, (date, i) =>
      i % 2 === 0 ? date.toISOString().replace("Z", "000+00:00") : date.getTime() / 1000
    )
    expect(stdin).toContain("+00:00")
    const result = await runCli(["wait", ...fast, "-"], { env: env(emu), stdin })
    expect(result.stderr).toBe("")
    expectExit(result, 0)
    for (const op of response.operations ?? []) {
      expect(result.stdout).toContain(`lightsail us-east-1 ${op.id} CreateInstance NotStarted -> pending`)
      expect(result.stdout).toContain(`lightsail us-east-1 ${op.id} CreateInstance Completed -> succeeded`)
    }
    expect(result.stdout).toContain("3 operations: 3 succeeded")
  })

  it("wait -: an already-terminal Lightsail operation in the input needs no request", async (ctx) => {
    const emu = await emulator(ctx, { scenario: quick })
    const id = "0f8e1c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b"
    const stdin = JSON.stringify({
      operation: {
        id,
        resourceName: "db-1",
        resourceType: "RelationalDatabase",
        createdAt: "2024-05-01T12:00:00+00:00",
        location: { availabilityZone: "all", regionName: "eu-west-1" },
        isTerminal: true,
        operationType: "DeleteRelationalDatabase",
        status: "Failed",
        statusChangedAt: 1714565000,
        errorCode: "InternalFailure",
        errorDetails: "The operation failed because of an internal error."
      }
    })
    const plain = await runCli(["wait", "-"], { env: env(emu), stdin })
    expectExit(plain, 0)
    expect(plain.stdout).toContain(`lightsail eu-west-1 ${id} DeleteRelationalDatabase Failed -> failed`)
    expect(plain.stdout).toContain("InternalFailure: The operation failed because of an internal error.")
    const strict = await runCli(["wait", "--success", "-"], { env: env(emu), stdin })
    expectExit(strict, 1)
    expect(strict.stderr).toContain("opstatus: 1 of 1 operations did not succeed.")
    expect(emu.metrics().counts.total).toBe(0)
  })

  it("wait --success -: a terminal Lightsail status opstatus does not know fails it (exit 1)", async (ctx) => {
    const emu = await emulator(ctx, { scenario: quick })
    const id = "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f"
    const stdin = JSON.stringify({
      operation: {
        id,
        resourceName: "web-1",
        resourceType: "Instance",
        createdAt: "2024-05-01T12:00:00+00:00",
        location: { availabilityZone: "us-east-1a", regionName: "us-east-1" },
        isTerminal: true,
        operationType: "UpdateInstanceMetadataOptions",
        status: "RolledBack",
        statusChangedAt: 1714565000
      }
    })
    const [strict, lenient] = await Promise.all([
      runCli(["wait", "--success", "-"], { env: env(emu), stdin }),
      runCli(["wait", "-"], { env: env(emu), stdin })
    ])
    expectExit(strict, 1)
    explain(strict, () => {
      expect(strict.stdout).toContain(
        `lightsail us-east-1 ${id} UpdateInstanceMetadataOptions RolledBack -> unknown`
      )
      expect(strict.stdout).toMatch(/1 operation: 1 unknown/)
      expect(strict.stdout).toContain(
        `✖ lightsail:us-east-1:${id} UpdateInstanceMetadataOptions unknown: The operation ended with the status "RolledBack", which opstatus does not know`
      )
      expect(strict.stderr).toMatch(/^opstatus: 1 of 1 operations did not succeed\./m)
    })
    // Without --success, an operation that ended is enough.
    expectExit(lenient, 0)
    expect(emu.metrics().counts.total).toBe(0)
  })

  it("wait --success -: a Cloud Map register-instance response that fails (exit 1)", async (ctx) => {
    const emu = await emulator(ctx, { scenario: quick })
    const client = new ServiceDiscoveryClient({ endpoint: emu.endpoint, region, credentials, maxAttempts: 1 })
    const response = await client.send(
      new RegisterInstanceCommand({
        ServiceId: "srv-1",
        InstanceId: "i-1",
        Attributes: { AWS_INSTANCE_IPV4: "192.0.2.1" }
      })
    )
    client.destroy()
    const id = response.OperationId!
    emu.transition("servicediscovery", id, "failed", {
      errorCode: "INTERNAL_FAILURE",
      errorMessage: "Route 53 broke"
    })
    const stdin = awsCliJson(response as unknown as Record<string, unknown>, (d) => d.toISOString())
    expect(stdin).toBe(`{\n    "OperationId": "${id}"\n}`)
    const result = await runCli(["wait", "--success", ...fast, "-"], { env: env(emu), stdin })
    expectExit(result, 1)
    expect(result.stdout).toContain(`servicediscovery us-east-1 ${id} REGISTER_INSTANCE FAIL -> failed`)
    expect(result.stdout).toContain(
      `✖ servicediscovery:us-east-1:${id} REGISTER_INSTANCE failed: INTERNAL_FAILURE: Route 53 broke`
    )
    expect(result.stderr).toMatch(/^opstatus: 1 of 1 operations did not succeed\. The summary lists/)
  })

  it("wait -: SSM for SAP OperationId and OperationIds responses, concatenated and as NDJSON", async (ctx) => {
    const emu = await emulator(ctx, { scenario: quick })
    const client = new SsmSapHttpClient({ endpoint: emu.endpoint, region, credentials })
    const start = await client.startApplication({ ApplicationId: "hana-1" })
    const update = await client.updateApplicationSettings({ ApplicationId: "hana-2" })
    const stdin = `{"OperationId": "${start.OperationId}"}{\n  "Message": "${update.Message}",\n  "OperationIds": ${JSON.stringify(update.OperationIds)}\n}\n`
    const result = await runCli(["wait", ...fast, "--region", region, "-"], {
      env: env(emu, { AWS_REGION: "" }),
      stdin
    })
    expect(result.stderr).toBe("")
    expectExit(result, 0)
    for (const id of [start.OperationId!, ...update.OperationIds!]) {
      expect(result.stdout).toContain(`ssm-sap us-east-1 ${id}`)
    }
    expect(result.stdout).toMatch(/3 operations: 3 succeeded/)
    expect(result.stdout).toMatch(/ssm-sap\s+3\s+3 succeeded/)
  })

  it("watch: every change, SSM for SAP steps, and a failure without --success still exits 0", async (ctx) => {
    const emu = await emulator(ctx, { scenario: quick })
    const sap = emu.createOperation({
      service: "ssm-sap",
      type: "START_APPLICATION",
      applicationId: "hana-1"
    })
    const cm = emu.createOperation({
      service: "servicediscovery",
      type: "REGISTER_INSTANCE",
      outcome: "failure",
      errorCode: "INVALID_CHANGE_BATCH",
      errorMessage: "bad record"
    })
    const result = await runCli(["watch", ...fast, `ssm-sap:${region}:${sap.id}`, cm.id], { env: env(emu) })
    expect(result.stderr).toBe("")
    expectExit(result, 0)
    expect(result.stdout).toMatch(
      new RegExp(
        `ssm-sap us-east-1 ${sap.id} step "Starting AWS::EC2::Instance i-\\w+" IN_PROGRESS -> running`
      )
    )
    expect(result.stdout).toMatch(new RegExp(`ssm-sap us-east-1 ${sap.id} step ".*" COMPLETED -> succeeded`))
    expect(result.stdout).toContain(`servicediscovery us-east-1 ${cm.id} REGISTER_INSTANCE FAIL -> failed`)
    expect(result.stdout).toContain("INVALID_CHANGE_BATCH: bad record")
  })

  it("get: plain lines, --json, and --success on a failed operation", async (ctx) => {
    const emu = await emulator(ctx, { scenario: quick })
    const ok = emu.createOperation({ service: "lightsail", type: "AllocateStaticIp", resourceName: "ip-1" })
    emu.transition("lightsail", ok.id, "succeeded")
    const bad = emu.createOperation({ service: "ssm-sap", applicationId: "hana-9" })
    emu.transition("ssm-sap", bad.id, "failed", { errorMessage: "HANA did not start" })
    const refs = [`lightsail:${region}:${ok.id}`, `ssm-sap:${region}:${bad.id}`]
    const [plain, json, strict] = await Promise.all([
      runCli(["get", ...refs], { env: env(emu) }),
      runCli(["get", "--json", ...refs], { env: env(emu) }),
      runCli(["get", "--success", ...refs], { env: env(emu) })
    ])
    expectExit(plain, 0)
    expect(plain.stdout).toContain(`lightsail us-east-1 ${ok.id} AllocateStaticIp Succeeded -> succeeded`)
    expect(plain.stdout).toContain(`ssm-sap us-east-1 ${bad.id} START_APPLICATION ERROR -> failed`)
    expectExit(json, 0)
    const events = jsonLines(json.stdout)
    expect(events.map((e) => e.event)).toEqual(["operation", "operation", "done"])
    expect(events[1]!.operation).toMatchObject({ status: "failed", error: { message: "HANA did not start" } })
    expect(events[2]!.summary.byStatus).toEqual({ succeeded: 1, failed: 1 })
    expectExit(strict, 1)
  })

  it("list: each service's query (resource, status, namespace, application, since)", async (ctx) => {
    const emu = await emulator(ctx, { scenario: quick })
    const web = emu.createOperation({ service: "lightsail", resourceName: "web-1" })
    emu.createOperation({ service: "lightsail", resourceName: "db-1", type: "CreateRelationalDatabase" })
    const failed = emu.createOperation({ service: "servicediscovery", type: "REGISTER_INSTANCE" })
    emu.transition("servicediscovery", failed.id, "failed")
    emu.createOperation({ service: "servicediscovery", type: "CREATE_NAMESPACE", namespaceId: "ns-abc" })
    const sap = emu.createOperation({ service: "ssm-sap", applicationId: "hana-1", durationMs: 600_000 })
    const done = emu.createOperation({ service: "ssm-sap", applicationId: "hana-1" })
    emu.transition("ssm-sap", done.id, "succeeded")
    emu.createOperation({ service: "ssm-sap", applicationId: "hana-2", durationMs: 600_000 })
    const [lightsail, cloudMap, namespace, ssmSap, missing] = await Promise.all([
      runCli(["list", "lightsail", "--resource", "web-1", "--endpoint-url", emu.endpoint]),
      runCli(["list", "servicediscovery", "--status", "failed", "--since", "1h", "--json"], {
        env: env(emu)
      }),
      runCli(["list", "cloudmap", "--namespace", "ns-abc", "--type", "CREATE_NAMESPACE"], { env: env(emu) }),
      runCli(
        ["list", "ssm-sap", "--application", "hana-1", "--status", "running", "--since", "10m", "--json"],
        {
          env: env(emu)
        }
      ),
      runCli(["list", "ssm-sap"], { env: env(emu) })
    ])
    expectExit(lightsail, 0)
    expect(lightsail.stdout.trim().split("\n")).toHaveLength(1)
    expect(lightsail.stdout).toContain(`lightsail us-east-1 ${web.id} CreateInstance`)
    expectExit(cloudMap, 0)
    const events = jsonLines(cloudMap.stdout)
    expect(events.filter((e) => e.event === "operation").map((e) => e.operation.ref.id)).toEqual([failed.id])
    expect(events.at(-1)).toMatchObject({ event: "done", summary: { total: 1, byStatus: { failed: 1 } } })
    expectExit(namespace, 0)
    expect(namespace.stdout.trim().split("\n")).toHaveLength(1)
    expectExit(ssmSap, 0)
    const sapEvents = jsonLines(ssmSap.stdout).filter((e) => e.event === "operation")
    expect(sapEvents.map((e) => e.operation.ref.id)).toEqual([sap.id])
    expectExit(missing, 2)
    expect(missing.stderr).toBe(
      "opstatus: listing SSM for SAP operations needs the application. Pass --application <application-id>.\n"
    )
  })

  it("--profile: the region and keys come from the AWS config files", async (ctx) => {
    const emu = await emulator(ctx, { scenario: quick })
    const op = emu.createOperation({
      service: "servicediscovery",
      region: "eu-west-3",
      account: "AKIDPROFILE",
      type: "DELETE_NAMESPACE"
    })
    const dir = mkdtempSync(join(tmpdir(), "opstatus-profile-"))
    writeFileSync(join(dir, "config"), "[profile dev]\nregion = eu-west-3\n")
    writeFileSync(
      join(dir, "credentials"),
      "[dev]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = s3cret\n"
    )
    const result = await runCli(["wait", ...fast, "--profile", "dev", "-"], {
      env: {
        ...env(emu),
        AWS_REGION: undefined,
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        AWS_CONFIG_FILE: join(dir, "config"),
        AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials")
      },
      stdin: `{"OperationId": "${op.id}"}`
    })
    expectExit(result, 0)
    expect(result.stdout).toContain(
      `servicediscovery eu-west-3 ${op.id} DELETE_NAMESPACE SUCCESS -> succeeded`
    )
  })
})
