/**
 * Route 53 end to end: the real Route53Client against the emulator, its
 * changes awaited through `route53Source`. Route 53 is global, so refs name
 * `global` whatever region the client signs for; a change is PENDING, then
 * INSYNC, and never fails once accepted. Faults are switched on and off
 * between two rounds of the engine, and changes that must wait end when the
 * test ends them. The last part reads the emulator's Route 53 itself through
 * the client (zones, record sets, the batch checks, paging), on a clock the
 * test moves.
 */
import {
  ChangeResourceRecordSetsCommand,
  type ChangeResourceRecordSetsCommandInput,
  CreateHostedZoneCommand,
  DeleteHostedZoneCommand,
  GetChangeCommand,
  HostedZoneAlreadyExists,
  HostedZoneNotEmpty,
  InvalidChangeBatch,
  InvalidInput,
  ListHostedZonesCommand,
  NoSuchChange,
  NoSuchHostedZone,
  paginateListHostedZones,
  Route53Client
} from "@aws-sdk/client-route-53"
import {
  createOperationStatus,
  hasReason,
  type Operation,
  type OperationRef,
  OperationSources,
  type OperationStatusApi,
  type OperationStatusOptions,
  waitForSuccess
} from "@opstatus/core"
import {
  type Emulator,
  type Faults,
  type Scenario,
  type StartEmulatorOptions,
  startEmulator
} from "@opstatus/emulator"
import { classifyRoute53Error, operationsFromResponse, route53Source } from "@opstatus/route53"
import { Effect, Fiber, Layer, Logger } from "effect"
import { TestClock } from "effect/testing"
import { afterEach, describe, expect, it } from "vitest"
import { forever, onRounds, quick, reasonOf, rejection } from "./harness.js"

const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "x" }
/** A lane rate limit that leaves nothing to wait for but the service. */
const fastLane = { rateLimit: { start: 1000, min: 1000, max: 1000 } } as const

interface Route53Stack {
  readonly emulator: Emulator
  readonly client: Route53Client
  readonly open: (options?: Partial<OperationStatusOptions>) => OperationStatusApi
  /** Requests the emulator answered for Route 53 (one operation's, when named), by outcome. */
  readonly calls: (operation?: string) => { readonly total: number } & Record<string, number>
}

const stops: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop()
})

const startRoute53 = async (
  options: { scenario?: Scenario; timeScale?: number; clientRegion?: string; now?: () => number } = {}
): Promise<Route53Stack> => {
  const emulator = await startEmulator({
    port: 0,
    seed: 1,
    timeScale: options.timeScale ?? 1000,
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.scenario === undefined ? {} : { scenario: options.scenario })
  })
  // The engine owns retries; the SDK's own would only slow the tests down.
  const client = new Route53Client({
    endpoint: emulator.endpoint,
    region: options.clientRegion ?? "us-east-1",
    credentials,
    maxAttempts: 1
  })
  const opened: Array<OperationStatusApi> = []
  stops.push(async () => {
    await Promise.all(opened.map((status) => status.close()))
    client.destroy()
    await emulator.stop()
  })
  return {
    emulator,
    client,
    open: (given) => {
      const status = createOperationStatus({ sources: [route53Source({ client })], ...given })
      opened.push(status)
      return status
    },
    calls: (operation) => {
      const metrics = emulator.metrics().services.route53
      const counts = operation === undefined ? metrics.counts : metrics.byOperation[operation]
      return (counts ?? { total: 0 }) as { readonly total: number } & Record<string, number>
    }
  }
}

const newZone = (client: Route53Client, name: string) =>
  client.send(new CreateHostedZoneCommand({ Name: name, CallerReference: name }))

const upsert = (zoneId: string, name: string) =>
  new ChangeResourceRecordSetsCommand({
    HostedZoneId: zoneId,
    ChangeBatch: {
      Comment: `upsert ${name}`,
      Changes: [
        {
          Action: "UPSERT",
          ResourceRecordSet: { Name: name, Type: "A", TTL: 60, ResourceRecords: [{ Value: "192.0.2.44" }] }
        }
      ]
    }
  })

/** Changes that end only when `finish` ends them. */
const pending = (stack: Route53Stack, n: number): OperationRef[] =>
  Array.from({ length: n }, () => {
    const { id } = stack.emulator.createOperation({ service: "route53", durationMs: forever })
    return { service: "route53", region: "global", id }
  })

