/* eslint-disable @n8n/community-nodes/require-node-api-error -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * Part 2: the action node's fault matrix in real n8n. One n8n (the packed pack installed as a community package)
 * and one in-process sandbox; for Max Concurrent Requests 1 and 10, a Code node hands N items to the iTEP node
 * (GTX, Assigned To from the item, Timeout 3 s, On Error: Continue) while a sandbox knob injects one fault
 * spread through the run: HTTP 429, 500, 503, a connection dropped before or after provisioning, a server that
 * never answers (the node's timeout fires), latency spikes. Plus one run with the default stop-on-error.
 *
 * Each run is read back from n8n's stored execution (REST API) and checked against the sandbox's own ledger (its
 * request log and its inventory, where a provisioned test ID carries the request's sequence): every item
 * reports; the test IDs the run reports are exactly those the sandbox answered with; every test ID the sandbox
 * provisioned is either reported or belongs to an item reported "unknown"; every request left unanswered is
 * reported unknown, never as a safe failure; a definite failure provisioned nothing; no sequence arrived twice.
 */
import { applyKnobs } from '../sandbox/admin';
import { FULFILLMENT_PATH } from '../sandbox/itepDocument';
import { startSandbox, type RunningSandbox } from '../sandbox/server';
import type { RequestLogEntry } from '../sandbox/state';
import {
	chain,
	firstRun,
	ITEP_CREDENTIAL_TYPE,
	ITEP_NODE_TYPE,
	manualTrigger,
	sleep,
	startN8n,
	type CredentialRef,
	type N8nInstance,
	type WorkflowNode,
} from '../devkit/n8n';
import type { ReliabilityPart, ReliabilityRow } from './types';

const PART = '2 fault matrix';
const API_KEY = 'reliability-faults-key';
const PRODUCT_CODE = 'GTX-Academic-Plus';
/** The node's per-item Timeout option: short, so the hang case ends quickly, far above a normal answer. */
export const FAULT_TIMEOUT_MS = 3000;
/** What a latency spike adds: well under the timeout, so a spike slows the run and fails nothing. */
export const SPIKE_MS = 1000;
export const CONCURRENCIES = [1, 10] as const;

/** How the node must report the items a fault hit. */
type Expected = 'rejected' | 'unknown' | 'provisioned';

interface Fault {
	key: string;
	/** e.g. "HTTP 429": the fault, in the scenario text and the result. */
	label: string;
	knobs(count: number, every: number): Record<string, unknown>;
	/** How the node must report a hit item. */
	expected: Expected;
	/** Whether the sandbox provisions the hit request before the fault (its test ID is spent). */
	provisions: boolean;
}

export const FAULTS: Fault[] = [
	{
		key: '429',
		label: 'HTTP 429',
		knobs: (count, every) => ({ failNext: { count, every, status: 429 } }),
		expected: 'rejected',
		provisions: false,
	},
	{
		key: '500',
		label: 'HTTP 500',
		knobs: (count, every) => ({ failNext: { count, every, status: 500 } }),
		expected: 'unknown',
		provisions: false,
	},
	{
		key: '503',
		label: 'HTTP 503',
		knobs: (count, every) => ({ failNext: { count, every, status: 503 } }),
		expected: 'unknown',
		provisions: false,
	},
	{
		key: 'dropBefore',
		label: 'connection dropped before provisioning',
		knobs: (count, every) => ({ dropNext: { count, every, afterProvisioning: false } }),
		expected: 'unknown',
		provisions: false,
	},
	{
		key: 'dropAfter',
		label: 'connection dropped after provisioning',
		knobs: (count, every) => ({ dropNext: { count, every, afterProvisioning: true } }),
		expected: 'unknown',
		provisions: true,
	},
	{
		key: 'hang',
		label: `no answer ever (provisioned; the ${FAULT_TIMEOUT_MS / 1000} s timeout fires)`,
		knobs: (count, every) => ({ hangNext: { count, every, afterProvisioning: true } }),
		expected: 'unknown',
		provisions: true,
	},
	{
		key: 'spikes',
		label: `latency spike of ${SPIKE_MS} ms`,
		knobs: (_count, every) => ({ latencySpikes: { every, ms: SPIKE_MS } }),
		expected: 'provisioned',
		provisions: true,
	},
];

