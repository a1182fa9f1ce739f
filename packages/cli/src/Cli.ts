/**
 * The `opstatus` command: argument parsing, the commands, and the mapping of every
 * outcome to an exit code. `run(argv, io)` does everything and resolves with the exit
 * code; `bin.ts` only wires it to the process.
 *
 * @since 0.1.0
 */
import { type ParseArgsConfig, parseArgs } from "node:util"
import {
  formatRef,
  list as listOperations,
  type Operation,
  type OperationRef,
  type OperationSource,
  type OperationStatus,
  type ServiceSlug
} from "@opstatus/core"
import { lightsailStatusTable } from "@opstatus/lightsail"
import { serviceDiscoveryStatusTable } from "@opstatus/servicediscovery"
import { ssmSapStatusTable } from "@opstatus/ssm-sap"
import { Cause, Effect, Exit, Stream } from "effect"
import { defaultCredentials, type Env, type LoadedAwsSettings, loadAwsSettings, makeAws } from "./Aws.js"
import { runDemo } from "./Demo.js"
import { formatElapsed, parseDurationFlag, parseSinceFlag } from "./Duration.js"
import {
  combineExitCodes,
  DeadlineError,
  ExitCode,
  errorTag,
  exitCodeOf,
  formatDebug,
  formatError,
  formatWarning,
  UsageError
} from "./Errors.js"
import { commandHelp, mainHelp, version } from "./Help.js"
import { dedupe, parseService, refFromToken, refOfTarget, type Target, targetsFromText } from "./Input.js"
import {
  errorJson,
  formatChangeLine,
  jsonText,
  makeEntry,
  operationJson,
  renderStaticTable,
  renderSummary,
  summarize
} from "./Render.js"
import { jsonReporter, liveReporter, plainReporter, type Reporter, type Writer } from "./Reporter.js"
import { checkTiming, makeStatusApi, runWait, type Timing, type Warn } from "./Wait.js"

/**
 * What the command reads and writes.
 *
 * @since 0.1.0
 * @category models
 */
export interface CliIo {
  /** Standard input, read only when a ref is `-`. */
  readonly stdin: () => AsyncIterable<string | Uint8Array>
  readonly stdout: Writer
  readonly stderr: Writer
  readonly env: Env
  /** Whether standard output is a terminal (`TERM=dumb` makes the output plain all the same). */
  readonly isTTY: boolean
  /** Fires on Ctrl-C: polling stops at once and the command exits 130. */
  readonly signal: AbortSignal
  readonly columns?: number | undefined
  readonly rows?: number | undefined
  readonly now?: (() => number) | undefined
}

const commonOptions = {
  region: { type: "string" },
  profile: { type: "string" },
  "endpoint-url": { type: "string" },
  json: { type: "boolean" },
  "no-color": { type: "boolean" },
  debug: { type: "boolean" },
  help: { type: "boolean", short: "h" }
} as const

const waitOptions = {
  ...commonOptions,
  success: { type: "boolean" },
  timeout: { type: "string" },
  "min-delay": { type: "string" },
  "max-delay": { type: "string" },
  service: { type: "string" }
} as const

const getOptions = {
  ...commonOptions,
  success: { type: "boolean" },
  timeout: { type: "string" },
  service: { type: "string" }
} as const

const listOptions = {
  ...commonOptions,
  status: { type: "string", multiple: true },
  type: { type: "string", multiple: true },
  resource: { type: "string" },
  namespace: { type: "string" },
  "service-id": { type: "string" },
  application: { type: "string" },
  since: { type: "string" },
  limit: { type: "string" },
  timeout: { type: "string" }
} as const

/** How long `get` may take by default (every ref read at once). */
const defaultGetTimeoutMillis = 60_000

/** How long `list` may take by default (every page). */
const defaultListTimeoutMillis = 5 * 60_000

const demoOptions = {
  json: { type: "boolean" },
  "no-color": { type: "boolean" },
  debug: { type: "boolean" },
  help: { type: "boolean", short: "h" }
} as const

type Values = Record<string, string | boolean | ReadonlyArray<string> | undefined>

const parse = (command: string, args: ReadonlyArray<string>, options: ParseArgsConfig["options"]) => {
  try {
    const parsed = parseArgs({
      args: [...args],
      options: options ?? {},
      allowPositionals: true,
      strict: true
    })
    return { values: parsed.values as Values, positionals: parsed.positionals }
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\.$/, ""), `Run opstatus ${command} --help`)
  }
}

