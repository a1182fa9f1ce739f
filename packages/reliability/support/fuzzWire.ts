/**
 * A node:http server on 127.0.0.1 that answers the real clients (the AWS SDK
 * v3 LightsailClient and ServiceDiscoveryClient, the SigV4 SSM for SAP
 * client) with a script of replies a property generated: any status code,
 * headers and body (valid operations with any status, error bodies, any
 * JSON, text, broken UTF-8, truncated or huge bodies), a connection reset, a
 * reply cut short, or no reply at all. Only requests for the operation of
 * the current run take from the script (list reads from a script of their
 * own); any other request, and every request once its script is used up,
 * is answered with a 403
 * AccessDeniedException, which ends a wait at once. The server records what
 * it served, so a property can tell whether a success was ever said.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

/** One reply of a script. */
export interface Reply {
  readonly status: number
  readonly headers: ReadonlyArray<readonly [string, string]>
  readonly body: string | Uint8Array
  /** `reset` destroys the connection unanswered; `partial` sends half the body; `stall` never answers. */
  readonly behaviour: "normal" | "reset" | "partial" | "stall"
}

/** One reply served for the current run's operations. */
export interface Served {
  readonly service: string
  readonly call: string
  /** The operation a GetOperation asked for; undefined for a list read. */
  readonly id: string | undefined
  readonly status: number
  /** The body as JSON, when it was JSON and was sent whole with a 2xx status. */
  readonly json: unknown
}

/** The list reads a fleet makes: they take from the list script. */
const listCalls = new Set(["GetOperations", "GetOperationsForResource", "ListOperations", "list-operations"])

/** `@@ID@@` becomes the operation asked for; `@@ID<k>@@` the run's k-th operation. */
const placeholders = (text: string, asked: string | undefined, ids: ReadonlyArray<string>): string =>
  text.replace(/@@ID(\d*)@@/g, (_, k: string) => (k === "" ? (asked ?? "") : (ids[Number(k)] ?? "")))

/** The service and call a request is for, by its target header or its path. */
const routeOf = (req: IncomingMessage): { service: string; call: string } => {
  const target = String(req.headers["x-amz-target"] ?? "")
  if (target.startsWith("Lightsail_")) return { service: "lightsail", call: target.split(".")[1] ?? "" }
  if (target.startsWith("Route53AutoNaming_")) {
    return { service: "servicediscovery", call: target.split(".")[1] ?? "" }
  }
  return { service: "ssm-sap", call: (req.url ?? "").replace(/^\//, "") }
}

const idOf = (body: string): string | undefined => {
  try {
    const input = JSON.parse(body) as Record<string, unknown>
    const id = input.operationId ?? input.OperationId
    return typeof id === "string" ? id : undefined
  } catch {
    return undefined
  }
}

const denied = (res: ServerResponse) => {
  const body = JSON.stringify({ __type: "AccessDeniedException", message: "fuzz: the script is used up" })
  res.writeHead(403, {
    "content-type": "application/x-amz-json-1.1",
    "x-amzn-errortype": "AccessDeniedException",
    "x-amzn-requestid": "fuzz-denied"
  })
  res.end(body)
}

const jsonOf = (reply: Reply): unknown => {
  if (reply.behaviour !== "normal" || reply.status < 200 || reply.status >= 300) return undefined
  try {
    return JSON.parse(typeof reply.body === "string" ? reply.body : Buffer.from(reply.body).toString("utf8"))
  } catch {
    return undefined
  }
}

const withIds = (reply: Reply, asked: string | undefined, ids: ReadonlyArray<string>): Reply =>
  typeof reply.body === "string" ? { ...reply, body: placeholders(reply.body, asked, ids) } : reply

export interface WireServer {
  readonly endpoint: string
  /**
   * Starts a run: the operations it is about, the replies to their GetOperation calls (in turn,
   * whichever operation asks) and the replies to list reads.
   */
  readonly load: (
    operationIds: ReadonlyArray<string>,
    replies: ReadonlyArray<Reply>,
    listReplies?: ReadonlyArray<Reply>
  ) => void
  /** What was served in the current run. */
  readonly served: () => ReadonlyArray<Served>
  readonly close: () => Promise<void>
}

export const startWireServer = async (): Promise<WireServer> => {
  let current: ReadonlyArray<string> = []
  let script: Array<Reply> = []
  let lists: Array<Reply> = []
  let served: Array<Served> = []
  const stalled = new Set<ServerResponse>()

  const answer = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const route = routeOf(req)
    const asked = idOf(body)
    const queue = listCalls.has(route.call)
      ? lists
      : asked !== undefined && current.includes(asked)
        ? script
        : []
    if (queue.length === 0) return denied(res)
    const reply = withIds(queue.shift()!, asked, current)
    served.push({ ...route, id: asked, status: reply.status, json: jsonOf(reply) })
    if (reply.behaviour === "reset") {
      req.socket.destroy()
      return
    }
    if (reply.behaviour === "stall") {
      stalled.add(res)
      res.on("close", () => stalled.delete(res))
      return
    }
    const bytes = typeof reply.body === "string" ? Buffer.from(reply.body, "utf8") : Buffer.from(reply.body)
    const headers: Record<string, string> = {}
    for (const [name, value] of reply.headers) headers[name] = value
    if (reply.behaviour === "partial") {
      res.writeHead(reply.status, { ...headers, "content-length": String(bytes.length + 10) })
      res.write(bytes.subarray(0, Math.floor(bytes.length / 2)))
      setImmediate(() => req.socket.destroy())
      return
    }
    res.writeHead(reply.status, headers)
    res.end(bytes)
  }

  const server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      try {
        answer(req, res, Buffer.concat(chunks).toString("utf8"))
      } catch {
        // A header node refuses: the reply is a reset.
        req.socket.destroy()
      }
    })
  })
  server.keepAliveTimeout = 1_000
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    load: (operationIds, replies, listReplies = []) => {
      current = operationIds
      script = [...replies]
      lists = [...listReplies]
      served = []
    },
    served: () => served,
    close: async () => {
      for (const res of stalled) res.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
