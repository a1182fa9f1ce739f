/**
 * Arguments: the flags of each command (`node:util`'s `parseArgs`, strict) and typed
 * reads of their values. An unknown flag or a bad value is a `UsageError`.
 *
 * @since 0.2.0
 */
import { type ParseArgsConfig, parseArgs } from "node:util"
import type { AwsFlags } from "./Aws.js"
import { parseDurationFlag } from "./Duration.js"
import { usageError } from "./Errors.js"
import { parseService } from "./Services.js"

const commonFlags = {
  region: { type: "string" },
  profile: { type: "string" },
  "endpoint-url": { type: "string" },
  json: { type: "boolean" },
  "no-color": { type: "boolean" },
  debug: { type: "boolean" },
  help: { type: "boolean", short: "h" }
} as const

/**
 * The flags of `wait` and `watch`.
 *
 * @since 0.2.0
 * @category models
 */
export const waitFlags = {
  ...commonFlags,
  success: { type: "boolean" },
  timeout: { type: "string" },
  "min-delay": { type: "string" },
  "max-delay": { type: "string" },
  service: { type: "string" }
} as const

/**
 * The flags of `get`.
 *
 * @since 0.2.0
 * @category models
 */
export const getFlags = {
  ...commonFlags,
  success: { type: "boolean" },
  timeout: { type: "string" },
  service: { type: "string" }
} as const

/**
 * The flags of `list`.
 *
 * @since 0.2.0
 * @category models
 */
export const listFlags = {
  ...commonFlags,
  status: { type: "string", multiple: true },
  type: { type: "string", multiple: true },
  resource: { type: "string" },
  namespace: { type: "string" },
  "service-id": { type: "string" },
  application: { type: "string" },
  since: { type: "string" },
  limit: { type: "string" },
  timeout: { type: "string" }
} as const

/**
 * The flags of `demo`.
 *
 * @since 0.2.0
 * @category models
 */
export const demoFlags = {
  json: { type: "boolean" },
  "no-color": { type: "boolean" },
  debug: { type: "boolean" },
  help: { type: "boolean", short: "h" }
} as const

/**
 * Parsed flag values, by flag name.
 *
 * @since 0.2.0
 * @category models
 */
export type Values = Readonly<Record<string, string | boolean | ReadonlyArray<string> | undefined>>

/**
 * A command's arguments, parsed.
 *
 * @since 0.2.0
 * @category models
 */
export interface Parsed {
  readonly values: Values
  readonly positionals: ReadonlyArray<string>
}

/**
 * Parses a command's arguments against its flags.
 *
 * @since 0.2.0
 * @category constructors
 */
export const parseCommand = (
  command: string,
  args: ReadonlyArray<string>,
  flags: NonNullable<ParseArgsConfig["options"]>
): Parsed => {
  try {
    const parsed = parseArgs({ args: [...args], options: flags, allowPositionals: true, strict: true })
    return { values: parsed.values as Values, positionals: parsed.positionals }
  } catch (error) {
    throw usageError((error as Error).message.replace(/\.$/, ""), `Run opstatus ${command} --help`)
  }
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
 * `--service`: the slug of the service it names, or `undefined` when not given.
 *
 * @since 0.2.0
 * @category constructors
 */
export const serviceFlag = (values: Values): string | undefined => {
  const value = stringFlag(values, "service")
  return value === undefined ? undefined : parseService(value).service
}