const str = (values: Values, key: string): string | undefined => {
  const v = values[key]
  return typeof v === "string" ? v : undefined
}

const strings = (values: Values, key: string): string[] => {
  const v = values[key]
  const list = typeof v === "string" ? [v] : Array.isArray(v) ? v : []
  return list
    .flatMap((s: string) => s.split(","))
    .map((s) => s.trim())
    .filter((s) => s !== "")
}

/** Standard output is a terminal that can redraw: not with `TERM=dumb`, which gets plain lines. */
const isLive = (io: CliIo): boolean => io.isTTY && io.env.TERM !== "dumb"

const colorOf = (values: Values, io: CliIo): boolean =>
  isLive(io) && values["no-color"] !== true && (io.env.NO_COLOR === undefined || io.env.NO_COLOR === "")

/** The CLI's warnings: `opstatus: warning: <message>` on standard error. */
const warnTo =
  (io: CliIo): Warn =>
  (message) => {
    io.stderr.write(`${formatWarning(message)}\n`)
  }

const maxStdinBytes = 16 * 1024 * 1024

const abortError = () => Object.assign(new Error("interrupted"), { name: "Interrupted" })

/** Reads standard input to the end, or stops at once when the signal fires. */
const readStdin = async (io: CliIo): Promise<string> => {
  const chunks: Buffer[] = []
  let size = 0
  const reading = (async () => {
    for await (const chunk of io.stdin()) {
      const buffer =
        typeof chunk === "string"
          ? Buffer.from(chunk, "utf8")
          : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
      size += buffer.length
      if (size > maxStdinBytes) {
        throw new UsageError(
          "standard input is larger than 16 MiB",
          "Pipe the response of one call at a time"
        )
      }
      chunks.push(buffer)
    }
    return Buffer.concat(chunks).toString("utf8")
  })()
  if (io.signal.aborted) throw abortError()
  let onAbort: (() => void) | undefined
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortError())
    io.signal.addEventListener("abort", onAbort, { once: true })
  })
  try {
    return await Promise.race([reading, aborted])
  } finally {
    if (onAbort !== undefined) io.signal.removeEventListener("abort", onAbort)
    reading.catch(() => {})
  }
}

const isInterrupted = (error: unknown) => error instanceof Error && error.name === "Interrupted"

/** The targets of the positional arguments (`-` reads standard input once). */
const readTargets = async (
  positionals: ReadonlyArray<string>,
  region: string | undefined,
  service: ServiceSlug | undefined,
  io: CliIo,
  what: string
): Promise<Target[]> => {
  if (positionals.length === 0) {
    throw new UsageError(
      `no operations to ${what}`,
      "Pass refs like lightsail:us-east-1:<operation-id>, or - to read refs or a response from standard input"
    )
  }
  const options = { region, service }
  const targets: Target[] = []
  let readStdinAlready = false
  for (const arg of positionals) {
    if (arg === "-") {
      if (readStdinAlready) continue
      readStdinAlready = true
      const text = await readStdin(io)
      const fromStdin = targetsFromText(text, options)
      if (fromStdin.length === 0) {
        throw new UsageError(
          "standard input holds no operation refs",
          "Pipe refs, or the JSON response of a call that starts operations"
        )
      }
      targets.push(...fromStdin)
    } else {
      targets.push(refFromToken(arg, options))
    }
  }
  return dedupe(targets)
}

const reporterFor = (values: Values, io: CliIo, now: () => number, everyChange: boolean): Reporter => {
  if (values.json === true) return jsonReporter(io.stdout, { now })
  if (isLive(io)) {
    return liveReporter(io.stdout, { color: colorOf(values, io), now, columns: io.columns, rows: io.rows })
  }
  return plainReporter(io.stdout, { now, everyChange })
}

const durationOf = (values: Values, flag: string): number | undefined => {
  const v = str(values, flag)
  return v === undefined ? undefined : parseDurationFlag(flag, v)
}

const timingOf = (values: Values): Timing => ({
  timeout: durationOf(values, "timeout"),
  minDelay: durationOf(values, "min-delay"),
  maxDelay: durationOf(values, "max-delay")
})

const serviceOf = (values: Values): ServiceSlug | undefined => {
  const service = str(values, "service")
  return service === undefined ? undefined : parseService(service)
}

