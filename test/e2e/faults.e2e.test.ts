/* eslint-disable @n8n/community-nodes/no-restricted-globals -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * Issue 14 part 2 in `npm test`: the action node's fault matrix (reliability/faultMatrix.ts) on each n8n line,
 * with fewer items than `npm run reliability` runs (60 instead of 200, a fault on every 9th request: 6 per run).
 * The counts are asserted, never the timings. The expected figures are written out here from the knobs' rule
 * (every 9th of 60 requests: requests 9, 18, ..., 54), not taken from the code under test.
 */
import { e2eVersions } from '../../devkit/n8n';
import { runFaultMatrix, type FaultMatrixResult } from '../../reliability/faultMatrix';
import { describeE2e } from './support';

const ITEMS = 60;
const EVERY = 9;
const STOP_EVERY = 5;

/** Per fault: test IDs reported, items rejected, items unknown, test IDs the sandbox provisioned. */
const EXPECTED: Record<
	string,
	{ testIds: number; rejected: number; unknown: number; provisioned: number }
> = {
	'429': { testIds: 54, rejected: 6, unknown: 0, provisioned: 54 },
	'500': { testIds: 54, rejected: 0, unknown: 6, provisioned: 54 },
	'503': { testIds: 54, rejected: 0, unknown: 6, provisioned: 54 },
	dropBefore: { testIds: 54, rejected: 0, unknown: 6, provisioned: 54 },
	dropAfter: { testIds: 54, rejected: 0, unknown: 6, provisioned: 60 },
	hang: { testIds: 54, rejected: 0, unknown: 6, provisioned: 60 },
	spikes: { testIds: 60, rejected: 0, unknown: 0, provisioned: 60 },
};

describeE2e.each(e2eVersions())('n8n %s: the action node under faults', (version) => {
	let matrix: FaultMatrixResult;

	beforeAll(async () => {
		matrix = await runFaultMatrix({
			version,
			items: ITEMS,
			every: EVERY,
			stopEvery: STOP_EVERY,
			log: (message) => process.stdout.write(`[e2e faults ${version}] ${message}\n`),
		});
		for (const row of matrix.rows)
			process.stdout.write(`[e2e faults ${version}] ${row.scenario}: ${row.result}\n`);
	}, 15 * 60_000);

	test('every fault ran at Max Concurrent 1 and 10', () => {
		expect(
			matrix.scenarios.map((scenario) => `${scenario.fault}@${scenario.concurrency}`).sort(),
		).toEqual(
			Object.keys(EXPECTED)
				.flatMap((fault) => [`${fault}@1`, `${fault}@10`])
				.sort(),
		);
	});

	test.each(Object.keys(EXPECTED).flatMap((fault) => [1, 10].map((c) => [fault, c] as const)))(
		'%s at Max Concurrent %i: the report matches the sandbox ledger, nothing sent twice',
		(fault, concurrency) => {
			const scenario = matrix.scenarios.find(
				(entry) => entry.fault === fault && entry.concurrency === concurrency,
			);
			expect(scenario).toMatchObject({
				...EXPECTED[fault],
				items: 60,
				other: 0,
				requests: 60,
				sentTwice: 0,
				injected: 6,
				failures: [],
			});
		},
	);

	test('stop on error, sequentially: stops at the 5th request; the error names the 4 test IDs and the unknown item', () => {
		const stop = matrix.stops.find((entry) => entry.concurrency === 1);
		expect(stop).toMatchObject({
			executionStatus: 'error',
			requests: 5,
			sentTwice: 0,
			answeredTestIds: 4,
			namedTestIds: 4,
			dropped: 1,
			namedUnknown: 1,
			provisioned: 5,
			failures: [],
		});
		expect(stop?.message).toMatch(/^Outcome unknown/);
	});

	test('stop on error, 10 at once: the requests in flight finish; the error names all their test IDs and unknowns', () => {
		const stop = matrix.stops.find((entry) => entry.concurrency === 10);
		expect(stop?.failures).toEqual([]);
		expect(stop?.executionStatus).toBe('error');
		expect(stop?.sentTwice).toBe(0);
		expect(stop?.requests).toBeGreaterThanOrEqual(5);
		expect(stop?.requests).toBeLessThan(60);
		expect(stop?.dropped).toBeGreaterThanOrEqual(1);
		expect(stop?.namedUnknown).toBe(stop?.dropped);
		expect(stop?.namedTestIds).toBe(stop?.answeredTestIds);
		expect(stop?.provisioned).toBe((stop?.answeredTestIds ?? 0) + (stop?.dropped ?? 0));
		expect(stop?.answeredTestIds).toBe((stop?.requests ?? 0) - (stop?.dropped ?? 0));
	});

	test('every row of the matrix holds', () => {
		expect(matrix.rows.filter((row) => !row.ok)).toEqual([]);
	});
});
