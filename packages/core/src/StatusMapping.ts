/**
 * Status mapping: each adapter declares one table from its service's raw
 * status values to the unified statuses, and this module turns that table
 * into a pure mapping function. A raw value missing from the table maps to
 * `unknown`: not terminal and never success, so a status AWS adds tomorrow
 * cannot end a wait early or be mistaken for success.
 *
 * @since 0.1.0
 */
import { type OperationStatus, terminalStatuses } from "./Operation.js"

/**
 * A service's raw status values and what each means.
 *
 * @since 0.1.0
 * @category models
 */
export type StatusTable = Readonly<Record<string, OperationStatus>>

/**
 * The result of mapping one raw status.
 *
 * @since 0.1.0
 * @category models
 */
export interface MappedStatus {
  readonly status: OperationStatus
  readonly terminal: boolean
  /** False when the raw value is not in the table. */
  readonly known: boolean
}

const unknownStatus: MappedStatus = { status: "unknown", terminal: false, known: false }

/**
 * Builds the pure mapping function of a table.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeStatusMapper = (table: StatusTable) => {
  const rows = new Map<string, MappedStatus>()
  for (const [raw, status] of Object.entries(table)) {
    rows.set(raw, { status, terminal: terminalStatuses.has(status), known: true })
  }
  return (raw: string | undefined): MappedStatus =>
    raw === undefined ? unknownStatus : (rows.get(raw) ?? unknownStatus)
}

/**
 * Renders a table as Markdown, as `docs/status-mapping.md` prints it.
 *
 * @since 0.1.0
 * @category formatting
 */
export const renderStatusTable = (table: StatusTable): string => {
  const lines = ["| raw status | unified status | terminal |", "|---|---|---|"]
  for (const [raw, status] of Object.entries(table)) {
    lines.push(`| \`${raw}\` | \`${status}\` | ${terminalStatuses.has(status) ? "yes" : "no"} |`)
  }
  lines.push("| any other value | `unknown` | no |")
  return lines.join("\n")
}
