/** The pure parts: durations, exit codes and error lines, refs and responses, rendering. */
import { readFileSync } from "node:fs"
import {
  AccessDeniedError,
  InvalidOperationRefError,
  InvalidQueryError,
  InvalidWaitOptionsError,
  isOperation,
  type Operation,
  OperationFailedError,
  ServiceError,
  WaitAbortedError,
  WaitTimeoutError
} from "@opstatus/core"
import { describe, expect, it } from "vitest"
import {
  combineExitCodes,
  dedupe,
  ExitCode,
  exitCodeOf,
  formatElapsed,
  formatError,
  parseDurationFlag,
  parseDurationMillis,
  refFromToken,
  refOfTarget,
  renderLiveTable,
  renderStaticTable,
  renderSummary,
  shortId,
  splitInput,
  stripAnsi,
  summarize,
  targetsFromText,
  toDate,
  truncateVisible,
  UsageError,
  version,
  visibleLength
} from "../src/index.js"
import { makeEntry } from "../src/Render.js"

/** The one line an error thrown by `fn` is shown as. */
const lineOf = (fn: () => unknown): string => {
  try {
    fn()
  } catch (error) {
    return formatError(error)
  }
  throw new Error("expected an error")
}

const cloudMapId = "gv4g5meo7ndmeh4fqskygvk23d2fijwa-k9302yzd"
const uuid = "1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d"
const uuid2 = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"

describe("durations", () => {
  it("reads short and long forms; a bare number is seconds", () => {
    expect(parseDurationMillis("500ms")).toBe(500)
    expect(parseDurationMillis("30s")).toBe(30_000)
    expect(parseDurationMillis("5m")).toBe(300_000)
    expect(parseDurationMillis("1h30m")).toBe(5_400_000)
    expect(parseDurationMillis("1.5s")).toBe(1_500)
    expect(parseDurationMillis("5 seconds")).toBe(5_000)
    expect(parseDurationMillis("2 minutes 3 seconds")).toBe(123_000)
    expect(parseDurationMillis("1d")).toBe(86_400_000)
    expect(parseDurationMillis("90")).toBe(90_000)
    expect(parseDurationMillis(" 10S ")).toBe(10_000)
  })

  it("rejects what is not a duration", () => {
    for (const bad of ["", "abc", "5 parsecs", "-5s", "5s garbage", "s", "1e3"]) {
      expect(parseDurationMillis(bad), bad).toBeUndefined()
    }
    expect(() => parseDurationFlag("timeout", "soon")).toThrow(UsageError)
    expect(() => parseDurationFlag("timeout", "0s")).toThrow(/greater than zero/)
  })

  it("formats elapsed time compactly", () => {
    expect(formatElapsed(850)).toBe("850ms")
    expect(formatElapsed(4_250)).toBe("4.2s")
    expect(formatElapsed(65_000)).toBe("1m05s")
    expect(formatElapsed(7_380_000)).toBe("2h03m")
  })
})

