/**
 * CloudControl (a stub the service's module replaces): the frame the front end needs, and operations
 * created through the admin surface.
 */
import { uuidFrom } from "./internal/ids.js"
import { dispatch, type ServiceApi } from "./internal/serviceApi.js"
import { phaseAt } from "./Lifecycle.js"

/** The CloudControl service. */
export const cloudControlApi: ServiceApi = {
  service: "cloudcontrol",
  json: { targetPrefix: "CloudApiService", contentType: "application/x-amz-json-1.0" },
  errors: {
    validation: { name: "InvalidRequestException", status: 400 },
    notFound: { name: "RequestTokenNotFoundException", status: 400 },
    accessDenied: { name: "AccessDeniedException", status: 403 },
    throttling: { name: "ThrottlingException", status: 400 },
    internal: { name: "ServiceInternalErrorException", status: 500 },
    unavailable: { name: "ServiceInternalErrorException", status: 503 },
    unknownOperation: { name: "UnknownOperationException", status: 400 },
    tooLarge: { name: "InvalidRequestException", status: 413 },
    conflict: { name: "ConcurrentOperationException", status: 400 }
  },
  ...dispatch({}),
  create: (input, ctx) =>
    ctx.sim.addOperation({
      service: "cloudcontrol",
      account: ctx.account,
      region: ctx.region,
      id: uuidFrom(ctx.sim.prng("cloudcontrol")),
      type: input.type ?? "CREATE",
      detail: { kind: "cloudcontrol", fields: {} },
      reasons: [{ code: "Failed", message: "The operation failed." }],
      overrides: input
    }),
  wire: (op, now) => ({ id: op.id, status: phaseAt(op, now).phase })
}
