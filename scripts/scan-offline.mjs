// n8n's community-package scanner, run offline. `npx @n8n/scan-community-package <name>` downloads the
// published tarball and the GitHub source its npm provenance attests, then lints both with `analyzePackage`.
// Nothing can be downloaded here, so this runs the scanner's own `analyzePackage` (its pinned ESLint plugin, its
// `buildScanConfig`, `allowInlineConfig: false`) on the two things it would have downloaded:
//   source leg:  this checkout (the attested source), with the scanner's SOURCE_FILE_PATTERNS;
//   tarball leg: `npm pack` of this checkout (dist/ must be built), with the scanner's patterns for it.
// The scanner fails on errors only; this also counts warnings and fails on them, so "passed" means 0 findings.
// Provenance itself cannot be checked offline: see docs/verification.md.
//
// Usage: node scripts/scan-offline.mjs [package-dir]     (default: this repository)
// Prints one line per leg and exits 0 only when both legs have 0 errors and 0 warnings.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// eslint-plugin-n8n-nodes-base reads NODE_ENV when it is loaded and, under "test", treats every file as a
// node, credential and trigger; the scanner never runs under it.
if (process.env.NODE_ENV === 'test') delete process.env.NODE_ENV;

const scannerModule = 'node_modules/@n8n/scan-community-package/scanner/scanner.mjs';
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const packageDir = path.resolve(process.argv[2] ?? repoRoot);
const scannerPath = path.join(repoRoot, scannerModule);
// The scanner's own copies of its dependencies, so the files and rules are the ones it would use.
const scannerRequire = createRequire(scannerPath);
// Importing the scanner creates a temporary folder (for downloads we never make) that `tmp` removes only
// when graceful cleanup is on.
scannerRequire('tmp').setGracefulCleanup();
const { analyzePackage, buildScanConfig, SOURCE_FILE_PATTERNS } = await import(scannerPath);
const glob = scannerRequire('fast-glob');
const { ESLint } = scannerRequire('eslint');
const pluginVersion = scannerRequire('@n8n/eslint-plugin-community-nodes').n8nCommunityNodesPlugin
	.meta.version;
const TARBALL_PATTERNS = ['**/*.js', 'package.json'];

/** Every finding, warnings included, with the scanner's configuration and file list. */
async function findings(dir, patterns) {
	const eslint = new ESLint({
		cwd: dir,
		allowInlineConfig: false,
		overrideConfigFile: true,
		overrideConfig: await buildScanConfig(),
	});
	const files = glob.sync(patterns, {
		cwd: dir,
		absolute: true,
		ignore: ['node_modules/**', '**/package-lock.json'],
	});
	const results = files.length > 0 ? await eslint.lintFiles(files) : [];
	const messages = results.flatMap((result) =>
		result.messages.map((m) => ({
			where: `${path.relative(dir, result.filePath)}:${m.line ?? 0}`,
			level: m.severity === 2 ? 'error' : 'warning',
			rule: m.ruleId ?? '(parser)',
			text: m.message,
		})),
	);
	return { files: files.length, messages };
}

async function scanLeg(label, dir, patterns) {
	const verdict = await analyzePackage(dir, patterns);
	const { files, messages } = await findings(dir, patterns);
	const errors = messages.filter((m) => m.level === 'error').length;
	const warnings = messages.length - errors;
	const passed = verdict.passed && files > 0 && messages.length === 0;
	console.log(
		`scan ${label}: ${files} files, ${errors} errors, ${warnings} warnings; scanner verdict ${verdict.passed ? 'passed' : 'failed'}: ${passed ? 'PASS' : 'FAIL'}`,
	);
	for (const m of messages) console.log(`  ${m.where}  ${m.level}  ${m.rule}  ${m.text}`);
	if (!verdict.passed && verdict.message) console.log(`  scanner: ${verdict.message}`);
	return passed;
}

/** The node and credential files package.json declares that the unpacked tarball lacks (an unbuilt dist/). */
function missingDeclaredFiles(unpacked) {
	const pkg = JSON.parse(readFileSync(path.join(unpacked, 'package.json'), 'utf8'));
	const declared = [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])];
	return declared.filter((file) => !existsSync(path.join(unpacked, file)));
}

function packTarball(dir, into) {
	const output = execFileSync(
		'npm',
		['pack', '--ignore-scripts', '--json', '--pack-destination', into],
		{
			cwd: dir,
			encoding: 'utf8',
		},
	);
	const [{ filename }] = JSON.parse(output);
	execFileSync('tar', ['-xzf', path.join(into, filename), '-C', into]);
	return path.join(into, 'package');
}

const work = mkdtempSync(path.join(tmpdir(), 'itep-scan-'));
try {
	console.log(
		`@n8n/scan-community-package rules with @n8n/eslint-plugin-community-nodes ${pluginVersion}, inline config off`,
	);
	const sourcePassed = await scanLeg('source', packageDir, SOURCE_FILE_PATTERNS);
	const unpacked = packTarball(packageDir, work);
	const missing = missingDeclaredFiles(unpacked);
	if (missing.length > 0) {
		throw new Error(`the packed tarball lacks ${missing.join(', ')}: run \`npm run build\` first`);
	}
	const tarballPassed = await scanLeg('tarball', unpacked, TARBALL_PATTERNS);
	process.exitCode = sourcePassed && tarballPassed ? 0 : 1;
} finally {
	rmSync(work, { recursive: true, force: true });
}
