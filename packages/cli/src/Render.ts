/**
 * The pure half of the output: what the CLI knows about each operation it waits for (an
 * `Entry`), and how it is drawn: the live table, the static table, plain change lines,
 * the summary, and the JSON shapes. Nothing here writes or reads a clock.
 *
 * @since 0.1.0
 */
import {
  formatRef,
  hasReason,
  isOpstatusError,
  type Operation,
  type OperationRef,
  type OpstatusError
} from "@opstatus/core"
import { serviceSlugs } from "./Catalog.js"
import { formatElapsed } from "./Duration.js"
import { isCliError } from "./Errors.js"
import { errorName } from "./Messages.js"

/**
 * One operation the CLI follows: the last snapshot seen and, when the wait for it ended
 * in an error (timeout, not found, access denied), that error.
 *
 * @since 0.1.0
 * @category models
 */
export interface Entry {
  readonly key: string
  readonly ref: OperationRef
  operation: Operation | undefined
  error: unknown
  /** When the CLI started following it (epoch ms). */
  readonly startedAt: number
  /** When the CLI saw it end (epoch ms). */
  endedAt: number | undefined
  /**
   * While the operation's endpoint cannot be reached: the error core told the wait with its
   * `Unreachable` event (an `EndpointUnreachable` reason naming the endpoint and the region).
   * Cleared when the operation is seen again; the wait ends with it unless the endpoint answers.
   *
   * @since 0.2.0
   */
  unreachable?: OpstatusError | undefined
}

/**
 * Creates an entry.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeEntry = (ref: OperationRef, startedAt: number, operation?: Operation): Entry => ({
  key: formatRef(ref),
  ref,
  operation,
  error: undefined,
  startedAt,
  endedAt: undefined
})

/**
 * What an entry shows: the operation's unified status, `waiting` before the first
 * snapshot, or what ended the wait for it.
 *
 * @since 0.1.0
 * @category models
 */
export type EntryState =
  | "waiting"
  | "pending"
  | "running"
  | "succeeded"
  | "failed"
  | "cancelled"
  | "unknown"
  | "timed-out"
  | "not-found"
  | "denied"
  | "invalid"
  | "unreachable"
  | "error"

/** The order states are listed in. */
const stateOrder: ReadonlyArray<EntryState> = [
  "succeeded",
  "failed",
  "cancelled",
  "timed-out",
  "not-found",
  "denied",
  "invalid",
  "unreachable",
  "error",
  "running",
  "pending",
  "waiting",
  "unknown"
]

const tagOf = (error: unknown): string => errorName(error) ?? "Error"

/** The service's code an error carries, if any. */
const codeOf = (error: unknown): string | undefined => {
  const code = isOpstatusError(error) ? error.code : undefined
  return code === undefined || code === "" ? undefined : code
}

const messageOf = (error: unknown): string => {
  const message = error instanceof Error ? error.message : undefined
  return message === undefined || message === "" ? String(error) : message
}

/** What ended the wait for an entry, by the error's type. */
const errorState = (error: unknown): EntryState => {
  if (isCliError(error)) {
    switch (error._tag) {
      case "DeadlineError":
        return "timed-out"
      case "UsageError":
        return "invalid"
      case "CredentialsError":
        return "denied"
      default:
        return "error"
    }
  }
  if (!isOpstatusError(error)) return "error"
  switch (error.reason._tag) {
    case "WaitTimeout":
      return "timed-out"
    case "OperationNotFound":
      return "not-found"
    case "AccessDenied":
    case "Unauthenticated":
      return "denied"
    case "EndpointUnreachable":
      return "unreachable"
    default:
      return error.kind === "input" ? "invalid" : "error"
  }
}

/**
 * The state of an entry.
 *
 * @since 0.1.0
 * @category models
 */
export const stateOf = (entry: Entry): EntryState =>
  entry.error === undefined ? (entry.operation?.status ?? "waiting") : errorState(entry.error)

/**
 * True while the entry has not ended.
 *
 * @since 0.1.0
 * @category models
 */
export const isActive = (entry: Entry): boolean =>
  entry.error === undefined && entry.operation?.terminal !== true

/**
 * True when the operation ended without succeeding: failed, cancelled, or terminal with
 * a status opstatus does not know (a Lightsail `{"status": "RolledBack", "isTerminal":
 * true}` is `unknown` and terminal). These are the summary's failures, and fail
 * `--success`.
 *
 * @since 0.1.0
 * @category models
 */
