/**
 * The mappers: each adapter's raw status to unified status, its `toOperation`
 * (and SSM for SAP's `toStep`), the kit's `makeStatusMapper` over any table,
 * and the readers of mutating calls' responses. Whatever they are given, they
 * never throw untyped, never say `succeeded` unless the raw status is one of
 * the service's success values, map an unknown status to `unknown`, and
 * pollute no prototype.
 */
import { Operation, OperationStatus } from "@opstatus/core"
import { makeStatusMapper, type StatusTable } from "@opstatus/core/adapter-kit"
import {
  refsFromResponse as lightsailRefsFromResponse,
  lightsailStatusTable,
  toOperation as lightsailToOperation,
  operationsFromResponse
} from "@opstatus/lightsail"
import {
  toOperation as cloudMapToOperation,
  refFromResponse,
  serviceDiscoveryStatusTable
} from "@opstatus/servicediscovery"
import {
  ssmSapEventStatusTable,
  refsFromResponse as ssmSapRefsFromResponse,
  ssmSapStatusTable,
  toOperation as ssmSapToOperation,
  toStep
} from "@opstatus/ssm-sap"
import * as Schema from "effect/Schema"
import fc from "fast-check"
import { describe, it } from "vitest"
import {
  anyData,
  expectNoPollution,
  field,
  holds,
  hostile,
  keyOf,
  materialize,
  oddString,
  peek,
  pureRuns,
  settle,
  Tally,
  timestamp,
  wrapped
} from "../../support/fuzz.js"

const statuses: ReadonlyArray<OperationStatus> = OperationStatus.literals
const terminal = new Set<OperationStatus>(["succeeded", "failed", "cancelled"])
const isOperation = Schema.is(Operation)

/** Every raw status any table knows, and their near misses: a mapper must tell them apart exactly. */
const knownRaw = [
  ...Object.keys(lightsailStatusTable),
  ...Object.keys(serviceDiscoveryStatusTable),
  ...Object.keys(ssmSapStatusTable),
  ...Object.keys(ssmSapEventStatusTable)
]
/** A raw status: mostly the service's own values, then other tables' values, near misses and anything. */
const rawStatusOf = (table: StatusTable): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...Object.keys(table)) },
    { weight: 2, arbitrary: fc.constantFrom(...knownRaw) },
    { weight: 1, arbitrary: fc.constantFrom(...knownRaw).map((s) => s.toLowerCase()) },
    { weight: 1, arbitrary: fc.constantFrom(...knownRaw).map((s) => ` ${s}`) },
    { weight: 2, arbitrary: oddString },
    { weight: 1, arbitrary: hostile }
  )
const rawStatus = rawStatusOf(Object.fromEntries(knownRaw.map((raw) => [raw, "unknown"])))

/** What a table says of a raw value: its row when it has one (an own key), else `unknown`. */
const expected = (table: StatusTable, raw: unknown): OperationStatus =>
  typeof raw === "string" && Object.hasOwn(table, raw) ? table[raw]! : "unknown"

/** The success values of a table, by its rows. */
const successesOf = (table: StatusTable) =>
  new Set(Object.entries(table).flatMap(([raw, status]) => (status === "succeeded" ? [raw] : [])))

const region = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("us-east-1", "eu-west-1", "ap-southeast-2") },
  { weight: 1, arbitrary: oddString }
)
const requestId = fc.option(fc.oneof(fc.uuid(), oddString), { nil: undefined })

/** The common checks of one mapped operation. */
const checkOperation = (
  op: Operation,
  service: string,
  table: StatusTable,
  rawValue: unknown,
  terminalRule: (status: OperationStatus) => boolean
) => {
  if (!isOperation(op)) throw new Error("the mapped operation does not fit the Operation schema")
  if (op.ref.service !== service) throw new Error(`ref.service is ${op.ref.service}`)
  const want = expected(table, rawValue)
  if (op.status !== want) {
    throw new Error(`raw status ${JSON.stringify(rawValue)} mapped to ${op.status}, the table says ${want}`)
  }
  if (op.status === "succeeded" && !successesOf(table).has(rawValue as string)) {
    throw new Error(`succeeded from a raw status that is not success: ${JSON.stringify(rawValue)}`)
  }
  if (op.rawStatus !== (typeof rawValue === "string" ? rawValue : "")) {
    throw new Error("rawStatus is not the value exactly as the service sent it")
  }
  if (!statuses.includes(op.status)) throw new Error(`status ${op.status} is not a unified status`)
  if (op.terminal !== terminalRule(op.status)) throw new Error(`terminal is ${op.terminal} for ${op.status}`)
  expectNoPollution()
}

