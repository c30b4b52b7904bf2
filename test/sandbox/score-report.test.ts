import { adminPost } from '../../devkit/sandboxClient';
import { startSandbox, type RunningSandbox } from '../../sandbox/server';

/**
 * GET /sandbox/score-report/:testId, the page behind score_report_url: HTML by default, a one-page PDF with the
 * scoreReportFormat knob. The PDF is checked here by reading its structure (header, objects at the offsets the
 * cross-reference table gives, the content stream's length, the trailer), not with the code that wrote it.
 */

let sandbox: RunningSandbox;
beforeEach(async () => {
	sandbox = await startSandbox({ port: 0, testTypes: ['Academic-Plus'], inventorySize: 2 });
});
afterEach(async () => {
	await sandbox.close();
});

/** A test taken to Completed (no tracking code, so no deliveries), with a candidate name in Assigned To. */
async function completedTest(name = 'Zoë Ñúñez') {
	const test = sandbox.state.tests.find((candidate) => candidate.status === 'Ready');
	if (!test) throw new Error('no Ready test in the sandbox');
	test.assignedTo = { 'student-name': name };
	for (const to of ['started', 'finished', 'completed'])
		await sandbox.transition(test.testId, to).settled;
	if (!test.results) throw new Error('the completed test has no results');
	return { test, results: test.results };
}

async function getReport(testId: string) {
	const response = await fetch(`${sandbox.url}/sandbox/score-report/${encodeURIComponent(testId)}`);
	return {
		status: response.status,
		contentType: response.headers.get('content-type'),
		contentLength: response.headers.get('content-length'),
		bytes: Buffer.from(await response.arrayBuffer()),
	};
}

test('a completed test: an HTML report with the candidate, the test and every section level', async () => {
	const { test, results } = await completedTest();
	const report = await getReport(test.testId);
	expect(report.status).toBe(200);
	expect(report.contentType).toBe('text/html; charset=utf-8');
	expect(Number(report.contentLength)).toBe(report.bytes.length);
	const html = report.bytes.toString('utf8');
	expect(html.startsWith('<!doctype html>')).toBe(true);
	expect(html).toContain(`<title>Score report ${test.testId}</title>`);
	expect(html).toContain('<td>Zoë Ñúñez</td>');
	expect(html).toContain(`<td>${test.testType}</td>`);
	expect(html).toContain(`<td>${results.finishedAt.slice(0, 10)}</td>`);
	expect(html).toContain(
		`Overall level ${results.overallLevel.toFixed(1)} (${results.overallCefr})`,
	);
	for (const [section, level] of Object.entries(results.sectionLevels))
		expect(html).toContain(`<tr><td>${section}</td><td>${level.toFixed(1)}</td>`);
	// Deterministic: the same bytes every time (a receiver's copy can be compared byte for byte).
	expect((await getReport(test.testId)).bytes.equals(report.bytes)).toBe(true);
});

test('the candidate name is escaped in the HTML', async () => {
	const { test } = await completedTest('<script>alert(1)</script>');
	const html = (await getReport(test.testId)).bytes.toString('utf8');
	expect(html).not.toContain('<script>');
	expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
});

test('no report for a test that is not completed, or not there: 404 with an HTML page', async () => {
	const ready = sandbox.state.tests.find((candidate) => candidate.status === 'Ready');
	for (const testId of [ready?.testId ?? '', 'NO-SUCH-TEST']) {
		const report = await getReport(testId);
		expect(report.status).toBe(404);
		expect(report.contentType).toBe('text/html; charset=utf-8');
		expect(report.bytes.toString('utf8')).toContain(`No completed test with ID ${testId}`);
	}
});

