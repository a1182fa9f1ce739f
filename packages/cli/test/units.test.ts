/** The pure parts: durations, exit codes and error lines, refs and responses, rendering. */
import { readFileSync } from "node:fs"
import { LightsailClient } from "@aws-sdk/client-lightsail"
import { ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery"
import {
  CancelNotSupported,
  hasReason,
  InvalidConfig,
  InvalidFleetState,
  InvalidOptions,
  isOperation,
  type Operation,
  OperationFailed,
  type OperationRef,
  type OperationStatusApi,
  OpstatusError,
  type OpstatusErrorReason,
  WaitAborted,
  type WaitOutcome,
  WaitTimeout
} from "@opstatus/core"
import { invalidQuery, invalidRef, requestError } from "@opstatus/core/adapter-kit"
import { describe, expect, it } from "vitest"
import {
  CredentialsError,
  checkTiming,
  combineExitCodes,
  credentialsFailure,
  DeadlineError,
  dedupe,
  demoClientConfig,
  type Entry,
  ExitCode,
  errorJson,
  errorName,
  exitCodeOf,
  formatDurationShort,
  formatElapsed,
  formatError,
  formatWarning,
  Interrupted,
  isCliError,
  parseDurationFlag,
  parseDurationMillis,
  parseService,
  parseSinceFlag,
  type Reporter,
  refFromToken,
  refOfTarget,
  renderLiveTable,
  renderStaticTable,
  renderSummary,
  runWait,
  serviceSlugs,
  shortId,
  spinnerFrames,
  splitInput,
  stripAnsi,
  summarize,
  type Target,
  targetsFromText,
  truncateVisible,
  UsageError,
  usageError,
  version,
  visibleLength
} from "../src/index.js"
import { makeEntry } from "../src/Render.js"

/** What `fn` throws; fails the test when it throws nothing. */
const thrown = (fn: () => unknown): unknown => {
  try {
    fn()
  } catch (error) {
    return error
  }
  throw new Error("expected an error")
}

/** The one line an error thrown by `fn` is shown as. */
const lineOf = (fn: () => unknown): string => formatError(thrown(fn))

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
    expect(thrown(() => parseDurationFlag("timeout", "soon"))).toBeInstanceOf(UsageError)
    expect(() => parseDurationFlag("timeout", "0s")).toThrow(/greater than zero/)
  })

  it("--since: epoch seconds and dates first, else a duration ago", () => {
    const now = Date.parse("2024-05-01T12:00:00Z")
    // A bare number from 10^9 is epoch seconds, not that many seconds ago.
    expect(parseSinceFlag("1714566896", now)).toEqual(new Date(1714566896000))
    expect(parseSinceFlag("1714566896.5", now)).toEqual(new Date(1714566896500))
    expect(parseSinceFlag("1000000000", now)).toEqual(new Date(1e12))
    expect(parseSinceFlag("999999999", now)).toEqual(new Date(now - 999_999_999_000))
    // Dates: UTC unless they name an offset.
    expect(parseSinceFlag("2024-04-30", now)).toEqual(new Date("2024-04-30T00:00:00Z"))
    expect(parseSinceFlag("2024-04-30T10:30", now)).toEqual(new Date("2024-04-30T10:30:00Z"))
    expect(parseSinceFlag("2024-04-30 10:30:15", now)).toEqual(new Date("2024-04-30T10:30:15Z"))
    expect(parseSinceFlag("2024-04-30T10:30:00+02:00", now)).toEqual(new Date("2024-04-30T08:30:00Z"))
    expect(parseSinceFlag("2024-04-30T10:30:00.250Z", now)).toEqual(new Date("2024-04-30T10:30:00.250Z"))
    // Durations ago.
    expect(parseSinceFlag("1h", now)).toEqual(new Date(now - 3_600_000))
    expect(parseSinceFlag("90", now)).toEqual(new Date(now - 90_000))
    expect(parseSinceFlag("1h30m", now)).toEqual(new Date(now - 5_400_000))
    for (const bad of ["yesterday", "2024-05-01junk", "2024-13-01", "2024-05-01T25:00Z", "-5s", ""]) {
      expect(() => parseSinceFlag(bad, now), bad).toThrow(UsageError)
    }
  })

  it("formats elapsed time compactly, and help durations in their largest whole unit", () => {
    expect(formatElapsed(850)).toBe("850ms")
    expect(formatElapsed(4_250)).toBe("4.2s")
    expect(formatElapsed(65_000)).toBe("1m05s")
    expect(formatElapsed(7_380_000)).toBe("2h03m")
    expect(formatDurationShort(3_600_000)).toBe("1h")
    expect(formatDurationShort(1_800_000)).toBe("30m")
    expect(formatDurationShort(90_000)).toBe("90s")
    expect(formatDurationShort(1_500)).toBe("1500ms")
  })
})

