/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- development tooling, never published: n8n's rules for node code do not apply */
import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

import { ItepApi } from '../../credentials/ItepApi.credentials';
import { readItepApiCredential } from '../../nodes/Itep/transport/signRequest';
import { DEFAULT_BASE_URL, SIGNATURE_CHECK_PATH } from '../../nodes/shared/protocol';
import { startSandbox } from '../../sandbox/server';

// Expected signatures were computed in bash (LC_ALL=C.UTF-8, OpenSSL 3) and pasted as literals:
//   printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$KEY"                    (hex)
//   printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$KEY" -binary | base64   (base64)

const KEY = 'itep-sandbox-key';
/** What the node builds for GTX-Academic-Plus, track RC, sequence 77, assigned to "Zoë Ñúñez". */
const BODY =
	'{"product-code":"GTX-Academic-Plus","track":"RC","sequence":77,"assigned-to":{"student-name":"Zoë Ñúñez"}}';
const BODY_OBJECT = {
	'product-code': 'GTX-Academic-Plus',
	track: 'RC',
	sequence: 77,
	'assigned-to': { 'student-name': 'Zoë Ñúñez' },
};
/** KEY=itep-sandbox-key; printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$KEY" */
const BODY_HEX = '4f551d1ff88ad650308263869c68c4d9d6d8fa071e8373fc76ca842010cc854a';
/** KEY=itep-sandbox-key; printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$KEY" -binary | base64 */
const BODY_BASE64 = 'T1UdH/iK1lAwgmOGnGjE2dbY+gceg3P8dsqEIBDMhUo=';
/** KEY=itep-sandbox-key; printf '%s' '{}' | openssl dgst -sha256 -hmac "$KEY" */
const EMPTY_OBJECT_HEX = '7c2ec099b206107292fed3b3c4081e34148aae6ce8ffc168dfdaf9401c5dcaa5';
/** KEY=itep-sandbox-key; printf '%s' '{"check":"signature"}' | openssl dgst -sha256 -hmac "$KEY" */
const SIGNATURE_CHECK_HEX = 'bff5f93dd4e7629d0f49b88fe83908869667484d41ca71b83bd4fd67603ad54e';

type Authenticate = (
	credentials: ICredentialDataDecryptedObject,
	requestOptions: IHttpRequestOptions,
) => Promise<IHttpRequestOptions>;

const credentialType = new ItepApi();
const authenticate = credentialType.authenticate as unknown as Authenticate;

const credentials = (
	overrides: ICredentialDataDecryptedObject = {},
): ICredentialDataDecryptedObject => ({
	apiKey: KEY,
	baseUrl: 'https://api.itep.example/',
	signatureHeader: 'X-Itep-Signature',
	signatureEncoding: 'hex',
	...overrides,
});

const request = (overrides: Partial<IHttpRequestOptions> = {}): IHttpRequestOptions => ({
	method: 'POST',
	url: '/api/fulfillment',
	body: BODY_OBJECT,
	json: true,
	...overrides,
});

/** Header entries whose name equals `name` ignoring case. */
const headerEntries = (options: IHttpRequestOptions, name: string) =>
	Object.entries(options.headers ?? {}).filter(([key]) => key.toLowerCase() === name.toLowerCase());

