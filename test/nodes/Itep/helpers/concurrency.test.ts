/* eslint-disable @n8n/community-nodes/no-restricted-globals -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * Max Concurrent Requests: requests overlap up to the limit (seen by the sandbox's maxInFlight), output order
 * and pairing follow the input, and per-item failures land where they belong.
 */
import { NodeApiError } from 'n8n-workflow';

import { runWithConcurrency } from '../../../../nodes/Itep/helpers/concurrency';
import { startSandbox, type RunningSandbox } from '../../../../sandbox/server';
import { sleep } from '../../../../devkit/wait';
import { productCode, runItep, runItepExpectingError } from '../../../helpers/itepNode';

const items = (count: number, badIndex?: number) =>
	Array.from({ length: count }, (_, n) => ({
		n,
		code: n === badIndex ? 'GTX-Nonexistent' : 'GTX-Academic-Plus',
	}));

const parameters = (maxConcurrency?: number) => ({
	productCode: productCode('={{ $json.code }}'),
	assignedTo: { candidateId: '={{ "candidate-" + $json.n }}' },
	options: maxConcurrency === undefined ? {} : { maxConcurrency },
});

const candidateIdOf = (json: Record<string, unknown>) =>
	(json.response as { 'assigned-to': Record<string, unknown> })['assigned-to'][
		'customer-candidate-id'
	];

describe('Max Concurrent Requests through the node', () => {
	let sandbox: RunningSandbox;
	beforeAll(async () => {
		sandbox = await startSandbox({ port: 0, inventorySize: 40, seedHistory: false });
	});
	beforeEach(() => {
		sandbox.reset();
		sandbox.state.knobs.latencyMs = 50;
	});
	afterAll(async () => {
		await sandbox.close();
	});

	test('limit 5, 20 items, 50 ms latency: at most 5 in flight (and more than 1), output in input order', async () => {
		const started = Date.now();
		const output = await runItep({ target: sandbox, parameters: parameters(5), items: items(20) });
		const elapsed = Date.now() - started;

		expect(output).toHaveLength(20);
		expect(output.map((item) => item.pairedItem)).toEqual(output.map((_, item) => ({ item })));
		expect(output.map((item) => candidateIdOf(item.json))).toEqual(
			output.map((_, n) => `candidate-${n}`),
		);
		expect(sandbox.state.stats.maxInFlight).toBeLessThanOrEqual(5);
		expect(sandbox.state.stats.maxInFlight).toBeGreaterThan(1);
		expect(sandbox.state.stats.provisioned).toBe(20);
		// 20 requests of >= 50 ms, 5 at a time, cannot take less than 4 rounds.
		expect(elapsed).toBeGreaterThanOrEqual(4 * 50 - 10);
	});

	test('limit 1 (and the default): one request at a time', async () => {
		const output = await runItep({ target: sandbox, parameters: parameters(1), items: items(20) });
		expect(output.map((item) => item.pairedItem)).toEqual(output.map((_, item) => ({ item })));
		expect(sandbox.state.stats.maxInFlight).toBe(1);
		expect(sandbox.state.stats.provisioned).toBe(20);

		sandbox.reset();
		sandbox.state.knobs.latencyMs = 20;
		await runItep({ target: sandbox, parameters: parameters(), items: items(5) });
		expect(sandbox.state.stats.maxInFlight).toBe(1);
		expect(sandbox.state.stats.requests).toBe(5);
	});

	test('Continue On Fail with limit 5: the failing middle item is an error item at its position, all others succeed', async () => {
		const output = await runItep({
			target: sandbox,
			parameters: parameters(5),
			items: items(20, 10),
			continueOnFail: true,
		});
		expect(output).toHaveLength(20);
		expect(output.map((item) => item.pairedItem)).toEqual(output.map((_, item) => ({ item })));
		expect(output[10].json).toMatchObject({
			error: 'iTEP does not know the product code "GTX-Nonexistent"',
			outcome: 'rejected',
			httpCode: 404,
			productCode: 'GTX-Nonexistent',
		});
		for (const [index, item] of output.entries()) {
			if (index === 10) continue;
			expect(item.json.error).toBeUndefined();
			expect(candidateIdOf(item.json)).toBe(`candidate-${index}`);
		}
		expect(sandbox.state.stats.requests).toBe(20);
		expect(sandbox.state.stats.provisioned).toBe(19);
	});

	test('Continue On Fail, sequential: items after a failed one are still sent', async () => {
		const output = await runItep({
			target: sandbox,
			parameters: parameters(1),
			items: items(5, 2),
			continueOnFail: true,
		});
		expect(output.map((item) => (item.json.error ? 'error' : 'ok'))).toEqual([
			'ok',
			'ok',
			'error',
			'ok',
			'ok',
		]);
		expect(output.map((item) => item.pairedItem)).toEqual(output.map((_, item) => ({ item })));
		expect(sandbox.state.stats.requests).toBe(5);
	});

	test('without Continue On Fail, sequential: throws the failing item and starts no item after it', async () => {
		const error = await runItepExpectingError({
			target: sandbox,
			parameters: parameters(1),
			items: items(5, 2),
		});
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('iTEP does not know the product code "GTX-Nonexistent"');
		expect(error.context.itemIndex).toBe(2);
		await sleep(60);
		expect(
			sandbox.state.requests.map(
				(log) => JSON.parse(log.rawBody)['assigned-to']['customer-candidate-id'],
			),
		).toEqual(['candidate-0', 'candidate-1', 'candidate-2']);
		const provisioned = sandbox.state.requests
			.filter((log) => log.status === 200)
			.map((log) => log.testId);
		expect(error.description).toContain(
			`provisioned before it stopped: ${provisioned.join(', ')}.`,
		);
	});

	test('without Continue On Fail, limit 5: throws the failing item; what was in flight completes, nothing new starts', async () => {
		const error = await runItepExpectingError({
			target: sandbox,
			parameters: parameters(5),
			items: items(20, 2),
		});
		expect(error.context.itemIndex).toBe(2);
		expect(error.message).toBe('iTEP does not know the product code "GTX-Nonexistent"');
		await sleep(120);
		// Items 0-4 go out together and all take ~50 ms. A worker whose item finished before item 2's failure came
		// back may already have taken one more item (5-8); after the failure none takes another: at most 9 sent.
		const sent = sandbox.state.requests.map(
			(log) => JSON.parse(log.rawBody)['assigned-to']['customer-candidate-id'],
		);
		expect(sent.length).toBeGreaterThanOrEqual(5);
		expect(sent.length).toBeLessThanOrEqual(9);
		expect(sent.slice(0, 5).sort()).toEqual([
			'candidate-0',
			'candidate-1',
			'candidate-2',
			'candidate-3',
			'candidate-4',
		]);
		expect(sandbox.state.stats.maxInFlight).toBeLessThanOrEqual(5);
	});
});