// ---------------------------------------------------------------------------
// Raw operations of each service

const text = fc.oneof(fc.string(), oddString)

const lightsailRaw = wrapped(
  fc.record(
    {
      id: field(fc.oneof(fc.uuid(), text)),
      resourceName: field(text),
      resourceType: field(fc.constantFrom("Instance", "Disk", "LoadBalancer")),
      createdAt: field(timestamp),
      location: field(
        fc.record(
          { availabilityZone: field(text), regionName: field(fc.constantFrom("us-east-1", "eu-west-1")) },
          { requiredKeys: [] }
        )
      ),
      isTerminal: field(fc.boolean()),
      operationDetails: field(text),
      operationType: field(fc.constantFrom("CreateInstance", "DeleteDisk")),
      status: rawStatusOf(lightsailStatusTable),
      statusChangedAt: field(timestamp),
      errorCode: field(text),
      errorDetails: field(text)
    },
    { requiredKeys: [] }
  )
)

const cloudMapRaw = wrapped(
  fc.record(
    {
      Id: field(fc.oneof(fc.stringMatching(/^[a-z0-9]{32}-[a-z0-9]{8}$/), text)),
      OwnerAccount: field(text),
      Type: field(fc.constantFrom("REGISTER_INSTANCE", "CREATE_NAMESPACE")),
      Status: rawStatusOf(serviceDiscoveryStatusTable),
      ErrorMessage: field(text),
      ErrorCode: field(text),
      CreateDate: field(timestamp),
      UpdateDate: field(timestamp),
      Targets: field(
        fc.dictionary(fc.oneof(fc.constantFrom("NAMESPACE", "SERVICE", "INSTANCE"), keyOf()), field(text))
      )
    },
    { requiredKeys: [] }
  )
)

const ssmSapRaw = wrapped(
  fc.record(
    {
      Id: field(fc.oneof(fc.uuid(), text)),
      Type: field(text),
      Status: rawStatusOf(ssmSapStatusTable),
      StatusMessage: field(text),
      Properties: field(fc.dictionary(keyOf(["SAPApplicationId"]), field(text))),
      ResourceType: field(fc.constantFrom("AWS::SSMSAP::Application", "AWS::EC2::Instance")),
      ResourceId: field(text),
      ResourceArn: field(text),
      StartTime: field(timestamp),
      EndTime: field(timestamp),
      LastUpdatedTime: field(timestamp)
    },
    { requiredKeys: [] }
  )
)

const ssmSapEvent = wrapped(
  fc.record(
    {
      Description: field(text),
      Resource: field(
        fc.record({ ResourceArn: field(text), ResourceType: field(text) }, { requiredKeys: [] })
      ),
      Status: rawStatusOf(ssmSapEventStatusTable),
      StatusMessage: field(text),
      Timestamp: field(timestamp)
    },
    { requiredKeys: [] }
  )
)

/** Either a wrapped record or anything at all. */
const orAnything = <W extends { readonly value: unknown }>(arb: fc.Arbitrary<W>) =>
  fc.oneof({ weight: 5, arbitrary: arb.map((w) => w.value) }, { weight: 1, arbitrary: hostile })

describe("status mappers", () => {
  it("makeStatusMapper over any table (dangerous keys included) gives the table's row or unknown", () => {
    const table = fc
      .array(fc.tuple(fc.oneof(keyOf(), fc.constantFrom(...knownRaw)), fc.constantFrom(...statuses)), {
        maxLength: 12
      })
      .map((rows) => Object.fromEntries(rows) as StatusTable)
    const probe = fc.oneof(fc.constantFrom(...knownRaw, "__proto__", "constructor", "toString"), oddString)
    holds(
      "makeStatusMapper: any table, any raw value",
      fc.property(table, fc.array(probe, { maxLength: 8 }), (t, generatedProbes) => {
        const map = makeStatusMapper(t)
        const probes = materialize(generatedProbes) as Array<string>
        for (const raw of [...probes, ...Object.keys(t), undefined]) {
          const mapped = map(raw)
          const want = expected(t, raw)
          if (mapped.status !== want)
            throw new Error(`${JSON.stringify(raw)} -> ${mapped.status}, want ${want}`)
          if (mapped.known !== (typeof raw === "string" && Object.hasOwn(t, raw))) throw new Error("known")
          if (mapped.terminal !== terminal.has(mapped.status)) throw new Error("terminal")
        }
        expectNoPollution()
      }),
      pureRuns
    )
  })

  it("each adapter's table: only its success values map to succeeded; anything else is its row or unknown", () => {
    const tables: ReadonlyArray<[string, StatusTable]> = [
      ["lightsail", lightsailStatusTable],
      ["servicediscovery", serviceDiscoveryStatusTable],
      ["ssm-sap", ssmSapStatusTable],
      ["ssm-sap events", ssmSapEventStatusTable]
    ]
    holds(
      "adapter status tables: any raw value",
      fc.property(fc.constantFrom(...tables), rawStatus, ([, table], generated) => {
        const raw = materialize(generated)
        const mapped = makeStatusMapper(table)(raw as string)
        if (mapped.status !== expected(table, raw)) throw new Error("not the table's row")
        if (mapped.status === "succeeded" && !successesOf(table).has(raw as string)) {
          throw new Error("succeeded from a non-success value")
        }
      }),
      pureRuns
    )
  })
})

