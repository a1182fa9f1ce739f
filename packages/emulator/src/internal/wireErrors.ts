/**
 * How each service spells its errors on the wire: the name (which picks the SDK's exception class),
 * the HTTP status, and the body. awsJson clients read `__type` first, restJson clients the
 * `x-amzn-errortype` header first; we send both everywhere.
 */
import type { ServiceName } from "../Scenario.js"
import type { ErrorKind } from "./apiError.js"

export interface WireError {
  readonly name: string
  readonly status: number
  /** Lightsail's own `code` member. */
  readonly code?: string
}

const LIGHTSAIL: { readonly [K in ErrorKind]: WireError } = {
  validation: { name: "InvalidInputException", status: 400, code: "InvalidInput" },
  notFound: { name: "NotFoundException", status: 404, code: "NotFound" },
  accessDenied: { name: "AccessDeniedException", status: 403, code: "AccessDenied" },
  // Lightsail models no throttling error: the SDK raises LightsailServiceException named ThrottlingException.
  throttling: { name: "ThrottlingException", status: 429, code: "Throttling" },
  internal: { name: "ServiceException", status: 500, code: "InternalFailure" },
  unavailable: { name: "ServiceException", status: 503, code: "ServiceUnavailable" },
  unknownOperation: { name: "UnknownOperationException", status: 400, code: "UnknownOperation" },
  tooLarge: { name: "InvalidInputException", status: 413, code: "InvalidInput" },
  conflict: { name: "OperationFailureException", status: 400, code: "OperationFailure" }
}

const CLOUD_MAP: { readonly [K in ErrorKind]: WireError } = {
  validation: { name: "InvalidInput", status: 400 },
  notFound: { name: "OperationNotFound", status: 404 },
  accessDenied: { name: "AccessDeniedException", status: 403 },
  // Modelled with 429; the SDK classes it as throttling by name and by status.
  throttling: { name: "RequestLimitExceeded", status: 429 },
  internal: { name: "InternalServerException", status: 500 },
  unavailable: { name: "ServiceUnavailable", status: 503 },
  unknownOperation: { name: "UnknownOperationException", status: 400 },
  tooLarge: { name: "InvalidInput", status: 413 },
  conflict: { name: "ResourceInUse", status: 400 }
}

const SSM_SAP: { readonly [K in ErrorKind]: WireError } = {
  validation: { name: "ValidationException", status: 400 },
  notFound: { name: "ResourceNotFoundException", status: 404 },
  accessDenied: { name: "AccessDeniedException", status: 403 },
  throttling: { name: "ThrottlingException", status: 429 },
  internal: { name: "InternalServerException", status: 500 },
  unavailable: { name: "ServiceUnavailable", status: 503 },
  unknownOperation: { name: "UnknownOperationException", status: 400 },
  tooLarge: { name: "ValidationException", status: 413 },
  conflict: { name: "ConflictException", status: 409 }
}

/** An encoded error answer. */
export interface EncodedError {
  readonly status: number
  readonly name: string
  readonly contentType: string
  readonly body: Record<string, unknown>
}

/**
 * Encodes an error for a service. A request whose service cannot be told (`undefined`) gets SSM
 * for SAP's error names and statuses with a JSON body that carries `__type` too, so a client of
 * either protocol reads the error's name.
 */
export const encodeError = (
  service: Exclude<ServiceName, "cloudformation" | "ecs" | "cloudcontrol" | "route53"> | undefined,
  kind: ErrorKind,
  message: string
): EncodedError => {
  switch (service) {
    case "lightsail": {
      const e = LIGHTSAIL[kind]
      // Always send __type: a body with `code` but no `__type` would be classified by `code`.
      return {
        status: e.status,
        name: e.name,
        contentType: "application/x-amz-json-1.1",
        body: { __type: e.name, message, code: e.code }
      }
    }
    case "servicediscovery": {
      const e = CLOUD_MAP[kind]
      return {
        status: e.status,
        name: e.name,
        contentType: "application/x-amz-json-1.1",
        body: { __type: e.name, Message: message }
      }
    }
    case "ssm-sap": {
      const e = SSM_SAP[kind]
      return {
        status: e.status,
        name: e.name,
        contentType: "application/json",
        body: { message, Message: message }
      }
    }
    case undefined: {
      const e = SSM_SAP[kind]
      return {
        status: e.status,
        name: e.name,
        contentType: "application/json",
        body: { __type: e.name, message }
      }
    }
  }
}
