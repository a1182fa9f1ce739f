import { defineConfig } from "tsup"

// One build for the library and the command: src/bin.ts starts with a hashbang, which esbuild keeps.
// The package's bin is bin/opstatus.js, a committed file that runs dist/bin.js.
export default defineConfig({
  entry: { index: "src/index.ts", bin: "src/bin.ts" },
  // ESM only, like effect 4: one build, so one class per error; CommonJS consumers require() it (Node >= 20.19).
  format: ["esm"],
  dts: { entry: { index: "src/index.ts" }, compilerOptions: { composite: false, customConditions: [] } },
  sourcemap: true,
  clean: true,
  target: "node20",
  tsconfig: "tsconfig.build.json"
})
