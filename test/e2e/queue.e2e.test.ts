/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-hardcoded-secrets -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * The pack in n8n's queue mode (n8n 2.x): a private Postgres and Redis, a main process, two workers and two
 * webhook processors sharing one user folder with the pack installed from the tarball (devkit/n8n/queue.ts).
 *
 * - every process loaded both nodes;
 * - two workflows of 1,000 GTX items each (Max Concurrent Requests 10) started together run on different
 *   workers: no replay rejection, the inventory drops by exactly 2,000, all 2,000 sequences distinct;
 * - STX from the candidate webhook example, received by a webhook processor: one test ID, one e-mail;
 * - the trigger with the claim-once recipe (examples/result-received-claim-once.json): 500 distinct deliveries
 *   over both webhook processors start 500 executions; forged and unsigned ones get 401 and start nothing;
 *   100 deliveries each sent to both processors (50 at once, 50 one second apart) start one execution per
 *   copy (each process remembers only its own deliveries) and reach the step after the claim once each;
 * - a worker killed with SIGKILL in the middle of a 200-item run: what the user sees, and that n8n never runs
 *   the execution again, so no test ID is spent twice, and each test ID it spent names it in Assigned To.
 * - no secret escapes: when the cluster stops, the workers' and webhook processors' logs, PostgreSQL's log and a
 *   plain pg_dump of n8n's database are searched for every credential secret used (the main's stop() searched its
 *   own log); a control finds a value planted in a row PostgreSQL stores compressed.
 * Figures go to .e2e/timings.json under "queue-<version>" and to stdout.
 */
import { randomUUID } from 'node:crypto';

import {
	encodeResultForm,
	RESULT_FORM_CONTENT_TYPE,
	sampleResultData,
} from '../../sandbox/resultsData';
import { isAvailable } from '../../sandbox/inventory';
import { signDelivery, type SenderAuth } from '../../sandbox/webhookAuth';
import { startSandbox, type RunningSandbox } from '../../sandbox/server';
import {
	chain,
	e2eVersions,
	manualTrigger,
	ITEP_NODE_TYPE,
	ITEP_TRIGGER_NODE_TYPE,
	nodeOutput,
	recordTimings,
	RestClient,
	sleep,
	waitFor,
	type CredentialRef,
	type N8nApi,
} from '../../devkit/n8n';
import {
	CLAIM_DATABASE,
	createClaimDatabase,
	PACK_LOADED_LINE,
	searchClusterForSecrets,
	startQueueCluster,
	type QueueCluster,
} from '../../devkit/n8n/queue';
import { codeNode, describeE2e, itepNode, loadExample } from './support';

const API_KEY = 'e2e-queue-api-key';
const WEBHOOK_SECRET = 'e2e-queue-webhook-secret-Vb71';
const HMAC: SenderAuth = {
	mode: 'hmac',
	headerName: 'X-Itep-Webhook-Signature',
	secrets: [WEBHOOK_SECRET],
	encoding: 'hex',
};

/** Queue mode is tested on the 2.x line under test (the issue's target, n8n 2.40.7). */
const queueVersion = e2eVersions().find((version) => version.startsWith('2.'));
const describeQueue = queueVersion ? describeE2e : describe.skip;

