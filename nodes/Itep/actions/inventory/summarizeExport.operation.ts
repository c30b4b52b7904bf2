import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import {
	DEFAULT_INVENTORY_COLUMNS,
	findDuplicateTestIds,
	readExportRow,
	rowLabel,
	summariseStock,
	typeKey,
	type ExportRow,
	type InventoryColumns,
	type RowProblem,
	type StockThresholds,
} from '../../helpers/inventory';
import { continuedErrorItem } from '../../helpers/errorItem';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';

const DEFAULT_THRESHOLD = 10;

const properties: INodeProperties[] = [
	{
		displayName:
			"iTEP has no inventory API. Download the spreadsheet from the <b>AVAILABLE TESTS</b> panel of the iTEP administration system (csv or xls), turn it into rows with n8n's <b>Extract From File</b> node, and connect that here: this node reads all the rows together and returns one item per test type. Turn on <b>Always Output Data</b> in Extract From File, so that an empty export (everything sold out) still reaches this node.",
		name: 'inventoryNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Low Stock Threshold',
		name: 'lowStockThreshold',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 0 },
		default: DEFAULT_THRESHOLD,
		description:
			'A test type is below the threshold when fewer test IDs than this are available (Ready, Assigned To empty)',
	},
	{
		displayName: 'Thresholds per Test Type',
		name: 'thresholdsByType',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Threshold',
		default: {},
		description:
			'A threshold for one test type instead of Low Stock Threshold. A type listed here is always reported, even with no rows in the export.',
		options: [
			{
				displayName: 'Threshold',
				name: 'threshold',
				values: [
					{
						displayName: 'Test Type',
						name: 'testType',
						type: 'string',
						default: '',
						placeholder: 'e.g. Academic-Plus',
						description: 'As the export writes it in its test type column',
					},
					{
						displayName: 'Threshold',
						name: 'threshold',
						type: 'number',
						typeOptions: { minValue: 0, numberPrecision: 0 },
						default: DEFAULT_THRESHOLD,
					},
				],
			},
		],
	},
	{
		displayName: 'Test Types to Always Report',
		name: 'alwaysReport',
		type: 'string',
		default: '',
		placeholder: 'e.g. Academic-Plus, Business-Core',
		description:
			'Comma-separated test types that get an item even when the export has no row for them. A sold-out type has no rows at all, so list the types you sell to be warned when one runs out.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Assigned To Column',
				name: 'assignedToColumn',
				type: 'string',
				default: 'Assigned To',
				description:
					'The header of the column holding Assigned To. A Ready test ID with anything in it (other than {}) is assigned, not available. A missing cell counts as empty.',
			},
			{
				displayName: 'Include Available Test IDs',
				name: 'includeTestIds',
				type: 'boolean',
				default: true,
				description: 'Whether each item lists the available test IDs of its type',
			},
			{
				displayName: 'Status Column',
				name: 'statusColumn',
				type: 'string',
				default: 'Status',
				description: 'The header of the column holding the status (Ready, Started, ...)',
			},
			{
				displayName: 'Test ID Column',
				name: 'testIdColumn',
				type: 'string',
				default: 'Test ID',
				description: 'The header of the column holding the test ID',
			},
			{
				displayName: 'Test Type Column',
				name: 'testTypeColumn',
				type: 'string',
				default: 'Test Type',
				description: 'The header of the column holding the test type (Academic-Plus, ...)',
			},
		],
	},
];

const displayOptions = { show: { resource: ['inventory'], operation: ['summarizeExport'] } };

export const description = updateDisplayOptions(displayOptions, properties);

interface SummaryOptions {
	assignedToColumn?: string;
	includeTestIds?: boolean;
	statusColumn?: string;
	testIdColumn?: string;
	testTypeColumn?: string;
}

