import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import * as XLSX from 'xlsx';

import { runNode } from '../../../../../devkit/executeContext';
import { Itep } from '../../../../../nodes/Itep/Itep.node';
import { isAvailable } from '../../../../../sandbox/inventory';
import { startSandbox, type RunningSandbox } from '../../../../../sandbox/server';
import { credentialFor, runItep } from '../../../../helpers/itepNode';

async function summarize(
	items: IDataObject[],
	parameters: IDataObject = {},
	continueOnFail = false,
): Promise<INodeExecutionData[]> {
	const [output] = await runNode({
		nodeType: new Itep(),
		parameters: { resource: 'inventory', operation: 'summarizeExport', ...parameters },
		items: items.map((json) => ({ json })),
		continueOnFail,
	});
	return output;
}

async function summarizeExpectingError(items: IDataObject[], parameters: IDataObject = {}) {
	try {
		await summarize(items, parameters);
	} catch (error) {
		return error as Error & { description?: string; context?: { itemIndex?: number } };
	}
	throw new Error('expected the node to throw');
}

const row = (testId: string, testType: string, status = 'Ready', assignedTo = '') => ({
	'Test ID': testId,
	'Test Type': testType,
	Status: status,
	'Assigned To': assignedTo,
	OID: '7000001',
});

/** What the sandbox's export holds, read the way n8n's Extract From File reads a file: with SheetJS. */
async function exportRows(sandbox: RunningSandbox, format: 'csv' | 'xlsx'): Promise<IDataObject[]> {
	const response = await fetch(`${sandbox.url}/sandbox/available-tests.${format}`);
	const workbook = XLSX.read(Buffer.from(await response.arrayBuffer()), {
		type: 'buffer',
		raw: format === 'csv',
	});
	return XLSX.utils.sheet_to_json<IDataObject>(workbook.Sheets[workbook.SheetNames[0]], {
		raw: format !== 'csv',
	});
}

describe('iTEP node, Inventory > Summarize Export, on the sandbox export', () => {
	let sandbox: RunningSandbox;
	beforeAll(async () => {
		sandbox = await startSandbox({
			port: 0,
			testTypes: ['Academic-Plus', 'Business-Core'],
			inventorySize: 4,
		});
		// Spend two Academic-Plus test IDs; start one of them, so it leaves the export.
		const spent = await runItep({
			target: sandbox,
			parameters: { assignedTo: { candidateName: 'Ana Example' }, track: 'RC' },
			items: [{}, {}],
			credentials: credentialFor(sandbox),
		});
		sandbox.transition(String(spent[0].json.testId), 'started');
	});
	afterAll(async () => {
		await sandbox.close();
	});

	test.each(['csv', 'xlsx'] as const)(
		'counts what the sandbox holds, from its %s export',
		async (format) => {
			const rows = await exportRows(sandbox, format);
			const output = await summarize(rows, { lowStockThreshold: 3 });
			const ready = (type: string) =>
				sandbox.state.tests.filter((test) => test.testType === type && test.status === 'Ready');
			const expected = ['Academic-Plus', 'Business-Core'].map((testType) => ({
				testType,
				available: ready(testType).filter(isAvailable).length,
				assignedNotStarted: ready(testType).filter((test) => !isAvailable(test)).length,
				otherStatus: 0,
				total: ready(testType).length,
				threshold: 3,
				belowThreshold: ready(testType).filter(isAvailable).length < 3,
				availableTestIds: ready(testType)
					.filter(isAvailable)
					.map((test) => test.testId),
			}));
			// The same figures, written out: 4 bought per type, 2 Academic-Plus spent (1 started), and the
			// seeded history's one Ready-but-assigned test ID per type.
			expect(
				expected.map(({ testType, available, assignedNotStarted, total, belowThreshold }) => [
					testType,
					available,
					assignedNotStarted,
					total,
					belowThreshold,
				]),
			).toEqual([
				['Academic-Plus', 2, 2, 4, true],
				['Business-Core', 4, 1, 5, false],
			]);
			expect(output.map((item) => item.json)).toEqual(expected);
		},
	);
});

