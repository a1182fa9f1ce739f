/**
 * The output of the commands that read operations once (`get`, `list`): a line or an
 * `operation` event per operation as it comes, then the static table and the summary on
 * a terminal or the `done` event with `--json`; and the error lines, each once.
 *
 * @since 0.2.0
 */
import { formatRef, type Operation, type OperationRef } from "@opstatus/core"
import type { ExitCode } from "./ExitCodes.js"
import { type CliIo, isLive, useColor } from "./Io.js"
import { formatError } from "./Messages.js"
import {
  errorJson,
  formatChangeLine,
  jsonText,
  makeEntry,
  operationJson,
  renderStaticTable,
  renderSummary,
  summarize
} from "./Render.js"

/**
 * How the operations read once are shown.
 *
 * @since 0.2.0
 * @category models
 */
export interface ReadOutput {
  readonly io: CliIo
  readonly json: boolean
  readonly noColor: boolean
  readonly now: () => number
}

/**
 * A read that failed, and the ref it was for.
 *
 * @since 0.2.0
 * @category models
 */
export interface ReadError {
  readonly ref: OperationRef
  readonly error: unknown
}

const at = (output: ReadOutput): string => new Date(output.now()).toISOString()

/**
 * One operation as it is read: an `operation` event with `--json`, a plain line off a
 * terminal (at `when`), nothing on a terminal (the table comes at the end).
 *
 * @since 0.2.0
 * @category formatting
 */
export const writeOperation = (output: ReadOutput, op: Operation, when: Date): void => {
  if (output.json) {
    output.io.stdout.write(
      `${jsonText({ event: "operation", at: at(output), operation: operationJson(op) })}\n`
    )
  } else if (!isLive(output.io)) {
    output.io.stdout.write(`${formatChangeLine(op, when)}\n`)
  }
}

/**
 * One failed read as it happens: an `error` event with `--json`.
 *
 * @since 0.2.0
 * @category formatting
 */
export const writeReadError = (output: ReadOutput, failure: ReadError): void => {
  if (!output.json) return
  output.io.stdout.write(
    `${jsonText({ event: "error", at: at(output), ref: formatRef(failure.ref), error: errorJson(failure.error) })}\n`
  )
}

/**
 * The end: the `done` event with `--json`, the static table and the summary's first line
 * on a terminal, nothing on a pipe (its lines are already written).
 *
 * @since 0.2.0
 * @category formatting
 */
export const writeReadEnd = (
  output: ReadOutput,
  operations: ReadonlyArray<Operation>,
  errors: ReadonlyArray<ReadError>,
  exitCode: ExitCode,
  started: number
): void => {
  const { io, now } = output
  const entries = operations.map((op) => ({ ...makeEntry(op.ref, started, op), endedAt: now() }))
  const failedEntries = errors.map(({ ref, error }) => ({ ...makeEntry(ref, started), error }))
  const summary = summarize([...entries, ...failedEntries], { elapsedMs: now() - started })
  if (output.json) {
    io.stdout.write(
      `${jsonText({
        event: "done",
        at: at(output),
        operations: operations.map(operationJson),
        errors: errors.map(({ ref, error }) => ({ ref: formatRef(ref), error: errorJson(error) })),
        summary,
        exitCode
      })}\n`
    )
    return
  }
  if (isLive(io)) {
    const color = useColor(io, output.noColor)
    const width = io.columns !== undefined && io.columns > 0 ? io.columns : 100
    if (operations.length > 0) {
      io.stdout.write(`${renderStaticTable(operations, { color, width }).join("\n")}\n`)
    }
    io.stdout.write(`${renderSummary(summary, { color })[0]}\n`)
  }
}

/**
 * Writes each error's line to standard error, each distinct line once.
 *
 * @since 0.2.0
 * @category formatting
 */
export const writeErrors = (io: CliIo, errors: ReadonlyArray<unknown>): void => {
  const seen = new Set<string>()
  for (const error of errors) {
    const line = formatError(error)
    if (seen.has(line)) continue
    seen.add(line)
    io.stderr.write(`${line}\n`)
  }
}
