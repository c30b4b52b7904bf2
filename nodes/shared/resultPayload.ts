import { z } from 'zod';

/**
 * iTEP's results webhook: one form field `data` holding a JSON string with the test's result.
 * The field names and ranges are iTEP's (integration book, "Integration Results Webhook"); the value types
 * are not documented, so numbers are accepted as JSON numbers or numeric strings and blanks as absent.
 */

/** iTEP's exam states, normalised across its two published vocabularies. */
export const ITEP_STATUSES = [
	'ready',
	'started',
	'finished',
	'review',
	'technicalDifficulty',
	'invalidated',
	'completed',
	'disabled',
	'unknown',
] as const;
export type ItepStatus = (typeof ITEP_STATUSES)[number];

/** Why iTEP called: the processing points its documents list, inferred from the status. */
export const ITEP_EVENTS = [
	'finished',
	'completed',
	'reset',
	'invalidated',
	'technicalIssue',
	'other',
] as const;
export type ItepEvent = (typeof ITEP_EVENTS)[number];

/** Both vocabularies (the two copies of iTEP's page differ), keyed case- and separator-insensitively. */
const STATUS_SYNONYMS: Readonly<Record<string, ItepStatus>> = {
	ready: 'ready',
	started: 'started',
	incomplete: 'started',
	finished: 'finished',
	review: 'review',
	technicaldifficulty: 'technicalDifficulty',
	problem: 'technicalDifficulty',
	invalidated: 'invalidated',
	completed: 'completed',
	complete: 'completed',
	disabled: 'disabled',
};

/** A reset sends the exam back to Ready or Started; iTEP does not say which, so both count. */
const EVENT_OF_STATUS: Readonly<Record<ItepStatus, ItepEvent>> = {
	ready: 'reset',
	started: 'reset',
	finished: 'finished',
	review: 'other',
	technicalDifficulty: 'technicalIssue',
	invalidated: 'invalidated',
	completed: 'completed',
	disabled: 'other',
	unknown: 'other',
};

export function normaliseStatus(status: string): ItepStatus {
	return STATUS_SYNONYMS[status.toLowerCase().replace(/[\s_-]+/g, '')] ?? 'unknown';
}

export function eventOfStatus(status: ItepStatus): ItepEvent {
	return EVENT_OF_STATUS[status];
}

/** Deliveries are a few kilobytes; anything this large is not iTEP's and is refused before parsing. */
export const MAX_DATA_LENGTH = 256 * 1024;

const LEVEL_RANGE = { min: 0, max: 6, text: 'a level from 0.0 to 6.0' };
const NUMERIC_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
/** `<Section>_Level`, `<Section>_Score`, `<Section>_cefr`; iTEP documents Grammar, the rest follow suit. */
const SECTION_FIELD = /^([A-Za-z][A-Za-z0-9]*)_(Level|Score|cefr)$/i;

// ---------------------------------------------------------------------------------------------------------
// Schema of the `data` object

type NumberRule = { min?: number; max?: number; integer?: boolean; text: string };

/** Messages that name the field, told apart by whether the field was there at all. */
const fieldErrors = (field: string, expected: string) => ({
	errorMap: (_issue: z.ZodIssueOptionalMessage, ctx: { data: unknown }) => ({
		message: ctx.data === undefined ? `${field} is missing` : `${field} is not ${expected}`,
	}),
});

const isBlank = (value: unknown): value is null | undefined | '' =>
	value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