describe('iTEP node, Inventory > Summarize Export', () => {
	test('tells available, assigned and other rows apart; iTEP: available = Ready and Assigned To empty', async () => {
		const output = await summarize([
			row('100AP', 'Academic-Plus'),
			row('101AP', 'Academic-Plus', ' READY '),
			row('102AP', 'Academic-Plus', 'Ready', '{}'),
			row('103AP', 'Academic-Plus', 'Ready', ' { } '),
			{ 'Test ID': '104AP', 'Test Type': 'Academic-Plus', Status: 'Ready' },
			row('105AP', 'Academic-Plus', 'Ready', '{"student-name":"Mary Poppins"}'),
			row('106AP', 'Academic-Plus', 'Ready', 'Mary Poppins'),
			row('107AP', 'Academic-Plus', 'Started', ''),
			row('108AP', 'Academic-Plus', 'Completed', '{"student-name":"Done"}'),
			{ 'Test ID': 20001, 'Test Type': 'Hospitality', Status: 'Ready' },
		]);
		expect(output.map((item) => item.json)).toEqual([
			{
				testType: 'Academic-Plus',
				available: 5,
				assignedNotStarted: 2,
				otherStatus: 2,
				total: 9,
				threshold: 10,
				belowThreshold: true,
				availableTestIds: ['100AP', '101AP', '102AP', '103AP', '104AP'],
			},
			{
				testType: 'Hospitality',
				available: 1,
				assignedNotStarted: 0,
				otherStatus: 0,
				total: 1,
				threshold: 10,
				belowThreshold: true,
				availableTestIds: ['20001'],
			},
		]);
		expect(output.map((item) => item.pairedItem)).toEqual([
			[0, 1, 2, 3, 4, 5, 6, 7, 8].map((item) => ({ item })),
			[{ item: 9 }],
		]);
	});

	test('below threshold means fewer available than the threshold; per-type thresholds and always-reported types', async () => {
		const rows = [
			row('1AP', 'Academic-Plus'),
			row('2AP', 'Academic-Plus'),
			row('1BC', 'Business-Core'),
			row('2BC', 'Business-Core'),
		];
		const output = await summarize(rows, {
			lowStockThreshold: 2,
			thresholdsByType: { threshold: [{ testType: 'Business-Core', threshold: 3 }] },
			alwaysReport: 'Hospitality, Academic-Plus, ,Hospitality',
			options: { includeTestIds: false },
		});
		expect(output.map((item) => item.json)).toEqual([
			{
				testType: 'Academic-Plus',
				available: 2,
				assignedNotStarted: 0,
				otherStatus: 0,
				total: 2,
				threshold: 2,
				belowThreshold: false,
			},
			{
				testType: 'Business-Core',
				available: 2,
				assignedNotStarted: 0,
				otherStatus: 0,
				total: 2,
				threshold: 3,
				belowThreshold: true,
			},
			{
				testType: 'Hospitality',
				available: 0,
				assignedNotStarted: 0,
				otherStatus: 0,
				total: 0,
				threshold: 2,
				belowThreshold: true,
			},
		]);
		// A type with no rows is paired with every input item.
		expect(output[2].pairedItem).toEqual([0, 1, 2, 3].map((item) => ({ item })));
	});

	test("an empty export (Always Output Data's one empty item) still reports the listed types as sold out", async () => {
		const output = await summarize([{}], {
			alwaysReport: 'Academic-Plus',
			thresholdsByType: { threshold: [{ testType: 'Business-Core', threshold: 1 }] },
		});
		expect(
			output.map((item) => [item.json.testType, item.json.available, item.json.belowThreshold]),
		).toEqual([
			['Academic-Plus', 0, true],
			['Business-Core', 0, true],
		]);
		expect(await summarize([{}])).toEqual([]);
	});

	test("headers are matched ignoring case, spaces and a CSV's byte-order mark, and can be mapped", async () => {
		const bom = await summarize([
			{ '\uFEFFtest id': 'A1', ' TEST TYPE ': 'Academic-Plus', status: 'Ready', 'assigned to': '' },
		]);
		expect(bom.map((item) => item.json.availableTestIds)).toEqual([['A1']]);

		const mapped = await summarize(
			[
				{ Code: 'B1', Product: 'Business-Core', State: 'Ready', Candidate: '' },
				{ Code: 'B2', Product: 'Business-Core', State: 'Ready', Candidate: '{"name":"x"}' },
			],
			{
				options: {
					testIdColumn: 'Code',
					testTypeColumn: 'Product',
					statusColumn: 'State',
					assignedToColumn: 'Candidate',
				},
			},
		);
		expect(mapped.map((item) => [item.json.available, item.json.assignedNotStarted])).toEqual([
			[1, 1],
		]);
	});

	test('a row without a required column stops the node, naming the item, the row and the column', async () => {
		const error = await summarizeExpectingError([
			row('1AP', 'Academic-Plus'),
			{ 'Test ID': '2AP', Type: 'Academic-Plus', Status: 'Ready' },
			row('3AP', 'Academic-Plus', ''),
		]);
		expect(error.message).toBe(
			'Input item 2 has no column "Test Type" (its columns: "Test ID", "Type", "Status"). Set the column name under Options if your export calls it something else.',
		);
		expect(error.context?.itemIndex).toBe(1);
		expect(error.description).toContain('1 more row(s) cannot be read either. Nothing was counted');
	});

	test('with Continue On Fail, unreadable and repeated rows become error items and are not counted', async () => {
		const output = await summarize(
			[
				row('1AP', 'Academic-Plus'),
				row('2AP', 'Academic-Plus', ''),
				row('1AP', 'Academic-Plus'),
				{ 'Test ID': ['3AP'], 'Test Type': 'Academic-Plus', Status: 'Ready' },
				row('4AP', 'Academic-Plus', 'Ready', true as unknown as string),
				row('5AP', 'Academic-Plus'),
			],
			{},
			true,
		);
		expect(output.map((item) => item.json)).toEqual([
			{
				testType: 'Academic-Plus',
				available: 2,
				assignedNotStarted: 0,
				otherStatus: 0,
				total: 2,
				threshold: 10,
				belowThreshold: true,
				availableTestIds: ['1AP', '5AP'],
				unreadableRows: 4,
			},
			{
				error: 'Input item 2: "Status" is empty',
				column: 'Status',
				itemIndex: 1,
			},
			{
				error:
					'Input item 3: test ID 1AP is also on input item 1; the export should list each test ID once',
				column: 'Test ID',
				itemIndex: 2,
			},
			{
				error: 'Input item 4: "Test ID" holds a list, not text',
				column: 'Test ID',
				itemIndex: 3,
			},
			{
				error: 'Input item 5: "Assigned To" holds a boolean, not text',
				column: 'Assigned To',
				itemIndex: 4,
			},
		]);
		expect(output.slice(1).map((item) => item.pairedItem)).toEqual([
			{ item: 1 },
			{ item: 2 },
			{ item: 3 },
			{ item: 4 },
		]);
	});

	test('test types and headers from the file never become properties of shared objects', async () => {
		const rows = JSON.parse(
			'[{"Test ID":"1","Test Type":"__proto__","Status":"Ready","Assigned To":""},{"Test ID":"2","Test Type":"constructor","Status":"Ready"},{"__proto__":"x","Test ID":"3","Test Type":"toString","Status":"Ready"}]',
		) as IDataObject[];
		const output = await summarize(rows);
		expect(output.map((item) => [item.json.testType, item.json.available])).toEqual([
			['__proto__', 1],
			['constructor', 1],
			['toString', 1],
		]);
		expect(({} as Record<string, unknown>).available).toBeUndefined();
	});

	test('settings that cannot work are refused by name before anything is counted', async () => {
		const rows = [row('1AP', 'Academic-Plus')];
		expect((await summarizeExpectingError(rows, { options: { testIdColumn: ' ' } })).message).toBe(
			'Options > Test ID Column is empty',
		);
		expect((await summarizeExpectingError(rows, { lowStockThreshold: -1 })).message).toBe(
			'Low Stock Threshold must be a whole number of 0 or more',
		);
		expect(
			(
				await summarizeExpectingError(rows, {
					thresholdsByType: {
						threshold: [
							{ testType: 'Academic-Plus', threshold: 1 },
							{ testType: ' Academic-Plus ', threshold: 2 },
						],
					},
				})
			).message,
		).toBe('Thresholds per Test Type, entry 2 repeats the test type "Academic-Plus"');
		expect(
			(
				await summarizeExpectingError(rows, {
					thresholdsByType: { threshold: [{ testType: '', threshold: 1 }] },
				})
			).message,
		).toBe('Thresholds per Test Type, entry 1 has no test type');
	});

	test('a file instead of rows (Extract From File left out) is refused, not read as an empty export', async () => {
		const [output] = await runNode({
			nodeType: new Itep(),
			parameters: {
				resource: 'inventory',
				operation: 'summarizeExport',
				alwaysReport: 'Academic-Plus',
			},
			items: [
				{
					json: {},
					binary: {
						data: { data: '', mimeType: 'text/csv', fileName: 'available-tests.csv' },
					},
				},
			],
		}).catch((error: Error) => [[{ json: { thrown: error.message } }]]);
		expect(output.map((item) => item.json)).toEqual([
			{
				thrown:
					'Input item 1 is a file, not a row of the export: put Extract From File between the download and this node',
			},
		]);
	});

	test('an Assigned To column no row has stops the node: a wrong header would count every assigned test ID as available', async () => {
		const error = await summarizeExpectingError([
			{ 'Test ID': '1AP', 'Test Type': 'Academic-Plus', Status: 'Ready', AssignedTo: '{"a":1}' },
			{ 'Test ID': '2AP', 'Test Type': 'Academic-Plus', Status: 'Ready', AssignedTo: '' },
		]);
		expect(error.message).toBe('No row of the export has the column "Assigned To"');
		expect(error.description).toContain('Options > Assigned To Column');
		expect(error.description).toContain('Include Empty Cells');
	});

	test('test types in the settings match the export ignoring case and surrounding spaces', async () => {
		const output = await summarize([row('1AP', 'Academic-Plus'), row('2AP', 'Academic-Plus')], {
			thresholdsByType: { threshold: [{ testType: ' academic-plus ', threshold: 3 }] },
			alwaysReport: 'ACADEMIC-PLUS',
			options: { includeTestIds: false },
		});
		expect(output.map((item) => item.json)).toEqual([
			{
				testType: 'Academic-Plus',
				available: 2,
				assignedNotStarted: 0,
				otherStatus: 0,
				total: 2,
				threshold: 3,
				belowThreshold: true,
			},
		]);
	});

	test('rows with every cell empty (a spreadsheet program\'s trailing ",,,," lines) are not rows', async () => {
		const output = await summarize([
			row('1AP', 'Academic-Plus'),
			{ 'Test ID': '', 'Test Type': '', Status: '', 'Assigned To': '', OID: '' },
			{ 'Test ID': ' ', 'Test Type': null, Status: '', 'Assigned To': '' },
		]);
		expect(output.map((item) => [item.json.testType, item.json.total])).toEqual([
			['Academic-Plus', 1],
		]);
	});
});