export const endedUnsuccessfully = (op: Operation): boolean =>
  op.status === "failed" || op.status === "cancelled" || (op.terminal && op.status !== "succeeded")

// ---------------------------------------------------------------------------
// Colour and text width

/**
 * The colours the output uses; identity functions when colour is off.
 *
 * @since 0.1.0
 * @category formatting
 */
export interface Palette {
  readonly green: (s: string) => string
  readonly red: (s: string) => string
  readonly yellow: (s: string) => string
  readonly cyan: (s: string) => string
  readonly dim: (s: string) => string
  readonly bold: (s: string) => string
}

const sgr = (open: number, close: number) => (s: string) => `\x1b[${open}m${s}\x1b[${close}m`
const plain = (s: string) => s

/**
 * A palette with or without colour.
 *
 * @since 0.1.0
 * @category formatting
 */
export const palette = (color: boolean): Palette =>
  color
    ? {
        green: sgr(32, 39),
        red: sgr(31, 39),
        yellow: sgr(33, 39),
        cyan: sgr(36, 39),
        dim: sgr(2, 22),
        bold: sgr(1, 22)
      }
    : { green: plain, red: plain, yellow: plain, cyan: plain, dim: plain, bold: plain }

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escape sequences
const ansiPattern = /\x1b\[[0-9;?]*[A-Za-z]/g

/**
 * The text without ANSI escape sequences.
 *
 * @since 0.1.0
 * @category formatting
 */
export const stripAnsi = (s: string): string => s.replace(ansiPattern, "")

/**
 * How many columns the text takes.
 *
 * @since 0.1.0
 * @category formatting
 */
export const visibleLength = (s: string): number => [...stripAnsi(s)].length

/**
 * Cuts the text to `width` visible columns, keeping escape sequences and ending with `…`
 * when cut.
 *
 * @since 0.1.0
 * @category formatting
 */
export const truncateVisible = (s: string, width: number): string => {
  if (visibleLength(s) <= width) return s
  let out = ""
  let used = 0
  const limit = Math.max(0, width - 1)
  for (let i = 0; i < s.length; ) {
    if (s[i] === "\x1b") {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escape sequences
      const m = /^\x1b\[[0-9;?]*[A-Za-z]/.exec(s.slice(i))
      if (m !== null) {
        out += m[0]
        i += m[0].length
        continue
      }
    }
    const cp = s.codePointAt(i)!
    const ch = String.fromCodePoint(cp)
    if (used < limit) {
      out += ch
      used++
    }
    i += ch.length
  }
  return s.includes("\x1b[") ? `${out}…\x1b[0m` : `${out}…`
}

const padEnd = (s: string, width: number): string => s + " ".repeat(Math.max(0, width - visibleLength(s)))

/**
 * A long ID cut in the middle: `gv4g5meo…yzd2`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const shortId = (id: string): string => (id.length <= 14 ? id : `${id.slice(0, 8)}…${id.slice(-4)}`)

/**
 * The spinner's frames.
 *
 * @since 0.1.0
 * @category formatting
 */
export const spinnerFrames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"] as const

const stateColor = (state: EntryState, p: Palette): ((s: string) => string) => {
  switch (state) {
    case "succeeded":
      return p.green
    case "failed":
    case "timed-out":
    case "not-found":
    case "denied":
    case "invalid":
    case "unreachable":
    case "error":
      return p.red
    case "cancelled":
    case "unknown":
      return p.yellow
    case "running":
      return p.cyan
    default:
      return p.dim
  }
}

const stateIcon = (state: EntryState, frame: number, ended: boolean): string => {
  switch (state) {
    case "succeeded":
      return "✔"
    case "failed":
    case "error":
    case "denied":
    case "invalid":
    case "not-found":
    case "unreachable":
      return "✖"
    case "timed-out":
      return "⏱"
    case "cancelled":
      return "⊘"
    default:
      // A terminal operation whose status opstatus does not know ends with a question mark.
      return ended ? "?" : spinnerFrames[frame % spinnerFrames.length]!
  }
}

/** What the NOTE column says: the failure's code, or why the wait ended. */
const noteOf = (entry: Entry): string => {
  if (entry.error !== undefined) return codeOf(entry.error) ?? tagOf(entry.error)
  const op = entry.operation
  if (op?.error !== undefined && endedUnsuccessfully(op)) {
    return op.error.code ?? op.error.message
  }
  const step = op?.terminal === false ? op.steps?.at(-1) : undefined
  if (step?.description !== undefined) return step.description
  return op?.resource.name ?? op?.resource.id ?? ""
}

/**
 * Options of the live table.
 *
 * @since 0.1.0
 * @category formatting
 */
export interface LiveTableOptions {
  readonly color: boolean
  /** The spinner frame. */
  readonly frame: number
  /** Now, epoch ms (for the elapsed column of running entries). */
  readonly now: number
  /** The terminal's width; lines are cut to it so the redraw stays in place. */
  readonly width: number
  /** At most this many lines (the terminal's height less a margin). */
  readonly maxLines?: number | undefined
  /**
   * The wait was interrupted (Ctrl-C): the rows still running show the interrupted mark
   * (`interruptedMark`) and say so in their note, instead of a spinner.
   */
  readonly interrupted?: boolean | undefined
}

/**
 * The mark of a row whose wait was interrupted before the operation ended.
 *
 * @since 0.2.0
 * @category formatting
 */
export const interruptedMark = "■"

/**
 * What the live table's status column says of an operation still waited on whose endpoint
 * cannot be reached (`Entry.unreachable`); its note is the error's message.
 *
 * @since 0.2.0
 * @category formatting
 */
export const unreachableStatus = "unreachable"

/**
 * The live table: a header and one row per entry (spinner, service, short ID, type,
 * status, elapsed, note); a row whose endpoint cannot be reached says `unreachable`, with
 * the error's message as its note, while the wait goes on; once interrupted, the rows still
 * running show `interruptedMark`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const renderLiveTable = (entries: ReadonlyArray<Entry>, options: LiveTableOptions): string[] => {
  const p = palette(options.color)
  const header = ["", "SERVICE", "ID", "TYPE", "STATUS", "ELAPSED", "NOTE"]
  const rows = entries.map((entry) => {
    const state = stateOf(entry)
    const paint = stateColor(state, p)
    const op = entry.operation
    const status = op === undefined || entry.error !== undefined ? state : `${state} (${op.rawStatus || "?"})`
    const end = entry.endedAt ?? options.now
    const stopped = options.interrupted === true && isActive(entry)
    // Still waiting, but its endpoint cannot be reached: said on the row, with the error's message.
    const unreachable = !stopped && isActive(entry) ? entry.unreachable : undefined
    return [
      stopped
        ? p.yellow(interruptedMark)
        : unreachable !== undefined
          ? p.yellow(spinnerFrames[options.frame % spinnerFrames.length]!)
          : paint(stateIcon(state, options.frame, entry.error === undefined && op?.terminal === true)),
      entry.ref.service,
      shortId(entry.ref.id),
      op?.type ?? "-",
      unreachable !== undefined ? p.yellow(unreachableStatus) : paint(status),
      formatElapsed(end - entry.startedAt),
      stopped ? "interrupted" : unreachable !== undefined ? messageOf(unreachable) : noteOf(entry)
    ]
  })
  const widths = header.map((h, i) => Math.max(visibleLength(h), ...rows.map((r) => visibleLength(r[i]!))))
  const line = (cells: ReadonlyArray<string>) =>
    truncateVisible(
      cells
        .map((c, i) => (i === cells.length - 1 ? c : padEnd(c, widths[i]!)))
        .join("  ")
        .trimEnd(),
      Math.max(20, options.width - 1)
    )
  const lines = [p.bold(line(header)), ...rows.map(line)]
  const max = options.maxLines
  if (max !== undefined && lines.length > max && max >= 3) {
    const shown = lines.slice(0, max - 1)
    const hidden = entries.slice(max - 2)
    const active = hidden.filter(isActive).length
    shown.push(p.dim(`… and ${hidden.length} more (${active} still running)`))
    return shown
  }
  return lines
}

/** `2024-05-01 12:34:56Z`: the table's time, to the second. */
const shortTime = (date: Date | undefined): string =>
  date === undefined ? "-" : `${date.toISOString().slice(0, 19).replace("T", " ")}Z`

/**
 * The static table of `get` and `list`: full IDs, region, status and last update.
 *
 * @since 0.1.0
 * @category formatting
 */
export const renderStaticTable = (
  operations: ReadonlyArray<Operation>,
  options: { readonly color: boolean; readonly width: number }
): string[] => {
  const p = palette(options.color)
  const header = ["SERVICE", "REGION", "ID", "TYPE", "STATUS", "UPDATED", "NOTE"]
  const rows = operations.map((op) => {
    const paint = stateColor(op.status, p)
    return [
      op.ref.service,
      op.region,
      op.ref.id,
      op.type ?? "-",
      paint(`${op.status} (${op.rawStatus || "?"})`),
      shortTime(op.updatedAt ?? op.createdAt),
      op.error === undefined
        ? (op.resource.name ?? op.resource.id ?? "")
        : (op.error.code ?? op.error.message)
    ]
  })
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => visibleLength(r[i]!))))
  const line = (cells: ReadonlyArray<string>) =>
    truncateVisible(
      cells
        .map((c, i) => (i === cells.length - 1 ? c : padEnd(c, widths[i]!)))
        .join("  ")
        .trimEnd(),
      Math.max(40, options.width - 1)
    )
  return [p.bold(line(header)), ...rows.map(line)]
}

