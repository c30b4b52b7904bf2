/* eslint-disable @n8n/community-nodes/no-restricted-imports -- development tooling, never published: n8n's rules for node code do not apply */
import type { IncomingMessage, ServerResponse } from 'http';

import { BodyTooLargeError, delay, errorBody, readRawBody, sendJson } from './http';
import { isAvailable, type TestRecord } from './inventory';
import {
	API_ERROR_CODES,
	FULFILLMENT_PATH,
	NO_AVAILABLE_TEST_IDS_STATUS,
	PRODUCT_CODE_PREFIXES,
	SEQUENCE_REUSED_STATUS,
	SIGNATURE_CHECK_PATH,
	type FulfillmentKind,
} from './itepDocument';
import {
	checkFulfillmentBody,
	fulfillmentKindOf,
	parseCompactJson,
	type FulfillmentRequestBody,
} from './requestBody';
import { verifyHmacSha256 } from './signature';
import {
	logRequest,
	type FaultSpread,
	type OutboxEmail,
	type RequestLogEntry,
	type SandboxState,
} from './state';

export { parseCompactJson, whitespaceOutsideStrings } from './requestBody';

/** What an API handler decided, before it is written (or dropped by a knob). */
interface ApiOutcome {
	status: number;
	body: unknown;
	headers?: Record<string, string>;
	signatureVerified: boolean;
	apiKeyIndex: number | null;
	sequence: number | null;
	testId: string | null;
}

export const API_PATHS: readonly string[] = [FULFILLMENT_PATH, SIGNATURE_CHECK_PATH];

/**
 * Serves one API request: counts it in flight, applies the knobs, runs the handler over the raw bytes, logs
 * it. The in-flight counter covers the knob latency too, so concurrency is observable in /sandbox/stats.
 */
export async function handleApiRequest(
	state: SandboxState,
	req: IncomingMessage,
	res: ServerResponse,
	path: string,
): Promise<void> {
	const startedAt = Date.now();
	const stats = state.stats;
	stats.requests++;
	stats.inFlight++;
	stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
	let counted = true;
	const leaveFlight = () => {
		if (!counted) return;
		counted = false;
		// The stats object may have been replaced by a reset meanwhile; the live one is decremented.
		state.stats.inFlight = Math.max(0, state.stats.inFlight - 1);
	};
	res.once('close', leaveFlight);

	// A knob's fate is decided on arrival, so concurrent requests consume it in arrival order.
	const injection = takeInjection(state);
	const spike = takeLatencySpike(state);
	const signatureHeader = headerValue(req, state.config.signatureHeader);
	const reply = (raw: Buffer, outcome: ApiOutcome, disposition: Disposition) =>
		finish(
			state,
			req,
			res,
			path,
			raw,
			signatureHeader,
			outcome,
			disposition,
			startedAt,
			spike > 0,
			leaveFlight,
		);
	let raw: Buffer;
	try {
		raw = await readRawBody(req, state.config.maxBodyBytes);
	} catch (error) {
		const tooLarge = error instanceof BodyTooLargeError;
		const outcome = plainOutcome(
			tooLarge ? 413 : 400,
			API_ERROR_CODES.malformedBody,
			(error as Error).message,
		);
		reply(Buffer.alloc(0), outcome, 'answered');
		return;
	}
	if (state.knobs.latencyMs + spike > 0) await delay(state.knobs.latencyMs + spike);

	if (injection?.kind === 'fail') {
		stats.injectedFailures++;
		const code = injectedErrorCode(injection.status);
		const outcome = plainOutcome(
			injection.status,
			code,
			`Sandbox knob failNext: answering ${injection.status} before processing anything`,
		);
		if (injection.status === 429) outcome.headers = { 'Retry-After': '1' };
		outcome.sequence = readSequence(raw);
		reply(raw, outcome, 'injected-failure');
		return;
	}
	// dropNext and hangNext: before processing, nothing is checked or spent.
	if (injection && !injection.afterProvisioning) {
		const outcome = { ...plainOutcome(0, null, ''), sequence: readSequence(raw) };
		reply(raw, outcome, UNANSWERED[injection.kind]);
		return;
	}

	const outcome =
		path === FULFILLMENT_PATH
			? fulfill(state, raw, signatureHeader)
			: checkSignatureOnly(state, raw, signatureHeader);
	reply(raw, outcome, injection ? UNANSWERED[injection.kind] : 'answered');
}

