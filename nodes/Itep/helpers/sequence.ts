/**
 * Sequence numbers for iTEP requests. iTEP uses the body's `sequence` against replay, so no two requests
 * signed with one API key may carry the same number, even when several processes (n8n queue-mode workers)
 * share that key. (Our assumption is that it must be unique per key, not increasing.)
 *
 * Scheme: value = slot * 2^21 + tag.
 * - `tag` is a random integer in [0, 2^21), drawn once per process lifetime (per load of this module).
 * - `slot` = max(previous slot + 1, whole Unix seconds now): strictly increasing within a process, also if
 *   the wall clock steps back. A process issuing more than one number per second runs ahead of the clock
 *   by one second per extra number (harmless: the slot only has to be unique within the process).
 *
 * Guarantee: numbers of one process never repeat (the slot strictly increases), and numbers of two
 * processes with different tags never meet (their low 21 bits differ). Two numbers can only collide if two
 * process lifetimes drew the same tag (1 in 2,097,152 per pair) AND both issued the same slot (their
 * seconds, including any run-ahead, overlapped). iTEP would then reject the second request as a replay
 * (409) with nothing provisioned.
 *
 * Range: slot < 2^32 keeps every value a safe integer (at most 2^53 - 1) through the second
 * 2106-02-07T06:28:15Z; past that (or when a process has run ahead that far) `next` throws rather than
 * issuing an unsafe number.
 *
 * Upgrade from the pre-release builds, which issued microseconds since the epoch (about T * 10^6 at time T
 * seconds): a number issued now is at least floor(T) * 2^21, and 2^21 > 10^6, so it exceeds every number they
 * issued up to now (today by about 1.9e15: they would have had to run 60 years ahead of the clock). Upgrading
 * therefore never reuses an old number.
 */
import { randomInt } from 'crypto';

export const SEQUENCE_TAG_BITS = 21;
const TAG_RANGE = 2 ** SEQUENCE_TAG_BITS;
/** The last slot whose values stay below 2^53: the second 2106-02-07T06:28:15Z. */
export const SEQUENCE_MAX_SLOT = 2 ** 32 - 1;

export class SequenceIssuer {
	private lastSlot = -1;

	constructor(readonly tag: number) {
		if (!Number.isInteger(tag) || tag < 0 || tag >= TAG_RANGE) {
			throw new RangeError(
				`Sequence tag must be an integer from 0 to ${TAG_RANGE - 1} (2^${SEQUENCE_TAG_BITS} - 1), got ${tag}`,
			);
		}
	}

	/** The next number, for the wall clock `nowMs` (milliseconds since the Unix epoch). */
	next(nowMs: number): number {
		if (!Number.isFinite(nowMs))
			throw new RangeError(`Sequence clock must be a finite number, got ${nowMs}`);
		const slot = Math.max(this.lastSlot + 1, Math.floor(nowMs / 1000));
		if (slot > SEQUENCE_MAX_SLOT) {
			throw new RangeError(
				'Sequence numbers would pass 2^53 (after 2106-02-07T06:28:15Z); set Options → Sequence explicitly',
			);
		}
		this.lastSlot = slot;
		return slot * TAG_RANGE + this.tag;
	}
}

/** The tag (low 21 bits) of a number this module issued: equal for all numbers of one process. */
export function sequenceTag(value: number): number {
	return value % TAG_RANGE;
}

const processIssuer = new SequenceIssuer(randomInt(0, TAG_RANGE));

/** The next sequence number of this process (`nowMs` only for tests; defaults to the wall clock). */
export function nextSequence(nowMs: number = Date.now()): number {
	return processIssuer.next(nowMs);
}
