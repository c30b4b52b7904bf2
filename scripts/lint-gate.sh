#!/usr/bin/env bash
# Every lint check the package must pass, in the order n8n's verification applies them:
#   1. `npm run lint` = `n8n-node lint`: n8n's own CLI in strict mode (eslint.config.mjs must be its template);
#   2. the scanner's two legs with our gate config (eslint.gate.config.mjs, --max-warnings=0), which adds to the
#      template the package.json rules of eslint-plugin-n8n-nodes-base, no-console, and the compiled code:
#        source leg = `npm run lint:sources` (package.json + nodes/** + credentials/**)
#        dist leg   = `npm run lint:dist`    (published dist/**/*.js + index.js + package.json)
#   3. the scanner itself, offline (`node scripts/scan-offline.mjs`): @n8n/scan-community-package's own rules and
#      plugin version, inline config off, on this checkout and on the packed tarball.
# dist/ is rebuilt first when it is missing or older than the sources it is built from (--no-build skips that).
#
# Usage: bash scripts/lint-gate.sh [--no-build]
# Exit status: 0 only when every step reports 0 errors and 0 warnings.
set -uo pipefail
shopt -s globstar nullglob
cd "$(dirname "$0")/.."

build=1
for arg in "$@"; do
	case "$arg" in
		--no-build) build=0 ;;
		-h | --help)
			sed -n '2,13p' "$0"
			exit 0
			;;
		*)
			echo "lint-gate: unknown argument $arg" >&2
			exit 2
			;;
	esac
done

