/**
 * Every kind of error the library produces, with recognisable credentials, through the real
 * SDK clients (Lightsail, Cloud Map) and `SsmSapHttpClient`: against a loopback server that
 * answers crafted error bodies echoing the request's Authorization header, signature and
 * session token back, and against the emulator. Each error, in every serialization (`String`,
 * `message`, `stack`, `JSON.stringify`, deep `util.inspect` with hidden properties, the Schema
 * encoding, Effect's pretty cause), and every warning, holds no piece of the secret key, the
 * session token or a signature. The access key ID a denial quotes passes through verbatim.
 */
import { LightsailClient } from "@aws-sdk/client-lightsail"
import { ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery"
import {
  createOperationStatus,
  isOpstatusError,
  type OperationStatusApi,
  type OpstatusError
} from "@opstatus/core"
import { type Emulator, startEmulator } from "@opstatus/emulator"
import { lightsailSource } from "@opstatus/lightsail"
import { serviceDiscoverySource } from "@opstatus/servicediscovery"
import { ssmSapSource } from "@opstatus/ssm-sap"
import { SsmSapHttpClient } from "@opstatus/ssm-sap/http"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  ACCESS_KEY_ID,
  type Answer,
  type CraftedServer,
  credentials,
  echoOf,
  leaksIn,
  type SeenRequest,
  secretWindows,
  serializations,
  serviceError,
  startCraftedServer
} from "../../support/secrets.js"

/** The services this suite drives. */
type ServiceName = "lightsail" | "servicediscovery" | "ssm-sap"

const region = "us-east-1"

/** A ref of each service whose ID has the service's shape. */
const refs: Record<ServiceName, string> = {
  lightsail: `lightsail:${region}:4b8a2c1e-0000-4000-8000-000000000001`,
  servicediscovery: `servicediscovery:${region}:abcdefghijklmnopqrstuvwxyz234567`,
  "ssm-sap": `ssm-sap:${region}:12345678-1234-4234-8234-123456789012`
}

/** Each service's own names for not found and invalid input. */
const names: Record<ServiceName, { readonly notFound: string; readonly invalid: string }> = {
  lightsail: { notFound: "NotFoundException", invalid: "InvalidInputException" },
  servicediscovery: { notFound: "OperationNotFound", invalid: "InvalidInput" },
  "ssm-sap": { notFound: "ResourceNotFoundException", invalid: "ValidationException" }
}

const serviceNames: ReadonlyArray<ServiceName> = ["lightsail", "servicediscovery", "ssm-sap"]

/** A crafted answer, by the request it answers, and the reason(s) it must become. */
interface Case {
  readonly name: string
  readonly answer: (seen: SeenRequest) => Answer
  /** The reasons it may become through `get` (the classifier's choice, where two fit). */
  readonly reasons: ReadonlyArray<string>
  /** A wait fails with it at once (or after its 3 tries), not at its deadline. */
  readonly failsWait: boolean
  /** The error keeps the service's quote, with the credentials cut (not so for a body that does not parse). */
  readonly quotes?: boolean
}

const denial = (seen: SeenRequest) =>
  `User: arn:aws:iam::123456789012:user/alice (access key ${ACCESS_KEY_ID}) is not authorized to perform: ${seen.service}:GetOperation on resource: * because no identity-based policy allows it. ${echoOf(seen)}`

