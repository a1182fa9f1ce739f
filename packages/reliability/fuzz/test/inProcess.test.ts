/**
 * The in-process fuzz properties, in one file so that the suite loads effect,
 * the SDK clients and the CLI once (each test file is a module graph of its
 * own): the mappers, the classifiers, the ref parsers, the fleet-state
 * decoder, and the sources and engine with misbehaving clients. The real
 * clients over loopback HTTP are in `wire.test.ts`.
 */
import { vi } from "vitest"
import { testTimeout } from "../../support/fuzz.js"

// A ceiling, not a measure: the large run (`pnpm reliability:fuzz`) makes tens of thousands of runs.
vi.setConfig({ testTimeout: testTimeout(40_000, 900_000) })

await import("./mappers.props.js")
await import("./classifiers.props.js")
await import("./refs.props.js")
await import("./fleetState.props.js")
await import("./engine.props.js")
