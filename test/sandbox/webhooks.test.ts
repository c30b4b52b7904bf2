import { createServer, type IncomingHttpHeaders, type Server } from 'http';
import type { AddressInfo } from 'net';

import { parseResultDelivery } from '../../nodes/shared/resultPayload';
import { verifyWebhookRequest, type WebhookAuthSettings } from '../../nodes/shared/webhookAuth';
import { adminGet, adminPost, fulfillment } from '../../sandbox/client';
import type { TrackingCodeConfig } from '../../sandbox/config';
import { startSandbox, type RunningSandbox } from '../../sandbox/server';

interface Received {
	at: number;
	headers: IncomingHttpHeaders;
	raw: Buffer;
}

/** A results receiver that records every request and answers from a script (default 200). */
class Receiver {
	readonly received: Received[] = [];
	/** Statuses for the next requests, in order; 'hang' never answers (to hit the sender's timeout). */
	script: Array<number | 'hang'> = [];
	private server!: Server;
	url = '';

	async start(): Promise<this> {
		this.server = createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (chunk: Buffer) => chunks.push(chunk));
			req.on('end', () => {
				this.received.push({ at: Date.now(), headers: req.headers, raw: Buffer.concat(chunks) });
				const next = this.script.shift() ?? 200;
				if (next === 'hang') return;
				res.writeHead(next, { 'Content-Type': 'text/plain' });
				res.end(next < 300 ? 'thanks' : `receiver says ${next}`);
			});
		});
		await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
		this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/itep-results`;
		return this;
	}

	async stop(): Promise<void> {
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}
}

const nowSeconds = () => Date.now() / 1000;

describe('sandbox results webhook sender', () => {
	let sandbox: RunningSandbox;
	let receiver: Receiver;

	async function provisionTracked(track: string, productCode = 'GTX-Academic-Plus'): Promise<string> {
		const answer = await fulfillment(sandbox.url, { 'product-code': productCode, track, 'assigned-to': { name: 'Mary' } });
		expect(answer.status).toBe(200);
		return answer.body['test-id'];
	}

	function addTrackingCode(trackingCode: TrackingCodeConfig) {
		return adminPost(sandbox.url, '/sandbox/tracking-codes', trackingCode);
	}

	beforeEach(async () => {
		receiver = await new Receiver().start();
		sandbox = await startSandbox({ port: 0, webhook: { timeoutMs: 300, backoffBaseMs: 40, maxAttempts: 4 } });
	});
	afterEach(async () => {
		await sandbox.close();
		await receiver.stop();
	});

	const authModes: Array<[string, WebhookAuthSettings]> = [
		['none', { mode: 'none' }],
		['header', { mode: 'header', headerName: 'X-Receiver-Token', value: 'token-123' }],
		['basic', { mode: 'basic', user: 'itep', password: 'pa:ss word' }],
		['hmac (hex, no timestamp)', { mode: 'hmac', headerName: 'X-Itep-Webhook-Signature', secrets: ['whsec-1'], encoding: 'hex' }],
		[
			'hmac (base64, timestamped, two secrets)',
			{
				mode: 'hmac',
				headerName: 'X-Sig',
				secrets: ['old-secret', 'new-secret'],
				encoding: 'base64',
				timestampHeader: 'X-Sig-Time',
				toleranceSeconds: 60,
			},
		],
	];

	test.each(authModes)('completed results arrive in the documented form, authenticated with %s', async (_label, auth) => {
		await addTrackingCode({ code: 'RC', url: receiver.url, auth });
		const testId = await provisionTracked('RC');

		const completed = await adminPost(sandbox.url, '/sandbox/complete-next?wait=1', { track: 'RC' });
		expect(completed.status).toBe(200);
		expect(completed.body.test).toMatchObject({ testId, status: 'Completed' });

		expect(receiver.received).toHaveLength(1);
		const { headers, raw } = receiver.received[0];
		expect(headers['content-type']).toBe('application/x-www-form-urlencoded');
		// ONE form field named data, holding a JSON string.
		const form = new URLSearchParams(raw.toString('utf8'));
		expect([...form.keys()]).toEqual(['data']);
		const data = JSON.parse(form.get('data') as string);
		const test = sandbox.state.tests.find((candidate) => candidate.testId === testId)!;
		expect(data).toMatchObject({ TestID: testId, OID: test.oid, Status: 'Completed' });
		expect(data.Overall_Level).toBeGreaterThanOrEqual(0);
		expect(data.Overall_Level).toBeLessThanOrEqual(6);
		expect(Math.round(data.Overall_Level * 10)).toBeCloseTo(data.Overall_Level * 10, 6);
		for (const section of ['Grammar', 'Listening', 'Reading', 'Writing', 'Speaking']) {
			expect(data[`${section}_Level`]).toEqual(expect.any(Number));
		}
		expect(data.TestDate).toBe(`${data.TestMonth}/${data.TestDay}/${data.TestYear}`);
		expect(data.score_report_url).toBe(`${sandbox.url}/sandbox/score-report/${testId}`);

		// The pack's own verifier and parser accept exactly what was sent.
		expect(verifyWebhookRequest(headers, raw, auth, nowSeconds())).toEqual({ ok: true });
		const parsed = parseResultDelivery({ contentType: headers['content-type'], rawBody: raw });
		expect(parsed).toMatchObject({ ok: true, result: { testId, status: 'completed', event: 'completed' } });

		if (auth.mode !== 'none') {
			const tampered = Buffer.from(raw.toString('utf8').replace('Completed', 'Invalidated'));
			const wrongSecrets: WebhookAuthSettings =
				auth.mode === 'header'
					? { ...auth, value: 'other' }
					: auth.mode === 'basic'
						? { ...auth, password: 'other' }
						: { ...auth, secrets: ['other'] };
			expect(verifyWebhookRequest(headers, raw, wrongSecrets, nowSeconds()).ok).toBe(false);
			if (auth.mode === 'hmac') expect(verifyWebhookRequest(headers, tampered, auth, nowSeconds()).ok).toBe(false);
		}
	});

	test('the score report page shows the generated levels', async () => {
		await addTrackingCode({ code: 'RC', url: receiver.url, auth: { mode: 'none' } });
		const testId = await provisionTracked('RC', 'GTX-Academic-Core');
		await adminPost(sandbox.url, '/sandbox/complete-next?wait=1', {});
		const data = JSON.parse(new URLSearchParams(receiver.received[0].raw.toString()).get('data') as string);
		// Core tests have three sections in the sandbox.
		expect(Object.keys(data).filter((key) => key.endsWith('_Level') && key !== 'Overall_Level')).toEqual([
			'Grammar_Level',
			'Listening_Level',
			'Reading_Level',
		]);
		const report = await fetch(data.score_report_url);
		expect(report.status).toBe(200);
		const html = await report.text();
		expect(html).toContain(testId);
		expect(html).toContain(`Overall level ${data.Overall_Level.toFixed(1)} (${data.Overall_cefr})`);
		expect(html).toMatch(/not iTEP's/);
	});

	test('retries non-2xx answers with exponential backoff, then records the success', async () => {
		await addTrackingCode({ code: 'RC', url: receiver.url, auth: { mode: 'none' } });
		const testId = await provisionTracked('RC');
		receiver.script = [500, 502];

		const [result] = sandbox.completeNext({ track: 'RC' }).slice(-1);
		const [delivery] = await result.settled;

		expect(delivery.outcome).toBe('delivered');
		expect(delivery.attempts.map((attempt) => attempt.status)).toEqual([500, 502, 200]);
		expect(delivery.attempts[0].responseSnippet).toBe('receiver says 500');
		expect(receiver.received).toHaveLength(3);
		const gaps = [receiver.received[1].at - receiver.received[0].at, receiver.received[2].at - receiver.received[1].at];
		expect(gaps[0]).toBeGreaterThanOrEqual(35);
		expect(gaps[1]).toBeGreaterThanOrEqual(75);
		// Every attempt carries the same bytes.
		expect(new Set(receiver.received.map((request) => request.raw.toString())).size).toBe(1);

		const deliveries = (await adminGet(sandbox.url, `/sandbox/deliveries?testId=${testId}`)).body;
		expect(deliveries).toHaveLength(1);
		expect(deliveries[0].attempts).toHaveLength(3);
	});

	test('gives up after maxAttempts and counts a slow receiver as a timeout', async () => {
		await addTrackingCode({ code: 'RC', url: receiver.url, auth: { mode: 'none' } });
		await provisionTracked('RC');
		receiver.script = ['hang', 503, 503, 503, 200];

		const results = sandbox.completeNext({ track: 'RC' });
		const [delivery] = await results[results.length - 1].settled;

		expect(delivery.outcome).toBe('failed');
		expect(delivery.attempts).toHaveLength(4);
		expect(delivery.attempts[0]).toMatchObject({ status: null, error: 'timeout after 300 ms' });
		expect(delivery.attempts.slice(1).map((attempt) => attempt.status)).toEqual([503, 503, 503]);
		expect(receiver.received).toHaveLength(4);
	});

	test('an unreachable receiver is retried and recorded as failed', async () => {
		await receiver.stop();
		await addTrackingCode({ code: 'RC', url: receiver.url, auth: { mode: 'none' } });
		await provisionTracked('RC');
		const results = sandbox.completeNext();
		const [delivery] = await results[results.length - 1].settled;
		expect(delivery.outcome).toBe('failed');
		expect(delivery.attempts).toHaveLength(4);
		expect(delivery.attempts.every((attempt) => attempt.status === null && /ECONNREFUSED/.test(attempt.error ?? ''))).toBe(true);
		receiver = await new Receiver().start();
	});

	test('duplicateDeliveries sends every delivery twice with the same data', async () => {
		await addTrackingCode({ code: 'RC', url: receiver.url, auth: { mode: 'hmac', headerName: 'X-Sig', secrets: ['s'], encoding: 'hex' } });
		await adminPost(sandbox.url, '/sandbox/knobs', { duplicateDeliveries: true });
		await provisionTracked('RC');

		const completed = await adminPost(sandbox.url, '/sandbox/complete-next?wait=1', {});
		const deliveries = completed.body.steps[completed.body.steps.length - 1].deliveries;
		expect(deliveries.map((delivery: { copy: number; outcome: string }) => [delivery.copy, delivery.outcome])).toEqual([
			[1, 'delivered'],
			[2, 'delivered'],
		]);
		expect(receiver.received).toHaveLength(2);
		expect(receiver.received[0].raw.equals(receiver.received[1].raw)).toBe(true);
	});

	test('Finished is reported only when the tracking code asks for it; Started never is', async () => {
		await addTrackingCode({ code: 'QUIET', url: receiver.url, auth: { mode: 'none' } });
		await addTrackingCode({ code: 'CHATTY', url: receiver.url, auth: { mode: 'none' }, notifyOnFinished: true });
		const quiet = await provisionTracked('QUIET');
		const chatty = await provisionTracked('CHATTY');

		for (const testId of [quiet, chatty]) {
			for (const to of ['started', 'finished']) {
				const answer = await adminPost(sandbox.url, `/sandbox/tests/${testId}/transition?wait=1`, { to });
				expect(answer.status).toBe(200);
			}
		}
		expect(receiver.received).toHaveLength(1);
		const data = JSON.parse(new URLSearchParams(receiver.received[0].raw.toString()).get('data') as string);
		expect(data).toMatchObject({ TestID: chatty, Status: 'Finished', Overall_Level: '' });
		expect(parseResultDelivery({ contentType: 'application/x-www-form-urlencoded', rawBody: receiver.received[0].raw })).toMatchObject({
			ok: true,
			result: { event: 'finished', overallLevel: null },
		});
	});

	test.each([
		['reset', ['started'], 'Ready', 'reset'],
		['invalidated', ['started', 'finished'], 'Invalidated', 'invalidated'],
		['technical-difficulty', ['started'], 'Technical Difficulty', 'technicalIssue'],
	])('%s is reported with the new status', async (to, before, status, event) => {
		await addTrackingCode({ code: 'RC', url: receiver.url, auth: { mode: 'none' } });
		const testId = await provisionTracked('RC');
		for (const step of before) sandbox.transition(testId, step);
		const result = sandbox.transition(testId, to);
		await result.settled;
		expect(receiver.received).toHaveLength(1);
		const parsed = parseResultDelivery({ contentType: 'application/x-www-form-urlencoded', rawBody: receiver.received[0].raw });
		expect(parsed).toMatchObject({ ok: true, result: { testId, event, original: { Status: status } } });
	});

	test('transitions follow the documented states and refuse impossible moves', async () => {
		const testId = await provisionTracked('NOWHERE');
		const early = await adminPost(sandbox.url, `/sandbox/tests/${testId}/transition`, { to: 'completed' });
		expect(early.status).toBe(409);
		expect(early.body.error.code).toBe('INVALID_TRANSITION');
		expect((await adminPost(sandbox.url, `/sandbox/tests/${testId}/transition`, { to: 'graded' })).status).toBe(400);
		expect((await adminPost(sandbox.url, '/sandbox/tests/00000000XX/transition', { to: 'started' })).status).toBe(404);

		// A tracking code without a configured receiver: recorded as skipped, not lost silently.
		sandbox.transition(testId, 'started');
		sandbox.transition(testId, 'finished');
		const completed = sandbox.transition(testId, 'completed');
		const [delivery] = await completed.settled;
		expect(delivery).toMatchObject({ outcome: 'skipped', trackingCode: 'NOWHERE' });
	});

	test('without ?wait the transition answers before the delivery has finished', async () => {
		await addTrackingCode({ code: 'RC', url: receiver.url, auth: { mode: 'none' } });
		await provisionTracked('RC');
		receiver.script = [500];
		const answer = await adminPost(sandbox.url, '/sandbox/complete-next', {});
		const deliveries = answer.body.steps[answer.body.steps.length - 1].deliveries;
		expect(deliveries[0].outcome).toBe('pending');
		await sandbox.deliveriesSettled();
		expect(sandbox.state.deliveries[0].outcome).toBe('delivered');
	});

	test('complete-next says so when nothing is waiting', async () => {
		const answer = await adminPost(sandbox.url, '/sandbox/complete-next', { track: 'RC' });
		expect(answer.status).toBe(404);
		expect(answer.body.error.code).toBe('NO_MATCHING_TEST');
	});

	test('tracking codes are listed without their secrets and validated on the way in', async () => {
		await addTrackingCode({ code: 'H', url: receiver.url, auth: { mode: 'header', headerName: 'X-Token', value: 'sekret-value' } });
		await addTrackingCode({ code: 'B', url: receiver.url, auth: { mode: 'basic', user: 'u', password: 'sekret-password' } });
		await addTrackingCode({
			code: 'S',
			url: receiver.url,
			auth: { mode: 'hmac', headerName: 'X-Sig', secrets: ['sekret-hmac'], encoding: 'hex' },
		});
		const listed = await adminGet(sandbox.url, '/sandbox/tracking-codes');
		expect(listed.body).toHaveLength(3);
		expect(JSON.stringify(listed.body)).not.toMatch(/sekret/);
		expect(listed.body[2].auth).toEqual({ mode: 'hmac', headerName: 'X-Sig', encoding: 'hex', secretsConfigured: 1, timestampHeader: null });

		const bad = await addTrackingCode({ code: 'X', url: 'not a url', auth: { mode: 'none' } });
		expect(bad.status).toBe(400);
		const noSecret = await adminPost(sandbox.url, '/sandbox/tracking-codes', { code: 'X', url: receiver.url, auth: { mode: 'hmac', headerName: 'X' } });
		expect(noSecret.status).toBe(400);
		expect((await adminPost(sandbox.url, '/sandbox/tracking-codes/H', {}, 'DELETE')).status).toBe(200);
		expect((await adminGet(sandbox.url, '/sandbox/tracking-codes')).body).toHaveLength(2);
	});

	test('tracking codes can come from the config', async () => {
		await sandbox.close();
		sandbox = await startSandbox({
			port: 0,
			trackingCodes: [{ code: 'CFG', url: receiver.url, auth: { mode: 'header', headerName: 'X-T', value: 'v' } }],
		});
		await provisionTracked('CFG');
		await adminPost(sandbox.url, '/sandbox/complete-next?wait=1', {});
		expect(receiver.received).toHaveLength(1);
		expect(receiver.received[0].headers['x-t']).toBe('v');
		await expect(startSandbox({ port: 0, trackingCodes: [{ code: 'BAD', url: receiver.url, auth: { mode: 'basic' } as never }] })).rejects.toThrow(
			/basic auth needs user and password/,
		);
	});
});