describe("toOperation of each adapter", () => {
  it("Lightsail: total, exact on status, isTerminal wins on terminality", () => {
    const tally = new Tally()
    holds(
      "lightsail toOperation",
      fc.property(orAnything(lightsailRaw), region, requestId, (generated, generatedRegion, generatedId) => {
        const raw = materialize(generated)
        const r = materialize(generatedRegion) as string
        const id = materialize(generatedId) as string | undefined
        const out = settle(() => lightsailToOperation(raw as never, r, id))
        if (!out.ok) throw new Error(`toOperation threw ${out.tag}: it is total`)
        const isTerminal = peek(raw, "isTerminal")
        checkOperation(out.value, "lightsail", lightsailStatusTable, peekStatus(raw, "status"), (s) =>
          typeof isTerminal === "boolean" ? isTerminal : terminal.has(s)
        )
        tally.add(out.value.status)
      }),
      pureRuns,
      tally
    )
  })

  it("Cloud Map: total, exact on status", () => {
    const tally = new Tally()
    holds(
      "servicediscovery toOperation",
      fc.property(orAnything(cloudMapRaw), region, requestId, (generated, generatedRegion, generatedId) => {
        const raw = materialize(generated)
        const r = materialize(generatedRegion) as string
        const id = materialize(generatedId) as string | undefined
        const out = settle(() => cloudMapToOperation(raw as never, r, id))
        if (!out.ok) throw new Error(`toOperation threw ${out.tag}: it is total`)
        checkOperation(
          out.value,
          "servicediscovery",
          serviceDiscoveryStatusTable,
          peekStatus(raw, "Status"),
          (s) => terminal.has(s)
        )
        tally.add(out.value.status)
      }),
      pureRuns,
      tally
    )
  })

  it("SSM for SAP: total, exact on status, steps too", () => {
    const tally = new Tally()
    holds(
      "ssm-sap toOperation",
      fc.property(orAnything(ssmSapRaw), region, requestId, (generated, generatedRegion, generatedId) => {
        const raw = materialize(generated)
        const r = materialize(generatedRegion) as string
        const id = materialize(generatedId) as string | undefined
        const out = settle(() => ssmSapToOperation(raw as never, r, undefined, id))
        if (!out.ok) throw new Error(`toOperation threw ${out.tag}: it is total`)
        checkOperation(out.value, "ssm-sap", ssmSapStatusTable, peekStatus(raw, "Status"), (s) =>
          terminal.has(s)
        )
        tally.add(out.value.status)
      }),
      pureRuns,
      tally
    )
  })

  it("SSM for SAP toStep: total, exact on status", () => {
    holds(
      "ssm-sap toStep",
      fc.property(orAnything(ssmSapEvent), (generated) => {
        const event = materialize(generated)
        const out = settle(() => toStep(event as never))
        if (!out.ok) throw new Error(`toStep threw ${out.tag}: it is total`)
        const raw = peekStatus(event, "Status")
        if (out.value.status !== expected(ssmSapEventStatusTable, raw)) throw new Error("not the table's row")
        if (out.value.rawStatus !== (typeof raw === "string" ? raw : "")) throw new Error("rawStatus")
        expectNoPollution()
      }),
      pureRuns
    )
  })
})

/** The status field as the mappers read it: absent when it cannot be read. */
const peekStatus = (raw: unknown, key: string): unknown => peek(raw, key)

