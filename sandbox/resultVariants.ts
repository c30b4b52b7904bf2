import { usDate } from './resultsData';

/**
 * Results a real sender might produce. iTEP documents the field names of the webhook's `data` but not the
 * value types, the date's time part, how blanks look, or whether more fields come along; it also publishes
 * two status vocabularies. Each variant is one such plausible reading, so a receiver can be tested against
 * more than the sandbox's own choice ("documented"). Set one with the `resultVariant` knob, or 'cycle'.
 */
export type ResultVariantName =
	| 'documented'
	| 'numbersAsText'
	| 'otherVocabulary'
	| 'lowerCaseStatus'
	| 'percentScores'
	| 'decimalComma'
	| 'dateWithTime'
	| 'isoDateTime'
	| 'blankOptional'
	| 'missingOptional'
	| 'extraFields';

export const RESULT_VARIANTS: ReadonlyArray<{ name: ResultVariantName; description: string }> = [
	{
		name: 'documented',
		description:
			"The sandbox's own choice: numbers as JSON numbers, TestDate M/D/YYYY, Status in the Version A words",
	},
	{
		name: 'numbersAsText',
		description: 'Every number sent as its decimal text ("4.2", "74", "2024")',
	},
	{
		name: 'otherVocabulary',
		description:
			"Status in iTEP's other published vocabulary (Completed/Complete, Started/Incomplete, Technical Difficulty/Problem)",
	},
	{
		name: 'lowerCaseStatus',
		description: 'Status in lower case ("completed", "technical difficulty")',
	},
	{
		name: 'percentScores',
		description: 'Every <Section>_Score as text with a percent sign ("78%")',
	},
	{
		name: 'decimalComma',
		description: 'Every *_Level as text with a decimal comma ("4,2"; whole numbers "4,0")',
	},
	{
		name: 'dateWithTime',
		description: 'TestDate "M/D/YYYY HH:MM:SS" (UTC) and no TestMonth/TestDay/TestYear',
	},
	{
		name: 'isoDateTime',
		description: 'TestDate ISO 8601 "YYYY-MM-DDTHH:MM:SSZ" and no TestMonth/TestDay/TestYear',
	},
	{
		name: 'blankOptional',
		description: 'OID and Duration null, every *_cefr "" (TestID and Status untouched)',
	},
	{ name: 'missingOptional', description: 'Only TestID and Status; every other field left out' },
	{
		name: 'extraFields',
		description:
			'Undocumented fields added: Candidate_Name, Center (an object), Flags (a list), Speaking_Comments',
	},
];

export const RESULT_VARIANT_NAMES: readonly ResultVariantName[] = RESULT_VARIANTS.map(
	(variant) => variant.name,
);

export function isResultVariantName(value: unknown): value is ResultVariantName {
	return typeof value === 'string' && (RESULT_VARIANT_NAMES as readonly string[]).includes(value);
}

/** Status words of the two published vocabularies that differ, each way round. */
const OTHER_VOCABULARY: Readonly<Record<string, string>> = {
	Completed: 'Complete',
	Complete: 'Completed',
	Started: 'Incomplete',
	Incomplete: 'Started',
	'Technical Difficulty': 'Problem',
	Problem: 'Technical Difficulty',
};

/** Used when the data carries a date without a time of day. */
const DEFAULT_TIME_OF_DAY = { hours: 14, minutes: 32, seconds: 0 };

const SCORE_FIELD = /^[A-Za-z][A-Za-z0-9]*_Score$/;
const LEVEL_FIELD = /_Level$/;
const CEFR_FIELD = /_cefr$/;
const DATE_PARTS = ['TestMonth', 'TestDay', 'TestYear'];

/** A new object: `data` as the named variant would send it. `data` itself is never changed. */
export function applyResultVariant(
	name: ResultVariantName,
	data: Record<string, unknown>,
): Record<string, unknown> {
	const copy = deepCopy(data) as Record<string, unknown>;
	switch (name) {
		case 'documented':
			return copy;
		case 'numbersAsText':
			return numbersToText(copy) as Record<string, unknown>;
		case 'otherVocabulary':
			if (typeof copy.Status === 'string' && OTHER_VOCABULARY[copy.Status] !== undefined)
				copy.Status = OTHER_VOCABULARY[copy.Status];
			return copy;
		case 'lowerCaseStatus':
			if (typeof copy.Status === 'string') copy.Status = copy.Status.toLowerCase();
			return copy;
		case 'percentScores':
			return mapFields(copy, SCORE_FIELD, withPercentSign);
		case 'decimalComma':
			return mapFields(copy, LEVEL_FIELD, withDecimalComma);
		case 'dateWithTime':
			return withDateText(copy, (moment) => `${usDate(moment)} ${timeOfDay(moment)}`);
		case 'isoDateTime':
			return withDateText(
				copy,
				(moment) => `${moment.toISOString().slice(0, 10)}T${timeOfDay(moment)}Z`,
			);
		case 'blankOptional': {
			copy.OID = null;
			copy.Overall_cefr = '';
			copy.Duration = null;
			for (const key of Object.keys(copy)) if (CEFR_FIELD.test(key)) copy[key] = '';
			return copy;
		}
		case 'missingOptional': {
			const kept: Record<string, unknown> = {};
			if ('TestID' in copy) kept.TestID = copy.TestID;
			if ('Status' in copy) kept.Status = copy.Status;
			return kept;
		}
		case 'extraFields':
			return {
				...copy,
				Candidate_Name: 'Mary Poppins',
				Center: { id: 12, name: 'Online' },
				Flags: ['proctored'],
				Speaking_Comments: 'Clear pronunciation',
			};
		default:
			throw new Error(`Unknown result variant ${JSON.stringify(name)}`);
	}
}

