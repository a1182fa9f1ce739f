/**
 * AWS CloudFormation StackSets over the query protocol (form-encoded POST `Action=...&Version=2010-05-15`,
 * XML answers, lists as `<member>` elements, ISO 8601 timestamps): CreateStackSet, the six calls that
 * start a StackSet operation (CreateStackInstances, UpdateStackInstances, DeleteStackInstances,
 * UpdateStackSet, DetectStackSetDrift, ImportStacksToStackSet), DescribeStackSetOperation,
 * ListStackSetOperations, ListStackSetOperationResults and StopStackSetOperation.
 *
 * A stack set runs one operation at a time: a second one while the first is QUEUED, RUNNING or
 * STOPPING is an OperationInProgressException. Each account × region of a call is a stack instance
 * with its own result; instances run one after the other across the operation's running time. A
 * failing operation fails at one drawn instance and cancels the instances after it (a failure
 * tolerance of 0); a stop goes STOPPING, then STOPPED, with the instances not yet done CANCELLED.
 */
import { ApiError, optionalInt, optionalString, requireString } from "./internal/apiError.js"
import { uuidFrom } from "./internal/ids.js"
import { isRegionCode } from "./internal/lookup.js"
import { decodePageToken, encodePageToken } from "./internal/pageToken.js"
import {
  type CallContext,
  dispatch,
  type Handlers,
  isVisible,
  type Json,
  type RawRequest,
  type ServiceApi,
  type WireCodec
} from "./internal/serviceApi.js"
import {
  cancelOperation,
  type FailureReason,
  isTerminalPhase,
  type Phase,
  phaseAt,
  type SimOperation,
  terminalEntry
} from "./Lifecycle.js"
import type { CreateOperationInput } from "./Scenario.js"

/** The query protocol's API version. */
export const CLOUDFORMATION_VERSION = "2010-05-15"

const XMLNS = `http://cloudformation.amazonaws.com/doc/${CLOUDFORMATION_VERSION}/`

/** Why a stack instance fails; `AccountGateFailed` also fails the instance's account gate. */
export const CLOUDFORMATION_FAILURES: readonly FailureReason[] = [
  {
    code: "ResourceConflict",
    message:
      "ResourceLogicalId:Bucket, ResourceType:AWS::S3::Bucket, ResourceStatusReason:web-assets already exists."
  },
  {
    code: "ExecutionRoleMissing",
    message:
      "The account should have the 'AWSCloudFormationStackSetExecutionRole' role with a trust relationship to the role 'AWSCloudFormationStackSetAdministrationRole'."
  },
  { code: "InsufficientCapabilities", message: "Requires capabilities : [CAPABILITY_NAMED_IAM]" },
  { code: "AccountGateFailed", message: "The account gate function returned FAILED." }
]

/** How long (simulated) a stopped operation stays STOPPING. */
export const STOP_MS = 5_000

const DEFAULT_MAX_RESULTS = 100

const NAME = /^[a-zA-Z][-a-zA-Z0-9]{0,127}$/
const STACK_SET_ID =
  /^([a-zA-Z][-a-zA-Z0-9]{0,127}):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/
const OPERATION_ID = /^[a-zA-Z0-9][-a-zA-Z0-9]{0,127}$/
const ACCOUNT = /^\d{12}$/
const STACK_ARN = /^arn:[^:]+:cloudformation:([^:]+):(\d{12}):stack\/[^/]+\/.+$/

/** A stack instance: one account and region of a stack set. */
interface Instance {
  readonly account: string
  readonly region: string
}

interface StackSet {
  readonly name: string
  readonly id: string
  instances: Array<Instance>
}

/** The CloudFormation fields of an operation. */
interface Fields {
  readonly stackSetName: string
  readonly stackSetId: string
  readonly instances: ReadonlyArray<Instance>
  /** The instance a failure fails at. */
  readonly failingIndex: number
  /** Simulated milliseconds its instances take, all together, as planned. */
  readonly runMs: number
  readonly retainStacks?: boolean
}

