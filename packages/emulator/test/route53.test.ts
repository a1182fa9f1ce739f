/**
 * Route 53 on the wire: REST-XML requests signed with SigV4 for `route53`, read as they come back
 * (status, headers, the XML itself), and the codec on its own. The real Route53Client drives the
 * same emulator in packages/e2e/test/route53.e2e.test.ts.
 */
import { Sha256 } from "@smithy/core/checksum"
import { SignatureV4 } from "@smithy/signature-v4"
import { describe, expect, it } from "vitest"
import type { Emulator } from "../src/index.js"
import { ROUTE53_XMLNS, route53Codec } from "../src/Route53.js"
import { credentials, ManualClock, start } from "./helpers.js"

interface Answer {
  readonly status: number
  readonly contentType: string | null
  readonly location: string | null
  readonly requestId: string | null
  readonly body: string
}

/** Route 53 calls to the emulator, signed as the SDK signs them (for any region: Route 53 is global). */
const route53 = (emulator: Emulator, region = "us-east-1", accessKeyId?: string) => {
  const signer = new SignatureV4({
    service: "route53",
    region,
    credentials: credentials(accessKeyId),
    sha256: Sha256
  })
  const endpoint = new URL(emulator.endpoint)
  return async (method: string, path: string, body?: string): Promise<Answer> => {
    const signed = await signer.sign({
      method,
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      port: Number(endpoint.port),
      path,
      query: {},
      headers: { host: endpoint.host, ...(body === undefined ? {} : { "content-type": "application/xml" }) },
      ...(body === undefined ? {} : { body })
    })
    const { host: _host, ...headers } = signed.headers
    const response = await fetch(new URL(path, endpoint), {
      method,
      headers,
      ...(body === undefined ? {} : { body })
    })
    return {
      status: response.status,
      contentType: response.headers.get("content-type"),
      location: response.headers.get("location"),
      requestId: response.headers.get("x-amzn-requestid"),
      body: await response.text()
    }
  }
}

/** The text of the first `<name>` element of an answer. */
const element = (xml: string, name: string): string | undefined =>
  new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1]

const zoneRequest = (name: string, reference = name) =>
  `<?xml version="1.0" encoding="UTF-8"?><CreateHostedZoneRequest xmlns="${ROUTE53_XMLNS}"><Name>${name}</Name>` +
  `<CallerReference>${reference}</CallerReference><HostedZoneConfig><Comment>a &amp; b</Comment></HostedZoneConfig></CreateHostedZoneRequest>`

