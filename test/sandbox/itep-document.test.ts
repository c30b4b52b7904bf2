/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions -- development tooling, never published: n8n's rules for node code do not apply */
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';

import { adminGet, callApi, fulfillment, type ParsedJson } from '../../devkit/sandboxClient';
import { DEFAULT_SANDBOX_API_KEY } from '../../sandbox/config';
import {
	API_ERROR_CODES,
	DEFAULT_SIGNATURE_HEADER,
	EXAM_STATUSES_VERSION_A,
	EXAM_STATUSES_VERSION_B,
	FULFILLMENT_PATH,
	GENERIC_TEST_TYPES,
	ITEP_EXAMPLE_REQUEST_BODY,
	NO_AVAILABLE_TEST_IDS_STATUS,
	PRODUCT_CODE_PREFIXES,
	REGISTRATION_FIELD_NAMES,
	SEQUENCE_REUSED_STATUS,
	SIGNATURE_CHECK_PATH,
} from '../../sandbox/itepDocument';
import { checkFulfillmentBody, nearestRegistrationName } from '../../sandbox/requestBody';
import { startSandbox, type RunningSandbox } from '../../sandbox/server';
import { hmacSha256, verifyHmacSha256 } from '../../sandbox/signature';

/**
 * Copied by hand from iTEP's fulfillment document ("The valid field names are listed below"), in its order.
 * A second copy, on purpose: if sandbox/itepDocument.ts drifts from the document, this catches it.
 */
const DOCUMENT_REGISTRATION_NAMES = `
Last_Name First_Name Middle_Name DOB_Month DOB_Day DOB_Year Email Contact_Phone Address City Birthday Country
Nationality OIN OIN_Country OIN_Type Language Center Gender Education Taken_Test DOT_Month DOT_Day DOT_Year
Location Admin_Test_Location Agree Honest Applying_To_School Apply_School_Type_1 Apply_School_Name_1
Apply_School_Other_1 Apply_School_Type_2 Apply_School_Name_2 Apply_School_Other_2 Apply_School_Type_3
Apply_School_Name_3 Apply_School_Other_3 Field_Of_Study Location_Country Location_Region Location_Name
trSchoolLevel trReferral trExternal_ID trCampus trCollege trDepartment trDegree trStatus trAttribute
trStudent_Number trBatch_Number
`
	.trim()
	.split(/\s+/);

/** `openssl dgst -sha256 -hmac KEY` over exactly these bytes: a known answer from outside Node and the sandbox. */
function opensslHmacHex(payload: string, key: string): string {
	const output = execFileSync('openssl', ['dgst', '-sha256', '-hmac', key], {
		input: Buffer.from(payload, 'utf8'),
	}).toString('utf8');
	const match = /([0-9a-f]{64})\s*$/.exec(output);
	if (!match) throw new Error(`Unexpected openssl output: ${output}`);
	return match[1];
}

const hasOpenssl = (() => {
	try {
		execFileSync('openssl', ['version'], { stdio: 'ignore' });
		return true;
	} catch {
		return false;
	}
})();
const withOpenssl = hasOpenssl ? test : test.skip;

describe("the sandbox's copy of iTEP's documents", () => {
	test('the 53 registration field names, exactly as the document lists them, in its order', () => {
		expect(DOCUMENT_REGISTRATION_NAMES).toHaveLength(53);
		expect([...REGISTRATION_FIELD_NAMES]).toEqual(DOCUMENT_REGISTRATION_NAMES);
	});

	test('product code prefixes, generic test types and both published status vocabularies', () => {
		expect(PRODUCT_CODE_PREFIXES).toEqual({ gtx: 'GTX-', stx: 'STX-' });
		expect([...GENERIC_TEST_TYPES]).toEqual([
			'Academic-Plus',
			'Academic-Core',
			'Business-Plus',
			'Business-Core',
			'SLATE-Plus',
			'SLATE-Core',
			'Hospitality',
		]);
		expect([...EXAM_STATUSES_VERSION_A]).toEqual([
			'Ready',
			'Started',
			'Finished',
			'Review',
			'Technical Difficulty',
			'Invalidated',
			'Completed',
			'Disabled',
		]);
		expect([...EXAM_STATUSES_VERSION_B]).toEqual([
			'Ready',
			'Incomplete',
			'Finished',
			'Review',
			'Problem',
			'Invalidated',
			'Complete',
			'Disabled',
		]);
	});

	test("the sandbox's own assumptions keep the values the pack interoperates with", () => {
		expect(DEFAULT_SIGNATURE_HEADER).toBe('X-Itep-Signature');
		expect([FULFILLMENT_PATH, SIGNATURE_CHECK_PATH]).toEqual([
			'/api/fulfillment',
			'/api/signature-check',
		]);
		expect(Object.values(API_ERROR_CODES)).toEqual([
			'INVALID_SIGNATURE',
			'MALFORMED_BODY',
			'UNKNOWN_PRODUCT_CODE',
			'SEQUENCE_REUSED',
			'NO_AVAILABLE_TEST_IDS',
			'RATE_LIMITED',
			'SERVER_ERROR',
		]);
		expect([SEQUENCE_REUSED_STATUS, NO_AVAILABLE_TEST_IDS_STATUS]).toEqual([409, 422]);
	});
});

