/**
 * A source for a made-up service, written as an adapter would be, with the
 * adapter kit: core knows nothing of it, and both APIs wait on it end to end.
 * The service is a bakery: `StartBake` returns `{ BakeId }`, `GetBake` the
 * bake, `ListBakes` a page of bakes of one oven.
 */
import { Clock, Effect, Fiber, Layer, Schema } from "effect"
import { TestClock } from "effect/testing"
import { afterEach, describe, expect, it } from "vitest"
import {
  type ClientOptions,
  dateField,
  groupBy,
  makeSource,
  makeStatusMapper,
  requireRegion,
  type SourceSpec,
  Wire
} from "../src/AdapterKit.js"
import type { Operation } from "../src/Operation.js"
import type { OperationSource, ServiceInfo } from "../src/OperationSource.js"
import { OperationSources } from "../src/OperationSources.js"
import { hasReason } from "../src/OpstatusError.js"
import { createOperationStatus, type OperationStatusApi } from "../src/promise.js"
import * as Waiter from "../src/Waiter.js"
import { tagOf } from "./helpers.js"

// --- The service's client (what an SDK would be) ------------------------------------------

interface Bake {
  readonly BakeId: string
  readonly Oven: string
  readonly State: string
  readonly Reason?: string | null
  readonly StartedAt: number
}

/** An in-memory bakery: bakes end at a given time, some burnt. */
class BakeryClient {
  readonly config = { region: "eu-west-1" }
  readonly calls: Array<string> = []
  private readonly bakes = new Map<
    string,
    { oven: string; startedAt: number; endsAt: number; burnt: boolean }
  >()

  start(id: string, oven: string, startedAt: number, endsAt: number, burnt = false) {
    this.bakes.set(id, { oven, startedAt, endsAt, burnt })
    return { BakeId: id }
  }

  private view(id: string, now: number): Bake | undefined {
    const bake = this.bakes.get(id)
    if (bake === undefined) return undefined
    const state =
      now < bake.startedAt + 10 ? "QUEUED" : now < bake.endsAt ? "BAKING" : bake.burnt ? "BURNT" : "DONE"
    return {
      BakeId: id,
      Oven: bake.oven,
      State: state,
      Reason: state === "BURNT" ? "oven too hot" : null,
      StartedAt: bake.startedAt / 1000
    }
  }

  async send(
    command: { name: string; input: Record<string, string>; now: number },
    _options?: { abortSignal?: AbortSignal }
  ) {
    this.calls.push(command.name)
    if (command.name === "GetBake") {
      const bake = this.view(command.input.BakeId!, command.now)
      if (bake === undefined)
        throw Object.assign(new Error("no such bake"), {
          name: "BakeNotFound",
          $metadata: { httpStatusCode: 404 }
        })
      return { Bake: bake, $metadata: { requestId: `req-${this.calls.length}` } }
    }
    const bakes = [...this.bakes.keys()]
      .map((id) => this.view(id, command.now)!)
      .filter((b) => b.Oven === command.input.Oven)
    return { Bakes: bakes, $metadata: {} }
  }
}

// --- The adapter: its spec on the kit ------------------------------------------------------

const bakeryStatusTable = {
  QUEUED: "pending",
  BAKING: "running",
  DONE: "succeeded",
  BURNT: "failed"
} as const

const bakeryService: ServiceInfo = {
  service: "bakery",
  title: "The Bakery",
  idRule: { maxLength: 16, pattern: /^bake-[0-9]+$/, description: "bake- and digits" },
  hints: { oven: "the oven the bake is in (enables ListBakes)" },
  defaults: {
    timeout: "10 minutes",
    minDelay: "1 second",
    maxDelay: "5 seconds",
    notFoundGrace: "5 seconds"
  },
  statusTable: bakeryStatusTable
}

const RawBake = Schema.Struct({
  BakeId: Schema.String,
  Oven: Schema.String,
  State: Schema.String,
  Reason: Wire.string,
  StartedAt: Wire.timestamp
})
type RawBake = typeof RawBake.Type
const GetBakeAnswer = Schema.Struct({ Bake: Wire.struct(RawBake) })
const ListBakesAnswer = Schema.Struct({ Bakes: Wire.array(Schema.NullOr(RawBake)) })

const mapStatus = makeStatusMapper(bakeryStatusTable)

const toOperation = (raw: RawBake, region: string, requestId?: string): Operation => {
  const mapped = mapStatus(raw.State)
  return {
    ref: { service: "bakery", region, id: raw.BakeId, hints: { oven: raw.Oven } },
    status: mapped.status,
    terminal: mapped.terminal,
    rawStatus: raw.State,
    resource: { type: "Oven", name: raw.Oven },
    ...dateField("createdAt", raw.StartedAt),
    ...(mapped.status === "failed" ? { error: { code: "BURNT", message: raw.Reason ?? "burnt" } } : {}),
    region,
    ...(requestId === undefined ? {} : { requestId }),
    raw
  }
}

