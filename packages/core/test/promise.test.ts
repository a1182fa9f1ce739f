import { Effect } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import type { OperationSource } from "../src/OperationSource.js"
import { hasReason, isOpstatusError, OpstatusError } from "../src/OpstatusError.js"
import {
  createOperationStatus,
  type OperationStatusApi,
  type OperationStatusOptions
} from "../src/promise.js"
import type { FleetSummary } from "../src/WaitOutcome.js"
import { op, ref, scriptedSource, sourceError, tagOf } from "./helpers.js"

/** Every API a test creates is closed after it. */
const opened: Array<OperationStatusApi> = []
const open = (options: OperationStatusOptions): OperationStatusApi => {
  const status = createOperationStatus(options)
  opened.push(status)
  return status
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()))
})

/** Resolves with the rejection's reason tag. */
const rejectionTag = (p: Promise<unknown>) =>
  p.then(
    () => "resolved",
    (e: unknown) => tagOf(e) ?? String(e)
  )

// Real timers with millisecond delays: the facade runs on the live clock.
const quick = { minDelay: 1, maxDelay: 4, timeout: "5 seconds" } as const

describe("createOperationStatus (Promise facade)", () => {
  it("waitForTerminal resolves with the terminal operation and reports progress", async () => {
    const { source } = scriptedSource("servicediscovery", [op("pending"), op("running"), op("succeeded")])
    const status = open({ sources: [source] })
    const seen: string[] = []
    const result = await status.waitForTerminal(ref(), { ...quick, onProgress: (o) => seen.push(o.status) })
    expect(result.status).toBe("succeeded")
    expect(seen).toEqual(["pending", "running", "succeeded"])
  })

  it("accepts the string form of a ref", async () => {
    const { source } = scriptedSource("servicediscovery", [op("succeeded")])
    const status = open({ sources: [source] })
    const got = await status.get("servicediscovery:us-east-1:gv4g5meo7ndmeh4fqskygvk23d2fijwa-k9302yzd")
    expect(got.status).toBe("succeeded")
  })

  it("rejects with OpstatusError itself, not a wrapper", async () => {
    const failed = op("failed", { error: { code: "INTERNAL_FAILURE", message: "broke" } })
    const { source } = scriptedSource("servicediscovery", [failed])
    const status = open({ sources: [source] })
    const error = await status.waitForSuccess(ref(), quick).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(OpstatusError)
    expect(error).toBeInstanceOf(Error)
    expect((error as OpstatusError)._tag).toBe("OpstatusError")
    expect(hasReason(error, "OperationFailed")).toBe(true)
    expect((error as OpstatusError).code).toBe("INTERNAL_FAILURE")
    expect((error as OpstatusError).serviceMessage).toBe("broke")
  })

  it("rejects AccessDenied at once with the service's code", async () => {
    const { source, calls } = scriptedSource("servicediscovery", [
      sourceError("denied", "AccessDeniedException", "nope", 403)
    ])
    const status = open({ sources: [source] })
    const error = await status.waitForTerminal(ref(), quick).catch((e: unknown) => e)
    expect(tagOf(error)).toBe("AccessDenied")
    expect((error as OpstatusError).code).toBe("AccessDeniedException")
    expect((error as OpstatusError).kind).toBe("request")
    expect(calls).toHaveLength(1)
  })

  it("rejects a bad ref and bad options before any request", async () => {
    const { source, calls } = scriptedSource("servicediscovery", [op("succeeded")])
    const status = open({ sources: [source] })
    expect(await rejectionTag(status.waitForTerminal("nope"))).toBe("InvalidRef")
    expect(await rejectionTag(status.waitForTerminal(ref(), { timeout: "eventually" as never }))).toBe(
      "InvalidOptions"
    )
    expect(await rejectionTag(status.waitForTerminal(Object.create(null)))).toBe("InvalidRef")
    expect(calls).toHaveLength(0)
  })

  it("times out with WaitTimeout carrying the last operation", async () => {
    const { source } = scriptedSource("servicediscovery", [op("running")])
    const status = open({ sources: [source] })
    const error = await status
      .waitForTerminal(ref(), { minDelay: 1, maxDelay: 5, timeout: 60 })
      .catch((e: unknown) => e)
    if (!hasReason(error, "WaitTimeout")) throw new Error("expected a timeout")
    expect(error.reason.lastSeen?.status).toBe("running")
    expect(error.operation?.status).toBe("running")
  })

  it("a wait ends at its deadline, not before, and says how long it waited", async () => {
    const { source } = scriptedSource("servicediscovery", [op("running")])
    const status = open({ sources: [source] })
    const started = performance.now()
    const error = await status
      .waitForTerminal(ref(), { timeout: 150, minDelay: 100, maxDelay: 100 })
      .catch((e: unknown) => e)
    const elapsed = performance.now() - started
    if (!hasReason(error, "WaitTimeout")) throw new Error("expected a timeout")
    expect(elapsed).toBeGreaterThanOrEqual(150)
    expect(error.reason.waitedMillis).toBeGreaterThanOrEqual(150)
    expect(error.message).toContain(`Timed out after ${error.reason.waitedMillis}ms`)
  })

  it("an abort stops polling at once and makes no further request", async () => {
    // Reads by ID, recorded; op-2 ends on its fifth read.
    const reads: string[] = []
    const readsOf = (id: string) => reads.filter((r) => r === id).length
    const base = scriptedSource("servicediscovery", [
      (r) => op(r.id === "op-2" && readsOf("op-2") >= 5 ? "succeeded" : "running", {}, r)
    ]).source
    const source: OperationSource = {
      ...base,
      get: (r) =>
        Effect.suspend(() => {
          reads.push(r.id)
          return base.get(r)
        })
    }
    const status = open({ sources: [source] })
    const controller = new AbortController()
    const spacing = { minDelay: 5, maxDelay: 5, timeout: "1 minute" } as const
    // Aborted as soon as the first answer is in.
    const waiting = status.waitForTerminal(ref("servicediscovery", "op-1"), {
      ...spacing,
      signal: controller.signal,
      onProgress: () => controller.abort()
    })
    expect(await rejectionTag(waiting)).toBe("WaitAborted")
    expect(readsOf("op-1")).toBe(1)
    // A wait on the same lane goes on for five reads at the same spacing: the aborted one is read no more.
    expect((await status.waitForTerminal(ref("servicediscovery", "op-2"), spacing)).status).toBe("succeeded")
    expect(readsOf("op-2")).toBe(5)
    expect(readsOf("op-1")).toBe(1)
  })

  it("an already aborted signal makes no request at all", async () => {
    const { source, calls } = scriptedSource("servicediscovery", [op("running")])
    const status = open({ sources: [source] })
    expect(await rejectionTag(status.waitForTerminal(ref(), { signal: AbortSignal.abort() }))).toBe(
      "WaitAborted"
    )
    expect(calls).toHaveLength(0)
  })

  it("an abort interrupts a request in flight", async () => {
    const { source } = scriptedSource("servicediscovery", ["hang"])
    const status = open({ sources: [source] })
    const controller = new AbortController()
    const waiting = status.waitForTerminal(ref(), { ...quick, signal: controller.signal })
    setTimeout(() => controller.abort(), 10)
    expect(await rejectionTag(waiting)).toBe("WaitAborted")
  })

  it("waitForAll settles every input in order", async () => {
    const { source } = scriptedSource("servicediscovery", [
      (r) => (r.id === "bad-1" ? sourceError("invalid", "InvalidInput", "bad id") : op("succeeded", {}, r))
    ])
    const status = open({ sources: [source] })
    const outcomes = await status.waitForAll(
      [ref("servicediscovery", "ok-1"), ref("servicediscovery", "bad-1")],
      quick
    )
    expect(outcomes.map((o) => o.ok)).toEqual([true, false])
  })

  it("watch is an AsyncIterable of changes", async () => {
    const { source } = scriptedSource("servicediscovery", [
      op("pending"),
      op("running"),
      op("running"),
      op("succeeded")
    ])
    const status = open({ sources: [source] })
    const seen: string[] = []
    for await (const o of status.watch(ref(), quick)) seen.push(o.status)
    expect(seen).toEqual(["pending", "running", "succeeded"])
  })

  it("watch rejects its iteration with the typed error", async () => {
    const { source } = scriptedSource("servicediscovery", [
      sourceError("denied", "AccessDeniedException", "no")
    ])
    const status = open({ sources: [source] })
    const iterate = async () => {
      for await (const _ of status.watch(ref(), quick)) {
        // drain
      }
    }
    expect(await rejectionTag(iterate())).toBe("AccessDenied")
  })

  it("watch stops on abort", async () => {
    const { source } = scriptedSource("servicediscovery", [op("running")])
    const status = open({ sources: [source] })
    const controller = new AbortController()
    const seen: string[] = []
    const iterate = async () => {
      for await (const o of status.watch(ref(), { ...quick, signal: controller.signal })) {
        seen.push(o.status)
        controller.abort()
      }
    }
    expect(await rejectionTag(iterate())).toBe("WaitAborted")
    expect(seen).toEqual(["running"])
  })
})