describe("the sandbox's HMAC-SHA256 (sandbox/signature.ts)", () => {
	const key = 'itep-example-key';

	withOpenssl("matches openssl on iTEP's example body from the document, in hex and base64", () => {
		const expectedHex = opensslHmacHex(ITEP_EXAMPLE_REQUEST_BODY, key);
		expect(hmacSha256(ITEP_EXAMPLE_REQUEST_BODY, key)).toBe(expectedHex);
		expect(hmacSha256(Buffer.from(ITEP_EXAMPLE_REQUEST_BODY, 'utf8'), key, 'hex')).toBe(
			expectedHex,
		);
		expect(hmacSha256(ITEP_EXAMPLE_REQUEST_BODY, key, 'base64')).toBe(
			Buffer.from(expectedHex, 'hex').toString('base64'),
		);
	});

	withOpenssl('matches openssl on non-ASCII text (signed as UTF-8 bytes)', () => {
		const body = '{"assigned-to":{"student-name":"Zoë Ñúñez"}}';
		expect(hmacSha256(body, key)).toBe(opensslHmacHex(body, key));
	});

	test('matches the RFC 4231 test case 2 known answer', () => {
		expect(hmacSha256('what do ya want for nothing?', 'Jefe')).toBe(
			'5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
		);
	});

	test('verifies in constant time: hex in any case, base64 exactly, surrounding spaces ignored', () => {
		const body = ITEP_EXAMPLE_REQUEST_BODY;
		const hex = createHmac('sha256', key).update(body).digest('hex');
		const base64 = createHmac('sha256', key).update(body).digest('base64');
		expect(verifyHmacSha256(body, key, hex)).toBe(true);
		expect(verifyHmacSha256(body, key, hex.toUpperCase())).toBe(true);
		expect(verifyHmacSha256(body, key, ` ${hex} `)).toBe(true);
		expect(verifyHmacSha256(body, key, base64, 'base64')).toBe(true);
		expect(verifyHmacSha256(body, key, base64.toLowerCase(), 'base64')).toBe(false);
		expect(verifyHmacSha256(body, key, hex, 'base64')).toBe(false);
		expect(verifyHmacSha256(body, key, base64)).toBe(false);
		expect(verifyHmacSha256(body, 'other-key', hex)).toBe(false);
		expect(verifyHmacSha256(`${body} `, key, hex)).toBe(false);
		expect(verifyHmacSha256(body, key, hex.slice(0, -2))).toBe(false);
		expect(verifyHmacSha256(body, key, '')).toBe(false);
	});
});

