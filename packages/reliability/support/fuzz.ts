/**
 * What the fuzz suite shares: its scale (the default run of `pnpm test`, or
 * `RELIABILITY_SCALE=large` for `pnpm reliability:fuzz`), a property runner
 * with a fixed seed per property that prints a figures line at large scale,
 * the check that nothing polluted a built-in prototype, the checks that a
 * failure is typed, and the arbitraries of hostile input: odd strings,
 * dangerous keys, null-prototype objects, throwing getters, proxies that
 * throw on every trap, revoked proxies, cycles and deep nesting.
 */
import { isOpstatusError, isOpstatusErrorReason, type OpstatusError } from "@opstatus/core"
import * as Cause from "effect/Cause"
import * as Exit from "effect/Exit"
import fc from "fast-check"

// ---------------------------------------------------------------------------
// Scale and the runner

/** True for `pnpm reliability:fuzz`. */
export const large = process.env.RELIABILITY_SCALE === "large"

/** Runs of a pure property (no I/O). */
export const pureRuns = large ? 10_000 : 200

/** Runs of a property that goes through the engine in-process (fake clients, no network). */
export const engineRuns = large ? 5_000 : 100

/** Runs of a property that goes over loopback HTTP through the real clients. */
export const wireRuns = large ? 400 : 25

/** A vitest timeout that fits the scale. */
export const testTimeout = (defaultMillis: number, largeMillis: number): number =>
  large ? largeMillis : defaultMillis

/** One seed for the suite; `FUZZ_SEED` changes it (to explore), the default keeps every run the same. */
const baseSeed = Number.parseInt(process.env.FUZZ_SEED ?? "", 10) || 0x5eed_0c12

/** A seed of a property's own, from its name: properties do not share their random streams. */
const seedOf = (name: string): number => {
  let h = baseSeed | 0
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193)
  return h | 0
}

/** Counts of what the runs of a property ended with (`InvalidRef`, `succeeded`, ...), for its figures line. */
export class Tally {
  private readonly counts = new Map<string, number>()
  add(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1)
  }
  toString(): string {
    return [...this.counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([key, n]) => `${key}=${n}`)
      .join(" ")
  }
}

/** The figures of every property run in this process. */
export const figures: Array<{ property: string; runs: number; failures: number; millis: number }> = []

const report = (name: string, details: fc.RunDetails<unknown>, started: number, tally?: Tally) => {
  const millis = Math.round(performance.now() - started)
  const failures = details.failed ? 1 : 0
  figures.push({ property: name, runs: details.numRuns, failures, millis })
  if (large) {
    const outcomes = tally === undefined ? "" : ` outcomes: ${tally}`
    console.log(
      `fuzz figures | ${name} | runs ${details.numRuns} | failures ${failures} | ${millis} ms | seed ${details.seed}${outcomes}`
    )
  }
}

/** fast-check's report, and what the property threw. */
const failureReport = (name: string, details: fc.RunDetails<unknown>): string =>
  `${name}: ${fc.defaultReportMessage(details) ?? "failed"}\nIt threw: ${safeText(details.errorInstance)}`

/** Checks a synchronous property with the suite's seed and scale; throws fast-check's report when it fails. */
export const holds = <Ts>(
  name: string,
  property: fc.IPropertyWithHooks<Ts>,
  numRuns: number,
  tally?: Tally
): void => {
  const started = performance.now()
  const details = fc.check(property, { numRuns, seed: seedOf(name) })
  report(name, details as fc.RunDetails<unknown>, started, tally)
  if (details.failed) throw new Error(failureReport(name, details as fc.RunDetails<unknown>))
}

/** Checks an asynchronous property with the suite's seed and scale. */
export const holdsAsync = async <Ts>(
  name: string,
  property: fc.IAsyncPropertyWithHooks<Ts>,
  numRuns: number,
  tally?: Tally
): Promise<void> => {
  const started = performance.now()
  const details = await fc.check(property, { numRuns, seed: seedOf(name) })
  report(name, details as fc.RunDetails<unknown>, started, tally)
  if (details.failed) throw new Error(failureReport(name, details as fc.RunDetails<unknown>))
}

// ---------------------------------------------------------------------------
// Prototype pollution

const watched: ReadonlyArray<[string, object]> = [
  ["Object.prototype", Object.prototype],
  ["Array.prototype", Array.prototype],
  ["Function.prototype", Function.prototype],
  ["String.prototype", String.prototype],
  ["Number.prototype", Number.prototype],
  ["Boolean.prototype", Boolean.prototype],
  ["Error.prototype", Error.prototype],
  ["Promise.prototype", Promise.prototype],
  ["Date.prototype", Date.prototype],
  ["RegExp.prototype", RegExp.prototype],
  ["Map.prototype", Map.prototype],
  ["Set.prototype", Set.prototype]
]

