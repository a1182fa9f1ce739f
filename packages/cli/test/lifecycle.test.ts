/**
 * What a command opens, it closes: every `createOperationStatus` the CLI makes is closed
 * when the command ends (done, failed, thrown, interrupted, out of time), and every SDK
 * client it sent a request with is destroyed. Core's factory is wrapped to record each
 * API and its `close`; the SDK clients' `send` and `destroy` are spied on.
 */
import { createServer, type Socket } from "node:net"
import { LightsailClient } from "@aws-sdk/client-lightsail"
import { ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery"
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest"
import {
  type CliResult,
  emulator,
  expectExit,
  explain,
  fast,
  runInProcess,
  type TestHooks
} from "./helpers.js"

const opened = vi.hoisted(() => [] as Array<{ closed: boolean }>)

vi.mock("@opstatus/core", async (importOriginal) => {
  const core = await importOriginal<typeof import("@opstatus/core")>()
  return {
    ...core,
    createOperationStatus: (options: Parameters<typeof core.createOperationStatus>[0]) => {
      const api = core.createOperationStatus(options)
      const record = { closed: false }
      opened.push(record)
      const close = async () => {
        record.closed = true
        await api.close()
      }
      return { ...api, close, [Symbol.asyncDispose]: close }
    }
  }
})

const region = "us-east-1"
const long = 600_000

const spies = () => ({
  lightsailSend: vi.spyOn(LightsailClient.prototype, "send"),
  lightsailDestroy: vi.spyOn(LightsailClient.prototype, "destroy"),
  cloudMapSend: vi.spyOn(ServiceDiscoveryClient.prototype, "send"),
  cloudMapDestroy: vi.spyOn(ServiceDiscoveryClient.prototype, "destroy")
})

let spied: ReturnType<typeof spies>

beforeEach(() => {
  opened.length = 0
  spied = spies()
})

afterEach(() => {
  vi.restoreAllMocks()
})

/** Every API made was closed, and every client that sent a request was destroyed. */
const expectAllClosed = (result: CliResult, apis: number) => {
  explain(result, () => {
    expect(opened).toHaveLength(apis)
    expect(opened.every((api) => api.closed)).toBe(true)
    for (const [send, destroy] of [
      [spied.lightsailSend, spied.lightsailDestroy],
      [spied.cloudMapSend, spied.cloudMapDestroy]
    ] as const) {
      const destroyed = new Set(destroy.mock.contexts)
      for (const client of new Set(send.mock.contexts)) expect(destroyed.has(client)).toBe(true)
    }
  })
}

/** A TCP server on loopback that accepts every connection and never answers. */
const silentServer = async (hooks: TestHooks): Promise<string> => {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on("error", () => {})
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  hooks.onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  )
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("no port")
  return `http://127.0.0.1:${address.port}`
}

describe("every command closes what it opened", () => {
  it("wait that ends, and wait that fails", async (ctx) => {
    const emu = await emulator(ctx, { scenario: { deniedAccessKeys: ["AKIDDENIED"] } })
    const op = emu.createOperation({ service: "lightsail", type: "CreateInstance" })
    emu.transition("lightsail", op.id, "succeeded")
    const env = { AWS_ENDPOINT_URL: emu.endpoint }
    const done = await runInProcess(["wait", ...fast, `lightsail:${region}:${op.id}`], { env })
    expectExit(done, 0)
    expectAllClosed(done, 1)
    expect(spied.lightsailSend).toHaveBeenCalled()

    opened.length = 0
    const denied = await runInProcess(["wait", ...fast, `lightsail:${region}:${op.id}`], {
      env: { ...env, AWS_ACCESS_KEY_ID: "AKIDDENIED" }
    })
    expectExit(denied, 4)
    expectAllClosed(denied, 1)
  })

  it("wait whose standard output is closed (a write throws EPIPE): quiet, exit 141", async (ctx) => {
    const emu = await emulator(ctx)
    const op = emu.createOperation({ service: "servicediscovery", durationMs: long })
    const result = await runInProcess(["wait", ...fast, op.id], {
      env: { AWS_ENDPOINT_URL: emu.endpoint, TERM: "xterm" },
      isTTY: true,
      onStdout: () => {
        throw Object.assign(new Error("write EPIPE"), { code: "EPIPE" })
      }
    })
    // The first write fails: nothing more is written, to either output, and polling stops.
    expectExit(result, 141)
    expect(result.stdout).toBe("")
    expect(result.stderr).toBe("")
    expectAllClosed(result, 1)

    // A view that throws anything else is an unexpected error, and still closes everything.
    opened.length = 0
    const broken = await runInProcess(["wait", ...fast, op.id], {
      env: { AWS_ENDPOINT_URL: emu.endpoint, TERM: "xterm" },
      isTTY: true,
      onStdout: () => {
        throw new Error("the view broke")
      }
    })
    expectExit(broken, 1)
    expect(broken.stderr).toMatch(/^opstatus: unexpected error: the view broke\./)
    expectAllClosed(broken, 1)
  })

  it("wait interrupted by Ctrl-C", async (ctx) => {
    const emu = await emulator(ctx)
    const a = emu.createOperation({ service: "lightsail", durationMs: long })
    const b = emu.createOperation({ service: "servicediscovery", durationMs: long })
    const ctrlC = new AbortController()
    const result = await runInProcess(["wait", ...fast, `lightsail:${region}:${a.id}`, b.id], {
      env: { AWS_ENDPOINT_URL: emu.endpoint },
      signal: ctrlC.signal,
      // Once both have been read, as a person would press Ctrl-C.
      onStdout: (_chunk, all) => {
        if (all.includes(a.id) && all.includes(b.id)) ctrlC.abort()
      }
    })
    expectExit(result, 130)
    expectAllClosed(result, 1)
    expect(spied.lightsailDestroy).toHaveBeenCalled()
    expect(spied.cloudMapDestroy).toHaveBeenCalled()
  })

  it("get, done and out of time; list out of time", async (ctx) => {
    const emu = await emulator(ctx)
    const op = emu.createOperation({ service: "lightsail", durationMs: long })
    const got = await runInProcess(["get", `lightsail:${region}:${op.id}`], {
      env: { AWS_ENDPOINT_URL: emu.endpoint }
    })
    expectExit(got, 0)
    expectAllClosed(got, 1)

    opened.length = 0
    const endpoint = await silentServer(ctx)
    const late = await runInProcess(["get", "--timeout", "300ms", `lightsail:${region}:${op.id}`], {
      env: { AWS_ENDPOINT_URL: endpoint }
    })
    expectExit(late, 3)
    expectAllClosed(late, 1)

    opened.length = 0
    const list = await runInProcess(["list", "servicediscovery", "--timeout", "300ms"], {
      env: { AWS_ENDPOINT_URL: endpoint }
    })
    expectExit(list, 3)
    // list reads through the source alone: no API to close, and its client is destroyed.
    expectAllClosed(list, 0)
    expect(spied.cloudMapDestroy).toHaveBeenCalled()
  })
})