describe('fulfillment body rules (sandbox/requestBody.ts)', () => {
	test('a body with every documented field passes', () => {
		const body = {
			'product-code': 'STX-Academic-Plus',
			email: 'mary@example.com',
			bcc: 'hr@example.com',
			track: 'RC',
			sequence: 3,
			'assigned-to': { 'student-name': 'Mary Poppins' },
			registration: { Last_Name: 'Poppins', DOB_Year: 1955, Agree: true },
		};
		expect(checkFulfillmentBody(body)).toEqual({ ok: true, body });
	});

	test.each([
		['no product-code', { sequence: 1 }, 'Product Code'],
		['an empty product-code', { 'product-code': '', sequence: 1 }, 'Product Code'],
		['a numeric product-code', { 'product-code': 7, sequence: 1 }, 'Product Code'],
		['STX without email', { 'product-code': 'STX-Academic-Plus', sequence: 1 }, 'Candidate Email'],
		[
			'an email that is not an address',
			{ 'product-code': 'GTX-Academic-Plus', email: 'mary', sequence: 1 },
			'Candidate Email',
		],
		[
			'a bcc that is a number',
			{ 'product-code': 'GTX-Academic-Plus', bcc: 5, sequence: 1 },
			'BCC Email',
		],
		[
			'an empty track',
			{ 'product-code': 'GTX-Academic-Plus', track: '', sequence: 1 },
			'Tracking Code',
		],
		['no sequence', { 'product-code': 'GTX-Academic-Plus' }, 'Sequence'],
		['sequence 0', { 'product-code': 'GTX-Academic-Plus', sequence: 0 }, 'Sequence'],
		['a negative sequence', { 'product-code': 'GTX-Academic-Plus', sequence: -4 }, 'Sequence'],
		['a fractional sequence', { 'product-code': 'GTX-Academic-Plus', sequence: 1.5 }, 'Sequence'],
		['a sequence as text', { 'product-code': 'GTX-Academic-Plus', sequence: '12' }, 'Sequence'],
		[
			'a sequence beyond 2^53 - 1',
			{ 'product-code': 'GTX-Academic-Plus', sequence: 2 ** 53 },
			'Sequence',
		],
		[
			'assigned-to as a list',
			{ 'product-code': 'GTX-Academic-Plus', sequence: 1, 'assigned-to': ['Mary'] },
			'Assigned To',
		],
		[
			'assigned-to as text',
			{ 'product-code': 'GTX-Academic-Plus', sequence: 1, 'assigned-to': 'Mary' },
			'Assigned To',
		],
		[
			'assigned-to null',
			{ 'product-code': 'GTX-Academic-Plus', sequence: 1, 'assigned-to': null },
			'Assigned To',
		],
		[
			'registration as a list',
			{ 'product-code': 'GTX-Academic-Plus', sequence: 1, registration: [] },
			'Registration',
		],
		[
			'a registration value that is an object',
			{ 'product-code': 'GTX-Academic-Plus', sequence: 1, registration: { City: { name: 'LA' } } },
			'Registration',
		],
		[
			'a registration value that is null',
			{ 'product-code': 'GTX-Academic-Plus', sequence: 1, registration: { City: null } },
			'Registration',
		],
		[
			'an unknown top-level field',
			{ 'product-code': 'GTX-Academic-Plus', sequence: 1, Email: 'a@b.c' },
			'body',
		],
	])('refused: %s', (_label, body, field) => {
		const checked = checkFulfillmentBody(body);
		expect(checked.ok).toBe(false);
		if (!checked.ok) expect(checked.issues.map((issue) => issue.field)).toEqual([field]);
	});

	test.each([
		['a list', []],
		['null', null],
		['a string', 'product-code=GTX'],
		['a number', 5],
	])('a body that is %s is refused', (_label, body) => {
		expect(checkFulfillmentBody(body)).toMatchObject({ ok: false, issues: [{ field: 'body' }] });
	});

	test.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
		'%s is not a registration name, nor a body field',
		(name) => {
			const registration = JSON.parse(`{"${name}":"x"}`);
			expect(Object.keys(registration)).toEqual([name]);
			const checked = checkFulfillmentBody({
				'product-code': 'GTX-Academic-Plus',
				sequence: 1,
				registration,
			});
			expect(checked).toMatchObject({
				ok: false,
				issues: [{ field: 'Registration', message: expect.stringContaining(name) }],
			});
			const topLevel = JSON.parse(`{"product-code":"GTX-Academic-Plus","sequence":1,"${name}":{}}`);
			expect(checkFulfillmentBody(topLevel)).toMatchObject({
				ok: false,
				issues: [{ field: 'body', message: expect.stringContaining(name) }],
			});
		},
	);

	test('a near-miss name gets a suggestion; a far one does not', () => {
		expect(nearestRegistrationName('last_name')).toBe('Last_Name');
		expect(nearestRegistrationName('First_Nam')).toBe('First_Name');
		expect(nearestRegistrationName('trExternalID')).toBe('trExternal_ID');
		expect(nearestRegistrationName('Favourite_Colour')).toBeUndefined();
	});
});