test('scoreReportFormat "pdf": a well-formed one-page PDF with the same facts', async () => {
	const { test, results } = await completedTest();
	const knobs = await adminPost(sandbox.url, '/sandbox/knobs', { scoreReportFormat: 'pdf' });
	expect(knobs.body.scoreReportFormat).toBe('pdf');
	const report = await getReport(test.testId);
	expect(report.status).toBe(200);
	expect(report.contentType).toBe('application/pdf');
	expect(Number(report.contentLength)).toBe(report.bytes.length);

	const pdf = report.bytes.toString('latin1');
	expect(pdf.startsWith('%PDF-1.4\n')).toBe(true);
	expect(pdf.endsWith('%%EOF\n')).toBe(true);
	// startxref gives the byte offset of the cross-reference table...
	const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(pdf)?.[1]);
	expect(pdf.slice(startxref, startxref + 5)).toBe('xref\n');
	// ...whose entries give the offset of every object, in order.
	const xref = /^xref\n0 (\d+)\n([\s\S]*?)trailer\n/.exec(pdf.slice(startxref));
	if (!xref) throw new Error('no cross-reference table');
	const entries = xref[2].match(/.{20}/gs) ?? [];
	expect(entries).toHaveLength(Number(xref[1]));
	expect(entries[0]).toBe('0000000000 65535 f \n');
	entries.slice(1).forEach((entry, index) => {
		expect(entry).toMatch(/^\d{10} 00000 n \n$/);
		const offset = Number(entry.slice(0, 10));
		expect(pdf.slice(offset, offset + `${index + 1} 0 obj\n`.length)).toBe(`${index + 1} 0 obj\n`);
	});
	expect(pdf).toMatch(new RegExp(`trailer\\n<< /Size ${entries.length} /Root 1 0 R`));
	// The content stream is exactly as long as its /Length says.
	const stream = /<< \/Length (\d+) >>\nstream\n([\s\S]*?)\nendstream/.exec(pdf);
	if (!stream) throw new Error('no content stream');
	expect(Buffer.byteLength(stream[2], 'latin1')).toBe(Number(stream[1]));
	expect(pdf).toContain('/Type /Pages /Kids [3 0 R] /Count 1');

	// The text, as PDF strings in WinAnsi (Latin-1 here): the candidate's accents survive.
	expect(stream[2]).toContain(`(Score report ${test.testId}) Tj`);
	expect(stream[2]).toContain('(Candidate: Zoë Ñúñez) Tj');
	expect(stream[2]).toContain(
		`(Overall level ${results.overallLevel.toFixed(1)} \\(${results.overallCefr}\\)) Tj`,
	);
	for (const [section, level] of Object.entries(results.sectionLevels))
		expect(stream[2]).toContain(`(${section}: level ${level.toFixed(1)} \\(`);

	expect((await getReport(test.testId)).bytes.equals(report.bytes)).toBe(true);
});

test('PDF text outside Latin-1 becomes "?", and PDF delimiters are escaped', async () => {
	const { test } = await completedTest('Li (李) \\ Ann');
	await adminPost(sandbox.url, '/sandbox/knobs', { scoreReportFormat: 'pdf' });
	const pdf = (await getReport(test.testId)).bytes.toString('latin1');
	expect(pdf).toContain('(Candidate: Li \\(?\\) \\\\ Ann) Tj');
});

test('the knob takes "html", "pdf" or null (html) and nothing else; a reset restores html', async () => {
	const bad = await adminPost(sandbox.url, '/sandbox/knobs', { scoreReportFormat: 'docx' });
	expect(bad.status).toBe(400);
	expect(bad.body.error.message).toMatch(/scoreReportFormat must be one of html, pdf/);
	expect(sandbox.state.knobs.scoreReportFormat).toBe('html');
	await adminPost(sandbox.url, '/sandbox/knobs', { scoreReportFormat: 'pdf' });
	expect(
		(await adminPost(sandbox.url, '/sandbox/knobs', { scoreReportFormat: null })).body
			.scoreReportFormat,
	).toBe('html');
	await adminPost(sandbox.url, '/sandbox/knobs', { scoreReportFormat: 'pdf' });
	await adminPost(sandbox.url, '/sandbox/reset');
	expect(sandbox.state.knobs.scoreReportFormat).toBe('html');
});
