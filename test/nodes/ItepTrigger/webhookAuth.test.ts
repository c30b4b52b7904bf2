/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- development tooling, never published: n8n's rules for node code do not apply */
import {
	checkWebhookAuthSettings,
	DEFAULT_WEBHOOK_SIGNATURE_HEADER,
	DEFAULT_WEBHOOK_TIMESTAMP_HEADER,
	MAX_SIGNATURES_PER_HEADER,
	verifyWebhookRequest,
	type WebhookAuthSettings,
	type WebhookHeaders,
} from '../../../nodes/ItepTrigger/webhookAuth';
// The sender side is the sandbox's own code: the trigger's verifier must accept what it signs.
import { signDelivery as signWebhookRequest } from '../../../sandbox/webhookAuth';

// Known-answer vectors. The expected signatures below were computed OUTSIDE this code base, in a shell, with
// OpenSSL 3.0.19, e.g.:
//   printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$KEY"                        (hex)
//   printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$KEY" -binary | base64       (base64)
//   printf '%s' "1700000000.$BODY" | openssl dgst -sha256 -hmac "$KEY" ...         (with timestamp)
// and pasted in as literals, so a bug shared by signing and verifying cannot make these tests pass.
const KEY = 'whsec-itep-known-answer-key';
const BODY = 'data=%7B%22TestID%22%3A%2250613490BP%22%2C%22Status%22%3A%22Completed%22%7D';
const TIMESTAMP = 1700000000;
const VECTORS = {
	hexRaw: 'bbee4ead06cc805c1d0ba02fa6607db1fcd3250ec16f8f2793bf25c3dfbba327',
	base64Raw: 'u+5OrQbMgFwdC6AvpmB9sfzTJQ7Bb48nk78lw9+7oyc=',
	hexTimestamped: '3f12f684cb5a9ce5eb4cc799c89b3c9675ab0c35608e95ad1d8dbd46c7e4b283',
	base64Timestamped: 'PxL2hMtanOXrTMeZyJs8lnWrDDVgjpWtHY29RsfksoM=',
	/** `1700000000.$BODY` under the key "rotated-secret-2". */
	base64TimestampedKey2: 'QqL4tGhw4jLaPaKZGwOChSwZKMSRdOi4ZxF2Cp/5Z+A=',
	/** Empty body under KEY. */
	hexEmpty: 'c3b5fef8c5ab4f7af0772312a0704d42ebfa206391359b5dadfa8bc39267cfb3',
	/** The UTF-8 bytes of {"data":"{\"TestID\":\"Ä-1\",\"Status\":\"Complete\"}"} under KEY. */
	hexUtf8: 'aa93f16984a799f1d3ece1cf9d81cbb7c8b733d10a15412e8fe5c02fbb00322b',
};
const UTF8_BODY = '{"data":"{\\"TestID\\":\\"Ä-1\\",\\"Status\\":\\"Complete\\"}"}';

const SIG = DEFAULT_WEBHOOK_SIGNATURE_HEADER.toLowerCase();
const TS = DEFAULT_WEBHOOK_TIMESTAMP_HEADER.toLowerCase();

const hmac = (overrides: Partial<Extract<WebhookAuthSettings, { mode: 'hmac' }>> = {}) =>
	({
		mode: 'hmac',
		headerName: DEFAULT_WEBHOOK_SIGNATURE_HEADER,
		secrets: [KEY],
		encoding: 'hex',
		...overrides,
	}) satisfies WebhookAuthSettings;

const timestamped = (overrides: Partial<Extract<WebhookAuthSettings, { mode: 'hmac' }>> = {}) =>
	hmac({ timestampHeader: DEFAULT_WEBHOOK_TIMESTAMP_HEADER, ...overrides });

/** Headers as Node delivers them: lower-case names. */
const lower = (headers: Record<string, string>): WebhookHeaders =>
	Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));

const rejected = (verdict: ReturnType<typeof verifyWebhookRequest>) => {
	expect(verdict.ok).toBe(false);
	return verdict.ok ? '' : verdict.reason;
};