/**
 * The AWS settings, read without failing on an unknown profile: each command checks its
 * flags and refs first and calls `requireProfile` after, so bad usage (exit 2) wins over
 * a missing profile (exit 4).
 */
const settingsOf = (values: Values, io: CliIo): Promise<LoadedAwsSettings> =>
  loadAwsSettings(
    {
      region: str(values, "region"),
      profile: str(values, "profile"),
      endpointUrl: str(values, "endpoint-url")
    },
    io.env
  )

const requireProfile = (settings: LoadedAwsSettings): void => {
  if (settings.profileError !== undefined) throw settings.profileError
}

/** A signal that fires on Ctrl-C or once `millis` have passed; `expired` tells the two apart. */
const withDeadline = (io: CliIo, millis: number) => {
  const deadline = new AbortController()
  const timer = setTimeout(
    () => deadline.abort(new Error(`no answer within ${formatElapsed(millis)}`)),
    millis
  )
  return {
    signal: AbortSignal.any([io.signal, deadline.signal]),
    expired: () => deadline.signal.aborted && !io.signal.aborted,
    clear: () => clearTimeout(timer)
  }
}

const writeErrors = (io: CliIo, errors: ReadonlyArray<unknown>) => {
  const seen = new Set<string>()
  for (const error of errors) {
    const line = formatError(error)
    if (seen.has(line)) continue
    seen.add(line)
    io.stderr.write(`${line}\n`)
  }
}

/** `wait` and `watch`. */
const waitCommand = async (
  command: "wait" | "watch",
  args: ReadonlyArray<string>,
  io: CliIo,
  now: () => number
) => {
  const { values, positionals } = parse(command, args, waitOptions)
  if (values.help === true) {
    io.stdout.write(`${commandHelp[command]}\n`)
    return ExitCode.ok
  }
  const timing = timingOf(values)
  const service = serviceOf(values)
  const settings = await settingsOf(values, io)
  const targets = await readTargets(
    positionals,
    settings.region,
    service,
    io,
    command === "wait" ? "wait for" : "watch"
  )
  checkTiming(timing, targets.map(refOfTarget))
  requireProfile(settings)
  const aws = makeAws(settings, defaultCredentials(settings, io.env), { includeSteps: command === "watch" })
  try {
    const api = makeStatusApi({ sources: aws.sources, warn: warnTo(io) })
    const result = await runWait({
      api,
      targets,
      success: values.success === true,
      timing,
      reporter: reporterFor(values, io, now, command === "watch"),
      signal: io.signal,
      now
    })
    if (!result.interrupted) {
      writeErrors(
        io,
        result.entries.flatMap((e) => (e.error === undefined ? [] : [e.error]))
      )
      const failed = result.summary.failures.length
      if (values.success === true && failed > 0) {
        io.stderr.write(
          `opstatus: ${failed} of ${result.summary.total} operations did not succeed. The summary lists each failure's code and message.\n`
        )
      }
    }
    return result.exitCode
  } finally {
    aws.destroy()
  }
}

/** Writes operations read once (`get`, `list`) in the chosen form. */
const writeOperations = (
  values: Values,
  io: CliIo,
  now: () => number,
  operations: ReadonlyArray<Operation>,
  errors: ReadonlyArray<{ readonly ref: OperationRef; readonly error: unknown }>,
  exitCode: ExitCode,
  started: number
) => {
  const entries = operations.map((op) => ({ ...makeEntry(op.ref, started, op), endedAt: now() }))
  const failedEntries = errors.map(({ ref, error }) => ({ ...makeEntry(ref, started), error }))
  const summary = summarize([...entries, ...failedEntries], { elapsedMs: now() - started })
  if (values.json === true) {
    io.stdout.write(
      `${jsonText({
        event: "done",
        at: new Date(now()).toISOString(),
        operations: operations.map(operationJson),
        errors: errors.map(({ ref, error }) => ({ ref: formatRef(ref), error: errorJson(error) })),
        summary,
        exitCode
      })}\n`
    )
    return
  }
  if (isLive(io)) {
    const width = io.columns !== undefined && io.columns > 0 ? io.columns : 100
    if (operations.length > 0) {
      io.stdout.write(`${renderStaticTable(operations, { color: colorOf(values, io), width }).join("\n")}\n`)
    }
    io.stdout.write(`${renderSummary(summary, { color: colorOf(values, io) })[0]}\n`)
  }
}

