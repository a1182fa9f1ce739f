/**
 * What a wait of the default accepts: a ref, an operation snapshot, or the
 * response of a mutating call, told apart by its shape. Lightsail responses
 * carry full operations and their region; Cloud Map's `{ OperationId }` and
 * SSM for SAP's `{ OperationId }`/`{ OperationIds }` name no region, so it
 * comes from the client that made the response (`track`), else the client
 * given as `{ client }`, else the default region. Whatever is given, the
 * answer is what to wait on or an `OpstatusError`, never a `TypeError`.
 *
 * @since 0.2.0
 */

import { operationsFromResponse as cloudControlOperations } from "@opstatus/cloudcontrol"
import { refsFromResponse as cloudFormationRefs } from "@opstatus/cloudformation"
import {
  hasReason,
  InvalidOptions,
  isOperation,
  type Operation,
  type OperationRef,
  OpstatusError,
  type Waitable
} from "@opstatus/core"
import { invalidRef } from "@opstatus/core/adapter-kit"
import { refsFromResponse as ecsRefs } from "@opstatus/ecs"
import { operationsFromResponse } from "@opstatus/lightsail"
import { operationsFromResponse as route53Operations } from "@opstatus/route53"
import { refFromResponse } from "@opstatus/servicediscovery"
import { refsFromResponse as ssmSapRefsFromResponse, ssmSapService } from "@opstatus/ssm-sap"
import {
  type AwsClient,
  clientOfResponse,
  commandInputOfResponse,
  defaultRegion,
  fieldOf,
  regionOfClient,
  type ServiceSlug,
  serviceOfClient
} from "./Clients.js"

/**
 * The response of a mutating call that starts one operation: Lightsail's
 * `{ operation }`, Cloud Map's and SSM for SAP's `{ OperationId }`; or one
 * Lightsail operation as the SDK gives it (an element of `operations`). A
 * wait on it resolves with one `Operation`.
 *
 * @since 0.2.0
 * @category models
 */
export type OperationResponse =
  | { readonly operation?: unknown }
  | { readonly OperationId?: string | null | undefined }
  | { readonly id?: string | undefined; readonly operationType?: string | undefined }
  | { readonly service?: { readonly currentServiceDeployment?: string | null | undefined } | undefined }
  | { readonly serviceDeploymentArn?: string | null | undefined }
  | { readonly ProgressEvent?: unknown }
  | { readonly ChangeInfo?: unknown }

/**
 * The response of a mutating call that may start several operations:
 * Lightsail's `{ operations }`, SSM for SAP's `{ OperationIds }`. A wait on
 * it resolves with an array of `Operation`s, in the response's order.
 *
 * @since 0.2.0
 * @category models
 */
export type OperationsResponse =
  | { readonly operations?: ReadonlyArray<unknown> | null | undefined }
  | { readonly OperationIds?: ReadonlyArray<string> | null | undefined }

/**
 * Whatever a wait of `opstatus` accepts: a ref (`"service:region:id"` or
 * `{ service, region, id }`), an `Operation` snapshot, a mutating call's
 * response, or one Lightsail operation of such a response.
 *
 * @since 0.2.0
 * @category models
 */
export type OperationInput = Waitable | OperationResponse | OperationsResponse

/**
 * How a response's region is found when the response does not name it.
 *
 * @since 0.2.0
 * @category models
 */
export interface ResponseOptions {
  /**
   * The client that made the response(s): its region (`config.region`) is the
   * operations' region. Not needed for a response of a tracked client
   * (`track`), nor for Lightsail responses, which name their region. Without
   * either, the region is the default one (`AWS_REGION`, `AWS_DEFAULT_REGION`,
   * the profile's).
   */
  readonly client?: AwsClient | undefined
  /**
   * CloudFormation: the stack set of a StackSet call's `{ OperationId }`, which names none. Not
   * needed for a response of a tracked client (`track`): the call's own `StackSetName` is used.
   */
  readonly stackSetName?: string | undefined
}

