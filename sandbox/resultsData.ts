import { RESULT_FORM_FIELD } from './itepDocument';
import type { TestRecord } from './inventory';

/**
 * The results webhook's payload, built by the sandbox itself from iTEP's page: one form-encoded field named
 * `data` holding a JSON string with the documented field names. Where the page is silent (value types, time
 * zone, blanks) the values are the sandbox's choice; resultVariants.ts sends the other plausible choices.
 */

/** "The data in the call is a single form-encoded field named data." */
export const RESULT_FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/** The exact body of a delivery: ONE form field `data` with the JSON text. */
export function encodeResultForm(data: Record<string, unknown>): string {
	return new URLSearchParams({ [RESULT_FORM_FIELD]: JSON.stringify(data) }).toString();
}

/** The `data` object of a delivery body (what a receiver does); throws when there is no JSON `data` field. */
export function decodeResultForm(body: string | Buffer): unknown {
	const form = new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'));
	const data = form.get(RESULT_FORM_FIELD);
	if (data === null) throw new Error(`No form field "${RESULT_FORM_FIELD}" in the delivery`);
	return JSON.parse(data);
}

/**
 * The `data` object for a test as it stands. Levels are JSON numbers, dates are UTC, and the level fields
 * are blank ('') while a test has no results (Finished, reset, invalidated, technical difficulty).
 */
export function buildResultsData(test: TestRecord, sandboxUrl: string): Record<string, unknown> {
	const results = test.results;
	const date = new Date(results?.finishedAt ?? lastChangeAt(test));
	const data: Record<string, unknown> = {
		OID: test.oid,
		TestID: test.testId,
		Duration: results?.durationMinutes ?? minutesSinceStart(test, date),
		TestDate: usDate(date),
		TestMonth: date.getUTCMonth() + 1,
		TestDay: date.getUTCDate(),
		TestYear: date.getUTCFullYear(),
		score_report_url: `${sandboxUrl}/sandbox/score-report/${encodeURIComponent(test.testId)}`,
		Overall_Level: results?.overallLevel ?? '',
		Overall_cefr: results?.overallCefr ?? '',
		Status: test.status,
	};
	for (const [section, level] of Object.entries(results?.sectionLevels ?? {}))
		data[`${section}_Level`] = level;
	return data;
}

/**
 * A complete `data` object with every documented field and a score per section, for tests of a receiver.
 * `overrides` are applied last; an override whose value is undefined removes that field.
 */
export function sampleResultData(
	overrides: Record<string, unknown> = {},
	finishedOn: Date = new Date(Date.UTC(2024, 7, 15)),
): Record<string, unknown> {
	const testId = String(overrides.TestID ?? '50613490BP');
	const data: Record<string, unknown> = {
		OID: 'oid-0001',
		TestID: testId,
		Status: 'Completed',
		Duration: 74,
		TestDate: usDate(finishedOn),
		TestMonth: finishedOn.getUTCMonth() + 1,
		TestDay: finishedOn.getUTCDate(),
		TestYear: finishedOn.getUTCFullYear(),
		score_report_url: 'https://example.invalid/score-report/' + encodeURIComponent(testId),
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
	for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete data[key];
	return data;
}

/** M/D/YYYY in UTC without zero padding, as iTEP documents TestDate. */
export function usDate(date: Date): string {
	return `${date.getUTCMonth() + 1}/${date.getUTCDate()}/${date.getUTCFullYear()}`;
}

function lastChangeAt(test: TestRecord): string {
	return test.history[test.history.length - 1]?.at ?? new Date().toISOString();
}

function minutesSinceStart(test: TestRecord, until: Date): number {
	const started = [...test.history].reverse().find((change) => change.to === 'Started');
	return started
		? Math.max(0, Math.round((until.getTime() - new Date(started.at).getTime()) / 60_000))
		: 0;
}
