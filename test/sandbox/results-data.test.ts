import { createHmac } from 'node:crypto';

import {
	decodeResultForm,
	encodeResultForm,
	RESULT_FORM_CONTENT_TYPE,
	sampleResultData,
} from '../../sandbox/resultsData';
import {
	applyResultVariant,
	RESULT_VARIANTS,
	type ResultVariantName,
} from '../../sandbox/resultVariants';
import {
	DEFAULT_WEBHOOK_SIGNATURE_HEADER,
	signDelivery,
	type SenderAuth,
} from '../../sandbox/webhookAuth';

/** sampleResultData() written out by hand, key order included. */
const SAMPLE = {
	OID: 'oid-0001',
	TestID: '50613490BP',
	Status: 'Completed',
	Duration: 74,
	TestDate: '8/15/2024',
	TestMonth: 8,
	TestDay: 15,
	TestYear: 2024,
	score_report_url: 'https://example.invalid/score-report/50613490BP',
	Overall_Level: 4.2,
	Overall_cefr: 'B2',
	Grammar_Level: 4.5,
	Grammar_Score: 78,
	Listening_Level: 4.1,
	Listening_Score: 72,
	Reading_Level: 4.4,
	Reading_Score: 76,
	Writing_Level: 3.9,
	Writing_Score: 68,
	Speaking_Level: 4.0,
	Speaking_Score: 70,
};

describe('sampleResultData and the form envelope', () => {
	test('a complete documented data object, key order as listed', () => {
		const data = sampleResultData();
		expect(data).toEqual(SAMPLE);
		expect(Object.keys(data)).toEqual(Object.keys(SAMPLE));
	});

	test('overrides go last, keep the position of existing keys, and undefined removes a field', () => {
		const data = sampleResultData(
			{ TestID: 'A B/1', Status: 'Finished', Overall_Level: undefined, Extra: 1 },
			new Date(Date.UTC(2025, 0, 5, 23, 59)),
		);
		expect(data).toMatchObject({
			TestID: 'A B/1',
			Status: 'Finished',
			TestDate: '1/5/2025',
			TestMonth: 1,
			TestDay: 5,
			TestYear: 2025,
			score_report_url: 'https://example.invalid/score-report/A%20B%2F1',
			Extra: 1,
		});
		expect(data).not.toHaveProperty('Overall_Level');
		expect(Object.keys(data).slice(0, 3)).toEqual(['OID', 'TestID', 'Status']);
		expect(Object.keys(data).at(-1)).toBe('Extra');
	});

	test('ONE form field named data, holding the JSON text', () => {
		expect(RESULT_FORM_CONTENT_TYPE).toBe('application/x-www-form-urlencoded');
		const body = encodeResultForm({ TestID: '1', Status: 'Completed', Note: 'a&b=c ü' });
		expect(body).toBe(
			'data=%7B%22TestID%22%3A%221%22%2C%22Status%22%3A%22Completed%22%2C%22Note%22%3A%22a%26b%3Dc+%C3%BC%22%7D',
		);
		expect([...new URLSearchParams(body).keys()]).toEqual(['data']);
		expect(decodeResultForm(body)).toEqual({ TestID: '1', Status: 'Completed', Note: 'a&b=c ü' });
		expect(decodeResultForm(Buffer.from(body))).toEqual({
			TestID: '1',
			Status: 'Completed',
			Note: 'a&b=c ü',
		});
		expect(() => decodeResultForm('other=1')).toThrow(/data/);
	});
});

