/**
 * The same properties through the real clients: the AWS SDK v3
 * LightsailClient and ServiceDiscoveryClient and the SigV4 SSM for SAP client
 * of `@opstatus/ssm-sap/http`, wired into the real sources and the public
 * Promise API (`createOperationStatus`), against a server on 127.0.0.1 that
 * answers each request with a reply fast-check generated: any status code,
 * headers and body, a reset, a reply cut short, or none. Every `get`,
 * `waitForTerminal` and `waitForSuccess` (each with a short deadline) ends
 * in a typed error or in an operation the service really described: its raw
 * status one the server sent, its unified status that status's row, and
 * `succeeded` only when a reply said success.
 */
import { LightsailClient } from "@aws-sdk/client-lightsail"
import { ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery"
import { createOperationStatus, type OperationStatusApi, type OpstatusError } from "@opstatus/core"
import type { StatusTable } from "@opstatus/core/adapter-kit"
import { lightsailSource, lightsailStatusTable } from "@opstatus/lightsail"
import { serviceDiscoverySource, serviceDiscoveryStatusTable } from "@opstatus/servicediscovery"
import { ssmSapSource, ssmSapStatusTable } from "@opstatus/ssm-sap"
import { SsmSapHttpClient } from "@opstatus/ssm-sap/http"
import fc from "fast-check"
import { afterAll, beforeAll, describe, it } from "vitest"
import {
  expectNoPollution,
  holdsAsync,
  settleAsync,
  Tally,
  testTimeout,
  typedTag,
  wireRuns
} from "../../support/fuzz.js"
import { type Reply, type Served, startWireServer, type WireServer } from "../../support/fuzzWire.js"

type Service = "lightsail" | "servicediscovery" | "ssm-sap"
const services: ReadonlyArray<Service> = ["lightsail", "servicediscovery", "ssm-sap"]
const tables: Record<Service, StatusTable> = {
  lightsail: lightsailStatusTable,
  servicediscovery: serviceDiscoveryStatusTable,
  "ssm-sap": ssmSapStatusTable
}
const region = "us-east-1"
/** Where a body gets the operation asked for (the server puts it in; `@@ID<k>@@` is the run's k-th). */
const ID = "@@ID@@"

let server: WireServer
let status: OperationStatusApi
let lightsail: LightsailClient
let cloudMap: ServiceDiscoveryClient

beforeAll(async () => {
  server = await startWireServer()
  const credentials = { accessKeyId: "AKIDFUZZEXAMPLE", secretAccessKey: "fuzz-secret-key" }
  // The engine owns retries: the SDK's own would only hide the replies from the property.
  const config = { endpoint: server.endpoint, region, credentials, maxAttempts: 1 }
  lightsail = new LightsailClient(config)
  cloudMap = new ServiceDiscoveryClient(config)
  const ssmSap = new SsmSapHttpClient({ endpoint: server.endpoint, region, credentials })
  status = createOperationStatus({
    sources: [
      lightsailSource({ client: lightsail }),
      serviceDiscoverySource({ client: cloudMap }),
      ssmSapSource({ client: ssmSap, region })
    ],
    fleet: { rateLimit: { start: 1_000, min: 100, max: 1_000 } },
    onWarning: () => undefined
  })
})

afterAll(async () => {
  await status?.close()
  lightsail?.destroy()
  cloudMap?.destroy()
  await server?.close()
})

// ---------------------------------------------------------------------------
// Replies

const allRaw = Object.values(tables).flatMap((t) => Object.keys(t))
const json = fc.jsonValue({ maxDepth: 2 })
const statusValue = (service: Service) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...Object.keys(tables[service])) },
    { weight: 2, arbitrary: fc.constantFrom(...allRaw, "CANCELLED", "succeeded", "SUCCESS ", "") },
    { weight: 1, arbitrary: fc.string() },
    { weight: 1, arbitrary: json }
  )