/** What one run reported and what the sandbox recorded; the e2e test asserts these counts. */
export interface ScenarioResult {
	fault: string;
	concurrency: number;
	items: number;
	/** Items n8n reported with a test ID. */
	testIds: number;
	/** Items reported as a definite failure (nothing provisioned). */
	rejected: number;
	/** Items reported with an unknown outcome. */
	unknown: number;
	/** Items reported any other way (notSent, invalid, missing): should be 0. */
	other: number;
	/** Requests the sandbox received, and how many of them repeated an earlier sequence. */
	requests: number;
	sentTwice: number;
	/** Faults the sandbox injected (requests failed, dropped or left hanging; spikes for the latency case). */
	injected: number;
	/** Test IDs the sandbox provisioned during the run. */
	provisioned: number;
	/** Checks that did not hold, in words; empty when the scenario passed. */
	failures: string[];
	ms: number;
}

/** The default stop-on-error run: the error must name what the run already provisioned and left unknown. */
export interface StopResult {
	concurrency: number;
	items: number;
	executionStatus: string;
	message: string;
	requests: number;
	sentTwice: number;
	/** Test IDs the sandbox answered with, and how many of them the error names. */
	answeredTestIds: number;
	namedTestIds: number;
	/** Requests dropped after provisioning, and how many of their sequences the error names. */
	dropped: number;
	namedUnknown: number;
	provisioned: number;
	failures: string[];
	ms: number;
}

export interface FaultMatrixOptions {
	version: string;
	/** Items per run (200 for `npm run reliability`). */
	items: number;
	/** A fault hits every `every`-th request: items / every faults per run. */
	every: number;
	/** The stop-on-error run drops every `stopEvery`-th request after provisioning. */
	stopEvery?: number;
	log(message: string): void;
}

export interface FaultMatrixResult {
	scenarios: ScenarioResult[];
	stops: StopResult[];
	rows: ReliabilityRow[];
}

/** Boots one n8n and one sandbox, runs every fault at every concurrency, then the stop-on-error runs. */
export async function runFaultMatrix(options: FaultMatrixOptions): Promise<FaultMatrixResult> {
	const { version, items, every, log } = options;
	const stopEvery = options.stopEvery ?? 5;
	const sandbox = await startSandbox({
		port: 0,
		apiKeys: [API_KEY],
		inventorySize: 2,
		inventoryByType: { 'Academic-Plus': items + 10 },
	});
	let n8n: N8nInstance | undefined;
	try {
		n8n = await startN8n({
			version,
			expect: { nodes: [ITEP_NODE_TYPE], credentials: [ITEP_CREDENTIAL_TYPE] },
		});
		log(`faults: n8n ${version} ready in ${n8n.timings.readyMs} ms`);
		const credential = await setUp(() =>
			(n8n as N8nInstance).api.createItepCredential({ apiKey: API_KEY, baseUrl: sandbox.url }),
		);

		const scenarios: ScenarioResult[] = [];
		const stops: StopResult[] = [];
		for (const concurrency of CONCURRENCIES) {
			const workflow = await setUp(() =>
				(n8n as N8nInstance).api.createWorkflow(
					matrixWorkflow(`faults: continue, ${concurrency}`, credential, items, concurrency, true),
				),
			);
			for (const fault of FAULTS) {
				const result = await runScenario(n8n, sandbox, workflow.id, fault, {
					items,
					every,
					concurrency,
				});
				log(
					`faults: ${fault.key} at ${concurrency}: ${result.testIds} test IDs, ${result.rejected} rejected, ${result.unknown} unknown, ${result.failures.length} failed checks (${result.ms} ms)`,
				);
				scenarios.push(result);
			}
			const stopWorkflow = await setUp(() =>
				(n8n as N8nInstance).api.createWorkflow(
					matrixWorkflow(`faults: stop, ${concurrency}`, credential, items, concurrency, false),
				),
			);
			const stop = await runStopScenario(n8n, sandbox, stopWorkflow.id, {
				items,
				every: stopEvery,
				concurrency,
			});
			log(`faults: stop-on-error at ${concurrency}: ${stop.failures.length} failed checks`);
			stops.push(stop);
		}
		return {
			scenarios,
			stops,
			rows: [
				...scenarios.map((result) => scenarioRow(result, every)),
				...stops.map((stop) => stopRow(stop, stopEvery)),
			],
		};
	} finally {
		await n8n?.stop();
		await sandbox.close();
	}
}

