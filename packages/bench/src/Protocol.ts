/**
 * What the bench runner and its child processes say to each other over IPC.
 * The child loads its modules and builds its clients first and says `ready`;
 * only then does the runner create the operations and send `start`, so a
 * child's start-up never counts as detection lag.
 */
import type { OperationRef } from "@opstatus/core"

export type Mode = "engine" | "baseline" | "scaling" | "engine-only"

export interface Policy {
  readonly minDelayMillis: number
  readonly maxDelayMillis: number
  readonly timeoutMillis: number
}

export interface StartMessage {
  readonly type: "start"
  readonly refs: ReadonlyArray<OperationRef>
  readonly policy: Policy
  /** Scaling only: sweeps to discard first (JIT compilation, the first reads learning each list's cost). */
  readonly warmupRounds?: number
  /** Scaling only: sweeps to measure after the warm-up. */
  readonly rounds?: number
  /** Scaling only: the engine's rate limit (requests a second). */
  readonly rate?: number
}

/** One wait as the child saw it end. */
export interface WaitRecord {
  /** `service:id`. */
  readonly key: string
  /** Epoch ms when the terminal state was seen, if it was. */
  readonly detectedAt?: number
  /** `succeeded`, `failed`, or the error it ended with. */
  readonly ending: string
  readonly error?: boolean
}

export interface ProcessStats {
  readonly wallMs: number
  readonly cpuUserMs: number
  readonly cpuSystemMs: number
  readonly peakRssBytes: number
}

export interface WaitResult {
  readonly type: "result"
  readonly mode: "engine" | "baseline"
  readonly waits: ReadonlyArray<WaitRecord>
  readonly stats: ProcessStats
}

export interface ScalingRound {
  readonly service: string
  readonly calls: number
  readonly pending: number
  readonly durationMs: number
}

export interface ScalingResult {
  readonly type: "scaling"
  readonly operations: number
  readonly rounds: ReadonlyArray<ScalingRound>
  /** Sweeps discarded before the measured window. */
  readonly warmupRounds: number
  /**
   * CPU ms (user + system) of each sweep from the start, warm-up included: a
   * sweep ends when every lane has finished one more round.
   */
  readonly sweepCpuMs: ReadonlyArray<number>
  /** Rounds of each lane in the measured window. */
  readonly measuredRounds: number
  readonly measuredCalls: number
  readonly measuredCpuMs: number
  /** In-memory sources only: ms of the measured window spent building the sources' answers. */
  readonly measuredSourceMs?: number | undefined
  readonly measuredWallMs: number
  /** CPU ms of each thread in the window (Linux): main, V8 workers, libuv. */
  readonly threadCpuMs: Readonly<Record<string, number>>
  readonly heapBeforeBytes: number
  readonly heapAfterBytes: number
  readonly rssBeforeBytes: number
  readonly rssAfterBytes: number
}

export type ChildMessage =
  | { readonly type: "ready" }
  | WaitResult
  | ScalingResult
  | { type: "error"; message: string }
