/* eslint-disable @n8n/community-nodes/no-restricted-globals -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * Child process of the cross-process test in sequence.test.ts, run as `node --import tsx sequenceWorker.ts
 * <scheme> <count>` with scheme `current` (the real nextSequence, with this process's own random tag) or
 * `microseconds` (the pre-release scheme below, the negative control).
 *
 * Prints `ready`, waits for a line on stdin (so that all children start together, as busy queue-mode workers
 * would), issues <count> numbers as fast as it can, then prints them one a line and `done <milliseconds>`.
 */
import { nextSequence } from '../../../../nodes/Itep/helpers/sequence';

let lastMicrosecondSequence = 0;

/**
 * Reference copy of the pre-release scheme (the one the current scheme replaced): microseconds since the Unix epoch,
 * bumped to the previous number + 1 when the clock has not moved on.
 */
export function nextMicrosecondSequence(
	nowMicros: number = Math.floor((performance.timeOrigin + performance.now()) * 1000),
): number {
	lastMicrosecondSequence = Math.max(lastMicrosecondSequence + 1, Math.floor(nowMicros));
	return lastMicrosecondSequence;
}

function main(): void {
	const [scheme, countText] = process.argv.slice(2);
	const count = Number(countText);
	if (!['current', 'microseconds'].includes(scheme) || !Number.isSafeInteger(count) || count < 1) {
		process.stderr.write('usage: sequenceWorker.ts current|microseconds COUNT\n');
		process.exitCode = 2;
		return;
	}
	const issue = scheme === 'current' ? () => nextSequence() : () => nextMicrosecondSequence();
	process.stdin.once('data', () => {
		process.stdin.pause();
		const values = new Array<number>(count);
		const start = performance.now();
		for (let index = 0; index < count; index++) values[index] = issue();
		const elapsed = performance.now() - start;
		process.stdout.write(`${values.join('\n')}\ndone ${elapsed.toFixed(1)}\n`);
	});
	process.stdout.write('ready\n');
}

if (require.main === module) main();