describe("exit codes", () => {
  it("maps every error class", () => {
    const ref = { service: "lightsail", region: "us-east-1", id: uuid }
    expect(exitCodeOf(new UsageError("x"))).toBe(2)
    expect(exitCodeOf(new InvalidOperationRefError({ input: "x", reason: "r", message: "m" }))).toBe(2)
    expect(exitCodeOf(new InvalidWaitOptionsError({ option: "timeout", message: "m" }))).toBe(2)
    expect(exitCodeOf(new InvalidQueryError({ service: "ssm-sap", message: "m" }))).toBe(2)
    expect(
      exitCodeOf(new AccessDeniedError({ service: "lightsail", code: "AccessDeniedException", message: "m" }))
    ).toBe(4)
    expect(exitCodeOf(Object.assign(new Error("no creds"), { name: "CredentialsProviderError" }))).toBe(4)
    expect(exitCodeOf(new WaitTimeoutError({ ref, timeoutMillis: 1, message: "m" }))).toBe(3)
    expect(
      exitCodeOf(new ServiceError({ service: "lightsail", reason: "invalid", code: "X", message: "m" }))
    ).toBe(1)
    expect(exitCodeOf(new WaitAbortedError({ message: "m" }))).toBe(130)
    expect(exitCodeOf(new Error("boom"))).toBe(1)
  })

  it("picks the winner by precedence: 130 > 2 > 4 > 3 > 1 > 0", () => {
    expect(combineExitCodes([])).toBe(ExitCode.ok)
    expect(combineExitCodes([0, 1, 0])).toBe(1)
    expect(combineExitCodes([1, 3])).toBe(3)
    expect(combineExitCodes([3, 4, 1])).toBe(4)
    expect(combineExitCodes([4, 2, 3])).toBe(2)
    expect(combineExitCodes([2, 130])).toBe(130)
    expect(combineExitCodes([0, 0])).toBe(0)
  })

  it("shows an error as one line: what went wrong, then what to do", () => {
    const line = formatError(new UsageError('--timeout "x" is not a duration', "Use 30s"))
    expect(line).toBe('opstatus: --timeout "x" is not a duration. Use 30s.')
    const denied = formatError(
      new AccessDeniedError({
        service: "lightsail",
        code: "AccessDeniedException",
        message: "lightsail denied access"
      })
    )
    expect(denied).toMatch(/^opstatus: lightsail denied access\. Check the credentials/)
    const unexpected = formatError(new TypeError("x is not a function\n  at foo"))
    expect(unexpected).toMatch(
      /^opstatus: unexpected error: x is not a function at foo\. Run again with --debug/
    )
    for (const l of [line, denied, unexpected]) expect(l).not.toContain("\n")
  })
})

describe("refs from arguments", () => {
  it("parses service:region:id, and bare Cloud Map IDs", () => {
    expect(refFromToken(`lightsail:us-east-1:${uuid}`, {})).toEqual({
      service: "lightsail",
      region: "us-east-1",
      id: uuid
    })
    expect(refFromToken(`cloudmap:eu-west-1:${cloudMapId}`, {}).service).toBe("servicediscovery")
    expect(refFromToken(cloudMapId, { region: "us-west-2" })).toEqual({
      service: "servicediscovery",
      region: "us-west-2",
      id: cloudMapId
    })
    expect(refFromToken(uuid, { region: "us-west-2", service: "ssm-sap" }).service).toBe("ssm-sap")
  })

  it("rejects bad refs with the reason", () => {
    expect(() => refFromToken("lightsail:us-east-1", {})).toThrow(InvalidOperationRefError)
    expect(() => refFromToken(`ec2:us-east-1:${uuid}`, {})).toThrow(/unknown service/)
    expect(() => refFromToken(`ssm-sap:us-east-1:not-a-uuid`, {})).toThrow(/UUID/)
    expect(() => refFromToken(`lightsail:moon-1:${uuid}`, {})).toThrow(/region code/)
    expect(lineOf(() => refFromToken(uuid, { region: "us-east-1" }))).toMatch(/--service/)
    expect(lineOf(() => refFromToken(cloudMapId, {}))).toMatch(/--region/)
    expect(() => refFromToken("None", { region: "us-east-1" })).toThrow(UsageError)
  })
})

/** A Lightsail operation as the AWS CLI prints it. */
const cliLightsailOp = (id: string, overrides: Record<string, unknown> = {}) => ({
  id,
  resourceName: "web-1",
  resourceType: "Instance",
  createdAt: "2024-05-01T12:34:56.789000+00:00",
  location: { availabilityZone: "eu-west-2a", regionName: "eu-west-2" },
  isTerminal: false,
  operationType: "CreateInstance",
  status: "Started",
  statusChangedAt: 1714566897.5,
  ...overrides
})

