/* eslint-disable @n8n/community-nodes/no-restricted-imports -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * The iTEP Trigger's score report download: the pure helpers of nodes/ItepTrigger/scoreReport.ts, then the
 * option through the webhook (test/helpers/webhookHarness.ts: n8n-core's WebhookContext, so the download goes
 * through n8n's own httpRequest and prepareBinaryData) against real local HTTP servers: the sandbox's report
 * page, and small servers that answer 404, never answer, stall, send too much, redirect or send nothing.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'http';
import type { AddressInfo } from 'net';

import type { IBinaryData, INodeExecutionData } from 'n8n-workflow';

import { ItepTrigger } from '../../../nodes/ItepTrigger/ItepTrigger.node';
import {
	checkReportUrl,
	downloadScoreReport,
	extensionOf,
	fileNamePart,
	formatMb,
	isHostAllowed,
	mimeTypeOf,
	parseAllowedHosts,
	reportFileName,
	type HostRule,
	type ScoreReportHelpers,
} from '../../../nodes/ItepTrigger/scoreReport';
// Deliveries and the report page come from the sandbox (its own code), as iTEP would send and serve them.
import {
	encodeResultForm,
	RESULT_FORM_CONTENT_TYPE,
	sampleResultData,
} from '../../../sandbox/resultsData';
import { startSandbox, type RunningSandbox } from '../../../sandbox/server';
import { startWebhookHarness, type Harness } from '../../helpers/webhookHarness';

// ---------------------------------------------------------------------------------------------------------
// Pure helpers

describe('parseAllowedHosts', () => {
	const rules = (text: string) => {
		const parsed = parseAllowedHosts(text);
		if (!parsed.ok) throw new Error(parsed.error);
		return parsed.rules;
	};

	test('entries separated by commas, spaces and new lines; names normalised as a URL would', () => {
		expect(
			rules(' Reports.Example.COM, *.example.org\n127.0.0.1  [::1],bücher.de. ,0x7f.1'),
		).toEqual([
			{ host: 'reports.example.com', subdomains: false },
			{ host: 'example.org', subdomains: true },
			{ host: '127.0.0.1', subdomains: false },
			{ host: '[::1]', subdomains: false },
			{ host: 'xn--bcher-kva.de', subdomains: false },
			{ host: '127.0.0.1', subdomains: false },
		]);
	});

	test('empty (or only separators) allows nothing, and says so', () => {
		for (const text of ['', '  ', ' , ,\n']) {
			expect(parseAllowedHosts(text)).toEqual({
				ok: false,
				error: 'Allowed Hosts is empty, so no host may serve the report',
			});
		}
	});

	test.each([
		'https://reports.example.com',
		'reports.example.com:443',
		'reports.example.com/path',
		'user@reports.example.com',
		'*',
		'*.',
		'**.example.com',
		'*.[::1]',
		'exa mple.com?x',
	])('%j is refused, not guessed at', (entry) => {
		const parsed = parseAllowedHosts(`ok.example.com, ${entry}`);
		expect(parsed.ok).toBe(false);
		if (!parsed.ok) expect(parsed.error).toMatch(/^Allowed Hosts entry ".*" is not a host name/);
	});
});

describe('isHostAllowed', () => {
	const allowed: HostRule[] = [
		{ host: 'reports.example.com', subdomains: false },
		{ host: 'example.org', subdomains: true },
	];

	test.each([
		['reports.example.com', true],
		['REPORTS.example.com', true],
		['reports.example.com.', true],
		['example.com', false],
		['x.reports.example.com', false],
		['a.example.org', true],
		['a.b.example.org', true],
		['example.org', false],
		['evilexample.org', false],
		['example.org.evil.test', false],
	])('%s -> %s', (host, expected) => {
		expect(isHostAllowed(host, allowed)).toBe(expected);
	});
});

describe('checkReportUrl', () => {
	const allowed: HostRule[] = [{ host: 'reports.example.com', subdomains: false }];

	test('an http(s) URL on an allowed host passes', () => {
		const checked = checkReportUrl(' https://reports.example.com/r/1?token=abc ', allowed);
		expect(checked.ok && checked.url.href).toBe('https://reports.example.com/r/1?token=abc');
		expect(checkReportUrl('http://REPORTS.example.com:8080/r', allowed).ok).toBe(true);
	});

	test.each([
		[null, 'the delivery has no score_report_url'],
		[undefined, 'the delivery has no score_report_url'],
		['  ', 'the delivery has no score_report_url'],
		['/relative/report', 'score_report_url is not an absolute URL'],
		[
			'ftp://reports.example.com/r',
			'score_report_url uses "ftp:"; only http and https are downloaded',
		],
		['file:///etc/passwd', 'score_report_url uses "file:"; only http and https are downloaded'],
		[
			'https://reports.example.com.evil.test/r?token=SECRET',
			'score_report_url is on host "reports.example.com.evil.test", which is not in Allowed Hosts',
		],
		[
			// The part before @ is a user name: the host is evil.test.
			'https://reports.example.com@evil.test/r',
			'score_report_url is on host "evil.test", which is not in Allowed Hosts',
		],
		[
			'http://169.254.169.254/latest/meta-data/',
			'score_report_url is on host "169.254.169.254", which is not in Allowed Hosts',
		],
	])('%j is refused: %s', (url, error) => {
		expect(checkReportUrl(url, allowed)).toEqual({ ok: false, error });
	});

	test('the message names the host, never the path or the query', () => {
		const checked = checkReportUrl('https://other.test/private/path?token=SECRET', allowed);
		expect(checked.ok).toBe(false);
		if (!checked.ok) {
			expect(checked.error).not.toContain('SECRET');
			expect(checked.error).not.toContain('private');
		}
	});
});

describe('MIME type, extension, file name', () => {
	test.each([
		['text/html; charset=utf-8', 'text/html'],
		['Application/PDF', 'application/pdf'],
		[' application/pdf ; name="x.pdf"', 'application/pdf'],
		[['image/png', 'text/plain'], 'image/png'],
		['text', null],
		['', null],
		[undefined, null],
		[42, null],
		['text/html<script>', null],
	])('mimeTypeOf(%j) = %j', (header, expected) => {
		expect(mimeTypeOf(header)).toBe(expected);
	});

	test.each([
		['text/html', 'html'],
		['application/pdf', 'pdf'],
		['application/xhtml+xml', 'xhtml'],
		['text/plain', 'txt'],
		['image/jpeg', 'jpg'],
		['APPLICATION/PDF', 'pdf'],
		['application/octet-stream', 'bin'],
		['application/x-unheard-of', 'bin'],
	])('extensionOf(%s) = %s', (mimeType, extension) => {
		expect(extensionOf(mimeType)).toBe(extension);
	});

	test.each([
		['50613490BP', '50613490BP'],
		['A/B 1', 'A_B_1'],
		['../etc/passwd', '_etc_passwd'],
		['...', 'test'],
		['', 'test'],
		['Zoë-1.x', 'Zo_-1.x'],
		['a\u0000b', 'a_b'],
		['x'.repeat(300), 'x'.repeat(100)],
	])('fileNamePart(%j) = %j', (testId, part) => {
		expect(fileNamePart(testId)).toBe(part);
	});

	test('reportFileName is <TestID>-score-report.<ext>', () => {
		expect(reportFileName('50613490BP', 'text/html')).toBe('50613490BP-score-report.html');
		expect(reportFileName('A/B', 'application/pdf')).toBe('A_B-score-report.pdf');
		expect(reportFileName('X1', 'application/octet-stream')).toBe('X1-score-report.bin');
	});

	test('formatMb shows the limit as set', () => {
		expect(formatMb(10 * 1024 * 1024)).toBe('10 MB');
		expect(formatMb(0.5 * 1024 * 1024)).toBe('0.5 MB');
		expect(formatMb(1024)).toBe('0.0009766 MB');
	});
});

// ---------------------------------------------------------------------------------------------------------
// Local servers

interface TestServer {
	url: string;
	/** Paths requested, in order. */
	requests: string[];
	/** Bytes the handler managed to write before the client went away (streaming handlers only). */
	written: number;
	close(): Promise<void>;
}