const cases: ReadonlyArray<Case> = [
  {
    name: "denied",
    answer: (seen) => serviceError(400, "AccessDeniedException", denial(seen)),
    reasons: ["AccessDenied"],
    failsWait: true
  },
  {
    name: "denied (403)",
    answer: (seen) => serviceError(403, "AccessDeniedException", denial(seen)),
    reasons: ["AccessDenied"],
    failsWait: true
  },
  {
    name: "unrecognized client",
    answer: (seen) =>
      serviceError(
        400,
        "UnrecognizedClientException",
        `The security token included in the request is invalid. ${echoOf(seen)}`
      ),
    reasons: ["Unauthenticated"],
    failsWait: true
  },
  {
    name: "expired token",
    answer: (seen) =>
      serviceError(
        400,
        "ExpiredTokenException",
        `The security token included in the request is expired. ${echoOf(seen)}`
      ),
    reasons: ["Unauthenticated"],
    failsWait: true
  },
  {
    name: "signature does not match",
    answer: (seen) =>
      serviceError(
        403,
        "InvalidSignatureException",
        `The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. ${echoOf(seen)}`
      ),
    // 403 reads as AccessDenied before the name is looked at.
    reasons: ["Unauthenticated", "AccessDenied"],
    failsWait: true
  },
  {
    name: "throttled",
    answer: (seen) => serviceError(400, "ThrottlingException", `Rate exceeded. ${echoOf(seen)}`),
    reasons: ["Throttled"],
    failsWait: false
  },
  {
    name: "5xx",
    answer: (seen) =>
      serviceError(500, "InternalFailure", `We encountered an internal error. ${echoOf(seen)}`),
    reasons: ["ServiceUnavailable"],
    failsWait: false
  },
  {
    name: "HTML 502",
    answer: (seen) => ({
      status: 502,
      headers: { "content-type": "text/html" },
      body: `<html><body>Bad gateway. ${echoOf(seen)}</body></html>`
    }),
    reasons: ["ServiceUnavailable"],
    failsWait: false,
    quotes: false
  },
  {
    name: "connection reset",
    answer: () => "reset",
    reasons: ["ServiceUnavailable"],
    failsWait: false,
    quotes: false
  },
  {
    name: "not found",
    answer: (seen) =>
      serviceError(400, names[seen.service].notFound, `The operation does not exist. ${echoOf(seen)}`),
    reasons: ["OperationNotFound"],
    failsWait: true
  },
  {
    name: "invalid input",
    answer: (seen) =>
      serviceError(400, names[seen.service].invalid, `1 validation error detected. ${echoOf(seen)}`),
    reasons: ["InvalidRequest"],
    failsWait: true
  },
  {
    name: "unknown error",
    answer: (seen) => serviceError(418, "TeapotException", `I am a teapot. ${echoOf(seen)}`),
    reasons: ["UnknownServiceError"],
    failsWait: true
  },
  {
    name: "malformed: not JSON",
    answer: (seen) => ({ status: 200, body: `<html>${echoOf(seen)}</html>` }),
    reasons: ["MalformedResponse"],
    failsWait: true,
    quotes: false
  },
  {
    name: "malformed: JSON that starts right, then echoes",
    answer: (seen) => ({
      status: 200,
      body: `{"operation": {"id": x-amz-security-token: ${seen.securityToken}}, "Operation": ${seen.signature}}`
    }),
    reasons: ["MalformedResponse"],
    failsWait: true,
    quotes: false
  },
  {
    name: "credentials in the error type and request ID headers",
    answer: (seen) => ({
      status: 400,
      headers: {
        "x-amzn-errortype": `Deadbeef${seen.signature}`,
        "x-amzn-requestid": seen.securityToken
      },
      body: JSON.stringify({ message: echoOf(seen) })
    }),
    reasons: ["InvalidRequest"],
    failsWait: true
  }
]

/** The three sources over real clients with the recognisable credentials, pointed at `endpoint`. */
const statusAt = (endpoint: string, warnings: Array<string>): OperationStatusApi => {
  const config = { endpoint, region, credentials, maxAttempts: 1 }
  return createOperationStatus({
    sources: [
      lightsailSource({ client: new LightsailClient(config) }),
      serviceDiscoverySource({ client: new ServiceDiscoveryClient(config) }),
      ssmSapSource({ client: new SsmSapHttpClient({ endpoint, region, credentials }), region })
    ],
    defaults: { minDelay: 4, maxDelay: 20, notFoundGrace: 0, unreachableGrace: 0 },
    onWarning: (warning) => warnings.push(warning)
  })
}

const settle = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error("expected a rejection, got a result")
}

/** Fails with every piece of a secret found in any serialization of the error. */
const expectNoSecrets = (label: string, error: unknown, signatures: ReadonlyArray<string>): void => {
  const windows = secretWindows(signatures)
  const found = Object.entries(serializations(error)).flatMap(([how, text]) =>
    leaksIn(text, windows).map((leak) => `${how}: ${leak}`)
  )
  expect(found, label).toEqual([])
}

const expectNoSecretsInText = (label: string, text: string, signatures: ReadonlyArray<string>): void => {
  expect(leaksIn(text, secretWindows(signatures)), label).toEqual([])
}

