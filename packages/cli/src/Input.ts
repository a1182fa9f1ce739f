/**
 * Where refs come from: arguments (`service:region:id`, or a bare ID with `--service`),
 * and standard input, which may hold refs one per line, JSON (one document, several
 * concatenated, or NDJSON), or a mutating call's response as the AWS CLI prints it:
 *
 * - Lightsail `{ operations: [...] }` / `{ operation: {...} }` (camelCase; timestamps as
 *   ISO strings or epoch numbers): full operations, so one already terminal needs no poll;
 * - Cloud Map `{ OperationId }` (an ID like `[a-z0-9]{32}-[a-z0-9]{8}`);
 * - SSM for SAP `{ OperationId }` (a UUID) or `{ OperationIds: [...] }`;
 * - CloudFormation `{ OperationId }` of a StackSet call, with `--stack-set` (the response does
 *   not name its stack set), `{ StackId, OperationId }` of a stack call, and
 *   `describe-stack-set-operation`'s `{ StackSetOperation }`;
 * - ECS `{ service: { currentServiceDeployment } }` (create-service, update-service), and any
 *   output naming service deployment ARNs (which name their region);
 * - Cloud Control `{ ProgressEvent }`: a full snapshot;
 * - Route 53 `{ ChangeInfo }`: a full snapshot, in the pseudo-region `global`.
 *
 * Cloud Map, SSM for SAP, CloudFormation StackSet and Cloud Control responses do not name
 * their region: it comes from `--region`, `AWS_REGION` or `AWS_DEFAULT_REGION`.
 *
 * @since 0.1.0
 */

import { operationsFromResponse as cloudControlOperations } from "@opstatus/cloudcontrol"
import {
  refsFromResponse as cloudFormationRefs,
  cloudFormationService,
  isOperationId,
  stackSetOperationId
} from "@opstatus/cloudformation"
import {
  formatRef,
  hasReason,
  isOperation,
  type Operation,
  type OperationRef,
  type ServiceInfo,
  validateRef
} from "@opstatus/core"
import { checkRef, invalidRef } from "@opstatus/core/adapter-kit"
import { refsFromResponse as ecsRefs, parseServiceDeploymentArn } from "@opstatus/ecs"
import { operationsFromResponse } from "@opstatus/lightsail"
import { operationsFromResponse as route53Operations, route53Region } from "@opstatus/route53"
import {
  refFromResponse as cloudMapRefFromResponse,
  serviceDiscoveryService
} from "@opstatus/servicediscovery"
import { refsFromResponse as ssmSapRefsFromResponse, ssmSapService } from "@opstatus/ssm-sap"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { slugList } from "./Catalog.js"
import { usageError } from "./Errors.js"
import { findService } from "./Services.js"

/**
 * What one input resolves to: a ref, or a snapshot (Lightsail responses).
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
  /** `--service`: the service (slug) of bare IDs and `OperationId` responses. */
  readonly service?: string | undefined
  /** `--stack-set`: the CloudFormation stack set of bare IDs and `OperationId` responses. */
  readonly stackSet?: string | undefined
}

/** Cloud Map operation IDs in practice (its ID rule allows more). */
const cloudMapIdPattern = /^[a-z0-9]{32}-[a-z0-9]{8}$/

const shorten = (s: string): string => (s.length > 60 ? `${s.slice(0, 57)}...` : s)

/**
 * Checks a ref (string fields, hints) against its service's ID and region rules, and
 * returns it with the service's own slug; throws an `OpstatusError` (`InvalidRef`).
 *
 * @since 0.2.0
 * @category refs
 */
export const checkedRef = (input: unknown): OperationRef => {
  const exit = Effect.runSyncExit(
    Effect.flatMap(validateRef(input), (ref) => {
      const info = findService(ref.service)
      return info === undefined
        ? Effect.fail(
            invalidRef(
              shorten(`${ref.service}:${ref.region}:${ref.id}`),
              `unknown service "${shorten(ref.service)}" (opstatus knows ${slugList("and")})`
            )
          )
        : checkRef({ ...ref, service: info.service }, info)
    })
  )
  if (Exit.isSuccess(exit)) return exit.value
  throw Cause.squash(exit.cause)
}

