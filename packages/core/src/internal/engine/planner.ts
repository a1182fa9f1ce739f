/**
 * The round planner: which list reads to make, and which operations to read
 * one by one. It is a weighted set cover solved greedily: take the read with
 * the lowest estimated calls per wanted operation it newly covers, as long as
 * that is cheaper than reading those operations one by one, and repeat; every
 * wanted operation no chosen read covers is read with `get`.
 *
 * A read's estimate is the pages its key took last time (1 before it was ever
 * made) plus its per-operation calls. Wanted operations are the ones due in
 * this round; in a sweep round (the lane's own backoff cadence), every
 * operation the lane waits on. Operations are numbered (slots) for the round,
 * so the planner does no string hashing on fleets of thousands.
 */

/** A read as the planner sees it. */
export interface Offer<R> {
  readonly read: R
  /** The slots of the operations it covers. */
  readonly covers: ReadonlyArray<number>
  /** Estimated calls. */
  readonly estimate: number
}

/** A chosen read and the wanted operations it was chosen for. */
export interface Choice<R> extends Offer<R> {
  /** How many wanted operations it newly covered: reading them one by one would cost `benefit × getCost`. */
  readonly benefit: number
}

/** Chooses reads; `wanted[slot]` is 1 for a wanted operation; `getCost` is the calls one `get` makes. */
export const chooseReads = <R>(
  offers: ReadonlyArray<Offer<R>>,
  wanted: Uint8Array,
  getCost = 1
): Array<Choice<R>> => {
  const uncovered = Uint8Array.from(wanted)
  let remaining = 0
  for (const w of uncovered) remaining += w
  const left = offers.filter((o) => o.covers.length > 0)
  const chosen: Array<Choice<R>> = []
  while (remaining > 0 && left.length > 0) {
    let best = -1
    let bestBenefit = 0
    let bestRatio = Number.POSITIVE_INFINITY
    for (let i = 0; i < left.length; i++) {
      const offer = left[i]!
      let benefit = 0
      for (const slot of offer.covers) benefit += uncovered[slot]!
      if (benefit === 0) continue
      const ratio = offer.estimate / benefit
      if (ratio < bestRatio || (ratio === bestRatio && benefit > bestBenefit)) {
        best = i
        bestRatio = ratio
        bestBenefit = benefit
      }
    }
    if (best < 0) break
    const offer = left[best]!
    // Strictly cheaper than reading the same operations one by one, or not worth it.
    if (!(offer.estimate < bestBenefit * getCost)) break
    chosen.push({ ...offer, benefit: bestBenefit })
    for (const slot of offer.covers) {
      remaining -= uncovered[slot]!
      uncovered[slot] = 0
    }
    left.splice(best, 1)
  }
  return chosen
}
