import {
	describeApiFailure,
	describeTransportFailure,
	extractTestId,
} from '../../../../nodes/Itep/helpers/outcome';

const CODE = 'GTX-Academic-Plus';
const sandboxError = (code: string, message: string) => ({ error: { code, message } });
const CHECK_ASSIGNED_TO =
	/look for a test ID whose Assigned To holds this candidate.*never re-sent automatically/;

describe('describeApiFailure', () => {
	test.each([
		['status 422', 422, {}],
		[
			'code NO_AVAILABLE_TEST_IDS on another status',
			400,
			sandboxError('NO_AVAILABLE_TEST_IDS', 'x'),
		],
		['"no available" in the text only', 400, { message: 'There are No Available tests' }],
	])('no available test IDs: %s', (_name, statusCode, body) => {
		const report = describeApiFailure({ statusCode, body }, CODE);
		expect(report.outcome).toBe('rejected');
		expect(report.message).toBe(`No available test IDs left for ${CODE}`);
		expect(report.description).toMatch(
			/^Every test ID of this product is already used or assigned, so nothing was provisioned\. Buy more test IDs/,
		);
		expect(report.httpCode).toBe(statusCode);
	});

	test.each([
		['401', 401, {}],
		['403', 403, {}],
		['code INVALID_SIGNATURE', 400, sandboxError('INVALID_SIGNATURE', 'bad')],
	])('bad key or signature: %s', (_name, statusCode, body) => {
		const report = describeApiFailure({ statusCode, body }, CODE);
		expect(report).toMatchObject({
			outcome: 'rejected',
			message: 'iTEP rejected the API key or signature',
			httpCode: statusCode,
		});
		expect(report.description).toMatch(/Use the Dry Run option/);
	});

	test.each([
		['404', 404, {}],
		['code UNKNOWN_PRODUCT_CODE', 400, sandboxError('UNKNOWN_PRODUCT_CODE', 'x')],
	])('unknown product code: %s', (_name, statusCode, body) => {
		const report = describeApiFailure({ statusCode, body }, 'GTX-Nonexistent');
		expect(report).toMatchObject({
			outcome: 'rejected',
			message: 'iTEP does not know the product code "GTX-Nonexistent"',
		});
		expect(report.description).toMatch(/PRODUCT CODES screen/);
	});

	test.each([
		['409', 409, {}],
		['code SEQUENCE_REUSED', 400, sandboxError('SEQUENCE_REUSED', 'x')],
	])('replayed sequence: %s', (_name, statusCode, body) => {
		const report = describeApiFailure({ statusCode, body }, CODE);
		expect(report).toMatchObject({
			outcome: 'rejected',
			message: 'iTEP rejected the request as a replay: its sequence number was used before',
		});
	});

	test.each([
		['429', 429, {}],
		['code RATE_LIMITED', 400, sandboxError('RATE_LIMITED', 'x')],
	])('rate limited: %s', (_name, statusCode, body) => {
		const report = describeApiFailure({ statusCode, body }, CODE);
		expect(report).toMatchObject({
			outcome: 'rejected',
			message: 'iTEP is rate limiting requests',
		});
		expect(report.description).toMatch(/Lower Max Concurrent Requests/);
	});

	test.each([301, 302, 307, 308])(
		'redirect %i: rejected, not followed, check the base URL',
		(statusCode) => {
			const report = describeApiFailure({ statusCode, body: '' }, CODE);
			expect(report.outcome).toBe('rejected');
			expect(report.message).toBe(
				`iTEP redirected the request (HTTP ${statusCode}); it was not followed`,
			);
			expect(report.description).toMatch(/Check the API Base URL in the credential/);
			expect(report.httpCode).toBe(statusCode);
		},
	);

	test.each([500, 502, 503, 504, 599])(
		'server error %i: outcome unknown, check before retrying',
		(statusCode) => {
			const report = describeApiFailure({ statusCode, body: 'upstream exploded' }, CODE);
			expect(report.outcome).toBe('unknown');
			expect(report.message).toBe(
				`iTEP answered with a server error (HTTP ${statusCode}); the outcome is unknown`,
			);
			expect(report.description).toMatch(/^The request reached iTEP but failed there\. /);
			expect(report.description).toMatch(CHECK_ASSIGNED_TO);
			expect(report.description).toMatch(/ iTEP said: "upstream exploded"\.$/);
			expect(report.httpCode).toBe(statusCode);
		},
	);

	test('a SERVER_ERROR code on a 5xx does not change the classification; a 5xx with NO_AVAILABLE code is inventory', () => {
		expect(
			describeApiFailure({ statusCode: 500, body: sandboxError('SERVER_ERROR', 'x') }, CODE)
				.outcome,
		).toBe('unknown');
		expect(
			describeApiFailure(
				{ statusCode: 500, body: sandboxError('NO_AVAILABLE_TEST_IDS', 'x') },
				CODE,
			).message,
		).toBe(`No available test IDs left for ${CODE}`);
	});

	test('any other status: rejected with the status in the message', () => {
		const report = describeApiFailure(
			{ statusCode: 400, body: sandboxError('MALFORMED_BODY', 'Pretty JSON') },
			CODE,
		);
		expect(report).toEqual({
			outcome: 'rejected',
			message: 'iTEP rejected the request (HTTP 400)',
			description:
				'Nothing was provisioned. Check the fields of this item against the iTEP fulfillment documentation. iTEP said: "Pretty JSON".',
			httpCode: 400,
		});
	});

	test.each([
		['string body (trimmed)', '  plain text  ', ' iTEP said: "plain text".'],
		['{error:{message}}', sandboxError('X', 'nested'), ' iTEP said: "nested".'],
		['{message}', { message: 'top' }, ' iTEP said: "top".'],
		['{error: string}', { error: 'as string' }, ' iTEP said: "as string".'],
		['empty object', {}, ''],
		['null', null, ''],
		['number', 7, ''],
	])("iTEP's own text is quoted: %s", (_name, body, suffix) => {
		const report = describeApiFailure({ statusCode: 418, body }, CODE);
		expect(report.description).toBe(
			`Nothing was provisioned. Check the fields of this item against the iTEP fulfillment documentation.${suffix}`,
		);
	});

	test("iTEP's text is cut at 300 characters", () => {
		const report = describeApiFailure(
			{ statusCode: 418, body: { message: 'x'.repeat(1000) } },
			CODE,
		);
		expect(report.description).toContain(` iTEP said: "${'x'.repeat(300)}".`);
		expect(report.description).not.toContain('x'.repeat(301));
	});
});

