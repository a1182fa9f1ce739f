/**
 * The three real sources and the engine, with clients that answer what no
 * HTTP server can make them answer: hostile values as answers (proxies,
 * getters that throw, null-prototype objects, `__proto__` keys), hostile
 * values thrown or rejected, values returned instead of promises, synchronous
 * throws, and promises that never settle and ignore the abort. Through the
 * Effect API on the test clock (`get`, `waitForTerminal`, `waitForSuccess`,
 * `waitForAll`): every wait ends within its deadline, typed or with an
 * operation the client really described, and `succeeded` only when an answer
 * said success.
 */
import {
  get,
  type Operation,
  OperationSources,
  waitForAll,
  waitForSuccess,
  waitForTerminal
} from "@opstatus/core"
import type { StatusTable } from "@opstatus/core/adapter-kit"
import { lightsailStatusTable } from "@opstatus/lightsail"
import { serviceDiscoveryStatusTable } from "@opstatus/servicediscovery"
import { ssmSapStatusTable } from "@opstatus/ssm-sap"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import { TestClock } from "effect/testing"
import fc from "fast-check"
import { describe, it } from "vitest"
import {
  anyData,
  engineRuns,
  expectNoPollution,
  field,
  holdsAsync,
  hostile,
  materialize,
  oddString,
  peek,
  settleExit,
  Tally,
  testTimeout,
  timestamp,
  typedTag,
  wrapped
} from "../../support/fuzz.js"
import { type Answer, fakeSources, type Read } from "../../support/fuzzSources.js"

type Service = "lightsail" | "servicediscovery" | "ssm-sap"
const tables: Record<Service, StatusTable> = {
  lightsail: lightsailStatusTable,
  servicediscovery: serviceDiscoveryStatusTable,
  "ssm-sap": ssmSapStatusTable
}
const successes = (service: Service) =>
  new Set(Object.entries(tables[service]).flatMap(([raw, s]) => (s === "succeeded" ? [raw] : [])))
/** Each run has an engine and clients of its own: the same operation ID serves every run. */
const idOf = (service: Service) =>
  service === "ssm-sap" ? "00000000-0000-4000-8000-000000000001" : "fuzz-op-1"
const wrapperKey = (service: Service) => (service === "lightsail" ? "operation" : "Operation")
const statusKey = (service: Service) => (service === "lightsail" ? "status" : "Status")

/** A status: mostly the service's own, sometimes another's or anything. */
const statusOf = (service: Service) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...Object.keys(tables[service])) },
    { weight: 1, arbitrary: fc.constantFrom(...Object.values(tables).flatMap((t) => Object.keys(t))) },
    { weight: 1, arbitrary: oddString },
    { weight: 1, arbitrary: hostile }
  )

/** An operation of the service, its fields mostly right, handed over in any of the hostile ways. */
const operationOf = (service: Service) => {
  const ID = idOf(service)
  const record =
    service === "lightsail"
      ? fc.record(
          {
            id: field(fc.constant(ID)),
            status: statusOf(service),
            isTerminal: field(fc.boolean()),
            location: field(fc.constant({ regionName: "us-east-1" })),
            statusChangedAt: field(timestamp),
            errorCode: field(fc.string())
          },
          { requiredKeys: ["status"] }
        )
      : service === "servicediscovery"
        ? fc.record(
            {
              Id: field(fc.constant(ID)),
              Status: statusOf(service),
              UpdateDate: field(timestamp),
              Targets: field(fc.dictionary(fc.constantFrom("NAMESPACE", "SERVICE", "__proto__"), fc.string()))
            },
            { requiredKeys: ["Status"] }
          )
        : fc.record(
            {
              Id: field(fc.constant(ID)),
              Status: statusOf(service),
              StatusMessage: field(fc.string()),
              Properties: field(
                fc.dictionary(fc.constantFrom("SAPApplicationId", "__proto__"), field(fc.string()))
              ),
              LastUpdatedTime: field(timestamp)
            },
            { requiredKeys: ["Status"] }
          )
  return wrapped(record).map((w) => w.value)
}

/** A resolved answer: the operation where the service puts it (wrapped in turn), or anything. */
const bodyOf = (service: Service) =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: wrapped(
        fc.record(
          {
            [wrapperKey(service)]: operationOf(service),
            $metadata: field(fc.record({ requestId: fc.string() }))
          },
          { requiredKeys: [wrapperKey(service)] }
        )
      ).map((w) => w.value)
    },
    { weight: 1, arbitrary: anyData },
    { weight: 1, arbitrary: hostile }
  )

/** An SDK-like error, or anything at all, to reject or throw with. */
const thrownValue = fc.oneof(
  fc
    .record(
      {
        name: fc.constantFrom(
          "ThrottlingException",
          "ServiceUnavailableException",
          "NotFoundException",
          "OperationNotFound",
          "ResourceNotFoundException",
          "InternalServerException",
          "SyntaxError",
          "TypeError",
          "AccessDeniedException"
        ),
        status: fc.constantFrom(200, 400, 404, 429, 500, 503)
      },
      { requiredKeys: [] }
    )
    .map(({ name, status }) => ({ sdkError: { name, status } })),
  hostile.map((h) => ({ value: h }))
)

type Step =
  | { kind: "ok"; body: unknown }
  | { kind: "reject" | "throw"; error: unknown }
  | { kind: "sync"; value: unknown }
  | { kind: "hang" }