describe('HMAC known-answer vectors (computed with openssl)', () => {
	test.each([
		['hex, raw body', hmac(), BODY, VECTORS.hexRaw, undefined],
		['base64, raw body', hmac({ encoding: 'base64' }), BODY, VECTORS.base64Raw, undefined],
		['hex, timestamp.body', timestamped(), BODY, VECTORS.hexTimestamped, TIMESTAMP],
		[
			'base64, timestamp.body',
			timestamped({ encoding: 'base64' }),
			BODY,
			VECTORS.base64Timestamped,
			TIMESTAMP,
		],
		['hex, empty body', hmac(), '', VECTORS.hexEmpty, undefined],
		['hex, UTF-8 body', hmac(), UTF8_BODY, VECTORS.hexUtf8, undefined],
	])(
		'%s: signer produces the vector and verifier accepts it',
		(_name, settings, body, expected, timestamp) => {
			const headers = signWebhookRequest(body, settings, timestamp ?? TIMESTAMP);
			expect(headers[DEFAULT_WEBHOOK_SIGNATURE_HEADER]).toBe(expected);
			const received = lower({
				[SIG]: expected,
				...(timestamp !== undefined && { [TS]: String(timestamp) }),
			});
			expect(
				verifyWebhookRequest(received, Buffer.from(body, 'utf8'), settings, TIMESTAMP + 10),
			).toEqual({
				ok: true,
			});
		},
	);

	test('a raw body given as Buffer and as string verify alike', () => {
		const headers = lower({ [SIG]: VECTORS.hexRaw });
		expect(verifyWebhookRequest(headers, BODY, hmac(), 0)).toEqual({ ok: true });
		expect(verifyWebhookRequest(headers, Buffer.from(BODY), hmac(), 0)).toEqual({ ok: true });
	});

	test('Standard-Webhooks/Stripe-style header lists are accepted: "v1,<sig> v1,<other>" and "t=..,v1=.."', () => {
		const base64 = timestamped({ encoding: 'base64' });
		const listed = lower({
			[SIG]: `v1,${VECTORS.base64TimestampedKey2} v1,${VECTORS.base64Timestamped}`,
			[TS]: String(TIMESTAMP),
		});
		expect(verifyWebhookRequest(listed, BODY, base64, TIMESTAMP)).toEqual({ ok: true });
		const commaList = lower({ [SIG]: `bogus,${VECTORS.hexTimestamped}`, [TS]: String(TIMESTAMP) });
		expect(verifyWebhookRequest(commaList, BODY, timestamped(), TIMESTAMP)).toEqual({ ok: true });
	});
});