const getCommand = async (args: ReadonlyArray<string>, io: CliIo, now: () => number) => {
  const { values, positionals } = parse("get", args, getOptions)
  if (values.help === true) {
    io.stdout.write(`${commandHelp.get}\n`)
    return ExitCode.ok
  }
  const timeout = durationOf(values, "timeout") ?? defaultGetTimeoutMillis
  const service = serviceOf(values)
  const settings = await settingsOf(values, io)
  const targets = await readTargets(positionals, settings.region, service, io, "read")
  requireProfile(settings)
  const started = now()
  const aws = makeAws(settings, defaultCredentials(settings, io.env))
  const deadline = withDeadline(io, timeout)
  try {
    const api = makeStatusApi({ sources: aws.sources, warn: warnTo(io) })
    const settled = await Promise.allSettled(
      targets.map((target) => api.get(refOfTarget(target), { signal: deadline.signal }))
    )
    if (io.signal.aborted) {
      io.stderr.write("opstatus: interrupted.\n")
      return ExitCode.interrupted
    }
    const operations: Operation[] = []
    const errors: Array<{ ref: OperationRef; error: unknown }> = []
    const codes: ExitCode[] = []
    settled.forEach((s, i) => {
      if (s.status === "fulfilled") {
        operations.push(s.value)
        if (values.success === true && s.value.status !== "succeeded") codes.push(ExitCode.failed)
        if (values.json === true) {
          io.stdout.write(
            `${jsonText({ event: "operation", at: new Date(now()).toISOString(), operation: operationJson(s.value) })}\n`
          )
        } else if (!isLive(io)) io.stdout.write(`${formatChangeLine(s.value, new Date(now()))}\n`)
      } else {
        const ref = refOfTarget(targets[i]!)
        // A read the deadline cut short: exit 3, with the ref that got no answer.
        const error =
          deadline.expired() && errorTag(s.reason) === "WaitAbortedError"
            ? new DeadlineError(
                `get ${formatRef(ref)} did not finish within ${formatElapsed(timeout)}`,
                timeout
              )
            : s.reason
        errors.push({ ref, error })
        codes.push(exitCodeOf(error))
        if (values.json === true) {
          io.stdout.write(
            `${jsonText({ event: "error", at: new Date(now()).toISOString(), ref: formatRef(ref), error: errorJson(error) })}\n`
          )
        }
      }
    })
    const exitCode = combineExitCodes(codes)
    writeOperations(values, io, now, operations, errors, exitCode, started)
    writeErrors(
      io,
      errors.map((e) => e.error)
    )
    return exitCode
  } finally {
    deadline.clear()
    aws.destroy()
  }
}

const unifiedStatuses: ReadonlyArray<OperationStatus> = [
  "pending",
  "running",
  "succeeded",
  "failed",
  "cancelled",
  "unknown"
]

const statusTableOf = (service: ServiceSlug): Readonly<Record<string, OperationStatus>> =>
  service === "lightsail"
    ? lightsailStatusTable
    : service === "servicediscovery"
      ? serviceDiscoveryStatusTable
      : ssmSapStatusTable

/** `--status`: what an operation must match, and the raw values the service can filter on. */
interface StatusFilter {
  readonly keep: (op: Operation) => boolean
  /** The raw statuses to ask the service for; `undefined` when only a filter here can tell (`unknown`). */
  readonly raws: ReadonlyArray<string> | undefined
}

/**
 * Reads `--status`: a value spelled as the service spells it (`Succeeded`, `PENDING`) is
 * the service's own; else a unified status in any case (`succeeded`, `PENDING` for
 * Lightsail), every one accepted even where the service has none (Lightsail has no
 * `cancelled`: it matches nothing); else the service's own in any case (`inprogress`).
 */
const statusFilter = (service: ServiceSlug, values: ReadonlyArray<string>, warn: Warn): StatusFilter => {
  const table = statusTableOf(service)
  const rawNames = Object.keys(table)
  const raws = new Set<string>()
  const unified = new Set<OperationStatus>()
  for (const value of values) {
    const exact =
      rawNames.find((raw) => raw === value) ??
      (unifiedStatuses.some((s) => s === value.toLowerCase())
        ? undefined
        : rawNames.find((raw) => raw.toLowerCase() === value.toLowerCase()))
    const status = unifiedStatuses.find((s) => s === value.toLowerCase())
    if (exact !== undefined) raws.add(exact)
    else if (status !== undefined) {
      if (!unified.has(status) && status !== "unknown" && !rawNames.some((raw) => table[raw] === status)) {
        warn(`${service} has no status that means ${status}: --status ${value} matches nothing`)
      }
      unified.add(status)
    } else {
      throw new UsageError(
        `--status "${value}" is not a ${service} status`,
        `Use one of ${unifiedStatuses.join(", ")}, or ${rawNames.join(", ")}`
      )
    }
  }
  for (const raw of rawNames) if (unified.has(table[raw]!)) raws.add(raw)
  return {
    keep: (op) => raws.has(op.rawStatus) || unified.has(op.status),
    // `unknown` is every status the table lacks: no list of raw values says that.
    raws: unified.has("unknown") || raws.size === 0 ? undefined : [...raws]
  }
}

