/**
 * The classifiers: the adapter kit's one classifier (`classifySdkError`,
 * with `describeError`) and each adapter's. Whatever is thrown at them (an
 * SDK-shaped error with any fields, a network error, a value that is no
 * error, a proxy, a getter that throws, an object that cannot be printed),
 * they give an `OpstatusError` with a request reason and never throw
 * themselves; an `OpstatusError` passes through unchanged; what AWS's own
 * names and statuses say decides the reason in the documented order.
 */
import { isOpstatusError, OperationNotFound, type OpstatusError } from "@opstatus/core"
import {
  classifySdkError,
  describeError,
  type ErrorNames,
  type RequestReasonTag,
  requestError
} from "@opstatus/core/adapter-kit"
import { classifyLightsailError, lightsailErrorNames } from "@opstatus/lightsail"
import { classifyServiceDiscoveryError, serviceDiscoveryErrorNames } from "@opstatus/servicediscovery"
import { classifySsmSapError, ssmSapErrorNames } from "@opstatus/ssm-sap"
import { sanitizeErrorCode } from "@opstatus/ssm-sap/http"
import fc from "fast-check"
import { describe, it } from "vitest"
import {
  expectNoPollution,
  field,
  holds,
  hostile,
  materialize,
  oddString,
  pureRuns,
  Tally,
  wrapped
} from "../../support/fuzz.js"

const requestTags: ReadonlySet<string> = new Set<RequestReasonTag>([
  "OperationNotFound",
  "Throttled",
  "ServiceUnavailable",
  "EndpointUnreachable",
  "AccessDenied",
  "Unauthenticated",
  "InvalidRequest",
  "MalformedResponse",
  "UnknownServiceError"
])
const retryableTags = new Set(["Throttled", "ServiceUnavailable", "EndpointUnreachable", "MalformedResponse"])

/** The SDK's throttling names, as the kit lists them (the documented `service-error-classification`). */
const sdkThrottlingNames = [
  "ThrottlingException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "Throttling",
  "SlowDown"
]

const adapters: ReadonlyArray<readonly [string, ErrorNames, (error: unknown) => OpstatusError]> = [
  ["lightsail", lightsailErrorNames, classifyLightsailError],
  ["servicediscovery", serviceDiscoveryErrorNames, classifyServiceDiscoveryError],
  ["ssm-sap", ssmSapErrorNames, classifySsmSapError]
]

const namesOf = (names: ErrorNames) => [
  ...names.notFound,
  ...(names.denied ?? []),
  ...(names.unauthenticated ?? []),
  ...(names.invalid ?? []),
  ...(names.throttling ?? []),
  ...(names.transient ?? [])
]

const knownNames = [
  ...adapters.flatMap(([, names]) => namesOf(names)),
  ...sdkThrottlingNames,
  "AccessDeniedException",
  "ExpiredToken",
  "InvalidSignatureException",
  "InternalServerError",
  "ServiceUnavailable",
  "TimeoutError",
  "SyntaxError",
  "SerializationException",
  "AbortError",
  "TypeError",
  "Error",
  "Unknown"
]

const text = fc.oneof(fc.string(), oddString)
const httpStatus = fc.oneof(
  fc.constantFrom(200, 301, 400, 401, 403, 404, 409, 429, 500, 502, 503, 504),
  fc.integer({ min: -1, max: 1000 }),
  fc.double()
)
const nodeCode = fc.constantFrom(
  "ECONNRESET",
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EPIPE",
  "UND_ERR_SOCKET",
  "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "ABORT_ERR",
  "EWHATEVER"
)

/** The fields an SDK v3 service exception or a Node network error may carry. */
const errorFields = fc.record(
  {
    name: field(fc.oneof(fc.constantFrom(...knownNames), text)),
    message: field(text),
    Message: field(text),
    $metadata: field(
      fc.record({ httpStatusCode: field(httpStatus), requestId: field(text) }, { requiredKeys: [] })
    ),
    $fault: field(fc.constantFrom("client", "server")),
    $retryable: field(fc.oneof(fc.record({ throttling: fc.boolean() }), fc.constant({}))),
    code: field(nodeCode),
    cause: field(fc.record({ code: field(nodeCode) }, { requiredKeys: [] })),
    hostname: field(text),
    address: field(text),
    port: field(fc.oneof(fc.integer(), text))
  },
  { requiredKeys: [] }
)

