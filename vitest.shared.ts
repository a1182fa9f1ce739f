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
      // Both are hang guards, not speed targets: a loaded machine may take many seconds to start
      // a server or remove an installed project.
      testTimeout: 180_000,
      hookTimeout: 180_000,
      // The SDK warns once per process that Node 20 support ends in 2027; it is known and only noise here.
      env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" }
    }
  })
