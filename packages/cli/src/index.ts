/**
 * `@opstatus/cli`: the `opstatus` command. `run(argv, io)` runs it in-process; the pure
 * parts (refs and responses, durations, exit codes, rendering) are exported for reuse.
 *
 * @since 0.1.0
 */
export * from "./Aws.js"
export * from "./Cli.js"
export * from "./Demo.js"
export * from "./Duration.js"
export * from "./Errors.js"
export * from "./Help.js"
export * from "./Input.js"
export * from "./Render.js"
export * from "./Reporter.js"
export * from "./Wait.js"
