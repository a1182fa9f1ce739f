#!/usr/bin/env bash
# Package quality: build every published package, then run publint and
# @arethetypeswrong/cli on what `pnpm pack` would publish. The packages need
# Node >= 20.19, so attw checks the node16 and bundler resolutions only: under
# node10, which reads no `exports`, subpaths such as @opstatus/core/adapter-kit
# cannot resolve.
set -euo pipefail
cd "$(dirname "$0")/.."
pnpm build
for dir in packages/*/; do
  if node -e 'process.exit(require("./'"$dir"'package.json").private ? 0 : 1)'; then continue; fi
  echo "== $(node -p 'require("./'"$dir"'package.json").name')"
  (cd "$dir" && pnpm exec publint --strict && pnpm exec attw --pack . --profile node16 --format table-flipped)
done