const finish = (stack: Route53Stack, refs: ReadonlyArray<OperationRef>) => {
  for (const ref of refs) stack.emulator.transition("route53", ref.id, "succeeded")
}

describe("Route 53 end to end: the real Route53Client against the emulator", () => {
  it.each([
    ["CreateHostedZone", async (client: Route53Client) => newZone(client, "create.example.com")],
    [
      "ChangeResourceRecordSets",
      async (client: Route53Client) => {
        const { HostedZone } = await newZone(client, "records.example.com")
        return client.send(upsert(HostedZone!.Id!, "www.records.example.com"))
      }
    ],
    [
      "DeleteHostedZone",
      async (client: Route53Client) => {
        const { HostedZone } = await newZone(client, "delete.example.com")
        return client.send(new DeleteHostedZoneCommand({ Id: HostedZone!.Id! }))
      }
    ]
  ] as const)(
    "%s: the ref from ChangeInfo, in global, waited through PENDING to INSYNC",
    async (_name, call) => {
      // Changes propagate until the test ends them: seen PENDING first however slow the machine.
      const stack = await startRoute53({
        scenario: {
          services: { route53: { durations: { queuedMs: [0, 0], runningMs: [forever, forever] } } }
        }
      })
      const response = await call(stack.client)
      const [ref] = route53Source({ client: stack.client }).refsFromResponse(response)
      expect(ref).toEqual({ service: "route53", region: "global", id: response.ChangeInfo!.Id!.slice(8) })
      const seen: Array<string> = []
      const done = await stack.open().waitForSuccess(ref!, {
        ...quick,
        onProgress: (op) => {
          seen.push(`${op.status}/${op.rawStatus}`)
          if (seen.length === 1) stack.emulator.transition("route53", ref!.id, "succeeded")
        }
      })
      expect([done.status, done.rawStatus, done.terminal, done.region]).toEqual([
        "succeeded",
        "INSYNC",
        true,
        "global"
      ])
      expect(done.createdAt).toEqual(response.ChangeInfo!.SubmittedAt)
      expect(seen[0]).toBe("running/PENDING")
      expect(seen.at(-1)).toBe("succeeded/INSYNC")
      expect(done.requestId).toMatch(/^[0-9a-f-]{36}$/)
      expect(stack.calls("GetChange").ok).toBeGreaterThan(0)
    }
  )

  it("a client signing for another region serves global: Route 53 is global", async () => {
    const stack = await startRoute53({ clientRegion: "eu-west-1" })
    const { HostedZone } = await newZone(stack.client, "eu.example.com")
    const response = await stack.client.send(upsert(HostedZone!.Id!, "www.eu.example.com"))
    const [change] = operationsFromResponse(response)
    expect(change?.ref.region).toBe("global")
    const done = await stack.open().waitForSuccess(`route53:global:${change!.ref.id}`, quick)
    expect([done.status, done.properties]).toEqual(["succeeded", { Comment: "upsert www.eu.example.com" }])
  })

  it("a response already INSYNC is a snapshot that ends the wait without a read", async () => {
    const instant = {
      services: { route53: { durations: { queuedMs: [0, 0], runningMs: [0, 0] } } }
    } as Scenario
    // Time stands still while the emulator answers: the change it plans is in sync at the instant of
    // the answer, however long the request takes (on a running clock the answer may predate its end).
    const stack = await startRoute53({ scenario: instant, now: new ManualClock().now })
    const response = await newZone(stack.client, "instant.example.com")
    expect(response.ChangeInfo?.Status).toBe("INSYNC")
    const [snapshot] = operationsFromResponse(response)
    const done = await stack.open().waitForSuccess(snapshot!, quick)
    expect(done.status).toBe("succeeded")
    expect(stack.calls("GetChange").total).toBe(0)
  })

  it("a status Route 53 never sends is unknown: never success, and no end of the wait", async () => {
    const stack = await startRoute53()
    // The emulator answers FAILED for a change the test fails, which Route 53 never does.
    const { id } = stack.emulator.createOperation({ service: "route53", durationMs: forever })
    stack.emulator.transition("route53", id, "failed")
    // The wait runs on TestClock, moved only once no request is in flight: its timeout comes after
    // the reads it had time for, however slow the machine (a real second may see none on a loaded one).
    let inFlight = 0
    stack.client.middlewareStack.add(
      (next) => async (args) => {
        inFlight++
        try {
          return await next(args)
        } finally {
          inFlight--
        }
      },
      { step: "initialize", name: "countInFlight" }
    )
    const warnings: Array<string> = []
    const warned = Logger.make(({ message, logLevel }) => {
      if (logLevel === "Warn")
        warnings.push((Array.isArray(message) ? message : [message]).map(String).join(" "))
    })
    const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve))
    const result = await Effect.runPromise(
      Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(
          Effect.result(
            waitForSuccess(`route53:global:${id}`, { minDelay: 10, maxDelay: 40, timeout: "1 second" })
          )
        )
        for (let step = 0; step < 1_000 && fiber.pollUnsafe() === undefined; step++) {
          // Let every request in flight come back before time moves on.
          yield* Effect.promise(async () => {
            do await macrotask()
            while (inFlight > 0)
            await macrotask()
          })
          yield* TestClock.adjust(10)
        }
        if (fiber.pollUnsafe() === undefined) throw new Error("the wait did not end on its timeout")
        return yield* Fiber.join(fiber)
      }).pipe(
        Effect.provide(
          Layer.mergeAll(
            TestClock.layer(),
            OperationSources.layer([route53Source({ client: stack.client })]),
            Logger.layer([warned])
          )
        )
      )
    )
    const error = result._tag === "Failure" ? result.failure : undefined
    expect(reasonOf(error)._tag).toBe("WaitTimeout")
    const last = (error as { reason: { lastSeen?: Operation } }).reason.lastSeen
    expect([last?.status, last?.rawStatus, last?.terminal]).toEqual(["unknown", "FAILED", false])
    expect(warnings.filter((w) => w.includes("FAILED"))).toHaveLength(1)
    expect(stack.calls("GetChange").ok).toBeGreaterThan(1)
  })

  it("a change batch Route 53 refuses carries its code and message, typed by the adapter", async () => {
    const stack = await startRoute53()
    const error = await rejection(stack.client.send(upsert("Z0000000000000", "www.example.com")))
    expect(error).toBeInstanceOf(NoSuchHostedZone)
    const classified = classifyRoute53Error(error)
    expect([
      classified.reason._tag,
      classified.code,
      classified.serviceMessage,
      (reasonOf(classified) as { httpStatus?: number }).httpStatus
    ]).toEqual(["InvalidRequest", "NoSuchHostedZone", "No hosted zone found with ID: Z0000000000000", 404])
  })

  it("a change that does not exist is OperationNotFound after the grace window, with NoSuchChange", async () => {
    const stack = await startRoute53()
    const error = await rejection(
      stack.open().waitForTerminal("route53:global:C0000000000000", { ...quick, notFoundGrace: 200 })
    )
    expect(reasonOf(error)._tag).toBe("OperationNotFound")
    expect(error).toMatchObject({
      code: "NoSuchChange",
      serviceMessage: "A change with the specified change ID does not exist: C0000000000000",
      ref: { service: "route53", region: "global", id: "C0000000000000" }
    })
  })

  it("a change not visible yet is waited for inside the grace window", async () => {
    const stack = await startRoute53({ timeScale: 1 })
    const { id } = stack.emulator.createOperation({
      service: "route53",
      durationMs: 120_000,
      notFoundForMs: 60_000
    })
    // The first round reads NoSuchChange; then simulated time runs a million times faster.
    const status = stack.open({
      fleet: { onRound: onRounds("route53", { 1: () => stack.emulator.configure({ timeScale: 1_000_000 }) }) }
    })
    expect((await status.waitForSuccess(`route53:global:${id}`, quick)).status).toBe("succeeded")
    expect(stack.calls("GetChange")["error-4xx"]).toBeGreaterThan(0)
  })

  it("cannot cancel: CancelNotSupported, before any request", async () => {
    const stack = await startRoute53()
    const [ref] = pending(stack, 1)
    const error = await rejection(stack.open().cancel(ref!))
    expect(reasonOf(error)._tag).toBe("CancelNotSupported")
    expect(stack.calls().total).toBe(0)
  })

  it.each([
    ["a region code", "route53:us-east-1:C2682N5HXP0BZ4", "is not global (Route 53 is a global service)"],
    ["the /change/ prefix", "route53:global:/change/C2682N5HXP0BZ4", "without its /change/ prefix"],
    ["lower case", "route53:global:c2682n5hxp0bz4", "capital letters and digits"],
    ["too long an ID", `route53:global:${"C".repeat(33)}`, "at most 32"]
  ])("a ref with %s is InvalidRef before any request", async (_, ref, message) => {
    const stack = await startRoute53()
    const error = await rejection(stack.open().waitForTerminal(ref, quick))
    expect(reasonOf(error)._tag).toBe("InvalidRef")
    expect((error as Error).message).toContain(message)
    expect(stack.calls().total).toBe(0)
  })

  it("a fleet of 120 changes: waitForAll, each read by GetChange, every one INSYNC", async () => {
    const stack = await startRoute53()
    const { HostedZone } = await newZone(stack.client, "fleet.example.com")
    const refs: Array<OperationRef> = []
    for (let i = 0; i < 120; i++) {
      const response = await stack.client.send(upsert(HostedZone!.Id!, `host${i}.fleet.example.com`))
      refs.push(...route53Source({ client: stack.client }).refsFromResponse(response))
    }
    const outcomes = await stack
      .open({ fleet: fastLane })
      .waitForAll(refs, { ...quick, requireSuccess: true })
    expect(outcomes.filter((o) => !o.ok)).toEqual([])
    expect(outcomes.map((o) => (o.ok ? o.operation.ref.id : ""))).toEqual(refs.map((r) => r.id))
    // No batch read exists: every change costs at least one GetChange.
    expect(stack.calls("GetChange").ok).toBeGreaterThanOrEqual(120)
  })

  it("Route 53's request budget: throttles (Throttling, HTTP 400) are absorbed by the lane", async () => {
    // A bucket that never refills: after its one token, every request is throttled until the limit goes.
    const limited = { services: { route53: { rateLimit: { perSecond: 0, burst: 1 } } } } as Scenario
    const stack = await startRoute53({ scenario: limited })
    const refs = pending(stack, 8)
    const status = stack.open({
      fleet: {
        onRound: (report) => {
          if (report.service !== "route53" || report.throttled === 0) return
          stack.emulator.configure({ services: { route53: { rateLimit: null } } } as Scenario)
          finish(stack, refs)
        }
      }
    })
    const outcomes = await status.waitForAll(refs, { ...quick, requireSuccess: true })
    expect(outcomes.filter((o) => !o.ok)).toEqual([])
    expect(stack.calls("GetChange").throttled).toBeGreaterThan(0)
  })

  it.each([
    ["5xx answers", { error5xxRate: 1 }, "error-5xx"],
    ["connection resets", { resetRate: 1 }, "reset"],
    // Cut XML documents and HTML 502s; a wait gives up only after three malformed answers in a row.
    ["malformed answers", { malformedRate: 1 }, "malformed"]
  ] as const)("%s are absorbed until the service recovers", async (_name, faults, counter) => {
    const faulty = (f: Faults) => ({ services: { route53: { faults: f } } }) as Scenario
    const stack = await startRoute53({ scenario: faulty(faults) })
    const refs = pending(stack, 4)
    const status = stack.open({
      fleet: {
        onRound: onRounds("route53", {
          2: () => {
            stack.emulator.configure(faulty({ error5xxRate: 0, resetRate: 0, malformedRate: 0 }))
            finish(stack, refs)
          }
        })
      }
    })
    const outcomes = await status.waitForAll(refs, { ...quick, requireSuccess: true })
    expect(outcomes.filter((o) => !o.ok)).toEqual([])
    expect(stack.calls("GetChange")[counter]).toBeGreaterThanOrEqual(2)
  })

  it("three malformed answers in a row end the wait with MalformedResponse, never success", async () => {
    const stack = await startRoute53({
      scenario: { services: { route53: { faults: { malformedRate: 1 } } } }
    })
    const [ref] = pending(stack, 1)
    finish(stack, [ref!])
    const error = await rejection(stack.open().waitForSuccess(ref!, quick))
    expect(reasonOf(error)._tag).toBe("MalformedResponse")
    expect(stack.calls("GetChange").malformed).toBeGreaterThanOrEqual(3)
  })

  it("access denied fails fast: one request, Route 53's code", async () => {
    const stack = await startRoute53({ scenario: { deniedAccessKeys: ["AKIDEXAMPLE"] } })
    const error = await rejection(stack.open().waitForTerminal("route53:global:C2682N5HXP0BZ4", quick))
    expect(reasonOf(error)._tag).toBe("AccessDenied")
    expect(error).toMatchObject({ code: "AccessDenied", service: "route53" })
    expect(reasonOf(error)).toMatchObject({ httpStatus: 403 })
    expect(stack.calls().total).toBe(1)
  })

  it("the SDK reads the change with or without its prefix; the source asks for the bare ID", async () => {
    // The change propagates until the test ends it: both reads see the same ChangeInfo however slow the machine.
    const stack = await startRoute53({
      scenario: { services: { route53: { durations: { queuedMs: [0, 0], runningMs: [forever, forever] } } } }
    })
    const { ChangeInfo } = await newZone(stack.client, "prefix.example.com")
    const direct = await stack.client.send(new GetChangeCommand({ Id: ChangeInfo!.Id! }))
    const op = await stack.open().get(`route53:global:${ChangeInfo!.Id!.slice(8)}`)
    expect(op.raw).toEqual(direct.ChangeInfo)
    expect(
      hasReason(await rejection(stack.open().get(`route53:global:${ChangeInfo!.Id!}`)), "InvalidRef")
    ).toBe(true)
  })
})

