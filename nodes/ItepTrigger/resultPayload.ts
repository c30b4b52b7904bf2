/**
 * iTEP's results webhook: one form field `data` holding a JSON string with the test's result.
 * The field names and ranges are iTEP's (integration book, "Integration Results Webhook"); the value types
 * are not documented. Only what identifies a delivery (TestID, Status) can make it unreadable; any other
 * field that does not fit becomes `null` with a warning and stays in `original`, so a genuine result is
 * never refused for the shape of an optional field.
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

/**
 * Why iTEP called: the processing points its documents list, inferred from the status. `unrecognized` is a
 * status word neither vocabulary has, kept apart from `other` so that it is selected by default and seen.
 */
export const ITEP_EVENTS = [
	'finished',
	'completed',
	'reset',
	'invalidated',
	'technicalIssue',
	'other',
	'unrecognized',
] as const;
export type ItepEvent = (typeof ITEP_EVENTS)[number];

/**
 * Both vocabularies (the two copies of iTEP's page differ), keyed case- and separator-insensitively.
 * A Map, because the key is the sender's text: `constructor` must not find Object's own properties.
 */
const STATUS_SYNONYMS: ReadonlyMap<string, ItepStatus> = new Map([
	['ready', 'ready'],
	['started', 'started'],
	['incomplete', 'started'],
	['finished', 'finished'],
	['review', 'review'],
	['technicaldifficulty', 'technicalDifficulty'],
	['problem', 'technicalDifficulty'],
	['invalidated', 'invalidated'],
	['completed', 'completed'],
	['complete', 'completed'],
	['disabled', 'disabled'],
]);

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
	unknown: 'unrecognized',
};

export function normaliseStatus(status: string): ItepStatus {
	return STATUS_SYNONYMS.get(status.toLowerCase().replace(/[\s_-]+/g, '')) ?? 'unknown';
}

export function eventOfStatus(status: ItepStatus): ItepEvent {
	return EVENT_OF_STATUS[status];
}

/** Deliveries are a few kilobytes; anything this large is not iTEP's and is refused before parsing. */
export const MAX_DATA_LENGTH = 256 * 1024;

/** `<Section>_Level`, `<Section>_Score`, `<Section>_cefr`; iTEP documents Grammar, the rest follow suit. */
const SECTION_FIELD = /^([A-Za-z][A-Za-z0-9]*)_(Level|Score|cefr)$/i;
const NUMERIC_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const MAX_WARNING_VALUE_CHARS = 200;

// ---------------------------------------------------------------------------------------------------------
// Normalised result

export interface ItepSectionResult {
	level: number | null;
	score: number | null;
	cefr: string | null;
}

/** A field that was sent but could not be read; its value is `null` in the output and intact in `original`. */
export interface ResultWarning {
	field: string;
	/** The value as sent (long text is cut to 200 characters). */
	value: unknown;
	problem: string;
}

