/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * The sandbox made to fail, in real n8n (2.x and 1.x): a 500 (server error, outcome unknown), a request that is
 * processed and then lost ("sent, then lost": outcome unknown, check Assigned To, and never re-sent), and an
 * exhausted inventory (422: no available test IDs, with the IDs the run already obtained named). Each is read
 * from n8n's stored execution and cross-checked with the sandbox's request log and inventory.
 */
import { isAvailable } from '../../sandbox/inventory';
import { startSandbox, type RunningSandbox } from '../../sandbox/server';
import {
	chain,
	e2eVersions,
	executionError,
	manualTrigger,
	nodeOutputItems,
	timed,
	type CredentialRef,
	type N8nInstance,
} from '../../devkit/n8n';
import { codeNode, describeE2e, itepNode, nodeRun, stable, startLine, stopLine } from './support';

const API_KEY = 'e2e-failures-key';

describeE2e.each(e2eVersions())(
	'n8n %s: iTEP failures reach the user as actionable errors',
	(version) => {
		let n8n: N8nInstance;
		let sandbox: RunningSandbox;
		let credential: CredentialRef;
		const timings: Record<string, number> = {};

		const gtxWorkflow = (name: string, productCode: string, candidates: string[]) =>
			chain(name, [
				manualTrigger(),
				codeNode(
					'Candidates',
					candidates.map((candidate) => ({ name: candidate })),
				),
				itepNode('iTEP', credential, {
					operation: 'getTestId',
					productCode,
					assignedTo: { candidateName: '={{ $json.name }}' },
				}),
			]);

		beforeAll(async () => {
			// Hospitality holds a single available test ID, for the exhausted-inventory case.
			sandbox = await startSandbox({
				port: 0,
				apiKeys: [API_KEY],
				inventorySize: 5,
				inventoryByType: { Hospitality: 1 },
			});
			n8n = await startLine(version, timings, 'failures');
			credential = await n8n.api.createItepCredential({ apiKey: API_KEY, baseUrl: sandbox.url });
		});

		beforeEach(() => sandbox.reset());

		afterAll(async () => {
			await stopLine(n8n, version, timings);
			await sandbox?.close();
		});

		test("failNext 500: the execution fails with the node's server-error message", async () => {
			sandbox.state.knobs.failNext = { count: 1, status: 500 };
			const workflow = await n8n.api.createWorkflow(
				gtxWorkflow('e2e: 500', 'GTX-Academic-Plus', ['Server Error']),
			);
			const { value: execution, ms } = await timed(() => n8n.api.runManually(workflow.id));
			timings['failures.serverErrorRunMs'] = ms;

			expect(execution.status).toBe('error');
			const { error } = nodeRun(execution, 'iTEP');
			expect(error?.message).toBe(
				'iTEP answered with a server error (HTTP 500); the outcome is unknown',
			);
			expect(executionError(execution)).toBe(error?.message);
			expect(error?.description).toMatch(/Assigned To/);
			expect(error?.description).toMatch(/never re-sent automatically/);
			expect(String(error?.httpCode)).toBe('500');

			const requests = await stable(() =>
				sandbox.state.requests.map((r) => ({ status: r.status, outcome: r.outcome })),
			);
			expect(requests).toEqual([{ status: 500, outcome: 'injected-failure' }]);
			expect(sandbox.state.stats.provisioned).toBe(0);
		});

		test('dropNext after provisioning: "Outcome unknown ... Assigned To", one request, one provisioning, no re-send', async () => {
			sandbox.state.knobs.dropNext = { count: 1, afterProvisioning: true };
			const workflow = await n8n.api.createWorkflow(
				gtxWorkflow('e2e: lost answer', 'GTX-Academic-Plus', ['Lost Answer']),
			);
			const { value: execution, ms } = await timed(() => n8n.api.runManually(workflow.id));
			timings['failures.lostAnswerRunMs'] = ms;

			expect(execution.status).toBe('error');
			const { error } = nodeRun(execution, 'iTEP');
			expect(error?.message).toMatch(
				/^Outcome unknown: the request was sent but no answer came back/,
			);
			expect(error?.description).toMatch(
				/look for a test ID whose Assigned To holds this candidate before running again/,
			);
			expect(executionError(execution)).toBe(error?.message);
			// n8n's generic "retry" advice must not replace the node's message.
			expect(JSON.stringify(error)).not.toMatch(/retry the request immediately|Retry On Fail/i);

			// Exactly one request, dropped after it was processed; nothing arrives later (no retry by n8n or the node).
			const requests = await stable(
				() =>
					sandbox.state.requests.map((r) => ({
						outcome: r.outcome,
						status: r.status,
						sequence: r.sequence,
					})),
				1500,
			);
			expect(requests).toHaveLength(1);
			expect(requests[0]).toMatchObject({ outcome: 'dropped', status: null });
			const { sequence } = requests[0];
			expect(typeof sequence).toBe('number');
			// The error names the very request that was lost.
			expect(error?.description).toContain(`sequence ${sequence}`);

			// One provisioning for that sequence: the test ID is assigned to the candidate although n8n never heard back.
			const provisioned = sandbox.state.tests.filter((test) => test.sequence === sequence);
			expect(provisioned).toHaveLength(1);
			expect(provisioned[0].assignedTo).toEqual({ 'student-name': 'Lost Answer', sequence });
			expect(sandbox.state.stats).toMatchObject({ requests: 1, provisioned: 1, dropped: 1 });
		});

		test('On Error "Continue (using error output)": refused items leave on the error output with their details, test IDs on the success output', async () => {
			// 429 on the 2nd and 4th request: refused before anything is spent.
			sandbox.state.knobs.failNext = { count: 2, status: 429, every: 2 };
			const workflow = await n8n.api.createWorkflow(
				chain('e2e: error output', [
					manualTrigger(),
					codeNode(
						'Candidates',
						['Ann', 'Bob', 'Cy', 'Di'].map((name) => ({ name })),
					),
					itepNode(
						'iTEP',
						credential,
						{
							operation: 'getTestId',
							productCode: 'GTX-Academic-Plus',
							assignedTo: { candidateName: '={{ $json.name }}' },
						},
						{ onError: 'continueErrorOutput' },
					),
				]),
			);
			const execution = await n8n.api.runManually(workflow.id);

			expect(execution.status).toBe('success');
			const requests = await stable(() =>
				sandbox.state.requests.map((r) => ({
					status: r.status,
					testId: r.testId,
					sequence: r.sequence,
				})),
			);
			expect(requests.map((r) => r.status)).toEqual([200, 429, 200, 429]);
			const success = nodeOutputItems(execution, 'iTEP', 0).map((item) => item.json);
			const failed = nodeOutputItems(execution, 'iTEP', 1).map((item) => item.json);
			expect(success.map((json) => json.testId)).toEqual([requests[0].testId, requests[2].testId]);
			// n8n adds the input item's fields to an error-output item: the candidate stays identifiable.
			expect(failed).toEqual([
				expect.objectContaining({
					name: 'Bob',
					message: expect.stringMatching(/429|too many|rate/i),
					error: expect.objectContaining({
						outcome: 'rejected',
						httpCode: 429,
						sequence: requests[1].sequence,
					}),
				}),
				expect.objectContaining({
					name: 'Di',
					error: expect.objectContaining({ outcome: 'rejected', sequence: requests[3].sequence }),
				}),
			]);
		});

		test('exhausted inventory (422): "No available test IDs left", naming the test ID the run already got', async () => {
			const workflow = await n8n.api.createWorkflow(
				gtxWorkflow('e2e: 422', 'GTX-Hospitality', ['Gets The Last One', 'Finds None Left']),
			);
			const { value: execution, ms } = await timed(() => n8n.api.runManually(workflow.id));
			timings['failures.exhaustedRunMs'] = ms;

			expect(execution.status).toBe('error');
			const { error } = nodeRun(execution, 'iTEP');
			expect(error?.message).toBe('No available test IDs left for GTX-Hospitality');
			expect(executionError(execution)).toBe(error?.message);
			expect(String(error?.httpCode)).toBe('422');
			// The second item is the one that found none left.
			expect(error?.context).toMatchObject({ itemIndex: 1 });

			const requests = await stable(() =>
				sandbox.state.requests.map((r) => ({
					status: r.status,
					errorCode: r.errorCode,
					testId: r.testId,
					sequence: r.sequence,
				})),
			);
			expect(requests).toHaveLength(2);
			expect(requests[1]).toEqual({
				status: 422,
				errorCode: 'NO_AVAILABLE_TEST_IDS',
				testId: null,
				sequence: expect.any(Number),
			});
			const lastOne = requests[0].testId as string;
			expect(requests[0]).toEqual({
				status: 200,
				errorCode: null,
				testId: expect.stringMatching(/^\d{8}HO$/),
				sequence: expect.any(Number),
			});
			// The ID the first item obtained is not lost: the error names it.
			expect(error?.description).toContain(
				`Other items of this run were provisioned before it stopped: ${lastOne}.`,
			);
			expect(sandbox.state.tests.find((test) => test.testId === lastOne)?.assignedTo).toEqual({
				'student-name': 'Gets The Last One',
				sequence: requests[0].sequence,
			});
			expect(
				sandbox.state.tests.filter((test) => test.testType === 'Hospitality' && isAvailable(test)),
			).toEqual([]);
		});
	},
);
