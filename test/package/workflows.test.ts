/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * The GitHub Actions workflows, and the publish step's provenance:
 * - both files pass GitHub's own workflow parser (scripts/check-workflows.mjs), which rejects a wrong value;
 * - ci.yml runs n8n-node lint, the build and exactly the README's test command (.ci/run);
 * - publish.yml runs only on version tags, grants `id-token: write` to the publish job alone, runs the package
 *   gates before publishing, and publishes through `n8n-node release` with provenance on;
 * - `npm publish` of the packed tarball with the publish step's settings asks for provenance: outside Actions'
 *   OIDC it refuses with the id-token error and sends nothing to the registry, while the same publish without
 *   provenance does reach the (local, fake) registry.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const CHECK = path.join(ROOT, 'scripts/check-workflows.mjs');

interface Step {
	name?: string;
	uses?: string;
	run?: string;
	with?: Record<string, unknown>;
	env?: Record<string, string>;
}
interface Job {
	permissions?: Record<string, string>;
	container?: string;
	steps: Step[];
}
interface Workflow {
	on: Record<string, { tags?: string[]; branches?: string[] } | null>;
	permissions?: Record<string, string>;
	jobs: Record<string, Job>;
}
interface Report {
	file: string;
	errors: string[];
	workflow: Workflow | null;
}

function check(...args: string[]): SpawnSyncReturns<string> {
	return spawnSync(process.execPath, [CHECK, ...args], { cwd: ROOT, encoding: 'utf8' });
}

const runs = (job: Job) => job.steps.map((step) => step.run ?? '').join('\n');

describe('GitHub Actions workflows', () => {
	let reports: Record<string, Report>;

	beforeAll(() => {
		const result = check('--json');
		if (result.status !== 0) throw new Error(`${result.stdout}\n${result.stderr}`);
		reports = Object.fromEntries(
			(JSON.parse(result.stdout) as Report[]).map((report) => [path.basename(report.file), report]),
		);
	});

	it('ci.yml and publish.yml pass GitHub’s workflow parser', () => {
		expect(Object.keys(reports).sort()).toEqual(['ci.yml', 'publish.yml']);
		for (const report of Object.values(reports)) expect(report.errors).toEqual([]);
	});

	it('the parser rejects a wrong permission value (control)', () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itep-workflow-'));
		try {
			const file = path.join(dir, 'publish.yml');
			const publish = fs.readFileSync(path.join(ROOT, '.github/workflows/publish.yml'), 'utf8');
			fs.writeFileSync(file, publish.replace(/^(\s+)id-token: write$/m, '$1id-token: writ'));
			const result = check(file);
			expect(result.stdout).toMatch(/Unexpected value 'writ'/);
			expect(result.status).toBe(1);
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});

	it('ci.yml builds, lints with n8n-node and our gates, and runs the README test command', () => {
		const { workflow } = reports['ci.yml'];
		expect(Object.keys(workflow!.on).sort()).toEqual(['pull_request', 'push']);
		expect(workflow!.permissions).toEqual({ contents: 'read' });
		const all = Object.values(workflow!.jobs).map(runs).join('\n');
		expect(all).toMatch(/^npm run build$/m);
		expect(all).toMatch(/^bash scripts\/lint-gate\.sh --no-build$/m);
		expect(fs.readFileSync(path.join(ROOT, 'scripts/lint-gate.sh'), 'utf8')).toMatch(
			/npm run -s lint\b/,
		);
		expect(all).toMatch(/^bash \.ci\/run$/m);
		expect(fs.readFileSync(path.join(ROOT, '.ci/run'), 'utf8')).toMatch(/^npm ci && npm test$/m);
	});

	it('publish.yml publishes on version tags only, with provenance, after the package gates', () => {
		const { workflow } = reports['publish.yml'];
		expect(workflow!.on).toEqual({ push: { tags: ['*.*.*'] } });
		expect(workflow!.permissions).toEqual({ contents: 'read' });
		const jobs = Object.values(workflow!.jobs);
		expect(jobs).toHaveLength(1);
		const [job] = jobs;
		expect(job.permissions).toEqual({ 'id-token': 'write', contents: 'read' });
		// npm 11 (Node 24) for Trusted Publishing; no registry-url, whose empty token line would get in its way.
		const setupNode = job.steps.find((step) => step.uses?.startsWith('actions/setup-node@'));
		expect(setupNode?.with).toEqual({ 'node-version': 24 });

		const publishIndex = job.steps.findIndex((step) =>
			/^npx n8n-node release$/m.test(step.run ?? ''),
		);
		expect(publishIndex).toBeGreaterThan(0);
		expect(job.steps[publishIndex].env?.NPM_CONFIG_PROVENANCE).toBe('true');
		// The token, when there is one, is written only then.
		expect(job.steps[publishIndex].run).toMatch(/^if \[ -n "\$NPM_TOKEN" \]; then npm config set/m);
		const before = runs({ steps: job.steps.slice(0, publishIndex) });
		for (const gate of [
			/^npm ci$/m,
			/GITHUB_REF_NAME/,
			/^npm run build$/m,
			/^bash scripts\/lint-gate\.sh --no-build$/m,
			/^npx jest test\/package$/m,
		]) {
			expect(before).toMatch(gate);
		}
		// No step of the job publishes any other way.
		expect(runs(job).match(/npm publish/g)).toBeNull();
		// A prerelease goes to the dist-tag "next" (npm refuses to publish one without a tag).
		expect(before).toContain('NPM_CONFIG_TAG=next');
	});
});

