/* eslint-disable @n8n/community-nodes/no-restricted-imports -- development tooling, never published: n8n's rules for node code do not apply */
/** Timing records of e2e runs, merged into .e2e/timings.json (one object per n8n version, plus "run"). */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { E2E_ARTIFACT_DIR } from './paths';

export const TIMINGS_FILE = path.join(E2E_ARTIFACT_DIR, 'timings.json');

export function recordTimings(scope: string, values: Record<string, number | string>): void {
	fs.mkdirSync(E2E_ARTIFACT_DIR, { recursive: true });
	let all: Record<string, Record<string, number | string>> = {};
	try {
		all = JSON.parse(fs.readFileSync(TIMINGS_FILE, 'utf8')) as typeof all;
	} catch {
		// first record of the run
	}
	all[scope] = { ...all[scope], ...values, recordedAt: new Date().toISOString() };
	fs.writeFileSync(TIMINGS_FILE, `${JSON.stringify(all, null, 2)}\n`);
}

/** Runs `fn` and returns its result together with how long it took. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
	const started = Date.now();
	const value = await fn();
	return { value, ms: Date.now() - started };
}