type Disposition = 'answered' | 'injected-failure' | 'dropped' | 'hung';

const UNANSWERED = { drop: 'dropped', hang: 'hung' } as const;

function finish(
	state: SandboxState,
	req: IncomingMessage,
	res: ServerResponse,
	path: string,
	raw: Buffer,
	signatureHeader: string | undefined,
	outcome: ApiOutcome,
	disposition: Disposition,
	startedAt: number,
	latencySpike: boolean,
	leaveFlight: () => void,
): void {
	const answered = disposition === 'answered' || disposition === 'injected-failure';
	const entry: RequestLogEntry = {
		id: state.nextId.request++,
		time: new Date(startedAt).toISOString(),
		method: req.method ?? 'POST',
		path,
		status: answered ? outcome.status : null,
		outcome: disposition,
		errorCode: errorCodeOf(outcome.body),
		rawBody: raw.toString('utf8'),
		signatureHeader: signatureHeader ?? null,
		signatureVerified: outcome.signatureVerified,
		apiKeyIndex: outcome.apiKeyIndex,
		sequence: outcome.sequence,
		testId: outcome.testId,
		durationMs: Date.now() - startedAt,
		latencySpike,
	};
	logRequest(state, entry);
	if (disposition === 'hung') {
		state.stats.hung++;
		// No answer ever: the connection stays open (and in flight) until the client gives up or the sandbox
		// closes; then the entry gets the whole time it was held.
		res.once('close', () => {
			entry.durationMs = Date.now() - startedAt;
		});
		return;
	}
	leaveFlight();
	if (disposition === 'dropped') {
		state.stats.dropped++;
		// No status line, no body: the client sees the connection reset after it sent everything.
		req.socket.destroy();
		return;
	}
	state.stats.byStatus[String(outcome.status)] =
		(state.stats.byStatus[String(outcome.status)] ?? 0) + 1;
	sendJson(res, outcome.status, outcome.body, outcome.headers);
}

type Injection =
	{ kind: 'fail'; status: number } | { kind: 'drop' | 'hang'; afterProvisioning: boolean };

/**
 * Counts this request on every fault knob that is set and consumes one use of the first that is due, in the
 * order failNext, dropNext, hangNext. A knob that was due but came later skips its turn (no use consumed).
 */
function takeInjection(state: SandboxState): Injection | undefined {
	const { knobs } = state;
	const failDue = isDue(knobs.failNext);
	const dropDue = isDue(knobs.dropNext);
	const hangDue = isDue(knobs.hangNext);
	if (failDue && knobs.failNext) {
		const status = knobs.failNext.status;
		if (--knobs.failNext.count <= 0) knobs.failNext = null;
		return { kind: 'fail', status };
	}
	if (dropDue && knobs.dropNext) {
		const afterProvisioning = knobs.dropNext.afterProvisioning;
		if (--knobs.dropNext.count <= 0) knobs.dropNext = null;
		return { kind: 'drop', afterProvisioning };
	}
	if (hangDue && knobs.hangNext) {
		const afterProvisioning = knobs.hangNext.afterProvisioning;
		if (--knobs.hangNext.count <= 0) knobs.hangNext = null;
		return { kind: 'hang', afterProvisioning };
	}
	return undefined;
}

/** Counts one request on a fault knob; true on its `every`-th request since the last fault. */
function isDue(knob: FaultSpread | null): boolean {
	if (!knob || knob.count <= 0) return false;
	knob.seen = (knob.seen ?? 0) + 1;
	if (knob.seen < (knob.every ?? 1)) return false;
	knob.seen = 0;
	return true;
}

/** The extra delay of the latencySpikes knob for this request (0 when it is not a spike). */
function takeLatencySpike(state: SandboxState): number {
	const spikes = state.knobs.latencySpikes;
	if (!spikes) return 0;
	spikes.seen = (spikes.seen ?? 0) + 1;
	if (spikes.seen < spikes.every) return 0;
	spikes.seen = 0;
	state.stats.latencySpikes++;
	return spikes.ms;
}

function injectedErrorCode(status: number): string {
	const byStatus: Record<number, string> = {
		400: API_ERROR_CODES.malformedBody,
		401: API_ERROR_CODES.badSignature,
		404: API_ERROR_CODES.unknownProductCode,
		[SEQUENCE_REUSED_STATUS]: API_ERROR_CODES.sequenceReused,
		[NO_AVAILABLE_TEST_IDS_STATUS]: API_ERROR_CODES.noAvailableTestIds,
		429: API_ERROR_CODES.rateLimited,
	};
	return byStatus[status] ?? API_ERROR_CODES.serverError;
}

