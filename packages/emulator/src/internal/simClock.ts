/**
 * The simulated AWS clock: real time (from an injectable source) scaled by `timeScale` around an
 * anchor, so one real second can stand for a minute of AWS time. Also maps simulated instants back
 * to real ones, which the benchmark needs to measure detection lag.
 *
 * Simulated time never leaves [-MAX_SIMULATED_MS, MAX_SIMULATED_MS] (the end of year 9999): it
 * stops there rather than run into numbers no date can hold, or Infinity.
 */

/** 9999-12-31T23:59:59.999Z: the last instant the simulated clock reaches. */
export const MAX_SIMULATED_MS = 253_402_300_799_999

/** A simulated instant within the clock's range; NaN (from a broken injected clock) becomes `fallback`. */
const bound = (t: number, fallback: number): number =>
  Number.isNaN(t) ? fallback : Math.min(MAX_SIMULATED_MS, Math.max(-MAX_SIMULATED_MS, t))

/** Scaled time. All simulated values are epoch milliseconds. */
export class SimClock {
  private anchorReal: number
  private anchorSim: number

  constructor(
    private readonly realNow: () => number,
    private scale: number
  ) {
    this.anchorReal = realNow()
    this.anchorSim = bound(this.anchorReal, 0)
  }

  /** The current real time, in the injected clock's milliseconds. */
  real(): number {
    return this.realNow()
  }

  /** The current simulated time in whole epoch milliseconds; always finite. */
  now(): number {
    return Math.round(bound(this.anchorSim + (this.realNow() - this.anchorReal) * this.scale, this.anchorSim))
  }

  /** The real instant at which the simulated instant `sim` happens (or happened). */
  toReal(sim: number): number {
    return this.anchorReal + (bound(sim, this.anchorSim) - this.anchorSim) / this.scale
  }

  /** The current time scale. */
  timeScale(): number {
    return this.scale
  }

  /** Changes the scale from now on, keeping simulated time continuous. */
  setTimeScale(scale: number): void {
    const sim = this.now()
    this.anchorReal = this.realNow()
    this.anchorSim = sim
    this.scale = scale
  }
}