const listCommand = async (args: ReadonlyArray<string>, io: CliIo, now: () => number) => {
  const { values, positionals } = parse("list", args, listOptions)
  if (values.help === true) {
    io.stdout.write(`${commandHelp.list}\n`)
    return ExitCode.ok
  }
  if (positionals.length === 0) {
    throw new UsageError("list needs a service", "Run opstatus list lightsail|servicediscovery|ssm-sap")
  }
  if (positionals.length > 1) {
    throw new UsageError(
      `list takes one service, got ${positionals.length} arguments`,
      "Run opstatus list --help"
    )
  }
  const service = parseService(positionals[0]!, "the service")
  const only = (flag: string, owner: ServiceSlug) => {
    if (str(values, flag) !== undefined && service !== owner) {
      throw new UsageError(`--${flag} applies to ${owner} only`, "Run opstatus list --help")
    }
  }
  only("resource", "lightsail")
  only("namespace", "servicediscovery")
  only("service-id", "servicediscovery")
  only("application", "ssm-sap")
  const application = str(values, "application")
  if (service === "ssm-sap" && (application === undefined || application.trim() === "")) {
    throw new UsageError(
      "listing SSM for SAP operations needs the application",
      "Pass --application <application-id>"
    )
  }
  const timeout = durationOf(values, "timeout") ?? defaultListTimeoutMillis
  const started = now()
  const sinceText = str(values, "since")
  const since = sinceText === undefined ? undefined : parseSinceFlag(sinceText, started)
  const statusValues = strings(values, "status")
  const statuses = statusValues.length === 0 ? undefined : statusFilter(service, statusValues, warnTo(io))
  const types = strings(values, "type")
  const limitText = str(values, "limit")
  const limit = limitText === undefined ? undefined : Number(limitText)
  if (limit !== undefined && !(/^\d+$/.test(limitText!.trim()) && Number.isInteger(limit) && limit > 0)) {
    throw new UsageError(`--limit "${limitText}" is not a positive whole number`, "Use e.g. --limit 50")
  }
  const settings = await settingsOf(values, io)
  const region = settings.region
  if (region === undefined) {
    throw new UsageError(
      "no region to list in",
      "Pass --region, set AWS_REGION, or name a profile with a region"
    )
  }
  requireProfile(settings)
  const aws = makeAws(settings, defaultCredentials(settings, io.env))
  let source: OperationSource<any>
  let query: unknown
  switch (service) {
    case "lightsail":
      source = aws.lightsail
      query = { resourceName: str(values, "resource") }
      break
    case "servicediscovery":
      source = aws.servicediscovery
      query = {
        ...(str(values, "namespace") === undefined ? {} : { namespaceId: str(values, "namespace") }),
        ...(str(values, "service-id") === undefined ? {} : { serviceId: str(values, "service-id") }),
        ...(statuses?.raws === undefined ? {} : { status: statuses.raws }),
        ...(types.length === 0 ? {} : { type: types }),
        ...(since === undefined
          ? {}
          : {
              // Cloud Map compares whole epoch seconds: round "now" up, or what changed this second is lost.
              updatedBetween: [since, new Date(Math.ceil(Math.max(started, since.getTime()) / 1000) * 1000)]
            })
      }
      break
    default:
      source = aws.ssmSap
      query = {
        applicationId: application,
        ...(statuses?.raws?.length === 1 ? { status: statuses.raws[0] } : {}),
        ...(types.length === 1 ? { type: types[0] } : {}),
        ...(since === undefined ? {} : { startedAfter: since })
      }
  }
  const keep = (op: Operation) =>
    (statuses === undefined || statuses.keep(op)) &&
    (types.length === 0 || op.type === undefined || types.includes(op.type)) &&
    (since === undefined ||
      service === "servicediscovery" ||
      (op.createdAt ?? op.updatedAt) === undefined ||
      (op.createdAt ?? op.updatedAt)!.getTime() >= since.getTime())
  const operations: Operation[] = []
  const emit = (op: Operation) =>
    Effect.sync(() => {
      operations.push(op)
      if (values.json === true) {
        io.stdout.write(
          `${jsonText({ event: "operation", at: new Date(now()).toISOString(), operation: operationJson(op) })}\n`
        )
      } else if (!isLive(io))
        io.stdout.write(`${formatChangeLine(op, op.updatedAt ?? op.createdAt ?? new Date(now()))}\n`)
    })
  const deadline = withDeadline(io, timeout)
  try {
    const filtered = listOperations(source, region, query).pipe(Stream.filter(keep))
    const limited = limit === undefined ? filtered : filtered.pipe(Stream.take(limit))
    const exit = await Effect.runPromiseExit(Stream.runForEach(limited, emit), { signal: deadline.signal })
    if (Exit.isFailure(exit)) {
      if (io.signal.aborted) {
        io.stderr.write("opstatus: interrupted.\n")
        return ExitCode.interrupted
      }
      if (deadline.expired()) {
        throw new DeadlineError(`list ${service} did not finish within ${formatElapsed(timeout)}`, timeout)
      }
      if (Cause.hasInterruptsOnly(exit.cause)) {
        io.stderr.write("opstatus: interrupted.\n")
        return ExitCode.interrupted
      }
      throw Cause.squash(exit.cause)
    }
    writeOperations(values, io, now, operations, [], ExitCode.ok, started)
    return ExitCode.ok
  } finally {
    deadline.clear()
    aws.destroy()
  }
}

