#!/usr/bin/env bash
# `npm test`: every test, from a fresh clone after `npm ci`. Steps run in order; a failing step does not hide
# the others' results, and the run exits non-zero if any step failed. Ends with one "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."
results_dir=.test-results
rm -rf "$results_dir" && mkdir -p "$results_dir"
failed_steps=()
started=$SECONDS

step() {
	local name=$1
	shift
	printf '\n=== %s ===\n' "$name"
	local step_start=$SECONDS
	if "$@"; then
		printf '=== %s: ok (%d s) ===\n' "$name" $((SECONDS - step_start))
	else
		printf '=== %s: FAILED (%d s) ===\n' "$name" $((SECONDS - step_start))
		failed_steps+=("$name")
	fi
}

step "format check (prettier)" npm run format:check --silent
step "build" npm run build --silent
step "lint: n8n-node lint, scanner gate, scanner offline" bash scripts/lint-gate.sh --no-build
step "unit and integration tests" npx jest --json --outputFile="$results_dir/unit.json"
step "end-to-end tests in real n8n" bash scripts/e2e.sh --json "$results_dir/e2e.json"

printf '\n=== summary (%d s) ===\n' $((SECONDS - started))
node scripts/summarise-jest.js "$results_dir"/*.json
if [ ${#failed_steps[@]} -gt 0 ]; then
	printf 'failed steps: %s\n' "${failed_steps[*]}"
	exit 1
fi
