/**
 * Amazon Route 53 (REST-XML under `/2013-04-01/`): GetChange, and the calls that start a change,
 * ChangeResourceRecordSets, CreateHostedZone and DeleteHostedZone, with ListHostedZones to page
 * the zones. Every change is `PENDING` while it propagates and `INSYNC` once it has; an accepted
 * change never fails. A change the emulator is told to fail or cancel (a scenario's failure rate,
 * an outcome, a transition) answers a status Route 53 never sends, `FAILED` or `CANCELLED`.
 *
 * Route 53 is global: an account's changes and hosted zones live in one place (kept under
 * us-east-1, the region Route 53 signs for) whatever region a client's credential scope names. A
 * call's effect on zones and records is immediate; only its propagation takes time. Zones and
 * records are not kept apart from the changes: they are replayed from the changes that made them.
 */
import { ApiError } from "./internal/apiError.js"
import type { Prng } from "./internal/prng.js"
import {
  type CallContext,
  dispatch,
  type Handlers,
  isVisible,
  type Json,
  type RawRequest,
  type ServiceApi,
  type WireAnswer,
  type WireCodec
} from "./internal/serviceApi.js"
import { type FailureReason, type Phase, phaseAt, type SimOperation } from "./Lifecycle.js"
import type { CreateOperationInput } from "./Scenario.js"

/** Where an account's Route 53 changes are kept, whatever region a request is signed for. */
export const ROUTE53_REGION = "us-east-1"

/** The XML namespace of every Route 53 document. */
export const ROUTE53_XMLNS = "https://route53.amazonaws.com/doc/2013-04-01/"

const API_VERSION = "2013-04-01"

// Only a change the emulator is told to fail ever uses it: Route 53 changes do not fail.
const FAILURES: readonly FailureReason[] = [
  { code: "ChangeNotApplied", message: "The emulator was told to fail this change." }
]

const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

const idFrom = (prng: Prng, first: string): string => {
  let out = first
  for (let i = 0; i < 13; i++) out += ID_ALPHABET[prng.uint32() % ID_ALPHABET.length]
  return out
}

/** A hosted zone, as replayed from the changes that made it. */
interface Zone {
  readonly id: string
  readonly name: string
  readonly callerReference: string
  readonly comment: string | undefined
  readonly privateZone: boolean
  readonly nameServers: readonly string[]
  /** `name|type` of each record set, SOA and NS included. */
  readonly records: Set<string>
}

interface RecordChange {
  readonly action: "CREATE" | "DELETE" | "UPSERT"
  readonly name: string
  readonly type: string
}

/** What a change did to the account's zones, kept in its detail. */
type Effect =
  | { readonly kind: "createZone"; readonly zone: Omit<Zone, "records"> }
  | { readonly kind: "deleteZone"; readonly zoneId: string }
  | { readonly kind: "records"; readonly zoneId: string; readonly changes: readonly RecordChange[] }

interface ChangeFields {
  readonly comment?: string | undefined
  readonly hostedZoneId?: string | undefined
  readonly effect?: Effect | undefined
}

const fieldsOf = (op: SimOperation): ChangeFields => {
  if (op.detail.kind !== "route53") throw new Error(`not a Route 53 change: ${op.id}`)
  return op.detail.fields as ChangeFields
}

const statusOf = (phase: Phase): string => {
  switch (phase) {
    case "queued":
    case "running":
    case "cancelling":
    case "rollingBack":
      return "PENDING"
    case "succeeded":
      return "INSYNC"
    case "cancelled":
      return "CANCELLED"
    case "failed":
    case "rolledBack":
    case "rollbackFailed":
      return "FAILED"
  }
}

/** A change as ChangeInfo: `Id` with its `/change/` prefix, `SubmittedAt` in ISO 8601. */
const wire = (op: SimOperation, now: number): Json => {
  const comment = fieldsOf(op).comment
  return {
    Id: `/change/${op.id}`,
    Status: statusOf(phaseAt(op, now).phase),
    SubmittedAt: new Date(op.createdAt).toISOString(),
    ...(comment === undefined ? {} : { Comment: comment })
  }
}

