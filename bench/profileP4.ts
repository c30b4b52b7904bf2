/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * One-off profiler for the P4 analysis in BENCHMARKS.md (not part of `npm run bench`): starts one n8n 2.40.7
 * with the packed pack and the P4' minimal trigger (NODE_OPTIONS=--inspect on a free port; add
 * N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true with --lazy), and for each of the iTEP Trigger 1.1, P4' and the
 * Webhook node records a CPU profile of the n8n main process (inspector protocol) while it answers the same
 * load as P4. Prints, per target, the rate and the inclusive CPU time of the functions that tell them apart.
 *
 *   ITEP_E2E_TARBALL=<packed .tgz> tsx bench/profileP4.ts [--lazy] [--requests N] [--out DIR]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import {
	encodeResultForm,
	RESULT_FORM_CONTENT_TYPE,
	sampleResultData,
} from '../sandbox/resultsData';
import {
	freePort,
	ITEP_TRIGGER_NODE_TYPE,
	REPO_ROOT,
	sleep,
	startN8n,
	type N8nInstance,
} from '../devkit/n8n';
import { postLoad } from './n8n';
import {
	MINIMAL_TRIGGER_NODE_TYPE,
	minimalTriggerWorkflow,
	triggerWorkflow,
	webhookWorkflow,
} from './workflows';

const argv = process.argv.slice(2);
const lazy = argv.includes('--lazy');
const requests = argv.includes('--requests') ? Number(argv[argv.indexOf('--requests') + 1]) : 300;
const outDir = argv.includes('--out') ? argv[argv.indexOf('--out') + 1] : os.tmpdir();

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	children?: number[];
}
interface Profile {
	nodes: ProfileNode[];
	samples: number[];
	timeDeltas: number[];
}

/** A minimal Chrome DevTools Protocol client over Node's global WebSocket. */
async function inspector(url: string) {
	const socket = new WebSocket(url);
	await new Promise((resolve, reject) => {
		socket.addEventListener('open', resolve, { once: true });
		socket.addEventListener('error', reject, { once: true });
	});
	let next = 1;
	const pending = new Map<number, (result: unknown) => void>();
	socket.addEventListener('message', (event) => {
		const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
		if (message.id !== undefined) pending.get(message.id)?.(message.result);
	});
	const send = async <T>(method: string, params: object = {}) =>
		await new Promise<T>((resolve) => {
			const id = next++;
			pending.set(id, resolve as (result: unknown) => void);
			socket.send(JSON.stringify({ id, method, params }));
		});
	return { send, close: () => socket.close() };
}

/** Inclusive CPU ms per function name (each sample counted once per name on its stack), and the total. */
function inclusive(profile: Profile): {
	totalMs: number;
	idleMs: number;
	byName: Map<string, number>;
} {
	const parent = new Map<number, number>();
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	for (const node of profile.nodes)
		for (const child of node.children ?? []) parent.set(child, node.id);
	const byName = new Map<string, number>();
	let totalMs = 0;
	let idleMs = 0;
	profile.samples.forEach((sample, index) => {
		const ms = (profile.timeDeltas[index] ?? 0) / 1000;
		const leaf = byId.get(sample)?.callFrame.functionName;
		if (leaf === '(idle)' || leaf === '(program)') {
			idleMs += ms;
			return;
		}
		totalMs += ms;
		const seen = new Set<string>();
		for (let id: number | undefined = sample; id !== undefined; id = parent.get(id)) {
			const name = byId.get(id)?.callFrame.functionName || '(anonymous)';
			if (seen.has(name)) continue;
			seen.add(name);
			byName.set(name, (byName.get(name) ?? 0) + ms);
		}
	});
	return { totalMs, idleMs, byName };
}

const WATCH = [
	'executeWebhook',
	'webhookPhaseNeedsIsolate',
	'acquireIsolate',
	'releaseIsolate',
	'getNodeWebhooks',
	'evaluateDescriptionProperty',
	'evaluateSimpleWebhookDescriptionExpression',
	'getSimpleParameterValue',
	'getParameterValue',
	'runWebhook',
	'parseRequestBody',
	'receiveDelivery',
	'loadAuthSettings',
	'verifyWebhookRequest',
	'parseResultDelivery',
	'getNodeParameter',
	'returnJsonArray',
	'runWorkflow',
	'processRunExecutionData',
	'saveExecutionProgress',
	'updateExistingExecution',
	'createNewExecution',
	'stringify',
	'parse',
];

