/**
 * What every part of `npm run reliability` returns: the rows of RELIABILITY.md's table. A part also returns its
 * structured result, which the e2e tests assert on (counts, never timings); rows are for people.
 */
export interface ReliabilityRow {
	/** "1 fuzzing", "2 fault matrix", "3 trigger load", "3 trigger crash", "4 secrets". */
	part: string;
	/** What was done, e.g. "429 on every 7th request, Max Concurrent 10, 200 items". */
	scenario: string;
	/** What happened, with the figures, e.g. "186 test IDs, 14 failed (HTTP 429, nothing provisioned)". */
	result: string;
	/** The rule checked, e.g. "report = sandbox ledger; no request sent twice". */
	check: string;
	/** Whether the check held. A failed check is printed as FAILED and makes the command exit non-zero. */
	ok: boolean;
}

/** One part of the suite, run by reliability/run.ts with the n8n version it is given. */
export interface ReliabilityPart {
	name: string;
	run(context: PartContext): Promise<ReliabilityRow[]>;
}

export interface PartContext {
	/** The n8n release to start (provisioned by scripts/reliability.sh). */
	version: string;
	log(message: string): void;
}