/** Manual Trigger -> Code (N candidates) -> iTEP (GTX, Assigned To from the item, Timeout, concurrency). */
function matrixWorkflow(
	name: string,
	credential: CredentialRef,
	items: number,
	concurrency: number,
	continueOnError: boolean,
) {
	const candidates = Array.from({ length: items }, (_, index) => ({
		json: { name: candidateName(index) },
	}));
	const code: WorkflowNode = {
		name: 'Candidates',
		type: 'n8n-nodes-base.code',
		typeVersion: 2,
		parameters: { jsCode: `return ${JSON.stringify(candidates)};` },
	};
	const itep: WorkflowNode = {
		name: 'iTEP',
		type: ITEP_NODE_TYPE,
		typeVersion: 1,
		parameters: {
			resource: 'testId',
			operation: 'getTestId',
			productCode: { __rl: true, mode: 'list', value: PRODUCT_CODE },
			assignedTo: { candidateName: '={{ $json.name }}' },
			options: { maxConcurrency: concurrency, timeout: FAULT_TIMEOUT_MS },
		},
		credentials: { [ITEP_CREDENTIAL_TYPE]: { id: credential.id, name: credential.name } },
		...(continueOnError ? { onError: 'continueRegularOutput' } : {}),
	};
	return chain(name, [manualTrigger(), code, itep]);
}

/**
 * A set-up call (a credential, a workflow) tried up to 3 times when the connection fails: on a loaded machine
 * n8n has been seen to close the connection of the first call after it became ready ("other side closed"). A
 * second credential or workflow would be harmless; only the run itself is never retried.
 */
async function setUp<T>(call: () => Promise<T>): Promise<T> {
	for (let attempt = 1; ; attempt++) {
		try {
			return await call();
		} catch (error) {
			if (attempt >= 3 || !(error instanceof TypeError)) throw error;
			await sleep(1000);
		}
	}
}

/**
 * A harmless GET until one goes through. On a loaded machine the client can reuse a keep-alive connection n8n
 * has just closed ("other side closed"); that must not hit the POST that starts a run, which is never retried
 * (a second run would send every request again).
 */
async function freshConnection(n8n: N8nInstance): Promise<void> {
	for (let attempt = 1; ; attempt++) {
		try {
			await n8n.http('GET', '/healthz');
			return;
		} catch (error) {
			if (attempt >= 3) throw error;
		}
	}
}

const candidateName = (index: number) => `Candidate ${String(index + 1).padStart(3, '0')}`;

/** One output item as the node reports it. */
interface Reported {
	index: number;
	kind: 'provisioned' | 'rejected' | 'unknown' | 'other';
	sequence: number | undefined;
	testId: string | undefined;
}

function classify(json: Record<string, unknown>, index: number): Reported {
	const sequence = typeof json.sequence === 'number' ? json.sequence : undefined;
	if (typeof json.testId === 'string' && json.error === undefined)
		return { index, kind: 'provisioned', sequence, testId: json.testId };
	const kind = json.outcome === 'rejected' || json.outcome === 'unknown' ? json.outcome : 'other';
	return { index, kind, sequence, testId: undefined };
}

