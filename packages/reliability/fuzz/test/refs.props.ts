/**
 * The ref parsers: core's `parseRef`, `validateRef`, `toRef` and `checkRef`;
 * the registry, through the public `get`, for each registered source (the
 * three real sources over in-memory clients); the CLI's `refFromToken` and
 * `targetsFromText`; and the one-line package's `refsOf`. Whatever they are
 * given, the answer is a checked ref or a typed error (`InvalidRef`, or the
 * CLI's own usage errors), no request is made for a ref that does not pass,
 * and no prototype is polluted.
 */
import { checkedRef, isCliError, refFromToken, targetsFromText } from "@opstatus/cli"
import {
  createOperationStatus,
  formatRef,
  isOperation,
  OperationRef,
  parseRef,
  type ServiceInfo,
  toRef,
  validateRef
} from "@opstatus/core"
import { awsRegionPattern, checkRef } from "@opstatus/core/adapter-kit"
import { lightsailService } from "@opstatus/lightsail"
import { serviceDiscoveryService } from "@opstatus/servicediscovery"
import { ssmSapService } from "@opstatus/ssm-sap"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import fc from "fast-check"
import { createOpstatus } from "opstatus"
import { afterAll, beforeAll, describe, it } from "vitest"
import {
  engineRuns,
  expectNoPollution,
  field,
  holds,
  holdsAsync,
  hostile,
  Lazy,
  materialize,
  oddString,
  peek,
  pureRuns,
  settleAsync,
  settleExit,
  Tally,
  testTimeout,
  typedTag,
  wrapped
} from "../../support/fuzz.js"
import { fakeSources } from "../../support/fuzzSources.js"

const isRef = Schema.is(OperationRef)
const infos: ReadonlyArray<ServiceInfo> = [lightsailService, serviceDiscoveryService, ssmSapService]
const infoOf = (service: string) => infos.find((info) => info.service === service)
const slugPattern = /^[a-z][a-z0-9-]{0,31}$/
const regionForm = /^[a-z0-9]+(-[a-z0-9]+)*$/

/** Joins parts into one string; when a part is made lazily (a huge string), the join is too. */
const join = (parts: ReadonlyArray<unknown>, separator = ""): string | Lazy =>
  parts.some((p) => p instanceof Lazy)
    ? new Lazy("joined huge string", () => parts.map((p) => String(materialize(p))).join(separator))
    : parts.map(String).join(separator)

const service = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("lightsail", "servicediscovery", "ssm-sap") },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "Lightsail",
      "LIGHTSAIL",
      "cloudmap",
      "ssm_sap",
      "other",
      "x".repeat(33),
      "1abc"
    )
  },
  { weight: 1, arbitrary: oddString }
)
const region = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom("us-east-1", "eu-west-1", "us-gov-west-1", "cn-north-1", "eu-isoe-west-1")
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "US-EAST-1",
      "us_east_1",
      "us-east-123",
      "local",
      "us-east",
      "1-east-us",
      "us--east-1"
    )
  },
  { weight: 1, arbitrary: oddString }
)
const id = fc.oneof(
  { weight: 3, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.uuid().map((u) => `{${u}}`) },
  { weight: 2, arbitrary: fc.stringMatching(/^[a-z0-9]{32}-[a-z0-9]{8}$/) },
  { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9-]{1,40}$/) },
  { weight: 1, arbitrary: fc.constantFrom(128, 129, 255, 256, 512, 513).map((n) => "a".repeat(n)) },
  { weight: 2, arbitrary: oddString }
)
const pad = fc.constantFrom("", "", " ", "\t", "\n", "\u00A0", "\uFEFF")

/** Ref strings: well-formed, nearly so, and anything. */
const refString: fc.Arbitrary<string | Lazy> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(pad, service, region, id, pad)
      .map(([a, s, r, i, b]) => join([a, s, ":", r, ":", i, b]))
  },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.oneof(service, region, id, fc.constantFrom(":", "::", " ")), { maxLength: 7 })
      .map((parts) => join(parts))
  },
  { weight: 2, arbitrary: oddString }
)

/** Refs given as objects: the fields of a ref, any hints, handed over in hostile ways. */
const refObject = wrapped(
  fc.record(
    {
      service: field(service),
      region: field(region),
      id: field(id),
      hints: field(
        fc.dictionary(
          fc.oneof(fc.constantFrom("resourceName", "applicationId", "__proto__"), fc.string()),
          field(fc.string())
        )
      )
    },
    { requiredKeys: [] }
  )
).map((w) => w.value)

