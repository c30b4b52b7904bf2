/* eslint-disable @n8n/community-nodes/no-restricted-imports -- development tooling, never published: n8n's rules for node code do not apply */
import { parse as parseQueryString } from 'querystring';

import {
	eventOfStatus,
	extractDataJson,
	MAX_DATA_LENGTH,
	normaliseStatus,
	parseResultData,
	parseResultDelivery,
	type ItepResult,
} from '../../../nodes/ItepTrigger/resultPayload';
// Deliveries are built by the sandbox, an independent implementation of iTEP's documents, not by the parser.
import { encodeResultForm, sampleResultData } from '../../../sandbox/resultsData';
import {
	applyResultVariant,
	RESULT_VARIANTS,
	type ResultVariantName,
} from '../../../sandbox/resultVariants';

const FORM = 'application/x-www-form-urlencoded';

/** A delivery as n8n hands it over for the documented form body. */
const formDelivery = (data: unknown) => {
	const raw = typeof data === 'string' ? data : encodeResultForm(data as Record<string, unknown>);
	return { contentType: FORM, body: { ...parseQueryString(raw) }, rawBody: Buffer.from(raw) };
};

const accepted = (outcome: ReturnType<typeof parseResultDelivery>): ItepResult => {
	if (!outcome.ok) throw new Error(`expected acceptance, got: ${outcome.reason}`);
	return outcome.result;
};

const reasonOf = (outcome: { ok: true } | { ok: false; reason: string }): string => {
	if (outcome.ok) throw new Error('expected a rejection');
	return outcome.reason;
};

describe("a complete delivery in iTEP's documented format", () => {
	test('is normalised field by field, with every original field kept', () => {
		const data = sampleResultData({ Grammar_cefr: 'B2', Custom_Field: { nested: [1, 2] } });
		const result = accepted(parseResultDelivery(formDelivery(data)));
		expect(result).toEqual({
			testId: '50613490BP',
			oid: 'oid-0001',
			status: 'completed',
			statusText: 'Completed',
			event: 'completed',
			testDate: '2024-08-15',
			overallLevel: 4.2,
			overallCefr: 'B2',
			durationMinutes: 74,
			scoreReportUrl: 'https://example.invalid/score-report/50613490BP',
			sections: {
				grammar: { level: 4.5, score: 78, cefr: 'B2' },
				listening: { level: 4.1, score: 72, cefr: null },
				reading: { level: 4.4, score: 76, cefr: null },
				writing: { level: 3.9, score: 68, cefr: null },
				speaking: { level: 4, score: 70, cefr: null },
			},
			warnings: [],
			original: data,
		});
		expect(result.original.Custom_Field).toEqual({ nested: [1, 2] });
	});

	test('numbers sent as text are coerced, the original keeps the text', () => {
		const data = sampleResultData({
			Duration: '74',
			Overall_Level: '4.2',
			Grammar_Level: ' 4.5 ',
			Grammar_Score: '78',
			TestMonth: '08',
			TestDay: '5',
			TestYear: '2024',
			OID: 12345,
		});
		const result = accepted(parseResultDelivery(formDelivery(data)));
		expect(result).toMatchObject({
			durationMinutes: 74,
			overallLevel: 4.2,
			testDate: '2024-08-05',
			oid: '12345',
			sections: { grammar: { level: 4.5, score: 78 } },
		});
		expect(result.original.Overall_Level).toBe('4.2');
		expect(result.original.OID).toBe(12345);
	});

	test('blank and null optional fields become null', () => {
		const data = {
			TestID: 'T-1',
			Status: 'Ready',
			OID: '',
			Duration: null,
			Overall_Level: '',
			Overall_cefr: null,
			TestDate: '',
			TestMonth: '',
			TestDay: null,
			TestYear: '',
			score_report_url: '',
		};
		expect(accepted(parseResultDelivery(formDelivery(data)))).toEqual({
			testId: 'T-1',
			oid: null,
			status: 'ready',
			statusText: 'Ready',
			event: 'reset',
			testDate: null,
			overallLevel: null,
			overallCefr: null,
			durationMinutes: null,
			scoreReportUrl: null,
			sections: {},
			warnings: [],
			original: data,
		});
	});

	test('testDate falls back to TestDate (M/D/YYYY) when the parts are incomplete', () => {
		const parsed = parseResultData({
			TestID: 'T',
			Status: 'Finished',
			TestDate: '1/2/2024',
			TestYear: 2024,
		});
		expect(accepted(parsed).testDate).toBe('2024-01-02');
		expect(
			accepted(parseResultData({ TestID: 'T', Status: 'Finished', TestDate: '12/31/1999' }))
				.testDate,
		).toBe('1999-12-31');
	});
});

