/**
 * The SigV4 client of `@opstatus/ssm-sap/http` on the wire: against a
 * scripted loopback server (exact requests, errors, timestamps) and against
 * the emulator (the calls that start operations, then reading them).
 */

import { SsmSapHttpClient, SsmSapServiceException, sanitizeErrorCode } from "@opstatus/ssm-sap/http"
import { Sha256 } from "@smithy/core/checksum"
import { SignatureV4 } from "@smithy/signature-v4"
import { describe, expect, it } from "vitest"
import type { SsmSapLike } from "../src/index.js"
import { emulator, httpClient, rejection, serve } from "./helpers.js"

describe("SsmSapHttpClient on the wire", () => {
  it("sends a valid SigV4-signed restJson request to the endpoint's path", async () => {
    const { seen, endpoint } = await serve(() => ({ status: 200, body: "{}" }))
    const credentials = { accessKeyId: "AKIDTEST", secretAccessKey: "secret", sessionToken: "token" }
    const client = new SsmSapHttpClient({ region: "eu-west-1", endpoint: `${endpoint}/prefix`, credentials })
    const out = await client.getOperation({ OperationId: "11111111-2222-4333-8444-555555555555" })
    expect(out).toEqual({ $metadata: { httpStatusCode: 200 } })

    const request = seen[0]!
    expect(request.method).toBe("POST")
    expect(request.url).toBe("/prefix/get-operation")
    expect(request.headers["content-type"]).toBe("application/json")
    expect(request.headers["x-amz-target"]).toBeUndefined()
    expect(request.headers["x-amz-security-token"]).toBe("token")
    expect(JSON.parse(request.body)).toEqual({ OperationId: "11111111-2222-4333-8444-555555555555" })
    const authorization = request.headers.authorization!
    expect(authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/eu-west-1\/ssm-sap\/aws4_request, /
    )

    // Re-sign what arrived, at the same instant, and compare signatures.
    const signedNames = /SignedHeaders=([^,]+)/.exec(authorization)![1]!.split(";")
    const headers: Record<string, string> = {}
    for (const name of signedNames) headers[name] = String(request.headers[name])
    const amzDate = headers["x-amz-date"]!
    const signingDate = new Date(
      `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`
    )
    const host = headers.host!
    const expected = await new SignatureV4({
      service: "ssm-sap",
      region: "eu-west-1",
      credentials,
      sha256: Sha256
    }).sign(
      {
        method: "POST",
        protocol: "http:",
        hostname: host.split(":")[0]!,
        port: Number(host.split(":")[1]),
        path: request.url,
        query: {},
        headers,
        body: request.body
      },
      { signingDate }
    )
    expect(authorization).toBe(expected.headers.authorization)
  })

  it("picks the error name restJson's way: header, then code, then __type, cleaned", async () => {
    const answers = [
      {
        status: 404,
        headers: { "x-amzn-errortype": "ResourceNotFoundException:http://internal/" },
        body: '{"__type":"Other","Message":"gone"}'
      },
      { status: 400, body: '{"code":"ValidationException","message":"bad"}' },
      { status: 409, body: '{"__type":"com.amazonaws.ssmsap#ConflictException","Message":"conflict"}' },
      { status: 503, body: "" },
      { status: 500, body: '{"Code":"InternalServerException"}' }
    ]
    let i = 0
    const { endpoint } = await serve(() => answers[i++]!)
    const client = new SsmSapHttpClient({
      region: "us-east-1",
      endpoint,
      credentials: async () => ({ accessKeyId: "A", secretAccessKey: "B" })
    })
    const errors: SsmSapServiceException[] = []
    for (let n = 0; n < answers.length; n++)
      errors.push(await rejection(client.startApplication({ ApplicationId: "a" })))
    expect(errors.map((e) => [e.name, e.message, e.Message, e.$fault, e.$metadata.httpStatusCode])).toEqual([
      ["ResourceNotFoundException", "gone", "gone", "client", 404],
      ["ValidationException", "bad", undefined, "client", 400],
      ["ConflictException", "conflict", "conflict", "client", 409],
      ["Unknown", "UnknownError", undefined, "server", 503],
      ["InternalServerException", "UnknownError", undefined, "server", 500]
    ])
    expect(errors.every((e) => e instanceof SsmSapServiceException && e instanceof Error)).toBe(true)
  })

  it("surfaces a body that is not JSON as a SyntaxError carrying $metadata", async () => {
    const { endpoint } = await serve(() => ({
      status: 502,
      headers: { "x-amzn-requestid": "req-1" },
      body: "<html>bad gateway</html>"
    }))
    const client = new SsmSapHttpClient({
      region: "us-east-1",
      endpoint,
      credentials: { accessKeyId: "A", secretAccessKey: "B" }
    })
    const error = await rejection(client.listOperations({ ApplicationId: "a" }))
    expect(error).toBeInstanceOf(SyntaxError)
    expect(error.$metadata).toEqual({ httpStatusCode: 502, requestId: "req-1" })
  })

  it("converts epoch seconds (numbers or numeric strings) to Date, to the millisecond", async () => {
    const { endpoint } = await serve(() => ({
      status: 200,
      body: JSON.stringify({
        Operation: {
          Id: "x",
          StartTime: 1700000000.1234,
          EndTime: "1700000001.5",
          LastUpdatedTime: 1700000001
        }
      })
    }))
    const client = new SsmSapHttpClient({
      region: "us-east-1",
      endpoint,
      credentials: { accessKeyId: "A", secretAccessKey: "B" }
    })
    const { Operation } = await client.getOperation({ OperationId: "x" })
    expect(Operation!.StartTime).toEqual(new Date(1700000000123))
    expect(Operation!.EndTime).toEqual(new Date(1700000001500))
    expect(Operation!.LastUpdatedTime).toEqual(new Date(1700000001000))
  })

  it("honours abortSignal and does not retry", async () => {
    const { seen, endpoint } = await serve(() => ({ status: 500, body: '{"message":"x"}' }))
    const client = new SsmSapHttpClient({
      region: "us-east-1",
      endpoint,
      credentials: { accessKeyId: "A", secretAccessKey: "B" }
    })
    expect((await rejection(client.getOperation({ OperationId: "x" }))).name).toBe("Unknown")
    expect(seen).toHaveLength(1)
    const aborted = await rejection(
      client.getOperation({ OperationId: "x" }, { abortSignal: AbortSignal.abort() })
    )
    expect(aborted.name).toBe("AbortError")
  })
})

