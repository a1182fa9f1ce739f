/**
 * `@opstatus/cli`: the `opstatus` command. `run(argv, io)` runs it in-process; the pure
 * parts (refs and responses, durations, exit codes, messages, rendering) are exported for
 * reuse. The emulator is loaded only by `opstatus demo`, when it runs; `bin.ts` loads
 * only `Cli` (argument parsing and help), and each command its own modules when it runs.
 *
 * @since 0.1.0
 */
export * from "./Args.js"
export * from "./Aws.js"
export * from "./Catalog.js"
export * from "./Cli.js"
export * from "./DemoCommand.js"
export * from "./Duration.js"
export * from "./ErrorCodes.js"
export * from "./Errors.js"
export * from "./ExitCodes.js"
export * from "./Flags.js"
export * from "./GetCommand.js"
export * from "./Help.js"
export * from "./Input.js"
export * from "./Io.js"
export * from "./ListCommand.js"
export * from "./Messages.js"
export * from "./Output.js"
export * from "./Render.js"
export * from "./Reporter.js"
export * from "./Services.js"
export * from "./Targets.js"
export * from "./Usage.js"
export * from "./Wait.js"
export * from "./WaitCommand.js"
