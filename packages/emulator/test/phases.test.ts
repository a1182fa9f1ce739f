/** The cancel and rollback phases of a lifecycle: pure functions over a timeline. */
import { describe, expect, it } from "vitest"
import {
  cancelOperation,
  isTerminalPhase,
  phaseAt,
  planRollback,
  rollBackOperation,
  type SimOperation,
  terminalEntry
} from "../src/Lifecycle.js"

const operation = (fails: boolean): SimOperation => ({
  service: "ecs",
  id: "op-1",
  account: "123456789012",
  region: "us-east-1",
  type: "ServiceDeployment",
  createdAt: 0,
  visibleAt: 0,
  timeline: [
    { phase: "queued", at: 0 },
    { phase: "running", at: 1_000 },
    { phase: fails ? "failed" : "succeeded", at: 10_000 }
  ],
  failure: { code: "Failed", message: "it failed" },
  detail: { kind: "ecs", fields: {} }
})

describe("cancelOperation", () => {
  it("turns a running operation into cancelling, then cancelled stopMs later; the planned end is dropped", () => {
    const op = operation(false)
    expect(cancelOperation(op, 4_000, 2_000)).toBe(true)
    expect(phaseAt(op, 4_000).phase).toBe("cancelling")
    expect(phaseAt(op, 5_999).phase).toBe("cancelling")
    expect(phaseAt(op, 6_000).phase).toBe("cancelled")
    expect(phaseAt(op, 60_000).phase).toBe("cancelled")
    expect(terminalEntry(op)).toEqual({ phase: "cancelled", at: 6_000 })
  })

  it("refuses an operation that has ended or is being cancelled, and changes nothing", () => {
    const ended = operation(false)
    expect(cancelOperation(ended, 20_000, 1_000)).toBe(false)
    expect(phaseAt(ended, 30_000).phase).toBe("succeeded")
    const twice = operation(false)
    expect(cancelOperation(twice, 2_000, 5_000)).toBe(true)
    const before = [...twice.timeline]
    expect(cancelOperation(twice, 3_000, 1_000)).toBe(false)
    expect(twice.timeline).toEqual(before)
  })

  it("cancels a queued operation too", () => {
    const op = operation(false)
    expect(cancelOperation(op, 500, 0)).toBe(true)
    expect(phaseAt(op, 500).phase).toBe("cancelled")
  })
})

describe("rollbacks", () => {
  it("planRollback turns a planned failure into rollingBack, then rolledBack or rollbackFailed", () => {
    const op = operation(true)
    planRollback(op, 3_000)
    expect(phaseAt(op, 9_999).phase).toBe("running")
    expect(phaseAt(op, 10_000).phase).toBe("rollingBack")
    expect(phaseAt(op, 13_000).phase).toBe("rolledBack")
    const bad = operation(true)
    planRollback(bad, 3_000, true)
    expect(phaseAt(bad, 13_000).phase).toBe("rollbackFailed")
  })

  it("planRollback leaves an operation that succeeds alone", () => {
    const op = operation(false)
    planRollback(op, 3_000)
    expect(op.timeline.map((e) => e.phase)).toEqual(["queued", "running", "succeeded"])
  })

  it("rollBackOperation starts a rollback now, refused once the operation ended", () => {
    const op = operation(false)
    expect(rollBackOperation(op, 2_000, 4_000)).toBe(true)
    expect(phaseAt(op, 2_000).phase).toBe("rollingBack")
    expect(phaseAt(op, 6_000).phase).toBe("rolledBack")
    expect(rollBackOperation(operation(false), 10_000, 1_000)).toBe(false)
  })

  it("the terminal phases", () => {
    const terminal = ["succeeded", "failed", "cancelled", "rolledBack", "rollbackFailed"] as const
    const going = ["queued", "running", "cancelling", "rollingBack"] as const
    for (const phase of terminal) expect(isTerminalPhase(phase)).toBe(true)
    for (const phase of going) expect(isTerminalPhase(phase)).toBe(false)
  })
})