describe('HMAC rejections', () => {
	const now = TIMESTAMP;
	const good = () => lower({ [SIG]: VECTORS.hexRaw });

	test('wrong key', () => {
		expect(
			rejected(verifyWebhookRequest(good(), BODY, hmac({ secrets: ['another-key'] }), now)),
		).toMatch(/does not match/);
	});

	test('body changed by one byte', () => {
		expect(rejected(verifyWebhookRequest(good(), `${BODY} `, hmac(), now))).toMatch(
			/does not match/,
		);
	});

	test('truncated signature', () => {
		const headers = lower({ [SIG]: VECTORS.hexRaw.slice(0, 63) });
		expect(rejected(verifyWebhookRequest(headers, BODY, hmac(), now))).toMatch(/does not match/);
	});

	test('signature of a different length (extra characters, sha1-sized, empty token list)', () => {
		for (const signature of [`${VECTORS.hexRaw}00`, 'a'.repeat(40), ' , ']) {
			const verdict = verifyWebhookRequest(lower({ [SIG]: signature }), BODY, hmac(), now);
			expect(verdict.ok).toBe(false);
		}
	});

	test('missing signature header', () => {
		expect(rejected(verifyWebhookRequest({}, BODY, hmac(), now))).toBe(
			`missing header ${DEFAULT_WEBHOOK_SIGNATURE_HEADER}`,
		);
	});

	test('the right signature in the wrong encoding', () => {
		const base64Header = lower({ [SIG]: VECTORS.base64Raw });
		expect(verifyWebhookRequest(base64Header, BODY, hmac(), now).ok).toBe(false);
		expect(verifyWebhookRequest(good(), BODY, hmac({ encoding: 'base64' }), now).ok).toBe(false);
	});

	test('base64 is case-sensitive, hex is not; "sha256=" prefix is tolerated', () => {
		const upperHex = lower({ [SIG]: `SHA256=${VECTORS.hexRaw.toUpperCase()}` });
		expect(verifyWebhookRequest(upperHex, BODY, hmac(), now)).toEqual({ ok: true });
		const flippedBase64 = lower({ [SIG]: VECTORS.base64Raw.toLowerCase() });
		expect(verifyWebhookRequest(flippedBase64, BODY, hmac({ encoding: 'base64' }), now).ok).toBe(
			false,
		);
	});

	test(`more than ${MAX_SIGNATURES_PER_HEADER} signatures in one header are refused`, () => {
		const many = Array.from({ length: MAX_SIGNATURES_PER_HEADER }, () => 'ff').concat(
			VECTORS.hexRaw,
		);
		expect(
			rejected(verifyWebhookRequest(lower({ [SIG]: many.join(' ') }), BODY, hmac(), now)),
		).toMatch(/more than/);
	});

	test('no usable secret configured: everything is refused', () => {
		expect(rejected(verifyWebhookRequest(good(), BODY, hmac({ secrets: ['', ''] }), now))).toMatch(
			/no signing secret/,
		);
	});

	test('a signature over the body alone is refused when a timestamp is required', () => {
		const headers = lower({ [SIG]: VECTORS.hexRaw, [TS]: String(TIMESTAMP) });
		expect(verifyWebhookRequest(headers, BODY, timestamped(), TIMESTAMP).ok).toBe(false);
	});
});

describe('timestamp window', () => {
	const headersAt = (timestamp: string) =>
		lower({ [SIG]: VECTORS.hexTimestamped, [TS]: timestamp });
	const settings = timestamped({ toleranceSeconds: 300 });

	test('accepted at the edges of the window, both directions', () => {
		expect(verifyWebhookRequest(headersAt('1700000000'), BODY, settings, TIMESTAMP + 300)).toEqual({
			ok: true,
		});
		expect(verifyWebhookRequest(headersAt('1700000000'), BODY, settings, TIMESTAMP - 300)).toEqual({
			ok: true,
		});
	});

	test('stale: one second past the window', () => {
		expect(
			rejected(verifyWebhookRequest(headersAt('1700000000'), BODY, settings, TIMESTAMP + 301)),
		).toMatch(/older than 300 seconds/);
	});

	test('future: one second beyond the window', () => {
		expect(
			rejected(verifyWebhookRequest(headersAt('1700000000'), BODY, settings, TIMESTAMP - 301)),
		).toMatch(/in the future/);
	});

	test('default tolerance is 300 seconds', () => {
		const noTolerance = timestamped();
		expect(
			verifyWebhookRequest(headersAt('1700000000'), BODY, noTolerance, TIMESTAMP + 300).ok,
		).toBe(true);
		expect(
			verifyWebhookRequest(headersAt('1700000000'), BODY, noTolerance, TIMESTAMP + 301).ok,
		).toBe(false);
	});

	test('missing or malformed timestamp header', () => {
		const noTimestamp = lower({ [SIG]: VECTORS.hexTimestamped });
		expect(rejected(verifyWebhookRequest(noTimestamp, BODY, settings, TIMESTAMP))).toBe(
			`missing header ${DEFAULT_WEBHOOK_TIMESTAMP_HEADER}`,
		);
		for (const bad of ['1700000000000000', '17e8', '-1', 'yesterday', '1700000000.5']) {
			expect(rejected(verifyWebhookRequest(headersAt(bad), BODY, settings, TIMESTAMP))).toMatch(
				/not a Unix time in seconds/,
			);
		}
	});

	test('a replayed signature with a fresh timestamp does not verify (the timestamp is signed)', () => {
		expect(verifyWebhookRequest(headersAt('1700000100'), BODY, settings, TIMESTAMP + 100).ok).toBe(
			false,
		);
	});
});

