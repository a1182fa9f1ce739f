/**
 * What a wait accepts, and where a response's region comes from, without
 * the emulator: anything that names no operation is a typed `OpstatusError`
 * naming what was expected (never a `TypeError`), found before any request;
 * the default region and the SSM for SAP endpoint are read as the SDK reads
 * them. No test here makes a request: the environment points nowhere.
 */
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { LightsailClient } from "@aws-sdk/client-lightsail"
import type { RegisterInstanceCommandOutput } from "@aws-sdk/client-servicediscovery"
import { ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery"
import type { SsmSapUpdateApplicationSettingsOutput } from "@opstatus/ssm-sap/http"
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from "vitest"
import { ssmSapEndpoint } from "../src/Clients.js"
import {
  createOpstatus,
  defaultRegion,
  type Operation,
  type Opstatus,
  regionOfClient,
  SsmSapHttpClient,
  track,
  waitForSuccess
} from "../src/index.js"
import { credentials, reasonOf, rejection, stubAwsEnv } from "./helpers.js"

const cloudMapId = "gv4g5meo7ndmeh4fqskygvk23d2fijwa-k9302yzd"
const ssmSapId = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

/** A directory for AWS settings files of one test. */
const settingsDir = mkdtempSync(join(tmpdir(), "opstatus-settings-"))
let files = 0
const settingsFile = (text: string): string => {
  const path = join(settingsDir, `config-${++files}`)
  writeFileSync(path, text)
  return path
}

describe("what a wait accepts", () => {
  let status: Opstatus
  beforeEach(() => {
    // Loopback port 9 (discard): a request would fail at once, and none is expected.
    stubAwsEnv("http://127.0.0.1:9")
    status = createOpstatus()
  })
  afterEach(async () => {
    await status.close()
    vi.unstubAllEnvs()
  })

  it.each([
    [
      "an unknown object",
      { Foo: "bar", $metadata: { httpStatusCode: 200 } },
      'Invalid operation reference "{"Foo":"bar"}"'
    ],
    ["null", null, "expected a ref"],
    ["a number", 42, "expected a ref"],
    ["undefined", undefined, "expected a ref"],
    ["an array", [], "expected a ref"]
  ])("%s is an InvalidRef naming what was expected", async (_name, input, shown) => {
    const error = await rejection(status.waitForSuccess(input as never))
    const reason = reasonOf(error)
    expect(reason._tag).toBe("InvalidRef")
    expect((error as Error).message).toContain(shown)
    for (const expected of ["service:region:id", "{ operations }", "{ OperationId }", "{ OperationIds }"]) {
      expect((error as Error).message).toContain(expected)
    }
  })

  it("an object whose fields throw when read is an InvalidRef too", async () => {
    const hostile = new Proxy(
      {},
      {
        has: () => {
          throw new TypeError("no")
        },
        get: () => {
          throw new TypeError("no")
        }
      }
    )
    expect(reasonOf(await rejection(status.waitForSuccess(hostile as never)))._tag).toBe("InvalidRef")
  })

  it.each([
    ["{ OperationId } of neither shape", { OperationId: "op-123" }, "neither a Cloud Map one"],
    ["{ OperationId: undefined }", { OperationId: undefined, $metadata: {} }, "names no operation"],
    ["{ operations: [] }", { operations: [] }, "names no operation"],
    ["{ operations } without ids", { operations: [{ status: "Started" }] }, "names no operation"],
    ["{ OperationIds: [] }", { OperationIds: [] }, "names no operation"]
  ])("a response: %s is an InvalidRef", async (_name, input, problem) => {
    const error = await rejection(status.waitForSuccess(input as never))
    expect(reasonOf(error)._tag).toBe("InvalidRef")
    expect((error as Error).message).toContain(problem)
  })

  it("{ OperationId } is told apart by its shape: Cloud Map, or SSM for SAP", async () => {
    expect(await status.refsOf({ OperationId: cloudMapId })).toEqual([
      { service: "servicediscovery", region: "us-east-1", id: cloudMapId }
    ])
    expect(await status.refsOf({ OperationId: ssmSapId, Application: { Id: "hana-prod" } } as never)).toEqual(
      [{ service: "ssm-sap", region: "us-east-1", id: ssmSapId, hints: { applicationId: "hana-prod" } }]
    )
    expect(await status.refsOf({ OperationIds: [ssmSapId, ssmSapId.replace("0a", "1b")] })).toHaveLength(2)
  })

  it("a Lightsail operation without its region takes the default one", async () => {
    const [ref] = await status.refsOf({
      operations: [{ id: "op-1", resourceName: "web-1", status: "Started" }]
    })
    expect(ref).toEqual({
      service: "lightsail",
      region: "us-east-1",
      id: "op-1",
      hints: { resourceName: "web-1" }
    })
  })

  it("a { client } that is not one, or whose region cannot be read, is InvalidOptions", async () => {
    const notAClient = await rejection(
      status.waitForSuccess({ OperationId: cloudMapId }, { client: 42 as never })
    )
    expect(reasonOf(notAClient)._tag).toBe("InvalidOptions")
    const noRegion = await rejection(
      status.waitForSuccess({ OperationId: cloudMapId }, { client: { config: {} } })
    )
    expect(reasonOf(noRegion)._tag).toBe("InvalidOptions")
    expect((noRegion as Error).message).toContain("region")
  })

  it("a ref or an Operation passes as it is (the engine checks it)", async () => {
    expect(reasonOf(await rejection(status.waitForSuccess({ service: "lightsail" } as never)))._tag).toBe(
      "InvalidRef"
    )
    expect(reasonOf(await rejection(status.waitForSuccess("nowhere:us-east-1:x")))._tag).toBe("InvalidRef")
  })

  it("a closed instance rejects with WaitAborted", async () => {
    await status.close()
    expect(reasonOf(await rejection(status.waitForSuccess(`lightsail:us-east-1:abc`)))._tag).toBe(
      "WaitAborted"
    )
  })

  it("track takes only clients", () => {
    expect(() => track({} as never)).toThrow(/middleware stack/)
    expect(() => track(null as never)).toThrow(/AWS SDK v3 client/)
  })

  it("the result has the response's shape, in the types too", () => {
    const one = {} as RegisterInstanceCommandOutput
    const many = {} as SsmSapUpdateApplicationSettingsOutput
    // Checked by the type checker; not run (it would make requests).
    const typed = async () => {
      expectTypeOf(await waitForSuccess(one)).toEqualTypeOf<Operation>()
      expectTypeOf(await waitForSuccess(many)).toEqualTypeOf<ReadonlyArray<Operation>>()
      expectTypeOf(await waitForSuccess("lightsail:us-east-1:abc")).toEqualTypeOf<Operation>()
    }
    expect(typed).toBeTypeOf("function")
  })
})

describe("the region of a response that names none", () => {
  afterEach(() => vi.unstubAllEnvs())

  const withoutRegion = () => {
    stubAwsEnv("http://127.0.0.1:9")
    vi.stubEnv("AWS_REGION", undefined)
  }

  it("no default region: an InvalidRef saying how to give one", async () => {
    withoutRegion()
    const status = createOpstatus()
    const error = await rejection(status.waitForSuccess({ OperationId: cloudMapId }))
    expect(reasonOf(error)._tag).toBe("InvalidRef")
    expect((error as Error).message).toContain("set AWS_REGION")
    expect((error as Error).message).toContain("{ client }")
    await status.close()
  })

  it("AWS_DEFAULT_REGION, as the AWS CLI reads it", async () => {
    withoutRegion()
    vi.stubEnv("AWS_DEFAULT_REGION", "eu-central-1")
    expect(await defaultRegion()).toBe("eu-central-1")
  })

  it("AWS_REGION wins over AWS_DEFAULT_REGION", async () => {
    withoutRegion()
    vi.stubEnv("AWS_REGION", "ap-southeast-2")
    vi.stubEnv("AWS_DEFAULT_REGION", "eu-central-1")
    expect(await defaultRegion()).toBe("ap-southeast-2")
  })

  it("the profile's region, from the config file (AWS_PROFILE chooses the profile)", async () => {
    withoutRegion()
    vi.stubEnv(
      "AWS_CONFIG_FILE",
      settingsFile("[default]\nregion = ap-south-1\n[profile ops]\nregion = sa-east-1\n")
    )
    expect(await defaultRegion()).toBe("ap-south-1")
    vi.stubEnv("AWS_PROFILE", "ops")
    expect(await defaultRegion()).toBe("sa-east-1")
    const status = createOpstatus()
    expect(await status.refsOf({ OperationId: ssmSapId })).toEqual([
      { service: "ssm-sap", region: "sa-east-1", id: ssmSapId }
    ])
    await status.close()
  })

  it("a client's own region: SDK clients (config.region) and SsmSapHttpClient", async () => {
    withoutRegion()
    const lightsail = new LightsailClient({ region: "eu-west-3", credentials })
    const cloudMap = new ServiceDiscoveryClient({ region: "eu-north-1", credentials })
    expect(await regionOfClient(lightsail)).toBe("eu-west-3")
    expect(await regionOfClient(cloudMap)).toBe("eu-north-1")
    expect(await regionOfClient(new SsmSapHttpClient({ region: "me-south-1", credentials }))).toBe(
      "me-south-1"
    )
    expect(await regionOfClient({})).toBeUndefined()
    const status = createOpstatus()
    expect(await status.refsOf({ OperationId: cloudMapId }, { client: cloudMap })).toEqual([
      { service: "servicediscovery", region: "eu-north-1", id: cloudMapId }
    ])
    await status.close()
    lightsail.destroy()
    cloudMap.destroy()
  })
})

describe("the SSM for SAP endpoint, as the SDK would find it", () => {
  afterEach(() => vi.unstubAllEnvs())

  it("AWS_ENDPOINT_URL_SSM_SAP over AWS_ENDPOINT_URL; none when configured endpoints are ignored", async () => {
    stubAwsEnv("http://127.0.0.1:4566")
    expect(await ssmSapEndpoint()).toBe("http://127.0.0.1:4566")
    vi.stubEnv("AWS_ENDPOINT_URL_SSM_SAP", "http://127.0.0.1:4567")
    expect(await ssmSapEndpoint()).toBe("http://127.0.0.1:4567")
    vi.stubEnv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
    expect(await ssmSapEndpoint()).toBeUndefined()
  })

  it("the profile's endpoint_url and its services section", async () => {
    stubAwsEnv("http://127.0.0.1:4566")
    vi.stubEnv("AWS_ENDPOINT_URL", undefined)
    vi.stubEnv("AWS_CONFIG_FILE", settingsFile("[default]\nendpoint_url = http://127.0.0.1:5000\n"))
    expect(await ssmSapEndpoint()).toBe("http://127.0.0.1:5000")
    vi.stubEnv(
      "AWS_CONFIG_FILE",
      settingsFile(
        "[default]\nservices = local\nendpoint_url = http://127.0.0.1:5000\n[services local]\nssm_sap =\n  endpoint_url = http://127.0.0.1:5001\n"
      )
    )
    expect(await ssmSapEndpoint()).toBe("http://127.0.0.1:5001")
  })
})