/** A clock the test moves by hand. */
class ManualClock {
  t = 1_700_000_000_000
  readonly now = (): number => this.t
  advance(ms: number): void {
    this.t += ms
  }
}

/** An emulator stopped after the test. */
const startEmulatorFor = async (options: StartEmulatorOptions): Promise<Emulator> => {
  const emulator = await startEmulator({ port: 0, seed: 1, ...options })
  stops.push(() => emulator.stop())
  return emulator
}

/** A real Route 53 client pointed at an emulator, without retries, destroyed after the test. */
const clientOf = (emulator: Emulator, region = "us-east-1", accessKeyId = "AKIDEXAMPLE") => {
  const client = new Route53Client({
    endpoint: emulator.endpoint,
    region,
    credentials: { accessKeyId, secretAccessKey: "x" },
    maxAttempts: 1
  })
  stops.push(async () => client.destroy())
  return client
}

/** What a call rejected with, read as the SDK's error. */
const fails = (promise: Promise<unknown>): Promise<any> => rejection(promise) as Promise<any>

const CHANGE_ID = /^\/change\/C[A-Z0-9]{13}$/
const ZONE_ID = /^\/hostedzone\/Z[A-Z0-9]{13}$/

const fixed = (runningMs: number, queuedMs = 0) => ({
  route53: {
    durations: { queuedMs: [queuedMs, queuedMs] as const, runningMs: [runningMs, runningMs] as const }
  }
})

