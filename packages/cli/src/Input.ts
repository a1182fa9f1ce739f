/**
 * Where refs come from: arguments (`service:region:id`, or a bare ID with `--service`),
 * and standard input, which may hold refs one per line, JSON (one document, several
 * concatenated, or NDJSON), or a mutating call's response as the AWS CLI prints it:
 *
 * - Lightsail `{ operations: [...] }` / `{ operation: {...} }` (camelCase; timestamps as
 *   ISO strings or epoch numbers): full operations, so one already terminal needs no poll;
 * - Cloud Map `{ OperationId }` (an ID like `[a-z0-9]{32}-[a-z0-9]{8}`);
 * - SSM for SAP `{ OperationId }` (a UUID) or `{ OperationIds: [...] }`.
 *
 * Cloud Map and SSM for SAP responses do not name their region: it comes from `--region`,
 * `AWS_REGION` or `AWS_DEFAULT_REGION`.
 *
 * @since 0.1.0
 */
import {
  formatRef,
  InvalidOperationRefError,
  isOperation,
  type Operation,
  type OperationRef,
  type ServiceSlug,
  serviceSlugs,
  validate
} from "@opstatus/core"
import { operationsFromResponse } from "@opstatus/lightsail"
import { refFromResponse as cloudMapRefFromResponse } from "@opstatus/servicediscovery"
import { refsFromResponse as ssmSapRefsFromResponse } from "@opstatus/ssm-sap"
import { Cause, Effect, Exit } from "effect"
import { UsageError } from "./Errors.js"

/**
 * What one input resolves to: a validated ref, or a snapshot (Lightsail responses).
 *
 * @since 0.1.0
 * @category models
 */
export type Target = OperationRef | Operation

/**
 * What reading refs needs to know.
 *
 * @since 0.1.0
 * @category models
 */
export interface InputOptions {
  /** The region for responses that do not name one (`--region`, `AWS_REGION`, `AWS_DEFAULT_REGION`). */
  readonly region?: string | undefined
  /** `--service`: the service of bare IDs and `OperationId` responses. */
  readonly service?: ServiceSlug | undefined
}

/** Cloud Map operation IDs in practice. */
const cloudMapIdPattern = /^[a-z0-9]{32}-[a-z0-9]{8}$/
const uuidPattern = /^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$/

/**
 * Parses `--service`.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseService = (value: string, flag = "--service"): ServiceSlug => {
  const normalized = value.trim().toLowerCase()
  const aliases: Record<string, ServiceSlug> = {
    lightsail: "lightsail",
    servicediscovery: "servicediscovery",
    "service-discovery": "servicediscovery",
    cloudmap: "servicediscovery",
    "cloud-map": "servicediscovery",
    "ssm-sap": "ssm-sap",
    ssmsap: "ssm-sap"
  }
  // Only the table's own keys: "constructor" or "__proto__" are not services.
  const service = Object.hasOwn(aliases, normalized) ? aliases[normalized] : undefined
  if (service === undefined) {
    throw new UsageError(
      `${flag} "${value}" is not a service opstatus knows`,
      `Use one of ${serviceSlugs.join(", ")}`
    )
  }
  return service
}

/** Runs core's synchronous validation and throws its error. */
const checked = (ref: OperationRef, input?: string): OperationRef => {
  const exit = Effect.runSyncExit(validate(ref, input))
  if (Exit.isSuccess(exit)) return exit.value
  throw Cause.squash(exit.cause)
}

/**
 * Says which service an operation ID belongs to: `--service` wins; a Cloud Map-shaped ID
 * is Cloud Map; a UUID from an `OperationId` response is SSM for SAP (Lightsail responses
 * carry full operations, never a bare `OperationId`).
 *
 * @since 0.1.0
 * @category parsing
 */
export const inferService = (
  id: string,
  options: InputOptions,
  context: "response" | "bare"
): ServiceSlug => {
  if (options.service !== undefined) return options.service
  if (cloudMapIdPattern.test(id)) return "servicediscovery"
  if (context === "response" && uuidPattern.test(id)) return "ssm-sap"
  throw new UsageError(
    `cannot tell which service operation ID "${shorten(id)}" belongs to`,
    context === "bare"
      ? "Write it as service:region:id, or pass --service (lightsail, servicediscovery or ssm-sap)"
      : "Pass --service servicediscovery or --service ssm-sap"
  )
}

