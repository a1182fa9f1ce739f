/**
 * The three ways a wait is shown: a live table redrawn in place on a terminal, one plain
 * line per change when the output is not a terminal, and NDJSON events with `--json`. Each
 * also shows an endpoint that cannot be reached (on the operation's row; as a warning line,
 * and an `unreachable` event with `--json`), and writes the wait's warnings where they do not
 * break the live table.
 *
 * @since 0.1.0
 */
import { formatRef, hasReason, type Operation } from "@opstatus/core"
import { snapshotKey } from "@opstatus/core/adapter-kit"
import { type CliIo, isLive, useColor, type Warn, type Writer } from "./Io.js"
import { formatWarning } from "./Messages.js"
import {
  type Entry,
  errorJson,
  formatChangeLine,
  formatErrorLine,
  formatStepLine,
  jsonText,
  operationJson,
  renderLiveTable,
  renderSummary,
  type Summary
} from "./Render.js"

/**
 * What a wait tells its view.
 *
 * @since 0.1.0
 * @category models
 */
export interface Reporter {
  /** The entries, before the first poll. */
  start(entries: ReadonlyArray<Entry>): void
  /** A new snapshot of an entry (already stored in it). */
  update(entry: Entry, operation: Operation): void
  /** The wait for an entry ended in an error (already stored in it). */
  fail(entry: Entry): void
  /**
   * The entry's endpoint cannot be reached (`entry.unreachable`, already stored in it): the
   * wait goes on for a short grace, then ends with that error unless the endpoint answers.
   *
   * @since 0.2.0
   */
  unreachable?(entry: Entry): void
  /**
   * A warning of the wait (core's, such as a status opstatus does not know), written as
   * `opstatus: warning: <message>` on standard error without breaking the view.
   *
   * @since 0.2.0
   */
  warn?(message: string): void
  /** The end: draws the last state and the summary. */
  finish(entries: ReadonlyArray<Entry>, summary: Summary, exitCode: number): void
}

/**
 * Options of the live view.
 *
 * @since 0.1.0
 * @category models
 */
export interface LiveOptions {
  readonly color: boolean
  readonly now: () => number
  readonly columns?: number | undefined
  readonly rows?: number | undefined
  /** Redraws at most this often (default 100 ms: ten times a second). */
  readonly intervalMillis?: number | undefined
  /**
   * Standard error, for warnings: the table is erased, the warning written, and the table
   * drawn again below it. Without it, warnings are not shown.
   */
  readonly stderr?: Writer | undefined
}

const esc = "\x1b["

/**
 * Core says an endpoint cannot be reached twice: to each wait on it (the `Unreachable` event,
 * whose error names the operation and its region), then once as a warning of its own. A view
 * that showed the events drops that warning: the first words of both messages name the service
 * and the endpoint (`lightsail cannot be reached at <endpoint>`).
 */
const unreachableEcho = () => {
  const told = new Set<string>()
  const lead = (service: string, endpoint: string | undefined) =>
    `${service} cannot be reached at ${endpoint ?? "its endpoint"}`
  return {
    told: (entry: Entry) => {
      const error = entry.unreachable
      if (hasReason(error, "EndpointUnreachable")) told.add(lead(error.reason.service, error.reason.endpoint))
    },
    isEcho: (message: string) => [...told].some((words) => message.startsWith(words))
  }
}

/**
 * The warning line of an operation whose endpoint cannot be reached: the error's message
 * (the endpoint, the region, what to check), and that the wait will end with it.
 *
 * @since 0.2.0
 * @category formatting
 */
export const unreachableWarning = (entry: Entry): string =>
  formatWarning(
    `${entry.unreachable?.message ?? `the endpoint of ${entry.key} cannot be reached`}; trying again for a short while, then the wait ends with this error`
  )

/** Writes the warning line, unless it is core's echo of an unreachable endpoint already shown. */
const warner = (stderr: Writer | undefined, echo: ReturnType<typeof unreachableEcho>): Warn => {
  return (message) => {
    if (stderr === undefined || echo.isEcho(message)) return
    stderr.write(`${formatWarning(message)}\n`)
  }
}

/**
 * The live table, redrawn in place with ANSI cursor movement at most ten times a second.
 *
 * @since 0.1.0
 * @category constructors
 */
export const liveReporter = (out: Writer, options: LiveOptions): Reporter => {
  let entries: ReadonlyArray<Entry> = []
  let drawn = 0
  let frame = 0
  let dirty = false
  let timer: ReturnType<typeof setInterval> | undefined
  const width = options.columns !== undefined && options.columns > 0 ? options.columns : 100
  const maxLines = options.rows !== undefined && options.rows > 4 ? options.rows - 2 : undefined
  const echo = unreachableEcho()
  const warn = warner(options.stderr, echo)

  const draw = (interrupted = false) => {
    const lines = renderLiveTable(entries, {
      color: options.color,
      frame,
      now: options.now(),
      width,
      maxLines,
      interrupted
    })
    let chunk = drawn > 0 ? `${esc}${drawn}A\r` : ""
    for (const line of lines) chunk += `${esc}2K${line}\n`
    if (lines.length < drawn) chunk += `${esc}J`
    out.write(chunk)
    drawn = lines.length
    dirty = false
  }

  return {
    start: (all) => {
      entries = all
      out.write(`${esc}?25l`)
      draw()
      timer = setInterval(() => {
        frame++
        if (dirty || entries.some((e) => e.error === undefined && e.operation?.terminal !== true)) draw()
      }, options.intervalMillis ?? 100)
    },
    update: () => {
      dirty = true
    },
    fail: () => {
      dirty = true
    },
    // On the row, with the error's message: no line of its own.
    unreachable: (entry) => {
      echo.told(entry)
      dirty = true
    },
    warn: (message) => {
      if (options.stderr === undefined || echo.isEcho(message)) return
      // A line between two frames: off the table, the line, the table again below it.
      if (drawn > 0) out.write(`${esc}${drawn}A\r${esc}J`)
      const redraw = drawn > 0
      drawn = 0
      warn(message)
      if (redraw) draw()
    },
    finish: (all, summary) => {
      if (timer !== undefined) clearInterval(timer)
      timer = undefined
      entries = all
      // Interrupted: the rows still running get the interrupted mark, not a frozen spinner.
      draw(summary.interrupted)
      // The table is final: a later warning goes below the summary.
      drawn = 0
      out.write(`${esc}?25h\n${renderSummary(summary, { color: options.color }).join("\n")}\n`)
    }
  }
}