const stepOf = (service: Service): fc.Arbitrary<Step> =>
  fc.oneof(
    { weight: 10, arbitrary: bodyOf(service).map((body): Step => ({ kind: "ok", body })) },
    { weight: 3, arbitrary: thrownValue.map((error): Step => ({ kind: "reject", error })) },
    { weight: 1, arbitrary: thrownValue.map((error): Step => ({ kind: "throw", error })) },
    { weight: 1, arbitrary: hostile.map((value): Step => ({ kind: "sync", value })) },
    { weight: 1, arbitrary: fc.constant<Step>({ kind: "hang" }) }
  )

const makeError = (e: unknown): unknown => {
  const spec = e as { sdkError?: { name?: string; status?: number }; value?: unknown }
  if (spec.sdkError !== undefined) {
    return Object.assign(new Error(`fuzz ${spec.sdkError.name ?? "Error"}`), {
      name: spec.sdkError.name ?? "Error",
      $metadata: { httpStatusCode: spec.sdkError.status, requestId: "req-fuzz" }
    })
  }
  return materialize(spec.value)
}

const denied = () =>
  Object.assign(new Error("fuzz: the script is used up"), {
    name: "AccessDeniedException",
    $metadata: { httpStatusCode: 403, requestId: "req-denied" }
  })

const quiet = Logger.layer([])
const policy = {
  timeout: "1 minute",
  minDelay: "1 second",
  maxDelay: "5 seconds",
  notFoundGrace: "5 seconds"
} as const

const scenario = fc.constantFrom<Service>("lightsail", "servicediscovery", "ssm-sap").chain((service) =>
  fc.record({
    service: fc.constant(service),
    call: fc.constantFrom("get", "waitForTerminal", "waitForSuccess", "waitForAll"),
    steps: fc.array(stepOf(service), { minLength: 1, maxLength: 6 })
  })
)

describe("the sources and the engine, with clients that misbehave", () => {
  it(
    "every wait ends within its deadline, typed or with what the client said; never success unless it said so",
    async () => {
      const tally = new Tally()
      await holdsAsync(
        "engine: real sources, misbehaving clients, test clock",
        fc.asyncProperty(scenario, async ({ service, call, steps }) => {
          const id = idOf(service)
          const said: Array<unknown> = []
          const script = [...steps]
          const fake = fakeSources((read: Read): Answer => {
            if (read.id !== id) return { ok: false, error: denied() }
            const step = script.shift()
            if (step === undefined) return { ok: false, error: denied() }
            switch (step.kind) {
              case "ok": {
                const body = materialize(step.body)
                said.push(peek(peek(body, wrapperKey(service)), statusKey(service)))
                return { ok: true, body }
              }
              case "reject":
                return { ok: false, error: makeError(step.error) }
              case "throw":
                return { throws: makeError(step.error) }
              case "sync":
                return { sync: materialize(step.value) }
              case "hang":
                return { hang: true }
            }
          })
          const ref = `${service}:us-east-1:${id}`
          const program: Effect.Effect<unknown, unknown, any> =
            call === "get"
              ? get(ref, { timeout: "1 minute", minDelay: "1 second" })
              : call === "waitForAll"
                ? waitForAll([ref], policy)
                : call === "waitForSuccess"
                  ? waitForSuccess(ref, policy)
                  : waitForTerminal(ref, policy)
          const exit = await Effect.runPromise(
            Effect.gen(function* () {
              const fiber = yield* Effect.forkChild(program)
              // Half a second of virtual time a step: past the one-minute deadline in 120 steps at most.
              for (let i = 0; i < 200 && fiber.pollUnsafe() === undefined; i++) {
                yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
                yield* TestClock.adjust(500)
              }
              if (fiber.pollUnsafe() === undefined) {
                yield* Fiber.interrupt(fiber)
                return yield* Effect.die(new Error("the wait did not end by its deadline"))
              }
              return yield* Fiber.await(fiber)
            }).pipe(
              Effect.provide(Layer.mergeAll(TestClock.layer(), OperationSources.layer(fake.sources), quiet))
            ) as Effect.Effect<Exit.Exit<unknown, unknown>>
          )
          expectNoPollution()
          const saidSuccess = said.some((raw) => typeof raw === "string" && successes(service).has(raw))
          const saidRaw = new Set(said.map((raw) => (typeof raw === "string" ? raw : "")))
          const checkOperation = (op: Operation) => {
            if (op.status === "succeeded" && !saidSuccess)
              throw new Error("succeeded, but no answer said success")
            if (!saidRaw.has(op.rawStatus))
              throw new Error(`raw status ${JSON.stringify(op.rawStatus)} was never said`)
          }
          const out = settleExit(exit)
          if (!out.ok) {
            tally.add(out.tag)
            if (out.tag === "InvalidRef" || out.tag === "InvalidOptions")
              throw new Error(`a valid ref: ${out.tag}`)
            if (Exit.isFailure(exit) && out.tag === "OperationFailed") {
              const error = exit.cause.reasons.find((r) => r._tag === "Fail") as {
                error?: { operation?: Operation }
              }
              checkOperation(error.error!.operation!)
            }
            return
          }
          const value = (out as { value: unknown }).value
          const ops: ReadonlyArray<Operation> =
            call === "waitForAll"
              ? (value as ReadonlyArray<{ ok: boolean; operation?: Operation; error?: unknown }>).flatMap(
                  (o) => {
                    if (o.ok) return [o.operation!]
                    tally.add(`all:${typedTag(o.error)}`)
                    return []
                  }
                )
              : [value as Operation]
          for (const op of ops) {
            tally.add(`${call === "get" ? "get" : "wait"}:${op.status}`)
            checkOperation(op)
            if (call !== "get" && !op.terminal)
              throw new Error("a wait ended on an operation that is not terminal")
          }
        }),
        engineRuns,
        tally
      )
    },
    testTimeout(40_000, 900_000)
  )
})
