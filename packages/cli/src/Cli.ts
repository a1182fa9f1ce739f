/**
 * The `opstatus` command: argument parsing, the commands, and the mapping of every
 * outcome to an exit code. `run(argv, io)` does everything and resolves with the exit
 * code; `bin.ts` only wires it to the process.
 *
 * @since 0.1.0
 */
import { type ParseArgsConfig, parseArgs } from "node:util"
import {
  createOperationStatus,
  list as listOperations,
  type Operation,
  type OperationSource,
  type ServiceSlug
} from "@opstatus/core"
import { lightsailStatusTable } from "@opstatus/lightsail"
import { serviceDiscoveryStatusTable } from "@opstatus/servicediscovery"
import { ssmSapStatusTable } from "@opstatus/ssm-sap"
import { Cause, Effect, Exit, Stream } from "effect"
import { type AwsSettings, defaultCredentials, type Env, makeAws, resolveAwsSettings } from "./Aws.js"
import { runDemo } from "./Demo.js"
import { parseDurationFlag, parseDurationMillis } from "./Duration.js"
import { combineExitCodes, ExitCode, exitCodeOf, formatDebug, formatError, UsageError } from "./Errors.js"
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
import { checkTiming, runWait, type Timing } from "./Wait.js"

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
  /** Whether standard output is a terminal. */
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
  limit: { type: "string" }
} as const

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

const colorOf = (values: Values, io: CliIo): boolean =>
  io.isTTY &&
  values["no-color"] !== true &&
  (io.env.NO_COLOR === undefined || io.env.NO_COLOR === "") &&
  io.env.TERM !== "dumb"

const maxStdinBytes = 16 * 1024 * 1024

const abortError = () => Object.assign(new Error("interrupted"), { name: "Interrupted" })

