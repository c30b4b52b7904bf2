import { parseResultData } from '../nodes/shared/resultPayload';
import type { TestRecord } from './inventory';

/**
 * The results webhook's `data` object for a test as it stands, with iTEP's documented field names. Values
 * are the sandbox's choice where iTEP's documentation is silent: levels as JSON numbers, dates in UTC, the
 * always-included level fields blank ('') while a test has no results. Checked with the pack's own
 * parser before it is sent, so the sandbox never sends what the trigger would refuse.
 */
export function buildResultsData(test: TestRecord, sandboxUrl: string): Record<string, unknown> {
	const results = test.results;
	const date = new Date(results?.finishedAt ?? lastChangeAt(test));
	const data: Record<string, unknown> = {
		OID: test.oid,
		TestID: test.testId,
		Duration: results?.durationMinutes ?? minutesSinceStart(test, date),
		TestDate: `${date.getUTCMonth() + 1}/${date.getUTCDate()}/${date.getUTCFullYear()}`,
		TestMonth: date.getUTCMonth() + 1,
		TestDay: date.getUTCDate(),
		TestYear: date.getUTCFullYear(),
		score_report_url: `${sandboxUrl}/sandbox/score-report/${encodeURIComponent(test.testId)}`,
		Overall_Level: results?.overallLevel ?? '',
		Overall_cefr: results?.overallCefr ?? '',
		Status: test.status,
	};
	for (const [section, level] of Object.entries(results?.sectionLevels ?? {})) data[`${section}_Level`] = level;
	const checked = parseResultData(data);
	if (!checked.ok) throw new Error(`Sandbox bug: built a results payload the pack refuses (${checked.reason})`);
	return data;
}

function lastChangeAt(test: TestRecord): string {
	return test.history[test.history.length - 1]?.at ?? new Date().toISOString();
}

function minutesSinceStart(test: TestRecord, until: Date): number {
	const started = [...test.history].reverse().find((change) => change.to === 'Started');
	return started ? Math.max(0, Math.round((until.getTime() - new Date(started.at).getTime()) / 60_000)) : 0;
}
