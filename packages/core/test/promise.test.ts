import { describe, expect, it } from "vitest"
import type { FleetSummary } from "../src/Fleet.js"
import {
  AccessDeniedError,
  InvalidFleetStateError,
  InvalidOperationRefError,
  InvalidWaitOptionsError,
  OperationFailedError,
  WaitAbortedError,
  WaitTimeoutError
} from "../src/OperationError.js"
import { createOperationStatus } from "../src/promise.js"
import { op, ref, scriptedSource, sourceError } from "./helpers.js"

// Real timers with millisecond delays: the facade runs on the live clock.
const quick = { minDelay: 1, maxDelay: 4, timeout: "5 seconds" } as const

describe("createOperationStatus (Promise facade)", () => {
  it("waitForTerminal resolves with the terminal operation and reports progress", async () => {
    const { source } = scriptedSource("servicediscovery", [op("pending"), op("running"), op("succeeded")])
    const status = createOperationStatus({ sources: [source] })
    const seen: string[] = []
    const result = await status.waitForTerminal(ref(), { ...quick, onProgress: (o) => seen.push(o.status) })
    expect(result.status).toBe("succeeded")
    expect(seen).toEqual(["pending", "running", "succeeded"])
  })

  it("accepts the string form of a ref", async () => {
    const { source } = scriptedSource("servicediscovery", [op("succeeded")])
    const status = createOperationStatus({ sources: [source] })
    const got = await status.get("servicediscovery:us-east-1:gv4g5meo7ndmeh4fqskygvk23d2fijwa-k9302yzd")
    expect(got.status).toBe("succeeded")
  })

  it("rejects with the error class itself, not a wrapper", async () => {
    const failed = op("failed", { error: { code: "INTERNAL_FAILURE", message: "broke" } })
    const { source } = scriptedSource("servicediscovery", [failed])
    const status = createOperationStatus({ sources: [source] })
    const error = await status.waitForSuccess(ref(), quick).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(OperationFailedError)
    expect(error).toBeInstanceOf(Error)
    expect((error as OperationFailedError)._tag).toBe("OperationFailedError")
    expect((error as OperationFailedError).code).toBe("INTERNAL_FAILURE")
  })

  it("rejects AccessDenied at once with the service's code", async () => {
    const { source, calls } = scriptedSource("servicediscovery", [
      sourceError("denied", "AccessDeniedException", "nope", 403)
    ])
    const status = createOperationStatus({ sources: [source] })
    const error = await status.waitForTerminal(ref(), quick).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AccessDeniedError)
    expect((error as AccessDeniedError).code).toBe("AccessDeniedException")
    expect(calls).toHaveLength(1)
  })

  it("rejects a bad ref and bad options before any request", async () => {
    const { source, calls } = scriptedSource("servicediscovery", [op("succeeded")])
    const status = createOperationStatus({ sources: [source] })
    await expect(status.waitForTerminal("nope")).rejects.toBeInstanceOf(InvalidOperationRefError)
    await expect(status.waitForTerminal(ref(), { timeout: "eventually" as never })).rejects.toBeInstanceOf(
      InvalidWaitOptionsError
    )
    expect(calls).toHaveLength(0)
  })

  it("times out with WaitTimeoutError carrying the last operation", async () => {
    const { source } = scriptedSource("servicediscovery", [op("running")])
    const status = createOperationStatus({ sources: [source] })
    const error = await status
      .waitForTerminal(ref(), { minDelay: 1, maxDelay: 5, timeout: 60 })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WaitTimeoutError)
    expect((error as WaitTimeoutError).lastSeen?.status).toBe("running")
  })

  it("an abort stops polling at once and makes no further request", async () => {
    const { source, calls } = scriptedSource("servicediscovery", [op("running")])
    const status = createOperationStatus({ sources: [source] })
    const controller = new AbortController()
    const waiting = status.waitForTerminal(ref(), {
      minDelay: 5,
      maxDelay: 5,
      timeout: "1 minute",
      signal: controller.signal
    })
    await new Promise((r) => setTimeout(r, 30))
    controller.abort()
    await expect(waiting).rejects.toBeInstanceOf(WaitAbortedError)
    const count = calls.length
    expect(count).toBeGreaterThan(0)
    await new Promise((r) => setTimeout(r, 40))
    expect(calls.length).toBe(count)
  })

  it("an already aborted signal makes no request at all", async () => {
    const { source, calls } = scriptedSource("servicediscovery", [op("running")])
    const status = createOperationStatus({ sources: [source] })
    await expect(status.waitForTerminal(ref(), { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
      WaitAbortedError
    )
    expect(calls).toHaveLength(0)
  })

  it("an abort interrupts a request in flight", async () => {
    const { source } = scriptedSource("servicediscovery", ["hang"])
    const status = createOperationStatus({ sources: [source] })
    const controller = new AbortController()
    const waiting = status.waitForTerminal(ref(), { ...quick, signal: controller.signal })
    setTimeout(() => controller.abort(), 10)
    await expect(waiting).rejects.toBeInstanceOf(WaitAbortedError)
  })

  it("waitForAll settles every input in order", async () => {
    const { source } = scriptedSource("servicediscovery", [
      (r) => (r.id === "bad-1" ? sourceError("invalid", "InvalidInput", "bad id") : op("succeeded", {}, r))
    ])
    const status = createOperationStatus({ sources: [source] })
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
    const status = createOperationStatus({ sources: [source] })
    const seen: string[] = []
    for await (const o of status.watch(ref(), quick)) seen.push(o.status)
    expect(seen).toEqual(["pending", "running", "succeeded"])
  })

  it("watch rejects its iteration with the typed error", async () => {
    const { source } = scriptedSource("servicediscovery", [
      sourceError("denied", "AccessDeniedException", "no")
    ])
    const status = createOperationStatus({ sources: [source] })
    const iterate = async () => {
      for await (const _ of status.watch(ref(), quick)) {
        // drain
      }
    }
    await expect(iterate()).rejects.toBeInstanceOf(AccessDeniedError)
  })

  it("watch stops on abort", async () => {
    const { source } = scriptedSource("servicediscovery", [op("running")])
    const status = createOperationStatus({ sources: [source] })
    const controller = new AbortController()
    const seen: string[] = []
    const iterate = async () => {
      for await (const o of status.watch(ref(), { ...quick, signal: controller.signal })) {
        seen.push(o.status)
        controller.abort()
      }
    }
    await expect(iterate()).rejects.toBeInstanceOf(WaitAbortedError)
    expect(seen).toEqual(["running"])
  })
})

