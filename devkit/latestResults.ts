/* eslint-disable @n8n/community-nodes/no-restricted-imports -- development tooling, never published: n8n's rules for node code do not apply */
/** The generated part of BENCHMARKS.md and RELIABILITY.md: their "Latest results" sections. */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Replaces the "## Latest results" section (up to the next "## " heading) of `file`, or appends it. */
export function writeLatestResults(file: string, section: string): void {
	const heading = '## Latest results';
	const current = fs.existsSync(file)
		? fs.readFileSync(file, 'utf8')
		: `# ${path.basename(file, '.md')}\n`;
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
