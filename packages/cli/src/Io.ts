/**
 * What a run reads and writes, injected so that `run(argv, io)` works in-process as well
 * as from `bin.ts`: standard input and output, the environment, whether the output is a
 * terminal, the Ctrl-C signal and the clock; and the choices that follow from it (live
 * output, colour, the warning line).
 *
 * @since 0.2.0
 */
import { formatWarning } from "./Messages.js"

/**
 * Something text can be written to.
 *
 * @since 0.1.0
 * @category models
 */
export interface Writer {
  write(chunk: string): unknown
}

/**
 * The environment, as `process.env`.
 *
 * @since 0.1.0
 * @category models
 */
export type Env = Readonly<Record<string, string | undefined>>

/**
 * Where warnings go; the CLI writes them to standard error as `opstatus: warning:
 * <message>`.
 *
 * @since 0.1.0
 * @category models
 */
export type Warn = (message: string) => void

/**
 * What the command reads and writes.
 *
 * @since 0.1.0
 * @category models
 */
export interface CliIo {
  /** Standard input, read only when a ref is `-`. */
  readonly stdin: () => AsyncIterable<string | Uint8Array>
  readonly stdout: Writer
  readonly stderr: Writer
  readonly env: Env
  /** Whether standard output is a terminal (`TERM=dumb` makes the output plain all the same). */
  readonly isTTY: boolean
  /** Fires on Ctrl-C: polling stops at once and the command exits 130. */
  readonly signal: AbortSignal
  /**
   * Fires when standard output was closed by its reader (a stream reports `EPIPE` after the
   * write, not from it): the command writes nothing more, stops polling at once and exits
   * 141. A write that throws `EPIPE` does the same.
   */
  readonly outputClosed?: AbortSignal | undefined
  readonly columns?: number | undefined
  readonly rows?: number | undefined
  readonly now?: (() => number) | undefined
}

/**
 * True when standard output is a terminal that can redraw: not with `TERM=dumb`, which
 * gets plain lines.
 *
 * @since 0.2.0
 * @category policies
 */
export const isLive = (io: CliIo): boolean => io.isTTY && io.env.TERM !== "dumb"

/**
 * Whether to colour: on a live terminal, unless `--no-color` or `NO_COLOR`.
 *
 * @since 0.2.0
 * @category policies
 */
export const useColor = (io: CliIo, noColorFlag: boolean): boolean =>
  isLive(io) && !noColorFlag && (io.env.NO_COLOR === undefined || io.env.NO_COLOR === "")

/**
 * The CLI's warning line on standard error.
 *
 * @since 0.2.0
 * @category constructors
 */
export const warnTo =
  (io: CliIo): Warn =>
  (message) => {
    io.stderr.write(`${formatWarning(message)}\n`)
  }

/**
 * One command: its arguments (after the command's name) in, its exit code out.
 *
 * @since 0.2.0
 * @category models
 */
export type Command = (args: ReadonlyArray<string>, io: CliIo, now: () => number) => Promise<number>
