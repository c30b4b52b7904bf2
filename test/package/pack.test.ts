/* eslint-disable no-console, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-hardcoded-secrets -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * What gets published: the `npm pack` tarball content and the package.json fields n8n's community-package
 * gate (lint plugins + scanner + verification guidelines) cares about.
 *
 * Needs a build in dist/ (`npm run build`); the test fails with that instruction when dist/ is missing.
 * Every check is a pure function that is also run against a broken input, so each one is shown to be able
 * to fail (including a real `npm pack` of a temp copy with `files: ["dist"]` and source maps).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const COMMUNITY_KEYWORD = 'n8n-community-node-package';

interface PackFile {
	path: string;
	size: number;
}
interface PackResult {
	id: string;
	size: number;
	unpackedSize: number;
	entryCount: number;
	files: PackFile[];
}
interface PackageJson {
	name?: string;
	version?: string;
	license?: string;
	main?: string;
	homepage?: string;
	author?: string | { name?: string; email?: string };
	repository?: string | { type?: string; url?: string };
	keywords?: string[];
	files?: string[];
	scripts?: Record<string, string>;
	dependencies?: Record<string, string>;
	peerDependencies?: Record<string, string>;
	overrides?: unknown;
	n8n?: { n8nNodesApiVersion?: number; nodes?: string[]; credentials?: string[] };
}

/** Same list as @n8n/community-nodes `no-forbidden-lifecycle-scripts` (asserted against the plugin below). */
const FORBIDDEN_LIFECYCLE_SCRIPTS = [
	'prepare',
	'preinstall',
	'install',
	'postinstall',
	'prepublish',
	'preprepare',
	'postprepare',
];

function readPackageJson(dir: string): PackageJson {
	return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as PackageJson;
}

function npmPackDryRun(cwd: string): PackResult {
	const run = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
		cwd,
		encoding: 'utf8',
		maxBuffer: 16 * 1024 * 1024,
	});
	if (run.status !== 0) {
		throw new Error(
			`npm pack --dry-run failed in ${cwd} (exit ${run.status}):\n${run.stdout}\n${run.stderr}`,
		);
	}
	const parsed = JSON.parse(run.stdout) as PackResult[];
	return parsed[0];
}

/** Why a tarball path must not be published, or null when it is on the allow-list. */
function rejectTarballPath(file: string, pkg: PackageJson): string | null {
	if (/\.map$/.test(file)) return 'source map';
	if (/\.d\.ts$/.test(file) || /\.[cm]?ts$/.test(file)) return 'TypeScript source/declaration';
	if (/(^|\/)(test|tests|__tests__|sandbox|scripts|bench|coverage)\//.test(file))
		return 'dev-only folder';
	if (/\.(test|spec)\.[cm]?js$/.test(file)) return 'test file';
	if (file === 'package.json' || file === 'README.md' || file === 'LICENSE') return null;
	if (file === 'index.js') {
		return pkg.main === 'index.js' || (pkg.files ?? []).includes('index.js')
			? null
			: 'index.js not listed';
	}
	if (/^dist\/(nodes|credentials)\/.+\.js$/.test(file)) return null;
	if (/^dist\/nodes\/.+\.node\.json$/.test(file)) return null;
	if (/^dist\/(icons|nodes|credentials)\/.+\.svg$/.test(file)) return null;
	return 'not on the publish allow-list';
}

function rejectedTarballPaths(files: string[], pkg: PackageJson): string[] {
	return files
		.map((file) => [file, rejectTarballPath(file, pkg)] as const)
		.filter(([, reason]) => reason !== null)
		.map(([file, reason]) => `${file} (${reason})`);
}

function isNonEmptyString(value: unknown): value is string {
	return typeof value === 'string' && value.trim().length > 0;
}

/** package.json problems that the community gate rejects; [] when the manifest is acceptable. */
function packageJsonProblems(pkg: PackageJson): string[] {
	const problems: string[] = [];
	if (pkg.dependencies !== undefined && Object.keys(pkg.dependencies).length > 0) {
		problems.push(
			`dependencies must be absent or empty, found: ${Object.keys(pkg.dependencies).join(', ')}`,
		);
	}
	if (pkg.overrides !== undefined) problems.push('overrides field is not allowed');
	for (const script of Object.keys(pkg.scripts ?? {})) {
		if (FORBIDDEN_LIFECYCLE_SCRIPTS.includes(script))
			problems.push(`lifecycle script "${script}" is not allowed`);
	}
	if (JSON.stringify(pkg.peerDependencies ?? null) !== JSON.stringify({ 'n8n-workflow': '*' })) {
		problems.push(
			`peerDependencies must be exactly {"n8n-workflow":"*"}, found ${JSON.stringify(pkg.peerDependencies)}`,
		);
	}
	const repositoryUrl = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
	if (!isNonEmptyString(repositoryUrl)) problems.push('repository (with a url) must be set');
	if (!isNonEmptyString(pkg.homepage)) problems.push('homepage must be set');
	const authorName = typeof pkg.author === 'string' ? pkg.author : pkg.author?.name;
	if (!isNonEmptyString(authorName)) problems.push('author (with a name) must be set');
	if (!(pkg.keywords ?? []).includes(COMMUNITY_KEYWORD))
		problems.push(`keywords must include ${COMMUNITY_KEYWORD}`);
	if (pkg.license !== 'MIT') problems.push(`license must be MIT, found ${String(pkg.license)}`);
	if (!/^(@[a-z0-9-~][a-z0-9-._~]*\/)?n8n-nodes-.+$/.test(pkg.name ?? '')) {
		problems.push(`name must be n8n-nodes-* or @scope/n8n-nodes-*, found ${String(pkg.name)}`);
	}
	if (!Array.isArray(pkg.n8n?.nodes) || pkg.n8n.nodes.length === 0)
		problems.push('n8n.nodes must list the nodes');
	if (!Array.isArray(pkg.n8n?.credentials)) problems.push('n8n.credentials must be an array');
	return problems;
}

/** Files registered in package.json "n8n" that are missing under `dir` or from the tarball listing. */
function missingRegisteredFiles(pkg: PackageJson, dir: string, tarball: string[]): string[] {
	const registered = [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])];
	const missing: string[] = [];
	for (const file of registered) {
		if (!fs.existsSync(path.join(dir, file))) missing.push(`${file} (not built)`);
		else if (!tarball.includes(file)) missing.push(`${file} (not in the tarball)`);
	}
	return missing;
}

