/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * `npm run bench` (scripts/bench.sh provisions n8n and packs the pack once, then runs this with tsx).
 * Prints ONE table and rewrites the "Latest results" section of BENCHMARKS.md. Timings are measured and
 * reported, never asserted; what IS checked is that every measured run did its work (1,000 test IDs really
 * provisioned, every webhook request really became an execution), because a benchmark of failures is worthless.
 *
 *   --rounds N     runs per measurement (default 3); medians are over these, ratios are paired within a round
 *   --requests N   webhook deliveries per P4 run (default 300; at 15-35 deliveries/s on the shared 2-core
 *                  machine, 2,000 per run would take the P4 rounds alone past 10 minutes)
 *   --no-write     print only, leave BENCHMARKS.md alone
 *   --only LIST    only these rows, e.g. `--only p4` or `--only p1,p2,p3,p4,p5` (P1 and P2 run together;
 *                  P2', P3', P5' go with p2, p3, p5)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { DEFAULT_SANDBOX_API_KEY } from '../sandbox/config';
import {
	encodeResultForm,
	RESULT_FORM_CONTENT_TYPE,
	sampleResultData,
} from '../sandbox/resultsData';
import {
	ITEP_NODE_TYPE,
	ITEP_TRIGGER_NODE_TYPE,
	REPO_ROOT,
	sleep,
	startN8n,
	waitFor,
	type N8nInstance,
	type WorkflowInput,
} from '../devkit/n8n';
import { floorLoop, runNodeInProcess, triggerCheckMicros } from './inProcess';
import {
	executionPage,
	postLoad,
	runTimed,
	sampleRss,
	startRssSampler,
	type LoadResult,
	type TimedRun,
} from './n8n';
import { writeLatestResults } from '../devkit/latestResults';
import { fmt, markdownTable, median, verdict, type Row } from './report';
import { assertProvisioned, startSandboxProcess, type SandboxProcess } from './sandbox';
import {
	diyWorkflow,
	itepWorkflow,
	MINIMAL_SENDER_NODE_TYPE,
	minimalSenderWorkflow,
	MINIMAL_TRIGGER_NODE_TYPE,
	minimalTriggerWorkflow,
	triggerWorkflow,
	webhookWorkflow,
} from './workflows';
import { heapAfterGc, inspectorUrl, INSPECTOR_ENV } from './heap';

const N8N_VERSION = '2.40.7';
const ITEMS = 1000;
const BIG_ITEMS = 10_000;
const LATENCY_MS = 25;
const TRIGGER_CHECK = { iterations: 100_000, maxMs: 5000 };
/** P2': the folder n8n loads the bench's minimal sender node from (N8N_CUSTOM_EXTENSIONS). */
const MINIMAL_NODE_DIR = path.join(REPO_ROOT, 'bench', 'minimal-node');
/** P3': the HTTP Request node's Options -> Batching of the batched DIY workflow. */
const DIY_BATCHING = { batchSize: 10, batchInterval: 0 };

const argv = process.argv.slice(2);
const option = (name: string) =>
	argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : undefined;
const rounds = option('--rounds') || 3;
const LOAD = { connections: 10, amount: option('--requests') || 300, capMs: 90_000 };
const write = !argv.includes('--no-write');
const only = argv.includes('--only')
	? new Set(
			(argv[argv.indexOf('--only') + 1] ?? '')
				.toLowerCase()
				.split(',')
				.map((id) => id.trim()),
		)
	: undefined;
/** Whether any of these rows (p1...p5) is to be measured. */
const selected = (...ids: string[]) => !only || ids.some((id) => only.has(id));

const loads: number[] = [];
const log = (message: string) => {
	loads.push(os.loadavg()[0]);
	process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
};

async function main(): Promise<void> {
	const benchStarted = performance.now();
	const machine = `${os.cpus().length} cores, ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GB RAM, bench on Node ${process.version}`;
	log(
		`machine: ${machine}; load ${os
			.loadavg()
			.map((l) => l.toFixed(2))
			.join(' ')}; ${rounds} rounds`,
	);

	const sandbox = await startSandboxProcess(BIG_ITEMS);
	const rows: Row[] = [];
	try {
		const n8n = await startBenchN8n(sandbox);
		try {
			rows.push(...(await measure(n8n, sandbox)));
		} finally {
			await n8n.stop();
		}
		if (selected('p5')) rows.push(...(await phase('P5', () => p5Reference(sandbox))));
	} finally {
		await sandbox.stop();
	}
	const table = markdownTable(rows);
	const totalS = Math.round((performance.now() - benchStarted) / 1000);
	const header = [
		`Command: \`npm run bench\` (${rounds} rounds), ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${totalS} s in all.`,
		`Machine: ${machine}; n8n ${N8N_VERSION} on Node 24 (provisioned in .cache), SQLite, execution data saved for every run.`,
		`1-min load average during the run: ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)} on ${os.cpus().length} cores (shared with other engineers' test runs).`,
	].join('\n');
	process.stdout.write(`\n${header}\n\n${table}\n`);
	if (write) {
		writeLatestResults(path.join(REPO_ROOT, 'BENCHMARKS.md'), `${header}\n\n${table}`);
		log('wrote the "Latest results" section of BENCHMARKS.md');
	}
}

/** A fresh n8n with the packed pack; the same execution-saving rules for every workflow (all saved, none pruned). */
async function startBenchN8n(sandbox: SandboxProcess): Promise<N8nInstance> {
	const n8n = await startN8n({
		version: N8N_VERSION,
		logLevel: 'warn',
		expect: { nodes: [ITEP_NODE_TYPE, ITEP_TRIGGER_NODE_TYPE, MINIMAL_SENDER_NODE_TYPE] },
		env: {
			EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
			EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
			EXECUTIONS_DATA_SAVE_MANUAL_EXECUTIONS: 'true',
			EXECUTIONS_DATA_PRUNE: 'false',
			// P2': the bench's own minimal node, loaded from a custom extensions folder (never packed or published).
			N8N_CUSTOM_EXTENSIONS: MINIMAL_NODE_DIR,
			// P5': the heap is read through the inspector (bench/heap.ts).
			...INSPECTOR_ENV,
		},
	});
	log(
		`n8n ${N8N_VERSION} ready in ${n8n.timings.readyMs} ms (pid ${n8n.pid}, sandbox ${sandbox.url})`,
	);
	return n8n;
}

/** Runs a phase; a failure becomes a FAILED row (never a number) and the other phases still run. */
async function phase(id: string, run: () => Promise<Row[]>): Promise<Row[]> {
	try {
		return await run();
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		log(`${id} FAILED: ${message}`);
		return [
			{
				id,
				what: 'phase failed',
				value: 'FAILED',
				runs: message.replace(/\s+/g, ' ').slice(0, 300),
				status: 'FAILED',
			},
		];
	}
}

interface Context {
	n8n: N8nInstance;
	sandbox: SandboxProcess;
	wf: Record<
		| 'itep1'
		| 'itep10'
		| 'itepDry'
		| 'diy'
		| 'big'
		| 'warmItep'
		| 'warmDiy'
		| 'minimal1'
		| 'minimal10'
		| 'diyBatched',
		string
	>;
	/** One manual run against a freshly reset sandbox, checked to have provisioned every item. */
	provisionRun(
		workflowId: string,
		items: number,
		what: string,
		latencyMs?: number,
	): Promise<TimedRun & { maxInFlight: number }>;
}

/** Every phase runs even if an earlier one failed; a failed phase is a FAILED row, never a number. */
async function measure(n8n: N8nInstance, sandbox: SandboxProcess): Promise<Row[]> {
	const itepCredential = await n8n.api.createItepCredential(
		{ apiKey: DEFAULT_SANDBOX_API_KEY, baseUrl: sandbox.url },
		'iTEP bench',
	);
	const cryptoCredential = await n8n.api.createCredential('HMAC bench', 'crypto', {
		hmacSecret: DEFAULT_SANDBOX_API_KEY,
	});
	const create = async (workflow: Parameters<N8nInstance['api']['createWorkflow']>[0]) =>
		(await n8n.api.createWorkflow(workflow)).id;
	const context: Context = {
		n8n,
		sandbox,
		wf: {
			itep1: await create(itepWorkflow('bench: iTEP, 1 at a time', ITEMS, itepCredential, 1)),
			itep10: await create(itepWorkflow('bench: iTEP, 10 at a time', ITEMS, itepCredential, 10)),
			itepDry: await create(itepWorkflow('bench: iTEP, Dry Run', ITEMS, itepCredential, 1, true)),
			diy: await create(
				diyWorkflow(
					'bench: DIY Code + Crypto + HTTP Request',
					ITEMS,
					cryptoCredential,
					sandbox.url,
				),
			),
			big: await create(itepWorkflow('bench: iTEP, 10,000 items', BIG_ITEMS, itepCredential, 10)),
			warmItep: await create(itepWorkflow('bench: warm-up iTEP', 50, itepCredential, 1)),
			warmDiy: await create(diyWorkflow('bench: warm-up DIY', 50, cryptoCredential, sandbox.url)),
			minimal1: await create(
				minimalSenderWorkflow('bench: minimal node, 1 at a time', ITEMS, itepCredential, 1),
			),
			minimal10: await create(
				minimalSenderWorkflow('bench: minimal node, 10 at a time', ITEMS, itepCredential, 10),
			),
			diyBatched: await create(
				diyWorkflow(
					'bench: DIY, HTTP Request batching 10',
					ITEMS,
					cryptoCredential,
					sandbox.url,
					DIY_BATCHING,
				),
			),
		},
		provisionRun: async (workflowId, items, what, latencyMs = 0) => {
			await sandbox.reset(latencyMs);
			const run = await runTimed(n8n, workflowId, { nodeTimes: true, timeoutMs: 300_000 });
			const stats = await sandbox.stats();
			assertProvisioned(stats, items, what);
			return { ...run, maxInFlight: stats.maxInFlight };
		},
	};

	if (selected('p1', 'p2', 'p3', 'p5')) {
		log('warm-up: both workflows (50 items) and the in-process paths');
		await context.provisionRun(context.wf.warmItep, 50, 'warm-up iTEP');
		await context.provisionRun(context.wf.warmDiy, 50, 'warm-up DIY');
		await sandbox.reset();
		await floorLoop(sandbox.url, 200, 1);
		await sandbox.reset();
		await runNodeInProcess(sandbox.url, 200, { maxConcurrency: 1 });
	}

	// P5 first, on a heap that no big run has grown yet; its rows are printed last.
	const p5Rows = selected('p5') ? await phase('P5', () => p5(context)) : [];
	return [
		...(selected('p1', 'p2') ? await phase('P1/P2', () => p1p2(context)) : []),
		...(selected('p2') ? await phase("P2'", () => p2Minimal(context)) : []),
		...(selected('p3') ? await phase('P3', () => p3(context)) : []),
		// P4 on two n8n instances of its own (defaults, lazy isolate acquisition); this one stays idle meanwhile.
		...(selected('p4') ? await phase('P4', () => p4()) : []),
		...p5Rows,
	];
}

/** Peak RSS growth of the n8n process (and its process group) while `run` runs, sampled every 100 ms. */
async function rssDuring<T>(n8n: N8nInstance, run: () => Promise<T>) {
	await sleep(1000);
	const before = sampleRss(n8n.pid);
	const stopSampling = startRssSampler(n8n.pid, 100);
	const result = await run().finally(() => sleep(500));
	const peak = stopSampling();
	return {
		result,
		before,
		peak,
		mainGrowth: peak.mainMb - before.mainMb,
		groupGrowth: peak.groupMb - before.groupMb,
	};
}

/** P5': what p5 measured on the iTEP run, for the comparison with the DIY reference in the same bench run. */
const p5Itep = { mainGrowthMb: NaN };

/** P5': settle time after a big run before the heap is collected and read (n8n finishes saving and pushing). */
const HEAP_SETTLE_MS = 2000;

async function p5({ n8n, sandbox, wf }: Context): Promise<Row[]> {
	log(
		`P5: ${BIG_ITEMS.toLocaleString('en-US')} items through the iTEP node (Max Concurrent 10), sampling RSS every 100 ms`,
	);
	await sandbox.reset();
	const inspector = inspectorUrl(n8n.log());
	const heapBefore = await heapAfterGc(inspector);
	// No node times here: reading a 10,000-item execution back through the REST API would itself grow n8n's RSS.
	const {
		result: big,
		before,
		peak,
		mainGrowth,
		groupGrowth,
	} = await rssDuring(n8n, () => runTimed(n8n, wf.big, { timeoutMs: 300_000 }));
	assertProvisioned(await sandbox.stats(), BIG_ITEMS, 'P5');
	await sleep(HEAP_SETTLE_MS);
	const heapAfter = await heapAfterGc(inspector);
	const retained = heapAfter.usedMb - heapBefore.usedMb;
	p5Itep.mainGrowthMb = mainGrowth;
	log(
		`P5: main RSS ${fmt.mb(before.mainMb)} -> peak ${fmt.mb(peak.mainMb)} in ${fmt.ms(big.durationMs)}; ` +
			`JS heap after GC ${fmt.mb(heapBefore.usedMb)} -> ${fmt.mb(heapAfter.usedMb)}`,
	);
	return [
		{
			id: 'P5',
			what: `n8n main process peak RSS growth, ${BIG_ITEMS.toLocaleString('en-US')} items through the iTEP node, Max Concurrent 10 (run ${fmt.ms(big.durationMs)}; RSS ${fmt.mb(before.mainMb)} → peak ${fmt.mb(peak.mainMb)}, ${peak.samples} samples)`,
			value: fmt.mb(mainGrowth),
			runs: '1 run',
			goal: '< 100 MB',
			status: verdict(mainGrowth, { max: 100 }, fmt.mb),
		},
		{
			id: 'P5',
			what: `same run, whole n8n process group incl. the Code node's task runner (${fmt.mb(before.groupMb)} → ${fmt.mb(peak.groupMb)})`,
			value: fmt.mb(groupGrowth),
			runs: '1 run',
		},
		{
			id: "P5'",
			what: `same run: n8n main process JS heap retained after a forced GC (inspector), after the run − before it (${fmt.mb(heapBefore.usedMb)} → ${fmt.mb(heapAfter.usedMb)})`,
			value: fmt.mb(retained),
			runs: '1 run',
			goal: '≤ 30 MB',
			status: verdict(retained, { max: 30 }, fmt.mb),
		},
	];
}

/** Reference for P5: the DIY workflow with 10,000 items, in a fresh n8n (a heap grown by one run would flatter the other). */
async function p5Reference(sandbox: SandboxProcess): Promise<Row[]> {
	log(
		`P5 reference: ${BIG_ITEMS.toLocaleString('en-US')} items through the DIY workflow, in a fresh n8n`,
	);
	const n8n = await startBenchN8n(sandbox);
	try {
		const crypto = await n8n.api.createCredential('HMAC bench', 'crypto', {
			hmacSecret: DEFAULT_SANDBOX_API_KEY,
		});
		const warm = (
			await n8n.api.createWorkflow(diyWorkflow('bench: warm-up DIY', 50, crypto, sandbox.url))
		).id;
		const big = (
			await n8n.api.createWorkflow(
				diyWorkflow('bench: DIY, 10,000 items', BIG_ITEMS, crypto, sandbox.url),
			)
		).id;
		await sandbox.reset();
		await runTimed(n8n, warm);
		assertProvisioned(await sandbox.stats(), 50, 'P5 reference warm-up');
		await sandbox.reset();
		// Measured exactly as the iTEP run: a forced GC and heap reading, then RSS sampled through the run.
		const inspector = inspectorUrl(n8n.log());
		const heapBefore = await heapAfterGc(inspector);
		const { result, before, peak, mainGrowth } = await rssDuring(n8n, () =>
			runTimed(n8n, big, { timeoutMs: 300_000 }),
		);
		assertProvisioned(await sandbox.stats(), BIG_ITEMS, 'P5 reference DIY');
		await sleep(HEAP_SETTLE_MS);
		const heapAfter = await heapAfterGc(inspector);
		const ratio = p5Itep.mainGrowthMb / mainGrowth;
		return [
			{
				id: 'P5',
				what: `reference: DIY workflow, ${BIG_ITEMS.toLocaleString('en-US')} items (HTTP Request all at once), fresh n8n: main process peak RSS growth (run ${fmt.ms(result.durationMs)}; ${fmt.mb(before.mainMb)} → ${fmt.mb(peak.mainMb)})`,
				value: fmt.mb(mainGrowth),
				runs: '1 run',
			},
			{
				id: "P5'",
				what: `reference: DIY run's JS heap retained after a forced GC (${fmt.mb(heapBefore.usedMb)} → ${fmt.mb(heapAfter.usedMb)})`,
				value: fmt.mb(heapAfter.usedMb - heapBefore.usedMb),
				runs: '1 run',
			},
			{
				id: "P5'",
				what: `peak RSS growth of the main process, iTEP run / DIY run, same bench run (${fmt.mb(p5Itep.mainGrowthMb)} / ${fmt.mb(mainGrowth)})`,
				value: fmt.x(ratio),
				runs: '1 run each',
				goal: '≤ 1.0x',
				status: verdict(ratio, { max: 1 }, fmt.x),
			},
		];
	} finally {
		await n8n.stop();
	}
}

async function p1p2({ n8n, sandbox, wf, provisionRun }: Context): Promise<Row[]> {
	const p1 = {
		itep1: [] as number[],
		itep10: [] as number[],
		diy: [] as number[],
		r1: [] as number[],
		r10: [] as number[],
	};
	const p2 = {
		floor1: [] as number[],
		floor10: [] as number[],
		f1: [] as number[],
		f10: [] as number[],
		perItem: [] as number[],
		dry: [] as number[],
		n8nDry: [] as number[],
	};
	for (let round = 1; round <= rounds; round++) {
		log(
			`P1/P2 round ${round}/${rounds}: iTEP (1 at a time), DIY, iTEP (10 at a time), floor, in-process`,
		);
		const itep1 = await provisionRun(wf.itep1, ITEMS, 'P1 iTEP, 1 at a time');
		const diy = await provisionRun(wf.diy, ITEMS, 'P1 DIY');
		const itep10 = await provisionRun(wf.itep10, ITEMS, 'P1 iTEP, 10 at a time');
		p1.itep1.push(itep1.durationMs);
		p1.diy.push(diy.durationMs);
		p1.itep10.push(itep10.durationMs);
		p1.r1.push(itep1.durationMs / diy.durationMs);
		p1.r10.push(itep10.durationMs / diy.durationMs);

		await sandbox.reset();
		const floor1 = await floorLoop(sandbox.url, ITEMS, 1);
		assertProvisioned(await sandbox.stats(), ITEMS, 'P2 floor, 1 at a time');
		await sandbox.reset();
		const floor10 = await floorLoop(sandbox.url, ITEMS, 10);
		assertProvisioned(await sandbox.stats(), ITEMS, 'P2 floor, 10 at a time');
		// The node's parameter, validation and signing work in real n8n, nothing sent: its serial first phase.
		const dry = await runTimed(n8n, wf.itepDry, { nodeTimes: true });
		p2.n8nDry.push((dry.nodeMs.iTEP / ITEMS) * 1000);
		p2.floor1.push(floor1);
		p2.floor10.push(floor10);
		p2.f1.push(itep1.nodeMs.iTEP / floor1);
		p2.f10.push(itep10.nodeMs.iTEP / floor10);

		await sandbox.reset();
		const inProcess = await runNodeInProcess(sandbox.url, ITEMS, { maxConcurrency: 1 });
		assertProvisioned(await sandbox.stats(), ITEMS, 'P2 runNode');
		await sandbox.reset();
		const rawLoop = await floorLoop(sandbox.url, ITEMS, 1);
		p2.perItem.push(((inProcess - rawLoop) / ITEMS) * 1000);
		p2.dry.push(((await runNodeInProcess(sandbox.url, ITEMS, { dryRun: true })) / ITEMS) * 1000);
		log(
			`  iTEP(1) ${fmt.ms(itep1.durationMs)} [node ${fmt.ms(itep1.nodeMs.iTEP)}], DIY ${fmt.ms(diy.durationMs)} ` +
				`[${['Build body', 'Crypto', 'HTTP Request'].map((node) => `${node} ${fmt.ms(diy.nodeMs[node])}`).join(', ')}], ` +
				`iTEP(10) ${fmt.ms(itep10.durationMs)} [node ${fmt.ms(itep10.nodeMs.iTEP)}], floor ${fmt.ms(floor1)} / ${fmt.ms(floor10)}, ` +
				`runNode ${fmt.ms(inProcess)} vs raw ${fmt.ms(rawLoop)}, Dry Run in n8n ${fmt.us(p2.n8nDry[p2.n8nDry.length - 1])}/item`,
		);
	}
	const r1 = median(p1.r1);
	const r10 = median(p1.r10);
	const f1 = median(p2.f1);
	const f10 = median(p2.f10);
	return [
		{
			id: 'P1',
			what: `iTEP node, ${ITEMS.toLocaleString('en-US')} GTX, Max Concurrent 1 (default): execution duration`,
			value: fmt.ms(median(p1.itep1)),
			runs: fmt.list(p1.itep1, fmt.ms),
		},
		{
			id: 'P1',
			what: 'iTEP node, Max Concurrent 10',
			value: fmt.ms(median(p1.itep10)),
			runs: fmt.list(p1.itep10, fmt.ms),
		},
		{
			id: 'P1',
			what: 'DIY: Code → Crypto HMAC → HTTP Request (its default: all items at once)',
			value: fmt.ms(median(p1.diy)),
			runs: fmt.list(p1.diy, fmt.ms),
		},
		{
			id: 'P1',
			what: 'iTEP (1 at a time) / DIY, paired per round',
			value: fmt.x(r1),
			runs: fmt.list(p1.r1, fmt.x),
			goal: '≤ 1.0x',
			status: verdict(r1, { max: 1 }, fmt.x),
		},
		{
			id: 'P1',
			what: 'iTEP (10 at a time) / DIY, paired per round',
			value: fmt.x(r10),
			runs: fmt.list(p1.r10, fmt.x),
			goal: '≤ 1.0x',
			status: verdict(r10, { max: 1 }, fmt.x),
		},
		{
			id: 'P2',
			what: 'floor: plain Node loop, keep-alive, pack signing, 1 at a time',
			value: fmt.ms(median(p2.floor1)),
			runs: fmt.list(p2.floor1, fmt.ms),
		},
		{
			id: 'P2',
			what: 'floor, 10 at a time',
			value: fmt.ms(median(p2.floor10)),
			runs: fmt.list(p2.floor10, fmt.ms),
		},
		{
			id: 'P2',
			what: 'iTEP node time in n8n (its executionTime) / floor, 1 at a time',
			value: fmt.x(f1),
			runs: fmt.list(p2.f1, fmt.x),
			goal: '≤ 2.0x',
			status: verdict(f1, { max: 2 }, fmt.x),
		},
		{
			id: 'P2',
			what: 'iTEP node time / floor, 10 at a time',
			value: fmt.x(f10),
			runs: fmt.list(p2.f10, fmt.x),
			goal: '≤ 2.0x',
			status: verdict(f10, { max: 2 }, fmt.x),
		},
		{
			id: 'P2',
			what: 'iTEP node in n8n with Dry Run (parameters incl. 3 expressions, validate, sign; nothing sent): node time per item',
			value: fmt.us(median(p2.n8nDry)),
			runs: fmt.list(p2.n8nDry, fmt.us),
		},
		{
			id: 'P2',
			what: 'in-process overhead per item: runNode (n8n-core ExecuteContext) − raw loop, 1 at a time',
			value: fmt.us(median(p2.perItem)),
			runs: fmt.list(p2.perItem, fmt.us),
		},
		{
			id: 'P2',
			what: 'in-process dry run per item (parameters, validate, sign; no network)',
			value: fmt.us(median(p2.dry)),
			runs: fmt.list(p2.dry, fmt.us),
		},
	];
}

/**
 * P2': the iTEP node against the bench's minimal sender node (bench/minimal-node/) in the same n8n: node time
 * (n8n's executionTime) at Max Concurrent 1 and 10, paired within a round; the order alternates by round.
 */
async function p2Minimal({ wf, provisionRun }: Context): Promise<Row[]> {
	const runs = {
		itep1: [] as number[],
		itep10: [] as number[],
		minimal1: [] as number[],
		minimal10: [] as number[],
		r1: [] as number[],
		r10: [] as number[],
	};
	for (let round = 1; round <= rounds; round++) {
		log(`P2' round ${round}/${rounds}: iTEP node and minimal node, 1 then 10 at a time`);
		for (const limit of [1, 10] as const) {
			const pair = {
				itep: () => provisionRun(wf[`itep${limit}`], ITEMS, `P2' iTEP, ${limit} at a time`),
				minimal: () =>
					provisionRun(wf[`minimal${limit}`], ITEMS, `P2' minimal node, ${limit} at a time`),
			};
			const itepFirst = round % 2 === 1;
			const first = await (itepFirst ? pair.itep() : pair.minimal());
			const second = await (itepFirst ? pair.minimal() : pair.itep());
			const itep = (itepFirst ? first : second).nodeMs.iTEP;
			const minimal = (itepFirst ? second : first).nodeMs.Minimal;
			runs[`itep${limit}`].push(itep);
			runs[`minimal${limit}`].push(minimal);
			runs[`r${limit}`].push(itep / minimal);
			log(
				`  ${limit} at a time: iTEP node ${fmt.ms(itep)}, minimal node ${fmt.ms(minimal)} (${fmt.x(itep / minimal)})`,
			);
		}
	}
	const r1 = median(runs.r1);
	const r10 = median(runs.r10);
	return [
		{
			id: "P2'",
			what: `minimal node of the bench's own in n8n (one signed POST per item through this.helpers.httpRequest, same body and 3 expressions, no validation): node time, ${ITEMS.toLocaleString('en-US')} items, 1 at a time (iTEP node in the same rounds: ${fmt.list(runs.itep1, fmt.ms)})`,
			value: fmt.ms(median(runs.minimal1)),
			runs: fmt.list(runs.minimal1, fmt.ms),
		},
		{
			id: "P2'",
			what: `minimal node, 10 at a time (iTEP node: ${fmt.list(runs.itep10, fmt.ms)})`,
			value: fmt.ms(median(runs.minimal10)),
			runs: fmt.list(runs.minimal10, fmt.ms),
		},
		{
			id: "P2'",
			what: 'iTEP node time / minimal node time, 1 at a time, paired per round',
			value: fmt.x(r1),
			runs: fmt.list(runs.r1, fmt.x),
			goal: '≤ 1.2x',
			status: verdict(r1, { max: 1.2 }, fmt.x),
		},
		{
			id: "P2'",
			what: 'iTEP node time / minimal node time, 10 at a time, paired per round',
			value: fmt.x(r10),
			runs: fmt.list(runs.r10, fmt.x),
			goal: '≤ 1.2x',
			status: verdict(r10, { max: 1.2 }, fmt.x),
		},
	];
}

async function p3({ wf, provisionRun }: Context): Promise<Row[]> {
	const runs = {
		one: [] as number[],
		ten: [] as number[],
		speedup: [] as number[],
		inFlight1: [] as number[],
		inFlight10: [] as number[],
		// P3': the DIY workflow with the HTTP Request node's batching, paired with the 10-at-a-time iTEP run.
		diyBatched: [] as number[],
		inFlightDiy: [] as number[],
		vsDiy: [] as number[],
	};
	for (let round = 1; round <= rounds; round++) {
		log(
			`P3 round ${round}/${rounds}: ${LATENCY_MS} ms sandbox latency, Max Concurrent 1 then 10, then DIY with batching ${DIY_BATCHING.batchSize}`,
		);
		const one = await provisionRun(wf.itep1, ITEMS, 'P3 Max Concurrent 1', LATENCY_MS);
		const ten = await provisionRun(wf.itep10, ITEMS, 'P3 Max Concurrent 10', LATENCY_MS);
		const diy = await provisionRun(wf.diyBatched, ITEMS, "P3' DIY, batching", LATENCY_MS);
		runs.one.push(one.durationMs);
		runs.ten.push(ten.durationMs);
		runs.speedup.push(one.durationMs / ten.durationMs);
		runs.inFlight1.push(one.maxInFlight);
		runs.inFlight10.push(ten.maxInFlight);
		runs.diyBatched.push(diy.durationMs);
		runs.inFlightDiy.push(diy.maxInFlight);
		runs.vsDiy.push(ten.durationMs / diy.durationMs);
		log(
			`  1 at a time ${fmt.ms(one.durationMs)} (maxInFlight ${one.maxInFlight}), 10 at a time ${fmt.ms(ten.durationMs)} (maxInFlight ${ten.maxInFlight}), ` +
				`DIY batching ${DIY_BATCHING.batchSize} ${fmt.ms(diy.durationMs)} (maxInFlight ${diy.maxInFlight})`,
		);
	}
	const speedup = median(runs.speedup);
	const vsDiy = median(runs.vsDiy);
	const maxInFlight = Math.max(...runs.inFlight10);
	return [
		{
			id: 'P3',
			what: `${LATENCY_MS} ms per request, Max Concurrent 1 (sandbox maxInFlight ${Math.max(...runs.inFlight1)})`,
			value: fmt.ms(median(runs.one)),
			runs: fmt.list(runs.one, fmt.ms),
		},
		{
			id: 'P3',
			what: `Max Concurrent 10 (sandbox maxInFlight ${runs.inFlight10.join(', ')})`,
			value: fmt.ms(median(runs.ten)),
			runs: fmt.list(runs.ten, fmt.ms),
			goal: 'maxInFlight ≤ 10',
			status: maxInFlight <= 10 ? 'met' : `MISSED (${maxInFlight})`,
		},
		{
			id: 'P3',
			what: 'speed-up 10 vs 1, paired per round',
			value: fmt.x(speedup),
			runs: fmt.list(runs.speedup, fmt.x),
			goal: '≥ 8x',
			status: verdict(speedup, { min: 8 }, fmt.x),
		},
		{
			id: "P3'",
			what: `DIY with the HTTP Request node's Batching (${DIY_BATCHING.batchSize} items per batch, interval ${DIY_BATCHING.batchInterval} ms), ${LATENCY_MS} ms per request (sandbox maxInFlight ${runs.inFlightDiy.join(', ')})`,
			value: fmt.ms(median(runs.diyBatched)),
			runs: fmt.list(runs.diyBatched, fmt.ms),
		},
		{
			id: "P3'",
			what: `iTEP (Max Concurrent 10) / DIY with batching ${DIY_BATCHING.batchSize}, paired per round`,
			value: fmt.x(vsDiy),
			runs: fmt.list(runs.vsDiy, fmt.x),
			goal: '≤ 1.0x',
			status: verdict(vsDiy, { max: 1 }, fmt.x),
		},
	];
}

// ---- P4: webhook deliveries answered per second ----------------------------------------------------------

type P4Key = 'trigger' | 'triggerV1' | 'minimal' | 'webhook';

interface P4Target {
	key: P4Key;
	workflowId: string;
	url: string;
}

interface P4Runs {
	perSecond: number[];
	created: string[];
	p99: number[];
	drainS: number[];
}

/** One n8n for P4: its targets and every load measured on them, by target. */
interface P4Instance {
	n8n: N8nInstance;
	targets: P4Target[];
	runs: Record<P4Key, P4Runs>;
}

const MINIMAL_TRIGGER_FILE = path.join(
	REPO_ROOT,
	'bench',
	'minimal-trigger',
	'BenchMinimalTrigger.node.js',
);

/**
 * P4' is loaded as a custom extension (N8N_CUSTOM_EXTENSIONS: n8n-core's CustomDirectoryLoader loads every
 * `**\/*.node.js` of the folder, as type `CUSTOM.<name>`). The file is copied to a folder outside the repository
 * so that its `require('n8n-workflow')` finds n8n's own copy (n8n puts its module paths on NODE_PATH), as an
 * installed community package does, not the repository's dev dependency.
 */
function minimalTriggerExtension(): { dir: string; remove(): void } {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itep-bench-extension-'));
	fs.copyFileSync(MINIMAL_TRIGGER_FILE, path.join(dir, path.basename(MINIMAL_TRIGGER_FILE)));
	return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A fresh n8n for P4 with the packed pack and the minimal trigger, with the execution-saving rules of
 * startBenchN8n. `lazy` sets N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true (n8n creates an expression isolate only
 * when an expression is evaluated); otherwise n8n's defaults (the devkit strips N8N_* from the bench's own env).
 */
async function startP4N8n(extensionDir: string, lazy: boolean): Promise<N8nInstance> {
	const n8n = await startN8n({
		version: N8N_VERSION,
		logLevel: 'warn',
		expect: { nodes: [ITEP_TRIGGER_NODE_TYPE, MINIMAL_TRIGGER_NODE_TYPE] },
		env: {
			EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
			EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
			EXECUTIONS_DATA_SAVE_MANUAL_EXECUTIONS: 'true',
			EXECUTIONS_DATA_PRUNE: 'false',
			N8N_CUSTOM_EXTENSIONS: extensionDir,
			...(lazy ? { N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true' } : {}),
		},
	});
	log(
		`P4: n8n ${N8N_VERSION} (${lazy ? 'N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true' : 'defaults'}) ready in ${n8n.timings.readyMs} ms (pid ${n8n.pid})`,
	);
	return n8n;
}

const P4_WORKFLOWS: Record<P4Key, { path: string; workflow: () => WorkflowInput }> = {
	trigger: {
		path: 'bench-itep-results',
		workflow: () => triggerWorkflow('bench: iTEP Trigger 1.1', 'bench-itep-results'),
	},
	triggerV1: {
		path: 'bench-itep-results-v1',
		workflow: () => triggerWorkflow('bench: iTEP Trigger 1', 'bench-itep-results-v1', 1),
	},
	minimal: {
		path: 'bench-minimal-trigger',
		workflow: () => minimalTriggerWorkflow('bench: minimal trigger', 'bench-minimal-trigger'),
	},
	webhook: {
		path: 'bench-webhook',
		workflow: () => webhookWorkflow('bench: Webhook node', 'bench-webhook'),
	},
};

/** Publishes one workflow per target, checks each answers a delivery as expected, then warms each up. */
async function p4Instance(n8n: N8nInstance, keys: P4Key[], form: string): Promise<P4Instance> {
	const targets: P4Target[] = [];
	for (const key of keys) {
		const { id } = await n8n.api.createWorkflow(P4_WORKFLOWS[key].workflow());
		await n8n.api.activateWorkflow(id);
		targets.push({ key, workflowId: id, url: `${n8n.baseUrl}/webhook/${P4_WORKFLOWS[key].path}` });
	}
	for (const target of targets) {
		const answer = await n8n.http('POST', new URL(target.url).pathname, form, {
			'content-type': RESULT_FORM_CONTENT_TYPE,
		});
		// The triggers answer {received, started}; the Webhook node its own message.
		if (
			answer.status !== 200 ||
			(target.key !== 'webhook' && !(answer.json as { started?: boolean })?.started)
		) {
			throw new Error(
				`${target.key} preflight answered ${answer.status} ${answer.text.slice(0, 200)}`,
			);
		}
		await postLoad(target.url, form, RESULT_FORM_CONTENT_TYPE, { ...LOAD, amount: 50 });
	}
	const runs = Object.fromEntries(
		keys.map((key) => [key, { perSecond: [], created: [], p99: [], drainS: [] }]),
	) as unknown as Record<P4Key, P4Runs>;
	return { n8n, targets, runs };
}

/**
 * One measured load on one target: a fixed number of deliveries, then a bounded wait until n8n has finished
 * exactly one successful execution per answered request. Anything else throws (the phase fails).
 */
async function p4Load(
	n8n: N8nInstance,
	target: P4Target,
	form: string,
): Promise<LoadResult & { drainMs: number }> {
	const finished = async (workflowId: string, status?: string[]) =>
		(await executionPage(n8n, { workflowId, ...(status ? { status } : {}) }, 1)).count;
	// Wait until the previous run's executions (and the warm-up's) are all finished: counts start clean.
	const baseline = await waitFor(
		`${target.key} idle`,
		async () => {
			const page = await executionPage(n8n, { workflowId: target.workflowId }, 20);
			return page.results.some(
				(execution) => execution.status === 'new' || execution.status === 'running',
			)
				? undefined
				: page.count;
		},
		{ timeoutMs: 60_000, intervalMs: 250 },
	);
	const baselineOk = await finished(target.workflowId, ['success']);
	const load = await postLoad(target.url, form, RESULT_FORM_CONTENT_TYPE, LOAD);
	const loadEnded = performance.now();
	const done = await waitFor(
		`${target.key} executions`,
		async () => {
			const count = (await finished(target.workflowId)) - baseline;
			return count >= load.ok || performance.now() - loadEnded > 60_000 ? count : undefined;
		},
		{ timeoutMs: 90_000, intervalMs: 250 },
	);
	const ok = (await finished(target.workflowId, ['success'])) - baselineOk;
	if (load.sent !== LOAD.amount || load.ok !== load.sent || done !== load.ok || ok !== load.ok) {
		throw new Error(
			`${target.key}: ${load.sent} of ${LOAD.amount} sent (cap ${LOAD.capMs / 1000} s), ${load.ok} answered 2xx ` +
				`(${load.non2xx} non-2xx, ${load.errors} errors), ${done} executions finished, ${ok} successful`,
		);
	}
	return { ...load, drainMs: performance.now() - loadEnded };
}

async function p4(): Promise<Row[]> {
	const form = encodeResultForm(sampleResultData());
	const extension = minimalTriggerExtension();
	const started: N8nInstance[] = [];
	try {
		// Both instances up at once; within a round every target of both is measured, in an order that rotates
		// from round to round so no target always runs first (or right after the other instance's burst).
		const [defaultsN8n, lazyN8n] = await Promise.all(
			[false, true].map(async (lazy) => {
				const n8n = await startP4N8n(extension.dir, lazy);
				started.push(n8n);
				return n8n;
			}),
		);
		const defaults = await p4Instance(defaultsN8n, ['trigger', 'minimal', 'webhook'], form);
		const lazy = await p4Instance(lazyN8n, ['trigger', 'triggerV1', 'minimal', 'webhook'], form);
		const ratios = {
			defaultsMinimal: [] as number[],
			defaultsWebhook: [] as number[],
			lazyWebhook: [] as number[],
			lazyV1Webhook: [] as number[],
			lazyMinimalWebhook: [] as number[],
		};
		for (let round = 1; round <= rounds; round++) {
			log(
				`P4 round ${round}/${rounds}: ${LOAD.amount} form deliveries over ${LOAD.connections} connections per target; defaults, then lazy isolate acquisition`,
			);
			const perSecond = { defaults: {}, lazy: {} } as Record<
				'defaults' | 'lazy',
				Partial<Record<P4Key, number>>
			>;
			for (const [name, instance] of [
				['defaults', defaults],
				['lazy', lazy],
			] as const) {
				const shift = (round - 1) % instance.targets.length;
				const order = [...instance.targets.slice(shift), ...instance.targets.slice(0, shift)];
				for (const target of order) {
					const load = await p4Load(instance.n8n, target, form);
					const runs = instance.runs[target.key];
					runs.perSecond.push(load.perSecond);
					runs.created.push(`${load.ok}/${load.sent}`);
					runs.p99.push(load.p99Ms);
					runs.drainS.push(load.drainMs / 1000);
					perSecond[name][target.key] = load.perSecond;
					log(
						`  ${name} ${target.key}: ${fmt.perS(load.perSecond)}, p50 ${fmt.ms(load.p50Ms)}, p99 ${fmt.ms(load.p99Ms)}, executions ${load.ok}/${load.sent}`,
					);
				}
			}
			const d = perSecond.defaults;
			const l = perSecond.lazy;
			const ratio = (a?: number, b?: number) => (a ?? NaN) / (b ?? NaN);
			ratios.defaultsMinimal.push(ratio(d.trigger, d.minimal));
			ratios.defaultsWebhook.push(ratio(d.trigger, d.webhook));
			ratios.lazyWebhook.push(ratio(l.trigger, l.webhook));
			ratios.lazyV1Webhook.push(ratio(l.triggerV1, l.webhook));
			ratios.lazyMinimalWebhook.push(ratio(l.minimal, l.webhook));
		}
		return p4Rows(defaults, lazy, ratios);
	} finally {
		await Promise.all(started.map((n8n) => n8n.stop()));
		extension.remove();
	}
}

function p4Rows(
	defaults: P4Instance,
	lazy: P4Instance,
	ratios: Record<
		'defaultsMinimal' | 'defaultsWebhook' | 'lazyWebhook' | 'lazyV1Webhook' | 'lazyMinimalWebhook',
		number[]
	>,
): Row[] {
	log(
		`P4: trigger verify + parse in-process (up to ${TRIGGER_CHECK.iterations.toLocaleString('en-US')} iterations or ${TRIGGER_CHECK.maxMs / 1000} s each)`,
	);
	const checkNone = triggerCheckMicros('none', TRIGGER_CHECK.iterations, TRIGGER_CHECK.maxMs);
	const checkHmac = triggerCheckMicros('hmac', TRIGGER_CHECK.iterations, TRIGGER_CHECK.maxMs);
	const rate = (id: string, what: string, runs: P4Runs): Row => ({
		id,
		what: `${what}: deliveries/s answered; executions/requests ${runs.created.join(', ')}; p99 ${fmt.list(runs.p99, fmt.ms)}; all executions finished ≤ ${Math.max(...runs.drainS).toFixed(1)} s after the last answer`,
		value: fmt.perS(median(runs.perSecond)),
		runs: fmt.list(runs.perSecond, fmt.perS),
	});
	const ratioRow = (id: string, what: string, values: number[], min?: number): Row => ({
		id,
		what: `${what}, paired per round`,
		value: fmt.x(median(values)),
		runs: fmt.list(values, fmt.x),
		...(min === undefined
			? {}
			: { goal: `≥ ${min}x`, status: verdict(median(values), { min }, fmt.x) }),
	});
	const TRIGGER = 'iTEP Trigger 1.1 (auth none, event completed, repeat suppression off)';
	return [
		rate('P4', `n8n defaults: ${TRIGGER}`, defaults.runs.trigger),
		rate(
			"P4'",
			'n8n defaults: minimal trigger of the bench (same webhook registration, no verification or parsing)',
			defaults.runs.minimal,
		),
		rate(
			'P4',
			`n8n defaults: Webhook node (POST, onReceived), same form body, ${LOAD.connections} connections × ${LOAD.amount} requests`,
			defaults.runs.webhook,
		),
		ratioRow("P4'", 'n8n defaults: iTEP Trigger / minimal trigger', ratios.defaultsMinimal, 0.95),
		ratioRow('P4', 'n8n defaults: iTEP Trigger / Webhook node', ratios.defaultsWebhook, 0.9),
		rate('P4', `lazy isolate acquisition: ${TRIGGER}`, lazy.runs.trigger),
		rate('P4', 'lazy isolate acquisition: iTEP Trigger 1 (saved workflows)', lazy.runs.triggerV1),
		rate("P4'", 'lazy isolate acquisition: minimal trigger', lazy.runs.minimal),
		rate('P4', 'lazy isolate acquisition: Webhook node', lazy.runs.webhook),
		ratioRow(
			'P4',
			'lazy isolate acquisition: iTEP Trigger / Webhook node',
			ratios.lazyWebhook,
			0.95,
		),
		ratioRow('P4', 'lazy isolate acquisition: iTEP Trigger 1 / Webhook node', ratios.lazyV1Webhook),
		ratioRow(
			"P4'",
			'lazy isolate acquisition: minimal trigger / Webhook node',
			ratios.lazyMinimalWebhook,
		),
		{
			id: 'P4',
			what: 'trigger verify + parse per delivery, in-process (auth none / HMAC)',
			value: `${fmt.us(checkNone.micros)} / ${fmt.us(checkHmac.micros)}`,
			runs: `${checkNone.iterations.toLocaleString('en-US')} / ${checkHmac.iterations.toLocaleString('en-US')} iterations`,
		},
	];
}

main().catch((error: unknown) => {
	process.stderr.write(
		`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
	);
	process.exit(1);
});