/** The fulfillment call: verify, parse strictly, validate, check the sequence, then provision. */
export function fulfill(
	state: SandboxState,
	raw: Buffer,
	signatureHeader: string | undefined,
): ApiOutcome {
	const signature = verifyRequestSignature(state, raw, signatureHeader);
	if (!signature.ok)
		return {
			...plainOutcome(401, API_ERROR_CODES.badSignature, signature.message),
			sequence: readSequence(raw),
		};
	const verified = { signatureVerified: true, apiKeyIndex: signature.apiKeyIndex };

	const parsed = parseCompactJson(raw);
	if (!parsed.ok)
		return { ...plainOutcome(400, API_ERROR_CODES.malformedBody, parsed.message), ...verified };

	const validation = checkFulfillmentBody(parsed.value);
	const sequence = readSequence(raw);
	if (!validation.ok) {
		const message = `The request body is not valid: ${validation.issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ')}`;
		return {
			...plainOutcome(400, API_ERROR_CODES.malformedBody, message, { issues: validation.issues }),
			...verified,
			sequence,
		};
	}
	const body = validation.body;

	// Every correctly signed, well-formed request spends its sequence, whatever happens next, so a replayed
	// request can never provision anything (not even after more test IDs arrive).
	const spent = spentSequences(state, signature.apiKeyIndex);
	if (spent.has(body.sequence)) {
		return {
			...plainOutcome(
				SEQUENCE_REUSED_STATUS,
				API_ERROR_CODES.sequenceReused,
				`Sequence ${body.sequence} was already used with this API key; every request needs a new, unused sequence`,
			),
			...verified,
			sequence: body.sequence,
		};
	}
	spent.add(body.sequence);

	const productCode = body['product-code'];
	const product = resolveProductCode(state, productCode);
	if (!product.ok)
		return {
			...plainOutcome(404, API_ERROR_CODES.unknownProductCode, product.message),
			...verified,
			sequence: body.sequence,
		};

	const test = state.tests.find(
		(candidate) => candidate.testType === product.testType && isAvailable(candidate),
	);
	if (!test) {
		return {
			...plainOutcome(
				NO_AVAILABLE_TEST_IDS_STATUS,
				API_ERROR_CODES.noAvailableTestIds,
				`No available test IDs for ${product.testType}: no test ID of this type is Ready with an empty assigned-to field. Buy more test IDs or free assigned ones in the iTEP administration system.`,
			),
			...verified,
			sequence: body.sequence,
		};
	}

	provision(state, test, body, product.kind);
	const responseBody: Record<string, unknown> = {
		'test-id': test.testId,
		'product-code': productCode,
		sequence: body.sequence,
		status: test.status,
		'assigned-to': test.assignedTo,
	};
	if (product.kind === 'stx') responseBody['emailed-to'] = test.emailedTo;
	return {
		status: 200,
		body: responseBody,
		...verified,
		sequence: body.sequence,
		testId: test.testId,
	};
}

/** The sandbox's signed no-op: same signature check, nothing spent, no sequence needed. */
function checkSignatureOnly(
	state: SandboxState,
	raw: Buffer,
	signatureHeader: string | undefined,
): ApiOutcome {
	const signature = verifyRequestSignature(state, raw, signatureHeader);
	if (!signature.ok) return plainOutcome(401, API_ERROR_CODES.badSignature, signature.message);
	return {
		status: 200,
		body: { ok: true },
		signatureVerified: true,
		apiKeyIndex: signature.apiKeyIndex,
		sequence: null,
		testId: null,
	};
}

function provision(
	state: SandboxState,
	test: TestRecord,
	body: FulfillmentRequestBody,
	kind: FulfillmentKind,
): void {
	// As the document says: "A test ID is considered available to use if its status is Ready and the
	// assigned-to field is not populated." The request's assigned-to is stored as sent; without one (or with
	// an empty one) the test ID is returned but stays available, so the next request gets it again.
	const assignedTo = body['assigned-to'];
	test.assignedTo = assignedTo && Object.keys(assignedTo).length > 0 ? assignedTo : null;
	test.registration = body.registration ?? null;
	test.track = body.track ?? null;
	test.productCode = body['product-code'];
	test.fulfilledVia = kind;
	test.sequence = body.sequence;
	test.provisionedAt = new Date().toISOString();
	if (kind === 'stx' && body.email) {
		test.emailedTo = body.email;
		state.outbox.push(candidateEmail(state, test, body.email, body.bcc ?? null));
	}
	state.stats.provisioned++;
}

