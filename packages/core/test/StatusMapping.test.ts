import { describe, expect, it } from "vitest"
import { makeStatusMapper, renderStatusTable } from "../src/StatusMapping.js"

describe("makeStatusMapper", () => {
  const map = makeStatusMapper({ A: "pending", B: "succeeded", C: "failed" })
  it("maps known values and derives terminality", () => {
    expect(map("A")).toEqual({ status: "pending", terminal: false, known: true })
    expect(map("B")).toEqual({ status: "succeeded", terminal: true, known: true })
  })
  it.each([["Z"], ["b"], [undefined], ["__proto__"], ["toString"]])(
    "maps %s to unknown, never terminal",
    (raw) => {
      expect(map(raw)).toEqual({ status: "unknown", terminal: false, known: false })
    }
  )
  it("renders the table with the catch-all row", () => {
    expect(renderStatusTable({ A: "pending", B: "succeeded" })).toBe(
      "| raw status | unified status | terminal |\n|---|---|---|\n| `A` | `pending` | no |\n| `B` | `succeeded` | yes |\n| any other value | `unknown` | no |"
    )
  })
})