describe('result variants', () => {
	/** What each variant makes of sampleResultData(), written out literally. */
	const EXPECTED: Record<ResultVariantName, Record<string, unknown>> = {
		documented: SAMPLE,
		numbersAsText: {
			...SAMPLE,
			Duration: '74',
			TestMonth: '8',
			TestDay: '15',
			TestYear: '2024',
			Overall_Level: '4.2',
			Grammar_Level: '4.5',
			Grammar_Score: '78',
			Listening_Level: '4.1',
			Listening_Score: '72',
			Reading_Level: '4.4',
			Reading_Score: '76',
			Writing_Level: '3.9',
			Writing_Score: '68',
			Speaking_Level: '4',
			Speaking_Score: '70',
		},
		otherVocabulary: { ...SAMPLE, Status: 'Complete' },
		lowerCaseStatus: { ...SAMPLE, Status: 'completed' },
		percentScores: {
			...SAMPLE,
			Grammar_Score: '78%',
			Listening_Score: '72%',
			Reading_Score: '76%',
			Writing_Score: '68%',
			Speaking_Score: '70%',
		},
		decimalComma: {
			...SAMPLE,
			Overall_Level: '4,2',
			Grammar_Level: '4,5',
			Listening_Level: '4,1',
			Reading_Level: '4,4',
			Writing_Level: '3,9',
			Speaking_Level: '4,0',
		},
		dateWithTime: withoutDateParts({ ...SAMPLE, TestDate: '8/15/2024 14:32:00' }),
		isoDateTime: withoutDateParts({ ...SAMPLE, TestDate: '2024-08-15T14:32:00Z' }),
		blankOptional: { ...SAMPLE, OID: null, Duration: null, Overall_cefr: '' },
		missingOptional: { TestID: '50613490BP', Status: 'Completed' },
		extraFields: {
			...SAMPLE,
			Candidate_Name: 'Mary Poppins',
			Center: { id: 12, name: 'Online' },
			Flags: ['proctored'],
			Speaking_Comments: 'Clear pronunciation',
		},
	};

	function withoutDateParts(data: Record<string, unknown>): Record<string, unknown> {
		const dateParts = new Set(['TestMonth', 'TestDay', 'TestYear']);
		return Object.fromEntries(Object.entries(data).filter(([key]) => !dateParts.has(key)));
	}

	test('the list: eleven variants, documented first, each described', () => {
		expect(RESULT_VARIANTS.map((variant) => variant.name)).toEqual([
			'documented',
			'numbersAsText',
			'otherVocabulary',
			'lowerCaseStatus',
			'percentScores',
			'decimalComma',
			'dateWithTime',
			'isoDateTime',
			'blankOptional',
			'missingOptional',
			'extraFields',
		]);
		expect(RESULT_VARIANTS.every((variant) => variant.description.length > 10)).toBe(true);
	});

	test.each(Object.keys(EXPECTED) as ResultVariantName[])(
		'%s applied to sampleResultData()',
		(name) => {
			const original = sampleResultData();
			const varied = applyResultVariant(name, original);
			expect(varied).toEqual(EXPECTED[name]);
			// A new object; the input is untouched.
			expect(varied).not.toBe(original);
			expect(original).toEqual(SAMPLE);
		},
	);

	test('nested values are copied, not shared', () => {
		const original = { ...sampleResultData(), Center: { id: 1 } };
		const varied = applyResultVariant('numbersAsText', original);
		expect(varied.Center).toEqual({ id: '1' });
		expect(original.Center).toEqual({ id: 1 });
	});

	test.each([
		['Completed', 'Complete'],
		['Complete', 'Completed'],
		['Started', 'Incomplete'],
		['Incomplete', 'Started'],
		['Technical Difficulty', 'Problem'],
		['Problem', 'Technical Difficulty'],
		['Ready', 'Ready'],
		['Finished', 'Finished'],
		['Review', 'Review'],
		['Invalidated', 'Invalidated'],
		['Disabled', 'Disabled'],
	])('otherVocabulary: %s becomes %s', (status, other) => {
		expect(applyResultVariant('otherVocabulary', { TestID: '1', Status: status }).Status).toBe(
			other,
		);
	});

	test('lowerCaseStatus on a two-word status', () => {
		expect(applyResultVariant('lowerCaseStatus', { Status: 'Technical Difficulty' }).Status).toBe(
			'technical difficulty',
		);
	});

	test('decimalComma leaves blank levels alone and converts numeric text; whole numbers get ",0"', () => {
		expect(
			applyResultVariant('decimalComma', {
				Overall_Level: '',
				Grammar_Level: '3.5',
				Reading_Level: 5,
				Duration: 7,
			}),
		).toEqual({
			Overall_Level: '',
			Grammar_Level: '3,5',
			Reading_Level: '5,0',
			Duration: 7,
		});
	});

	test('dateWithTime and isoDateTime keep a time the date already has, in UTC', () => {
		const withTime = applyResultVariant('dateWithTime', {
			TestDate: '2024-08-15T09:05:07Z',
			TestMonth: 8,
		});
		expect(withTime).toEqual({ TestDate: '8/15/2024 09:05:07' });
		expect(applyResultVariant('isoDateTime', { TestDate: '12/1/2023 23:04:00' })).toEqual({
			TestDate: '2023-12-01T23:04:00Z',
		});
		// From the parts alone when TestDate is missing.
		expect(
			applyResultVariant('isoDateTime', { TestMonth: 2, TestDay: 29, TestYear: 2024 }),
		).toEqual({ TestDate: '2024-02-29T14:32:00Z' });
	});

	test('blankOptional blanks every *_cefr, and never TestID or Status', () => {
		const data = {
			TestID: 'T',
			Status: 'Completed',
			OID: 'o',
			Duration: 3,
			Overall_cefr: 'B2',
			Grammar_cefr: 'B1',
			Grammar_Level: 4,
		};
		expect(applyResultVariant('blankOptional', data)).toEqual({
			TestID: 'T',
			Status: 'Completed',
			OID: null,
			Duration: null,
			Overall_cefr: '',
			Grammar_cefr: '',
			Grammar_Level: 4,
		});
	});
});