/** A number sent as a JSON number or numeric text; blank means absent. */
function numberField(field: string, rule: NumberRule) {
	return z
		.union([z.number(), z.string(), z.null()], fieldErrors(field, rule.text))
		.optional()
		.transform((value, ctx): number | undefined => {
			if (isBlank(value)) return undefined;
			const number =
				typeof value === 'number' ? value : NUMERIC_TEXT.test(value.trim()) ? Number(value) : NaN;
			const fits =
				Number.isFinite(number) &&
				(!rule.integer || Number.isInteger(number)) &&
				number >= (rule.min ?? -Infinity) &&
				number <= (rule.max ?? Infinity);
			if (fits) return number;
			ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${field} is not ${rule.text}` });
			return z.NEVER;
		});
}

/** Text; blank means absent. */
function textField(field: string) {
	return z
		.union([z.string(), z.null()], fieldErrors(field, 'text'))
		.optional()
		.transform((value) => (isBlank(value) ? undefined : value.trim()));
}

/** An identifier iTEP may send as text or number; kept as text. */
function idField(field: string) {
	return z
		.union([z.string(), z.number()], fieldErrors(field, 'text or a number'))
		.transform((value) => String(value).trim());
}

function optionalIdField(field: string) {
	return z
		.union([z.string(), z.number(), z.null()], fieldErrors(field, 'text or a number'))
		.optional()
		.transform((value) => (isBlank(value) ? undefined : String(value).trim()));
}

const resultDataSchema = z
	.object({
		TestID: idField('TestID').refine((id) => id.length > 0, 'TestID is empty'),
		OID: optionalIdField('OID'),
		Status: z
			.string({ required_error: 'Status is missing', invalid_type_error: 'Status is not a string' })
			.trim()
			.min(1, 'Status is empty'),
		Duration: numberField('Duration', { min: 0, text: 'a number of minutes' }),
		TestDate: textField('TestDate'),
		TestMonth: numberField('TestMonth', { min: 1, max: 12, integer: true, text: 'a month from 1 to 12' }),
		TestDay: numberField('TestDay', { min: 1, max: 31, integer: true, text: 'a day from 1 to 31' }),
		TestYear: numberField('TestYear', { min: 1901, max: 9999, integer: true, text: 'a year after 1900' }),
		score_report_url: textField('score_report_url'),
		Overall_Level: numberField('Overall_Level', LEVEL_RANGE),
		Overall_cefr: textField('Overall_cefr'),
	})
	.passthrough();

/** The `data` object as iTEP sends it (numbers may arrive as text); unknown fields are allowed. */
export type ResultData = z.input<typeof resultDataSchema>;

// ---------------------------------------------------------------------------------------------------------
// Normalised result

export interface ItepSectionResult {
	level: number | null;
	score: number | null;
	cefr: string | null;
}

/** What the trigger outputs. `null` marks a field iTEP left out or blank, so every item has one shape. */
export interface ItepResult {
	testId: string;
	oid: string | null;
	status: ItepStatus;
	event: ItepEvent;
	/** ISO `YYYY-MM-DD`, the day iTEP says the test was finished (no time zone is documented). */
	testDate: string | null;
	overallLevel: number | null;
	overallCefr: string | null;
	durationMinutes: number | null;
	scoreReportUrl: string | null;
	/** Keyed by section name with a lower-case first letter: `Grammar_Level` -> `sections.grammar.level`. */
	sections: Record<string, ItepSectionResult>;
	/** Every field exactly as iTEP sent it. */
	original: Record<string, unknown>;
}

export type ParseOutcome = { ok: true; result: ItepResult } | { ok: false; reason: string };

/** A request as n8n hands it to the trigger: the body it already parsed, and the exact bytes. */
export interface ResultDelivery {
	contentType?: string;
	body?: unknown;
	rawBody?: Buffer;
}

/** Reads, validates and normalises one delivery. Never throws; `reason` is short and names the field. */
export function parseResultDelivery(delivery: ResultDelivery): ParseOutcome {
	const json = extractDataJson(delivery);
	if (!json.ok) return json;
	return parseResultData(json.data);
}

/** Validates and normalises the decoded `data` object. */
export function parseResultData(data: unknown): ParseOutcome {
	if (typeof data !== 'object' || data === null || Array.isArray(data)) {
		return { ok: false, reason: '`data` is not a JSON object' };
	}
	const parsed = resultDataSchema.safeParse(data);
	if (!parsed.success) return { ok: false, reason: firstReason(parsed.error) };
	const fields = parsed.data;
	const original = data as Record<string, unknown>;

	const testDate = isoTestDate(fields);
	if (!testDate.ok) return testDate;
	const sections = readSections(original);
	if (!sections.ok) return sections;

	const status = normaliseStatus(fields.Status);
	return {
		ok: true,
		result: {
			testId: fields.TestID,
			oid: fields.OID ?? null,
			status,
			event: eventOfStatus(status),
			testDate: testDate.value,
			overallLevel: fields.Overall_Level ?? null,
			overallCefr: fields.Overall_cefr ?? null,
			durationMinutes: fields.Duration ?? null,
			scoreReportUrl: fields.score_report_url ?? null,
			sections: sections.value,
			original,
		},
	};
}

function firstReason(error: z.ZodError): string {
	const [first, ...others] = error.issues;
	const more = others.length ? ` (and ${others.length} more problem${others.length > 1 ? 's' : ''})` : '';
	return `${first.message}${more}`;
}

// ---------------------------------------------------------------------------------------------------------
// The envelope: where the `data` JSON sits for each content type

type Extracted = { ok: true; data: unknown } | { ok: false; reason: string };

/**
 * Finds the `data` JSON. n8n has parsed the body by the time the trigger runs:
 * - form (`data=<urlencoded JSON>`, iTEP's documented format): `body.data` is the JSON text;
 * - JSON: the body is `{ "data": "<JSON text>" }`, `{ "data": { ... } }` or the data object itself;
 * - multipart: n8n puts the form fields under `body.data`, so the JSON text is `body.data.data`.
 * The raw bytes are the fallback when n8n left the body unparsed (an unexpected content type).
 */
export function extractDataJson(delivery: ResultDelivery): Extracted {
	const contentType = mediaType(delivery.contentType);
	// n8n leaves the body undefined (or `{}`) when there were no bytes to parse.
	const parsed = isEmpty(delivery.body) ? undefined : delivery.body;
	const fields = isRecord(parsed) ? parsed : undefined;
	const raw = delivery.rawBody?.length ? delivery.rawBody : undefined;
	if (parsed === undefined && raw === undefined) return { ok: false, reason: 'empty body' };
	if (raw && raw.length > MAX_DATA_LENGTH * 4) return tooLarge();

	switch (contentType) {
		case 'application/x-www-form-urlencoded':
			return dataField(fields ?? formFields(raw));
		case 'multipart/form-data':
			return dataField(isRecord(fields?.data) ? fields.data : fields);
		case 'application/json':
			return jsonEnvelope(parsed ?? raw?.toString('utf8'));
		default:
			return sniff(fields, typeof parsed === 'string' ? parsed : raw?.toString('utf8'));
	}
}

function isEmpty(body: unknown): boolean {
	return (
		body === undefined ||
		body === null ||
		body === '' ||
		(isRecord(body) && Object.keys(body).length === 0)
	);
}

function dataField(fields: Record<string, unknown> | undefined): Extracted {
	const value = fields?.data;
	if (value === undefined) return { ok: false, reason: 'no `data` field in the body' };
	if (Array.isArray(value)) return { ok: false, reason: '`data` field sent more than once' };
	if (typeof value !== 'string') return { ok: false, reason: '`data` field is not text' };
	return parseDataText(value);
}

function jsonEnvelope(body: unknown): Extracted {
	if (typeof body === 'string') {
		const parsed = parseJson(body);
		if (parsed === undefined) return { ok: false, reason: 'body is not JSON' };
		body = parsed;
	}
	if (!isRecord(body)) return { ok: false, reason: 'body is not a JSON object' };
	if (typeof body.data === 'string') return parseDataText(body.data);
	if (isRecord(body.data)) return { ok: true, data: body.data };
	if (body.data !== undefined) return { ok: false, reason: '`data` is not a JSON string or object' };
	return { ok: true, data: body };
}

/** Unknown content type: accept the documented form or plain JSON if that is what the bytes are. */
function sniff(body: Record<string, unknown> | undefined, text: string | undefined): Extracted {
	if (body) return 'data' in body ? dataField(body) : jsonEnvelope(body);
	const trimmed = text?.trim() ?? '';
	if (!trimmed) return { ok: false, reason: 'empty body' };
	if (trimmed.startsWith('{')) return jsonEnvelope(trimmed);
	if (trimmed.startsWith('data=')) return dataField(formFields(Buffer.from(trimmed)));
	return { ok: false, reason: 'body is neither a `data` form field nor JSON' };
}

function parseDataText(text: string): Extracted {
	if (text.length > MAX_DATA_LENGTH) return tooLarge();
	if (!text.trim()) return { ok: false, reason: '`data` is empty' };
	const data = parseJson(text);
	if (data === undefined) return { ok: false, reason: '`data` is not JSON' };
	return { ok: true, data };
}

function tooLarge(): Extracted {
	return { ok: false, reason: `\`data\` is larger than ${MAX_DATA_LENGTH / 1024} KB` };
}

function formFields(raw: Buffer | undefined): Record<string, unknown> | undefined {
	if (!raw) return undefined;
	const params = new URLSearchParams(raw.toString('utf8'));
	const values = params.getAll('data');
	if (values.length === 0) return {};
	return { data: values.length === 1 ? values[0] : values };
}

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
	} catch {
		// Not JSON: the caller reports it as such.
		return undefined;
	}
}