const start = (
  ctx: CallContext,
  type: string,
  fields: ChangeFields,
  overrides?: CreateOperationInput
): SimOperation =>
  ctx.sim.addOperation({
    service: "route53",
    now: ctx.now,
    account: ctx.account,
    region: ROUTE53_REGION,
    id: idFrom(ctx.sim.prng("route53"), "C"),
    type,
    detail: { kind: "route53", fields: { ...fields } },
    reasons: FAILURES,
    overrides
  })

/** The account's zones now, replayed from its changes in the order they were made. */
const zonesOf = (ctx: CallContext): Map<string, Zone> => {
  const zones = new Map<string, Zone>()
  for (const op of ctx.sim.store.list("route53", ctx.account, ROUTE53_REGION)) {
    const effect = fieldsOf(op).effect
    if (effect === undefined) continue
    if (effect.kind === "createZone") {
      const { zone } = effect
      zones.set(zone.id, { ...zone, records: new Set([`${zone.name}|SOA`, `${zone.name}|NS`]) })
    } else if (effect.kind === "deleteZone") {
      zones.delete(effect.zoneId)
    } else {
      const records = zones.get(effect.zoneId)?.records
      for (const change of effect.changes) {
        const key = `${change.name}|${change.type}`
        if (change.action === "DELETE") records?.delete(key)
        else records?.add(key)
      }
    }
  }
  return zones
}

