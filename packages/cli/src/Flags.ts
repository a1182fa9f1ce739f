/**
 * The flags of each command, and reading them: `node:util`'s `parseArgs`, with the
 * CLI's own words for what is wrong. An unknown flag is named with the closest of the
 * command's flags (by edit distance), a flag without its value says so, and a duration
 * flag's value is checked here, including a duration split in two words (`--timeout 5
 * seconds`), whose second word would otherwise be read as a ref. Light: what is wrong is
 * a `UsageProblem`, which `Cli` and `Args` throw as a `UsageError`.
 *
 * @since 0.2.0
 */
import { type ParseArgsConfig, parseArgs } from "node:util"
import { serviceSlugOf } from "./Catalog.js"
import {
  checkDuration,
  checkSince,
  durationHint,
  formatDurationShort,
  parseDurationMillis
} from "./Duration.js"
import type { UsageProblem } from "./Usage.js"

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
  service: { type: "string" },
  "stack-set": { type: "string" }
} as const

/**
 * The flags of `cancel`.
 *
 * @since 0.3.0
 * @category models
 */
export const cancelFlags = {
  ...commonFlags,
  wait: { type: "boolean" },
  timeout: { type: "string" },
  "min-delay": { type: "string" },
  "max-delay": { type: "string" },
  service: { type: "string" },
  "stack-set": { type: "string" }
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
  service: { type: "string" },
  "stack-set": { type: "string" }
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
  "stack-set": { type: "string" },
  cluster: { type: "string" },
  "ecs-service": { type: "string" },
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
 * A command's flags, as `parseArgs` takes them.
 *
 * @since 0.2.0
 * @category models
 */
export type FlagTable = NonNullable<ParseArgsConfig["options"]>

/**
 * Each command's flags, by command.
 *
 * @since 0.2.0
 * @category models
 */
export const commandFlags: Readonly<Record<string, FlagTable>> = {
  wait: waitFlags,
  watch: waitFlags,
  get: getFlags,
  cancel: cancelFlags,
  list: listFlags,
  demo: demoFlags
}

/**
 * The flags whose value is a duration.
 *
 * @since 0.2.0
 * @category models
 */
export const durationFlagNames: ReadonlyArray<string> = ["timeout", "min-delay", "max-delay"]

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
 * The edit distance of two words (insertions, deletions, substitutions and swaps of two
 * neighbours each count one), case-insensitive.
 *
 * @since 0.2.0
 * @category formatting
 */
export const editDistance = (left: string, right: string): number => {
  const a = left.toLowerCase()
  const b = right.toLowerCase()
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0))
  )
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, rows[i - 2]![j - 2]! + 1)
      }
      rows[i]![j] = best
    }
  }
  return rows[a.length]![b.length]!
}

/**
 * The candidates closest to a word a person typed, when any is close: within one edit for
 * a word of up to five letters, two up to eight, three beyond. Ties are all returned, in
 * the candidates' order.
 *
 * @since 0.2.0
 * @category formatting
 */
export const closest = (word: string, candidates: ReadonlyArray<string>): ReadonlyArray<string> => {
  const limit = word.length <= 5 ? 1 : word.length <= 8 ? 2 : 3
  let best = limit + 1
  let found: string[] = []
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate)
    if (distance > limit) continue
    if (distance < best) {
      best = distance
      found = [candidate]
    } else if (distance === best) {
      found.push(candidate)
    }
  }
  return found
}

/**
 * Words joined for a sentence: `a`, `a or b`, `a, b or c`.
 *
 * @since 0.2.0
 * @category formatting
 */
export const wordList = (words: ReadonlyArray<string>, joiner = "or"): string =>
  words.length < 2 ? words.join("") : `${words.slice(0, -1).join(", ")} ${joiner} ${words.at(-1)}`

const helpHint = (command: string) => `Run opstatus ${command} --help to see its options`

/** An option the command does not have: the closest of its own, or the commands that have it. */
const unknownOption = (command: string, rawName: string, name: string, flags: FlagTable): UsageProblem => {
  const message = `unknown option ${rawName}`
  if (rawName.startsWith("--")) {
    const near = closest(name, Object.keys(flags))
    if (near.length > 0) {
      return {
        message,
        hint: `Did you mean ${wordList(near.map((flag) => `--${flag}`))}? ${helpHint(command)}`
      }
    }
    const owners = Object.keys(commandFlags).filter((other) => Object.hasOwn(commandFlags[other]!, name))
    if (owners.length > 0) {
      return {
        message,
        hint: `It is an option of ${wordList(owners, "and")}, not of ${command}. ${helpHint(command)}`
      }
    }
  }
  return { message, hint: helpHint(command) }
}

