/**
 * examples/inventory-low-stock-alert.json in real n8n (2.x and 1.x), as a user imports it: Schedule Trigger
 * -> HTTP Request downloads the sandbox's AVAILABLE TESTS export -> n8n's own Extract From File -> iTEP
 * Inventory > Summarize Export -> IF below threshold -> HTTP Request to the sandbox's results sink. Run from
 * its trigger the way the editor's "Execute workflow" does, once on the CSV as shipped, once switched to the
 * .xlsx export, and once on a sold-out account whose export has no rows at all. Expected counts come from the
 * sandbox's own inventory (its isAvailable), never from the node.
 */
import { isAvailable } from '../../sandbox/inventory';
import { startSandbox, type RunningSandbox } from '../../sandbox/server';
import {
	e2eVersions,
	executionError,
	nodeOutput,
	timed,
	type N8nInstance,
	type WorkflowInput,
} from '../../devkit/n8n';
import { describeE2e, loadExample, startLine, stopLine } from './support';

const EXAMPLE = 'inventory-low-stock-alert.json';
const TRIGGER = 'Every Morning';
const LISTED_TYPES = ['Academic-Plus', 'Business-Core'];

/** The example with the sandbox URL in place; `xlsx` switches the download and Extract From File to .xlsx. */
function example(sandbox: RunningSandbox, format: 'csv' | 'xlsx' = 'csv'): WorkflowInput {
	const workflow = loadExample(EXAMPLE, { 'http://127.0.0.1:8787': sandbox.url });
	if (format === 'xlsx') {
		for (const node of workflow.nodes) {
			if (node.name === 'Get Export') {
				node.parameters.url = `${sandbox.url}/sandbox/available-tests.xlsx`;
			}
			if (node.name === 'Extract From File') node.parameters.operation = 'xlsx';
		}
	}
	return { ...workflow, name: `${workflow.name} (${format})` };
}

/** What each listed type should show, from the sandbox's own records. */
function expectedStock(sandbox: RunningSandbox, testType: string, threshold: number) {
	const ready = sandbox.state.tests.filter(
		(test) => test.testType === testType && test.status === 'Ready',
	);
	const available = ready.filter(isAvailable);
	return {
		testType,
		available: available.length,
		assignedNotStarted: ready.length - available.length,
		otherStatus: 0,
		total: ready.length,
		threshold,
		belowThreshold: available.length < threshold,
		availableTestIds: available.map((test) => test.testId),
	};
}

describeE2e.each(e2eVersions())('n8n %s: inventory low-stock example', (version) => {
	let n8n: N8nInstance;
	let sandbox: RunningSandbox;
	let soldOut: RunningSandbox;
	const timings: Record<string, number> = {};

	beforeAll(async () => {
		// Academic-Plus well stocked, Business-Core low; each has the seeded Ready-but-assigned test ID.
		sandbox = await startSandbox({
			port: 0,
			testTypes: LISTED_TYPES,
			inventoryByType: { 'Academic-Plus': 12, 'Business-Core': 2 },
		});
		soldOut = await startSandbox({
			port: 0,
			testTypes: LISTED_TYPES,
			inventorySize: 0,
			seedHistory: false,
		});
		n8n = await startLine(version, timings, 'inventory');
	});

	afterAll(async () => {
		await stopLine(n8n, version, timings);
		await sandbox?.close();
		await soldOut?.close();
	});

	test.each(['csv', 'xlsx'] as const)(
		'the %s export: one summary per test type, and one alert for the type below its threshold',
		async (format) => {
			sandbox.state.results.length = 0;
			const workflow = await n8n.api.createWorkflow(example(sandbox, format));
			const { value: execution, ms } = await timed(() => n8n.api.runManually(workflow.id, TRIGGER));
			timings[`inventory.${format}RunMs`] = ms;
			expect(executionError(execution)).toBeUndefined();
			expect(execution.status).toBe('success');

			const expected = LISTED_TYPES.map((type) => expectedStock(sandbox, type, 10));
			// The same figures written out: 12 and 2 bought, one seeded assigned test ID each.
			expect(expected.map((stock) => [stock.available, stock.assignedNotStarted])).toEqual([
				[12, 1],
				[2, 1],
			]);
			expect(nodeOutput(execution, 'Count Stock')).toEqual(expected);
			expect(sandbox.state.results.map((entry) => entry.body)).toEqual([
				{
					alert: 'iTEP stock low',
					testType: 'Business-Core',
					available: 2,
					assignedNotStarted: 1,
					threshold: 10,
				},
			]);
		},
	);

	test('a sold-out account (an export with no rows) still alerts for every listed type', async () => {
		const workflow = await n8n.api.createWorkflow(example(soldOut));
		const execution = await n8n.api.runManually(workflow.id, TRIGGER);
		expect(executionError(execution)).toBeUndefined();
		expect(nodeOutput(execution, 'Extract From File')).toEqual([{}]);
		expect(nodeOutput(execution, 'Count Stock')).toEqual(
			LISTED_TYPES.map((testType) => ({
				testType,
				available: 0,
				assignedNotStarted: 0,
				otherStatus: 0,
				total: 0,
				threshold: 10,
				belowThreshold: true,
				availableTestIds: [],
			})),
		);
		expect(
			soldOut.state.results.map((entry) => (entry.body as { testType: string }).testType),
		).toEqual(LISTED_TYPES);
	});
});
