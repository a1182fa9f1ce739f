/**
 * A small seeded pseudo-random generator (sfc32, seeded through splitmix32) so that a run with the
 * same seed replays the same ids, durations, outcomes and faults. The simulation never uses Math.random.
 */

/** A stream of pseudo-random numbers. */
export interface Prng {
  /** A float in [0, 1). */
  readonly next: () => number
  /** An unsigned 32-bit integer. */
  readonly uint32: () => number
  /** An integer in [min, max], both inclusive. */
  readonly int: (min: number, max: number) => number
  /** One element of a non-empty list. */
  readonly pick: <T>(items: readonly T[]) => T
}

/** Hashes a string to 32 bits with FNV-1a. */
export const fnv1a = (text: string): number => {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

const splitmix32 = (seed: number): (() => number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x9e3779b9) >>> 0
    let z = state
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
    return (z ^ (z >>> 16)) >>> 0
  }
}

/** Creates the named stream of a seed; different stream names give independent sequences. */
export const createPrng = (seed: number, stream: string): Prng => {
  const mix = splitmix32((Math.trunc(seed) ^ fnv1a(stream)) >>> 0)
  let a = mix()
  let b = mix()
  let c = mix()
  let d = mix()
  const uint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0
    d = (d + 1) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) | 0
    return t >>> 0
  }
  // Warm up so that nearby seeds diverge at once.
  for (let i = 0; i < 12; i++) uint32()
  const next = (): number => uint32() / 4294967296
  const int = (min: number, max: number): number => {
    const lo = Math.ceil(Math.min(min, max))
    const hi = Math.floor(Math.max(min, max))
    return lo + Math.floor(next() * (hi - lo + 1))
  }
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T
  return { next, uint32, int, pick }
}