// Stack sets live in the simulation's store, so reset() clears them with the operations.
const stackSets = (ctx: CallContext): Map<string, StackSet> =>
  ctx.sim.store.resourcesOf<StackSet>("cloudformation", "stackSets")

const setKey = (ctx: CallContext, name: string) => `${ctx.account}|${ctx.region}|${name}`

const putStackSet = (ctx: CallContext, name: string): StackSet => {
  const sets = stackSets(ctx)
  const existing = sets.get(setKey(ctx, name))
  if (existing !== undefined) return existing
  const set: StackSet = { name, id: `${name}:${uuidFrom(ctx.sim.prng("cloudformation"))}`, instances: [] }
  sets.set(setKey(ctx, name), set)
  return set
}

/** The stack set a request names, by name or by ID. */
const stackSetOf = (ctx: CallContext, input: Json): StackSet => {
  const given = requireString(input, "StackSetName")
  const byId = STACK_SET_ID.exec(given)
  const set = stackSets(ctx).get(setKey(ctx, byId === null ? given : byId[1]!))
  if (set === undefined || (byId !== null && set.id !== given)) {
    throw new ApiError("notFound", `StackSet ${given} not found`, "StackSetNotFoundException")
  }
  return set
}

const fieldsOf = (op: SimOperation): Fields => {
  if (op.detail.kind !== "cloudformation") throw new Error(`not a CloudFormation operation: ${op.id}`)
  return op.detail.fields as unknown as Fields
}

/** The operations of a stack set, oldest first. */
const operationsOf = (ctx: CallContext, set: StackSet): ReadonlyArray<SimOperation> =>
  ctx.sim.store
    .list("cloudformation", ctx.account, ctx.region)
    .filter((op) => fieldsOf(op).stackSetId === set.id)

const operationOf = (ctx: CallContext, set: StackSet, id: string): SimOperation => {
  const op = operationsOf(ctx, set).find((o) => o.id === id)
  if (op === undefined || !isVisible(op, ctx.now)) {
    throw new ApiError("notFound", `Operation ${id} not found`, "OperationNotFoundException")
  }
  return op
}

const checkCallAs = (input: Json): void => {
  const callAs = optionalString(input, "CallAs")
  if (callAs !== undefined && callAs !== "SELF" && callAs !== "DELEGATED_ADMIN") {
    throw new ApiError(
      "validation",
      `1 validation error detected: Value '${callAs}' at 'callAs' failed to satisfy constraint: Member must satisfy enum value set: [SELF, DELEGATED_ADMIN]`
    )
  }
}

/** A list parameter (`Key.member.N`); undefined when absent. */
const stringList = (input: unknown, key: string): ReadonlyArray<string> | undefined => {
  const value = typeof input === "object" && input !== null ? (input as Json)[key] : undefined
  if (value === undefined) return undefined
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
    throw new ApiError("validation", `Invalid parameter: "${key}" must be a list of strings.`)
  }
  return value as ReadonlyArray<string>
}

const maxResultsOf = (input: Json): number => {
  const raw = input.MaxResults
  if (raw === undefined) return DEFAULT_MAX_RESULTS
  const n = typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : raw
  return optionalInt({ MaxResults: n }, "MaxResults", 1, 100) ?? DEFAULT_MAX_RESULTS
}

/** The account × region instances a call names: `Accounts` (or `DeploymentTargets.Accounts`) and `Regions`. */
const targetsOf = (ctx: CallContext, input: Json, required: boolean): ReadonlyArray<Instance> | undefined => {
  const targets = input.DeploymentTargets
  const accounts =
    stringList(input, "Accounts") ??
    stringList(targets, "Accounts") ??
    // Organizational units stand for the caller's own account here.
    (stringList(targets, "OrganizationalUnitIds") === undefined ? undefined : [ctx.account])
  const regions = stringList(input, "Regions")
  if (accounts === undefined && regions === undefined && !required) return undefined
  if (accounts === undefined || accounts.length === 0) {
    throw new ApiError("validation", "Accounts or DeploymentTargets must be specified.")
  }
  if (regions === undefined || regions.length === 0)
    throw new ApiError("validation", "Regions must be specified.")
  const badAccount = accounts.find((a) => !ACCOUNT.test(a))
  if (badAccount !== undefined)
    throw new ApiError("validation", `Account ${badAccount} is not a 12-digit account ID.`)
  const badRegion = regions.find((r) => !isRegionCode(r))
  if (badRegion !== undefined) throw new ApiError("validation", `Region ${badRegion} is not a region code.`)
  return accounts.flatMap((account) => regions.map((region) => ({ account, region })))
}