describeQueue(
	`queue mode: n8n ${queueVersion ?? '2.x'}, main + 2 workers + 2 webhook processors`,
	() => {
		const version = queueVersion as string;
		let cluster: QueueCluster;
		let sandbox: RunningSandbox;
		let api: N8nApi;
		let itepCredential: CredentialRef;
		const timings: Record<string, number> = {};
		const suiteStarted = Date.now();

		const available = () => sandbox.state.tests.filter(isAvailable).length;
		/** Request-log ids are never reused, so "after id N" stays exact however long the log grows. */
		const lastRequestId = () => sandbox.state.requests.at(-1)?.id ?? 0;
		const requestsAfter = (id: number) =>
			sandbox.state.requests.filter((request) => request.id > id);
		/** Executions of a workflow by status, read from n8n's Postgres (exact counts, no paging). */
		const executionCounts = (workflowId: string): Record<string, number> => {
			if (!/^[A-Za-z0-9]+$/.test(workflowId))
				throw new Error(`unexpected workflow id ${workflowId}`);
			const rows = cluster.postgres
				.query(
					`SELECT status, count(*) FROM execution_entity WHERE "workflowId" = '${workflowId}' GROUP BY status`,
				)
				.trim();
			const counts: Record<string, number> = {};
			for (const line of rows ? rows.split('\n') : []) {
				const [status, count] = line.split('|');
				counts[status] = Number(count);
			}
			return counts;
		};
		const total = (counts: Record<string, number>) =>
			Object.values(counts).reduce((sum, n) => sum + n, 0);
		/** Which worker's log says it started the execution. */
		const workerOf = (executionId: string) =>
			cluster.workers
				.filter((worker) =>
					new RegExp(`Worker started execution ${executionId} \\(`).test(worker.log()),
				)
				.map((worker) => worker.name);

		beforeAll(async () => {
			const started = Date.now();
			sandbox = await startSandbox({
				port: 0,
				apiKeys: [API_KEY],
				inventorySize: 10,
				inventoryByType: { 'Academic-Plus': 2_400 },
			});
			cluster = await startQueueCluster({
				version,
				workers: 2,
				webhooks: 2,
				// One execution per worker at a time, so two runs started together land on different workers.
				workerConcurrency: 1,
			});
			Object.assign(timings, prefixed('cluster.', cluster.timings));
			timings.clusterStartMs = Date.now() - started;
			api = cluster.main.api;
			itepCredential = await api.createItepCredential(
				{ apiKey: API_KEY, baseUrl: sandbox.url },
				'iTEP sandbox',
			);
		}, 6 * 60_000);

		afterAll(async () => {
			timings.suiteMs = Date.now() - suiteStarted;
			recordTimings(`queue-${version}`, timings);
			process.stdout.write(`[e2e] queue mode ${version}: ${JSON.stringify(timings)}\n`);
			await cluster?.stop();
			await sandbox?.close();
		});

		test('the main, both workers and both webhook processors loaded the pack (2 nodes, 4 credentials)', async () => {
			const processes = [
				{ name: 'main', log: cluster.main.log() },
				...[...cluster.workers, ...cluster.webhooks].map((p) => ({ name: p.name, log: p.log() })),
			];
			expect(
				processes.map(({ name, log }) => {
					const match = PACK_LOADED_LINE.exec(log);
					return `${name}: ${match ? `${match[1]} credentials, ${match[2]} nodes` : 'not loaded'}`;
				}),
			).toEqual([
				'main: 4 credentials, 2 nodes',
				'worker-1: 4 credentials, 2 nodes',
				'worker-2: 4 credentials, 2 nodes',
				'webhook-1: 4 credentials, 2 nodes',
				'webhook-2: 4 credentials, 2 nodes',
			]);
			const types = await api.nodeTypeNames();
			expect(types).toEqual(expect.arrayContaining([ITEP_NODE_TYPE, ITEP_TRIGGER_NODE_TYPE]));
		});

		test('the secret search reads the database as text: a secret inside a value PostgreSQL compresses is found', () => {
			// The cluster's stop() searches a plain pg_dump (devkit/n8n/queue.ts). This control shows that search finds
			// a value in a row PostgreSQL stored compressed (TOAST), where a search of its files could miss it.
			const planted = `planted-control-${randomUUID()}`;
			const copies = 2000;
			const { postgres } = cluster;
			postgres.query('CREATE TABLE itep_secret_control (value text)');
			try {
				postgres.query(`INSERT INTO itep_secret_control SELECT repeat('${planted} ', ${copies})`);
				const [stored, length] = postgres
					.query('SELECT pg_column_size(value), octet_length(value) FROM itep_secret_control')
					.trim()
					.split('|')
					.map(Number);
				expect(stored).toBeLessThan(length / 10);
				const scan = searchClusterForSecrets(version, postgres, [], [planted]);
				expect(scan.findings).toEqual([
					expect.objectContaining({
						occurrences: copies,
						file: expect.stringMatching(/\.dump\.sql$/),
					}),
				]);
			} finally {
				postgres.query('DROP TABLE itep_secret_control');
			}
		});

		test(
			'two runs of 1,000 GTX items on two workers: no replay, 2,000 test IDs, 2,000 distinct sequences',
			async () => {
				const items = Array.from({ length: 1_000 }, (_, i) => ({ n: i }));
				const workflows = await Promise.all(
					['A', 'B'].map((label) =>
						api.createWorkflow(
							chain(`queue GTX ${label}`, [
								manualTrigger(),
								codeNode('Candidates', items),
								itepNode('iTEP', itepCredential, {
									operation: 'getTestId',
									productCode: 'GTX-Academic-Plus',
									assignedTo: { candidateName: `={{ 'Run ${label} #' + $json.n }}` },
									options: { maxConcurrency: 10 },
								}),
							]),
						),
					),
				);
				const availableBefore = available();
				const lastRequestBefore = lastRequestId();
				// A little API latency, so that ten requests per run are really in flight at once.
				sandbox.state.knobs.latencyMs = 10;

				const started = Date.now();
				const executionIds = await Promise.all(workflows.map((wf) => api.startManualRun(wf.id)));
				const runs = await Promise.all(
					executionIds.map((id) => api.waitForExecution(id, 10 * 60_000)),
				);
				timings['gtx2x1000.ms'] = Date.now() - started;
				sandbox.state.knobs.latencyMs = 0;

				expect(runs.map((run) => run.status)).toEqual(['success', 'success']);
				// Each run on its own worker: both workers issued sequences at the same time under one API key.
				const ranOn = executionIds.map((id) => workerOf(id));
				expect(ranOn.map((names) => names.length)).toEqual([1, 1]);
				expect(new Set(ranOn.flat()).size).toBe(2);

				const requests = requestsAfter(lastRequestBefore);
				const byStatus: Record<string, number> = {};
				for (const request of requests)
					byStatus[String(request.status)] = (byStatus[String(request.status)] ?? 0) + 1;
				expect(byStatus).toEqual({ '200': 2_000 });
				expect(availableBefore - available()).toBe(2_000);

				const outputs = runs.flatMap((run) => nodeOutput(run, 'iTEP'));
				const sequences = outputs.map((item) => item.sequence as number);
				expect(outputs).toHaveLength(2_000);
				expect(new Set(sequences).size).toBe(2_000);
				expect(new Set(outputs.map((item) => item.testId)).size).toBe(2_000);
				// What n8n reports is what the sandbox did.
				expect(new Set(requests.map((request) => request.sequence))).toEqual(new Set(sequences));
				// The two runs overlapped: each one's first request came before the other one's last.
				const arrivals = (label: string) =>
					requests
						.filter((request) => request.rawBody.includes(`"student-name":"Run ${label} #`))
						.map((request) => request.id);
				const [a, b] = [arrivals('A'), arrivals('B')];
				expect([a.length, b.length]).toEqual([1_000, 1_000]);
				expect(Math.min(...a)).toBeLessThan(Math.max(...b));
				expect(Math.min(...b)).toBeLessThan(Math.max(...a));
				timings['gtx2x1000.maxInFlight'] = sandbox.state.stats.maxInFlight;
				timings['gtx2x1000.replays'] = byStatus['409'] ?? 0;
				timings['gtx2x1000.distinctSequences'] = new Set(sequences).size;
			},
			12 * 60_000,
		);

		test('STX from the candidate webhook, received by a webhook processor: one test ID, one e-mail', async () => {
			const formSecret = 'candidate-form-secret-queue';
			const formCredential = await api.createCredential('Candidate form secret', 'httpHeaderAuth', {
				name: 'X-Candidate-Form-Secret',
				value: formSecret,
			});
			const workflow = await api.createWorkflow(
				loadExample('candidate-applied-stx.json', {
					ITEP_API_CREDENTIAL_ID: itepCredential.id,
					CANDIDATE_FORM_CREDENTIAL_ID: formCredential.id,
				}),
			);
			await api.activateWorkflow(workflow.id);
			const outboxBefore = sandbox.state.outbox.length;
			const availableBefore = available();

			const candidate = {
				firstName: 'Ada',
				lastName: 'Queue',
				email: 'ada.queue@example.com',
				candidateId: 'ATS-Q1',
			};
			const response = await waitFor(
				'the webhook processor to serve the published workflow',
				async () => {
					const answer = await new RestClient(cluster.webhooks[0].baseUrl).raw(
						'POST',
						'/webhook/candidate-applied',
						candidate,
						{ 'X-Candidate-Form-Secret': formSecret },
					);
					return answer.status === 404 ? undefined : answer;
				},
				{ timeoutMs: 30_000, intervalMs: 500 },
			);
			expect(response.status).toBe(200);
			const answer = response.json as { testId: string; emailedTo: string };
			expect(answer.emailedTo).toBe(candidate.email);
			expect(
				sandbox.state.outbox.slice(outboxBefore).map(({ to, testId }) => ({ to, testId })),
			).toEqual([{ to: candidate.email, testId: answer.testId }]);
			expect(availableBefore - available()).toBe(1);
			await api.deactivateWorkflow(workflow.id);
		});

		describe('iTEP Trigger with the claim-once recipe', () => {
			let workflowId: string;
			let webhookPath: string;
			const sinkIds = () =>
				sandbox.state.results.map((entry) => (entry.body as { deliveryId?: string }).deliveryId);

			/** Sends signed (or forged / unsigned) form bytes to one webhook processor. */
			const deliver = async (
				processor: number,
				data: Record<string, unknown>,
				sign: 'genuine' | 'forged' | 'unsigned' = 'genuine',
			) => {
				const body = encodeResultForm(data);
				const headers: Record<string, string> = { 'content-type': RESULT_FORM_CONTENT_TYPE };
				if (sign === 'genuine')
					Object.assign(headers, signDelivery(body, HMAC, Math.floor(Date.now() / 1000)));
				if (sign === 'forged')
					Object.assign(
						headers,
						signDelivery(
							body,
							{ ...HMAC, secrets: ['not-the-secret'] },
							Math.floor(Date.now() / 1000),
						),
					);
				const response = await fetch(`${cluster.webhooks[processor].baseUrl}${webhookPath}`, {
					method: 'POST',
					headers,
					body,
				});
				await response.text();
				return response.status;
			};

			const waitForExecutions = async (count: number, timeoutMs = 5 * 60_000) => {
				await waitFor(
					`${count} finished executions`,
					() => {
						const counts = executionCounts(workflowId);
						const finished = total(counts) - (counts.running ?? 0) - (counts.new ?? 0);
						return finished >= count ? counts : undefined;
					},
					{ timeoutMs, intervalMs: 1_000 },
				);
				await sleep(2_000); // nothing more may arrive
				return executionCounts(workflowId);
			};

			beforeAll(async () => {
				const webhookCredential = await api.createCredential(
					'iTEP sandbox webhook',
					'itepWebhookSignatureApi',
					{
						secret: WEBHOOK_SECRET,
						signatureHeader: HMAC.headerName,
						encoding: 'hex',
						signedTimestamp: false,
					},
				);
				const postgresCredential = await createClaimDatabase(cluster);
				const workflow = await api.createWorkflow(
					loadExample('result-received-claim-once.json', {
						ITEP_WEBHOOK_CREDENTIAL_ID: webhookCredential.id,
						POSTGRES_CREDENTIAL_ID: postgresCredential.id,
						'http://127.0.0.1:8787': sandbox.url,
					}),
				);
				workflowId = workflow.id;
				webhookPath = '/webhook/itep-results-queue';
				await api.activateWorkflow(workflowId);
				// Both webhook processors serve it (they read published webhooks from the database).
				for (const processor of [0, 1]) {
					await waitFor(
						`webhook-${processor + 1} to serve ${webhookPath}`,
						async () => ((await deliver(processor, {}, 'unsigned')) === 401 ? true : undefined),
						{ timeoutMs: 30_000, intervalMs: 500 },
					);
				}
			});

			afterAll(async () => {
				if (workflowId) await api.deactivateWorkflow(workflowId);
			});

			test(
				'500 distinct genuine deliveries over both webhook processors start exactly 500 executions',
				async () => {
					const started = Date.now();
					const answerMs: number[] = [];
					const statuses = await inBatches(500, 25, async (i) => {
						const sent = Date.now();
						const status = await deliver(
							i % 2,
							sampleResultData({ TestID: `Q5${String(i).padStart(7, '0')}` }),
						);
						answerMs.push(Date.now() - sent);
						return status;
					});
					timings['trigger500.sendMs'] = Date.now() - started;
					answerMs.sort((a, b) => a - b);
					timings['trigger500.answerP50Ms'] = answerMs[Math.floor(answerMs.length * 0.5)];
					timings['trigger500.answerP99Ms'] = answerMs[Math.floor(answerMs.length * 0.99)];
					expect(statuses.filter((status) => status === 200)).toHaveLength(500);

					const counts = await waitForExecutions(500);
					timings['trigger500.ms'] = Date.now() - started;
					expect(counts).toEqual({ success: 500 });
					await waitFor(
						'500 results recorded',
						() => (sinkIds().length >= 500 ? true : undefined),
						{
							timeoutMs: 30_000,
						},
					);
					expect(new Set(sinkIds()).size).toBe(500);
					expect(sinkIds()).toHaveLength(500);
				},
				10 * 60_000,
			);

			test('forged and unsigned deliveries get 401 on both processors and start nothing', async () => {
				const before = total(executionCounts(workflowId));
				const statuses = await Promise.all(
					[0, 1].flatMap((processor) => [
						deliver(processor, sampleResultData({ TestID: 'FORGED0001' }), 'forged'),
						deliver(processor, sampleResultData({ TestID: 'UNSIGNED01' }), 'unsigned'),
					]),
				);
				expect(statuses).toEqual([401, 401, 401, 401]);
				await sleep(3_000);
				expect(total(executionCounts(workflowId))).toBe(before);
			});

			test(
				'100 deliveries each sent to both processors: one execution per copy, one effect per delivery',
				async () => {
					const before = total(executionCounts(workflowId));
					const sinkBefore = sinkIds().length;
					const deliveries = Array.from({ length: 100 }, (_, i) =>
						sampleResultData({ TestID: `QD${String(i).padStart(8, '0')}` }),
					);
					// 50 copies at the same moment on both processors...
					const concurrent = await Promise.all(
						deliveries.slice(0, 50).flatMap((data) => [deliver(0, data), deliver(1, data)]),
					);
					// ...and 50 sent to one processor, then one second later to the other.
					const apart: number[] = [];
					await inBatches(50, 10, async (i) => {
						const data = deliveries[50 + i];
						apart.push(await deliver(0, data));
						await sleep(1_000);
						apart.push(await deliver(1, data));
					});
					expect([...concurrent, ...apart].every((status) => status === 200)).toBe(true);

					const counts = await waitForExecutions(before + 200);
					const executions = total(counts) - before;
					await sleep(2_000);
					const effects = sinkIds().slice(sinkBefore);
					const duplicateEffects = effects.length - new Set(effects).size;
					timings['duplicates.executionsFor100x2'] = executions;
					timings['duplicates.effectsFor100x2'] = effects.length;
					timings['duplicates.duplicateEffects'] = duplicateEffects;
					// The trigger alone cannot see the other process's memory: every copy starts an execution...
					expect(executions).toBe(200);
					expect(counts.error ?? 0).toBe(0);
					// ...and the Postgres claim lets exactly one copy of each through, which then marks it done.
					expect(effects).toHaveLength(100);
					expect(duplicateEffects).toBe(0);
					expect(
						cluster.postgres
							.query(
								"SELECT count(*), count(done_at) FROM itep_deliveries WHERE test_id LIKE 'QD%'",
								CLAIM_DATABASE,
							)
							.trim(),
					).toBe('100|100');
				},
				10 * 60_000,
			);
		});

		test(
			'a worker killed with SIGKILL mid-run: the execution fails, is never re-run, and every test ID it spent names it',
			async () => {
				const items = Array.from({ length: 200 }, (_, i) => ({ n: i }));
				const workflow = await api.createWorkflow(
					chain('queue GTX 200, worker killed', [
						manualTrigger(),
						codeNode('Candidates', items),
						// Nothing set in Assigned To: the node then records the workflow and execution in it.
						itepNode('iTEP', itepCredential, {
							operation: 'getTestId',
							productCode: 'GTX-Academic-Plus',
						}),
					]),
				);
				sandbox.state.knobs.latencyMs = 40;
				const lastRequestBefore = lastRequestId();
				const availableBefore = available();
				const executionId = await api.startManualRun(workflow.id);
				await waitFor(
					'50 requests of the run answered',
					() => (requestsAfter(lastRequestBefore).length >= 50 ? true : undefined),
					{ timeoutMs: 120_000, intervalMs: 20 },
				);
				const [victimName] = workerOf(executionId);
				const victim = cluster.workers.find((worker) => worker.name === victimName);
				expect(victim).toBeDefined();
				victim!.kill();
				const killedAt = Date.now();
				await waitFor('the killed worker to be gone', () => (victim!.alive() ? undefined : true), {
					timeoutMs: 10_000,
				});
				// Requests the worker had already sent may still be answered: wait until none arrives for 2 s.
				let lastAtKill = lastRequestId();
				await waitFor(
					'requests in flight at the kill to land',
					async () => {
						const before = lastAtKill;
						await sleep(2_000);
						lastAtKill = lastRequestId();
						return lastAtKill === before ? true : undefined;
					},
					{ timeoutMs: 30_000, intervalMs: 0 },
				);

				// What the user sees: the execution stays "running" until n8n's queue notices the job's lock expired
				// (QUEUE_WORKER_LOCK_DURATION 60 s, checked every QUEUE_WORKER_STALLED_INTERVAL 30 s). n8n never
				// retries a stalled job (maxStalledCount 0), so it fails it with this message.
				const execution = await waitFor(
					'the execution to fail',
					async () => {
						const current = await api.getExecution(executionId);
						return current.status === 'running' || current.status === 'new' ? undefined : current;
					},
					{ timeoutMs: 5 * 60_000, intervalMs: 2_000 },
				);
				timings['workerKill.failedAfterMs'] = Date.now() - killedAt;
				expect(execution.status).toBe('error');
				expect(execution.data.resultData.error?.message).toMatch(
					/failed to be processed too many times and will no longer retry/,
				);
				// n8n holds nothing of the iTEP node's run: its outputs were lost with the worker.
				expect(execution.data.resultData.runData?.iTEP).toBeUndefined();
				sandbox.state.knobs.latencyMs = 0;

				// n8n did not run it again (on the surviving worker or anywhere): through the stall check, where a
				// queue would hand the job to another worker, and the failure, no new request arrived.
				expect(requestsAfter(lastAtKill)).toEqual([]);
				const requests = requestsAfter(lastRequestBefore);
				expect(requests.every((request) => request.status === 200 || request.status === null)).toBe(
					true,
				);
				const spent = sandbox.state.tests.filter(
					(test) =>
						(test.assignedTo as Record<string, unknown> | null)?.['n8n-execution'] === executionId,
				);
				// Every test ID the sandbox spent in this run carries the execution's id in Assigned To: that is how the
				// user finds them before running the rest again (README, "Queue mode").
				expect(spent.length).toBe(requests.filter((request) => request.status === 200).length);
				expect(spent.length).toBe(availableBefore - available());
				expect(spent.length).toBeGreaterThanOrEqual(50);
				expect(spent.length).toBeLessThan(200);
				timings['workerKill.spentBeforeKill'] = spent.length;

				// The cluster goes on with a new worker.
				cluster.workers.splice(cluster.workers.indexOf(victim!), 1, await cluster.addWorker());
			},
			10 * 60_000,
		);
	},
);

function prefixed(prefix: string, values: Record<string, number>): Record<string, number> {
	return Object.fromEntries(Object.entries(values).map(([key, value]) => [prefix + key, value]));
}

/** Runs task(0..count-1) with at most `width` at a time; results in index order. */
async function inBatches<T>(
	count: number,
	width: number,
	task: (i: number) => Promise<T>,
): Promise<T[]> {
	const results: T[] = new Array(count);
	let next = 0;
	await Promise.all(
		Array.from({ length: width }, async () => {
			while (next < count) {
				const i = next++;
				results[i] = await task(i);
			}
		}),
	);
	return results;
}
