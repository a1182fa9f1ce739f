/**
 * `OperationSources`: the registered sources as a service, and the one layer
 * a program provides to wait: `OperationSources.layer(sources)` gives both
 * the registry and the engine that waits with it, the engine's lanes living
 * as long as the layer.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { Engine } from "./Engine.js"
import type { OperationSource } from "./OperationSource.js"
import type { OpstatusError } from "./OpstatusError.js"
import { makeRegistry, type SourceRegistry } from "./SourceRegistry.js"

/**
 * The sources a program reads operations with, by service.
 *
 * @since 0.1.0
 * @category services
 */
export class OperationSources extends Context.Service<OperationSources, SourceRegistry>()(
  "@opstatus/core/OperationSources"
) {
  /**
   * The registry of these sources (at most one per service) and the engine
   * over it. Fails with `InvalidConfig` naming a source that does not declare
   * itself, or a second source for one service. Closing the layer's scope
   * ends every wait still going with `WaitAborted` and stops every lane.
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layer = (
    sources: ReadonlyArray<OperationSource<any>>
  ): Layer.Layer<OperationSources | Engine, OpstatusError> =>
    Layer.effectContext(
      Effect.gen(function* () {
        const registry = yield* Effect.fromResult(makeRegistry(sources))
        const engine = yield* Engine.make(registry)
        return Context.make(OperationSources, registry).pipe(Context.add(Engine, engine))
      })
    )
}
