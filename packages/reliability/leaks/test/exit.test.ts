/**
 * Every ending leaves a process that ends by itself. Each child process
 * waits on one operation of each service, ends those waits one way
 * (success, failure, timeout, abort, or `close()`), prints what it saw and
 * returns without `process.exit`: it must then exit with code 0 on its own.
 *
 * The children talk to the emulator through a proxy that never closes an
 * idle connection, so a socket a child keeps referenced holds it for good
 * (the guard kills a child that has not ended 60 s after its last line, and
 * the test fails), where the emulator's own keep-alive timeout would have
 * let it go after 5 s. Children are bounded by what they do: operations end
 * when a child says it has polled them, and nothing waits on a wall-clock
 * guess; starting a child may take as long as a loaded machine needs.
 *
 * The core Promise API (`createOperationStatus` over the script's own
 * clients) runs every ending; the `opstatus` default instance (clients it
 * makes from the environment) runs them too at large scale.
 */
import { rmSync } from "node:fs"
import type { OperationRef } from "@opstatus/core"
import { type Emulator, type ServiceName, startEmulator } from "@opstatus/emulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  type ChildCommand,
  childEnv,
  holdingProxy,
  killChildren,
  large,
  packageDir,
  pooled,
  prepareChild,
  printFigures,
  runChild
} from "../../support/leaks.js"

const fixture = new URL("./fixtures/ending.ts", import.meta.url).pathname
const region = "us-east-1"
const services: ReadonlyArray<ServiceName> = ["lightsail", "servicediscovery", "ssm-sap"]
const forever = 365 * 24 * 3_600_000

type EndingKind = "success" | "failure" | "timeout" | "abort" | "close"

/** How each of the three waits must end. */
const expected: Readonly<Record<EndingKind, string>> = {
  success: "succeeded",
  failure: "OperationFailed",
  timeout: "WaitTimeout",
  abort: "WaitAborted",
  close: "WaitAborted"
}

const endings = Object.keys(expected) as Array<EndingKind>
const apis = large ? (["core", "default"] as const) : (["core"] as const)

let emulator: Emulator
let proxy: Awaited<ReturnType<typeof holdingProxy>>
let command: ChildCommand
const bundle = `${packageDir}build/leaks/ending-${process.pid}.mjs`
beforeAll(async () => {
  emulator = await startEmulator({ port: 0, seed: 5, timeScale: 1_000 })
  proxy = await holdingProxy(emulator.port)
  // One bundle per process: runs in the same working tree do not share it.
  command = await prepareChild(fixture, bundle)
}, 120_000)
afterAll(async () => {
  killChildren()
  rmSync(bundle, { force: true })
  await proxy?.stop()
  await emulator?.stop()
})

/** One child: one ending, one operation per service that runs until the test (or the child) ends it. */
const runEnding = async (api: string, ending: EndingKind) => {
  const refs: Array<OperationRef> = services.map((service) => {
    const { id } = emulator.createOperation({ service, applicationId: "hana-1", durationMs: forever })
    return { service, region, id }
  })
  const run = await runChild(
    command,
    [api, ending, JSON.stringify(refs)],
    childEnv(proxy.endpoint),
    (line) => {
      // The child has polled this operation: end it now, as the ending asks.
      const [word, service] = line.split(" ")
      if (word !== "progress" || (ending !== "success" && ending !== "failure")) return
      const ref = refs.find((r) => r.service === service)!
      if (ending === "success") emulator.transition(ref.service as ServiceName, ref.id, "succeeded")
      else
        emulator.transition(ref.service as ServiceName, ref.id, "failed", {
          errorCode: "Boom",
          errorMessage: "it broke"
        })
    }
  )
  const done = run.stdout
    .split("\n")
    .find((line) => line.startsWith("done "))
    ?.slice("done ".length)
  return {
    api,
    ending,
    run,
    result: done === undefined ? undefined : (JSON.parse(done) as { tags: Array<string> })
  }
}

describe("every ending leaves a process that exits by itself", () => {
  it(`${endings.join(", ")} (${apis.join(" and ")} API): each child prints how its waits ended and exits with 0 on its own`, async () => {
    // Two at a time (the machine may have two cores); each is bounded by what it does, not by the others.
    const runs = await pooled(
      2,
      apis.flatMap((api) => endings.map((ending) => () => runEnding(api, ending)))
    )
    printFigures("leaks exit", {
      child: command.how,
      children: runs.map(({ api, ending, run }) => ({
        api,
        ending,
        code: run.code,
        exitLagMillis: run.exitLagMillis,
        millis: run.millis
      })),
      proxyConnections: proxy.connections()
    })
    for (const { api, ending, run, result } of runs) {
      const what = `${api} ${ending}: stdout ${run.stdout} stderr ${run.stderr}`
      // null: it did not end by itself, and the guard killed it.
      expect(run.code, what).toBe(0)
      expect(run.signal, what).toBeNull()
      expect(run.stderr, what).toBe("")
      expect(result?.tags, what).toEqual([expected[ending], expected[ending], expected[ending]])
    }
  }, 900_000) // generous: a loaded machine takes long to start a child; the guards bound each by what it does
})