const timestamp = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 4_000_000_000 }) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) },
  { weight: 1, arbitrary: json }
)
const maybe = <A>(arb: fc.Arbitrary<A>) =>
  fc.oneof({ weight: 5, arbitrary: arb }, { weight: 1, arbitrary: json })
const anId = fc.oneof({ weight: 8, arbitrary: fc.constant(ID) }, { weight: 1, arbitrary: json })

/** An operation in the service's own shape, fields mostly right, sometimes anything. */
const operationOf = (service: Service, id = anId): fc.Arbitrary<Record<string, unknown>> => {
  switch (service) {
    case "lightsail":
      return fc.record(
        {
          id,
          status: statusValue(service),
          isTerminal: maybe(fc.boolean()),
          location: maybe(fc.constant({ regionName: region })),
          createdAt: timestamp,
          statusChangedAt: timestamp,
          operationType: maybe(fc.constantFrom("CreateInstance", "DeleteDisk")),
          resourceName: maybe(fc.string()),
          errorCode: maybe(fc.string()),
          errorDetails: maybe(fc.string())
        },
        { requiredKeys: ["id", "status"] }
      )
    case "servicediscovery":
      return fc.record(
        {
          Id: id,
          Status: statusValue(service),
          Type: maybe(fc.constantFrom("REGISTER_INSTANCE", "CREATE_NAMESPACE")),
          CreateDate: timestamp,
          UpdateDate: timestamp,
          ErrorCode: maybe(fc.string()),
          ErrorMessage: maybe(fc.string()),
          Targets: maybe(
            fc.dictionary(fc.constantFrom("NAMESPACE", "SERVICE", "INSTANCE", "__proto__"), fc.string())
          )
        },
        { requiredKeys: ["Id", "Status"] }
      )
    default:
      return fc.record(
        {
          Id: id,
          Status: statusValue(service),
          Type: maybe(fc.string()),
          StatusMessage: maybe(fc.string()),
          Properties: maybe(
            fc.dictionary(
              fc.constantFrom("SAPApplicationId", "__proto__", "x"),
              fc.oneof(fc.string(), fc.constant(null))
            )
          ),
          ResourceType: maybe(fc.constantFrom("AWS::SSMSAP::Application")),
          ResourceId: maybe(fc.string()),
          StartTime: timestamp,
          EndTime: timestamp,
          LastUpdatedTime: timestamp
        },
        { requiredKeys: ["Id", "Status"] }
      )
  }
}

/** A GetOperation answer: the operation where the service puts it, or not quite. */
const answerOf = (service: Service): fc.Arbitrary<unknown> => {
  const key = service === "lightsail" ? "operation" : "Operation"
  return fc.oneof(
    { weight: 8, arbitrary: operationOf(service).map((op) => ({ [key]: op })) },
    { weight: 1, arbitrary: operationOf(service).map((op) => ({ operations: [op], [key]: null })) },
    {
      weight: 1,
      arbitrary: fc.dictionary(fc.constantFrom(key, "__proto__", "constructor", "$metadata"), json)
    }
  )
}

/** A list page: items naming the run's operations (and others), and maybe a next token. */
const listAnswerOf = (service: Service): fc.Arbitrary<unknown> => {
  const itemId = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom("@@ID0@@", "@@ID1@@", "@@ID2@@", "@@ID3@@") },
    { weight: 1, arbitrary: fc.constantFrom("someone-else", "00000000-0000-4000-8000-00000000ffff") },
    { weight: 1, arbitrary: json }
  )
  const item =
    service === "servicediscovery"
      ? fc.record({ Id: itemId, Status: statusValue(service) }, { requiredKeys: ["Id", "Status"] })
      : service === "ssm-sap"
        ? operationOf(service, itemId).map((op) => ({
            ...op,
            ResourceType: "AWS::SSMSAP::Application",
            ResourceId: "app-fuzz"
          }))
        : operationOf(service, itemId)
  const [items, token] =
    service === "lightsail" ? ["operations", "nextPageToken"] : ["Operations", "NextToken"]
  return fc.record(
    {
      [items]: fc.oneof(
        { weight: 8, arbitrary: fc.array(fc.oneof(item, fc.constant(null)), { maxLength: 5 }) },
        { weight: 1, arbitrary: json }
      ),
      [token]: fc.oneof(fc.constantFrom("next-1", "next-2"), json)
    },
    { requiredKeys: [items] }
  )
}

