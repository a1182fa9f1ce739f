/**
 * Reading refs: `parseRef` turns `service:region:id` into an `OperationRef`
 * and checks its form; `checkRef` checks a ref against what its source
 * declares (the region rule, the ID rule). The registry of sources
 * (`OperationSources`) does both, then finds the source and asks it whether
 * a client serves the region. Every check runs before any request, and none
 * throws: whatever is given, the answer is a ref or an `InvalidRef`.
 *
 * @since 0.2.0
 */
import * as Effect from "effect/Effect"
import type { OperationRef } from "./OperationRef.js"
import type { ServiceInfo } from "./OperationSource.js"
import { invalidRef, type OpstatusError } from "./OpstatusError.js"

/**
 * What a service slug looks like: lower-case letters, digits and dashes,
 * starting with a letter, at most 32 characters.
 *
 * @since 0.2.0
 * @category models
 */
export const slugPattern = /^[a-z][a-z0-9-]{0,31}$/

/**
 * AWS region codes such as `us-east-1`, `us-gov-west-1`, `cn-north-1`,
 * `eu-isoe-west-1`: what a source serves unless it declares its own rule.
 *
 * @since 0.2.0
 * @category models
 */
export const awsRegionPattern = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/

/** The form of any region part before its source's rule is known. */
const regionForm = /^[a-z0-9]+(-[a-z0-9]+)*$/

/** The longest string form looked at; anything longer is rejected unread. */
const maxRefLength = 512

/**
 * A value as text for an error message; never throws (a value with no
 * string form, such as `Object.create(null)`, is named by its type).
 *
 * @since 0.2.0
 * @category formatting
 */
