/**
 * A usage problem found by the light part of the CLI (argument parsing, durations), as
 * plain data: `Args` and `Cli` turn it into a `UsageError` (exit 2) only when there is one,
 * so reading the arguments of `--help` or `--version` loads nothing of effect.
 *
 * @since 0.2.0
 */

/**
 * What is wrong, and what to do about it.
 *
 * @since 0.2.0
 * @category models
 */
export interface UsageProblem {
  readonly message: string
  readonly hint?: string | undefined
}
