import { sleep, type IBinaryData, type IHttpRequestOptions } from 'n8n-workflow';

/**
 * The optional score report download of the iTEP Trigger. iTEP documents only that `score_report_url` is a
 * "URL that will generate a formatted score report"; its host, format (HTML or PDF) and any access control
 * are not published. Everything below that goes further is this project's choice, documented in
 * docs/trigger.md: the URL is chosen by whoever sends the delivery, so it is fetched only from the hosts the
 * user allows (redirects included), within a deadline and a size cap, and a failure never costs the result.
 */

export const DEFAULT_SCORE_REPORT_FIELD = 'scoreReport';
export const DEFAULT_SCORE_REPORT_TIMEOUT_SECONDS = 15;
export const DEFAULT_SCORE_REPORT_MAX_SIZE_MB = 10;
/** Redirects are followed by hand, each target checked against Allowed Hosts; more than this is a failure. */
export const MAX_SCORE_REPORT_REDIRECTS = 5;
/** What a browser asks for: the URL is meant to be opened by a person. (Axios's default prefers JSON.) */
export const SCORE_REPORT_ACCEPT =
	'text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.8';
export const BYTES_PER_MB = 1024 * 1024;
/** Used when the server names no (readable) Content-Type. */
export const FALLBACK_MIME_TYPE = 'application/octet-stream';

export interface ScoreReportSettings {
	/** Name of the binary property the file is put in, trimmed and not empty. */
	field: string;
	timeoutMs: number;
	maxBytes: number;
	/** The Allowed Hosts text as the user typed it. */
	allowedHosts: string;
}

/** The settings as n8n gives them: an expression can make any of them any type. */
export interface RawScoreReportSettings {
	field: unknown;
	timeoutSeconds: unknown;
	maxSizeMb: unknown;
	allowedHosts: unknown;
}

/**
 * Checks the settings before anything is fetched. The editor's limits do not bind an expression, and a NaN
 * size cap would silently be no cap at all, so each is checked here and named when it cannot be used.
 */
export function checkScoreReportSettings(
	raw: RawScoreReportSettings,
): { ok: true; settings: ScoreReportSettings } | { ok: false; error: string } {
	const inRange = (value: unknown, min: number, max: number): value is number =>
		typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
	if (typeof raw.field !== 'string') {
		return { ok: false, error: 'Score Report Options > Put Output File in Field must be a name' };
	}
	const field = raw.field.trim();
	if (!field) return { ok: false, error: 'Put Output File in Field is empty' };
	if (!inRange(raw.timeoutSeconds, 1, 120)) {
		return {
			ok: false,
			error: 'Score Report Options > Timeout (Seconds) must be a number from 1 to 120',
		};
	}
	if (!inRange(raw.maxSizeMb, 0.01, 100)) {
		return {
			ok: false,
			error: 'Score Report Options > Max Size (MB) must be a number from 0.01 to 100',
		};
	}
	if (typeof raw.allowedHosts !== 'string') {
		return { ok: false, error: 'Allowed Hosts must be text: host names separated by commas' };
	}
	return {
		ok: true,
		settings: {
			field,
			timeoutMs: raw.timeoutSeconds * 1000,
			maxBytes: Math.floor(raw.maxSizeMb * BYTES_PER_MB),
			allowedHosts: raw.allowedHosts,
		},
	};
}

/** The message every failure is reported with. */
export function scoreReportFailure(reason: string): string {
	return failure(reason);
}

export type ScoreReportOutcome =
	{ ok: true; binary: IBinaryData } | { ok: false; error: string; status?: number };

/** What the download needs from n8n: its HTTP client and its binary store (the webhook context's helpers). */
export interface ScoreReportHelpers {
	httpRequest(options: IHttpRequestOptions): Promise<unknown>;
	prepareBinaryData(data: Buffer, fileName?: string, mimeType?: string): Promise<IBinaryData>;
}

// ---------------------------------------------------------------------------------------------------------
// Pure helpers

/** One Allowed Hosts entry: an exact host, or `*.example.com` for every subdomain of example.com. */
export interface HostRule {
	host: string;
	subdomains: boolean;
}

export type HostRulesOutcome = { ok: true; rules: HostRule[] } | { ok: false; error: string };

/**
 * Reads Allowed Hosts: entries separated by commas, spaces or new lines; each a host name, an IPv4 address or
 * a bracketed IPv6 address, or `*.` followed by a host name. No scheme, port, path or user: a URL typed by
 * mistake is refused rather than guessed at. Names are compared as WHATWG URL normalises them (lower case,
 * punycode, `0x7f.1` -> `127.0.0.1`), so an entry matches exactly the hosts a URL with that name reaches.
 */
