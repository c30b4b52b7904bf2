/* eslint-disable @n8n/community-nodes/no-restricted-globals -- development tooling, never published: n8n's rules for node code do not apply */
/** Waiting helpers shared by the tests, the benchmarks and the demo. */

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a value other than undefined, or the deadline passes. */
export async function waitFor<T>(
	what: string,
	probe: () => Promise<T | undefined> | T | undefined,
	options: { timeoutMs: number; intervalMs?: number; abort?: () => string | undefined },
): Promise<T> {
	const deadline = Date.now() + options.timeoutMs;
	let lastError: unknown;
	for (;;) {
		const aborted = options.abort?.();
		if (aborted) throw new Error(`Gave up waiting for ${what}: ${aborted}`);
		try {
			const value = await probe();
			if (value !== undefined) return value;
		} catch (error) {
			lastError = error;
		}
		if (Date.now() > deadline) {
			const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
			throw new Error(`Timed out after ${options.timeoutMs} ms waiting for ${what}${detail}`);
		}
		await sleep(options.intervalMs ?? 250);
	}
}

/** Polls a condition until it holds. */
export async function waitUntil(
	what: string,
	condition: () => boolean,
	timeoutMs = 5000,
): Promise<void> {
	await waitFor(what, () => (condition() ? true : undefined), { timeoutMs, intervalMs: 5 });
}