// ---------------------------------------------------------------------------
// Plain lines

/**
 * One plain line per change: `<timestamp> <service> <region> <id> <type> <rawStatus> -> <status>`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatChangeLine = (op: Operation, at: Date): string =>
  `${at.toISOString()} ${op.ref.service} ${op.region} ${op.ref.id} ${op.type ?? "-"} ${op.rawStatus || "-"} -> ${op.status}`

/**
 * The plain line of an entry whose wait ended in an error.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatErrorLine = (entry: Entry, at: Date): string =>
  `${at.toISOString()} ${entry.ref.service} ${entry.ref.region} ${entry.ref.id} ${entry.operation?.type ?? "-"} ${entry.operation?.rawStatus || "-"} -> ${stateOf(entry)}`

/**
 * The plain line of one step of an operation (SSM for SAP operation events, in `watch`).
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatStepLine = (
  op: Operation,
  step: NonNullable<Operation["steps"]>[number],
  at: Date
): string =>
  `${(step.at ?? at).toISOString()} ${op.ref.service} ${op.region} ${op.ref.id} step ${JSON.stringify(step.description ?? "")} ${step.rawStatus || "-"} -> ${step.status}${step.message === undefined ? "" : ` ${JSON.stringify(step.message)}`}`

// ---------------------------------------------------------------------------
// Summary

/**
 * The summary: counts by state and by service, each failure with its code and message,
 * each error.
 *
 * @since 0.1.0
 * @category models
 */
