/**
 * Order statistics of the benchmark: detection-lag percentiles within a run,
 * and the median of a figure over runs.
 */

export interface Percentiles {
  readonly p50: number
  readonly p99: number
  readonly max: number
}

/** Nearest-rank percentiles; NaN when there are no values. */
export const percentiles = (values: ReadonlyArray<number>): Percentiles => {
  if (values.length === 0) return { p50: Number.NaN, p99: Number.NaN, max: Number.NaN }
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1)! }
}

/**
 * The median: the middle value of an odd count, the mean of the two middle
 * values of an even count; NaN values are left out, NaN when none is left.
 */
export const median = (values: ReadonlyArray<number>): number => {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** The median of each numeric field over records of the same shape. */
export const medianOf = <K extends string>(
  records: ReadonlyArray<Readonly<Record<K, number>>>
): Record<K, number> => {
  const out = {} as Record<K, number>
  if (records.length === 0) return out
  for (const key of Object.keys(records[0]!) as Array<K>) out[key] = median(records.map((r) => r[key]))
  return out
}
