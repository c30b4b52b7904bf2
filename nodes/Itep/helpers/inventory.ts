/**
 * Reads rows of iTEP's AVAILABLE TESTS export (as n8n's Extract From File gives them: one object per row,
 * keyed by the header) and counts the stock per test type. Pure: no n8n context, so it is tested directly.
 *
 * iTEP's rule: a test ID is available when its status is Ready and its Assigned To is not populated.
 */

/** Which header holds each value. The defaults are the export's headers as the sandbox writes them. */
export interface InventoryColumns {
	testId: string;
	testType: string;
	status: string;
	assignedTo: string;
}

export const DEFAULT_INVENTORY_COLUMNS: InventoryColumns = {
	testId: 'Test ID',
	testType: 'Test Type',
	status: 'Status',
	assignedTo: 'Assigned To',
};

export interface ExportRow {
	/** Position in the input, from 0. */
	index: number;
	testId: string;
	testType: string;
	state: 'available' | 'assigned' | 'otherStatus';
	/** Whether the row has the Assigned To column at all (a spreadsheet reader leaves empty cells out). */
	hasAssignedToColumn: boolean;
}

export interface RowProblem {
	index: number;
	/** The setting's header, as the user configured it (or the default). */
	column: string;
	message: string;
}

export type RowReading =
	| { ok: true; row: ExportRow }
	| { ok: false; problem: RowProblem }
	/** No cell with a value (an empty item, or a spreadsheet program's trailing ",,,," line): not a row. */
	| { ok: 'blank' };

export interface StockThresholds {
	/** Applies to every test type without its own threshold. */
	default: number;
	byType: ReadonlyMap<string, number>;
}

export interface TestTypeStock {
	testType: string;
	/** Ready and Assigned To empty: what GTX/STX can still hand out. */
	available: number;
	/** Ready with a populated Assigned To: handed out, not started yet. */
	assignedNotStarted: number;
	/** Rows in any other status (an export that holds more than Ready rows). */
	otherStatus: number;
	total: number;
	availableTestIds: string[];
	threshold: number;
	/** Fewer available than the threshold. */
	belowThreshold: boolean;
	/** Input positions of this type's rows, for n8n's item pairing. */
	rows: number[];
}

/**
 * One row of the export, read. Header names are matched ignoring case, surrounding spaces and a byte-order
 * mark (spreadsheet programs add one to the first header of a CSV); only the row's own keys are looked at.
 */
export function readExportRow(
	value: unknown,
	index: number,
	columns: InventoryColumns,
): RowReading {
	const problem = (column: string, message: string): RowReading => ({
		ok: false,
		problem: { index, column, message },
	});
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		return problem(columns.testId, `${rowLabel(index)} is not a row of the export`);
	}
	const cells = cellsByHeader(value);
	if ([...cells.values()].every(isBlank)) return { ok: 'blank' };
	const required = (column: string): string | RowReading => {
		const key = normaliseHeader(column);
		if (!cells.has(key)) {
			return problem(
				column,
				`${rowLabel(index)} has no column "${column}"${cells.size ? ` (its columns: ${listHeaders(value)})` : ''}. Set the column name under Options if your export calls it something else.`,
			);
		}
		const cell = cells.get(key);
		const text = cellText(cell);
		if (text === undefined) {
			return problem(column, `${rowLabel(index)}: "${column}" holds ${describe(cell)}, not text`);
		}
		if (text === '') return problem(column, `${rowLabel(index)}: "${column}" is empty`);
		return text;
	};
	const testId = required(columns.testId);
	if (typeof testId !== 'string') return testId;
	const testType = required(columns.testType);
	if (typeof testType !== 'string') return testType;
	const status = required(columns.status);
	if (typeof status !== 'string') return status;

	const assignedToKey = normaliseHeader(columns.assignedTo);
	const assignedToCell = cells.get(assignedToKey);
	const assigned = assignedToPopulated(assignedToCell);
	if (assigned === undefined) {
		return problem(
			columns.assignedTo,
			`${rowLabel(index)}: "${columns.assignedTo}" holds ${describe(assignedToCell)}, not text`,
		);
	}
	const state =
		status.toLowerCase() !== 'ready' ? 'otherStatus' : assigned ? 'assigned' : 'available';
	return {
		ok: true,
		row: { index, testId, testType, state, hasAssignedToColumn: cells.has(assignedToKey) },
	};
}

/**
 * Stock per test type, in the order the types first appear, then any of `alwaysReport` the export did not
 * mention (a type that is sold out has no rows at all, and must still show up as 0 available).
 */
