/**
 * Service-neutral error kinds that handlers throw; the wire layer turns each into the right error
 * name, HTTP status and body shape for the service, so the SDK raises the right class.
 */

/** The errors the emulator can answer. */
export type ErrorKind =
  | "validation"
  | "notFound"
  | "accessDenied"
  | "throttling"
  | "internal"
  | "unavailable"
  | "unknownOperation"
  | "tooLarge"
  /** The request conflicts with the resource's state (an operation in progress, a cancel of one that ended). */
  | "conflict"

/** An error to answer in the service's format. */
export class ApiError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    /** The error's name on the wire, where the service has several of one kind (`StackSetNotFoundException`). */
    readonly code?: string
  ) {
    super(message)
    this.name = "ApiError"
  }
}

/** Throws a validation error unless `value` is a non-empty string. */
export const requireString = (input: Record<string, unknown>, key: string): string => {
  const value = input[key]
  if (typeof value !== "string" || value.length === 0) {
    throw new ApiError(
      "validation",
      `Missing or invalid required parameter: "${key}" must be a non-empty string.`
    )
  }
  return value
}

/** Undefined when absent; a validation error when present but not a string. */
export const optionalString = (input: Record<string, unknown>, key: string): string | undefined => {
  const value = input[key]
  if (value === undefined || value === null) return undefined
  if (typeof value !== "string")
    throw new ApiError("validation", `Invalid parameter: "${key}" must be a string.`)
  return value
}

/** Undefined when absent; a validation error unless an integer in [min, max]. */
export const optionalInt = (
  input: Record<string, unknown>,
  key: string,
  min: number,
  max: number
): number | undefined => {
  const value = input[key]
  if (value === undefined || value === null) return undefined
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new ApiError(
      "validation",
      `Invalid parameter: "${key}" must be an integer between ${min} and ${max}.`
    )
  }
  return value
}