describe('ItepApi credential: authenticate', () => {
	test('default settings: X-Itep-Signature in hex, JSON content type, body becomes the exact serialised string', async () => {
		const signed = await authenticate(credentials(), request());
		expect(signed.body).toBe(BODY);
		expect(signed.headers).toEqual({
			'Content-Type': 'application/json',
			'X-Itep-Signature': BODY_HEX,
		});
		expect(signed.method).toBe('POST');
		expect(signed.url).toBe('/api/fulfillment');
		expect(signed.json).toBe(true);
	});

	test('custom header name and base64 encoding', async () => {
		const signed = await authenticate(
			credentials({ signatureHeader: ' X-Partner-Signature ', signatureEncoding: 'base64' }),
			request(),
		);
		expect(signed.headers).toEqual({
			'Content-Type': 'application/json',
			'X-Partner-Signature': BODY_BASE64,
		});
		expect(headerEntries(signed, 'X-Itep-Signature')).toHaveLength(0);
		expect(signed.body).toBe(BODY);
	});

	test('an unknown encoding falls back to hex; empty header name and base URL fall back to the defaults', async () => {
		const signed = await authenticate(
			credentials({ signatureEncoding: 'base32', signatureHeader: '', baseUrl: '' }),
			request(),
		);
		expect(signed.headers).toEqual({
			'Content-Type': 'application/json',
			'X-Itep-Signature': BODY_HEX,
		});
		expect(signed.baseURL).toBe(DEFAULT_BASE_URL);
	});

	test('a missing body is signed and sent as {}', async () => {
		const signed = await authenticate(credentials(), request({ body: undefined }));
		expect(signed.body).toBe('{}');
		expect(headerEntries(signed, 'X-Itep-Signature')).toEqual([
			['X-Itep-Signature', EMPTY_OBJECT_HEX],
		]);
	});

	test('a string body is signed as it is, never re-serialised', async () => {
		const pretty = '{"product-code": "GTX-Academic-Plus"}';
		const signed = await authenticate(credentials(), request({ body: pretty }));
		expect(signed.body).toBe(pretty);
		const again = await authenticate(credentials(), request({ body: BODY }));
		expect(again.body).toBe(BODY);
		expect(again.headers).toEqual({
			'Content-Type': 'application/json',
			'X-Itep-Signature': BODY_HEX,
		});
	});

	test('is idempotent: authenticating its own output again gives the same body and one signature header', async () => {
		for (const encoding of ['hex', 'base64'] as const) {
			const settings = credentials({ signatureEncoding: encoding });
			const once = await authenticate(settings, request());
			const twice = await authenticate(settings, once);
			expect(twice.body).toBe(once.body);
			expect(twice.headers).toEqual(once.headers);
			expect(headerEntries(twice, 'X-Itep-Signature')).toEqual([
				['X-Itep-Signature', encoding === 'hex' ? BODY_HEX : BODY_BASE64],
			]);
			expect(headerEntries(twice, 'content-type')).toEqual([['Content-Type', 'application/json']]);
		}
	});

	test('replaces a signature or content-type header that differs only in case instead of adding a second one', async () => {
		const stale = request({
			headers: {
				'x-itep-signature': 'stale-value',
				'CONTENT-TYPE': 'text/plain',
				Accept: 'application/json',
			},
		});
		const signed = await authenticate(credentials(), stale);
		expect(signed.headers).toEqual({
			Accept: 'application/json',
			'Content-Type': 'application/json',
			'X-Itep-Signature': BODY_HEX,
		});

		// The configured name in lower case, an existing header in another case: still one header, one value.
		const lowerConfigured = await authenticate(
			credentials({ signatureHeader: 'x-itep-signature' }),
			request({ headers: { 'X-ITEP-SIGNATURE': 'stale-value' } }),
		);
		const entries = headerEntries(lowerConfigured, 'X-Itep-Signature');
		expect(entries).toEqual([['x-itep-signature', BODY_HEX]]);
		expect(typeof entries[0][1]).toBe('string');
		expect(String(entries[0][1])).not.toContain(',');
		// And running it once more keeps it so.
		const again = await authenticate(
			credentials({ signatureHeader: 'x-itep-signature' }),
			lowerConfigured,
		);
		expect(headerEntries(again, 'X-Itep-Signature')).toEqual([['x-itep-signature', BODY_HEX]]);
	});

	test('does not modify the options it was given', async () => {
		const original = request({ headers: { 'x-itep-signature': 'stale-value' } });
		const snapshot = JSON.parse(JSON.stringify(original));
		await authenticate(credentials(), original);
		expect(original).toEqual(snapshot);
		expect(original.body).toEqual(BODY_OBJECT);
	});

	test('sets the base URL (trailing slashes trimmed) only for relative URLs', async () => {
		const relative = await authenticate(
			credentials({ baseUrl: 'https://api.itep.example//' }),
			request(),
		);
		expect(relative.baseURL).toBe('https://api.itep.example');

		const absolute = await authenticate(
			credentials(),
			request({ url: 'https://other.itep.example/api/fulfillment' }),
		);
		expect(absolute.baseURL).toBeUndefined();
		expect(absolute.url).toBe('https://other.itep.example/api/fulfillment');
		expect(absolute.headers).toEqual({
			'Content-Type': 'application/json',
			'X-Itep-Signature': BODY_HEX,
		});

		const explicit = await authenticate(
			credentials(),
			request({ baseURL: 'http://127.0.0.1:9999' }),
		);
		expect(explicit.baseURL).toBe('http://127.0.0.1:9999');
	});

	test('the API key appears nowhere in the signed request', async () => {
		const apiKey = 'k3y-That-Must-NEVER-Leave-n8n';
		for (const encoding of ['hex', 'base64'] as const) {
			const signed = await authenticate(
				credentials({ apiKey, signatureEncoding: encoding }),
				request(),
			);
			const everything = JSON.stringify(signed);
			expect(everything).not.toContain(apiKey);
			expect(everything.toLowerCase()).not.toContain(apiKey.toLowerCase());
			expect(Buffer.from(everything).toString('base64')).not.toContain(
				Buffer.from(apiKey).toString('base64'),
			);
			expect(signed.auth).toBeUndefined();
			expect(signed.qs).toBeUndefined();
			// And the signature still depends on it.
			const other = await authenticate(credentials({ signatureEncoding: encoding }), request());
			expect(headerEntries(signed, 'X-Itep-Signature')[0][1]).not.toBe(
				headerEntries(other, 'X-Itep-Signature')[0][1],
			);
		}
	});
});