/** Waits until the sandbox has received nothing new for `quietMs`: a late re-send would show up here. */
async function settledRequests(
	sandbox: RunningSandbox,
	quietMs = 1500,
): Promise<RequestLogEntry[]> {
	let count = -1;
	while (count !== sandbox.state.requests.length) {
		count = sandbox.state.requests.length;
		await sleep(quietMs);
	}
	return sandbox.state.requests.filter((entry) => entry.path === FULFILLMENT_PATH);
}

/** What the sandbox's ledger says about this run's requests. */
function readLedger(sandbox: RunningSandbox, requests: RequestLogEntry[]) {
	const bySequence = new Map<number, RequestLogEntry[]>();
	for (const entry of requests) {
		const key = entry.sequence ?? -1;
		bySequence.set(key, [...(bySequence.get(key) ?? []), entry]);
	}
	const sentTwice = [...bySequence.values()].reduce((sum, list) => sum + list.length - 1, 0);
	const received = new Set(requests.map((entry) => entry.sequence));
	// Every test ID provisioned in this run carries the sequence of a request the run sent.
	const provisioned = sandbox.state.tests.filter(
		(test) => test.sequence !== null && received.has(test.sequence),
	);
	const answeredTestIds = new Set(
		requests
			.filter((entry) => entry.outcome === 'answered' && entry.status === 200 && entry.testId)
			.map((entry) => entry.testId as string),
	);
	const unanswered = requests.filter(
		(entry) => entry.outcome === 'dropped' || entry.outcome === 'hung',
	);
	return { bySequence, sentTwice, provisioned, answeredTestIds, unanswered };
}

