import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { formatRef } from "../src/OperationRef.js"
import { isOpstatusError } from "../src/OpstatusError.js"
import { checkRef, parseRef, toRef, validateRef } from "../src/Refs.js"
import { makeRegistry } from "../src/SourceRegistry.js"
import { infoOf, scriptedSource } from "./helpers.js"

const parse = (s: unknown) => Effect.runPromise(Effect.result(parseRef(s)))

const registry = () => {
  const result = makeRegistry(
    (["lightsail", "servicediscovery", "ssm-sap"] as const).map((s) => scriptedSource(s, []).source)
  )
  if (result._tag !== "Success") throw new Error("the test sources declare themselves")
  return result.success
}

describe("parseRef", () => {
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

  it("parses any service name: the registered sources decide what is served", async () => {
    const r = await parse("made-up:eu-west-1:abc")
    expect(r._tag === "Success" && r.success.service).toBe("made-up")
  })

  it.each([
    ["lightsail-us-east-1", "expected the form service:region:id"],
    ["EC2:us-east-1:abc", "is not a service name"],
    ["lightsail::abc", "the region is empty"],
    ["lightsail:US East:abc", "is not a region code"],
    ["lightsail:us-east-1:", "the operation ID is empty"],
    [`lightsail:us-east-1:${"x".repeat(600)}`, "longer than 512 characters"]
  ])("rejects %s naming the problem", async (input, problem) => {
    const r = await parse(input)
    expect(r._tag).toBe("Failure")
    if (r._tag !== "Failure") return
    expect(isOpstatusError(r.failure) && r.failure.reason._tag).toBe("InvalidRef")
    expect(r.failure.message).toContain(problem)
  })

  it.each([[null], [42], [Object.create(null)], [{ toString: () => "x:y:z" }], [Symbol("s")]])(
    "never throws on %s",
    async (input) => {
      const r = await parse(input)
      expect(r._tag === "Failure" && r.failure.reason._tag).toBe("InvalidRef")
      const o = await Effect.runPromise(Effect.result(toRef(input)))
      expect(o._tag === "Failure" && o.failure.reason._tag).toBe("InvalidRef")
    }
  )

  it("validates object refs the same way, and keeps only the ref's own fields", async () => {
    const r = await Effect.runPromise(
      Effect.result(validateRef({ service: "lightsail", region: "us-east-1", id: "" }))
    )
    expect(r._tag === "Failure" && r.failure.reason._tag === "InvalidRef" && r.failure.reason.problem).toBe(
      "the operation ID is empty"
    )
    const ok = await Effect.runPromise(
      validateRef({
        service: "lightsail",
        region: "us-east-1",
        id: "a",
        hints: { resourceName: "web" },
        extra: 1
      })
    )
    expect(ok).toEqual({ service: "lightsail", region: "us-east-1", id: "a", hints: { resourceName: "web" } })
    const bad = await Effect.runPromise(
      Effect.result(validateRef({ service: "lightsail", region: "us-east-1", id: "a", hints: { n: 1 } }))
    )
    expect(bad._tag === "Failure" && bad.failure.message).toContain('hint "n" must be a string')
  })
})

describe("checkRef and the registry", () => {
  it.each([
    [
      "ec2:us-east-1:abc",
      'no source is registered for "ec2" (registered: lightsail, servicediscovery, ssm-sap)'
    ],
    ["lightsail:mars-1:abc", "is not an AWS region code"],
    [`servicediscovery:us-east-1:${"a".repeat(256)}`, "at most 255 are allowed"],
    ["ssm-sap:us-east-1:not-a-uuid", "must be a UUID"],
    ["lightsail:us-east-1:abc def", "letters, digits and dashes"]
  ])("rejects %s naming the problem", async (input, problem) => {
    const r = await Effect.runPromise(Effect.result(registry().resolve(input)))
    expect(r._tag === "Failure" && r.failure.reason._tag).toBe("InvalidRef")
    expect(r._tag === "Failure" && r.failure.message).toContain(problem)
  })

  it("accepts what a source declares: UUIDs in braces, GovCloud regions", async () => {
    const reg = registry()
    for (const input of [
      "ssm-sap:eu-west-1:{0c5b2ee3-4a1d-4c5e-9a8c-1d2e3f4a5b6c}",
      "lightsail:us-gov-west-1:0c5b2ee3-4a1d-4c5e-9a8c-1d2e3f4a5b6c"
    ]) {
      const r = await Effect.runPromise(Effect.result(reg.resolve(input)))
      expect(r._tag).toBe("Success")
    }
  })

  it("applies a source's own region rule", async () => {
    const info = { ...infoOf("lightsail"), regionRule: { pattern: /^global$/, description: '"global"' } }
    const ok = await Effect.runPromise(
      Effect.result(checkRef({ service: "lightsail", region: "global", id: "a" }, info))
    )
    expect(ok._tag).toBe("Success")
    const bad = await Effect.runPromise(
      Effect.result(checkRef({ service: "lightsail", region: "us-east-1", id: "a" }, info))
    )
    expect(bad._tag === "Failure" && bad.failure.message).toContain('"us-east-1" is not "global"')
  })
})

describe("makeRegistry", () => {
  it.each([
    ["not an array", {}, "give an array of sources"],
    ["empty", [], "at least one source"],
    ["a source without info", [{ get: () => 1 }], "declares no info"],
    ["a bad slug", [{ info: { ...infoOf("lightsail"), service: "Light Sail" } }], "is not a service name"],
    ["bad defaults", [{ info: { ...infoOf("lightsail"), defaults: { timeout: "soon" } } }], "info.defaults"],
    [
      "a status outside the model",
      [{ info: { ...infoOf("lightsail"), statusTable: { OK: "fine" } } }],
      "statusTable"
    ]
  ])("refuses %s with InvalidConfig", (_name, sources, text) => {
    const r = makeRegistry(sources)
    expect(r._tag === "Failure" && r.failure.reason._tag).toBe("InvalidConfig")
    expect(r._tag === "Failure" && r.failure.message).toContain(text)
  })

  it("refuses two sources for one service", () => {
    const a = scriptedSource("lightsail", []).source
    const b = scriptedSource("lightsail", []).source
    const r = makeRegistry([a, b])
    expect(r._tag === "Failure" && r.failure.message).toContain("sources[1]: a second source for lightsail")
  })
})
