/**
 * Amazon Route 53 changes, as a spec on the adapter kit. Every Route 53 call
 * that changes DNS (a record set batch, a hosted zone, a VPC association, a
 * DNSSEC key) answers with a `ChangeInfo`: the change's ID, status and
 * submission time, a full snapshot. GetChange reads it again; there is no
 * list of changes and no way to stop one.
 *
 * Route 53 is global: its changes belong to no region, so refs name the
 * pseudo-region `global` (`route53:global:C2682N5HXP0BZ4`), whatever region
 * the client signs for (`us-east-1`). A change is `PENDING` while it
 * propagates to Route 53's DNS servers and `INSYNC` once it has: an accepted
 * change never fails.
 *
 * @since 0.3.0
 */
import {
  GetChangeCommand,
  type Route53Client,
  type ChangeInfo as SdkChangeInfo,
  type ChangeStatus as SdkChangeStatus
} from "@aws-sdk/client-route-53"
import type {
  Operation,
  OperationRef,
  OperationSource,
  OpstatusError,
  RefHints,
  ServiceInfo,
  OperationStatus as UnifiedStatus
} from "@opstatus/core"
import {
  type ClientOptions,
  classifySdkError,
  dateField,
  type ErrorNames,
  fieldOf,
  invalidConfig,
  invalidQuery,
  makeSource,
  makeStatusMapper,
  type Requester,
  requestIdOf,
  type SourceSpec,
  type StatusTable,
  stringField,
  textOf,
  Wire,
  withRef
} from "@opstatus/core/adapter-kit"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

const service = "route53"

/**
 * The pseudo-region of every Route 53 ref: Route 53 is a global service.
 *
 * @since 0.3.0
 * @category models
 */
export const route53Region = "global"

type SendClient = Pick<Route53Client, "send">

/**
 * Route 53's change statuses, one row for each value of the SDK's
 * `ChangeStatus`. `PENDING` is `running`: the change was accepted and is
 * being applied to Route 53's DNS servers; no queued state is visible.
 *
 * @since 0.3.0
 * @category mapping
 */
export const route53StatusTable = {
  PENDING: "running",
  INSYNC: "succeeded"
} as const satisfies Record<SdkChangeStatus, UnifiedStatus> & StatusTable

/**
 * What the Route 53 source declares: its slug, change IDs, the pseudo-region
 * `global`, default waiting policy and status table.
 *
 * @since 0.3.0
 * @category models
 */
export const route53Service: ServiceInfo = {
  service,
  title: "Amazon Route 53",
  // ChangeInfo.Id is at most 32 characters in the model, its /change/ prefix included.
  idRule: {
    maxLength: 32,
    pattern: /^[A-Z0-9]+$/,
    description: "the change ID without its /change/ prefix: capital letters and digits (C2682N5HXP0BZ4)"
  },
  regionRule: { pattern: /^global$/, description: "global (Route 53 is a global service)" },
  hints: {},
  defaults: {
    timeout: "10 minutes",
    minDelay: "2 seconds",
    maxDelay: "20 seconds",
    notFoundGrace: "30 seconds"
  },
  // An account may make five Route 53 API requests a second, GetChange included: its lanes start there.
  rateLimit: { start: 5, min: 0.5, max: 5 },
  statusTable: route53StatusTable
}

/**
 * A `ChangeInfo` as Route 53 answers it; checked, never transformed.
 *
 * @since 0.3.0
 * @category models
 */
export const Route53ChangeInfo = Schema.Struct({
  Id: Wire.string,
  Status: Wire.string,
  SubmittedAt: Wire.timestamp,
  Comment: Wire.string
})

/**
 * @since 0.3.0
 * @category models
 */
export type Route53ChangeInfo = typeof Route53ChangeInfo.Type

/**
 * The GetChange answer. An answer without `ChangeInfo` fits the schema but is
 * a `MalformedResponse` for the source.
 *
 * @since 0.3.0
 * @category models
 */
export const Route53GetChangeAnswer = Schema.Struct({ ChangeInfo: Wire.struct(Route53ChangeInfo) })

/** Route 53 answers `/change/C2682N5HXP0BZ4`; the ref keeps `C2682N5HXP0BZ4`. */
const changePrefix = "/change/"

const bareId = (id: string | undefined): string =>
  id === undefined ? "" : id.startsWith(changePrefix) ? id.slice(changePrefix.length) : id

/** The string entries of a map; `undefined` when there are none or it is not an object. */
const stringsOf = (u: unknown): Record<string, string> | undefined => {
  if (typeof u !== "object" || u === null) return undefined
  let keys: ReadonlyArray<string>
  try {
    if (Array.isArray(u)) return undefined
    keys = Object.keys(u)
  } catch {
    return undefined
  }
  const out: Record<string, string> = {}
  for (const key of keys) {
    const value = fieldOf(u, key)
    if (typeof value === "string" && key !== "__proto__") out[key] = value
  }
  return Object.keys(out).length === 0 ? undefined : out
}