describe('status vocabularies', () => {
	test.each([
		// Version A of iTEP's page
		['Ready', 'ready', 'reset'],
		['Started', 'started', 'reset'],
		['Finished', 'finished', 'finished'],
		['Review', 'review', 'other'],
		['Technical Difficulty', 'technicalDifficulty', 'technicalIssue'],
		['Invalidated', 'invalidated', 'invalidated'],
		['Completed', 'completed', 'completed'],
		['Disabled', 'disabled', 'other'],
		// Version B
		['Incomplete', 'started', 'reset'],
		['Problem', 'technicalDifficulty', 'technicalIssue'],
		['Complete', 'completed', 'completed'],
		// Spelling variants and the unknown
		['  COMPLETED ', 'completed', 'completed'],
		['technical_difficulty', 'technicalDifficulty', 'technicalIssue'],
		['TechnicalDifficulty', 'technicalDifficulty', 'technicalIssue'],
		['Graded', 'unknown', 'unrecognized'],
		// A sender's word that happens to be a JavaScript built-in is just an unknown word.
		['constructor', 'unknown', 'unrecognized'],
		['toString', 'unknown', 'unrecognized'],
		['__proto__', 'unknown', 'unrecognized'],
	])('%j -> %s / %s', (raw, status, event) => {
		expect(normaliseStatus(raw.trim())).toBe(status);
		expect(eventOfStatus(normaliseStatus(raw.trim()))).toBe(event);
		const result = accepted(parseResultDelivery(formDelivery(sampleResultData({ Status: raw }))));
		expect(result).toMatchObject({ status, event, statusText: raw.trim() });
		expect(result.original.Status).toBe(raw);
	});
});

describe('envelopes', () => {
	const data = sampleResultData({ TestID: 'ENV-1' });
	const json = JSON.stringify(data);

	test('JSON body {"data": "<json>"}', () => {
		const body = { data: json };
		const raw = Buffer.from(JSON.stringify(body));
		expect(
			accepted(parseResultDelivery({ contentType: 'application/json', body, rawBody: raw })).testId,
		).toBe('ENV-1');
	});

	test('JSON body {"data": {...}} and the data object itself', () => {
		for (const body of [{ data }, data]) {
			const outcome = parseResultDelivery({ contentType: 'application/json; charset=utf-8', body });
			expect(accepted(outcome).testId).toBe('ENV-1');
		}
	});

	test('multipart as n8n parses it: fields under body.data', () => {
		const body = { data: { data: json }, files: {} };
		expect(
			accepted(parseResultDelivery({ contentType: 'multipart/form-data; boundary=x', body }))
				.testId,
		).toBe('ENV-1');
	});

	test('form body that n8n did not parse is read from the raw bytes', () => {
		const raw = Buffer.from(encodeResultForm(data));
		expect(accepted(parseResultDelivery({ contentType: FORM, rawBody: raw })).testId).toBe('ENV-1');
	});

	test('unknown or missing content type: the bytes are sniffed', () => {
		const form = Buffer.from(encodeResultForm(data));
		expect(
			accepted(
				parseResultDelivery({ contentType: 'text/plain', body: form.toString(), rawBody: form }),
			).testId,
		).toBe('ENV-1');
		expect(accepted(parseResultDelivery({ rawBody: Buffer.from(json) })).testId).toBe('ENV-1');
		expect(
			reasonOf(parseResultDelivery({ contentType: 'text/plain', rawBody: Buffer.from('hello') })),
		).toBe('body is neither a `data` form field nor JSON');
	});

	test('a UTF-8 BOM before the JSON is tolerated', () => {
		expect(
			accepted(parseResultDelivery(formDelivery(`data=${encodeURIComponent(`\ufeff${json}`)}`)))
				.testId,
		).toBe('ENV-1');
	});

	test('form encoding with "+" for spaces decodes (URLSearchParams style)', () => {
		const encoded = encodeResultForm(sampleResultData({ Status: 'Technical Difficulty' }));
		expect(encoded).toContain('Technical+Difficulty');
		expect(accepted(parseResultDelivery(formDelivery(encoded))).status).toBe('technicalDifficulty');
	});
});

