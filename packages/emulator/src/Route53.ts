/**
 * Route53 (a stub the service's module replaces): the frame the front end needs, and operations
 * created through the admin surface.
 */
import { ApiError } from "./internal/apiError.js"
import { uuidFrom } from "./internal/ids.js"
import { dispatch, type ServiceApi } from "./internal/serviceApi.js"
import { phaseAt } from "./Lifecycle.js"

/** The Route53 service. */
export const route53Api: ServiceApi = {
  service: "route53",
  // REST-XML under /2013-04-01/. Filled in with the service.
  claims: (request) => request.path.startsWith("/2013-04-01/"),
  codec: {
    decode: () => {
      throw new ApiError("unknownOperation", "Route 53 is not emulated yet.")
    },
    encode: (_operation, result) => ({ status: 200, contentType: "text/xml", body: JSON.stringify(result) }),
    encodeError: (error, message) => ({
      status: error.status,
      contentType: "text/xml",
      body: `<ErrorResponse><Error><Code>${error.name}</Code><Message>${message}</Message></Error></ErrorResponse>`
    })
  },
  errors: {
    validation: { name: "InvalidInput", status: 400 },
    notFound: { name: "NoSuchChange", status: 404 },
    accessDenied: { name: "AccessDenied", status: 403 },
    throttling: { name: "Throttling", status: 400 },
    internal: { name: "InternalFailure", status: 500 },
    unavailable: { name: "ServiceUnavailable", status: 503 },
    unknownOperation: { name: "InvalidAction", status: 400 },
    tooLarge: { name: "InvalidInput", status: 413 },
    conflict: { name: "PriorRequestNotComplete", status: 400 }
  },
  ...dispatch({}),
  create: (input, ctx) =>
    ctx.sim.addOperation({
      service: "route53",
      account: ctx.account,
      region: ctx.region,
      id: uuidFrom(ctx.sim.prng("route53")),
      type: input.type ?? "ChangeResourceRecordSets",
      detail: { kind: "route53", fields: {} },
      reasons: [{ code: "Failed", message: "The operation failed." }],
      overrides: input
    }),
  wire: (op, now) => ({ id: op.id, status: phaseAt(op, now).phase })
}
