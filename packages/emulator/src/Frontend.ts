/**
 * The HTTP front end of the emulated services: reads the body under a size cap, finds the service
 * and operation (awsJson by `X-Amz-Target`, SSM for SAP's restJson by path, the query protocol and
 * REST-XML through the service's codec), checks the SigV4 credential scope, applies faults, runs
 * the operation and writes the answer in the service's wire format.
 * It never throws and always answers or closes the socket.
 */
import { randomUUID } from "node:crypto"
import type { IncomingMessage, ServerResponse } from "node:http"
import { setTimeout as sleep } from "node:timers/promises"
import { CLOUD_MAP_TARGET_PREFIX } from "./CloudMap.js"
import { ApiError, type ErrorKind } from "./internal/apiError.js"
import { type Body, readBody } from "./internal/body.js"
import { isRegionCode } from "./internal/lookup.js"
import { type CredentialScope, parseAuthorization } from "./internal/sigv4.js"
import { encodeError } from "./internal/wireErrors.js"
import { LIGHTSAIL_TARGET_PREFIX } from "./Lightsail.js"
import type { Outcome } from "./Metrics.js"
import { SERVICE_NAMES, type ServiceName } from "./Scenario.js"
import { SERVICES, type Simulation } from "./Simulation.js"
import { SSM_SAP_ROUTES } from "./SsmSap.js"

/** What the front end needs besides the request. */
export interface FrontendContext {
  readonly sim: Simulation
  readonly maxBodyBytes: number
  /** Aborted when the emulator stops, to cut injected latency short. */
  readonly signal: AbortSignal
}

interface Route {
  readonly service: ServiceName | undefined
  /** The operation name as asked; undefined when the request names none (or a codec reads it later). */
  operation: string | undefined
}

const TARGETS = new Map<string, ServiceName>([
  [LIGHTSAIL_TARGET_PREFIX, "lightsail"],
  [CLOUD_MAP_TARGET_PREFIX, "servicediscovery"],
  ...SERVICE_NAMES.flatMap((name): Array<[string, ServiceName]> => {
    const json = SERVICES[name].json
    return json === undefined ? [] : [[json.targetPrefix, name]]
  })
])

/** The services that claim requests by path or credential scope (the query protocol, REST-XML). */
const CLAIMING = SERVICE_NAMES.filter((name) => SERVICES[name].claims !== undefined)

const SSM_SAP_PATHS = new Map<string, string>(Object.entries(SSM_SAP_ROUTES))

/** The service a credential scope names (Cloud Control signs as `cloudcontrolapi`). */
const scopeService = (scope: CredentialScope | undefined): ServiceName | undefined => {
  const signing = scope?.service === "cloudcontrolapi" ? "cloudcontrol" : scope?.service
  return SERVICE_NAMES.find((name) => name === signing)
}

/** Finds the service and operation: awsJson routes on X-Amz-Target (the path is ignored), restJson on the path. */
const identify = (req: IncomingMessage, scope: CredentialScope | undefined): Route => {
  const target = req.headers["x-amz-target"]
  if (typeof target === "string" && target !== "") {
    const dot = target.indexOf(".")
    const prefix = dot < 0 ? target : target.slice(0, dot)
    const service = TARGETS.get(prefix)
    return {
      service: service ?? scopeService(scope),
      operation: service === undefined ? target : target.slice(dot + 1)
    }
  }
  const path = (req.url ?? "/").split("?")[0]!
  const last = path.replace(/\/+$/, "").split("/").pop() ?? ""
  const operation = SSM_SAP_PATHS.get(last)
  if (operation !== undefined && req.method === "POST") return { service: "ssm-sap", operation }
  const claimed = CLAIMING.find((name) =>
    SERVICES[name].claims!({ method: req.method ?? "GET", path }, scope?.service)
  )
  // A codec service's operation is known once its codec has read the request.
  return { service: claimed ?? scopeService(scope), operation: undefined }
}

const HTML_502 =
  "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>"