describe("standard input", () => {
  it("reads the AWS CLI's Lightsail response, with ISO and epoch timestamps, as snapshots", () => {
    const text = JSON.stringify(
      {
        operations: [
          cliLightsailOp(uuid),
          cliLightsailOp(uuid2, { status: "Completed", isTerminal: true, statusChangedAt: "1714566900" })
        ]
      },
      null,
      4
    )
    const targets = targetsFromText(text, {})
    expect(targets).toHaveLength(2)
    const [first, second] = targets as [Operation, Operation]
    expect(isOperation(first)).toBe(true)
    expect(first.ref).toMatchObject({
      service: "lightsail",
      region: "eu-west-2",
      id: uuid,
      resourceName: "web-1"
    })
    expect(first.createdAt).toEqual(new Date("2024-05-01T12:34:56.789Z"))
    expect(first.updatedAt).toEqual(new Date(1714566897500))
    expect(first.status).toBe("running")
    expect(second.terminal).toBe(true)
    expect(second.status).toBe("succeeded")
    expect(second.endedAt).toEqual(new Date(1714566900000))
  })

  it("reads a single Lightsail operation, and uses --region when it names none", () => {
    const op = cliLightsailOp(uuid, { location: undefined })
    const [target] = targetsFromText(JSON.stringify({ operation: op }), { region: "ap-south-1" })
    expect(refOfTarget(target!)).toMatchObject({ region: "ap-south-1", id: uuid })
    expect(lineOf(() => targetsFromText(JSON.stringify({ operation: op }), {}))).toMatch(
      /does not name its region .*Pass --region/
    )
  })

  it("tells Cloud Map from SSM for SAP by the ID's shape, or by --service", () => {
    const region = "us-east-1"
    expect(targetsFromText(`{"OperationId": "${cloudMapId}"}`, { region })).toEqual([
      { service: "servicediscovery", region, id: cloudMapId }
    ])
    expect(targetsFromText(`{"OperationId": "${uuid}"}`, { region })).toEqual([
      { service: "ssm-sap", region, id: uuid }
    ])
    expect(targetsFromText(`{"OperationIds": ["${uuid}", "${uuid2}"]}`, { region }).map(refOfTarget)).toEqual(
      [
        { service: "ssm-sap", region, id: uuid },
        { service: "ssm-sap", region, id: uuid2 }
      ]
    )
    expect(lineOf(() => targetsFromText(`{"OperationId": "op-123"}`, { region }))).toMatch(/--service/)
    expect(targetsFromText(`{"OperationId": "op-123"}`, { region, service: "servicediscovery" })).toEqual([
      { service: "servicediscovery", region, id: "op-123" }
    ])
    expect(lineOf(() => targetsFromText(`{"OperationId": "${cloudMapId}"}`, {}))).toMatch(/--region/)
  })

  it("reads concatenated JSON, NDJSON, ref lines, get-operation output and its own --json events", () => {
    const region = "us-east-1"
    const text = [
      `{"OperationId": "${cloudMapId}"}{"OperationId": "${uuid}"}`,
      `{"Operation": {"Id": "${uuid2}", "Status": "INPROGRESS"}}`,
      `# a comment`,
      `lightsail:us-west-2:${uuid}`,
      `{"event":"done","operations":[{"ref":{"service":"lightsail","region":"eu-west-1","id":"${uuid2}"}}]}`,
      `"servicediscovery:us-east-2:${cloudMapId}"`
    ].join("\n")
    const refs = targetsFromText(text, { region }).map(refOfTarget)
    expect(refs.map((r) => `${r.service}:${r.region}:${r.id}`)).toEqual([
      `servicediscovery:us-east-1:${cloudMapId}`,
      `ssm-sap:us-east-1:${uuid}`,
      `ssm-sap:us-east-1:${uuid2}`,
      `lightsail:us-west-2:${uuid}`,
      `lightsail:eu-west-1:${uuid2}`,
      `servicediscovery:us-east-2:${cloudMapId}`
    ])
  })

  it("reads text output: several IDs on a line", () => {
    const refs = targetsFromText(`${cloudMapId}\t${cloudMapId.replace("gv4", "ab1")}\n`, {
      region: "us-east-1"
    })
    expect(refs).toHaveLength(2)
  })

  it("names what is wrong with bad input", () => {
    expect(() => targetsFromText(`{"OperationId": "${uuid}"`, { region: "us-east-1" })).toThrow(/never ends/)
    expect(() => targetsFromText(`{"OperationId": }`, { region: "us-east-1" })).toThrow(/line 1 is not valid/)
    expect(() => targetsFromText(`{"Instances": []}`, {})).toThrow(/cannot read \(keys: Instances\)/)
    expect(() => targetsFromText(`42`, {})).toThrow(UsageError)
    expect(() => targetsFromText(`[true]`, {})).toThrow(/not a ref or a response/)
    expect(splitInput("\n\n  ")).toEqual([])
  })

  it("drops duplicates, keeping a snapshot over a bare ref", () => {
    const snapshot = targetsFromText(JSON.stringify({ operation: cliLightsailOp(uuid) }), {})[0]!
    const bare = refFromToken(`lightsail:eu-west-2:${uuid}`, {})
    const out = dedupe([bare, snapshot, bare])
    expect(out).toHaveLength(1)
    expect(isOperation(out[0])).toBe(true)
  })

  it("turns the AWS CLI's timestamps into Dates", () => {
    expect(toDate("2024-05-01T12:34:56+00:00")).toEqual(new Date("2024-05-01T12:34:56Z"))
    expect(toDate(1714566896)).toEqual(new Date(1714566896000))
    expect(toDate(1714566896123)).toEqual(new Date(1714566896123))
    expect(toDate("1714566896.25")).toEqual(new Date(1714566896250))
    expect(toDate("yesterday")).toBeUndefined()
    expect(toDate(null)).toBeUndefined()
  })
})

