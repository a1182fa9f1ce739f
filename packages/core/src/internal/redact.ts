/**
 * Takes credentials out of what a service said before opstatus keeps it. A service's message
 * is kept verbatim, but some messages quote the request back: SigV4's `SignatureDoesNotMatch`
 * shows the canonical request, whose headers hold the session token, and a proxy or a broken
 * endpoint may echo the `Authorization` header. So the value of every named credential
 * (`X-Amz-Security-Token`, `SessionToken`, `SecretAccessKey`, `Signature`, in header, query,
 * JSON or XML form), every run of 64 or more hex digits (a SigV4 signature; also a SHA-256,
 * which is no secret but looks the same) and every STS session token (by the
 * prefix all of them share) becomes `<redacted>`. The access key ID is not a secret (AWS
 * prints it in its own denials) and stays, as does the rest of the message.
 */

const REDACTED = "<redacted>"

/** `name: value`, `name=value`, `"name": "value"`, also with escaped quotes. */
const namedValue =
  /((?:x-amz-security-token|security[-_]?token|session[-_]?token|secret[-_]?access[-_]?key|x-amz-signature|signature)(?:\\?["'])?\s*[:=]\s*(?:\\?["'])?)[^\s"'\\,;&<>)}\]]+/gi

/** `<SessionToken>value</SessionToken>` and the like. */
const xmlValue = /(<(?:SessionToken|SecurityToken|SecretAccessKey|Signature|SignatureProvided)>)[^<]+/gi

/** A SigV4 signature: 64 hex digits, also run together with more (`deadbeef<signature>`). */
const bareSignature = /[0-9a-f]{64,}/gi

/** An STS session token: every one starts with one of these (base64 of its own header). */
const stsToken = /(?:IQoJb3JpZ2lu|FwoGZXIvYXdz|FQoGZXIvYXdz|AQoDYXdz|AgoJb3JpZ2lu)[A-Za-z0-9+/=%]*/g

/** The text with every credential it quotes replaced by `<redacted>`; redacting twice changes nothing more. */
export const redactCredentials = (text: string): string =>
  text
    .replace(stsToken, REDACTED)
    .replace(namedValue, `$1${REDACTED}`)
    .replace(xmlValue, `$1${REDACTED}`)
    .replace(bareSignature, REDACTED)