async function runScenario(
	n8n: N8nInstance,
	sandbox: RunningSandbox,
	workflowId: string,
	fault: Fault,
	run: { items: number; every: number; concurrency: number },
): Promise<ScenarioResult> {
	const { items, every, concurrency } = run;
	const faults = Math.floor(items / every);
	sandbox.reset();
	applyKnobs(sandbox.state.knobs, fault.knobs(faults, every));
	await freshConnection(n8n);
	const started = Date.now();
	const execution = await n8n.api.runManually(workflowId, 'Manual Trigger', 10 * 60_000);
	const ms = Date.now() - started;
	const requests = await settledRequests(sandbox);
	const ledger = readLedger(sandbox, requests);

	const outputs = firstRun(execution, 'iTEP').data?.main ?? [];
	const reported = outputs
		.flatMap((output) => output ?? [])
		.map((item, position) => {
			const paired = item.pairedItem as { item?: number } | undefined;
			return classify(item.json, typeof paired?.item === 'number' ? paired.item : position);
		});
	const count = (kind: Reported['kind']) => reported.filter((item) => item.kind === kind).length;
	const bySequence = new Map(reported.map((item) => [item.sequence, item]));
	const injected =
		fault.key === 'spikes'
			? requests.filter((entry) => entry.latencySpike).length
			: requests.filter((entry) => entry.outcome !== 'answered').length;

	const failures: string[] = [];
	const check = (holds: boolean, rule: string) => {
		if (!holds) failures.push(rule);
	};
	check(execution.status === 'success', `the execution ended "${execution.status}", not success`);
	check(
		reported.length === items && new Set(reported.map((item) => item.index)).size === items,
		`${reported.length} items reported for ${items}`,
	);
	check(
		count('other') === 0,
		`${count('other')} items reported neither a test ID nor rejected/unknown`,
	);
	check(ledger.sentTwice === 0, `${ledger.sentTwice} requests repeated a sequence`);
	check(
		requests.length === items,
		`the sandbox received ${requests.length} requests for ${items} items`,
	);
	// The report agrees with the ledger.
	const reportedIds = reported.filter((item) => item.testId).map((item) => item.testId as string);
	check(
		sameSet(reportedIds, [...ledger.answeredTestIds]) &&
			reportedIds.length === ledger.answeredTestIds.size,
		`reported test IDs (${reportedIds.length}) differ from those the sandbox answered with (${ledger.answeredTestIds.size})`,
	);
	for (const item of reported.filter((entry) => entry.testId)) {
		const test = sandbox.state.tests.find((record) => record.testId === item.testId);
		const assigned = test?.assignedTo as Record<string, unknown> | null | undefined;
		check(
			test?.sequence === item.sequence && assigned?.['student-name'] === candidateName(item.index),
			`item ${item.index} reports ${item.testId}, which the sandbox assigned to ${JSON.stringify(assigned)}`,
		);
	}
	const missing = ledger.provisioned.filter(
		(test) =>
			!reportedIds.includes(test.testId) &&
			bySequence.get(test.sequence as number)?.kind !== 'unknown',
	);
	check(
		missing.length === 0,
		`${missing.length} provisioned test IDs are neither reported nor on an item reported unknown`,
	);
	const unansweredMisreported = ledger.unanswered.filter(
		(entry) => bySequence.get(entry.sequence as number)?.kind !== 'unknown',
	);
	check(
		unansweredMisreported.length === 0,
		`${unansweredMisreported.length} requests left unanswered are not reported unknown`,
	);
	const rejectedButProvisioned = reported.filter(
		(item) =>
			item.kind === 'rejected' &&
			ledger.provisioned.some((test) => test.sequence === item.sequence),
	);
	check(
		rejectedButProvisioned.length === 0,
		`${rejectedButProvisioned.length} items reported rejected had a test ID provisioned`,
	);
	const faultedButProvisioned = requests.filter(
		(entry) =>
			entry.outcome !== 'answered' &&
			!fault.provisions &&
			ledger.provisioned.some((test) => test.sequence === entry.sequence),
	);
	check(
		faultedButProvisioned.length === 0,
		`${faultedButProvisioned.length} failed requests provisioned a test ID`,
	);
	// The fault happened as configured and the node reported each hit item as it must.
	check(injected === faults, `the sandbox injected ${injected} faults, not ${faults}`);
	const hit = fault.expected === 'provisioned' ? 0 : faults;
	check(
		count('provisioned') === items - hit &&
			count('rejected') === (fault.expected === 'rejected' ? hit : 0) &&
			count('unknown') === (fault.expected === 'unknown' ? hit : 0),
		`expected ${items - hit} test IDs and ${hit} items ${fault.expected}`,
	);
	check(
		ledger.provisioned.length === (fault.provisions ? items : items - faults),
		`the sandbox provisioned ${ledger.provisioned.length} test IDs`,
	);

	return {
		fault: fault.key,
		concurrency,
		items,
		testIds: count('provisioned'),
		rejected: count('rejected'),
		unknown: count('unknown'),
		other: count('other'),
		requests: requests.length,
		sentTwice: ledger.sentTwice,
		injected,
		provisioned: ledger.provisioned.length,
		failures,
		ms,
	};
}

