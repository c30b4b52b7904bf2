/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-imports -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * The ATS-chained templates in real n8n (2.x and 1.x), as a user imports them: every node type exists in that
 * n8n at the template's version with no parameter issues (n8n-workflow's own checks against the instance's
 * node descriptions), and a run with the ATS and office nodes' data pinned (n8n's pinData, since no real
 * Workable or Google account is reachable here) makes the iTEP steps really run against the sandbox.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { adminPost, fulfillment } from '../../devkit/sandboxClient';
import { startSandbox, type RunningSandbox } from '../../sandbox/server';
import {
	e2eVersions,
	executionError,
	ITEP_TOOL_NODE_TYPE,
	nodeOutput,
	nodeOutputItems,
	REPO_ROOT,
	templateProblems,
	timed,
	type N8nInstance,
	type WorkflowInput,
} from '../../devkit/n8n';
import {
	describeE2e,
	loadExample,
	startLine,
	stopLine,
	createSignatureCredential,
	createStandInCredentials,
	hmacSender,
} from './support';

const API_KEY = 'e2e-templates-api-key';
const WEBHOOK_SECRET = 'e2e-templates-webhook-secret-4Rk9';
const HMAC = hmacSender(WEBHOOK_SECRET);

describeE2e.each(e2eVersions())('n8n %s: ATS-chained templates', (version) => {
	let n8n: N8nInstance;
	let sandbox: RunningSandbox;
	const credentialIds: Record<string, string> = {};
	const timings: Record<string, number> = {};
	/**
	 * A template as a user imports it, with every credential placeholder it holds (the names end in
	 * _CREDENTIAL_ID) replaced by the credential made for it.
	 */
	const loadTemplate = (file: string) => {
		const text = fs.readFileSync(path.join(REPO_ROOT, 'examples', file), 'utf8');
		const ids: Record<string, string> = {};
		for (const placeholder of new Set(text.match(/\b[A-Z_]+_CREDENTIAL_ID\b/g))) {
			const id = credentialIds[placeholder];
			if (!id) throw new Error(`examples/${file}: no credential made for ${placeholder}`);
			ids[placeholder] = id;
		}
		return loadExample(file, ids);
	};

	beforeAll(async () => {
		sandbox = await startSandbox({ port: 0, apiKeys: [API_KEY], inventorySize: 3 });
		n8n = await startLine(version, timings, 'templates', [ITEP_TOOL_NODE_TYPE]);
		credentialIds.ITEP_API_CREDENTIAL_ID = (
			await n8n.api.createItepCredential({ apiKey: API_KEY, baseUrl: sandbox.url }, 'iTEP sandbox')
		).id;
		credentialIds.ITEP_WEBHOOK_CREDENTIAL_ID = (
			await createSignatureCredential(n8n, 'iTEP webhook', WEBHOOK_SECRET)
		).id;
		Object.assign(credentialIds, await createStandInCredentials(n8n));
	});

	afterAll(async () => {
		await stopLine(n8n, version, timings);
		await sandbox?.close();
	});

	test('Workable candidate moved -> iTEP STX -> Google Sheets: imports clean, and the STX really runs', async () => {
		const template = loadTemplate('ats-workable-candidate-stx.json');
		const nodeTypes = await n8n.api.nodeTypes();
		expect(templateProblems(template, nodeTypes)).toEqual([]);
		// Control: the same check on this n8n's descriptions sees an emptied required field in each kind of node.
		const broken = structuredClone(template);
		for (const node of broken.nodes) {
			if (node.name === 'Send English Test (STX)') node.parameters.email = '';
			if (node.name === 'Log to Google Sheets') {
				node.parameters.documentId = { __rl: true, mode: 'url', value: '' };
			}
		}
		expect(templateProblems(broken, nodeTypes).map((problem) => problem.split(':')[0])).toEqual([
			'"Send English Test (STX)"',
			'"Log to Google Sheets"',
		]);

		const workflow = await n8n.api.createWorkflow(template);
		const { value: execution, ms } = await timed(() =>
			n8n.api.runManually(workflow.id, 'Workable Trigger'),
		);
		timings['templates.workableRunMs'] = ms;
		expect(executionError(execution)).toBeUndefined();
		expect(execution.status).toBe('success');

		// The sandbox's own records: one STX request, one e-mail, one test ID assigned to the pinned candidate.
		expect(sandbox.state.requests.filter((request) => request.testId)).toHaveLength(1);
		expect(sandbox.state.outbox).toHaveLength(1);
		const [email] = sandbox.state.outbox;
		expect(email).toMatchObject({
			to: 'lakita.marrero@example.com',
			productCode: 'STX-Academic-Plus',
		});
		const test = sandbox.state.tests.find((candidate) => candidate.testId === email.testId);
		expect(test?.assignedTo).toMatchObject({
			'student-name': 'Lakita Marrero',
			email: 'lakita.marrero@example.com',
			'customer-candidate-id': '3fc9a80f',
			expire: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
		});
		expect(test?.registration).toEqual({
			First_Name: 'Lakita',
			Last_Name: 'Marrero',
			Email: 'lakita.marrero@example.com',
			trExternal_ID: '3fc9a80f',
		});
		expect(test?.track).toBe('ATS');

		// The row the sheet would get carries that test ID; the Sheets node itself gave its pinned data.
		expect(nodeOutput(execution, 'Sheet Row')).toEqual([
			{
				'Candidate ID': '3fc9a80f',
				Name: 'Lakita Marrero',
				Email: 'lakita.marrero@example.com',
				Job: 'Sales Intern',
				'Test ID': email.testId,
				'Sent At': expect.any(String),
			},
		]);
		expect(nodeOutput(execution, 'Log to Google Sheets')).toEqual(
			(template.pinData?.['Log to Google Sheets'] as Array<{ json: unknown }>).map(
				(item) => item.json,
			),
		);
	});
	/**
	 * iTEP Result -> score report downloaded -> Drive upload -> Sheets row, with the Google nodes pinned. Pinned
	 * data is used only in manual runs, so the trigger listens for a test event (its /webhook-test/ URL, which
	 * the sandbox's tracking code points at) and the sandbox really delivers a signed result to it.
	 */
	async function deliverToTestWebhook(template: ReturnType<typeof loadExample>, track: string) {
		const workflow = await n8n.api.createWorkflow(template);
		const trigger = template.nodes.find((node) => node.name === 'iTEP Result');
		const registered = await adminPost(sandbox.url, '/sandbox/tracking-codes', {
			code: track,
			url: `${n8n.baseUrl}/webhook-test/${String(trigger?.parameters.path)}`,
			auth: HMAC,
		});
		expect(registered.status).toBe(201);
		await n8n.api.listenForTestEvent(workflow.id, 'iTEP Result');
		const answer = await fulfillment(
			sandbox.url,
			{
				'product-code': 'GTX-Academic-Plus',
				track,
				'assigned-to': { 'student-name': 'Ana Example' },
			},
			{ apiKey: API_KEY },
		);
		expect(answer.status).toBe(200);
		const testId = answer.body['test-id'] as string;
		const steps = sandbox.completeNext({ testId });
		await Promise.all(steps.map((step) => step.settled));
		const execution = await n8n.api.waitForNewExecution(workflow.id);
		const delivery = sandbox.state.deliveries.find((entry) => entry.testId === testId);
		expect(delivery?.outcome).toBe('delivered');
		return { execution, testId };
	}

	test('iTEP result -> score report -> Google Drive -> Google Sheets: imports clean, and the report really arrives', async () => {
		const template = loadTemplate('result-score-report-to-drive-sheets.json');
		expect(templateProblems(template, await n8n.api.nodeTypes())).toEqual([]);

		const { value: run, ms } = await timed(() => deliverToTestWebhook(template, 'E2E-HR'));
		timings['templates.scoreReportRunMs'] = ms;
		const { execution, testId } = run;
		expect(executionError(execution)).toBeUndefined();
		expect(execution).toMatchObject({ status: 'success', mode: 'manual' });

		const report = await fetch(`${sandbox.url}/sandbox/score-report/${testId}`);
		const reportBytes = Buffer.from(await report.arrayBuffer());
		const [triggerItem] = nodeOutputItems(execution, 'iTEP Result');
		expect(triggerItem.json).toMatchObject({ testId, event: 'completed' });
		expect(triggerItem.json).not.toHaveProperty('scoreReportError');
		expect(triggerItem.binary?.scoreReport).toMatchObject({
			mimeType: 'text/html',
			fileName: `${testId}-score-report.html`,
		});
		// The bytes n8n kept are the bytes the sandbox serves for that test.
		const kept = await n8n.api.binaryBytes(triggerItem.binary!.scoreReport);
		expect(reportBytes.length).toBeGreaterThan(500);
		expect(kept.equals(reportBytes)).toBe(true);

		// The IF sent the file to the (pinned) Drive upload; the row has the result and the pinned file link.
		const ran = Object.keys(execution.data.resultData.runData);
		expect(ran).toContain('Upload Score Report');
		const results = sandbox.state.tests.find((test) => test.testId === testId)?.results;
		expect(nodeOutput(execution, 'Sheet Row')).toEqual([
			{
				'Test ID': testId,
				OID: sandbox.state.tests.find((test) => test.testId === testId)?.oid,
				CEFR: results?.overallCefr,
				Level: String(results?.overallLevel),
				'Test Date': results?.finishedAt.slice(0, 10),
				'Score Report': 'https://drive.google.com/file/d/1xQ7pinnedDriveFileId/view',
				'Report Problem': '',
			},
		]);
	});

	test('the same template as imported, before Allowed Hosts is set for the real host: the result still arrives, with the reason', async () => {
		const template = loadTemplate('result-score-report-to-drive-sheets.json');
		for (const node of template.nodes) {
			if (node.name === 'iTEP Result') {
				node.parameters.path = 'itep-score-reports-elsewhere';
				node.parameters.scoreReportAllowedHosts = 'reports.itep.example';
			}
		}
		const { execution, testId } = await deliverToTestWebhook(template, 'E2E-HR-2');
		expect(executionError(execution)).toBeUndefined();
		const ran = Object.keys(execution.data.resultData.runData);
		expect(ran).not.toContain('Upload Score Report');
		const [row] = nodeOutput(execution, 'Sheet Row');
		expect(row['Test ID']).toBe(testId);
		expect(row['Score Report']).toBe('');
		expect(String(row['Report Problem'])).toMatch(/127\.0\.0\.1|not allowed|Allowed Hosts/i);
	});
	test('AI agent with the iTEP tool: every node exists at its version with no parameter issues', async () => {
		// Running an agent needs a model: test/e2e/agent.e2e.test.ts runs the same shape against a scripted one.
		const template = loadTemplate('ai-agent-itep-tool.json');
		expect(templateProblems(template, await n8n.api.nodeTypes())).toEqual([]);
		const workflow = await n8n.api.createWorkflow(template);
		expect((await n8n.api.getWorkflow(workflow.id)).nodes.map((node) => node.type)).toContain(
			ITEP_TOOL_NODE_TYPE,
		);
	});

	test('every template in examples/ has its node types at their versions, no parameter issues, sound connections', async () => {
		const nodeTypes = await n8n.api.nodeTypes();
		const files = fs
			.readdirSync(path.join(REPO_ROOT, 'examples'))
			.filter((file) => file.endsWith('.json'));
		expect(files.length).toBeGreaterThanOrEqual(7);
		const problems = files.flatMap((file) =>
			templateProblems(
				JSON.parse(
					fs.readFileSync(path.join(REPO_ROOT, 'examples', file), 'utf8'),
				) as WorkflowInput,
				nodeTypes,
			).map((problem) => `${file}: ${problem}`),
		);
		expect(problems).toEqual([]);
	});
});
