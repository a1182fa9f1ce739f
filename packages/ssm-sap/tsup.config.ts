import { defineConfig } from "tsup"

export default defineConfig({
  entry: ["src/index.ts", "src/SsmSapHttpClient.ts"],
  format: ["esm", "cjs"],
  dts: { compilerOptions: { composite: false, customConditions: [] } },
  sourcemap: true,
  clean: true,
  target: "node20",
  tsconfig: "tsconfig.build.json"
})
