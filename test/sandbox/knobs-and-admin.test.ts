/* eslint-disable @n8n/community-nodes/no-restricted-globals -- development tooling, never published: n8n's rules for node code do not apply */
import { createHmac } from 'node:crypto';

import {
	adminGet,
	adminPost,
	fulfillment,
	nextClientSequence as nextSequence,
	type ParsedJson,
} from '../../devkit/sandboxClient';
import { DEFAULT_SANDBOX_API_KEY } from '../../sandbox/config';
import { isAvailable } from '../../sandbox/inventory';
import { API_ERROR_CODES, FULFILLMENT_PATH } from '../../sandbox/itepDocument';
import { startSandbox, type RunningSandbox } from '../../sandbox/server';
import * as XLSX from 'xlsx';

/** Signed here with node:crypto, independently of the sandbox's own signature module. */
const computeSignature = (payload: string, key: string) =>
	createHmac('sha256', key).update(payload, 'utf8').digest('hex');
const serializeBody = (body: object) => JSON.stringify(body);

/** A populated assigned-to: without one, iTEP (and the sandbox) leave the test ID available. */
const assignedTo = (name = 'Mary Poppins') => ({ 'assigned-to': { 'student-name': name } });

function availableCount(sandbox: RunningSandbox, testType: string): number {
	return sandbox.state.tests.filter((test) => test.testType === testType && isAvailable(test))
		.length;
}

/** The same signed bytes each time, as a client retrying one request would send them. */
function signedRequest(body: Record<string, unknown>) {
	const raw = serializeBody(body);
	const headers = {
		'Content-Type': 'application/json',
		'X-Itep-Signature': computeSignature(raw, DEFAULT_SANDBOX_API_KEY),
	};
	return (sandbox: RunningSandbox) =>
		fetch(`${sandbox.url}${FULFILLMENT_PATH}`, { method: 'POST', headers, body: raw });
}