/** A hosted zone ID as given: bare, or with the `/hostedzone/` prefix the SDK strips anyway. */
const bareZoneId = (id: string): string => id.replace(/^\/hostedzone\//, "")

const requireZone = (zones: Map<string, Zone>, id: string): Zone => {
  const zone = zones.get(bareZoneId(id))
  if (zone === undefined) {
    throw new ApiError("notFound", `No hosted zone found with ID: ${bareZoneId(id)}`, "NoSuchHostedZone")
  }
  return zone
}

const text = (input: Json, key: string): string | undefined => {
  const value = input[key]
  return typeof value === "string" && value !== "" ? value : undefined
}

const requireText = (input: Json, key: string, where: string): string => {
  const value = text(input, key)
  if (value === undefined) throw new ApiError("validation", `${where}: ${key} is required.`)
  return value
}

const objectOf = (value: unknown): Json | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined

/** A list element that came once is an object, several times an array. */
const listOf = (value: unknown): readonly unknown[] =>
  value === undefined || value === "" ? [] : Array.isArray(value) ? value : [value]

/** A DNS name as Route 53 keeps it: lower case, with its final dot. */
const dnsName = (name: string): string => {
  const lower = name.toLowerCase()
  return lower.endsWith(".") ? lower : `${lower}.`
}

const zoneJson = (zone: Zone): Json => ({
  Id: `/hostedzone/${zone.id}`,
  Name: zone.name,
  CallerReference: zone.callerReference,
  Config: {
    ...(zone.comment === undefined ? {} : { Comment: zone.comment }),
    PrivateZone: zone.privateZone
  },
  ResourceRecordSetCount: zone.records.size
})

const readChanges = (batch: Json): RecordChange[] => {
  const changes = listOf(objectOf(batch.Changes)?.Change)
  if (changes.length === 0) {
    throw new ApiError("validation", "ChangeBatch: Changes must contain at least one Change.")
  }
  return changes.map((raw, i) => {
    const change = objectOf(raw) ?? {}
    const action = change.Action
    if (action !== "CREATE" && action !== "DELETE" && action !== "UPSERT") {
      throw new ApiError("validation", `Changes[${i}]: Action must be CREATE, DELETE or UPSERT.`)
    }
    const set = objectOf(change.ResourceRecordSet) ?? {}
    return {
      action,
      name: dnsName(requireText(set, "Name", `Changes[${i}].ResourceRecordSet`)),
      type: requireText(set, "Type", `Changes[${i}].ResourceRecordSet`)
    }
  })
}

/** Route 53 checks a whole batch before it accepts it, and accepts all of it or none. */
const checkBatch = (zone: Zone, changes: readonly RecordChange[]): void => {
  const records = new Set(zone.records)
  const problems: string[] = []
  for (const { action, name, type } of changes) {
    const key = `${name}|${type}`
    if (name !== zone.name && !name.endsWith(`.${zone.name}`)) {
      problems.push(`RRSet with DNS name ${name} is not permitted in zone ${zone.name}`)
    } else if (action === "CREATE" && records.has(key)) {
      problems.push(
        `Tried to create resource record set [name='${name}', type='${type}'] but it already exists`
      )
    } else if (action === "DELETE" && !records.has(key)) {
      problems.push(
        `Tried to delete resource record set [name='${name}', type='${type}'] but it was not found`
      )
    }
    if (action === "DELETE") records.delete(key)
    else records.add(key)
  }
  if (problems.length > 0) {
    throw new ApiError("validation", `[${problems.join(", ")}]`, "InvalidChangeBatch")
  }
}

const nameServers = (prng: Prng): string[] =>
  ["com", "net", "org", "co.uk"].map((tld) => `ns-${prng.int(1, 2047)}.awsdns-${prng.int(0, 63)}.${tld}`)

const DEFAULT_MAX_ITEMS = 100

const HANDLERS: Handlers = {
  GetChange: (input, ctx) => {
    const id = requireText(input, "Id", "GetChange")
    const op = ctx.sim.store.find("route53", ctx.account, ROUTE53_REGION, id)
    if (op === undefined || !isVisible(op, ctx.now)) {
      throw new ApiError("notFound", `A change with the specified change ID does not exist: ${id}`)
    }
    return { ChangeInfo: wire(op, ctx.now) }
  },
  ChangeResourceRecordSets: (input, ctx) => {
    const zone = requireZone(zonesOf(ctx), requireText(input, "HostedZoneId", "ChangeResourceRecordSets"))
    const batch = objectOf(input.ChangeBatch)
    if (batch === undefined)
      throw new ApiError("validation", "ChangeResourceRecordSets: ChangeBatch is required.")
    const changes = readChanges(batch)
    checkBatch(zone, changes)
    const op = start(ctx, "ChangeResourceRecordSets", {
      comment: text(batch, "Comment"),
      hostedZoneId: zone.id,
      effect: { kind: "records", zoneId: zone.id, changes }
    })
    return { ChangeInfo: wire(op, ctx.now) }
  },
  CreateHostedZone: (input, ctx) => {
    const name = dnsName(requireText(input, "Name", "CreateHostedZone"))
    const callerReference = requireText(input, "CallerReference", "CreateHostedZone")
    const config = objectOf(input.HostedZoneConfig) ?? {}
    const zones = zonesOf(ctx)
    for (const zone of zones.values()) {
      if (zone.callerReference === callerReference) {
        throw new ApiError(
          "conflict",
          `A hosted zone has already been created with the specified caller reference: ${callerReference}`,
          "HostedZoneAlreadyExists"
        )
      }
    }
    const prng = ctx.sim.prng("route53")
    const zone: Omit<Zone, "records"> = {
      id: idFrom(prng, "Z"),
      name,
      callerReference,
      comment: text(config, "Comment"),
      privateZone: config.PrivateZone === "true",
      nameServers: nameServers(prng)
    }
    const op = start(ctx, "CreateHostedZone", {
      comment: zone.comment,
      hostedZoneId: zone.id,
      effect: { kind: "createZone", zone }
    })
    return {
      HostedZone: zoneJson({ ...zone, records: new Set([`${name}|SOA`, `${name}|NS`]) }),
      ChangeInfo: wire(op, ctx.now),
      DelegationSet: { NameServers: { NameServer: [...zone.nameServers] } }
    }
  },
  DeleteHostedZone: (input, ctx) => {
    const zone = requireZone(zonesOf(ctx), requireText(input, "Id", "DeleteHostedZone"))
    if (zone.records.size > 2) {
      throw new ApiError(
        "validation",
        `The specified hosted zone contains non-required resource record sets and so cannot be deleted.`,
        "HostedZoneNotEmpty"
      )
    }
    const op = start(ctx, "DeleteHostedZone", {
      hostedZoneId: zone.id,
      effect: { kind: "deleteZone", zoneId: zone.id }
    })
    return { ChangeInfo: wire(op, ctx.now) }
  },
  ListHostedZones: (input, ctx) => {
    const maxText = text(input, "maxitems")
    const max = maxText === undefined ? DEFAULT_MAX_ITEMS : Number(maxText)
    if (!Number.isInteger(max) || max < 1 || max > DEFAULT_MAX_ITEMS) {
      throw new ApiError("validation", `maxitems must be a whole number from 1 to ${DEFAULT_MAX_ITEMS}.`)
    }
    const zones = [...zonesOf(ctx).values()]
    const marker = text(input, "marker")
    const from = marker === undefined ? 0 : zones.findIndex((zone) => zone.id === marker)
    if (from < 0)
      throw new ApiError("validation", `The marker ${marker} names no hosted zone.`, "InvalidInput")
    const page = zones.slice(from, from + max)
    const next = zones[from + max]
    return {
      HostedZones: { HostedZone: page.map(zoneJson) },
      Marker: marker ?? "",
      IsTruncated: next !== undefined,
      ...(next === undefined ? {} : { NextMarker: next.id }),
      MaxItems: String(max)
    }
  }
}

// XML: what the codec needs and no more. No DOCTYPE, so no entity is ever expanded.

interface XmlElement {
  readonly name: string
  readonly children: XmlElement[]
  text: string
}

const ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" }

const unescapeXml = (value: string): string =>
  value.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, entity: string) => {
    if (entity.startsWith("#x")) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16))
    if (entity.startsWith("#")) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10))
    const known = ENTITIES[entity]
    if (known === undefined)
      throw new ApiError("validation", `The request body has an unknown entity ${whole}.`)
    return known
  })