/** The fields on a real `Error` (as the SDK throws them), or on a plain object, or wrapped in hostile ways. */
const asError = (fields: Record<string, unknown>): Error => {
  const error = new Error()
  for (const [key, value] of Object.entries(fields)) {
    Object.defineProperty(error, key, { value, enumerable: true, configurable: true, writable: true })
  }
  return error
}

const thrown: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: errorFields.map((f) => ({ kind: "error", f })) },
  { weight: 2, arbitrary: wrapped(errorFields).map((w) => ({ kind: "wrapped", w: w.value })) },
  { weight: 2, arbitrary: hostile.map((h) => ({ kind: "hostile", h })) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(...requestTags).map((tag) => ({ kind: "typed", tag: tag as RequestReasonTag }))
  }
)

type Thrown =
  | { kind: "error"; f: Record<string, unknown> }
  | { kind: "wrapped"; w: unknown }
  | { kind: "hostile"; h: unknown }
  | { kind: "typed"; tag: RequestReasonTag }

/** Makes what a run throws at the classifier. */
const make = (t: Thrown): unknown => {
  switch (t.kind) {
    case "error":
      return asError(materialize(t.f) as Record<string, unknown>)
    case "wrapped":
      return materialize(t.w)
    case "hostile":
      return materialize(t.h)
    case "typed":
      return requestError(t.tag, { service: "other", code: "Code", serviceMessage: "typed already" })
  }
}

/** The checks every classification passes. */
const checkClassified = (error: unknown, result: unknown, service: string): string => {
  if (!isOpstatusError(result)) throw new Error("the classifier returned something that is no OpstatusError")
  if (isOpstatusError(error)) {
    if (result !== error) throw new Error("an OpstatusError did not pass through unchanged")
    return result.reason._tag
  }
  const reason = result.reason
  if (!requestTags.has(reason._tag)) throw new Error(`a request failure classified as ${reason._tag}`)
  if (result.service !== service) throw new Error(`service ${result.service}, expected ${service}`)
  if (typeof result.message !== "string" || typeof result.code !== "string")
    throw new Error("no message or code")
  if (result.isRetryable !== retryableTags.has(reason._tag)) throw new Error(`isRetryable of ${reason._tag}`)
  String(result)
  JSON.stringify(result)
  expectNoPollution()
  return reason._tag
}