const ref = { service: "lightsail", region: "us-east-1", id: uuid }

/** A Cloud Map operation snapshot. */
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

const failure = { service: "lightsail", code: "SomeCode", serviceMessage: "what the service said", ref }

/** One error of every reason, and the exit code it must map to; the type keeps it complete. */
const everyReason: { readonly [Tag in OpstatusErrorReason["_tag"]]: readonly [OpstatusError, ExitCode] } = {
  OperationNotFound: [requestError("OperationNotFound", failure), 1],
  Throttled: [requestError("Throttled", failure), 1],
  ServiceUnavailable: [requestError("ServiceUnavailable", failure), 1],
  EndpointUnreachable: [requestError("EndpointUnreachable", failure), 1],
  AccessDenied: [requestError("AccessDenied", failure), 4],
  Unauthenticated: [requestError("Unauthenticated", failure), 4],
  InvalidRequest: [requestError("InvalidRequest", failure), 1],
  MalformedResponse: [requestError("MalformedResponse", failure), 1],
  UnknownServiceError: [requestError("UnknownServiceError", failure), 1],
  InvalidRef: [invalidRef("x", "expected the form service:region:id"), 2],
  InvalidOptions: [new OpstatusError({ reason: new InvalidOptions({ option: "timeout", message: "m" }) }), 2],
  InvalidQuery: [invalidQuery("servicediscovery", "TYPE is wrong"), 2],
  InvalidFleetState: [new OpstatusError({ reason: new InvalidFleetState({ message: "m" }) }), 2],
  InvalidConfig: [new OpstatusError({ reason: new InvalidConfig({ setting: "sources", message: "m" }) }), 2],
  CancelNotSupported: [
    new OpstatusError({ reason: new CancelNotSupported({ service: "lightsail", message: "cannot cancel" }) }),
    2
  ],
  OperationFailed: [
    new OpstatusError({
      reason: new OperationFailed({
        service: "servicediscovery",
        ref: { service: "servicediscovery", region: "us-east-1", id: cloudMapId },
        operation: op({ status: "failed" }),
        serviceMessage: "boom",
        message: "failed"
      })
    }),
    1
  ],
  WaitTimeout: [
    new OpstatusError({
      reason: new WaitTimeout({
        service: "lightsail",
        ref,
        timeoutMillis: 1,
        waitedMillis: 1,
        message: "Timed out"
      })
    }),
    3
  ],
  WaitAborted: [new OpstatusError({ reason: new WaitAborted({ message: "aborted" }) }), 130]
}