const servers: TestServer[] = [];

async function serve(
	handler: (req: IncomingMessage, res: ServerResponse, server: TestServer) => void,
	host = '127.0.0.1',
): Promise<TestServer> {
	const server: Server = createServer((req, res) => {
		state.requests.push(req.url ?? '');
		handler(req, res, state);
	});
	await new Promise<void>((resolve) => server.listen(0, host, resolve));
	const { port } = server.address() as AddressInfo;
	const state: TestServer = {
		url: `http://${host}:${port}`,
		requests: [],
		written: 0,
		close: async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
	servers.push(state);
	return state;
}

/** A port nothing listens on (a server started and stopped). */
async function closedPort(): Promise<number> {
	const server = await serve(() => undefined);
	const port = Number(new URL(server.url).port);
	await server.close();
	servers.splice(servers.indexOf(server), 1);
	return port;
}

// ---------------------------------------------------------------------------------------------------------
// Through the webhook

let sandbox: RunningSandbox;
let harness: Harness | undefined;

beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, testTypes: ['Academic-Plus'], inventorySize: 3 });
});
afterAll(async () => {
	await sandbox.close();
});
afterEach(async () => {
	await harness?.close();
	harness = undefined;
	await Promise.all(servers.splice(0).map((server) => server.close()));
	sandbox.state.knobs.scoreReportFormat = 'html';
});