/**
 * Says which service an operation ID belongs to: `--service` wins; a Cloud Map-shaped ID
 * is Cloud Map; an ID that fits SSM for SAP's rule (a UUID) in an `OperationId` response
 * is SSM for SAP (Lightsail responses carry full operations, never a bare `OperationId`).
 *
 * @since 0.1.0
 * @category refs
 */
export const inferService = (id: string, options: InputOptions, context: "response" | "bare"): string => {
  if (options.service !== undefined) return options.service
  if (cloudMapIdPattern.test(id)) return serviceDiscoveryService.service
  if (context === "response" && ssmSapService.idRule.pattern.test(id)) return ssmSapService.service
  throw usageError(
    `cannot tell which service operation ID "${shorten(id)}" belongs to`,
    context === "bare"
      ? `Write it as service:region:id, or pass --service (${slugList()})`
      : `Pass --service ${serviceDiscoveryService.service} or --service ${ssmSapService.service}`
  )
}

const requireRegion = (options: InputOptions, service: string, id: string): string => {
  if (options.region !== undefined && options.region !== "") return options.region
  throw usageError(
    `cannot tell the region of ${service} operation ${shorten(id)}: the response does not name it`,
    "Pass --region or set AWS_REGION"
  )
}

/**
 * A ref from one command-line argument or text token: `service:region:id` (the service
 * by its slug or an alias), or a bare ID whose service is inferred or given with
 * `--service`.
 *
 * @since 0.1.0
 * @category refs
 */
