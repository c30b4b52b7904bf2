/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * Part 3: the iTEP Trigger under load and crashes, in one real n8n (test/e2e/triggerLoad.e2e.test.ts runs the
 * same functions with smaller counts and asserts them).
 *
 * One n8n holds two published workflows: the iTEP Trigger (typeVersion 1.1, HMAC Signature authentication with
 * an itepWebhookSignatureApi credential, Ignore Repeated Deliveries on) and, as the reference, the bare Webhook
 * node (POST, "Respond: Immediately"). Execution data saving is n8n's default (success and error executions
 * saved with their data, no progress saving) plus what the e2e harness sets (SQLite, pool size 4, manual
 * executions saved; devkit/n8n/instance.ts).
 *
 * - Load (runLoad): distinct genuine deliveries (distinct TestIDs, each signed), a few forged ones (wrong
 *   secret) mixed in, over `connections` keep-alive connections. Counted: answers by status, the workflow's
 *   executions through n8n's REST execution list, and the TestID in every execution's data, against the set
 *   sent. Timings (p50/p99, deliveries/s) are reported, never checked.
 * - Crash (runCrash): the sandbox's own WebhookSender (sandbox/webhookSender.ts: retries on non-2xx,
 *   connection errors and timeouts, exponential backoff, bounded attempts, a 2xx is final) delivers to both
 *   workflows at once through two tracking codes; once a share of the deliveries has been answered 200, the
 *   n8n process group gets SIGKILL and n8n is started again on the same user folder and port, while the
 *   sender keeps retrying. Counted per workflow: deliveries answered 200 with no execution after the restart
 *   (lost), deliveries never answered 200, and TestIDs executed more than once.
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';

import {
	chain,
	ITEP_TRIGGER_NODE_TYPE,
	sleep,
	startN8n,
	webhookNode,
	type ExecutionDetails,
	type ExecutionSummary,
	type N8nInstance,
	OWNER,
	waitFor,
	type StartN8nOptions,
} from '../devkit/n8n';
import { killGroup } from '../devkit/n8n/proc';
import { resolveSandboxConfig, type WebhookSenderConfig } from '../sandbox/config';
import type { DeliveryRecord } from '../sandbox/deliveries';
import {
	encodeResultForm,
	RESULT_FORM_CONTENT_TYPE,
	sampleResultData,
} from '../sandbox/resultsData';
import { createState } from '../sandbox/state';
import { signDelivery, type SenderAuth } from '../sandbox/webhookAuth';
import { WebhookSender } from '../sandbox/webhookSender';
import type { ReliabilityPart, ReliabilityRow } from './types';

/** The load: 1,000 distinct genuine deliveries over 50 concurrent connections. */
export const LOAD_DELIVERIES = 1_000;
export const LOAD_CONNECTIONS = 50;
/** Forged deliveries mixed into the load (wrong secret): each must get a 4xx and start nothing. */
export const LOAD_FORGED = 10;
/**
 * The load's sender retries as iTEP would (and as the sandbox's WebhookSender does): a genuine delivery on
 * anything but 2xx, a forged one on 5xx or no answer; 5 attempts of at most 60 s, 1 s before the 2nd, doubling. Under overload
 * n8n 2.x sheds requests with 503 "Database is not ready!" before any node runs (its database ping timed out);
 * the first attempts' answers are reported as they came.
 */
export const LOAD_SENDER = { maxAttempts: 5, backoffBaseMs: 1_000 };
/**
 * Crash burst: deliveries per workflow (trigger and reference: 1,000 in the burst), and the share of the burst
 * answered 200 before SIGKILL (about 300 of the 1,000).
 */
export const CRASH_DELIVERIES = 500;
export const CRASH_KILL_SHARE = 0.3;
/**
 * The sender's schedule in the crash burst: 10 s per attempt, 1 s before the 2nd attempt doubling each time,
 * 8 attempts (about 2 minutes of retries), so a sender outlasts a restart of n8n on a busy machine. iTEP does
 * not publish its own schedule.
 */
export const CRASH_SENDER: WebhookSenderConfig = {
	timeoutMs: 10_000,
	backoffBaseMs: 1_000,
	maxAttempts: 8,
};

const WEBHOOK_SECRET = 'reliability-trigger-secret-5Kq8';
const SIGNATURE_HEADER = 'X-Itep-Webhook-Signature';
const HMAC: SenderAuth = {
	mode: 'hmac',
	headerName: SIGNATURE_HEADER,
	secrets: [WEBHOOK_SECRET],
	encoding: 'hex',
};
const TRIGGER_NODE = 'iTEP Trigger';
const WEBHOOK_NODE = 'Webhook';
const SIGNATURE_CREDENTIAL_TYPE = 'itepWebhookSignatureApi';
/** Every status n8n knows, so the list shows running, crashed and waiting executions too. */
const ALL_STATUSES = [
	'canceled',
	'crashed',
	'error',
	'new',
	'running',
	'success',
	'unknown',
	'waiting',
];