describe('describeTransportFailure', () => {
	test.each([
		'ECONNREFUSED',
		'ENOTFOUND',
		'EAI_AGAIN',
		'EHOSTUNREACH',
		'ENETUNREACH',
		'ERR_INVALID_URL',
		'ERR_TLS_CERT_ALTNAME_INVALID',
		'CERT_HAS_EXPIRED',
		'DEPTH_ZERO_SELF_SIGNED_CERT',
		'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
		'SELF_SIGNED_CERT_IN_CHAIN',
	])('%s: nothing was sent', (code) => {
		const report = describeTransportFailure(Object.assign(new Error('x'), { code }));
		expect(report).toEqual({
			outcome: 'notSent',
			message: `Could not reach iTEP (${code}); nothing was sent`,
			errorCode: code,
			description:
				'The connection failed before the request was sent, so nothing was provisioned and it is safe to run again. Check the API base URL in the credential and the network.',
		});
	});

	test.each(['ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ERR_SOCKET_CONNECTION_TIMEOUT'])(
		'%s: outcome unknown',
		(code) => {
			const report = describeTransportFailure(Object.assign(new Error('x'), { code }));
			expect(report.outcome).toBe('unknown');
			expect(report.message).toBe(
				`Outcome unknown: the request was sent but no answer came back (${code})`,
			);
			expect(report.errorCode).toBe(code);
			expect(report.description).toMatch(
				/^The connection was lost or timed out after the request left n8n\. /,
			);
			expect(report.description).toMatch(CHECK_ASSIGNED_TO);
			expect(report.httpCode).toBeUndefined();
		},
	);

	test('finds the code in a cause chain (n8n wraps the network error)', () => {
		const network = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
		const wrapped = { message: 'wrapper', cause: { message: 'middle', cause: network } };
		expect(describeTransportFailure(wrapped).outcome).toBe('notSent');
	});

	test('a numeric or lower-case code is not taken for a network code; the search continues in the cause', () => {
		const wrapped = { code: 404, cause: { code: 'notACode', cause: { code: 'ENOTFOUND' } } };
		expect(describeTransportFailure(wrapped).message).toBe(
			'Could not reach iTEP (ENOTFOUND); nothing was sent',
		);
	});

	test('gives up after 5 levels of causes', () => {
		let error: Record<string, unknown> = { code: 'ECONNREFUSED' };
		for (let level = 0; level < 5; level++) error = { cause: error };
		expect(describeTransportFailure(error).outcome).toBe('unknown');
	});

	test.each([
		['no code', new Error('socket hang up')],
		['a string', 'boom'],
		['undefined', undefined],
		['null', null],
	])('%s: outcome unknown without a code in the message', (_name, error) => {
		const report = describeTransportFailure(error);
		expect(report.outcome).toBe('unknown');
		expect(report.message).toBe('Outcome unknown: the request was sent but no answer came back');
	});
});

describe('extractTestId', () => {
	test.each([
		['test-id', { 'test-id': '69127886AP' }, '69127886AP'],
		['testId', { testId: 'A1' }, 'A1'],
		['TestID', { TestID: 'B2' }, 'B2'],
		['test_id', { test_id: 'C3' }, 'C3'],
		['a number', { 'test-id': 69127886 }, '69127886'],
		['the first known field wins', { testId: 'second', 'test-id': 'first' }, 'first'],
		['an empty string is skipped', { 'test-id': '', testId: 'next' }, 'next'],
		['JSON text of an object', '{"test-id":"D4"}', 'D4'],
	])('%s', (_name, body, expected) => {
		expect(extractTestId(body)).toBe(expected);
	});

	test.each([
		['no known field', { id: 'x' }],
		['a sentence', 'not a test id'],
		['an empty string', ''],
		['null', null],
		['a boolean field', { 'test-id': true }],
		// The answer's shape is our assumption: nothing else is guessed at (an independent review found these).
		['plain text that looks like an ID', '  50613490BP \n'],
		['plain "OK"', 'OK'],
		['an error object with status 200', { status: 'error', message: 'No test available' }],
		['a nested field', { data: { test_id: '50613490BP' } }],
		['a field only on the prototype', Object.create({ 'test-id': 'inherited' })],
		['blank text in the field', { 'test-id': '   ' }],
	])('undefined for %s', (_name, body) => {
		expect(extractTestId(body)).toBeUndefined();
	});
});
