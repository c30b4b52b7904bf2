#!/usr/bin/env bash
# End-to-end tests against real n8n releases (both tested lines, and the oldest supported for the smoke test):
#   1. provisions Node 24 + n8n 2.40.7 and 1.123.81, and the oldest supported n8n for the smoke test, into
#      .cache/ (scripts/provision-n8n.sh; no-op when done),
#   2. builds and packs the pack once (.e2e/pack/*.tgz),
#   3. installs PostgreSQL and Redis from Debian's packages when missing (scripts/ensure-queue-services.sh; the
#      queue-mode suite starts private instances of them),
#   4. runs jest with test/e2e/jest.config.js (serial; every suite boots its own n8n on free 127.0.0.1 ports).
# --json FILE writes jest's JSON results to FILE (scripts/test-all.sh reads it); other arguments go to jest
# (e.g. scripts/e2e.sh -t smoke). ITEP_E2E_VERSIONS=2.40.7 narrows the n8n lines.
# Logs: .e2e/logs/<version>-<id>.log; timings: .e2e/timings.json. ITEP_E2E_KEEP=1 keeps the n8n user folders.
set -euo pipefail

repo_root=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo_root"
mkdir -p .e2e

jest_args=()
while [ $# -gt 0 ]; do
	case "$1" in
	--json)
		[ $# -ge 2 ] || { echo "e2e.sh: --json needs a file" >&2; exit 2; }
		mkdir -p "$(dirname "$2")"
		jest_args+=(--json "--outputFile=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")")
		shift 2
		;;
	*) jest_args+=("$1"); shift ;;
	esac
done

# The releases to provision, as devkit/n8n/paths.ts decides them for the suites: the tested lines
# (ITEP_E2E_VERSIONS narrows them) and, for the smoke test, the oldest supported (ITEP_E2E_OLDEST overrides it).
mapfile -t versions < <(npx tsx -e "import { e2eVersions, smokeVersions } from './devkit/n8n/paths';
for (const version of new Set([...e2eVersions(), ...smokeVersions()])) console.log(version);")
[ ${#versions[@]} -gt 0 ] || { echo 'e2e.sh: no n8n versions to test (see devkit/n8n/paths.ts)' >&2; exit 2; }

start=$SECONDS
bash scripts/provision-n8n.sh "${versions[@]}"
provision_s=$((SECONDS - start))
echo "[e2e] provisioning: ${provision_s} s" >&2

start=$SECONDS
ITEP_E2E_TARBALL=$(bash scripts/pack-and-install.sh)
export ITEP_E2E_TARBALL
echo "[e2e] packed $ITEP_E2E_TARBALL in $((SECONDS - start)) s" >&2

rm -f .e2e/timings.json .e2e/secret-scans.jsonl
printf '{ "run": { "provisionSeconds": %s } }\n' "$provision_s" >.e2e/timings.json

start=$SECONDS
bash scripts/ensure-queue-services.sh || echo "[e2e] PostgreSQL/Redis are missing: test/e2e/queue.e2e.test.ts will fail (see above)" >&2
echo "[e2e] queue-mode services (PostgreSQL, Redis) ready in $((SECONDS - start)) s" >&2
bash scripts/ensure-chromium.sh || echo "[e2e] Chromium is missing: test/e2e/browser.e2e.test.ts will fail (see above)" >&2
status=0
npx jest -c test/e2e/jest.config.js --runInBand ${jest_args[@]+"${jest_args[@]}"} || status=$?
# Every stopped n8n was searched for the credential secrets the tests gave it (devkit/n8n/secretScan.ts); a
# find fails that suite. The totals:
node -e '
const lines = require("fs").readFileSync(".e2e/secret-scans.jsonl", "utf8").trim().split("\n").map(JSON.parse);
const sum = (key) => lines.reduce((total, line) => total + line[key], 0);
const found = lines.reduce((total, line) => total + line.findings.length, 0);
console.log(`[e2e] secret scan: ${lines.length} n8n instances, ${sum("files")} log and database files, ${(sum("bytes") / 1048576).toFixed(1)} MiB, up to ${Math.max(...lines.map((l) => l.secrets))} secrets each, ${found} found`);
' >&2 2>/dev/null || echo "[e2e] secret scan: no record (.e2e/secret-scans.jsonl)" >&2
echo "[e2e] timings (.e2e/timings.json):" >&2
cat .e2e/timings.json >&2
exit $status
