/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-hardcoded-secrets -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * The iTEP Trigger's Download Score Report option in real n8n (2.x and 1.x), with the packed tarball
 * installed. A published workflow whose trigger downloads the report (Allowed Hosts 127.0.0.1: the sandbox)
 * receives the sandbox's deliveries; the execution's item must carry the report as binary `scoreReport` with
 * the server's MIME type, `<TestID>-score-report.<ext>` and exactly the bytes GET /sandbox/score-report/:id
 * serves (read back through n8n's own binary-data endpoint where n8n keeps files outside the execution).
 * Failures (404, a host not allowed) must still start the execution, with scoreReportError and no binary.
 */
import { encodeResultForm, RESULT_FORM_CONTENT_TYPE } from '../../sandbox/resultsData';
import { signDelivery } from '../../sandbox/webhookAuth';
import { adminPost, fulfillment } from '../../devkit/sandboxClient';
import { startSandbox, type RunningSandbox } from '../../sandbox/server';
import {
	e2eVersions,
	executionError,
	ITEP_TRIGGER_NODE_TYPE,
	nodeOutputItems,
	type N8nInstance,
	type WorkflowEntity,
} from '../../devkit/n8n';
import { describeE2e, startLine, stopLine, createSignatureCredential, hmacSender } from './support';

const API_KEY = 'e2e-score-report-api-key';
const WEBHOOK_SECRET = 'e2e-score-report-secret-4Kp9';
const TRACK = 'E2E-SR';
const TRIGGER_NODE = 'iTEP Result';
const PATH = 'itep-score-report';
const HMAC = hmacSender(WEBHOOK_SECRET);

describeE2e.each(e2eVersions())('n8n %s: iTEP Trigger downloads the score report', (version) => {
	let n8n: N8nInstance;
	let sandbox: RunningSandbox;
	let workflow: WorkflowEntity;
	const timings: Record<string, number> = {};

	const executionIds = async () =>
		(await n8n.api.listExecutions({ workflowId: workflow.id })).map((execution) => execution.id);

	/** A test ID provisioned with the tracking code that points at n8n, then completed by the sandbox. */
	const completeTest = async (name: string): Promise<string> => {
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
		const testId = answer.body['test-id'] as string;
		const steps = sandbox.completeNext({ testId });
		await Promise.all(steps.map((step) => step.settled));
		const [delivery] = sandbox.state.deliveries.filter((entry) => entry.testId === testId);
		expect(delivery).toMatchObject({ event: 'completed', outcome: 'delivered' });
		expect(JSON.parse(delivery.attempts[0].responseSnippet)).toEqual({
			received: true,
			started: true,
		});
		return testId;
	};

	/** What the report URL serves, fetched here directly. */
	const sandboxReport = async (testId: string) => {
		const response = await fetch(`${sandbox.url}/sandbox/score-report/${testId}`);
		expect(response.status).toBe(200);
		return {
			contentType: response.headers.get('content-type'),
			bytes: Buffer.from(await response.arrayBuffer()),
		};
	};

	/** Posts a signed delivery with this `data` to the production URL, as iTEP would. */
	const deliver = async (data: Record<string, unknown>) => {
		const body = encodeResultForm(data);
		const reply = await n8n.http('POST', `/webhook/${PATH}`, body, {
			'content-type': RESULT_FORM_CONTENT_TYPE,
			...signDelivery(body, HMAC, Date.now() / 1000),
		});
		expect(reply.status).toBe(200);
		expect(reply.json).toEqual({ received: true, started: true });
	};

	/** The trigger's one item in the newest execution not in `known`. */
	const newItem = async (known: string[]) => {
		const execution = await n8n.api.waitForNewExecution(workflow.id, known);
		expect(executionError(execution)).toBeUndefined();
		expect(execution).toMatchObject({ status: 'success', mode: 'webhook' });
		const items = nodeOutputItems(execution, TRIGGER_NODE);
		expect(items).toHaveLength(1);
		return items[0];
	};

	beforeAll(async () => {
		sandbox = await startSandbox({
			port: 0,
			apiKeys: [API_KEY],
			inventorySize: 4,
			webhook: { timeoutMs: 30_000, backoffBaseMs: 100, maxAttempts: 2 },
		});
		n8n = await startLine(version, timings, 'scoreReport');
		const credential = await createSignatureCredential(
			n8n,
			'iTEP sandbox webhook (score report)',
			WEBHOOK_SECRET,
		);
		workflow = await n8n.api.createWorkflow({
			name: 'iTEP result with score report',
			nodes: [
				{
					name: TRIGGER_NODE,
					type: ITEP_TRIGGER_NODE_TYPE,
					typeVersion: 1.1,
					position: [0, 0],
					webhookId: 'c6a1f0de-5c0e-4f3a-9d7e-5c0e00000012',
					parameters: {
						path: PATH,
						authentication: 'hmac',
						downloadScoreReport: true,
						// The sandbox runs on 127.0.0.1; a real workflow names iTEP's report host here.
						scoreReportAllowedHosts: '127.0.0.1',
						scoreReportOptions: {},
					},
					credentials: { itepWebhookSignatureApi: { id: credential.id, name: credential.name } },
				},
			],
			connections: {},
		});
		await n8n.api.activateWorkflow(workflow.id);
		const registered = await adminPost(sandbox.url, '/sandbox/tracking-codes', {
			code: TRACK,
			url: `${n8n.baseUrl}/webhook/${PATH}`,
			auth: HMAC,
		});
		expect(registered.status).toBe(201);
	});

	afterAll(async () => {
		await stopLine(n8n, version, timings);
		await sandbox?.close();
	});

	afterEach(() => {
		sandbox.state.knobs.scoreReportFormat = 'html';
	});

	test('a completed test: the item carries the HTML report, with its MIME type, file name and bytes', async () => {
		const known = await executionIds();
		const started = Date.now();
		const testId = await completeTest('Zoë Ñúñez');
		const item = await newItem(known);
		timings['scoreReport.deliveryToExecutionDoneMs'] = Date.now() - started;
		expect(item.json).toMatchObject({
			testId,
			event: 'completed',
			scoreReportUrl: `${sandbox.url}/sandbox/score-report/${testId}`,
		});
		expect(item.json).not.toHaveProperty('scoreReportError');
		expect(Object.keys(item.binary ?? {})).toEqual(['scoreReport']);
		const binary = item.binary!.scoreReport;
		const report = await sandboxReport(testId);
		expect(report.contentType).toBe('text/html; charset=utf-8');
		expect(binary).toMatchObject({
			mimeType: 'text/html',
			fileName: `${testId}-score-report.html`,
			fileExtension: 'html',
		});
		// 2.x keeps files on disk (only an id in the execution, with the byte count); 1.x's default mode keeps
		// them base64 in the execution. binaryBytes reads either (the former through n8n's REST endpoint).
		if (n8n.api.line >= 2) {
			expect(binary.id).toMatch(/^filesystem-v2:/);
			expect(binary.bytes).toBe(report.bytes.length);
		} else expect(binary.id).toBeUndefined();
		const stored = await n8n.api.binaryBytes(binary);
		expect(stored.length).toBe(report.bytes.length);
		expect(stored.equals(report.bytes)).toBe(true);
		expect(stored.toString('utf8')).toContain('Zoë Ñúñez');
		process.stdout.write(
			`[e2e] n8n ${version}: score report binary ${JSON.stringify({ ...binary, data: binary.id ? binary.data : '(base64)' })}\n`,
		);
	});

	test('the PDF report (sandbox knob): application/pdf, .pdf, the same bytes', async () => {
		sandbox.state.knobs.scoreReportFormat = 'pdf';
		const known = await executionIds();
		const testId = await completeTest('Pat Doe');
		const item = await newItem(known);
		expect(item.json).not.toHaveProperty('scoreReportError');
		const binary = item.binary!.scoreReport;
		expect(binary).toMatchObject({
			mimeType: 'application/pdf',
			fileName: `${testId}-score-report.pdf`,
		});
		const report = await sandboxReport(testId);
		expect(report.contentType).toBe('application/pdf');
		const stored = await n8n.api.binaryBytes(binary);
		expect(stored.subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');
		expect(stored.equals(report.bytes)).toBe(true);
	});

	test('a report URL that 404s: the execution still starts, with scoreReportError and no binary', async () => {
		const known = await executionIds();
		const logFrom = n8n.logSize();
		await deliver({
			TestID: 'E2E404SR',
			Status: 'Completed',
			Overall_Level: 4.1,
			Overall_cefr: 'B2',
			score_report_url: `${sandbox.url}/sandbox/score-report/E2E404SR`,
		});
		const item = await newItem(known);
		expect(item.json).toMatchObject({
			testId: 'E2E404SR',
			event: 'completed',
			scoreReportError: 'Score report not downloaded: the server answered HTTP 404',
		});
		expect(item.binary).toBeUndefined();
		await n8n.waitForLog(
			/iTEP Trigger: Score report not downloaded: the server answered HTTP 404 \(test "E2E404SR"\)/,
			{ fromOffset: logFrom, timeoutMs: 10_000 },
		);
	});

	test('a report URL on a host not in Allowed Hosts is not fetched; the result still arrives', async () => {
		const known = await executionIds();
		await deliver({
			TestID: 'E2EHOSTSR',
			Status: 'Completed',
			score_report_url: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
		});
		const item = await newItem(known);
		expect(item.json).toMatchObject({
			testId: 'E2EHOSTSR',
			scoreReportError:
				'Score report not downloaded: score_report_url is on host "169.254.169.254", which is not in Allowed Hosts',
		});
		expect(item.binary).toBeUndefined();
	});
});