function distStaleness(): string | null {
	const newest = (dir: string): number => {
		if (!fs.existsSync(dir)) return 0;
		let latest = 0;
		for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
			if (!entry.isFile()) continue;
			const full = path.join(entry.parentPath, entry.name);
			latest = Math.max(latest, fs.statSync(full).mtimeMs);
		}
		return latest;
	};
	const sources = Math.max(
		newest(path.join(ROOT, 'nodes')),
		newest(path.join(ROOT, 'credentials')),
	);
	const built = newest(path.join(ROOT, 'dist'));
	return sources > built
		? 'dist/ is older than nodes/ or credentials/: run `npm run build` for a current tarball'
		: null;
}

function requireDist(): void {
	if (!fs.existsSync(path.join(ROOT, 'dist'))) {
		throw new Error('dist/ is missing: run `npm run build` before `npx jest test/package`.');
	}
}

describe('npm pack tarball', () => {
	let pack: PackResult;
	let pkg: PackageJson;
	let files: string[];

	beforeAll(() => {
		requireDist();
		pkg = readPackageJson(ROOT);
		pack = npmPackDryRun(ROOT);
		files = pack.files.map((f) => f.path).sort();
		const stale = distStaleness();
		console.log(
			[
				`${pack.id}: tarball ${pack.size} bytes (${(pack.size / 1024).toFixed(1)} KiB), unpacked ${pack.unpackedSize} bytes, ${files.length} files`,
				...pack.files.map((f) => `  ${String(f.size).padStart(7)}  ${f.path}`),
				...(stale ? [`WARNING: ${stale}`] : []),
			].join('\n'),
		);
	});

	it('holds only dist JS, codex JSON, SVG icons, README.md, LICENSE, package.json (and a listed index.js)', () => {
		expect(rejectedTarballPaths(files, pkg)).toEqual([]);
	});

	it('holds exactly the compiled sources, the codex files, the icons and the four top-level files', () => {
		// Derived from the source tree, not from the build: the set the tsc + icon-copy build shipped before the
		// build moved to `n8n-node build`, so a build that drops or adds a file fails here.
		const walk = (dir: string): string[] =>
			fs
				.readdirSync(path.join(ROOT, dir), { withFileTypes: true })
				.flatMap((entry) =>
					entry.isDirectory() ? walk(`${dir}/${entry.name}`) : [`${dir}/${entry.name}`],
				);
		const sources = [...walk('nodes'), ...walk('credentials')];
		const expected = [
			...sources.filter((f) => /\.ts$/.test(f)).map((f) => `dist/${f.replace(/\.ts$/, '.js')}`),
			...sources.filter((f) => /\.node\.json$/.test(f)).map((f) => `dist/${f}`),
			...walk('icons')
				.filter((f) => f.endsWith('.svg'))
				.map((f) => `dist/${f}`),
			'LICENSE',
			'README.md',
			'index.js',
			'package.json',
		].sort();
		expect(expected.length).toBeGreaterThan(30);
		expect(files).toEqual(expected);
	});

	it('holds package.json, LICENSE and README.md', () => {
		const required = ['package.json', 'LICENSE', 'README.md'];
		expect(required.filter((f) => !files.includes(f))).toEqual([]);
	});

	it('ships every node and credential registered in package.json "n8n", built in dist/', () => {
		expect(missingRegisteredFiles(pkg, ROOT, files)).toEqual([]);
	});

	it('ships a light and a dark SVG icon that differ', () => {
		const icons = files.filter((f) => f.endsWith('.svg'));
		expect(icons).toEqual(
			expect.arrayContaining(['dist/icons/itep.svg', 'dist/icons/itep.dark.svg']),
		);
		const light = fs.readFileSync(path.join(ROOT, 'dist/icons/itep.svg'), 'utf8');
		const dark = fs.readFileSync(path.join(ROOT, 'dist/icons/itep.dark.svg'), 'utf8');
		expect(light).not.toEqual(dark);
		for (const svg of [light, dark]) {
			expect(svg).toContain('viewBox="0 0 60 60"');
			expect(svg).not.toMatch(/<image|<text|@font-face|data:/);
			expect(Buffer.byteLength(svg)).toBeLessThan(3 * 1024);
		}
	});

	it('ships no test-only helpers (an independent review found these in dist)', () => {
		const testOnly = [
			'buildResultData',
			'encodeResultForm',
			'signWebhookRequest',
			'heldKeys',
			'resetDeliveryMemory',
			'verifySignature',
		];
		const found = files
			.filter((f) => f.endsWith('.js'))
			.flatMap((f) => {
				const code = fs.readFileSync(path.join(ROOT, f), 'utf8');
				return testOnly.filter((name) => code.includes(name)).map((name) => `${f}: ${name}`);
			});
		expect(found).toEqual([]);
	});

	it('every published .js is covered by the dist lint gate (dist/ or index.js)', () => {
		const js = files.filter((f) => f.endsWith('.js'));
		expect(js.filter((f) => !f.startsWith('dist/') && f !== 'index.js')).toEqual([]);
		expect(pkg.scripts?.['lint:dist']).toMatch(/\bdist\b.*\bindex\.js\b.*\bpackage\.json\b/);
	});
});