interface Options {
	allowedHosts?: string;
	timeoutSeconds?: number;
	maxSizeMb?: number;
	binaryPropertyName?: string;
	download?: boolean;
}

async function startTrigger(options: Options = {}): Promise<Harness> {
	const { allowedHosts = '127.0.0.1', download = true, ...scoreReportOptions } = options;
	harness = await startWebhookHarness({
		nodeType: new ItepTrigger(),
		parameters: {
			downloadScoreReport: download,
			scoreReportAllowedHosts: allowedHosts,
			scoreReportOptions: { timeoutSeconds: 2, ...scoreReportOptions },
		},
	});
	return harness;
}

/** Posts one documented delivery (unauthenticated trigger) and returns the item it started. */
async function deliver(
	h: Harness,
	overrides: Record<string, unknown>,
): Promise<{ status: number; body: unknown; item: INodeExecutionData; ms: number }> {
	const started = Date.now();
	const before = h.executions.length;
	const response = await fetch(h.url, {
		method: 'POST',
		body: encodeResultForm(sampleResultData(overrides)),
		headers: { 'Content-Type': RESULT_FORM_CONTENT_TYPE },
	});
	const body = await response.json();
	const ms = Date.now() - started;
	expect(h.executions).toHaveLength(before + 1);
	const items = h.executions[before][0];
	expect(items).toHaveLength(1);
	return { status: response.status, body, item: items[0], ms };
}

/** A test completed in the sandbox, with its report URL and the bytes that URL serves. */
async function completedSandboxTest() {
	const test = sandbox.state.tests.find((candidate) => candidate.status === 'Ready');
	if (!test) throw new Error('no Ready test left in the sandbox');
	for (const to of ['started', 'finished', 'completed'])
		await sandbox.transition(test.testId, to).settled;
	const url = `${sandbox.url}/sandbox/score-report/${test.testId}`;
	const response = await fetch(url);
	expect(response.status).toBe(200);
	return {
		testId: test.testId,
		url,
		contentType: response.headers.get('content-type'),
		bytes: Buffer.from(await response.arrayBuffer()),
	};
}

function bytesOf(binary: IBinaryData): Buffer {
	// n8n's default binary mode keeps the bytes in the item, base64.
	expect(binary.id).toBeUndefined();
	return Buffer.from(binary.data, 'base64');
}

