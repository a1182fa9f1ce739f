/**
 * An `OperationRef` names one asynchronous AWS operation: the service that
 * started it, the region it lives in and the service's own operation ID, plus
 * optional hints an adapter can use to read it more cheaply (the Lightsail
 * resource it acts on, the SSM for SAP application, the Cloud Map namespace).
 *
 * Its string form is `service:region:id`, for example
 * `servicediscovery:us-east-1:gv4g5meo7ndmeh4fqskygvk23d2fijwa-k9302yzd`.
 * Every check here runs before any request is made.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"

/**
 * A ref that cannot be read: malformed, unknown service, bad ID, or a region
 * no configured client serves. Raised before any request.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidOperationRefError extends Schema.TaggedError<InvalidOperationRefError>()(
  "InvalidOperationRefError",
  {
    input: Schema.String,
    reason: Schema.String,
    message: Schema.String
  }
) {}

/**
 * The AWS service codes opstatus speaks.
 *
 * @since 0.1.0
 * @category models
 */
export const ServiceSlug = Schema.Literals(["lightsail", "servicediscovery", "ssm-sap"])

/**
 * @since 0.1.0
 * @category models
 */
export type ServiceSlug = typeof ServiceSlug.Type

/**
 * Every service slug, in a fixed order.
 *
 * @since 0.1.0
 * @category models
 */
export const serviceSlugs: ReadonlyArray<ServiceSlug> = ["lightsail", "servicediscovery", "ssm-sap"]

/**
 * The reference to one operation.
 *
 * @since 0.1.0
 * @category models
 */
export const OperationRef = Schema.Struct({
  service: ServiceSlug,
  region: Schema.String,
  id: Schema.String,
  /** Lightsail: the resource the operation acts on (enables GetOperationsForResource). */
  resourceName: Schema.optionalKey(Schema.String),
  /** SSM for SAP: the application the operation belongs to (enables ListOperations). */
  applicationId: Schema.optionalKey(Schema.String),
  /** Cloud Map: the namespace the operation acts on. */
  namespaceId: Schema.optionalKey(Schema.String),
  /** Cloud Map: the service the operation acts on. */
  serviceId: Schema.optionalKey(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export type OperationRef = typeof OperationRef.Type

/** Region codes such as `us-east-1`, `us-gov-west-1`, `cn-north-1`, `eu-isoe-west-1`. */
const regionPattern = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/

/**
 * What each service accepts as an operation ID. Lightsail IDs are UUIDs,
 * Cloud Map IDs are up to 255 characters (`[a-z0-9]{32}-[a-z0-9]{8}` in
 * practice), SSM for SAP IDs are UUIDs with optional braces.
 */
const idRules: Record<
  ServiceSlug,
  { readonly max: number; readonly pattern: RegExp; readonly shape: string }
> = {
  lightsail: { max: 128, pattern: /^[A-Za-z0-9-]+$/, shape: "letters, digits and dashes (a UUID)" },
  servicediscovery: { max: 255, pattern: /^[A-Za-z0-9-]+$/, shape: "letters, digits and dashes" },
  "ssm-sap": {
    max: 38,
    pattern: /^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$/,
    shape: "a UUID, optionally in braces"
  }
}

const isServiceSlug = Schema.is(ServiceSlug)

const invalid = (input: string, reason: string) =>
  new InvalidOperationRefError({
    input,
    reason,
    message: `Invalid operation reference "${input}": ${reason}`
  })

/** The longest string form we look at; anything longer is rejected unread. */
const maxRefLength = 512

/**
 * Checks a ref's fields and returns it, or the first problem as an
 * `InvalidOperationRefError`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const validate = (
  ref: OperationRef,
  input: string = safeFormat(ref)
): Effect.Effect<OperationRef, InvalidOperationRefError> => {
  const problem = findProblem(ref)
  return problem === undefined ? Effect.succeed(ref) : Effect.fail(invalid(input, problem))
}

const safeFormat = (ref: OperationRef): string =>
  `${String(ref?.service)}:${String(ref?.region)}:${String(ref?.id)}`.slice(0, maxRefLength)

const findProblem = (ref: OperationRef): string | undefined => {
  if (ref === null || typeof ref !== "object") return "a reference must be an object or a string"
  if (!isServiceSlug(ref.service)) {
    return `unknown service "${String(ref.service)}"; expected one of ${serviceSlugs.join(", ")}`
  }
  if (typeof ref.region !== "string" || ref.region.length === 0) return "the region is empty"
  if (!regionPattern.test(ref.region)) return `"${ref.region}" is not an AWS region code (like us-east-1)`
  if (typeof ref.id !== "string" || ref.id.length === 0) return "the operation ID is empty"
  const rule = idRules[ref.service]
  if (ref.id.length > rule.max) {
    return `the ${ref.service} operation ID is ${ref.id.length} characters long; at most ${rule.max} are allowed`
  }
  if (!rule.pattern.test(ref.id)) return `the ${ref.service} operation ID must be ${rule.shape}`
  return undefined
}

/**
 * Parses `service:region:id` into a validated ref.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parseRef = (input: string): Effect.Effect<OperationRef, InvalidOperationRefError> => {
  if (typeof input !== "string") return Effect.fail(invalid(String(input), "a reference must be a string"))
  const shown = input.length > 80 ? `${input.slice(0, 77)}...` : input
  if (input.length > maxRefLength)
    return Effect.fail(invalid(shown, `longer than ${maxRefLength} characters`))
  const trimmed = input.trim()
  const first = trimmed.indexOf(":")
  const second = first < 0 ? -1 : trimmed.indexOf(":", first + 1)
  if (first < 0 || second < 0) {
    return Effect.fail(
      invalid(shown, "expected the form service:region:id, e.g. lightsail:us-east-1:<operation-id>")
    )
  }
  const ref = {
    service: trimmed.slice(0, first) as ServiceSlug,
    region: trimmed.slice(first + 1, second),
    id: trimmed.slice(second + 1)
  }
  return validate(ref, shown)
}

/**
 * Formats a ref as `service:region:id` (hints are not part of the string form).
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatRef = (ref: OperationRef): string => `${ref.service}:${ref.region}:${ref.id}`

/**
 * Accepts a ref in either form and returns the validated object form.
 *
 * @since 0.1.0
 * @category constructors
 */
export const toRef = (input: string | OperationRef): Effect.Effect<OperationRef, InvalidOperationRefError> =>
  typeof input === "string" ? parseRef(input) : validate(input)
