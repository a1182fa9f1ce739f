/**
 * Chaos: many waits over the three services through the real SDK clients,
 * against the emulator injecting eventual consistency, throttles, malformed
 * bodies, 5xx answers and connection resets, all forced round by round (see
 * support/chaos.ts). The emulator's own record is the truth: every wait must
 * end as it says (a success succeeds; a failure fails with the service's
 * code and message), no throttle may reach a caller, no rejection may go
 * unhandled, and the emulator's counters must show every fault was met.
 *
 * Operations move on a clock the engine's rounds drive, so the same seed
 * gives the same lifecycles and the same faults on a quiet machine and on a
 * loaded one. `RELIABILITY_SCALE=large` runs 300 waits. This file: the
 * waits as concurrent single `waitForSuccess` calls.
 */
import { describe, it } from "vitest"
import { chaosWaits, runChaos } from "../../support/chaosRun.js"

describe(`chaos: ${chaosWaits} waits over the three services, faults forced round by round`, () => {
  it(`as ${chaosWaits} concurrent single waits: every outcome as the emulator records it, every fault met, no throttle surfaced, no unhandled rejection`, async () => {
    await runChaos("single waits", 43)
  }, 180_000)
})