const shapeOf = (o: object): Map<PropertyKey, unknown> => {
  const shape = new Map<PropertyKey, unknown>()
  for (const key of Reflect.ownKeys(o)) {
    const d = Reflect.getOwnPropertyDescriptor(o, key)!
    shape.set(key, "value" in d ? d.value : [d.get, d.set])
  }
  return shape
}

const baseline = watched.map(([name, o]) => [name, o, shapeOf(o), Object.getPrototypeOf(o)] as const)

/** Throws when a built-in prototype gained, lost or changed a property, or `({}).polluted` is set. */
export const expectNoPollution = (): void => {
  const probe = {} as Record<string, unknown>
  if (probe.polluted !== undefined || ([] as unknown as Record<string, unknown>).polluted !== undefined) {
    throw new Error("prototype pollution: ({}).polluted is set")
  }
  for (const [name, o, shape, proto] of baseline) {
    if (Object.getPrototypeOf(o) !== proto)
      throw new Error(`prototype pollution: ${name}'s prototype changed`)
    const now = shapeOf(o)
    for (const [key, value] of now) {
      if (!shape.has(key)) throw new Error(`prototype pollution: ${name} gained ${String(key)}`)
      const before = shape.get(key)
      const same = Array.isArray(value)
        ? Array.isArray(before) && before[0] === value[0] && before[1] === value[1]
        : Object.is(before, value)
      if (!same) throw new Error(`prototype pollution: ${name}.${String(key)} changed`)
    }
    if (now.size !== shape.size) throw new Error(`prototype pollution: ${name} lost a property`)
  }
}

// ---------------------------------------------------------------------------
// Typed failures

/** The reason tag of an `OpstatusError`, or throws saying what was thrown instead. */
export const typedTag = (error: unknown): OpstatusError["reason"]["_tag"] => {
  if (!isOpstatusError(error) || !isOpstatusErrorReason(error.reason)) {
    throw new Error(`an untyped throw escaped: ${safeText(error)}`)
  }
  // Every typed error can be shown and serialized.
  if (typeof error.message !== "string" || typeof String(error) !== "string") {
    throw new Error("an OpstatusError without a message")
  }
  try {
    JSON.stringify(error)
  } catch (cause) {
    // The one exception: a failed or timed-out wait carries the operation's `raw`, the service's own
    // object as it came, which may be nested deeper than JSON.stringify goes, or cyclic.
    if (error.operation === undefined)
      throw new Error(`an OpstatusError that JSON.stringify refuses: ${safeText(cause)}`)
  }
  return error.reason._tag
}

/** What a synchronous call gives: its value, or the tag of the typed error it threw (anything else fails). */
export const settle = <A>(
  f: () => A
): { readonly ok: true; readonly value: A } | { readonly ok: false; readonly tag: string } => {
  try {
    return { ok: true, value: f() }
  } catch (error) {
    return { ok: false, tag: typedTag(error) }
  }
}

/** The same for a promise. */
export const settleAsync = async <A>(
  f: () => PromiseLike<A>
): Promise<
  | { readonly ok: true; readonly value: A }
  | { readonly ok: false; readonly tag: string; readonly error: OpstatusError }
> => {
  try {
    return { ok: true, value: await f() }
  } catch (error) {
    return { ok: false, tag: typedTag(error), error: error as OpstatusError }
  }
}

/** An Effect's exit: its value, or the tag of its typed failure; a defect (an untyped throw) fails. */
export const settleExit = <A>(
  exit: Exit.Exit<A, unknown>
): { readonly ok: true; readonly value: A } | { readonly ok: false; readonly tag: string } => {
  if (Exit.isSuccess(exit)) return { ok: true, value: exit.value }
  const failures = exit.cause.reasons.filter(Cause.isFailReason)
  if (failures.length !== exit.cause.reasons.length || failures.length === 0) {
    throw new Error(`the effect died or was interrupted: ${safeText(Cause.squash(exit.cause))}`)
  }
  return { ok: false, tag: typedTag(failures[0]!.error) }
}

/** A value as text for a failure message; never throws. */
export const safeText = (u: unknown): string => {
  try {
    if (u instanceof Error) {
      const stack = (u.stack ?? "").split("\n").slice(1, 7).join("\n")
      return `${u.name}: ${u.message}\n${stack}`
    }
    return String(u)
  } catch {
    return `[a ${typeof u} that cannot be shown]`
  }
}