describe("createOperationStatus: the fleet", () => {
  it("watchAll is an AsyncIterable of changes ending with a summary", async () => {
    const { source } = scriptedSource("servicediscovery", [
      (r) => op(r.id === "op-2" ? "failed" : "succeeded", {}, r)
    ])
    const status = open({ sources: [source] })
    const tags: string[] = []
    let summary: FleetSummary | undefined
    for await (const event of status.watchAll(
      [ref("servicediscovery", "op-1"), ref("servicediscovery", "op-2")],
      quick
    )) {
      tags.push(event._tag)
      if (event._tag === "Summary") summary = event.summary
    }
    expect(tags).toEqual(["Changed", "Changed", "Summary"])
    expect(summary?.byStatus).toMatchObject({ succeeded: 1, failed: 1 })
  })

  it("resume rejects a state it cannot read with InvalidFleetState, before any request", async () => {
    const { source, calls } = scriptedSource("servicediscovery", [op("succeeded")])
    const status = open({ sources: [source] })
    expect(await rejectionTag(status.resume('{"version":2}'))).toBe("InvalidFleetState")
    expect(calls).toHaveLength(0)
  })

  it.each([
    ["no options", undefined, "options"],
    ["no sources", {}, "sources"],
    ["a bad rate limit", { fleet: { rateLimit: { min: 5, max: 1 } } }, "fleet.rateLimit.min"],
    ["bad defaults", { defaults: { timeout: "soon" } }, "timeout"],
    ["two sources for one service", { twice: true }, "sources[1]"]
  ])("%s is refused when the API is created, with a typed error", (_name, options, setting) => {
    const { source } = scriptedSource("servicediscovery", [op("succeeded")])
    const given =
      options === undefined
        ? undefined
        : "twice" in options
          ? { sources: [source, source] }
          : "fleet" in options || "defaults" in options
            ? { sources: [source], ...options }
            : options
    let thrown: unknown
    try {
      createOperationStatus(given as never)
    } catch (error) {
      thrown = error
    }
    expect(isOpstatusError(thrown)).toBe(true)
    expect((thrown as OpstatusError).kind).toBe("input")
    expect((thrown as OpstatusError).message).toContain(setting)
  })

  it("an aborted fleet wait stops polling, and another wait on the same source goes on", async () => {
    let ended = false
    const { source, calls } = scriptedSource("servicediscovery", [
      (r) => op(r.id === "op-2" && ended ? "succeeded" : "running", {}, r)
    ])
    const status = open({ sources: [source] })
    const controller = new AbortController()
    // Aborted as soon as the first answer is in.
    const aborted = status.waitForAll([ref("servicediscovery", "op-1")], {
      ...quick,
      signal: controller.signal,
      onProgress: () => controller.abort()
    })
    const kept = status.waitForAll([ref("servicediscovery", "op-2")], quick)
    expect(await rejectionTag(aborted)).toBe("WaitAborted")
    const polls = calls.length
    ended = true
    expect((await kept)[0]?.ok).toBe(true)
    expect(calls.length).toBeGreaterThan(polls)
  })
})