/**
 * What `resolveInput` is told besides the input: the `client` and `stackSetName` options.
 *
 * @since 0.3.0
 * @category models
 */
export interface ResponseGiven {
  readonly client?: unknown
  readonly stackSetName?: unknown
}

/**
 * A Cloud Map operation ID: 32 lower-case letters and digits, a dash, 8 more.
 *
 * @since 0.2.0
 * @category models
 */
export const cloudMapOperationIdPattern = /^[a-z0-9]{32}-[a-z0-9]{8}$/

/**
 * An SSM for SAP operation ID: a UUID (optionally in braces).
 *
 * @since 0.2.0
 * @category models
 */
export const ssmSapOperationIdPattern: RegExp = ssmSapService.idRule.pattern

/** What an input names: what to wait on, and whether the response's shape holds many. */
export interface Resolved {
  readonly items: ReadonlyArray<Waitable>
  /** True for `{ operations }` and `{ OperationIds }`: the wait resolves with an array. */
  readonly many: boolean
}

const expected =
  'expected a ref ("service:region:id" or { service, region, id }), an Operation, or the response of a ' +
  "mutating call: Lightsail's { operations } or { operation }, Cloud Map's { OperationId }, " +
  "SSM for SAP's { OperationId } or { OperationIds }, CloudFormation's { OperationId }, ECS's " +
  "{ service: { currentServiceDeployment } }, Cloud Control's { ProgressEvent }, Route 53's { ChangeInfo }"

const textOf = (u: unknown): string | undefined => (typeof u === "string" && u !== "" ? u : undefined)

/** `[object Object]` and the like; a value whose tag cannot be read (a hostile proxy) is named by its type. */
const tagOf = (u: unknown): string => {
  try {
    return Object.prototype.toString.call(u)
  } catch {
    return `[${typeof u}]`
  }
}

const safeJson = (u: object): string => {
  try {
    // `$metadata` says nothing about what the response names: left out of messages.
    const shown =
      !Array.isArray(u) && Object.hasOwn(u, "$metadata")
        ? Object.fromEntries(Object.entries(u).filter(([key]) => key !== "$metadata"))
        : u
    return JSON.stringify(shown) ?? tagOf(u)
  } catch {
    return tagOf(u)
  }
}