describe('package.json', () => {
	const pkg = readPackageJson(ROOT);

	it('passes the community-package manifest checks', () => {
		expect(packageJsonProblems(pkg)).toEqual([]);
	});

	it('registers dist files only, and they exist after the build', () => {
		requireDist();
		const registered = [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])];
		expect(registered.filter((f) => !/^dist\/.+\.(node|credentials)\.js$/.test(f))).toEqual([]);
		expect(registered.filter((f) => !fs.existsSync(path.join(ROOT, f)))).toEqual([]);
	});

	it('states the oldest supported n8n in engines.n8n, as the README does', () => {
		const pkg = readPackageJson(ROOT) as PackageJson & { engines?: { n8n?: string } };
		const minimum = /^>=(\d+\.\d+\.\d+)$/.exec(pkg.engines?.n8n ?? '')?.[1];
		expect(minimum).toBeDefined();
		const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
		expect(readme).toContain(`Needs **n8n ${minimum} or newer**`);
		expect(readme).toContain(`| ${minimum} (oldest supported) |`);
		expect(readme).toContain(`**Minimum: n8n ${minimum}**`);
	});

	it('uses the same forbidden lifecycle-script list as @n8n/eslint-plugin-community-nodes', () => {
		const rule = fs.readFileSync(
			path.join(
				ROOT,
				'node_modules/@n8n/eslint-plugin-community-nodes/dist/rules/no-forbidden-lifecycle-scripts.js',
			),
			'utf8',
		);
		const list = /FORBIDDEN_SCRIPTS\s*=\s*\[([^\]]*)\]/.exec(rule)?.[1] ?? '';
		const pluginScripts = [...list.matchAll(/'([^']+)'/g)].map((m) => m[1]);
		expect(pluginScripts.length).toBeGreaterThan(0);
		expect([...pluginScripts].sort()).toEqual([...FORBIDDEN_LIFECYCLE_SCRIPTS].sort());
	});
});

