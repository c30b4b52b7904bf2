import { createHmac } from 'node:crypto';

import {
	adminGet,
	callApi,
	fulfillment,
	nextClientSequence as nextSequence,
} from '../../devkit/sandboxClient';
import type { ParsedJson } from '../../devkit/sandboxClient';
import { DEFAULT_SANDBOX_API_KEY } from '../../sandbox/config';
import { isAvailable } from '../../sandbox/inventory';
import {
	API_ERROR_CODES,
	FULFILLMENT_PATH,
	SIGNATURE_CHECK_PATH,
} from '../../sandbox/itepDocument';
import { startSandbox, type RunningSandbox } from '../../sandbox/server';

/** Signed here with node:crypto, independently of the sandbox's own signature module. */
function computeSignature(
	payload: string,
	key: string,
	encoding: 'hex' | 'base64' = 'hex',
): string {
	return createHmac('sha256', key).update(payload, 'utf8').digest(encoding);
}

/** Compact JSON, as iTEP asks for. */
const serializeBody = (body: object) => JSON.stringify(body);

const KEY = DEFAULT_SANDBOX_API_KEY;

function availableCount(sandbox: RunningSandbox, testType: string): number {
	return sandbox.state.tests.filter((test) => test.testType === testType && isAvailable(test))
		.length;
}

/** Posts exact bytes with an explicit signature header value (or none). */
async function postRaw(
	sandbox: RunningSandbox,
	raw: string,
	signature: string | undefined,
	path = FULFILLMENT_PATH,
) {
	const headers: Record<string, string> = { 'Content-Type': 'application/json' };
	if (signature !== undefined) headers['X-Itep-Signature'] = signature;
	const response = await fetch(`${sandbox.url}${path}`, { method: 'POST', headers, body: raw });
	return { status: response.status, body: (await response.json()) as ParsedJson };
}