const addInstances = (set: StackSet, instances: ReadonlyArray<Instance>): void => {
  for (const i of instances) {
    if (!set.instances.some((j) => j.account === i.account && j.region === i.region)) set.instances.push(i)
  }
}

/** Plans and stores a StackSet operation. */
const startOperation = (
  ctx: CallContext,
  set: StackSet,
  action: string,
  instances: ReadonlyArray<Instance>,
  options: {
    readonly operationId?: string | undefined
    readonly retainStacks?: boolean
    readonly overrides?: CreateOperationInput
  }
): SimOperation => {
  const prng = ctx.sim.prng("cloudformation")
  // Drawn whether or not the caller names the operation, so naming one never shifts the ids after it.
  const drawn = uuidFrom(prng)
  // Filled in once the lifecycle is planned: the instances' pace follows its running time.
  const fields: Record<string, unknown> = {}
  const planned = ctx.sim.addOperation({
    service: "cloudformation",
    now: ctx.now,
    account: ctx.account,
    region: ctx.region,
    id: options.operationId ?? drawn,
    type: action,
    detail: { kind: "cloudformation", fields },
    reasons: CLOUDFORMATION_FAILURES,
    overrides: options.overrides
  })
  const running = planned.timeline.find((e) => e.phase === "running")
  const end = terminalEntry(planned)
  const own: Fields = {
    stackSetName: set.name,
    stackSetId: set.id,
    instances: [...instances],
    failingIndex: prng.int(0, Math.max(0, instances.length - 1)),
    runMs: Math.max(1, (end?.at ?? 0) - (running?.at ?? 0)),
    ...(options.retainStacks === undefined ? {} : { retainStacks: options.retainStacks })
  }
  Object.assign(fields, own)
  return planned
}

/** Starts an operation a caller asked for: one at a time per stack set, an OperationId used once. */
const startCalled = (
  ctx: CallContext,
  input: Json,
  action: string,
  instancesOf: (set: StackSet) => ReadonlyArray<Instance>,
  options: {
    readonly retainStacks?: boolean
    readonly after?: (set: StackSet, instances: ReadonlyArray<Instance>) => void
  } = {}
): Json => {
  checkCallAs(input)
  const set = stackSetOf(ctx, input)
  const operationId = optionalString(input, "OperationId")
  if (operationId !== undefined && !OPERATION_ID.test(operationId)) {
    throw new ApiError(
      "validation",
      `OperationId ${operationId} must be 1 to 128 letters, digits and dashes, starting with a letter or digit.`
    )
  }
  const instances = instancesOf(set)
  if (operationId !== undefined) {
    const same = ctx.sim.store
      .list("cloudformation", ctx.account, ctx.region)
      .find((op) => op.id === operationId)
    if (same !== undefined) {
      // The SDK fills OperationId in (an idempotency token): a retried call is the same operation.
      if (fieldsOf(same).stackSetId === set.id && same.type === action) return { OperationId: same.id }
      throw new ApiError(
        "conflict",
        `The operation ID ${operationId} already exists.`,
        "OperationIdAlreadyExistsException"
      )
    }
  }
  const busy = operationsOf(ctx, set).find((op) => !isTerminalPhase(phaseAt(op, ctx.now).phase))
  if (busy !== undefined) {
    throw new ApiError(
      "conflict",
      `Another Operation on StackSet [${set.id}] is in progress: ${busy.id}`,
      "OperationInProgressException"
    )
  }
  const op = startOperation(ctx, set, action, instances, {
    operationId,
    ...(options.retainStacks === undefined ? {} : { retainStacks: options.retainStacks })
  })
  options.after?.(set, instances)
  return { OperationId: op.id }
}