const errorNames = [
  "NotFoundException",
  "OperationNotFound",
  "ResourceNotFoundException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "AccessDeniedException",
  "UnauthenticatedException",
  "UnrecognizedClientException",
  "ValidationException",
  "InvalidInput",
  "ServiceException",
  "InternalServerException",
  "SomethingNew"
]
const errorBody = fc
  .record(
    {
      __type: fc.oneof(fc.constantFrom(...errorNames), fc.string()),
      message: fc.string(),
      Message: fc.string(),
      code: fc.constantFrom(...errorNames)
    },
    { requiredKeys: [] }
  )
  .map((o) => JSON.stringify(o))

const headerValue = fc.oneof(fc.constantFrom(...errorNames), fc.stringMatching(/^[\x20-\x7e]{0,40}$/))
const header = fc.oneof(
  fc.tuple(
    fc.constant("content-type"),
    fc.constantFrom("application/x-amz-json-1.1", "application/json", "text/html; charset=utf-8", "")
  ),
  fc.tuple(
    fc.constant("x-amzn-errortype"),
    fc.oneof(
      headerValue,
      fc.constantFrom(...errorNames).map((n) => `${n}:http://internal.amazon.com/`)
    )
  ),
  fc.tuple(fc.constantFrom("x-amzn-requestid", "x-amz-request-id"), headerValue),
  fc.tuple(fc.stringMatching(/^x-[a-z0-9-]{1,12}$/), headerValue)
)

/** The body text with the run's ID put in, and sometimes a `__proto__` key first. */
const bodyOf = (doc: unknown, proto: boolean): string => {
  const text = JSON.stringify(doc) ?? "null"
  return proto && text.startsWith("{") && text !== "{}"
    ? `{"__proto__":{"polluted":"yes"},${text.slice(1)}`
    : text
}

const replyOf = (service: Service, answer: fc.Arbitrary<unknown> = answerOf(service)): fc.Arbitrary<Reply> =>
  fc.record({
    status: fc.oneof(
      { weight: 10, arbitrary: fc.constant(200) },
      { weight: 4, arbitrary: fc.constantFrom(400, 401, 403, 404, 409, 429, 500, 502, 503, 504) },
      { weight: 1, arbitrary: fc.integer({ min: 201, max: 599 }) }
    ),
    headers: fc.array(header, { maxLength: 3 }),
    body: fc.oneof(
      {
        weight: 12,
        arbitrary: fc.tuple(answerOf(service), fc.boolean()).map(([doc, proto]) => bodyOf(doc, proto))
      },
      { weight: 3, arbitrary: errorBody },
      { weight: 1, arbitrary: fc.json() },
      { weight: 1, arbitrary: fc.string({ unit: "grapheme" }) },
      { weight: 1, arbitrary: fc.constant("") },
      { weight: 1, arbitrary: fc.constant("<html><body>502 Bad Gateway</body></html>") },
      {
        weight: 1,
        arbitrary: fc
          .tuple(answer, fc.nat())
          .map(([doc, cut]) => bodyOf(doc, false).slice(0, cut % (bodyOf(doc, false).length + 1)))
      },
      {
        weight: 1,
        arbitrary: fc
          .uint8Array({ maxLength: 40 })
          .map((bytes) =>
            Buffer.concat([
              Buffer.from('{"Operation":{"Status":"'),
              Buffer.from([0xc3, 0x28, ...bytes]),
              Buffer.from('"}}')
            ])
          )
      },
      { weight: 1, arbitrary: fc.constant(JSON.stringify({ padding: "x".repeat(2 << 20) })) }
    ),
    behaviour: fc.oneof(
      { weight: 60, arbitrary: fc.constant("normal" as const) },
      { weight: 2, arbitrary: fc.constant("reset" as const) },
      { weight: 2, arbitrary: fc.constant("partial" as const) },
      { weight: 1, arbitrary: fc.constant("stall" as const) }
    )
  })

