import { Agent, request } from "node:http"
import { describe, expect, it } from "vitest"
import { startEmulator } from "../src/index.js"

const servers = () => process.getActiveResourcesInfo().filter((r) => r === "TCPServerWrap").length

const get = (url: string, agent: Agent) =>
  new Promise<{ status: number; socketClosed: Promise<void> }>((resolve, reject) => {
    const req = request(`${url}/_emulator/health`, { agent }, (res) => {
      res.resume()
      const socket = res.socket
      const socketClosed = new Promise<void>((done) => socket.once("close", () => done()))
      res.on("end", () => resolve({ status: res.statusCode!, socketClosed }))
    })
    req.on("error", reject)
    req.end()
  })

describe("shutdown", () => {
  it("closes keep-alive sockets, frees the port and leaves no server handle", async () => {
    const before = servers()
    const emulator = await startEmulator()
    expect(emulator.endpoint).toBe(`http://127.0.0.1:${emulator.port}`)
    expect(servers()).toBe(before + 1)
    const agent = new Agent({ keepAlive: true })
    const { status, socketClosed } = await get(emulator.endpoint, agent)
    expect(status).toBe(200)
    const started = performance.now()
    await emulator.stop()
    await socketClosed
    // Not the keep-alive timeout (5 s): stopping closes idle sockets (the bound leaves room for a loaded machine).
    expect(performance.now() - started).toBeLessThan(4_000)
    expect(servers()).toBe(before)
    const refused = await fetch(`${emulator.endpoint}/_emulator/health`).catch((error) => error)
    expect(refused).toBeInstanceOf(TypeError)
    expect(refused.cause.code).toBe("ECONNREFUSED")
    await emulator.stop()
    agent.destroy()
  })

  it("stops promptly while a request waits on injected latency", async () => {
    const emulator = await startEmulator({
      scenario: { services: { "ssm-sap": { faults: { latencyMs: 60_000 } } } }
    })
    let sent!: () => void
    const requestSent = new Promise<void>((resolve) => {
      sent = resolve
    })
    const pending = new Promise<unknown>((resolve) => {
      const req = request(`${emulator.endpoint}/list-operations`, {
        method: "POST",
        headers: { authorization: "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/ssm-sap/aws4_request" }
      })
      req.on("response", (res) => resolve(res.statusCode))
      req.on("error", resolve)
      req.on("finish", () => sent())
      req.end("{}")
    })
    // The whole request is on the wire: the emulator holds it for a minute of latency.
    await requestSent
    const started = performance.now()
    await emulator.stop()
    // Not the minute of latency: stopping ends the held request (the bound only leaves room for a loaded machine).
    expect(performance.now() - started).toBeLessThan(30_000)
    expect(await pending).toBeInstanceOf(Error)
  })

  it("binds loopback by default and another host only when asked", async () => {
    const emulator = await startEmulator({ host: "::1" }).catch(() => undefined)
    if (emulator !== undefined) {
      expect(emulator.endpoint).toBe(`http://[::1]:${emulator.port}`)
      await emulator.stop()
    }
    const local = await startEmulator()
    expect(local.endpoint.startsWith("http://127.0.0.1:")).toBe(true)
    await local.stop()
  })
})
