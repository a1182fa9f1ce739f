/**
 * The secrets suite's fixtures: recognisable credentials, a search for any piece of a secret in
 * a text, a loopback server that answers the three services' protocols with crafted bodies
 * (errors that echo the request's Authorization header, signature and session token back), and
 * the serializations an error goes through on its way to a log.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { inspect } from "node:util"
import { OpstatusError } from "@opstatus/core"
import * as Cause from "effect/Cause"
import * as Schema from "effect/Schema"

/** An access key ID: not a secret (AWS prints it in its own messages), but recognisable. */
export const ACCESS_KEY_ID = "AKIAOPSTATUSSECRETS1"

/** The secret access key: 40 characters, never sent by SigV4, so nothing may ever print it. */
export const SECRET_ACCESS_KEY = "SECRETsecretSECRETsecretSECRETsecret0123"

/**
 * The session token's prefix every STS token starts with (`origin_ec` in base64): public, the
 * same for everyone, so it is not searched for.
 */
export const TOKEN_PREFIX = "IQoJb3JpZ2luX2Vj"

/** The session token, shaped like STS's (the prefix, then base64 text). */
export const SESSION_TOKEN = `${TOKEN_PREFIX}${"TOKENtoken".repeat(30)}TOKEN+token/TOKEN==`

/** The three credentials, as an SDK client takes them. */
export const credentials = {
  accessKeyId: ACCESS_KEY_ID,
  secretAccessKey: SECRET_ACCESS_KEY,
  sessionToken: SESSION_TOKEN
} as const

/** How long a piece of a secret must be to count: longer than the 10 characters V8 quotes of a bad JSON body. */
export const WINDOW = 16

const windowsOf = (secret: string, from = 0): Array<string> => {
  const out: Array<string> = []
  for (let i = from; i + WINDOW <= secret.length; i++) out.push(secret.slice(i, i + WINDOW))
  return out
}

/**
 * Every piece of a secret to look for: each 16-character window of the secret key, of the
 * session token past its public prefix, and of each signature a server saw.
 */
export const secretWindows = (signatures: Iterable<string> = []): Map<string, string> => {
  const windows = new Map<string, string>()
  for (const w of windowsOf(SECRET_ACCESS_KEY)) windows.set(w, "the secret access key")
  for (const w of windowsOf(SESSION_TOKEN, TOKEN_PREFIX.length)) windows.set(w, "the session token")
  for (const signature of signatures) {
    for (const w of windowsOf(signature)) windows.set(w, `the signature ${signature.slice(0, 8)}…`)
  }
  return windows
}

/** The pieces of secrets a text holds, as `what: "…piece…"` lines; empty when it holds none. */
export const leaksIn = (text: string, windows: Map<string, string>): Array<string> => {
  const found: Array<string> = []
  for (let i = 0; i + WINDOW <= text.length; i++) {
    const what = windows.get(text.slice(i, i + WINDOW))
    if (what !== undefined) {
      found.push(`${what} at ${i}: …${text.slice(Math.max(0, i - 30), i + WINDOW + 30)}…`)
      i += WINDOW - 1
    }
  }
  return found
}

// ---------------------------------------------------------------------------
// Serializations

const safe = (f: () => unknown): string => {
  try {
    const out = f()
    return typeof out === "string" ? out : String(out)
  } catch (error) {
    return `<threw ${error instanceof Error ? error.message : String(error)}>`
  }
}

/**
 * Every way an error becomes text: `String`, `message`, `stack`, `JSON.stringify`,
 * `util.inspect` (deep, hidden properties shown), the Schema encoding of an `OpstatusError`,
 * and Effect's pretty cause.
 */
export const serializations = (error: unknown): Record<string, string> => {
  const e = error as { message?: unknown; stack?: unknown }
  const out: Record<string, string> = {
    String: safe(() => String(error)),
    message: safe(() => e.message),
    stack: safe(() => e.stack),
    "JSON.stringify": safe(() => JSON.stringify(error)),
    "util.inspect": safe(() => inspect(error, { depth: Infinity, showHidden: true, getters: true })),
    "Cause.pretty": safe(() => Cause.pretty(Cause.fail(error)))
  }
  if (error instanceof OpstatusError) {
    out["Schema.encode"] = safe(() => JSON.stringify(Schema.encodeUnknownSync(OpstatusError)(error)))
  }
  return out
}

