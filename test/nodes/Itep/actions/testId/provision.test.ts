/* eslint-disable @n8n/community-nodes/no-restricted-imports -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * Defects an independent review found in the iTEP node, each through real HTTP inside n8n-core's
 * ExecuteContext: a 2xx answer without a test ID, an expression error under Continue On Fail, the real
 * response in the error details, and sender-chosen keys in Assigned To / Registration.
 */
import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';

import { NodeApiError } from 'n8n-workflow';

import { runItep, runItepExpectingError, type NodeErrorLike } from '../../../../helpers/itepNode';

interface Answer {
	status: number;
	contentType: string;
	body: string;
}

/** A stand-in API that answers each request with the next scripted answer and counts what it got. */
async function scriptedApi(
	answers: Answer[],
): Promise<{ url: string; received: string[]; close(): Promise<void> }> {
	const received: string[] = [];
	const server: Server = createServer((request, response) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => {
			received.push(Buffer.concat(chunks).toString('utf8'));
			const answer = answers[Math.min(received.length - 1, answers.length - 1)];
			response.writeHead(answer.status, { 'Content-Type': answer.contentType });
			response.end(answer.body);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		received,
		close: () => new Promise((resolve) => server.close(() => resolve())),
	};
}

/** Runs `check` against a scripted API, closing it afterwards whatever happens. */
async function withScriptedApi(
	answers: Answer[],
	check: (api: Awaited<ReturnType<typeof scriptedApi>>) => Promise<void>,
): Promise<void> {
	const api = await scriptedApi(answers);
	try {
		await check(api);
	} finally {
		await api.close();
	}
}

const json = (status: number, body: unknown): Answer => ({
	status,
	contentType: 'application/json',
	body: JSON.stringify(body),
});
const text = (status: number, body: string): Answer => ({
	status,
	contentType: 'text/plain',
	body,
});

describe('a 2xx answer without a test ID is "outcome unknown", never success', () => {
	test.each([
		[
			'an error object',
			json(200, { status: 'error', message: 'No test available' }),
			'No test available',
		],
		['plain OK', text(200, 'OK'), 'OK'],
		['a nested test ID', json(200, { data: { test_id: '50613490BP' } }), '50613490BP'],
		['an empty answer', text(204, ''), 'The answer was empty'],
	])('%s', async (_name, answer, shown) => {
		await withScriptedApi([answer], async (api) => {
			const error = await runItepExpectingError({ target: api.url });
			expect(error).toBeInstanceOf(NodeApiError);
			expect(error.message).toBe(
				`iTEP answered HTTP ${answer.status} without a test ID; the outcome is unknown`,
			);
			expect(error.description).toContain(shown);
			expect(error.description).toMatch(
				/look for a test ID whose Assigned To holds this candidate/,
			);
			expect(api.received).toHaveLength(1); // never re-sent
		});
	});

	test('with Continue On Fail the item says "unknown" and carries the raw answer', async () => {
		await withScriptedApi(
			[json(200, { status: 'error', message: 'No test available' })],
			async (api) => {
				const [item] = await runItep({ target: api.url, continueOnFail: true });
				expect(item.json).toMatchObject({
					outcome: 'unknown',
					httpCode: 200,
					response: { status: 'error', message: 'No test available' },
				});
				expect(item.json.testId).toBeUndefined();
			},
		);
	});

	test('a later failure names the earlier item whose outcome is unknown, and the test IDs already provisioned', async () => {
		await withScriptedApi(
			[
				json(200, { 'test-id': '11111111AP' }),
				text(200, 'OK'),
				json(200, { 'test-id': '33333333AP' }),
				json(401, { error: { code: 'INVALID_SIGNATURE', message: 'bad key' } }),
			],
			async (api) => {
				const error = await runItepExpectingError({
					target: api.url,
					items: [{}, {}, {}, {}],
					continueOnFail: false,
				});
				// Item 1 fails first (unknown); the run stops there, so items 2 and 3 are never sent.
				expect(error.message).toBe(
					'iTEP answered HTTP 200 without a test ID; the outcome is unknown',
				);
				expect(error.description).toContain('provisioned before it stopped: 11111111AP');
				expect(api.received).toHaveLength(2);
			},
		);
	});

	test('with Max Concurrent Requests, an unknown item in flight is named in the error of the run', async () => {
		await withScriptedApi(
			[text(200, 'OK'), json(500, { error: { message: 'boom' } })],
			async (api) => {
				const error = await runItepExpectingError({
					target: api.url,
					items: [{}, {}],
					parameters: { options: { maxConcurrency: 2 } },
				});
				const sequences = api.received.map(
					(body) => (JSON.parse(body) as { sequence: number }).sequence,
				);
				const all = `${error.message} ${error.description}`;
				// Both items are unknown: one is the error, the other is listed with its sequence.
				expect(all).toMatch(/outcome of item \d \(sequence \d+\) is unknown as well/);
				for (const sequence of sequences) expect(all).toContain(String(sequence));
			},
		);
	});
});

describe("error details carry iTEP's real answer", () => {
	test('the NodeApiError holds the response status and body as received', async () => {
		const body = { error: { code: 'RATE_LIMITED', message: 'slow down' }, retryAfter: 30 };
		await withScriptedApi([json(429, body)], async (api) => {
			const error = (await runItepExpectingError({ target: api.url })) as NodeErrorLike & {
				errorResponse?: unknown;
			};
			expect(error.message).toBe('iTEP is rate limiting requests');
			expect(error.errorResponse).toEqual({ statusCode: 429, body });
		});
	});
});

/** Throws only for an item without a name (a node that does not exist cannot be referenced). */
const THROWS_WITHOUT_NAME = "={{ $json.name ? $json.name : $('No Such Node').item.json.name }}";

describe('Continue On Fail covers every per-item error, expression errors included', () => {
	test('an expression that throws in one item gives that item an error; the others are sent', async () => {
		await withScriptedApi(
			[json(200, { 'test-id': 'A' }), json(200, { 'test-id': 'B' })],
			async (api) => {
				const output = await runItep({
					target: api.url,
					items: [{ name: 'Ana' }, { name: null }, { name: 'Ben' }],
					parameters: { assignedTo: { candidateName: THROWS_WITHOUT_NAME } },
					continueOnFail: true,
				});
				expect(output).toHaveLength(3);
				expect(output[0].json.testId).toBe('A');
				expect(output[1].json).toMatchObject({ outcome: 'invalid' });
				expect(String(output[1].json.error)).not.toBe('');
				expect(output[1].pairedItem).toEqual({ item: 1 });
				expect(output[2].json.testId).toBe('B');
				expect(api.received).toHaveLength(2);
			},
		);
	});

	test('without Continue On Fail the same error stops the run before anything is sent', async () => {
		await withScriptedApi([json(200, { 'test-id': 'A' })], async (api) => {
			const error = await runItepExpectingError({
				target: api.url,
				items: [{ name: 'Ana' }, { name: null }],
				parameters: { assignedTo: { candidateName: THROWS_WITHOUT_NAME } },
			});
			expect(error.context.itemIndex).toBe(1);
			expect(error.description).toMatch(/Nothing was sent/);
			expect(api.received).toHaveLength(0);
		});
	});
});

describe('sender-chosen keys never become properties of shared objects, nor vanish', () => {
	test('Registration JSON with "__proto__" or "constructor" is refused by name before sending', async () => {
		await withScriptedApi([json(200, { 'test-id': 'A' })], async (api) => {
			for (const key of ['__proto__', 'constructor']) {
				const error = await runItepExpectingError({
					target: api.url,
					parameters: {
						registrationMode: 'json',
						registrationJson: `{"First_Name":"Ana","${key}":{"polluted":true}}`,
					},
				});
				expect(error.message).toBe(
					`Registration field "${key}" is not one iTEP accepts (names are case-sensitive); see the list of valid names in the field picker`,
				);
			}
			expect(api.received).toHaveLength(0);
			expect(({} as Record<string, unknown>).polluted).toBeUndefined();
		});
	});

	test('Assigned To > Extra JSON with "__proto__" is refused, not silently dropped', async () => {
		await withScriptedApi([json(200, { 'test-id': 'A' })], async (api) => {
			const error = await runItepExpectingError({
				target: api.url,
				parameters: { assignedTo: { extraJson: '{"__proto__":{"polluted":true},"note":"x"}' } },
			});
			expect(error.message).toBe('Assigned To must not have a key "__proto__"');
			expect(api.received).toHaveLength(0);
			expect(({} as Record<string, unknown>).polluted).toBeUndefined();
		});
	});

	test('Assigned To > Extra JSON with "constructor" is sent as a plain key', async () => {
		await withScriptedApi([json(200, { 'test-id': 'A' })], async (api) => {
			await runItep({
				target: api.url,
				parameters: {
					options: { sequence: 9 },
					assignedTo: { extraJson: '{"constructor":"x","toString":1}' },
				},
			});
			expect(JSON.parse(api.received[0])['assigned-to']).toEqual({
				constructor: 'x',
				toString: 1,
				sequence: 9,
			});
		});
	});
});