const dispatch = async (argv: ReadonlyArray<string>, io: CliIo): Promise<number> => {
  const now = io.now ?? Date.now
  const [command, ...rest] = argv
  if (command === undefined) {
    io.stderr.write(`${mainHelp}\n`)
    return ExitCode.usage
  }
  switch (command) {
    case "-h":
    case "--help":
      io.stdout.write(`${mainHelp}\n`)
      return ExitCode.ok
    case "help": {
      const topic = rest[0]
      if (topic === undefined) {
        io.stdout.write(`${mainHelp}\n`)
        return ExitCode.ok
      }
      // Only the table's own keys: "toString" or "__proto__" are not commands.
      if (!Object.hasOwn(commandHelp, topic)) {
        throw new UsageError(`there is no command "${topic}"`, "Run opstatus --help")
      }
      io.stdout.write(`${commandHelp[topic]}\n`)
      return ExitCode.ok
    }
    case "-V":
    case "--version":
    case "version":
      io.stdout.write(`opstatus ${version}\n`)
      return ExitCode.ok
    case "wait":
    case "watch":
      return waitCommand(command, rest, io, now)
    case "get":
      return getCommand(rest, io, now)
    case "list":
      return listCommand(rest, io, now)
    case "demo": {
      const { values, positionals } = parse("demo", rest, demoOptions)
      if (values.help === true) {
        io.stdout.write(`${commandHelp.demo}\n`)
        return ExitCode.ok
      }
      if (positionals.length > 0) throw new UsageError("demo takes no arguments", "Run opstatus demo --help")
      return runDemo({
        stdout: io.stdout,
        stderr: io.stderr,
        warn: warnTo(io),
        signal: io.signal,
        json: values.json === true,
        debug: values.debug === true,
        reporter: reporterFor(values, io, now, false),
        now
      })
    }
    default:
      throw new UsageError(
        command.startsWith("-")
          ? `unknown option "${command}" before the command`
          : `unknown command "${command}"`,
        "Run opstatus --help to see the commands"
      )
  }
}

/**
 * Runs the command and resolves with its exit code; never rejects.
 *
 * @since 0.1.0
 * @category entry points
 */
export const run = async (argv: ReadonlyArray<string>, io: CliIo): Promise<number> => {
  const debug = argv.includes("--debug")
  try {
    return await dispatch(argv, io)
  } catch (error) {
    if (isInterrupted(error)) {
      io.stderr.write("opstatus: interrupted.\n")
      return ExitCode.interrupted
    }
    if (debug) io.stderr.write(`${formatDebug(error)}\n`)
    io.stderr.write(`${formatError(error)}\n`)
    return exitCodeOf(error)
  }
}