describe('secret rotation', () => {
	const base64 = (secrets: string[]) => timestamped({ encoding: 'base64', secrets });
	const signedWithKey2 = lower({ [SIG]: VECTORS.base64TimestampedKey2, [TS]: String(TIMESTAMP) });
	const signedWithKey1 = lower({ [SIG]: VECTORS.base64Timestamped, [TS]: String(TIMESTAMP) });

	test('either of two configured secrets is accepted', () => {
		const both = base64([KEY, 'rotated-secret-2']);
		expect(verifyWebhookRequest(signedWithKey1, BODY, both, TIMESTAMP)).toEqual({ ok: true });
		expect(verifyWebhookRequest(signedWithKey2, BODY, both, TIMESTAMP)).toEqual({ ok: true });
	});

	test('after the old secret is removed, its signatures are refused', () => {
		expect(
			verifyWebhookRequest(signedWithKey1, BODY, base64(['rotated-secret-2']), TIMESTAMP).ok,
		).toBe(false);
	});

	test('a sender mid-rotation signs with every secret, space-separated', () => {
		const headers = signWebhookRequest(BODY, base64([KEY, 'rotated-secret-2']), TIMESTAMP);
		expect(headers[DEFAULT_WEBHOOK_SIGNATURE_HEADER]).toBe(
			`${VECTORS.base64Timestamped} ${VECTORS.base64TimestampedKey2}`,
		);
		expect(headers[DEFAULT_WEBHOOK_TIMESTAMP_HEADER]).toBe(String(TIMESTAMP));
		expect(
			verifyWebhookRequest(lower(headers), BODY, base64(['rotated-secret-2']), TIMESTAMP),
		).toEqual({
			ok: true,
		});
	});
});

describe('header and basic modes', () => {
	const header: WebhookAuthSettings = {
		mode: 'header',
		headerName: 'X-Itep-Token',
		value: 's3cr3t-value',
	};
	const basic: WebhookAuthSettings = { mode: 'basic', user: 'itep', password: 'pa:ss word' };

	test('header: exact value accepted, header name case-insensitive', () => {
		expect(verifyWebhookRequest({ 'x-itep-token': 's3cr3t-value' }, '', header, 0)).toEqual({
			ok: true,
		});
		expect(verifyWebhookRequest({ 'X-ITEP-TOKEN': 's3cr3t-value' }, '', header, 0)).toEqual({
			ok: true,
		});
	});

	test('header: wrong, prefix, longer, missing', () => {
		for (const value of ['s3cr3t-valuE', 's3cr3t', 's3cr3t-value-and-more', '']) {
			expect(verifyWebhookRequest({ 'x-itep-token': value }, '', header, 0).ok).toBe(false);
		}
		expect(rejected(verifyWebhookRequest({}, '', header, 0))).toBe('missing header X-Itep-Token');
	});

	test.each(['__proto__', 'constructor', 'toString'])(
		'a header named %s is looked up among the request headers only, never on Object.prototype (found by fuzzing)',
		(name) => {
			const settings: WebhookAuthSettings = { mode: 'header', headerName: name, value: 'v' };
			expect(rejected(verifyWebhookRequest({}, '', settings, 0))).toBe(`missing header ${name}`);
			const timestampedSettings = timestamped({ timestampHeader: name });
			expect(rejected(verifyWebhookRequest({}, BODY, timestampedSettings, TIMESTAMP))).toBe(
				`missing header ${name}`,
			);
			const sent: WebhookHeaders = JSON.parse(`{"${name.toLowerCase()}":"v"}`);
			expect(verifyWebhookRequest(sent, '', settings, 0)).toEqual({ ok: true });
		},
	);

	test('basic: signer output verifies; password may contain ":" and spaces', () => {
		const headers = lower(signWebhookRequest('', basic, 0));
		expect(headers.authorization).toBe(
			`Basic ${Buffer.from('itep:pa:ss word').toString('base64')}`,
		);
		expect(verifyWebhookRequest(headers, '', basic, 0)).toEqual({ ok: true });
	});

	test('basic: wrong user, wrong password, other scheme, garbage, missing', () => {
		const encode = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;
		for (const authorization of [
			encode('itep2:pa:ss word'),
			encode('itep:pa:ss'),
			encode('itep'),
			'Bearer pa:ss word',
			'Basic ***',
		]) {
			expect(verifyWebhookRequest({ authorization }, '', basic, 0).ok).toBe(false);
		}
		expect(rejected(verifyWebhookRequest({}, '', basic, 0))).toBe('missing header Authorization');
	});

	test('misconfigured header/basic settings accept nothing', () => {
		const emptyValue: WebhookAuthSettings = {
			mode: 'header',
			headerName: 'X-Itep-Token',
			value: '',
		};
		expect(verifyWebhookRequest({ 'x-itep-token': '' }, '', emptyValue, 0).ok).toBe(false);
		const emptyBasic: WebhookAuthSettings = { mode: 'basic', user: '', password: '' };
		expect(verifyWebhookRequest({ authorization: 'Basic Og==' }, '', emptyBasic, 0).ok).toBe(false);
	});

	test('none accepts anything and signs nothing', () => {
		expect(verifyWebhookRequest({}, '', { mode: 'none' }, 0)).toEqual({ ok: true });
		expect(signWebhookRequest('x', { mode: 'none' }, 0)).toEqual({});
	});
});

