/**
 * Arguments: each command's flags read (`Flags`, strict) and typed reads of their values.
 * An unknown flag or a bad value is a `UsageError`.
 *
 * @since 0.2.0
 */
import type { AwsFlags } from "./Aws.js"
import { checkDuration, checkSince } from "./Duration.js"
import { usageError } from "./Errors.js"
import { type FlagTable, type Parsed, parseFlags, type Values } from "./Flags.js"
import { parseService } from "./Services.js"
import type { UsageProblem } from "./Usage.js"

/**
 * A usage problem as the `UsageError` it is thrown as.
 *
 * @since 0.2.0
 * @category constructors
 */
export const usageErrorOf = (problem: UsageProblem) => usageError(problem.message, problem.hint)

/**
 * Parses a command's arguments against its flags, or throws a `UsageError`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const parseCommand = (command: string, args: ReadonlyArray<string>, flags: FlagTable): Parsed => {
  const result = parseFlags(command, args, flags)
  if ("problem" in result) throw usageErrorOf(result.problem)
  return result.parsed
}

/**
 * Parses the value of a duration flag (`flag` without its dashes), or throws a
 * `UsageError` naming the flag.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parseDurationFlag = (flag: string, value: string): number => {
  const checked = checkDuration(flag, value)
  if ("problem" in checked) throw usageErrorOf(checked.problem)
  return checked.millis
}

/**
 * Parses `--since` (a date, epoch seconds, or a duration ago; see `checkSince`), or throws
 * a `UsageError`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parseSinceFlag = (value: string, now: number): Date => {
  const checked = checkSince(value, now)
  if ("problem" in checked) throw usageErrorOf(checked.problem)
  return checked.date
}

/**
 * A string flag's value.
 *
 * @since 0.2.0
 * @category constructors
 */
export const stringFlag = (values: Values, key: string): string | undefined => {
  const v = values[key]
  return typeof v === "string" ? v : undefined
}

/**
 * A boolean flag: true when given.
 *
 * @since 0.2.0
 * @category constructors
 */
export const booleanFlag = (values: Values, key: string): boolean => values[key] === true

/**
 * A repeatable flag's values, each also split at commas, blanks dropped.
 *
 * @since 0.2.0
 * @category constructors
 */
export const listFlag = (values: Values, key: string): string[] => {
  const v = values[key]
  const list = typeof v === "string" ? [v] : Array.isArray(v) ? v : []
  return list
    .flatMap((s: string) => s.split(","))
    .map((s) => s.trim())
    .filter((s) => s !== "")
}

/**
 * A duration flag in milliseconds, or `undefined` when not given.
 *
 * @since 0.2.0
 * @category constructors
 */
export const durationFlag = (values: Values, flag: string): number | undefined => {
  const v = stringFlag(values, flag)
  return v === undefined ? undefined : parseDurationFlag(flag, v)
}

/**
 * The AWS flags.
 *
 * @since 0.2.0
 * @category constructors
 */
export const awsFlagsOf = (values: Values): AwsFlags => ({
  region: stringFlag(values, "region"),
  profile: stringFlag(values, "profile"),
  endpointUrl: stringFlag(values, "endpoint-url")
})

/**
 * `--stack-set`: the CloudFormation stack set of bare operation IDs and `OperationId`
 * responses (`aws cloudformation create-stack-instances` prints no stack set name).
 *
 * @since 0.3.0
 * @category constructors
 */
export const stackSetFlag = (values: Values): string | undefined => {
  const value = stringFlag(values, "stack-set")
  if (value === undefined) return undefined
  if (!/^[A-Za-z][-A-Za-z0-9]*(:[-A-Za-z0-9]+)?$/.test(value)) {
    throw usageError(
      `--stack-set "${value.length > 60 ? `${value.slice(0, 57)}...` : value}" is not a stack set name or ID`,
      "A stack set name starts with a letter and holds letters, digits and dashes"
    )
  }
  return value
}

/**
 * `--service`: the slug of the service it names, or `undefined` when not given.
 *
 * @since 0.2.0
 * @category constructors
 */
export const serviceFlag = (values: Values): string | undefined => {
  const value = stringFlag(values, "service")
  return value === undefined ? undefined : parseService(value).service
}