describe('only TestID and Status can make a delivery unreadable', () => {
	const without = (field: string) => sampleResultData({ [field]: undefined });

	test.each([
		['missing TestID', without('TestID'), 'TestID is missing'],
		['missing Status', without('Status'), 'Status is missing'],
		['empty TestID', sampleResultData({ TestID: '  ' }), 'TestID is empty'],
		['empty Status', sampleResultData({ Status: '' }), 'Status is empty'],
		['TestID boolean', sampleResultData({ TestID: true }), 'TestID is not text or a number'],
		[
			'TestID object',
			{ ...sampleResultData(), TestID: { id: 1 } },
			'TestID is not text or a number',
		],
		['Status number', sampleResultData({ Status: 3 }), 'Status is not text'],
		['Status null', sampleResultData({ Status: null }), 'Status is missing'],
	])('%s', (_name, data, reason) => {
		expect(reasonOf(parseResultDelivery(formDelivery(data)))).toBe(reason);
	});

	test('a TestID only on the prototype was not sent', () => {
		expect(reasonOf(parseResultData(Object.create({ TestID: 'X', Status: 'Completed' })))).toBe(
			'TestID is missing',
		);
	});
});

describe('any other field that cannot be read becomes null with a warning, and the result still arrives', () => {
	test.each([
		['OID boolean', { OID: false }, 'oid', 'OID', false, 'OID is not text or a number'],
		[
			'Duration text',
			{ Duration: 'an hour' },
			'durationMinutes',
			'Duration',
			'an hour',
			'Duration is not a number of minutes',
		],
		[
			'Duration negative',
			{ Duration: -1 },
			'durationMinutes',
			'Duration',
			-1,
			'Duration is not a number of minutes',
		],
		[
			'Duration array',
			{ Duration: [74] },
			'durationMinutes',
			'Duration',
			[74],
			'Duration is not a number of minutes',
		],
		[
			'Overall_Level too high',
			{ Overall_Level: 6.1 },
			'overallLevel',
			'Overall_Level',
			6.1,
			'Overall_Level is not a level from 0.0 to 6.0',
		],
		[
			'Overall_Level text',
			{ Overall_Level: 'B2' },
			'overallLevel',
			'Overall_Level',
			'B2',
			'Overall_Level is not a level from 0.0 to 6.0',
		],
		[
			'Overall_Level decimal comma',
			{ Overall_Level: '4,2' },
			'overallLevel',
			'Overall_Level',
			'4,2',
			'Overall_Level is not a level from 0.0 to 6.0',
		],
		[
			'Overall_Level boolean',
			{ Overall_Level: true },
			'overallLevel',
			'Overall_Level',
			true,
			'Overall_Level is not a level from 0.0 to 6.0',
		],
		[
			'Overall_cefr number',
			{ Overall_cefr: 4 },
			'overallCefr',
			'Overall_cefr',
			4,
			'Overall_cefr is not text',
		],
		[
			'score_report_url object',
			{ score_report_url: {} },
			'scoreReportUrl',
			'score_report_url',
			{},
			'score_report_url is not text',
		],
	])('%s', (_name, override, output, field, value, problem) => {
		const data = sampleResultData(override);
		const result = accepted(parseResultDelivery(formDelivery(data)));
		expect(result.testId).toBe('50613490BP');
		expect(result.event).toBe('completed');
		expect(result[output as keyof ItepResult]).toBeNull();
		expect(result.warnings).toEqual([{ field, value, problem }]);
		expect(result.original[field]).toEqual(value);
	});

	test.each([
		[
			'Grammar_Level out of range',
			{ Grammar_Level: 7 },
			'grammar',
			'level',
			'Grammar_Level',
			7,
			'Grammar_Level is not a level from 0.0 to 6.0',
		],
		[
			'Speaking_Score with a percent sign',
			{ Speaking_Score: '78%' },
			'speaking',
			'score',
			'Speaking_Score',
			'78%',
			'Speaking_Score is not a number',
		],
		[
			'Speaking_Score text',
			{ Speaking_Score: 'n/a' },
			'speaking',
			'score',
			'Speaking_Score',
			'n/a',
			'Speaking_Score is not a number',
		],
		[
			'Reading_cefr number',
			{ Reading_cefr: 3 },
			'reading',
			'cefr',
			'Reading_cefr',
			3,
			'Reading_cefr is not text',
		],
	])('%s', (_name, override, section, part, field, value, problem) => {
		const result = accepted(parseResultDelivery(formDelivery(sampleResultData(override))));
		expect(result.sections[section][part as 'level']).toBeNull();
		expect(result.warnings).toEqual([{ field, value, problem }]);
	});

	test.each([
		[
			'TestMonth 13',
			{ TestMonth: 13 },
			[['TestMonth', 13, 'TestMonth is not a month from 1 to 12']],
		],
		[
			'TestMonth fraction',
			{ TestMonth: 1.5 },
			[['TestMonth', 1.5, 'TestMonth is not a month from 1 to 12']],
		],
		['TestDay 0', { TestDay: 0 }, [['TestDay', 0, 'TestDay is not a day from 1 to 31']]],
		[
			'TestYear 1900',
			{ TestYear: 1900 },
			[['TestYear', 1900, 'TestYear is not a year after 1900']],
		],
		[
			'impossible date in the parts',
			{ TestMonth: 2, TestDay: 30 },
			[['TestDay', 30, 'TestDay is not a day of 2024-2']],
		],
	])('%s: a warning, and the date is read from TestDate instead', (_name, override, warnings) => {
		const result = accepted(parseResultDelivery(formDelivery(sampleResultData(override))));
		expect(result.testDate).toBe('2024-08-15');
		expect(result.warnings).toEqual(
			warnings.map(([field, value, problem]) => ({ field, value, problem })),
		);
	});

	test.each([
		['M/D/YYYY with a time of day', '8/15/2024 14:32:00', '2024-08-15'],
		['M/D/YYYY with a 12-hour time', '8/15/2024 2:32 PM', '2024-08-15'],
		['ISO date', '2024-08-15', '2024-08-15'],
		['ISO date and time, UTC', '2024-08-15T14:32:00Z', '2024-08-15'],
		[
			'ISO date and time with an offset: the date as written',
			'2024-08-15T23:30:00-05:00',
			'2024-08-15',
		],
	])('TestDate as %s, no separate parts, is read', (_name, text, iso) => {
		const data = sampleResultData({
			TestDate: text,
			TestMonth: undefined,
			TestDay: undefined,
			TestYear: undefined,
		});
		const result = accepted(parseResultDelivery(formDelivery(data)));
		expect(result.testDate).toBe(iso);
		expect(result.warnings).toEqual([]);
	});

	test.each([
		['2/30/2025', '2/30/2025'],
		['15/8/2024', '15/8/2024'],
		['last Tuesday', 'last Tuesday'],
		['a number', 20240815],
	])('TestDate %s with no parts: null with a warning', (_name, value) => {
		const data = sampleResultData({
			TestDate: value,
			TestMonth: undefined,
			TestDay: undefined,
			TestYear: undefined,
		});
		const result = accepted(parseResultDelivery(formDelivery(data)));
		expect(result.testDate).toBeNull();
		expect(result.warnings).toHaveLength(1);
		expect(result.warnings[0]).toMatchObject({ field: 'TestDate', value });
	});

	test('several unreadable fields: one warning each, every other field still read', () => {
		const result = accepted(
			parseResultData(
				sampleResultData({ Overall_Level: '4,2', Speaking_Score: '78%', Duration: 'long' }),
			),
		);
		expect(result.warnings.map((warning) => warning.field)).toEqual([
			'Overall_Level',
			'Duration',
			'Speaking_Score',
		]);
		expect(result).toMatchObject({
			overallCefr: 'B2',
			testDate: '2024-08-15',
			sections: { grammar: { level: 4.5 } },
		});
	});

	test('a very long unreadable value is cut to 200 characters in the warning, never in original', () => {
		const long = 'x'.repeat(5000);
		const result = accepted(parseResultData(sampleResultData({ Duration: long })));
		expect(result.warnings[0].value).toBe(`${'x'.repeat(200)}…`);
		expect(result.original.Duration).toBe(long);
	});
});