function deepCopy(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(deepCopy);
	if (typeof value === 'object' && value !== null) {
		const copy: Record<string, unknown> = {};
		for (const [key, entry] of Object.entries(value)) {
			// defineProperty, so a key such as __proto__ stays a plain field.
			Object.defineProperty(copy, key, {
				value: deepCopy(entry),
				enumerable: true,
				writable: true,
				configurable: true,
			});
		}
		return copy;
	}
	return value;
}

function numbersToText(value: unknown): unknown {
	if (typeof value === 'number') return String(value);
	if (Array.isArray(value)) return value.map(numbersToText);
	if (typeof value === 'object' && value !== null) {
		const record = value as Record<string, unknown>;
		for (const key of Object.keys(record)) record[key] = numbersToText(record[key]);
	}
	return value;
}

function mapFields(
	data: Record<string, unknown>,
	pattern: RegExp,
	map: (value: unknown) => unknown,
): Record<string, unknown> {
	for (const key of Object.keys(data)) if (pattern.test(key)) data[key] = map(data[key]);
	return data;
}

function withPercentSign(value: unknown): unknown {
	if (typeof value === 'number' && Number.isFinite(value)) return `${value}%`;
	if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim())) return `${value.trim()}%`;
	return value;
}

function withDecimalComma(value: unknown): unknown {
	const text =
		typeof value === 'number' && Number.isFinite(value)
			? String(value)
			: typeof value === 'string'
				? value.trim()
				: undefined;
	if (text === undefined || !/^-?\d+(\.\d+)?$/.test(text)) return value;
	return text.includes('.') ? text.replace('.', ',') : `${text},0`;
}

/** Replaces TestDate with `format(moment)` and drops the three date parts. */
function withDateText(
	data: Record<string, unknown>,
	format: (moment: Date) => string,
): Record<string, unknown> {
	const moment = finishedMoment(data);
	if (moment) data.TestDate = format(moment);
	for (const part of DATE_PARTS) delete data[part];
	return data;
}

/**
 * When the test was finished, from TestDate (M/D/YYYY, optionally with a time, or an ISO date-time) or else
 * from TestYear/TestMonth/TestDay; the time of day is DEFAULT_TIME_OF_DAY when the data has none.
 */
function finishedMoment(data: Record<string, unknown>): Date | undefined {
	const { hours, minutes, seconds } = DEFAULT_TIME_OF_DAY;
	if (typeof data.TestDate === 'string') {
		const text = data.TestDate.trim();
		const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(text);
		if (us) {
			const [, month, day, year, hh, mm, ss] = us;
			if (hh === undefined)
				return utc(Number(year), Number(month), Number(day), hours, minutes, seconds);
			return utc(Number(year), Number(month), Number(day), Number(hh), Number(mm), Number(ss ?? 0));
		}
		if (/^\d{4}-\d{2}-\d{2}T/.test(text) && Number.isFinite(Date.parse(text)))
			return new Date(Date.parse(text));
		const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
		if (dateOnly)
			return utc(
				Number(dateOnly[1]),
				Number(dateOnly[2]),
				Number(dateOnly[3]),
				hours,
				minutes,
				seconds,
			);
	}
	const [month, day, year] = DATE_PARTS.map((part) => Number(data[part]));
	if ([month, day, year].every((value) => Number.isInteger(value) && value > 0))
		return utc(year, month, day, hours, minutes, seconds);
	return undefined;
}

function utc(
	year: number,
	month: number,
	day: number,
	hours: number,
	minutes: number,
	seconds: number,
): Date {
	return new Date(Date.UTC(year, month - 1, day, hours, minutes, seconds));
}

function timeOfDay(moment: Date): string {
	const two = (value: number) => String(value).padStart(2, '0');
	return `${two(moment.getUTCHours())}:${two(moment.getUTCMinutes())}:${two(moment.getUTCSeconds())}`;
}
