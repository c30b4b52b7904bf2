#!/usr/bin/env bash
# `npm run start:queue`: provisions Node 24 and n8n, installs PostgreSQL and Redis from Debian's packages if
# needed, then runs scripts/demo-queue.ts (n8n in queue mode: main + 2 workers + 2 webhook processors).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm install
bash scripts/provision-n8n.sh "${ITEP_DEMO_N8N_VERSION:-2.40.7}"
bash scripts/ensure-queue-services.sh
# tsx relays SIGINT/SIGTERM to the script, which stops every process it started.
exec ./node_modules/.bin/tsx scripts/demo-queue.ts