export const describeInput = (u: unknown): string => {
  let text: string
  try {
    text = typeof u === "string" ? u : u === null ? "null" : typeof u === "object" ? safeJson(u) : String(u)
  } catch {
    text = tagOf(u)
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text
}

/** `[object Object]` and the like; a revoked proxy, or a tag getter that throws, is named by its type. */
const tagOf = (u: unknown): string => {
  try {
    return Object.prototype.toString.call(u)
  } catch {
    return `[${typeof u}]`
  }
}

const safeJson = (u: object): string => {
  try {
    return JSON.stringify(u) ?? tagOf(u)
  } catch {
    return tagOf(u)
  }
}

/** A field read without throwing: a getter that throws, or a proxy, reads as absent. */
const fieldOf = (u: Record<string, unknown>, key: string): unknown => {
  try {
    return u[key]
  } catch {
    return undefined
  }
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null

const checkForm = (service: unknown, region: unknown, id: unknown): string | undefined => {
  if (typeof service !== "string" || service === "") return "the service is empty"
  if (!slugPattern.test(service)) return `"${describeInput(service)}" is not a service name`
  if (typeof region !== "string" || region === "") return "the region is empty"
  if (!regionForm.test(region)) return `"${describeInput(region)}" is not a region code (like us-east-1)`
  if (typeof id !== "string" || id === "") return "the operation ID is empty"
  if (id.length > maxRefLength) return `the operation ID is longer than ${maxRefLength} characters`
  return undefined
}

/** The hints as a clean copy of strings, or the problem with them; read once, never throws. */
const copyHints = (
  hints: unknown
): { readonly hints?: Record<string, string>; readonly problem?: string } => {
  if (hints === undefined) return {}
  try {
    if (!isRecord(hints) || Array.isArray(hints)) return { problem: "hints must be an object of strings" }
    const entries: Array<[string, string]> = []
    for (const key of Object.keys(hints)) {
      const value = hints[key]
      if (typeof value !== "string") return { problem: `hint "${describeInput(key)}" must be a string` }
      entries.push([key, value])
    }
    return { hints: Object.fromEntries(entries) }
  } catch {
    // A proxy, or a getter that throws.
    return { problem: "hints cannot be read" }
  }
}

/**
 * Parses `service:region:id` and checks its form: a service name, a region
 * code, a non-empty ID. What the service itself accepts is checked by
 * `checkRef` (and by every wait, against the registered sources).
 *
 * @since 0.1.0
 * @category constructors
 */
export const parseRef = (input: unknown): Effect.Effect<OperationRef, OpstatusError> =>
  Effect.suspend(() => {
    if (typeof input !== "string") {
      return Effect.fail(
        invalidRef(describeInput(input), "a reference must be a string like service:region:id")
      )
    }
    const shown = describeInput(input)
    if (input.length > maxRefLength)
      return Effect.fail(invalidRef(shown, `longer than ${maxRefLength} characters`))
    const trimmed = input.trim()
    const first = trimmed.indexOf(":")
    const second = first < 0 ? -1 : trimmed.indexOf(":", first + 1)
    if (first < 0 || second < 0) {
      return Effect.fail(invalidRef(shown, "expected the form service:region:id"))
    }
    const ref: OperationRef = {
      service: trimmed.slice(0, first),
      region: trimmed.slice(first + 1, second),
      id: trimmed.slice(second + 1)
    }
    const problem = checkForm(ref.service, ref.region, ref.id)
    return problem === undefined ? Effect.succeed(ref) : Effect.fail(invalidRef(shown, problem))
  })

/**
 * Checks a ref given as an object and returns a clean copy (only the ref's
 * own fields), or `InvalidRef` naming the first problem.
 *
 * @since 0.2.0
 * @category constructors
 */
export const validateRef = (input: unknown): Effect.Effect<OperationRef, OpstatusError> =>
  Effect.suspend(() => {
    if (!isRecord(input)) {
      return Effect.fail(invalidRef(describeInput(input), "a reference must be a string or an object"))
    }
    // Each field read once: a getter is asked one time, and what is checked is what is returned.
    const service = fieldOf(input, "service")
    const region = fieldOf(input, "region")
    const id = fieldOf(input, "id")
    const shown = describeInput(`${describeInput(service)}:${describeInput(region)}:${describeInput(id)}`)
    const given = copyHints(fieldOf(input, "hints"))
    const problem = checkForm(service, region, id) ?? given.problem
    if (problem !== undefined) return Effect.fail(invalidRef(shown, problem))
    const hints = given.hints
    return Effect.succeed({
      service: service as string,
      region: region as string,
      id: id as string,
      ...(hints === undefined || Object.keys(hints).length === 0 ? {} : { hints })
    })
  })

/**
 * Accepts a ref in either form and returns the checked object form.
 *
 * @since 0.1.0
 * @category constructors
 */
export const toRef = (input: unknown): Effect.Effect<OperationRef, OpstatusError> =>
  typeof input === "string" ? parseRef(input) : validateRef(input)

/**
 * Checks a ref against its service's declaration: the region rule (AWS
 * region codes unless the source declares its own) and the ID rule.
 *
 * @since 0.2.0
 * @category constructors
 */
export const checkRef = (ref: OperationRef, info: ServiceInfo): Effect.Effect<OperationRef, OpstatusError> =>
  Effect.suspend(() => {
    const shown = describeInput(`${ref.service}:${ref.region}:${ref.id}`)
    const regionRule = info.regionRule ?? {
      pattern: awsRegionPattern,
      description: "an AWS region code (like us-east-1)"
    }
    if (!regionRule.pattern.test(ref.region)) {
      return Effect.fail(invalidRef(shown, `"${ref.region}" is not ${regionRule.description}`, info.service))
    }
    const rule = info.idRule
    if (ref.id.length > rule.maxLength) {
      return Effect.fail(
        invalidRef(
          shown,
          `the ${info.service} operation ID is ${ref.id.length} characters long; at most ${rule.maxLength} are allowed`,
          info.service
        )
      )
    }
    if (!rule.pattern.test(ref.id)) {
      return Effect.fail(
        invalidRef(shown, `the ${info.service} operation ID must be ${rule.description}`, info.service)
      )
    }
    if (info.checkId !== undefined) {
      let problem: string | undefined
      try {
        problem = info.checkId(ref.id, ref.region)
      } catch {
        problem = `the ${info.service} operation ID could not be checked`
      }
      if (problem !== undefined) return Effect.fail(invalidRef(shown, problem, info.service))
    }
    return Effect.succeed(ref)
  })
