/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * GTX and STX in real n8n (2.x and 1.x), the packed tarball installed as a community package: a Manual Trigger
 * workflow whose Code node emits several candidates (non-ASCII names among them) feeds the iTEP node. Checked
 * through n8n's stored execution (test IDs, pairing) and against the sandbox: inventory, outbox, and the bytes
 * n8n sent (signature verified, UTF-8 unescaped, HMAC recomputed over the logged raw body with the pack's
 * computeSignature).
 */
import { computeSignature } from '../../nodes/shared/signing';
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
import { codeNode, describeE2e, itepNode, nodeRun, startLine, stopLine } from './support';

const CANDIDATES = [
	{ first: 'Zoë', last: 'Ñúñez', name: 'Zoë Ñúñez', email: 'zoe.nunez@example.com', id: 'C-001' },
	{ first: '雷', last: '李', name: '李雷', email: 'li.lei@example.cn', id: 'C-002' },
	{ first: 'Mary', last: 'Poppins', name: 'Mary Poppins', email: 'mary@example.com', id: 'C-003' },
];

const GTX_KEY = 'e2e-gtx-key-1f3a';
const STX_KEY = 'e2e-stx-key-9c2d';
const STX_HEADER = 'X-E2e-Signature';
const BCC = 'support@school.example';

/** Per-candidate fields, Assigned To and Registration filled from the incoming item by expressions. */
const candidateParameters = {
	assignedTo: {
		candidateName: '={{ $json.name }}',
		candidateEmail: '={{ $json.email }}',
		candidateId: '={{ $json.id }}',
	},
	registrationMode: 'fields' as const,
	registrationFields: [
		{ name: 'First_Name', value: '={{ $json.first }}' },
		{ name: 'Last_Name', value: '={{ $json.last }}' },
		{ name: 'Email', value: '={{ $json.email }}' },
	],
};

