/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * `npm run reliability` (scripts/reliability.sh provisions n8n and packs the pack once, then runs this with tsx):
 * fuzzing, the action node's fault matrix, the trigger under load and crashes, and the search for secrets in
 * what every n8n of the run kept. Prints ONE table and rewrites the "Latest results" section of RELIABILITY.md.
 * Every row is a check on counts (nothing lost, nothing sent twice, nothing forged let in); a failed check is
 * printed as FAILED and the command exits non-zero. Timings are reported, never checked.
 *
 *   --only a,b     run only these parts (by name: fuzz, faults, trigger, secrets)
 *   --version V    the n8n release (default: the newest tested line)
 *   --no-write     print only, leave RELIABILITY.md alone
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { writeLatestResults } from '../devkit/latestResults';
import { E2E_ARTIFACT_DIR, e2eVersions, REPO_ROOT } from '../devkit/n8n';
import { faultsPart } from './faultMatrix';
import { fuzzPart } from './fuzz';
import { reliabilityTable } from './report';
import { secretsPart } from './secrets';
import { triggerPart } from './triggerLoad';
import type { ReliabilityPart, ReliabilityRow } from './types';

const PARTS: ReliabilityPart[] = [fuzzPart, faultsPart, triggerPart];

const argv = process.argv.slice(2);
const option = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const only = option('--only')?.split(',');
const version = option('--version') ?? e2eVersions()[0];
const write = !argv.includes('--no-write');

async function main(): Promise<void> {
	const started = Date.now();
	const log = (message: string) =>
		process.stderr.write(
			`[reliability ${((Date.now() - started) / 1000).toFixed(0)} s] ${message}\n`,
		);
	// Every n8n a part starts appends what it kept to this file when it stops (devkit/n8n/instance.ts).
	fs.mkdirSync(E2E_ARTIFACT_DIR, { recursive: true });
	fs.rmSync(path.join(E2E_ARTIFACT_DIR, 'secret-scans.jsonl'), { force: true });

	const rows: ReliabilityRow[] = [];
	const seconds: string[] = [];
	for (const part of [...PARTS, secretsPart]) {
		if (only && !only.includes(part.name)) continue;
		const partStarted = Date.now();
		log(`${part.name}: started`);
		try {
			rows.push(...(await part.run({ version, log })));
		} catch (error) {
			rows.push({
				part: part.name,
				scenario: 'the whole part',
				result: `stopped: ${(error as Error).message}`,
				check: 'the part runs to its end',
				ok: false,
			});
		}
		const took = Math.round((Date.now() - partStarted) / 1000);
		seconds.push(`${part.name} ${took} s`);
		log(`${part.name}: done in ${took} s`);
	}

	const table = reliabilityTable(rows);
	const failed = rows.filter((row) => !row.ok).length;
	const header = [
		`Command: \`npm run reliability\`, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${Math.round((Date.now() - started) / 1000)} s in all (${seconds.join(', ')}).`,
		`Machine: ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GB RAM; n8n ${version} on Node ${process.version}.`,
		`${rows.length - failed} of ${rows.length} checks held.`,
	].join('\n');
	process.stdout.write(`\n${header}\n\n${table}\n`);
	if (write && !only)
		writeLatestResults(path.join(REPO_ROOT, 'RELIABILITY.md'), `${header}\n\n${table}`);
	if (failed) process.exitCode = 1;
}

main().catch((error: unknown) => {
	process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
	process.exitCode = 1;
});
