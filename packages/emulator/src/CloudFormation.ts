/**
 * CloudFormation (a stub the service's module replaces): the frame the front end needs, and operations
 * created through the admin surface.
 */
import { ApiError } from "./internal/apiError.js"
import { uuidFrom } from "./internal/ids.js"
import { dispatch, type ServiceApi } from "./internal/serviceApi.js"
import { phaseAt } from "./Lifecycle.js"

/** The CloudFormation service. */
export const cloudFormationApi: ServiceApi = {
  service: "cloudformation",
  // The query protocol: form-encoded requests, XML answers. Filled in with the service.
  claims: (_request, scopeService) => scopeService === "cloudformation",
  codec: {
    decode: () => {
      throw new ApiError("unknownOperation", "CloudFormation is not emulated yet.")
    },
    encode: (_operation, result) => ({ status: 200, contentType: "text/xml", body: JSON.stringify(result) }),
    encodeError: (error, message) => ({
      status: error.status,
      contentType: "text/xml",
      body: `<ErrorResponse><Error><Code>${error.name}</Code><Message>${message}</Message></Error></ErrorResponse>`
    })
  },
  errors: {
    validation: { name: "ValidationError", status: 400 },
    notFound: { name: "OperationNotFoundException", status: 404 },
    accessDenied: { name: "AccessDenied", status: 403 },
    throttling: { name: "Throttling", status: 400 },
    internal: { name: "InternalFailure", status: 500 },
    unavailable: { name: "ServiceUnavailable", status: 503 },
    unknownOperation: { name: "InvalidAction", status: 400 },
    tooLarge: { name: "ValidationError", status: 413 },
    conflict: { name: "OperationInProgressException", status: 409 }
  },
  ...dispatch({}),
  create: (input, ctx) =>
    ctx.sim.addOperation({
      service: "cloudformation",
      account: ctx.account,
      region: ctx.region,
      id: uuidFrom(ctx.sim.prng("cloudformation")),
      type: input.type ?? "CreateStackInstances",
      detail: { kind: "cloudformation", fields: {} },
      reasons: [{ code: "Failed", message: "The operation failed." }],
      overrides: input
    }),
  wire: (op, now) => ({ id: op.id, status: phaseAt(op, now).phase })
}
