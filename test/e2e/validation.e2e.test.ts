/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * Validation before sending, in real n8n (2.x and 1.x): an item with a registration field iTEP does not accept
 * (`First_name`) stops the run with the node's message (the field named, `First_Name` suggested) before any
 * request leaves n8n; with the node setting On Error "Continue" the valid items are still provisioned and the
 * invalid one becomes an error item in its place.
 */
import { startSandbox, type RunningSandbox } from '../../sandbox/server';
import {
	chain,
	e2eVersions,
	executionError,
	manualTrigger,
	nodeOutput,
	timed,
	type CredentialRef,
	type N8nInstance,
} from '../../devkit/n8n';
import { codeNode, describeE2e, itepNode, nodeRun, stable, startLine, stopLine } from './support';

const API_KEY = 'e2e-validation-key';

const ITEMS = [
	{
		name: 'Ana García',
		email: 'ana@example.com',
		registration: { First_Name: 'Ana', Last_Name: 'García' },
	},
	// The typo a user makes: iTEP's names are case-sensitive.
	{ name: 'Bo Li', email: 'bo@example.com', registration: { First_name: 'Bo', Last_Name: 'Li' } },
	{
		name: 'Chidi Okafor',
		email: 'chidi@example.com',
		registration: { First_Name: 'Chidi', Last_Name: 'Okafor' },
	},
];

const EXPECTED_MESSAGE = /First_name.*not one iTEP accepts.*did you mean "First_Name"\?/;

describeE2e.each(e2eVersions())(
	'n8n %s: items are validated before anything is sent',
	(version) => {
		let n8n: N8nInstance;
		let sandbox: RunningSandbox;
		let credential: CredentialRef;
		const timings: Record<string, number> = {};

		const workflowWith = (name: string, settings: Record<string, unknown> = {}) =>
			chain(name, [
				manualTrigger(),
				codeNode('Candidates', ITEMS),
				itepNode(
					'iTEP',
					credential,
					{
						operation: 'getTestId',
						productCode: 'GTX-Academic-Core',
						email: '={{ $json.email }}',
						assignedTo: { candidateName: '={{ $json.name }}' },
						registrationMode: 'json',
						registrationJson: '={{ JSON.stringify($json.registration) }}',
					},
					settings,
				),
			]);

		beforeAll(async () => {
			sandbox = await startSandbox({ port: 0, apiKeys: [API_KEY], inventorySize: 5 });
			n8n = await startLine(version, timings, 'validation');
			credential = await n8n.api.createItepCredential({ apiKey: API_KEY, baseUrl: sandbox.url });
		});

		beforeEach(() => sandbox.reset());

		afterAll(async () => {
			await stopLine(n8n, version, timings);
			await sandbox?.close();
		});

		test("an unknown registration field fails the execution with the node's message, and the sandbox receives nothing", async () => {
			const workflow = await n8n.api.createWorkflow(workflowWith('e2e: validation stops the run'));
			const { value: execution, ms } = await timed(() => n8n.api.runManually(workflow.id));
			timings['validation.stopRunMs'] = ms;

			expect(execution.status).toBe('error');
			expect(execution.data.resultData.lastNodeExecuted).toBe('iTEP');
			const { error } = nodeRun(execution, 'iTEP');
			expect(error?.message).toMatch(EXPECTED_MESSAGE);
			expect(error?.message).toMatch(/^Registration/);
			expect(error?.description).toMatch(/Nothing was sent/);
			// The run-level error n8n shows for the execution is the same message.
			expect(executionError(execution)).toMatch(EXPECTED_MESSAGE);
			// The invalid item is the second one (index 1), and n8n knows which one it was.
			expect(error?.context).toMatchObject({ itemIndex: 1 });

			// Not one request left n8n: not even the valid first item was sent.
			const seen = await stable(() => ({
				requests: sandbox.state.stats.requests,
				logged: sandbox.state.requests.length,
			}));
			expect(seen).toEqual({ requests: 0, logged: 0 });
			expect(sandbox.state.stats.provisioned).toBe(0);
		});

		test('with On Error "continue", the valid items are provisioned and the invalid one is an error item', async () => {
			const workflow = await n8n.api.createWorkflow(
				workflowWith('e2e: validation with continue', { onError: 'continueRegularOutput' }),
			);
			const { value: execution, ms } = await timed(() => n8n.api.runManually(workflow.id));
			timings['validation.continueRunMs'] = ms;

			expect(executionError(execution)).toBeUndefined();
			expect(execution.status).toBe('success');
			const output = nodeOutput(execution, 'iTEP');
			expect(output).toHaveLength(3);
			expect(nodeRun(execution, 'iTEP').items.map((item) => item.pairedItem)).toEqual([
				{ item: 0 },
				{ item: 1 },
				{ item: 2 },
			]);

			const [first, invalid, third] = output;
			expect(invalid).toMatchObject({
				outcome: 'invalid',
				error: expect.stringMatching(EXPECTED_MESSAGE),
			});
			expect(invalid).not.toHaveProperty('testId');
			for (const [item, input] of [
				[first, ITEMS[0]],
				[third, ITEMS[2]],
			] as const) {
				expect(item).toMatchObject({
					productCode: 'GTX-Academic-Core',
					operation: 'getTestId',
					email: input.email,
				});
				expect(item.testId).toMatch(/^\d{8}AC$/);
				expect(item).not.toHaveProperty('error');
				expect(sandbox.state.tests.find((test) => test.testId === item.testId)).toMatchObject({
					assignedTo: { 'student-name': input.name },
					registration: input.registration,
				});
			}

			// Exactly the two valid items reached the sandbox, each signed and accepted; the typo never left n8n.
			const requests = await stable(() =>
				sandbox.state.requests.map((r) => ({
					status: r.status,
					verified: r.signatureVerified,
					testId: r.testId,
				})),
			);
			expect(requests).toEqual([
				{ status: 200, verified: true, testId: first.testId },
				{ status: 200, verified: true, testId: third.testId },
			]);
			expect(sandbox.state.requests.some((r) => r.rawBody.includes('First_name'))).toBe(false);
			expect(sandbox.state.stats.provisioned).toBe(2);
		});
	},
);
