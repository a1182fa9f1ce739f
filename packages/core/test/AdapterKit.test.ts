import { describe, expect, it } from "vitest"
import { dateField, toDate } from "../src/AdapterKit.js"

describe("toDate", () => {
  it.each([
    [new Date("2026-01-01T00:00:00Z"), "2026-01-01T00:00:00.000Z"],
    [1_767_225_600, "2026-01-01T00:00:00.000Z"],
    [1_767_225_600.25, "2026-01-01T00:00:00.250Z"],
    ["1767225600", "2026-01-01T00:00:00.000Z"],
    ["2026-01-01T00:00:00Z", "2026-01-01T00:00:00.000Z"],
    ["2026-01-01T01:00:00+01:00", "2026-01-01T00:00:00.000Z"]
  ])("reads %j", (input, iso) => {
    expect(toDate(input)?.toISOString()).toBe(iso)
  })

  it.each([[undefined], [null], [""], ["soon"], [Number.NaN], [{}], [new Date("nope")]])(
    "ignores %j",
    (input) => {
      expect(toDate(input)).toBeUndefined()
    }
  )

  it("dateField omits the key when there is no date", () => {
    expect(dateField("createdAt", undefined)).toEqual({})
    expect(dateField("createdAt", 0)).toEqual({ createdAt: new Date(0) })
  })
})