const upsertInput = (
  zoneId: string,
  name: string,
  comment?: string
): ChangeResourceRecordSetsCommandInput => ({
  HostedZoneId: zoneId,
  ChangeBatch: {
    ...(comment === undefined ? {} : { Comment: comment }),
    Changes: [
      {
        Action: "UPSERT",
        ResourceRecordSet: { Name: name, Type: "A", TTL: 60, ResourceRecords: [{ Value: "192.0.2.44" }] }
      }
    ]
  }
})

const batch = (
  zoneId: string,
  changes: ReadonlyArray<
    readonly [action: "CREATE" | "DELETE" | "UPSERT", name: string, type?: "A" | "CNAME"]
  >
): ChangeResourceRecordSetsCommandInput => ({
  HostedZoneId: zoneId,
  ChangeBatch: {
    Changes: changes.map(([Action, Name, Type = "A"]) => ({
      Action,
      ResourceRecordSet: { Name, Type, TTL: 60, ResourceRecords: [{ Value: "192.0.2.1" }] }
    }))
  }
})

const createZone = (client: Route53Client, name = "example.com", reference = name) =>
  client.send(new CreateHostedZoneCommand({ Name: name, CallerReference: reference }))

describe("the emulator's Route 53 through the real Route53Client", () => {
  it("round-trips CreateHostedZone, ChangeResourceRecordSets, DeleteHostedZone and GetChange", async () => {
    const clock = new ManualClock()
    const emulator = await startEmulatorFor({ now: clock.now, scenario: { services: fixed(30_000) } })
    const client = clientOf(emulator)

    const created = await client.send(
      new CreateHostedZoneCommand({
        Name: "Example.com",
        CallerReference: "ref-1",
        HostedZoneConfig: { Comment: "web & mail", PrivateZone: false }
      })
    )
    expect(created.$metadata.httpStatusCode).toBe(201)
    const zone = created.HostedZone!
    expect(zone.Id).toMatch(ZONE_ID)
    expect(created.Location).toBe(`https://route53.amazonaws.com/2013-04-01/hostedzone/${zone.Id!.slice(12)}`)
    expect([zone.Name, zone.CallerReference, zone.Config, zone.ResourceRecordSetCount]).toEqual([
      "example.com.",
      "ref-1",
      { Comment: "web & mail", PrivateZone: false },
      2
    ])
    expect(created.DelegationSet?.NameServers).toHaveLength(4)
    for (const ns of created.DelegationSet!.NameServers!) expect(ns).toMatch(/^ns-\d+\.awsdns-\d+\./)

    const changed = await client.send(
      new ChangeResourceRecordSetsCommand(upsertInput(zone.Id!, "www.example.com", "add www"))
    )
    const deletedRecord = await client.send(
      new ChangeResourceRecordSetsCommand(batch(zone.Id!, [["DELETE", "www.example.com."]]))
    )
    const deleted = await client.send(new DeleteHostedZoneCommand({ Id: zone.Id! }))

    const infos = [created.ChangeInfo!, changed.ChangeInfo!, deletedRecord.ChangeInfo!, deleted.ChangeInfo!]
    expect(new Set(infos.map((info) => info.Id)).size).toBe(4)
    for (const info of infos) {
      expect(info.Id).toMatch(CHANGE_ID)
      expect(info.Status).toBe("PENDING")
      expect(info.SubmittedAt).toEqual(new Date(clock.t))
    }
    expect([created.ChangeInfo!.Comment, changed.ChangeInfo!.Comment, deleted.ChangeInfo!.Comment]).toEqual([
      "web & mail",
      "add www",
      undefined
    ])
    // The SDK takes the Id with or without its /change/ prefix.
    for (const info of infos) {
      const read = await client.send(new GetChangeCommand({ Id: info.Id! }))
      expect(read.ChangeInfo).toEqual(info)
      expect((await client.send(new GetChangeCommand({ Id: info.Id!.slice(8) }))).ChangeInfo).toEqual(info)
    }
  })

  it("a change is PENDING while it propagates, queued or not, then INSYNC", async () => {
    const clock = new ManualClock()
    const emulator = await startEmulatorFor({ now: clock.now, scenario: { services: fixed(900, 100) } })
    const client = clientOf(emulator)
    const { ChangeInfo } = await createZone(client)
    const status = async () => (await client.send(new GetChangeCommand({ Id: ChangeInfo!.Id! }))).ChangeInfo!
    expect((await status()).Status).toBe("PENDING")
    clock.advance(100)
    expect((await status()).Status).toBe("PENDING")
    clock.advance(899)
    expect((await status()).Status).toBe("PENDING")
    clock.advance(1)
    expect(await status()).toEqual({ ...ChangeInfo, Status: "INSYNC" })
  })

  it("is global: a client signing for another region reads the same changes and zones", async () => {
    // Time stands still: the change is PENDING when read, however slow the machine.
    const emulator = await startEmulatorFor({ now: new ManualClock().now })
    const virginia = clientOf(emulator, "us-east-1")
    const ireland = clientOf(emulator, "eu-west-1")
    const { HostedZone, ChangeInfo } = await createZone(virginia)
    expect((await ireland.send(new GetChangeCommand({ Id: ChangeInfo!.Id! }))).ChangeInfo?.Id).toBe(
      ChangeInfo!.Id
    )
    const changed = await ireland.send(
      new ChangeResourceRecordSetsCommand(upsertInput(HostedZone!.Id!, "www.example.com"))
    )
    expect(
      (await virginia.send(new GetChangeCommand({ Id: changed.ChangeInfo!.Id! }))).ChangeInfo?.Status
    ).toBe("PENDING")
    // The admin surface's region does not split them either.
    const made = emulator.createOperation({
      service: "route53",
      region: "ap-south-1",
      hostedZoneId: "/hostedzone/Z1"
    })
    expect(made.region).toBe("us-east-1")
    expect(made.wire).toMatchObject({ Id: `/change/${made.id}`, Status: "PENDING" })
    expect((await ireland.send(new GetChangeCommand({ Id: made.id }))).ChangeInfo?.Id).toBe(
      `/change/${made.id}`
    )
  })

  it("keeps accounts apart: another account's change is NoSuchChange", async () => {
    const emulator = await startEmulatorFor({ timeScale: 1 })
    const mine = clientOf(emulator)
    const theirs = clientOf(emulator, "us-east-1", "AKIDOTHER")
    const { ChangeInfo } = await createZone(mine)
    const error = await fails(theirs.send(new GetChangeCommand({ Id: ChangeInfo!.Id! })))
    expect(error).toBeInstanceOf(NoSuchChange)
    expect(error.$metadata.httpStatusCode).toBe(404)
    const zones = await theirs.send(new ListHostedZonesCommand({}))
    expect(zones.HostedZones).toEqual([])
  })

  it("answers NoSuchChange for an unknown change, and until a change is visible", async () => {
    const clock = new ManualClock()
    const emulator = await startEmulatorFor({ now: clock.now })
    const client = clientOf(emulator)
    const unknown = await fails(client.send(new GetChangeCommand({ Id: "C0000000000000" })))
    expect(unknown).toBeInstanceOf(NoSuchChange)
    expect(unknown.message).toBe("A change with the specified change ID does not exist: C0000000000000")
    expect(unknown.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/)

    const { id } = emulator.createOperation({ service: "route53", notFoundForMs: 5_000, durationMs: 60_000 })
    expect(await fails(client.send(new GetChangeCommand({ Id: id })))).toBeInstanceOf(NoSuchChange)
    clock.advance(5_000)
    expect((await client.send(new GetChangeCommand({ Id: id }))).ChangeInfo?.Status).toBe("PENDING")
  })

  it("a change it is told to fail or cancel answers a status Route 53 never sends", async () => {
    const clock = new ManualClock()
    const emulator = await startEmulatorFor({ now: clock.now })
    const client = clientOf(emulator)
    const failing = emulator.createOperation({ service: "route53", outcome: "failure", durationMs: 1_000 })
    const cancelled = emulator.createOperation({ service: "route53", durationMs: 60_000 })
    const done = emulator.createOperation({ service: "route53", durationMs: 60_000 })
    emulator.transition("route53", cancelled.id, "cancelled")
    emulator.transition("route53", done.id, "succeeded")
    clock.advance(1_000)
    const status = async (id: string) =>
      (await client.send(new GetChangeCommand({ Id: id }))).ChangeInfo?.Status
    expect([await status(failing.id), await status(cancelled.id), await status(done.id)]).toEqual([
      "FAILED",
      "CANCELLED",
      "INSYNC"
    ])
  })
})

