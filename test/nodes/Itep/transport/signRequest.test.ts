/**
 * The bytes the credential signed are the bytes the sandbox received: the node runs in n8n-core's real
 * ExecuteContext, n8n-core sends the request over HTTP, and the sandbox logs the raw body and header.
 */
import type { IHttpRequestOptions } from 'n8n-workflow';

import { createHmac } from 'crypto';

import { computeSignature } from '../../../../nodes/shared/signing';
import { startSandbox, type RunningSandbox } from '../../../../sandbox/server';
import { credentialFor, runItep, SANDBOX_KEY } from '../../../helpers/itepNode';

const UNICODE_ITEMS = [
	{ name: 'Zoë Ñúñez', first: 'Zoë', last: 'Ñúñez', city: 'São Paulo' },
	{ name: '李雷', first: '雷', last: '李', city: '北京 🎓' },
	{ name: 'Ünal 👩🏽‍🎓', first: 'Ünal', last: 'Öztürk', city: 'İzmir' },
];

const parameters = {
	track: 'RC',
	assignedTo: { candidateName: '={{ $json.name }}', candidateId: '={{ "cand-" + $itemIndex }}' },
	registrationMode: 'json',
	registrationJson:
		'={{ JSON.stringify({ First_Name: $json.first, Last_Name: $json.last, City: $json.city }) }}',
};

describe('signed bytes equal received bytes', () => {
	let sandbox: RunningSandbox;
	afterEach(async () => {
		await sandbox?.close();
	});

	test('hex signature in X-Itep-Signature, non-ASCII content: body and header arrive unchanged and verify', async () => {
		sandbox = await startSandbox({ port: 0 });
		const signed: IHttpRequestOptions[] = [];
		const output = await runItep({
			target: sandbox,
			parameters,
			items: UNICODE_ITEMS,
			onSignedRequest: (options) => signed.push(options),
		});

		expect(output).toHaveLength(3);
		expect(signed).toHaveLength(3);
		expect(sandbox.state.requests).toHaveLength(3);
		for (const [index, log] of sandbox.state.requests.entries()) {
			const request = signed[index];
			expect(typeof request.body).toBe('string');
			const body = request.body as string;
			const header = (request.headers as Record<string, string>)['X-Itep-Signature'];

			expect(log.rawBody).toBe(body);
			expect(Buffer.byteLength(log.rawBody, 'utf8')).toBe(Buffer.byteLength(body, 'utf8'));
			expect(log.signatureHeader).toBe(header);
			expect(log.signatureVerified).toBe(true);
			expect(log.status).toBe(200);
			// Recomputed here with node:crypto, not with the pack's signing module.
			expect(log.signatureHeader).toBe(
				createHmac('sha256', SANDBOX_KEY).update(Buffer.from(log.rawBody, 'utf8')).digest('hex'),
			);
			expect(header).toBe(computeSignature(Buffer.from(log.rawBody, 'utf8'), SANDBOX_KEY, 'hex'));
			// Non-ASCII travels as UTF-8, not as \u escapes, and the body is compact.
			expect(log.rawBody).toContain(UNICODE_ITEMS[index].name);
			expect(log.rawBody).not.toMatch(/\\u[0-9a-f]{4}/i);
			expect(JSON.stringify(JSON.parse(log.rawBody))).toBe(log.rawBody);
			expect(output[index].json.sequence).toBe(log.sequence);
		}
	});

	test('base64 signature in a custom header (sandbox configured the same way)', async () => {
		sandbox = await startSandbox({
			port: 0,
			signatureHeader: 'X-Partner-Sig',
			signatureEncoding: 'base64',
		});
		const signed: IHttpRequestOptions[] = [];
		const output = await runItep({
			target: sandbox,
			parameters,
			items: UNICODE_ITEMS.slice(0, 2),
			credentials: credentialFor(sandbox, {
				signatureHeader: 'X-Partner-Sig',
				signatureEncoding: 'base64',
			}),
			onSignedRequest: (options) => signed.push(options),
		});

		expect(output.map((item) => typeof item.json.testId)).toEqual(['string', 'string']);
		for (const [index, log] of sandbox.state.requests.entries()) {
			const headers = signed[index].headers as Record<string, string>;
			expect(Object.keys(headers)).toEqual(['Content-Type', 'X-Partner-Sig']);
			expect(log.rawBody).toBe(signed[index].body);
			expect(log.signatureHeader).toBe(headers['X-Partner-Sig']);
			expect(log.signatureHeader).toMatch(/^[A-Za-z0-9+/]{43}=$/);
			expect(log.signatureVerified).toBe(true);
			expect(headers['X-Partner-Sig']).toBe(
				createHmac('sha256', SANDBOX_KEY).update(Buffer.from(log.rawBody, 'utf8')).digest('base64'),
			);
		}
	});

	test('a hex-signing credential against a base64 sandbox is refused (the encoding matters on the wire)', async () => {
		sandbox = await startSandbox({ port: 0, signatureEncoding: 'base64' });
		const output = await runItep({ target: sandbox, continueOnFail: true });
		expect(output[0].json).toMatchObject({ outcome: 'rejected', httpCode: 401 });
		expect(sandbox.state.requests[0]).toMatchObject({ status: 401, signatureVerified: false });
	});
});
