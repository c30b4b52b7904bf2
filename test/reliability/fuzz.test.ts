/* eslint-disable no-console, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * Property-based fuzzing (fast-check) of the functions that take outside input: the trigger's parse and verify,
 * the node's body building, validation and signing. Each property runs ITEP_FUZZ_RUNS cases (10,000 unless set)
 * of random and adversarial input: unicode, nesting, huge strings, numbers as text, prototype keys, duplicate
 * keys in raw JSON, NaN and Infinity, every status spelling, impossible dates. Expected values come from outside
 * the code under test: node:crypto for signatures, the sandbox's own copy of iTEP's field names and statuses.
 * The case counts are printed at the end and asserted.
 */
import { createHmac } from 'node:crypto';
import * as fs from 'node:fs';

import * as fc from 'fast-check';

import { buildFulfillmentBody, type FulfillmentInput } from '../../nodes/Itep/helpers/buildRequest';
import { validateFulfillmentBody } from '../../nodes/Itep/helpers/fulfillmentRequest';
import { readItepApiCredential, signRequest } from '../../nodes/Itep/transport/signRequest';
import {
	parseResultData,
	parseResultDelivery,
	type ParseOutcome,
} from '../../nodes/ItepTrigger/resultPayload';
import {
	verifyWebhookRequest,
	type WebhookAuthSettings,
	type WebhookHeaders,
} from '../../nodes/ItepTrigger/webhookAuth';
import {
	EXAM_STATUSES_VERSION_A,
	EXAM_STATUSES_VERSION_B,
	FULFILLMENT_BODY_FIELDS,
	REGISTRATION_FIELD_NAMES,
} from '../../sandbox/itepDocument';

const RUNS = Number(process.env.ITEP_FUZZ_RUNS ?? 10_000);
const MIN_RUNS = 10_000;
const FUZZ_TIMEOUT = 600_000;

/** Cases run per property, and how many of them the code refused: printed and asserted at the end. */
const counts = new Map<string, { cases: number; refused: number }>();
function count(property: string, refused: boolean): void {
	const entry = counts.get(property) ?? { cases: 0, refused: 0 };
	entry.cases += 1;
	if (refused) entry.refused += 1;
	counts.set(property, entry);
}

/** fast-check runs each property RUNS times plus shrinking; a failure reports the smallest input. */
function check<T>(arbitrary: fc.Arbitrary<T>, predicate: (value: T) => void): void {
	fc.assert(
		fc.property(arbitrary, (value) => {
			predicate(value);
		}),
		{ numRuns: RUNS },
	);
}

// ---------------------------------------------------------------------------------------------------------
// Input generators

const PROTOTYPE_KEYS = [
	'__proto__',
	'constructor',
	'prototype',
	'toString',
	'hasOwnProperty',
	'valueOf',
];
const RESULT_KEYS = [
	'TestID',
	'OID',
	'Status',
	'TestDate',
	'TestMonth',
	'TestDay',
	'TestYear',
	'Overall_Level',
	'Overall_cefr',
	'Duration',
	'score_report_url',
	'Grammar_Level',
	'Listening_Level',
	'Reading_Level',
	'Speaking_Level',
	'Writing_Level',
	'Grammar_cefr',
	'__proto___Level',
	'constructor_cefr',
	'data',
];

const nastyKey = fc.oneof(
	fc.constantFrom(...PROTOTYPE_KEYS, ...RESULT_KEYS),
	fc.string(),
	fc.string({ unit: 'grapheme' }),
);
/** Longer than the trigger accepts for `data` (256 KiB): one shared string, so it costs nothing to reuse. */
const HUGE_STRING = `{"TestID":"${'é'.repeat(300_000)}"}`;
const nastyString = fc.oneof(
	{ arbitrary: fc.string(), weight: 6 },
	{ arbitrary: fc.string({ unit: 'grapheme' }), weight: 6 },
	{ arbitrary: fc.string({ unit: 'binary' }), weight: 3 },
	{
		arbitrary: fc.constantFrom(
			'',
			' ',
			'\u0000',
			'\uFEFF',
			'NaN',
			'Infinity',
			'-0',
			'1e309',
			'2/30/2025',
		),
		weight: 3,
	},
	{ arbitrary: fc.constant(HUGE_STRING), weight: 1 },
);
const nastyNumber = fc.oneof(
	fc.double(),
	fc.integer(),
	fc.constantFrom(NaN, Infinity, -Infinity, -0, Number.MAX_SAFE_INTEGER + 2, 1e308),
);
const nastyValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
	value: fc.oneof(
		{ depthSize: 'small', withCrossShrink: true },
		nastyString,
		nastyNumber,
		fc.boolean(),
		fc.constant(null),
		fc.constant(undefined),
		fc.array(tie('value'), { maxLength: 4 }),
		fc.dictionary(nastyKey, tie('value'), { maxKeys: 6 }),
	),
})).value;