describe("the emulator's Route 53 checks a change batch before it accepts it", () => {
  const setup = async () => {
    const emulator = await startEmulatorFor({ timeScale: 1 })
    const client = clientOf(emulator)
    const zoneId = (await createZone(client)).HostedZone!.Id!
    return { emulator, client, zoneId }
  }

  it("an unknown hosted zone is NoSuchHostedZone, for a batch and a delete", async () => {
    const { client } = await setup()
    const batchError = await fails(
      client.send(new ChangeResourceRecordSetsCommand(upsertInput("Z0000000000000", "www.example.com")))
    )
    expect(batchError).toBeInstanceOf(NoSuchHostedZone)
    expect(batchError.$metadata.httpStatusCode).toBe(404)
    expect(batchError.message).toBe("No hosted zone found with ID: Z0000000000000")
    expect(await fails(client.send(new DeleteHostedZoneCommand({ Id: "Z0000000000000" })))).toBeInstanceOf(
      NoSuchHostedZone
    )
  })

  it.each([
    [
      "a CREATE of a record set that exists",
      [
        ["CREATE", "example.com.", "A"],
        ["CREATE", "example.com.", "A"]
      ] as const,
      "Tried to create resource record set [name='example.com.', type='A'] but it already exists"
    ],
    [
      "a DELETE of a record set that does not exist",
      [["DELETE", "www.example.com."]] as const,
      "Tried to delete resource record set [name='www.example.com.', type='A'] but it was not found"
    ],
    [
      "a name outside the zone",
      [["UPSERT", "www.example.org."]] as const,
      "RRSet with DNS name www.example.org. is not permitted in zone example.com."
    ]
  ])("%s is InvalidChangeBatch, and the batch changes nothing", async (_, changes, message) => {
    const { client, zoneId } = await setup()
    const error = await fails(client.send(new ChangeResourceRecordSetsCommand(batch(zoneId, changes))))
    expect(error).toBeInstanceOf(InvalidChangeBatch)
    expect(error.$metadata.httpStatusCode).toBe(400)
    expect(error.message).toContain(message)
    // All or nothing: the record set a refused batch would have created was not.
    const zones = await client.send(new ListHostedZonesCommand({}))
    expect(zones.HostedZones?.[0]?.ResourceRecordSetCount).toBe(2)
  })

  it.each([
    ["an empty Changes", { Changes: [] }, "at least one Change"],
    [
      "an unknown Action",
      { Changes: [{ Action: "RENAME", ResourceRecordSet: { Name: "a.example.com", Type: "A" } }] },
      "Action must be CREATE, DELETE or UPSERT"
    ],
    [
      "a record set without a Type",
      { Changes: [{ Action: "CREATE", ResourceRecordSet: { Name: "a.example.com" } }] },
      "Type is required"
    ]
  ])("%s is InvalidInput", async (_, ChangeBatch, message) => {
    const { client, zoneId } = await setup()
    const error = await fails(
      client.send(
        new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: ChangeBatch as never })
      )
    )
    expect(error).toBeInstanceOf(InvalidInput)
    expect(error.message).toContain(message)
  })

  it("a zone with record sets of its own is HostedZoneNotEmpty; emptied, it is deleted and gone", async () => {
    const { client, zoneId } = await setup()
    await client.send(new ChangeResourceRecordSetsCommand(batch(zoneId, [["CREATE", "www.example.com."]])))
    expect(await fails(client.send(new DeleteHostedZoneCommand({ Id: zoneId })))).toBeInstanceOf(
      HostedZoneNotEmpty
    )
    await client.send(new ChangeResourceRecordSetsCommand(batch(zoneId, [["DELETE", "www.example.com."]])))
    expect((await client.send(new DeleteHostedZoneCommand({ Id: zoneId }))).ChangeInfo?.Status).toBe(
      "PENDING"
    )
    expect(
      await fails(client.send(new ChangeResourceRecordSetsCommand(upsertInput(zoneId, "www.example.com"))))
    ).toBeInstanceOf(NoSuchHostedZone)
  })

  it("a caller reference used before is HostedZoneAlreadyExists", async () => {
    const { client } = await setup()
    const error = await fails(createZone(client, "other.example.com", "example.com"))
    expect(error).toBeInstanceOf(HostedZoneAlreadyExists)
    expect(error.message).toContain("caller reference: example.com")
  })
})