describe("the sender's authentication (sandbox/webhookAuth.ts)", () => {
	const body = encodeResultForm(sampleResultData());
	const hmac = (input: string, secret: string, encoding: 'hex' | 'base64') =>
		createHmac('sha256', secret).update(input, 'utf8').digest(encoding);

	test('none and header', () => {
		expect(signDelivery(body, { mode: 'none' }, 0)).toEqual({});
		expect(
			signDelivery(body, { mode: 'header', headerName: 'X-Receiver-Token', value: 'token-123' }, 0),
		).toEqual({ 'X-Receiver-Token': 'token-123' });
	});

	test('basic: Authorization Basic base64(user:password)', () => {
		expect(signDelivery(body, { mode: 'basic', user: 'itep', password: 'pa:ss word' }, 0)).toEqual({
			Authorization: 'Basic aXRlcDpwYTpzcyB3b3Jk',
		});
	});

	test('hmac over the raw body, one signature per non-empty secret, space-separated', () => {
		const auth: SenderAuth = {
			mode: 'hmac',
			headerName: 'X-Sig',
			secrets: ['old', '', 'new'],
			encoding: 'hex',
		};
		expect(signDelivery(body, auth, 1_723_700_000.9)).toEqual({
			'X-Sig': `${hmac(body, 'old', 'hex')} ${hmac(body, 'new', 'hex')}`,
		});
		expect(signDelivery(Buffer.from(body), auth, 0)).toEqual(signDelivery(body, auth, 0));
	});

	test('hmac with a timestamp signs `${timestamp}.${body}`, timestamp = floor(now) in its own header', () => {
		const auth: SenderAuth = {
			mode: 'hmac',
			headerName: 'X-Sig',
			secrets: ['s'],
			encoding: 'base64',
			timestampHeader: 'X-Sig-Time',
			toleranceSeconds: 60,
		};
		expect(signDelivery(body, auth, 1_723_700_000.9)).toEqual({
			'X-Sig': hmac(`1723700000.${body}`, 's', 'base64'),
			'X-Sig-Time': '1723700000',
		});
	});

	test('an empty header name falls back to X-Itep-Webhook-Signature', () => {
		expect(DEFAULT_WEBHOOK_SIGNATURE_HEADER).toBe('X-Itep-Webhook-Signature');
		expect(
			signDelivery('x', { mode: 'hmac', headerName: '', secrets: ['k'], encoding: 'hex' }, 0),
		).toEqual({
			'X-Itep-Webhook-Signature': hmac('x', 'k', 'hex'),
		});
	});
});