export type TargetKind = 'trigger' | 'webhook';

export interface Target {
	kind: TargetKind;
	workflowId: string;
	/** Production URL. */
	url: string;
}

/** One n8n with both workflows published. `n8n` is replaced by runCrash (a new process on the same folder). */
export interface LoadBench {
	n8n: N8nInstance;
	version: string;
	trigger: Target;
	webhook: Target;
}

/**
 * startN8n with more patience than its defaults: on a 2-core machine shared with other n8n instances a start
 * (and the restart after the kill, with 50 senders retrying) took over 90 s, past the harness's 60 s wait for
 * the owner login. The login is done here with a 5-minute wait; the trigger's type is checked when publishing.
 */
async function startPatiently(
	options: Pick<StartN8nOptions, 'version' | 'userFolder' | 'port' | 'removeUserFolderOnStop'>,
): Promise<N8nInstance> {
	const n8n = await startN8n({
		...options,
		// info: the debug log of 2,000 executions would be large and costs time on a busy machine.
		logLevel: 'info',
		owner: false,
		startTimeoutMs: 300_000,
	});
	try {
		await waitFor(
			'owner setup / login',
			async () => {
				await n8n.client.setupOwnerOrLogin(OWNER);
				return n8n.client.loggedIn ? true : undefined;
			},
			{ timeoutMs: 300_000, intervalMs: 1_000 },
		);
	} catch (error) {
		await n8n.stop();
		throw error;
	}
	return n8n;
}

/** Starts n8n, creates the HMAC credential and both workflows, publishes them and returns their URLs. */
export async function startLoadBench(version: string): Promise<LoadBench> {
	const n8n = await startPatiently({ version });
	try {
		// Also lets a busy n8n settle: a REST call right after the login was once cut off ("other side closed").
		await waitFor(
			`n8n ${version} to list ${ITEP_TRIGGER_NODE_TYPE}`,
			async () =>
				(await n8n.api.nodeTypeNames()).includes(ITEP_TRIGGER_NODE_TYPE) ? true : undefined,
			{ timeoutMs: 120_000, intervalMs: 1_000 },
		);
		const credential = await n8n.api.createCredential(
			'iTEP webhook signature',
			SIGNATURE_CREDENTIAL_TYPE,
			{
				secret: WEBHOOK_SECRET,
				signatureHeader: SIGNATURE_HEADER,
				encoding: 'hex',
				signedTimestamp: false,
			},
		);
		// As the editor saves a new iTEP Trigger (1.1: Path empty, so the URL ends in the webhook ID) with HMAC.
		const webhookId = randomUUID();
		const triggerWorkflow = await n8n.api.createWorkflow(
			chain('iTEP results under load', [
				{
					name: TRIGGER_NODE,
					type: ITEP_TRIGGER_NODE_TYPE,
					typeVersion: 1.1,
					webhookId,
					parameters: {
						path: '',
						authentication: 'hmac',
						events: ['completed', 'unrecognized'],
						suppressDuplicates: true,
					},
					credentials: {
						[SIGNATURE_CREDENTIAL_TYPE]: { id: credential.id, name: credential.name },
					},
				},
			]),
		);
		const referencePath = `reference-${randomUUID()}`;
		const webhookWorkflow = await n8n.api.createWorkflow(
			chain('Webhook node reference', [
				webhookNode(WEBHOOK_NODE, referencePath, { responseMode: 'onReceived' }),
			]),
		);
		const logFrom = n8n.logSize();
		await n8n.api.activateWorkflow(triggerWorkflow.id);
		await n8n.api.activateWorkflow(webhookWorkflow.id);
		// The URL the trigger tells the user to hand to iTEP staff (its webhookMethods.create logs it).
		const logged = await n8n.waitForLog(/give iTEP staff this URL: \S+/, {
			fromOffset: logFrom,
			timeoutMs: 20_000,
		});
		const triggerUrl = logged.replace('give iTEP staff this URL: ', '');
		if (triggerUrl !== `${n8n.baseUrl}/webhook/${webhookId}`)
			throw new Error(`the trigger logged ${triggerUrl}, not its webhook ID's URL`);
		return {
			n8n,
			version,
			trigger: { kind: 'trigger', workflowId: triggerWorkflow.id, url: triggerUrl },
			webhook: {
				kind: 'webhook',
				workflowId: webhookWorkflow.id,
				url: `${n8n.baseUrl}/webhook/${referencePath}`,
			},
		};
	} catch (error) {
		await n8n.stop();
		throw error;
	}
}

// ---- reading what n8n executed -----------------------------------------------------------------------------

