import { mergeConfig } from "vitest/config"
import { packageProject } from "../../vitest.shared.ts"

export default mergeConfig(packageProject("cli"), {
  test: { globalSetup: ["./test/globalSetup.ts"], testTimeout: 180_000 }
})
