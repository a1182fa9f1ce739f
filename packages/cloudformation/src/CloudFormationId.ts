/**
 * The operation IDs of CloudFormation refs. A ref's string form,
 * `service:region:id`, has no room for hints, and DescribeStackSetOperation
 * needs the stack set as well as the operation: so the ID carries both,
 * `<stackSetName>/<operationId>`. A stack operation (CreateStack, UpdateStack,
 * RollbackStack return an `OperationId`, DescribeEvents reads it) is
 * `stack/<stackName>/<operationId>`: two slashes, where a stack set
 * operation has one, so the two never read alike.
 *
 * @since 0.3.0
 */

const name = "[a-zA-Z][-a-zA-Z0-9]{0,127}"
const uuid = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
const operation = "[a-zA-Z0-9][-a-zA-Z0-9]{0,127}"

const stackSetNamePattern = new RegExp(`^${name}(?::${uuid})?$`)
const operationPattern = new RegExp(`^${operation}$`)
const stackSetOperationPattern = new RegExp(`^(${name}(?::${uuid})?)/(${operation})$`)
const stackOperationPattern = new RegExp(`^stack/(${name})/(${operation})$`)

/**
 * Every CloudFormation operation ID: `<stackSetName>/<operationId>` or
 * `stack/<stackName>/<operationId>`.
 *
 * @since 0.3.0
 * @category models
 */
export const cloudFormationIdPattern = new RegExp(`^(?:stack/${name}|${name}(?::${uuid})?)/${operation}$`)

/**
 * The longest ID: a stack set ID (`name:uuid`, 165 characters), a slash and
 * an operation ID of 128.
 *
 * @since 0.3.0
 * @category models
 */
export const cloudFormationIdMaxLength = 128 + 1 + 36 + 1 + 128

/**
 * What a CloudFormation ref's ID names.
 *
 * @since 0.3.0
 * @category models
 */
export type CloudFormationId =
  | {
      readonly kind: "stackSet"
      /** The stack set's name, or its ID (`name:uuid`), as the ID carries it. */
      readonly stackSetName: string
      readonly operationId: string
    }
  | { readonly kind: "stack"; readonly stackName: string; readonly operationId: string }

/**
 * Reads a ref's ID; `undefined` when it has neither shape. Never throws.
 *
 * @since 0.3.0
 * @category refs
 */
export const parseCloudFormationId = (id: unknown): CloudFormationId | undefined => {
  if (typeof id !== "string" || id.length > cloudFormationIdMaxLength) return undefined
  const stack = stackOperationPattern.exec(id)
  if (stack !== null) return { kind: "stack", stackName: stack[1]!, operationId: stack[2]! }
  const set = stackSetOperationPattern.exec(id)
  if (set !== null) return { kind: "stackSet", stackSetName: set[1]!, operationId: set[2]! }
  return undefined
}

/**
 * True for a stack set name, or a stack set ID (`name:uuid`).
 *
 * @since 0.3.0
 * @category guards
 */
export const isStackSetName = (u: unknown): u is string =>
  typeof u === "string" && stackSetNamePattern.test(u)

/**
 * True for a stack set or stack operation ID as the service writes it.
 *
 * @since 0.3.0
 * @category guards
 */
export const isOperationId = (u: unknown): u is string => typeof u === "string" && operationPattern.test(u)

/**
 * The ref ID of a stack set operation: `<stackSetName>/<operationId>`.
 *
 * @since 0.3.0
 * @category refs
 */
export const stackSetOperationId = (stackSetName: string, operationId: string): string =>
  `${stackSetName}/${operationId}`

/**
 * The ref ID of a stack operation: `stack/<stackName>/<operationId>`.
 *
 * @since 0.3.0
 * @category refs
 */
export const stackOperationId = (stackName: string, operationId: string): string =>
  `stack/${stackName}/${operationId}`