/** Every execution of a workflow, whatever its status, through n8n's REST list (100 a page, by id). */
export async function allExecutions(
	n8n: N8nInstance,
	workflowId: string,
): Promise<ExecutionSummary[]> {
	const all: ExecutionSummary[] = [];
	let lastId: string | undefined;
	for (;;) {
		const query = new URLSearchParams({
			filter: JSON.stringify({ workflowId, status: ALL_STATUSES }),
			limit: '100',
			...(lastId ? { lastId } : {}),
		});
		const page = await n8n.rest<{ results: ExecutionSummary[] }>(
			'GET',
			`/rest/executions?${query.toString()}`,
		);
		all.push(...page.results);
		if (page.results.length < 100) return all;
		lastId = page.results[page.results.length - 1].id;
	}
}

/**
 * Polls the execution list until `expected` executions exist and none is still running, then until the count
 * stays put for `settleMs`; gives up after `timeoutMs` and returns what is there.
 */
export async function settledExecutions(
	n8n: N8nInstance,
	workflowId: string,
	expected: number,
	{ timeoutMs = 180_000, settleMs = 2_000 } = {},
): Promise<ExecutionSummary[]> {
	const deadline = Date.now() + timeoutMs;
	let executions = await allExecutions(n8n, workflowId);
	const busy = (list: ExecutionSummary[]) =>
		list.some((execution) => ['new', 'running'].includes(execution.status));
	while ((executions.length < expected || busy(executions)) && Date.now() < deadline) {
		await sleep(1_000);
		executions = await allExecutions(n8n, workflowId);
	}
	for (;;) {
		await sleep(settleMs);
		const again = await allExecutions(n8n, workflowId);
		if (again.length === executions.length || Date.now() > deadline) return again;
		executions = again;
	}
}

/**
 * The TestID a stored execution carries: from the start node's output (the trigger's `testId`, or the
 * Webhook node's form field `data`), or, for an execution n8n marked crashed before the node's output was
 * written, from the item n8n stored to start it with (the execution stack).
 */
export function executedTestId(execution: ExecutionDetails, kind: TargetKind): string | undefined {
	const node = kind === 'trigger' ? TRIGGER_NODE : WEBHOOK_NODE;
	const stack = (
		execution.data as {
			executionData?: {
				nodeExecutionStack?: Array<{ data?: { main?: Array<Array<{ json: unknown }> | null> } }>;
			};
		}
	).executionData?.nodeExecutionStack;
	const candidates = [
		execution.data.resultData.runData[node]?.[0]?.data?.main?.[0]?.[0]?.json,
		stack?.[0]?.data?.main?.[0]?.[0]?.json,
	];
	for (const json of candidates) {
		const testId = testIdOf(json, kind);
		if (testId !== undefined) return testId;
	}
	return undefined;
}

function testIdOf(json: unknown, kind: TargetKind): string | undefined {
	if (!json || typeof json !== 'object') return undefined;
	if (kind === 'trigger') {
		const testId = (json as { testId?: unknown }).testId;
		return typeof testId === 'string' ? testId : undefined;
	}
	const data = (json as { body?: { data?: unknown } }).body?.data;
	if (typeof data !== 'string') return undefined;
	try {
		const testId = (JSON.parse(data) as { TestID?: unknown }).TestID;
		return typeof testId === 'string' ? testId : undefined;
	} catch {
		return undefined;
	}
}

export interface ExecutedSet {
	executions: number;
	/** TestID -> number of executions carrying it. */
	byTestId: Map<string, number>;
	/** The same for the executions that ended "success". */
	successByTestId: Map<string, number>;
	/** TestIDs of the executions that did not end "success". */
	notSuccess: string[];
	/** Executions whose data carries no TestID at all. */
	unreadable: number;
	byStatus: Record<string, number>;
}

/** Reads every execution's data (a few at a time) and counts the TestIDs in them. */
export async function readExecuted(
	n8n: N8nInstance,
	executions: ExecutionSummary[],
	kind: TargetKind,
): Promise<ExecutedSet> {
	const byTestId = new Map<string, number>();
	const successByTestId = new Map<string, number>();
	const notSuccess: string[] = [];
	const byStatus: Record<string, number> = {};
	let unreadable = 0;
	const queue = [...executions];
	await Promise.all(
		Array.from({ length: 6 }, async () => {
			for (let next = queue.shift(); next; next = queue.shift()) {
				const execution = await n8n.api.getExecution(next.id);
				byStatus[execution.status] = (byStatus[execution.status] ?? 0) + 1;
				const testId = executedTestId(execution, kind);
				if (testId === undefined) unreadable++;
				else {
					byTestId.set(testId, (byTestId.get(testId) ?? 0) + 1);
					if (execution.status === 'success')
						successByTestId.set(testId, (successByTestId.get(testId) ?? 0) + 1);
					else notSuccess.push(testId);
				}
			}
		}),
	);
	return {
		executions: executions.length,
		byTestId,
		successByTestId,
		notSuccess,
		unreadable,
		byStatus,
	};
}