const scenario = fc.constantFrom(...services).chain((service) =>
  fc.record({
    service: fc.constant(service),
    call: fc.constantFrom("get", "waitForTerminal", "waitForSuccess"),
    replies: fc.array(replyOf(service), { minLength: 1, maxLength: 6 })
  })
)

// ---------------------------------------------------------------------------
// The oracle: what the server said

const operationIn = (service: Service, body: unknown): unknown => {
  if (typeof body !== "object" || body === null) return undefined
  return (body as Record<string, unknown>)[service === "lightsail" ? "operation" : "Operation"]
}

const rawStatusIn = (service: Service, op: unknown): unknown =>
  typeof op === "object" && op !== null
    ? (op as Record<string, unknown>)[service === "lightsail" ? "status" : "Status"]
    : undefined

const successes = (service: Service) =>
  new Set(Object.entries(tables[service]).flatMap(([raw, s]) => (s === "succeeded" ? [raw] : [])))

const input = new Set(["InvalidRef", "InvalidOptions", "InvalidConfig", "InvalidQuery", "InvalidFleetState"])

let run = 0
const idFor = (service: Service): string => {
  run++
  return service === "ssm-sap"
    ? `00000000-0000-4000-8000-${String(run).padStart(12, "0")}`
    : `fuzz-${String(run).padStart(6, "0")}`
}

/** What the server said of one operation: its GetOperation replies, and the list items naming it. */
const saidOf = (service: Service, served: ReadonlyArray<Served>, opId: string) => {
  const said: Array<unknown> = []
  for (const s of served) {
    if (s.id === opId) {
      const op = operationIn(service, s.json)
      if (op !== undefined && op !== null) said.push(rawStatusIn(service, op))
    } else if (s.id === undefined && typeof s.json === "object" && s.json !== null) {
      const items = (s.json as Record<string, unknown>)[service === "lightsail" ? "operations" : "Operations"]
      if (!Array.isArray(items)) continue
      for (const item of items) {
        const itemId = typeof item === "object" && item !== null ? (item.id ?? item.Id) : undefined
        if (itemId === opId) said.push(rawStatusIn(service, item))
      }
    }
  }
  return {
    success: said.some((raw) => typeof raw === "string" && successes(service).has(raw)),
    raw: new Set(said.map((raw) => (typeof raw === "string" ? raw : "")))
  }
}

/** An operation a call ended with must be one the server described. */
const checkOperation = (
  service: Service,
  said: ReturnType<typeof saidOf>,
  op: { status: string; rawStatus: string },
  served: ReadonlyArray<Served>
) => {
  if (op.status === "succeeded" && !said.success) {
    throw new Error(`succeeded, but no reply said success: ${JSON.stringify(served).slice(0, 2000)}`)
  }
  if (!said.raw.has(op.rawStatus))
    throw new Error(`raw status ${JSON.stringify(op.rawStatus)} was never sent`)
  const row = Object.hasOwn(tables[service], op.rawStatus) ? tables[service][op.rawStatus] : "unknown"
  if (op.status !== row) throw new Error(`${op.rawStatus} became ${op.status}, its row is ${row}`)
}

/** The checks of a typed error: not an input error (the refs are valid), and a 2xx is never unknown. */
const checkError = (error: OpstatusError) => {
  const reason = error.reason
  if (input.has(reason._tag)) throw new Error(`a valid ref failed with ${reason._tag}: ${error.message}`)
  if (reason._tag === "UnknownServiceError" && reason.httpStatus !== undefined) {
    if (reason.httpStatus >= 200 && reason.httpStatus < 300) {
      throw new Error(`a ${reason.httpStatus} answer ended as UnknownServiceError: ${error.message}`)
    }
  }
}

