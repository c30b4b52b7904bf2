/**
 * Sequence numbers for iTEP requests. iTEP uses the body's `sequence` against replay, so no two requests
 * signed with one key may carry the same number.
 *
 * Scheme: microseconds since the Unix epoch, bumped to last + 1 when the clock has not moved on. Within a
 * process the numbers strictly increase (even if the wall clock steps back); two processes can only collide
 * if both sign a request in the same microsecond. The value stays below 2^53 until the year 2255.
 */
let lastIssued = 0;

export function nextSequence(nowMicros: number = epochMicros()): number {
	lastIssued = Math.max(lastIssued + 1, Math.floor(nowMicros));
	return lastIssued;
}

function epochMicros(): number {
	return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}
