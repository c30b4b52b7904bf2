/* eslint-disable @n8n/community-nodes/no-restricted-imports -- development tooling, never published: n8n's rules for node code do not apply */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'http';
import type { AddressInfo } from 'net';

import { adminGet, adminPost, fulfillment, type ParsedJson } from '../../devkit/sandboxClient';
import type { TrackingCodeConfig } from '../../sandbox/config';
import type { DeliveryRecord } from '../../sandbox/deliveries';
import { RESULT_VARIANTS } from '../../sandbox/resultVariants';
import { startSandbox, type RunningSandbox } from '../../sandbox/server';
import type { SenderAuth } from '../../sandbox/webhookAuth';

/**
 * A receiver's check of a delivery, written here with node:crypto (not the sandbox's signing code, not the
 * pack's verifier): the same wire scheme, implemented a third time.
 */
function verifyDelivery(
	headers: IncomingHttpHeaders,
	raw: Buffer,
	auth: SenderAuth,
	nowSeconds: number,
): boolean {
	const header = (name: string) => {
		const value = headers[name.toLowerCase()];
		return Array.isArray(value) ? value.join(', ') : value;
	};
	const same = (a: string, b: string) =>
		a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
	switch (auth.mode) {
		case 'none':
			return true;
		case 'header':
			return same(header(auth.headerName) ?? '', auth.value);
		case 'basic':
			return same(
				header('authorization') ?? '',
				`Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`,
			);
		case 'hmac': {
			let input = raw;
			if (auth.timestampHeader) {
				const timestamp = header(auth.timestampHeader) ?? '';
				if (
					!/^\d+$/.test(timestamp) ||
					Math.abs(nowSeconds - Number(timestamp)) > (auth.toleranceSeconds ?? 300)
				)
					return false;
				input = Buffer.concat([Buffer.from(`${timestamp}.`), raw]);
			}
			const received = (header(auth.headerName) ?? '').split(' ').filter(Boolean);
			const expected = auth.secrets.map((secret) =>
				createHmac('sha256', secret).update(input).digest(auth.encoding),
			);
			return received.some((signature) => expected.some((candidate) => same(candidate, signature)));
		}
	}
}

