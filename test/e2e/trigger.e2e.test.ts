/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-hardcoded-secrets -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * The iTEP Trigger and the two example workflows in real n8n (2.x and 1.x). examples/result-received-record.json
 * is imported with its placeholders replaced (an itepWebhookSignatureApi credential, the sandbox's results
 * sink) and published; the sandbox's tracking code points at the trigger's production URL with matching HMAC
 * settings, a test is provisioned with that `track` and completed, and the sandbox's sender delivers the
 * result. Checked in n8n's executions: exactly one per genuine, new, selected delivery; none for a forged
 * one (401), a repeat (sender duplicate or the same bytes re-posted) or an event not selected (finished,
 * invalidated). examples/candidate-applied-stx.json: a candidate posted to its webhook gets a test ID back
 * and the STX e-mail is in the outbox.
 */
import {
	encodeResultForm,
	RESULT_FORM_CONTENT_TYPE,
	sampleResultData,
} from '../../sandbox/resultsData';
import { applyResultVariant, RESULT_VARIANTS } from '../../sandbox/resultVariants';
import { signDelivery } from '../../sandbox/webhookAuth';
import { adminPost, fulfillment } from '../../devkit/sandboxClient';
import { startSandbox, type RunningSandbox } from '../../sandbox/server';
import { randomUUID } from 'node:crypto';

import {
	e2eVersions,
	executionError,
	ITEP_TRIGGER_NODE_TYPE,
	nodeOutput,
	timed,
	type ExecutionDetails,
	type N8nInstance,
	waitFor,
	type WorkflowEntity,
} from '../../devkit/n8n';
import {
	describeE2e,
	loadExample,
	stable,
	startLine,
	stopLine,
	createSignatureCredential,
	hmacSender,
} from './support';

const API_KEY = 'e2e-trigger-api-key';
const WEBHOOK_SECRET = 'e2e-webhook-secret-7Qx2';
const TRACK = 'E2E-RC';
const TRIGGER_NODE = 'iTEP Result';
const HMAC = hmacSender(WEBHOOK_SECRET);

