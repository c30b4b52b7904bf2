/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * The ATS-chained templates in real n8n (2.x and 1.x), as a user imports them: every node type exists in that
 * n8n at the template's version with no parameter issues (n8n-workflow's own checks against the instance's
 * node descriptions), and a run with the ATS and office nodes' data pinned (n8n's pinData, since no real
 * Workable or Google account is reachable here) makes the iTEP steps really run against the sandbox.
 */
import { startSandbox, type RunningSandbox } from '../../sandbox/server';
import {
	e2eVersions,
	executionError,
	nodeOutput,
	templateProblems,
	timed,
	type N8nInstance,
} from '../../devkit/n8n';
import { describeE2e, loadExample, startLine, stopLine } from './support';

const API_KEY = 'e2e-templates-api-key';

describeE2e.each(e2eVersions())('n8n %s: ATS-chained templates', (version) => {
	let n8n: N8nInstance;
	let sandbox: RunningSandbox;
	const credentialIds: Record<string, string> = {};
	const timings: Record<string, number> = {};

	beforeAll(async () => {
		sandbox = await startSandbox({ port: 0, apiKeys: [API_KEY], inventorySize: 3 });
		n8n = await startLine(version, timings, 'templates');
		credentialIds.ITEP_API_CREDENTIAL_ID = (
			await n8n.api.createItepCredential({ apiKey: API_KEY, baseUrl: sandbox.url }, 'iTEP sandbox')
		).id;
		// Never used: the nodes that would use them are pinned. They exist so the import is what a user has.
		credentialIds.WORKABLE_CREDENTIAL_ID = (
			await n8n.api.createCredential('Workable account', 'workableApi', {
				subdomain: 'example',
				accessToken: 'not-a-real-token',
			})
		).id;
		credentialIds.GOOGLE_SHEETS_CREDENTIAL_ID = (
			await n8n.api.createCredential('Google Sheets account', 'googleSheetsOAuth2Api', {
				clientId: 'not-a-real-client',
				clientSecret: 'not-a-real-secret',
			})
		).id;
	});

	afterAll(async () => {
		await stopLine(n8n, version, timings);
		await sandbox?.close();
	});

	test('Workable candidate moved -> iTEP STX -> Google Sheets: imports clean, and the STX really runs', async () => {
		const template = loadExample('ats-workable-candidate-stx.json', credentialIds);
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
});