const anyRef: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: refString },
  { weight: 3, arbitrary: refObject },
  { weight: 1, arbitrary: hostile }
)

/** A field of a JSON document: mostly a good value, else null or any JSON value. */
const jfield = <A>(good: fc.Arbitrary<A>): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 6, arbitrary: good },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 2, arbitrary: fc.jsonValue() }
  )

/** What a checked ref must be: the form `parseRef` promises. */
const checkForm = (ref: OperationRef) => {
  if (!slugPattern.test(ref.service)) throw new Error(`service ${JSON.stringify(ref.service)}`)
  if (!regionForm.test(ref.region)) throw new Error(`region ${JSON.stringify(ref.region)}`)
  if (typeof ref.id !== "string" || ref.id === "" || ref.id.length > 512) throw new Error("id")
}

/** What a ref checked against its source must be: the source's region and ID rules. */
const checkRules = (ref: OperationRef) => {
  const info = infoOf(ref.service)
  if (info === undefined) throw new Error(`a ref of an unregistered service passed: ${ref.service}`)
  if (!awsRegionPattern.test(ref.region)) throw new Error(`region ${ref.region} passed`)
  if (ref.id.length > info.idRule.maxLength || !info.idRule.pattern.test(ref.id)) {
    throw new Error(`id ${ref.id} passed the ${ref.service} rule`)
  }
}

describe("core's ref parsers", () => {
  it("parseRef: any input is a ref of the right form, or InvalidRef; a ref formats and parses back to itself", () => {
    const tally = new Tally()
    holds(
      "parseRef: any input",
      fc.property(fc.oneof(refString, hostile), (generated) => {
        const input = materialize(generated)
        const out = settleExit(Effect.runSyncExit(parseRef(input)))
        expectNoPollution()
        if (!out.ok) {
          if (out.tag !== "InvalidRef") throw new Error(`parseRef failed with ${out.tag}`)
          tally.add(out.tag)
          return
        }
        tally.add("ref")
        checkForm(out.value)
        const again = settleExit(Effect.runSyncExit(parseRef(formatRef(out.value))))
        if (!again.ok || formatRef(again.value) !== formatRef(out.value)) throw new Error("no round trip")
      }),
      pureRuns,
      tally
    )
  })

  it("parseRef: a well-formed ref, padded, parses to exactly its parts", () => {
    const part = fc.stringMatching(/^[a-z][a-z0-9-]{0,31}$/)
    const regionPart = fc.stringMatching(/^[a-z0-9]{1,6}(-[a-z0-9]{1,6}){0,3}$/)
    const idPart = fc.string({ minLength: 1, maxLength: 60 }).filter((s) => s.trim() === s && s !== "")
    holds(
      "parseRef: well-formed refs",
      fc.property(pad, part, regionPart, idPart, pad, (a, s, r, i, b) => {
        const out = settleExit(Effect.runSyncExit(parseRef(`${a}${s}:${r}:${i}${b}`)))
        if (!out.ok) throw new Error(`refused: ${out.tag}`)
        if (out.value.service !== s || out.value.region !== r || out.value.id !== i) throw new Error("parts")
      }),
      pureRuns
    )
  })

  it("validateRef and toRef: any object is a clean copy of a ref, or InvalidRef", () => {
    holds(
      "validateRef/toRef: any input",
      fc.property(anyRef, fc.boolean(), (generated, viaToRef) => {
        const input = materialize(generated)
        const out = settleExit(Effect.runSyncExit(viaToRef ? toRef(input) : validateRef(input)))
        expectNoPollution()
        if (!out.ok) {
          if (out.tag !== "InvalidRef") throw new Error(`failed with ${out.tag}`)
          return
        }
        const ref = out.value
        checkForm(ref)
        if (Object.getPrototypeOf(ref) !== Object.prototype) throw new Error("the ref is not a plain object")
        for (const key of Reflect.ownKeys(ref)) {
          if (!["service", "region", "id", "hints"].includes(key as string))
            throw new Error(`extra key ${String(key)}`)
        }
        if (ref.hints !== undefined) {
          if (
            typeof input === "object" &&
            input !== null &&
            ref.hints === (input as { hints?: unknown }).hints
          ) {
            throw new Error("the hints are the caller's object, not a copy")
          }
          for (const value of Object.values(ref.hints)) if (typeof value !== "string") throw new Error("hint")
        }
      }),
      pureRuns
    )
  })

  it("checkRef: against each source's declaration, a ref passes only when it fits the region and ID rules", () => {
    holds(
      "checkRef: any ref parts, each source",
      fc.property(fc.constantFrom(...infos), region, id, (info, r, i) => {
        const ref = { service: info.service, region: String(materialize(r)), id: String(materialize(i)) }
        const out = settleExit(Effect.runSyncExit(checkRef(ref, info)))
        if (!out.ok) {
          if (out.tag !== "InvalidRef") throw new Error(`failed with ${out.tag}`)
          return
        }
        checkRules(out.value)
      }),
      pureRuns
    )
  })
})