const STATUS: Readonly<Record<Phase, string>> = {
  queued: "QUEUED",
  running: "RUNNING",
  succeeded: "SUCCEEDED",
  failed: "FAILED",
  cancelling: "STOPPING",
  cancelled: "STOPPED",
  // StackSet operations do not roll back: these phases are never planned for them.
  rollingBack: "RUNNING",
  rolledBack: "FAILED",
  rollbackFailed: "FAILED"
}

const FAILED_PHASES: ReadonlySet<Phase> = new Set(["failed", "rolledBack", "rollbackFailed"])

const iso = (ms: number): string => new Date(ms).toISOString()

/** One instance's result. */
interface Result {
  readonly Account: string
  readonly Region: string
  readonly Status: string
  readonly StatusReason?: string
  readonly AccountGateResult?: { readonly Status: string; readonly StatusReason?: string }
}

/** The per-instance results of an operation at a simulated instant, in instance order. */
const resultsAt = (op: SimOperation, now: number): ReadonlyArray<Result> => {
  const f = fieldsOf(op)
  const { phase } = phaseAt(op, now)
  const past = op.timeline.filter((e) => e.at <= now)
  const runStart = past.find((e) => e.phase === "running")?.at
  if (phase === "queued") return []
  const stoppedAt = past.find((e) => e.phase === "cancelling")?.at
  const fails = FAILED_PHASES.has(phase) || op.timeline.some((e) => FAILED_PHASES.has(e.phase))
  // A failing operation reaches its failing instance as it fails: the ones after it never start.
  const slots = fails ? f.failingIndex + 1 : f.instances.length
  const slotMs = f.runMs / Math.max(1, slots)
  const doneBy = (t: number) =>
    runStart === undefined || t < runStart ? 0 : Math.min(slots, Math.floor((t - runStart) / slotMs))
  const gated = op.failure.code === "AccountGateFailed"
  const result = (i: number, Status: string, StatusReason?: string): Result => ({
    Account: f.instances[i]!.account,
    Region: f.instances[i]!.region,
    Status,
    ...(StatusReason === undefined ? {} : { StatusReason }),
    ...(Status === "FAILED" && gated
      ? { AccountGateResult: { Status: "FAILED", StatusReason: op.failure.message } }
      : runStart !== undefined && Status !== "PENDING" && Status !== "CANCELLED"
        ? { AccountGateResult: { Status: "SKIPPED", StatusReason: "No account gate function configured." } }
        : {})
  })
  return f.instances.map((_, i) => {
    switch (phase) {
      case "succeeded":
        return result(i, "SUCCEEDED")
      case "failed":
      case "rolledBack":
      case "rollbackFailed":
        return i < f.failingIndex
          ? result(i, "SUCCEEDED")
          : i === f.failingIndex
            ? result(i, "FAILED", op.failure.message)
            : result(i, "CANCELLED", "Cancelled since failure tolerance has exceeded")
      case "cancelling":
      case "cancelled": {
        const done = doneBy(stoppedAt ?? now)
        const started = runStart !== undefined && (stoppedAt ?? now) >= runStart
        if (i < done) return result(i, "SUCCEEDED")
        // The instance under way when the stop came finishes; the ones after it never start.
        if (i === done && started && i < slots)
          return result(i, phase === "cancelled" ? "SUCCEEDED" : "RUNNING")
        return phase === "cancelled"
          ? result(i, "CANCELLED", "Cancelled since the operation was stopped")
          : result(i, "PENDING")
      }
      default: {
        const done = doneBy(now)
        if (i < done)
          return fails && i === f.failingIndex
            ? result(i, "FAILED", op.failure.message)
            : result(i, "SUCCEEDED")
        return i === done && i < slots ? result(i, "RUNNING") : result(i, "PENDING")
      }
    }
  })
}