describe('sandbox knobs', () => {
	let sandbox: RunningSandbox;
	beforeEach(async () => {
		sandbox = await startSandbox({ port: 0 });
	});
	afterEach(async () => {
		await sandbox.close();
	});

	test('latencyMs delays every API request', async () => {
		await adminPost(sandbox.url, '/sandbox/knobs', { latencyMs: 250 });
		const started = Date.now();
		const answer = await fulfillment(sandbox.url, { 'product-code': 'GTX-Academic-Plus' });
		expect(answer.status).toBe(200);
		expect(Date.now() - started).toBeGreaterThanOrEqual(240);
		expect(sandbox.state.requests[0].durationMs).toBeGreaterThanOrEqual(240);
	});

	test('concurrent requests are counted in flight, including the added latency', async () => {
		await adminPost(sandbox.url, '/sandbox/knobs', { latencyMs: 300 });
		const requests = Array.from({ length: 8 }, (_, index) =>
			fulfillment(sandbox.url, {
				'product-code': 'GTX-Business-Plus',
				...assignedTo(`Candidate ${index}`),
			}),
		);
		await new Promise((resolve) => setTimeout(resolve, 150));
		const during = (await adminGet(sandbox.url, '/sandbox/stats')).body;
		expect(during.inFlight).toBe(8);

		const answers = await Promise.all(requests);
		expect(answers.every((answer) => answer.status === 200)).toBe(true);
		expect(new Set(answers.map((answer) => answer.body['test-id'])).size).toBe(8);
		const after = (await adminGet(sandbox.url, '/sandbox/stats')).body;
		expect(after).toMatchObject({
			inFlight: 0,
			maxInFlight: 8,
			requests: 8,
			provisioned: 8,
			byStatus: { '200': 8 },
		});
	});

	test('failNext answers the next N API requests with the status before anything is spent', async () => {
		await adminPost(sandbox.url, '/sandbox/knobs', { failNext: { count: 2, status: 503 } });
		const send = signedRequest({
			'product-code': 'GTX-Academic-Plus',
			sequence: nextSequence(),
			...assignedTo(),
		});

		for (let attempt = 0; attempt < 2; attempt++) {
			const failed = await send(sandbox);
			expect(failed.status).toBe(503);
			expect(((await failed.json()) as ParsedJson).error.code).toBe(API_ERROR_CODES.serverError);
		}
		expect(sandbox.state.stats.provisioned).toBe(0);
		// The same bytes (same sequence) succeed once the knob is used up: nothing was spent.
		expect((await send(sandbox)).status).toBe(200);
		expect(sandbox.state.knobs.failNext).toBeNull();
		expect(sandbox.state.requests.map((entry) => entry.outcome)).toEqual([
			'injected-failure',
			'injected-failure',
			'answered',
		]);
	});

	test('failNext with 429 says RATE_LIMITED and sends Retry-After', async () => {
		await adminPost(sandbox.url, '/sandbox/knobs', { failNext: { count: 1, status: 429 } });
		const answer = await fulfillment(sandbox.url, { 'product-code': 'GTX-Academic-Plus' });
		expect(answer.status).toBe(429);
		expect(answer.body.error.code).toBe(API_ERROR_CODES.rateLimited);
		expect(answer.headers.get('retry-after')).toBe('1');
	});

	test('dropNext without provisioning: the client gets no answer and a retry of the same bytes succeeds', async () => {
		await adminPost(sandbox.url, '/sandbox/knobs', {
			dropNext: { count: 1, afterProvisioning: false },
		});
		const send = signedRequest({
			'product-code': 'GTX-Academic-Plus',
			sequence: nextSequence(),
			...assignedTo(),
		});
		const before = availableCount(sandbox, 'Academic-Plus');

		await expect(send(sandbox)).rejects.toThrow();
		expect(availableCount(sandbox, 'Academic-Plus')).toBe(before);
		expect(sandbox.state.stats).toMatchObject({ dropped: 1, provisioned: 0, inFlight: 0 });

		const retry = await send(sandbox);
		expect(retry.status).toBe(200);
		expect(availableCount(sandbox, 'Academic-Plus')).toBe(before - 1);
	});

	test('dropNext after provisioning: sent, then lost; the retry is refused as a replay', async () => {
		await adminPost(sandbox.url, '/sandbox/knobs', {
			dropNext: { count: 1, afterProvisioning: true },
		});
		const send = signedRequest({
			'product-code': 'GTX-Academic-Plus',
			sequence: nextSequence(),
			...assignedTo(),
		});
		const before = availableCount(sandbox, 'Academic-Plus');

		await expect(send(sandbox)).rejects.toThrow();
		expect(availableCount(sandbox, 'Academic-Plus')).toBe(before - 1);
		const lost = sandbox.state.requests[0];
		expect(lost).toMatchObject({ outcome: 'dropped', status: null, signatureVerified: true });
		expect(lost.testId).toMatch(/AP$/);

		const retry = await send(sandbox);
		expect(retry.status).toBe(409);
		expect(availableCount(sandbox, 'Academic-Plus')).toBe(before - 1);
	});

	test('knob updates are validated and a bad one changes nothing', async () => {
		const bad = await adminPost(sandbox.url, '/sandbox/knobs', {
			latencyMs: 10,
			failNext: { count: 1, status: 200 },
		});
		expect(bad.status).toBe(400);
		expect(sandbox.state.knobs.latencyMs).toBe(0);
		expect((await adminPost(sandbox.url, '/sandbox/knobs', { slowness: 1 })).status).toBe(400);
		const good = await adminPost(sandbox.url, '/sandbox/knobs', {
			duplicateDeliveries: true,
			failNext: { count: 0, status: 500 },
		});
		expect(good.body).toEqual({
			latencyMs: 0,
			latencySpikes: null,
			failNext: null,
			dropNext: null,
			hangNext: null,
			duplicateDeliveries: true,
			resultVariant: null,
			scoreReportFormat: 'html',
		});
	});

	test('resultVariant takes a variant name, "cycle" or null, and nothing else', async () => {
		expect(
			(await adminPost(sandbox.url, '/sandbox/knobs', { resultVariant: 'decimalComma' })).body
				.resultVariant,
		).toBe('decimalComma');
		expect(
			(await adminPost(sandbox.url, '/sandbox/knobs', { resultVariant: 'cycle' })).body
				.resultVariant,
		).toBe('cycle');
		const bad = await adminPost(sandbox.url, '/sandbox/knobs', { resultVariant: 'DecimalComma' });
		expect(bad.status).toBe(400);
		expect(bad.body.error.message).toMatch(/numbersAsText/);
		expect(sandbox.state.knobs.resultVariant).toBe('cycle');
		expect(
			(await adminPost(sandbox.url, '/sandbox/knobs', { resultVariant: null })).body.resultVariant,
		).toBeNull();
	});
});