export function parseAllowedHosts(text: string): HostRulesOutcome {
	const entries = text
		.split(/[\s,]+/)
		.map((entry) => entry.trim())
		.filter(Boolean);
	if (entries.length === 0) {
		return {
			ok: false,
			error: 'Allowed Hosts is empty, so no host may serve the report',
		};
	}
	const rules: HostRule[] = [];
	for (const entry of entries) {
		const subdomains = entry.startsWith('*.');
		const name = subdomains ? entry.slice(2) : entry;
		const host = normaliseHostEntry(name);
		if (host === null || (subdomains && host.startsWith('['))) {
			return {
				ok: false,
				error: `Allowed Hosts entry ${quote(entry)} is not a host name (write reports.example.com or *.example.com, without https:// or a port)`,
			};
		}
		rules.push({ host, subdomains });
	}
	return { ok: true, rules };
}

function normaliseHostEntry(name: string): string | null {
	if (!/^(\[[0-9A-Fa-f:.]+\]|[^\s/\\@?#:[\]*]+)$/.test(name)) return null;
	let url: URL;
	try {
		url = new URL(`http://${name}/`);
	} catch {
		return null;
	}
	const host = url.hostname.replace(/\.$/, '');
	return host && !url.port && url.pathname === '/' ? host : null;
}

/** Whether a URL's hostname (as `new URL().hostname` gives it) is allowed by the rules. */
export function isHostAllowed(hostname: string, rules: HostRule[]): boolean {
	const host = hostname.toLowerCase().replace(/\.$/, '');
	return rules.some((rule) =>
		rule.subdomains ? host.endsWith(`.${rule.host}`) : host === rule.host,
	);
}

export type UrlCheck = { ok: true; url: URL } | { ok: false; error: string };

/**
 * Whether a report URL may be fetched: present, an absolute http(s) URL, on an allowed host. `what` names the
 * URL in the message ("score_report_url", "the redirect target"). Messages name the host, never the path or
 * query, which may carry an access token.
 */
export function checkReportUrl(
	value: string | null | undefined,
	rules: HostRule[],
	what = 'score_report_url',
): UrlCheck {
	if (value === null || value === undefined || value.trim() === '') {
		return { ok: false, error: `the delivery has no ${what}` };
	}
	let url: URL;
	try {
		url = new URL(value.trim());
	} catch {
		return { ok: false, error: `${what} is not an absolute URL` };
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		return {
			ok: false,
			error: `${what} uses ${quote(url.protocol.slice(0, 20))}; only http and https are downloaded`,
		};
	}
	if (!isHostAllowed(url.hostname, rules)) {
		return {
			ok: false,
			error: `${what} is on host ${quote(url.hostname)}, which is not in Allowed Hosts`,
		};
	}
	return { ok: true, url };
}

/** `text/html; charset=utf-8` -> `text/html`; null when there is no well-formed type/subtype. */
export function mimeTypeOf(contentType: unknown): string | null {
	const text = Array.isArray(contentType) ? contentType[0] : contentType;
	if (typeof text !== 'string') return null;
	const essence = text.split(';')[0].trim().toLowerCase();
	return /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(essence) ? essence : null;
}

const EXTENSION_OF_MIME_TYPE: ReadonlyMap<string, string> = new Map([
	['text/html', 'html'],
	['application/xhtml+xml', 'xhtml'],
	['application/pdf', 'pdf'],
	['text/plain', 'txt'],
	['text/csv', 'csv'],
	['application/json', 'json'],
	['application/xml', 'xml'],
	['text/xml', 'xml'],
	['image/png', 'png'],
	['image/jpeg', 'jpg'],
	['image/gif', 'gif'],
	['image/webp', 'webp'],
	['image/svg+xml', 'svg'],
	['application/zip', 'zip'],
	['application/msword', 'doc'],
	['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'docx'],
]);

/** File extension for a MIME type (without parameters); `bin` for any type not in the table. */
export function extensionOf(mimeType: string): string {
	return EXTENSION_OF_MIME_TYPE.get(mimeType.toLowerCase()) ?? 'bin';
}

/**
 * The test ID made safe as part of a file name: characters other than letters, digits, `.`, `_` and `-`
 * become `_`, leading dots are dropped (no hidden files, no `..`), at most 100 characters; `test` if nothing
 * is left.
 */
export function fileNamePart(testId: string): string {
	const safe = testId
		.replace(/[^A-Za-z0-9._-]/g, '_')
		.replace(/^\.+/, '')
		.slice(0, 100);
	return safe || 'test';
}

/** `<TestID>-score-report.<ext>` */
export function reportFileName(testId: string, mimeType: string): string {
	return `${fileNamePart(testId)}-score-report.${extensionOf(mimeType)}`;
}

/** `10485760` -> `10 MB`, `1536` -> `0.0015 MB`: the limit as the user set it. */
export function formatMb(bytes: number): string {
	return `${Number((bytes / BYTES_PER_MB).toPrecision(4))} MB`;
}

// ---------------------------------------------------------------------------------------------------------
// The download

interface FullResponse {
	body: unknown;
	headers: Record<string, unknown>;
	statusCode: number;
}

/** The part of a Node readable stream this module uses (no import of `stream` in node code). */
interface ByteStream {
	on(event: string, listener: (...args: unknown[]) => void): unknown;
	destroy(error?: Error): unknown;
	destroyed?: boolean;
}

type Fetched =
	| { ok: true; bytes: Buffer; mimeType: string }
	| { ok: false; error: string; status?: number }
	| 'timeout';

/**
 * Fetches the report of one delivery and stores it with n8n's binary helper. Never throws: every problem is
 * an outcome with a message (what failed, with the HTTP status if there was one), so the caller can emit the
 * result without the file. Requests go through n8n's `httpRequest` (proxy settings and, on n8n 2, the
 * instance's SSRF protection apply as to any node), one hop at a time so every redirect target is checked.
 */
export async function downloadScoreReport(
	helpers: ScoreReportHelpers,
	report: { testId: string; url: string | null },
	settings: ScoreReportSettings,
): Promise<ScoreReportOutcome> {
	const hosts = parseAllowedHosts(settings.allowedHosts);
	if (!hosts.ok) return { ok: false, error: failure(hosts.error) };
	const target = checkReportUrl(report.url, hosts.rules);
	if (!target.ok) return { ok: false, error: failure(target.error) };

	const controller = new AbortController();
	const deadline = Date.now() + settings.timeoutMs;
	// n8n's `sleep` is the timer community nodes may use; it cannot be cancelled, so when the download ends
	// first it just resolves later, unobserved.
	const timedOut = sleep(settings.timeoutMs).then(() => 'timeout' as const);
	let fetched: Fetched;
	try {
		fetched = await Promise.race([
			fetchReport(helpers, target.url, hosts.rules, settings.maxBytes, deadline, controller.signal),
			timedOut,
		]);
	} finally {
		// Ends the request, its socket and any body still streaming (a timeout, a body over the cap).
		controller.abort();
	}
	if (fetched === 'timeout') {
		return {
			ok: false,
			error: failure(`no complete answer within ${settings.timeoutMs / 1000} s (timeout)`),
		};
	}
	if (!fetched.ok) {
		return { ok: false, error: failure(fetched.error), status: fetched.status };
	}

	try {
		const binary = await helpers.prepareBinaryData(
			fetched.bytes,
			reportFileName(report.testId, fetched.mimeType),
			fetched.mimeType,
		);
		return { ok: true, binary };
	} catch (error) {
		return { ok: false, error: failure(`n8n could not store the file (${shortMessage(error)})`) };
	}
}

/** Follows redirects by hand, checking each target; returns the body of the first 2xx answer. */
async function fetchReport(
	helpers: ScoreReportHelpers,
	first: URL,
	rules: HostRule[],
	maxBytes: number,
	deadline: number,
	signal: AbortSignal,
): Promise<Fetched> {
	let url = first;
	for (let hop = 0; ; hop++) {
		// The deadline passed while a redirect was read: no further request.
		if (signal.aborted) return { ok: false, error: 'the download was stopped (timeout)' };
		let response: FullResponse;
		try {
			response = (await helpers.httpRequest({
				method: 'GET',
				url: url.href,
				headers: { Accept: SCORE_REPORT_ACCEPT },
				encoding: 'stream',
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				disableFollowRedirect: true,
				timeout: Math.max(1, deadline - Date.now()),
				abortSignal: signal,
			})) as FullResponse;
		} catch (error) {
			return requestError(error, signal);
		}
		// With returnFullResponse n8n always gives a status; without one nothing here can be trusted as a report.
		const status = (response as FullResponse | undefined)?.statusCode;
		if (typeof status !== 'number') {
			discard(response?.body);
			return { ok: false, error: "n8n's HTTP client gave no HTTP status" };
		}
		const headers = response.headers ?? {};
		if (status >= 300 && status < 400) {
			discard(response.body);
			const location = headerText(headers.location);
			if (!location) {
				return { ok: false, error: `HTTP ${status} without a Location header`, status };
			}
			if (hop >= MAX_SCORE_REPORT_REDIRECTS) {
				return {
					ok: false,
					error: `more than ${MAX_SCORE_REPORT_REDIRECTS} redirects (last HTTP ${status})`,
					status,
				};
			}
			let next: string;
			try {
				next = new URL(location, url).href;
			} catch {
				return { ok: false, error: `HTTP ${status} with an unreadable Location header`, status };
			}
			const checked = checkReportUrl(next, rules, 'the redirect target');
			if (!checked.ok) return { ok: false, error: `HTTP ${status}: ${checked.error}`, status };
			url = checked.url;
			continue;
		}
		if (status < 200 || status >= 300) {
			discard(response.body);
			return { ok: false, error: `the server answered HTTP ${status}`, status };
		}

		const declared = Number(headerText(headers['content-length']));
		if (Number.isFinite(declared) && declared > maxBytes) {
			discard(response.body);
			return {
				ok: false,
				error: `the report is larger than the ${formatMb(maxBytes)} limit (Content-Length ${declared} bytes)`,
				status,
			};
		}
		const body = await readCapped(response.body, maxBytes, signal);
		if (body === 'tooLarge') {
			return {
				ok: false,
				error: `the report is larger than the ${formatMb(maxBytes)} limit (more than ${maxBytes} bytes received)`,
				status,
			};
		}
		if (!Buffer.isBuffer(body)) {
			return { ok: false, error: `the body could not be read (${body.error})`, status };
		}
		if (body.length === 0) {
			return { ok: false, error: `the server sent an empty body (HTTP ${status})`, status };
		}
		const mimeType = mimeTypeOf(headers['content-type']) ?? FALLBACK_MIME_TYPE;
		return { ok: true, bytes: body, mimeType };
	}
}

/**
 * Reads a body, counting bytes as they arrive, and stops (destroying the stream) as soon as it is over the
 * cap, so a report larger than the limit is never held in memory whole.
 */
async function readCapped(
	body: unknown,
	maxBytes: number,
	signal: AbortSignal,
): Promise<Buffer | 'tooLarge' | { error: string }> {
	if (Buffer.isBuffer(body) || typeof body === 'string') {
		const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
		return bytes.length > maxBytes ? 'tooLarge' : bytes;
	}
	if (body === null || body === undefined) return Buffer.alloc(0);
	if (!isByteStream(body)) return { error: 'not a byte stream' };
	return await new Promise((resolve) => {
		const chunks: Buffer[] = [];
		let received = 0;
		let settled = false;
		const settle = (value: Buffer | 'tooLarge' | { error: string }) => {
			if (settled) return;
			settled = true;
			signal.removeEventListener('abort', onAbort);
			resolve(value);
		};
		const onAbort = () => {
			body.destroy();
			settle({ error: 'aborted' });
		};
		if (signal.aborted) {
			onAbort();
			return;
		}
		signal.addEventListener('abort', onAbort);
		body.on('data', (chunk: unknown) => {
			if (settled) return;
			const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk), 'utf8');
			received += bytes.length;
			if (received > maxBytes) {
				body.destroy();
				settle('tooLarge');
				return;
			}
			chunks.push(bytes);
		});
		body.on('end', () => settle(Buffer.concat(chunks)));
		body.on('error', (error: unknown) => settle({ error: errorCode(error) ?? 'stream error' }));
		body.on('close', () => settle({ error: 'connection closed before the end of the body' }));
	});
}

function isByteStream(value: unknown): value is ByteStream {
	return (
		typeof value === 'object' &&
		value !== null &&
		typeof (value as ByteStream).on === 'function' &&
		typeof (value as ByteStream).destroy === 'function'
	);
}

/** A body we do not read is closed at once, so its socket is not left open. */
function discard(body: unknown): void {
	if (!isByteStream(body) || body.destroyed) return;
	// An abort that reaches the stream later emits 'error'; with no listener that would crash the process.
	body.on('error', ignoreLateError);
	body.destroy();
}

/** The outcome is already decided when this runs; the error only reports the teardown we asked for. */
function ignoreLateError(): void {}

/**
 * A request that failed before an answer: a timeout, or a network error named by its code (ECONNREFUSED,
 * ENOTFOUND, ...). The error's own message is not used: it can contain the URL, and the URL its token.
 */
function requestError(error: unknown, signal: AbortSignal): Fetched {
	const code = errorCode(error);
	// Our deadline aborts the request (signal), or n8n's own timeout fires first: the same failure.
	if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || signal.aborted) return 'timeout';
	const status = (error as { response?: { status?: unknown } } | null)?.response?.status;
	if (typeof status === 'number') {
		return { ok: false, error: `the server answered HTTP ${status}`, status };
	}
	return { ok: false, error: code ? `network error (${code})` : 'network error' };
}

function errorCode(error: unknown): string | undefined {
	const code = (error as { code?: unknown } | null)?.code;
	return typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code) ? code : undefined;
}

function headerText(value: unknown): string | undefined {
	const first = Array.isArray(value) ? value[0] : value;
	if (typeof first === 'string') return first.trim();
	if (typeof first === 'number') return String(first);
	return undefined;
}

function shortMessage(error: unknown): string {
	const message = error instanceof Error ? error.message : String(error);
	return message.slice(0, 200);
}

function failure(reason: string): string {
	return `Score report not downloaded: ${reason}`;
}

function quote(text: string): string {
	return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}...` : text);
}
