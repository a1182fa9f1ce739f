/**
 * What the help texts and the argument checks say about the services, as plain data: each
 * one's slug, title, the other names a person may type, and its default waiting policy in
 * milliseconds. It is a copy of the adapters' `ServiceInfo` declarations, kept here so
 * that `--help` and `--version` load neither core nor an adapter (nor effect); a test
 * checks it against the declarations (`Services.ts`), so the two cannot drift apart.
 *
 * @since 0.2.0
 */

/**
 * One service, as the help texts tell it.
 *
 * @since 0.2.0
 * @category models
 */
export interface CatalogEntry {
  /** The slug, the first part of a ref: `lightsail`. */
  readonly service: string
  /** The service's name for people, as AWS writes it. */
  readonly title: string
  /** Other names people use for it (the CLI's own, not the adapter's). */
  readonly aliases: ReadonlyArray<string>
  /** Its adapter's default policy, resolved to milliseconds. */
  readonly defaults: {
    readonly timeoutMillis: number
    readonly minDelayMillis: number
    readonly maxDelayMillis: number
  }
}

/**
 * The services, in the order the CLI lists them.
 *
 * @since 0.2.0
 * @category models
 */
export const catalog: ReadonlyArray<CatalogEntry> = [
  {
    service: "lightsail",
    title: "Amazon Lightsail",
    aliases: [],
    defaults: { timeoutMillis: 30 * 60_000, minDelayMillis: 2_000, maxDelayMillis: 30_000 }
  },
  {
    service: "servicediscovery",
    title: "AWS Cloud Map",
    aliases: ["cloudmap", "cloud-map", "service-discovery"],
    defaults: { timeoutMillis: 5 * 60_000, minDelayMillis: 1_000, maxDelayMillis: 10_000 }
  },
  {
    service: "ssm-sap",
    title: "AWS Systems Manager for SAP",
    aliases: ["ssmsap"],
    defaults: { timeoutMillis: 60 * 60_000, minDelayMillis: 5_000, maxDelayMillis: 60_000 }
  },
  {
    service: "cloudformation",
    title: "AWS CloudFormation",
    aliases: ["cfn", "stacksets"],
    defaults: { timeoutMillis: 60 * 60_000, minDelayMillis: 5_000, maxDelayMillis: 30_000 }
  },
  {
    service: "ecs",
    title: "Amazon ECS",
    aliases: [],
    defaults: { timeoutMillis: 30 * 60_000, minDelayMillis: 5_000, maxDelayMillis: 30_000 }
  },
  {
    service: "cloudcontrol",
    title: "AWS Cloud Control API",
    aliases: ["cloud-control", "cloudcontrolapi"],
    defaults: { timeoutMillis: 60 * 60_000, minDelayMillis: 2_000, maxDelayMillis: 30_000 }
  },
  {
    service: "route53",
    title: "Amazon Route 53",
    aliases: ["route-53"],
    defaults: { timeoutMillis: 10 * 60_000, minDelayMillis: 2_000, maxDelayMillis: 20_000 }
  }
]

/**
 * Their slugs: `lightsail`, `servicediscovery`, `ssm-sap`, `cloudformation`, `ecs`,
 * `cloudcontrol`, `route53`.
 *
 * @since 0.2.0
 * @category models
 */
export const serviceSlugs: ReadonlyArray<string> = catalog.map((entry) => entry.service)

/**
 * The slugs in words, for messages: `lightsail, servicediscovery or ssm-sap`.
 *
 * @since 0.2.0
 * @category formatting
 */
export const slugList = (joiner = "or"): string =>
  serviceSlugs.length < 2
    ? serviceSlugs.join("")
    : `${serviceSlugs.slice(0, -1).join(", ")} ${joiner} ${serviceSlugs.at(-1)}`

/**
 * The slug a slug or alias names, in any case; `undefined` for a name it does not know.
 *
 * @since 0.2.0
 * @category models
 */
export const serviceSlugOf = (name: string): string | undefined => {
  const key = name.trim().toLowerCase()
  return catalog.find((entry) => entry.service === key || entry.aliases.includes(key))?.service
}