const recordsRequest = (action: string, name: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><ChangeResourceRecordSetsRequest xmlns="${ROUTE53_XMLNS}"><ChangeBatch>` +
  `<Changes><Change><Action>${action}</Action><ResourceRecordSet><Name>${name}</Name><Type>A</Type><TTL>60</TTL>` +
  "<ResourceRecords><ResourceRecord><Value>192.0.2.1</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change></Changes>" +
  "<Comment>one</Comment></ChangeBatch></ChangeResourceRecordSetsRequest>"

const CHANGE = /^\/change\/C[A-Z0-9]{13}$/
const ZONE = /^\/hostedzone\/Z[A-Z0-9]{13}$/

describe("Route 53 on the wire", () => {
  it("CreateHostedZone answers 201 with a Location, the zone, a PENDING ChangeInfo and four name servers", async () => {
    const clock = new ManualClock()
    const emulator = await start({ now: clock.now })
    const answer = await route53(emulator)("POST", "/2013-04-01/hostedzone", zoneRequest("Example.com"))
    expect([answer.status, answer.contentType]).toEqual([201, "text/xml"])
    expect(answer.body).toMatch(
      new RegExp(
        `^<\\?xml version="1.0" encoding="UTF-8"\\?>\\n<CreateHostedZoneResponse xmlns="${ROUTE53_XMLNS}">`
      )
    )
    const zoneId = element(answer.body, "Id")!
    expect(zoneId).toMatch(ZONE)
    expect(answer.location).toBe(`https://route53.amazonaws.com/2013-04-01/hostedzone/${zoneId.slice(12)}`)
    expect(answer.body).toContain(
      "<Name>example.com.</Name><CallerReference>Example.com</CallerReference>" +
        "<Config><Comment>a &amp; b</Comment><PrivateZone>false</PrivateZone></Config><ResourceRecordSetCount>2</ResourceRecordSetCount>"
    )
    const changeInfo = /<ChangeInfo>(.*)<\/ChangeInfo>/.exec(answer.body)?.[1] ?? ""
    expect(element(changeInfo, "Id")).toMatch(CHANGE)
    expect(element(changeInfo, "Status")).toBe("PENDING")
    expect(element(changeInfo, "SubmittedAt")).toBe(new Date(clock.t).toISOString())
    expect(
      answer.body.match(/<NameServer>ns-\d+\.awsdns-\d+\.(com|net|org|co\.uk)<\/NameServer>/g)
    ).toHaveLength(4)
  })

  it("GetChange answers the ChangeInfo, PENDING then INSYNC, to a client signing for any region", async () => {
    const clock = new ManualClock()
    const emulator = await start({
      now: clock.now,
      scenario: { services: { route53: { durations: { queuedMs: [0, 0], runningMs: [1_000, 1_000] } } } }
    })
    const created = await route53(emulator)("POST", "/2013-04-01/hostedzone", zoneRequest("example.com"))
    const zoneId = element(created.body, "Id")!.slice(12)
    const changed = await route53(emulator, "eu-west-1")(
      "POST",
      `/2013-04-01/hostedzone/${zoneId}/rrset/`,
      recordsRequest("CREATE", "www.example.com")
    )
    expect(changed.status).toBe(200)
    const id = element(changed.body, "Id")!.slice(8)
    const read = () => route53(emulator, "ap-south-1")("GET", `/2013-04-01/change/${id}`)
    const pending = await read()
    expect(pending.body).toBe(
      `<?xml version="1.0" encoding="UTF-8"?>\n<GetChangeResponse xmlns="${ROUTE53_XMLNS}"><ChangeInfo>` +
        `<Id>/change/${id}</Id><Status>PENDING</Status><SubmittedAt>${new Date(clock.t).toISOString()}</SubmittedAt>` +
        "<Comment>one</Comment></ChangeInfo></GetChangeResponse>"
    )
    clock.advance(1_000)
    expect(element((await read()).body, "Status")).toBe("INSYNC")
  })

  it("errors are an ErrorResponse with Type, Code, Message and the request ID", async () => {
    const emulator = await start({ timeScale: 1 })
    const answer = await route53(emulator)("GET", "/2013-04-01/change/C0000000000000")
    expect([answer.status, answer.contentType]).toEqual([404, "text/xml"])
    expect(answer.requestId).toMatch(/^[0-9a-f-]{36}$/)
    expect(answer.body).toBe(
      `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${ROUTE53_XMLNS}"><Error><Type>Sender</Type>` +
        "<Code>NoSuchChange</Code><Message>A change with the specified change ID does not exist: C0000000000000</Message>" +
        `</Error><RequestId>${answer.requestId}</RequestId></ErrorResponse>`
    )
  })

  it.each([
    [
      "an unknown hosted zone",
      "POST",
      "/2013-04-01/hostedzone/Z0/rrset",
      recordsRequest("CREATE", "a.example.com"),
      404,
      "NoSuchHostedZone"
    ],
    ["a body that is not XML", "POST", "/2013-04-01/hostedzone", "{}", 400, "InvalidInput"],
    [
      "another document",
      "POST",
      "/2013-04-01/hostedzone",
      `<GetChangeRequest xmlns="${ROUTE53_XMLNS}"/>`,
      400,
      "InvalidInput"
    ],
    ["a path no operation answers", "GET", "/2013-04-01/healthcheck", undefined, 400, "InvalidAction"],
    ["a delete of an unknown zone", "DELETE", "/2013-04-01/hostedzone/Z0", undefined, 404, "NoSuchHostedZone"]
  ])("%s is %s %s", async (_, method, path, body, status, code) => {
    const emulator = await start({ timeScale: 1 })
    const answer = await route53(emulator)(method, path, body)
    expect([answer.status, element(answer.body, "Code")]).toEqual([status, code])
  })

  it("a throttled request is Throttling, HTTP 400, Rate exceeded", async () => {
    const emulator = await start({
      timeScale: 1,
      scenario: { services: { route53: { rateLimit: { perSecond: 0, burst: 1 } } } }
    })
    const call = route53(emulator)
    await call("GET", "/2013-04-01/change/C1")
    const answer = await call("GET", "/2013-04-01/change/C1")
    expect([answer.status, element(answer.body, "Code"), element(answer.body, "Message")]).toEqual([
      400,
      "Throttling",
      "Rate exceeded"
    ])
    expect(emulator.metrics().services.route53.byOperation.GetChange?.throttled).toBe(1)
  })

  it("a 5xx is a Receiver error", async () => {
    const emulator = await start({
      timeScale: 1,
      scenario: { services: { route53: { faults: { error5xxRate: 1 } } } }
    })
    const answer = await route53(emulator)("GET", "/2013-04-01/change/C1")
    expect([500, 503]).toContain(answer.status)
    expect(element(answer.body, "Type")).toBe("Receiver")
    expect(element(answer.body, "Code")).toBe(
      answer.status === 500 ? "InternalFailure" : "ServiceUnavailable"
    )
  })
})