describe("responses of mutating calls", () => {
  const lightsailResponse = fc.oneof(
    fc.record(
      { operations: fc.oneof(fc.array(orAnything(lightsailRaw), { maxLength: 5 }), hostile) },
      { requiredKeys: [] }
    ),
    fc.record({ operation: orAnything(lightsailRaw) }, { requiredKeys: [] }),
    anyData,
    hostile
  )
  const hintsArg = fc.oneof(
    fc.record(
      {
        region: field(fc.constantFrom("us-east-1", "eu-west-1")),
        hints: field(fc.dictionary(keyOf(), field(text)))
      },
      { requiredKeys: [] }
    ),
    hostile,
    fc.constant(undefined)
  )

  it("Lightsail operationsFromResponse: mapped operations, or a typed InvalidRef/MalformedResponse", () => {
    const tally = new Tally()
    holds(
      "lightsail operationsFromResponse",
      fc.property(lightsailResponse, hintsArg, (generatedResponse, generatedOptions) => {
        const response = materialize(generatedResponse)
        const options = materialize(generatedOptions)
        const out = settle(() => operationsFromResponse(response, options as never))
        const refs = settle(() => lightsailRefsFromResponse(response, options as never))
        if (out.ok !== refs.ok) throw new Error("refsFromResponse and operationsFromResponse disagree")
        expectNoPollution()
        if (!out.ok) {
          if (out.tag !== "InvalidRef" && out.tag !== "MalformedResponse") throw new Error(`threw ${out.tag}`)
          tally.add(out.tag)
          return
        }
        tally.add(`${out.value.length} operations`)
        for (const op of out.value) {
          if (!isOperation(op)) throw new Error("not an Operation")
          if (op.status === "succeeded" && !successesOf(lightsailStatusTable).has(op.rawStatus)) {
            throw new Error(`succeeded from ${JSON.stringify(op.rawStatus)}`)
          }
          if (op.ref.id === "") throw new Error("an operation without an id was kept")
        }
      }),
      pureRuns,
      tally
    )
  })

  it("Cloud Map refFromResponse: a ref, nothing, or a typed InvalidRef", () => {
    const response = fc.oneof(
      wrapped(fc.record({ OperationId: field(text) }, { requiredKeys: [] })).map((w) => w.value),
      hostile
    )
    holds(
      "servicediscovery refFromResponse",
      fc.property(response, hintsArg, (generatedResponse, generatedOptions) => {
        const r = materialize(generatedResponse)
        const options = materialize(generatedOptions)
        const out = settle(() => refFromResponse(r, options as never))
        expectNoPollution()
        if (!out.ok) {
          if (out.tag !== "InvalidRef") throw new Error(`threw ${out.tag}`)
          return
        }
        const ref = out.value
        if (ref === undefined) return
        if (typeof ref.id !== "string" || ref.id === "" || typeof ref.region !== "string") {
          throw new Error("a ref without its id or region")
        }
        for (const value of Object.values(ref.hints ?? {})) {
          if (typeof value !== "string") throw new Error("a hint that is not a string")
        }
      }),
      pureRuns
    )
  })

  it("SSM for SAP refsFromResponse: refs, none, or a typed InvalidRef", () => {
    const response = fc.oneof(
      wrapped(
        fc.record(
          {
            OperationId: field(fc.oneof(fc.uuid(), text)),
            OperationIds: field(fc.array(field(fc.oneof(fc.uuid(), text)), { maxLength: 4 })),
            Application: field(fc.record({ Id: field(text) }, { requiredKeys: [] }))
          },
          { requiredKeys: [] }
        )
      ).map((w) => w.value),
      hostile
    )
    holds(
      "ssm-sap refsFromResponse",
      fc.property(response, hintsArg, (generatedResponse, generatedHints) => {
        const r = materialize(generatedResponse)
        const hints = materialize(generatedHints)
        const out = settle(() => ssmSapRefsFromResponse(r, hints as never))
        expectNoPollution()
        if (!out.ok) {
          if (out.tag !== "InvalidRef") throw new Error(`threw ${out.tag}`)
          return
        }
        for (const ref of out.value) {
          if (ref.service !== "ssm-sap" || typeof ref.id !== "string" || ref.id === "")
            throw new Error("bad ref")
          for (const value of Object.values(ref.hints ?? {})) {
            if (typeof value !== "string") throw new Error("a hint that is not a string")
          }
        }
      }),
      pureRuns
    )
  })
})
