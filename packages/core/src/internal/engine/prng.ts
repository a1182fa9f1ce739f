/**
 * A small seeded generator (mulberry32) for the jitter of many delays in one
 * round: the round draws one seed from Effect's `Random`, so runs stay
 * reproducible under `TestRandom`, without a fiber step per operation.
 */

/** Numbers in [0, 1) from a 32-bit seed. */
export const mulberry32 = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