const spec = (now: () => number): SourceSpec<BakeryClient, { readonly oven: string }> => ({
  info: bakeryService,
  errorNames: { notFound: ["BakeNotFound"] },
  get: (request, ref) =>
    Effect.flatMap(
      request.call(ref.region, "GetBake", GetBakeAnswer, (client, signal) =>
        client.send({ name: "GetBake", input: { BakeId: ref.id }, now: now() }, { abortSignal: signal })
      ),
      (answer) =>
        answer.Bake == null
          ? Effect.fail(request.malformed("GetBake returned no Bake", answer))
          : Effect.succeed(
              toOperation(
                answer.Bake,
                ref.region,
                (answer as { $metadata?: { requestId?: string } }).$metadata?.requestId
              )
            )
    ),
  listPage: (request, region, query) =>
    Effect.map(
      request.call(region, "ListBakes", ListBakesAnswer, (client, signal) =>
        client.send({ name: "ListBakes", input: { Oven: query.oven }, now: now() }, { abortSignal: signal })
      ),
      (answer) => ({
        items: (answer.Bakes ?? []).flatMap((b) => (b == null ? [] : [toOperation(b, region)]))
      })
    ),
  refsFromResponse: (response, hints) => {
    const id = (response as { BakeId?: unknown } | null)?.BakeId
    if (typeof id !== "string") return []
    return [
      {
        service: "bakery",
        region: requireRegion("bakery", hints.region),
        id,
        ...(hints.hints === undefined ? {} : { hints: { ...hints.hints } })
      }
    ]
  },
  batch: (request) => ({
    plan: (region, candidates) =>
      [...groupBy(candidates, (c) => c.ref.hints?.oven)]
        .filter(([, group]) => group.length >= 2)
        .map(([oven, group]) => ({
          key: `ListBakes:${oven}`,
          covers: group,
          complete: true,
          page: (gate) =>
            gate(
              Effect.map(
                request.call(region, "ListBakes", ListBakesAnswer, (client, signal) =>
                  client.send(
                    { name: "ListBakes", input: { Oven: oven }, now: now() },
                    { abortSignal: signal }
                  )
                ),
                (answer) => ({
                  items: (answer.Bakes ?? []).flatMap((b) => (b == null ? [] : [toOperation(b, region)]))
                })
              )
            )
        }))
  })
})

const bakerySource = (
  options: ClientOptions<BakeryClient>,
  now: () => number
): OperationSource<{ readonly oven: string }> => makeSource(spec(now), options)

// --- Waiting on it -------------------------------------------------------------------------

const opened: Array<OperationStatusApi> = []
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()))
})

describe("a source for a made-up service", () => {
  it("waits on it through the Promise API: refs from the response, progress, the service's own failure", async () => {
    const client = new BakeryClient()
    const source = bakerySource({ client }, Date.now)
    const status = createOperationStatus({ sources: [source] })
    opened.push(status)
    const t = Date.now()
    // The region comes from the client's own configuration; the response does not name it.
    const [first] = source.refsFromResponse(client.start("bake-1", "north", t, t + 30))
    const [second] = source.refsFromResponse(client.start("bake-2", "north", t, t + 30, true))
    expect(first).toEqual({ service: "bakery", region: "eu-west-1", id: "bake-1" })
    const good = status.waitForSuccess(first!, { minDelay: 5, maxDelay: 5 })
    const burnt = status.waitForSuccess(second!, { minDelay: 5, maxDelay: 5 })
    const done = await good
    expect(done.status).toBe("succeeded")
    expect(done.rawStatus).toBe("DONE")
    expect(done.ref.hints).toEqual({ oven: "north" })
    const error = await burnt.catch((e: unknown) => e)
    if (!hasReason(error, "OperationFailed")) throw new Error("expected the bake's own failure")
    expect(error.service).toBe("bakery")
    expect(error.code).toBe("BURNT")
    expect(error.serviceMessage).toBe("oven too hot")
    expect(await status.waitForTerminal("bakery:eu-west-1:cake").catch(tagOf)).toBe("InvalidRef")
    expect(
      await status.waitForTerminal("bakery:us-east-1:bake-1").catch((e: { message: string }) => e.message)
    ).toContain("no bakery client serves region us-east-1")
  })

  it("waits on it through the Effect API, on TestClock, with one list read a round for an oven", async () => {
    const client = new BakeryClient()
    let now = 0
    const source = bakerySource({ client }, () => now)
    const ids = ["bake-1", "bake-2", "bake-3"]
    for (const [i, id] of ids.entries()) client.start(id, "south", 0, 4_000 + i * 1_000)
    const refs = ids.map((id) => ({ service: "bakery", region: "eu-west-1", id, hints: { oven: "south" } }))
    const outcomes = await Effect.runPromise(
      Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(
          Waiter.waitForAll(refs, { minDelay: "1 second", maxDelay: "1 second" })
        )
        for (let t = 0; t < 10_000; t += 100) {
          yield* TestClock.adjust(100)
          now = yield* Clock.currentTimeMillis
        }
        return yield* Fiber.join(fiber)
      }).pipe(Effect.provide(Layer.merge(TestClock.layer(), OperationSources.layer([source]))))
    )
    expect(outcomes.map((o) => o.ok && o.operation.status)).toEqual(["succeeded", "succeeded", "succeeded"])
    // While two or more bakes of the oven are waited on, one ListBakes a round reads them all;
    // the last one alone is read by ID.
    expect(client.calls.filter((c) => c === "ListBakes").length).toBeGreaterThanOrEqual(4)
    expect(client.calls.filter((c) => c === "GetBake").length).toBeLessThanOrEqual(2)
    expect(client.calls.length).toBeLessThan(3 * 6)
  })

  it("a bake that is not found after its grace window is OperationNotFound with the service's code", async () => {
    const client = new BakeryClient()
    const status = createOperationStatus({ sources: [bakerySource({ client }, Date.now)] })
    opened.push(status)
    const error = await status
      .waitForTerminal("bakery:eu-west-1:bake-404", { minDelay: 2, maxDelay: 2, notFoundGrace: 10 })
      .catch((e: unknown) => e)
    if (!hasReason(error, "OperationNotFound")) throw new Error("expected not found")
    expect(error.code).toBe("BakeNotFound")
    expect(error.serviceMessage).toBe("no such bake")
  })
})
