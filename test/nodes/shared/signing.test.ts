/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- development tooling, never published: n8n's rules for node code do not apply */
import { computeSignature, safeEqual, serializeBody } from '../../../nodes/shared/signing';
// The sandbox's own verifier (node:crypto, no pack code): it must accept what the openssl vectors say.
import { verifyHmacSha256 as verifySignature } from '../../../sandbox/signature';

// Known-answer vectors. Every expected signature below was computed OUTSIDE this code base, in bash with
// LC_ALL=C.UTF-8 and OpenSSL 3, and pasted in as a literal:
//   printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$KEY"                    (hex)
//   printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$KEY" -binary | base64   (base64)
// so a bug shared by computeSignature and verifySignature cannot make these tests pass.

/**
 * iTEP's own example body from "Putting it all together" in the fulfillment document, compacted with
 *   sed -n 105p itep-integration-overview-and-fulfillment.txt | sed 's/}$//' | jq -c .
 * (the document's example has spaces after some colons, which iTEP says not to send, and one "}" too many).
 * 479 bytes.
 */
const ITEP_EXAMPLE_BODY =
	'{"product-code":"STX-Academic-Plus","email":"tfatout2@proton.me","bcc":"twif_bam@yahoo.com","track":"RC","sequence":3,"assigned-to":{"expire":"2024-09-01","student-name":"Mary Poppins","customer-candidate-id":9810283,"sequence":3},"registration":{"Last_Name":"Poppins","First_Name":"Mary","Email":"m.poppins@disney.com","Birthday":"1955-07-08","OIN":"123-456-7890","OIN_Country":"US","OIN_Type":"1","Address":"10119 Popular Lane","City":"Los Angeles","Field_Of_Study":"Biology"}}';
const ITEP_EXAMPLE_KEY = 'itep-doc-example-key';
/** KEY=itep-doc-example-key; printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$KEY" */
const ITEP_EXAMPLE_HEX = '6331641247beea944849646e7bdc79c236914f035504618a3c3cc61697362b5a';
/** KEY=itep-doc-example-key; printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$KEY" -binary | base64 */
const ITEP_EXAMPLE_BASE64 = 'YzFkEke+6pRISWRue9x5wjaRTwNVBGGKPDzGFpc2K1o=';

/** Non-ASCII names, CJK and an emoji (4-byte UTF-8); 207 bytes as UTF-8 (printf '%s' "$BODY" | wc -c). */
const UNICODE_BODY =
	'{"product-code":"GTX-Academic-Plus","sequence":42,"assigned-to":{"student-name":"Zoë Ñúñez","email":"zoe@example.com"},"registration":{"First_Name":"李雷","Last_Name":"Ñúñez","City":"Zürich 🎓"}}';
const SANDBOX_KEY = 'itep-sandbox-key';
/** KEY=itep-sandbox-key; printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$KEY" */
const UNICODE_HEX = '9783c0b4538db0d0c6439696cf55b95f1b1d9ab7a89080d5992e37bb24bd4307';
/** KEY=itep-sandbox-key; printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$KEY" -binary | base64 */
const UNICODE_BASE64 = 'l4PAtFONsNDGQ5aWz1W5XxsdmreokIDVmS43uyS9Qwc=';
/** KEY='clé-secrète-🔑' (a non-ASCII key, taken as UTF-8); printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$KEY" */
const UNICODE_KEY = 'clé-secrète-🔑';
const UNICODE_BODY_UNICODE_KEY_HEX =
	'7a834ee618595680bcbbe45232f2d72c234ec2c5c75117d92c7ff1a36ca4e161';

/** KEY=itep-sandbox-key; printf '%s' '{}' | openssl dgst -sha256 -hmac "$KEY" */
const EMPTY_OBJECT_HEX = '7c2ec099b206107292fed3b3c4081e34148aae6ce8ffc168dfdaf9401c5dcaa5';

describe('serializeBody', () => {
	test("iTEP's example object serialises to exactly the compacted example (key order kept, no whitespace)", () => {
		const example = {
			'product-code': 'STX-Academic-Plus',
			email: 'tfatout2@proton.me',
			bcc: 'twif_bam@yahoo.com',
			track: 'RC',
			sequence: 3,
			'assigned-to': {
				expire: '2024-09-01',
				'student-name': 'Mary Poppins',
				'customer-candidate-id': 9810283,
				sequence: 3,
			},
			registration: {
				Last_Name: 'Poppins',
				First_Name: 'Mary',
				Email: 'm.poppins@disney.com',
				Birthday: '1955-07-08',
				OIN: '123-456-7890',
				OIN_Country: 'US',
				OIN_Type: '1',
				Address: '10119 Popular Lane',
				City: 'Los Angeles',
				Field_Of_Study: 'Biology',
			},
		};
		expect(serializeBody(example)).toBe(ITEP_EXAMPLE_BODY);
		expect(Buffer.byteLength(serializeBody(example), 'utf8')).toBe(479);
	});

	test('keeps keys in insertion order, not sorted', () => {
		expect(serializeBody({ z: 1, a: 2, m: { y: 1, b: 2 } })).toBe(
			'{"z":1,"a":2,"m":{"y":1,"b":2}}',
		);
	});

	test('writes non-ASCII characters as UTF-8, not \\u escapes', () => {
		const body = {
			'product-code': 'GTX-Academic-Plus',
			sequence: 42,
			'assigned-to': { 'student-name': 'Zoë Ñúñez', email: 'zoe@example.com' },
			registration: { First_Name: '李雷', Last_Name: 'Ñúñez', City: 'Zürich 🎓' },
		};
		const text = serializeBody(body);
		expect(text).toBe(UNICODE_BODY);
		expect(text).not.toMatch(/\\u/);
		expect(Buffer.byteLength(text, 'utf8')).toBe(207);
	});

	test('has no whitespace outside strings', () => {
		const text = serializeBody({ a: [1, 2, { b: 'x y' }], c: null, d: true });
		expect(text).toBe('{"a":[1,2,{"b":"x y"}],"c":null,"d":true}');
	});
});

