/**
 * The three ways a wait is shown: a live table redrawn in place on a terminal, one plain
 * line per change when the output is not a terminal, and NDJSON events with `--json`.
 *
 * @since 0.1.0
 */
import { formatRef, type Operation, snapshotKey } from "@opstatus/core"
import { type CliIo, isLive, useColor, type Writer } from "./Io.js"
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
}

const esc = "\x1b["

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
    finish: (all, summary) => {
      if (timer !== undefined) clearInterval(timer)
      timer = undefined
      entries = all
      // Interrupted: the rows still running get the interrupted mark, not a frozen spinner.
      draw(summary.interrupted)
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
    finish: (_all, summary) => {
      out.write(`\n${renderSummary(summary, { color: false }).join("\n")}\n`)
    }
  }
}

/**
 * NDJSON: `{"event":"change","operation":{...}}` per change, `{"event":"error",...}` per
 * failed wait, and `{"event":"done","operations":[...],"summary":{...}}` last.
 *
 * @since 0.1.0
 * @category constructors
 */
export const jsonReporter = (out: Writer, options: { readonly now: () => number }): Reporter => {
  const at = () => new Date(options.now()).toISOString()
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
 * lines otherwise (`everyChange` for `watch`).
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
  if (options.json) return jsonReporter(io.stdout, { now })
  if (isLive(io)) {
    return liveReporter(io.stdout, {
      color: useColor(io, options.noColor),
      now,
      columns: io.columns,
      rows: io.rows
    })
  }
  return plainReporter(io.stdout, { now, everyChange: options.everyChange })
}