export function summariseStock(
	rows: readonly ExportRow[],
	thresholds: StockThresholds,
	alwaysReport: readonly string[] = [],
): TestTypeStock[] {
	// Types are matched ignoring case and surrounding spaces; an item shows the export's spelling, or the
	// setting's for a type the export does not mention.
	const byType = new Map<string, TestTypeStock>();
	const thresholdOf = new Map<string, number>();
	for (const [testType, threshold] of thresholds.byType)
		thresholdOf.set(typeKey(testType), threshold);
	const entry = (testType: string): TestTypeStock => {
		const key = typeKey(testType);
		let stock = byType.get(key);
		if (!stock) {
			const threshold = thresholdOf.get(key) ?? thresholds.default;
			stock = {
				testType: testType.trim(),
				available: 0,
				assignedNotStarted: 0,
				otherStatus: 0,
				total: 0,
				availableTestIds: [],
				threshold,
				belowThreshold: false,
				rows: [],
			};
			byType.set(key, stock);
		}
		return stock;
	};
	for (const row of rows) {
		const stock = entry(row.testType);
		stock.total++;
		stock.rows.push(row.index);
		if (row.state === 'available') {
			stock.available++;
			stock.availableTestIds.push(row.testId);
		} else if (row.state === 'assigned') {
			stock.assignedNotStarted++;
		} else {
			stock.otherStatus++;
		}
	}
	for (const testType of alwaysReport) entry(testType);
	for (const testType of thresholds.byType.keys()) entry(testType);
	const stocks = [...byType.values()];
	for (const stock of stocks) stock.belowThreshold = stock.available < stock.threshold;
	return stocks;
}

/** How test types are compared: "academic-plus " in a setting is the export's "Academic-Plus". */
export function typeKey(testType: string): string {
	return testType.trim().toLowerCase();
}

/** A test ID listed twice makes every count doubtful: the later row is the problem. */
export function findDuplicateTestIds(
	rows: readonly ExportRow[],
	columns: InventoryColumns,
): RowProblem[] {
	const firstSeen = new Map<string, number>();
	const problems: RowProblem[] = [];
	for (const row of rows) {
		const earlier = firstSeen.get(row.testId);
		if (earlier === undefined) {
			firstSeen.set(row.testId, row.index);
		} else {
			problems.push({
				index: row.index,
				column: columns.testId,
				message: `${rowLabel(row.index)}: test ID ${row.testId} is also on input item ${earlier + 1}; the export should list each test ID once`,
			});
		}
	}
	return problems;
}

/**
 * "Input item 3": users count from 1, n8n's item index from 0. Not a spreadsheet row number: readers skip
 * blank lines, and Extract From File can start below the first line.
 */
export function rowLabel(index: number): string {
	return `Input item ${index + 1}`;
}

/** The row's cells by normalised header; the first of two headers that normalise alike wins. */
function cellsByHeader(row: object): Map<string, unknown> {
	const cells = new Map<string, unknown>();
	for (const [header, value] of Object.entries(row)) {
		const key = normaliseHeader(header);
		if (!cells.has(key)) cells.set(key, value);
	}
	return cells;
}

function normaliseHeader(header: string): string {
	return header
		.replace(/^\uFEFF/, '')
		.trim()
		.toLowerCase();
}

function listHeaders(row: object): string {
	const headers = Object.keys(row).map((header) => `"${header.slice(0, 40)}"`);
	return headers.length > 8 ? `${headers.slice(0, 8).join(', ')}, ...` : headers.join(', ');
}

/** Spreadsheets give numbers for numeric cells (a numeric test ID or OID): read as their text. */
function cellText(value: unknown): string | undefined {
	if (typeof value === 'string') return value.trim();
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return undefined;
}

/**
 * Whether Assigned To is populated. Empty, missing (spreadsheet readers leave empty cells out), `{}`, or an
 * empty object (if an earlier step parsed the JSON) are not. Undefined: a value that cannot be a cell.
 */
function assignedToPopulated(value: unknown): boolean | undefined {
	if (value === undefined || value === null) return false;
	if (typeof value === 'string') {
		const text = value.trim();
		return text !== '' && text.replace(/\s+/g, '') !== '{}';
	}
	if (typeof value === 'number') return true;
	if (typeof value === 'object' && !Array.isArray(value)) return Object.keys(value).length > 0;
	return undefined;
}

function isBlank(value: unknown): boolean {
	return (
		value === undefined || value === null || (typeof value === 'string' && value.trim() === '')
	);
}

function describe(value: unknown): string {
	if (Array.isArray(value)) return 'a list';
	if (value === null) return 'null';
	return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
