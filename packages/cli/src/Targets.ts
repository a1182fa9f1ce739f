/**
 * The operations a command is given: its ref arguments, and standard input when one of
 * them is `-`, read once, at most 16 MiB, and given up at once on Ctrl-C. What the text
 * means is `Input`'s part.
 *
 * @since 0.2.0
 */
import { Interrupted, usageError } from "./Errors.js"
import { dedupe, type InputOptions, refFromToken, type Target, targetsFromText } from "./Input.js"
import type { CliIo } from "./Io.js"

const maxStdinBytes = 16 * 1024 * 1024

const interrupted = () => new Interrupted({ message: "interrupted" })

/**
 * Reads standard input to the end; rejects with `Interrupted` as soon as the signal fires.
 *
 * @since 0.2.0
 * @category constructors
 */
export const readStdin = async (io: CliIo): Promise<string> => {
  if (io.signal.aborted) throw interrupted()
  const chunks: Buffer[] = []
  let size = 0
  const reading = (async () => {
    for await (const chunk of io.stdin()) {
      const buffer =
        typeof chunk === "string"
          ? Buffer.from(chunk, "utf8")
          : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
      size += buffer.length
      if (size > maxStdinBytes) {
        throw usageError("standard input is larger than 16 MiB", "Pipe the response of one call at a time")
      }
      chunks.push(buffer)
    }
    return Buffer.concat(chunks).toString("utf8")
  })()
  let onAbort: (() => void) | undefined
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(interrupted())
    io.signal.addEventListener("abort", onAbort, { once: true })
  })
  try {
    return await Promise.race([reading, aborted])
  } finally {
    if (onAbort !== undefined) io.signal.removeEventListener("abort", onAbort)
    reading.catch(() => {})
  }
}

/**
 * The targets of the positional arguments, without duplicates; `-` reads standard input
 * once. `what` names the command's verb for the error without arguments ("wait for").
 *
 * @since 0.2.0
 * @category constructors
 */
export const readTargets = async (
  positionals: ReadonlyArray<string>,
  options: InputOptions,
  io: CliIo,
  what: string
): Promise<Target[]> => {
  if (positionals.length === 0) {
    throw usageError(
      `no operations to ${what}`,
      "Pass refs like lightsail:us-east-1:<operation-id>, or - to read refs or a response from standard input"
    )
  }
  const targets: Target[] = []
  let readStdinAlready = false
  for (const arg of positionals) {
    if (arg === "-") {
      if (readStdinAlready) continue
      readStdinAlready = true
      const fromStdin = targetsFromText(await readStdin(io), options)
      if (fromStdin.length === 0) {
        throw usageError(
          "standard input holds no operation refs",
          "Pipe refs, or the JSON response of a call that starts operations"
        )
      }
      targets.push(...fromStdin)
    } else {
      targets.push(refFromToken(arg, options))
    }
  }
  return dedupe(targets)
}
