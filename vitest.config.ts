import { defineConfig } from "vitest/config"
import { projects } from "./vitest.workspace.ts"

export default defineConfig({
  test: {
    projects,
    // Most test files wait on child processes, servers and npm rather than compute: three at a time
    // on a 2-core machine (Vitest's default there is one). `--maxWorkers` overrides it.
    maxWorkers: 3
  }
})