/** A property read as the code under test reads it: a getter that throws, or a proxy that does, reads as absent. */
export const peek = (u: unknown, key: string): unknown => {
  if (typeof u !== "object" || u === null) return undefined
  try {
    return (u as Record<string, unknown>)[key]
  } catch {
    return undefined
  }
}

// ---------------------------------------------------------------------------
// Hostile input

/** Keys that pollute prototypes or shadow what code reads of an object. */
export const dangerousKeys = [
  "__proto__",
  "constructor",
  "prototype",
  "polluted",
  "toString",
  "valueOf",
  "hasOwnProperty",
  "toJSON",
  "then",
  "__defineGetter__",
  "isPrototypeOf"
] as const

/** A payload that pollutes `Object.prototype` if it is ever merged unsafely. */
const pollutingPayload =
  '{"polluted":"yes","toString":"polluted","constructor":{"prototype":{"polluted":"yes"}}}'

/**
 * A value made only when a property runs: fast-check looks into what it
 * generates (to clone it, to print it), and a proxy that throws would break
 * fast-check rather than the code under test. `materialize` makes them.
 */
export class Lazy {
  constructor(
    readonly label: string,
    readonly make: () => unknown
  ) {}
  [fc.toStringMethod](): string {
    return `<${this.label}>`
  }
}

const lazy = (label: string, make: () => unknown) => new Lazy(label, make)

/** Strings of a mebibyte or so: they must be refused or carried, never choke anything. */
const hugeStrings = [
  "x".repeat(1 << 20),
  "\u{1F600}".repeat(1 << 18),
  "a:".repeat(1 << 16),
  `lightsail:us-east-1:${"a".repeat(1 << 16)}`
]

/** Text that looks like a status or a key but is not quite one, and odd unicode. */
const oddConstants = [
  ...dangerousKeys,
  "",
  " ",
  "\u0000",
  "\uD800",
  "\uDFFF\uD800",
  "\uFEFF",
  "\u202E",
  "\u200B",
  "SUCCESS\u200B",
  "\uFF33\uFF35\uFF23\uFF23\uFF25\uFF33\uFF33",
  "succeeded",
  "Success",
  "SUCCESS ",
  " SUCCESS",
  "Succeeded\n",
  "SUCCEEDED",
  "success",
  "COMPLETED",
  "Completed ",
  "\u0130",
  "\u00DF",
  "\u{1D412}\u{1D414}\u{1D402}\u{1D402}\u{1D404}\u{1D412}\u{1D412}",
  "null",
  "undefined",
  "NaN",
  "1e309",
  "{}",
  "[]",
  `{"__proto__":${pollutingPayload}}`,
  "service:region:id",
  "::",
  ":::",
  "lightsail::",
  "%00",
  "../../etc/passwd",
  "<script>",
  "$" + "{7*7}"
]

/** Odd strings: any code units (lone surrogates too), graphemes, near-misses of statuses, huge strings. */
export const oddString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...oddConstants) },
  { weight: 2, arbitrary: fc.string({ unit: "binary" }) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme" }) },
  { weight: 2, arbitrary: fc.string() },
  { weight: 1, arbitrary: fc.constantFrom(...hugeStrings.map((h, i) => lazy(`huge string ${i}`, () => h))) }
) as fc.Arbitrary<string>

const thrower = (what: string) => (): never => {
  throw new Error(`hostile ${what}`)
}

/** A proxy whose every trap throws. */
const throwingHandler: ProxyHandler<object> = {
  get: thrower("get"),
  set: thrower("set"),
  has: thrower("has"),
  ownKeys: thrower("ownKeys"),
  getOwnPropertyDescriptor: thrower("getOwnPropertyDescriptor"),
  getPrototypeOf: thrower("getPrototypeOf"),
  defineProperty: thrower("defineProperty"),
  deleteProperty: thrower("deleteProperty"),
  isExtensible: thrower("isExtensible"),
  preventExtensions: thrower("preventExtensions"),
  setPrototypeOf: thrower("setPrototypeOf"),
  apply: thrower("apply"),
  construct: thrower("construct")
}

const revoked = (target: object): object => {
  const { proxy, revoke } = Proxy.revocable(target, {})
  revoke()
  return proxy
}

/** An object that cannot be turned into text: toString, valueOf, toPrimitive and its tag all throw. */
const unprintable = (): object =>
  Object.defineProperties(
    {},
    {
      toString: { value: thrower("toString") },
      valueOf: { value: thrower("valueOf") },
      toJSON: { value: thrower("toJSON") },
      [Symbol.toPrimitive]: { value: thrower("toPrimitive") },
      [Symbol.toStringTag]: { get: thrower("toStringTag") }
    }
  )

