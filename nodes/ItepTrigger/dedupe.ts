import { createHash } from 'crypto';

/**
 * In-memory suppression of repeated iTEP deliveries, e.g. a sender retrying after a timeout.
 *
 * A delivery's key is its test ID, its normalised status and a digest of its whole `data` content, so only
 * a true repeat is suppressed: a forged or different delivery for the same test and status has another
 * key and can never hide the genuine one.
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
 * - A delivery is claimed before the execution runs; if that execution later fails, a retry inside the
 *   window is still suppressed. Only when n8n could not start the execution at all (n8n 2.x then answers
 *   the sender 5xx instead of 200) does the trigger release the claim, so the sender's retry is admitted.
 */

export const MAX_KEYS_PER_SCOPE = 10_000;

/** key -> time (ms) at which it may be admitted again; Map order is insertion (= admission) order. */
type Scope = Map<string, number>;

export class DeliveryMemory {
	private readonly scopes = new Map<string, Scope>();

	/**
	 * Records `key` and returns true if it was not admitted in `scope` within the last `windowMs`; returns
	 * false (a repeat) otherwise. Synchronous on purpose: see the module comment.
	 */
	claim(scopeId: string, key: string, nowMs: number, windowMs: number): boolean {
		let scope = this.scopes.get(scopeId);
		if (!scope) this.scopes.set(scopeId, (scope = new Map()));
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

	/**
	 * Forgets an admitted `key`, so its next copy is admitted again: for a delivery whose execution n8n could
	 * not start after the claim. A copy that arrived in between was already answered as a repeat.
	 */
	release(scopeId: string, key: string): void {
		this.scopes.get(scopeId)?.delete(key);
	}
}

/** The memory every iTEP Trigger of this process shares (scopes keep workflows and nodes apart). */
export const recentDeliveries = new DeliveryMemory();

/** Drops expired keys from the oldest end; stops at the first live one, so each claim costs O(1) amortised. */
function evictExpired(scope: Scope, nowMs: number): void {
	for (const [key, admitAgainAt] of scope) {
		if (admitAgainAt > nowMs) break;
		scope.delete(key);
	}
}

/**
 * The identity of a delivery: a SHA-256 (hex) of iTEP's test ID, the normalised status and the `data` object
 * as received (JSON-serialised in the order it was sent, which a retry of the same bytes reproduces). It is
 * the in-memory key here and the trigger's `deliveryId` output, which a workflow can claim in a shared
 * database to suppress repeats across processes (see docs/trigger.md, queue mode).
 */
export function deliveryId(testId: string, status: string, data: Record<string, unknown>): string {
	return createHash('sha256')
		.update(`${testId}\u0000${status}\u0000${JSON.stringify(data)}`)
		.digest('hex');
}