const mapStatus = makeStatusMapper(route53StatusTable)

/**
 * Maps a `ChangeInfo`, as the schema checks it or as the SDK types it, to the
 * unified model: `SubmittedAt` is `createdAt`, `Comment` the property
 * `Comment`, and the ID loses its `/change/` prefix. Pure and total: it never
 * throws, whatever it is given.
 *
 * @since 0.3.0
 * @category mapping
 */
export const toOperation = (
  raw: Route53ChangeInfo | SdkChangeInfo,
  requestId?: string | undefined
): Operation => {
  const rawStatus = textOf(fieldOf(raw, "Status")) ?? ""
  const mapped = mapStatus(rawStatus)
  const comment = textOf(fieldOf(raw, "Comment"))
  return {
    ref: { service, region: route53Region, id: bareId(textOf(fieldOf(raw, "Id"))) },
    status: mapped.status,
    terminal: mapped.terminal,
    rawStatus,
    resource: {},
    ...(comment === undefined ? {} : { properties: { Comment: comment } }),
    ...dateField("createdAt", fieldOf(raw, "SubmittedAt")),
    region: route53Region,
    ...stringField("requestId", requestId),
    raw
  }
}

/**
 * Route 53's error names, for the kit's classifier. `Throttling`,
 * `ThrottlingException` and `PriorRequestNotComplete` are throttling by the
 * SDK's own list.
 *
 * @since 0.3.0
 * @category errors
 */
export const route53ErrorNames: ErrorNames = {
  notFound: ["NoSuchChange"],
  // Modelled with HTTP 401, but it is a VPC association not authorized, not bad credentials.
  denied: ["NotAuthorizedException"],
  // Every other error Route 53 models is a request it refused.
  invalid: [
    "CidrBlockInUseException",
    "CidrCollectionAlreadyExistsException",
    "CidrCollectionInUseException",
    "CidrCollectionVersionMismatchException",
    "ConflictingDomainExists",
    "ConflictingTypes",
    "DNSSECNotFound",
    "DelegationSetAlreadyCreated",
    "DelegationSetAlreadyReusable",
    "DelegationSetInUse",
    "DelegationSetNotAvailable",
    "DelegationSetNotReusable",
    "HealthCheckAlreadyExists",
    "HealthCheckInUse",
    "HealthCheckVersionMismatch",
    "HostedZoneAlreadyExists",
    "HostedZoneNotEmpty",
    "HostedZoneNotFound",
    "HostedZoneNotPrivate",
    "HostedZonePartiallyDelegated",
    "IncompatibleVersion",
    "InsufficientCloudWatchLogsResourcePolicy",
    "InvalidArgument",
    "InvalidChangeBatch",
    "InvalidDomainName",
    "InvalidInput",
    "InvalidKMSArn",
    "InvalidKeySigningKeyName",
    "InvalidKeySigningKeyStatus",
    "InvalidPaginationToken",
    "InvalidResourceRecordSetProtectionBatch",
    "InvalidSigningStatus",
    "InvalidTrafficPolicyDocument",
    "InvalidVPCId",
    "KeySigningKeyAlreadyExists",
    "KeySigningKeyInParentDSRecord",
    "KeySigningKeyInUse",
    "KeySigningKeyWithActiveStatusNotFound",
    "LastVPCAssociation",
    "LimitsExceeded",
    "NoSuchCidrCollectionException",
    "NoSuchCidrLocationException",
    "NoSuchCloudWatchLogsLogGroup",
    "NoSuchDelegationSet",
    "NoSuchGeoLocation",
    "NoSuchHealthCheck",
    "NoSuchHostedZone",
    "NoSuchKeySigningKey",
    "NoSuchQueryLoggingConfig",
    "NoSuchTrafficPolicy",
    "NoSuchTrafficPolicyInstance",
    "ProtectionAlreadyExists",
    "PublicZoneVPCAssociation",
    "QueryLoggingConfigAlreadyExists",
    "TooManyHealthChecks",
    "TooManyHostedZones",
    "TooManyKeySigningKeys",
    "TooManyTrafficPolicies",
    "TooManyTrafficPolicyInstances",
    "TooManyTrafficPolicyVersionsForCurrentPolicy",
    "TooManyVPCAssociationAuthorizations",
    "TrafficPolicyAlreadyExists",
    "TrafficPolicyInUse",
    "TrafficPolicyInstanceAlreadyExists",
    "VPCAssociationAuthorizationNotFound",
    "VPCAssociationNotFound"
  ],
  // Another request changed the same object at once: the service says to retry.
  transient: ["ConcurrentModification"]
}

/**
 * What a Route 53 failure means: an `OpstatusError` with a request reason.
 *
 * @since 0.3.0
 * @category errors
 */
