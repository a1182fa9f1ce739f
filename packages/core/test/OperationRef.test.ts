import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { InvalidOperationRefError } from "../src/OperationError.js"
import { formatRef, parseRef, toRef } from "../src/OperationRef.js"

const parse = (s: string) => Effect.runPromise(Effect.result(parseRef(s)))

describe("OperationRef", () => {
  it("parses and formats service:region:id", async () => {
    const r = await parse("servicediscovery:us-east-1:gv4g5meo7ndmeh4fqskygvk23d2fijwa-k9302yzd")
    expect(r._tag).toBe("Success")
    if (r._tag !== "Success") return
    expect(r.success).toEqual({
      service: "servicediscovery",
      region: "us-east-1",
      id: "gv4g5meo7ndmeh4fqskygvk23d2fijwa-k9302yzd"
    })
    expect(formatRef(r.success)).toBe("servicediscovery:us-east-1:gv4g5meo7ndmeh4fqskygvk23d2fijwa-k9302yzd")
  })

  it("accepts SSM for SAP UUIDs with braces and Lightsail UUIDs", async () => {
    expect((await parse("ssm-sap:eu-west-1:{0c5b2ee3-4a1d-4c5e-9a8c-1d2e3f4a5b6c}"))._tag).toBe("Success")
    expect((await parse("lightsail:us-gov-west-1:0c5b2ee3-4a1d-4c5e-9a8c-1d2e3f4a5b6c"))._tag).toBe("Success")
  })

  it.each([
    ["lightsail-us-east-1", "expected the form service:region:id"],
    ["ec2:us-east-1:abc", 'unknown service "ec2"'],
    ["lightsail::abc", "the region is empty"],
    ["lightsail:mars-1:abc", "is not an AWS region code"],
    ["lightsail:us-east-1:", "the operation ID is empty"],
    [`servicediscovery:us-east-1:${"a".repeat(256)}`, "at most 255 are allowed"],
    ["ssm-sap:us-east-1:not-a-uuid", "must be a UUID"],
    ["lightsail:us-east-1:abc def", "letters, digits and dashes"],
    [`lightsail:us-east-1:${"x".repeat(600)}`, "longer than 512 characters"]
  ])("rejects %s naming the problem", async (input, problem) => {
    const r = await parse(input)
    expect(r._tag).toBe("Failure")
    if (r._tag !== "Failure") return
    expect(r.failure).toBeInstanceOf(InvalidOperationRefError)
    expect(r.failure._tag).toBe("InvalidOperationRefError")
    expect(r.failure.message).toContain(problem)
  })

  it("validates object refs the same way", async () => {
    const r = await Effect.runPromise(
      Effect.result(toRef({ service: "lightsail", region: "us-east-1", id: "" } as const))
    )
    expect(r._tag === "Failure" && r.failure.reason).toBe("the operation ID is empty")
  })
})