describe.concurrent("crafted error answers that echo the request's credentials", () => {
  const servers: Array<CraftedServer> = []
  const opened: Array<OperationStatusApi> = []
  afterAll(async () => {
    await Promise.all(opened.map((status) => status.close()))
    await Promise.all(servers.map((server) => server.stop()))
  })

  for (const c of cases) {
    it(`${c.name}: get, waitForSuccess and waitForAll, in every serialization`, async () => {
      const server = await startCraftedServer(c.answer)
      servers.push(server)
      const warnings: Array<string> = []
      const status = statusAt(server.endpoint, warnings)
      opened.push(status)
      for (const service of serviceNames) {
        const ref = refs[service]
        const got = await settle(status.get(ref, { timeout: "60 seconds" }))
        expect(isOpstatusError(got), `${c.name} ${service}`).toBe(true)
        const error = got as OpstatusError
        expect(c.reasons, `${c.name} ${service}: ${error.message}`).toContain(error.reason._tag)
        expect(error.kind).toBe("request")
        expectNoSecrets(`${c.name} ${service} get`, error, server.signatures())
        if (c.quotes !== false) {
          // The service did quote the credentials: they were cut, not lost on the way.
          expect(`${error.code} ${error.serviceMessage} ${error.requestId}`).toContain("<redacted>")
        }
        if (c.failsWait) {
          const waited = await settle(status.waitForSuccess(ref, { timeout: "60 seconds" }))
          expect(isOpstatusError(waited)).toBe(true)
          expect(c.reasons).toContain((waited as OpstatusError).reason._tag)
          expectNoSecrets(`${c.name} ${service} wait`, waited, server.signatures())
          const [outcome] = await status.waitForAll([ref], { timeout: "60 seconds" })
          expect(outcome?.ok).toBe(false)
          expectNoSecrets(`${c.name} ${service} waitForAll`, outcome, server.signatures())
        }
      }
      expect(server.seen.length).toBeGreaterThan(0)
      for (const seen of server.seen) expect(seen.securityToken).toBe(credentials.sessionToken)
      for (const warning of warnings) expectNoSecretsInText(`${c.name} warning`, warning, server.signatures())
    })
  }

  it("retryable answers until the deadline: WaitTimeout (with the last error, when one was read)", async () => {
    const retryable = cases.filter((c) => !c.failsWait)
    const results = await Promise.all(
      retryable.map(async (c) => {
        const server = await startCraftedServer(c.answer)
        servers.push(server)
        const status = statusAt(server.endpoint, [])
        opened.push(status)
        const errors = await Promise.all(
          serviceNames.map((service) => settle(status.waitForSuccess(refs[service], { timeout: 400 })))
        )
        return { c, server, errors }
      })
    )
    for (const { c, server, errors } of results) {
      for (const error of errors) {
        expect(isOpstatusError(error)).toBe(true)
        const e = error as OpstatusError
        expect(e.reason._tag).toBe("WaitTimeout")
        // Whether a read answered before the deadline depends on the machine; when one did, it is the last error.
        const last = e.reason._tag === "WaitTimeout" ? e.reason.lastError : undefined
        if (last !== undefined) expect(c.reasons).toContain(last._tag)
        expectNoSecrets(`${c.name} timeout`, e, server.signatures())
      }
    }
  })

  it("a session token of no STS shape, quoted by name, is cut too; the bare secret key was never sent", async () => {
    const token = `${"TOKENtoken".repeat(20)}+/==`
    const server = await startCraftedServer((seen) =>
      serviceError(
        400,
        "UnrecognizedClientException",
        [
          `X-Amz-Security-Token: ${seen.securityToken}`,
          `x-amz-security-token:${seen.securityToken}`,
          `{\\"X-Amz-Security-Token\\":\\"${seen.securityToken}\\"}`,
          `<SessionToken>${seen.securityToken}</SessionToken>`,
          `SessionToken=${seen.securityToken}`,
          `aws_session_token = ${seen.securityToken}`,
          `aws_secret_access_key=${credentials.secretAccessKey}`,
          `"SecretAccessKey": "${credentials.secretAccessKey}"`
        ].join("\n")
      )
    )
    servers.push(server)
    const config = {
      endpoint: server.endpoint,
      region,
      credentials: { ...credentials, sessionToken: token },
      maxAttempts: 1
    }
    const status = createOperationStatus({
      sources: [
        lightsailSource({ client: new LightsailClient(config) }),
        ssmSapSource({ client: new SsmSapHttpClient(config), region })
      ]
    })
    opened.push(status)
    for (const ref of [refs.lightsail, refs["ssm-sap"]]) {
      const error = (await settle(status.get(ref))) as OpstatusError
      expect(error.reason._tag).toBe("Unauthenticated")
      const windows = secretWindows(server.signatures())
      for (let i = 0; i + 16 <= token.length; i++) windows.set(token.slice(i, i + 16), "the session token")
      for (const [how, text] of Object.entries(serializations(error))) {
        expect(leaksIn(text, windows), how).toEqual([])
      }
      expect(error.serviceMessage).toBe(
        [
          "X-Amz-Security-Token: <redacted>",
          "x-amz-security-token:<redacted>",
          '{\\"X-Amz-Security-Token\\":\\"<redacted>\\"}',
          "<SessionToken><redacted></SessionToken>",
          "SessionToken=<redacted>",
          "aws_session_token = <redacted>",
          "aws_secret_access_key=<redacted>",
          '"SecretAccessKey": "<redacted>"'
        ].join("\n")
      )
    }
  })
})

