/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * Part 1: property-based fuzzing. The properties live in test/reliability/fuzz.test.ts (they also run in
 * `npm test`); this runs that file with jest and reads back the case counts it writes.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { E2E_ARTIFACT_DIR, REPO_ROOT } from '../devkit/n8n';
import type { ReliabilityPart, ReliabilityRow } from './types';

/** The floor: at least this many cases per property. */
export const FUZZ_RUNS = 10_000;

interface PropertyCount {
	property: string;
	cases: number;
	refused: number;
}

export const fuzzPart: ReliabilityPart = {
	name: 'fuzz',
	async run({ log }): Promise<ReliabilityRow[]> {
		const countsFile = path.join(E2E_ARTIFACT_DIR, 'fuzz-counts.json');
		fs.rmSync(countsFile, { force: true });
		const jest = spawnSync(
			process.execPath,
			[path.join(REPO_ROOT, 'node_modules/jest/bin/jest.js'), 'test/reliability/fuzz.test.ts'],
			{
				cwd: REPO_ROOT,
				env: {
					...process.env,
					ITEP_FUZZ_RUNS: String(FUZZ_RUNS),
					ITEP_FUZZ_COUNTS_FILE: countsFile,
				},
				encoding: 'utf8',
			},
		);
		const passed = jest.status === 0;
		if (!passed) log(`fuzz: jest failed\n${jest.stderr.slice(-4000)}`);
		const counts: PropertyCount[] = fs.existsSync(countsFile)
			? (JSON.parse(fs.readFileSync(countsFile, 'utf8')) as PropertyCount[])
			: [];
		if (!counts.length) {
			return [
				{
					part: '1 fuzzing',
					scenario: 'test/reliability/fuzz.test.ts',
					result: `no counts written (jest exit ${String(jest.status)})`,
					check: 'every property ran',
					ok: false,
				},
			];
		}
		return counts.map(({ property, cases, refused }) => ({
			part: '1 fuzzing',
			scenario: property,
			result: `${cases.toLocaleString('en-US')} cases: ${refused.toLocaleString('en-US')} refused, ${(cases - refused).toLocaleString('en-US')} accepted`,
			check: `≥ ${FUZZ_RUNS.toLocaleString('en-US')} cases; the property held for every case (jest ${passed ? 'passed' : 'FAILED'})`,
			ok: passed && cases >= FUZZ_RUNS,
		}));
	},
};
