import type { TestRecord } from './inventory';
import { sandboxCefrOf, SANDBOX_CEFR_BANDS } from './scoring';

/**
 * The score report behind `score_report_url`. iTEP's page says only that the URL "will generate a formatted
 * score report with skill breakdowns and explanations"; its sample report (2013) shows the candidate, the Test
 * ID, the Test Version, the date and a level per skill. The layout, the wording and the level explanations
 * here are the sandbox's own illustration, not iTEP's. Served as HTML (default) or, with the knob
 * `scoreReportFormat: "pdf"`, as a one-page PDF written by hand (no library). Both are deterministic: the
 * same test gives the same bytes, so a receiver's copy can be compared byte for byte.
 */

export const SCORE_REPORT_FORMATS = ['html', 'pdf'] as const;
export type ScoreReportFormat = (typeof SCORE_REPORT_FORMATS)[number];

export function isScoreReportFormat(value: unknown): value is ScoreReportFormat {
	return (SCORE_REPORT_FORMATS as readonly unknown[]).includes(value);
}

export const SCORE_REPORT_CONTENT_TYPES: Readonly<Record<ScoreReportFormat, string>> = {
	html: 'text/html; charset=utf-8',
	pdf: 'application/pdf',
};

export interface RenderedReport {
	contentType: string;
	body: Buffer;
}

/** The report of a completed test, or null when the test has no results (the route answers 404). */
export function renderScoreReport(
	test: TestRecord,
	format: ScoreReportFormat,
): RenderedReport | null {
	const facts = reportFacts(test);
	if (!facts) return null;
	return {
		contentType: SCORE_REPORT_CONTENT_TYPES[format],
		body: format === 'pdf' ? scoreReportPdf(facts) : Buffer.from(scoreReportHtml(facts), 'utf8'),
	};
}

/** The 404 page for a test ID with no completed result. */
export function missingReportHtml(testId: string): string {
	return page('No score report', `<p>No completed test with ID ${escapeHtml(testId)}.</p>`);
}

interface ReportFacts {
	testId: string;
	candidate: string | null;
	testVersion: string;
	testDate: string;
	durationMinutes: number;
	overallLevel: number;
	overallCefr: string;
	sections: Array<{ name: string; level: number; cefr: string; meaning: string }>;
}

/** Illustrative explanations per whole level (the sandbox's, loosely after iTEP's old 0-6 level names). */
const LEVEL_MEANINGS = [
	'Beginning: recognises isolated words and phrases.',
	'Elementary: understands and uses simple, familiar expressions.',
	'Low intermediate: handles routine exchanges on familiar topics.',
	'Intermediate: follows the main points of clear standard language.',
	'High intermediate: communicates with some fluency on a range of topics.',
	'Low advanced: uses the language flexibly for study and work.',
	'Advanced: understands and expresses complex ideas with precision.',
];

function meaningOf(level: number): string {
	return LEVEL_MEANINGS[Math.min(6, Math.max(0, Math.floor(level)))];
}

function reportFacts(test: TestRecord): ReportFacts | null {
	const results = test.results;
	if (!results) return null;
	return {
		testId: test.testId,
		candidate: candidateName(test),
		testVersion: test.testType,
		testDate: results.finishedAt.slice(0, 10),
		durationMinutes: results.durationMinutes,
		overallLevel: results.overallLevel,
		overallCefr: results.overallCefr,
		sections: Object.entries(results.sectionLevels).map(([name, level]) => ({
			name,
			level,
			cefr: sandboxCefrOf(level),
			meaning: meaningOf(level),
		})),
	};
}

function candidateName(test: TestRecord): string | null {
	const studentName = test.assignedTo?.['student-name'];
	if (typeof studentName === 'string' && studentName.trim()) return studentName.trim();
	const first = test.registration?.First_Name;
	const last = test.registration?.Last_Name;
	const name = [first, last].filter((part) => typeof part === 'string' && part.trim()).join(' ');
	return name || null;
}

/** Ours, with no markup in it, so the HTML takes it as it is. */
const BANDS_NOTE = `Levels are random; the CEFR bands (${SANDBOX_CEFR_BANDS.map((band) => `${band.cefr} from ${band.from.toFixed(1)}`).join(', ')}) and the explanations are the sandbox's own illustration, not iTEP's.`;

// ---------------------------------------------------------------------------------------------------------
// HTML