/** Reads standard input to the end, or stops at once when the signal fires. */
const readStdin = async (io: CliIo): Promise<string> => {
  const chunks: Buffer[] = []
  let size = 0
  const reading = (async () => {
    for await (const chunk of io.stdin()) {
      const buffer = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk)
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
  settings: AwsSettings,
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
  const options = { region: settings.region, service }
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
  if (io.isTTY) {
    return liveReporter(io.stdout, { color: colorOf(values, io), now, columns: io.columns, rows: io.rows })
  }
  return plainReporter(io.stdout, { now, everyChange })
}

const timingOf = (values: Values): Timing => {
  const read = (flag: string) => {
    const v = str(values, flag)
    return v === undefined ? undefined : parseDurationFlag(flag, v)
  }
  return { timeout: read("timeout"), minDelay: read("min-delay"), maxDelay: read("max-delay") }
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
  const service = str(values, "service")
  const settings = await resolveAwsSettings(
    {
      region: str(values, "region"),
      profile: str(values, "profile"),
      endpointUrl: str(values, "endpoint-url")
    },
    io.env
  )
  const targets = await readTargets(
    positionals,
    settings,
    service === undefined ? undefined : parseService(service),
    io,
    command === "wait" ? "wait for" : "watch"
  )
  checkTiming(timing, targets.map(refOfTarget))
  const aws = makeAws(settings, defaultCredentials(settings, io.env), { includeSteps: command === "watch" })
  try {
    const api = createOperationStatus({ sources: aws.sources })
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
  errors: ReadonlyArray<{ readonly key: string; readonly error: unknown }>,
  exitCode: number,
  started: number
) => {
  const entries = operations.map((op) => ({ ...makeEntry(op.ref, started, op), endedAt: now() }))
  const failedEntries = errors.map(({ key, error }) => {
    const [service = "", region = "", ...id] = key.split(":")
    return { ...makeEntry({ service: service as ServiceSlug, region, id: id.join(":") }, started), error }
  })
  const summary = summarize([...entries, ...failedEntries], { elapsedMs: now() - started })
  if (values.json === true) {
    io.stdout.write(
      `${jsonText({
        event: "done",
        at: new Date(now()).toISOString(),
        operations: operations.map(operationJson),
        errors: errors.map(({ key, error }) => ({ ref: key, error: errorJson(error) })),
        summary,
        exitCode
      })}\n`
    )
    return
  }
  if (io.isTTY) {
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
  const service = str(values, "service")
  const settings = await resolveAwsSettings(
    {
      region: str(values, "region"),
      profile: str(values, "profile"),
      endpointUrl: str(values, "endpoint-url")
    },
    io.env
  )
  const targets = await readTargets(
    positionals,
    settings,
    service === undefined ? undefined : parseService(service),
    io,
    "read"
  )
  const started = now()
  const aws = makeAws(settings, defaultCredentials(settings, io.env))
  try {
    const api = createOperationStatus({ sources: aws.sources })
    const settled = await Promise.allSettled(
      targets.map((target) => api.get(refOfTarget(target), { signal: io.signal }))
    )
    if (io.signal.aborted) {
      io.stderr.write("opstatus: interrupted.\n")
      return ExitCode.interrupted
    }
    const operations: Operation[] = []
    const errors: Array<{ key: string; error: unknown }> = []
    const codes: number[] = []
    settled.forEach((s, i) => {
      if (s.status === "fulfilled") {
        operations.push(s.value)
        if (values.success === true && s.value.status !== "succeeded") codes.push(ExitCode.failed)
        if (values.json === true) {
          io.stdout.write(
            `${jsonText({ event: "operation", at: new Date(now()).toISOString(), operation: operationJson(s.value) })}\n`
          )
        } else if (!io.isTTY) io.stdout.write(`${formatChangeLine(s.value, new Date(now()))}\n`)
      } else {
        const ref = refOfTarget(targets[i]!)
        const key = `${ref.service}:${ref.region}:${ref.id}`
        errors.push({ key, error: s.reason })
        codes.push(exitCodeOf(s.reason))
        if (values.json === true) {
          io.stdout.write(
            `${jsonText({ event: "error", at: new Date(now()).toISOString(), ref: key, error: errorJson(s.reason) })}\n`
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
    aws.destroy()
  }
}

/** Unified or raw statuses to the service's raw values. */
const rawStatuses = (service: ServiceSlug, values: ReadonlyArray<string>): string[] => {
  const table: Readonly<Record<string, string>> =
    service === "lightsail"
      ? lightsailStatusTable
      : service === "servicediscovery"
        ? serviceDiscoveryStatusTable
        : ssmSapStatusTable
  const raws = new Set<string>()
  for (const value of values) {
    const exact = Object.keys(table).find((raw) => raw.toLowerCase() === value.toLowerCase())
    if (exact !== undefined) {
      raws.add(exact)
      continue
    }
    const mapped = Object.entries(table).filter(([, unified]) => unified === value.toLowerCase())
    if (mapped.length === 0) {
      throw new UsageError(
        `--status "${value}" is not a ${service} status`,
        `Use one of pending, running, succeeded, failed, cancelled, or ${Object.keys(table).join(", ")}`
      )
    }
    for (const [raw] of mapped) raws.add(raw)
  }
  return [...raws]
}

const parseSince = (value: string, now: number): Date => {
  const ago = parseDurationMillis(value)
  if (ago !== undefined) return new Date(now - ago)
  const asNumber = /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : undefined
  const millis = asNumber !== undefined ? asNumber * 1000 : Date.parse(value)
  if (!Number.isFinite(millis)) {
    throw new UsageError(
      `--since "${value}" is neither a duration nor a date`,
      "Use a duration ago (1h, 30m) or a date (2024-05-01T12:00:00Z)"
    )
  }
  return new Date(millis)
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
  const settings = await resolveAwsSettings(
    {
      region: str(values, "region"),
      profile: str(values, "profile"),
      endpointUrl: str(values, "endpoint-url")
    },
    io.env
  )
  const region = settings.region
  if (region === undefined) throw new UsageError("no region to list in", "Pass --region or set AWS_REGION")
  const started = now()
  const since = str(values, "since") === undefined ? undefined : parseSince(str(values, "since")!, started)
  const statusValues = strings(values, "status")
  const statuses = statusValues.length === 0 ? undefined : rawStatuses(service, statusValues)
  const types = strings(values, "type")
  const limitText = str(values, "limit")
  const limit = limitText === undefined ? undefined : Number(limitText)
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
    throw new UsageError(`--limit "${limitText}" is not a positive whole number`, "Use e.g. --limit 50")
  }
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
        ...(statuses === undefined ? {} : { status: statuses }),
        ...(types.length === 0 ? {} : { type: types }),
        ...(since === undefined
          ? {}
          : { updatedBetween: [since, new Date(Math.max(started, since.getTime()))] })
      }
      break
    default: {
      const application = str(values, "application")
      if (application === undefined || application.trim() === "") {
        aws.destroy()
        throw new UsageError(
          "listing SSM for SAP operations needs the application",
          "Pass --application <application-id>"
        )
      }
      source = aws.ssmSap
      query = {
        applicationId: application,
        ...(statuses?.length === 1 ? { status: statuses[0] } : {}),
        ...(types.length === 1 ? { type: types[0] } : {}),
        ...(since === undefined ? {} : { startedAfter: since })
      }
    }
  }
  const keep = (op: Operation) =>
    (statuses === undefined || statuses.includes(op.rawStatus)) &&
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
      } else if (!io.isTTY)
        io.stdout.write(`${formatChangeLine(op, op.updatedAt ?? op.createdAt ?? new Date(now()))}\n`)
    })
  try {
    const filtered = listOperations(source, region, query).pipe(Stream.filter(keep))
    const limited = limit === undefined ? filtered : filtered.pipe(Stream.take(limit))
    const exit = await Effect.runPromiseExit(Stream.runForEach(limited, emit), { signal: io.signal })
    if (Exit.isFailure(exit)) {
      if (io.signal.aborted || Cause.hasInterruptsOnly(exit.cause)) {
        io.stderr.write("opstatus: interrupted.\n")
        return ExitCode.interrupted
      }
      throw Cause.squash(exit.cause)
    }
    writeOperations(values, io, now, operations, [], ExitCode.ok, started)
    return ExitCode.ok
  } finally {
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
      const text = commandHelp[topic]
      if (text === undefined) throw new UsageError(`there is no command "${topic}"`, "Run opstatus --help")
      io.stdout.write(`${text}\n`)
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
        env: io.env,
        signal: io.signal,
        json: values.json === true,
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
