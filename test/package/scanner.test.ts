/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * n8n's community-package scanner, offline (scripts/scan-offline.mjs): its own rules and pinned plugin version,
 * inline config off, on this checkout and on the packed tarball. This package passes both legs with 0 findings;
 * a temp copy with a violation hidden behind eslint-disable in a node fails the source leg, one in the
 * compiled code fails the tarball leg, a warning alone fails both (the real scanner fails on errors only),
 * and an unbuilt copy is not scanned at all, so the script can fail.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'scripts/scan-offline.mjs');
const TIMEOUT = 180_000;

function scan(dir: string): SpawnSyncReturns<string> {
	const env: NodeJS.ProcessEnv = { ...process.env };
	delete env.NODE_ENV;
	return spawnSync(process.execPath, [SCRIPT, dir], {
		env,
		encoding: 'utf8',
		maxBuffer: 16 * 1024 * 1024,
		timeout: TIMEOUT,
	});
}

/** The "scan <leg>: N files, E errors, W warnings; ..." line of a leg. */
function legLine(result: SpawnSyncReturns<string>, leg: 'source' | 'tarball'): string {
	const line = result.stdout.split('\n').find((l) => l.startsWith(`scan ${leg}:`));
	if (!line) throw new Error(`no "scan ${leg}" line in:\n${result.stdout}\n${result.stderr}`);
	return line;
}

/** A copy of what the scanner reads: package.json, the sources and their icons, the built dist/ and index.js. */
function copyPackage(into: string): void {
	for (const entry of ['package.json', 'index.js', 'icons', 'nodes', 'credentials', 'dist']) {
		fs.cpSync(path.join(ROOT, entry), path.join(into, entry), { recursive: true });
	}
}

describe('the community scanner, offline', () => {
	beforeAll(() => {
		if (!fs.existsSync(path.join(ROOT, 'dist'))) {
			throw new Error('dist/ is missing: run `npm run build` before `npx jest test/package`.');
		}
	});

	it(
		'uses the scanner pinned plugin version and passes both legs with 0 findings',
		() => {
			const result = scan(ROOT);
			const scannerPlugin = JSON.parse(
				fs.readFileSync(
					path.join(ROOT, 'node_modules/@n8n/scan-community-package/package.json'),
					'utf8',
				),
			).dependencies['@n8n/eslint-plugin-community-nodes'] as string;
			expect(result.stdout).toContain(`@n8n/eslint-plugin-community-nodes ${scannerPlugin},`);
			expect(legLine(result, 'source')).toMatch(
				/^scan source: [1-9]\d* files, 0 errors, 0 warnings; scanner verdict passed: PASS$/,
			);
			expect(legLine(result, 'tarball')).toMatch(
				/^scan tarball: [1-9]\d* files, 0 errors, 0 warnings; scanner verdict passed: PASS$/,
			);
			expect(result.status).toBe(0);
		},
		TIMEOUT,
	);

	describe('fails on a temp copy with a violation', () => {
		let dir: string;
		beforeEach(() => {
			dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itep-scan-test-'));
			copyPackage(dir);
		});
		afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

		it(
			'in a node source file, even behind eslint-disable (source leg)',
			() => {
				fs.writeFileSync(
					path.join(dir, 'nodes/Itep/leak.ts'),
					[
						'// eslint-disable-next-line no-console',
						"console.log('debug');",
						'export const leak = 1;',
						'',
					].join('\n'),
				);
				const result = scan(dir);
				expect(legLine(result, 'source')).toMatch(
					/ 1 errors, 0 warnings; scanner verdict failed: FAIL$/,
				);
				expect(result.stdout).toMatch(/nodes\/Itep\/leak\.ts:2 {2}error {2}no-console/);
				expect(legLine(result, 'tarball')).toMatch(/PASS$/);
				expect(result.status).toBe(1);
			},
			TIMEOUT,
		);

		it(
			'a warning alone, which the real scanner would let pass (both legs read package.json)',
			() => {
				const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
				delete manifest.homepage;
				fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, '\t'));
				const result = scan(dir);
				for (const leg of ['source', 'tarball'] as const) {
					expect(legLine(result, leg)).toMatch(
						/ 0 errors, 1 warnings; scanner verdict passed: FAIL$/,
					);
				}
				expect(result.stdout).toContain('@n8n/community-nodes/require-homepage');
				expect(result.status).toBe(1);
			},
			TIMEOUT,
		);

		it(
			'refuses to scan a tarball without the built nodes (no dist/)',
			() => {
				fs.rmSync(path.join(dir, 'dist'), { recursive: true });
				const result = scan(dir);
				expect(result.stderr).toContain('run `npm run build` first');
				expect(result.status).not.toBe(0);
			},
			TIMEOUT,
		);

		it(
			'in the compiled code only (tarball leg)',
			() => {
				fs.appendFileSync(
					path.join(dir, 'dist/nodes/Itep/Itep.node.js'),
					'\nsetTimeout(() => undefined, 10);\n',
				);
				const result = scan(dir);
				expect(legLine(result, 'source')).toMatch(/PASS$/);
				expect(legLine(result, 'tarball')).toMatch(/scanner verdict failed: FAIL$/);
				expect(result.stdout).toContain('@n8n/community-nodes/no-restricted-globals');
				expect(result.status).toBe(1);
			},
			TIMEOUT,
		);
	});
});