describe("warnings", () => {
  it("a status opstatus does not know, quoting the credentials: the warning cuts them", async () => {
    const server = await startCraftedServer((seen) => {
      const status = `Weird ${echoOf(seen)}`
      const operation = { Id: "x", Status: status, id: "x", status }
      return { status: 200, body: JSON.stringify({ operation, Operation: operation }) }
    })
    const warnings: Array<string> = []
    const status = statusAt(server.endpoint, warnings)
    try {
      for (const service of serviceNames) await status.get(refs[service])
      expect(warnings.length).toBeGreaterThan(0)
      for (const warning of warnings) {
        expectNoSecretsInText("warning", warning, server.signatures())
        expect(warning).toContain("<redacted>")
      }
    } finally {
      await status.close()
      await server.stop()
    }
  })
})

describe("the access key ID", () => {
  it("passes through verbatim where AWS quotes it: it is no secret, and names who was denied", async () => {
    const server = await startCraftedServer((seen) =>
      serviceError(
        400,
        "AccessDeniedException",
        `User: arn:aws:sts::123456789012:assumed-role/deploy/${ACCESS_KEY_ID} is not authorized to perform: ${seen.service}:GetOperation. Credential=${ACCESS_KEY_ID}/20260101/${region}/${seen.service}/aws4_request, Signature=${seen.signature}`
      )
    )
    const status = statusAt(server.endpoint, [])
    try {
      for (const service of serviceNames) {
        const error = (await settle(status.get(refs[service]))) as OpstatusError
        expect(error.reason._tag).toBe("AccessDenied")
        expect(error.serviceMessage).toBe(
          `User: arn:aws:sts::123456789012:assumed-role/deploy/${ACCESS_KEY_ID} is not authorized to perform: ${service}:GetOperation. Credential=${ACCESS_KEY_ID}/20260101/${region}/${service}/aws4_request, Signature=<redacted>`
        )
        for (const [how, text] of Object.entries(serializations(error))) {
          expect(text, how).toContain(ACCESS_KEY_ID)
        }
        expectNoSecrets(`${service} denial`, error, server.signatures())
      }
    } finally {
      await status.close()
      await server.stop()
    }
  })
})