const cyclic = (): object => {
  const o: Record<string, unknown> = { name: "cycle" }
  o.self = o
  o.list = [o]
  return o
}

const deepArray = (depth: number): unknown => {
  let v: unknown = []
  for (let i = 0; i < depth; i++) v = [v]
  return v
}

const deepObject = (depth: number): unknown => {
  let v: unknown = {}
  for (let i = 0; i < depth; i++) v = { a: v }
  return v
}

/** Named so: a thenable is hostile input here, on purpose. */
const thenKey: string = ["th", "en"].join("")

/** Hostile values that are not data, made fresh each time. */
const hostileConstants: ReadonlyArray<Lazy> = [
  lazy("proxy throwing on every trap", () => new Proxy({}, throwingHandler)),
  lazy("array proxy throwing on every trap", () => new Proxy([], throwingHandler)),
  lazy("function proxy throwing on every trap", () => new Proxy(() => undefined, throwingHandler)),
  lazy("revoked proxy", () => revoked({})),
  lazy("revoked array proxy", () => revoked([])),
  lazy("unprintable object", unprintable),
  lazy("Object.create(null)", () => Object.create(null)),
  lazy("null-prototype success-looking object", () =>
    Object.assign(Object.create(null), { status: "SUCCESS", Status: "SUCCESS", name: "ThrottlingException" })
  ),
  lazy("cyclic object", cyclic),
  lazy("array nested 20,000 deep", () => deepArray(20_000)),
  lazy("object nested 20,000 deep", () => deepObject(20_000)),
  lazy("JSON with __proto__", () => JSON.parse(`{"__proto__":${pollutingPayload}}`)),
  lazy("JSON with constructor.prototype", () =>
    JSON.parse(`{"constructor":{"prototype":${pollutingPayload}}}`)
  ),
  // Thenables: a response or an error that is one must not be awaited into something else.
  lazy("thenable that throws", () => Object.defineProperty({}, thenKey, { value: thrower("then") })),
  lazy("thenable of a success", () =>
    Object.defineProperty({}, thenKey, {
      value: (resolve: (u: unknown) => void) => resolve({ Status: "SUCCESS" })
    })
  ),
  lazy("throwing then getter", () => Object.defineProperty({}, thenKey, { get: thrower("then getter") })),
  lazy("symbol", () => Symbol("hostile")),
  lazy("bigint", () => 10n ** 30n),
  lazy("NaN", () => Number.NaN),
  lazy("-0", () => -0),
  lazy("Infinity", () => Number.POSITIVE_INFINITY),
  lazy("invalid date", () => new Date(Number.NaN)),
  lazy("boxed string", () => new String("SUCCESS")),
  lazy("boxed number", () => new Number(200)),
  lazy("array of a success", () => ["SUCCESS"]),
  lazy("map", () => new Map([["Status", "SUCCESS"]])),
  lazy("set", () => new Set(["SUCCESS"])),
  lazy("bytes", () => new Uint8Array([0xff, 0xfe])),
  lazy("regexp", () => /SUCCESS/),
  lazy("function", () => () => "SUCCESS"),
  lazy("error", () => new Error("an error as data")),
  lazy("frozen object", () => Object.freeze({ status: "Succeeded" })),
  lazy("non-extensible object", () => Object.preventExtensions({ Status: "SUCCESS" }))
]

/**
 * A generated value with its lazy parts made: plain objects and arrays are
 * copied (their prototype, `__proto__` keys and holes kept), `Lazy` values
 * made; anything else is passed as it is.
 */
export const materialize = (u: unknown): unknown => {
  if (u instanceof Lazy) return u.make()
  if (typeof u !== "object" || u === null) return u
  const proto = Object.getPrototypeOf(u)
  if (!Array.isArray(u) && proto !== Object.prototype && proto !== null) return u
  const copy: object = Array.isArray(u) ? new Array(u.length) : Object.create(proto)
  for (const key of Reflect.ownKeys(u)) {
    if (Array.isArray(u) && key === "length") continue
    const d = Reflect.getOwnPropertyDescriptor(u, key)!
    Object.defineProperty(copy, key, "value" in d ? { ...d, value: materialize(d.value) } : d)
  }
  return copy
}

/** Keys of random objects: dangerous ones, field names of the services, anything. */
export const keyOf = (fields: ReadonlyArray<string> = []): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...dangerousKeys) },
    { weight: fields.length === 0 ? 0 : 2, arbitrary: fc.constantFrom("", ...fields) },
    { weight: 2, arbitrary: fc.string() },
    { weight: 1, arbitrary: fc.string({ unit: "binary" }) }
  )