describe('computeSignature known-answer vectors (openssl)', () => {
	test.each([
		["iTEP's example, hex", ITEP_EXAMPLE_BODY, ITEP_EXAMPLE_KEY, 'hex', ITEP_EXAMPLE_HEX],
		["iTEP's example, base64", ITEP_EXAMPLE_BODY, ITEP_EXAMPLE_KEY, 'base64', ITEP_EXAMPLE_BASE64],
		['non-ASCII body, hex', UNICODE_BODY, SANDBOX_KEY, 'hex', UNICODE_HEX],
		['non-ASCII body, base64', UNICODE_BODY, SANDBOX_KEY, 'base64', UNICODE_BASE64],
		['non-ASCII body and key, hex', UNICODE_BODY, UNICODE_KEY, 'hex', UNICODE_BODY_UNICODE_KEY_HEX],
		['{}', '{}', SANDBOX_KEY, 'hex', EMPTY_OBJECT_HEX],
	] as const)('%s', (_name, body, key, encoding, expected) => {
		expect(computeSignature(body, key, encoding)).toBe(expected);
		// The same bytes given as a Buffer sign the same.
		expect(computeSignature(Buffer.from(body, 'utf8'), key, encoding)).toBe(expected);
	});

	test('hex is the default encoding and is lower case', () => {
		expect(computeSignature(ITEP_EXAMPLE_BODY, ITEP_EXAMPLE_KEY)).toBe(ITEP_EXAMPLE_HEX);
		expect(computeSignature(ITEP_EXAMPLE_BODY, ITEP_EXAMPLE_KEY)).toMatch(/^[0-9a-f]{64}$/);
	});

	test('one changed byte, a pretty-printed body or another key gives another signature', () => {
		expect(
			computeSignature(
				ITEP_EXAMPLE_BODY.replace('"sequence":3,', '"sequence":4,'),
				ITEP_EXAMPLE_KEY,
			),
		).not.toBe(ITEP_EXAMPLE_HEX);
		expect(
			computeSignature(JSON.stringify(JSON.parse(ITEP_EXAMPLE_BODY), null, 2), ITEP_EXAMPLE_KEY),
		).not.toBe(ITEP_EXAMPLE_HEX);
		expect(computeSignature(ITEP_EXAMPLE_BODY, SANDBOX_KEY)).not.toBe(ITEP_EXAMPLE_HEX);
		// NFD "ë" (e + combining diaeresis) is other bytes than NFC "ë".
		expect(computeSignature(UNICODE_BODY.normalize('NFD'), SANDBOX_KEY)).not.toBe(UNICODE_HEX);
	});
});

describe('the sandbox verifier on the same vectors; safeEqual', () => {
	test('accepts the openssl vectors (hex also in upper case or with surrounding spaces)', () => {
		expect(verifySignature(ITEP_EXAMPLE_BODY, ITEP_EXAMPLE_KEY, ITEP_EXAMPLE_HEX)).toBe(true);
		expect(
			verifySignature(ITEP_EXAMPLE_BODY, ITEP_EXAMPLE_KEY, ITEP_EXAMPLE_HEX.toUpperCase()),
		).toBe(true);
		expect(verifySignature(ITEP_EXAMPLE_BODY, ITEP_EXAMPLE_KEY, ` ${ITEP_EXAMPLE_HEX} `)).toBe(
			true,
		);
		expect(
			verifySignature(ITEP_EXAMPLE_BODY, ITEP_EXAMPLE_KEY, ITEP_EXAMPLE_BASE64, 'base64'),
		).toBe(true);
		expect(
			verifySignature(Buffer.from(UNICODE_BODY, 'utf8'), SANDBOX_KEY, UNICODE_BASE64, 'base64'),
		).toBe(true);
	});

	test('rejects wrong signatures, wrong keys, the other encoding and changed base64 case', () => {
		expect(verifySignature(ITEP_EXAMPLE_BODY, SANDBOX_KEY, ITEP_EXAMPLE_HEX)).toBe(false);
		expect(verifySignature(UNICODE_BODY, SANDBOX_KEY, ITEP_EXAMPLE_HEX)).toBe(false);
		expect(verifySignature(ITEP_EXAMPLE_BODY, ITEP_EXAMPLE_KEY, ITEP_EXAMPLE_BASE64)).toBe(false);
		expect(verifySignature(ITEP_EXAMPLE_BODY, ITEP_EXAMPLE_KEY, ITEP_EXAMPLE_HEX, 'base64')).toBe(
			false,
		);
		expect(
			verifySignature(
				ITEP_EXAMPLE_BODY,
				ITEP_EXAMPLE_KEY,
				ITEP_EXAMPLE_BASE64.toLowerCase(),
				'base64',
			),
		).toBe(false);
		expect(verifySignature(ITEP_EXAMPLE_BODY, ITEP_EXAMPLE_KEY, '')).toBe(false);
		expect(
			verifySignature(ITEP_EXAMPLE_BODY, ITEP_EXAMPLE_KEY, ITEP_EXAMPLE_HEX.slice(0, 63)),
		).toBe(false);
	});

	test('safeEqual compares contents and lengths', () => {
		expect(safeEqual('abc', 'abc')).toBe(true);
		expect(safeEqual('abc', 'abd')).toBe(false);
		expect(safeEqual('abc', 'abcd')).toBe(false);
		expect(safeEqual('', '')).toBe(true);
	});
});
