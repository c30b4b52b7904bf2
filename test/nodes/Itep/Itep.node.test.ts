/**
 * GTX and STX end to end: the node in n8n-core's ExecuteContext, signed by the credential, sent over HTTP to
 * the sandbox, which provisions from its inventory, stores the request's fields and (STX) writes the e-mail.
 */
import { isAvailable } from '../../../sandbox/inventory';
import { startSandbox, type RunningSandbox } from '../../../sandbox/server';
import { availableCount, findTest, productCode, runItep } from '../../helpers/itepNode';

const CANDIDATES = [
	{
		name: 'Ana Silva',
		email: 'ana@example.com',
		id: 'C-001',
		first: 'Ana',
		last: 'Silva',
		cohort: 'spring',
	},
	{
		name: 'Zoë Ñúñez',
		email: 'zoe@example.com',
		id: 'C-002',
		first: 'Zoë',
		last: 'Ñúñez',
		cohort: 'summer',
	},
	{
		name: '李雷',
		email: 'li.lei@example.com',
		id: 'C-003',
		first: '雷',
		last: '李',
		cohort: 'autumn',
	},
];

describe('GTX and STX end to end', () => {
	let sandbox: RunningSandbox;
	beforeEach(async () => {
		sandbox = await startSandbox({ port: 0 });
	});
	afterEach(async () => {
		await sandbox.close();
	});

	test('GTX: one test ID per item, registration from picked fields, assigned-to fields + extra JSON stored as sent', async () => {
		const before = availableCount(sandbox, 'Academic-Plus');
		const output = await runItep({
			target: sandbox,
			operation: 'getTestId',
			parameters: {
				productCode: productCode('GTX-Academic-Plus'),
				email: '={{ $json.email }}',
				track: 'RC',
				assignedTo: {
					candidateName: '={{ $json.name }}',
					candidateEmail: '={{ $json.email }}',
					candidateId: '={{ $json.id }}',
					expiryDate: '2026-12-31',
					extraJson: '={{ JSON.stringify({ cohort: $json.cohort, source: "n8n" }) }}',
				},
				registrationMode: 'fields',
				registrationFields: {
					field: [
						{ name: 'First_Name', value: '={{ $json.first }}' },
						{ name: 'Last_Name', value: '={{ $json.last }}' },
						{ name: 'Country', value: 'US' },
					],
				},
			},
			items: CANDIDATES,
		});

		expect(output).toHaveLength(3);
		expect(availableCount(sandbox, 'Academic-Plus')).toBe(before - 3);
		expect(sandbox.state.stats.provisioned).toBe(3);
		expect(sandbox.state.outbox).toHaveLength(0);
		const testIds = output.map((item) => item.json.testId);
		expect(new Set(testIds).size).toBe(3);

		for (const [index, item] of output.entries()) {
			const candidate = CANDIDATES[index];
			const log = sandbox.state.requests[index];
			expect(item.pairedItem).toEqual({ item: index });
			expect(Object.keys(item.json)).toEqual([
				'testId',
				'operation',
				'productCode',
				'sequence',
				'email',
				'response',
			]);
			expect(item.json).toMatchObject({
				operation: 'getTestId',
				productCode: 'GTX-Academic-Plus',
				sequence: log.sequence,
				email: candidate.email,
			});
			expect(item.json.testId).toMatch(/^\d{8}AP$/);
			expect(item.json.testId).toBe(log.testId);
			const assignedTo = {
				'student-name': candidate.name,
				email: candidate.email,
				'customer-candidate-id': candidate.id,
				expire: '2026-12-31',
				cohort: candidate.cohort,
				source: 'n8n',
				sequence: log.sequence,
			};
			expect(item.json.response).toEqual({
				'test-id': item.json.testId,
				'product-code': 'GTX-Academic-Plus',
				sequence: log.sequence,
				status: 'Ready',
				'assigned-to': assignedTo,
			});

			// The exact bytes, in iTEP's field order.
			expect(log.rawBody).toBe(
				`{"product-code":"GTX-Academic-Plus","email":"${candidate.email}","track":"RC","sequence":${log.sequence},` +
					`"assigned-to":{"student-name":"${candidate.name}","email":"${candidate.email}","customer-candidate-id":"${candidate.id}",` +
					`"expire":"2026-12-31","cohort":"${candidate.cohort}","source":"n8n","sequence":${log.sequence}},` +
					`"registration":{"First_Name":"${candidate.first}","Last_Name":"${candidate.last}","Country":"US"}}`,
			);

			const stored = findTest(sandbox, item.json.testId);
			expect(stored).toBeDefined();
			expect(stored?.testType).toBe('Academic-Plus');
			expect(stored?.assignedTo).toEqual(assignedTo);
			expect(Object.keys(stored?.assignedTo ?? {})).toEqual(Object.keys(assignedTo));
			expect(stored?.registration).toEqual({
				First_Name: candidate.first,
				Last_Name: candidate.last,
				Country: 'US',
			});
			expect(stored).toMatchObject({
				track: 'RC',
				productCode: 'GTX-Academic-Plus',
				fulfilledVia: 'gtx',
				sequence: log.sequence,
			});
		}
	});

	test('STX: iTEP e-mails each candidate (to, bcc, test ID); registration from JSON mode stored as sent', async () => {
		const before = availableCount(sandbox, 'Business-Core');
		const others = availableCount(sandbox, 'Academic-Plus');
		const output = await runItep({
			target: sandbox,
			operation: 'sendTestId',
			parameters: {
				productCode: { __rl: true, mode: 'list', value: 'STX-Business-Core' },
				email: '={{ $json.email }}',
				bcc: 'support@example.com',
				assignedTo: { candidateName: '={{ $json.name }}', extraJson: '{"batch": 7, "vip": true}' },
				registrationMode: 'json',
				registrationJson:
					'={{ JSON.stringify({ Last_Name: $json.last, First_Name: $json.first, Email: $json.email, Birthday: "1990-01-02" }) }}',
			},
			items: CANDIDATES,
		});

		expect(output).toHaveLength(3);
		expect(availableCount(sandbox, 'Business-Core')).toBe(before - 3);
		expect(availableCount(sandbox, 'Academic-Plus')).toBe(others);
		expect(sandbox.state.outbox).toHaveLength(3);

		for (const [index, item] of output.entries()) {
			const candidate = CANDIDATES[index];
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json).toMatchObject({
				operation: 'sendTestId',
				productCode: 'STX-Business-Core',
				email: candidate.email,
			});
			expect(typeof item.json.sequence).toBe('number');
			expect(item.json.response).toMatchObject({
				'test-id': item.json.testId,
				'product-code': 'STX-Business-Core',
				sequence: item.json.sequence,
				'emailed-to': candidate.email,
			});

			const email = sandbox.state.outbox[index];
			expect(email).toMatchObject({
				to: candidate.email,
				bcc: 'support@example.com',
				testId: item.json.testId,
				productCode: 'STX-Business-Core',
				testType: 'Business-Core',
			});
			expect(email.text).toContain(String(item.json.testId));

			const stored = findTest(sandbox, item.json.testId);
			expect(stored?.assignedTo).toEqual({
				'student-name': candidate.name,
				batch: 7,
				vip: true,
				sequence: item.json.sequence,
			});
			expect(stored?.registration).toEqual({
				Last_Name: candidate.last,
				First_Name: candidate.first,
				Email: candidate.email,
				Birthday: '1990-01-02',
			});
			expect(Object.keys(stored?.registration ?? {})).toEqual([
				'Last_Name',
				'First_Name',
				'Email',
				'Birthday',
			]);
			expect(stored).toMatchObject({
				fulfilledVia: 'stx',
				emailedTo: candidate.email,
				sequence: item.json.sequence,
			});
		}
	});

	test('GTX with Assigned To left empty: the node still fills it, so no test ID is handed out twice; no e-mail', async () => {
		// iTEP (and the sandbox) count a Ready test ID as available while its Assigned To is empty.
		const availableBefore = sandbox.state.tests.filter(
			(test) => test.testType === 'Academic-Plus' && isAvailable(test),
		).length;
		const output = await runItep({
			target: sandbox,
			parameters: { email: 'ana@example.com' },
			items: [{}, {}],
		});
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(sandbox.state.outbox).toHaveLength(0);
		expect(new Set(output.map((item) => item.json.testId)).size).toBe(2);
		for (const item of output) {
			const stored = findTest(sandbox, item.json.testId);
			expect(stored?.assignedTo).toEqual({
				sequence: item.json.sequence,
				'n8n-workflow': 'wf',
				'assigned-at': expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
			});
			expect(isAvailable(stored!)).toBe(false);
		}
		const availableAfter = sandbox.state.tests.filter(
			(test) => test.testType === 'Academic-Plus' && isAvailable(test),
		).length;
		expect(availableAfter).toBe(availableBefore - 2);
	});

	test('the credential is read and decrypted once per run, not once per item', async () => {
		let reads = 0;
		const output = await runItep({
			target: sandbox,
			items: Array.from({ length: 12 }, () => ({})),
			parameters: { options: { maxConcurrency: 4 } },
			onCredentialRead: () => reads++,
		});
		expect(output.filter((item) => typeof item.json.testId === 'string')).toHaveLength(12);
		expect(sandbox.state.stats.requests).toBe(12);
		expect(reads).toBe(1);
	});

	test('a run uses sequences that increase item by item', async () => {
		const output = await runItep({ target: sandbox, items: [{}, {}, {}, {}] });
		const sequences = output.map((item) => item.json.sequence as number);
		expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
		expect(new Set(sequences).size).toBe(4);
	});
});