describe('sandbox fulfillment API', () => {
	let sandbox: RunningSandbox;
	beforeEach(async () => {
		sandbox = await startSandbox({ port: 0 });
	});
	afterEach(async () => {
		await sandbox.close();
	});

	test('a signed GTX request provisions the first available test ID and returns it', async () => {
		const before = availableCount(sandbox, 'Academic-Plus');
		const firstAvailable = sandbox.state.tests.find(
			(test) => test.testType === 'Academic-Plus' && isAvailable(test),
		);
		const assignedTo = { 'student-name': 'Mary Poppins', 'customer-candidate-id': 9810283 };
		const sequence = nextSequence();
		const answer = await fulfillment(sandbox.url, {
			'product-code': 'GTX-Academic-Plus',
			track: 'RC',
			sequence,
			'assigned-to': assignedTo,
			registration: { Last_Name: 'Poppins', First_Name: 'Mary' },
		});

		expect(answer.status).toBe(200);
		expect(answer.body).toEqual({
			'test-id': firstAvailable?.testId,
			'product-code': 'GTX-Academic-Plus',
			sequence,
			status: 'Ready',
			'assigned-to': assignedTo,
		});
		expect(answer.body['test-id']).toMatch(/^\d{8}AP$/);
		expect(availableCount(sandbox, 'Academic-Plus')).toBe(before - 1);
		const test = sandbox.state.tests.find(
			(candidate) => candidate.testId === answer.body['test-id'],
		);
		expect(test).toMatchObject({
			status: 'Ready',
			assignedTo,
			track: 'RC',
			registration: { Last_Name: 'Poppins', First_Name: 'Mary' },
		});
		expect(sandbox.state.outbox).toHaveLength(0);
		expect(sandbox.state.stats.provisioned).toBe(1);
	});

	test('a signed STX request also e-mails the test ID (outbox) and says to whom', async () => {
		const before = availableCount(sandbox, 'Business-Core');
		const answer = await fulfillment(sandbox.url, {
			'product-code': 'STX-Business-Core',
			email: 'mary@example.com',
			bcc: 'hr@example.com',
			'assigned-to': { name: 'Mary' },
		});

		expect(answer.status).toBe(200);
		expect(answer.body['emailed-to']).toBe('mary@example.com');
		expect(answer.body['test-id']).toMatch(/^\d{8}BC$/);
		expect(availableCount(sandbox, 'Business-Core')).toBe(before - 1);
		const outbox = (await adminGet(sandbox.url, '/sandbox/outbox')).body;
		expect(outbox).toHaveLength(1);
		expect(outbox[0]).toMatchObject({
			to: 'mary@example.com',
			bcc: 'hr@example.com',
			testId: answer.body['test-id'],
			productCode: 'STX-Business-Core',
		});
		expect(outbox[0].text).toContain(answer.body['test-id']);
		expect(outbox[0].subject).toContain(answer.body['test-id']);
	});

	test("GTX and STX codes of one test type share that type's inventory and never hand out an ID twice", async () => {
		const ids = new Set<string>();
		for (const [index, productCode] of [
			'GTX-SLATE-Plus',
			'STX-SLATE-Plus',
			'GTX-SLATE-Plus',
		].entries()) {
			const answer = await fulfillment(sandbox.url, {
				'product-code': productCode,
				email: 'a@example.com',
				'assigned-to': { 'customer-candidate-id': index },
			});
			expect(answer.status).toBe(200);
			ids.add(answer.body['test-id']);
		}
		expect(ids.size).toBe(3);
		expect(availableCount(sandbox, 'SLATE-Plus')).toBe(25 - 3);
	});

	test('the seeded history (assigned, started, completed, disabled) is never handed out', async () => {
		const notAvailable = sandbox.state.tests.filter(
			(test) => test.testType === 'Hospitality' && !isAvailable(test),
		);
		expect(notAvailable.map((test) => test.status).sort()).toEqual([
			'Completed',
			'Disabled',
			'Ready',
			'Started',
		]);
		const answer = await fulfillment(sandbox.url, { 'product-code': 'GTX-Hospitality' });
		expect(notAvailable.map((test) => test.testId)).not.toContain(answer.body['test-id']);
	});

	test('test IDs are unique across the whole inventory', () => {
		const ids = sandbox.state.tests.map((test) => test.testId);
		expect(new Set(ids).size).toBe(ids.length);
		expect(ids.every((id) => /^\d{8}[A-Z]{2}$/.test(id))).toBe(true);
	});

	describe('401 INVALID_SIGNATURE', () => {
		const body = () =>
			serializeBody({ 'product-code': 'GTX-Academic-Plus', sequence: nextSequence() });

		test.each([
			['no signature header', () => undefined],
			['an empty signature header', () => ''],
			['a signature made with another key', (raw: string) => computeSignature(raw, 'not-the-key')],
			[
				'the right key in base64 while the sandbox expects hex',
				(raw: string) => computeSignature(raw, KEY, 'base64'),
			],
			['a signature of other bytes', (raw: string) => computeSignature(raw + ' ', KEY)],
		])('%s', async (_label, sign) => {
			const raw = body();
			const answer = await postRaw(sandbox, raw, sign(raw));
			expect(answer.status).toBe(401);
			expect(answer.body.error.code).toBe(API_ERROR_CODES.badSignature);
			expect(answer.body.error.message).toMatch(/X-Itep-Signature/);
			expect(sandbox.state.stats.provisioned).toBe(0);
		});

		test('an upper-case hex signature is still accepted (hex is case-insensitive)', async () => {
			const raw = body();
			const answer = await postRaw(sandbox, raw, computeSignature(raw, KEY).toUpperCase());
			expect(answer.status).toBe(200);
		});

		test('a wrong signature does not spend the sequence', async () => {
			const sequence = nextSequence();
			const raw = serializeBody({ 'product-code': 'GTX-Academic-Plus', sequence });
			expect((await postRaw(sandbox, raw, computeSignature(raw, 'wrong'))).status).toBe(401);
			expect((await postRaw(sandbox, raw, computeSignature(raw, KEY))).status).toBe(200);
		});
	});

	describe('400 MALFORMED_BODY', () => {
		test('pretty-printed JSON is refused even when correctly signed', async () => {
			const pretty = JSON.stringify(
				{ 'product-code': 'GTX-Academic-Plus', sequence: nextSequence() },
				null,
				2,
			);
			const answer = await postRaw(sandbox, pretty, computeSignature(pretty, KEY));
			expect(answer.status).toBe(400);
			expect(answer.body.error.code).toBe(API_ERROR_CODES.malformedBody);
			expect(answer.body.error.message).toMatch(/pretty/i);
		});

		test.each([
			['a space after a colon', '{"product-code": "GTX-Academic-Plus","sequence":5}'],
			['a trailing newline', '{"product-code":"GTX-Academic-Plus","sequence":5}\n'],
			['a tab between fields', '{"product-code":"GTX-Academic-Plus",\t"sequence":5}'],
		])('whitespace outside strings: %s', async (_label, raw) => {
			const answer = await postRaw(sandbox, raw, computeSignature(raw, KEY));
			expect(answer.status).toBe(400);
			expect(answer.body.error.message).toMatch(/pretty/i);
		});

		test('spaces inside strings are fine', async () => {
			const raw = serializeBody({
				'product-code': 'GTX-Academic-Plus',
				sequence: nextSequence(),
				'assigned-to': { name: 'Mary "MP" Poppins, Jr.', note: 'a \\ b { c }' },
			});
			const answer = await postRaw(sandbox, raw, computeSignature(raw, KEY));
			expect(answer.status).toBe(200);
		});

		test.each([
			['truncated JSON', '{"product-code":"GTX-Academic-Plus","sequence":5'],
			['not JSON at all', 'product-code=GTX-Academic-Plus'],
			['an empty body', ''],
		])('malformed: %s', async (_label, raw) => {
			const answer = await postRaw(sandbox, raw, computeSignature(raw, KEY));
			expect(answer.status).toBe(400);
			expect(answer.body.error.code).toBe(API_ERROR_CODES.malformedBody);
		});

		test("schema problems come back as field issues from the sandbox's own validator", async () => {
			const answer = await fulfillment(sandbox.url, {
				'product-code': 'STX-Academic-Plus',
				registration: { last_name: 'Poppins' },
			});
			expect(answer.status).toBe(400);
			expect(answer.body.error.code).toBe(API_ERROR_CODES.malformedBody);
			const fields = answer.body.error.issues.map((issue: { field: string }) => issue.field);
			expect(fields).toEqual(['Candidate Email', 'Registration']);
			expect(answer.body.error.message).toMatch(/Last_Name/);
		});

		test('a missing sequence is a schema problem', async () => {
			const raw = serializeBody({ 'product-code': 'GTX-Academic-Plus' });
			const answer = await postRaw(sandbox, raw, computeSignature(raw, KEY));
			expect(answer.status).toBe(400);
			expect(answer.body.error.issues[0].field).toBe('Sequence');
		});
	});

	test.each([
		['an unknown prefix', 'ABC-Academic-Plus'],
		['an unknown test type', 'GTX-Academic-Extreme'],
		['the wrong case', 'gtx-Academic-Plus'],
	])('404 UNKNOWN_PRODUCT_CODE for %s', async (_label, productCode) => {
		const answer = await fulfillment(sandbox.url, { 'product-code': productCode });
		expect(answer.status).toBe(404);
		expect(answer.body.error.code).toBe(API_ERROR_CODES.unknownProductCode);
		expect(answer.body.error.message).toContain(productCode);
	});

	test('409 SEQUENCE_REUSED: a replay of the exact same signed bytes provisions nothing', async () => {
		const raw = serializeBody({
			'product-code': 'GTX-Academic-Plus',
			sequence: nextSequence(),
			'assigned-to': { n: 1 },
		});
		const signature = computeSignature(raw, KEY);
		const first = await postRaw(sandbox, raw, signature);
		expect(first.status).toBe(200);
		const available = availableCount(sandbox, 'Academic-Plus');

		const replay = await postRaw(sandbox, raw, signature);
		expect(replay.status).toBe(409);
		expect(replay.body.error.code).toBe(API_ERROR_CODES.sequenceReused);
		expect(availableCount(sandbox, 'Academic-Plus')).toBe(available);
		expect(sandbox.state.stats.provisioned).toBe(1);
	});

	test('a reused sequence is refused whatever the rest of the body, but only for the same API key', async () => {
		await sandbox.close();
		sandbox = await startSandbox({ port: 0, apiKeys: ['key-one', 'key-two'] });
		const sequence = nextSequence();
		expect(
			(
				await fulfillment(
					sandbox.url,
					{ 'product-code': 'GTX-Academic-Plus', sequence },
					{ apiKey: 'key-one' },
				)
			).status,
		).toBe(200);
		const sameKey = await fulfillment(
			sandbox.url,
			{ 'product-code': 'GTX-Business-Plus', sequence },
			{ apiKey: 'key-one' },
		);
		expect(sameKey.status).toBe(409);
		const otherKey = await fulfillment(
			sandbox.url,
			{ 'product-code': 'GTX-Business-Plus', sequence },
			{ apiKey: 'key-two' },
		);
		expect(otherKey.status).toBe(200);
		expect(sandbox.state.requests.map((entry) => entry.apiKeyIndex)).toEqual([0, 0, 1]);
	});

	test('422 NO_AVAILABLE_TEST_IDS when the type has no Ready, unassigned test ID', async () => {
		await sandbox.close();
		sandbox = await startSandbox({ port: 0, inventorySize: 1 });
		expect(
			(
				await fulfillment(sandbox.url, {
					'product-code': 'GTX-Academic-Core',
					'assigned-to': { name: 'First' },
				})
			).status,
		).toBe(200);
		const answer = await fulfillment(sandbox.url, {
			'product-code': 'STX-Academic-Core',
			email: 'late@example.com',
		});
		expect(answer.status).toBe(422);
		expect(answer.body.error.code).toBe(API_ERROR_CODES.noAvailableTestIds);
		expect(answer.body.error.message).toMatch(/No available test IDs for Academic-Core/);
		expect(sandbox.state.outbox).toHaveLength(0);
		// Other types are unaffected.
		expect((await fulfillment(sandbox.url, { 'product-code': 'GTX-Academic-Plus' })).status).toBe(
			200,
		);
	});

	describe('assigned-to, as the document defines availability', () => {
		// "A test ID is considered available to use if its status is Ready and the assigned-to field is not populated."
		test('without assigned-to the test ID is returned but stays available: the next request gets the SAME ID', async () => {
			const before = availableCount(sandbox, 'Academic-Plus');
			const first = await fulfillment(sandbox.url, { 'product-code': 'GTX-Academic-Plus' });
			const second = await fulfillment(sandbox.url, { 'product-code': 'GTX-Academic-Plus' });
			expect(first.status).toBe(200);
			expect(second.status).toBe(200);
			expect(second.body['test-id']).toBe(first.body['test-id']);
			expect(first.body['assigned-to']).toBeNull();
			expect(availableCount(sandbox, 'Academic-Plus')).toBe(before);
			const test = sandbox.state.tests.find(
				(candidate) => candidate.testId === first.body['test-id'],
			);
			expect(test).toMatchObject({ status: 'Ready', assignedTo: null });
			expect(isAvailable(test!)).toBe(true);
			expect(sandbox.state.stats.provisioned).toBe(2);
		});

		test('an empty assigned-to ({}) is not populated either', async () => {
			await sandbox.close();
			sandbox = await startSandbox({ port: 0, inventorySize: 1, seedHistory: false });
			const first = await fulfillment(sandbox.url, {
				'product-code': 'GTX-Hospitality',
				'assigned-to': {},
			});
			expect(first.status).toBe(200);
			expect(availableCount(sandbox, 'Hospitality')).toBe(1);
			const second = await fulfillment(sandbox.url, {
				'product-code': 'STX-Hospitality',
				email: 'b@example.com',
				'assigned-to': {},
			});
			expect(second.status).toBe(200);
			expect(second.body['test-id']).toBe(first.body['test-id']);
			const available = (
				await adminGet(sandbox.url, '/sandbox/available-tests.json?testType=Hospitality')
			).body;
			expect(available.map((row: Record<string, string>) => row['Test ID'])).toEqual([
				first.body['test-id'],
			]);
		});

		test('a populated assigned-to takes the test ID out of the pool, so the next request gets another one or 422', async () => {
			await sandbox.close();
			sandbox = await startSandbox({ port: 0, inventorySize: 2, seedHistory: false });
			const first = await fulfillment(sandbox.url, {
				'product-code': 'GTX-Hospitality',
				'assigned-to': { 'student-name': 'A' },
			});
			const second = await fulfillment(sandbox.url, {
				'product-code': 'GTX-Hospitality',
				'assigned-to': { 'student-name': 'B' },
			});
			expect([first.status, second.status]).toEqual([200, 200]);
			expect(second.body['test-id']).not.toBe(first.body['test-id']);
			expect(availableCount(sandbox, 'Hospitality')).toBe(0);
			expect(
				(
					await fulfillment(sandbox.url, {
						'product-code': 'GTX-Hospitality',
						'assigned-to': { 'student-name': 'C' },
					})
				).status,
			).toBe(422);
		});
	});

	test('base64 signatures and another header name when configured so', async () => {
		await sandbox.close();
		sandbox = await startSandbox({
			port: 0,
			signatureEncoding: 'base64',
			signatureHeader: 'X-Custom-Sig',
		});
		const options = { encoding: 'base64' as const, signatureHeader: 'X-Custom-Sig' };
		expect(
			(await fulfillment(sandbox.url, { 'product-code': 'GTX-Academic-Plus' }, options)).status,
		).toBe(200);
		expect(
			(
				await fulfillment(
					sandbox.url,
					{ 'product-code': 'GTX-Academic-Plus' },
					{ ...options, encoding: 'hex' },
				)
			).status,
		).toBe(401);
		expect((await fulfillment(sandbox.url, { 'product-code': 'GTX-Academic-Plus' })).status).toBe(
			401,
		);
	});

	describe('signature check', () => {
		test('a signed no-op answers {"ok":true} and spends nothing', async () => {
			const before = availableCount(sandbox, 'Academic-Plus');
			const answer = await callApi(sandbox.url, SIGNATURE_CHECK_PATH, { check: 'signature' });
			expect(answer).toMatchObject({ status: 200, body: { ok: true } });
			expect(availableCount(sandbox, 'Academic-Plus')).toBe(before);
			expect(sandbox.state.sequencesByKey.size).toBe(0);
		});

		test('a wrong key or no signature is 401', async () => {
			const wrong = await callApi(
				sandbox.url,
				SIGNATURE_CHECK_PATH,
				{ check: 'signature' },
				{ apiKey: 'nope' },
			);
			expect(wrong.status).toBe(401);
			expect(wrong.body.error.code).toBe(API_ERROR_CODES.badSignature);
			const unsigned = await callApi(
				sandbox.url,
				SIGNATURE_CHECK_PATH,
				{ check: 'signature' },
				{ signature: null },
			);
			expect(unsigned.status).toBe(401);
		});
	});

	test('the request log records what arrived, what was answered, and whether it verified', async () => {
		const sequence = nextSequence();
		await fulfillment(sandbox.url, { 'product-code': 'GTX-Academic-Plus', sequence });
		await fulfillment(
			sandbox.url,
			{ 'product-code': 'GTX-Academic-Plus', sequence: sequence + 1 },
			{ apiKey: 'wrong' },
		);
		const log = (await adminGet(sandbox.url, '/sandbox/requests')).body;
		expect(log).toHaveLength(2);
		expect(log[0]).toMatchObject({
			path: FULFILLMENT_PATH,
			status: 200,
			signatureVerified: true,
			sequence,
			apiKeyIndex: 0,
		});
		expect(log[0].rawBody).toBe(serializeBody({ 'product-code': 'GTX-Academic-Plus', sequence }));
		expect(log[0].signatureHeader).toBe(computeSignature(log[0].rawBody, KEY));
		expect(log[1]).toMatchObject({
			status: 401,
			signatureVerified: false,
			errorCode: 'INVALID_SIGNATURE',
			sequence: sequence + 1,
		});
		expect(JSON.stringify(log)).not.toContain(KEY);
	});

	test('only POST is accepted on the API paths and unknown paths are 404', async () => {
		expect((await fetch(`${sandbox.url}${FULFILLMENT_PATH}`)).status).toBe(405);
		expect((await fetch(`${sandbox.url}/api/nope`, { method: 'POST' })).status).toBe(404);
	});
});
