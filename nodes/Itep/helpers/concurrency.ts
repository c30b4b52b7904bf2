/**
 * Runs `task` for indexes 0..count-1 with at most `limit` running at once and returns the results in index
 * order. Once a task rejects, or resolves to a value `stopAfter` accepts, no new task starts (as in a
 * sequential loop, later items are not sent); the ones already running are awaited so none of their outcomes
 * is lost. Entries of tasks that never started are undefined.
 */
export async function runWithConcurrency<T>(
	count: number,
	limit: number,
	task: (index: number) => Promise<T>,
	stopAfter: (value: T) => boolean = () => false,
): Promise<Array<PromiseSettledResult<T> | undefined>> {
	const results: Array<PromiseSettledResult<T> | undefined> = new Array(count).fill(undefined);
	let next = 0;
	let stopped = false;

	const worker = async () => {
		while (!stopped && next < count) {
			const index = next++;
			try {
				const value = await task(index);
				results[index] = { status: 'fulfilled', value };
				if (stopAfter(value)) stopped = true;
			} catch (reason) {
				results[index] = { status: 'rejected', reason };
				stopped = true;
			}
		}
	};

	const workers = Math.max(1, Math.min(Math.floor(limit) || 1, count));
	await Promise.all(Array.from({ length: workers }, worker));
	return results;
}
