/**
 * The CLI's own errors, each a `Schema.TaggedError` told apart by its `_tag`: bad usage,
 * credentials found missing before any request, a `get` or `list` that got no answer
 * within its `--timeout`, and Ctrl-C while standard input was being read. Errors about
 * operations and requests are core's `OpstatusError`; `ExitCodes` and `Messages` match
 * both by type.
 *
 * @since 0.1.0
 */
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"

const TypeId = "~@opstatus/cli/CliError" as const

/**
 * Bad usage: an unknown flag, a bad duration, unreadable standard input (exit 2).
 *
 * @since 0.1.0
 * @category errors
 */
export class UsageError extends Schema.TaggedError<UsageError>()("UsageError", {
  message: Schema.String,
  /** What to do about it. */
  hint: Schema.optionalKey(Schema.String)
}) {
  readonly [TypeId] = TypeId
}

/**
 * A credential problem found before any request, such as a profile that does not exist
 * (exit 4).
 *
 * @since 0.1.0
 * @category errors
 */
export class CredentialsError extends Schema.TaggedError<CredentialsError>()("CredentialsError", {
  message: Schema.String,
  hint: Schema.optionalKey(Schema.String)
}) {
  readonly [TypeId] = TypeId
}

/**
 * `get` or `list` did not finish within its `--timeout`, for example against a server
 * that accepts the connection and never answers (exit 3).
 *
 * @since 0.1.0
 * @category errors
 */
export class DeadlineError extends Schema.TaggedError<DeadlineError>()("DeadlineError", {
  /** What did not finish and within how long: `list lightsail did not finish within 5m00s`. */
  message: Schema.String,
  timeoutMillis: Schema.Number
}) {
  readonly [TypeId] = TypeId
}

/**
 * Ctrl-C (or SIGTERM) came while the CLI itself was busy, reading standard input (exit 130).
 *
 * @since 0.2.0
 * @category errors
 */
export class Interrupted extends Schema.TaggedError<Interrupted>()("Interrupted", {
  message: Schema.String
}) {
  readonly [TypeId] = TypeId
}

/**
 * Every error of the CLI's own.
 *
 * @since 0.2.0
 * @category errors
 */
export type CliError = UsageError | CredentialsError | DeadlineError | Interrupted

/**
 * True for one of the CLI's own errors.
 *
 * @since 0.2.0
 * @category guards
 */
export const isCliError = (u: unknown): u is CliError => Predicate.hasProperty(u, TypeId)

/**
 * A `UsageError`; `hint` says what to do.
 *
 * @since 0.2.0
 * @category constructors
 */
export const usageError = (message: string, hint?: string): UsageError =>
  new UsageError(hint === undefined ? { message } : { message, hint })

/**
 * A `CredentialsError`; `hint` says what to do.
 *
 * @since 0.2.0
 * @category constructors
 */
export const credentialsError = (message: string, hint: string): CredentialsError =>
  new CredentialsError({ message, hint })