const quick = { timeout: 500, minDelay: 1, maxDelay: 5, notFoundGrace: 30, unreachableGrace: 30 } as const

describe("the real clients against a server answering anything", () => {
  it(
    "get, waitForTerminal and waitForSuccess end typed or with what the service said; never success from junk",
    async () => {
      const tally = new Tally()
      await holdsAsync(
        "wire: real clients, random replies",
        fc.asyncProperty(scenario, async ({ service, call, replies }) => {
          const opId = idFor(service)
          server.load([opId], replies)
          const ref = `${service}:${region}:${opId}`
          const out = await settleAsync(() =>
            call === "get" ? status.get(ref, { timeout: 500, minDelay: 4 }) : status[call](ref, quick)
          )
          expectNoPollution()
          const served = server.served()
          const said = saidOf(service, served, opId)
          if (!out.ok) {
            tally.add(out.tag)
            checkError(out.error)
            if (out.tag === "OperationFailed") {
              if (call !== "waitForSuccess") throw new Error("OperationFailed outside waitForSuccess")
              checkOperation(service, said, out.error.operation!, served)
            }
            return
          }
          const op = out.value
          tally.add(`${call === "get" ? "get" : "wait"}:${op.status}`)
          checkOperation(service, said, op, served)
          if (call !== "get" && !op.terminal)
            throw new Error("a wait ended on an operation that is not terminal")
          if (call === "waitForSuccess" && op.status !== "succeeded")
            throw new Error("waitForSuccess without success")
        }),
        wireRuns,
        tally
      )
    },
    testTimeout(60_000, 900_000)
  )

  it(
    "waitForAll over several operations (the fleet's list reads too): each outcome typed or what the service said of it",
    async () => {
      const fleet = fc.constantFrom(...services).chain((service) =>
        fc.record({
          service: fc.constant(service),
          count: fc.integer({ min: 2, max: 4 }),
          requireSuccess: fc.boolean(),
          replies: fc.array(replyOf(service), { maxLength: 6 }),
          lists: fc.array(replyOf(service, listAnswerOf(service)), { minLength: 1, maxLength: 4 })
        })
      )
      const tally = new Tally()
      await holdsAsync(
        "wire: fleets with list reads, random replies",
        fc.asyncProperty(fleet, async ({ service, count, requireSuccess, replies, lists }) => {
          const ids = Array.from({ length: count }, () => idFor(service))
          server.load(ids, replies, lists)
          // SSM for SAP reads an application's operations with one list: the refs name it.
          const refs = ids.map((opId) =>
            service === "ssm-sap"
              ? { service, region, id: opId, hints: { applicationId: "app-fuzz" } }
              : `${service}:${region}:${opId}`
          )
          const out = await settleAsync(() => status.waitForAll(refs, { ...quick, requireSuccess }))
          expectNoPollution()
          if (!out.ok) throw new Error(`waitForAll rejected with ${out.tag}: it gives one outcome per input`)
          const served = server.served()
          if (out.value.length !== count) throw new Error(`${out.value.length} outcomes for ${count} inputs`)
          out.value.forEach((outcome, i) => {
            const said = saidOf(service, served, ids[i]!)
            if (!outcome.ok) {
              const tag = typedTag(outcome.error)
              tally.add(tag)
              checkError(outcome.error)
              if (tag === "OperationFailed") {
                if (!requireSuccess) throw new Error("OperationFailed without requireSuccess")
                checkOperation(service, said, outcome.error.operation!, served)
              }
              return
            }
            tally.add(`${outcome.operation.status}`)
            checkOperation(service, said, outcome.operation, served)
            if (!outcome.operation.terminal) throw new Error("an outcome that is not terminal")
            if (requireSuccess && outcome.operation.status !== "succeeded") throw new Error("requireSuccess")
          })
          if (served.some((s) => s.id === undefined)) tally.add("list read")
        }),
        Math.ceil(wireRuns / 2),
        tally
      )
    },
    testTimeout(60_000, 900_000)
  )
})