const shorten = (s: string): string => (s.length > 60 ? `${s.slice(0, 57)}...` : s)

const requireRegion = (options: InputOptions, service: ServiceSlug, id: string): string => {
  if (options.region !== undefined && options.region !== "") return options.region
  throw new UsageError(
    `cannot tell the region of ${service} operation ${shorten(id)}: the response does not name it`,
    "Pass --region or set AWS_REGION"
  )
}

/**
 * A ref from one command-line argument or text token: `service:region:id`, or a bare ID
 * whose service is inferred or given with `--service`.
 *
 * @since 0.1.0
 * @category parsing
 */
export const refFromToken = (token: string, options: InputOptions): OperationRef => {
  const text = token.trim()
  if (text.includes(":")) {
    const first = text.indexOf(":")
    const second = text.indexOf(":", first + 1)
    if (second < 0) {
      throw new InvalidOperationRefError({
        input: text,
        reason: "expected the form service:region:id",
        message: `Invalid operation reference "${shorten(text)}": expected the form service:region:id`
      })
    }
    const service = text.slice(0, first)
    const aliased = (() => {
      try {
        return parseService(service)
      } catch {
        return service as ServiceSlug
      }
    })()
    return checked(
      { service: aliased, region: text.slice(first + 1, second), id: text.slice(second + 1) },
      shorten(text)
    )
  }
  if (text === "None" || text === "null") {
    throw new UsageError(
      `"${text}" is not an operation ID (the AWS CLI prints it for a missing field)`,
      "Check the --query of the AWS CLI command"
    )
  }
  const service = inferService(text, options, "bare")
  return checked({ service, region: requireRegion(options, service, text), id: text }, shorten(text))
}

/**
 * A `Date` from what the AWS CLI prints for a timestamp: an ISO string, epoch seconds (a
 * number or a numeric string), or epoch milliseconds.
 *
 * @since 0.1.0
 * @category parsing
 */
export const toDate = (value: unknown): Date | undefined => {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value
  let millis: number
  if (typeof value === "number") millis = epochMillis(value)
  else if (typeof value === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(value))
    millis = epochMillis(Number(value))
  else if (typeof value === "string") millis = Date.parse(value)
  else return undefined
  return Number.isFinite(millis) ? new Date(millis) : undefined
}

/** Below 10^11 a number is epoch seconds (until the year 5138), above it milliseconds. */
const epochMillis = (n: number): number => (Math.abs(n) < 1e11 ? Math.round(n * 1000) : Math.round(n))

const lightsailDateKeys = ["createdAt", "statusChangedAt"] as const

/**
 * A Lightsail operation as the AWS CLI prints it, with its timestamps turned into `Date`s
 * (what `operationsFromResponse` expects).
 *
 * @since 0.1.0
 * @category parsing
 */
export const withLightsailDates = (raw: unknown): unknown => {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return raw
  const out: Record<string, unknown> = { ...(raw as Record<string, unknown>) }
  for (const key of lightsailDateKeys) {
    if (!(key in out)) continue
    const date = toDate(out[key])
    if (date === undefined) delete out[key]
    else out[key] = date
  }
  return out
}

type Json = Record<string, unknown>

const isObject = (u: unknown): u is Json => typeof u === "object" && u !== null && !Array.isArray(u)

const looksLikeLightsailOperation = (u: Json): boolean =>
  typeof u.id === "string" &&
  typeof u.status === "string" &&
  ("operationType" in u || "resourceType" in u || "isTerminal" in u)