const escapeXml = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => `&${Object.keys(ENTITIES).find((k) => ENTITIES[k] === c)};`)

const MAX_DEPTH = 32

/** Parses an XML document into its root element; throws `ApiError` (validation) when it is not one. */
const parseXml = (source: string): XmlElement => {
  const invalid = (what: string) => new ApiError("validation", `The request body is not valid XML: ${what}.`)
  const body = source.replace(/^\uFEFF?\s*<\?xml[^?]*\?>/, "").replace(/<!--[\s\S]*?-->/g, "")
  const stack: XmlElement[] = []
  let root: XmlElement | undefined
  const token = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)|(<)/g
  for (const match of body.matchAll(token)) {
    const [, closing, tag, , selfClosing, chars, stray] = match
    if (stray !== undefined) throw invalid("a tag that cannot be read")
    if (chars !== undefined) {
      const top = stack[stack.length - 1]
      if (top === undefined) {
        if (chars.trim() !== "") throw invalid("text outside the root element")
      } else top.text += unescapeXml(chars)
      continue
    }
    const name = tag!.replace(/^[\w.-]+:/, "")
    if (closing === "/") {
      if (stack.pop()?.name !== name) throw invalid(`an unexpected </${tag}>`)
      continue
    }
    const element: XmlElement = { name, children: [], text: "" }
    const parent = stack[stack.length - 1]
    if (parent !== undefined) parent.children.push(element)
    else if (root !== undefined) throw invalid("a second root element")
    else root = element
    if (selfClosing !== "/") stack.push(element)
    if (stack.length > MAX_DEPTH) throw invalid("elements nested too deep")
  }
  if (root === undefined) throw invalid("no root element")
  if (stack.length > 0) throw invalid(`<${stack[stack.length - 1]!.name}> is not closed`)
  return root
}

/** An element as JSON: its text when it has no children, else its children by name (repeated ones as an array). */
const toJson = (element: XmlElement): unknown => {
  if (element.children.length === 0) return element.text
  const out: Json = {}
  for (const child of element.children) {
    if (child.name === "__proto__") continue
    const value = toJson(child)
    const seen = out[child.name]
    out[child.name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value]
  }
  return out
}

/** JSON as XML elements: an array is the element repeated, `undefined` is left out. */
const toXml = (value: Json): string => {
  let out = ""
  for (const [key, item] of Object.entries(value)) {
    for (const one of Array.isArray(item) ? item : [item]) {
      if (one === undefined || one === null) continue
      const inner =
        typeof one === "object" ? toXml(one as Json) : escapeXml(typeof one === "string" ? one : String(one))
      out += `<${key}>${inner}</${key}>`
    }
  }
  return out
}

