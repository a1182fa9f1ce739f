/**
 * A fleet wait as data: what `serialize` writes and `resume` reads, so a
 * wait can move to another process, as Azure's core-lro pollers do. It is
 * JSON, checked with a Schema on the way in; a problem is an
 * `InvalidFleetState` that names what is wrong and where.
 *
 * @since 0.2.0
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { Operation } from "./Operation.js"
import { OperationRef } from "./OperationRef.js"
import { invalidFleetState, OpstatusError } from "./OpstatusError.js"
import { WaitPolicy } from "./WaitPolicy.js"

/**
 * One wait of a serialized fleet wait. A wait that has not ended carries its
 * ref, start, deadline (absolute epoch ms) and policy; one that ended in an
 * error carries the error; `lastSeen` is the last snapshot, without `raw`.
 *
 * @since 0.1.0
 * @category models
 */
export const FleetStateEntry = Schema.Struct({
  input: Schema.String,
  ref: Schema.optionalKey(OperationRef),
  startedAt: Schema.optionalKey(Schema.Finite),
  deadline: Schema.optionalKey(Schema.Finite),
  policy: Schema.optionalKey(WaitPolicy),
  lastSeen: Schema.optionalKey(Operation),
  error: Schema.optionalKey(OpstatusError)
})

/**
 * @since 0.1.0
 * @category models
 */
export type FleetStateEntry = typeof FleetStateEntry.Type

/**
 * A serialized fleet wait.
 *
 * @since 0.1.0
 * @category models
 */
export const FleetState = Schema.Struct({
  version: Schema.Literal(2),
  requireSuccess: Schema.Boolean,
  /** Settle only with a full read of each operation (`fullOperation`). */
  fullOperation: Schema.optionalKey(Schema.Boolean),
  entries: Schema.Array(FleetStateEntry)
})

/**
 * @since 0.1.0
 * @category models
 */
export type FleetState = typeof FleetState.Type

const FleetStateJson = Schema.toCodecJson(FleetState)

/**
 * A fleet state as JSON text.
 *
 * @since 0.2.0
 * @category formatting
 */
export const encodeFleetState = (state: FleetState): string =>
  JSON.stringify(Schema.encodeSync(FleetStateJson)(state))

/**
 * Parses and checks a serialized fleet wait (a JSON string, or its parsed
 * value), failing with `InvalidFleetState` naming the problem.
 *
 * @since 0.1.0
 * @category constructors
 */
export const decodeFleetState = (input: unknown): Effect.Effect<FleetState, OpstatusError> =>
  Effect.gen(function* () {
    let value: unknown = input
    if (typeof input === "string") {
      try {
        value = JSON.parse(input)
      } catch (error) {
        return yield* invalidFleetState(
          `it is not JSON (${error instanceof Error ? error.message : "unreadable"})`
        )
      }
    }
    let version: unknown
    try {
      version =
        typeof value === "object" && value !== null ? (value as { version?: unknown }).version : undefined
    } catch {
      return yield* invalidFleetState("it cannot be read (a field throws when read)")
    }
    if (version === 1) {
      return yield* invalidFleetState("it was written by opstatus 0.1 (version 1); start the wait again")
    }
    const state = yield* Effect.suspend(() => Schema.decodeUnknownEffect(FleetStateJson)(value)).pipe(
      Effect.mapError((error) => invalidFleetState(error.message.replace(/\s*\n\s*/g, " "))),
      // A value (not a string) whose fields throw when read, or a proxy.
      Effect.catchDefect(() => Effect.fail(invalidFleetState("it cannot be read (a field throws when read)")))
    )
    for (const [index, entry] of state.entries.entries()) {
      // A wait that ended needs only its outcome: the error, or the terminal snapshot.
      if (entry.error !== undefined || entry.lastSeen?.terminal === true) continue
      const missing = (["ref", "startedAt", "deadline", "policy"] as const).filter(
        (k) => entry[k] === undefined
      )
      if (missing.length > 0) {
        return yield* invalidFleetState(
          `entries[${index}] (${entry.input}) has not ended, so it needs ${missing.join(", ")}`
        )
      }
      if (entry.policy!.maxDelayMillis < entry.policy!.minDelayMillis) {
        return yield* invalidFleetState(
          `entries[${index}] (${entry.input}): maxDelayMillis is below minDelayMillis`
        )
      }
    }
    return state
  })