describe('ItepApi credential: settings and test request', () => {
	test('readItepApiCredential trims and defaults', () => {
		expect(readItepApiCredential({})).toEqual({
			apiKey: '',
			baseUrl: DEFAULT_BASE_URL,
			signatureHeader: 'X-Itep-Signature',
			signatureEncoding: 'hex',
		});
		expect(
			readItepApiCredential({
				apiKey: 'k',
				baseUrl: 'https://x.example/v1/',
				signatureHeader: '  X-Sig ',
				signatureEncoding: 'base64',
			}),
		).toEqual({
			apiKey: 'k',
			baseUrl: 'https://x.example/v1',
			signatureHeader: 'X-Sig',
			signatureEncoding: 'base64',
		});
	});

	test('the Test button request is the signed no-op; the sandbox accepts it with the key and refuses another key', async () => {
		const testRequest = credentialType.test.request;
		expect(testRequest.url).toBe(SIGNATURE_CHECK_PATH);
		expect(testRequest.method).toBe('POST');

		const sandbox = await startSandbox({ port: 0 });
		try {
			const send = async (apiKey: string) => {
				const signed = await authenticate(credentials({ apiKey, baseUrl: sandbox.url }), {
					method: 'POST',
					url: testRequest.url as string,
					body: testRequest.body,
				});
				const response = await fetch(`${signed.baseURL}${signed.url}`, {
					method: 'POST',
					headers: signed.headers as Record<string, string>,
					body: signed.body as string,
				});
				return { status: response.status, body: (await response.json()) as unknown, signed };
			};
			const good = await send(KEY);
			expect(good.signed.body).toBe('{"check":"signature"}');
			expect(good.signed.headers).toEqual({
				'Content-Type': 'application/json',
				'X-Itep-Signature': SIGNATURE_CHECK_HEX,
			});
			expect(good).toMatchObject({ status: 200, body: { ok: true } });
			const bad = await send('not-the-key');
			expect(bad.status).toBe(401);
			expect(sandbox.state.stats.provisioned).toBe(0);
		} finally {
			await sandbox.close();
		}
	});
});