/** A status as a sender might spell it: either published vocabulary, in any case and separator. */
const statusSpelling = fc
	.tuple(
		fc.constantFrom(...EXAM_STATUSES_VERSION_A, ...EXAM_STATUSES_VERSION_B),
		fc.constantFrom('as-is', 'lower', 'upper', 'snake', 'kebab', 'padded', 'joined'),
	)
	.map(([status, style]) => {
		switch (style) {
			case 'lower':
				return status.toLowerCase();
			case 'upper':
				return status.toUpperCase();
			case 'snake':
				return status.replace(/ /g, '_');
			case 'kebab':
				return status.replace(/ /g, '-');
			case 'padded':
				return `  ${status}\t`;
			case 'joined':
				return status.replace(/ /g, '');
			default:
				return status;
		}
	});

/** A result a genuine sender might deliver: documented fields, some as numbers, some as text, some absent. */
const genuineResult = fc
	.record(
		{
			TestID: fc.oneof(
				fc.string({ minLength: 1 }).filter((s) => s.trim().length > 0),
				fc.integer({ min: 1 }),
			),
			Status: statusSpelling,
			OID: fc.oneof(fc.string(), fc.integer()),
			TestMonth: fc.oneof(fc.integer({ min: 0, max: 13 }), fc.string()),
			TestDay: fc.oneof(fc.integer({ min: 0, max: 32 }), fc.string()),
			TestYear: fc.oneof(fc.integer({ min: 1999, max: 2100 }), fc.string()),
			Overall_Level: fc.oneof(nastyNumber, fc.string(), fc.double({ min: 0, max: 6 }).map(String)),
			Overall_cefr: fc.constantFrom('A1', 'A2', 'B1', 'B2', 'C1', 'C2', '', 'Z9'),
			Duration: fc.oneof(fc.integer(), fc.string()),
			score_report_url: fc.oneof(fc.webUrl(), fc.string()),
			Grammar_Level: fc.oneof(nastyNumber, fc.string()),
			Speaking_Level: fc.oneof(nastyNumber, fc.string()),
		},
		{ requiredKeys: ['TestID', 'Status'] },
	)
	// What arrives is JSON: NaN and Infinity become null, -0 becomes 0, exactly as the sender's encoder does.
	.map((data) => JSON.parse(JSON.stringify(data)) as { TestID: string | number; Status: string });

/** A genuine result with random extra fields, some overwriting documented ones: mostly readable, not always. */
const nearGenuineResult = fc
	.tuple(genuineResult, fc.dictionary(nastyKey, nastyValue, { maxKeys: 4 }), fc.boolean())
	.map(([genuine, extra, extraWins]) =>
		extraWins ? { ...genuine, ...extra } : { ...extra, ...genuine },
	);

function isWellFormedOutcome(outcome: ParseOutcome): boolean {
	if (outcome.ok) return typeof outcome.result.testId === 'string' && outcome.result.testId !== '';
	return typeof outcome.reason === 'string' && outcome.reason.length > 0 && !('result' in outcome);
}

function expectPrototypesIntact(): void {
	const probe: Record<string, unknown> = {};
	expect(probe.polluted).toBeUndefined();
	expect(Object.keys(Object.prototype)).toEqual([]);
}

// ---------------------------------------------------------------------------------------------------------