describe('result variants a real sender might produce (built by the sandbox) all arrive', () => {
	const documented = accepted(parseResultData(sampleResultData()));
	const variantNames = RESULT_VARIANTS.map((variant) => variant.name);

	test('the sandbox offers every variant this suite expects', () => {
		expect(variantNames).toEqual(
			expect.arrayContaining([
				'documented',
				'numbersAsText',
				'percentScores',
				'decimalComma',
				'dateWithTime',
			]),
		);
	});

	test.each(variantNames)('%s: accepted, identified, with original exactly as sent', (name) => {
		const sent = applyResultVariant(name, sampleResultData());
		const result = accepted(parseResultDelivery(formDelivery(sent)));
		expect(result.testId).toBe('50613490BP');
		expect(result.status).toBe('completed');
		expect(result.event).toBe('completed');
		expect(result.original).toEqual(sent);
	});

	const expectations: Partial<Record<ResultVariantName, (result: ItepResult) => void>> = {
		documented: (result) => expect(result).toEqual({ ...documented, original: result.original }),
		numbersAsText: (result) => expect(result).toEqual({ ...documented, original: result.original }),
		otherVocabulary: (result) => expect(result.statusText).toBe('Complete'),
		lowerCaseStatus: (result) => expect(result.statusText).toBe('completed'),
		percentScores: (result) => {
			expect(result.sections.grammar).toEqual({ level: 4.5, score: null, cefr: null });
			expect(result.warnings).toContainEqual({
				field: 'Grammar_Score',
				value: '78%',
				problem: 'Grammar_Score is not a number',
			});
			expect(result.warnings).toHaveLength(5);
		},
		decimalComma: (result) => {
			expect(result.overallLevel).toBeNull();
			expect(result.sections.speaking).toEqual({ level: null, score: 70, cefr: null });
			expect(result.warnings).toContainEqual({
				field: 'Overall_Level',
				value: '4,2',
				problem: 'Overall_Level is not a level from 0.0 to 6.0',
			});
			expect(result.warnings).toHaveLength(6);
		},
		dateWithTime: (result) => {
			expect(result.testDate).toBe('2024-08-15');
			expect(result.warnings).toEqual([]);
		},
		isoDateTime: (result) => {
			expect(result.testDate).toBe('2024-08-15');
			expect(result.warnings).toEqual([]);
		},
		blankOptional: (result) => {
			expect(result).toMatchObject({
				oid: null,
				overallCefr: null,
				durationMinutes: null,
				overallLevel: 4.2,
			});
			expect(result.warnings).toEqual([]);
		},
		missingOptional: (result) => {
			expect(result).toMatchObject({
				oid: null,
				testDate: null,
				overallLevel: null,
				sections: {},
				warnings: [],
			});
		},
		extraFields: (result) => {
			expect(result).toEqual({ ...documented, original: result.original });
			expect(result.original.Center).toEqual({ id: 12, name: 'Online' });
		},
	};

	test.each(Object.entries(expectations))('%s: fields read as expected', (name, expectation) => {
		const sent = applyResultVariant(name as ResultVariantName, sampleResultData());
		expectation(accepted(parseResultDelivery(formDelivery(sent))));
	});
});

