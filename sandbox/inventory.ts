import type { SandboxConfig } from './config';
import { EXAM_STATUSES_VERSION_A, type FulfillmentKind } from './itepDocument';
import { randomInt, type Random } from './random';
import type { TestResults } from './scoring';

/**
 * Exam statuses iTEP documents for the results webhook ("Version A" of its page; Version B's words are
 * sent by the resultVariant knob 'otherVocabulary'). Ready is also the status of an unused test ID; a Ready
 * test ID with a populated assigned-to field is not available.
 */
export const TEST_STATUSES = EXAM_STATUSES_VERSION_A;
export type TestStatus = (typeof TEST_STATUSES)[number];

export interface StatusChange {
	at: string;
	from: TestStatus;
	to: TestStatus;
	/** What caused it: fulfillment, an admin transition, the seeded history. */
	via: string;
}

export interface TestRecord {
	testId: string;
	testType: string;
	/** "The remote system unique ID for this test" in iTEP's webhook. */
	oid: string;
	status: TestStatus;
	/** The JSON object from the request's assigned-to; null (or {}) means not populated, so still available. */
	assignedTo: Record<string, unknown> | null;
	registration: Record<string, unknown> | null;
	track: string | null;
	productCode: string | null;
	fulfilledVia: FulfillmentKind | null;
	sequence: number | null;
	provisionedAt: string | null;
	emailedTo: string | null;
	results: TestResults | null;
	history: StatusChange[];
}

/** iTEP: "A test ID is considered available to use if its status is Ready and the assigned-to field is not populated." */
export function isAvailable(test: TestRecord): boolean {
	return (
		test.status === 'Ready' &&
		(test.assignedTo === null || Object.keys(test.assignedTo).length === 0)
	);
}

/**
 * Two letters after the digits, as in iTEP's `50613490BP` (Business-Plus): initials of the type's parts, or
 * its first two letters for a one-word type.
 */
export function testIdSuffix(testType: string): string {
	const parts = testType.split('-').filter(Boolean);
	const letters =
		parts.length >= 2 ? parts[0][0] + parts[parts.length - 1][0] : testType.slice(0, 2);
	return letters.toUpperCase().padEnd(2, 'X');
}

/** The inventory a fresh (or reset) sandbox starts with; the same config and seed give the same IDs. */
export function createInventory(config: SandboxConfig, random: Random): TestRecord[] {
	const usedIds = new Set<string>();
	const tests: TestRecord[] = [];
	let nextOid = 7_000_001;
	const makeTest = (testType: string): TestRecord => {
		let testId: string;
		do {
			testId = String(randomInt(random, 10_000_000, 99_999_999)) + testIdSuffix(testType);
		} while (usedIds.has(testId));
		usedIds.add(testId);
		return blankTest(testId, testType, String(nextOid++));
	};
	for (const testType of config.testTypes) {
		// Used test IDs first, so "the first available" has to skip them as in a real account.
		if (config.seedHistory) tests.push(...seededHistory(testType, makeTest));
		const size = config.inventoryByType[testType] ?? config.inventorySize;
		for (let index = 0; index < size; index++) tests.push(makeTest(testType));
	}
	return tests;
}

/** Adds more Ready, unassigned test IDs (a purchase), keeping IDs and OIDs unique. */
export function addTestIds(
	tests: TestRecord[],
	testType: string,
	count: number,
	random: Random,
): TestRecord[] {
	const usedIds = new Set(tests.map((test) => test.testId));
	let nextOid = Math.max(7_000_000, ...tests.map((test) => Number(test.oid) || 0)) + 1;
	const added: TestRecord[] = [];
	for (let index = 0; index < count; index++) {
		let testId: string;
		do {
			testId = String(randomInt(random, 10_000_000, 99_999_999)) + testIdSuffix(testType);
		} while (usedIds.has(testId));
		usedIds.add(testId);
		added.push(blankTest(testId, testType, String(nextOid++)));
	}
	tests.push(...added);
	return added;
}

function blankTest(testId: string, testType: string, oid: string): TestRecord {
	return {
		testId,
		testType,
		oid,
		status: 'Ready',
		assignedTo: null,
		registration: null,
		track: null,
		productCode: null,
		fulfilledVia: null,
		sequence: null,
		provisionedAt: null,
		emailedTo: null,
		results: null,
		history: [],
	};
}

/** A Ready-but-assigned, a Started, a Completed and a Disabled test ID: none of them is available. */
function seededHistory(testType: string, makeTest: (type: string) => TestRecord): TestRecord[] {
	const at = '2024-08-01T09:00:00.000Z';
	const assigned = (name: string) => ({
		'student-name': name,
		email: `${name.toLowerCase().replace(/\W+/g, '.')}@example.com`,
	});
	const withStatus = (
		status: TestStatus,
		assignedTo: Record<string, unknown> | null,
	): TestRecord => {
		const test = makeTest(testType);
		test.assignedTo = assignedTo;
		if (status !== 'Ready') {
			test.status = status;
			test.history.push({ at, from: 'Ready', to: status, via: 'seeded history' });
		}
		return test;
	};
	return [
		withStatus('Ready', assigned('Assigned Earlier')),
		withStatus('Started', assigned('Taking Now')),
		withStatus('Completed', assigned('Done Before')),
		withStatus('Disabled', null),
	];
}

/** Counts per test type, for /sandbox/inventory and the CLI banner. */
export function inventorySummary(
	tests: TestRecord[],
): Record<string, { total: number; available: number; byStatus: Record<string, number> }> {
	const summary: Record<
		string,
		{ total: number; available: number; byStatus: Record<string, number> }
	> = {};
	for (const test of tests) {
		const entry = (summary[test.testType] ??= { total: 0, available: 0, byStatus: {} });
		entry.total++;
		if (isAvailable(test)) entry.available++;
		entry.byStatus[test.status] = (entry.byStatus[test.status] ?? 0) + 1;
	}
	return summary;
}

/**
 * The AVAILABLE TESTS panel's export: every Ready test ID with its Assigned To (the JSON it was given, or
 * empty). iTEP: a Ready test ID whose assigned-to is populated "will not be considered available", and its
 * screen shows such rows beside the available ones, so the export carries both and the reader tells them
 * apart. `assigned: 'exclude'` lists only the available ones. Column names are the sandbox's.
 */
export function availableTestRows(
	tests: TestRecord[],
	filter: { testType?: string; assigned?: 'include' | 'exclude' } = {},
): Array<Record<string, string>> {
	return tests
		.filter(
			(test) =>
				test.status === 'Ready' &&
				(!filter.testType || test.testType === filter.testType) &&
				(filter.assigned !== 'exclude' || isAvailable(test)),
		)
		.map((test) => ({
			'Test ID': test.testId,
			'Test Type': test.testType,
			Status: test.status,
			'Assigned To': isAvailable(test) ? '' : JSON.stringify(test.assignedTo),
			OID: test.oid,
		}));
}

export function toCsv(rows: Array<Record<string, string>>, columns: string[]): string {
	const cell = (value: string) =>
		/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
	return [
		columns.map(cell).join(','),
		...rows.map((row) => columns.map((column) => cell(row[column] ?? '')).join(',')),
	]
		.join('\r\n')
		.concat('\r\n');
}

export const AVAILABLE_TEST_COLUMNS = ['Test ID', 'Test Type', 'Status', 'Assigned To', 'OID'];
