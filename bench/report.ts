/** Medians, formatting and the one table of BENCHMARKS.md. */
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
