import { inspect } from "node:util"
import { Effect, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { classifySdkError } from "../src/AdapterKit.js"
import {
  hasReason,
  isOpstatusError,
  OpstatusError,
  operationFailed,
  requestError,
  waitTimeout,
  withRef
} from "../src/OpstatusError.js"
import { op, ref } from "./helpers.js"

const names = {
  notFound: ["OperationNotFound"],
  throttling: ["RequestLimitExceeded"],
  invalid: ["InvalidInput"]
}
const classify = (error: unknown) => classifySdkError("servicediscovery", names, error)

/** An SDK error as the SDK throws it: with its response, headers and the client's credentials around. */
const sdkError = (name: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} happened`), {
    name,
    $fault: "client",
    $metadata: { httpStatusCode: 400, requestId: "req-7" },
    $response: {
      headers: {
        authorization:
          "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261202/us-east-1/servicediscovery/aws4_request, Signature=0123456789abcdef0123456789abcdef"
      }
    },
    config: {
      credentials: {
        secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        sessionToken: "FwoGZXIvYXdzEXAMPLETOKEN"
      }
    },
    ...extra
  })

describe("the one classifier", () => {
  it.each([
    ["OperationNotFound", {}, "OperationNotFound", false],
    ["RequestLimitExceeded", {}, "Throttled", true],
    ["ThrottlingException", {}, "Throttled", true],
    ["AccessDeniedException", {}, "AccessDenied", false],
    ["ExpiredTokenException", {}, "Unauthenticated", false],
    ["CredentialsProviderError", { $metadata: undefined }, "Unauthenticated", false],
    // AWS answers a bad signature or an expired token with 403: the name decides, not the status.
    ["InvalidSignatureException", { $metadata: { httpStatusCode: 403 } }, "Unauthenticated", false],
    ["ExpiredTokenException", { $metadata: { httpStatusCode: 403 } }, "Unauthenticated", false],
    ["Forbidden", { $metadata: { httpStatusCode: 403 } }, "AccessDenied", false],
    ["Unauthorized", { $metadata: { httpStatusCode: 401 } }, "Unauthenticated", false],
    ["InternalFailure", { $metadata: { httpStatusCode: 500 } }, "ServiceUnavailable", true],
    ["SyntaxError", { $metadata: undefined }, "MalformedResponse", true],
    ["InvalidInput", {}, "InvalidRequest", false],
    ["Weird", { $metadata: { httpStatusCode: 418 } }, "UnknownServiceError", false]
  ])("%s is %s", (name, extra, tag, retryable) => {
    const error = classify(sdkError(name, extra))
    expect(error.reason._tag).toBe(tag)
    expect(error.isRetryable).toBe(retryable)
    expect(error.kind).toBe("request")
    expect(error.code).toBe(name)
    expect(error.serviceMessage).toBe(`${name} happened`)
  })

  it("an endpoint that cannot be reached is EndpointUnreachable, naming the endpoint", () => {
    const dns = classify(
      Object.assign(new Error("getaddrinfo ENOTFOUND servicediscovery.mars-1.amazonaws.com"), {
        code: "ENOTFOUND",
        hostname: "servicediscovery.mars-1.amazonaws.com"
      })
    )
    expect(dns.reason._tag).toBe("EndpointUnreachable")
    expect(dns.code).toBe("ENOTFOUND")
    expect(dns.reason._tag === "EndpointUnreachable" && dns.reason.endpoint).toBe(
      "servicediscovery.mars-1.amazonaws.com"
    )
    expect(dns.message).toContain("cannot be reached at servicediscovery.mars-1.amazonaws.com")
    expect(dns.message).toContain("Check the region, the endpoint")
    // fetch wraps the network error in its cause.
    const refused = classify(
      Object.assign(new TypeError("fetch failed"), {
        cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), {
          code: "ECONNREFUSED",
          address: "127.0.0.1",
          port: 9
        })
      })
    )
    expect(refused.reason._tag).toBe("EndpointUnreachable")
    expect(refused.reason._tag === "EndpointUnreachable" && refused.reason.endpoint).toBe("127.0.0.1:9")
  })

  it("a connection that fails after it was made is ServiceUnavailable, absorbed like a 5xx", () => {
    const error = classify(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }))
    expect(error.reason._tag).toBe("ServiceUnavailable")
    expect(error.code).toBe("ECONNRESET")
  })

  it("never throws, whatever it is given", () => {
    const throwing = {
      get name(): string {
        throw new Error("no")
      }
    }
    for (const value of [null, undefined, 42, "text", Object.create(null), throwing]) {
      expect(isOpstatusError(classify(value))).toBe(true)
    }
  })

  it("keeps no secret: not the secret key, the session token or the signature", () => {
    const error = withRef(classify(sdkError("AccessDeniedException")), ref())
    const shown = [
      String(error),
      JSON.stringify(error),
      inspect(error, { depth: null, showHidden: true }),
      JSON.stringify(Schema.encodeSync(Schema.toCodecJson(OpstatusError))(error))
    ].join("\n")
    expect(shown).toContain("AccessDeniedException")
    for (const secret of ["wJalrXUtnFEMI", "FwoGZXIvYXdz", "Signature=", "0123456789abcdef"])
      expect(shown).not.toContain(secret)
  })
})

describe("OpstatusError", () => {
  it("names the operation, the service, its code, message and request ID", () => {
    const error = withRef(
      requestError("OperationNotFound", {
        service: "servicediscovery",
        code: "OperationNotFound",
        serviceMessage: "gone",
        requestId: "r-1"
      }),
      ref()
    )
    expect(error.message).toBe(
      `Operation servicediscovery:us-east-1:${ref().id} was not found (OperationNotFound): gone`
    )
    expect(error.service).toBe("servicediscovery")
    expect(error.ref).toEqual(ref())
    expect(error.requestId).toBe("r-1")
    expect(hasReason(error, "OperationNotFound")).toBe(true)
    expect(hasReason(error, "Throttled")).toBe(false)
  })

  it("the operation's own failure carries its code, message and request ID", () => {
    const error = operationFailed(
      op("failed", { error: { code: "CANNOT_CREATE", message: "zone limit" }, requestId: "r-2" })
    )
    expect(error.kind).toBe("operation")
    expect(error.code).toBe("CANNOT_CREATE")
    expect(error.serviceMessage).toBe("zone limit")
    expect(error.requestId).toBe("r-2")
    expect(error.message).toContain("failed: CANNOT_CREATE: zone limit")
    expect(error.operation?.status).toBe("failed")
  })

  it("a timeout states the time really waited", () => {
    const error = waitTimeout({
      ref: ref(),
      timeoutMillis: 10_000,
      waitedMillis: 12_500,
      lastSeen: op("running")
    })
    expect(error.message).toContain("Timed out after 12s 500ms")
    expect(error.message).toContain("last status RUNNING (running)")
    expect(error.isRetryable).toBe(true)
  })

  it("round-trips through JSON with its reason, for a serialized fleet wait", async () => {
    const codec = Schema.toCodecJson(OpstatusError)
    const error = operationFailed(op("failed", { error: { message: "x" }, raw: null }))
    const back = await Effect.runPromise(
      Schema.decodeUnknownEffect(codec)(JSON.parse(JSON.stringify(Schema.encodeSync(codec)(error))))
    )
    expect(back).toBeInstanceOf(OpstatusError)
    expect(back.reason._tag).toBe("OperationFailed")
    expect(back.message).toBe(error.message)
  })

  it("is caught by reason with Effect.catchReason", async () => {
    const failed = Effect.fail(operationFailed(op("failed")))
    const handled = await Effect.runPromise(
      failed.pipe(
        Effect.catchReason("OpstatusError", "OperationFailed", (reason) =>
          Effect.succeed(`caught ${reason.operation.status}`)
        )
      )
    )
    expect(handled).toBe("caught failed")
  })
})
