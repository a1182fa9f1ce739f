/**
 * Lookups by strings a client chose (a target, a path, a region, an operation type): only a
 * table's own keys count, so `constructor`, `toString` or `__proto__` never reach
 * `Object.prototype`.
 */

/** The value of an own key of a table, or undefined. */
export const ownValue = <V>(table: Readonly<Record<string, V>>, key: string): V | undefined =>
  Object.hasOwn(table, key) ? table[key] : undefined

const REGION_CODE = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/

/** True for an AWS region code such as `us-east-1`, `eu-central-1` or `us-gov-west-1`. */
export const isRegionCode = (region: string): boolean => REGION_CODE.test(region)