const lightsailTargets = (response: Json, options: InputOptions): Target[] => {
  const many = response.operations
  const one = response.operation
  const converted: Json = Array.isArray(many)
    ? { operations: many.map(withLightsailDates) }
    : { operation: withLightsailDates(one) }
  try {
    return operationsFromResponse(
      converted,
      options.region === undefined ? {} : { region: options.region }
    ).map((op) => {
      checked(op.ref)
      return op
    })
  } catch (error) {
    if (error instanceof InvalidOperationRefError && error.reason === "the region is unknown") {
      throw new UsageError(
        "a Lightsail operation in the input does not name its region (location.regionName)",
        "Pass --region or set AWS_REGION"
      )
    }
    throw error
  }
}

const idResponseTargets = (response: Json, options: InputOptions): Target[] => {
  const one = response.OperationId
  const many = response.OperationIds
  if (Array.isArray(many) && options.service !== undefined && options.service !== "ssm-sap") {
    throw new UsageError(
      `an OperationIds response is SSM for SAP, not ${options.service}`,
      "Drop --service or pass --service ssm-sap"
    )
  }
  const first =
    typeof one === "string" ? one : Array.isArray(many) ? many.find((x) => typeof x === "string") : undefined
  if (first === undefined || first === "") {
    if (Array.isArray(many) && many.length === 0) return []
    throw new UsageError("a response's OperationId is empty or not a string", "Check the piped command")
  }
  const service: ServiceSlug = Array.isArray(many) ? "ssm-sap" : inferService(first, options, "response")
  const region = requireRegion(options, service, first)
  switch (service) {
    case "servicediscovery": {
      const ref = cloudMapRefFromResponse(response, { region })
      return ref === undefined ? [] : [checked(ref)]
    }
    case "ssm-sap":
      return ssmSapRefsFromResponse(response, { region }).map((ref) => checked(ref))
    default:
      return [checked({ service, region, id: first })]
  }
}

/** `get-operation` output (`{ Operation: { Id, ... } }`) and `list-operations` items. */
const describedTargets = (operation: Json, options: InputOptions): Target[] => {
  const id = operation.Id
  if (typeof id !== "string" || id === "") {
    throw new UsageError("an Operation in the input has no Id", "Check the piped command")
  }
  const service = inferService(id, options, "response")
  return [checked({ service, region: requireRegion(options, service, id), id })]
}

const refObject = (u: Json): OperationRef | undefined => {
  if (typeof u.service !== "string" || typeof u.region !== "string" || typeof u.id !== "string")
    return undefined
  const hints: Record<string, string> = {}
  for (const key of ["resourceName", "applicationId", "namespaceId", "serviceId"]) {
    const value = u[key]
    if (typeof value === "string" && value !== "") hints[key] = value
  }
  return checked({ ...hints, service: u.service as ServiceSlug, region: u.region, id: u.id })
}

/**
 * The targets of one parsed JSON value.
 *
 * @since 0.1.0
 * @category parsing
 */
export const targetsFromJson = (value: unknown, options: InputOptions): Target[] => {
  if (typeof value === "string") return [refFromToken(value, options)]
  if (Array.isArray(value)) return value.flatMap((item) => targetsFromJson(item, options))
  if (!isObject(value)) {
    throw new UsageError(`standard input holds ${JSON.stringify(value)}, which is not a ref or a response`)
  }
  // opstatus's own --json output: change, operation and done events.
  if (typeof value.event === "string") {
    if (Array.isArray(value.operations)) return value.operations.flatMap((op) => targetsFromJson(op, options))
    if (isObject(value.operation)) return targetsFromJson(value.operation, options)
    return []
  }
  if (isObject(value.ref)) {
    const ref = refObject(value.ref)
    if (ref !== undefined) return [ref]
  }
  const own = refObject(value)
  if (own !== undefined) return [own]
  if (Array.isArray(value.operations) || (isObject(value.operation) && !isObject(value.operation.ref))) {
    return lightsailTargets(value, options)
  }
  if ("OperationId" in value || "OperationIds" in value) return idResponseTargets(value, options)
  if (isObject(value.Operation)) return describedTargets(value.Operation, options)
  if (Array.isArray(value.Operations)) {
    return value.Operations.flatMap((op) => (isObject(op) ? describedTargets(op, options) : []))
  }
  if (looksLikeLightsailOperation(value)) return lightsailTargets({ operation: value }, options)
  const keys = Object.keys(value).slice(0, 5).join(", ")
  throw new UsageError(
    `standard input holds a JSON object opstatus cannot read (keys: ${keys || "none"})`,
    "Pipe the response of a mutating call (operations, operation, OperationId or OperationIds), or refs"
  )
}