const unitLike = (word: string): boolean => /^\p{L}+\.?$/u.test(word) && serviceSlugOf(word) === undefined

/**
 * A duration split over two arguments (`--timeout 5 seconds`, `--timeout 5 sekunden`,
 * `--since 1h 30m`): the word after the flag's value, when it reads as the rest of a
 * duration (a word after a bare number, or a duration with a unit), is never left to be
 * read as a ref.
 */
const splitDuration = (flag: string, value: string, next: string | undefined): UsageProblem | undefined => {
  if (next === undefined || parseDurationMillis(value) === undefined) return undefined
  const bareNumber = /^\s*(\d+(\.\d+)?|\.\d+)\s*$/.test(value)
  const durationWithUnit = /\p{L}/u.test(next) && parseDurationMillis(next) !== undefined
  if (!(bareNumber && unitLike(next)) && !durationWithUnit) return undefined
  const joined = `${value} ${next}`
  const millis = parseDurationMillis(joined)
  if (millis === undefined) {
    return {
      message: `--${flag} ${joined} is not a duration ("${next}" is not a unit of time)`,
      hint: `${durationHint}; quote a duration of several words`
    }
  }
  return {
    message: `--${flag} takes its duration as one argument, but got ${joined}`,
    hint: `Write --${flag} ${formatDurationShort(millis)}, or quote it: --${flag} "${joined}"`
  }
}

/**
 * Reads a command's arguments against its flags: the values and the positionals, or the
 * first thing wrong with them, in the order they were given.
 *
 * @since 0.2.0
 * @category constructors
 */
export const parseFlags = (
  command: string,
  args: ReadonlyArray<string>,
  flags: FlagTable
): { readonly parsed: Parsed } | { readonly problem: UsageProblem } => {
  // Not strict: every token comes back, so each problem can be told in the CLI's words.
  const { tokens } = parseArgs({
    args: [...args],
    options: flags,
    allowPositionals: true,
    strict: false,
    tokens: true
  })
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!
    if (token.kind === "option-terminator") break
    if (token.kind !== "option") continue
    const spec = Object.hasOwn(flags, token.name) ? flags[token.name] : undefined
    if (spec === undefined) return { problem: unknownOption(command, token.rawName, token.name, flags) }
    if (spec.type === "boolean") {
      if (token.value !== undefined) {
        return {
          problem: { message: `${token.rawName} takes no value`, hint: `Write ${token.rawName} alone` }
        }
      }
      continue
    }
    const value = token.value
    if (value === undefined) {
      const example = durationFlagNames.includes(token.name)
        ? "10m"
        : token.name === "since"
          ? "1h"
          : "<value>"
      return {
        problem: { message: `${token.rawName} needs a value`, hint: `Write ${token.rawName} ${example}` }
      }
    }
    if (!token.inlineValue && value.length > 1 && value.startsWith("-")) {
      return {
        problem: {
          message: `${token.rawName} needs a value, but the next argument is ${value}`,
          hint: `Give the value right after ${token.rawName}; a value that starts with a dash is written ${token.rawName}=<value>`
        }
      }
    }
    const durationFlag = durationFlagNames.includes(token.name)
    if (durationFlag) {
      const checked = checkDuration(token.name, value)
      if ("problem" in checked) return checked
    } else if (token.name === "since") {
      const checked = checkSince(value, 0)
      if ("problem" in checked) return checked
    }
    if (durationFlag || token.name === "since") {
      const next = tokens[i + 1]
      const following =
        next?.kind === "positional" && next.index === token.index + (token.inlineValue ? 1 : 2)
          ? next.value
          : undefined
      const split = splitDuration(token.name, value, following)
      if (split !== undefined) return { problem: split }
    }
  }
  try {
    const parsed = parseArgs({ args: [...args], options: flags, allowPositionals: true, strict: true })
    return { parsed: { values: parsed.values as Values, positionals: parsed.positionals } }
  } catch (error) {
    // What the checks above do not foresee, in Node's words (its first line).
    const message = String((error as Error).message)
      .split("\n")[0]!
      .replace(/\.$/, "")
    return { problem: { message, hint: helpHint(command) } }
  }
}

/**
 * True when the arguments ask for the command's help (`-h`, `--help`), read as the
 * command reads them.
 *
 * @since 0.2.0
 * @category constructors
 */
export const wantsHelp = (parsed: Parsed): boolean => parsed.values.help === true
