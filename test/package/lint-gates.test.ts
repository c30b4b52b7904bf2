/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * The lint checks (scripts/lint-gate.sh runs them all):
 * - `npm run lint` is n8n's `n8n-node lint` in strict mode: eslint.config.mjs is exactly the CLI's template, the
 *   run passes with no problem reported, and in a temp copy a changed eslint.config.mjs fails it;
 * - the two community-scanner gates with our own config (`npm run lint:sources` = source leg,
 *   `npm run lint:dist` = tarball leg): eslint.gate.config.mjs turns on exactly the rules a re-creation of
 *   @n8n/scan-community-package's `buildScanConfig` turns on, per target, with the same parsers, and every rule
 *   the installed scanner itself turns on;
 * - both gates exit 0 on this package (their output is shown when they do not);
 * - in a temp copy, a bad package.json and a bad compiled node make them fail (so the gates can fail), a
 *   warning alone fails them (--max-warnings=0), and an eslint-disable comment does not hide a violation (the
 *   scanner lints with allowInlineConfig: false).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const GATE_TIMEOUT = 180_000;
const GATE_CONFIG = 'eslint.gate.config.mjs';
const N8N_NODE_CLI = path.join(ROOT, 'node_modules/@n8n/node-cli/bin/n8n-node.mjs');
/** What ESLint's default formatter prints when it found anything, errors or warnings. */
const PROBLEMS_LINE = /\d+ problems? \(\d+ errors?, \d+ warnings?\)/;

/** Child processes get the caller's env minus NODE_ENV (jest sets it to "test"), unless `env` says otherwise. */
function run(
	command: string,
	args: string[],
	cwd: string,
	env: NodeJS.ProcessEnv = {},
): SpawnSyncReturns<string> {
	const childEnv: NodeJS.ProcessEnv = { ...process.env };
	delete childEnv.NODE_ENV;
	return spawnSync(command, args, {
		cwd,
		env: { ...childEnv, ...env },
		encoding: 'utf8',
		maxBuffer: 64 * 1024 * 1024,
		timeout: GATE_TIMEOUT,
	});
}

