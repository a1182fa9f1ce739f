/**
 * Test helpers: the real structural path. `SsmSapHttpClient` (SigV4 over
 * fetch) talks to the emulator, to the emulator through a proxy that edits
 * its answers on the wire, or to a scripted loopback server.
 */
import { createServer, type IncomingMessage, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { type Emulator, startEmulator } from "@opstatus/emulator"
import { SsmSapHttpClient } from "@opstatus/ssm-sap/http"
import { afterEach } from "vitest"

export const region = "us-east-1"
export const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "x" }

/** Fast polling for tests. */
export const quick = { minDelay: 1, maxDelay: 5, timeout: "5 seconds", notFoundGrace: "2 seconds" } as const

/** A lane rate limit that leaves a throttle nothing to wait for in tests. */
export const fastLane = { rateLimit: { start: 1000, min: 1000, max: 1000 } } as const

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** Settles a promise into its rejection (fails the test if it resolves). */
export const rejection = async (promise: PromiseLike<unknown>): Promise<any> => {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error("expected the call to fail, but it succeeded")
}

/** A request as a loopback server saw it. */
export interface Seen {
  readonly method: string
  readonly url: string
  readonly headers: IncomingMessage["headers"]
  readonly body: string
}

/** An answer of a scripted server; `"hang"` never answers. */
export type Reply = { status: number; headers?: Record<string, string>; body: string } | "hang"

const listen = async (server: Server): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  cleanups.push(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** A scripted server that records requests and answers with `reply`; closed after the test. */
export const serve = async (reply: (seen: Seen) => Reply) => {
  const seen: Array<Seen> = []
  /** Requests left unanswered whose client went away. */
  const dropped: Array<Seen> = []
  const server = createServer((req, res) => {
    let body = ""
    req.on("data", (chunk) => {
      body += chunk
    })
    req.on("end", () => {
      const request = { method: req.method!, url: req.url!, headers: req.headers, body }
      seen.push(request)
      const answer = reply(request)
      if (answer === "hang") {
        res.on("close", () => dropped.push(request))
        return
      }
      res.sendDate = false
      res.writeHead(answer.status, answer.headers ?? {})
      res.end(answer.body)
    })
  })
  const endpoint = await listen(server)
  return { seen, dropped, endpoint, client: httpClient(endpoint) }
}

/** A 200 JSON answer with a request ID. */
export const ok = (body: unknown, requestId = "req-ok"): Reply => ({
  status: 200,
  headers: { "content-type": "application/json", "x-amzn-requestid": requestId },
  body: JSON.stringify(body)
})

/** A restJson error answer, as SSM for SAP sends it. */
export const failure = (status: number, name: string, message = "m", requestId = "rid-7"): Reply => ({
  status,
  headers: { "x-amzn-errortype": name, "x-amzn-requestid": requestId, "content-type": "application/json" },
  body: JSON.stringify({ message, Message: message })
})

/** The SigV4 client of `@opstatus/ssm-sap/http` pointed at an endpoint. */
export const httpClient = (endpoint: string, clientRegion = region) =>
  new SsmSapHttpClient({ region: clientRegion, endpoint, credentials })

/** An emulator on a scaled clock, stopped after the test. */
export const emulator = async (timeScale = 1000): Promise<Emulator> => {
  const started = await startEmulator({ port: 0, seed: 7, timeScale })
  cleanups.push(() => started.stop())
  return started
}

/** Requests the emulator answered for an SSM for SAP call. */
export const callsTo = (emu: Emulator, operation: string): number =>
  emu.metrics().services["ssm-sap"].byOperation[operation]?.total ?? 0

/**
 * A proxy in front of `target` that lets `edit` change a JSON answer of a
 * path (`/list-operations`...) before it reaches the client.
 */
export const proxy = async (target: string, edit: (path: string, json: any) => unknown) => {
  const server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", async () => {
      const headers: Record<string, string> = {}
      for (const [key, value] of Object.entries(req.headers)) {
        if (typeof value === "string" && key !== "host" && key !== "connection") headers[key] = value
      }
      const answer = await fetch(`${target}${req.url}`, {
        method: req.method!,
        headers,
        body: Buffer.concat(chunks)
      })
      let text = await answer.text()
      if (answer.status === 200) text = JSON.stringify(edit(req.url!, JSON.parse(text)))
      res.sendDate = false
      res.writeHead(answer.status, {
        "content-type": "application/json",
        ...(answer.headers.get("x-amzn-requestid") === null
          ? {}
          : { "x-amzn-requestid": answer.headers.get("x-amzn-requestid")! }),
        ...(answer.headers.get("x-amzn-errortype") === null
          ? {}
          : { "x-amzn-errortype": answer.headers.get("x-amzn-errortype")! })
      })
      res.end(text)
    })
  })
  return listen(server)
}