/**
 * Options of the plain view.
 *
 * @since 0.1.0
 * @category models
 */
export interface PlainOptions {
  readonly now: () => number
  /** `watch`: a line for every change (and every new step), not only status changes. */
  readonly everyChange: boolean
  /** Standard error, for warnings (an endpoint that cannot be reached). Without it, none are shown. */
  readonly stderr?: Writer | undefined
}

/**
 * One plain line per change, then the summary.
 *
 * @since 0.1.0
 * @category constructors
 */
export const plainReporter = (out: Writer, options: PlainOptions): Reporter => {
  const printed = new Map<string, string>()
  const steps = new Map<string, number>()
  const at = () => new Date(options.now())
  const echo = unreachableEcho()
  return {
    start: () => {},
    update: (entry, op) => {
      const key = options.everyChange ? snapshotKey(op) : `${op.status}|${op.rawStatus}`
      if (printed.get(entry.key) !== key) {
        printed.set(entry.key, key)
        out.write(`${formatChangeLine(op, at())}\n`)
      }
      if (options.everyChange && op.steps !== undefined) {
        const seen = steps.get(entry.key) ?? 0
        for (const step of op.steps.slice(seen)) out.write(`${formatStepLine(op, step, at())}\n`)
        steps.set(entry.key, Math.max(seen, op.steps.length))
      }
    },
    fail: (entry) => {
      out.write(`${formatErrorLine(entry, at())}\n`)
    },
    unreachable: (entry) => {
      echo.told(entry)
      options.stderr?.write(`${unreachableWarning(entry)}\n`)
    },
    warn: warner(options.stderr, echo),
    finish: (_all, summary) => {
      out.write(`\n${renderSummary(summary, { color: false }).join("\n")}\n`)
    }
  }
}

/**
 * NDJSON: `{"event":"change","operation":{...}}` per change, `{"event":"unreachable",...}`
 * when an operation's endpoint cannot be reached (with the warning line on `stderr`),
 * `{"event":"error",...}` per failed wait, and `{"event":"done","operations":[...],"summary":{...}}`
 * last.
 *
 * @since 0.1.0
 * @category constructors
 */
export const jsonReporter = (
  out: Writer,
  options: { readonly now: () => number; readonly stderr?: Writer | undefined }
): Reporter => {
  const at = () => new Date(options.now()).toISOString()
  const echo = unreachableEcho()
  return {
    start: () => {},
    update: (_entry, op) => {
      out.write(`${jsonText({ event: "change", at: at(), operation: operationJson(op) })}\n`)
    },
    fail: (entry) => {
      out.write(
        `${jsonText({
          event: "error",
          at: at(),
          ref: entry.key,
          ...(entry.operation === undefined ? {} : { operation: operationJson(entry.operation) }),
          error: errorJson(entry.error)
        })}\n`
      )
    },
    unreachable: (entry) => {
      echo.told(entry)
      out.write(
        `${jsonText({
          event: "unreachable",
          at: at(),
          ref: entry.key,
          ...(entry.operation === undefined ? {} : { operation: operationJson(entry.operation) }),
          error: errorJson(entry.unreachable)
        })}\n`
      )
      options.stderr?.write(`${unreachableWarning(entry)}\n`)
    },
    warn: warner(options.stderr, echo),
    finish: (all, summary, exitCode) => {
      out.write(
        `${jsonText({
          event: "done",
          at: at(),
          operations: all.flatMap((e) => (e.operation === undefined ? [] : [operationJson(e.operation)])),
          errors: all.flatMap((e) =>
            e.error === undefined ? [] : [{ ref: formatRef(e.ref), error: errorJson(e.error) }]
          ),
          summary,
          exitCode
        })}\n`
      )
    }
  }
}

/**
 * The view a wait is shown in: NDJSON with `--json`, the live table on a terminal, plain
 * lines otherwise (`everyChange` for `watch`); warnings go to standard error.
 *
 * @since 0.2.0
 * @category constructors
 */
export const reporterFor = (
  io: CliIo,
  options: {
    readonly json: boolean
    readonly noColor: boolean
    readonly everyChange: boolean
    readonly now: () => number
  }
): Reporter => {
  const { now } = options
  const stderr = io.stderr
  if (options.json) return jsonReporter(io.stdout, { now, stderr })
  if (isLive(io)) {
    return liveReporter(io.stdout, {
      color: useColor(io, options.noColor),
      now,
      columns: io.columns,
      rows: io.rows,
      stderr
    })
  }
  return plainReporter(io.stdout, { now, everyChange: options.everyChange, stderr })
}

/**
 * Where the wait's warnings go: to the reporter, which writes them without breaking its view,
 * or, for a reporter that takes none, to `otherwise`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const warningsOf = (reporter: Reporter, otherwise: Warn): Warn =>
  reporter.warn === undefined ? otherwise : (message) => reporter.warn?.(message)