describe("the registry, through the public get", () => {
  const fake = fakeSources()
  const status = createOperationStatus({ sources: fake.sources, onWarning: () => undefined })
  afterAll(() => status.close())

  it(
    "get(any input): InvalidRef with no request, or exactly one read of the checked ref (never success: the service said failed)",
    async () => {
      const tally = new Tally()
      await holdsAsync(
        "registry via get: any input",
        fc.asyncProperty(anyRef, async (generated) => {
          const input = materialize(generated)
          const before = fake.reads.length
          const out = await settleAsync(() => status.get(input as never, { timeout: "10 seconds" }))
          const reads = fake.reads.slice(before)
          expectNoPollution()
          if (!out.ok) {
            tally.add(out.tag)
            if (out.tag !== "InvalidRef") throw new Error(`get failed with ${out.tag}`)
            if (reads.length > 0) throw new Error("a request was made for a ref that did not pass")
            return
          }
          tally.add(out.value.ref.service)
          const ref = out.value.ref
          checkForm(ref)
          checkRules(ref)
          if (reads.length !== 1 || reads[0]!.id !== ref.id || reads[0]!.region !== ref.region) {
            throw new Error(`expected one read of ${formatRef(ref)}, got ${JSON.stringify(reads)}`)
          }
          if (out.value.status !== "failed")
            throw new Error(`the service said failed; got ${out.value.status}`)
        }),
        engineRuns,
        tally
      )
    },
    testTimeout(40_000, 900_000)
  )
})