# Is dist/ missing, or older than anything it is built from? tsc output gets fresh mtimes, so the oldest
# dist/**/*.js is compared with the sources; copied icons may keep their source mtime, so they are compared by
# content instead.
dist_stale_reason() {
	if [ ! -d dist ]; then
		echo "dist/ is missing"
		return
	fi
	local oldest
	oldest=$(find dist -type f -name '*.js' -printf '%T@ %p\n' | sort -n | head -n 1 | cut -d' ' -f2-)
	if [ -z "$oldest" ]; then
		echo "dist/ has no compiled JS"
		return
	fi
	local newer
	newer=$(find nodes credentials package.json tsconfig.json -type f -newer "$oldest" 2>/dev/null | head -n 1)
	if [ -n "$newer" ]; then
		echo "$newer is newer than $oldest"
		return
	fi
	local icon
	for icon in icons/*.svg icons/*.png nodes/**/*.svg credentials/*.svg; do
		[ -f "$icon" ] || continue
		if ! cmp -s "$icon" "dist/$icon"; then
			echo "dist/$icon differs from $icon"
			return
		fi
	done
}

reason=$(dist_stale_reason)
if [ -n "$reason" ]; then
	if [ "$build" = 1 ]; then
		echo "lint-gate: rebuilding ($reason)"
		if ! npm run -s build >/tmp/lint-gate-build.$$.log 2>&1; then
			cat /tmp/lint-gate-build.$$.log
			rm -f /tmp/lint-gate-build.$$.log
			echo "lint-gate: FAILED: npm run build failed, the dist leg cannot run"
			exit 1
		fi
		rm -f /tmp/lint-gate-build.$$.log
	else
		echo "lint-gate: warning: --no-build given but $reason"
	fi
fi

failed=0
echo '== n8n-node lint (strict mode): npm run lint'
# n8n-node lint runs `eslint .` without --max-warnings, so a warning would not change its exit code: count them.
if lint_output=$(npm run -s lint 2>&1); then
	printf '%s\n' "$lint_output"
	if grep -Eq '[0-9]+ problems? \(' <<<"$lint_output"; then
		echo '-- n8n-node lint: FAIL (it reported problems)'
		failed=1
	else
		echo '-- n8n-node lint: PASS (0 errors, 0 warnings)'
	fi
else
	printf '%s\n' "$lint_output"
	echo '-- n8n-node lint: FAIL'
	failed=1
fi

# The gates themselves are the npm scripts (so this script and CI cannot drift apart); eslint is re-run with
# the JSON formatter to print rule sets and counts.
node --input-type=module - <<'NODE'
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';

const root = process.cwd();
const scripts = JSON.parse(readFileSync('package.json', 'utf8')).scripts ?? {};
const gates = [
	['source', 'lint:sources'],
	['dist', 'lint:dist'],
];

const isOn = (value) => {
	const severity = Array.isArray(value) ? value[0] : value;
	return severity !== 0 && severity !== 'off';
};
const ruleSets = [
	['@n8n/community-nodes recommended', Object.keys(n8nCommunityNodesPlugin.configs.recommended.rules)],
	['n8n-nodes-base community', Object.keys(n8nNodesBase.configs.community.rules)],
	['n8n-nodes-base credentials', Object.keys(n8nNodesBase.configs.credentials.rules)],
	['n8n-nodes-base nodes', Object.keys(n8nNodesBase.configs.nodes.rules)],
	['core no-console', ['no-console']],
];
const eslint = new ESLint({ cwd: root, overrideConfigFile: 'eslint.gate.config.mjs' });

/** "ruleset (on/total)" for every rule set that has at least one rule on for this file. */
async function ruleSetsFor(file) {
	const config = await eslint.calculateConfigForFile(file);
	const on = new Set(Object.entries(config?.rules ?? {}).filter(([, v]) => isOn(v)).map(([k]) => k));
	const parser = config?.languageOptions?.parser?.meta?.name ?? 'espree';
	const sets = ruleSets
		.map(([name, rules]) => [name, rules.filter((r) => on.has(r)).length, rules.length])
		.filter(([, count]) => count > 0)
		.map(([name, count, total]) => (count === total ? `${name} (${total})` : `${name} (${count}/${total})`));
	return `${sets.join(' + ')}  [parser ${parser}]`;
}

let failed = false;
for (const [label, script] of gates) {
	console.log(`\n== ${label} gate: npm run ${script}  ->  ${scripts[script] ?? '(script missing)'}`);
	if (!scripts[script]) {
		failed = true;
		continue;
	}
	const run = spawnSync('npm', ['run', '-s', script, '--', '--format', 'json'], {
		encoding: 'utf8',
		maxBuffer: 64 * 1024 * 1024,
	});
	let results;
	try {
		results = JSON.parse(run.stdout);
	} catch {
		console.log(run.stdout.trim());
		console.log(run.stderr.trim());
		console.log(`-- ${label} gate: FAILED (eslint exited ${run.status} without a report)`);
		failed = true;
		continue;
	}
	// Which rule sets ran on which files (grouped by identical rule-set line).
	const groups = new Map();
	for (const result of results) {
		const rel = path.relative(root, result.filePath);
		const key = await ruleSetsFor(result.filePath);
		if (!groups.has(key)) groups.set(key, []);
		groups.get(key).push(rel);
	}
	for (const [sets, files] of groups) {
		const shown = files.length > 4 ? `${files.slice(0, 3).join(', ')}, ... (${files.length} files)` : files.join(', ');
		console.log(`   ${shown}\n      ${sets}`);
	}
	let errors = 0;
	let warnings = 0;
	for (const result of results) {
		errors += result.errorCount;
		warnings += result.warningCount;
		for (const m of result.messages) {
			const where = `${path.relative(root, result.filePath)}:${m.line ?? 0}:${m.column ?? 0}`;
			const level = m.severity === 2 ? 'error' : 'warning';
			console.log(`   ${where}  ${level}  ${m.ruleId ?? '(parser)'}  ${m.message}`);
		}
	}
	const ok = run.status === 0 && errors === 0 && warnings === 0;
	if (!ok) failed = true;
	console.log(
		`-- ${label} gate: ${results.length} files, ${errors} errors, ${warnings} warnings, eslint exit ${run.status}: ${ok ? 'PASS' : 'FAIL'}`,
	);
}
process.exitCode = failed ? 1 : 0;
NODE
[ $? -eq 0 ] || failed=1

echo
echo '== scanner, offline: node scripts/scan-offline.mjs'
node scripts/scan-offline.mjs || failed=1

if [ "$failed" = 0 ]; then echo $'\nlint-gate: PASSED'; else echo $'\nlint-gate: FAILED'; fi
exit "$failed"
