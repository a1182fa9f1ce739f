/**
 * CloudFormation's query protocol in the emulator: the form a request comes in (dotted paths,
 * `member.N` lists, `Key=` for an empty list), the XML answers and errors, and the wire as it
 * leaves the emulator for a SigV4-signed request. The same service through the real
 * CloudFormationClient is tested in @opstatus/cloudformation (test/emulator.test.ts), which
 * has the client as a dependency.
 */
import { Sha256 } from "@smithy/core/checksum"
import { SignatureV4 } from "@smithy/signature-v4"
import { describe, expect, it } from "vitest"
import { cloudFormationCodec, decodeQueryRequest, toXml } from "../src/CloudFormation.js"
import type { Emulator } from "../src/index.js"
import { ApiError } from "../src/internal/apiError.js"
import { credentials, ManualClock, start } from "./helpers.js"

const form = (text: string) => new URLSearchParams(text)

const apiError = (f: () => unknown): ApiError => {
  try {
    f()
  } catch (error) {
    if (error instanceof ApiError) return error
    throw error
  }
  throw new Error("expected an ApiError")
}

describe("decodeQueryRequest", () => {
  it("reads the Action, dotted paths and member lists in their index order", () => {
    expect(
      decodeQueryRequest(
        form(
          "Action=CreateStackInstances&Version=2010-05-15&StackSetName=web&Regions.member.2=eu-west-1" +
            "&Regions.member.1=us-east-1&DeploymentTargets.Accounts.member.1=111111111111" +
            "&OperationPreferences.RegionOrder.member.1=us-east-1&OperationPreferences.MaxConcurrentCount=2" +
            "&Regions.member.10=ap-south-1"
        )
      )
    ).toEqual({
      operation: "CreateStackInstances",
      input: {
        StackSetName: "web",
        Regions: ["us-east-1", "eu-west-1", "ap-south-1"],
        DeploymentTargets: { Accounts: ["111111111111"] },
        OperationPreferences: { RegionOrder: ["us-east-1"], MaxConcurrentCount: "2" }
      }
    })
  })

  it("reads an empty list (Key=) as an empty list", () => {
    expect(decodeQueryRequest(form("Action=X&Version=2010-05-15&Accounts=&Regions=")).input).toEqual({
      Accounts: [],
      Regions: []
    })
  })

  it.each([
    ["no Action", "Version=2010-05-15", "unknownOperation"],
    ["another Version", "Action=X&Version=2011-01-01", "validation"],
    ["no Version", "Action=X", "validation"],
    ["a __proto__ path", "Action=X&Version=2010-05-15&__proto__.polluted=1", "validation"],
    ["a constructor path", "Action=X&Version=2010-05-15&a.constructor.prototype=1", "validation"],
    ["an empty path part", "Action=X&Version=2010-05-15&a..b=1", "validation"],
    ["a value and a structure of one name", "Action=X&Version=2010-05-15&A=1&A.b=2", "validation"],
    ["a structure, then a value of its name", "Action=X&Version=2010-05-15&A.b=2&A=1", "validation"],
    ["members numbered from 0", "Action=X&Version=2010-05-15&A.member.0=x", "validation"]
  ])("%s is an ApiError (%s)", (_, text, kind) => {
    expect(apiError(() => decodeQueryRequest(form(text))).kind).toBe(kind)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it("reads a GET's query string, and refuses other methods", () => {
    const request = (method: string) => ({
      method,
      path: "/",
      query: form("Action=ListStackSetOperations&Version=2010-05-15&StackSetName=web"),
      headers: {},
      body: ""
    })
    expect(cloudFormationCodec.decode(request("GET")).operation).toBe("ListStackSetOperations")
    expect(apiError(() => cloudFormationCodec.decode(request("PUT"))).kind).toBe("unknownOperation")
  })
})

describe("the XML answers", () => {
  it("writes objects as elements, lists as members, and escapes text", () => {
    expect(toXml({ A: "x<&>\"'", B: [{ C: 1 }, { C: true }], D: undefined, E: [] })).toBe(
      "<A>x&lt;&amp;&gt;&quot;&apos;</A><B><member><C>1</C></member><member><C>true</C></member></B><E></E>"
    )
  })

  it("wraps a result in <Action>Response, <Action>Result and ResponseMetadata", () => {
    expect(cloudFormationCodec.encode("StopStackSetOperation", {}, "req-1")).toEqual({
      status: 200,
      contentType: "text/xml",
      body:
        '<StopStackSetOperationResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">' +
        "<StopStackSetOperationResult></StopStackSetOperationResult>" +
        "<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></StopStackSetOperationResponse>"
    })
  })

  it("writes errors as an ErrorResponse, Sender for a 4xx and Receiver for a 5xx", () => {
    expect(
      cloudFormationCodec.encodeError(
        { name: "StackSetNotFoundException", status: 404 },
        "StackSet web not found",
        "r"
      ).body
    ).toBe(
      '<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type>' +
        "<Code>StackSetNotFoundException</Code><Message>StackSet web not found</Message></Error>" +
        "<RequestId>r</RequestId></ErrorResponse>"
    )
    expect(
      cloudFormationCodec.encodeError({ name: "InternalFailure", status: 500 }, "x", "r").body
    ).toContain("<Type>Receiver</Type>")
  })
})

/** A SigV4-signed query-protocol request, as the SDK sends one. */
const query = async (emulator: Emulator, params: Record<string, string>) => {
  const endpoint = new URL(emulator.endpoint)
  const body = new URLSearchParams({ Version: "2010-05-15", ...params }).toString()
  const signer = new SignatureV4({
    service: "cloudformation",
    region: "us-east-1",
    credentials: credentials(),
    sha256: Sha256
  })
  const signed = await signer.sign({
    method: "POST",
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    port: Number(endpoint.port),
    path: "/",
    query: {},
    headers: { host: endpoint.host, "content-type": "application/x-www-form-urlencoded" },
    body
  })
  const { host: _host, ...headers } = signed.headers
  const response = await fetch(endpoint, { method: "POST", headers, body })
  return { status: response.status, type: response.headers.get("content-type"), text: await response.text() }
}

describe("the wire of a signed request", () => {
  it("answers XML with member lists, ISO 8601 timestamps and the request ID", async () => {
    const clock = new ManualClock()
    const emulator = await start({ port: 0, seed: 3, now: clock.now })
    const created = await query(emulator, {
      Action: "CreateStackSet",
      StackSetName: "web",
      TemplateBody: "{}"
    })
    expect(created.status).toBe(200)
    expect(created.type).toBe("text/xml")
    expect(created.text).toMatch(
      /^<CreateStackSetResponse xmlns="http:\/\/cloudformation\.amazonaws\.com\/doc\/2010-05-15\/"><CreateStackSetResult><StackSetId>web:[0-9a-f-]{36}<\/StackSetId><\/CreateStackSetResult><ResponseMetadata><RequestId>[^<]+<\/RequestId><\/ResponseMetadata><\/CreateStackSetResponse>$/
    )
    const started = await query(emulator, {
      Action: "CreateStackInstances",
      StackSetName: "web",
      "Accounts.member.1": "111111111111",
      "Regions.member.1": "us-east-1",
      OperationId: "op-1"
    })
    expect(started.text).toContain(
      "<CreateStackInstancesResult><OperationId>op-1</OperationId></CreateStackInstancesResult>"
    )
    const listed = await query(emulator, { Action: "ListStackSetOperations", StackSetName: "web" })
    expect(listed.text).toContain(
      `<Summaries><member><OperationId>op-1</OperationId><Action>CREATE</Action><Status>QUEUED</Status><CreationTimestamp>${new Date(clock.t).toISOString()}</CreationTimestamp></member></Summaries>`
    )
  })

  it("answers an unknown Action with InvalidAction, and an unknown stack set with StackSetNotFoundException", async () => {
    const emulator = await start({ port: 0 })
    const unknown = await query(emulator, { Action: "DescribeStackSet" })
    expect([unknown.status, unknown.text]).toEqual([
      400,
      expect.stringContaining("<Code>InvalidAction</Code>")
    ])
    const missing = await query(emulator, {
      Action: "DescribeStackSetOperation",
      StackSetName: "web",
      OperationId: "x"
    })
    expect(missing.status).toBe(404)
    expect(missing.text).toContain("<Code>StackSetNotFoundException</Code>")
    expect(missing.text).toContain("<Message>StackSet web not found</Message>")
  })
})
