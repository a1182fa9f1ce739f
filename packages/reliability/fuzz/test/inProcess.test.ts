/**
 * The in-process fuzz properties, in one file so that the suite loads effect,
 * the SDK clients and the CLI once (each test file is a module graph of its
 * own): the mappers, the classifiers, the ref parsers and the fleet-state
 * decoder. The real clients over loopback HTTP are in `wire.test.ts`.
 */
import "./mappers.props.js"
import "./classifiers.props.js"
import "./refs.props.js"
import "./fleetState.props.js"
import "./engine.props.js"