describeE2e.each(e2eVersions())('n8n %s: GTX and STX fulfillment', (version) => {
	let n8n: N8nInstance;
	// GTX against a sandbox with the defaults (hex, X-Itep-Signature); STX against one with another header
	// and base64, so both credential settings are exercised in real n8n.
	let gtxSandbox: RunningSandbox;
	let stxSandbox: RunningSandbox;
	let gtxCredential: CredentialRef;
	let stxCredential: CredentialRef;
	const timings: Record<string, number> = {};

	beforeAll(async () => {
		[gtxSandbox, stxSandbox] = await Promise.all([
			startSandbox({ port: 0, apiKeys: [GTX_KEY], inventorySize: 5 }),
			startSandbox({
				port: 0,
				apiKeys: [STX_KEY],
				inventorySize: 5,
				signatureHeader: STX_HEADER,
				signatureEncoding: 'base64',
			}),
		]);
		n8n = await startLine(version, timings, 'fulfillment');
		gtxCredential = await n8n.api.createItepCredential(
			{ apiKey: GTX_KEY, baseUrl: gtxSandbox.url },
			'iTEP GTX sandbox',
		);
		stxCredential = await n8n.api.createItepCredential(
			{
				apiKey: STX_KEY,
				baseUrl: stxSandbox.url,
				signatureHeader: STX_HEADER,
				signatureEncoding: 'base64',
			},
			'iTEP STX sandbox',
		);
	});

	afterAll(async () => {
		await stopLine(n8n, version, timings);
		await Promise.all([gtxSandbox?.close(), stxSandbox?.close()]);
	});

	test("GTX: every candidate gets a test ID, in n8n's execution output and in the sandbox inventory", async () => {
		const availableBefore = gtxSandbox.state.tests.reduce(countAvailable, {});
		const workflow = await n8n.api.createWorkflow(
			chain('e2e: candidates -> GTX', [
				manualTrigger(),
				codeNode('Candidates', CANDIDATES),
				itepNode('iTEP', gtxCredential, {
					operation: 'getTestId',
					productCode: 'GTX-Academic-Plus',
					email: '={{ $json.email }}',
					...candidateParameters,
				}),
			]),
		);

		const { value: execution, ms } = await timed(() => n8n.api.runManually(workflow.id));
		timings['fulfillment.gtxRunMs'] = ms;
		expect(executionError(execution)).toBeUndefined();
		expect(execution.status).toBe('success');

		// What n8n recorded: one output item per candidate, paired with its input, each with its own test ID.
		const output = nodeOutput(execution, 'iTEP');
		expect(output).toHaveLength(CANDIDATES.length);
		expect(nodeRun(execution, 'iTEP').items.map((item) => item.pairedItem)).toEqual(
			CANDIDATES.map((_, item) => ({ item })),
		);
		const testIds = output.map((item) => item.testId as string);
		for (const testId of testIds) expect(testId).toMatch(/^\d{8}AP$/);
		expect(new Set(testIds).size).toBe(CANDIDATES.length);
		output.forEach((item, index) => {
			expect(item).toMatchObject({
				testId: testIds[index],
				productCode: 'GTX-Academic-Plus',
				operation: 'getTestId',
				email: CANDIDATES[index].email,
				response: { 'test-id': testIds[index], 'product-code': 'GTX-Academic-Plus' },
			});
			expect(item.response).not.toHaveProperty('emailed-to');
		});

		// The sandbox: Academic-Plus dropped by exactly the number of candidates, nothing else moved, and each
		// test ID went to the candidate of its item (names intact).
		const availableAfter = gtxSandbox.state.tests.reduce(countAvailable, {});
		expect(availableAfter).toEqual({
			...availableBefore,
			'Academic-Plus': availableBefore['Academic-Plus'] - CANDIDATES.length,
		});
		expect(gtxSandbox.state.stats.provisioned).toBe(CANDIDATES.length);
		testIds.forEach((testId, index) => {
			const test = gtxSandbox.state.tests.find((candidate) => candidate.testId === testId);
			expect(test).toMatchObject({
				fulfilledVia: 'gtx',
				sequence: output[index].sequence,
				assignedTo: {
					'student-name': CANDIDATES[index].name,
					email: CANDIDATES[index].email,
					'customer-candidate-id': CANDIDATES[index].id,
				},
				registration: {
					First_Name: CANDIDATES[index].first,
					Last_Name: CANDIDATES[index].last,
					Email: CANDIDATES[index].email,
				},
			});
		});
		expect(gtxSandbox.state.outbox).toEqual([]);

		// The bytes n8n sent: one request per candidate, each verified, compact UTF-8 with the names unescaped,
		// and the logged signature header is the pack's HMAC of exactly those bytes with the API key.
		const requests = gtxSandbox.state.requests;
		expect(requests.map((r) => [r.path, r.status, r.signatureVerified, r.testId])).toEqual(
			testIds.map((testId) => ['/api/fulfillment', 200, true, testId]),
		);
		requests.forEach((request, index) => {
			const { name, first, last } = CANDIDATES[index];
			expect(request.rawBody).toContain(`"student-name":"${name}"`);
			expect(request.rawBody).toContain(
				`"registration":{"First_Name":"${first}","Last_Name":"${last}"`,
			);
			expect(request.rawBody).not.toMatch(/\\u[0-9a-f]{4}/i);
			// Compact JSON exactly as JSON.stringify writes it: no whitespace outside strings, nothing escaped.
			expect(JSON.stringify(JSON.parse(request.rawBody))).toBe(request.rawBody);
			expect(request.signatureHeader).toBe(computeSignature(request.rawBody, GTX_KEY, 'hex'));
			expect(request.signatureHeader).toBe(
				computeSignature(Buffer.from(request.rawBody, 'utf8'), GTX_KEY, 'hex'),
			);
			expect(request.sequence).toBe(output[index].sequence);
		});
		// The non-ASCII bodies really are multi-byte on the wire.
		expect(Buffer.byteLength(requests[1].rawBody, 'utf8')).toBeGreaterThan(
			requests[1].rawBody.length,
		);
		// Sequences strictly increase within the run (the node's replay guard).
		const sequences = requests.map((r) => r.sequence as number);
		expect([...sequences].sort((a, b) => a - b)).toEqual(sequences);
		expect(new Set(sequences).size).toBe(sequences.length);
	});

	test('STX (assigned-to and registration, bcc, base64 signature in a custom header): iTEP e-mails each candidate', async () => {
		const availableBefore = stxSandbox.state.tests.reduce(countAvailable, {});
		const workflow = await n8n.api.createWorkflow(
			chain('e2e: candidates -> STX', [
				manualTrigger(),
				codeNode('Candidates', CANDIDATES),
				itepNode('Send Test ID', stxCredential, {
					operation: 'sendTestId',
					productCode: 'STX-Business-Plus',
					email: '={{ $json.email }}',
					bcc: BCC,
					track: 'E2E',
					...candidateParameters,
				}),
			]),
		);

		const { value: execution, ms } = await timed(() => n8n.api.runManually(workflow.id));
		timings['fulfillment.stxRunMs'] = ms;
		expect(executionError(execution)).toBeUndefined();
		expect(execution.status).toBe('success');

		const output = nodeOutput(execution, 'Send Test ID');
		expect(output).toHaveLength(CANDIDATES.length);
		const testIds = output.map((item) => item.testId as string);
		for (const testId of testIds) expect(testId).toMatch(/^\d{8}BP$/);
		expect(new Set(testIds).size).toBe(CANDIDATES.length);
		output.forEach((item, index) => {
			expect(item).toMatchObject({
				testId: testIds[index],
				productCode: 'STX-Business-Plus',
				operation: 'sendTestId',
				email: CANDIDATES[index].email,
				response: { 'test-id': testIds[index], 'emailed-to': CANDIDATES[index].email },
			});
		});

		const availableAfter = stxSandbox.state.tests.reduce(countAvailable, {});
		expect(availableAfter).toEqual({
			...availableBefore,
			'Business-Plus': availableBefore['Business-Plus'] - CANDIDATES.length,
		});

		// One e-mail per candidate: to the candidate, bcc as configured, naming the test ID of that item.
		expect(
			stxSandbox.state.outbox.map(({ to, bcc, testId, productCode }) => ({
				to,
				bcc,
				testId,
				productCode,
			})),
		).toEqual(
			CANDIDATES.map((candidate, index) => ({
				to: candidate.email,
				bcc: BCC,
				testId: testIds[index],
				productCode: 'STX-Business-Plus',
			})),
		);
		for (const mail of stxSandbox.state.outbox)
			expect(mail.text).toContain(`Your test ID is ${mail.testId}.`);

		testIds.forEach((testId, index) => {
			const test = stxSandbox.state.tests.find((candidate) => candidate.testId === testId);
			expect(test).toMatchObject({
				fulfilledVia: 'stx',
				track: 'E2E',
				emailedTo: CANDIDATES[index].email,
				assignedTo: {
					'student-name': CANDIDATES[index].name,
					'customer-candidate-id': CANDIDATES[index].id,
				},
				registration: { First_Name: CANDIDATES[index].first, Last_Name: CANDIDATES[index].last },
			});
		});

		const requests = stxSandbox.state.requests;
		expect(requests.map((r) => [r.status, r.signatureVerified, r.testId])).toEqual(
			testIds.map((testId) => [200, true, testId]),
		);
		requests.forEach((request, index) => {
			const { name, email } = CANDIDATES[index];
			expect(
				request.rawBody.startsWith(
					`{"product-code":"STX-Business-Plus","email":"${email}","bcc":"${BCC}","track":"E2E","sequence":`,
				),
			).toBe(true);
			expect(request.rawBody).toContain(`"student-name":"${name}"`);
			expect(request.rawBody).not.toMatch(/\\u[0-9a-f]{4}/i);
			expect(request.signatureHeader).toBe(computeSignature(request.rawBody, STX_KEY, 'base64'));
		});
	});
});

function countAvailable(
	counts: Record<string, number>,
	test: { testType: string; status: string; assignedTo: unknown },
): Record<string, number> {
	counts[test.testType] =
		(counts[test.testType] ?? 0) + (test.status === 'Ready' && test.assignedTo === null ? 1 : 0);
	return counts;
}