export const classifyRoute53Error = (error: unknown): OpstatusError =>
  classifySdkError(service, route53ErrorNames, error)

/**
 * The calls whose responses carry a `ChangeInfo`, GetChange's own included.
 *
 * @since 0.3.0
 * @category refs
 */
export const route53ChangeCalls = [
  "ActivateKeySigningKey",
  "AssociateVPCWithHostedZone",
  "ChangeResourceRecordSets",
  "CreateHostedZone",
  "CreateKeySigningKey",
  "DeactivateKeySigningKey",
  "DeleteHostedZone",
  "DeleteKeySigningKey",
  "DisableHostedZoneDNSSEC",
  "DisassociateVPCFromHostedZone",
  "EnableHostedZoneDNSSEC",
  "GetChange"
] as const

/**
 * The change a response carries (its `ChangeInfo`), as a snapshot: one that
 * is already `INSYNC` resolves a wait without a read. Anything that carries
 * no `ChangeInfo` with an ID gives none. The region is always `global`; the
 * given hints are kept. It throws nothing, whatever it is given.
 *
 * @since 0.3.0
 * @category refs
 */
export const operationsFromResponse = (response: unknown, options?: RefHints): ReadonlyArray<Operation> => {
  const info = fieldOf(response, "ChangeInfo")
  const op = toOperation(info as Route53ChangeInfo, requestIdOf(response))
  if (op.ref.id === "" || typeof info !== "object" || info === null) return []
  const hints = stringsOf(fieldOf(options, "hints"))
  return [hints === undefined ? op : { ...op, ref: { ...op.ref, hints } }]
}

/**
 * The ref of the change a response carries, in the pseudo-region `global`
 * (a region given is not used: Route 53 changes have none).
 *
 * @since 0.3.0
 * @category refs
 */
export const refsFromResponse = (response: unknown, options?: RefHints): ReadonlyArray<OperationRef> =>
  operationsFromResponse(response, options).map((op) => op.ref)

/**
 * A Route 53 list query. Route 53 has no API that lists changes: every
 * `list` fails with `InvalidQuery` before any request.
 *
 * @since 0.3.0
 * @category models
 */
export type Route53Query = Readonly<Record<string, never>>

/**
 * Options of `route53Source`: your `Route53Client` (or `Route53`), or a
 * `clientFor(region)` factory, which is asked for `global`. A `region` given
 * with a client must be `global`.
 *
 * @since 0.3.0
 * @category models
 */
export type Route53SourceOptions = ClientOptions<SendClient>

const noList = () =>
  invalidQuery(service, "Route 53 has no API that lists its changes: wait on a change by its ID")

const getChange = (
  request: Requester<SendClient>,
  ref: OperationRef
): Effect.Effect<Operation, OpstatusError> =>
  request
    .call(ref.region, "GetChange", Route53GetChangeAnswer, (client, abortSignal) =>
      client.send(new GetChangeCommand({ Id: ref.id }), { abortSignal })
    )
    .pipe(
      Effect.flatMap((out) => {
        if (out.ChangeInfo === undefined || out.ChangeInfo === null) {
          return Effect.fail(request.malformed("GetChange returned no ChangeInfo", out))
        }
        const op = toOperation(out.ChangeInfo, requestIdOf(out))
        return Effect.succeed(op.ref.id === "" ? { ...op, ref: { ...op.ref, id: ref.id } } : op)
      }),
      Effect.mapError((error) => withRef(error, ref))
    )

const spec: SourceSpec<SendClient, Route53Query> = {
  info: route53Service,
  errorNames: route53ErrorNames,
  get: getChange,
  listPage: () => Effect.fail(noList()),
  checkQuery: () => Effect.fail(noList()),
  refsFromResponse: (response, hints) => refsFromResponse(response, hints)
}

/** A client always serves `global`, whatever region it signs for. */
const globalOptions = (options: Route53SourceOptions): Route53SourceOptions => {
  let client: unknown
  let region: unknown
  try {
    if (options === null || typeof options !== "object" || !("client" in options)) return options
    client = options.client
    region = options.region
  } catch {
    return options
  }
  if (region !== undefined && region !== route53Region) {
    throw invalidConfig(
      "route53 source",
      `Route 53 is global: its refs name the region "global", not ${String(region)}; leave region out`
    )
  }
  return { client: client as SendClient, region: route53Region }
}

/**
 * The Route 53 source: `get` reads GetChange; refs name the pseudo-region
 * `global` whatever region the client signs for. It has no `list`, no batch
 * read and no `cancel`. Throws `InvalidConfig` (an `OpstatusError`) when the
 * options are neither `{ client }` nor `{ clientFor }`, or name a region
 * other than `global`.
 *
 * @since 0.3.0
 * @category constructors
 */
export const route53Source = (options: Route53SourceOptions): OperationSource<Route53Query> =>
  makeSource(spec, globalOptions(options))