describe("route53Codec", () => {
  const request = (method: string, path: string, body = "", query = "") => ({
    method,
    path,
    query: new URLSearchParams(query),
    headers: {},
    body
  })

  it.each([
    ["GET", "/2013-04-01/change/C1", "GetChange"],
    ["DELETE", "/2013-04-01/hostedzone/Z1", "DeleteHostedZone"],
    ["GET", "/2013-04-01/hostedzone", "ListHostedZones"],
    ["POST", "/2013-04-01/hostedzone/Z1/rrset/", "ChangeResourceRecordSets"]
  ])("%s %s is %s", (method, path, operation) => {
    const body =
      operation === "ChangeResourceRecordSets"
        ? '<ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"/>'
        : ""
    expect(route53Codec.decode(request(method, path, body)).operation).toBe(operation)
  })

  it.each([
    ["GET", "/2013-04-01/change"],
    ["PUT", "/2013-04-01/change/C1"],
    ["GET", "/2013-04-01/healthcheck"],
    ["POST", "/2013-04-01/hostedzone/Z1/rrset/extra"],
    ["GET", "/2012-12-12/change/C1"]
  ])("%s %s is an unknown operation", (method, path) => {
    expect(() => route53Codec.decode(request(method, path))).toThrow(
      expect.objectContaining({ kind: "unknownOperation" })
    )
  })

  it("reads a body's elements, repeated ones as a list, entities decoded", () => {
    const body =
      '<?xml version="1.0" encoding="UTF-8"?><!-- a comment --><ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/">' +
      "<ChangeBatch><Comment>a &amp; b &lt;c&gt; &#65;&#x42;</Comment><Changes><Change><Action>CREATE</Action></Change>" +
      "<Change><Action>DELETE</Action></Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>"
    expect(route53Codec.decode(request("POST", "/2013-04-01/hostedzone/Z%31/rrset", body)).input).toEqual({
      HostedZoneId: "Z1",
      ChangeBatch: {
        Comment: "a & b <c> AB",
        Changes: { Change: [{ Action: "CREATE" }, { Action: "DELETE" }] }
      }
    })
  })

  it.each([
    ["not XML", "hello"],
    ["an unclosed element", "<CreateHostedZoneRequest><Name>x</Name>"],
    ["a mismatched close", "<CreateHostedZoneRequest><Name>x</Other></CreateHostedZoneRequest>"],
    ["two roots", "<CreateHostedZoneRequest/><CreateHostedZoneRequest/>"],
    ["a DOCTYPE", '<!DOCTYPE x [<!ENTITY e "boom">]><CreateHostedZoneRequest>&e;</CreateHostedZoneRequest>'],
    ["an unknown entity", "<CreateHostedZoneRequest><Name>&nbsp;</Name></CreateHostedZoneRequest>"],
    ["another document", "<ListHostedZonesRequest/>"],
    ["elements nested too deep", `${"<a>".repeat(40)}${"</a>".repeat(40)}`]
  ])("a body that is %s is a validation error", (_, body) => {
    expect(() => route53Codec.decode(request("POST", "/2013-04-01/hostedzone", body))).toThrow(
      expect.objectContaining({ kind: "validation" })
    )
  })

  it("writes answers and errors as Route 53 does", () => {
    const answer = route53Codec.encode(
      "GetChange",
      { ChangeInfo: { Id: "/change/C1", Comment: "<&>" } },
      "r-1"
    )
    expect(answer).toEqual({
      status: 200,
      contentType: "text/xml",
      body:
        '<?xml version="1.0" encoding="UTF-8"?>\n<GetChangeResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">' +
        "<ChangeInfo><Id>/change/C1</Id><Comment>&lt;&amp;&gt;</Comment></ChangeInfo></GetChangeResponse>"
    })
    expect(route53Codec.encodeError({ name: "NoSuchChange", status: 404 }, "gone", "r-2").body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">' +
        "<Error><Type>Sender</Type><Code>NoSuchChange</Code><Message>gone</Message></Error><RequestId>r-2</RequestId></ErrorResponse>"
    )
    expect(route53Codec.encodeError({ name: "InternalFailure", status: 500 }, "x", "r-3").body).toContain(
      "<Type>Receiver</Type>"
    )
  })
})