describe('the 53 names and other document facts over HTTP', () => {
	let sandbox: RunningSandbox;
	beforeAll(async () => {
		sandbox = await startSandbox({ port: 0 });
	});
	afterAll(async () => {
		await sandbox.close();
	});

	/** Posts exact bytes signed here with node:crypto. */
	async function postSigned(raw: string) {
		const signature = createHmac('sha256', DEFAULT_SANDBOX_API_KEY)
			.update(raw, 'utf8')
			.digest('hex');
		const response = await fetch(`${sandbox.url}${FULFILLMENT_PATH}`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', 'X-Itep-Signature': signature },
			body: raw,
		});
		return { status: response.status, body: (await response.json()) as ParsedJson };
	}

	test('one request carrying all 53 registration names is accepted and stored as sent', async () => {
		const registration = Object.fromEntries(
			DOCUMENT_REGISTRATION_NAMES.map((name, index) => [
				name,
				index % 3 === 0 ? `value ${index}` : index % 3 === 1 ? index : true,
			]),
		);
		const answer = await fulfillment(sandbox.url, {
			'product-code': 'GTX-Business-Core',
			'assigned-to': { all: 53 },
			registration,
		});
		expect(answer.status).toBe(200);
		const stored = sandbox.state.tests.find((test) => test.testId === answer.body['test-id']);
		expect(stored?.registration).toEqual(registration);
		expect(Object.keys(stored?.registration ?? {})).toEqual(DOCUMENT_REGISTRATION_NAMES);
	});

	test.each(DOCUMENT_REGISTRATION_NAMES)(
		'%s is accepted; near misses of it are refused with 400',
		async (name) => {
			const accepted = await fulfillment(sandbox.url, {
				'product-code': 'GTX-Academic-Plus',
				registration: { [name]: 'x' },
			});
			expect(accepted.status).toBe(200);

			const otherCase = name === name.toLowerCase() ? name.toUpperCase() : name.toLowerCase();
			const otherSeparator = name.includes('_') ? name.replace(/_/g, '-') : `${name}_`;
			for (const nearMiss of [otherCase, otherSeparator, ` ${name}`]) {
				const refused = await fulfillment(sandbox.url, {
					'product-code': 'GTX-Academic-Plus',
					registration: { [nearMiss]: 'x' },
				});
				expect(refused.status).toBe(400);
				expect(refused.body.error.code).toBe(API_ERROR_CODES.malformedBody);
				expect(refused.body.error.issues).toEqual([
					{ field: 'Registration', message: expect.stringContaining(`"${nearMiss}"`) },
				]);
			}
			// Case is the only difference: the answer names the right spelling.
			const wrongCase = await fulfillment(sandbox.url, {
				'product-code': 'GTX-Academic-Plus',
				registration: { [otherCase]: 'x' },
			});
			expect(wrongCase.body.error.message).toContain(`did you mean "${name}"`);
		},
	);

	test.each(['__proto__', 'constructor'])(
		'%s as a registration key is refused with 400 and provisions nothing',
		async (name) => {
			const before = sandbox.state.stats.provisioned;
			// Written as text so the key reaches the wire exactly (an object literal would set the prototype).
			const raw = `{"product-code":"GTX-Academic-Plus","sequence":${Date.now() * 1000 + 7},"registration":{"${name}":{"polluted":true}}}`;
			const answer = await postSigned(raw);
			expect(answer.status).toBe(400);
			expect(answer.body.error.code).toBe(API_ERROR_CODES.malformedBody);
			expect(answer.body.error.issues).toEqual([
				{ field: 'Registration', message: expect.stringContaining(name) },
			]);
			expect(sandbox.state.stats.provisioned).toBe(before);
			expect(({} as Record<string, unknown>).polluted).toBeUndefined();
		},
	);

	test('__proto__ as a top-level key is refused with 400', async () => {
		const raw = `{"product-code":"GTX-Academic-Plus","sequence":${Date.now() * 1000 + 9},"__proto__":{"track":"RC"}}`;
		const answer = await postSigned(raw);
		expect(answer.status).toBe(400);
		expect(answer.body.error.issues).toEqual([
			{ field: 'body', message: 'Unknown body field(s): __proto__' },
		]);
	});

	test("iTEP's example body: as printed it is refused (one brace too many, spaces); made compact it provisions", async () => {
		const asPrinted = await postSigned(ITEP_EXAMPLE_REQUEST_BODY);
		expect(asPrinted.status).toBe(400);
		expect(asPrinted.body.error.message).toMatch(/not valid JSON/);

		const balanced = ITEP_EXAMPLE_REQUEST_BODY.slice(0, -1);
		const withSpaces = await postSigned(balanced);
		expect(withSpaces.status).toBe(400);
		expect(withSpaces.body.error.message).toMatch(/pretty/);

		const compact = JSON.stringify(JSON.parse(balanced));
		const answer = await postSigned(compact);
		expect(answer.status).toBe(200);
		expect(answer.body).toMatchObject({
			'product-code': 'STX-Academic-Plus',
			sequence: 3,
			'emailed-to': 'tfatout2@proton.me',
			'assigned-to': {
				expire: '2024-09-01',
				'student-name': 'Mary Poppins',
				'customer-candidate-id': 9810283,
				sequence: 3,
			},
		});
		const outbox = (await adminGet(sandbox.url, '/sandbox/outbox')).body;
		expect(outbox[outbox.length - 1]).toMatchObject({
			to: 'tfatout2@proton.me',
			bcc: 'twif_bam@yahoo.com',
			testId: answer.body['test-id'],
		});
		const stored = sandbox.state.tests.find((test) => test.testId === answer.body['test-id']);
		expect(stored).toMatchObject({
			track: 'RC',
			registration: { Last_Name: 'Poppins', Field_Of_Study: 'Biology' },
		});
	});

	test('the signature check path takes a body signed by the sandbox client and by node:crypto alike', async () => {
		expect((await callApi(sandbox.url, SIGNATURE_CHECK_PATH, { check: 1 })).status).toBe(200);
		const raw = '{"check":2}';
		const signature = createHmac('sha256', DEFAULT_SANDBOX_API_KEY).update(raw).digest('hex');
		expect((await callApi(sandbox.url, SIGNATURE_CHECK_PATH, raw, { signature })).status).toBe(200);
	});
});
