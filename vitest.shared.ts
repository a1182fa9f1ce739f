import { defineProject } from "vitest/config"

/** The settings every package's test project shares. */
export const packageProject = (name: string) =>
  defineProject({
    resolve: { conditions: ["source"] },
    ssr: { resolve: { conditions: ["source"] } },
    test: {
      name,
      include: ["test/**/*.test.ts"],
      environment: "node",
      testTimeout: 20_000
    }
  })
