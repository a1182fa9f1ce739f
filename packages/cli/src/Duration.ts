/**
 * Durations on the command line: `500ms`, `30s`, `5m`, `1h30m`, `1.5h`, `2d`, or the long
 * forms core accepts (`"5 seconds"`, `"30 minutes"`). A bare number is seconds, as in
 * `timeout(1)` and `sleep(1)`. Pure and light: what is wrong with a value is returned as a
 * `UsageProblem`, which `Args` throws as a `UsageError`.
 *
 * @since 0.1.0
 */
import type { UsageProblem } from "./Usage.js"

const unitMillis: Readonly<Record<string, number>> = {
  ms: 1,
  millis: 1,
  millisecond: 1,
  milliseconds: 1,
  s: 1_000,
  sec: 1_000,
  secs: 1_000,
  second: 1_000,
  seconds: 1_000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000
}

const part = /(\d+(?:\.\d+)?|\.\d+)\s*([a-z]+)/gy

/**
 * Parses a duration into milliseconds, or `undefined` when it is not one.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parseDurationMillis = (input: string): number | undefined => {
  const text = input.trim().toLowerCase()
  if (text === "") return undefined
  if (/^(\d+(\.\d+)?|\.\d+)$/.test(text)) return Math.round(Number(text) * 1000)
  let total = 0
  let matched = 0
  part.lastIndex = 0
  let index = 0
  for (;;) {
    while (text[index] === " ") index++
    if (index >= text.length) break
    part.lastIndex = index
    const m = part.exec(text)
    if (m === null) return undefined
    const unit = unitMillis[m[2]!]
    if (unit === undefined) return undefined
    total += Number(m[1]) * unit
    matched++
    index = part.lastIndex
  }
  if (matched === 0 || !Number.isFinite(total)) return undefined
  return Math.round(total)
}

/**
 * What a duration is, for hints.
 *
 * @since 0.2.0
 * @category formatting
 */
export const durationHint =
  'Use a number with a unit, like 500ms, 30s, 5m, 1h30m, or "5 seconds" (a bare number is seconds)'

/**
 * What is wrong with the value of a duration flag (`flag` without its dashes), or the
 * duration in milliseconds.
 *
 * @since 0.2.0
 * @category constructors
 */
export const checkDuration = (
  flag: string,
  value: string
): { readonly millis: number } | { readonly problem: UsageProblem } => {
  const millis = parseDurationMillis(value)
  if (millis === undefined)
    return { problem: { message: `--${flag} "${value}" is not a duration`, hint: durationHint } }
  if (millis <= 0)
    return { problem: { message: `--${flag} must be greater than zero`, hint: `Got "${value}"` } }
  return { millis }
}

/** The smallest bare number `--since` reads as epoch seconds (2001-09-09): below it, seconds ago. */
const epochSecondsFrom = 1e9

/**
 * Reads `--since`, trying the date forms first: a bare number of at least 10^9 is
 * epoch seconds (`1714566896`); a date (`2024-05-01`, `2024-05-01T12:00:00Z`,
 * `2024-05-01T14:00+02:00`) is that instant, in UTC unless it names an offset; anything
 * else must be a duration ago (`1h`, `30m`, or a bare number of seconds below 10^9).
 *
 * @since 0.2.0
 * @category constructors
 */
export const checkSince = (
  value: string,
  now: number
): { readonly date: Date } | { readonly problem: UsageProblem } => {
  const text = value.trim()
  if (/^\d+(\.\d+)?$/.test(text) && Number(text) >= epochSecondsFrom) {
    return { date: new Date(Math.round(Number(text) * 1000)) }
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const iso = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?)?$/i.exec(
      text
    )
    // A time without an offset is UTC, as the AWS CLI reads it (Date.parse would take local time).
    const millis =
      iso === null
        ? Number.NaN
        : Date.parse(iso[2] === undefined ? iso[1]! : `${iso[1]}T${iso[2]}${iso[3] ?? "Z"}`)
    if (!Number.isFinite(millis)) {
      return {
        problem: {
          message: `--since "${value}" is not a valid date`,
          hint: "Use a date like 2024-05-01 or 2024-05-01T12:00:00Z"
        }
      }
    }
    return { date: new Date(millis) }
  }
  const ago = parseDurationMillis(text)
  if (ago === undefined) {
    return {
      problem: {
        message: `--since "${value}" is neither a duration, a date nor epoch seconds`,
        hint: "Use a duration ago (1h, 30m), a date (2024-05-01T12:00:00Z) or epoch seconds (1714566896)"
      }
    }
  }
  return { date: new Date(now - ago) }
}

/**
 * Formats milliseconds compactly: `850ms`, `4.2s`, `1m05s`, `2h03m`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatElapsed = (millis: number): string => {
  const ms = Math.max(0, Math.round(millis))
  if (ms < 1_000) return `${ms}ms`
  if (ms < 60_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)}s`
  const totalSeconds = Math.floor(ms / 1000)
  if (totalSeconds < 3600) {
    const m = Math.floor(totalSeconds / 60)
    return `${m}m${String(totalSeconds % 60).padStart(2, "0")}s`
  }
  const h = Math.floor(totalSeconds / 3600)
  return `${h}h${String(Math.floor((totalSeconds % 3600) / 60)).padStart(2, "0")}m`
}

/**
 * Formats a duration in its largest whole unit, for help texts: `500ms`, `2s`, `30m`,
 * `1h`; a duration that is not whole in any larger unit is milliseconds.
 *
 * @since 0.2.0
 * @category formatting
 */
export const formatDurationShort = (millis: number): string => {
  const units: ReadonlyArray<readonly [string, number]> = [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1_000]
  ]
  const ms = Math.max(0, Math.round(millis))
  const unit = units.find(([, size]) => ms >= size && ms % size === 0)
  return unit === undefined ? `${ms}ms` : `${ms / unit[1]}${unit[0]}`
}