function output(result: SpawnSyncReturns<string>): string {
	return `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
}

/** Fails with the command's whole output when it did not exit 0. */
function expectSuccess(label: string, result: SpawnSyncReturns<string>): void {
	if (result.status !== 0) {
		throw new Error(`${label} exited ${result.status ?? result.signal}:\n${output(result)}`);
	}
}

/**
 * For each file: the rules (name=severity) and parser our gate config applies, next to what a re-creation of
 * the scanner's `buildScanConfig` (n8n-io/n8n packages/@n8n/scan-community-package/scanner/scanner.mjs) applies
 * with the plugin version `n8n-node lint` uses, and what the installed scanner's own `buildScanConfig` applies
 * with the plugin version it pins. Runs in a child process because ESLint loads configs through ESM import().
 */
const COMPARE_SCRIPT = `
import { ESLint } from 'eslint';
import { defineConfig } from 'eslint/config';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import * as tsParser from '@typescript-eslint/parser';
import n8nNodesPlugin from 'eslint-plugin-n8n-nodes-base';
const parser = tsParser.default ?? tsParser;
const scanner = defineConfig(
	n8nCommunityNodesPlugin.configs.recommended,
	{ rules: { 'no-console': 'error' } },
	{ plugins: { 'n8n-nodes-base': n8nNodesPlugin } },
	{ files: ['package.json'], rules: { ...n8nNodesPlugin.configs.community.rules } },
	{ files: ['**/credentials/**/*.ts'], rules: { ...n8nNodesPlugin.configs.credentials.rules,
		'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
		'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off' } },
	{ files: ['**/nodes/**/*.ts'], rules: { ...n8nNodesPlugin.configs.nodes.rules,
		'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
		'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
		'n8n-nodes-base/node-param-type-options-max-value-present': 'off' } },
	{ files: ['**/*.json'], languageOptions: { parser } },
	{ files: ['**/*.ts'], languageOptions: { parser } },
);
import { createRequire } from 'node:module';
const scannerModule = './node_modules/@n8n/scan-community-package/scanner/scanner.mjs';
createRequire(new URL(scannerModule, 'file://' + process.cwd() + '/'))('tmp').setGracefulCleanup();
const installed = await import(scannerModule);
const ours = new ESLint({ cwd: process.cwd(), overrideConfigFile: '${GATE_CONFIG}' });
const theirs = new ESLint({ cwd: process.cwd(), overrideConfigFile: true, overrideConfig: scanner });
const real = new ESLint({ cwd: process.cwd(), overrideConfigFile: true, overrideConfig: await installed.buildScanConfig() });
const summary = async (eslint, file) => {
	const config = await eslint.calculateConfigForFile(file);
	const rules = Object.entries(config.rules ?? {})
		.map(([name, value]) => [name, Array.isArray(value) ? value[0] : value])
		.filter(([, severity]) => severity !== 0 && severity !== 'off')
		.map(([name, severity]) => name + '=' + ({ 1: 'warn', 2: 'error' }[severity] ?? severity))
		.sort();
	return { rules, parser: config.languageOptions?.parser?.meta?.name ?? 'espree' };
};
const out = {};
for (const file of JSON.parse(process.argv[1])) {
	out[file] = {
		ours: await summary(ours, file),
		scanner: await summary(theirs, file),
		installed: await summary(real, file),
	};
}
const ignored = {};
for (const file of JSON.parse(process.argv[2])) ignored[file] = await ours.isPathIgnored(file);
console.log(JSON.stringify({ out, ignored }));
`;

describe('eslint.gate.config.mjs reproduces the community scanner', () => {
	const targets = [
		'package.json',
		'nodes/Example/Example.node.ts',
		'nodes/Example/Example.node.json',
		'nodes/shared/helper.ts',
		'credentials/ExampleApi.credentials.ts',
		'dist/nodes/Example/Example.node.js',
		'dist/credentials/ExampleApi.credentials.js',
		'index.js',
	];
	const devOnly = [
		'test/a.test.ts',
		'sandbox/cli.ts',
		'scripts/x.ts',
		'bench/x.ts',
		'.cache/x.js',
		'node_modules/x/index.js',
	];
	let result: {
		out: Record<
			string,
			Record<'ours' | 'scanner' | 'installed', { rules: string[]; parser: string }>
		>;
		ignored: Record<string, boolean>;
	};

	beforeAll(() => {
		const child = run(
			process.execPath,
			[
				'--input-type=module',
				'-e',
				COMPARE_SCRIPT,
				JSON.stringify(targets),
				JSON.stringify(devOnly),
			],
			ROOT,
		);
		expectSuccess('config comparison', child);
		result = JSON.parse(child.stdout);
	}, GATE_TIMEOUT);

	it.each(targets)('%s gets exactly the scanner rules and parser', (file) => {
		const { ours, scanner } = result.out[file];
		expect(ours.rules.length).toBeGreaterThan(40);
		expect(ours).toEqual(scanner);
	});

	it.each(targets)(
		'%s gets every rule the installed scanner applies, at the same severity and with its parser',
		(file) => {
			const { ours, installed } = result.out[file];
			expect(installed.rules.length).toBeGreaterThan(40);
			expect(ours.rules).toEqual(expect.arrayContaining(installed.rules));
			expect(ours.parser).toBe(installed.parser);
		},
	);

	it('applies the expected rule sets per target', () => {
		const count = (file: string, prefix: string) =>
			result.out[file].ours.rules.filter((r) => r.startsWith(prefix)).length;
		for (const file of targets) {
			expect(count(file, '@n8n/community-nodes/')).toBe(43);
			expect(result.out[file].ours.rules).toContain('no-console=error');
		}
		expect(count('package.json', 'n8n-nodes-base/community-package-json-')).toBe(19);
		expect(count('credentials/ExampleApi.credentials.ts', 'n8n-nodes-base/')).toBeGreaterThan(10);
		expect(count('nodes/Example/Example.node.ts', 'n8n-nodes-base/')).toBeGreaterThan(90);
		expect(count('dist/nodes/Example/Example.node.js', 'n8n-nodes-base/')).toBe(0);
		// package.json must be parsed into TSESTree ObjectExpressions: with jsonc-eslint-parser every
		// package.json rule silently matches nothing.
		expect(result.out['package.json'].ours.parser).toBe('typescript-eslint/parser');
	});

	it('does not lint unpublished dev folders', () => {
		expect(Object.entries(result.ignored).filter(([, ignored]) => !ignored)).toEqual([]);
	});
});

describe('lint gates on this package', () => {
	it('eslint.config.mjs is exactly the template of the pinned @n8n/node-cli (what strict mode checks)', () => {
		const template = fs.readFileSync(
			path.join(
				ROOT,
				'node_modules/@n8n/node-cli/dist/template/templates/shared/default/eslint.config.mjs',
			),
			'utf8',
		);
		const ours = fs.readFileSync(path.join(ROOT, 'eslint.config.mjs'), 'utf8');
		expect(ours.replace(/\s+/g, ' ').trim()).toBe(template.replace(/\s+/g, ' ').trim());
		const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
		expect(pkg.n8n.strict).toBe(true);
		expect(pkg.scripts.lint).toBe('n8n-node lint');
	});

	it(
		'`npm run lint` (n8n-node lint, strict mode) exits 0 and reports no problem',
		() => {
			const result = run('npm', ['run', '-s', 'lint'], ROOT);
			expectSuccess('npm run lint', result);
			expect(output(result)).toContain('n8n-node lint');
			expect(output(result)).not.toMatch(PROBLEMS_LINE);
		},
		GATE_TIMEOUT,
	);

	it(
		'source gate `npm run lint:sources` passes with 0 errors and 0 warnings',
		() => {
			expectSuccess('npm run lint:sources', run('npm', ['run', '-s', 'lint:sources'], ROOT));
		},
		GATE_TIMEOUT,
	);

	it(
		'dist gate `npm run lint:dist` passes with 0 errors and 0 warnings',
		() => {
			if (!fs.existsSync(path.join(ROOT, 'dist'))) {
				throw new Error('dist/ is missing: run `npm run build` before `npx jest test/package`.');
			}
			expectSuccess('npm run lint:dist', run('npm', ['run', '-s', 'lint:dist'], ROOT));
		},
		GATE_TIMEOUT,
	);
});

describe('lint gates fail on bad packages (temp copy)', () => {
	let dir: string;
	const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<
		string,
		unknown
	>;
	const writePackageJson = (manifest: Record<string, unknown>): void =>
		fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
	const write = (rel: string, text: string): void => {
		fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
		fs.writeFileSync(path.join(dir, rel), text);
	};
	const eslintWithEnv = (env: NodeJS.ProcessEnv, ...args: string[]) =>
		run(
			process.execPath,
			[
				path.join(ROOT, 'node_modules/eslint/bin/eslint.js'),
				'--config',
				GATE_CONFIG,
				'--max-warnings=0',
				...args,
			],
			dir,
			env,
		);
	const eslint = (...args: string[]) => eslintWithEnv({}, ...args);

	beforeEach(() => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itep-lint-'));
		fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
		fs.copyFileSync(path.join(ROOT, 'eslint.config.mjs'), path.join(dir, 'eslint.config.mjs'));
		fs.copyFileSync(path.join(ROOT, GATE_CONFIG), path.join(dir, GATE_CONFIG));
		fs.copyFileSync(path.join(ROOT, 'index.js'), path.join(dir, 'index.js'));
		writePackageJson(pkg);
	});
	afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

	const n8nNodeLint = () => run(process.execPath, [N8N_NODE_CLI, 'lint'], dir);

	it(
		'n8n-node lint passes in the temp copy with the template config (control)',
		() => {
			const result = n8nNodeLint();
			expectSuccess('n8n-node lint (temp copy)', result);
			expect(output(result)).not.toMatch(PROBLEMS_LINE);
		},
		GATE_TIMEOUT,
	);

	it(
		'n8n-node lint fails in strict mode when eslint.config.mjs differs from the template',
		() => {
			fs.appendFileSync(path.join(dir, 'eslint.config.mjs'), '\n// a local tweak\n');
			const result = n8nNodeLint();
			expect(result.status).toBe(1);
			expect(output(result)).toContain('Strict mode violation');
		},
		GATE_TIMEOUT,
	);

	it(
		'n8n-node lint exits 0 on a warning, so the problems line is what shows it (scripts/lint-gate.sh reads it)',
		() => {
			const manifest = { ...pkg };
			delete manifest.homepage;
			writePackageJson(manifest);
			const result = n8nNodeLint();
			expect(result.status).toBe(0);
			expect(output(result)).toContain('@n8n/community-nodes/require-homepage');
			expect(output(result)).toMatch(PROBLEMS_LINE);
		},
		GATE_TIMEOUT,
	);

	it(
		'the unmodified package.json passes in the temp copy (control)',
		() => {
			expectSuccess('eslint package.json (temp copy)', eslint('package.json'));
		},
		GATE_TIMEOUT,
	);

	it(
		'rejects dependencies, overrides, lifecycle scripts and extra peer dependencies',
		() => {
			writePackageJson({
				...pkg,
				dependencies: { axios: '^1.7.0' },
				overrides: { zod: '3.25.76' },
				scripts: {
					...(pkg.scripts as object),
					postinstall: 'node setup.js',
					prepare: 'npm run build',
				},
				peerDependencies: { 'n8n-workflow': '*', zod: '*' },
			});
			const result = eslint('package.json');
			expect(result.status).toBe(1);
			for (const rule of [
				'@n8n/community-nodes/no-runtime-dependencies',
				'@n8n/community-nodes/no-overrides-field',
				'@n8n/community-nodes/no-forbidden-lifecycle-scripts',
				'@n8n/community-nodes/valid-peer-dependencies',
			]) {
				expect(output(result)).toContain(rule);
			}
		},
		GATE_TIMEOUT,
	);

	it(
		'fails on a warning alone (--max-warnings=0)',
		() => {
			const manifest = { ...pkg };
			delete manifest.homepage;
			writePackageJson(manifest);
			const result = eslint('package.json');
			expect(output(result)).toContain('@n8n/community-nodes/require-homepage');
			expect(output(result)).toMatch(/0 errors, 1 warning/);
			expect(result.status).toBe(1);
		},
		GATE_TIMEOUT,
	);

	it(
		'dist gate rejects console, process, timers and fs in compiled code, even behind eslint-disable',
		() => {
			write(
				'dist/nodes/Bad/Bad.node.js',
				[
					'"use strict";',
					'const fs = require("fs");',
					'// eslint-disable-next-line no-console',
					'console.log(process.env.ITEP_API_KEY);',
					'setTimeout(() => fs.readFileSync("/etc/hosts"), 10);',
					'module.exports = {};',
					'',
				].join('\n'),
			);
			const result = run('npm', ['run', '-s', 'lint:dist'], dir);
			expect(result.status).toBe(1);
			for (const rule of [
				'no-console',
				'@n8n/community-nodes/no-restricted-globals',
				'@n8n/community-nodes/no-restricted-imports',
			]) {
				expect(output(result)).toContain(rule);
			}
		},
		GATE_TIMEOUT,
	);

	it(
		'source gate applies the n8n-nodes-base credentials rules and the community rules to credentials/*.ts',
		() => {
			write(
				'credentials/Bad.credentials.ts',
				[
					"import type { ICredentialType, INodeProperties } from 'n8n-workflow';",
					'export class BadApi implements ICredentialType {',
					"\tname = 'badApi';",
					"\tdisplayName = 'Bad API';",
					"\tproperties: INodeProperties[] = [{ displayName: 'API Key', name: 'apiKey', type: 'string', default: '' }];",
					'}',
					'',
				].join('\n'),
			);
			// Through the npm script, so a script that lost its --config or --max-warnings would show here.
			const result = run(
				'npm',
				['run', '-s', 'lint:sources', '--', '--no-error-on-unmatched-pattern'],
				dir,
			);
			expect(result.status).toBe(1);
			for (const rule of [
				'@n8n/community-nodes/credential-test-required',
				'@n8n/community-nodes/credential-password-field',
				'@n8n/community-nodes/cred-class-field-icon-missing',
				'n8n-nodes-base/cred-class-field-documentation-url-missing',
			]) {
				expect(output(result)).toContain(rule);
			}
		},
		GATE_TIMEOUT,
	);

	it(
		'gives the same result under NODE_ENV=test (eslint-plugin-n8n-nodes-base changes behaviour under it)',
		() => {
			// A regular node's description kept outside *.node.ts: under NODE_ENV=test the plugin would treat the
			// file as a trigger node and demand "-Trigger" suffixes; the scanner never does.
			write(
				'nodes/Plain/description.ts',
				[
					"import type { INodeTypeDescription } from 'n8n-workflow';",
					'export const description: INodeTypeDescription = {',
					"\tdisplayName: 'Plain',",
					"\tname: 'plain',",
					"\tgroup: ['transform'],",
					'\tversion: 1,',
					"\tdescription: 'Does plain things',",
					"\tdefaults: { name: 'Plain' },",
					'\tinputs: [],',
					'\toutputs: [],',
					'\tproperties: [],',
					'};',
					'',
				].join('\n'),
			);
			const plain = eslint('--format', 'json', 'nodes');
			const underTest = eslintWithEnv({ NODE_ENV: 'test' }, '--format', 'json', 'nodes');
			const rules = (r: SpawnSyncReturns<string>) =>
				(JSON.parse(r.stdout) as { messages: { ruleId: string }[] }[])
					.flatMap((f) => f.messages.map((m) => m.ruleId))
					.sort();
			expect(rules(underTest)).toEqual(rules(plain));
			expect(rules(underTest)).not.toContain(
				'n8n-nodes-base/node-class-description-name-unsuffixed-trigger-node',
			);
		},
		GATE_TIMEOUT,
	);
});