/** Handles one request to an emulated service. */
export const handleServiceRequest = async (
  req: IncomingMessage,
  res: ServerResponse,
  ctx: FrontendContext
): Promise<void> => {
  // A Date header would make the SDK correct its clock; send none.
  res.sendDate = false
  const { sim } = ctx
  const requestId = randomUUID()
  const authorization = req.headers.authorization
  const scope = parseAuthorization(authorization)
  const route = identify(req, scope)
  // Only a region code names a tenancy (and a metrics key); anything else is refused below.
  const validRegion = scope !== undefined && isRegionCode(scope.region)
  const region = validRegion ? scope.region : "unknown"
  const api = route.service === undefined ? undefined : SERVICES[route.service]
  const codec = api?.codec
  let known =
    route.service !== undefined &&
    route.operation !== undefined &&
    SERVICES[route.service].operations.has(route.operation)
  let operationName = known ? route.operation! : "Unknown"

  const record = (outcome: Outcome) => sim.metrics.record(route.service, operationName, region, outcome)
  const send = (status: number, contentType: string, text: string, extra: Record<string, string> = {}) => {
    res.writeHead(status, {
      "content-type": contentType,
      "content-length": Buffer.byteLength(text),
      "x-amzn-requestid": requestId,
      ...extra
    })
    res.end(text)
  }
  const fail = (
    kind: ErrorKind,
    message: string,
    outcome?: Outcome,
    extra: Record<string, string> = {},
    code?: string
  ) => {
    const table = api?.errors
    if (table !== undefined) {
      const wireError = { name: code ?? table[kind].name, status: table[kind].status }
      if (codec !== undefined) {
        const answer = codec.encodeError(wireError, message, requestId)
        send(answer.status, answer.contentType, answer.body, { ...answer.headers, ...extra })
      } else {
        const body = JSON.stringify({ __type: wireError.name, message, Message: message })
        send(wireError.status, api?.json?.contentType ?? "application/x-amz-json-1.1", body, {
          "x-amzn-errortype": wireError.name,
          ...extra
        })
      }
      record(outcome ?? (wireError.status >= 500 ? "error-5xx" : "error-4xx"))
      return
    }
    const e = encodeError(route.service as Parameters<typeof encodeError>[0], kind, message)
    send(e.status, e.contentType, JSON.stringify(e.body), { "x-amzn-errortype": e.name, ...extra })
    record(outcome ?? (e.status >= 500 ? "error-5xx" : "error-4xx"))
  }

  let body: Body
  try {
    body = await readBody(req, ctx.maxBodyBytes)
  } catch {
    return
  }
  if (body.tooLarge) {
    // The rest of the body is never read: close the connection after the answer.
    return fail("tooLarge", `The request body exceeds the limit of ${ctx.maxBodyBytes} bytes.`, undefined, {
      connection: "close"
    })
  }
  // Real AWS says MissingAuthenticationTokenException here; we use the AccessDeniedException name throughout.
  if (authorization === undefined) return fail("accessDenied", "Missing Authentication Token")
  if (scope === undefined) {
    return fail("accessDenied", "Authorization header requires a SigV4 'Credential' parameter.")
  }
  if (!validRegion) {
    return fail(
      "accessDenied",
      `Credential should be scoped to a valid region; "${scope.region.slice(0, 64)}" is not a region code.`
    )
  }
  if (sim.isDenied(scope.accessKeyId)) {
    return fail(
      "accessDenied",
      `User with access key ${scope.accessKeyId} is not authorized to perform ${route.operation ?? "this action"}.`
    )
  }
  let input: unknown
  if (codec !== undefined) {
    try {
      const url = new URL(req.url ?? "/", "http://emulator")
      const decoded = codec.decode({
        method: req.method ?? "GET",
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: body.text
      })
      route.operation = decoded.operation
      input = decoded.input
      known = api!.operations.has(decoded.operation)
      if (known) operationName = decoded.operation
    } catch (error) {
      if (error instanceof ApiError) return fail(error.kind, error.message, undefined, {}, error.code)
      return fail("validation", "The request could not be read.")
    }
  }
  if (!known || route.service === undefined) {
    return fail("unknownOperation", `The operation ${route.operation ?? req.url ?? ""} is not supported.`)
  }
  const service = route.service
  const operation = route.operation!

  const decision = sim.faults.decide(service, region, sim.settings(service, region), sim.clock.real())
  if (decision.latencyMs > 0) {
    try {
      await sleep(decision.latencyMs, undefined, { signal: ctx.signal })
    } catch {
      return
    }
  }
  if (decision.throttled) return fail("throttling", "Rate exceeded", "throttled")
  if (decision.reset) {
    record("reset")
    req.socket.destroy()
    return
  }
  if (decision.serverError !== undefined) {
    return decision.serverError === 500
      ? fail("internal", "An internal error occurred. Try again later.")
      : fail("unavailable", "The service is unavailable. Try again later.")
  }
  if (decision.malformed === "html502") {
    record("malformed")
    return send(502, "text/html", HTML_502)
  }

  if (codec === undefined) {
    try {
      input = body.text.trim() === "" ? {} : JSON.parse(body.text)
    } catch {
      return fail("validation", "The request body is not valid JSON.")
    }
  }
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return fail("validation", "The request body must be a JSON object.")
  }

  let result: Record<string, unknown>
  try {
    result = sim.call(service, operation, input as Record<string, unknown>, scope.accessKeyId, region)
  } catch (error) {
    if (error instanceof ApiError) return fail(error.kind, error.message, undefined, {}, error.code)
    return fail("internal", "An internal error occurred.")
  }
  const answer =
    codec !== undefined
      ? codec.encode(operation, result, requestId)
      : {
          status: 200,
          body: JSON.stringify(result),
          contentType:
            api?.json?.contentType ??
            (service === "ssm-sap" ? "application/json" : "application/x-amz-json-1.1"),
          headers: undefined
        }
  if (decision.malformed === "json200") {
    record("malformed")
    // A strict prefix of a JSON object (or of an XML document) never parses.
    return send(
      200,
      answer.contentType,
      answer.body.slice(0, Math.max(1, Math.floor(answer.body.length / 2)))
    )
  }
  record("ok")
  send(answer.status, answer.contentType, answer.body, { ...answer.headers })
}
