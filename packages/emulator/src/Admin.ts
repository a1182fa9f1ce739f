/**
 * The admin surface under the reserved path prefix `/_emulator/`: JSON over HTTP, no auth, for
 * tests and benchmarks in other processes (create and force operations, read metrics, reset,
 * change the scenario, health).
 */
import { randomUUID } from "node:crypto"
import type { IncomingMessage, ServerResponse } from "node:http"
import { readBody } from "./internal/body.js"
import {
  parseCreateOperationInput,
  parseScenario,
  ScenarioError,
  SERVICE_NAMES,
  type ServiceName
} from "./Scenario.js"
import type { Simulation, TransitionTarget } from "./Simulation.js"

/** The reserved path prefix of the admin surface. */
export const ADMIN_PREFIX = "/_emulator/"

class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string
  ) {
    super(message)
  }
}

const readJson = async (req: IncomingMessage, cap: number): Promise<unknown> => {
  const body = await readBody(req, cap)
  if (body.tooLarge) throw new AdminError(413, `body exceeds ${cap} bytes`)
  const text = body.text
  if (text.trim() === "") return {}
  try {
    return JSON.parse(text)
  } catch {
    throw new AdminError(400, "body is not valid JSON")
  }
}

/** A percent-decoded path segment; a malformed escape (`%E0%A4%A`) is a 400, not a 500. */
const decodePart = (part: string): string => {
  try {
    return decodeURIComponent(part)
  } catch {
    throw new AdminError(400, `the path segment "${part}" is not valid percent-encoding`)
  }
}

const serviceOf = (name: string): ServiceName => {
  const service = SERVICE_NAMES.find((s) => s === name)
  if (service === undefined) throw new AdminError(404, `unknown service ${name}`)
  return service
}

const TARGETS: readonly TransitionTarget[] = ["running", "succeeded", "failed", "cancelled"]

/**
 * Routes match the documented paths exactly: one segment more (`health/extra`), a trailing slash
 * (an empty segment), or a dot segment (`..`, `.`, also percent-encoded as `%2e%2e`) is no route
 * (404). Nothing is normalised, so `scenario/../health` never reaches `health`.
 */
const route = async (req: IncomingMessage, sim: Simulation, cap: number): Promise<[number, unknown]> => {
  const path = (req.url ?? "").split("?")[0]!.slice(ADMIN_PREFIX.length)
  const parts = path.split("/").map(decodePart)
  const method = req.method ?? "GET"
  const noRoute = () => new AdminError(404, `no admin route ${method} ${ADMIN_PREFIX}${path}`)
  if (parts.some((part) => part === "" || part === "." || part === "..")) throw noRoute()
  const single = parts.length === 1
  const key = `${method} ${parts[0]}`
  switch (key) {
    case "GET health":
      if (!single) break
      return [200, { status: "ok", simulatedNow: sim.clock.now(), timeScale: sim.clock.timeScale() }]
    case "GET metrics":
      if (!single) break
      return [200, sim.metrics.snapshot()]
    case "POST reset":
      if (!single) break
      sim.reset()
      return [200, { status: "reset" }]
    case "GET scenario":
      if (!single) break
      return [200, sim.scenario()]
    case "POST scenario":
      if (!single) break
      sim.configure(parseScenario(await readJson(req, cap)))
      return [200, sim.scenario()]
    case "POST operations": {
      if (parts.length === 1)
        return [201, sim.createOperation(parseCreateOperationInput(await readJson(req, cap)))]
      if (parts.length === 4 && parts[3] === "transition") {
        const body = (await readJson(req, cap)) as Record<string, unknown>
        const to = body?.to
        if (!TARGETS.includes(to as TransitionTarget)) {
          throw new AdminError(400, `"to" must be one of ${TARGETS.join(", ")}`)
        }
        const reason: { errorCode?: string; errorMessage?: string } = {}
        if (typeof body.errorCode === "string") reason.errorCode = body.errorCode
        if (typeof body.errorMessage === "string") reason.errorMessage = body.errorMessage
        const service = serviceOf(parts[1]!)
        if (sim.describe(service, parts[2]!) === undefined)
          throw new AdminError(404, `no such operation ${parts[2]}`)
        return [200, sim.transition(service, parts[2]!, to as TransitionTarget, reason)]
      }
      break
    }
    case "GET operations": {
      if (parts.length === 3) {
        const service = serviceOf(parts[1]!)
        const found = sim.describe(service, parts[2]!)
        if (found === undefined) throw new AdminError(404, `no such operation ${parts[2]}`)
        return [200, { ...found, terminalAt: sim.terminalAt(service, parts[2]!) ?? null }]
      }
      break
    }
  }
  throw noRoute()
}

/** Handles one admin request; never throws. */
export const handleAdminRequest = async (
  req: IncomingMessage,
  res: ServerResponse,
  sim: Simulation,
  maxBodyBytes: number
): Promise<void> => {
  res.sendDate = false
  let status: number
  let body: unknown
  try {
    ;[status, body] = await route(req, sim, maxBodyBytes)
  } catch (error) {
    status = error instanceof AdminError ? error.status : error instanceof ScenarioError ? 400 : 500
    body = { error: error instanceof Error ? error.message : String(error) }
  }
  if (res.destroyed) return
  const text = JSON.stringify(body)
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "x-amzn-requestid": randomUUID(),
    // A body over the cap is never read to its end: close the connection after the answer.
    ...(status === 413 ? { connection: "close" } : {})
  })
  res.end(text)
}