// ---- load --------------------------------------------------------------------------------------------------

export interface LoadResult {
	sent: number;
	connections: number;
	/** Genuine deliveries whose first attempt was answered 200. */
	firstAttempt200: number;
	/** First attempts of genuine deliveries answered otherwise: status (or error) -> count. */
	firstAttemptOther: Record<string, number>;
	/** Attempts in all (genuine and forged), with the sender's retries. */
	attempts: number;
	/** Genuine deliveries answered 200 in the end. */
	genuine200: number;
	/** Genuine deliveries never answered 200: last status (or error) -> count. */
	genuineOther: Record<string, number>;
	forged: number;
	/** Forged deliveries answered 4xx. */
	forged4xx: number;
	forgedOther: Record<string, number>;
	/** Executions of the trigger's workflow once they settled. */
	executions: number;
	/** Executions that ended "success", and TestIDs in more than one of them. */
	successful: number;
	successDuplicated: number;
	/** Executions not "success" whose TestID was never answered 5xx or left unanswered (unexplained). */
	failedUnexplained: number;
	/** TestIDs sent but in no successful execution. */
	missing: number;
	/** TestIDs in executions that were not sent as genuine (forged ones included). */
	unexpected: number;
	forgedExecuted: number;
	/** TestIDs in more than one execution, whatever its status. */
	duplicated: number;
	unreadable: number;
	byStatus: Record<string, number>;
	/** A few of the unexpected and missing TestIDs, to look into a failed check. */
	samples: { unexpected: string[]; missing: string[] };
	p50Ms: number;
	p99Ms: number;
	perSecond: number;
	elapsedMs: number;
}

interface Answer {
	status: number | null;
	error: string | null;
	ms: number;
}

/** One POST over the given agent; never throws. */
function post(
	agent: http.Agent,
	url: string,
	body: string,
	headers: Record<string, string>,
): Promise<Answer> {
	const started = performance.now();
	return new Promise((resolve) => {
		const request = http.request(
			url,
			{
				method: 'POST',
				agent,
				headers: {
					'content-type': RESULT_FORM_CONTENT_TYPE,
					'content-length': String(Buffer.byteLength(body)),
					...headers,
				},
				timeout: 60_000,
			},
			(response) => {
				response.resume();
				response.on('end', () =>
					resolve({
						status: response.statusCode ?? null,
						error: null,
						ms: performance.now() - started,
					}),
				);
				response.on('error', (error) =>
					resolve({ status: null, error: error.message, ms: performance.now() - started }),
				);
			},
		);
		request.on('timeout', () => request.destroy(new Error('timeout')));
		request.on('error', (error) =>
			resolve({ status: null, error: error.message, ms: performance.now() - started }),
		);
		request.end(body);
	});
}