describe('sender-chosen field names never touch JavaScript built-ins', () => {
	test.each(['constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'])(
		'%s_Level, _Score and _cefr become a plain section, and Object is untouched',
		(name) => {
			const data = sampleResultData({
				[`${name}_Level`]: 3.3,
				[`${name}_Score`]: 55,
				[`${name}_cefr`]: 'B1',
			});
			const result = accepted(parseResultDelivery(formDelivery(data)));
			expect(Object.prototype.hasOwnProperty.call(result.sections, name)).toBe(true);
			expect(result.sections[name]).toEqual({ level: 3.3, score: 55, cefr: 'B1' });
			expect(JSON.parse(JSON.stringify(result.sections))[name]).toEqual({
				level: 3.3,
				score: 55,
				cefr: 'B1',
			});
			for (const target of [Object, Object.prototype, Object.prototype.toString, {}]) {
				expect((target as unknown as Record<string, unknown>).level).toBeUndefined();
				expect((target as unknown as Record<string, unknown>).cefr).toBeUndefined();
			}
		},
	);

	test('a "__proto__" field in data is kept as data and sets no prototype', () => {
		const text =
			'{"TestID":"P1","Status":"Completed","__proto__":{"polluted":true},"constructor":{"x":1}}';
		const result = accepted(parseResultDelivery(formDelivery(`data=${encodeURIComponent(text)}`)));
		expect(result.testId).toBe('P1');
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
		expect(Object.keys(result.original)).toEqual(['TestID', 'Status', '__proto__', 'constructor']);
	});
});