describe("warnings", () => {
  it("an unknown status goes to onWarning, not to standard output", async () => {
    const { source } = scriptedSource("servicediscovery", [
      op("unknown", { rawStatus: "QUARANTINED" }),
      op("succeeded")
    ])
    const warnings: string[] = []
    const writes: string[] = []
    const write = process.stdout.write.bind(process.stdout)
    process.stdout.write = ((chunk: string | Uint8Array) => {
      writes.push(String(chunk))
      return true
    }) as typeof process.stdout.write
    try {
      const status = open({ sources: [source], onWarning: (m) => warnings.push(m) })
      expect((await status.waitForTerminal(ref(), { minDelay: 1, maxDelay: 2 })).status).toBe("succeeded")
    } finally {
      process.stdout.write = write
    }
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('"QUARANTINED"')
    expect(warnings[0]).toContain("never counts as success")
    expect(writes.join("")).not.toContain("QUARANTINED")
  })
})

describe("warnings are per API, not per process", () => {
  it("a second API warns about the same unknown status again", async () => {
    const warnings: string[] = []
    for (let i = 0; i < 2; i++) {
      const { source } = scriptedSource("servicediscovery", [
        op("unknown", { rawStatus: "QUARANTINED" }),
        op("succeeded")
      ])
      const status = open({ sources: [source], onWarning: (m) => warnings.push(m) })
      await status.waitForTerminal(ref(), { minDelay: 1, maxDelay: 2 })
    }
    expect(warnings.filter((w) => w.includes("QUARANTINED"))).toHaveLength(2)
  })
})

