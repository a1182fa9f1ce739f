/**
 * Test helpers: service deployment ARNs and answers as the SDK types them,
 * and a runner that waits on TestClock while the real client (answered by
 * aws-sdk-client-mock) settles its promises between the clock's steps.
 */
import type { ServiceDeployment, ServiceDeploymentStatus } from "@aws-sdk/client-ecs"
import { type Engine, type OperationSource, OperationSources } from "@opstatus/core"
import { Effect, Fiber, Layer } from "effect"
import { TestClock } from "effect/testing"

export const account = "123456789012"

/** A service deployment ARN. */
export const arnOf = (
  id: string,
  options: { readonly region?: string; readonly cluster?: string; readonly service?: string } = {}
) =>
  `arn:aws:ecs:${options.region ?? "us-east-1"}:${account}:service-deployment/${options.cluster ?? "my-cluster"}/${options.service ?? "my-service"}/${id}`

export const arn = arnOf("Abc123")
export const serviceArn = `arn:aws:ecs:us-east-1:${account}:service/my-cluster/my-service`
export const clusterArn = `arn:aws:ecs:us-east-1:${account}:cluster/my-cluster`
export const revisionArn = (n: number) =>
  `arn:aws:ecs:us-east-1:${account}:service-revision/my-cluster/my-service/${n}`

/** A deployment as DescribeServiceDeployments answers it. */
export const deployment = (
  status: ServiceDeploymentStatus | string,
  extra: Partial<ServiceDeployment> = {},
  id: string = arn
): ServiceDeployment => ({
  serviceDeploymentArn: id,
  serviceArn,
  clusterArn,
  createdAt: new Date("2026-01-01T00:00:00Z"),
  startedAt: new Date("2026-01-01T00:00:05Z"),
  updatedAt: new Date("2026-01-01T00:01:00Z"),
  sourceServiceRevisions: [{ arn: revisionArn(1), requestedTaskCount: 0, runningTaskCount: 2 }],
  targetServiceRevision: {
    arn: revisionArn(2),
    requestedTaskCount: 2,
    runningTaskCount: 1,
    pendingTaskCount: 1
  },
  status: status as ServiceDeploymentStatus,
  ...extra
})

/** A macrotask turn: what a mocked SDK call needs to settle. */
const turn = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))

/**
 * Runs an engine effect on TestClock: virtual time advances by `step` up to
 * `total`, with a turn of the event loop after each step so the SDK's
 * promises settle. Ends as soon as the effect does.
 */
export const runOnClock = <A, E>(
  effect: Effect.Effect<A, E, Engine>,
  sources: ReadonlyArray<OperationSource<any>>,
  options: { readonly total?: number; readonly step?: number } = {}
) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(Effect.result(effect))
      const step = options.step ?? 1_000
      for (let elapsed = 0; elapsed <= (options.total ?? 3_600_000); elapsed += step) {
        for (let i = 0; i < 3; i++) yield* TestClock.withLive(turn)
        if (fiber.pollUnsafe() !== undefined) break
        yield* TestClock.adjust(step)
      }
      return yield* Fiber.join(fiber)
    }).pipe(Effect.provide(Layer.merge(TestClock.layer(), OperationSources.layer(sources))))
  )
