#!/usr/bin/env bash
# Package quality: build every published package, then check what `pnpm pack` would publish:
# publint, @arethetypeswrong/cli, and the tarball itself (README.md and LICENSE in it, the
# LICENSE the root's, published dependencies as caret ranges, never `catalog:` or exact pins).
#
# The packages need Node >= 20.19, so attw checks the node16 and bundler resolutions only: under
# node10, which reads no `exports`, subpaths such as @opstatus/core/adapter-kit cannot resolve.
#
# The packages are ESM only (like effect 4): one build, so one class per error. A CommonJS
# consumer require()s that build, which Node runs unflagged since 20.19 (require(esm)), the
# version the packages' engines ask for. attw, which judges by older Node, reports every such
# require as `cjs-resolves-to-esm`: that is the intended behaviour, so the rule is ignored.
# packages/core/test/cjs.test.ts checks that a CommonJS consumer works and shares the classes.
#
# Usage: scripts/check-packages.sh [dir...]  (dirs under packages/, such as `core emulator`: builds
# those and what they depend on, and checks those only; every package when none is given).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$#" -eq 0 ]; then
  pnpm build
  dirs=(packages/*/)
else
  dirs=()
  filters=()
  for name in "$@"; do
    dirs+=("packages/$name/")
    filters+=(--filter "$(node -p 'require("./packages/'"$name"'/package.json").name')...")
  done
  pnpm "${filters[@]}" run build
fi
root="$PWD"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# Checks one package; every step is chained with && (set -e does not apply inside a tested function).
check_package() {
  local dir="$1" out="$tmp/$(basename "$1")"
  (cd "$dir" && pnpm exec publint --strict &&
    pnpm exec attw --pack . --profile node16 --ignore-rules cjs-resolves-to-esm --format table-flipped) &&
    # The tarball as published: pnpm pack resolves `workspace:` and `catalog:` as the registry will see them.
    mkdir -p "$out" && (cd "$dir" && pnpm pack --pack-destination "$out" >/dev/null) &&
    tar -xzf "$out"/*.tgz -C "$out" &&
    node - "$out/package" "$root/LICENSE" <<'EOF'
const { existsSync, readFileSync } = require("node:fs")
const [dir, rootLicense] = process.argv.slice(2)
const problems = []
for (const file of ["README.md", "LICENSE"]) if (!existsSync(`${dir}/${file}`)) problems.push(`no ${file} in the tarball`)
if (existsSync(`${dir}/LICENSE`) && readFileSync(`${dir}/LICENSE`, "utf8") !== readFileSync(rootLicense, "utf8"))
  problems.push("its LICENSE differs from the root LICENSE")
const manifest = JSON.parse(readFileSync(`${dir}/package.json`, "utf8"))
for (const field of ["dependencies", "peerDependencies", "optionalDependencies"])
  for (const [dep, range] of Object.entries(manifest[field] ?? {}))
    if (!/^\^\d+\.\d+\.\d+$/.test(range)) problems.push(`${field}.${dep} is "${range}", not a caret range (^x.y.z)`)
for (const field of ["repository", "homepage", "bugs", "keywords"])
  if (manifest[field] === undefined) problems.push(`no ${field} in package.json`)
for (const problem of problems) console.error(`tarball: ${problem}`)
if (problems.length > 0) process.exit(1)
console.log("tarball: README.md, LICENSE, repository fields and dependency ranges ok")
EOF
}

failed=()
for dir in "${dirs[@]}"; do
  if node -e 'process.exit(require("./'"$dir"'package.json").private ? 0 : 1)'; then continue; fi
  name="$(node -p 'require("./'"$dir"'package.json").name')"
  echo "== $name"
  check_package "$dir" || failed+=("$name")
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "check:packages failed for: ${failed[*]}" >&2
  exit 1
fi