/**
 * One piece of standard input: a JSON value, or a line of text.
 *
 * @since 0.1.0
 * @category parsing
 */
export type Piece =
  | { readonly kind: "json"; readonly value: unknown; readonly line: number }
  | { readonly kind: "text"; readonly text: string; readonly line: number }

/** Where a JSON value that starts at `start` ends (exclusive), or -1 when it never does. */
const jsonEnd = (text: string, start: number): number => {
  let depth = 0
  let inString = false
  for (let i = start; i < text.length; i++) {
    const c = text[i]
    if (inString) {
      if (c === "\\") i++
      else if (c === '"') {
        inString = false
        if (depth === 0) return i + 1
      }
      continue
    }
    if (c === '"') inString = true
    else if (c === "{" || c === "[") depth++
    else if (c === "}" || c === "]") {
      depth--
      if (depth === 0) return i + 1
    }
  }
  return -1
}

/**
 * Line numbers of positions visited in increasing order: each call counts only the
 * newlines since the previous one, so numbering a whole input is linear in its length.
 */
const lineCounter = (text: string) => {
  let line = 1
  let scanned = 0
  return (index: number): number => {
    for (; scanned < index; scanned++) if (text.charCodeAt(scanned) === 10) line++
    return line
  }
}

/**
 * Splits standard input into JSON values (concatenated or one per line) and text lines,
 * in one pass.
 *
 * @since 0.1.0
 * @category parsing
 */
export const splitInput = (text: string): Piece[] => {
  const pieces: Piece[] = []
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  const lineAt = lineCounter(source)
  let i = 0
  while (i < source.length) {
    const c = source[i]!
    if (/\s/.test(c)) {
      i++
      continue
    }
    if (c === "{" || c === "[" || c === '"') {
      const end = jsonEnd(source, i)
      const line = lineAt(i)
      if (end < 0) {
        throw new UsageError(
          `standard input: the JSON that starts on line ${line} never ends`,
          "Pipe complete JSON documents"
        )
      }
      let value: unknown
      try {
        value = JSON.parse(source.slice(i, end))
      } catch (error) {
        throw new UsageError(
          `standard input: the JSON on line ${line} is not valid (${(error as Error).message})`,
          "Pipe complete JSON documents"
        )
      }
      pieces.push({ kind: "json", value, line })
      i = end
      continue
    }
    const newline = source.indexOf("\n", i)
    const end = newline < 0 ? source.length : newline
    const lineText = source.slice(i, end).trim()
    if (lineText !== "" && !lineText.startsWith("#")) {
      pieces.push({ kind: "text", text: lineText, line: lineAt(i) })
    }
    i = end
  }
  return pieces
}

/**
 * The targets standard input holds, in order, without duplicates.
 *
 * @since 0.1.0
 * @category parsing
 */
export const targetsFromText = (text: string, options: InputOptions): Target[] =>
  splitInput(text).flatMap((piece) =>
    piece.kind === "json"
      ? targetsFromJson(piece.value, options)
      : piece.text
          .split(/\s+/)
          .filter((token) => token !== "")
          .map((token) => refFromToken(token, options))
  )

/**
 * The ref of a target.
 *
 * @since 0.1.0
 * @category utils
 */
export const refOfTarget = (target: Target): OperationRef => (isOperation(target) ? target.ref : target)

/**
 * Drops repeated operations, keeping the first (a snapshot wins over a bare ref).
 *
 * @since 0.1.0
 * @category utils
 */
export const dedupe = (targets: ReadonlyArray<Target>): Target[] => {
  const byKey = new Map<string, Target>()
  for (const target of targets) {
    const key = formatRef(refOfTarget(target))
    const seen = byKey.get(key)
    if (seen === undefined || (!isOperation(seen) && isOperation(target))) byKey.set(key, target)
  }
  return [...byKey.values()]
}