async function main(): Promise<void> {
	const extensionDir = fs.mkdtempSync(path.join(os.tmpdir(), 'itep-profile-extension-'));
	fs.copyFileSync(
		path.join(REPO_ROOT, 'bench', 'minimal-trigger', 'BenchMinimalTrigger.node.js'),
		path.join(extensionDir, 'BenchMinimalTrigger.node.js'),
	);
	const inspectPort = await freePort();
	let n8n: N8nInstance | undefined;
	try {
		n8n = await startN8n({
			version: '2.40.7',
			logLevel: 'warn',
			expect: { nodes: [ITEP_TRIGGER_NODE_TYPE, MINIMAL_TRIGGER_NODE_TYPE] },
			env: {
				EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
				EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
				EXECUTIONS_DATA_PRUNE: 'false',
				N8N_CUSTOM_EXTENSIONS: extensionDir,
				NODE_OPTIONS: `--inspect=127.0.0.1:${inspectPort}`,
				...(lazy ? { N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true' } : {}),
			},
		});
		const targets = [
			{
				key: 'trigger',
				workflow: triggerWorkflow('iTEP Trigger 1.1', 'p-trigger'),
				path: 'p-trigger',
			},
			{
				key: 'minimal',
				workflow: minimalTriggerWorkflow('minimal', 'p-minimal'),
				path: 'p-minimal',
			},
			{ key: 'webhook', workflow: webhookWorkflow('Webhook', 'p-webhook'), path: 'p-webhook' },
		];
		const form = encodeResultForm(sampleResultData());
		for (const target of targets) {
			const { id } = await n8n.api.createWorkflow(target.workflow);
			await n8n.api.activateWorkflow(id);
			await postLoad(`${n8n.baseUrl}/webhook/${target.path}`, form, RESULT_FORM_CONTENT_TYPE, {
				connections: 10,
				amount: 50,
				capMs: 60_000,
			});
		}
		process.stdout.write(`n8n ready (pid ${n8n.pid}); inspector on port ${inspectPort}\n`);
		const list = (await (
			await fetch(`http://127.0.0.1:${inspectPort}/json/list`)
		).json()) as Array<{
			webSocketDebuggerUrl: string;
		}>;
		const cdp = await inspector(list[0].webSocketDebuggerUrl);
		await cdp.send('Profiler.enable');
		await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
		const results: Array<{ key: string; perSecond: number; stats: ReturnType<typeof inclusive> }> =
			[];
		for (const target of targets) {
			await sleep(3000); // the previous target's executions finish outside this profile
			await cdp.send('Profiler.start');
			const load = await postLoad(
				`${n8n.baseUrl}/webhook/${target.path}`,
				form,
				RESULT_FORM_CONTENT_TYPE,
				{ connections: 10, amount: requests, capMs: 120_000 },
			);
			await sleep(2000); // executions still running after the last answer belong to this target
			const { profile } = await cdp.send<{ profile: Profile }>('Profiler.stop');
			const file = path.join(outDir, `p4-${lazy ? 'lazy' : 'defaults'}-${target.key}.cpuprofile`);
			fs.writeFileSync(file, JSON.stringify(profile));
			results.push({ key: target.key, perSecond: load.perSecond, stats: inclusive(profile) });
			process.stdout.write(
				`${target.key}: ${load.perSecond.toFixed(1)}/s (${load.ok}/${load.sent}), profile ${file}\n`,
			);
		}
		cdp.close();
		const rows = [['function (inclusive ms per delivery)', ...results.map((r) => r.key)]];
		rows.push([
			'busy (all non-idle samples)',
			...results.map((r) => (r.stats.totalMs / requests).toFixed(2)),
		]);
		for (const name of WATCH) {
			rows.push([
				name,
				...results.map((r) => ((r.stats.byName.get(name) ?? 0) / requests).toFixed(2)),
			]);
		}
		process.stdout.write(
			`\n${lazy ? 'lazy isolate acquisition' : 'n8n defaults'}, ${requests} deliveries each\n`,
		);
		for (const row of rows)
			process.stdout.write(
				`${row[0].padEnd(48)} ${row
					.slice(1)
					.map((c) => c.padStart(9))
					.join(' ')}\n`,
			);
		const top = (key: string) =>
			[...(results.find((r) => r.key === key)?.stats.byName ?? new Map<string, number>()).entries()]
				.sort((a, b) => b[1] - a[1])
				.slice(0, 40)
				.map(([name, ms]) => `${name} ${(ms / requests).toFixed(2)}`)
				.join('; ');
		for (const r of results) process.stdout.write(`\ntop ${r.key}: ${top(r.key)}\n`);
	} finally {
		await n8n?.stop();
		fs.rmSync(extensionDir, { recursive: true, force: true });
	}
}

main().catch((error: unknown) => {
	process.stderr.write(
		`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
	);
	process.exit(1);
});
