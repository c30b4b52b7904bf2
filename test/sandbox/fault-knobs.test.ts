/* eslint-disable @n8n/community-nodes/no-restricted-globals -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * The knobs the fault matrix (reliability/faultMatrix.ts) uses: faults spread through a run (`every`), a server
 * that never answers (hangNext) and latency spikes. Each is checked against the sandbox's ledger: the request
 * log, the stats and the inventory.
 */
import { createHmac } from 'node:crypto';

import { adminGet, adminPost, nextClientSequence } from '../../devkit/sandboxClient';
import { DEFAULT_SANDBOX_API_KEY } from '../../sandbox/config';
import { FULFILLMENT_PATH } from '../../sandbox/itepDocument';
import { startSandbox, type RunningSandbox } from '../../sandbox/server';

/** Signed here with node:crypto, independently of the sandbox's own signature module. */
function signedBody(name: string, sequence = nextClientSequence()) {
	const raw = JSON.stringify({
		'product-code': 'GTX-Academic-Plus',
		sequence,
		'assigned-to': { 'student-name': name },
	});
	return {
		raw,
		sequence,
		headers: {
			'Content-Type': 'application/json',
			'X-Itep-Signature': createHmac('sha256', DEFAULT_SANDBOX_API_KEY)
				.update(raw, 'utf8')
				.digest('hex'),
		},
	};
}

/** One fulfillment request; the status, or 'no answer' when the connection ended without one. */
async function send(
	sandbox: RunningSandbox,
	body = signedBody('Candidate'),
	timeoutMs = 5000,
): Promise<number | 'no answer'> {
	try {
		const answer = await fetch(`${sandbox.url}${FULFILLMENT_PATH}`, {
			method: 'POST',
			headers: body.headers,
			body: body.raw,
			signal: AbortSignal.timeout(timeoutMs),
		});
		await answer.arrayBuffer();
		return answer.status;
	} catch {
		return 'no answer';
	}
}

async function sendInTurn(sandbox: RunningSandbox, count: number) {
	const statuses: Array<number | 'no answer'> = [];
	for (let index = 0; index < count; index++)
		statuses.push(await send(sandbox, signedBody(`Candidate ${index}`)));
	return statuses;
}

