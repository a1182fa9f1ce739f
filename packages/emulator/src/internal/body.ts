/** Reading a request body under a size cap. */
import type { IncomingMessage } from "node:http"

/** A request body, or the fact that it is over the cap. */
export type Body = { readonly tooLarge: false; readonly text: string } | { readonly tooLarge: true }

/**
 * Reads the body as UTF-8, keeping at most `cap` bytes. Past the cap (or when Content-Length
 * says so up front) it stops reading at once and resolves `tooLarge`, so the caller can answer
 * 413 without waiting for the rest: answer it with `connection: close`, as the rest of the body
 * is never read. Rejects if the client goes away first.
 */
export const readBody = (req: IncomingMessage, cap: number): Promise<Body> =>
  new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"])
    if (Number.isFinite(declared) && declared > cap) {
      req.pause()
      return resolve({ tooLarge: true })
    }
    const chunks: Buffer[] = []
    let size = 0
    const done = () => {
      req.off("data", onData)
      req.off("end", onEnd)
      req.off("error", onError)
      req.off("close", onClose)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > cap) {
        done()
        req.pause()
        chunks.length = 0
        resolve({ tooLarge: true })
        return
      }
      chunks.push(chunk)
    }
    const onEnd = () => {
      done()
      resolve({ tooLarge: false, text: Buffer.concat(chunks).toString("utf8") })
    }
    const onError = (error: Error) => {
      done()
      reject(error)
    }
    const onClose = () => {
      if (req.complete) return
      done()
      reject(new Error("request aborted"))
    }
    req.on("data", onData)
    req.on("end", onEnd)
    req.on("error", onError)
    req.on("close", onClose)
  })