/** What the trigger outputs. `null` marks a field iTEP left out, left blank or sent unreadable. */
export interface ItepResult {
	testId: string;
	oid: string | null;
	status: ItepStatus;
	/** Status exactly as sent (trimmed), so an unrecognised one can be read. */
	statusText: string;
	event: ItepEvent;
	/** ISO `YYYY-MM-DD`, the day iTEP says the test was finished (as written; no time zone is documented). */
	testDate: string | null;
	overallLevel: number | null;
	overallCefr: string | null;
	durationMinutes: number | null;
	scoreReportUrl: string | null;
	/** Keyed by section name with a lower-case first letter: `Grammar_Level` -> `sections.grammar.level`. */
	sections: Record<string, ItepSectionResult>;
	/** One entry per field that was sent but could not be read; empty for a delivery as documented. */
	warnings: ResultWarning[];
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

/** Reads and normalises one delivery. Never throws; `reason` is short and names the field. */
export function parseResultDelivery(delivery: ResultDelivery): ParseOutcome {
	const json = extractDataJson(delivery);
	if (!json.ok) return json;
	return parseResultData(json.data);
}

/** Reads and normalises the decoded `data` object. Refuses only a missing or unusable TestID or Status. */
export function parseResultData(data: unknown): ParseOutcome {
	if (!isRecord(data)) return { ok: false, reason: '`data` is not a JSON object' };
	const testId = readIdentity(data, 'TestID');
	if (!testId.ok) return testId;
	const statusText = readIdentity(data, 'Status');
	if (!statusText.ok) return statusText;

	const reader = new FieldReader(data);
	const status = normaliseStatus(statusText.value);
	const result: ItepResult = {
		testId: testId.value,
		oid: reader.id('OID'),
		status,
		statusText: statusText.value,
		event: eventOfStatus(status),
		testDate: reader.testDate(),
		overallLevel: reader.level('Overall_Level'),
		overallCefr: reader.text('Overall_cefr'),
		durationMinutes: reader.number('Duration', { min: 0, text: 'a number of minutes' }),
		scoreReportUrl: reader.text('score_report_url'),
		sections: reader.sections(),
		warnings: reader.warnings,
		original: data,
	};
	return { ok: true, result };
}

/** TestID and Status identify a delivery: text (TestID may be a number), not blank. */
function readIdentity(
	data: Record<string, unknown>,
	field: 'TestID' | 'Status',
): { ok: true; value: string } | { ok: false; reason: string } {
	const value = ownValue(data, field);
	if (value === undefined || value === null) return { ok: false, reason: `${field} is missing` };
	const readable = typeof value === 'string' || (field === 'TestID' && typeof value === 'number');
	if (!readable) {
		return {
			ok: false,
			reason: `${field} is not ${field === 'TestID' ? 'text or a number' : 'text'}`,
		};
	}
	const text = String(value).trim();
	return text ? { ok: true, value: text } : { ok: false, reason: `${field} is empty` };
}

type NumberRule = { min?: number; max?: number; integer?: boolean; text: string };

const LEVEL_RULE: NumberRule = { min: 0, max: 6, text: 'a level from 0.0 to 6.0' };

/** Reads optional fields one by one, collecting a warning for each that was sent but does not fit. */
class FieldReader {
	readonly warnings: ResultWarning[] = [];

	constructor(private readonly data: Record<string, unknown>) {}

	/** A number sent as a JSON number or numeric text; blank means absent. */
	number(field: string, rule: NumberRule): number | null {
		return this.numberValue(field, ownValue(this.data, field), rule);
	}

	level(field: string): number | null {
		return this.number(field, LEVEL_RULE);
	}

	text(field: string): string | null {
		return this.textValue(field, ownValue(this.data, field));
	}

	/** An identifier sent as text or a number; kept as text. */
	id(field: string): string | null {
		const value = ownValue(this.data, field);
		if (isBlank(value)) return null;
		if (typeof value === 'string' || typeof value === 'number') return String(value).trim();
		return this.warn(field, value, 'is not text or a number');
	}

	/** From TestYear/TestMonth/TestDay when all three are readable, else from TestDate. */
	testDate(): string | null {
		const year = this.number('TestYear', {
			min: 1901,
			max: 9999,
			integer: true,
			text: 'a year after 1900',
		});
		const month = this.number('TestMonth', {
			min: 1,
			max: 12,
			integer: true,
			text: 'a month from 1 to 12',
		});
		const day = this.number('TestDay', {
			min: 1,
			max: 31,
			integer: true,
			text: 'a day from 1 to 31',
		});
		if (year !== null && month !== null && day !== null) {
			const iso = isoDate(year, month, day);
			if (iso) return iso;
			this.warn('TestDay', ownValue(this.data, 'TestDay'), `is not a day of ${year}-${month}`);
		}
		const text = this.text('TestDate');
		if (text === null) return null;
		return (
			dateOfText(text) ??
			this.warn(
				'TestDate',
				text,
				'is not a date written M/D/YYYY or YYYY-MM-DD (a time may follow)',
			)
		);
	}

