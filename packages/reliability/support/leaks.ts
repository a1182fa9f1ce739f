/**
 * What the leaks suite shares: its scale, a log of every request the clients
 * dispatch (so "no request after abort" is checked at the client, exactly,
 * and bounded at the emulator), a witness wait whose lane's rounds measure
 * "long enough" instead of a sleep, latency figures, a loopback proxy that
 * never closes an idle connection (so a socket a child leaks keeps it alive
 * for good, rather than until the server's keep-alive timeout), and child
 * processes bounded by what they do.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdirSync } from "node:fs"

import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net"
import { dirname } from "node:path"
import { fileURLToPath } from "node:url"
import type { SapCallOptions, SsmSapLike } from "@opstatus/ssm-sap"
import { build, type Plugin } from "esbuild"

/** True for `pnpm reliability:leaks`. */
export const large = process.env.RELIABILITY_SCALE === "large"

/** Figures lines are printed at large scale, or with `RELIABILITY_FIGURES=1`. */
export const showFigures = large || process.env.RELIABILITY_FIGURES === "1"

/** Prints one figures line at large scale, or with `RELIABILITY_FIGURES=1`. */
export const printFigures = (name: string, figures: Record<string, unknown>): void => {
  if (showFigures) console.log(`figures ${name}: ${JSON.stringify(figures)}`)
}

// ---------------------------------------------------------------------------
// Requests dispatched

/**
 * Every request a set of clients hands to the network. `mark()` is called
 * right at the abort (or close): a request dispatched after it, with a
 * signal that had not fired, is a request that reached the wire after the
 * abort. A dispatch whose signal already fired never leaves the process and
 * is counted apart.
 */
export class DispatchLog {
  sent = 0
  inFlight = 0
  /** Dispatched with a live signal after `mark()`. */
  sentAfterMark = 0
  /** Handed over with a signal that had already fired: refused before any byte is written. */
  refused = 0
  marked = false
  /** Requests on the wire when `mark()` was called. */
  inFlightAtMark = 0

  mark(): void {
    this.marked = true
    this.inFlightAtMark = this.inFlight
  }

  /** Records a dispatch; the returned function records its end. */
  dispatch(signal: { readonly aborted?: boolean } | undefined): () => void {
    if (signal?.aborted === true) {
      this.refused++
      return () => {}
    }
    this.sent++
    if (this.marked) this.sentAfterMark++
    this.inFlight++
    let ended = false
    return () => {
      if (ended) return
      ended = true
      this.inFlight--
    }
  }
}

interface Handler {
  handle(
    request: unknown,
    options?: { readonly abortSignal?: { readonly aborted?: boolean } }
  ): Promise<unknown>
}

/** Logs every request an SDK v3 client hands to its HTTP handler. */
export const logSdkClient = <C extends { readonly config: { readonly requestHandler?: unknown } }>(
  client: C,
  log: DispatchLog
): C => {
  const handler = client.config.requestHandler as Handler
  const handle = handler.handle.bind(handler)
  handler.handle = (request, options) => {
    const done = log.dispatch(options?.abortSignal)
    return handle(request, options).finally(done)
  }
  return client
}

/** An SSM for SAP client (the SigV4 one over `fetch`) whose every call is logged. */
export const logSsmSapClient = (client: SsmSapLike, log: DispatchLog): SsmSapLike => {
  const logged =
    <A, R>(call: (args: A, options?: SapCallOptions) => Promise<R>) =>
    (args: A, options?: SapCallOptions): Promise<R> => {
      const done = log.dispatch(options?.abortSignal)
      return call(args, options).finally(done)
    }
  return {
    getOperation: logged((a, o) => client.getOperation(a, o)),
    listOperations: logged((a, o) => client.listOperations(a, o)),
    listOperationEvents: logged((a, o) => client.listOperationEvents(a, o))
  }
}

// ---------------------------------------------------------------------------
// Latency figures

/** p50, p99 and max of a list of milliseconds, rounded to 0.01 ms. */
export const percentiles = (values: ReadonlyArray<number>) => {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN
  const round = (ms: number) => Math.round(ms * 100) / 100
  return {
    n: sorted.length,
    p50: round(at(0.5)),
    p99: round(at(0.99)),
    max: round(sorted.at(-1) ?? Number.NaN)
  }
}

// ---------------------------------------------------------------------------
// A proxy that holds idle connections

/**
 * A TCP proxy to `127.0.0.1:port` that never closes a client's idle
 * connection, even after the upstream one closes (the emulator closes idle
 * keep-alive sockets after 5 s): a child that keeps a referenced socket then
 * never ends by itself, where without the proxy it would end 5 s late and
 * pass. A request on a connection whose upstream has gone is answered by a
 * reset, as a server's close would be.
 */
