/* eslint-disable @n8n/community-nodes/no-restricted-imports -- development tooling, never published: n8n's rules for node code do not apply */
/** Medians, the one table, and the "Latest results" section of BENCHMARKS.md. */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function median(values: number[]): number {
	const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
	if (!sorted.length) return NaN;
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export interface Row {
	id: string;
	what: string;
	/** Already formatted median (or single value). */
	value: string;
	/** Every run, formatted, in run order. */
	runs: string;
	goal?: string;
	/** "met", "MISSED (...)", or a note. */
	status?: string;
}

const number = (value: number, digits = 0) =>
	Number.isFinite(value)
		? value.toLocaleString('en-US', {
				maximumFractionDigits: digits,
				minimumFractionDigits: digits,
			})
		: 'n/a';

export const fmt = {
	ms: (value: number) => `${number(value)} ms`,
	x: (value: number) => `${number(value, 2)}x`,
	us: (value: number) => `${number(value, value < 10 ? 1 : 0)} µs`,
	mb: (value: number) => `${number(value, 1)} MB`,
	perS: (value: number) => `${number(value)}/s`,
	list: (values: number[], unit: (value: number) => string) => values.map(unit).join(' · '),
};

/** A goal check: `met` or how far off it is. */
export function verdict(
	value: number,
	goal: { max?: number; min?: number },
	unit: (value: number) => string,
): string {
	if (!Number.isFinite(value)) return 'n/a';
	if (goal.max !== undefined && value > goal.max)
		return `MISSED by ${unit(value - goal.max)} (${number(((value - goal.max) / goal.max) * 100)}% over)`;
	if (goal.min !== undefined && value < goal.min)
		return `MISSED by ${unit(goal.min - value)} (${number(((goal.min - value) / goal.min) * 100)}% under)`;
	return 'met';
}

export function markdownTable(rows: Row[]): string {
	const header = ['Row', 'Measure', 'Median', 'Runs', 'Goal', 'Status'];
	const lines = rows.map((row) =>
		[row.id, row.what, row.value, row.runs, row.goal ?? '', row.status ?? ''].map((cell) =>
			cell.replace(/\|/g, '\\|'),
		),
	);
	return [
		`| ${header.join(' | ')} |`,
		`|${header.map(() => '---').join('|')}|`,
		...lines.map((cells) => `| ${cells.join(' | ')} |`),
	].join('\n');
}

/** Replaces the "## Latest results" section (up to the next "## " heading) of BENCHMARKS.md, or appends it. */
export function writeLatestResults(file: string, section: string): void {
	const heading = '## Latest results';
	const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
	const start = current.indexOf(`${heading}\n`);
	const block = `${heading}\n\n${section.trim()}\n`;
	let next: string;
	if (start < 0) {
		next = `${current.trimEnd()}\n\n${block}`;
	} else {
		const after = current.indexOf('\n## ', start + heading.length);
		next = `${current.slice(0, start)}${block}${after < 0 ? '' : `\n${current.slice(after + 1)}`}`;
	}
	fs.mkdirSync(path.dirname(file), { recursive: true });
	fs.writeFileSync(file, next.endsWith('\n') ? next : `${next}\n`);
}