describe('npm publish with the publish step’s settings', () => {
	let registry: Server;
	let registryUrl: string;
	let requests: string[];
	let packageDir: string;
	let work: string;

	beforeAll(async () => {
		requests = [];
		registry = createServer((request, response) => {
			requests.push(`${request.method} ${request.url}`);
			response.statusCode = request.method === 'GET' ? 404 : 500;
			response.end('{}');
		});
		await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
		registryUrl = `http://127.0.0.1:${(registry.address() as AddressInfo).port}/`;
		work = fs.mkdtempSync(path.join(os.tmpdir(), 'itep-publish-'));
		const packed = spawnSync(
			'npm',
			['pack', '--ignore-scripts', '--json', '--pack-destination', work],
			{
				cwd: ROOT,
				encoding: 'utf8',
			},
		);
		if (packed.status !== 0) throw new Error(packed.stderr);
		const [{ filename }] = JSON.parse(packed.stdout) as { filename: string }[];
		spawnSync('tar', ['-xzf', path.join(work, filename), '-C', work]);
		packageDir = path.join(work, 'package');
		fs.writeFileSync(
			path.join(work, 'npmrc'),
			`//127.0.0.1:${(registry.address() as AddressInfo).port}/:_authToken=not-a-real-token\n`,
		);
	});

	afterAll(async () => {
		await new Promise((resolve) => registry.close(resolve));
		fs.rmSync(work, { recursive: true, force: true });
	});

	/** `npm publish` as the Actions step would run it, minus the OIDC token only GitHub can mint. */
	function publish(provenance: boolean): Promise<string> {
		const env: NodeJS.ProcessEnv = { ...process.env, GITHUB_ACTIONS: 'true' };
		for (const key of Object.keys(env)) {
			if (/^(npm_config_|ACTIONS_ID_TOKEN_)/i.test(key)) delete env[key];
		}
		delete env.NODE_ENV;
		env.npm_config_registry = registryUrl;
		env.npm_config_userconfig = path.join(work, 'npmrc');
		env.npm_config_fetch_retries = '0';
		if (provenance) env.NPM_CONFIG_PROVENANCE = 'true';
		return new Promise((resolve) => {
			const child = spawn('npm', ['publish', '--ignore-scripts'], { cwd: packageDir, env });
			let output = '';
			child.stdout.on('data', (chunk) => (output += chunk));
			child.stderr.on('data', (chunk) => (output += chunk));
			child.on('close', () => resolve(output));
		});
	}

	it('with provenance on and no id-token, npm refuses and sends nothing', async () => {
		requests.length = 0;
		const output = await publish(true);
		expect(output).toContain(
			'Provenance generation in GitHub Actions requires "write" access to the "id-token" permission',
		);
		expect(requests.filter((request) => request.startsWith('PUT'))).toEqual([]);
	}, 120_000);

	it('without provenance the same publish reaches the registry (control)', async () => {
		requests.length = 0;
		const output = await publish(false);
		expect(output).not.toContain('Provenance');
		expect(requests).toContain('PUT /n8n-nodes-itep');
	}, 120_000);
});
