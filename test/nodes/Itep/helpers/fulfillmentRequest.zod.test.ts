/**
 * Body validation on every zod major the host n8n may provide. This file runs twice: with the zod 3 that
 * n8n 1.x and 2.x ship, and (jest project "zod 4") with zod 4 mapped in place of `zod`. The messages are
 * literals, so an option one major ignores (e.g. zod 3's `required_error`) shows up as a changed message.
 */
import { z } from 'zod';

import { validateFulfillmentBody } from '../../../../nodes/Itep/helpers/fulfillmentRequest';

declare const expectedZodMajor: number;

const valid = {
	'product-code': 'STX-Academic-Plus',
	email: 'mary@example.com',
	bcc: 'hr@example.com',
	track: 'RC',
	sequence: 3,
	'assigned-to': { 'student-name': 'Mary Poppins', sequence: 3 },
	registration: { Last_Name: 'Poppins', First_Name: 'Mary' },
};

const issuesOf = (candidate: unknown) => {
	const result = validateFulfillmentBody(candidate);
	if (result.ok) throw new Error('expected issues');
	return result.issues;
};

test(`runs against zod ${expectedZodMajor}`, () => {
	// z.toJSONSchema exists from zod 4 on.
	expect(
		typeof (z as unknown as { toJSONSchema?: unknown }).toJSONSchema === 'function' ? 4 : 3,
	).toBe(expectedZodMajor);
});

test("a valid body passes unchanged, keys in iTEP's order", () => {
	const result = validateFulfillmentBody({ ...valid, email: ' mary@example.com ' });
	expect(result).toEqual({ ok: true, body: { ...valid } });
	if (result.ok) expect(Object.keys(result.body)).toEqual(Object.keys(valid));
});

test.each([
	[
		'missing product code',
		{ sequence: 1 },
		[{ field: 'Product Code', message: 'Product Code is required' }],
	],
	[
		'product code not text',
		{ 'product-code': 5, sequence: 1 },
		[{ field: 'Product Code', message: 'Product Code is required' }],
	],
	[
		'empty product code',
		{ 'product-code': ' ', sequence: 1 },
		[
			{
				field: 'Product Code',
				message:
					'Product Code is empty; choose one or type the code from your PRODUCT CODES screen',
			},
		],
	],
	[
		'bad e-mail',
		{ ...valid, email: 'mary' },
		[
			{
				field: 'Candidate Email',
				message: 'Candidate Email is not a valid e-mail address; enter it as name@example.com',
			},
		],
	],
	[
		'sequence as text',
		{ ...valid, sequence: '3' },
		[{ field: 'Sequence', message: 'Sequence must be a whole number' }],
	],
	[
		'sequence fraction',
		{ ...valid, sequence: 1.5 },
		[{ field: 'Sequence', message: 'Sequence must be a whole number' }],
	],
	[
		'sequence zero',
		{ ...valid, sequence: 0 },
		[{ field: 'Sequence', message: 'Sequence must be greater than 0' }],
	],
	[
		'assigned-to a list',
		{ ...valid, 'assigned-to': [1] },
		[
			{
				field: 'Assigned To',
				message:
					'Assigned To must be a JSON object such as {"name": "..."}, not a list or a plain value',
			},
		],
	],
	[
		'unknown top-level key',
		{ ...valid, extra: 1 },
		[{ field: 'body', message: 'Unknown body field(s): extra' }],
	],
	[
		'STX without e-mail',
		{ ...valid, email: undefined },
		[
			{
				field: 'Candidate Email',
				message:
					'Candidate Email is required for STX product codes: iTEP e-mails the test ID to this address',
			},
		],
	],
	[
		'registration typo',
		{ ...valid, registration: { Lastname: 'P' } },
		[
			{
				field: 'Registration',
				message:
					'Registration field "Lastname" is not one iTEP accepts (names are case-sensitive); did you mean "Last_Name"?',
			},
		],
	],
	[
		'registration __proto__ (JSON.parse keeps it as a key)',
		{ ...valid, registration: JSON.parse('{"__proto__":{"x":1}}') },
		[
			{
				field: 'Registration',
				message:
					'Registration field "__proto__" is not one iTEP accepts (names are case-sensitive); see the list of valid names in the field picker',
			},
		],
	],
	[
		'assigned-to __proto__',
		{ ...valid, 'assigned-to': JSON.parse('{"__proto__":{"x":1}}') },
		[{ field: 'Assigned To', message: 'Assigned To must not have a key "__proto__"' }],
	],
])('%s', (_name, candidate, issues) => {
	expect(issuesOf(candidate)).toEqual(issues);
});

test('problems of different fields are all reported in one pass', () => {
	expect(
		issuesOf({ ...valid, bcc: 'x', registration: { Lastname: 'P' } }).map((issue) => issue.field),
	).toEqual(['BCC Email', 'Registration']);
});