describe('sandbox fault knobs for the fault matrix', () => {
	let sandbox: RunningSandbox;
	beforeEach(async () => {
		sandbox = await startSandbox({ port: 0 });
	});
	afterEach(async () => {
		await sandbox.close();
	});

	test('failNext with every: the 3rd and 6th requests fail, then the knob is spent', async () => {
		await adminPost(sandbox.url, '/sandbox/knobs', {
			failNext: { count: 2, status: 429, every: 3 },
		});
		expect(await sendInTurn(sandbox, 8)).toEqual([200, 200, 429, 200, 200, 429, 200, 200]);
		expect(sandbox.state.knobs.failNext).toBeNull();
		expect(sandbox.state.requests.map((entry) => entry.outcome)).toEqual([
			'answered',
			'answered',
			'injected-failure',
			'answered',
			'answered',
			'injected-failure',
			'answered',
			'answered',
		]);
		expect(sandbox.state.stats).toMatchObject({ requests: 8, provisioned: 6, injectedFailures: 2 });
	});

	test('the knob shows its position between faults', async () => {
		await adminPost(sandbox.url, '/sandbox/knobs', {
			failNext: { count: 5, status: 500, every: 4 },
		});
		await sendInTurn(sandbox, 6);
		expect((await adminGet(sandbox.url, '/sandbox/knobs')).body.failNext).toEqual({
			count: 4,
			status: 500,
			every: 4,
			seen: 2,
		});
	});

	test('dropNext after provisioning with every: the 2nd and 4th are provisioned, then lost; the ledger names them', async () => {
		await adminPost(sandbox.url, '/sandbox/knobs', {
			dropNext: { count: 2, afterProvisioning: true, every: 2 },
		});
		expect(await sendInTurn(sandbox, 5)).toEqual([200, 'no answer', 200, 'no answer', 200]);
		const dropped = sandbox.state.requests.filter((entry) => entry.outcome === 'dropped');
		expect(dropped.map((entry) => entry.id)).toEqual([
			sandbox.state.requests[1].id,
			sandbox.state.requests[3].id,
		]);
		for (const entry of dropped) {
			expect(entry.status).toBeNull();
			const test = sandbox.state.tests.find((record) => record.testId === entry.testId);
			expect(test?.sequence).toBe(entry.sequence);
		}
		expect(sandbox.state.stats).toMatchObject({ requests: 5, provisioned: 5, dropped: 2 });
	});

	test('hangNext before provisioning: no answer until the client gives up, nothing spent, the same bytes succeed later', async () => {
		await adminPost(sandbox.url, '/sandbox/knobs', { hangNext: { count: 1 } });
		const body = signedBody('Hung Before');
		const started = Date.now();
		expect(await send(sandbox, body, 400)).toBe('no answer');
		expect(Date.now() - started).toBeGreaterThanOrEqual(380);

		const [hung] = sandbox.state.requests;
		expect(hung).toMatchObject({
			outcome: 'hung',
			status: null,
			sequence: body.sequence,
			testId: null,
		});
		expect(sandbox.state.stats).toMatchObject({ requests: 1, hung: 1, provisioned: 0 });
		// The connection closed when the client gave up: no longer in flight, held the whole time.
		await new Promise((resolve) => setTimeout(resolve, 50));
		expect(sandbox.state.stats.inFlight).toBe(0);
		expect(hung.durationMs).toBeGreaterThanOrEqual(380);

		expect(await send(sandbox, body)).toBe(200);
		expect(sandbox.state.tests.filter((test) => test.sequence === body.sequence)).toHaveLength(1);
	});

	test('hangNext after provisioning: the test ID is assigned although no answer came; a re-send is refused', async () => {
		await adminPost(sandbox.url, '/sandbox/knobs', {
			hangNext: { count: 1, afterProvisioning: true },
		});
		const body = signedBody('Hung After');
		expect(await send(sandbox, body, 300)).toBe('no answer');
		const [hung] = sandbox.state.requests;
		expect(hung).toMatchObject({ outcome: 'hung', status: null, sequence: body.sequence });
		const test = sandbox.state.tests.find((record) => record.testId === hung.testId);
		expect(test?.assignedTo).toEqual({ 'student-name': 'Hung After' });
		expect(test?.sequence).toBe(body.sequence);
		expect(await send(sandbox, body)).toBe(409);
		expect(sandbox.state.stats).toMatchObject({ requests: 2, hung: 1, provisioned: 1 });
	});

	test('close() ends promptly while a request hangs', async () => {
		await adminPost(sandbox.url, '/sandbox/knobs', { hangNext: { count: 1 } });
		const pending = send(sandbox, signedBody('Never Answered'), 60_000);
		while (sandbox.state.requests.length === 0)
			await new Promise((resolve) => setTimeout(resolve, 10));
		const closing = Date.now();
		await sandbox.close();
		expect(Date.now() - closing).toBeLessThan(1000);
		expect(await pending).toBe('no answer');
		// afterEach closes again: closing twice must be harmless.
	});

	test('latencySpikes: every 3rd request waits the extra time, the others do not', async () => {
		await adminPost(sandbox.url, '/sandbox/knobs', { latencySpikes: { every: 3, ms: 300 } });
		expect(await sendInTurn(sandbox, 6)).toEqual([200, 200, 200, 200, 200, 200]);
		const spiked = sandbox.state.requests.map((entry) => entry.latencySpike);
		expect(spiked).toEqual([false, false, true, false, false, true]);
		for (const entry of sandbox.state.requests) {
			if (entry.latencySpike) expect(entry.durationMs).toBeGreaterThanOrEqual(290);
			else expect(entry.durationMs).toBeLessThan(200);
		}
		expect(sandbox.state.stats).toMatchObject({ latencySpikes: 2, provisioned: 6 });
		// A spike is a delay, not a fault: the knob stays set.
		expect(sandbox.state.knobs.latencySpikes).toMatchObject({ every: 3, ms: 300 });
	});

	test('two knobs due on one request: failNext wins, dropNext skips that turn without using a fault', async () => {
		await adminPost(sandbox.url, '/sandbox/knobs', {
			failNext: { count: 1, status: 503, every: 2 },
			dropNext: { count: 1, afterProvisioning: false, every: 2 },
		});
		expect(await sendInTurn(sandbox, 4)).toEqual([200, 503, 200, 'no answer']);
		expect(sandbox.state.knobs).toMatchObject({ failNext: null, dropNext: null });
	});

	test('the new knobs are validated; a bad update changes nothing', async () => {
		const bad = [
			{ failNext: { count: 1, status: 500, every: 0 } },
			{ dropNext: { count: 1, every: 1.5 } },
			{ hangNext: { count: 1, afterProvisioning: 'yes' } },
			{ hangNext: { count: -1 } },
			{ hangNext: 3 },
			{ latencySpikes: { every: 5 } },
			{ latencySpikes: { ms: 100 } },
			{ latencySpikes: { every: 5, ms: 200_000 } },
			{ latencyMs: 10, latencySpikes: { every: 0, ms: 10 } },
		];
		for (const update of bad) {
			const answer = await adminPost(sandbox.url, '/sandbox/knobs', update);
			expect([JSON.stringify(update), answer.status]).toEqual([JSON.stringify(update), 400]);
		}
		expect(sandbox.state.knobs).toMatchObject({
			latencyMs: 0,
			latencySpikes: null,
			failNext: null,
			dropNext: null,
			hangNext: null,
		});
		const good = await adminPost(sandbox.url, '/sandbox/knobs', {
			hangNext: { count: 2, every: 7 },
			latencySpikes: { every: 5, ms: 100 },
		});
		expect(good.body).toMatchObject({
			hangNext: { count: 2, afterProvisioning: false, every: 7, seen: 0 },
			latencySpikes: { every: 5, ms: 100, seen: 0 },
		});
		const off = await adminPost(sandbox.url, '/sandbox/knobs', {
			hangNext: { count: 0 },
			latencySpikes: null,
		});
		expect(off.body).toMatchObject({ hangNext: null, latencySpikes: null });
	});
});