/** A value as text for an error message (cut at 80 characters); never throws. */
export const describeInput = (u: unknown): string => {
  let text: string
  try {
    text = typeof u === "string" ? u : typeof u === "object" && u !== null ? safeJson(u) : String(u)
  } catch {
    text = tagOf(u)
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text
}

const invalidClient = (message: string): OpstatusError =>
  new OpstatusError({ reason: new InvalidOptions({ option: "client", message: `client: ${message}` }) })

/**
 * The region of a response that does not name it: its tracked client's, the
 * given client's, or the default one. Throws `InvalidRef` when none is known,
 * `InvalidOptions` when the given client's region cannot be read.
 */
const regionFor = async (response: object, client: unknown, service: ServiceSlug): Promise<string> => {
  const maker = clientOfResponse(response)
  if (maker !== undefined) {
    const region = await regionOfClient(maker)
    if (region !== undefined) return region
  }
  if (client !== undefined) {
    const region = await regionOfClient(client)
    if (region !== undefined) return region
    throw invalidClient(
      "its region cannot be read: pass an AWS SDK v3 client (its config.region) or an SsmSapHttpClient"
    )
  }
  const region = await defaultRegion()
  if (region !== undefined) return region
  throw invalidRef(
    describeInput(response),
    "the response does not name its region and no default region is set: set AWS_REGION (or the profile's " +
      "region), pass { client } (the client that made the call), or track(client) before the call",
    service
  )
}

/** The service `{ OperationId }`/`{ OperationIds }` responses belong to, by the shape of their IDs. */
const serviceOfIds = (ids: ReadonlyArray<string>, many: boolean): ServiceSlug | undefined => {
  if (ids.every((id) => ssmSapOperationIdPattern.test(id))) return "ssm-sap"
  if (!many && ids.every((id) => cloudMapOperationIdPattern.test(id))) return "servicediscovery"
  return undefined
}

const lightsailItems = async (response: object, client: unknown): Promise<ReadonlyArray<Operation>> => {
  let operations: ReadonlyArray<Operation>
  try {
    operations = operationsFromResponse(response)
  } catch (error) {
    // An operation without `location.regionName`: its region is found as for the other services.
    if (!hasReason(error, "InvalidRef")) throw error
    operations = operationsFromResponse(response, { region: await regionFor(response, client, "lightsail") })
  }
  if (operations.length === 0) {
    throw invalidRef(
      describeInput(response),
      "the Lightsail response names no operation with an id",
      "lightsail"
    )
  }
  return operations
}

/** The refs of a CloudFormation `{ OperationId }` (a StackSet call's) or `{ StackId, OperationId }` (a stack's). */
const cloudFormationItems = async (
  response: object,
  given: ResponseGiven
): Promise<ReadonlyArray<OperationRef>> => {
  const fromCall = textOf(fieldOf(commandInputOfResponse(response), "StackSetName"))
  const stackSetName = textOf(given.stackSetName) ?? fromCall
  const region = textOf(fieldOf(response, "StackId"))?.startsWith("arn:")
    ? undefined
    : await regionFor(response, given.client, "cloudformation")
  const refs = cloudFormationRefs(response, {
    ...(region === undefined ? {} : { region }),
    ...(stackSetName === undefined ? {} : { stackSetName })
  })
  if (refs.length === 0) throw invalidRef(describeInput(response), "the response names no operation")
  return refs
}

/** True when a `{ OperationId }` is CloudFormation's: a stack's (with `StackId`), or a StackSet call's (tracked, or the stack set given). */
const isCloudFormationIds = (response: object, given: ResponseGiven): boolean =>
  textOf(fieldOf(response, "StackId")) !== undefined ||
  textOf(given.stackSetName) !== undefined ||
  serviceOfClient(clientOfResponse(response)) === "cloudformation"

const idItems = async (response: object, client: unknown): Promise<ReadonlyArray<OperationRef>> => {
  const one = textOf(fieldOf(response, "OperationId"))
  const listed = fieldOf(response, "OperationIds")
  const many = Array.isArray(listed)
  const ids = [
    ...(one === undefined ? [] : [one]),
    ...(many ? listed.filter((id) => textOf(id) !== undefined) : [])
  ]
  if (ids.length === 0) throw invalidRef(describeInput(response), "the response names no operation")
  const byShape = serviceOfIds(ids, many)
  const maker = serviceOfClient(clientOfResponse(response))
  const service = byShape ?? (maker === "servicediscovery" || maker === "ssm-sap" ? maker : undefined)
  if (service === undefined) {
    throw invalidRef(
      describeInput(response),
      `the operation ID "${describeInput(ids[0])}" is neither a Cloud Map one (32 lower-case letters and ` +
        "digits, a dash and 8 more) nor an SSM for SAP one (a UUID)"
    )
  }
  const region = await regionFor(response, client, service)
  if (service === "ssm-sap") return ssmSapRefsFromResponse(response, { region })
  const ref = refFromResponse(response, { region })
  return ref === undefined ? [] : [ref]
}

type Shape =
  | "waitable"
  | "lightsail"
  | "lightsailOperation"
  | "ids"
  | "ecs"
  | "cloudcontrol"
  | "route53"
  | "empty"
  | "unknown"

/** A Lightsail operation as the SDK gives it (one element of a response's `operations`). */
const isLightsailOperation = (input: object): boolean =>
  !("service" in input) &&
  textOf(fieldOf(input, "id")) !== undefined &&
  ["operationType", "resourceType", "isTerminal", "location"].some((key) => key in input)

const responseKeys = [
  "operations",
  "operation",
  "OperationId",
  "OperationIds",
  "ProgressEvent",
  "ChangeInfo",
  "serviceDeploymentArn"
] as const

const isRecord = (u: unknown): u is object => typeof u === "object" && u !== null && !Array.isArray(u)

const shapeOf = (input: object): Shape => {
  if (isOperation(input)) return "waitable"
  if (isLightsailOperation(input)) return "lightsailOperation"
  // ECS's CreateService/UpdateService answer `{ service: { currentServiceDeployment } }`: `service` is an object, not a slug.
  const ecsService = fieldOf(input, "service")
  if (isRecord(ecsService) && textOf(fieldOf(ecsService, "currentServiceDeployment")) !== undefined)
    return "ecs"
  if (textOf(fieldOf(input, "serviceDeploymentArn")) !== undefined) return "ecs"
  if (isRecord(fieldOf(input, "ProgressEvent"))) return "cloudcontrol"
  if (isRecord(fieldOf(input, "ChangeInfo"))) return "route53"
  if ("service" in input || "region" in input || "id" in input) return "waitable"
  const operation = fieldOf(input, "operation")
  if (Array.isArray(fieldOf(input, "operations")) || (typeof operation === "object" && operation !== null)) {
    return "lightsail"
  }
  if (textOf(fieldOf(input, "OperationId")) !== undefined || Array.isArray(fieldOf(input, "OperationIds"))) {
    return "ids"
  }
  return responseKeys.some((key) => key in input) ? "empty" : "unknown"
}

/**
 * What an input names. A ref or a snapshot is passed on as it is (the
 * engine checks it); a response is read into snapshots (Lightsail) or refs
 * (Cloud Map, SSM for SAP). Rejects with `InvalidRef` for anything else,
 * naming what was expected.
 *
 * @since 0.2.0
 * @category constructors
 */
export const resolveInput = async (input: unknown, given: ResponseGiven = {}): Promise<Resolved> => {
  const client = given.client
  if (typeof input === "string") return { items: [input], many: false }
  if (typeof input !== "object" || input === null) throw invalidRef(describeInput(input), expected)
  if (client !== undefined && (typeof client !== "object" || client === null)) {
    throw invalidClient("must be the AWS SDK client (or SsmSapHttpClient) that made the response")
  }
  let shape: Shape
  try {
    shape = shapeOf(input)
  } catch {
    throw invalidRef(describeInput(input), `its fields cannot be read; ${expected}`)
  }
  switch (shape) {
    case "waitable":
      return { items: [input as Waitable], many: false }
    case "lightsail":
      return { items: await lightsailItems(input, client), many: Array.isArray(fieldOf(input, "operations")) }
    case "lightsailOperation":
      return { items: await lightsailItems({ operation: input }, client), many: false }
    case "ids":
      if (isCloudFormationIds(input, given))
        return { items: await cloudFormationItems(input, given), many: false }
      return { items: await idItems(input, client), many: Array.isArray(fieldOf(input, "OperationIds")) }
    case "ecs": {
      // The region is the deployment ARN's own.
      const refs = ecsRefs(input)
      if (refs.length === 0)
        throw invalidRef(describeInput(input), "the ECS response names no service deployment ARN", "ecs")
      return { items: refs, many: false }
    }
    case "cloudcontrol": {
      const operations = cloudControlOperations(input, {
        region: await regionFor(input, client, "cloudcontrol")
      })
      if (operations.length === 0) {
        throw invalidRef(describeInput(input), "the ProgressEvent carries no RequestToken", "cloudcontrol")
      }
      return { items: operations, many: false }
    }
    case "route53": {
      const operations = route53Operations(input)
      if (operations.length === 0)
        throw invalidRef(describeInput(input), "the ChangeInfo carries no Id", "route53")
      return { items: operations, many: false }
    }
    case "empty":
      throw invalidRef(describeInput(input), "the response names no operation")
    default:
      throw invalidRef(describeInput(input), expected)
  }
}
