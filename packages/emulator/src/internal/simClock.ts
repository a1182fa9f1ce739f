/**
 * The simulated AWS clock: real time (from an injectable source) scaled by `timeScale` around an
 * anchor, so one real second can stand for a minute of AWS time. Also maps simulated instants back
 * to real ones, which the benchmark needs to measure detection lag.
 */

/** Scaled time. All simulated values are epoch milliseconds. */
export class SimClock {
  private anchorReal: number
  private anchorSim: number

  constructor(
    private readonly realNow: () => number,
    private scale: number
  ) {
    this.anchorReal = realNow()
    this.anchorSim = this.anchorReal
  }

  /** The current real time, in the injected clock's milliseconds. */
  real(): number {
    return this.realNow()
  }

  /** The current simulated time in whole epoch milliseconds. */
  now(): number {
    return Math.round(this.anchorSim + (this.realNow() - this.anchorReal) * this.scale)
  }

  /** The real instant at which the simulated instant `sim` happens (or happened). */
  toReal(sim: number): number {
    return this.anchorReal + (sim - this.anchorSim) / this.scale
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