const op = (overrides: Partial<Operation> & Pick<Operation, "status">): Operation => ({
  ref: { service: "servicediscovery", region: "us-east-1", id: cloudMapId },
  type: "REGISTER_INSTANCE",
  terminal: overrides.status === "succeeded" || overrides.status === "failed",
  rawStatus:
    overrides.status === "failed" ? "FAIL" : overrides.status === "succeeded" ? "SUCCESS" : "PENDING",
  resource: { type: "INSTANCE", id: "web-1" },
  region: "us-east-1",
  raw: {},
  ...overrides
})

describe("rendering", () => {
  it("measures and cuts text without counting escape sequences", () => {
    const red = "\x1b[31mfailed\x1b[39m"
    expect(visibleLength(red)).toBe(6)
    expect(stripAnsi(truncateVisible(`${red} and more`, 8))).toBe("failed …")
    expect(truncateVisible("short", 10)).toBe("short")
    expect(shortId(cloudMapId)).toBe("gv4g5meo…02yzd".replace("02yzd", "2yzd"))
    expect(shortId("abc")).toBe("abc")
  })

  it("draws the live table with headers, a spinner while running, and the failure's code", () => {
    const running = makeEntry({ service: "lightsail", region: "us-east-1", id: uuid }, 0)
    running.operation = op({
      ref: running.ref,
      status: "running",
      rawStatus: "Started",
      type: "CreateInstance"
    })
    const failed = makeEntry({ service: "servicediscovery", region: "us-east-1", id: cloudMapId }, 0)
    failed.operation = op({ status: "failed", error: { code: "INTERNAL_FAILURE", message: "boom" } })
    failed.endedAt = 1_500
    const timedOut = makeEntry({ service: "ssm-sap", region: "us-east-1", id: uuid2 }, 0)
    timedOut.error = new WaitTimeoutError({ ref: timedOut.ref, timeoutMillis: 1, message: "Timed out" })
    timedOut.endedAt = 2_000
    const lines = renderLiveTable([running, failed, timedOut], {
      color: false,
      frame: 3,
      now: 4_200,
      width: 120
    })
    expect(lines[0]).toMatch(/SERVICE\s+ID\s+TYPE\s+STATUS\s+ELAPSED\s+NOTE/)
    expect(lines[1]).toMatch(/^⠸ +lightsail +1b2c3d4e…4c5d +CreateInstance +running \(Started\) +4\.2s/)
    expect(lines[2]).toMatch(
      /^✖ +servicediscovery +gv4g5meo…2yzd +REGISTER_INSTANCE +failed \(FAIL\) +1\.5s +INTERNAL_FAILURE$/
    )
    expect(lines[3]).toMatch(/^⏱ +ssm-sap .* timed-out +2\.0s +WaitTimeoutError$/)
    const narrow = renderLiveTable([running, failed, timedOut], { color: true, frame: 0, now: 0, width: 40 })
    for (const line of narrow) expect(visibleLength(line)).toBeLessThanOrEqual(39)
    const short = renderLiveTable([running, failed, timedOut], {
      color: false,
      frame: 0,
      now: 0,
      width: 120,
      maxLines: 3
    })
    expect(short).toHaveLength(3)
    expect(short[2]).toContain("and 2 more (0 still running)")
  })

  it("draws the static table with full IDs", () => {
    const lines = renderStaticTable([op({ status: "succeeded", updatedAt: new Date(0) })], {
      color: false,
      width: 200
    })
    expect(lines[0]).toMatch(/^SERVICE\s+REGION\s+ID\s+TYPE\s+STATUS\s+UPDATED\s+NOTE$/)
    expect(lines[1]).toContain(cloudMapId)
    expect(lines[1]).toContain("1970-01-01 00:00:00Z")
  })

  it("summarizes by status and by service, with each failure's code and message", () => {
    const a = makeEntry({ service: "lightsail", region: "us-east-1", id: uuid }, 0)
    a.operation = op({ ref: a.ref, status: "succeeded", type: "CreateInstance" })
    const b = makeEntry({ service: "servicediscovery", region: "us-east-1", id: cloudMapId }, 0)
    b.operation = op({ status: "failed", error: { code: "INTERNAL_FAILURE", message: "boom" } })
    const c = makeEntry({ service: "ssm-sap", region: "us-east-1", id: uuid2 }, 0)
    c.error = new AccessDeniedError({ service: "ssm-sap", code: "AccessDeniedException", message: "denied" })
    const summary = summarize([a, b, c], { elapsedMs: 1234 })
    expect(summary.byStatus).toEqual({ succeeded: 1, failed: 1, denied: 1 })
    expect(summary.byService).toEqual({
      lightsail: { total: 1, succeeded: 1 },
      servicediscovery: { total: 1, failed: 1 },
      "ssm-sap": { total: 1, denied: 1 }
    })
    expect(summary.failures).toEqual([
      {
        ref: `servicediscovery:us-east-1:${cloudMapId}`,
        type: "REGISTER_INSTANCE",
        status: "failed",
        code: "INTERNAL_FAILURE",
        message: "boom"
      }
    ])
    const text = renderSummary(summary, { color: false }).join("\n")
    expect(text).toContain("Summary (1.2s): 3 operations: 1 succeeded, 1 failed, 1 denied")
    expect(text).toContain(
      `✖ servicediscovery:us-east-1:${cloudMapId} REGISTER_INSTANCE failed: INTERNAL_FAILURE: boom`
    )
    expect(text).toContain("AccessDeniedError: denied")
  })

  it("keeps OperationFailedError's operation when summarizing", () => {
    const failed = op({ status: "failed", error: { code: "X", message: "m" } })
    const error = new OperationFailedError({ operation: failed, message: "failed" })
    expect(error.operation.status).toBe("failed")
  })
})

it("reports the version of package.json", () => {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string
  }
  expect(version).toBe(pkg.version)
})