describe("against the emulator", () => {
  let emulator: Emulator
  let status: OperationStatusApi
  const warnings: Array<string> = []
  // The emulator reads the Authorization header but never echoes it; nothing here saw a signature.
  const none: ReadonlyArray<string> = []

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, seed: 11, timeScale: 1 })
    status = statusAt(emulator.endpoint, warnings)
  })
  afterAll(async () => {
    await status.close()
    await emulator.stop()
  })

  /** An operation of the recognisable access key's account that runs until told otherwise. */
  const running = (service: ServiceName) => {
    const op = emulator.createOperation({ service, account: ACCESS_KEY_ID, region })
    emulator.transition(service, op.id, "running")
    return { op, ref: `${service}:${region}:${op.id}` }
  }

  it("failed operation: OperationFailed", async () => {
    for (const service of serviceNames) {
      const { op, ref } = running(service)
      emulator.transition(service, op.id, "failed", {
        errorCode: "InsufficientCapacity",
        errorMessage: "There is not enough capacity"
      })
      const error = (await settle(status.waitForSuccess(ref))) as OpstatusError
      expect(error.reason._tag).toBe("OperationFailed")
      expectNoSecrets(`${service} failed`, error, none)
    }
  })

  it("timeout: WaitTimeout with the last snapshot seen", async () => {
    const errors = await Promise.all(
      serviceNames.map((service) => settle(status.waitForSuccess(running(service).ref, { timeout: 300 })))
    )
    for (const error of errors) {
      expect((error as OpstatusError).reason._tag).toBe("WaitTimeout")
      expectNoSecrets("timeout", error, none)
    }
  })

  it("abort and close: WaitAborted", async () => {
    for (const service of serviceNames) {
      const controller = new AbortController()
      const aborted = await settle(
        status.waitForSuccess(running(service).ref, {
          signal: controller.signal,
          onProgress: () => controller.abort(new Error("stopped by the test"))
        })
      )
      expect((aborted as OpstatusError).reason._tag).toBe("WaitAborted")
      expectNoSecrets(`${service} abort`, aborted, none)
    }
    const own = statusAt(emulator.endpoint, warnings)
    const { ref } = running("lightsail")
    let closing: Promise<void> | undefined
    const closed = await settle(
      own.waitForSuccess(ref, {
        onProgress: () => {
          closing ??= own.close()
        }
      })
    )
    await closing
    expect((closed as OpstatusError).reason._tag).toBe("WaitAborted")
    expectNoSecrets("close", closed, none)
  })

  it("not found after its grace: OperationNotFound", async () => {
    for (const service of serviceNames) {
      const error = (await settle(status.waitForSuccess(refs[service]))) as OpstatusError
      expect(error.reason._tag).toBe("OperationNotFound")
      expectNoSecrets(`${service} not found`, error, none)
    }
  })

  it("denied access key: AccessDenied", async () => {
    emulator.configure({ deniedAccessKeys: [ACCESS_KEY_ID] })
    try {
      for (const service of serviceNames) {
        const error = (await settle(status.get(running(service).ref))) as OpstatusError
        expect(error.reason._tag).toBe("AccessDenied")
        expectNoSecrets(`${service} denied`, error, none)
      }
    } finally {
      emulator.configure({ deniedAccessKeys: [] })
    }
  })

  it("invalid input: InvalidRef, InvalidOptions, InvalidFleetState, InvalidConfig", async () => {
    const errors = [
      await settle(status.get("lightsail:nowhere:x")),
      await settle(status.get(`lightsail:${region}:${"x".repeat(300)}`)),
      await settle(status.waitForSuccess(refs.lightsail, { timeout: "soon" as never })),
      await settle(status.resume("{}")),
      await settle(Promise.resolve().then(() => createOperationStatus({ sources: [] })))
    ]
    expect(errors.map((e) => (e as OpstatusError).reason._tag)).toEqual([
      "InvalidRef",
      "InvalidRef",
      "InvalidOptions",
      "InvalidFleetState",
      "InvalidConfig"
    ])
    for (const error of errors) expectNoSecrets("input", error, none)
    for (const warning of warnings) expectNoSecretsInText("warning", warning, none)
  })

  it("unreachable endpoint: EndpointUnreachable", async () => {
    const closed = await startCraftedServer(() => "reset")
    await closed.stop()
    const own = statusAt(closed.endpoint, [])
    try {
      for (const service of serviceNames) {
        const got = (await settle(own.get(refs[service]))) as OpstatusError
        expect(got.reason._tag).toBe("EndpointUnreachable")
        expectNoSecrets(`${service} unreachable get`, got, none)
        const waited = (await settle(own.waitForSuccess(refs[service]))) as OpstatusError
        expect(waited.reason._tag).toBe("EndpointUnreachable")
        expectNoSecrets(`${service} unreachable wait`, waited, none)
      }
    } finally {
      await own.close()
    }
  })
})