function scoreReportHtml(facts: ReportFacts): string {
	const rows = facts.sections
		.map(
			(section) =>
				`<tr><td>${escapeHtml(section.name)}</td><td>${section.level.toFixed(1)}</td><td>${escapeHtml(section.cefr)}</td><td>${escapeHtml(section.meaning)}</td></tr>`,
		)
		.join('');
	return page(
		`Score report ${facts.testId}`,
		'<table cellpadding="4">' +
			(facts.candidate
				? `<tr><th>Candidate</th><td>${escapeHtml(facts.candidate)}</td></tr>`
				: '') +
			`<tr><th>Test ID</th><td>${escapeHtml(facts.testId)}</td></tr>` +
			`<tr><th>Test Version</th><td>${escapeHtml(facts.testVersion)}</td></tr>` +
			`<tr><th>Test Date</th><td>${escapeHtml(facts.testDate)}</td></tr>` +
			`<tr><th>Duration</th><td>${facts.durationMinutes} minutes</td></tr>` +
			'</table>' +
			`<p><strong>Overall level ${facts.overallLevel.toFixed(1)} (${escapeHtml(facts.overallCefr)})</strong>: ${escapeHtml(meaningOf(facts.overallLevel))}</p>` +
			`<table border="1" cellpadding="4"><tr><th>Section</th><th>Level</th><th>CEFR</th><th>What it means</th></tr>${rows}</table>` +
			`<p><small>Generated by the iTEP sandbox. ${BANDS_NOTE}</small></p>`,
	);
}

function page(title: string, body: string): string {
	return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

// ---------------------------------------------------------------------------------------------------------
// PDF (1.4, one A4 page, the standard Helvetica fonts in WinAnsiEncoding: no fonts embedded, nothing compressed)

function scoreReportPdf(facts: ReportFacts): Buffer {
	const lines: Array<{ font: 'F1' | 'F2'; size: number; text: string; gapBefore?: number }> = [
		{ font: 'F2', size: 18, text: `Score report ${facts.testId}` },
		...(facts.candidate
			? [{ font: 'F1' as const, size: 11, text: `Candidate: ${facts.candidate}`, gapBefore: 10 }]
			: []),
		{ font: 'F1', size: 11, text: `Test ID: ${facts.testId}` },
		{ font: 'F1', size: 11, text: `Test Version: ${facts.testVersion}` },
		{ font: 'F1', size: 11, text: `Test Date: ${facts.testDate}` },
		{ font: 'F1', size: 11, text: `Duration: ${facts.durationMinutes} minutes` },
		{
			font: 'F2',
			size: 13,
			text: `Overall level ${facts.overallLevel.toFixed(1)} (${facts.overallCefr})`,
			gapBefore: 10,
		},
		{ font: 'F1', size: 11, text: meaningOf(facts.overallLevel) },
		...facts.sections.flatMap((section, index) => [
			{
				font: 'F2' as const,
				size: 11,
				text: `${section.name}: level ${section.level.toFixed(1)} (${section.cefr})`,
				gapBefore: index === 0 ? 12 : 4,
			},
			{ font: 'F1' as const, size: 10, text: section.meaning },
		]),
		{ font: 'F1', size: 8, text: 'Generated by the iTEP sandbox.', gapBefore: 16 },
		...wrap(BANDS_NOTE, 110).map((text) => ({ font: 'F1' as const, size: 8, text })),
	];
	let y = 800;
	const content = lines
		.map((line) => {
			y -= line.size + 4 + (line.gapBefore ?? 0);
			return `BT /${line.font} ${line.size} Tf 1 0 0 1 56 ${y} Tm (${pdfText(line.text)}) Tj ET`;
		})
		.join('\n');
	const contentBytes = Buffer.from(content, 'latin1');
	const objects = [
		'<< /Type /Catalog /Pages 2 0 R >>',
		'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
		'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>',
		'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
		'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>',
		`<< /Length ${contentBytes.length} >>\nstream\n${content}\nendstream`,
		`<< /Title (${pdfText(`Score report ${facts.testId}`)}) /Producer (iTEP sandbox) >>`,
	];
	// A binary comment on line 2 tells tools the file is binary (PDF 1.4, 7.5.2).
	let pdf = '%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n';
	const offsets: number[] = [];
	objects.forEach((object, index) => {
		offsets.push(Buffer.byteLength(pdf, 'latin1'));
		pdf += `${index + 1} 0 obj\n${object}\nendobj\n`;
	});
	const xrefAt = Buffer.byteLength(pdf, 'latin1');
	pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
	for (const offset of offsets) pdf += `${String(offset).padStart(10, '0')} 00000 n \n`;
	pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 7 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`;
	return Buffer.from(pdf, 'latin1');
}

/** A PDF literal string in WinAnsi: printable Latin-1 as it is, anything else as `?`, delimiters escaped. */
function pdfText(text: string): string {
	return [...text]
		.map((char) => {
			const code = char.codePointAt(0) ?? 0;
			// 0x80-0x9F are C1 controls in Latin-1 but other characters in WinAnsi: not written as is.
			return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) ? char : '?';
		})
		.join('')
		.replace(/[\\()]/g, (char) => `\\${char}`);
}

function wrap(text: string, width: number): string[] {
	const lines: string[] = [];
	let line = '';
	for (const word of text.split(' ')) {
		if (line && line.length + 1 + word.length > width) {
			lines.push(line);
			line = word;
		} else line = line ? `${line} ${word}` : word;
	}
	if (line) lines.push(line);
	return lines;
}