describe('the checks reject bad packages', () => {
	const good = readPackageJson(ROOT);
	const variant = (patch: (p: PackageJson) => void): PackageJson => {
		const copy = JSON.parse(JSON.stringify(good)) as PackageJson;
		patch(copy);
		return copy;
	};

	it.each<[string, (p: PackageJson) => void, RegExp]>([
		[
			'a runtime dependency',
			(p) => (p.dependencies = { axios: '^1.7.0' }),
			/dependencies must be absent/,
		],
		['an overrides field', (p) => (p.overrides = { zod: '3.25.76' }), /overrides/],
		[
			'a postinstall script',
			(p) => (p.scripts = { ...p.scripts, postinstall: 'node x.js' }),
			/"postinstall"/,
		],
		[
			'a prepare script',
			(p) => (p.scripts = { ...p.scripts, prepare: 'npm run build' }),
			/"prepare"/,
		],
		[
			'zod as a peer dependency',
			(p) => (p.peerDependencies = { 'n8n-workflow': '*', zod: '*' }),
			/peerDependencies/,
		],
		[
			'a pinned n8n-workflow peer',
			(p) => (p.peerDependencies = { 'n8n-workflow': '^2.0.0' }),
			/peerDependencies/,
		],
		['no repository', (p) => delete p.repository, /repository/],
		['no homepage', (p) => delete p.homepage, /homepage/],
		['no author', (p) => delete p.author, /author/],
		['no community keyword', (p) => (p.keywords = ['itep']), /keywords/],
		['an ISC license', (p) => (p.license = 'ISC'), /license must be MIT/],
		['a wrong package name', (p) => (p.name = 'itep-nodes'), /name must be/],
	])('rejects %s', (_label, patch, expected) => {
		expect(packageJsonProblems(good)).toEqual([]);
		const problems = packageJsonProblems(variant(patch));
		expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
	});

	it('accepts an explicitly empty dependencies object', () => {
		expect(packageJsonProblems(variant((p) => (p.dependencies = {})))).toEqual([]);
	});

	it('rejects tests, sandbox, scripts, source maps and .ts sources in a tarball listing', () => {
		const listing = [
			'package.json',
			'dist/nodes/Itep/Itep.node.js',
			'dist/nodes/Itep/Itep.node.js.map',
			'dist/nodes/Itep/Itep.node.d.ts',
			'nodes/Itep/Itep.node.ts',
			'test/package/pack.test.ts',
			'dist/nodes/Itep/Itep.node.test.js',
			'sandbox/cli.ts',
			'scripts/lint-gate.sh',
			'tsconfig.json',
			'dist/nodes/Itep/__schema__/v1/x.json',
		];
		expect(rejectedTarballPaths(listing, good)).toEqual([
			'dist/nodes/Itep/Itep.node.js.map (source map)',
			'dist/nodes/Itep/Itep.node.d.ts (TypeScript source/declaration)',
			'nodes/Itep/Itep.node.ts (TypeScript source/declaration)',
			'test/package/pack.test.ts (TypeScript source/declaration)',
			'dist/nodes/Itep/Itep.node.test.js (test file)',
			'sandbox/cli.ts (TypeScript source/declaration)',
			'scripts/lint-gate.sh (dev-only folder)',
			'tsconfig.json (not on the publish allow-list)',
			'dist/nodes/Itep/__schema__/v1/x.json (not on the publish allow-list)',
		]);
		expect(rejectTarballPath('index.js', { ...good, main: undefined, files: ['dist'] })).toBe(
			'index.js not listed',
		);
	});

	it('flags a real `npm pack` of a temp copy that publishes all of dist/ with source maps and a test', () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itep-pack-'));
		try {
			const manifest = variant((p) => {
				p.files = ['dist'];
				p.n8n = {
					n8nNodesApiVersion: 1,
					nodes: ['dist/nodes/Itep/Itep.node.js', 'dist/nodes/Gone/Gone.node.js'],
					credentials: ['dist/credentials/ItepApi.credentials.js'],
				};
			});
			fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
			const write = (rel: string, text: string): void => {
				fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
				fs.writeFileSync(path.join(dir, rel), text);
			};
			write('dist/nodes/Itep/Itep.node.js', 'module.exports = {};\n');
			write('dist/nodes/Itep/Itep.node.js.map', '{}\n');
			write('dist/nodes/Itep/Itep.node.d.ts', 'export {};\n');
			write('dist/test/pack.test.js', 'module.exports = {};\n');
			write('dist/credentials/ItepApi.credentials.js', 'module.exports = {};\n');
			const packed = npmPackDryRun(dir).files.map((f) => f.path);
			expect(rejectedTarballPaths(packed, manifest)).toEqual(
				expect.arrayContaining([
					'dist/nodes/Itep/Itep.node.js.map (source map)',
					'dist/nodes/Itep/Itep.node.d.ts (TypeScript source/declaration)',
					'dist/test/pack.test.js (dev-only folder)',
				]),
			);
			expect(missingRegisteredFiles(manifest, dir, packed)).toEqual([
				'dist/nodes/Gone/Gone.node.js (not built)',
			]);
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});
});