// ---------------------------------------------------------------------------
// The crafted server

/** The service a request was for, and what it carried. */
export interface SeenRequest {
  readonly service: "lightsail" | "servicediscovery" | "ssm-sap"
  /** The operation: the target's part after the dot, or the path. */
  readonly operation: string
  readonly authorization: string
  readonly signature: string
  readonly securityToken: string
  readonly body: string
}

/** An answer: a status, headers and a body, or a reset connection. */
export type Answer =
  | { readonly status: number; readonly headers?: Record<string, string>; readonly body: string }
  | "reset"

/** A loopback server answering every request with what `answer` says. */
export interface CraftedServer {
  readonly endpoint: string
  /** Every request seen so far. */
  readonly seen: ReadonlyArray<SeenRequest>
  /** The signatures of every request seen so far. */
  readonly signatures: () => Array<string>
  /** How many requests for the service it has seen. */
  readonly count: (service: SeenRequest["service"]) => number
  /** Calls `f` after each request is seen (before it is answered). */
  readonly onRequest: (f: () => void) => void
  readonly stop: () => Promise<void>
}

const serviceOf = (req: IncomingMessage): SeenRequest["service"] => {
  const target = String(req.headers["x-amz-target"] ?? "")
  if (target.startsWith("Lightsail_")) return "lightsail"
  if (target.startsWith("Route53AutoNaming_")) return "servicediscovery"
  return "ssm-sap"
}

/** Starts a crafted server on 127.0.0.1. */
export const startCraftedServer = async (answer: (seen: SeenRequest) => Answer): Promise<CraftedServer> => {
  const seen: Array<SeenRequest> = []
  const listeners: Array<() => void> = []
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      const authorization = String(req.headers.authorization ?? "")
      const target = String(req.headers["x-amz-target"] ?? "")
      const request: SeenRequest = {
        service: serviceOf(req),
        operation: target === "" ? (req.url ?? "/") : target.slice(target.indexOf(".") + 1),
        authorization,
        signature: /Signature=([0-9a-f]+)/.exec(authorization)?.[1] ?? "",
        securityToken: String(req.headers["x-amz-security-token"] ?? ""),
        body: Buffer.concat(chunks).toString("utf8")
      }
      seen.push(request)
      for (const f of listeners) f()
      const a = answer(request)
      if (a === "reset") {
        req.socket.destroy()
        return
      }
      res.sendDate = false
      res.writeHead(a.status, {
        "content-type": "application/x-amz-json-1.1",
        "x-amzn-requestid": `req-${seen.length}`,
        "content-length": Buffer.byteLength(a.body),
        ...a.headers
      })
      res.end(a.body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen,
    signatures: () => seen.map((s) => s.signature).filter((s) => s !== ""),
    count: (service) => seen.filter((s) => s.service === service).length,
    onRequest: (f) => {
      listeners.push(f)
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
  }
}

/**
 * Everything a request carried that a broken or hostile service could quote back: the
 * Authorization header, the session token as a header, in a canonical request and in JSON, the
 * bare token and the bare signature, as in SigV4's `SignatureDoesNotMatch` messages.
 */
export const echoOf = (seen: SeenRequest): string =>
  [
    `Authorization: ${seen.authorization}`,
    `X-Amz-Security-Token: ${seen.securityToken}`,
    `The Canonical String for this request should have been 'POST\n/\n\nhost:127.0.0.1\nx-amz-security-token:${seen.securityToken}\n\nhost;x-amz-security-token'`,
    `The String-to-Sign should have been 'AWS4-HMAC-SHA256\n20260101T000000Z\n20260101/us-east-1/${seen.service}/aws4_request\n${seen.signature}'`,
    `headers {"X-Amz-Security-Token":"${seen.securityToken}","X-Amz-Signature":"${seen.signature}"}`,
    `query ?X-Amz-Security-Token=${encodeURIComponent(seen.securityToken)}&X-Amz-Signature=${seen.signature}`,
    `signature provided: ${seen.signature}`,
    `token: ${seen.securityToken}`,
    `bare ${seen.securityToken} and ${seen.signature}`
  ].join("; ")

/** A service error in the service's own format (awsJson for Lightsail and Cloud Map, restJson for SSM for SAP). */
export const serviceError = (status: number, code: string, message: string): Answer => ({
  status,
  headers: { "x-amzn-errortype": code },
  body: JSON.stringify({ __type: code, message, Message: message })
})