describe("the emulator's ListHostedZones", () => {
  it("pages with MaxItems and NextMarker, in creation order", async () => {
    const emulator = await startEmulatorFor({ timeScale: 1 })
    const client = clientOf(emulator)
    const ids: string[] = []
    for (let i = 0; i < 7; i++) ids.push((await createZone(client, `z${i}.example.com`)).HostedZone!.Id!)
    const pages = []
    for await (const page of paginateListHostedZones({ client, pageSize: 3 }, {})) pages.push(page)
    expect(pages.map((page) => page.HostedZones?.length)).toEqual([3, 3, 1])
    expect(pages.map((page) => page.IsTruncated)).toEqual([true, true, false])
    expect(pages.flatMap((page) => page.HostedZones!.map((zone) => zone.Id))).toEqual(ids)
    expect(pages[1]?.Marker).toBe(ids[3]!.slice(12))
    expect(pages[0]?.MaxItems).toBe(3)
  })

  it.each([
    [{ MaxItems: 0 }, "maxitems must be a whole number from 1 to 100"],
    [{ MaxItems: 101 }, "maxitems must be a whole number from 1 to 100"],
    [{ Marker: "ZNOTAZONE" }, "names no hosted zone"]
  ])("%j is InvalidInput", async (input, message) => {
    const emulator = await startEmulatorFor({ timeScale: 1 })
    const client = clientOf(emulator)
    const error = await fails(client.send(new ListHostedZonesCommand(input)))
    expect(error).toBeInstanceOf(InvalidInput)
    expect(error.message).toContain(message)
  })
})

describe("the emulator's Route 53 faults, as the real client reads them", () => {
  it("a malformed answer fails the SDK's parse (a cut XML document, or an HTML 502)", async () => {
    const emulator = await startEmulatorFor({
      timeScale: 1,
      scenario: { services: { route53: { faults: { malformedRate: 1 } } } }
    })
    const client = clientOf(emulator)
    const { id } = emulator.createOperation({ service: "route53" })
    const statuses = new Set<number | undefined>()
    for (let i = 0; i < 20; i++) {
      const error = await fails(client.send(new GetChangeCommand({ Id: id })))
      statuses.add(error.$metadata?.httpStatusCode ?? error.$response?.statusCode)
    }
    expect(statuses).toEqual(new Set([200, 502]))
    expect(emulator.metrics().services.route53.counts.malformed).toBe(20)
  })
})
