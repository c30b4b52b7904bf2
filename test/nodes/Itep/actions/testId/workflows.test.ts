/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * The workflow files next to this test, run as n8n runs them (n8n-core's WorkflowExecute, see
 * devkit/runWorkflow.ts): Manual Trigger with two pinned candidates → iTEP node → signed HTTP to a sandbox.
 * Every expectation is read from the sandbox's own records, not from values the node computed.
 */
import { readFileSync } from 'fs';
import { join } from 'path';

import type { IDataObject } from 'n8n-workflow';

import { runWorkflow, type WorkflowJson } from '../../../../../devkit/runWorkflow';
import { startSandbox, type RunningSandbox } from '../../../../../sandbox/server';

function readWorkflow(fileName: string): WorkflowJson {
	return JSON.parse(readFileSync(join(__dirname, fileName), 'utf8')) as WorkflowJson;
}

/** The items the workflow's Manual Trigger is pinned to: the candidates the iTEP node reads. */
function candidatesOf(workflow: WorkflowJson): IDataObject[] {
	return (workflow.pinData?.Candidates ?? []).map((item) => item.json);
}

function credentialsFor(sandbox: RunningSandbox, apiKey = 'itep-sandbox-key') {
	return {
		itepApi: {
			apiKey,
			baseUrl: sandbox.url,
			signatureHeader: 'X-Itep-Signature',
			signatureEncoding: 'hex',
		},
	};
}

