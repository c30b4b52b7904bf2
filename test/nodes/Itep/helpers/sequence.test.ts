import { nextSequence } from '../../../../nodes/Itep/helpers/sequence';
import { startSandbox, type RunningSandbox } from '../../../../sandbox/server';
import { runItep } from '../../../helpers/itepNode';

describe('nextSequence', () => {
	test('defaults to microseconds since the epoch', () => {
		const before = Date.now() * 1000;
		const sequence = nextSequence();
		const after = Date.now() * 1000;
		expect(Number.isSafeInteger(sequence)).toBe(true);
		// Within a second of the wall clock (performance.timeOrigin + now may drift slightly from Date.now()).
		expect(sequence).toBeGreaterThan(before - 1_000_000);
		expect(sequence).toBeLessThan(after + 1_000_000);
	});

	test('follows the clock when it moves forward', () => {
		const start = nextSequence() + 10_000_000;
		expect(nextSequence(start)).toBe(start);
		expect(nextSequence(start + 5)).toBe(start + 5);
		expect(nextSequence(start + 5.9)).toBe(start + 6);
	});

	test('strictly increases when the clock stands still or goes backwards', () => {
		const start = nextSequence() + 20_000_000;
		expect(nextSequence(start)).toBe(start);
		expect(nextSequence(start)).toBe(start + 1);
		expect(nextSequence(start)).toBe(start + 2);
		expect(nextSequence(start - 60_000_000)).toBe(start + 3); // clock stepped back a minute
		expect(nextSequence(0)).toBe(start + 4);
		expect(nextSequence(start + 3)).toBe(start + 5);
		expect(nextSequence(start + 100)).toBe(start + 100);
	});

	test('10,000 calls are unique and strictly increasing, with the clock or a frozen/backwards one', () => {
		const frozen = nextSequence() + 30_000_000;
		const issued: number[] = [];
		for (let call = 0; call < 10_000; call++) {
			const mode = call % 3;
			issued.push(
				mode === 0
					? nextSequence()
					: mode === 1
						? nextSequence(frozen)
						: nextSequence(frozen - call * 1000),
			);
		}
		expect(new Set(issued).size).toBe(10_000);
		for (let index = 1; index < issued.length; index++)
			expect(issued[index]).toBeGreaterThan(issued[index - 1]);
		expect(issued.every(Number.isSafeInteger)).toBe(true);
	});
});

describe('sequences across concurrent node runs', () => {
	let sandbox: RunningSandbox;
	beforeAll(async () => {
		sandbox = await startSandbox({ port: 0, inventorySize: 120, seedHistory: false });
	});
	afterAll(async () => {
		await sandbox.close();
	});

	test('5 runs of 20 items in parallel: 100 distinct sequences, 100 provisioned, no 409', async () => {
		sandbox.state.knobs.latencyMs = 5;
		const runs = await Promise.all(
			Array.from({ length: 5 }, (_, run) =>
				runItep({
					target: sandbox,
					parameters: {
						assignedTo: { candidateId: `={{ "run${run}-" + $itemIndex }}` },
						options: { maxConcurrency: 4 },
					},
					items: Array.from({ length: 20 }, () => ({})),
				}),
			),
		);
		const items = runs.flat();
		expect(items).toHaveLength(100);
		const sequences = items.map((item) => item.json.sequence);
		expect(new Set(sequences).size).toBe(100);
		expect(new Set(items.map((item) => item.json.testId)).size).toBe(100);

		expect(sandbox.state.requests).toHaveLength(100);
		expect(new Set(sandbox.state.requests.map((log) => log.sequence)).size).toBe(100);
		expect(sandbox.state.stats.byStatus).toEqual({ '200': 100 });
		expect(sandbox.state.requests.some((log) => log.status === 409)).toBe(false);
		expect(sandbox.state.stats.provisioned).toBe(100);
		// Each run's items kept their own order and pairing.
		for (const [run, output] of runs.entries()) {
			expect(output.map((item) => item.pairedItem)).toEqual(output.map((_, item) => ({ item })));
			for (const [index, item] of output.entries()) {
				// The node adds the request's sequence to Assigned To, as in iTEP's example.
				expect(
					(item.json.response as { 'assigned-to': Record<string, unknown> })['assigned-to'],
				).toEqual({
					'customer-candidate-id': `run${run}-${index}`,
					sequence: item.json.sequence,
				});
			}
		}
	});
});