/** A promise with its resolve/reject exposed, to drive tasks step by step. */
function deferred<T>() {
	let resolve!: (value: T) => void;
	let reject!: (reason: unknown) => void;
	const promise = new Promise<T>((res, rej) => {
		resolve = res;
		reject = rej;
	});
	return { promise, resolve, reject };
}

/** Lets pending promise callbacks run. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('runWithConcurrency', () => {
	test('results come back in index order whatever order the tasks finish in', async () => {
		const results = await runWithConcurrency(8, 3, async (index) => {
			await sleep((8 - index) * 3);
			return `r${index}`;
		});
		expect(results).toEqual(
			Array.from({ length: 8 }, (_, index) => ({ status: 'fulfilled', value: `r${index}` })),
		);
	});

	test.each([1, 2, 5, 7, 50])(
		'never more than %i in flight, and the limit is used',
		async (limit) => {
			const count = 12;
			let inFlight = 0;
			let maxInFlight = 0;
			await runWithConcurrency(count, limit, async () => {
				inFlight++;
				maxInFlight = Math.max(maxInFlight, inFlight);
				await sleep(2);
				inFlight--;
			});
			expect(maxInFlight).toBe(Math.min(limit, count));
		},
	);

	test('starts tasks in index order, a new one only when one finishes', async () => {
		const gates = Array.from({ length: 5 }, () => deferred<number>());
		const startedOrder: number[] = [];
		const run = runWithConcurrency(5, 2, (index) => {
			startedOrder.push(index);
			return gates[index].promise;
		});
		await flush();
		expect(startedOrder).toEqual([0, 1]);
		gates[1].resolve(1);
		await flush();
		expect(startedOrder).toEqual([0, 1, 2]);
		gates[0].resolve(0);
		gates[2].resolve(2);
		await flush();
		expect(startedOrder).toEqual([0, 1, 2, 3, 4]);
		gates[3].resolve(3);
		gates[4].resolve(4);
		expect(
			(await run).map((result) => (result?.status === 'fulfilled' ? result.value : null)),
		).toEqual([0, 1, 2, 3, 4]);
	});

	test('sequential: after a failure no later task starts; earlier results are kept', async () => {
		const startedIndexes: number[] = [];
		const results = await runWithConcurrency(6, 1, async (index) => {
			startedIndexes.push(index);
			if (index === 2) throw new Error('item 2 failed');
			return index;
		});
		expect(startedIndexes).toEqual([0, 1, 2]);
		expect(results[0]).toEqual({ status: 'fulfilled', value: 0 });
		expect(results[1]).toEqual({ status: 'fulfilled', value: 1 });
		expect(results[2]).toMatchObject({ status: 'rejected', reason: new Error('item 2 failed') });
		expect(results.slice(3)).toEqual([undefined, undefined, undefined]);
	});

	test('concurrent: after a failure the running tasks are awaited and kept, nothing new starts', async () => {
		const gates = Array.from({ length: 6 }, () => deferred<string>());
		const startedIndexes: number[] = [];
		const run = runWithConcurrency(6, 3, (index) => {
			startedIndexes.push(index);
			return gates[index].promise;
		});
		await flush();
		expect(startedIndexes).toEqual([0, 1, 2]);
		gates[1].reject(new Error('boom'));
		await flush();
		gates[0].resolve('zero');
		gates[2].resolve('two');
		const results = await run;
		expect(startedIndexes).toEqual([0, 1, 2]);
		expect(results).toEqual([
			{ status: 'fulfilled', value: 'zero' },
			{ status: 'rejected', reason: new Error('boom') },
			{ status: 'fulfilled', value: 'two' },
			undefined,
			undefined,
			undefined,
		]);
	});

	test.each([
		['0', 0],
		['NaN', Number.NaN],
		['a negative number', -3],
		['a fraction below 1', 0.5],
	])('a limit of %s runs one at a time', async (_name, limit) => {
		let inFlight = 0;
		let maxInFlight = 0;
		const results = await runWithConcurrency(4, limit, async (index) => {
			inFlight++;
			maxInFlight = Math.max(maxInFlight, inFlight);
			await sleep(1);
			inFlight--;
			return index;
		});
		expect(maxInFlight).toBe(1);
		expect(results.map((result) => result?.status)).toEqual([
			'fulfilled',
			'fulfilled',
			'fulfilled',
			'fulfilled',
		]);
	});

	test('no items: no task runs', async () => {
		const task = jest.fn(async () => 1);
		expect(await runWithConcurrency(0, 5, task)).toEqual([]);
		expect(task).not.toHaveBeenCalled();
	});
});
