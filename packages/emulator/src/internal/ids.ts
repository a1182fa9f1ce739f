/**
 * Identifier formats of the emulated services, drawn from a seeded stream so runs are reproducible,
 * and the deterministic mapping from an access key id to a 12-digit account id.
 */
import { createHash } from "node:crypto"
import type { Prng } from "./prng.js"

const hex = (value: number, width: number): string => value.toString(16).padStart(width, "0")

/** A version-4 shaped UUID drawn from the stream. */
export const uuidFrom = (prng: Prng): string => {
  const w0 = prng.uint32()
  // Version 4 in the high nibble of the third group, RFC 4122 variant in the fourth.
  const w1 = ((prng.uint32() & 0xffff0fff) | 0x00004000) >>> 0
  const w2 = ((prng.uint32() & 0x3fffffff) | 0x80000000) >>> 0
  const w3 = prng.uint32()
  const h = hex(w0, 8) + hex(w1, 8) + hex(w2, 8) + hex(w3, 8)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`
}

const chars = (prng: Prng, alphabet: string, length: number): string => {
  let out = ""
  for (let i = 0; i < length; i++) out += alphabet[prng.uint32() % alphabet.length]
  return out
}

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567"
const ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"

/** A Cloud Map operation id: 32 lowercase base32 characters, a dash, 8 alphanumerics. */
export const cloudMapOperationId = (prng: Prng): string =>
  `${chars(prng, BASE32, 32)}-${chars(prng, ALNUM, 8)}`

/** A Cloud Map namespace id such as `ns-e4anhexample0004`. */
export const cloudMapNamespaceId = (prng: Prng): string => `ns-${chars(prng, ALNUM, 16)}`

/** An EC2 instance id such as `i-0123456789abcdef0`. */
export const ec2InstanceId = (prng: Prng): string => `i-${chars(prng, "0123456789abcdef", 17)}`

/** Maps an access key id to a stable 12-digit account id. */
export const accountIdFor = (accessKeyId: string): string => {
  if (/^\d{12}$/.test(accessKeyId)) return accessKeyId
  const digest = createHash("sha256").update(accessKeyId).digest()
  const value = digest.readBigUInt64BE(0) % 1_000_000_000_000n
  return value.toString().padStart(12, "0")
}