describe('iTEP test ID workflows', () => {
	let sandbox: RunningSandbox;
	beforeEach(async () => {
		sandbox = await startSandbox({ port: 0 });
	});
	afterEach(async () => {
		await sandbox.close();
	});

	test('getTestId.workflow.json: one GTX test ID per candidate, assigned to that candidate', async () => {
		const workflow = readWorkflow('getTestId.workflow.json');
		const candidates = candidatesOf(workflow);
		expect(candidates).toHaveLength(2);

		const result = await runWorkflow(workflow, credentialsFor(sandbox));

		expect(result.error).toBeUndefined();
		expect(result.status).toBe('success');
		const output = result.nodeOutput('Get Test ID (GTX)');
		expect(output).toHaveLength(2);
		expect(sandbox.state.requests).toHaveLength(2);
		expect(sandbox.state.outbox).toHaveLength(0); // GTX: iTEP e-mails nobody

		for (const [index, item] of output.entries()) {
			const candidate = candidates[index];
			const logged = sandbox.state.requests[index];
			expect(logged).toMatchObject({ status: 200, signatureVerified: true });
			expect(item.testId).toMatch(/^\d{8}AP$/);
			expect(item.testId).toBe(logged.testId);

			const test = sandbox.state.tests.find((record) => record.testId === logged.testId);
			expect(test).toMatchObject({ productCode: 'GTX-Academic-Plus', fulfilledVia: 'gtx' });
			expect(test?.assignedTo).toMatchObject({
				'student-name': `${candidate.firstName} ${candidate.lastName}`,
				'customer-candidate-id': candidate.candidateId,
			});
			expect(test?.registration).toEqual({
				First_Name: candidate.firstName,
				Last_Name: candidate.lastName,
			});
		}
	});

	test('sendTestId.workflow.json: iTEP e-mails each candidate a Business-Core test ID, with the bcc', async () => {
		const workflow = readWorkflow('sendTestId.workflow.json');
		const candidates = candidatesOf(workflow);
		expect(candidates).toHaveLength(2);

		const result = await runWorkflow(workflow, credentialsFor(sandbox));

		expect(result.error).toBeUndefined();
		expect(result.status).toBe('success');
		const output = result.nodeOutput('Send Test ID (STX)');
		expect(output).toHaveLength(2);
		expect(sandbox.state.requests).toHaveLength(2);
		expect(sandbox.state.outbox).toHaveLength(2);

		for (const [index, item] of output.entries()) {
			const candidate = candidates[index];
			const logged = sandbox.state.requests[index];
			expect(logged).toMatchObject({ status: 200, signatureVerified: true });
			expect(item.testId).toMatch(/^\d{8}BC$/);
			expect(item.testId).toBe(logged.testId);

			const test = sandbox.state.tests.find((record) => record.testId === logged.testId);
			expect(test).toMatchObject({
				productCode: 'STX-Business-Core',
				fulfilledVia: 'stx',
				track: 'RC',
				emailedTo: candidate.email,
			});
			expect(test?.assignedTo).toMatchObject({
				'student-name': `${candidate.firstName} ${candidate.lastName}`,
				email: candidate.email,
				'customer-candidate-id': candidate.candidateId,
			});

			const email = sandbox.state.outbox.find((sent) => sent.testId === logged.testId);
			expect(email).toMatchObject({
				to: candidate.email,
				bcc: 'support@example.com',
				productCode: 'STX-Business-Core',
			});
		}
	});

	test("getTestId.workflow.json with a wrong API key: the run fails with the node's message, nothing provisioned", async () => {
		const workflow = readWorkflow('getTestId.workflow.json');
		const inventoryBefore = structuredClone(sandbox.state.tests);

		const result = await runWorkflow(workflow, credentialsFor(sandbox, 'not-the-sandbox-key'));

		expect(result.status).toBe('error');
		expect((result.error as Error).message).toBe('iTEP rejected the API key or signature');
		// The node stops at the first rejection: one request reached the sandbox, and it was refused.
		expect(sandbox.state.requests).toHaveLength(1);
		expect(sandbox.state.requests[0]).toMatchObject({
			status: 401,
			signatureVerified: false,
			testId: null,
		});
		expect(sandbox.state.stats.provisioned).toBe(0);
		expect(sandbox.state.tests).toEqual(inventoryBefore);
		expect(sandbox.state.outbox).toHaveLength(0);
	});

	test.each([
		['continueErrorOutput', 1],
		['continueRegularOutput', 0],
	] as const)(
		'On Error %s: the failed item leaves on output %i with what the ops person needs, the test ID on output 0',
		async (onError, errorOutputIndex) => {
			const workflow = readWorkflow('getTestId.workflow.json');
			const gtx = workflow.nodes.find((node) => node.name === 'Get Test ID (GTX)');
			if (!gtx) throw new Error('the workflow file has no Get Test ID (GTX) node');
			gtx.onError = onError;
			// The first request is refused (429: nothing spent); the second candidate gets a test ID.
			sandbox.state.knobs.failNext = { count: 1, status: 429 };

			const result = await runWorkflow(workflow, credentialsFor(sandbox));

			expect(result.status).toBe('success');
			const outputs = result.runData['Get Test ID (GTX)'][0].data?.main ?? [];
			const jsonOf = (index: number) => (outputs[index] ?? []).map((item) => item.json);
			const provisioned = sandbox.state.requests.filter((request) => request.status === 200);
			expect(provisioned).toHaveLength(1);
			const successes = jsonOf(0).filter((json) => json.testId !== undefined);
			expect(successes.map((json) => json.testId)).toEqual([provisioned[0].testId]);

			const failed = jsonOf(errorOutputIndex).filter((json) => json.testId === undefined);
			expect(failed).toHaveLength(1);
			const refused = sandbox.state.requests.find((request) => request.status === 429);
			// Whichever output it leaves on, the item says what happened and whether anything was spent.
			const details = (
				onError === 'continueErrorOutput' ? failed[0].error : failed[0]
			) as IDataObject;
			expect(details).toMatchObject({
				outcome: 'rejected',
				httpCode: 429,
				sequence: refused?.sequence,
			});
			expect(
				String(onError === 'continueErrorOutput' ? failed[0].message : failed[0].error),
			).toMatch(/429|rate|too many/i);
			if (onError === 'continueErrorOutput') expect(jsonOf(0)).toHaveLength(1);
		},
	);
});