/**
 * All input items are the rows of one export, so the settings are read once (from the first item) and the
 * output is one item per test type, paired with that type's rows. Every row is read before anything is
 * counted: a row that cannot be read stops the node with its position and column, or with Continue On Fail
 * becomes an error item beside the summaries, which then say how many rows they could not count.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const items = this.getInputData();
	const options = this.getNodeParameter('options', 0, {}) as SummaryOptions;
	const columns = readColumns.call(this, options);
	const thresholds = readThresholds.call(this);
	const alwaysReport = splitTestTypes(this.getNodeParameter('alwaysReport', 0, '') as string);

	const rows: ExportRow[] = [];
	const problems: RowProblem[] = [];
	items.forEach((item, index) => {
		// A download connected straight here: a file, no fields. Read as blank it would report every type as
		// sold out.
		if (Object.keys(item.json).length === 0 && Object.keys(item.binary ?? {}).length) {
			throw new NodeOperationError(
				this.getNode(),
				`${rowLabel(index)} is a file, not a row of the export: put Extract From File between the download and this node`,
				{ itemIndex: index },
			);
		}
		const reading = readExportRow(item.json, index, columns);
		// Blank: Always Output Data's one empty item for an empty export, or a trailing ",,,," line.
		if (reading.ok === 'blank') return;
		if (reading.ok) rows.push(reading.row);
		else problems.push(reading.problem);
	});
	// A missing Assigned To cell counts as empty, so a header that matches nothing would turn every assigned
	// test ID into an available one: the low-stock alert would never fire.
	if (rows.length && !rows.some((row) => row.hasAssignedToColumn)) {
		throw new NodeOperationError(
			this.getNode(),
			`No row of the export has the column "${columns.assignedTo}"`,
			{
				description:
					"Set Options > Assigned To Column to the export's header. If the header is right and nothing is assigned, turn on Include Empty Cells in Extract From File (spreadsheet readers leave empty cells out).",
			},
		);
	}
	const duplicates = findDuplicateTestIds(rows, columns);
	problems.push(...duplicates);
	problems.sort((left, right) => left.index - right.index);

	if (problems.length && !this.continueOnFail()) {
		const [first] = problems;
		throw new NodeOperationError(this.getNode(), first.message, {
			itemIndex: first.index,
			description:
				problems.length > 1
					? `${problems.length - 1} more row(s) cannot be read either. Nothing was counted: fix the export or the column names under Options, or turn on Continue On Fail to count the rows that can be read.`
					: 'Nothing was counted: fix the export or the column names under Options.',
		});
	}

	const skipped = new Set(duplicates.map((problem) => problem.index));
	const stocks = summariseStock(
		rows.filter((row) => !skipped.has(row.index)),
		thresholds,
		alwaysReport,
	);
	const everyItem = items.map((_, item) => ({ item }));
	const summaries: INodeExecutionData[] = stocks.map((stock) => {
		const json: IDataObject = {
			testType: stock.testType,
			available: stock.available,
			assignedNotStarted: stock.assignedNotStarted,
			otherStatus: stock.otherStatus,
			total: stock.total,
			threshold: stock.threshold,
			belowThreshold: stock.belowThreshold,
		};
		if (options.includeTestIds !== false) json.availableTestIds = stock.availableTestIds;
		if (problems.length) json.unreadableRows = problems.length;
		return {
			json,
			pairedItem: stock.rows.length ? stock.rows.map((item) => ({ item })) : everyItem,
		};
	});
	const errors = problems.map((problem) =>
		continuedErrorItem(
			this.getNode(),
			problem.message,
			{ column: problem.column, itemIndex: problem.index },
			problem.index,
		),
	);
	return [...summaries, ...errors];
}

function readColumns(this: IExecuteFunctions, options: SummaryOptions): InventoryColumns {
	const column = (value: string | undefined, fallback: string, label: string): string => {
		const text = typeof value === 'string' ? value.trim() : '';
		if (value !== undefined && text === '') {
			throw new NodeOperationError(this.getNode(), `Options > ${label} is empty`, {
				description: `Enter the export's header for this column, or remove the option to use "${fallback}".`,
			});
		}
		return text || fallback;
	};
	return {
		testId: column(options.testIdColumn, DEFAULT_INVENTORY_COLUMNS.testId, 'Test ID Column'),
		testType: column(
			options.testTypeColumn,
			DEFAULT_INVENTORY_COLUMNS.testType,
			'Test Type Column',
		),
		status: column(options.statusColumn, DEFAULT_INVENTORY_COLUMNS.status, 'Status Column'),
		assignedTo: column(
			options.assignedToColumn,
			DEFAULT_INVENTORY_COLUMNS.assignedTo,
			'Assigned To Column',
		),
	};
}

function readThresholds(this: IExecuteFunctions): StockThresholds {
	const checked = (value: unknown, label: string): number => {
		if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
			throw new NodeOperationError(this.getNode(), `${label} must be a whole number of 0 or more`, {
				description: `It is ${JSON.stringify(value)}.`,
			});
		}
		return value;
	};
	const byType = new Map<string, number>();
	const entries = (
		this.getNodeParameter('thresholdsByType', 0, {}) as {
			threshold?: Array<{ testType?: unknown; threshold?: unknown }>;
		}
	).threshold;
	for (const [position, entry] of (entries ?? []).entries()) {
		const label = `Thresholds per Test Type, entry ${position + 1}`;
		const testType = typeof entry.testType === 'string' ? entry.testType.trim() : '';
		if (!testType) {
			throw new NodeOperationError(this.getNode(), `${label} has no test type`, {
				description: 'Enter the test type as the export writes it, e.g. Academic-Plus.',
			});
		}
		if ([...byType.keys()].some((known) => typeKey(known) === typeKey(testType))) {
			throw new NodeOperationError(this.getNode(), `${label} repeats the test type "${testType}"`, {
				description: 'Give each test type one threshold.',
			});
		}
		byType.set(testType, checked(entry.threshold, `${label}: Threshold`));
	}
	return {
		default: checked(this.getNodeParameter('lowStockThreshold', 0), 'Low Stock Threshold'),
		byType,
	};
}

function splitTestTypes(text: string): string[] {
	const types = String(text ?? '')
		.split(',')
		.map((type) => type.trim())
		.filter(Boolean);
	const seen = new Set<string>();
	return types.filter((type) => !seen.has(typeKey(type)) && seen.add(typeKey(type)));
}
