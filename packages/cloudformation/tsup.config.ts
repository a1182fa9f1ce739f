import { defineConfig } from "tsup"

export default defineConfig({
  entry: ["src/index.ts"],
  // ESM only, like effect 4: one build, so one class per error; CommonJS consumers require() it (Node >= 20.19).
  format: ["esm"],
  dts: { compilerOptions: { composite: false, customConditions: [] } },
  sourcemap: true,
  clean: true,
  target: "node20",
  tsconfig: "tsconfig.build.json"
})