/** The operation as DescribeStackSetOperation answers it (a summary: without the stack set's ID). */
const wireOperation = (op: SimOperation, now: number, summary = false): Json => {
  const f = fieldsOf(op)
  const { phase, at } = phaseAt(op, now)
  const failed = FAILED_PHASES.has(phase)
  const failedCount = failed ? resultsAt(op, now).filter((r) => r.Status === "FAILED").length : 0
  return {
    OperationId: op.id,
    ...(summary ? {} : { StackSetId: f.stackSetId }),
    Action: op.type,
    Status: STATUS[phase],
    ...(summary || f.retainStacks === undefined ? {} : { RetainStacks: f.retainStacks }),
    ...(summary
      ? {}
      : {
          AdministrationRoleARN: `arn:aws:iam::${op.account}:role/AWSCloudFormationStackSetAdministrationRole`,
          ExecutionRoleName: "AWSCloudFormationStackSetExecutionRole"
        }),
    CreationTimestamp: iso(op.createdAt),
    ...(isTerminalPhase(phase) ? { EndTimestamp: iso(at) } : {}),
    ...(failed
      ? {
          StatusReason: `${failedCount} of ${f.instances.length} stack instances failed, beyond the failure tolerance of 0.`,
          StatusDetails: { FailedStackInstancesCount: failedCount }
        }
      : {})
  }
}

/** A page of `items` from a NextToken tagged with `list`. */
const page = <A>(
  input: Json,
  list: string,
  items: ReadonlyArray<A>
): { readonly items: ReadonlyArray<A>; readonly next?: string } => {
  const max = maxResultsOf(input)
  const token = optionalString(input, "NextToken")
  const offset = token === undefined ? 0 : decodePageToken(list, token)
  if (offset === undefined) throw new ApiError("validation", "Invalid NextToken")
  return {
    items: items.slice(offset, offset + max),
    ...(offset + max < items.length ? { next: encodePageToken(list, offset + max) } : {})
  }
}

const retainStacksOf = (input: Json): boolean => {
  const value = input.RetainStacks
  if (value === "true" || value === true) return true
  if (value === "false" || value === false) return false
  throw new ApiError(
    "validation",
    "1 validation error detected: Value null at 'retainStacks' failed to satisfy constraint: Member must not be null"
  )
}