describe("the CLI's ref readers", () => {
  const cliTyped = (error: unknown): string => (isCliError(error) ? error._tag : typedTag(error))
  const options = fc.record(
    { region: fc.oneof(region, fc.constant(undefined)), service: fc.oneof(service, fc.constant(undefined)) },
    { requiredKeys: [] }
  )

  /** What the CLI's readers give must be refs it would accept again. */
  const checkTarget = (target: unknown) => {
    const ref = isOperation(target) ? target.ref : (target as OperationRef)
    checkRules(checkedRef(ref))
  }

  it("refFromToken: any token is a checked ref or a typed error", () => {
    const tally = new Tally()
    holds(
      "cli refFromToken: any token",
      fc.property(fc.oneof(refString, id), options, (generated, o) => {
        let target: OperationRef
        try {
          target = refFromToken(String(materialize(generated)), materialize(o) as never)
        } catch (error) {
          tally.add(cliTyped(error))
          return
        }
        tally.add("ref")
        checkTarget(target)
        expectNoPollution()
      }),
      pureRuns,
      tally
    )
  })

  it("targetsFromText: any standard input (refs, JSON, responses, deep nesting, odd text) is targets or a typed error", () => {
    const lightsailOp = fc.record(
      {
        id: jfield(id),
        status: jfield(fc.constantFrom("Started", "Succeeded", "Failed")),
        operationType: jfield(fc.string()),
        location: jfield(fc.record({ regionName: jfield(region) }, { requiredKeys: [] }))
      },
      { requiredKeys: [] }
    )
    const json = fc.oneof(
      fc.json(),
      fc.record({ operations: fc.array(lightsailOp, { maxLength: 3 }) }).map((v) => JSON.stringify(v)),
      fc.record({ operation: lightsailOp }).map((v) => JSON.stringify(v)),
      fc.record({ OperationId: jfield(id) }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
      fc.record({ OperationIds: fc.array(jfield(id), { maxLength: 3 }) }).map((v) => JSON.stringify(v)),
      fc
        .record({ Operation: fc.record({ Id: jfield(id) }, { requiredKeys: [] }) })
        .map((v) => JSON.stringify(v)),
      fc
        .record({ service: jfield(service), region: jfield(region), id: jfield(id) }, { requiredKeys: [] })
        .map((v) => JSON.stringify(v)),
      fc.constantFrom(
        '{"__proto__":{"polluted":"yes"},"OperationId":"abc"}',
        '{"constructor":{"prototype":{"polluted":"yes"}}}',
        '{"event":"change","operations":[[[{"event":"x"}]]]}',
        '{"a":',
        "[[[",
        '"unterminated'
      ),
      fc
        .integer({ min: 1, max: 20_000 })
        .map((n) => new Lazy(`arrays nested ${n} deep`, () => "[".repeat(n) + "]".repeat(n)))
    )
    const line = fc.oneof(
      { weight: 3, arbitrary: refString },
      { weight: 3, arbitrary: json },
      { weight: 1, arbitrary: fc.constantFrom("", "# a comment", "None", "null", "-", "\uFEFF") },
      { weight: 1, arbitrary: oddString }
    )
    const tally = new Tally()
    holds(
      "cli targetsFromText: any input",
      fc.property(fc.array(line, { minLength: 1, maxLength: 5 }), options, (lines, o) => {
        const text = String(materialize(join(lines, "\n")))
        let targets: ReadonlyArray<unknown>
        try {
          targets = targetsFromText(text, materialize(o) as never)
        } catch (error) {
          tally.add(cliTyped(error))
          return
        }
        tally.add(`${Math.min(targets.length, 3)} targets`)
        for (const target of targets) checkTarget(target)
        expectNoPollution()
      }),
      pureRuns,
      tally
    )
  })
})

describe("the one-line package's refsOf", () => {
  const instance = createOpstatus({ onWarning: () => undefined })
  afterAll(() => instance.close())
  const savedRegion = process.env.AWS_REGION
  // The default region of responses that do not name one, so that no profile is read.
  beforeAll(() => {
    process.env.AWS_REGION = "us-east-1"
  })
  afterAll(() => {
    if (savedRegion === undefined) delete process.env.AWS_REGION
    else process.env.AWS_REGION = savedRegion
  })

  it(
    "refsOf(any input): refs of the three services that check, or a typed InvalidRef/InvalidOptions",
    async () => {
      const response = fc.oneof(
        wrapped(
          fc.record(
            {
              operations: field(
                fc.array(
                  field(
                    fc.record(
                      {
                        id: field(id),
                        status: field(fc.string()),
                        location: field(fc.record({ regionName: field(region) }))
                      },
                      { requiredKeys: [] }
                    )
                  ),
                  { maxLength: 3 }
                )
              ),
              operation: field(
                fc.record({ id: field(id), operationType: field(fc.string()) }, { requiredKeys: [] })
              ),
              OperationId: field(id),
              OperationIds: field(fc.array(field(id), { maxLength: 3 })),
              service: field(service),
              region: field(region),
              id: field(id)
            },
            { requiredKeys: [] }
          )
        ).map((w) => w.value),
        anyRef
      )
      const client = fc.oneof(
        fc.constant(undefined),
        fc.constantFrom("eu-west-1", "us-west-2").map((r) => ({ config: { region: r } })),
        hostile
      )
      const tally = new Tally()
      await holdsAsync(
        "opstatus refsOf: any input",
        fc.asyncProperty(response, client, async (generated, generatedClient) => {
          const input = materialize(generated)
          const c = materialize(generatedClient)
          const out = await settleAsync(() =>
            instance.refsOf(input as never, c === undefined ? undefined : { client: c as never })
          )
          expectNoPollution()
          if (!out.ok) {
            tally.add(out.tag)
            if (out.tag !== "InvalidRef" && out.tag !== "InvalidOptions")
              throw new Error(`failed with ${out.tag}`)
            return
          }
          tally.add(`${Math.min(out.value.length, 3)} refs`)
          // A ref given as text or an object is checked; one read from a response is as the response names
          // it (a wait on it checks it): either way, strings only.
          for (const ref of out.value) {
            if (!isRef(ref)) throw new Error(`refsOf gave something that is no ref: ${JSON.stringify(ref)}`)
            if (typeof input === "string" || peek(input, "service") !== undefined) {
              const checked = settleExit(Effect.runSyncExit(validateRef(ref)))
              if (!checked.ok) throw new Error(`refsOf gave a ref that does not check: ${checked.tag}`)
            }
          }
        }),
        engineRuns,
        tally
      )
    },
    testTimeout(40_000, 900_000)
  )
})
