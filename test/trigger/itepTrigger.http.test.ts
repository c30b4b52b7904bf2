/**
 * The iTEP Trigger's webhook() behind a real HTTP server (see test/helpers/webhookHarness.ts), driven by real
 * requests sent with fetch.
 */
import { ItepWebhookBasicAuthApi } from '../../credentials/ItepWebhookBasicAuthApi.credentials';
import { ItepWebhookHeaderAuthApi } from '../../credentials/ItepWebhookHeaderAuthApi.credentials';
import { ItepWebhookSignatureApi } from '../../credentials/ItepWebhookSignatureApi.credentials';
import { CREDENTIAL_OF_MODE } from '../../nodes/ItepTrigger/auth';
import { resetDeliveryMemory } from '../../nodes/ItepTrigger/dedupe';
import { ItepTrigger } from '../../nodes/ItepTrigger/ItepTrigger.node';
import {
	buildResultData,
	encodeResultForm,
	RESULT_FORM_CONTENT_TYPE,
	type ResultData,
} from '../../nodes/shared/resultPayload';
import { signWebhookRequest, type WebhookAuthSettings } from '../../nodes/shared/webhookAuth';
import { multipartBody, startWebhookHarness, type Harness, type HarnessOptions } from '../helpers/webhookHarness';

const HEADER_SECRET = 'hdr-SECRET-7f3a9c';
const BASIC_PASSWORD = 'basic-SECRET-51d2e';
const HMAC_SECRET = 'hmac-SECRET-0b8e44';
const NEXT_HMAC_SECRET = 'hmac-NEXT-SECRET-c1d9';
const SECRETS = [HEADER_SECRET, BASIC_PASSWORD, HMAC_SECRET, NEXT_HMAC_SECRET];

const CREDENTIALS = {
	itepWebhookHeaderAuthApi: { headerName: 'X-Itep-Token', headerSecret: HEADER_SECRET },
	itepWebhookBasicAuthApi: { user: 'itep', password: BASIC_PASSWORD },
	itepWebhookSignatureApi: {
		secret: HMAC_SECRET,
		secondSecret: NEXT_HMAC_SECRET,
		signatureHeader: 'X-Itep-Webhook-Signature',
		encoding: 'hex',
		signedTimestamp: true,
		timestampHeader: 'X-Itep-Webhook-Timestamp',
		toleranceSeconds: 300,
	},
};

/** What the sender (iTEP, the sandbox) is configured with for each mode. */
const SENDER: Record<'header' | 'basic' | 'hmac' | 'hmacNext', WebhookAuthSettings> = {
	header: { mode: 'header', headerName: 'X-Itep-Token', value: HEADER_SECRET },
	basic: { mode: 'basic', user: 'itep', password: BASIC_PASSWORD },
	hmac: {
		mode: 'hmac',
		headerName: 'X-Itep-Webhook-Signature',
		secrets: [HMAC_SECRET],
		encoding: 'hex',
		timestampHeader: 'X-Itep-Webhook-Timestamp',
	},
	hmacNext: {
		mode: 'hmac',
		headerName: 'X-Itep-Webhook-Signature',
		secrets: [NEXT_HMAC_SECRET],
		encoding: 'hex',
		timestampHeader: 'X-Itep-Webhook-Timestamp',
	},
};

const nowSeconds = () => Math.floor(Date.now() / 1000);

let harness: Harness | undefined;
const start = async (options: Partial<HarnessOptions> = {}) => {
	harness = await startWebhookHarness({ nodeType: new ItepTrigger(), credentials: CREDENTIALS, ...options });
	return harness;
};

beforeEach(() => resetDeliveryMemory());
afterEach(async () => {
	await harness?.close();
	harness = undefined;
});

interface Reply {
	status: number;
	body: any;
	text: string;
	headers: Headers;
}

