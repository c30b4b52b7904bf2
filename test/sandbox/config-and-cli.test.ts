/* eslint-disable no-console, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions -- development tooling, never published: n8n's rules for node code do not apply */
import { spawn } from 'child_process';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { parseCliArgs, readConfigFile, resolveSandboxConfig } from '../../sandbox/config';
import { isAvailable } from '../../sandbox/inventory';
import { startSandbox } from '../../sandbox/server';

describe('sandbox config', () => {
	test('defaults: port 8787, the sandbox key, X-Itep-Signature in hex, every generic type with 25 IDs', () => {
		const config = resolveSandboxConfig();
		expect(config).toMatchObject({
			port: 8787,
			apiKeys: ['itep-sandbox-key'],
			signatureHeader: 'X-Itep-Signature',
			signatureEncoding: 'hex',
			testTypes: [
				'Academic-Plus',
				'Academic-Core',
				'Business-Plus',
				'Business-Core',
				'SLATE-Plus',
				'SLATE-Core',
				'Hospitality',
			],
			inventorySize: 25,
			webhook: { timeoutMs: 10_000, backoffBaseMs: 200, maxAttempts: 4 },
		});
	});

	test('CLI flags, a repeatable --api-key and --product, and a config file under them', () => {
		const dir = mkdtempSync(join(tmpdir(), 'itep-sandbox-'));
		const file = join(dir, 'sandbox.json');
		writeFileSync(
			file,
			JSON.stringify({ port: 9000, inventorySize: 3, webhook: { backoffBaseMs: 10 } }),
		);
		const { overrides } = parseCliArgs([
			'--config',
			file,
			'--port',
			'9100',
			'--api-key',
			'a',
			'--api-key=b',
			'--product',
			'GTX-Academic-Plus,Hospitality',
			'--product',
			'Business-Core',
		]);
		const config = resolveSandboxConfig(overrides);
		expect(config).toMatchObject({
			port: 9100,
			apiKeys: ['a', 'b'],
			inventorySize: 3,
			testTypes: ['Academic-Plus', 'Hospitality', 'Business-Core'],
			webhook: { timeoutMs: 10_000, backoffBaseMs: 10, maxAttempts: 4 },
		});
	});

	test('the example config file loads, its hmac tracking code included', () => {
		const config = resolveSandboxConfig(
			readConfigFile(join(__dirname, '..', '..', 'sandbox', 'sandbox.config.example.json')),
		);
		expect(config.trackingCodes).toEqual([
			expect.objectContaining({
				code: 'RC',
				auth: expect.objectContaining({
					mode: 'hmac',
					timestampHeader: 'X-Itep-Webhook-Timestamp',
				}),
			}),
		]);
	});

	test.each([[['--port', 'eighty']], [['--inventory-size']], [['--colour', 'blue']]])(
		'bad flags are refused: %j',
		(argv) => {
			expect(() => parseCliArgs(argv)).toThrow();
		},
	);

	test('nonsense config is refused with every problem named', () => {
		expect(() =>
			resolveSandboxConfig({
				apiKeys: [],
				signatureEncoding: 'hex-ish' as never,
				inventoryByType: { Nope: 1 },
			}),
		).toThrow(/apiKeys.*signatureEncoding.*inventoryByType names unknown test type Nope/);
	});

	test('inventoryByType overrides the size per type, and the same seed gives the same test IDs', async () => {
		const first = await startSandbox({
			port: 0,
			inventoryByType: { 'Academic-Plus': 1 },
			inventorySize: 2,
		});
		const second = await startSandbox({
			port: 0,
			inventoryByType: { 'Academic-Plus': 1 },
			inventorySize: 2,
		});
		try {
			const available = (type: string) =>
				first.state.tests.filter((test) => test.testType === type && isAvailable(test)).length;
			expect(available('Academic-Plus')).toBe(1);
			expect(available('Business-Plus')).toBe(2);
			expect(second.state.tests.map((test) => test.testId)).toEqual(
				first.state.tests.map((test) => test.testId),
			);
		} finally {
			await first.close();
			await second.close();
		}
	});
});

describe('sandbox CLI', () => {
	test('prints the URL, key and admin endpoints, serves, and stops on SIGINT', async () => {
		const started = performance.now();
		const child = spawn(
			process.execPath,
			[require.resolve('tsx/cli'), 'sandbox/cli.ts', '--port', '0', '--inventory-size', '2'],
			{
				cwd: join(__dirname, '..', '..'),
				stdio: ['ignore', 'pipe', 'pipe'],
			},
		);
		let output = '';
		child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
		const exited = new Promise<number | null>((resolve) =>
			child.on('exit', (code) => resolve(code)),
		);
		try {
			const url = await new Promise<string>((resolve, reject) => {
				const timer = setTimeout(
					() => reject(new Error(`no banner after 10 s:\n${output}`)),
					10_000,
				);
				child.stdout.on('data', () => {
					const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
					if (match && output.includes('Press Ctrl-C')) {
						clearTimeout(timer);
						resolve(match[1]);
					}
				});
			});
			const health = await fetch(`${url}/sandbox/health`);
			const readyMs = performance.now() - started;
			expect(health.status).toBe(200);
			expect(output).toContain('itep-sandbox-key');
			expect(output).toContain('X-Itep-Signature');
			expect(output).toContain('/sandbox/available-tests.csv');
			expect(output).toContain('Academic-Plus: 2');
			// A figure for the log, not an assertion: speed is for benchmarks, and CI machines are loaded.
			console.log(`sandbox CLI: first health answer ${Math.round(readyMs)} ms after spawn`);
		} finally {
			child.kill('SIGINT');
		}
		expect(await exited).toBe(0);
		expect(output).toContain('stopping the iTEP sandbox');
	});
});