describeE2e.each(e2eVersions())('n8n %s: iTEP Trigger and the example workflows', (version) => {
	let n8n: N8nInstance;
	let sandbox: RunningSandbox;
	let recordWorkflow: WorkflowEntity;
	let productionUrl: string;
	const timings: Record<string, number> = {};

	/** Executions of the record workflow, newest first. */
	const recordExecutions = () => n8n.api.listExecutions({ workflowId: recordWorkflow.id });
	const executionIds = async () => (await recordExecutions()).map((execution) => execution.id);

	/** A test ID provisioned through the sandbox API with the tracking code that points at n8n. */
	const provision = async (name: string): Promise<string> => {
		const answer = await fulfillment(
			sandbox.url,
			{
				'product-code': 'GTX-Academic-Plus',
				track: TRACK,
				'assigned-to': { 'student-name': name },
			},
			{ apiKey: API_KEY },
		);
		expect(answer.status).toBe(200);
		return answer.body['test-id'] as string;
	};

	/** Moves a test ID and waits until the sandbox's sender has finished delivering (n8n has answered). */
	const transition = async (testId: string, to: string) => {
		const result = sandbox.transition(testId, to);
		await result.settled;
		return result;
	};

	/** IDs of executions not in `known`, once at least `count` exist and no more arrive for a moment. */
	const newExecutionIds = async (known: string[], count: number): Promise<string[]> => {
		const fresh = async () => (await executionIds()).filter((id) => !known.includes(id));
		const deadline = Date.now() + 20_000;
		while ((await fresh()).length < count && Date.now() < deadline)
			await new Promise((resolve) => setTimeout(resolve, 200));
		await new Promise((resolve) => setTimeout(resolve, 1000));
		return await fresh();
	};

	/** POSTs form bytes to the trigger's production URL as iTEP would, with the given headers. */
	const post = async (body: string, headers: Record<string, string>) =>
		n8n.http('POST', new URL(productionUrl).pathname, body, {
			'content-type': RESULT_FORM_CONTENT_TYPE,
			...headers,
		});

	beforeAll(async () => {
		sandbox = await startSandbox({
			port: 0,
			apiKeys: [API_KEY],
			inventorySize: 8,
			webhook: { timeoutMs: 10_000, backoffBaseMs: 100, maxAttempts: 3 },
		});
		n8n = await startLine(version, timings, 'trigger');

		const webhookCredential = await createSignatureCredential(
			n8n,
			'iTEP sandbox webhook',
			WEBHOOK_SECRET,
		);
		const imported = loadExample('result-received-record.json', {
			ITEP_WEBHOOK_CREDENTIAL_ID: webhookCredential.id,
			'http://127.0.0.1:8787': sandbox.url,
		});
		recordWorkflow = await n8n.api.createWorkflow(imported);
		const logFrom = n8n.logSize();
		const { ms } = await timed(() => n8n.api.activateWorkflow(recordWorkflow.id));
		timings['trigger.publishMs'] = ms;

		// The URL the trigger tells the user to hand to iTEP staff (logged by its webhookMethods.create).
		const logged = await n8n.waitForLog(/give iTEP staff this URL: \S+/, {
			fromOffset: logFrom,
			timeoutMs: 10_000,
		});
		productionUrl = logged.replace('give iTEP staff this URL: ', '');
		expect(productionUrl).toBe(`${n8n.baseUrl}/webhook/itep-results`);

		// What iTEP staff do by hand: attach the URL and the authentication to the tracking code.
		const registered = await adminPost(sandbox.url, '/sandbox/tracking-codes', {
			code: TRACK,
			url: productionUrl,
			auth: HMAC,
		});
		expect(registered.status).toBe(201);
	});

	afterAll(async () => {
		await stopLine(n8n, version, timings);
		await sandbox?.close();
	});

	test('a completed test starts exactly one execution with the parsed result, and the result is recorded', async () => {
		expect(await executionIds()).toEqual([]);
		const testId = await provision('Zoë Ñúñez');

		const started = Date.now();
		const steps = sandbox.completeNext({ testId });
		await Promise.all(steps.map((step) => step.settled));
		expect(steps.map((step) => step.to)).toEqual(['Started', 'Finished', 'Completed']);

		// Only Completed is reported (Started never, Finished not asked for), and n8n accepted it at once.
		const deliveries = sandbox.state.deliveries.filter((delivery) => delivery.testId === testId);
		expect(deliveries).toHaveLength(1);
		const [delivery] = deliveries;
		expect(delivery).toMatchObject({
			event: 'completed',
			outcome: 'delivered',
			url: productionUrl,
			authMode: 'hmac',
		});
		expect(delivery.attempts).toHaveLength(1);
		expect(delivery.attempts[0].status).toBe(200);
		expect(JSON.parse(delivery.attempts[0].responseSnippet)).toEqual({
			received: true,
			started: true,
		});

		const execution = await n8n.api.waitForNewExecution(recordWorkflow.id);
		timings['trigger.deliveryToExecutionDoneMs'] = Date.now() - started;
		expect(executionError(execution)).toBeUndefined();
		expect(execution).toMatchObject({ status: 'success', mode: 'webhook' });

		const test = sandbox.state.tests.find((candidate) => candidate.testId === testId);
		const results = test?.results;
		if (!test || !results) throw new Error(`sandbox has no results for ${testId}`);
		const [result] = nodeOutput(execution, TRIGGER_NODE);
		expect(result).toMatchObject({
			testId,
			oid: test.oid,
			status: 'completed',
			event: 'completed',
			testDate: results.finishedAt.slice(0, 10),
			overallLevel: results.overallLevel,
			overallCefr: results.overallCefr,
			durationMinutes: results.durationMinutes,
			scoreReportUrl: `${sandbox.url}/sandbox/score-report/${testId}`,
			original: delivery.data,
		});
		const sections = result.sections as Record<string, { level: number }>;
		expect(Object.keys(sections).sort()).toEqual(
			Object.keys(results.sectionLevels).map(lowerFirst).sort(),
		);
		for (const [section, level] of Object.entries(results.sectionLevels))
			expect(sections[lowerFirst(section)].level).toBe(level);

		// The IF took the branch the CEFR level calls for, and its HTTP Request reached the results sink.
		const admit = ['B2', 'C1', 'C2'].includes(results.overallCefr);
		const ran = Object.keys(execution.data.resultData.runData);
		expect(ran).toContain(admit ? 'Record: Admit' : 'Record: English Support');
		expect(ran).not.toContain(admit ? 'Record: English Support' : 'Record: Admit');
		expect(sandbox.state.results.map((entry) => entry.body)).toEqual([
			{
				decision: admit ? 'admit' : 'english support',
				testId,
				oid: test.oid,
				cefr: results.overallCefr,
				level: results.overallLevel,
				testDate: results.finishedAt.slice(0, 10),
				scoreReportUrl: `${sandbox.url}/sandbox/score-report/${testId}`,
			},
		]);

		expect(await stable(executionIds)).toEqual([execution.id]);
	});

	test('a forged delivery gets 401 and starts nothing; the genuine copy of the same bytes still starts one', async () => {
		const known = await executionIds();
		const body = encodeResultForm({
			OID: '9100001',
			TestID: '91000001AP',
			Status: 'Completed',
			Duration: 80,
			TestDate: '11/2/2026',
			TestMonth: 11,
			TestDay: 2,
			TestYear: 2026,
			Overall_Level: 5.5,
			Overall_cefr: 'C1',
		});

		const forged = await post(
			body,
			signDelivery(body, { ...HMAC, secrets: ['not-the-secret'] }, Date.now() / 1000),
		);
		expect(forged.status).toBe(401);
		expect(forged.json).toEqual({ error: 'unauthorized' });
		const unsigned = await post(body, {});
		expect(unsigned.status).toBe(401);
		expect(await stable(executionIds)).toEqual(known);
		expect(n8n.log()).toMatch(/iTEP Trigger refused a delivery \(401\)/);
		expect(n8n.log()).not.toContain(WEBHOOK_SECRET);

		// Rejections are not remembered as deliveries, so they cannot suppress the real one.
		const genuine = await post(body, signDelivery(body, HMAC, Date.now() / 1000));
		expect(genuine.status).toBe(200);
		expect(genuine.json).toEqual({ received: true, started: true });
		const execution = await n8n.api.waitForNewExecution(recordWorkflow.id, known);
		expect(nodeOutput(execution, TRIGGER_NODE)[0]).toMatchObject({
			testId: '91000001AP',
			event: 'completed',
			overallCefr: 'C1',
			testDate: '2026-11-02',
		});
		expect(await stable(executionIds)).toEqual([execution.id, ...known]);
	});

	test('a repeated delivery (sender duplicate, then the same bytes re-posted) starts no second execution', async () => {
		const known = await executionIds();
		const testId = await provision('Repeat Ed');
		sandbox.state.knobs.duplicateDeliveries = true;
		try {
			const steps = sandbox.completeNext({ testId });
			await Promise.all(steps.map((step) => step.settled));
		} finally {
			sandbox.state.knobs.duplicateDeliveries = false;
		}

		// Both copies were accepted with 200; only the first started anything.
		const deliveries = sandbox.state.deliveries.filter((delivery) => delivery.testId === testId);
		expect(
			deliveries.map((delivery) => [
				delivery.copy,
				delivery.outcome,
				delivery.attempts.map((a) => a.status),
			]),
		).toEqual([
			[1, 'delivered', [200]],
			[2, 'delivered', [200]],
		]);
		expect(JSON.parse(deliveries[0].attempts[0].responseSnippet)).toEqual({
			received: true,
			started: true,
		});
		expect(JSON.parse(deliveries[1].attempts[0].responseSnippet)).toEqual({
			received: true,
			started: false,
			reason: 'repeat of a delivery already received',
		});

		const execution = await n8n.api.waitForNewExecution(recordWorkflow.id, known);
		expect(nodeOutput(execution, TRIGGER_NODE)[0]).toMatchObject({ testId, event: 'completed' });

		// The very same bytes again, correctly signed (a sender retry after a lost acknowledgement).
		const again = await post(
			deliveries[0].body,
			signDelivery(deliveries[0].body, HMAC, Date.now() / 1000),
		);
		expect(again.status).toBe(200);
		expect(again.json).toMatchObject({
			started: false,
			reason: 'repeat of a delivery already received',
		});

		expect(await stable(executionIds)).toEqual([execution.id, ...known]);
		expect(
			sandbox.state.results.filter(
				(entry) => (entry.body as { testId?: string }).testId === testId,
			),
		).toHaveLength(1);
	});

	test('events the trigger does not select (finished, invalidated) start nothing; completed in between does', async () => {
		const known = await executionIds();
		// iTEP calls on Finished only when the tracking code asks for it.
		const updated = await adminPost(sandbox.url, '/sandbox/tracking-codes', {
			code: TRACK,
			url: productionUrl,
			auth: HMAC,
			notifyOnFinished: true,
		});
		expect(updated.status).toBe(200);
		try {
			const testId = await provision('Filter Fiona');
			await transition(testId, 'started');
			const finished = await transition(testId, 'finished');
			expect(finished.deliveries).toHaveLength(1);
			expect(finished.deliveries[0]).toMatchObject({ event: 'finished', outcome: 'delivered' });
			expect(JSON.parse(finished.deliveries[0].attempts[0].responseSnippet)).toEqual({
				received: true,
				started: false,
				reason: 'event "finished" is not selected',
			});
			expect(await stable(executionIds)).toEqual(known);

			// The same test completed: selected, so exactly one execution.
			await transition(testId, 'completed');
			const execution = await n8n.api.waitForNewExecution(recordWorkflow.id, known);
			expect(nodeOutput(execution, TRIGGER_NODE)[0]).toMatchObject({
				testId,
				event: 'completed',
				status: 'completed',
			});

			const invalidated = await transition(testId, 'invalidated');
			expect(invalidated.deliveries[0]).toMatchObject({
				event: 'invalidated',
				outcome: 'delivered',
			});
			expect(JSON.parse(invalidated.deliveries[0].attempts[0].responseSnippet)).toMatchObject({
				started: false,
				reason: 'event "invalidated" is not selected',
			});
			expect(await stable(executionIds)).toEqual([execution.id, ...known]);
		} finally {
			await adminPost(sandbox.url, '/sandbox/tracking-codes', {
				code: TRACK,
				url: productionUrl,
				auth: HMAC,
				notifyOnFinished: false,
			});
		}
	});

	test('every execution of the record workflow is one genuine, selected, first delivery', async () => {
		const executions = await Promise.all(
			(await executionIds()).map((id) => n8n.api.getExecution(id)),
		);
		const received = executions.map(
			(execution: ExecutionDetails) => nodeOutput(execution, TRIGGER_NODE)[0],
		);
		expect(received.map((result) => result.event)).toEqual([
			'completed',
			'completed',
			'completed',
			'completed',
		]);
		expect(new Set(received.map((result) => result.testId)).size).toBe(4);
	});

	test('50 identical deliveries at the same moment start exactly one execution in real n8n', async () => {
		const known = await executionIds();
		const body = encodeResultForm(sampleResultData({ TestID: 'CONCURRENT-1' }));
		const headers = signDelivery(body, HMAC, Date.now() / 1000);
		const replies = await Promise.all(Array.from({ length: 50 }, () => post(body, headers)));
		expect(replies.map((reply) => reply.status)).toEqual(Array(50).fill(200));
		const started = replies.filter(
			(reply) => (reply.json as { started?: boolean }).started === true,
		);
		expect(started).toHaveLength(1);
		expect(await newExecutionIds(known, 1)).toHaveLength(1);
	});

	test("version 1.1 with an empty path listens at the node's webhook ID; the saved version 1 keeps its path", async () => {
		// On 2.40+ both paths are resolved natively (the description's resolver), on 1.x by the template.
		const webhookId = randomUUID();
		const workflow = await n8n.api.createWorkflow({
			name: 'iTEP Trigger 1.1, empty path',
			nodes: [
				{
					name: 'iTEP Trigger 1.1',
					type: ITEP_TRIGGER_NODE_TYPE,
					typeVersion: 1.1,
					position: [0, 0],
					webhookId,
					parameters: { authentication: 'none', events: ['completed'] },
				},
			],
			connections: {},
		});
		await n8n.api.activateWorkflow(workflow.id);
		try {
			const body = encodeResultForm(sampleResultData({ TestID: 'VERSION-1-1' }));
			const reply = await n8n.http('POST', `/webhook/${webhookId}`, body, {
				'content-type': RESULT_FORM_CONTENT_TYPE,
			});
			expect(reply.status).toBe(200);
			expect(reply.json).toEqual({ received: true, started: true });
			await waitFor(
				'the execution',
				async () => (await n8n.api.listExecutions({ workflowId: workflow.id })).length || undefined,
				{ timeoutMs: 20_000, intervalMs: 200 },
			);
			expect(await n8n.api.listExecutions({ workflowId: workflow.id })).toHaveLength(1);
			// Version 1 (the record example) still answers at its saved path.
			expect(productionUrl).toBe(`${n8n.baseUrl}/webhook/itep-results`);
			expect((await post('', {})).status).toBe(401);
		} finally {
			await n8n.api.deactivateWorkflow(workflow.id);
		}
	});

	test('every result variant the sandbox can send (value shapes, vocabularies, dates) starts one execution', async () => {
		const known = await executionIds();
		const sent = RESULT_VARIANTS.map((variant) =>
			applyResultVariant(variant.name, sampleResultData({ TestID: `VARIANT-${variant.name}` })),
		);
		for (const data of sent) {
			const body = encodeResultForm(data);
			const reply = await post(body, signDelivery(body, HMAC, Date.now() / 1000));
			expect(reply.status).toBe(200);
			expect(reply.json).toEqual({ received: true, started: true });
		}
		const fresh = await newExecutionIds(known, sent.length);
		expect(fresh).toHaveLength(sent.length);
		const results = await Promise.all(
			fresh.map(async (id) => nodeOutput(await n8n.api.getExecution(id), TRIGGER_NODE)[0]),
		);
		const byTestId = new Map(results.map((result) => [result.testId as string, result]));
		for (const data of sent) {
			expect(byTestId.get(data.TestID as string)).toMatchObject({
				event: 'completed',
				original: data,
			});
		}
		expect(byTestId.get('VARIANT-percentScores')).toMatchObject({
			sections: { grammar: { level: 4.5, score: null } },
			warnings: expect.arrayContaining([
				{ field: 'Grammar_Score', value: '78%', problem: 'Grammar_Score is not a number' },
			]),
		});
	});

	test('candidate-applied-stx example: only a caller with the form secret gets a test ID back, and iTEP e-mails it', async () => {
		const apiCredential = await n8n.api.createItepCredential(
			{ apiKey: API_KEY, baseUrl: sandbox.url },
			'iTEP sandbox',
		);
		const formSecret = 'candidate-form-secret-e2e';
		const formCredential = await n8n.api.createCredential(
			'Candidate form secret',
			'httpHeaderAuth',
			{
				name: 'X-Candidate-Form-Secret',
				value: formSecret,
			},
		);
		const workflow = await n8n.api.createWorkflow(
			loadExample('candidate-applied-stx.json', {
				ITEP_API_CREDENTIAL_ID: apiCredential.id,
				CANDIDATE_FORM_CREDENTIAL_ID: formCredential.id,
			}),
		);
		await n8n.api.activateWorkflow(workflow.id);
		const outboxBefore = sandbox.state.outbox.length;
		const requestsBefore = sandbox.state.requests.length;

		const candidate = {
			firstName: 'Zoë',
			lastName: 'Ñúñez',
			email: 'zoe.applicant@example.com',
			candidateId: 'ATS-4711',
		};
		// Without the secret, or with a wrong one, n8n refuses the call and nothing reaches iTEP.
		const anonymous = await n8n.http('POST', '/webhook/candidate-applied', candidate);
		const wrong = await n8n.http('POST', '/webhook/candidate-applied', candidate, {
			'X-Candidate-Form-Secret': 'guess',
		});
		expect([401, 403]).toContain(anonymous.status);
		expect([401, 403]).toContain(wrong.status);
		expect(sandbox.state.requests.length).toBe(requestsBefore);
		expect(sandbox.state.outbox.length).toBe(outboxBefore);

		const { value: response, ms } = await timed(() =>
			n8n.http('POST', '/webhook/candidate-applied', candidate, {
				'X-Candidate-Form-Secret': formSecret,
			}),
		);
		timings['trigger.candidateAppliedMs'] = ms;
		expect(response.status).toBe(200);
		const answer = response.json as {
			testId: string;
			productCode: string;
			emailedTo: string;
			sequence: number;
		};
		expect(answer).toEqual({
			testId: expect.stringMatching(/^\d{8}AP$/),
			productCode: 'STX-Academic-Plus',
			emailedTo: candidate.email,
			sequence: expect.any(Number),
		});

		const mails = sandbox.state.outbox.slice(outboxBefore);
		expect(mails.map(({ to, testId, productCode }) => ({ to, testId, productCode }))).toEqual([
			{ to: candidate.email, testId: answer.testId, productCode: 'STX-Academic-Plus' },
		]);
		expect(sandbox.state.tests.find((test) => test.testId === answer.testId)).toMatchObject({
			fulfilledVia: 'stx',
			sequence: answer.sequence,
			track: 'DEMO',
			assignedTo: {
				'student-name': 'Zoë Ñúñez',
				email: candidate.email,
				'customer-candidate-id': 'ATS-4711',
				sequence: answer.sequence,
			},
			registration: { First_Name: 'Zoë', Last_Name: 'Ñúñez', Email: candidate.email },
		});

		const execution = await n8n.api.waitForNewExecution(workflow.id);
		expect(execution).toMatchObject({ status: 'success', mode: 'webhook' });
		expect(nodeOutput(execution, 'Send Test ID (STX)')[0]).toMatchObject({
			testId: answer.testId,
			email: candidate.email,
		});
	});
});

function lowerFirst(name: string): string {
	return name.charAt(0).toLowerCase() + name.slice(1);
}