describe('sandbox admin endpoints', () => {
	let sandbox: RunningSandbox;
	beforeEach(async () => {
		sandbox = await startSandbox({
			port: 0,
			testTypes: ['Academic-Plus', 'Business-Core'],
			inventorySize: 3,
		});
	});
	afterEach(async () => {
		await sandbox.close();
	});

	test('health lists the endpoints', async () => {
		const health = await adminGet(sandbox.url, '/sandbox/health');
		expect(health.status).toBe(200);
		expect(health.body.ok).toBe(true);
		expect(health.body.endpoints.join('\n')).toContain('/sandbox/knobs');
	});

	test('the AVAILABLE TESTS export lists every Ready test ID, assigned ones with their Assigned To JSON', async () => {
		const csv = await adminGet(sandbox.url, '/sandbox/available-tests.csv');
		expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
		const lines = (csv.body as string).trim().split('\r\n');
		expect(lines[0]).toBe('Test ID,Test Type,Status,Assigned To,OID');
		// 3 available per type, plus the seeded Ready test ID assigned to "Assigned Earlier" (CSV-quoted JSON).
		const available = lines.filter((line) =>
			/^\d{8}(AP|BC),(Academic-Plus|Business-Core),Ready,,\d+$/.test(line),
		);
		const assigned = lines.filter((line) =>
			/^\d{8}(AP|BC),(Academic-Plus|Business-Core),Ready,"\{""student-name"":""Assigned Earlier"",.*\}",\d+$/.test(
				line,
			),
		);
		expect([available.length, assigned.length, lines.length]).toEqual([6, 2, 1 + 8]);
		const onlyAvailable = (
			await adminGet(sandbox.url, '/sandbox/available-tests.csv?assigned=exclude')
		).body as string;
		expect(onlyAvailable.trim().split('\r\n').slice(1)).toEqual(available);
		expect((await adminGet(sandbox.url, '/sandbox/available-tests.csv?assigned=no')).status).toBe(
			400,
		);

		const answer = await fulfillment(sandbox.url, {
			'product-code': 'GTX-Academic-Plus',
			...assignedTo(),
		});
		const json = (
			await adminGet(sandbox.url, '/sandbox/available-tests.json?testType=Academic-Plus')
		).body as Array<Record<string, string>>;
		// The spent test ID is still Ready, now assigned: in the export, no longer empty in Assigned To.
		expect(json).toHaveLength(4);
		expect(json.filter((row) => row['Assigned To'] === '')).toHaveLength(2);
		expect(json.find((row) => row['Test ID'] === answer.body['test-id'])).toEqual({
			'Test ID': answer.body['test-id'],
			'Test Type': 'Academic-Plus',
			Status: 'Ready',
			'Assigned To': '{"student-name":"Mary Poppins"}',
			OID: expect.stringMatching(/^\d+$/),
		});
		await sandbox.transition(answer.body['test-id'], 'started').settled;
		const csvAfter = (await adminGet(sandbox.url, '/sandbox/available-tests.csv')).body as string;
		expect(csvAfter).not.toContain(answer.body['test-id']);
	});

	test("the AVAILABLE TESTS export as .xlsx reads back with SheetJS (what n8n's Extract From File uses)", async () => {
		const download = await fetch(
			`${sandbox.url}/sandbox/available-tests.xlsx?testType=Business-Core`,
		);
		expect(download.headers.get('content-type')).toBe(
			'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
		);
		expect(download.headers.get('content-disposition')).toContain('available-tests.xlsx');
		const workbook = XLSX.read(Buffer.from(await download.arrayBuffer()), { type: 'buffer' });
		expect(workbook.SheetNames).toEqual(['Available Tests']);
		const rows = XLSX.utils.sheet_to_json<Record<string, unknown>>(
			workbook.Sheets['Available Tests'],
		);
		const expected = sandbox.state.tests
			.filter((test) => test.testType === 'Business-Core' && test.status === 'Ready')
			.map((test) => ({
				'Test ID': test.testId,
				'Test Type': 'Business-Core',
				Status: 'Ready',
				// SheetJS leaves an empty cell out of the row object.
				...(isAvailable(test) ? {} : { 'Assigned To': JSON.stringify(test.assignedTo) }),
				OID: Number(test.oid),
			}));
		expect(expected).toHaveLength(4);
		expect(rows).toEqual(expected);
	});

	test('inventory shows every test ID with status, assigned-to, type and OID, and can be restocked', async () => {
		const inventory = (await adminGet(sandbox.url, '/sandbox/inventory')).body;
		expect(inventory.summary['Academic-Plus']).toMatchObject({ total: 7, available: 3 });
		expect(inventory.tests[0]).toEqual(
			expect.objectContaining({
				testId: expect.any(String),
				testType: 'Academic-Plus',
				oid: expect.any(String),
				status: 'Ready',
			}),
		);
		const added = await adminPost(sandbox.url, '/sandbox/inventory', {
			testType: 'Business-Core',
			count: 2,
		});
		expect(added.body.added).toHaveLength(2);
		expect(added.body.summary.available).toBe(5);
		expect(
			(await adminPost(sandbox.url, '/sandbox/inventory', { testType: 'Nope', count: 2 })).status,
		).toBe(400);
	});

	test('reset restores the initial inventory and empties logs, outbox, knobs and sequences', async () => {
		const initialIds = sandbox.state.tests.map((test) => test.testId);
		const sequence = nextSequence();
		await fulfillment(sandbox.url, {
			'product-code': 'STX-Academic-Plus',
			email: 'a@example.com',
			sequence,
		});
		await adminPost(sandbox.url, '/sandbox/results', { hello: 'world' });
		await adminPost(sandbox.url, '/sandbox/knobs', {
			latencyMs: 5,
			failNext: { count: 3, status: 500 },
			resultVariant: 'cycle',
		});
		expect(sandbox.state.outbox).toHaveLength(1);

		const reset = await adminPost(sandbox.url, '/sandbox/reset');
		expect(reset.status).toBe(200);
		expect(sandbox.state.tests.map((test) => test.testId)).toEqual(initialIds);
		expect(sandbox.state.tests.filter(isAvailable)).toHaveLength(6);
		expect((await adminGet(sandbox.url, '/sandbox/outbox')).body).toEqual([]);
		expect((await adminGet(sandbox.url, '/sandbox/requests')).body).toEqual([]);
		expect((await adminGet(sandbox.url, '/sandbox/results')).body).toEqual([]);
		expect((await adminGet(sandbox.url, '/sandbox/knobs')).body).toEqual({
			latencyMs: 0,
			latencySpikes: null,
			failNext: null,
			dropNext: null,
			hangNext: null,
			duplicateDeliveries: false,
			resultVariant: null,
			scoreReportFormat: 'html',
		});
		expect((await adminGet(sandbox.url, '/sandbox/stats')).body).toMatchObject({
			requests: 0,
			provisioned: 0,
			maxInFlight: 0,
		});
		// The sequence is usable again.
		expect(
			(
				await fulfillment(sandbox.url, {
					'product-code': 'STX-Academic-Plus',
					email: 'a@example.com',
					sequence,
				})
			).status,
		).toBe(200);
	});

	test('the results sink stores what it is sent', async () => {
		expect(
			(await adminPost(sandbox.url, '/sandbox/results', { testId: 'X', level: 4.2 })).status,
		).toBe(201);
		const stored = (await adminGet(sandbox.url, '/sandbox/results')).body;
		expect(stored).toEqual([
			expect.objectContaining({
				id: 1,
				body: { testId: 'X', level: 4.2 },
				contentType: 'application/json',
			}),
		]);
		const notJson = await fetch(`${sandbox.url}/sandbox/results`, { method: 'POST', body: 'nope' });
		expect(notJson.status).toBe(400);
	});

	test('wrong methods and unknown admin paths get clear errors', async () => {
		expect((await fetch(`${sandbox.url}/sandbox/reset`)).status).toBe(405);
		const missing = await adminGet(sandbox.url, '/sandbox/nothing-here');
		expect(missing.status).toBe(404);
		expect(missing.body.error.message).toMatch(/health/);
	});
});