export interface Summary {
  readonly total: number
  readonly byStatus: Readonly<Record<string, number>>
  readonly byService: Readonly<Record<string, Readonly<Record<string, number>>>>
  readonly failures: ReadonlyArray<{
    readonly ref: string
    readonly type?: string
    readonly status: string
    readonly code?: string
    readonly message: string
  }>
  readonly errors: ReadonlyArray<{
    readonly ref: string
    readonly error: string
    readonly code?: string
    readonly message: string
  }>
  readonly elapsedMs: number
  readonly interrupted: boolean
}

const ordered = (counts: Map<EntryState, number>): Record<string, number> => {
  const out: Record<string, number> = {}
  for (const state of stateOrder) {
    const n = counts.get(state)
    if (n !== undefined && n > 0) out[state] = n
  }
  return out
}

/**
 * Summarizes the entries.
 *
 * @since 0.1.0
 * @category constructors
 */
export const summarize = (
  entries: ReadonlyArray<Entry>,
  options: { readonly elapsedMs: number; readonly interrupted?: boolean }
): Summary => {
  const byStatus = new Map<EntryState, number>()
  const byService = new Map<string, Map<EntryState, number>>()
  const failures: Array<Summary["failures"][number]> = []
  const errors: Array<Summary["errors"][number]> = []
  for (const entry of entries) {
    const state = stateOf(entry)
    byStatus.set(state, (byStatus.get(state) ?? 0) + 1)
    const service = byService.get(entry.ref.service) ?? new Map<EntryState, number>()
    service.set(state, (service.get(state) ?? 0) + 1)
    byService.set(entry.ref.service, service)
    const op = entry.operation
    if (entry.error !== undefined) {
      const code = codeOf(entry.error)
      errors.push({
        ref: entry.key,
        error: tagOf(entry.error),
        ...(code === undefined ? {} : { code }),
        message: messageOf(entry.error)
      })
    } else if (op !== undefined && endedUnsuccessfully(op)) {
      failures.push({
        ref: entry.key,
        ...(op.type === undefined ? {} : { type: op.type }),
        status: op.status,
        ...(op.error?.code === undefined ? {} : { code: op.error.code }),
        message:
          op.error?.message ??
          (op.status === "failed"
            ? "The operation failed"
            : op.status === "cancelled"
              ? `The operation was cancelled (${op.rawStatus})`
              : `The operation ended with the status ${op.rawStatus === "" ? "(none)" : `"${op.rawStatus}"`}, which opstatus does not know`)
      })
    }
  }
  const services: Record<string, Record<string, number>> = {}
  const known = [...serviceSlugs, ...[...byService.keys()].filter((s) => !serviceSlugs.includes(s))]
  for (const name of known) {
    const counts = byService.get(name)
    if (counts === undefined) continue
    services[name] = { total: [...counts.values()].reduce((a, b) => a + b, 0), ...ordered(counts) }
  }
  return {
    total: entries.length,
    byStatus: ordered(byStatus),
    byService: services,
    failures,
    errors,
    elapsedMs: options.elapsedMs,
    interrupted: options.interrupted === true
  }
}

