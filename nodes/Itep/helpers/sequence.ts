/**
 * Sequence numbers for iTEP requests. iTEP uses the body's `sequence` against replay, so no two requests
 * signed with one key may carry the same number.
 *
 * Scheme: microseconds since the Unix epoch, bumped to last + 1 when the clock has not moved on. Within a
 * process the numbers strictly increase (even if the wall clock steps back). Across processes sharing one
 * API key (queue-mode workers) nothing is guaranteed: a busy process runs ahead of the clock by its bumps,
 * so two of them issuing about one number per millisecond share a value roughly once per 1,000-2,000
 * numbers. The value stays below 2^53 until the year 2255.
 */
let lastIssued = 0;

export function nextSequence(nowMicros: number = epochMicros()): number {
	lastIssued = Math.max(lastIssued + 1, Math.floor(nowMicros));
	return lastIssued;
}

function epochMicros(): number {
	return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}