function mediaType(contentType: string | undefined): string {
	return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------------------
// Derived fields

type Derived<T> = { ok: true; value: T } | { ok: false; reason: string };

/** From TestYear/TestMonth/TestDay; if those are incomplete, from TestDate (M/D/YYYY). */
function isoTestDate(fields: z.output<typeof resultDataSchema>): Derived<string | null> {
	const { TestYear: year, TestMonth: month, TestDay: day } = fields;
	if (year !== undefined && month !== undefined && day !== undefined) {
		const iso = isoDate(year, month, day);
		return iso ? { ok: true, value: iso } : { ok: false, reason: 'TestYear/TestMonth/TestDay is not a real date' };
	}
	if (fields.TestDate === undefined) return { ok: true, value: null };
	const match = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(fields.TestDate);
	const iso = match && isoDate(Number(match[3]), Number(match[1]), Number(match[2]));
	return iso && Number(match[3]) > 1900
		? { ok: true, value: iso }
		: { ok: false, reason: 'TestDate is not a date written M/D/YYYY' };
}

function isoDate(year: number, month: number, day: number): string | undefined {
	const date = new Date(Date.UTC(year, month - 1, day));
	if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
		return undefined;
	}
	return date.toISOString().slice(0, 10);
}

/**
 * Building a zod schema costs more than parsing with it, and every delivery carries the same few section
 * fields: keep one schema per field name. Bounded, since field names come from the sender.
 */
