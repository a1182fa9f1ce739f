/**
 * An `OperationRef` names one asynchronous operation: the service that
 * started it, the region it lives in and the service's own operation ID,
 * plus optional hints a source can use to read it more cheaply (the resource
 * it acts on, the application it belongs to). Hints are named by the source
 * that reads them; core knows none of them.
 *
 * Its string form is `service:region:id`, for example
 * `myservice:us-east-1:op-1234`.
 * This module is vocabulary only: parsing and checking a ref against the
 * sources that serve it is in `Refs`.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * The reference to one operation.
 *
 * @since 0.1.0
 * @category models
 */
export const OperationRef = Schema.Struct({
  /** The service's slug, as its source declares it. */
  service: Schema.String,
  region: Schema.String,
  id: Schema.String,
  /** What the source may use to read the operation more cheaply, by hint name (see each source's `info.hints`). */
  hints: Schema.optionalKey(Schema.Record(Schema.String, Schema.String))
})

/**
 * @since 0.1.0
 * @category models
 */
export type OperationRef = typeof OperationRef.Type

/**
 * A ref without hints: what errors and outcomes carry.
 *
 * @since 0.2.0
 * @category models
 */
export const RefId = Schema.Struct({
  service: Schema.String,
  region: Schema.String,
  id: Schema.String
})

/**
 * @since 0.2.0
 * @category models
 */
export type RefId = typeof RefId.Type

/**
 * Formats a ref as `service:region:id` (hints are not part of the string form).
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatRef = (ref: RefId): string => `${ref.service}:${ref.region}:${ref.id}`

/**
 * The ref without its hints.
 *
 * @since 0.2.0
 * @category constructors
 */
export const refIdOf = (ref: RefId): RefId => ({ service: ref.service, region: ref.region, id: ref.id })