const HANDLERS: Handlers = {
  CreateStackSet: (input, ctx) => {
    checkCallAs(input)
    const name = requireString(input, "StackSetName")
    if (!NAME.test(name)) {
      throw new ApiError(
        "validation",
        `StackSetName ${name} must start with a letter and hold only letters, digits and dashes, at most 128.`
      )
    }
    if (stackSets(ctx).has(setKey(ctx, name))) {
      throw new ApiError("conflict", `StackSet ${name} already exists`, "NameAlreadyExistsException")
    }
    return { StackSetId: putStackSet(ctx, name).id }
  },
  CreateStackInstances: (input, ctx) =>
    startCalled(ctx, input, "CREATE", () => targetsOf(ctx, input, true)!, { after: addInstances }),
  UpdateStackInstances: (input, ctx) =>
    startCalled(ctx, input, "UPDATE", (set) => {
      const instances = targetsOf(ctx, input, true)!
      const missing = instances.find(
        (i) => !set.instances.some((j) => j.account === i.account && j.region === i.region)
      )
      if (missing !== undefined) {
        throw new ApiError(
          "notFound",
          `Stack instance in account ${missing.account} and region ${missing.region} not found`,
          "StackInstanceNotFoundException"
        )
      }
      return instances
    }),
  DeleteStackInstances: (input, ctx) => {
    const retainStacks = retainStacksOf(input)
    return startCalled(ctx, input, "DELETE", () => targetsOf(ctx, input, true)!, {
      retainStacks,
      after: (set, instances) => {
        set.instances = set.instances.filter(
          (j) => !instances.some((i) => i.account === j.account && i.region === j.region)
        )
      }
    })
  },
  UpdateStackSet: (input, ctx) =>
    startCalled(ctx, input, "UPDATE", (set) => targetsOf(ctx, input, false) ?? set.instances, {
      after: addInstances
    }),
  DetectStackSetDrift: (input, ctx) => startCalled(ctx, input, "DETECT_DRIFT", (set) => set.instances),
  ImportStacksToStackSet: (input, ctx) =>
    startCalled(
      ctx,
      input,
      "CREATE",
      () => {
        const arns = stringList(input, "StackIds")
        if (arns === undefined || arns.length === 0)
          throw new ApiError("validation", "StackIds must be specified.")
        return arns.map((arn) => {
          const m = STACK_ARN.exec(arn)
          if (m === null) throw new ApiError("validation", `${arn} is not a stack ARN.`)
          return { account: m[2]!, region: m[1]! }
        })
      },
      { after: addInstances }
    ),
  DescribeStackSetOperation: (input, ctx) => {
    checkCallAs(input)
    const set = stackSetOf(ctx, input)
    const op = operationOf(ctx, set, requireString(input, "OperationId"))
    return { StackSetOperation: wireOperation(op, ctx.now) }
  },
  ListStackSetOperations: (input, ctx) => {
    checkCallAs(input)
    const set = stackSetOf(ctx, input)
    // The newest first.
    const ops = [...operationsOf(ctx, set)].filter((op) => isVisible(op, ctx.now)).reverse()
    const { items, next } = page(input, `cloudformation-operations:${set.id}`, ops)
    return {
      Summaries: items.map((op) => wireOperation(op, ctx.now, true)),
      ...(next === undefined ? {} : { NextToken: next })
    }
  },
  ListStackSetOperationResults: (input, ctx) => {
    checkCallAs(input)
    const set = stackSetOf(ctx, input)
    const op = operationOf(ctx, set, requireString(input, "OperationId"))
    const { items, next } = page(input, `cloudformation-results:${op.id}`, resultsAt(op, ctx.now))
    return { Summaries: items, ...(next === undefined ? {} : { NextToken: next }) }
  },
  StopStackSetOperation: (input, ctx) => {
    checkCallAs(input)
    const set = stackSetOf(ctx, input)
    const op = operationOf(ctx, set, requireString(input, "OperationId"))
    const { phase } = phaseAt(op, ctx.now)
    if (isTerminalPhase(phase)) {
      throw new ApiError(
        "validation",
        `Operation ${op.id} has already ended: ${STATUS[phase]}`,
        "InvalidOperationException"
      )
    }
    // Stopping one that is stopping already changes nothing.
    cancelOperation(op, ctx.now, STOP_MS)
    return {}
  }
}

/** Keys a form may not name (they would reach an object's prototype). */
const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"])

/** Turns `{ member: { 1: a, 2: b } }` into `[a, b]`, all the way down. */
const withLists = (value: unknown): unknown => {
  if (typeof value !== "object" || value === null) return value
  if (Array.isArray(value)) return value.map(withLists)
  const record = value as Json
  const keys = Object.keys(record)
  if (
    keys.length === 1 &&
    keys[0] === "member" &&
    typeof record.member === "object" &&
    record.member !== null
  ) {
    const members = record.member as Json
    const indices = Object.keys(members)
    if (!indices.every((k) => /^[1-9]\d*$/.test(k)))
      throw new ApiError("validation", "List members are numbered from 1.")
    return indices
      .map(Number)
      .sort((a, b) => a - b)
      .map((k) => withLists(members[String(k)]))
  }
  return Object.fromEntries(keys.map((k) => [k, withLists(record[k])]))
}

/**
 * Reads a query-protocol request: `Action` names the operation, every other parameter is a
 * dotted path (`DeploymentTargets.Accounts.member.1`) into the input; an empty list is sent as
 * `Key=` (an empty string). Values stay strings; handlers read numbers and booleans from them.
 */