const sectionSchemas = new Map<string, z.ZodTypeAny>();
const MAX_CACHED_SECTION_SCHEMAS = 256;

function sectionSchema(field: string, kind: string): z.ZodTypeAny {
	const cached = sectionSchemas.get(field);
	if (cached) return cached;
	const schema =
		kind === 'cefr'
			? textField(field)
			: numberField(field, kind === 'level' ? LEVEL_RANGE : { text: 'a number' });
	if (sectionSchemas.size < MAX_CACHED_SECTION_SCHEMAS) sectionSchemas.set(field, schema);
	return schema;
}

function readSections(original: Record<string, unknown>): Derived<Record<string, ItepSectionResult>> {
	const sections: Record<string, ItepSectionResult> = {};
	for (const [field, value] of Object.entries(original)) {
		const match = SECTION_FIELD.exec(field);
		if (!match || match[1].toLowerCase() === 'overall') continue;
		const name = match[1].charAt(0).toLowerCase() + match[1].slice(1);
		const section = (sections[name] ??= { level: null, score: null, cefr: null });
		const kind = match[2].toLowerCase();
		const parsed = sectionSchema(field, kind).safeParse(value);
		if (!parsed.success) return { ok: false, reason: firstReason(parsed.error) };
		if (typeof parsed.data === 'string') section.cefr = parsed.data;
		else if (kind === 'level') section.level = parsed.data ?? null;
		else if (kind === 'score') section.score = parsed.data ?? null;
	}
	return { ok: true, value: sections };
}

// ---------------------------------------------------------------------------------------------------------
// Building deliveries (sandbox sender, tests)

/**
 * A complete, valid `data` object for a test finished on `finishedOn` (UTC), with all five sections.
 * `overrides` replace or add fields; pass `undefined` as a value to leave a field out.
 */
export function buildResultData(
	overrides: Partial<ResultData> & Record<string, unknown> = {},
	finishedOn: Date = new Date(Date.UTC(2024, 7, 15)),
): ResultData {
	const month = finishedOn.getUTCMonth() + 1;
	const day = finishedOn.getUTCDate();
	const year = finishedOn.getUTCFullYear();
	const testId = String(overrides.TestID ?? '50613490BP');
	const data: Record<string, unknown> = {
		OID: 'oid-0001',
		TestID: testId,
		Status: 'Completed',
		Duration: 74,
		TestDate: `${month}/${day}/${year}`,
		TestMonth: month,
		TestDay: day,
		TestYear: year,
		score_report_url: `https://example.invalid/score-report/${encodeURIComponent(testId)}`,
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
		...overrides,
	};
	for (const [field, value] of Object.entries(data)) if (value === undefined) delete data[field];
	return data as ResultData;
}

/** The body iTEP documents: one form field `data` holding the JSON (Content-Type x-www-form-urlencoded). */
export function encodeResultForm(data: ResultData | Record<string, unknown>): string {
	return new URLSearchParams({ data: JSON.stringify(data) }).toString();
}

export const RESULT_FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';
