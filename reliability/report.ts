/** The one table of `npm run reliability`, and the "Latest results" section of RELIABILITY.md. */
import type { ReliabilityRow } from './types';

export function reliabilityTable(rows: ReliabilityRow[]): string {
	const header = ['Part', 'Scenario', 'Result', 'Check', 'Status'];
	const lines = rows.map((row) =>
		[row.part, row.scenario, row.result, row.check, row.ok ? 'held' : 'FAILED'].map((cell) =>
			cell.replace(/\|/g, '\\|').replace(/\n/g, ' '),
		),
	);
	return [
		`| ${header.join(' | ')} |`,
		`|${header.map(() => '---').join('|')}|`,
		...lines.map((cells) => `| ${cells.join(' | ')} |`),
	].join('\n');
}