function candidateEmail(
	state: SandboxState,
	test: TestRecord,
	to: string,
	bcc: string | null,
): OutboxEmail {
	const productCode = test.productCode ?? '';
	return {
		id: state.nextId.email++,
		at: new Date().toISOString(),
		to,
		bcc,
		archiveCopy: true,
		testId: test.testId,
		productCode,
		testType: test.testType,
		subject: `Your iTEP ${test.testType} test ID: ${test.testId}`,
		text: [
			'Hello,',
			'',
			`You have been given an iTEP ${test.testType} test.`,
			`Your test ID is ${test.testId}.`,
			`Start your test at ${state.config.testSiteUrl} and enter the test ID when asked.`,
			'Use a computer with a microphone and headphones, and set aside enough time to finish in one sitting.',
			'',
			`(Sent by the iTEP sandbox for product code ${productCode}; no real e-mail was sent.)`,
		].join('\n'),
	};
}

type SignatureCheck = { ok: true; apiKeyIndex: number } | { ok: false; message: string };

export function verifyRequestSignature(
	state: SandboxState,
	raw: Buffer,
	signatureHeader: string | undefined,
): SignatureCheck {
	const { signatureHeader: headerName, signatureEncoding, apiKeys } = state.config;
	if (signatureHeader === undefined || !signatureHeader.trim()) {
		return {
			ok: false,
			message: `Missing ${headerName} header: sign the exact request body with HMAC-SHA256 and your API key`,
		};
	}
	const apiKeyIndex = apiKeys.findIndex((key) =>
		verifyHmacSha256(raw, key, signatureHeader, signatureEncoding),
	);
	if (apiKeyIndex >= 0) return { ok: true, apiKeyIndex };
	return {
		ok: false,
		message: `The ${headerName} header is not a valid signature of the request body: expected the ${signatureEncoding} HMAC-SHA256 of the exact bytes sent, keyed with your API key`,
	};
}

type ProductLookup =
	{ ok: true; kind: FulfillmentKind; testType: string } | { ok: false; message: string };

function resolveProductCode(state: SandboxState, productCode: string): ProductLookup {
	const kind = fulfillmentKindOf(productCode);
	const known = state.config.testTypes.join(', ');
	if (!kind) {
		return {
			ok: false,
			message: `Unknown product code ${productCode}: API product codes start with ${PRODUCT_CODE_PREFIXES.gtx} or ${PRODUCT_CODE_PREFIXES.stx} (case-sensitive)`,
		};
	}
	const testType = productCode.slice(PRODUCT_CODE_PREFIXES[kind].length);
	if (!state.config.testTypes.includes(testType)) {
		return {
			ok: false,
			message: `Unknown product code ${productCode}: this account has no test type "${testType}" (known: ${known})`,
		};
	}
	return { ok: true, kind, testType };
}

function spentSequences(state: SandboxState, apiKeyIndex: number): Set<number> {
	let spent = state.sequencesByKey.get(apiKeyIndex);
	if (!spent) state.sequencesByKey.set(apiKeyIndex, (spent = new Set()));
	return spent;
}

/** The body's sequence for the log, when the body is JSON with a numeric sequence (even if rejected). */
function readSequence(raw: Buffer): number | null {
	try {
		const value = JSON.parse(raw.toString('utf8')) as { sequence?: unknown };
		return typeof value?.sequence === 'number' ? value.sequence : null;
	} catch {
		return null;
	}
}

function plainOutcome(
	status: number,
	code: string | null,
	message: string,
	extra: Record<string, unknown> = {},
): ApiOutcome {
	return {
		status,
		body: code ? errorBody(code, message, extra) : null,
		signatureVerified: false,
		apiKeyIndex: null,
		sequence: null,
		testId: null,
	};
}

function errorCodeOf(body: unknown): string | null {
	const code = (body as { error?: { code?: unknown } } | null)?.error?.code;
	return typeof code === 'string' ? code : null;
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
	const value = req.headers[name.toLowerCase()];
	return Array.isArray(value) ? value.join(', ') : value;
}