describe("exit codes", () => {
  it("maps every reason of OpstatusError by its kind and tag", () => {
    for (const [tag, [error, code]] of Object.entries(everyReason)) {
      expect(error.reason._tag, tag).toBe(tag)
      expect(exitCodeOf(error), tag).toBe(code)
    }
  })

  it("maps the CLI's own errors by their tag, and anything else to 1", () => {
    expect(exitCodeOf(usageError("x"))).toBe(2)
    expect(exitCodeOf(new CredentialsError({ message: "no profile" }))).toBe(4)
    expect(exitCodeOf(new DeadlineError({ message: "m", timeoutMillis: 1 }))).toBe(3)
    expect(exitCodeOf(new Interrupted({ message: "interrupted" }))).toBe(130)
    expect(exitCodeOf(new Error("boom"))).toBe(1)
    // A look-alike is not one of them: errors are matched by type, never by name.
    expect(exitCodeOf(Object.assign(new Error("x"), { name: "UsageError", _tag: "UsageError" }))).toBe(1)
    expect(exitCodeOf(Object.assign(new Error("x"), { name: "CredentialsProviderError" }))).toBe(1)
    expect(isCliError(usageError("x"))).toBe(true)
    expect(isCliError(everyReason.WaitTimeout[0])).toBe(false)
  })

  it("reads a credential provider's failure as the request's: unauthenticated unless the classifier knows better", () => {
    const named = (name: string, extra: Record<string, unknown> = {}) =>
      Object.assign(new Error(`${name} happened`), { name, ...extra })
    const missing = credentialsFailure("lightsail", named("CredentialsProviderError"))
    expect(hasReason(missing, "Unauthenticated")).toBe(true)
    expect(missing.code).toBe("CredentialsProviderError")
    expect(exitCodeOf(missing)).toBe(4)
    // Unknown to the classifier, but it came from the provider: still no valid credentials.
    const token = credentialsFailure("ssm-sap", named("TokenProviderError"))
    expect(hasReason(token, "Unauthenticated")).toBe(true)
    expect(exitCodeOf(token)).toBe(4)
    // A network failure on the way to the provider's endpoint is one.
    const network = credentialsFailure("lightsail", named("Error", { code: "ECONNREFUSED" }))
    expect(hasReason(network, "EndpointUnreachable")).toBe(true)
    expect(formatError(missing)).toMatch(
      /^opstatus: lightsail could not authenticate the request: no valid AWS credentials \(CredentialsProviderError\): CredentialsProviderError happened\. Configure credentials: --profile, AWS_PROFILE/
    )
  })

  it("names an error by its reason or its tag", () => {
    expect(errorName(everyReason.WaitTimeout[0])).toBe("WaitTimeout")
    expect(errorName(usageError("x"))).toBe("UsageError")
    expect(errorName(new Error("x"))).toBeUndefined()
    expect(errorJson(everyReason.AccessDenied[0])).toEqual({
      _tag: "OpstatusError",
      reason: "AccessDenied",
      kind: "request",
      message: everyReason.AccessDenied[0].message,
      code: "SomeCode",
      serviceMessage: "what the service said"
    })
    expect(errorJson(new DeadlineError({ message: "m", timeoutMillis: 1 }))).toEqual({
      _tag: "DeadlineError",
      message: "m"
    })
  })

  it("maps a get or list that ran out of time to 3", () => {
    const error = new DeadlineError({
      message: "list lightsail did not finish within 1.0s",
      timeoutMillis: 1_000
    })
    expect(exitCodeOf(error)).toBe(3)
    expect(formatError(error)).toMatch(
      /^opstatus: list lightsail did not finish within 1\.0s\. The service did not answer in time: pass a longer --timeout/
    )
  })

  it("writes a warning as one line", () => {
    expect(formatWarning("the status Frobbing is unknown")).toBe(
      "opstatus: warning: the status Frobbing is unknown."
    )
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

  it("shows an error as one line: what went wrong, then one hint per reason", () => {
    const line = formatError(usageError('--timeout "x" is not a duration', "Use 30s"))
    expect(line).toBe('opstatus: --timeout "x" is not a duration. Use 30s.')
    const denied = formatError(requestError("AccessDenied", { ...failure, code: "AccessDeniedException" }))
    expect(denied).toMatch(
      new RegExp(
        `^opstatus: lightsail denied access for lightsail:us-east-1:${uuid} \\(AccessDeniedException\\): what the service said\\. Check that the credentials`
      )
    )
    const unexpected = formatError(new TypeError("x is not a function\n  at foo"))
    expect(unexpected).toMatch(
      /^opstatus: unexpected error: x is not a function at foo\. Run again with --debug/
    )
    const hints = new Set<string>()
    for (const [tag, [error]] of Object.entries(everyReason)) {
      const text = formatError(error)
      expect(text, tag).toMatch(/^opstatus: [^\n]+\.$/)
      expect(text, tag).not.toContain("unexpected error")
      if (tag !== "WaitAborted") hints.add(text.slice(`opstatus: ${error.message}`.length))
    }
    // Most reasons have a hint of their own (the reasons a user cannot cause share "--debug").
    expect(hints.size).toBeGreaterThanOrEqual(12)
    for (const l of [line, denied, unexpected]) expect(l).not.toContain("\n")
  })
})

describe("timing flags", () => {
  const lightsail: OperationRef = { service: "lightsail", region: "us-east-1", id: uuid }
  const cloudMap: OperationRef = { service: "servicediscovery", region: "us-east-1", id: cloudMapId }

  it("checks the delays against each other and against each service's defaults", () => {
    expect(() => checkTiming({ minDelay: 2_000, maxDelay: 1_000 }, [lightsail])).toThrow(
      /--max-delay \(1\.0s\) is below --min-delay \(2\.0s\)/
    )
    // Lightsail's default delays are 2s to 30s, Cloud Map's 1s to 10s.
    expect(() => checkTiming({ maxDelay: 1_500 }, [lightsail])).toThrow(
      /^--max-delay \(1\.5s\) is below the lightsail default minimum delay \(2\.0s\)$/
    )
    expect(() => checkTiming({ maxDelay: 1_500 }, [cloudMap])).not.toThrow()
    expect(() => checkTiming({ minDelay: 20_000 }, [cloudMap])).toThrow(
      /^--min-delay \(20\.0s\) is above the servicediscovery default maximum delay \(10\.0s\)$/
    )
    expect(() => checkTiming({ minDelay: 20_000 }, [lightsail])).not.toThrow()
    expect(() => checkTiming({ minDelay: 20_000, maxDelay: 60_000 }, [cloudMap])).not.toThrow()
    expect(() => checkTiming({ minDelay: 100, maxDelay: 300 }, [lightsail, cloudMap])).not.toThrow()
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

  it("knows the adapters' services by their slugs and aliases only", () => {
    expect(serviceSlugs).toEqual([
      "lightsail",
      "servicediscovery",
      "ssm-sap",
      "cloudformation",
      "ecs",
      "cloudcontrol",
      "route53"
    ])
    expect(parseService("CloudMap").service).toBe("servicediscovery")
    expect(parseService("CFN").service).toBe("cloudformation")
    expect(parseService("cloud-control").service).toBe("cloudcontrol")
    expect(parseService("Route-53").title).toBe("Amazon Route 53")
    expect(parseService(" ssmsap ").title).toBe("AWS Systems Manager for SAP")
    for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty", "ec2"]) {
      expect(() => parseService(name), name).toThrow(`--service "${name}" is not a service opstatus knows`)
      const error = thrown(() => refFromToken(`${name}:us-east-1:${uuid}`, {}))
      expect(hasReason(error, "InvalidRef") && error.message, name).toMatch(
        /unknown service "|is not a service name/
      )
    }
  })

  it("rejects bad refs with an InvalidRef naming the problem (exit 2)", () => {
    const invalid = (token: string) => {
      const error = thrown(() => refFromToken(token, {}))
      expect(hasReason(error, "InvalidRef"), token).toBe(true)
      expect(exitCodeOf(error)).toBe(2)
      return (error as Error).message
    }
    expect(invalid("lightsail:us-east-1")).toMatch(/expected the form service:region:id/)
    expect(invalid(`ec2:us-east-1:${uuid}`)).toMatch(/unknown service "ec2"/)
    expect(invalid(`ssm-sap:us-east-1:not-a-uuid`)).toMatch(/UUID/)
    expect(invalid(`lightsail:moon-1:${uuid}`)).toMatch(/region code/)
    expect(lineOf(() => refFromToken(uuid, { region: "us-east-1" }))).toMatch(/--service/)
    expect(lineOf(() => refFromToken(cloudMapId, {}))).toMatch(/--region/)
    expect(thrown(() => refFromToken("None", { region: "us-east-1" }))).toBeInstanceOf(UsageError)
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
    expect(first.ref).toEqual({
      service: "lightsail",
      region: "eu-west-2",
      id: uuid,
      hints: { resourceName: "web-1" }
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
    expect(thrown(() => targetsFromText(`42`, {}))).toBeInstanceOf(UsageError)
    expect(() => targetsFromText(`[true]`, {})).toThrow(/not a ref or a response/)
    expect(splitInput("\n\n  ")).toEqual([])
  })

  it("reads 20,000 padded lines in one pass, and numbers the lines right", () => {
    // Each line is padded to ~540 characters (10.8 MB in all): numbering lines by rescanning
    // from the start would take minutes here; one pass takes well under a second.
    const pad = " ".repeat(500)
    const ids = Array.from(
      { length: 20_000 },
      (_, i) =>
        `${i
          .toString(36)
          .padStart(32, "a")
          .replace(/[^a-z2-7]/g, "b")}-${String(i).padStart(8, "0")}`
    )
    const text = `${ids.map((id) => `${id}${pad}`).join("\n")}\n`
    const targets = targetsFromText(text, { region: "us-east-1" })
    expect(targets).toHaveLength(20_000)
    expect(refOfTarget(targets[0]!)).toEqual({ service: "servicediscovery", region: "us-east-1", id: ids[0] })
    expect(refOfTarget(targets[19_999]!).id).toBe(ids[19_999])
    expect(splitInput(text).at(-1)).toMatchObject({ kind: "text", line: 20_000 })
    expect(() => splitInput(`${text}\n{"OperationId": }`)).toThrow(/the JSON on line 20002 is not valid/)
  })

  it("drops duplicates, keeping a snapshot over a bare ref", () => {
    const snapshot = targetsFromText(JSON.stringify({ operation: cliLightsailOp(uuid) }), {})[0]!
    const bare = refFromToken(`lightsail:eu-west-2:${uuid}`, {})
    const out = dedupe([bare, snapshot, bare])
    expect(out).toHaveLength(1)
    expect(isOperation(out[0])).toBe(true)
  })

  it("reads refs with their hints, and 0.1's top-level hints by the service's hint names", () => {
    const lines = [
      JSON.stringify({
        service: "ssm-sap",
        region: "us-east-1",
        id: uuid,
        hints: { applicationId: "hana-1" }
      }),
      JSON.stringify({
        ref: { service: "lightsail", region: "us-east-1", id: uuid2, resourceName: "web-1" }
      }),
      JSON.stringify({
        service: "cloudmap",
        region: "us-east-1",
        id: cloudMapId,
        resourceName: "not-its-hint"
      })
    ]
    expect(targetsFromText(lines.join("\n"), {})).toEqual([
      { service: "ssm-sap", region: "us-east-1", id: uuid, hints: { applicationId: "hana-1" } },
      { service: "lightsail", region: "us-east-1", id: uuid2, hints: { resourceName: "web-1" } },
      { service: "servicediscovery", region: "us-east-1", id: cloudMapId }
    ])
  })
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
    timedOut.error = everyReason.WaitTimeout[0]
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
    expect(lines[3]).toMatch(/^⏱ +ssm-sap .* timed-out +2\.0s +WaitTimeout$/)
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
    c.error = requestError("AccessDenied", {
      service: "ssm-sap",
      code: "AccessDeniedException",
      serviceMessage: "denied"
    })
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
    expect(text).toContain("AccessDenied: ssm-sap denied access (AccessDeniedException): denied")
  })

  it("ends a terminal operation of unknown status with a question mark, not a spinner", () => {
    const entry = makeEntry({ service: "lightsail", region: "us-east-1", id: uuid }, 0)
    entry.operation = rolledBack()
    entry.endedAt = 1_000
    for (let frame = 0; frame < spinnerFrames.length; frame++) {
      const [, row] = renderLiveTable([entry], { color: false, frame, now: 5_000, width: 120 })
      expect(row).toMatch(/^\? +lightsail +\S+ +UpdateInstanceMetadataOptions +unknown \(RolledBack\) +1\.0s/)
    }
    const running = makeEntry({ service: "lightsail", region: "us-east-1", id: uuid2 }, 0)
    running.operation = { ...rolledBack(), terminal: false }
    const [, spinning] = renderLiveTable([running], { color: false, frame: 2, now: 5_000, width: 120 })
    expect(spinning).toMatch(new RegExp(`^${spinnerFrames[2]} `))
  })
})

/** A Lightsail operation that ended in a status opstatus does not know: `{"status": "RolledBack", "isTerminal": true}`. */
const rolledBack = (): Operation =>
  op({
    ref: { service: "lightsail", region: "us-east-1", id: uuid },
    type: "UpdateInstanceMetadataOptions",
    status: "unknown",
    rawStatus: "RolledBack",
    terminal: true
  })

/** A stub of core's API whose waitForAll answers the given outcomes. */
const stubApi = (outcomes: (targets: ReadonlyArray<Target>) => ReadonlyArray<WaitOutcome>) =>
  ({
    waitForAll: async (inputs: Iterable<Target>) => outcomes([...inputs])
  }) as unknown as OperationStatusApi

/** A reporter that remembers what it was told. */
const recordingReporter = () => {
  const calls: string[] = []
  const reporter: Reporter = {
    start: (entries) => calls.push(`start ${entries.length}`),
    update: (entry) => calls.push(`update ${entry.key}`),
    fail: (entry) => calls.push(`fail ${entry.key}`),
    finish: (_entries, _summary, exitCode) => calls.push(`finish ${exitCode}`)
  }
  return { reporter, calls }
}

const waitWith = (outcomes: ReadonlyArray<WaitOutcome>, targets: ReadonlyArray<Target>, success: boolean) => {
  const { reporter, calls } = recordingReporter()
  let t = 1_000
  const result = runWait({
    api: stubApi(() => outcomes),
    targets,
    success,
    timing: {},
    reporter,
    signal: new AbortController().signal,
    now: () => (t += 100)
  })
  return result.then((r) => ({ ...r, calls }))
}

describe("runWait", () => {
  const failedRef: OperationRef = { service: "servicediscovery", region: "us-east-1", id: cloudMapId }
  const failedOp = op({ status: "failed", error: { code: "INTERNAL_FAILURE", message: "Route 53 broke" } })

  it("reads the operation out of an OperationFailed outcome: entry, summary failures, exit code", async () => {
    const reason = new OperationFailed({
      service: "servicediscovery",
      ref: failedRef,
      operation: failedOp,
      code: "INTERNAL_FAILURE",
      serviceMessage: "Route 53 broke",
      message: "failed"
    })
    const error = new OpstatusError({ reason })
    const outcome: WaitOutcome = { ok: false, input: failedRef, error }
    for (const success of [true, false]) {
      const result = await waitWith([outcome], [failedRef], success)
      const [entry] = result.entries as [Entry]
      expect(entry.error).toBeUndefined()
      expect(entry.operation).toBe(reason.operation)
      expect(entry.operation).toEqual(failedOp)
      expect(entry.endedAt).toEqual(expect.any(Number))
      expect(result.summary.byStatus).toEqual({ failed: 1 })
      expect(result.summary.errors).toEqual([])
      expect(result.summary.failures).toEqual([
        {
          ref: `servicediscovery:us-east-1:${cloudMapId}`,
          type: "REGISTER_INSTANCE",
          status: "failed",
          code: "INTERNAL_FAILURE",
          message: "Route 53 broke"
        }
      ])
      expect(result.exitCode).toBe(success ? ExitCode.failed : ExitCode.ok)
      // No error line for the operation's own failure: it is in the summary.
      expect(result.calls).toEqual(["start 1", `finish ${result.exitCode}`])
    }
  })

  it("fails --success for a terminal status opstatus does not know, and lists it as a failure", async () => {
    const snapshot = rolledBack()
    const outcomes: ReadonlyArray<WaitOutcome> = [{ ok: true, input: snapshot, operation: snapshot }]
    const strict = await waitWith(outcomes, [snapshot], true)
    expect(strict.exitCode).toBe(ExitCode.failed)
    expect(strict.summary.byStatus).toEqual({ unknown: 1 })
    expect(strict.summary.failures).toEqual([
      {
        ref: `lightsail:us-east-1:${uuid}`,
        type: "UpdateInstanceMetadataOptions",
        status: "unknown",
        message: 'The operation ended with the status "RolledBack", which opstatus does not know'
      }
    ])
    expect(renderSummary(strict.summary, { color: false }).join("\n")).toContain(
      `✖ lightsail:us-east-1:${uuid} UpdateInstanceMetadataOptions unknown: The operation ended with the status "RolledBack"`
    )
    // Without --success an operation that ended is enough, whatever its status.
    expect((await waitWith(outcomes, [snapshot], false)).exitCode).toBe(ExitCode.ok)
  })

  it("keeps a wait's error on its entry and takes the exit code from it", async () => {
    const error = everyReason.WaitTimeout[0]
    const result = await waitWith([{ ok: false, input: failedRef, error }], [failedRef], true)
    expect(result.entries[0]!.error).toBe(error)
    expect(result.summary.errors).toMatchObject([{ error: "WaitTimeout", message: "Timed out" }])
    expect(result.exitCode).toBe(ExitCode.timeout)
    expect(result.calls).toEqual(["start 1", `fail servicediscovery:us-east-1:${cloudMapId}`, "finish 3"])
  })
})

it("the demo's SDK clients retry as set, whatever AWS_MAX_ATTEMPTS says", async () => {
  const before = process.env.AWS_MAX_ATTEMPTS
  process.env.AWS_MAX_ATTEMPTS = "7"
  const config = demoClientConfig("http://127.0.0.1:1", { region: "us-east-1", accessKeyId: "AKIDEXAMPLE" })
  const clients = [
    new LightsailClient(config),
    new ServiceDiscoveryClient(config),
    new LightsailClient({ region: config.region, credentials: config.credentials })
  ] as const
  try {
    expect(await clients[0].config.maxAttempts()).toBe(3)
    expect(await clients[1].config.maxAttempts()).toBe(3)
    expect(clients[0].config.retryMode).toBe("standard")
    // The variable does apply to a client that leaves maxAttempts out.
    expect(await clients[2].config.maxAttempts()).toBe(7)
  } finally {
    for (const client of clients) client.destroy()
    if (before === undefined) delete process.env.AWS_MAX_ATTEMPTS
    else process.env.AWS_MAX_ATTEMPTS = before
  }
})

it("reports the version of package.json", () => {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string
  }
  expect(version).toBe(pkg.version)
})
