import { DescribeServiceDeploymentsCommand, ECSClient, type ServiceDeployment } from "@aws-sdk/client-ecs"
import {
  type BatchCandidate,
  FleetConfig,
  type OperationRef,
  type RoundReport,
  waitForAll
} from "@opstatus/core"
import { mockClient } from "aws-sdk-client-mock"
import { Effect } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { describeBatchSize, ecsBatchReads, ecsSource } from "../src/index.js"
import { arnOf, deployment, runOnClock } from "./helpers.js"

const refOf = (id: string, region = "us-east-1"): OperationRef => ({ service: "ecs", region, id })
const candidate = (r: OperationRef): BatchCandidate => ({ ref: r, since: 0, last: undefined })
const arns = (n: number) => Array.from({ length: n }, (_, i) => arnOf(`d${i}`))

/** A gate that lets every request through, counting them. */
const countingGate = () => {
  let count = 0
  return {
    gate: <A, E, R>(request: Effect.Effect<A, E, R>) =>
      Effect.suspend(() => {
        count++
        return request
      }),
    count: () => count
  }
}

describe("ECS batch reads", () => {
  it("describes 20 deployments a read, one page each, full deployments", async () => {
    expect(describeBatchSize).toBe(20)
    const asked: Array<ReadonlyArray<string>> = []
    const reads = ecsBatchReads(
      "us-east-1",
      arns(45).map((id) => candidate(refOf(id))),
      (chunk) => {
        asked.push(chunk)
        return Effect.succeed({ items: [] })
      }
    )
    expect(reads.map((r) => r.covers.length)).toEqual([20, 20, 5])
    expect(reads.every((r) => r.complete)).toBe(true)
    expect(new Set(reads.map((r) => r.key)).size).toBe(3)
    const { gate, count } = countingGate()
    for (const read of reads)
      expect((await Effect.runPromise(read.page(gate, undefined))).next).toBeUndefined()
    expect(count()).toBe(3)
    expect(asked).toEqual([arns(45).slice(0, 20), arns(45).slice(20, 40), arns(45).slice(40)])
    expect(reads[1]!.covers.map((c) => c.ref.id)).toEqual(asked[1])
  })

  it("covers only the deployment ARNs of the read's region", () => {
    const reads = ecsBatchReads(
      "us-east-1",
      [
        candidate(refOf(arnOf("a"))),
        candidate(refOf(arnOf("b", { region: "eu-west-1" }))),
        candidate(refOf("not-an-arn")),
        candidate(refOf(arnOf("c")))
      ],
      () => Effect.succeed({ items: [] })
    )
    expect(reads.map((r) => r.covers.map((c) => c.ref.id))).toEqual([[arnOf("a"), arnOf("c")]])
    expect(ecsBatchReads("us-east-1", [], () => Effect.succeed({ items: [] }))).toEqual([])
  })
})

const mock = mockClient(ECSClient)

describe("the source's batch read over the real ECSClient (aws-sdk-client-mock)", () => {
  let client: ECSClient
  beforeEach(() => {
    mock.reset()
    client = new ECSClient({ region: "us-east-1" })
  })
  afterEach(() => client.destroy())

  it("pages the deployments the answer holds and leaves out what it lists in failures", async () => {
    mock.on(DescribeServiceDeploymentsCommand).resolves({
      serviceDeployments: [
        null,
        deployment("IN_PROGRESS", {}, arnOf("a")),
        { status: "SUCCESSFUL" },
        deployment("ROLLBACK_SUCCESSFUL", {}, arnOf("c"))
      ],
      failures: [{ arn: arnOf("b"), reason: "MISSING" }],
      $metadata: { requestId: "req-1" }
    } as never)
    const source = ecsSource({ client })
    const [read] = source.batch!.plan(
      "us-east-1",
      ["a", "b", "c"].map((id) => candidate(refOf(arnOf(id)))),
      0
    )
    const page = await Effect.runPromise(read!.page((request) => request, undefined))
    expect(page.next).toBeUndefined()
    expect(page.items.map((o) => [o.ref.id, o.status, o.error?.code, o.requestId])).toEqual([
      [arnOf("a"), "running", undefined, "req-1"],
      [arnOf("c"), "failed", "RolledBack", "req-1"]
    ])
    expect(mock.commandCalls(DescribeServiceDeploymentsCommand)[0]?.args[0].input).toEqual({
      serviceDeploymentArns: ["a", "b", "c"].map((id) => arnOf(id))
    })
  })
})

describe("a fleet wait over the real ECSClient (aws-sdk-client-mock)", () => {
  beforeEach(() => mock.reset())

  it("waits on 45 deployments with DescribeServiceDeployments of 20: a MISSING one read alone, a rollback failed", async () => {
    const ids = arns(45)
    const reads = new Map<string, number>()
    const late = ids[7]!
    const rolledBack = ids[30]!
    mock
      .on(DescribeServiceDeploymentsCommand)
      .callsFake(async (input: { serviceDeploymentArns: string[] }) => {
        const serviceDeployments: Array<ServiceDeployment> = []
        const failures: Array<{ arn: string; reason: string }> = []
        for (const id of input.serviceDeploymentArns) {
          const n = (reads.get(id) ?? 0) + 1
          reads.set(id, n)
          // The late one is not visible to its first two reads (ECS's eventual consistency).
          if (id === late && n <= 2) failures.push({ arn: id, reason: "MISSING" })
          else if (n === 1) serviceDeployments.push(deployment("IN_PROGRESS", {}, id))
          else if (id === rolledBack) {
            serviceDeployments.push(
              deployment(
                "ROLLBACK_SUCCESSFUL",
                { statusReason: "ECS deployment circuit breaker: tasks failed to start." },
                id
              )
            )
          } else serviceDeployments.push(deployment("SUCCESSFUL", {}, id))
        }
        return { serviceDeployments, failures }
      })
    const rounds: Array<RoundReport> = []
    const client = new ECSClient({ region: "us-east-1" })
    const r = await runOnClock(
      waitForAll(ids.map((id) => refOf(id))).pipe(
        Effect.provideService(FleetConfig, { onRound: (report) => rounds.push(report) })
      ),
      [ecsSource({ client })]
    )
    client.destroy()
    const outcomes = r._tag === "Success" ? r.success : []
    expect(outcomes).toHaveLength(45)
    expect(outcomes.map((o) => o.ok && o.operation.ref.id)).toEqual(ids)
    const statuses = outcomes.map((o) => o.ok && o.operation.status)
    expect(statuses.filter((s) => s === "succeeded")).toHaveLength(44)
    const failed = outcomes[30]
    expect(failed?.ok === true && [failed.operation.status, failed.operation.error?.code]).toEqual([
      "failed",
      "RolledBack"
    ])
    const calls = mock
      .commandCalls(DescribeServiceDeploymentsCommand)
      .map((c) => c.args[0].input.serviceDeploymentArns!)
    expect(Math.max(...calls.map((c) => c.length))).toBe(20)
    // The first round: three reads of 20, 20 and 5, and the MISSING one read alone.
    expect(calls.slice(0, 3).map((c) => c.length)).toEqual([20, 20, 5])
    expect(calls.some((c) => c.length === 1 && c[0] === late)).toBe(true)
    expect(rounds[0]?.reads.map((read) => read.covers)).toEqual([20, 20, 5])
    // Far fewer calls than one DescribeServiceDeployments per deployment per round.
    expect(calls.length).toBeLessThan(15)
  })
})
