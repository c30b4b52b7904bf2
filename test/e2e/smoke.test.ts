/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * Smoke test of the real-n8n harness, on every tested n8n line and on the oldest supported release
 * (package.json engines.n8n): the packed tarball installed as a community package loads, its node and credential
 * types are known, a credential can be created, and workflows run, are published and are read back through n8n. Run with scripts/e2e.sh (or npx jest -c test/e2e/jest.config.js).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import {
	chain,
	executionError,
	ITEP_CREDENTIAL_TYPE,
	ITEP_NODE_TYPE,
	ITEP_PACKAGE,
	ITEP_TRIGGER_NODE_TYPE,
	manualTrigger,
	nodeOutput,
	recordTimings,
	oldestSupportedN8n,
	setNode,
	smokeVersions,
	startN8n,
	tail,
	timed,
	webhookNode,
	type N8nInstance,
} from '../../devkit/n8n';

// Only the e2e jest config (its globalSetup sets ITEP_E2E=1) runs these; a plain `jest` run skips them.
const describeE2e = process.env.ITEP_E2E === '1' ? describe : describe.skip;

describeE2e.each(smokeVersions())('n8n %s with the packed n8n-nodes-itep', (version) => {
	let n8n: N8nInstance;
	const timings: Record<string, number> = {};

	beforeAll(async () => {
		n8n = await startN8n({
			version,
			expect: {
				nodes: [ITEP_NODE_TYPE, ITEP_TRIGGER_NODE_TYPE],
				credentials: [ITEP_CREDENTIAL_TYPE],
			},
		});
		Object.assign(timings, {
			packInstallMs: n8n.timings.installMs,
			startToHealthzMs: n8n.timings.healthzMs,
			startToReadyMs: n8n.timings.readyMs,
		});
	});

	afterAll(async () => {
		await n8n?.stop();
		recordTimings(version, timings);
		process.stdout.write(`[e2e] n8n ${version} timings: ${JSON.stringify(timings)}\n`);
	});

	test('the tarball is installed where a user install puts it, without its own n8n-workflow or zod', () => {
		const nodesDir = path.join(n8n.userFolder, '.n8n', 'nodes');
		const packDir = path.join(nodesDir, 'node_modules', ITEP_PACKAGE);
		const manifest = JSON.parse(fs.readFileSync(path.join(packDir, 'package.json'), 'utf8')) as {
			dependencies?: Record<string, string>;
			n8n?: { nodes?: string[]; credentials?: string[] };
		};
		expect(manifest.dependencies ?? {}).toEqual({});
		expect(manifest.n8n?.nodes?.length).toBeGreaterThan(0);
		for (const dep of ['n8n-workflow', 'zod']) {
			expect(fs.existsSync(path.join(packDir, 'node_modules', dep))).toBe(false);
			expect(fs.existsSync(path.join(nodesDir, 'node_modules', dep))).toBe(false);
		}
		// n8n confirms it read the package from .n8n/nodes (debug log line of its package loader).
		expect(n8n.log()).toMatch(
			new RegExp(`Loaded all credentials and nodes from ${ITEP_PACKAGE}\\b`),
		);
		expect(n8n.log()).not.toMatch(new RegExp(`Failed to load package "${ITEP_PACKAGE}"`));
	});

	test('n8n knows the pack node types and the itepApi credential type', async () => {
		const nodeNames = await n8n.api.nodeTypeNames();
		expect(nodeNames).toEqual(expect.arrayContaining([ITEP_NODE_TYPE, ITEP_TRIGGER_NODE_TYPE]));

		const credential = (await n8n.api.credentialTypes()).find(
			(c) => c.name === ITEP_CREDENTIAL_TYPE,
		);
		expect(credential).toBeDefined();
		const properties = (credential?.properties as Array<{ name: string }>).map((p) => p.name);
		expect(properties).toEqual(
			expect.arrayContaining(['apiKey', 'baseUrl', 'signatureHeader', 'signatureEncoding']),
		);
	});

	test('creates an itepApi credential through the REST API', async () => {
		const created = await n8n.api.createItepCredential(
			{ apiKey: 'e2e-secret-key', baseUrl: 'http://127.0.0.1:8787', signatureEncoding: 'base64' },
			'iTEP smoke',
		);
		expect(created).toMatchObject({ name: 'iTEP smoke', type: ITEP_CREDENTIAL_TYPE });

		const stored = await n8n.api.getCredential(created.id);
		expect(stored.data).toMatchObject({
			baseUrl: 'http://127.0.0.1:8787',
			signatureHeader: 'X-Itep-Signature',
			signatureEncoding: 'base64',
		});
		// n8n never hands a password field back: the key is replaced by a placeholder.
		expect(stored.data?.apiKey).not.toBe('e2e-secret-key');
	});

	test('runs a Manual Trigger -> Set workflow and reads its execution back', async () => {
		const workflow = await n8n.api.createWorkflow(
			chain('smoke: manual -> set', [
				manualTrigger(),
				setNode('Set', { greeting: 'hello', answer: 42 }),
			]),
		);

		const { value: execution, ms } = await timed(() => n8n.api.runManually(workflow.id));
		timings.manualRunMs = ms;
		expect(executionError(execution)).toBeUndefined();
		expect(execution).toMatchObject({ status: 'success', mode: 'manual' });
		expect(nodeOutput(execution, 'Set')).toEqual([{ greeting: 'hello', answer: 42 }]);

		const listed = await n8n.api.listExecutions({ workflowId: workflow.id });
		expect(listed.map((e) => e.id)).toContain(execution.id);
		expect(listed.find((e) => e.id === execution.id)).toMatchObject({
			status: 'success',
			mode: 'manual',
		});
	});

	test('publishes a webhook workflow and runs it with responseMode lastNode', async () => {
		const hookPath = `smoke-${version.replace(/\./g, '-')}`;
		const workflow = await n8n.api.createWorkflow(
			chain('smoke: webhook -> set', [
				webhookNode('Webhook', hookPath),
				setNode('Echo', { got: '={{ $json.body.value }}' }),
			]),
		);
		const { ms: publishMs } = await timed(() => n8n.api.activateWorkflow(workflow.id));
		timings.publishMs = publishMs;

		const { value: response, ms } = await timed(() =>
			n8n.http('POST', `/webhook/${hookPath}`, { value: 'ping' }),
		);
		timings.webhookRunMs = ms;
		expect(response.status).toBe(200);
		expect(response.json).toEqual({ got: 'ping' });

		const execution = await n8n.api.waitForNewExecution(workflow.id);
		expect(execution).toMatchObject({ status: 'success', mode: 'webhook' });

		await n8n.api.deactivateWorkflow(workflow.id);
		expect((await n8n.http('POST', `/webhook/${hookPath}`, { value: 'ping' })).status).toBe(404);
	});

	test('`n8n execute --rawOutput` runs a stored workflow next to the running server', async () => {
		const workflow = await n8n.api.createWorkflow(
			chain('smoke: cli', [manualTrigger(), setNode('Set', { via: 'cli' })]),
		);
		const result = await n8n.executeCli(workflow.id);
		timings.cliExecuteMs = result.durationMs;
		// The run n8n printed is the proof. n8n's CLI process itself sometimes dies of a signal while shutting
		// down after printing it (SIGSEGV on 1.123.81, SIGKILL on 2.40.7, about one run in six here): that is
		// recorded, not failed on. Without a printed run, the exit status and the end of stderr say why.
		if (result.code !== 0) {
			process.stdout.write(
				`[e2e] n8n ${version} execute exited with code ${String(result.code)}, signal ${String(result.signal)}\n`,
			);
		}
		expect({
			printedRun: result.run !== undefined,
			exit: result.run ? 'see the run' : { code: result.code, signal: result.signal },
			stderr: result.run ? '' : tail(result.stderr, 30),
		}).toEqual({ printedRun: true, exit: 'see the run', stderr: '' });
		// A crash before the end would have cut the JSON block short: parseRawOutput only accepts a complete one.
		expect(result.code === 0 || result.signal !== null).toBe(true);
		// n8n 1.104.x (the oldest supported) prints the ended run with its status still "running", but finished
		// and with a stop time; the tested lines print "success".
		const run = result.run;
		const endedOnOldest =
			version === oldestSupportedN8n() &&
			run?.status === 'running' &&
			run.finished === true &&
			Boolean(run.stoppedAt);
		expect(endedOnOldest ? 'success' : run?.status).toBe('success');
		expect(run?.data.resultData.error).toBeUndefined();
		expect(result.run?.data.resultData.runData.Set?.[0]?.data?.main?.[0]?.[0]?.json).toEqual({
			via: 'cli',
		});
	});
});
