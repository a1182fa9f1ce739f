/** Reads the caller's access key, region and signing service from a SigV4 `Authorization` header. */

/** The credential scope of a signed request. */
export interface CredentialScope {
  readonly accessKeyId: string
  readonly region: string
  readonly service: string
}

/** Parses `AWS4-HMAC-SHA256 Credential=AKID/date/REGION/SERVICE/aws4_request, ...`; undefined if malformed. */
export const parseAuthorization = (header: string | undefined): CredentialScope | undefined => {
  if (header === undefined) return undefined
  const match = /Credential=([^/\s,]+)\/(\d{8})\/([^/\s,]+)\/([^/\s,]+)\/aws4_request/.exec(header)
  if (match === null) return undefined
  return { accessKeyId: match[1]!, region: match[3]!, service: match[4]! }
}