describe("the adapter kit's classifier", () => {
  it("classifySdkError: any thrown value, any service names, gives a request reason and never throws", () => {
    const tally = new Tally()
    const names = fc.oneof(
      fc.constantFrom(...adapters.map(([, n]) => n)),
      fc.record(
        {
          notFound: fc.array(fc.oneof(fc.constantFrom(...knownNames), text), { maxLength: 3 }),
          throttling: fc.array(text, { maxLength: 2 }),
          transient: fc.array(text, { maxLength: 2 }),
          invalid: fc.array(text, { maxLength: 2 })
        },
        { requiredKeys: ["notFound"] }
      )
    )
    holds(
      "classifySdkError: any thrown value",
      fc.property(
        thrown,
        names,
        fc.constantFrom("lightsail", "servicediscovery", "ssm-sap", "custom"),
        (t, n, s) => {
          const error = make(t as Thrown)
          let result: unknown
          try {
            result = classifySdkError(s, materialize(n) as ErrorNames, error)
          } catch (e) {
            throw new Error(`classifySdkError threw: ${e instanceof Error ? e.message : typeof e}`)
          }
          tally.add(checkClassified(error, result, s))
        }
      ),
      pureRuns,
      tally
    )
  })

  it("describeError: any value, never throws, strings and numbers only", () => {
    holds(
      "describeError: any thrown value",
      fc.property(thrown, (t) => {
        const d = describeError(make(t as Thrown))
        if (typeof d.name !== "string" || typeof d.message !== "string") throw new Error("name or message")
        for (const key of ["requestId", "nodeCode", "endpoint", "fault"] as const) {
          if (d[key] !== undefined && typeof d[key] !== "string") throw new Error(`${key} is not a string`)
        }
        if (d.httpStatus !== undefined && typeof d.httpStatus !== "number") throw new Error("httpStatus")
        expectNoPollution()
      }),
      pureRuns
    )
  })

  it("the documented order: the adapter's not-found names first, then throttling, for any other field", () => {
    holds(
      "classifySdkError: not found, then throttled",
      fc.property(
        fc.constantFrom(...adapters),
        errorFields,
        fc.constantFrom("notFound", "throttlingName", "status429"),
        ([service, names], f, rule) => {
          const fields = materialize(f) as Record<string, unknown>
          const notFound = names.notFound[0]!
          if (rule === "notFound") fields.name = notFound
          else if (rule === "throttlingName") fields.name = sdkThrottlingNames[0]
          else {
            if (names.notFound.includes(fields.name as string)) fields.name = "Error"
            fields.$metadata = { httpStatusCode: 429, requestId: "req-1" }
          }
          const result = classifySdkError(service, names, asError(fields))
          const want = rule === "notFound" ? "OperationNotFound" : "Throttled"
          if (result.reason._tag !== want) throw new Error(`${rule}: ${result.reason._tag}, expected ${want}`)
          if (rule === "notFound" && !(result.reason instanceof OperationNotFound)) throw new Error("class")
        }
      ),
      pureRuns
    )
  })
})

describe("a success answer the client could not read", () => {
  it("an error carrying a 2xx status (the SDK failing to deserialize) is MalformedResponse, retried, never unknown", () => {
    holds(
      "classifySdkError: 2xx status is MalformedResponse",
      fc.property(
        fc.constantFrom(...adapters),
        fc.integer({ min: 200, max: 299 }),
        fc.constantFrom("TypeError", "Error", "RangeError", "SyntaxError"),
        text,
        ([service, names], httpStatusCode, name, message) => {
          const error = asError({
            name,
            message: materialize(message),
            $metadata: { httpStatusCode, requestId: "req-1" }
          })
          const result = classifySdkError(service, names, error)
          if (result.reason._tag !== "MalformedResponse") {
            throw new Error(`${name} with HTTP ${httpStatusCode}: ${result.reason._tag}`)
          }
        }
      ),
      pureRuns
    )
  })
})

describe("each adapter's classifier", () => {
  it("Lightsail, Cloud Map and SSM for SAP: any thrown value gives their own request reason", () => {
    const tally = new Tally()
    holds(
      "adapter classifiers: any thrown value",
      fc.property(fc.constantFrom(...adapters), thrown, ([service, , classify], t) => {
        const error = make(t as Thrown)
        let result: unknown
        try {
          result = classify(error)
        } catch (e) {
          throw new Error(`the ${service} classifier threw: ${e instanceof Error ? e.message : typeof e}`)
        }
        tally.add(checkClassified(error, result, service))
      }),
      pureRuns,
      tally
    )
  })

  it("the SSM for SAP client's error codes: any header or body code is cleaned, never throws", () => {
    holds(
      "ssm-sap sanitizeErrorCode",
      fc.property(
        fc.oneof(
          text,
          fc
            .array(fc.constantFrom("a", ",", ":", "#", "Throttling"), { maxLength: 12 })
            .map((p) => p.join(""))
        ),
        (generated) => {
          const raw = materialize(generated) as string
          const code = sanitizeErrorCode(raw)
          if (typeof code !== "string") throw new Error("not a string")
          if (/[,:]/.test(code)) throw new Error(`"${code}" still holds a separator`)
        }
      ),
      pureRuns
    )
  })
})
