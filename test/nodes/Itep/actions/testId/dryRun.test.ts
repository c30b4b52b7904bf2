import { createHmac } from 'crypto';

import { computeSignature } from '../../../../../nodes/shared/signing';
import { startSandbox, type RunningSandbox } from '../../../../../sandbox/server';
import { availableCount, credentialFor, runItep, SANDBOX_KEY } from '../../../../helpers/itepNode';

// Expected signatures computed in bash (LC_ALL=C.UTF-8, OpenSSL 3) and pasted as literals:
//   BODY='{"product-code":"GTX-Academic-Plus","track":"RC","sequence":77,"assigned-to":{"student-name":"Zoë Ñúñez","sequence":77}}'
//   printf '%s' "$BODY" | openssl dgst -sha256 -hmac itep-sandbox-key                    (hex)
//   printf '%s' "$BODY" | openssl dgst -sha256 -hmac itep-sandbox-key -binary | base64   (base64)
// The node adds the request's sequence to Assigned To (as in iTEP's example), so it appears there too.
const BODY =
	'{"product-code":"GTX-Academic-Plus","track":"RC","sequence":77,"assigned-to":{"student-name":"Zoë Ñúñez","sequence":77}}';
const BODY_HEX = '3ed47268611047604ea0516b8cf442806a29f5ea4765d5ec96e87ff91089b9a1';
const BODY_BASE64 = 'PtRyaGEQR2BOoFFrjPRCgGop9epHZdXsluh/+RCJuaE=';

const dryRunParameters = {
	track: 'RC',
	assignedTo: { candidateName: 'Zoë Ñúñez' },
	options: { dryRun: true, sequence: 77 },
};

describe('Dry Run', () => {
	let sandbox: RunningSandbox;
	beforeEach(async () => {
		sandbox = await startSandbox({ port: 0 });
	});
	afterEach(async () => {
		await sandbox.close();
	});

	test('returns method, URL, signed headers and the exact body, and sends nothing', async () => {
		const before = availableCount(sandbox);
		const output = await runItep({ target: sandbox, parameters: dryRunParameters });

		expect(output).toEqual([
			{
				json: {
					dryRun: true,
					operation: 'getTestId',
					productCode: 'GTX-Academic-Plus',
					sequence: 77,
					request: {
						method: 'POST',
						url: `${sandbox.url}/api/fulfillment`,
						headers: { 'Content-Type': 'application/json', 'X-Itep-Signature': BODY_HEX },
						body: BODY,
					},
				},
				pairedItem: { item: 0 },
			},
		]);
		expect(sandbox.state.stats.requests).toBe(0);
		expect(sandbox.state.requests).toHaveLength(0);
		expect(availableCount(sandbox)).toBe(before);
	});

	test('uses the credential header name and encoding', async () => {
		const output = await runItep({
			target: sandbox,
			parameters: dryRunParameters,
			credentials: credentialFor('https://api.itep.example/', {
				signatureHeader: 'X-Partner-Sig',
				signatureEncoding: 'base64',
			}),
		});
		expect(output[0].json.request).toEqual({
			method: 'POST',
			url: 'https://api.itep.example/api/fulfillment',
			headers: { 'Content-Type': 'application/json', 'X-Partner-Sig': BODY_BASE64 },
			body: BODY,
		});
	});

	test('several items with generated sequences: each signature matches its own body; nothing is sent', async () => {
		const output = await runItep({
			target: sandbox,
			operation: 'sendTestId',
			parameters: { email: '={{ $json.email }}', options: { dryRun: true } },
			items: [{ email: 'a@example.com' }, { email: 'b@example.com' }, { email: 'c@example.com' }],
		});
		expect(output).toHaveLength(3);
		const sequences = output.map((item) => item.json.sequence as number);
		expect(new Set(sequences).size).toBe(3);
		for (const [index, item] of output.entries()) {
			const request = item.json.request as { headers: Record<string, string>; body: string };
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json.operation).toBe('sendTestId');
			expect(JSON.parse(request.body)).toEqual({
				'product-code': 'STX-Academic-Plus',
				email: ['a@example.com', 'b@example.com', 'c@example.com'][index],
				sequence: sequences[index],
				'assigned-to': {
					sequence: sequences[index],
					'n8n-workflow': 'wf',
					'assigned-at': expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
				},
			});
			expect(request.headers['X-Itep-Signature']).toBe(computeSignature(request.body, SANDBOX_KEY));
		}
		expect(sandbox.state.stats.requests).toBe(0);
		expect(sandbox.state.outbox).toHaveLength(0);
	});

	test('what Dry Run shows is what iTEP accepts: replaying those exact headers and bytes provisions', async () => {
		const [item] = await runItep({ target: sandbox, parameters: { options: { dryRun: true } } });
		const request = item.json.request as {
			method: string;
			url: string;
			headers: Record<string, string>;
			body: string;
		};
		const response = await fetch(request.url, {
			method: request.method,
			headers: request.headers,
			body: request.body,
		});
		expect(response.status).toBe(200);
		const log = sandbox.state.requests[0];
		expect(log.rawBody).toBe(request.body);
		expect(log.signatureVerified).toBe(true);
		expect(log.signatureHeader).toBe(
			createHmac('sha256', SANDBOX_KEY).update(Buffer.from(log.rawBody, 'utf8')).digest('hex'),
		);
	});
});