async function send(
	url: string,
	init: { method?: string; body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<Reply> {
	const response = await fetch(url, {
		method: init.method ?? 'POST',
		body: init.body,
		headers: init.headers,
	});
	const text = await response.text();
	let body: unknown;
	try {
		body = JSON.parse(text);
	} catch {
		body = undefined;
	}
	return { status: response.status, body, text, headers: response.headers };
}

/** iTEP's documented delivery: one urlencoded form field `data`, signed for `sender` if given. */
function delivery(data: ResultData | Record<string, unknown>, sender?: WebhookAuthSettings, at = nowSeconds()) {
	const body = encodeResultForm(data);
	return {
		body,
		headers: {
			'Content-Type': RESULT_FORM_CONTENT_TYPE,
			...(sender ? signWebhookRequest(body, sender, at) : {}),
		},
	};
}

const STARTED = { received: true, started: true };

function expectNothingStarted(h: Harness) {
	expect(h.executions).toHaveLength(0);
	for (const result of h.results) expect(result.workflowData).toBeUndefined();
}

describe('authentication none', () => {
	test('a documented delivery starts one execution with the normalised item', async () => {
		const h = await start();
		const data = buildResultData({ Grammar_cefr: 'B2', Extra: 'kept' });
		const reply = await send(h.url, delivery(data));
		expect(reply.status).toBe(200);
		expect(reply.body).toEqual(STARTED);
		expect(h.executions).toHaveLength(1);
		const [[items]] = [h.executions[0]];
		expect(items).toHaveLength(1);
		expect(items[0].json).toMatchObject({
			testId: '50613490BP',
			oid: 'oid-0001',
			status: 'completed',
			event: 'completed',
			testDate: '2024-08-15',
			overallLevel: 4.2,
			overallCefr: 'B2',
			durationMinutes: 74,
			sections: { grammar: { level: 4.5, score: 78, cefr: 'B2' } },
			original: data,
		});
	});

	test('the same JSON as application/json, in both shapes, and as multipart', async () => {
		const h = await start();
		const json = JSON.stringify(buildResultData({ TestID: 'J-1' }));
		const asJsonString = await send(h.url, {
			body: JSON.stringify({ data: json }),
			headers: { 'Content-Type': 'application/json' },
		});
		const asObject = await send(h.url, {
			body: JSON.stringify(buildResultData({ TestID: 'J-2' })),
			headers: { 'Content-Type': 'application/json; charset=utf-8' },
		});
		const multipart = multipartBody({ data: JSON.stringify(buildResultData({ TestID: 'M-1' })) });
		const asMultipart = await send(h.url, {
			body: multipart.body,
			headers: { 'Content-Type': multipart.contentType },
		});
		expect([asJsonString.status, asObject.status, asMultipart.status]).toEqual([200, 200, 200]);
		expect(h.executions.map((execution) => execution[0][0].json.testId)).toEqual(['J-1', 'J-2', 'M-1']);
	});
});

describe('rejections start nothing', () => {
	test.each(['GET', 'PUT', 'PATCH', 'DELETE'])('%s -> 405 with Allow: POST', async (method) => {
		const h = await start();
		const reply = await send(h.url, { method, ...(method !== 'GET' && delivery(buildResultData())) });
		expect(reply.status).toBe(405);
		expect(reply.headers.get('allow')).toBe('POST');
		expect(reply.body).toEqual({ error: 'only POST is accepted' });
		expect(h.results).toEqual([{ noWebhookResponse: true }]);
		expectNothingStarted(h);
	});

	test('HEAD -> 405 without a body', async () => {
		const h = await start();
		const reply = await send(h.url, { method: 'HEAD' });
		expect(reply.status).toBe(405);
		expect(reply.text).toBe('');
		expectNothingStarted(h);
	});

	test.each([
		['missing TestID', { ...buildResultData(), TestID: undefined }, 'TestID is missing'],
		['Status not a string', buildResultData({ Status: 7 as never }), 'Status is not a string'],
		['level out of range', buildResultData({ Overall_Level: 9 }), 'Overall_Level is not a level from 0.0 to 6.0'],
	])('%s -> 400 with the reason', async (_name, data, reason) => {
		const h = await start();
		const reply = await send(h.url, delivery(data as ResultData));
		expect(reply.status).toBe(400);
		expect(reply.body).toEqual({ error: reason });
		expect(h.results).toEqual([{ noWebhookResponse: true }]);
		expectNothingStarted(h);
	});

	test.each([
		['empty body', '', RESULT_FORM_CONTENT_TYPE, 'empty body'],
		['`data` not JSON', 'data=%7Bnot+json', RESULT_FORM_CONTENT_TYPE, '`data` is not JSON'],
		['no `data` field', 'result=1', RESULT_FORM_CONTENT_TYPE, 'no `data` field in the body'],
		['text that is neither', 'hello', 'text/plain', 'body is neither a `data` form field nor JSON'],
	])('%s -> 400', async (_name, body, contentType, reason) => {
		const h = await start();
		const reply = await send(h.url, { body, headers: { 'Content-Type': contentType } });
		expect(reply.status).toBe(400);
		expect(reply.body).toEqual({ error: reason });
		expectNothingStarted(h);
	});

	test('malformed JSON envelope is refused by n8n itself (422) before the node runs', async () => {
		const h = await start();
		const reply = await send(h.url, { body: '{"data":', headers: { 'Content-Type': 'application/json' } });
		expect(reply.status).toBe(422);
		expect(h.results).toHaveLength(0);
		expectNothingStarted(h);
	});

	test('a 1 MB body -> 400 promptly', async () => {
		const h = await start();
		const started = performance.now();
		const reply = await send(h.url, delivery(buildResultData({ Padding: 'p'.repeat(1024 * 1024) })));
		expect(reply.status).toBe(400);
		expect(reply.body.error).toMatch(/larger than/);
		expect(performance.now() - started).toBeLessThan(2000);
		expectNothingStarted(h);
	});
});

describe('authentication modes over HTTP', () => {
	const data = () => buildResultData();

	test('header: right value 200, wrong value 401, missing 401', async () => {
		const h = await start({ parameters: { authentication: 'header' } });
		expect((await send(h.url, delivery(data(), SENDER.header))).status).toBe(200);
		resetDeliveryMemory();
		const wrong = { ...SENDER.header, value: `${HEADER_SECRET}-x` };
		const refused = await send(h.url, delivery(data(), wrong));
		expect(refused.status).toBe(401);
		expect(refused.body).toEqual({ error: 'unauthorized' });
		expect((await send(h.url, delivery(data()))).status).toBe(401);
		expect(h.executions).toHaveLength(1);
		expect(h.results.slice(1)).toEqual([{ noWebhookResponse: true }, { noWebhookResponse: true }]);
	});

	test('basic: right credentials 200, wrong password 401, missing 401', async () => {
		const h = await start({ parameters: { authentication: 'basic' } });
		expect((await send(h.url, delivery(data(), SENDER.basic))).status).toBe(200);
		resetDeliveryMemory();
		const wrong = { ...SENDER.basic, password: 'guess' };
		expect((await send(h.url, delivery(data(), wrong))).status).toBe(401);
		expect((await send(h.url, delivery(data()))).status).toBe(401);
		expect(h.executions).toHaveLength(1);
	});

	test('hmac: signed 200; either secret during rotation 200; unsigned, wrong key, tampered body 401', async () => {
		const h = await start({ parameters: { authentication: 'hmac' } });
		expect((await send(h.url, delivery(data(), SENDER.hmac))).status).toBe(200);
		expect((await send(h.url, delivery(buildResultData({ TestID: 'NEXT' }), SENDER.hmacNext))).status).toBe(200);

		const wrongKey = { ...SENDER.hmac, secrets: ['not-the-secret'] } as WebhookAuthSettings;
		expect((await send(h.url, delivery(buildResultData({ TestID: 'W' }), wrongKey))).status).toBe(401);
		expect((await send(h.url, delivery(buildResultData({ TestID: 'U' })))).status).toBe(401);
		const signed = delivery(buildResultData({ TestID: 'T', Overall_Level: 2 }), SENDER.hmac);
		const tampered = { ...signed, body: signed.body.replace('%3A2%2C', '%3A6%2C') };
		expect(tampered.body).not.toBe(signed.body);
		expect((await send(h.url, tampered)).status).toBe(401);
		expect(h.executions.map((execution) => execution[0][0].json.testId)).toEqual(['50613490BP', 'NEXT']);
	});

	test('hmac: stale and future timestamps 401', async () => {
		const h = await start({ parameters: { authentication: 'hmac' } });
		const stale = await send(h.url, delivery(data(), SENDER.hmac, nowSeconds() - 301));
		const future = await send(h.url, delivery(data(), SENDER.hmac, nowSeconds() + 301));
		expect([stale.status, future.status]).toEqual([401, 401]);
		expectNothingStarted(h);
		expect(h.logs.map((entry) => entry.message)).toEqual([
			expect.stringMatching(/\(401\): header X-Itep-Webhook-Timestamp is older than 300 seconds/),
			expect.stringMatching(/\(401\): header X-Itep-Webhook-Timestamp is more than 300 seconds in the future/),
		]);
	});

	test('hmac: a multipart body cannot be verified (n8n keeps no raw bytes for it) -> 401', async () => {
		const h = await start({ parameters: { authentication: 'hmac' } });
		const multipart = multipartBody({ data: JSON.stringify(data()) });
		const headers = signWebhookRequest(multipart.body, SENDER.hmac, nowSeconds());
		const reply = await send(h.url, { body: multipart.body, headers: { ...headers, 'Content-Type': multipart.contentType } });
		expect(reply.status).toBe(401);
		expectNothingStarted(h);
	});

	test('authentication chosen but its credential missing -> 500, nothing started, error logged', async () => {
		const h = await start({ parameters: { authentication: 'basic' }, credentials: {} });
		const reply = await send(h.url, delivery(data(), SENDER.basic));
		expect(reply.status).toBe(500);
		expect(reply.body).toEqual({ error: 'trigger is misconfigured' });
		expectNothingStarted(h);
		expect(h.logs.some((entry) => entry.level === 'error' && /cannot read its credential/.test(entry.message))).toBe(
			true,
		);
	});

	test('no secret appears in any response or log line, whatever the outcome', async () => {
		const h = await start({ parameters: { authentication: 'hmac' } });
		const texts: string[] = [];
		const attempts = [
			delivery(data(), SENDER.hmac),
			delivery(data(), { ...SENDER.hmac, secrets: [HEADER_SECRET] } as WebhookAuthSettings),
			delivery(data(), SENDER.hmac, nowSeconds() - 1000),
			delivery({ Status: 'x' }, SENDER.hmac),
		];
		for (const attempt of attempts) texts.push((await send(h.url, attempt)).text);
		texts.push(...h.logs.map((entry) => `${entry.message} ${JSON.stringify(entry.meta)}`));
		expect(texts.length).toBeGreaterThanOrEqual(attempts.length + 3);
		for (const text of texts) for (const secret of SECRETS) expect(text).not.toContain(secret);
	});
});

describe('event filter', () => {
	test('default: only completed starts; other events get 200 and start nothing', async () => {
		const h = await start();
		const finished = await send(h.url, delivery(buildResultData({ Status: 'Finished' })));
		const reset = await send(h.url, delivery(buildResultData({ Status: 'Ready' })));
		expect([finished.status, reset.status]).toEqual([200, 200]);
		expect(finished.body).toEqual({ received: true, started: false, reason: 'event "finished" is not selected' });
		expectNothingStarted(h);
		expect((await send(h.url, delivery(buildResultData({ Status: 'Complete' })))).body).toEqual(STARTED);
		expect(h.executions).toHaveLength(1);
	});

	test('selected events start the workflow in both vocabularies', async () => {
		const h = await start({ parameters: { events: ['reset', 'technicalIssue', 'invalidated'] } });
		for (const [testId, status] of [
			['A', 'Incomplete'],
			['B', 'Problem'],
			['C', 'Technical Difficulty'],
			['D', 'Invalidated'],
			['E', 'Completed'],
		]) {
			await send(h.url, delivery(buildResultData({ TestID: testId, Status: status })));
		}
		expect(h.executions.map((execution) => execution[0][0].json.event)).toEqual([
			'reset',
			'technicalIssue',
			'technicalIssue',
			'invalidated',
		]);
	});
});

describe('duplicate suppression', () => {
	async function fire(h: Harness, count: number, make: () => { body: string; headers: Record<string, string> }) {
		return await Promise.all(Array.from({ length: count }, async () => await send(h.url, make())));
	}

	test('50 concurrent identical deliveries start exactly one execution', async () => {
		const h = await start();
		const replies = await fire(h, 50, () => delivery(buildResultData()));
		expect(replies.every((reply) => reply.status === 200)).toBe(true);
		expect(h.executions).toHaveLength(1);
		expect(replies.filter((reply) => reply.body.started === true)).toHaveLength(1);
		expect(replies.filter((reply) => reply.body.reason === 'repeat of a delivery already received')).toHaveLength(49);
	});

	test('the same holds when verification awaits a credential first (HMAC)', async () => {
		const h = await start({ parameters: { authentication: 'hmac' } });
		const replies = await fire(h, 50, () => delivery(buildResultData(), SENDER.hmac));
		expect(replies.every((reply) => reply.status === 200)).toBe(true);
		expect(h.executions).toHaveLength(1);
	});

	test('a new status for the same test, or another test, is not a repeat', async () => {
		const h = await start({ parameters: { events: ['finished', 'completed'] } });
		await send(h.url, delivery(buildResultData({ Status: 'Finished' })));
		await send(h.url, delivery(buildResultData({ Status: 'Completed' })));
		await send(h.url, delivery(buildResultData({ Status: 'Complete' }))); // same normalised status
		await send(h.url, delivery(buildResultData({ TestID: 'OTHER' })));
		expect(h.executions.map((execution) => `${execution[0][0].json.testId}/${execution[0][0].json.status}`)).toEqual([
			'50613490BP/finished',
			'50613490BP/completed',
			'OTHER/completed',
		]);
	});

	test('unauthenticated copies cannot use up a delivery: rejected requests are not recorded', async () => {
		const h = await start({ parameters: { authentication: 'header' } });
		const forged = await fire(h, 5, () => delivery(buildResultData()));
		expect(forged.every((reply) => reply.status === 401)).toBe(true);
		expect((await send(h.url, delivery(buildResultData(), SENDER.header))).body).toEqual(STARTED);
		expect(h.executions).toHaveLength(1);
	});

	test('turned off: every copy starts an execution', async () => {
		const h = await start({ parameters: { suppressDuplicates: false } });
		await fire(h, 10, () => delivery(buildResultData()));
		expect(h.executions).toHaveLength(10);
	});

	test('separate per workflow: the same delivery to two workflows starts both', async () => {
		const first = await start({ workflowId: 'wf-a' });
		const second = await startWebhookHarness({ nodeType: new ItepTrigger(), workflowId: 'wf-b' });
		try {
			await send(first.url, delivery(buildResultData()));
			await send(second.url, delivery(buildResultData()));
			expect([first.executions.length, second.executions.length]).toEqual([1, 1]);
		} finally {
			await second.close();
		}
	});
});

describe('lifecycle and description', () => {
	test('create remembers the production URL in static data; checkExists and delete follow it', async () => {
		const h = await start();
		expect(await h.runLifecycle('checkExists')).toBe(false);
		expect(await h.runLifecycle('create')).toBe(true);
		// n8n keeps node static data under "node:<node name>".
		expect(h.staticData['node:iTEP Trigger']).toMatchObject({
			registeredUrl: 'http://n8n.example.test/webhook/itep-results',
			registeredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
		});
		expect(await h.runLifecycle('checkExists')).toBe(true);
		expect(await h.runLifecycle('delete')).toBe(true);
		expect(await h.runLifecycle('checkExists')).toBe(false);
		expect(h.staticData['node:iTEP Trigger']).toEqual({});
		expect(h.logs.some((entry) => entry.message.includes('http://n8n.example.test/webhook/itep-results'))).toBe(true);
	});

	test('one credential per authentication choice, each tested by the node, names in one agreement', () => {
		const { description, methods } = new ItepTrigger();
		const declared = (description.credentials ?? []).map((credential) => ({
			name: credential.name,
			modes: credential.displayOptions?.show?.authentication,
			testedBy: credential.testedBy,
		}));
		expect(declared).toEqual(
			Object.entries(CREDENTIAL_OF_MODE).map(([mode, name]) => ({
				name,
				modes: [mode],
				testedBy: 'itepWebhookCredentialTest',
			})),
		);
		const classes = [new ItepWebhookHeaderAuthApi(), new ItepWebhookBasicAuthApi(), new ItepWebhookSignatureApi()];
		expect(classes.map((credential) => credential.name).sort()).toEqual(Object.values(CREDENTIAL_OF_MODE).sort());
		expect(typeof methods.credentialTest.itepWebhookCredentialTest).toBe('function');
	});

	test('trigger conventions: POST among the registered methods, onReceived, no inputs, no tool use', () => {
		const { description } = new ItepTrigger();
		const [webhook] = description.webhooks ?? [];
		expect(String(webhook.httpMethod).split(',')).toEqual(expect.arrayContaining(['POST', 'GET', 'HEAD']));
		expect(webhook).toMatchObject({ name: 'default', responseMode: 'onReceived', isFullPath: true });
		expect(description).toMatchObject({ name: 'itepTrigger', displayName: 'iTEP Trigger', group: ['trigger'], version: 1, inputs: [] });
		expect(description).not.toHaveProperty('usableAsTool');
	});

	test('credential test: well-formed passes, broken fails with the field named and no secret', async () => {
		const { methods } = new ItepTrigger();
		const test = methods.credentialTest.itepWebhookCredentialTest;
		const run = async (type: string, data: Record<string, unknown>) =>
			await test.call({} as never, { id: '1', name: 'c', type, data } as never);
		expect(await run('itepWebhookSignatureApi', CREDENTIALS.itepWebhookSignatureApi)).toMatchObject({ status: 'OK' });
		expect(await run('itepWebhookHeaderAuthApi', CREDENTIALS.itepWebhookHeaderAuthApi)).toMatchObject({ status: 'OK' });
		expect(await run('itepWebhookBasicAuthApi', CREDENTIALS.itepWebhookBasicAuthApi)).toMatchObject({ status: 'OK' });
		const broken = await run('itepWebhookSignatureApi', {
			...CREDENTIALS.itepWebhookSignatureApi,
			secret: ` ${HMAC_SECRET}`,
			signatureHeader: 'X Signature',
		});
		expect(broken).toEqual({
			status: 'Error',
			message: 'Signature Header Name is not a valid HTTP header name; Secret starts or ends with whitespace',
		});
		expect(broken.message).not.toContain(HMAC_SECRET);
		expect(await run('itepWebhookHeaderAuthApi', { headerName: 'X-Itep-Token', headerSecret: '' })).toEqual({
			status: 'Error',
			message: 'Header Value is empty',
		});
	});
});
