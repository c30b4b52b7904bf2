#!/usr/bin/env bash
# `npm start`: provisions Node 24 and n8n if needed (first run: about 5 minutes), then runs scripts/demo.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm install
bash scripts/provision-n8n.sh "${ITEP_DEMO_N8N_VERSION:-2.40.7}"
# tsx relays SIGINT/SIGTERM to the script, which stops n8n and the sandbox (npx would not pass SIGTERM on).
exec ./node_modules/.bin/tsx scripts/demo.ts