describe("SsmSapHttpClient against the emulator", () => {
  it("starts operations and reads them back: Date timestamps, $metadata, events, pages", async () => {
    const emu = await emulator()
    const client = httpClient(emu.endpoint)
    // The structural contract of the source takes it as it takes the official SsmSap.
    const accepted: SsmSapLike = client
    const registered = await client.registerApplication({
      ApplicationId: "hana-prod",
      ApplicationType: "HANA",
      Instances: ["i-0123456789abcdef0"]
    })
    expect(registered.Application?.Id).toBe("hana-prod")
    expect(registered.Application?.LastUpdated).toBeInstanceOf(Date)
    const started = await client.startApplication({ ApplicationId: "hana-prod" })
    const updated = await client.updateApplicationSettings({ ApplicationId: "hana-prod" })
    expect(updated.OperationIds).toHaveLength(2)

    const got = await accepted.getOperation({ OperationId: started.OperationId! })
    expect(got.Operation?.Id).toBe(started.OperationId)
    expect(got.Operation?.StartTime).toBeInstanceOf(Date)
    expect(got.$metadata?.requestId).toEqual(expect.any(String))

    const first = await client.listOperations({ ApplicationId: "hana-prod", MaxResults: 2 })
    expect(first.Operations).toHaveLength(2)
    const rest = await client.listOperations({ ApplicationId: "hana-prod", NextToken: first.NextToken! })
    expect([...first.Operations!, ...rest.Operations!].map((o) => o.Id).sort()).toEqual(
      [registered.OperationId, started.OperationId, ...updated.OperationIds!].sort()
    )
    const events = await client.listOperationEvents({ OperationId: started.OperationId! })
    expect(events.OperationEvents?.every((e) => e.Timestamp instanceof Date)).toBe(true)

    const error = await rejection(
      client.getOperation({ OperationId: "00000000-0000-4000-8000-000000000000" })
    )
    expect(error).toBeInstanceOf(SsmSapServiceException)
    expect([error.name, error.$metadata.httpStatusCode]).toEqual(["ResourceNotFoundException", 404])
  })
})

describe("sanitizeErrorCode (restJson error codes)", () => {
  it.each([
    ["ValidationException", "ValidationException"],
    ["aws.ssmsap#ResourceNotFoundException", "ResourceNotFoundException"],
    ["ThrottlingException:http://internal.amazon.com/coral/", "ThrottlingException"],
    ["ConflictException,aws.ssmsap#Other", "ConflictException"],
    ["aws.ssmsap#InternalServerException:http://x,y", "InternalServerException"]
  ])("%s reads as %s", (raw, code) => {
    expect(sanitizeErrorCode(raw)).toBe(code)
  })
})