/** Every failure: the result is emitted, without binary, with the reason in scoreReportError. */
function expectEmittedWithError(
	reply: { status: number; body: unknown; item: INodeExecutionData },
	testId: string,
	error: string | RegExp,
) {
	expect(reply.status).toBe(200);
	expect(reply.body).toEqual({ received: true, started: true });
	expect(reply.item.binary).toBeUndefined();
	expect(reply.item.json).toMatchObject({ testId, status: 'completed', event: 'completed' });
	if (typeof error === 'string') expect(reply.item.json.scoreReportError).toBe(error);
	else expect(reply.item.json.scoreReportError).toMatch(error);
}

describe('Download Score Report through the webhook', () => {
	test('off (the default): no request, no binary, no scoreReportError', async () => {
		const server = await serve((_req, res) => res.end('report'));
		const h = await startTrigger({ download: false });
		const reply = await deliver(h, { score_report_url: `${server.url}/r` });
		expect(reply.item.binary).toBeUndefined();
		expect(reply.item.json).not.toHaveProperty('scoreReportError');
		expect(server.requests).toEqual([]);
	});

	test("success: the sandbox's HTML report, as binary scoreReport with its MIME type, name and exact bytes", async () => {
		const report = await completedSandboxTest();
		expect(report.contentType).toBe('text/html; charset=utf-8');
		const h = await startTrigger();
		const reply = await deliver(h, { TestID: report.testId, score_report_url: report.url });
		expect(reply.status).toBe(200);
		expect(reply.item.json).not.toHaveProperty('scoreReportError');
		expect(Object.keys(reply.item.binary ?? {})).toEqual(['scoreReport']);
		const binary = reply.item.binary!.scoreReport;
		expect(binary).toMatchObject({
			mimeType: 'text/html',
			fileName: `${report.testId}-score-report.html`,
			fileExtension: 'html',
		});
		expect(bytesOf(binary).equals(report.bytes)).toBe(true);
		expect(h.logs.filter((entry) => entry.level === 'warn')).toEqual([]);
	});

	test("success: the PDF report (sandbox knob), in a field of the user's choosing", async () => {
		sandbox.state.knobs.scoreReportFormat = 'pdf';
		const report = await completedSandboxTest();
		expect(report.contentType).toBe('application/pdf');
		const h = await startTrigger({ binaryPropertyName: 'report' });
		const reply = await deliver(h, { TestID: report.testId, score_report_url: report.url });
		expect(Object.keys(reply.item.binary ?? {})).toEqual(['report']);
		const binary = reply.item.binary!.report;
		expect(binary).toMatchObject({
			mimeType: 'application/pdf',
			fileName: `${report.testId}-score-report.pdf`,
		});
		expect(bytesOf(binary).equals(report.bytes)).toBe(true);
	});

	test('the file name is made from the test ID, made safe', async () => {
		const server = await serve((_req, res) => {
			res.writeHead(200, { 'Content-Type': 'text/plain' });
			res.end('report');
		});
		const h = await startTrigger();
		const reply = await deliver(h, { TestID: '../a b/1', score_report_url: `${server.url}/r` });
		expect(reply.item.binary?.scoreReport).toMatchObject({
			mimeType: 'text/plain',
			fileName: '_a_b_1-score-report.txt',
		});
	});

	test('no Content-Type: application/octet-stream, .bin', async () => {
		const server = await serve((_req, res) => {
			res.removeHeader('Content-Type');
			res.end(Buffer.from([0x25, 0x50, 0x44, 0x46]));
		});
		const h = await startTrigger();
		const reply = await deliver(h, { score_report_url: `${server.url}/r` });
		expect(reply.item.binary?.scoreReport).toMatchObject({
			mimeType: 'application/octet-stream',
			fileName: '50613490BP-score-report.bin',
		});
		expect(bytesOf(reply.item.binary!.scoreReport)).toEqual(Buffer.from('%PDF'));
	});

	test('404 (a test the sandbox has no report for): emitted with the status in scoreReportError', async () => {
		const h = await startTrigger();
		const reply = await deliver(h, {
			TestID: 'NOREPORT1',
			score_report_url: `${sandbox.url}/sandbox/score-report/NOREPORT1`,
		});
		expectEmittedWithError(
			reply,
			'NOREPORT1',
			'Score report not downloaded: the server answered HTTP 404',
		);
		expect(h.logs).toEqual([
			expect.objectContaining({
				level: 'warn',
				message:
					'iTEP Trigger: Score report not downloaded: the server answered HTTP 404 (test "NOREPORT1"); the result is emitted without it',
			}),
		]);
	});

	test('a 5xx is reported the same way; the URL (and a token in it) is in neither the item nor the log', async () => {
		const server = await serve((_req, res) => {
			res.writeHead(503, { 'Content-Type': 'text/plain' });
			res.end('down for maintenance');
		});
		const h = await startTrigger();
		const reply = await deliver(h, { score_report_url: `${server.url}/private/r?token=SECRET-42` });
		expectEmittedWithError(
			reply,
			'50613490BP',
			'Score report not downloaded: the server answered HTTP 503',
		);
		expect(server.requests).toEqual(['/private/r?token=SECRET-42']);
		const everything = JSON.stringify([reply.item.json.scoreReportError, h.logs]);
		expect(everything).not.toContain('SECRET-42');
		expect(everything).not.toContain('/private/');
	});

	test('timeout: a server that never answers; the result still arrives, after about the timeout', async () => {
		const server = await serve(() => undefined);
		const h = await startTrigger({ timeoutSeconds: 1 });
		const reply = await deliver(h, { score_report_url: `${server.url}/hang` });
		expectEmittedWithError(
			reply,
			'50613490BP',
			'Score report not downloaded: no complete answer within 1 s (timeout)',
		);
		expect(server.requests).toEqual(['/hang']);
		expect(reply.ms).toBeGreaterThanOrEqual(900);
		expect(reply.ms).toBeLessThan(4000);
	});

	test('timeout: a server that sends the headers and part of the body, then stalls', async () => {
		const server = await serve((_req, res) => {
			res.writeHead(200, { 'Content-Type': 'text/html' });
			res.write('<html><body>half a rep');
		});
		const h = await startTrigger({ timeoutSeconds: 1 });
		const reply = await deliver(h, { score_report_url: `${server.url}/stall` });
		expectEmittedWithError(
			reply,
			'50613490BP',
			'Score report not downloaded: no complete answer within 1 s (timeout)',
		);
		expect(reply.ms).toBeLessThan(4000);
	});

	test('over the cap, declared: Content-Length above it is refused without reading the body', async () => {
		const server = await serve((_req, res) => {
			res.writeHead(200, {
				'Content-Type': 'application/pdf',
				'Content-Length': String(3 * 1024 * 1024),
			});
			res.write(Buffer.alloc(64 * 1024));
		});
		const h = await startTrigger({ maxSizeMb: 2 });
		const reply = await deliver(h, { score_report_url: `${server.url}/big` });
		expectEmittedWithError(
			reply,
			'50613490BP',
			'Score report not downloaded: the report is larger than the 2 MB limit (Content-Length 3145728 bytes)',
		);
	});

	test('over the cap, undeclared: a chunked body is cut off as soon as it passes the cap', async () => {
		const chunk = Buffer.alloc(64 * 1024, 0x61);
		const total = 40 * 1024 * 1024;
		const server = await serve((_req, res, state) => {
			res.writeHead(200, { 'Content-Type': 'text/html' });
			// Writes as fast as the client reads; stops when the client goes away.
			const pump = () => {
				while (state.written < total) {
					state.written += chunk.length;
					if (!res.write(chunk)) return void res.once('drain', pump);
				}
				res.end();
			};
			res.on('close', () => (state.written = Math.min(state.written, total)));
			pump();
		});
		const h = await startTrigger({ maxSizeMb: 1 });
		const reply = await deliver(h, { score_report_url: `${server.url}/endless` });
		expectEmittedWithError(
			reply,
			'50613490BP',
			'Score report not downloaded: the report is larger than the 1 MB limit (more than 1048576 bytes received)',
		);
		// The connection was dropped long before the 40 MB were sent.
		expect(server.written).toBeLessThan(total / 2);
	});

	test('exactly at the cap is fine', async () => {
		const body = Buffer.alloc(Math.floor(0.01 * 1024 * 1024), 0x62);
		const server = await serve((_req, res) => {
			res.writeHead(200, { 'Content-Type': 'text/plain' });
			res.end(body);
		});
		const h = await startTrigger({ maxSizeMb: 0.01 });
		const reply = await deliver(h, { score_report_url: `${server.url}/exact` });
		expect(reply.item.json).not.toHaveProperty('scoreReportError');
		expect(bytesOf(reply.item.binary!.scoreReport).equals(body)).toBe(true);
	});

	test('a host not in Allowed Hosts is never contacted', async () => {
		const server = await serve((_req, res) => res.end('report'));
		const h = await startTrigger({ allowedHosts: 'reports.example.com' });
		const reply = await deliver(h, { score_report_url: `${server.url}/r` });
		expectEmittedWithError(
			reply,
			'50613490BP',
			'Score report not downloaded: score_report_url is on host "127.0.0.1", which is not in Allowed Hosts',
		);
		expect(server.requests).toEqual([]);
	});

	test('empty Allowed Hosts allows nothing', async () => {
		const server = await serve((_req, res) => res.end('report'));
		const h = await startTrigger({ allowedHosts: '' });
		const reply = await deliver(h, { score_report_url: `${server.url}/r` });
		expectEmittedWithError(
			reply,
			'50613490BP',
			'Score report not downloaded: Allowed Hosts is empty, so no host may serve the report',
		);
		expect(server.requests).toEqual([]);
	});

	test('redirects are followed only to allowed hosts, and at most 5 times', async () => {
		const target = await serve((_req, res) => {
			res.writeHead(200, { 'Content-Type': 'text/html' });
			res.end('<p>moved report</p>');
		});
		const server = await serve((req, res) => {
			const hops = Number(/^\/hop\/(\d+)$/.exec(req.url ?? '')?.[1] ?? -1);
			if (req.url === '/to-allowed') res.writeHead(302, { Location: `${target.url}/final` });
			else if (req.url === '/relative') res.writeHead(301, { Location: '/hop/0' });
			else if (req.url === '/to-localhost')
				res.writeHead(302, { Location: target.url.replace('127.0.0.1', 'localhost') });
			else if (req.url === '/to-file') res.writeHead(307, { Location: 'file:///etc/passwd' });
			else if (req.url === '/no-location') res.writeHead(302);
			else if (hops >= 0) res.writeHead(302, { Location: `/hop/${hops + 1}` });
			res.end();
		});
		const h = await startTrigger();

		const followed = await deliver(h, {
			TestID: 'R1',
			score_report_url: `${server.url}/to-allowed`,
		});
		expect(followed.item.json).not.toHaveProperty('scoreReportError');
		expect(bytesOf(followed.item.binary!.scoreReport).toString()).toBe('<p>moved report</p>');
		expect(target.requests).toEqual(['/final']);

		const elsewhere = await deliver(h, {
			TestID: 'R2',
			score_report_url: `${server.url}/to-localhost`,
		});
		expectEmittedWithError(
			elsewhere,
			'R2',
			'Score report not downloaded: HTTP 302: the redirect target is on host "localhost", which is not in Allowed Hosts',
		);
		const toFile = await deliver(h, { TestID: 'R3', score_report_url: `${server.url}/to-file` });
		expectEmittedWithError(
			toFile,
			'R3',
			'Score report not downloaded: HTTP 307: the redirect target uses "file:"; only http and https are downloaded',
		);
		const noLocation = await deliver(h, {
			TestID: 'R4',
			score_report_url: `${server.url}/no-location`,
		});
		expectEmittedWithError(
			noLocation,
			'R4',
			'Score report not downloaded: HTTP 302 without a Location header',
		);
		const loop = await deliver(h, { TestID: 'R5', score_report_url: `${server.url}/relative` });
		expectEmittedWithError(
			loop,
			'R5',
			'Score report not downloaded: more than 5 redirects (last HTTP 302)',
		);
		// The first request, then five redirects followed; the sixth is not.
		expect(
			server.requests.filter((path) => path === '/relative' || path.startsWith('/hop/')),
		).toEqual(['/relative', '/hop/0', '/hop/1', '/hop/2', '/hop/3', '/hop/4']);
		// Nothing but the allowed target was contacted.
		expect(target.requests).toEqual(['/final']);
	});

	test('no URL in the result, a blank one, or one that is not http(s)', async () => {
		const h = await startTrigger();
		const cases: Array<[Record<string, unknown>, string]> = [
			[{ TestID: 'U1', score_report_url: undefined }, 'the delivery has no score_report_url'],
			[{ TestID: 'U2', score_report_url: '' }, 'the delivery has no score_report_url'],
			// Not text: the parser makes it null (with a warning), so there is no URL either.
			[{ TestID: 'U3', score_report_url: 42 }, 'the delivery has no score_report_url'],
			[
				{ TestID: 'U4', score_report_url: 'ftp://127.0.0.1/report.pdf' },
				'score_report_url uses "ftp:"; only http and https are downloaded',
			],
			[{ TestID: 'U5', score_report_url: 'report.pdf' }, 'score_report_url is not an absolute URL'],
		];
		for (const [overrides, reason] of cases) {
			const reply = await deliver(h, overrides);
			expectEmittedWithError(
				reply,
				overrides.TestID as string,
				`Score report not downloaded: ${reason}`,
			);
		}
	});

	test('a network error (nothing listening) names its code', async () => {
		const port = await closedPort();
		const h = await startTrigger();
		const reply = await deliver(h, { score_report_url: `http://127.0.0.1:${port}/r` });
		expectEmittedWithError(
			reply,
			'50613490BP',
			'Score report not downloaded: network error (ECONNREFUSED)',
		);
	});

	test('an empty 200 body is a failure, not an empty file', async () => {
		const server = await serve((_req, res) => {
			res.writeHead(200, { 'Content-Type': 'text/html' });
			res.end();
		});
		const h = await startTrigger();
		const reply = await deliver(h, { score_report_url: `${server.url}/empty` });
		expectEmittedWithError(
			reply,
			'50613490BP',
			'Score report not downloaded: the server sent an empty body (HTTP 200)',
		);
	});

	test('an empty Put Output File in Field is reported, and nothing is fetched', async () => {
		const server = await serve((_req, res) => res.end('report'));
		const h = await startTrigger({ binaryPropertyName: '  ' });
		const reply = await deliver(h, { score_report_url: `${server.url}/r` });
		expectEmittedWithError(
			reply,
			'50613490BP',
			'Score report not downloaded: Put Output File in Field is empty',
		);
		expect(server.requests).toEqual([]);
	});

	test.each([
		[
			{ maxSizeMb: Number.NaN },
			'Score Report Options > Max Size (MB) must be a number from 0.01 to 100',
		],
		[
			{ maxSizeMb: 'abc' as unknown as number },
			'Score Report Options > Max Size (MB) must be a number from 0.01 to 100',
		],
		[{ maxSizeMb: 0 }, 'Score Report Options > Max Size (MB) must be a number from 0.01 to 100'],
		[
			{ timeoutSeconds: Number.NaN },
			'Score Report Options > Timeout (Seconds) must be a number from 1 to 120',
		],
		[
			{ timeoutSeconds: 500 },
			'Score Report Options > Timeout (Seconds) must be a number from 1 to 120',
		],
		[
			{ binaryPropertyName: 7 as unknown as string },
			'Score Report Options > Put Output File in Field must be a name',
		],
		[
			{ allowedHosts: 7 as unknown as string },
			'Allowed Hosts must be text: host names separated by commas',
		],
	] as Array<[Options, string]>)(
		'settings an expression made unusable (%j): the result arrives with the option named, nothing is fetched',
		async (options, message) => {
			const server = await serve((_req, res) => res.end('report'));
			const h = await startTrigger(options);
			const reply = await deliver(h, { score_report_url: `${server.url}/r` });
			expectEmittedWithError(reply, '50613490BP', `Score report not downloaded: ${message}`);
			expect(server.requests).toEqual([]);
		},
	);

	test('an expression that fails in a setting: the result still arrives (after the claim a repeat would be dropped)', async () => {
		const server = await serve((_req, res) => res.end('report'));
		const h = await startTrigger({
			binaryPropertyName: "={{ $('No Such Node').first().json.field }}",
		});
		const reply = await deliver(h, { score_report_url: `${server.url}/r` });
		expectEmittedWithError(
			reply,
			'50613490BP',
			'Score report not downloaded: Score Report Options > Put Output File in Field could not be read (its expression failed)',
		);
		expect(server.requests).toEqual([]);
	});

	test('copies of one delivery arriving together: one execution, one download (it runs after the claim)', async () => {
		const server = await serve((_req, res) => {
			res.writeHead(200, { 'Content-Type': 'text/html' });
			res.end('<p>report</p>');
		});
		const h = await startTrigger();
		const body = encodeResultForm(sampleResultData({ score_report_url: `${server.url}/once` }));
		const replies = await Promise.all(
			Array.from({ length: 10 }, () =>
				fetch(h.url, {
					method: 'POST',
					body,
					headers: { 'Content-Type': RESULT_FORM_CONTENT_TYPE },
				}).then(async (response) => (await response.json()) as { started?: boolean }),
			),
		);
		expect(replies.filter((reply) => reply.started === true)).toHaveLength(1);
		expect(h.executions).toHaveLength(1);
		expect(server.requests).toEqual(['/once']);
		expect(h.executions[0][0][0].binary?.scoreReport.fileName).toBe('50613490BP-score-report.html');
	});
});