describe("abort at scale", () => {
  it("300 waits on one signal all reject in the abort event itself, and make no further request", async () => {
    const { source, calls } = scriptedSource("servicediscovery", [op("running")])
    // Each read takes a while to give up: requests are in flight when the signal fires.
    const slow: OperationSource = {
      ...source,
      get: (r) => Effect.tap(source.get(r), () => Effect.uninterruptible(Effect.sleep(200)))
    }
    const status = open({
      sources: [slow],
      fleet: { rateLimit: { start: 10_000, max: 10_000 }, concurrency: 300 }
    })
    const controller = new AbortController()
    const refs = Array.from({ length: 300 }, (_, i) => ref("servicediscovery", `op-${i}`))
    let settled = 0
    const tags: Array<string> = []
    const waits = refs.map((r) =>
      status
        .waitForTerminal(r, { minDelay: 5, maxDelay: 5, timeout: "1 minute", signal: controller.signal })
        .then(
          () => tags.push("resolved"),
          (e: unknown) => tags.push(tagOf(e) ?? "untyped")
        )
        .finally(() => settled++)
    )
    // Every wait has a read in flight.
    while (calls.length < 300) await new Promise((r) => setTimeout(r, 5))
    controller.abort()
    // No timer or I/O turn between the abort and the check: only promise reactions ran.
    for (let i = 0; i < 5; i++) await Promise.resolve()
    expect(settled).toBe(300)
    const atAbort = calls.length
    await Promise.all(waits)
    expect(new Set(tags)).toEqual(new Set(["WaitAborted"]))
    // Closing waits for every lane to stop, the reads in flight included: nothing was asked since.
    await status.close()
    expect(calls.length).toBe(atAbort)
  })
})

describe("close", () => {
  it("ends the waits still going with WaitAborted, stops reading, and refuses later calls", async () => {
    const { source, calls } = scriptedSource("servicediscovery", [op("running")])
    const status = createOperationStatus({ sources: [source] })
    let answered!: () => void
    const firstAnswer = new Promise<void>((resolve) => {
      answered = resolve
    })
    const waiting = rejectionTag(
      status.waitForTerminal(ref(), {
        minDelay: 2,
        maxDelay: 2,
        timeout: "1 minute",
        onProgress: () => answered()
      })
    )
    await firstAnswer
    await status.close()
    expect(await waiting).toBe("WaitAborted")
    const atClose = calls.length
    expect(atClose).toBeGreaterThan(0)
    // Closing waited for every lane to stop: a later turn of the event loop sees no new read.
    await new Promise((r) => setImmediate(r))
    expect(calls.length).toBe(atClose)
    expect(await rejectionTag(status.waitForTerminal(ref()))).toBe("WaitAborted")
    expect(await rejectionTag(status.get(ref()))).toBe("WaitAborted")
    await status.close()
  })

  it("is what await using calls", async () => {
    const { source } = scriptedSource("servicediscovery", [op("running")])
    let outer: OperationStatusApi | undefined
    {
      await using status = createOperationStatus({ sources: [source] })
      outer = status
    }
    expect(await rejectionTag(outer.waitForTerminal(ref()))).toBe("WaitAborted")
  })
})

describe("close leaves nothing behind", () => {
  it("a process that closes its API ends by itself, its waits rejected with WaitAborted", async () => {
    const { spawn } = await import("node:child_process")
    const fixture = new URL("./fixtures/closeThenExit.ts", import.meta.url).pathname
    const child = spawn(process.execPath, ["--import", "tsx", fixture], { stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    child.stdout.on("data", (chunk) => {
      out += String(chunk)
    })
    // Bounded by what the child does: it ends when nothing keeps it alive; the bound only guards a hang.
    const code = await new Promise<number | null>((resolve) => {
      const guard = setTimeout(() => {
        child.kill("SIGKILL")
        resolve(null)
      }, 150_000)
      child.on("exit", (c) => {
        clearTimeout(guard)
        resolve(c)
      })
    })
    expect(code).toBe(0)
    const line = JSON.parse(out.trim().split("\n").at(-1) ?? "{}")
    expect(line.closed).toBe(true)
    expect(line.tags).toEqual(["WaitAborted", "WaitAborted", ["WaitAborted"], ["WaitAborted", "WaitAborted"]])
  })
})
