/**
 * Ecs (a stub the service's module replaces): the frame the front end needs, and operations
 * created through the admin surface.
 */
import { uuidFrom } from "./internal/ids.js"
import { dispatch, type ServiceApi } from "./internal/serviceApi.js"
import { phaseAt } from "./Lifecycle.js"

/** The Ecs service. */
export const ecsApi: ServiceApi = {
  service: "ecs",
  json: { targetPrefix: "AmazonEC2ContainerServiceV20141113", contentType: "application/x-amz-json-1.1" },
  errors: {
    validation: { name: "InvalidParameterException", status: 400 },
    notFound: { name: "ServiceNotFoundException", status: 400 },
    accessDenied: { name: "AccessDeniedException", status: 400 },
    throttling: { name: "ThrottlingException", status: 400 },
    internal: { name: "ServerException", status: 500 },
    unavailable: { name: "ServerException", status: 503 },
    unknownOperation: { name: "UnknownOperationException", status: 400 },
    tooLarge: { name: "InvalidParameterException", status: 413 },
    conflict: { name: "ConflictException", status: 400 }
  },
  ...dispatch({}),
  create: (input, ctx) =>
    ctx.sim.addOperation({
      service: "ecs",
      account: ctx.account,
      region: ctx.region,
      id: uuidFrom(ctx.sim.prng("ecs")),
      type: input.type ?? "ServiceDeployment",
      detail: { kind: "ecs", fields: {} },
      reasons: [{ code: "Failed", message: "The operation failed." }],
      overrides: input
    }),
  wire: (op, now) => ({ id: op.id, status: phaseAt(op, now).phase })
}