	/** Every `<Section>_<Level|Score|cefr>` field, in a Map first so a sender's names touch no object. */
	sections(): Record<string, ItepSectionResult> {
		const sections = new Map<string, ItepSectionResult>();
		for (const [field, value] of Object.entries(this.data)) {
			const match = SECTION_FIELD.exec(field);
			if (!match || match[1].toLowerCase() === 'overall') continue;
			const name = match[1].charAt(0).toLowerCase() + match[1].slice(1);
			let section = sections.get(name);
			if (!section) sections.set(name, (section = { level: null, score: null, cefr: null }));
			const kind = match[2].toLowerCase();
			if (kind === 'cefr') section.cefr = this.textValue(field, value);
			else if (kind === 'level') section.level = this.numberValue(field, value, LEVEL_RULE);
			else section.score = this.numberValue(field, value, { text: 'a number' });
		}
		// fromEntries defines own properties, so even `constructor` or `toString` is plain data here.
		return Object.fromEntries(sections);
	}

	private numberValue(field: string, value: unknown, rule: NumberRule): number | null {
		if (isBlank(value)) return null;
		const number =
			typeof value === 'number'
				? value
				: typeof value === 'string' && NUMERIC_TEXT.test(value.trim())
					? Number(value)
					: NaN;
		const fits =
			Number.isFinite(number) &&
			(!rule.integer || Number.isInteger(number)) &&
			number >= (rule.min ?? -Infinity) &&
			number <= (rule.max ?? Infinity);
		return fits ? number : this.warn(field, value, `is not ${rule.text}`);
	}

	private textValue(field: string, value: unknown): string | null {
		if (isBlank(value)) return null;
		if (typeof value === 'string') return value.trim();
		return this.warn(field, value, 'is not text');
	}

	private warn(field: string, value: unknown, problem: string): null {
		const shown =
			typeof value === 'string' && value.length > MAX_WARNING_VALUE_CHARS
				? `${value.slice(0, MAX_WARNING_VALUE_CHARS)}…`
				: value;
		this.warnings.push({ field, value: shown, problem: `${field} ${problem}` });
		return null;
	}
}

/** `M/D/YYYY` (iTEP's documented form) or `YYYY-MM-DD`, either one optionally followed by a time. */
function dateOfText(text: string): string | undefined {
	const us =
		/^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[\sT,]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?)?$/.exec(
			text,
		);
	if (us)
		return Number(us[3]) > 1900 ? isoDate(Number(us[3]), Number(us[1]), Number(us[2])) : undefined;
	const iso =
		/^(\d{4})-(\d{2})-(\d{2})(?:[T\s]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(
			text,
		);
	if (iso)
		return Number(iso[1]) > 1900
			? isoDate(Number(iso[1]), Number(iso[2]), Number(iso[3]))
			: undefined;
	return undefined;
}

function isoDate(year: number, month: number, day: number): string | undefined {
	const date = new Date(Date.UTC(year, month - 1, day));
	if (
		date.getUTCFullYear() !== year ||
		date.getUTCMonth() !== month - 1 ||
		date.getUTCDate() !== day
	) {
		return undefined;
	}
	return date.toISOString().slice(0, 10);
}

const isBlank = (value: unknown): boolean =>
	value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

/** Only the object's own field: `data.constructor` must not read Object's. */
function ownValue(data: Record<string, unknown>, field: string): unknown {
	return Object.prototype.hasOwnProperty.call(data, field) ? data[field] : undefined;
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
	const value = fields ? ownValue(fields, 'data') : undefined;
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
	const data = ownValue(body, 'data');
	if (typeof data === 'string') return parseDataText(data);
	if (isRecord(data)) return { ok: true, data };
	if (data !== undefined) return { ok: false, reason: '`data` is not a JSON string or object' };
	return { ok: true, data: body };
}

/** Unknown content type: accept the documented form or plain JSON if that is what the bytes are. */
function sniff(body: Record<string, unknown> | undefined, text: string | undefined): Extracted {
	if (body) return ownValue(body, 'data') !== undefined ? dataField(body) : jsonEnvelope(body);
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
	const values = new URLSearchParams(raw.toString('utf8')).getAll('data');
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
