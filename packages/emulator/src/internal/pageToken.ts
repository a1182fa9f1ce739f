/** Opaque page tokens that carry an offset into a list, tagged with the list they belong to. */

/** Encodes an offset for a list; the result is at least 16 characters, as SSM for SAP requires. */
export const encodePageToken = (list: string, offset: number): string =>
  Buffer.from(JSON.stringify({ list, offset, v: 1 }), "utf8").toString("base64url")

/** Decodes a token made by encodePageToken for the same list; undefined if it is not one. */
export const decodePageToken = (list: string, token: string): number | undefined => {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"))
    if (typeof value !== "object" || value === null) return undefined
    const record = value as { list?: unknown; offset?: unknown }
    if (record.list !== list) return undefined
    const offset = record.offset
    return typeof offset === "number" && Number.isInteger(offset) && offset >= 0 ? offset : undefined
  } catch {
    return undefined
  }
}