describe('envelope rejections name the problem', () => {
	test.each([
		['empty body', { contentType: FORM, rawBody: Buffer.alloc(0) }, 'empty body'],
		['empty body, no content type', {}, 'empty body'],
		[
			'no data field',
			{ contentType: FORM, body: { result: '{}' }, rawBody: Buffer.from('result=%7B%7D') },
			'no `data` field in the body',
		],
		[
			'data twice',
			{ contentType: FORM, body: { data: ['{}', '{}'] } },
			'`data` field sent more than once',
		],
		['data not JSON', formDelivery('data=%7BTestID%3A1'), '`data` is not JSON'],
		['data empty', formDelivery('data='), '`data` is empty'],
		[
			'data is a JSON array',
			formDelivery(`data=${encodeURIComponent('[1,2]')}`),
			'`data` is not a JSON object',
		],
		[
			'data is a JSON string',
			formDelivery(`data=${encodeURIComponent('"x"')}`),
			'`data` is not a JSON object',
		],
		['data is JSON null', formDelivery('data=null'), '`data` is not a JSON object'],
		[
			'JSON body is an array',
			{ contentType: 'application/json', body: [1] },
			'body is not a JSON object',
		],
		[
			'JSON body data is a number',
			{ contentType: 'application/json', body: { data: 5 } },
			'`data` is not a JSON string or object',
		],
		[
			'JSON body unparsed and broken',
			{ contentType: 'application/json', rawBody: Buffer.from('{"a":') },
			'body is not JSON',
		],
		[
			'multipart without data',
			{ contentType: 'multipart/form-data', body: { data: { other: 'x' }, files: {} } },
			'no `data` field in the body',
		],
	])('%s', (_name, delivery, reason) => {
		expect(reasonOf(parseResultDelivery(delivery as never))).toBe(reason);
	});
});

describe('size', () => {
	test('a 1 MB body is refused with a reason, without parsing its JSON', () => {
		const delivery = formDelivery(sampleResultData({ Padding: 'x'.repeat(1024 * 1024) }));
		// Checked directly rather than by a time limit, which a loaded machine can miss.
		const parse = jest.spyOn(JSON, 'parse');
		try {
			const reason = reasonOf(parseResultDelivery(delivery));
			expect(reason).toBe(`\`data\` is larger than ${MAX_DATA_LENGTH / 1024} KB`);
			expect(parse).not.toHaveBeenCalled();
		} finally {
			parse.mockRestore();
		}
	});

	test('a 1 MB JSON body that n8n already parsed is refused the same way', () => {
		const body = { data: JSON.stringify(sampleResultData({ Padding: 'y'.repeat(1024 * 1024) })) };
		expect(reasonOf(parseResultDelivery({ contentType: 'application/json', body }))).toMatch(
			/larger than/,
		);
	});

	test('a raw body over four times the limit is refused before anything else is looked at', () => {
		const raw = Buffer.alloc(MAX_DATA_LENGTH * 4 + 1, 'a');
		expect(reasonOf(extractDataJson({ contentType: FORM, rawBody: raw }))).toMatch(/larger than/);
	});

	test('just under the limit is parsed', () => {
		const base = JSON.stringify(sampleResultData({ Padding: '' })).length;
		const padded = sampleResultData({ Padding: 'z'.repeat(MAX_DATA_LENGTH - base) });
		expect(JSON.stringify(padded).length).toBe(MAX_DATA_LENGTH);
		expect(accepted(parseResultDelivery(formDelivery(padded))).original.Padding).toHaveLength(
			MAX_DATA_LENGTH - base,
		);
	});
});