describe('fuzzing: the trigger', () => {
	it(
		'parseResultDelivery never throws, refuses with a reason only, and leaves prototypes alone',
		() => {
			const contentType = fc.option(
				fc.oneof(
					fc.constantFrom(
						'application/x-www-form-urlencoded',
						'application/json',
						'multipart/form-data; boundary=x',
						'text/plain',
						'APPLICATION/JSON; charset=utf-8',
					),
					fc.string(),
				),
				{ nil: undefined },
			);
			const rawBody = fc.option(
				fc.oneof(
					fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes)),
					nastyString.map((text) => Buffer.from(text, 'utf8')),
					fc.json().map((json) => Buffer.from(`data=${encodeURIComponent(json)}`)),
					fc
						.json()
						.map((json) =>
							Buffer.from(`{"data":${JSON.stringify(json)},"__proto__":{"polluted":1}}`),
						),
				),
				{ nil: undefined },
			);
			const nearGenuineDelivery = fc.oneof(
				nearGenuineResult.map((data) => ({
					contentType: 'application/x-www-form-urlencoded',
					rawBody: Buffer.from(`data=${encodeURIComponent(JSON.stringify(data) ?? '')}`),
				})),
				nearGenuineResult.map((data) => ({ contentType: 'application/json', body: { data } })),
				fc
					.tuple(nearGenuineResult, contentType)
					.map(([data, type]) => ({ contentType: type, body: { data: JSON.stringify(data) } })),
			);
			const delivery = fc.oneof(
				fc.record({ contentType, body: nastyValue, rawBody }),
				nearGenuineDelivery,
			);
			check(delivery, (delivery) => {
				const outcome = parseResultDelivery(delivery);
				count('parseResultDelivery: arbitrary deliveries', !outcome.ok);
				expect(isWellFormedOutcome(outcome)).toBe(true);
			});
			expectPrototypesIntact();
		},
		FUZZ_TIMEOUT,
	);

	it(
		'parseResultData never throws on arbitrary objects, prototype keys and duplicate keys included',
		() => {
			const duplicated = fc
				.tuple(genuineResult, fc.string(), statusSpelling)
				.map(([data, otherId, otherStatus]) => {
					// Duplicate keys exist only in raw JSON; JSON.parse keeps the last one, as any receiver does.
					const first = `{"TestID":${JSON.stringify(otherId)},"Status":${JSON.stringify(otherStatus)},"__proto__":{"polluted":1},`;
					const text = first + JSON.stringify(data).slice(1);
					return JSON.parse(text) as unknown;
				});
			check(fc.oneof(nastyValue, duplicated, genuineResult), (data) => {
				const outcome = parseResultData(data);
				count('parseResultData: arbitrary objects', !outcome.ok);
				expect(isWellFormedOutcome(outcome)).toBe(true);
				if (outcome.ok) {
					// A sender-chosen section name (`__proto__` from `__proto___Level`) never swaps a prototype.
					expect([Object.prototype, null]).toContain(
						Object.getPrototypeOf(outcome.result.sections),
					);
				}
			});
			expectPrototypesIntact();
		},
		FUZZ_TIMEOUT,
	);

	it(
		'a genuine result round-trips through the form, JSON and parsed envelopes alike, whatever its spelling',
		() => {
			check(genuineResult, (data) => {
				const text = JSON.stringify(data);
				const viaForm = parseResultDelivery({
					contentType: 'application/x-www-form-urlencoded',
					rawBody: Buffer.from(`data=${encodeURIComponent(text)}`),
				});
				const viaParsedForm = parseResultDelivery({
					contentType: 'application/x-www-form-urlencoded',
					body: { data: text },
				});
				const viaJson = parseResultDelivery({ contentType: 'application/json', body: { data } });
				count('genuine results: round trip', !viaForm.ok);
				expect(viaForm.ok).toBe(true);
				if (!viaForm.ok) return;
				expect(viaParsedForm).toEqual(viaForm);
				expect(viaJson).toEqual(viaForm);
				expect(viaForm.result.testId).toBe(String(data.TestID).trim());
				expect(viaForm.result.statusText).toBe(data.Status.trim());
				// Every status word iTEP publishes is recognised, in any case or separator.
				expect(viaForm.result.status).not.toBe('unknown');
				expect(viaForm.result.original).toEqual(JSON.parse(text));
			});
		},
		FUZZ_TIMEOUT,
	);

	it(
		'verifyWebhookRequest never throws on arbitrary headers, bodies and settings',
		() => {
			const headerValue = fc.option(
				fc.oneof(nastyString, fc.array(nastyString, { maxLength: 12 })),
				{
					nil: undefined,
				},
			);
			const headers = fc.dictionary(
				fc.oneof(
					nastyKey,
					fc.constantFrom('authorization', 'x-itep-webhook-signature', 'x-itep-webhook-timestamp'),
				),
				headerValue,
				{ maxKeys: 6 },
			) as fc.Arbitrary<WebhookHeaders>;
			const settings: fc.Arbitrary<WebhookAuthSettings> = fc.oneof(
				fc.constant({ mode: 'none' as const }),
				fc.record({
					mode: fc.constant('header' as const),
					headerName: nastyString,
					value: nastyString,
				}),
				fc.record({
					mode: fc.constant('basic' as const),
					user: nastyString,
					password: nastyString,
				}),
				fc.record({
					mode: fc.constant('hmac' as const),
					headerName: nastyString,
					secrets: fc.array(nastyString, { maxLength: 3 }),
					encoding: fc.constantFrom('hex' as const, 'base64' as const),
					timestampHeader: fc.option(nastyString, { nil: undefined }),
					toleranceSeconds: fc.option(nastyNumber, { nil: undefined }),
				}),
			);
			const body = fc.oneof(
				nastyString,
				fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)),
			);
			check(fc.tuple(headers, body, settings, nastyNumber), ([h, b, s, now]) => {
				const verdict = verifyWebhookRequest(h, b, s, now);
				count('verifyWebhookRequest: arbitrary requests', !verdict.ok);
				if (verdict.ok) expect(Object.keys(verdict)).toEqual(['ok']);
				else expect(verdict.reason.length).toBeGreaterThan(0);
			});
		},
		FUZZ_TIMEOUT,
	);

	it(
		'an HMAC over the exact bytes verifies with the right secret and never with a wrong one',
		() => {
			const secret = fc.string({ minLength: 1, unit: 'grapheme' });
			const cases = fc.record({
				body: fc.oneof(
					fc.string({ unit: 'grapheme' }),
					fc.uint8Array().map((b) => Buffer.from(b)),
				),
				secret,
				wrongSecret: secret,
				encoding: fc.constantFrom('hex' as const, 'base64' as const),
				withTimestamp: fc.boolean(),
				now: fc.integer({ min: 1_000_000_000, max: 4_000_000_000 }),
			});
			check(
				cases.filter((c) => c.secret !== c.wrongSecret),
				(c) => {
					const settings: WebhookAuthSettings = {
						mode: 'hmac',
						headerName: 'X-Itep-Webhook-Signature',
						secrets: [c.secret],
						encoding: c.encoding,
						timestampHeader: c.withTimestamp ? 'X-Itep-Webhook-Timestamp' : undefined,
					};
					const bytes = Buffer.isBuffer(c.body) ? c.body : Buffer.from(c.body, 'utf8');
					const signedInput = c.withTimestamp
						? Buffer.concat([Buffer.from(`${c.now}.`), bytes])
						: bytes;
					const sign = (key: string) =>
						createHmac('sha256', key).update(signedInput).digest(c.encoding);
					const headers = (signature: string): WebhookHeaders => ({
						'x-itep-webhook-signature': signature,
						...(c.withTimestamp ? { 'x-itep-webhook-timestamp': String(c.now) } : {}),
					});
					const right = verifyWebhookRequest(headers(sign(c.secret)), c.body, settings, c.now);
					const wrong = verifyWebhookRequest(headers(sign(c.wrongSecret)), c.body, settings, c.now);
					count('webhook HMAC: right and wrong secret', !right.ok);
					expect(right).toEqual({ ok: true });
					expect(wrong.ok).toBe(false);
				},
			);
		},
		FUZZ_TIMEOUT,
	);
});

