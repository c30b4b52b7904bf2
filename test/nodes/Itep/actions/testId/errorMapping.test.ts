/* eslint-disable @n8n/community-nodes/no-restricted-imports -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * Every failure class through real HTTP: the node runs in n8n-core's ExecuteContext against the sandbox (or a
 * closed port), and the thrown NodeApiError / the Continue On Fail error item says what happened and what to do.
 */
import { createServer } from 'http';
import type { AddressInfo } from 'net';

import { NodeApiError } from 'n8n-workflow';

import { startSandbox, type RunningSandbox } from '../../../../../sandbox/server';
import {
	availableCount,
	closedPortUrl,
	credentialFor,
	productCode,
	runItep,
	runItepExpectingError,
	sandboxIdle,
} from '../../../../helpers/itepNode';
import { sleep, waitUntil } from '../../../../../devkit/wait';

const CHECK_ASSIGNED_TO =
	/look for a test ID whose Assigned To holds this candidate.*never re-sent automatically/;

describe('error mapping through real HTTP', () => {
	let sandbox: RunningSandbox;
	beforeEach(async () => {
		sandbox = await startSandbox({ port: 0, inventorySize: 2 });
	});
	afterEach(async () => {
		await sandboxIdle(sandbox);
		await sandbox.close();
	});

	test('wrong API key: 401 "rejected the API key or signature", nothing provisioned', async () => {
		const before = availableCount(sandbox);
		const error = await runItepExpectingError({
			target: sandbox,
			credentials: credentialFor(sandbox, { apiKey: 'not-the-sandbox-key' }),
		});
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('iTEP rejected the API key or signature');
		expect(error.httpCode).toBe('401');
		expect(error.context.itemIndex).toBe(0);
		expect(error.description).toMatch(/^Nothing was provisioned\. Check the credential/);
		expect(sandbox.state.requests).toHaveLength(1);
		expect(sandbox.state.requests[0]).toMatchObject({
			status: 401,
			errorCode: 'INVALID_SIGNATURE',
			signatureVerified: false,
		});
		expect(availableCount(sandbox)).toBe(before);
	});

	test('wrong signature header name: also 401', async () => {
		const output = await runItep({
			target: sandbox,
			credentials: credentialFor(sandbox, { signatureHeader: 'X-Other-Signature' }),
			continueOnFail: true,
		});
		expect(output[0].json).toMatchObject({
			error: 'iTEP rejected the API key or signature',
			outcome: 'rejected',
			httpCode: 401,
		});
		expect(sandbox.state.requests[0].signatureHeader).toBeNull();
	});

	test('unknown product code: 404 naming the code', async () => {
		const error = await runItepExpectingError({
			target: sandbox,
			parameters: { productCode: productCode('GTX-Nonexistent') },
		});
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('iTEP does not know the product code "GTX-Nonexistent"');
		expect(error.httpCode).toBe('404');
		expect(error.description).toMatch(
			/Copy the exact code \(case-sensitive\) from the PRODUCT CODES screen/,
		);
		expect(error.description).toMatch(/iTEP said: "Unknown product code GTX-Nonexistent/);
		expect(error.description).toMatch(/\(product code GTX-Nonexistent, sequence \d+\)\.$/);
		expect(sandbox.state.requests[0]).toMatchObject({
			status: 404,
			errorCode: 'UNKNOWN_PRODUCT_CODE',
		});
	});

	test('empty inventory: "No available test IDs left" with what to do, and the test IDs already obtained', async () => {
		expect(availableCount(sandbox)).toBe(2);
		const items = [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }];
		const error = await runItepExpectingError({ target: sandbox, items });
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('No available test IDs left for GTX-Academic-Plus');
		expect(error.httpCode).toBe('422');
		expect(error.context.itemIndex).toBe(2);
		expect(error.description).toMatch(
			/Buy more test IDs .* check the AVAILABLE TESTS panel, then run the workflow again/,
		);
		const provisioned = sandbox.state.requests
			.filter((log) => log.status === 200)
			.map((log) => log.testId);
		expect(provisioned).toHaveLength(2);
		expect(error.description).toContain(
			`Other items of this run were provisioned before it stopped: ${provisioned.join(', ')}.`,
		);
		// Sequential by default: item 3 was never sent.
		expect(sandbox.state.requests.map((log) => log.status)).toEqual([200, 200, 422]);
		expect(availableCount(sandbox)).toBe(0);
	});

	test('failNext 429: rate limited, nothing provisioned', async () => {
		sandbox.state.knobs.failNext = { count: 1, status: 429 };
		const before = availableCount(sandbox);
		const error = await runItepExpectingError({ target: sandbox });
		expect(error.message).toBe('iTEP is rate limiting requests');
		expect(error.httpCode).toBe('429');
		expect(error.description).toMatch(/Lower Max Concurrent Requests/);
		expect(availableCount(sandbox)).toBe(before);
		expect(sandbox.state.requests).toHaveLength(1);
	});

	test.each([500, 502, 503])(
		'failNext %i: server error, outcome unknown, check Assigned To',
		async (status) => {
			sandbox.state.knobs.failNext = { count: 1, status };
			const error = await runItepExpectingError({ target: sandbox });
			expect(error).toBeInstanceOf(NodeApiError);
			expect(error.message).toBe(
				`iTEP answered with a server error (HTTP ${status}); the outcome is unknown`,
			);
			expect(error.httpCode).toBe(String(status));
			expect(error.description).toMatch(CHECK_ASSIGNED_TO);
			expect(sandbox.state.requests).toHaveLength(1);
		},
	);

	test('failNext 400 (anything else): rejected with the HTTP status', async () => {
		sandbox.state.knobs.failNext = { count: 1, status: 400 };
		const output = await runItep({ target: sandbox, continueOnFail: true });
		expect(output[0].json).toMatchObject({
			error: 'iTEP rejected the request (HTTP 400)',
			outcome: 'rejected',
			httpCode: 400,
		});
	});

	test('a sequence used before: 409 replay', async () => {
		await runItep({ target: sandbox, parameters: { options: { sequence: 4242 } } });
		const error = await runItepExpectingError({
			target: sandbox,
			parameters: { options: { sequence: 4242 } },
		});
		expect(error.message).toBe(
			'iTEP rejected the request as a replay: its sequence number was used before',
		);
		expect(error.httpCode).toBe('409');
		expect(error.description).toMatch(/Leave Sequence empty/);
		expect(sandbox.state.stats.provisioned).toBe(1);
	});

	test('dropped after provisioning: "Outcome unknown ... check Assigned To", provisioned once, sent once', async () => {
		sandbox.state.knobs.dropNext = { count: 1, afterProvisioning: true };
		const before = availableCount(sandbox);
		const error = await runItepExpectingError({
			target: sandbox,
			parameters: { assignedTo: { candidateName: 'Ana Silva' } },
		});
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/^Outcome unknown: the request was sent but no answer came back/);
		// Not n8n's generic ECONNRESET text "... You can retry the request immediately ...".
		expect(error.message).not.toMatch(/retry/i);
		expect(error.description).toMatch(CHECK_ASSIGNED_TO);
		expect(error.context.itemIndex).toBe(0);

		// Give any (wrong) automatic retry time to arrive before counting.
		await sleep(150);
		expect(sandbox.state.stats.requests).toBe(1);
		expect(sandbox.state.requests).toHaveLength(1);
		const [log] = sandbox.state.requests;
		expect(log).toMatchObject({ outcome: 'dropped', status: null, signatureVerified: true });
		const sequence = log.sequence;
		expect(typeof sequence).toBe('number');
		expect(error.description).toContain(`sequence ${sequence}`);
		const provisioned = sandbox.state.tests.filter((test) => test.sequence === sequence);
		expect(provisioned).toHaveLength(1);
		expect(provisioned[0].assignedTo).toEqual({ 'student-name': 'Ana Silva', sequence });
		expect(sandbox.state.stats.provisioned).toBe(1);
		expect(availableCount(sandbox)).toBe(before - 1);
	});

	test('dropped before processing: still reported as outcome unknown (the node cannot tell), with Continue On Fail', async () => {
		sandbox.state.knobs.dropNext = { count: 1, afterProvisioning: false };
		const output = await runItep({ target: sandbox, items: [{}, {}], continueOnFail: true });
		expect(output).toHaveLength(2);
		expect(output[0].json).toMatchObject({ outcome: 'unknown' });
		expect(output[0].json.error).toMatch(/^Outcome unknown/);
		expect(output[0].json.description).toMatch(CHECK_ASSIGNED_TO);
		expect(output[0].pairedItem).toEqual({ item: 0 });
		expect(typeof output[1].json.testId).toBe('string');
		expect(sandbox.state.stats.provisioned).toBe(1);
		expect(sandbox.state.stats.requests).toBe(2);
	});

	test('connection refused: "nothing was sent", safe to run again', async () => {
		const url = await closedPortUrl();
		const error = await runItepExpectingError({ target: url });
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('Could not reach iTEP (ECONNREFUSED); nothing was sent');
		expect(error.description).toMatch(/nothing was provisioned and it is safe to run again/);

		const output = await runItep({ target: url, continueOnFail: true });
		expect(output[0].json).toMatchObject({
			outcome: 'notSent',
			error: 'Could not reach iTEP (ECONNREFUSED); nothing was sent',
		});
	});

	test('a redirect is reported and not followed: the signed POST is never sent to the second address', async () => {
		// A server that redirects every POST to the sandbox: following it would send the request twice.
		const redirector = createServer((req, res) => {
			req.resume();
			req.on('end', () => {
				res.writeHead(307, { Location: `${sandbox.url}${req.url ?? ''}` }).end();
			});
		});
		await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
		const { port } = redirector.address() as AddressInfo;
		try {
			const error = await runItepExpectingError({
				target: sandbox,
				credentials: credentialFor(`http://127.0.0.1:${port}`),
			});
			expect(error).toBeInstanceOf(NodeApiError);
			expect(error.message).toBe('iTEP redirected the request (HTTP 307); it was not followed');
			expect(error.description).toMatch(/Check the API Base URL/);
			expect(sandbox.state.stats.requests).toBe(0);
		} finally {
			redirector.close();
		}
	});

	test('timeout (sandbox latency > Timeout option): outcome unknown, not re-sent', async () => {
		sandbox.state.knobs.latencyMs = 400;
		const error = await runItepExpectingError({
			target: sandbox,
			parameters: { options: { timeout: 100 } },
		});
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/^Outcome unknown: the request was sent but no answer came back/);
		// Not n8n's generic "The connection was aborted, perhaps the server is offline".
		expect(error.message).not.toMatch(/retry|perhaps the server/i);
		expect(error.description).toMatch(/timed out after the request left n8n/);
		expect(error.description).toMatch(CHECK_ASSIGNED_TO);
		// The sandbox processes it after its latency (the "unknown" is real), and only once.
		await waitUntil(
			'the timed-out request to be processed',
			() => sandbox.state.requests.length > 0,
		);
		await sleep(50);
		expect(sandbox.state.requests).toHaveLength(1);
		expect(sandbox.state.requests[0]).toMatchObject({ status: 200, signatureVerified: true });
		expect(sandbox.state.stats.requests).toBe(1);
		expect(sandbox.state.stats.provisioned).toBe(1);
	});
});