/** The `data` object of a delivery, decoded the way a receiver would: one form field holding JSON. */
function decodeData(raw: Buffer): Record<string, ParsedJson> {
	const form = new URLSearchParams(raw.toString('utf8'));
	expect([...form.keys()]).toEqual(['data']);
	return JSON.parse(form.get('data') as string);
}

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

	async function provisionTracked(
		track: string,
		productCode = 'GTX-Academic-Plus',
	): Promise<string> {
		const answer = await fulfillment(sandbox.url, {
			'product-code': productCode,
			track,
			'assigned-to': { name: 'Mary' },
		});
		expect(answer.status).toBe(200);
		return answer.body['test-id'];
	}

	function addTrackingCode(trackingCode: TrackingCodeConfig) {
		return adminPost(sandbox.url, '/sandbox/tracking-codes', trackingCode);
	}

	beforeEach(async () => {
		receiver = await new Receiver().start();
		sandbox = await startSandbox({
			port: 0,
			webhook: { timeoutMs: 300, backoffBaseMs: 40, maxAttempts: 4 },
		});
	});
	afterEach(async () => {
		await sandbox.close();
		await receiver.stop();
	});

	const authModes: Array<[string, SenderAuth]> = [
		['none', { mode: 'none' }],
		['header', { mode: 'header', headerName: 'X-Receiver-Token', value: 'token-123' }],
		['basic', { mode: 'basic', user: 'itep', password: 'pa:ss word' }],
		[
			'hmac (hex, no timestamp)',
			{
				mode: 'hmac',
				headerName: 'X-Itep-Webhook-Signature',
				secrets: ['whsec-1'],
				encoding: 'hex',
			},
		],
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

	test.each(authModes)(
		'completed results arrive in the documented form, authenticated with %s',
		async (_label, auth) => {
			await addTrackingCode({ code: 'RC', url: receiver.url, auth });
			const testId = await provisionTracked('RC');

			const completed = await adminPost(sandbox.url, '/sandbox/complete-next?wait=1', {
				track: 'RC',
			});
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

			// An independent receiver (node:crypto, written in this test) accepts exactly what was sent.
			expect(verifyDelivery(headers, raw, auth, nowSeconds())).toBe(true);
			expect(decodeData(raw)).toMatchObject({ TestID: testId, Status: 'Completed' });
			// What the delivery record says was sent is what arrived.
			const [record] = sandbox.state.deliveries;
			expect(record).toMatchObject({
				variant: 'documented',
				body: raw.toString('utf8'),
				outcome: 'delivered',
			});
			expect(record.data).toEqual(data);

			if (auth.mode !== 'none') {
				const tampered = Buffer.from(raw.toString('utf8').replace('Completed', 'Invalidated'));
				const wrongSecrets: SenderAuth =
					auth.mode === 'header'
						? { ...auth, value: 'other' }
						: auth.mode === 'basic'
							? { ...auth, password: 'other' }
							: { ...auth, secrets: ['other'] };
				expect(verifyDelivery(headers, raw, wrongSecrets, nowSeconds())).toBe(false);
				if (auth.mode === 'hmac')
					expect(verifyDelivery(headers, tampered, auth, nowSeconds())).toBe(false);
			}
		},
	);

	test('the score report page shows the generated levels', async () => {
		await addTrackingCode({ code: 'RC', url: receiver.url, auth: { mode: 'none' } });
		const testId = await provisionTracked('RC', 'GTX-Academic-Core');
		await adminPost(sandbox.url, '/sandbox/complete-next?wait=1', {});
		const data = JSON.parse(
			new URLSearchParams(receiver.received[0].raw.toString()).get('data') as string,
		);
		// Core tests have three sections in the sandbox.
		expect(
			Object.keys(data).filter((key) => key.endsWith('_Level') && key !== 'Overall_Level'),
		).toEqual(['Grammar_Level', 'Listening_Level', 'Reading_Level']);
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
		const gaps = [
			receiver.received[1].at - receiver.received[0].at,
			receiver.received[2].at - receiver.received[1].at,
		];
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
		expect(
			delivery.attempts.every(
				(attempt) => attempt.status === null && /ECONNREFUSED/.test(attempt.error ?? ''),
			),
		).toBe(true);
		receiver = await new Receiver().start();
	});

	test('duplicateDeliveries sends every delivery twice with the same data', async () => {
		await addTrackingCode({
			code: 'RC',
			url: receiver.url,
			auth: { mode: 'hmac', headerName: 'X-Sig', secrets: ['s'], encoding: 'hex' },
		});
		await adminPost(sandbox.url, '/sandbox/knobs', { duplicateDeliveries: true });
		await provisionTracked('RC');

		const completed = await adminPost(sandbox.url, '/sandbox/complete-next?wait=1', {});
		const deliveries = completed.body.steps[completed.body.steps.length - 1].deliveries;
		expect(
			deliveries.map((delivery: { copy: number; outcome: string }) => [
				delivery.copy,
				delivery.outcome,
			]),
		).toEqual([
			[1, 'delivered'],
			[2, 'delivered'],
		]);
		expect(receiver.received).toHaveLength(2);
		expect(receiver.received[0].raw.equals(receiver.received[1].raw)).toBe(true);
	});

	test('Finished is reported only when the tracking code asks for it; Started never is', async () => {
		await addTrackingCode({ code: 'QUIET', url: receiver.url, auth: { mode: 'none' } });
		await addTrackingCode({
			code: 'CHATTY',
			url: receiver.url,
			auth: { mode: 'none' },
			notifyOnFinished: true,
		});
		const quiet = await provisionTracked('QUIET');
		const chatty = await provisionTracked('CHATTY');

		for (const testId of [quiet, chatty]) {
			for (const to of ['started', 'finished']) {
				const answer = await adminPost(sandbox.url, `/sandbox/tests/${testId}/transition?wait=1`, {
					to,
				});
				expect(answer.status).toBe(200);
			}
		}
		expect(receiver.received).toHaveLength(1);
		const data = JSON.parse(
			new URLSearchParams(receiver.received[0].raw.toString()).get('data') as string,
		);
		expect(data).toMatchObject({
			TestID: chatty,
			Status: 'Finished',
			Overall_Level: '',
			Overall_cefr: '',
		});
		expect(receiver.received[0].headers['content-type']).toBe('application/x-www-form-urlencoded');
	});

	test.each([
		['reset', ['started'], 'Ready'],
		['invalidated', ['started', 'finished'], 'Invalidated'],
		['technical-difficulty', ['started'], 'Technical Difficulty'],
	])('%s is reported with the new status', async (to, before, status) => {
		await addTrackingCode({ code: 'RC', url: receiver.url, auth: { mode: 'none' } });
		const testId = await provisionTracked('RC');
		for (const step of before) sandbox.transition(testId, step);
		const result = sandbox.transition(testId, to);
		await result.settled;
		expect(receiver.received).toHaveLength(1);
		expect(decodeData(receiver.received[0].raw)).toMatchObject({ TestID: testId, Status: status });
		expect(sandbox.state.deliveries[0]).toMatchObject({ event: to, testStatus: status });
	});

	test('transitions follow the documented states and refuse impossible moves', async () => {
		const testId = await provisionTracked('NOWHERE');
		const early = await adminPost(sandbox.url, `/sandbox/tests/${testId}/transition`, {
			to: 'completed',
		});
		expect(early.status).toBe(409);
		expect(early.body.error.code).toBe('INVALID_TRANSITION');
		expect(
			(await adminPost(sandbox.url, `/sandbox/tests/${testId}/transition`, { to: 'graded' }))
				.status,
		).toBe(400);
		expect(
			(await adminPost(sandbox.url, '/sandbox/tests/00000000XX/transition', { to: 'started' }))
				.status,
		).toBe(404);

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
		await addTrackingCode({
			code: 'H',
			url: receiver.url,
			auth: { mode: 'header', headerName: 'X-Token', value: 'sekret-value' },
		});
		await addTrackingCode({
			code: 'B',
			url: receiver.url,
			auth: { mode: 'basic', user: 'u', password: 'sekret-password' },
		});
		await addTrackingCode({
			code: 'S',
			url: receiver.url,
			auth: { mode: 'hmac', headerName: 'X-Sig', secrets: ['sekret-hmac'], encoding: 'hex' },
		});
		const listed = await adminGet(sandbox.url, '/sandbox/tracking-codes');
		expect(listed.body).toHaveLength(3);
		expect(JSON.stringify(listed.body)).not.toMatch(/sekret/);
		expect(listed.body[2].auth).toEqual({
			mode: 'hmac',
			headerName: 'X-Sig',
			encoding: 'hex',
			secretsConfigured: 1,
			timestampHeader: null,
		});

		const bad = await addTrackingCode({ code: 'X', url: 'not a url', auth: { mode: 'none' } });
		expect(bad.status).toBe(400);
		const noSecret = await adminPost(sandbox.url, '/sandbox/tracking-codes', {
			code: 'X',
			url: receiver.url,
			auth: { mode: 'hmac', headerName: 'X' },
		});
		expect(noSecret.status).toBe(400);
		expect((await adminPost(sandbox.url, '/sandbox/tracking-codes/H', {}, 'DELETE')).status).toBe(
			200,
		);
		expect((await adminGet(sandbox.url, '/sandbox/tracking-codes')).body).toHaveLength(2);
	});

	test('tracking codes can come from the config', async () => {
		await sandbox.close();
		sandbox = await startSandbox({
			port: 0,
			trackingCodes: [
				{ code: 'CFG', url: receiver.url, auth: { mode: 'header', headerName: 'X-T', value: 'v' } },
			],
		});
		await provisionTracked('CFG');
		await adminPost(sandbox.url, '/sandbox/complete-next?wait=1', {});
		expect(receiver.received).toHaveLength(1);
		expect(receiver.received[0].headers['x-t']).toBe('v');
		await expect(
			startSandbox({
				port: 0,
				trackingCodes: [{ code: 'BAD', url: receiver.url, auth: { mode: 'basic' } as never }],
			}),
		).rejects.toThrow(/basic auth needs user and password/);
	});

	describe('the resultVariant knob', () => {
		const levelText = /^\d(\.\d)?$/;
		const commaText = /^\d,\d$/;
		const LEVEL_SECTIONS = ['Overall', 'Grammar', 'Listening', 'Reading', 'Writing', 'Speaking'];
		/** What each variant must have done to a real Completed delivery of an Academic-Plus test. */
		const expectations: Record<string, (data: Record<string, ParsedJson>, testId: string) => void> =
			{
				documented: (data) => {
					expect(data.Status).toBe('Completed');
					expect(data.Overall_Level).toEqual(expect.any(Number));
					expect(data.TestDate).toBe(`${data.TestMonth}/${data.TestDay}/${data.TestYear}`);
				},
				numbersAsText: (data) => {
					for (const key of ['Duration', 'TestMonth', 'TestDay', 'TestYear'])
						expect(data[key]).toMatch(/^\d+$/);
					for (const section of LEVEL_SECTIONS) {
						expect(data[`${section}_Level`]).toMatch(levelText);
					}
					expect(data.Status).toBe('Completed');
				},
				otherVocabulary: (data) => expect(data.Status).toBe('Complete'),
				lowerCaseStatus: (data) => expect(data.Status).toBe('completed'),
				// The sandbox's own deliveries carry levels only, no <Section>_Score, so nothing changes.
				percentScores: (data) => {
					expect(Object.keys(data).filter((key) => key.endsWith('_Score'))).toEqual([]);
					expect(data.Overall_Level).toEqual(expect.any(Number));
				},
				decimalComma: (data) => {
					for (const section of LEVEL_SECTIONS) {
						expect(data[`${section}_Level`]).toMatch(commaText);
					}
					expect(data.Duration).toEqual(expect.any(Number));
				},
				dateWithTime: (data) => {
					const now = new Date();
					expect(data.TestDate).toBe(
						`${now.getUTCMonth() + 1}/${now.getUTCDate()}/${now.getUTCFullYear()} 14:32:00`,
					);
					expect(data).not.toHaveProperty('TestMonth');
					expect(data).not.toHaveProperty('TestDay');
					expect(data).not.toHaveProperty('TestYear');
				},
				isoDateTime: (data) => {
					expect(data.TestDate).toBe(`${new Date().toISOString().slice(0, 10)}T14:32:00Z`);
					expect(data).not.toHaveProperty('TestYear');
				},
				blankOptional: (data, testId) => {
					expect(data).toMatchObject({
						OID: null,
						Duration: null,
						Overall_cefr: '',
						TestID: testId,
						Status: 'Completed',
					});
					expect(data.Overall_Level).toEqual(expect.any(Number));
				},
				missingOptional: (data, testId) =>
					expect(data).toEqual({ TestID: testId, Status: 'Completed' }),
				extraFields: (data) => {
					expect(data).toMatchObject({
						Status: 'Completed',
						Candidate_Name: 'Mary Poppins',
						Center: { id: 12, name: 'Online' },
						Flags: ['proctored'],
						Speaking_Comments: 'Clear pronunciation',
					});
				},
			};

		test('there is an expectation here for every variant', () => {
			expect(Object.keys(expectations).sort()).toEqual(
				RESULT_VARIANTS.map((variant) => variant.name).sort(),
			);
		});

		test.each(RESULT_VARIANTS.map((variant) => variant.name))(
			'%s: the delivery actually sent is shaped by the variant',
			async (name) => {
				await addTrackingCode({ code: 'RC', url: receiver.url, auth: { mode: 'none' } });
				expect(
					(await adminPost(sandbox.url, '/sandbox/knobs', { resultVariant: name })).status,
				).toBe(200);
				const testId = await provisionTracked('RC');
				await adminPost(sandbox.url, '/sandbox/complete-next?wait=1', {});

				expect(receiver.received).toHaveLength(1);
				const data = decodeData(receiver.received[0].raw);
				expectations[name](data, testId);
				const [record] = (
					await adminGet<DeliveryRecord[]>(sandbox.url, `/sandbox/deliveries?testId=${testId}`)
				).body;
				expect(record).toMatchObject({
					variant: name,
					outcome: 'delivered',
					body: receiver.received[0].raw.toString('utf8'),
				});
				expect(record.data).toEqual(data);
			},
		);

		test('"cycle" sends every variant in turn, delivery by delivery, then starts again; each one signed as sent', async () => {
			const auth: SenderAuth = {
				mode: 'hmac',
				headerName: 'X-Sig',
				secrets: ['cycle-secret'],
				encoding: 'hex',
			};
			await addTrackingCode({ code: 'RC', url: receiver.url, auth });
			await adminPost(sandbox.url, '/sandbox/knobs', { resultVariant: 'cycle' });
			const rounds = RESULT_VARIANTS.length + 1;
			const testIds: string[] = [];
			for (let index = 0; index < rounds; index++) testIds.push(await provisionTracked('RC'));
			for (const testId of testIds) {
				const results = sandbox.completeNext({ testId });
				await results[results.length - 1].settled;
			}

			const names = RESULT_VARIANTS.map((variant) => variant.name);
			expect(sandbox.state.deliveries.map((delivery) => delivery.variant)).toEqual([
				...names,
				names[0],
			]);
			expect(receiver.received).toHaveLength(rounds);
			receiver.received.forEach((request, index) => {
				expect(verifyDelivery(request.headers, request.raw, auth, nowSeconds())).toBe(true);
				const data = decodeData(request.raw);
				expect(data.TestID).toBe(testIds[index]);
				expectations[names[index % names.length]](data, testIds[index]);
			});
		});

		test('setting the knob again restarts the cycle, and a duplicated delivery repeats the same variant', async () => {
			await addTrackingCode({ code: 'RC', url: receiver.url, auth: { mode: 'none' } });
			await adminPost(sandbox.url, '/sandbox/knobs', { resultVariant: 'cycle' });
			await provisionTracked('RC');
			await adminPost(sandbox.url, '/sandbox/complete-next?wait=1', {});
			await adminPost(sandbox.url, '/sandbox/knobs', {
				resultVariant: 'cycle',
				duplicateDeliveries: true,
			});
			await provisionTracked('RC');
			await adminPost(sandbox.url, '/sandbox/complete-next?wait=1', {});
			expect(sandbox.state.deliveries.map((delivery) => [delivery.copy, delivery.variant])).toEqual(
				[
					[1, 'documented'],
					[1, 'documented'],
					[2, 'documented'],
				],
			);
			expect(receiver.received[1].raw.equals(receiver.received[2].raw)).toBe(true);
		});
	});
});