describe("createOperationStatus: the fleet", () => {
  it("watchAll is an AsyncIterable of changes ending with a summary", async () => {
    const { source } = scriptedSource("servicediscovery", [
      (r) => op(r.id === "op-2" ? "failed" : "succeeded", {}, r)
    ])
    const status = createOperationStatus({ sources: [source] })
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

  it("resume rejects a state it cannot read with InvalidFleetStateError, before any request", async () => {
    const { source, calls } = scriptedSource("servicediscovery", [op("succeeded")])
    const status = createOperationStatus({ sources: [source] })
    await expect(status.resume('{"version":1}')).rejects.toBeInstanceOf(InvalidFleetStateError)
    expect(calls).toHaveLength(0)
  })

  it("a bad fleet rate limit is refused when the API is created", () => {
    const { source } = scriptedSource("servicediscovery", [op("succeeded")])
    expect(() =>
      createOperationStatus({ sources: [source], fleet: { rateLimit: { min: 5, max: 1 } } })
    ).toThrow(TypeError)
  })

  it("an aborted fleet wait stops polling, and another wait on the same source goes on", async () => {
    let ended = false
    const { source, calls } = scriptedSource("servicediscovery", [
      (r) => op(r.id === "op-2" && ended ? "succeeded" : "running", {}, r)
    ])
    const status = createOperationStatus({ sources: [source] })
    const controller = new AbortController()
    const aborted = status.waitForAll([ref("servicediscovery", "op-1")], {
      ...quick,
      signal: controller.signal
    })
    const kept = status.waitForAll([ref("servicediscovery", "op-2")], quick)
    await new Promise((r) => setTimeout(r, 30))
    controller.abort()
    await expect(aborted).rejects.toBeInstanceOf(WaitAbortedError)
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
      const status = createOperationStatus({ sources: [source], onWarning: (m) => warnings.push(m) })
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