describe('reasons never reveal secrets or received values', () => {
	const secret = 'TOP-SECRET-abc123';
	const attempts: Array<[WebhookAuthSettings, WebhookHeaders]> = [
		[{ mode: 'header', headerName: 'X-Token', value: secret }, { 'x-token': `${secret}x` }],
		[
			{ mode: 'basic', user: 'u', password: secret },
			{ authorization: `Basic ${btoa(`u:${secret}!`)}` },
		],
		[hmac({ secrets: [secret] }), { [SIG]: 'deadbeef' }],
		[timestamped({ secrets: [secret] }), { [SIG]: 'deadbeef', [TS]: '1' }],
	];
	test.each(attempts)('%#', (settings, headers) => {
		const reason = rejected(verifyWebhookRequest(headers, BODY, settings, TIMESTAMP));
		expect(reason).not.toContain(secret);
		expect(reason).not.toContain('deadbeef');
		expect(reason.length).toBeLessThan(120);
	});
});

describe('checkWebhookAuthSettings (credential test)', () => {
	test('well-formed settings have no problems', () => {
		expect(checkWebhookAuthSettings(timestamped({ toleranceSeconds: 300 }))).toEqual([]);
		expect(checkWebhookAuthSettings({ mode: 'basic', user: 'itep', password: 'x' })).toEqual([]);
		expect(checkWebhookAuthSettings({ mode: 'header', headerName: 'X-Token', value: 'v' })).toEqual(
			[],
		);
	});

	test('each problem is named, secrets are not echoed', () => {
		expect(checkWebhookAuthSettings(hmac({ secrets: [], headerName: 'Bad Header' }))).toEqual([
			'Signature Header Name is not a valid HTTP header name',
			'Secret is empty',
		]);
		expect(checkWebhookAuthSettings(hmac({ secrets: [' padded-secret '] }))).toEqual([
			'Secret starts or ends with whitespace',
		]);
		expect(
			checkWebhookAuthSettings(
				timestamped({ timestampHeader: DEFAULT_WEBHOOK_SIGNATURE_HEADER, toleranceSeconds: 0 }),
			),
		).toEqual([
			'Timestamp Header Name must differ from Signature Header Name',
			'Tolerance must be a whole number of seconds greater than 0',
		]);
		expect(checkWebhookAuthSettings({ mode: 'basic', user: 'a:b', password: '' })).toEqual([
			'User must not contain ":"',
			'Password is empty',
		]);
	});
});