const document = (root: string, content: Json): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${ROUTE53_XMLNS}">${toXml(content)}</${root}>`

/** The body's root element as the operation's input, checked to be the one the operation takes. */
const bodyInput = (request: RawRequest, root: string): Json => {
  const element = parseXml(request.body)
  if (element.name !== root) {
    throw new ApiError("validation", `The request body must be a ${root} document, not ${element.name}.`)
  }
  return objectOf(toJson(element)) ?? {}
}

const segment = (value: string): string => {
  try {
    return decodeURIComponent(value)
  } catch {
    throw new ApiError("validation", "The request path is not valid.")
  }
}

/** Route 53's REST-XML: the method and path name the operation; bodies and answers are XML. */
export const route53Codec: WireCodec = {
  decode: (request) => {
    const parts = request.path.split("/").filter((part) => part !== "")
    const unknown = () =>
      new ApiError("unknownOperation", `No Route 53 operation answers ${request.method} ${request.path}.`)
    if (parts[0] !== API_VERSION) throw unknown()
    const [, collection, id, sub] = parts
    const route = `${request.method} ${collection ?? ""}${id === undefined ? "" : "/{Id}"}${sub === undefined ? "" : `/${sub}`}`
    switch (parts.length <= 4 ? route : "") {
      case "GET change/{Id}":
        return { operation: "GetChange", input: { Id: segment(id!) } }
      case "POST hostedzone/{Id}/rrset":
        return {
          operation: "ChangeResourceRecordSets",
          input: { ...bodyInput(request, "ChangeResourceRecordSetsRequest"), HostedZoneId: segment(id!) }
        }
      case "POST hostedzone":
        return { operation: "CreateHostedZone", input: bodyInput(request, "CreateHostedZoneRequest") }
      case "DELETE hostedzone/{Id}":
        return { operation: "DeleteHostedZone", input: { Id: segment(id!) } }
      case "GET hostedzone": {
        const input: Json = {}
        for (const key of ["marker", "maxitems"]) {
          const value = request.query.get(key)
          if (value !== null) input[key] = value
        }
        return { operation: "ListHostedZones", input }
      }
      default:
        throw unknown()
    }
  },
  encode: (operation, result): WireAnswer => {
    const answer = { contentType: "text/xml", body: document(`${operation}Response`, result) }
    if (operation !== "CreateHostedZone") return { status: 200, ...answer }
    const zone = objectOf(result.HostedZone)
    const id = typeof zone?.Id === "string" ? bareZoneId(zone.Id) : ""
    return {
      status: 201,
      ...answer,
      headers: { location: `https://route53.amazonaws.com/${API_VERSION}/hostedzone/${id}` }
    }
  },
  encodeError: (error, message, requestId) => ({
    status: error.status,
    contentType: "text/xml",
    body: document("ErrorResponse", {
      Error: { Type: error.status >= 500 ? "Receiver" : "Sender", Code: error.name, Message: message },
      RequestId: requestId
    })
  })
}

/** The Route 53 service. */
export const route53Api: ServiceApi = {
  service: "route53",
  claims: (request) => request.path.startsWith(`/${API_VERSION}/`),
  codec: route53Codec,
  errors: {
    validation: { name: "InvalidInput", status: 400 },
    notFound: { name: "NoSuchChange", status: 404 },
    accessDenied: { name: "AccessDenied", status: 403 },
    // Route 53 throttles with a 400 named Throttling ("Rate exceeded").
    throttling: { name: "Throttling", status: 400 },
    internal: { name: "InternalFailure", status: 500 },
    unavailable: { name: "ServiceUnavailable", status: 503 },
    unknownOperation: { name: "InvalidAction", status: 400 },
    tooLarge: { name: "InvalidInput", status: 413 },
    conflict: { name: "PriorRequestNotComplete", status: 400 }
  },
  ...dispatch(HANDLERS),
  create: (input, ctx) =>
    start(
      ctx,
      input.type ?? "ChangeResourceRecordSets",
      { hostedZoneId: input.hostedZoneId === undefined ? undefined : bareZoneId(input.hostedZoneId) },
      input
    ),
  wire
}