const countsText = (counts: Readonly<Record<string, number>>, p: Palette): string =>
  Object.entries(counts)
    .filter(([state]) => state !== "total")
    .map(([state, n]) => stateColor(state as EntryState, p)(`${n} ${state}`))
    .join(", ")

/**
 * The summary as lines of text.
 *
 * @since 0.1.0
 * @category formatting
 */
export const renderSummary = (summary: Summary, options: { readonly color: boolean }): string[] => {
  const p = palette(options.color)
  const noun = summary.total === 1 ? "operation" : "operations"
  const lead = summary.interrupted
    ? `Interrupted after ${formatElapsed(summary.elapsedMs)}:`
    : `Summary (${formatElapsed(summary.elapsedMs)}):`
  const lines = [`${p.bold(lead)} ${summary.total} ${noun}: ${countsText(summary.byStatus, p) || "none"}`]
  const services = Object.entries(summary.byService)
  const width = Math.max(0, ...services.map(([name]) => name.length))
  for (const [name, counts] of services) {
    lines.push(`  ${name.padEnd(width)}  ${String(counts.total).padStart(3)}  ${countsText(counts, p)}`)
  }
  if (summary.failures.length > 0) {
    lines.push(p.bold("Failures:"))
    for (const f of summary.failures) {
      const what = f.code === undefined ? f.message : `${f.code}: ${f.message}`
      lines.push(`  ${p.red("✖")} ${f.ref}${f.type === undefined ? "" : ` ${f.type}`} ${f.status}: ${what}`)
    }
  }
  if (summary.errors.length > 0) {
    lines.push(p.bold("Errors:"))
    for (const e of summary.errors) {
      lines.push(`  ${p.red("✖")} ${e.ref}: ${e.error}: ${e.message}`)
    }
  }
  return lines
}

// ---------------------------------------------------------------------------
// JSON

/**
 * An operation as JSON: `Date`s as ISO strings, `raw` kept.
 *
 * @since 0.1.0
 * @category formatting
 */
export const operationJson = (op: Operation): unknown => JSON.parse(jsonText(op))

/**
 * `JSON.stringify` that survives `bigint`s.
 *
 * @since 0.1.0
 * @category formatting
 */
export const jsonText = (value: unknown): string =>
  JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? v.toString() : v))

/**
 * An error as JSON: its tag, and for an `OpstatusError` its reason and kind, the
 * service's code, message and request ID, and the endpoint an `EndpointUnreachable` names.
 *
 * @since 0.1.0
 * @category formatting
 */
export const errorJson = (error: unknown): Record<string, unknown> => {
  if (!isOpstatusError(error))
    return { _tag: isCliError(error) ? error._tag : "Error", message: messageOf(error) }
  const { code, serviceMessage, requestId } = error
  const endpoint = hasReason(error, "EndpointUnreachable") ? error.reason.endpoint : undefined
  return {
    _tag: error._tag,
    reason: error.reason._tag,
    kind: error.kind,
    message: error.message,
    ...(code === undefined ? {} : { code }),
    ...(serviceMessage === undefined ? {} : { serviceMessage }),
    ...(requestId === undefined ? {} : { requestId }),
    ...(endpoint === undefined ? {} : { endpoint })
  }
}