function percentile(sorted: number[], p: number): number {
	if (!sorted.length) return NaN;
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const statusKey = (answer: Answer) =>
	answer.status === null ? `error ${answer.error ?? ''}` : String(answer.status);

const tally = (counts: Record<string, number>, key: string) => {
	counts[key] = (counts[key] ?? 0) + 1;
};

/**
 * `deliveries` distinct genuine deliveries (TestID LOAD-<run>-<n>, each signed with the credential's secret) and
 * `forged` ones (FORGED-<run>-<n>, signed with another secret) spread evenly among them, over `connections`
 * keep-alive connections; then the trigger workflow's executions are counted and read.
 */
export async function runLoad(
	bench: LoadBench,
	options: { deliveries: number; connections: number; forged: number },
	log: (message: string) => void = () => undefined,
): Promise<LoadResult> {
	const { n8n, trigger } = bench;
	const run = randomUUID().slice(0, 8);
	const genuine = Array.from({ length: options.deliveries }, (_, i) => `LOAD-${run}-${i}`);
	const forgedIds = Array.from({ length: options.forged }, (_, i) => `FORGED-${run}-${i}`);
	const queue: Array<{ testId: string; forged: boolean }> = genuine.map((testId) => ({
		testId,
		forged: false,
	}));
	forgedIds.forEach((testId, i) => {
		const at = Math.floor(((i + 0.5) * queue.length) / forgedIds.length);
		queue.splice(at, 0, { testId, forged: true });
	});
	const known = new Set((await allExecutions(n8n, trigger.workflowId)).map((e) => e.id));
	if (known.size) throw new Error(`the trigger workflow already has ${known.size} executions`);

	const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
	const latencies: number[] = [];
	const firstAttemptOther: Record<string, number> = {};
	const genuineOther: Record<string, number> = {};
	const forgedOther: Record<string, number> = {};
	/** TestIDs with an attempt answered 5xx or not answered: n8n may have recorded an execution and failed it. */
	const troubled = new Set<string>();
	let firstAttempt200 = 0;
	let genuine200 = 0;
	let forged4xx = 0;
	let attempts = 0;
	const started = performance.now();
	let lastAnswer = started;
	let next = 0;
	await Promise.all(
		Array.from({ length: options.connections }, async () => {
			while (next < queue.length) {
				const { testId, forged } = queue[next++];
				const body = encodeResultForm(sampleResultData({ TestID: testId }));
				const auth = forged ? { ...HMAC, secrets: ['not-the-secret'] } : HMAC;
				let answer: Answer | undefined;
				for (let attempt = 1; attempt <= LOAD_SENDER.maxAttempts; attempt++) {
					if (attempt > 1) await sleep(LOAD_SENDER.backoffBaseMs * 2 ** (attempt - 2));
					attempts++;
					answer = await post(
						agent,
						trigger.url,
						body,
						signDelivery(body, auth, Date.now() / 1000),
					);
					lastAnswer = performance.now();
					const final = forged
						? answer.status !== null && answer.status < 500
						: answer.status !== null && answer.status >= 200 && answer.status < 300;
					if (!forged && attempt === 1) {
						if (answer.status === 200) firstAttempt200++;
						else tally(firstAttemptOther, statusKey(answer));
					}
					if (!forged && answer.status === 200) latencies.push(answer.ms);
					if (answer.status === null || answer.status >= 500) troubled.add(testId);
					if (final) break;
				}
				if (!answer) continue;
				if (forged) {
					if (answer.status !== null && answer.status >= 400 && answer.status < 500) forged4xx++;
					else tally(forgedOther, statusKey(answer));
				} else if (answer.status === 200) genuine200++;
				else tally(genuineOther, statusKey(answer));
			}
		}),
	);
	agent.destroy();
	const elapsedMs = lastAnswer - started;
	log(
		`load: ${queue.length} deliveries (${attempts} attempts) in ${(elapsedMs / 1000).toFixed(1)} s; reading executions`,
	);

	const executions = await settledExecutions(n8n, trigger.workflowId, options.deliveries);
	const executed = await readExecuted(n8n, executions, 'trigger');
	const sentSet = new Set(genuine);
	const forgedSet = new Set(forgedIds);
	latencies.sort((a, b) => a - b);
	return {
		sent: queue.length,
		connections: options.connections,
		firstAttempt200,
		firstAttemptOther,
		attempts,
		genuine200,
		genuineOther,
		forged: forgedIds.length,
		forged4xx,
		forgedOther,
		executions: executed.executions,
		successful: [...executed.successByTestId.values()].reduce((sum, count) => sum + count, 0),
		successDuplicated: [...executed.successByTestId.values()].filter((count) => count > 1).length,
		failedUnexplained: executed.notSuccess.filter((testId) => !troubled.has(testId)).length,
		missing: genuine.filter((testId) => !executed.successByTestId.has(testId)).length,
		unexpected: [...executed.byTestId.keys()].filter((testId) => !sentSet.has(testId)).length,
		forgedExecuted: [...executed.byTestId.keys()].filter((testId) => forgedSet.has(testId)).length,
		duplicated: [...executed.byTestId.values()].filter((count) => count > 1).length,
		unreadable: executed.unreadable,
		byStatus: executed.byStatus,
		samples: {
			unexpected: [...executed.byTestId.keys()]
				.filter((testId) => !sentSet.has(testId))
				.slice(0, 3),
			missing: genuine.filter((testId) => !executed.successByTestId.has(testId)).slice(0, 3),
		},
		p50Ms: percentile(latencies, 50),
		p99Ms: percentile(latencies, 99),
		perSecond: (options.deliveries / elapsedMs) * 1000,
		elapsedMs,
	};
}

/** The load's check, one place for the reliability row and the e2e test. */
export function loadHeld(result: LoadResult, deliveries: number, forged: number): boolean {
	return (
		result.genuine200 === deliveries &&
		result.successful === deliveries &&
		result.missing === 0 &&
		result.successDuplicated === 0 &&
		result.failedUnexplained === 0 &&
		result.unexpected === 0 &&
		result.unreadable === 0 &&
		result.forged4xx === forged &&
		result.forgedExecuted === 0
	);
}

// ---- crash -------------------------------------------------------------------------------------------------

export interface CrashTargetResult {
	kind: TargetKind;
	deliveries: number;
	/** Final answer 200 (the sender stops there). */
	answered200: number;
	/** ...of which the 200 came from the killed process (the attempt started before the kill). */
	answeredBeforeKill: number;
	answeredAfterRestart: number;
	/** Never answered 200 after every attempt. */
	never200: number;
	/** Answered 200 but no execution carries the TestID after the restart. */
	lostBeforeKill: number;
	lostAfterRestart: number;
	/** Deliveries with an attempt that was sent before the kill and got no 2xx (in flight when it came). */
	inFlightAtKill: number;
	/** TestIDs executed more than once, and how many of them were in flight at the kill. */
	duplicated: number;
	duplicatedInFlight: number;
	/** ...and how many of them had an attempt that got no 2xx (retried, at the kill or later). */
	duplicatedRetried: number;
	executions: number;
	unexpected: number;
	unreadable: number;
	byStatus: Record<string, number>;
	/** Attempts in all, and deliveries that needed more than one. */
	attempts: number;
	retried: number;
}

export interface CrashResult {
	perTarget: number;
	connections: number;
	killedAfterAnswered: number;
	/** SIGKILL -> the new n8n is ready (logged in, types loaded). */
	restartMs: number;
	trigger: CrashTargetResult;
	webhook: CrashTargetResult;
}

/**
 * The sandbox's WebhookSender delivers `perTarget` results to each workflow (interleaved, `connections` at a
 * time, through two tracking codes with the same HMAC signing); once `killAfterAnswered` deliveries have been
 * answered 200 in all, the n8n process group gets SIGKILL and n8n starts again on the same user folder and
 * port. bench.n8n is the new instance afterwards (the caller stops it).
 */
export async function runCrash(
	bench: LoadBench,
	options: {
		perTarget: number;
		connections: number;
		killAfterAnswered: number;
		sender?: WebhookSenderConfig;
	},
	log: (message: string) => void = () => undefined,
): Promise<CrashResult> {
	const run = randomUUID().slice(0, 8);
	const codes: Record<TargetKind, string> = { trigger: 'LOAD-TRIGGER', webhook: 'LOAD-WEBHOOK' };
	const state = createState(
		resolveSandboxConfig({
			port: 0,
			inventorySize: 1,
			seedHistory: false,
			webhook: options.sender ?? CRASH_SENDER,
			trackingCodes: [
				{ code: codes.trigger, url: bench.trigger.url, auth: HMAC },
				{ code: codes.webhook, url: bench.webhook.url, auth: HMAC },
			],
		}),
	);
	const sender = new WebhookSender(state);
	// Executions from before the burst (the load's, in the trigger workflow) are left out of the counts.
	const before: Record<TargetKind, Set<string>> = { trigger: new Set(), webhook: new Set() };
	for (const kind of ['trigger', 'webhook'] as const)
		for (const execution of await allExecutions(bench.n8n, bench[kind].workflowId))
			before[kind].add(execution.id);
	const jobs: Array<{ kind: TargetKind; testId: string }> = [];
	for (let i = 0; i < options.perTarget; i++)
		for (const kind of ['trigger', 'webhook'] as const)
			jobs.push({ kind, testId: `CRASH-${run}-${kind}-${i}` });

	const records: Record<TargetKind, DeliveryRecord[]> = { trigger: [], webhook: [] };
	const answered = () => state.deliveries.filter((record) => record.outcome === 'delivered').length;
	let killAt: number | undefined;
	let restartMs = NaN;
	const killedPid = bench.n8n.pid;
	let sending = true;

	// Watches the answers; kills n8n once enough are in, then starts it again on the same folder.
	const crash = (async () => {
		while (answered() < options.killAfterAnswered) {
			if (!sending) throw new Error(`the burst ended with ${answered()} answered, before the kill`);
			await sleep(20);
		}
		killAt = Date.now();
		killGroup(killedPid, 'SIGKILL');
		log(`crash: SIGKILL after ${answered()} answered; restarting n8n on the same folder`);
		const killed = bench.n8n;
		// Waits for the group to be gone and searches what it kept for secrets; keeps the folder.
		await killed.stop({ keepUserFolder: true });
		bench.n8n = await startPatiently({
			version: bench.version,
			userFolder: killed.userFolder,
			port: killed.port,
			removeUserFolderOnStop: true,
		});
		restartMs = Date.now() - killAt;
		log(`crash: n8n ready again ${(restartMs / 1000).toFixed(1)} s after the kill`);
	})();
	// If n8n does not come back, stop the retries at once; the error is thrown below.
	let restartFailed = false;
	crash.catch(() => {
		restartFailed = true;
		sender.cancelAll();
	});

	let next = 0;
	await Promise.all(
		Array.from({ length: options.connections }, async () => {
			while (next < jobs.length && !restartFailed) {
				const { kind, testId } = jobs[next++];
				const { records: made, settled } = sender.deliver(
					testId,
					'completed',
					'Completed',
					codes[kind],
					sampleResultData({ TestID: testId }),
				);
				records[kind].push(...made);
				await settled;
			}
		}),
	);
	await sender.settled();
	sending = false;
	await crash;
	log(`crash: every delivery settled; reading executions`);

	const summarise = async (kind: TargetKind): Promise<CrashTargetResult> => {
		const target = bench[kind];
		const mine = records[kind];
		const delivered = mine.filter((record) => record.outcome === 'delivered');
		const executions = (
			await settledExecutions(bench.n8n, target.workflowId, delivered.length + before[kind].size)
		).filter((execution) => !before[kind].has(execution.id));
		const executed = await readExecuted(bench.n8n, executions, kind);
		const kill = killAt ?? Infinity;
		const final200At = (record: DeliveryRecord) =>
			Date.parse(record.attempts[record.attempts.length - 1].at);
		const beforeKill = delivered.filter((record) => final200At(record) < kill);
		const afterRestart = delivered.filter((record) => final200At(record) >= kill);
		const lost = (list: DeliveryRecord[]) =>
			list.filter((record) => !executed.byTestId.has(record.testId)).length;
		const inFlight = new Set(
			mine
				.filter((record) =>
					record.attempts.some(
						(attempt) =>
							Date.parse(attempt.at) < kill &&
							(attempt.status === null || attempt.status < 200 || attempt.status >= 300),
					),
				)
				.map((record) => record.testId),
		);
		const retried = new Set(
			mine.filter((record) => record.attempts.length > 1).map((record) => record.testId),
		);
		const duplicatedIds = [...executed.byTestId.entries()]
			.filter(([, count]) => count > 1)
			.map(([testId]) => testId);
		const sent = new Set(mine.map((record) => record.testId));
		return {
			kind,
			deliveries: mine.length,
			answered200: delivered.length,
			answeredBeforeKill: beforeKill.length,
			answeredAfterRestart: afterRestart.length,
			never200: mine.length - delivered.length,
			lostBeforeKill: lost(beforeKill),
			lostAfterRestart: lost(afterRestart),
			inFlightAtKill: inFlight.size,
			duplicated: duplicatedIds.length,
			duplicatedInFlight: duplicatedIds.filter((testId) => inFlight.has(testId)).length,
			duplicatedRetried: duplicatedIds.filter((testId) => retried.has(testId)).length,
			executions: executed.executions,
			unexpected: [...executed.byTestId.keys()].filter((testId) => !sent.has(testId)).length,
			unreadable: executed.unreadable,
			byStatus: executed.byStatus,
			attempts: mine.reduce((sum, record) => sum + record.attempts.length, 0),
			retried: mine.filter((record) => record.attempts.length > 1).length,
		};
	};
	return {
		perTarget: options.perTarget,
		connections: options.connections,
		killedAfterAnswered: options.killAfterAnswered,
		restartMs,
		trigger: await summarise('trigger'),
		webhook: await summarise('webhook'),
	};
}

/**
 * What the crash rows check for one workflow: every delivery was eventually answered 200, nothing answered by
 * the restarted n8n is lost, every execution is a delivery that was sent, and a TestID is executed twice only
 * when the sender retried it. For the trigger, only when one of its attempts was in flight at the kill (n8n
 * kept the execution, the sender never got the answer, and the retry reached a process whose in-memory repeat
 * suppression had started empty); within one process its repeat suppression stops every other retry. The
 * Webhook node has no such suppression: any retry of a recorded delivery (an answer that came too late for the
 * sender's 10 s, after the restart too) runs again.
 */
export function crashTargetHeld(result: CrashTargetResult): boolean {
	return (
		result.never200 === 0 &&
		result.lostAfterRestart === 0 &&
		result.unexpected === 0 &&
		result.unreadable === 0 &&
		(result.kind === 'trigger'
			? result.duplicatedInFlight === result.duplicated
			: result.duplicatedRetried === result.duplicated)
	);
}

// ---- the part ----------------------------------------------------------------------------------------------

const ms = (value: number) => `${Math.round(value)} ms`;
const statuses = (counts: Record<string, number>) =>
	Object.entries(counts)
		.map(([status, count]) => `${count} ${status}`)
		.join(', ') || 'none';

export function loadRows(result: LoadResult, version: string): ReliabilityRow[] {
	const genuine = result.sent - result.forged;
	return [
		{
			part: '3 trigger load',
			scenario: `n8n ${version}, iTEP Trigger 1.1 (HMAC, repeat suppression on): ${genuine} distinct signed deliveries + ${result.forged} forged mixed in, ${result.connections} concurrent connections; retried as a sender would (${LOAD_SENDER.maxAttempts} attempts, backoff ${LOAD_SENDER.backoffBaseMs / 1000} s doubling)`,
			result:
				`first attempts: ${result.firstAttempt200} answered 200, ${statuses(result.firstAttemptOther)}; ${result.attempts} attempts in all; in the end ${result.genuine200} answered 200 (never: ${statuses(result.genuineOther)}); ` +
				`${result.executions} executions (${statuses(result.byStatus)}): ${result.successful} successful, ${result.missing} TestIDs missing, ${result.successDuplicated} twice, ${result.unexpected} unexpected; ` +
				`forged: ${result.forged4xx} answered 4xx, ${result.forgedExecuted} executed; ` +
				`answers 200: p50 ${ms(result.p50Ms)}, p99 ${ms(result.p99Ms)}; ${result.perSecond.toFixed(1)} deliveries/s`,
			check:
				'every genuine delivery answered 200 in the end; successful executions = deliveries, their TestIDs = the TestIDs sent, none twice; an execution that did not succeed only for a TestID n8n once answered 5xx or not at all; every forged one 4xx and not executed',
			ok: loadHeld(result, genuine, result.forged),
		},
	];
}

export function crashRows(result: CrashResult, version: string): ReliabilityRow[] {
	const scenario = (kind: TargetKind) =>
		`n8n ${version}, ${kind === 'trigger' ? 'iTEP Trigger 1.1 (HMAC, repeat suppression on)' : 'reference: Webhook node (POST, respond immediately)'}: ` +
		`${result.perTarget} deliveries each to both workflows at once by the sandbox's WebhookSender (${result.connections} at a time; ${CRASH_SENDER_TEXT}), ` +
		`SIGKILL of n8n's process group after ${result.killedAfterAnswered} answered 200, restart on the same folder (${(result.restartMs / 1000).toFixed(0)} s)`;
	const describe = (target: CrashTargetResult) =>
		`${target.answered200} answered 200 (${target.answeredBeforeKill} before the kill, ${target.answeredAfterRestart} after the restart), ${target.never200} never; ` +
		`lost (answered 200, no execution): ${target.lostBeforeKill} before the kill, ${target.lostAfterRestart} after the restart; ` +
		`${target.executions} executions (${statuses(target.byStatus)}), ${target.duplicated} TestIDs executed twice (${target.duplicatedInFlight} of them in flight at the kill, ${target.duplicatedRetried} retried; ${target.inFlightAtKill} in flight); ` +
		`${target.retried} deliveries retried, ${target.attempts} attempts`;
	const triggerOk = crashTargetHeld(result.trigger);
	const webhookOk = crashTargetHeld(result.webhook);
	return [
		{
			part: '3 trigger crash',
			scenario: scenario('trigger'),
			result: describe(result.trigger),
			check: `every delivery answered 200 in the end; lost after the restart = 0; lost before the kill <= the Webhook node's (${result.webhook.lostBeforeKill}); executions only of TestIDs sent; a TestID twice only if in flight at the kill`,
			ok: triggerOk && result.trigger.lostBeforeKill <= result.webhook.lostBeforeKill,
		},
		{
			part: '3 trigger crash',
			scenario: scenario('webhook'),
			result: describe(result.webhook),
			check:
				'the reference, measured the same way: every delivery answered 200 in the end; lost after the restart = 0; executions only of TestIDs sent; a TestID twice only if the sender retried it (the Webhook node suppresses no repeat)',
			ok: webhookOk,
		},
	];
}

const CRASH_SENDER_TEXT = `retries ${CRASH_SENDER.maxAttempts} attempts, ${CRASH_SENDER.timeoutMs / 1000} s each, backoff ${CRASH_SENDER.backoffBaseMs / 1000} s doubling`;

export const triggerPart: ReliabilityPart = {
	name: 'trigger',
	async run({ version, log }): Promise<ReliabilityRow[]> {
		const rows: ReliabilityRow[] = [];
		const bench = await startLoadBench(version);
		try {
			log(`trigger: load, ${LOAD_DELIVERIES} deliveries at ${LOAD_CONNECTIONS} connections`);
			const load = await runLoad(
				bench,
				{ deliveries: LOAD_DELIVERIES, connections: LOAD_CONNECTIONS, forged: LOAD_FORGED },
				log,
			);
			rows.push(...loadRows(load, version));
			// Printed at once as well: the crash burst that follows takes minutes on a busy machine.
			for (const row of loadRows(load, version)) log(`${row.part}: ${row.result}`);
			log(`trigger: crash, ${CRASH_DELIVERIES} deliveries to each workflow`);
			const crash = await runCrash(
				bench,
				{
					perTarget: CRASH_DELIVERIES,
					connections: LOAD_CONNECTIONS,
					killAfterAnswered: Math.round(2 * CRASH_DELIVERIES * CRASH_KILL_SHARE),
				},
				log,
			);
			rows.push(...crashRows(crash, version));
		} finally {
			await bench.n8n.stop();
		}
		return rows;
	},
};