/** Any data fast-check makes: null-prototype objects, boxed values, maps, sparse arrays, dangerous keys. */
export const anyData: fc.Arbitrary<unknown> = fc.anything({
  key: keyOf(),
  maxDepth: 3,
  withNullPrototype: true,
  withBoxedValues: true,
  withMap: true,
  withSet: true,
  withBigInt: true,
  withDate: true,
  withTypedArray: true,
  withSparseArray: true,
  withObjectString: true,
  stringUnit: "binary"
})

/** Anything at all: data, odd strings, and values that throw when looked at. */
export const hostile: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: anyData },
  { weight: 2, arbitrary: oddString },
  { weight: 2, arbitrary: fc.constantFrom(...hostileConstants) }
)

/** A field's value: mostly a value of the right kind, sometimes `null`, sometimes anything. */
export const field = <A>(good: fc.Arbitrary<A>): fc.Arbitrary<A | null | unknown> =>
  fc.oneof(
    { weight: 6, arbitrary: good },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 2, arbitrary: hostile }
  )

/** How a generated record is handed over. */
export type Wrapping =
  | "plain"
  | "null-prototype"
  | "dangerous-keys"
  | "json-proto"
  | "getter"
  | "throwing-getter"
  | "throwing-proxy"
  | "revoked-proxy"
  | "frozen"
  | "array"

const wrappings: ReadonlyArray<Wrapping> = [
  "plain",
  "plain",
  "plain",
  "null-prototype",
  "dangerous-keys",
  "json-proto",
  "getter",
  "throwing-getter",
  "throwing-proxy",
  "revoked-proxy",
  "frozen",
  "array"
]

const withDangerousKeys = (o: object): object => {
  const copy: object = { ...o }
  for (const key of ["__proto__", "constructor", "prototype"]) {
    Object.defineProperty(copy, key, {
      value: JSON.parse(pollutingPayload),
      enumerable: true,
      configurable: true,
      writable: true
    })
  }
  return copy
}

const withJsonProto = (o: object): object => {
  let body: string | undefined
  try {
    body = JSON.stringify(o)
  } catch {
    body = undefined
  }
  if (body === undefined || !body.startsWith("{")) return withDangerousKeys(o)
  const rest = body === "{}" ? "}" : `,${body.slice(1)}`
  return JSON.parse(`{"__proto__":${pollutingPayload}${rest}`) as object
}

/** Every own key made an accessor: the same values, read through getters (a throwing one at `at`). */
const withGetters = (o: Record<string, unknown>, throwingAt: number | undefined): object => {
  const copy: object = {}
  const keys = Object.keys(o)
  keys.forEach((key, i) => {
    const value = o[key]
    Object.defineProperty(copy, key, {
      get:
        throwingAt !== undefined && i === throwingAt % keys.length ? thrower(`getter ${key}`) : () => value,
      enumerable: true,
      configurable: true
    })
  })
  return copy
}

/** Hands a record over one of many ways: as it is, without a prototype, with dangerous keys, behind getters or proxies. */
export const wrap = (o: Record<string, unknown>, how: Wrapping, at: number): unknown => {
  switch (how) {
    case "plain":
      return o
    case "null-prototype":
      return Object.assign(Object.create(null), o)
    case "dangerous-keys":
      return withDangerousKeys(o)
    case "json-proto":
      return withJsonProto(o)
    case "getter":
      return withGetters(o, undefined)
    case "throwing-getter":
      return withGetters(o, at)
    case "throwing-proxy":
      return new Proxy(o, throwingHandler)
    case "revoked-proxy":
      return revoked(o)
    case "frozen":
      return Object.freeze({ ...o })
    case "array":
      return Object.assign([], o)
  }
}

/** A record of generated fields, handed over in a random way. */
export const wrapped = (
  record: fc.Arbitrary<Record<string, unknown>>
): fc.Arbitrary<{
  readonly value: unknown
  readonly how: Wrapping
  readonly plain: Record<string, unknown>
}> =>
  fc.tuple(record, fc.constantFrom(...wrappings), fc.nat()).map(([plain, how, at]) => ({
    value:
      how === "plain"
        ? plain
        : lazy(`${how} record`, () => wrap(materialize(plain) as Record<string, unknown>, how, at)),
    how,
    plain
  }))

/** Timestamps as AWS and the AWS CLI give them, and not quite. */
export const timestamp: fc.Arbitrary<unknown> = fc.oneof(
  fc.date({ noInvalidDate: false }),
  fc.double(),
  fc.integer(),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  oddString
)
