/* eslint-disable @n8n/community-nodes/no-restricted-imports -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * Part 4: no secret escapes. Every n8n the other parts started was searched, when it stopped, for the secrets
 * of the credentials it was given (devkit/n8n/secretScan.ts: its log and its database files); this sums what
 * those searches found. Runs last.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { E2E_ARTIFACT_DIR } from '../devkit/n8n';
import type { ReliabilityPart, ReliabilityRow } from './types';

interface ScanLine {
	version: string;
	files: number;
	bytes: number;
	secrets: number;
	findings: unknown[];
}

export const secretsPart: ReliabilityPart = {
	name: 'secrets',
	async run(): Promise<ReliabilityRow[]> {
		const file = path.join(E2E_ARTIFACT_DIR, 'secret-scans.jsonl');
		const lines: ScanLine[] = fs.existsSync(file)
			? fs
					.readFileSync(file, 'utf8')
					.trim()
					.split('\n')
					.filter(Boolean)
					.map((line) => JSON.parse(line) as ScanLine)
			: [];
		const sum = (pick: (line: ScanLine) => number) =>
			lines.reduce((total, line) => total + pick(line), 0);
		const found = sum((line) => line.findings.length);
		const megabytes = (sum((line) => line.bytes) / 2 ** 20).toFixed(1);
		return [
			{
				part: '4 secrets',
				scenario: `every n8n this run started (${lines.length}), searched when it stopped: its log and its database (SQLite files, or a plain pg_dump in queue mode)`,
				result: `${sum((line) => line.files)} files, ${megabytes} MiB, up to ${Math.max(0, ...lines.map((line) => line.secrets))} secrets each: ${found} found`,
				check: 'at least one n8n searched; 0 occurrences of any API key or webhook secret',
				ok: lines.length > 0 && found === 0,
			},
		];
	},
};
