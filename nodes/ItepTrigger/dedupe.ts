/**
 * In-memory suppression of repeated iTEP deliveries (same test, same normalised status), e.g. a sender
 * retrying after a timeout.
 *
 * Guarantees, within ONE n8n process:
 * - For a given scope (workflow + trigger node + execution mode) and key, at most one delivery is admitted
 *   per window: `claim` checks and records in one synchronous step, and JavaScript runs it to completion, so
 *   any number of concurrent identical deliveries admit exactly one. The caller must not `await` between
 *   deciding to start a workflow and calling `claim`.
 * - The window is fixed from the first admitted delivery; repeats do not extend it. After it, the same key
 *   is admitted again.
 * - Memory is bounded: at most MAX_KEYS_PER_SCOPE keys per scope. Expired keys are dropped lazily on the
 *   next claim in that scope (no timers); when a scope is full, its oldest key is dropped first, which can
 *   let one late repeat of that oldest delivery through.
 *
 * Not guaranteed:
 * - Across a restart of n8n: the memory is gone, so a retry arriving after a restart starts the workflow.
 * - Across processes: in queue mode with several webhook processors, or multi-main, each process keeps its
 *   own memory; two copies of a delivery that land on different processes both start the workflow.
 *   Exactly-once downstream needs an idempotent step keyed on test ID + status (e.g. an upsert).
 * - A delivery is claimed before the execution runs; if that execution later fails, a retry inside the
 *   window is still suppressed.
 */

export const MAX_KEYS_PER_SCOPE = 10_000;

/** key -> time (ms) at which it may be admitted again; Map order is insertion (= admission) order. */
type Scope = Map<string, number>;

const scopes = new Map<string, Scope>();

/**
 * Records `key` and returns true if it was not admitted in `scope` within the last `windowMs`; returns
 * false (a duplicate) otherwise. Synchronous on purpose: see the module comment.
 */
export function claimDelivery(scopeId: string, key: string, nowMs: number, windowMs: number): boolean {
	const scope = scopes.get(scopeId) ?? new Map<string, number>();
	scopes.set(scopeId, scope);
	evictExpired(scope, nowMs);

	const admitAgainAt = scope.get(key);
	if (admitAgainAt !== undefined && admitAgainAt > nowMs) return false;

	// Re-inserting moves the key to the end, keeping insertion order = admission order.
	scope.delete(key);
	while (scope.size >= MAX_KEYS_PER_SCOPE) {
		const oldest = scope.keys().next().value as string;
		scope.delete(oldest);
	}
	scope.set(key, nowMs + windowMs);
	return true;
}

/** Drops expired keys from the oldest end; stops at the first live one, so each claim costs O(1) amortised. */
function evictExpired(scope: Scope, nowMs: number): void {
	for (const [key, admitAgainAt] of scope) {
		if (admitAgainAt > nowMs) break;
		scope.delete(key);
	}
}

/** The dedupe key of a delivery: iTEP's test ID and the normalised status. */
export function deliveryKey(testId: string, status: string): string {
	return `${testId}\u0000${status}`;
}

/** Number of keys held for a scope (for tests and diagnostics). */
export function heldKeys(scopeId: string): number {
	return scopes.get(scopeId)?.size ?? 0;
}

/** Forgets everything (tests only). */
export function resetDeliveryMemory(): void {
	scopes.clear();
}