describe('fuzzing: the action node', () => {
	const registrationNames = new Set<string>(REGISTRATION_FIELD_NAMES);
	const bodyFields = new Set<string>(FULFILLMENT_BODY_FIELDS);

	const anyInput: fc.Arbitrary<FulfillmentInput> = fc.record({
		kind: fc.constantFrom('gtx' as const, 'stx' as const),
		productCode: fc.oneof(
			nastyString,
			fc.constantFrom('GTX-1', 'STX-1', 'gtx-1', ' GTX-A ', 'STX-', 'GTX-2 3'),
		),
		email: fc.option(fc.oneof(nastyString, fc.emailAddress()), { nil: undefined }),
		bcc: fc.option(fc.oneof(nastyString, fc.emailAddress()), { nil: undefined }),
		track: fc.option(nastyString, { nil: undefined }),
		sequence: fc.oneof(nastyNumber, fc.integer({ min: 1 })),
		assignedTo: fc.option(
			fc.record({
				candidateName: fc.option(nastyString, { nil: undefined }),
				candidateEmail: fc.option(nastyString, { nil: undefined }),
				candidateId: fc.option(nastyString, { nil: undefined }),
				expiryDate: fc.option(nastyString, { nil: undefined }),
				expireAfterDays: fc.option(
					fc.oneof(nastyNumber, nastyString, fc.integer({ min: 1, max: 3650 })),
					{ nil: undefined },
				),
				extraJson: fc.option(fc.oneof(nastyValue, fc.json()), { nil: undefined }),
			}),
			{ nil: undefined },
		),
		registration: fc.oneof(
			nastyValue,
			fc.json(),
			fc.constant(undefined),
			fc.dictionary(fc.constantFrom(...REGISTRATION_FIELD_NAMES, ...PROTOTYPE_KEYS), nastyValue),
		),
		origin: fc.record({
			workflowId: fc.string(),
			executionId: fc.string(),
			at: fc.constant('2026-12-02T10:00:00.000Z'),
			timeZone: fc.constantFrom('UTC', 'America/New_York', 'Asia/Tokyo', 'Pacific/Kiritimati'),
		}),
	});

	/** What a careful user enters: a matching code, valid addresses, documented registration names. */
	const validInput: fc.Arbitrary<FulfillmentInput> = fc
		.record({
			kind: fc.constantFrom('gtx' as const, 'stx' as const),
			suffix: fc.stringMatching(/^[A-Z0-9-]{1,12}$/),
			email: fc.constantFrom('ann@example.com', 'b.c+tag@example.org', 'x@sub.example.net'),
			bcc: fc.option(fc.constant('hr@example.com'), { nil: undefined }),
			sequence: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
			registration: fc.dictionary(
				fc.constantFrom(...REGISTRATION_FIELD_NAMES),
				fc.oneof(fc.string({ unit: 'grapheme' }), fc.integer(), fc.boolean()),
				{ maxKeys: 8 },
			),
			name: fc.option(fc.string({ unit: 'grapheme', minLength: 1 }), { nil: undefined }),
		})
		.map(({ kind, suffix, email, bcc, sequence, registration, name }) => ({
			kind,
			productCode: `${kind === 'gtx' ? 'GTX' : 'STX'}-${suffix}`,
			email,
			bcc,
			sequence,
			assignedTo: { candidateName: name },
			registration,
			origin: {
				workflowId: 'wf',
				executionId: '1',
				at: '2026-12-02T10:00:00.000Z',
				timeZone: 'UTC',
			},
		}));

	/** A careful user's parameters with one of them replaced by anything at all. */
	const oneFieldWrong: fc.Arbitrary<FulfillmentInput> = fc
		.tuple(
			validInput,
			fc.constantFrom(
				'productCode',
				'email',
				'bcc',
				'track',
				'sequence',
				'registration',
				'assignedTo',
			),
			nastyValue,
		)
		.map(([input, field, value]) => ({ ...input, [field]: value }) as FulfillmentInput);

	it(
		'buildFulfillmentBody never throws; a refusal names each field and carries no body',
		() => {
			check(fc.oneof(anyInput, oneFieldWrong), (input) => {
				const built = buildFulfillmentBody(input);
				count('buildFulfillmentBody: arbitrary parameters', !built.ok);
				if (!built.ok) {
					expect('body' in built).toBe(false);
					expect(built.issues.length).toBeGreaterThan(0);
					for (const issue of built.issues) {
						expect(issue.field.length).toBeGreaterThan(0);
						expect(issue.message.length).toBeGreaterThan(0);
					}
					return;
				}
				// Anything accepted is a body iTEP's document allows (checked against the sandbox's copy).
				expect(Object.keys(built.body).every((key) => bodyFields.has(key))).toBe(true);
				for (const name of Object.keys(built.body.registration ?? {})) {
					expect(registrationNames.has(name)).toBe(true);
				}
				expect(Number.isSafeInteger(built.body.sequence) && built.body.sequence > 0).toBe(true);
				expect(JSON.parse(JSON.stringify(built.body))).toEqual(built.body);
				expect(validateFulfillmentBody(built.body)).toEqual(built);
			});
			expectPrototypesIntact();
		},
		FUZZ_TIMEOUT,
	);

	it(
		'valid parameters always build, and the values round-trip into the body',
		() => {
			check(validInput, (input) => {
				const built = buildFulfillmentBody(input);
				count('buildFulfillmentBody: valid parameters', !built.ok);
				expect(built.ok ? [] : built.issues).toEqual([]);
				if (!built.ok) return;
				expect(built.body['product-code']).toBe(input.productCode);
				expect(built.body.email).toBe(input.email);
				expect(built.body.sequence).toBe(input.sequence);
				const registration = input.registration as Record<string, unknown>;
				expect(built.body.registration ?? {}).toEqual(registration);
			});
		},
		FUZZ_TIMEOUT,
	);

	it(
		'the signature over the bytes sent verifies with the right key and never with a wrong one',
		() => {
			const key = fc.string({ minLength: 1, unit: 'grapheme' });
			check(
				fc
					.record({
						input: validInput,
						key,
						wrongKey: key,
						encoding: fc.constantFrom('hex', 'base64'),
					})
					.filter((c) => c.key !== c.wrongKey),
				({ input, key: apiKey, wrongKey, encoding }) => {
					const built = buildFulfillmentBody(input);
					if (!built.ok) throw new Error('valid input refused');
					const settings = readItepApiCredential({ apiKey, signatureEncoding: encoding });
					const signed = signRequest(settings, { url: '/api/fulfillment', body: built.body });
					const sent = signed.body as string;
					const header = (signed.headers as Record<string, string>)['X-Itep-Signature'];
					const expected = (k: string) =>
						createHmac('sha256', k)
							.update(sent, 'utf8')
							.digest(encoding as 'hex');
					count('signRequest: right and wrong key', false);
					expect(JSON.parse(sent)).toEqual(built.body);
					expect(header).toBe(expected(apiKey));
					expect(header).not.toBe(expected(wrongKey));
				},
			);
		},
		FUZZ_TIMEOUT,
	);
});

afterAll(() => {
	const rows = [...counts.entries()].map(
		([property, { cases, refused }]) =>
			`| ${property} | ${cases} | ${refused} | ${cases - refused} |`,
	);
	console.log(
		[
			`fuzzing, ${RUNS} runs per property (ITEP_FUZZ_RUNS):`,
			'| property | cases | refused | accepted |',
			'|---|---|---|---|',
			...rows,
		].join('\n'),
	);
	// `npm run reliability` (reliability/fuzz.ts) reads the counts back for RELIABILITY.md.
	const countsFile = process.env.ITEP_FUZZ_COUNTS_FILE;
	if (countsFile) {
		const list = [...counts.entries()].map(([property, { cases, refused }]) => ({
			property,
			cases,
			refused,
		}));
		fs.writeFileSync(countsFile, JSON.stringify(list, null, '\t'));
	}
	if (RUNS >= MIN_RUNS) {
		for (const [, { cases }] of counts) expect(cases).toBeGreaterThanOrEqual(MIN_RUNS);
	}
});