async function runStopScenario(
	n8n: N8nInstance,
	sandbox: RunningSandbox,
	workflowId: string,
	run: { items: number; every: number; concurrency: number },
): Promise<StopResult> {
	const { items, every, concurrency } = run;
	sandbox.reset();
	applyKnobs(sandbox.state.knobs, {
		dropNext: { count: Math.floor(items / every), every, afterProvisioning: true },
	});
	await freshConnection(n8n);
	const started = Date.now();
	const execution = await n8n.api.runManually(workflowId, 'Manual Trigger', 10 * 60_000);
	const ms = Date.now() - started;
	const requests = await settledRequests(sandbox);
	const ledger = readLedger(sandbox, requests);
	const error = firstRun(execution, 'iTEP').error ?? {};
	const message = String(error.message ?? '');
	const description = String(error.description ?? '');

	const answered = [...ledger.answeredTestIds];
	const named = answered.filter((testId) => description.includes(testId));
	const namedUnknown = ledger.unanswered.filter((entry) =>
		description.includes(String(entry.sequence)),
	);
	const failures: string[] = [];
	const check = (holds: boolean, rule: string) => {
		if (!holds) failures.push(rule);
	};
	check(execution.status === 'error', `the execution ended "${execution.status}", not error`);
	check(/^Outcome unknown/.test(message), `the error says "${message}"`);
	check(ledger.sentTwice === 0, `${ledger.sentTwice} requests repeated a sequence`);
	// It stops at the first fault: sequentially exactly there; concurrently, once the requests in flight are back.
	check(
		concurrency === 1
			? requests.length === every
			: requests.length >= every && requests.length < items,
		`the sandbox received ${requests.length} requests; the run should stop at request ${every}${concurrency === 1 ? '' : ' and those in flight'}`,
	);
	check(ledger.unanswered.length >= 1, 'no request was dropped');
	check(
		named.length === answered.length,
		`the error names ${named.length} of ${answered.length} test IDs`,
	);
	check(
		namedUnknown.length === ledger.unanswered.length,
		`the error names ${namedUnknown.length} of ${ledger.unanswered.length} unknown items`,
	);
	const unnamed = ledger.provisioned.filter(
		(test) => !description.includes(test.testId) && !description.includes(String(test.sequence)),
	);
	check(unnamed.length === 0, `${unnamed.length} provisioned test IDs are not in the error`);
	return {
		concurrency,
		items,
		executionStatus: execution.status,
		message,
		requests: requests.length,
		sentTwice: ledger.sentTwice,
		answeredTestIds: answered.length,
		namedTestIds: named.length,
		dropped: ledger.unanswered.length,
		namedUnknown: namedUnknown.length,
		provisioned: ledger.provisioned.length,
		failures,
		ms,
	};
}

function sameSet(a: string[], b: string[]): boolean {
	const left = new Set(a);
	return left.size === new Set(b).size && b.every((value) => left.has(value));
}

const LEDGER_CHECK =
	'report = sandbox ledger (test IDs, unknowns); unanswered → unknown; failures provisioned nothing; no sequence twice';

function scenarioRow(result: ScenarioResult, every: number): ReliabilityRow {
	const fault = FAULTS.find((entry) => entry.key === result.fault) as Fault;
	const what =
		fault.key === 'spikes'
			? `${result.injected} × ${fault.label}`
			: `${result.injected} × ${fault.label} → ${fault.expected}${fault.provisions ? ` (${result.injected} provisioned, reported unknown)` : ' (nothing provisioned)'}`;
	return {
		part: PART,
		scenario: `${fault.label} on every ${every}th request, Max Concurrent ${result.concurrency}, ${result.items} items, continue on error`,
		result: [
			`${result.testIds} test IDs, ${what}`,
			`${result.requests} requests, ${result.sentTwice} sent twice, ${result.provisioned} provisioned, ${(result.ms / 1000).toFixed(1)} s`,
			...(result.failures.length ? [`FAILED: ${result.failures.join('; ')}`] : []),
		].join('; '),
		check: LEDGER_CHECK,
		ok: result.failures.length === 0,
	};
}

function stopRow(stop: StopResult, every: number): ReliabilityRow {
	return {
		part: PART,
		scenario: `connection dropped after provisioning on every ${every}th request, Max Concurrent ${stop.concurrency}, ${stop.items} items, stop on error (default)`,
		result: [
			`run stopped (${stop.executionStatus}) after ${stop.requests} requests; the error names ${stop.namedTestIds} of ${stop.answeredTestIds} test IDs and ${stop.namedUnknown} of ${stop.dropped} unknown items`,
			`${stop.sentTwice} sent twice, ${stop.provisioned} provisioned, ${(stop.ms / 1000).toFixed(1)} s`,
			...(stop.failures.length ? [`FAILED: ${stop.failures.join('; ')}`] : []),
		].join('; '),
		check:
			'the error names every provisioned test ID and unknown item; stops at the fault; no sequence twice',
		ok: stop.failures.length === 0,
	};
}

/** `npm run reliability`: 200 items per run, a fault on every 27th request (7 per run). */
export const faultsPart: ReliabilityPart = {
	name: 'faults',
	async run({ version, log }): Promise<ReliabilityRow[]> {
		return (await runFaultMatrix({ version, items: 200, every: 27, log })).rows;
	},
};