export const holdingProxy = async (port: number) => {
  const sockets = new Set<Socket>()
  let connections = 0
  const server: Server = createServer((client) => {
    connections++
    const upstream = tcpConnect(port, "127.0.0.1")
    sockets.add(client)
    sockets.add(upstream)
    let upstreamOpen = true
    let awaiting = false
    client.on("data", (chunk) => {
      if (!upstreamOpen) return client.destroy()
      awaiting = true
      upstream.write(chunk)
    })
    upstream.on("data", (chunk) => {
      awaiting = false
      client.write(chunk)
    })
    upstream.on("error", () => {})
    client.on("error", () => {})
    upstream.on("close", () => {
      upstreamOpen = false
      sockets.delete(upstream)
      // A request cut off (a reset) is a reset for the client too; an idle connection stays open.
      if (awaiting) client.destroy()
    })
    client.on("close", () => {
      sockets.delete(client)
      upstream.destroy()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const address = server.address()
  const listening = typeof address === "object" && address !== null ? address.port : 0
  return {
    endpoint: `http://127.0.0.1:${listening}`,
    connections: () => connections,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}

// ---------------------------------------------------------------------------
// Child processes

/** packages/reliability, the children's working directory. */
export const packageDir = fileURLToPath(new URL("..", import.meta.url))

/** What a child did. */
export interface ChildRun {
  /** The exit code, or null when the guard killed a process that did not end by itself. */
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  /** Milliseconds from the line starting with `done` to the exit (undefined without such a line). */
  readonly exitLagMillis: number | undefined
  readonly millis: number
}

const live = new Set<ChildProcess>()

/** Kills every child still running (for an afterAll: a test that failed leaves none behind). */
export const killChildren = (): void => {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
}

/** How a child is started: node and its arguments before the script's own. */
export interface ChildCommand {
  readonly args: ReadonlyArray<string>
  /** One ESM file built from source. */
  readonly how: "bundle"
}

/** Leaves every package but ours external, at the path it resolves to from its importer. */
const externalDependencies: Plugin = {
  name: "external-dependencies",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      const own =
        args.path.startsWith("@opstatus/") || args.path === "opstatus" || args.path.startsWith("node:")
      if (own || args.pluginData === "inner") return undefined
      const resolved = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        pluginData: "inner"
      })
      return resolved.errors.length > 0 ? undefined : { path: resolved.path, external: true }
    })
  }
}

/**
 * Prepares a TypeScript entry to run in children: bundled once, as the CLI's
 * tests do (the workspace packages inlined from their `source` entries,
 * every other package left external at its installed path), so a child
 * starts on a third of the CPU that compiling on the fly through tsx costs.
 */
export const prepareChild = async (entry: string, outfile: string): Promise<ChildCommand> => {
  mkdirSync(dirname(outfile), { recursive: true })
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    conditions: ["source"],
    mainFields: ["main"],
    logLevel: "warning",
    plugins: [externalDependencies]
  })
  return { args: [outfile], how: "bundle" }
}

/**
 * Runs a child (`command` from `prepareChild`) with only the given
 * environment. `onLine` sees each line of its output as it comes. It is
 * bounded by what it does: once it has printed its `done` line it must end
 * by itself within `exitGuardMillis`, or it is killed and reported as
 * `code: null`; before that it may take as long as a loaded machine needs
 * to start it (`startGuardMillis` only guards a hang).
 */
export const runChild = (
  command: ChildCommand,
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  onLine: (line: string) => void = () => {},
  guards: { readonly exitGuardMillis?: number; readonly startGuardMillis?: number } = {}
): Promise<ChildRun> =>
  new Promise<ChildRun>((resolve) => {
    const started = performance.now()
    const child = spawn(process.execPath, [...command.args, ...args], {
      cwd: packageDir,
      env,
      stdio: ["ignore", "pipe", "pipe"]
    })
    live.add(child)
    const kill = () => child.kill("SIGKILL")
    let guard = setTimeout(kill, guards.startGuardMillis ?? 300_000)
    let stdout = ""
    let stderr = ""
    let pending = ""
    let doneAt: number | undefined
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
      pending += chunk
      const lines = pending.split("\n")
      pending = lines.pop() ?? ""
      for (const line of lines) {
        if (line.startsWith("done") && doneAt === undefined) {
          doneAt = performance.now()
          // From here on it has nothing left to do but end.
          clearTimeout(guard)
          guard = setTimeout(kill, guards.exitGuardMillis ?? 60_000)
        }
        onLine(line)
      }
    })
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk
    })
    child.on("exit", (code, signal) => {
      clearTimeout(guard)
      live.delete(child)
      const now = performance.now()
      resolve({
        code: signal === "SIGKILL" ? null : code,
        signal,
        stdout,
        stderr,
        exitLagMillis: doneAt === undefined ? undefined : Math.round(now - doneAt),
        millis: Math.round(now - started)
      })
    })
  })

/** Runs `tasks` with at most `limit` at a time, results in order: children on a 2-core machine. */
export const pooled = async <A>(limit: number, tasks: ReadonlyArray<() => Promise<A>>): Promise<Array<A>> => {
  const results: Array<A> = new Array(tasks.length)
  let next = 0
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++
      results[i] = await tasks[i]!()
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker))
  return results
}

/** The environment of a user whose AWS settings point at `endpoint`, and nothing of this machine's. */
export const childEnv = (endpoint: string): Record<string, string> => ({
  PATH: process.env.PATH ?? "",
  HOME: "/nonexistent/opstatus-leaks-home",
  AWS_ENDPOINT_URL: endpoint,
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
  AWS_SECRET_ACCESS_KEY: "x",
  AWS_MAX_ATTEMPTS: "1",
  AWS_CONFIG_FILE: "/nonexistent/opstatus-leaks/config",
  AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/opstatus-leaks/credentials",
  AWS_EC2_METADATA_DISABLED: "true",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true"
})