export const refFromToken = (token: string, options: InputOptions): OperationRef => {
  const text = token.trim()
  // An ECS service deployment ARN on its own: it names its region.
  const deployment = parseServiceDeploymentArn(text)
  if (deployment !== undefined) return checkedRef({ service: "ecs", region: deployment.region, id: text })
  if (text.includes(":")) {
    const first = text.indexOf(":")
    const second = text.indexOf(":", first + 1)
    if (second < 0) throw invalidRef(shorten(text), "expected the form service:region:id")
    const service = text.slice(0, first)
    return checkedRef({
      service: findService(service)?.service ?? service,
      region: text.slice(first + 1, second),
      id: text.slice(second + 1)
    })
  }
  if (text === "None" || text === "null") {
    throw usageError(
      `"${text}" is not an operation ID (the AWS CLI prints it for a missing field)`,
      "Check the --query of the AWS CLI command"
    )
  }
  if (options.stackSet !== undefined) return cloudFormationRef(options.stackSet, text, options)
  const service = inferService(text, options, "bare")
  if (service === cloudFormationService.service && !text.includes("/")) {
    throw usageError(
      `a bare CloudFormation operation ID (${shorten(text)}) does not name its stack set`,
      "Pass --stack-set <stack-set-name>, or write it as cloudformation:<region>:<stack-set>/<operation-id>"
    )
  }
  if (service === "route53")
    return checkedRef({ service, region: route53Region, id: text.replace(/^\/change\//, "") })
  return checkedRef({ service, region: requireRegion(options, service, text), id: text })
}

/** The ref of a StackSet operation ID given with `--stack-set`. */
const cloudFormationRef = (stackSet: string, operationId: string, options: InputOptions): OperationRef => {
  const service = cloudFormationService.service
  if (options.service !== undefined && options.service !== service) {
    throw usageError(
      `--stack-set names a CloudFormation stack set, not a ${options.service} one`,
      "Drop --service"
    )
  }
  if (!isOperationId(operationId)) {
    throw usageError(
      `"${shorten(operationId)}" is not a CloudFormation operation ID`,
      "An operation ID holds letters, digits and dashes"
    )
  }
  return checkedRef({
    service,
    region: requireRegion(options, service, operationId),
    id: stackSetOperationId(stackSet, operationId)
  })
}

type Json = Record<string, unknown>

const isObject = (u: unknown): u is Json => typeof u === "object" && u !== null && !Array.isArray(u)

const looksLikeLightsailOperation = (u: Json): boolean =>
  typeof u.id === "string" &&
  typeof u.status === "string" &&
  ("operationType" in u || "resourceType" in u || "isTerminal" in u)

const lightsailTargets = (response: Json, options: InputOptions): Target[] => {
  let operations: ReadonlyArray<Operation>
  try {
    operations = operationsFromResponse(
      response,
      options.region === undefined ? {} : { region: options.region }
    )
  } catch (error) {
    // The adapter's only InvalidRef here: an operation without location.regionName, and no region given.
    if (hasReason(error, "InvalidRef")) {
      throw usageError(
        "a Lightsail operation in the input does not name its region (location.regionName)",
        "Pass --region or set AWS_REGION"
      )
    }
    throw error
  }
  return operations.map((op) => {
    checkedRef(op.ref)
    return op
  })
}

/** CloudFormation: a stack call's `{ StackId, OperationId }`, or a StackSet call's `{ OperationId }` with `--stack-set`. */
const cloudFormationTargets = (response: Json, options: InputOptions): Target[] => {
  const stackArn = typeof response.StackId === "string" && response.StackId.startsWith("arn:")
  const id = typeof response.OperationId === "string" ? response.OperationId : ""
  const region = stackArn ? options.region : requireRegion(options, cloudFormationService.service, id)
  try {
    return cloudFormationRefs(response, {
      ...(region === undefined ? {} : { region }),
      ...(options.stackSet === undefined ? {} : { stackSetName: options.stackSet })
    }).map(checkedRef)
  } catch (error) {
    if (hasReason(error, "InvalidRef") && options.stackSet === undefined && !stackArn) {
      throw usageError(
        "a CloudFormation StackSet response carries only the OperationId, not its stack set",
        "Pass --stack-set <stack-set-name>"
      )
    }
    throw error
  }
}

/** `aws cloudformation describe-stack-set-operation`: `{ StackSetOperation: { OperationId, StackSetId } }`. */
const stackSetOperationTargets = (operation: Json, options: InputOptions): Target[] => {
  const stackSet =
    options.stackSet ?? (typeof operation.StackSetId === "string" ? operation.StackSetId : undefined)
  const id = typeof operation.OperationId === "string" ? operation.OperationId : ""
  if (stackSet === undefined || id === "") {
    throw usageError("a StackSetOperation in the input has no OperationId or StackSetId", "Pass --stack-set")
  }
  return [cloudFormationRef(stackSet, id, { ...options, service: undefined })]
}

const idResponseTargets = (response: Json, options: InputOptions): Target[] => {
  if (
    options.stackSet !== undefined ||
    options.service === cloudFormationService.service ||
    typeof response.StackId === "string"
  ) {
    return cloudFormationTargets(response, options)
  }
  const one = response.OperationId
  const many = response.OperationIds
  const ssmSap = ssmSapService.service
  if (Array.isArray(many) && options.service !== undefined && options.service !== ssmSap) {
    throw usageError(
      `an OperationIds response is ${ssmSap}, not ${options.service}`,
      `Drop --service or pass --service ${ssmSap}`
    )
  }
  const first =
    typeof one === "string" ? one : Array.isArray(many) ? many.find((x) => typeof x === "string") : undefined
  if (first === undefined || first === "") {
    if (Array.isArray(many) && many.length === 0) return []
    throw usageError("a response's OperationId is empty or not a string", "Check the piped command")
  }
  const service = Array.isArray(many) ? ssmSap : inferService(first, options, "response")
  const region = requireRegion(options, service, first)
  if (service === serviceDiscoveryService.service) {
    const ref = cloudMapRefFromResponse(response, { region })
    return ref === undefined ? [] : [checkedRef(ref)]
  }
  if (service === ssmSap) return ssmSapRefsFromResponse(response, { region }).map(checkedRef)
  return [checkedRef({ service, region, id: first })]
}

/** `get-operation` output (`{ Operation: { Id, ... } }`) and `list-operations` items. */
const describedTargets = (operation: Json, options: InputOptions): Target[] => {
  const id = operation.Id
  if (typeof id !== "string" || id === "") {
    throw usageError("an Operation in the input has no Id", "Check the piped command")
  }
  const service = inferService(id, options, "response")
  return [checkedRef({ service, region: requireRegion(options, service, id), id })]
}

/** The hints of a ref object: its `hints`, and its service's hint names at the top level (where opstatus 0.1 wrote them). */
const hintsOf = (u: Json, info: ServiceInfo | undefined): Record<string, string> => {
  const hints: Record<string, string> = {}
  for (const key of Object.keys(info?.hints ?? {})) {
    const value = u[key]
    if (typeof value === "string" && value !== "") hints[key] = value
  }
  if (isObject(u.hints)) {
    for (const [key, value] of Object.entries(u.hints)) {
      if (typeof value === "string" && value !== "") hints[key] = value
    }
  }
  return hints
}

const refObject = (u: Json): OperationRef | undefined => {
  if (typeof u.service !== "string" || typeof u.region !== "string" || typeof u.id !== "string")
    return undefined
  const hints = hintsOf(u, findService(u.service))
  return checkedRef({
    service: u.service,
    region: u.region,
    id: u.id,
    ...(Object.keys(hints).length === 0 ? {} : { hints })
  })
}

/**
 * The targets of one parsed JSON value.
 *
 * @since 0.1.0
 * @category refs
 */
export const targetsFromJson = (value: unknown, options: InputOptions): Target[] =>
  targetsAt(value, options, 0)

/** How deep JSON may nest around what it holds; deeper is refused rather than overflowing the stack. */
const maxNesting = 64

const targetsAt = (value: unknown, options: InputOptions, depth: number): Target[] => {
  if (depth > maxNesting) {
    throw usageError(
      `standard input nests JSON more than ${maxNesting} levels deep`,
      "Pipe the response of a call, or refs"
    )
  }
  if (typeof value === "string") return [refFromToken(value, options)]
  if (Array.isArray(value)) return value.flatMap((item) => targetsAt(item, options, depth + 1))
  if (!isObject(value)) {
    throw usageError(`standard input holds ${JSON.stringify(value)}, which is not a ref or a response`)
  }
  // opstatus's own --json output: change, operation and done events.
  if (typeof value.event === "string") {
    if (Array.isArray(value.operations)) {
      return value.operations.flatMap((op) => targetsAt(op, options, depth + 1))
    }
    if (isObject(value.operation)) return targetsAt(value.operation, options, depth + 1)
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
  if (isObject(value.ChangeInfo))
    return route53Operations(value).map((op) => ({ ...op, ref: checkedRef(op.ref) }))
  if (isObject(value.ProgressEvent)) {
    const token = value.ProgressEvent.RequestToken
    const region = requireRegion(options, "cloudcontrol", typeof token === "string" ? token : "")
    return cloudControlOperations(value, { region }).map((op) => ({ ...op, ref: checkedRef(op.ref) }))
  }
  if (isObject(value.StackSetOperation)) return stackSetOperationTargets(value.StackSetOperation, options)
  if (
    (isObject(value.service) && "currentServiceDeployment" in value.service) ||
    Array.isArray(value.services) ||
    typeof value.serviceDeploymentArn === "string" ||
    Array.isArray(value.serviceDeployments)
  ) {
    return ecsRefs(value).map(checkedRef)
  }
  if ("OperationId" in value || "OperationIds" in value) return idResponseTargets(value, options)
  if (isObject(value.Operation)) return describedTargets(value.Operation, options)
  if (Array.isArray(value.Operations)) {
    return value.Operations.flatMap((op) => (isObject(op) ? describedTargets(op, options) : []))
  }
  if (looksLikeLightsailOperation(value)) return lightsailTargets({ operation: value }, options)
  const keys = Object.keys(value).slice(0, 5).join(", ")
  throw usageError(
    `standard input holds a JSON object opstatus cannot read (keys: ${keys || "none"})`,
    "Pipe the response of a mutating call (operations, operation, OperationId, OperationIds, ProgressEvent, ChangeInfo, service.currentServiceDeployment), or refs"
  )
}

/**
 * One piece of standard input: a JSON value, or a line of text.
 *
 * @since 0.1.0
 * @category refs
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
 * @category refs
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
        throw usageError(
          `standard input: the JSON that starts on line ${line} never ends`,
          "Pipe complete JSON documents"
        )
      }
      let value: unknown
      try {
        value = JSON.parse(source.slice(i, end))
      } catch (error) {
        throw usageError(
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
 * @category refs
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
 * @category refs
 */
export const refOfTarget = (target: Target): OperationRef => (isOperation(target) ? target.ref : target)

/**
 * Drops repeated operations, keeping the first (a snapshot wins over a bare ref).
 *
 * @since 0.1.0
 * @category refs
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
