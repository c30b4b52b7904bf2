import { parse as parseQueryString } from 'querystring';

import {
	buildResultData,
	encodeResultForm,
	eventOfStatus,
	extractDataJson,
	MAX_DATA_LENGTH,
	normaliseStatus,
	parseResultData,
	parseResultDelivery,
	type ItepResult,
	type ResultData,
} from '../../nodes/shared/resultPayload';

const FORM = 'application/x-www-form-urlencoded';

/** A delivery as n8n hands it over for the documented form body. */
const formDelivery = (data: unknown) => {
	const raw = typeof data === 'string' ? data : encodeResultForm(data as ResultData);
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

describe('a complete delivery in iTEP\'s documented format', () => {
	test('is normalised field by field, with every original field kept', () => {
		const data = buildResultData({ Grammar_cefr: 'B2', Custom_Field: { nested: [1, 2] } });
		const result = accepted(parseResultDelivery(formDelivery(data)));
		expect(result).toEqual({
			testId: '50613490BP',
			oid: 'oid-0001',
			status: 'completed',
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
			original: data,
		});
		expect(result.original.Custom_Field).toEqual({ nested: [1, 2] });
	});

	test('numbers sent as text are coerced, the original keeps the text', () => {
		const data = buildResultData({
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
			event: 'reset',
			testDate: null,
			overallLevel: null,
			overallCefr: null,
			durationMinutes: null,
			scoreReportUrl: null,
			sections: {},
			original: data,
		});
	});

	test('testDate falls back to TestDate (M/D/YYYY) when the parts are incomplete', () => {
		const parsed = parseResultData({ TestID: 'T', Status: 'Finished', TestDate: '1/2/2024', TestYear: 2024 });
		expect(accepted(parsed).testDate).toBe('2024-01-02');
		expect(accepted(parseResultData({ TestID: 'T', Status: 'Finished', TestDate: '12/31/1999' })).testDate).toBe(
			'1999-12-31',
		);
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
		['Graded', 'unknown', 'other'],
	])('%j -> %s / %s', (raw, status, event) => {
		expect(normaliseStatus(raw.trim())).toBe(status);
		expect(eventOfStatus(normaliseStatus(raw.trim()))).toBe(event);
		const result = accepted(parseResultDelivery(formDelivery(buildResultData({ Status: raw }))));
		expect(result).toMatchObject({ status, event });
		expect(result.original.Status).toBe(raw);
	});
});

describe('envelopes', () => {
	const data = buildResultData({ TestID: 'ENV-1' });
	const json = JSON.stringify(data);

	test('JSON body {"data": "<json>"}', () => {
		const body = { data: json };
		const raw = Buffer.from(JSON.stringify(body));
		expect(accepted(parseResultDelivery({ contentType: 'application/json', body, rawBody: raw })).testId).toBe(
			'ENV-1',
		);
	});

	test('JSON body {"data": {...}} and the data object itself', () => {
		for (const body of [{ data }, data]) {
			const outcome = parseResultDelivery({ contentType: 'application/json; charset=utf-8', body });
			expect(accepted(outcome).testId).toBe('ENV-1');
		}
	});

	test('multipart as n8n parses it: fields under body.data', () => {
		const body = { data: { data: json }, files: {} };
		expect(accepted(parseResultDelivery({ contentType: 'multipart/form-data; boundary=x', body })).testId).toBe(
			'ENV-1',
		);
	});

	test('form body that n8n did not parse is read from the raw bytes', () => {
		const raw = Buffer.from(encodeResultForm(data));
		expect(accepted(parseResultDelivery({ contentType: FORM, rawBody: raw })).testId).toBe('ENV-1');
	});

	test('unknown or missing content type: the bytes are sniffed', () => {
		const form = Buffer.from(encodeResultForm(data));
		expect(accepted(parseResultDelivery({ contentType: 'text/plain', body: form.toString(), rawBody: form })).testId).toBe(
			'ENV-1',
		);
		expect(accepted(parseResultDelivery({ rawBody: Buffer.from(json) })).testId).toBe('ENV-1');
		expect(reasonOf(parseResultDelivery({ contentType: 'text/plain', rawBody: Buffer.from('hello') }))).toBe(
			'body is neither a `data` form field nor JSON',
		);
	});

	test('a UTF-8 BOM before the JSON is tolerated', () => {
		expect(accepted(parseResultDelivery(formDelivery(`data=${encodeURIComponent(`\ufeff${json}`)}`))).testId).toBe(
			'ENV-1',
		);
	});

	test('form encoding with "+" for spaces decodes (URLSearchParams style)', () => {
		const encoded = encodeResultForm(buildResultData({ Status: 'Technical Difficulty' }));
		expect(encoded).toContain('Technical+Difficulty');
		expect(accepted(parseResultDelivery(formDelivery(encoded))).status).toBe('technicalDifficulty');
	});
});

describe('rejections name the problem', () => {
	const without = (field: string) => {
		const data: Record<string, unknown> = buildResultData();
		delete data[field];
		return data;
	};

	test.each([
		['missing TestID', without('TestID'), 'TestID is missing'],
		['missing Status', without('Status'), 'Status is missing'],
		['empty TestID', buildResultData({ TestID: '  ' }), 'TestID is empty'],
		['empty Status', buildResultData({ Status: '' }), 'Status is empty'],
		['TestID boolean', buildResultData({ TestID: true as never }), 'TestID is not text or a number'],
		['TestID object', { ...buildResultData(), TestID: { id: 1 } }, 'TestID is not text or a number'],
		['Status number', buildResultData({ Status: 3 as never }), 'Status is not a string'],
		['Status null', buildResultData({ Status: null as never }), 'Status is not a string'],
		['OID boolean', buildResultData({ OID: false as never }), 'OID is not text or a number'],
		['Duration text', buildResultData({ Duration: 'an hour' }), 'Duration is not a number of minutes'],
		['Duration negative', buildResultData({ Duration: -1 }), 'Duration is not a number of minutes'],
		['Duration array', buildResultData({ Duration: [74] as never }), 'Duration is not a number of minutes'],
		['Overall_Level too high', buildResultData({ Overall_Level: 6.1 }), 'Overall_Level is not a level from 0.0 to 6.0'],
		['Overall_Level text', buildResultData({ Overall_Level: 'B2' }), 'Overall_Level is not a level from 0.0 to 6.0'],
		['Overall_Level boolean', buildResultData({ Overall_Level: true as never }), 'Overall_Level is not a level from 0.0 to 6.0'],
		['Overall_cefr number', buildResultData({ Overall_cefr: 4 as never }), 'Overall_cefr is not text'],
		['score_report_url object', buildResultData({ score_report_url: {} as never }), 'score_report_url is not text'],
		['TestMonth 13', buildResultData({ TestMonth: 13 }), 'TestMonth is not a month from 1 to 12'],
		['TestMonth fraction', buildResultData({ TestMonth: 1.5 }), 'TestMonth is not a month from 1 to 12'],
		['TestDay 0', buildResultData({ TestDay: 0 }), 'TestDay is not a day from 1 to 31'],
		['TestYear 1900', buildResultData({ TestYear: 1900 }), 'TestYear is not a year after 1900'],
		['impossible date', buildResultData({ TestMonth: 2, TestDay: 30 }), 'TestYear/TestMonth/TestDay is not a real date'],
		[
			'TestDate not M/D/YYYY (no parts)',
			{ TestID: 'T', Status: 'Completed', TestDate: '2024-08-15' },
			'TestDate is not a date written M/D/YYYY',
		],
		['TestDate number', buildResultData({ TestDate: 20240815 as never }), 'TestDate is not text'],
		['Grammar_Level out of range', buildResultData({ Grammar_Level: 7 }), 'Grammar_Level is not a level from 0.0 to 6.0'],
		['Speaking_Score text', buildResultData({ Speaking_Score: 'n/a' }), 'Speaking_Score is not a number'],
		['Reading_cefr number', buildResultData({ Reading_cefr: 3 as never }), 'Reading_cefr is not text'],
	])('%s', (_name, data, reason) => {
		expect(reasonOf(parseResultDelivery(formDelivery(data)))).toBe(reason);
	});

	test('several problems: the first is named, the rest counted', () => {
		expect(reasonOf(parseResultData({ Status: 5 }))).toBe('TestID is missing (and 1 more problem)');
	});

	test.each([
		['empty body', { contentType: FORM, rawBody: Buffer.alloc(0) }, 'empty body'],
		['empty body, no content type', {}, 'empty body'],
		['no data field', { contentType: FORM, body: { result: '{}' }, rawBody: Buffer.from('result=%7B%7D') }, 'no `data` field in the body'],
		['data twice', { contentType: FORM, body: { data: ['{}', '{}'] } }, '`data` field sent more than once'],
		['data not JSON', formDelivery('data=%7BTestID%3A1'), '`data` is not JSON'],
		['data empty', formDelivery('data='), '`data` is empty'],
		['data is a JSON array', formDelivery(`data=${encodeURIComponent('[1,2]')}`), '`data` is not a JSON object'],
		['data is a JSON string', formDelivery(`data=${encodeURIComponent('"x"')}`), '`data` is not a JSON object'],
		['data is JSON null', formDelivery('data=null'), '`data` is not a JSON object'],
		['JSON body is an array', { contentType: 'application/json', body: [1] }, 'body is not a JSON object'],
		['JSON body data is a number', { contentType: 'application/json', body: { data: 5 } }, '`data` is not a JSON string or object'],
		['JSON body unparsed and broken', { contentType: 'application/json', rawBody: Buffer.from('{"a":') }, 'body is not JSON'],
		['multipart without data', { contentType: 'multipart/form-data', body: { data: { other: 'x' }, files: {} } }, 'no `data` field in the body'],
	])('%s', (_name, delivery, reason) => {
		expect(reasonOf(parseResultDelivery(delivery as never))).toBe(reason);
	});
});

describe('size', () => {
	test('a 1 MB body is refused quickly with a reason, without parsing it', () => {
		const padded = buildResultData({ Padding: 'x'.repeat(1024 * 1024) });
		const started = performance.now();
		const reason = reasonOf(parseResultDelivery(formDelivery(padded)));
		expect(performance.now() - started).toBeLessThan(500);
		expect(reason).toBe(`\`data\` is larger than ${MAX_DATA_LENGTH / 1024} KB`);
	});

	test('a 1 MB JSON body that n8n already parsed is refused the same way', () => {
		const body = { data: JSON.stringify(buildResultData({ Padding: 'y'.repeat(1024 * 1024) })) };
		expect(reasonOf(parseResultDelivery({ contentType: 'application/json', body }))).toMatch(/larger than/);
	});

	test('a raw body over four times the limit is refused before anything else is looked at', () => {
		const raw = Buffer.alloc(MAX_DATA_LENGTH * 4 + 1, 'a');
		expect(reasonOf(extractDataJson({ contentType: FORM, rawBody: raw }))).toMatch(/larger than/);
	});

	test('just under the limit is parsed', () => {
		const base = JSON.stringify(buildResultData({ Padding: '' })).length;
		const padded = buildResultData({ Padding: 'z'.repeat(MAX_DATA_LENGTH - base) });
		expect(JSON.stringify(padded).length).toBe(MAX_DATA_LENGTH);
		expect(accepted(parseResultDelivery(formDelivery(padded))).original.Padding).toHaveLength(
			MAX_DATA_LENGTH - base,
		);
	});
});

describe('buildResultData (sandbox helper)', () => {
	test('produces valid data for any date and applies overrides, undefined removes a field', () => {
		const data = buildResultData({ Status: 'Invalidated', OID: undefined }, new Date(Date.UTC(2025, 0, 9)));
		expect(data).not.toHaveProperty('OID');
		expect(data).toMatchObject({ TestDate: '1/9/2025', TestMonth: 1, TestDay: 9, TestYear: 2025 });
		expect(accepted(parseResultData(data))).toMatchObject({ event: 'invalidated', testDate: '2025-01-09', oid: null });
	});
});