describe('downloadScoreReport with a failing binary store', () => {
	test('an error from prepareBinaryData becomes the outcome, it is not thrown', async () => {
		const server = await serve((_req, res) => res.end('report'));
		const helpers: ScoreReportHelpers = {
			httpRequest: async () => ({
				statusCode: 200,
				headers: { 'content-type': 'text/html' },
				body: Buffer.from('report'),
			}),
			prepareBinaryData: async () => {
				throw new Error('disk full');
			},
		};
		const outcome = await downloadScoreReport(
			helpers,
			{ testId: 'T1', url: `${server.url}/r` },
			{ field: 'scoreReport', timeoutMs: 1000, maxBytes: 1024, allowedHosts: '127.0.0.1' },
		);
		expect(outcome).toEqual({
			ok: false,
			error: 'Score report not downloaded: n8n could not store the file (disk full)',
		});
	});

	test.each([
		['nothing', undefined],
		['no status', { headers: {}, body: Buffer.from('report') }],
	])(
		'an HTTP client answer with %s is a failure, never taken for a report',
		async (_what, answer) => {
			const helpers: ScoreReportHelpers = {
				httpRequest: async () => answer,
				prepareBinaryData: async () => {
					throw new Error('must not be reached');
				},
			};
			const outcome = await downloadScoreReport(
				helpers,
				{ testId: 'T1', url: 'http://127.0.0.1:9/r' },
				{ field: 'scoreReport', timeoutMs: 1000, maxBytes: 1024, allowedHosts: '127.0.0.1' },
			);
			expect(outcome).toEqual({
				ok: false,
				error: "Score report not downloaded: n8n's HTTP client gave no HTTP status",
			});
		},
	);
});
