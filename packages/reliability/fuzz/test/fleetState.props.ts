/**
 * The fleet-state decoder, through its public paths: the Promise `resume`
 * and the Effect `resumeWaitForAll`. Whatever string (or value) is given,
 * resuming gives a typed `InvalidFleetState`, or a fleet wait whose every
 * outcome is an operation or a typed error, that serializes to a state that
 * resumes again, and that says `succeeded` only for an operation whose last
 * snapshot in the state was a terminal success (the in-memory services say
 * every operation failed). Inputs: any text, any JSON, states built to the
 * state's shape, and real serialized states (from the three real sources)
 * mutated at random places: keys dropped or replaced, `__proto__`
 * and `constructor` keys added, numbers out of range, truncation.
 */
import {
  beginWaitForAll,
  createOperationStatus,
  OperationSources,
  type OperationStatusApi,
  resumeWaitForAll,
  type WaitOutcome
} from "@opstatus/core"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import { TestClock } from "effect/testing"
import fc from "fast-check"
import { afterAll, beforeAll, describe, it } from "vitest"
import {
  engineRuns,
  expectNoPollution,
  holdsAsync,
  hostile,
  materialize,
  oddString,
  settleAsync,
  settleExit,
  Tally,
  testTimeout,
  typedTag
} from "../../support/fuzz.js"
import { type Answerer, failedBody, fakeSources, type Read } from "../../support/fuzzSources.js"

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`

/** While the seeds are made: `run-*` operations keep running, `ok-*` succeed, the rest fail. */
const seeding: Answerer = (read: Read) => {
  if (read.id === undefined) return { ok: true, body: failedBody(read) }
  const running = read.id.startsWith("run") || read.id === uuid(1)
  const ok = read.id.startsWith("ok") || read.id === uuid(2)
  if (!running && !ok) return { ok: true, body: failedBody(read) }
  const [ls, cm, sap] = running ? ["Started", "PENDING", "INPROGRESS"] : ["Succeeded", "SUCCESS", "SUCCESS"]
  switch (read.service) {
    case "lightsail":
      return {
        ok: true,
        body: { operation: { id: read.id, status: ls, location: { regionName: read.region } } }
      }
    case "servicediscovery":
      return { ok: true, body: { Operation: { Id: read.id, Status: cm } } }
    default:
      return { ok: true, body: { Operation: { Id: read.id, Status: sap } } }
  }
}

const fake = fakeSources(seeding)
let status: OperationStatusApi
const seeds: Array<string> = []

/**
 * The virtual time the seeds are made at and resumed from: fixed, so that every run fuzzes the same
 * states; far ahead, so that a wait of a seed resumed on the real clock has not yet reached its deadline.
 */
const epoch = Date.UTC(2100, 0, 1)

/** Lets the in-memory clients' promises settle between two steps of the test clock. */
const settleIo = Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))

/**
 * Begins a fleet wait on the test clock, lets `millis` of virtual time pass (each operation is read,
 * what ends ends), and serializes it: a real state of the three sources, the same in every run.
 */
const seed = (
  inputs: ReadonlyArray<unknown>,
  options: { requireSuccess: boolean; timeout: number; millis: number }
) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        yield* TestClock.setTime(epoch)
        const wait = yield* beginWaitForAll(inputs as never, {
          requireSuccess: options.requireSuccess,
          minDelay: 100,
          maxDelay: 100,
          timeout: options.timeout
        })
        // Someone awaits the wait, as every caller does.
        yield* Effect.forkChild(wait.await)
        for (let t = 0; t < options.millis; t += 100) {
          for (let i = 0; i < 3; i++) yield* settleIo
          yield* TestClock.adjust(100)
        }
        for (let i = 0; i < 3; i++) yield* settleIo
        return yield* wait.serialize
      })
    ).pipe(
      Effect.provide(
        Layer.mergeAll(TestClock.layer(), OperationSources.layer(fake.sources), Logger.layer([]))
      )
    )
  )

/** Makes the seeds: real states of the three sources, serialized. */
const makeSeeds = async () => {
  status = createOperationStatus({ sources: fake.sources, onWarning: () => undefined })
  // Waits still going, each operation seen running.
  seeds.push(
    await seed(
      ["lightsail:us-east-1:run-1", "servicediscovery:eu-west-1:run-2", `ssm-sap:us-east-1:${uuid(1)}`],
      {
        requireSuccess: false,
        timeout: 3_600_000,
        millis: 1_000
      }
    )
  )
  // A success, a failure under requireSuccess (OperationFailed), one still running, two bad refs.
  seeds.push(
    await seed(
      [
        { service: "lightsail", region: "us-east-1", id: "ok-1", hints: { resourceName: "web-1" } },
        "servicediscovery:us-east-1:bad-1",
        `ssm-sap:eu-west-1:${uuid(2)}`,
        "lightsail:us-east-1:run-3",
        "lightsail:nowhere:x",
        { service: "nosuch", region: "us-east-1", id: "x" }
      ],
      { requireSuccess: true, timeout: 3_600_000, millis: 1_000 }
    )
  )
  // A wait that timed out having seen its operation (WaitTimeout with its last snapshot).
  seeds.push(
    await seed(["lightsail:us-east-1:run-9"], { requireSuccess: false, timeout: 1_000, millis: 2_000 })
  )
  fake.answer = (read) => ({ ok: true, body: failedBody(read) })
}

// ---------------------------------------------------------------------------
// Inputs

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/** One change at one place of a JSON document. */
interface Mutation {
  readonly at: number
  readonly op: "drop" | "replace" | "proto" | "constructor" | "number" | "duplicate" | "empty"
  readonly value: Json
  readonly number: number
}

const containersOf = (doc: Json): Array<Json[] | { [key: string]: Json }> => {
  const out: Array<Json[] | { [key: string]: Json }> = []
  const walk = (v: Json) => {
    if (typeof v !== "object" || v === null) return
    out.push(v)
    for (const child of Array.isArray(v) ? v : Object.values(v)) walk(child)
  }
  walk(doc)
  return out
}

const setOwn = (o: { [key: string]: Json }, key: string, value: Json) =>
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true })

const mutate = (doc: Json, mutations: ReadonlyArray<Mutation>): Json => {
  for (const m of mutations) {
    const containers = containersOf(doc)
    if (containers.length === 0) return m.value
    const c = containers[m.at % containers.length]!
    const keys = Array.isArray(c) ? c.map((_, i) => String(i)) : Object.keys(c)
    const key = keys.length === 0 ? undefined : keys[m.at % keys.length]!
    const set = (value: Json) => {
      if (key === undefined) return
      if (Array.isArray(c)) c[Number(key)] = value
      else setOwn(c, key, value)
    }
    switch (m.op) {
      case "drop":
        if (key !== undefined) {
          if (Array.isArray(c)) c.splice(Number(key), 1)
          else delete c[key]
        }
        break
      case "replace":
        set(m.value)
        break
      case "proto":
        if (!Array.isArray(c)) setOwn(c, "__proto__", { polluted: "yes", version: 2 })
        break
      case "constructor":
        if (!Array.isArray(c)) setOwn(c, "constructor", { prototype: { polluted: "yes" } })
        break
      case "number":
        set(m.number)
        break
      case "duplicate":
        if (Array.isArray(c) && c.length > 0) c.push(JSON.parse(JSON.stringify(c[0])))
        break
      case "empty":
        set(Array.isArray(c) ? [] : {})
        break
    }
  }
  return doc
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom("drop", "replace", "proto", "constructor", "number", "duplicate", "empty"),
  value: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  number: fc.oneof(
    fc.constantFrom(0, -1, 1e308, -1e308, 2 ** 53, epoch, epoch + 3_600_000, epoch - 3_600_000, 1, 0.5),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer()
  )
})

/** A real state, changed at one to three places (or truncated, or re-versioned). */
const mutatedSeed: fc.Arbitrary<string> = fc
  .tuple(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.option(fc.nat(), { freq: 8 }))
  .map(([which, mutations, cut]) => {
    const text = seeds[which % seeds.length]!
    if (cut !== null) return text.slice(0, cut % text.length)
    return JSON.stringify(mutate(JSON.parse(text) as Json, mutations))
  })

/** A real state as it is: it must resume. */
const realSeed = fc.nat().map((which) => seeds[which % seeds.length]!)

/** States built to the shape of a state, with values of every kind where they go. */
const shaped: fc.Arbitrary<string> = fc
  .record(
    {
      version: fc.oneof(fc.constantFrom(2, 2, 1, 3, "2"), fc.jsonValue()),
      requireSuccess: fc.oneof(fc.boolean(), fc.jsonValue()),
      fullOperation: fc.oneof(fc.boolean(), fc.jsonValue()),
      entries: fc.array(
        fc.record(
          {
            input: fc.oneof(fc.string(), fc.jsonValue()),
            ref: fc.oneof(
              fc.record({
                service: fc.constantFrom("lightsail", "servicediscovery", "ssm-sap", "nosuch"),
                region: fc.constantFrom("us-east-1", "eu-west-1", "NOPE"),
                id: fc.oneof(fc.constantFrom("op-1", uuid(7)), fc.string())
              }),
              fc.jsonValue()
            ),
            startedAt: fc.oneof(fc.integer(), fc.double(), fc.jsonValue()),
            deadline: fc.oneof(fc.integer(), fc.constant(epoch + 60_000), fc.jsonValue()),
            policy: fc.oneof(
              fc.record({
                timeoutMillis: fc.double(),
                minDelayMillis: fc.double(),
                maxDelayMillis: fc.double(),
                notFoundGraceMillis: fc.double()
              }),
              fc.jsonValue()
            ),
            lastSeen: fc.jsonValue(),
            error: fc.jsonValue()
          },
          { requiredKeys: [] }
        ),
        { maxLength: 4 }
      )
    },
    { requiredKeys: [] }
  )
  .map((state) => JSON.stringify(state))

const stateText: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: mutatedSeed },
  { weight: 1, arbitrary: realSeed },
  { weight: 2, arbitrary: shaped },
  { weight: 1, arbitrary: fc.json() },
  { weight: 1, arbitrary: oddString },
  { weight: 1, arbitrary: fc.string({ unit: "binary" }) },
  { weight: 1, arbitrary: hostile }
)

// ---------------------------------------------------------------------------
// Checks

/** The entries of a state text, when it is JSON with an entries array. */
const entriesOf = (text: unknown): ReadonlyArray<Record<string, any>> | undefined => {
  try {
    const value = typeof text === "string" ? JSON.parse(text) : text
    return Array.isArray(value?.entries) ? value.entries : undefined
  } catch {
    return undefined
  }
}

/** Every outcome is an operation or a typed error; success only where the state's last snapshot said so. */
const checkOutcomes = (outcomes: ReadonlyArray<WaitOutcome>, text: unknown, tally: Tally) => {
  const entries = entriesOf(text)
  if (entries === undefined) throw new Error("a state that is no JSON with entries was resumed")
  if (outcomes.length !== entries.length)
    throw new Error(`${outcomes.length} outcomes for ${entries.length} entries`)
  outcomes.forEach((outcome, i) => {
    if (!outcome.ok) {
      tally.add(typedTag(outcome.error))
      return
    }
    tally.add(outcome.operation.status)
    if (outcome.operation.status === "succeeded") {
      const last = entries[i]!.lastSeen
      if (last?.status !== "succeeded" || last?.terminal !== true) {
        throw new Error(`entry ${i} succeeded, but the state did not say so and the service said failed`)
      }
    }
  })
}

describe("resuming a fleet wait from any string", () => {
  beforeAll(makeSeeds)
  afterAll(() => status?.close())

  it("a wait that ended OperationFailed or WaitTimeout (with its last snapshot) serializes and resumes to the same end", async () => {
    const tags = seeds.flatMap((text) =>
      (entriesOf(text) ?? []).flatMap((entry) => (entry.error === undefined ? [] : [entry.error.reason._tag]))
    )
    if (!tags.includes("OperationFailed") || !tags.includes("WaitTimeout")) {
      throw new Error(`the seeds hold ${tags.join(", ")}: ${seeds.join("\n")}`)
    }
    for (const text of seeds) {
      const poller = await status.resume(text)
      poller.cancel()
      const outcomes = await poller.done.catch(() => [])
      const ended = (entriesOf(text) ?? []).filter((entry) => entry.error !== undefined).length
      if (outcomes.length > 0 && outcomes.filter((o) => !o.ok).length < ended)
        throw new Error("an ending was lost")
    }
  })

  it(
    "Promise resume: InvalidFleetState, or a wait that serializes, resumes again and ends typed",
    async () => {
      const tally = new Tally()
      await holdsAsync(
        "fleet state via Promise resume: any string",
        fc.asyncProperty(stateText, async (generated) => {
          const text = materialize(generated)
          const out = await settleAsync(() => status.resume(text as string))
          expectNoPollution()
          if (!out.ok) {
            tally.add(out.tag)
            if (out.tag !== "InvalidFleetState") throw new Error(`resume failed with ${out.tag}`)
            return
          }
          const poller = out.value
          const again = await settleAsync(() => status.resume(poller.serialize()))
          if (!again.ok)
            throw new Error(`a resumed wait serialized to a state that does not resume: ${again.tag}`)
          again.value.cancel()
          poller.cancel()
          for (const p of [poller, again.value]) {
            const done = await settleAsync(() => p.done)
            if (!done.ok) {
              if (done.tag !== "WaitAborted") throw new Error(`done rejected with ${done.tag}`)
              tally.add("cancelled")
            } else checkOutcomes(done.value, text, tally)
          }
        }),
        engineRuns,
        tally
      )
    },
    testTimeout(40_000, 900_000)
  )

  it(
    "Effect resumeWaitForAll on the test clock: every resumed wait ends, typed, never succeeded from the service",
    async () => {
      const tally = new Tally()
      const quiet = Logger.layer([])
      await holdsAsync(
        "fleet state via Effect resumeWaitForAll, run to the end",
        fc.asyncProperty(fc.oneof(mutatedSeed, realSeed, shaped), async (text) => {
          const exit = await Effect.runPromise(
            Effect.gen(function* () {
              yield* TestClock.setTime(epoch)
              const fiber = yield* Effect.forkChild(
                Effect.scoped(Effect.flatMap(resumeWaitForAll(text), (wait) => wait.await))
              )
              // Virtual time, doubling: a wait due at any finite time is reached in a bounded number of steps.
              for (let step = 10, i = 0; i < 64 && fiber.pollUnsafe() === undefined; i++, step *= 2) {
                yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
                yield* TestClock.adjust(step)
              }
              if (fiber.pollUnsafe() === undefined) {
                yield* Fiber.interrupt(fiber)
                return yield* Effect.die(
                  new Error("the resumed wait did not end within any finite virtual time")
                )
              }
              return yield* Fiber.await(fiber)
            }).pipe(
              Effect.provide(Layer.mergeAll(TestClock.layer(), OperationSources.layer(fake.sources), quiet))
            )
          )
          expectNoPollution()
          const out = settleExit(exit)
          if (!out.ok) {
            tally.add(out.tag)
            if (out.tag !== "InvalidFleetState") throw new Error(`resume failed with ${out.tag}`)
            return
          }
          if (Exit.isSuccess(exit)) checkOutcomes(exit.value, text, tally)
        }),
        engineRuns,
        tally
      )
    },
    testTimeout(40_000, 900_000)
  )
})