export const decodeQueryRequest = (
  params: URLSearchParams
): { readonly operation: string; readonly input: Json } => {
  const action = params.get("Action")
  if (action === null || action === "")
    throw new ApiError("unknownOperation", "Could not find operation for this request: no Action.")
  const version = params.get("Version")
  if (version !== CLOUDFORMATION_VERSION) {
    throw new ApiError("validation", `Version must be ${CLOUDFORMATION_VERSION}, got ${version ?? "none"}.`)
  }
  const root: Json = {}
  for (const [key, value] of params) {
    if (key === "Action" || key === "Version") continue
    const path = key.split(".")
    if (path.some((part) => part === "" || FORBIDDEN.has(part))) {
      throw new ApiError("validation", `The parameter ${key} is not valid.`)
    }
    let node = root
    for (const [i, part] of path.entries()) {
      if (i === path.length - 1) {
        if (typeof node[part] === "object")
          throw new ApiError("validation", `The parameter ${key} is given twice.`)
        node[part] = value
        break
      }
      const next = node[part]
      if (next === undefined || next === "") node[part] = {}
      else if (typeof next !== "object")
        throw new ApiError("validation", `The parameter ${key} is given twice.`)
      node = node[part] as Json
    }
  }
  // An empty list comes as `Key=`: a list parameter given as "" is an empty list.
  for (const key of ["Accounts", "Regions", "StackIds"]) if (root[key] === "") root[key] = []
  return { operation: action, input: withLists(root) as Json }
}

const escapeXml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!
  )

/** A JSON value as query-protocol XML: objects as elements, arrays as `<member>`s. */
export const toXml = (value: unknown): string => {
  if (Array.isArray(value)) return value.map((item) => `<member>${toXml(item)}</member>`).join("")
  if (typeof value === "object" && value !== null) {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `<${k}>${toXml(v)}</${k}>`)
      .join("")
  }
  return escapeXml(String(value))
}

/** The query protocol's answers and errors. */
export const cloudFormationCodec: WireCodec = {
  decode: (request: RawRequest) => {
    const form =
      request.method === "POST"
        ? new URLSearchParams(request.body)
        : request.method === "GET"
          ? request.query
          : undefined
    if (form === undefined)
      throw new ApiError("unknownOperation", `The method ${request.method} is not supported.`)
    return decodeQueryRequest(form)
  },
  encode: (operation, result, requestId) => ({
    status: 200,
    contentType: "text/xml",
    body:
      `<${operation}Response xmlns="${XMLNS}"><${operation}Result>${toXml(result)}</${operation}Result>` +
      `<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata></${operation}Response>`
  }),
  encodeError: (error, message, requestId) => ({
    status: error.status,
    contentType: "text/xml",
    body:
      `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${error.status >= 500 ? "Receiver" : "Sender"}</Type>` +
      `<Code>${escapeXml(error.name)}</Code><Message>${escapeXml(message)}</Message></Error>` +
      `<RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`
  })
}

/** The CloudFormation service. */
export const cloudFormationApi: ServiceApi = {
  service: "cloudformation",
  claims: (_request, scopeService) => scopeService === "cloudformation",
  codec: cloudFormationCodec,
  errors: {
    validation: { name: "ValidationError", status: 400 },
    notFound: { name: "OperationNotFoundException", status: 404 },
    accessDenied: { name: "AccessDenied", status: 403 },
    throttling: { name: "Throttling", status: 400 },
    internal: { name: "InternalFailure", status: 500 },
    unavailable: { name: "ServiceUnavailable", status: 503 },
    unknownOperation: { name: "InvalidAction", status: 400 },
    tooLarge: { name: "ValidationError", status: 413 },
    conflict: { name: "OperationInProgressException", status: 409 }
  },
  ...dispatch(HANDLERS),
  create: (input, ctx) => {
    const set = putStackSet(ctx, input.stackSetName ?? "stackset-emulator")
    // Two instances of the caller's account unless the stack set has some already.
    const instances =
      set.instances.length > 0
        ? set.instances
        : [
            { account: ctx.account, region: ctx.region },
            { account: ctx.account, region: ctx.region === "us-west-2" ? "us-east-1" : "us-west-2" }
          ]
    addInstances(set, instances)
    return startOperation(ctx, set, input.type ?? "CREATE", instances, { overrides: input })
  },
  wire: (op, now) => wireOperation(op, now)
}
