/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions -- development tooling, never published: n8n's rules for node code do not apply */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

import {
	nextSequence,
	SEQUENCE_MAX_SLOT,
	SEQUENCE_TAG_BITS,
	SequenceIssuer,
	sequenceTag,
} from '../../../../nodes/Itep/helpers/sequence';
import { startSandbox, type RunningSandbox } from '../../../../sandbox/server';
import { runItep } from '../../../helpers/itepNode';
import { nextMicrosecondSequence } from './sequenceWorker';

const TAG_RANGE = 2 ** SEQUENCE_TAG_BITS;
const LAST_SAFE_SECOND_MS = Date.parse('2106-02-07T06:28:15Z');
const NOW_MS = Date.parse('2026-03-01T12:00:00Z');

function expectStrictlyIncreasing(values: number[]): void {
	const firstDrop = values.findIndex((value, index) => index > 0 && value <= values[index - 1]);
	expect(firstDrop).toBe(-1);
}

describe('SequenceIssuer', () => {
	test('value = whole seconds * 2^21 + tag while the clock moves on', () => {
		const issuer = new SequenceIssuer(12_345);
		expect(SEQUENCE_TAG_BITS).toBe(21);
		expect(issuer.next(NOW_MS + 999)).toBe((NOW_MS / 1000) * TAG_RANGE + 12_345);
		expect(issuer.next(NOW_MS + 5_000)).toBe((NOW_MS / 1000 + 5) * TAG_RANGE + 12_345);
		expect(issuer.next(NOW_MS + 60_000)).toBe((NOW_MS / 1000 + 60) * TAG_RANGE + 12_345);
	});

	test('strictly increasing at a frozen clock, running one second ahead per number', () => {
		const issuer = new SequenceIssuer(7);
		const issued = Array.from({ length: 100_000 }, () => issuer.next(NOW_MS));
		expectStrictlyIncreasing(issued);
		expect(issued[0]).toBe((NOW_MS / 1000) * TAG_RANGE + 7);
		expect(issued[99_999]).toBe((NOW_MS / 1000 + 99_999) * TAG_RANGE + 7);
		// The clock catching up does not move the slot back; passing the run-ahead moves it on.
		expect(issuer.next(NOW_MS + 50_000_000)).toBe((NOW_MS / 1000 + 100_000) * TAG_RANGE + 7);
		expect(issuer.next(NOW_MS + 200_000_000)).toBe((NOW_MS / 1000 + 200_000) * TAG_RANGE + 7);
	});

	test('strictly increasing when the clock steps back or jumps around', () => {
		const issuer = new SequenceIssuer(TAG_RANGE - 1);
		const clock = [
			NOW_MS,
			NOW_MS - 3_600_000,
			0,
			-5_000,
			NOW_MS - 1,
			NOW_MS + 2_000,
			NOW_MS + 1_000,
		];
		const issued: number[] = [];
		for (let call = 0; call < 70_000; call++) {
			// Mostly a clock that goes backwards a millisecond per call, with jumps.
			issued.push(issuer.next(call % 10 === 0 ? clock[(call / 10) % clock.length] : NOW_MS - call));
		}
		expectStrictlyIncreasing(issued);
		expect(issued.every(Number.isSafeInteger)).toBe(true);
	});

	test('the low 21 bits are always the tag', () => {
		for (const tag of [0, 1, 2, 1_000_000, TAG_RANGE - 2, TAG_RANGE - 1]) {
			const issuer = new SequenceIssuer(tag);
			const issued = Array.from({ length: 10_000 }, (_, call) =>
				issuer.next(NOW_MS + (call % 7) * 300 - 1_000),
			);
			expect(issued.filter((value) => sequenceTag(value) !== tag)).toEqual([]);
			expect(issued.filter((value) => value % TAG_RANGE !== tag)).toEqual([]);
		}
	});

	test('different tags never collide, even with identical clocks', () => {
		const tags = [0, 1, 2, 3, 12_345, TAG_RANGE - 1];
		const issuers = tags.map((tag) => new SequenceIssuer(tag));
		const seen = new Set<number>();
		let count = 0;
		for (let call = 0; call < 20_000; call++) {
			// Every issuer sees the same clock at the same call (frozen, then stepping back, then racing ahead).
			const now = call < 10_000 ? NOW_MS : NOW_MS + (call % 3) * 2_000 - 1_000;
			for (const issuer of issuers) {
				seen.add(issuer.next(now));
				count++;
			}
		}
		expect(seen.size).toBe(count);
	});

	test('below 2^53 through 2106-02-07T06:28:15Z; refuses to pass it', () => {
		expect(LAST_SAFE_SECOND_MS / 1000).toBe(SEQUENCE_MAX_SLOT);
		expect(SEQUENCE_MAX_SLOT).toBe(2 ** 32 - 1);
		const issuer = new SequenceIssuer(TAG_RANGE - 1);
		const last = issuer.next(LAST_SAFE_SECOND_MS + 999);
		expect(last).toBe(Number.MAX_SAFE_INTEGER);
		expect(last).toBeLessThan(2 ** 53);
		expect(() => issuer.next(LAST_SAFE_SECOND_MS)).toThrow(/2\^53.*2106-02-07T06:28:15Z/);
		expect(() => new SequenceIssuer(0).next(LAST_SAFE_SECOND_MS + 1_000)).toThrow(/2\^53/);

		// A process that ran ahead of the clock stops at the same limit, and a refusal changes nothing.
		const busy = new SequenceIssuer(0);
		busy.next(LAST_SAFE_SECOND_MS - 2_000);
		busy.next(LAST_SAFE_SECOND_MS - 2_000);
		expect(busy.next(LAST_SAFE_SECOND_MS - 2_000)).toBe(SEQUENCE_MAX_SLOT * TAG_RANGE);
		expect(() => busy.next(LAST_SAFE_SECOND_MS - 2_000)).toThrow(/2\^53/);
		expect(() => busy.next(LAST_SAFE_SECOND_MS - 2_000)).toThrow(/2\^53/);
	});

	test('refuses a clock that is not a number', () => {
		const issuer = new SequenceIssuer(1);
		expect(() => issuer.next(Number.NaN)).toThrow(/finite/);
		expect(() => issuer.next(Number.POSITIVE_INFINITY)).toThrow(/finite/);
		expect(issuer.next(NOW_MS)).toBe((NOW_MS / 1000) * TAG_RANGE + 1);
	});

	test.each([-1, TAG_RANGE, TAG_RANGE + 5, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
		'a tag out of range is refused: %p',
		(tag) => {
			expect(() => new SequenceIssuer(tag)).toThrow(
				/Sequence tag must be an integer from 0 to 2097151/,
			);
		},
	);

	test.each([
		'2021-01-01T00:00:00Z',
		'2026-03-01T12:00:00Z',
		'2050-06-15T08:30:00.500Z',
		'2089-05-14T06:02:11Z',
		'2106-02-07T06:28:15.999Z',
	])(
		'at %s, the smallest new number exceeds what the pre-release microsecond scheme issued up to then',
		(date) => {
			const nowMs = Date.parse(date);
			// the pre-release scheme at that moment, even had it run a day ahead of the clock.
			const oldValue = nextMicrosecondSequence(nowMs * 1000) + 86_400_000_000;
			const newValue = new SequenceIssuer(0).next(nowMs);
			expect(newValue).toBeGreaterThan(oldValue);
		},
	);
});

describe('nextSequence (this process)', () => {
	test('is the wall clock in seconds, shifted by 21 bits, plus this process tag', () => {
		const before = Math.floor(Date.now() / 1000);
		const first = nextSequence();
		const tag = sequenceTag(first);
		expect(Number.isSafeInteger(first)).toBe(true);
		expect(tag).toBeGreaterThanOrEqual(0);
		expect(tag).toBeLessThan(TAG_RANGE);
		expect((first - tag) / TAG_RANGE).toBeGreaterThanOrEqual(before);

		const issued = [first, ...Array.from({ length: 10_000 }, () => nextSequence())];
		expectStrictlyIncreasing(issued);
		expect(issued.every((value) => sequenceTag(value) === tag)).toBe(true);
		// An injected clock in the past (as a stepped-back wall clock would be) still moves on.
		expect(nextSequence(0)).toBeGreaterThan(issued[issued.length - 1]);
	});
});

interface WorkerRun {
	/** Each child's numbers, in the order it issued them. */
	lists: number[][];
	/** Each child's time spent issuing, in milliseconds. */
	issueMs: number[];
}

/**
 * Starts `children` real processes running sequenceWorker.ts, releases them together once all are ready,
 * and collects what each issued.
 */
async function runWorkers(
	scheme: 'current' | 'microseconds',
	children: number,
	count: number,
): Promise<WorkerRun> {
	const worker = path.join(__dirname, 'sequenceWorker.ts');
	const tsx = pathToFileURL(require.resolve('tsx')).href;
	const procs = Array.from({ length: children }, () =>
		spawn(process.execPath, ['--import', tsx, worker, scheme, String(count)], {
			stdio: ['pipe', 'pipe', 'pipe'],
		}),
	);
	let releaseAll: () => void = () => undefined;
	const allReady = new Promise<void>((resolve) => (releaseAll = resolve));
	let readyCount = 0;
	const outputs = procs.map(
		(child) =>
			new Promise<string>((resolve, reject) => {
				let stdout = '';
				let stderr = '';
				let ready = false;
				child.stdout.setEncoding('utf8');
				child.stdout.on('data', (chunk: string) => {
					stdout += chunk;
					if (!ready && stdout.startsWith('ready\n')) {
						ready = true;
						if (++readyCount === children) releaseAll();
					}
				});
				child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
				child.on('error', reject);
				child.on('close', (code) =>
					code === 0
						? resolve(stdout)
						: reject(new Error(`sequence worker exited with ${code}: ${stderr.slice(-2000)}`)),
				);
			}),
	);
	try {
		await Promise.race([allReady, Promise.all(outputs)]);
		for (const child of procs) child.stdin.end('go\n');
		const texts = await Promise.all(outputs);
		const lists: number[][] = [];
		const issueMs: number[] = [];
		for (const text of texts) {
			const lines = text.trimEnd().split('\n');
			expect(lines[0]).toBe('ready');
			const done = /^done ([\d.]+)$/.exec(lines[lines.length - 1]);
			expect(done).not.toBeNull();
			issueMs.push(Number(done?.[1]));
			lists.push(lines.slice(1, -1).map(Number));
		}
		return { lists, issueMs };
	} finally {
		for (const child of procs) if (child.exitCode === null) child.kill();
	}
}

/** Values issued by more than one child. */
function sharedValues(lists: number[][]): number[] {
	const owner = new Map<number, number>();
	const shared = new Set<number>();
	lists.forEach((list, child) => {
		for (const value of list) {
			const first = owner.get(value);
			if (first === undefined) owner.set(value, child);
			else if (first !== child) shared.add(value);
		}
	});
	return [...shared];
}

describe('sequences across real processes sharing one API key', () => {
	const CHILDREN = 4;
	const PER_CHILD = 60_000;

	test(`${CHILDREN} processes × ${PER_CHILD} numbers at full speed: all distinct, each process strictly increasing`, async () => {
		const { lists } = await runWorkers('current', CHILDREN, PER_CHILD);
		expect(lists).toHaveLength(CHILDREN);
		for (const list of lists) {
			expect(list).toHaveLength(PER_CHILD);
			expect(list.every(Number.isSafeInteger)).toBe(true);
			expect(list.every((value) => value < 2 ** 53)).toBe(true);
			expectStrictlyIncreasing(list);
			// One tag per process.
			expect(new Set(list.map(sequenceTag)).size).toBe(1);
		}
		// Each process drew its own tag. (Two of four share one with probability 6 / 2^21, about 1 in
		// 350,000 runs: that is the documented collision case, and this test would then fail.)
		expect(new Set(lists.map((list) => sequenceTag(list[0]))).size).toBe(CHILDREN);
		const all = lists.flat();
		expect(all).toHaveLength(CHILDREN * PER_CHILD);
		expect(new Set(all).size).toBe(all.length);
		expect(sharedValues(lists)).toEqual([]);
	});

	test('negative control: the same harness with the pre-release microsecond scheme does produce shared numbers', async () => {
		const { lists } = await runWorkers('microseconds', CHILDREN, PER_CHILD);
		for (const list of lists) {
			expect(list).toHaveLength(PER_CHILD);
			expectStrictlyIncreasing(list); // the old scheme was fine within one process
		}
		// Typically 60,000-90,000 of the 240,000 numbers are shared: each process walks the microseconds of the
		// same moment, one number about every microsecond.
		expect(sharedValues(lists).length).toBeGreaterThan(0);
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
