import {
	API_ERROR_CODES,
	NO_AVAILABLE_TEST_IDS_STATUS,
	SEQUENCE_REUSED_STATUS,
	TEST_ID_RESPONSE_FIELDS,
} from '../../shared/protocol';

/** What an ops person needs to know about a failed fulfillment request. */
export interface FailureReport {
	/** `rejected`: iTEP answered and provisioned nothing; `unknown`: sent, but no answer came back. */
	outcome: 'rejected' | 'unknown' | 'notSent';
	message: string;
	description: string;
	httpCode?: number;
	/** The network error code (ECONNRESET, ETIMEDOUT...) when no answer came. */
	errorCode?: string;
}

export interface ApiResponse {
	statusCode: number;
	body: unknown;
}

/** Network errors that happen before any request byte leaves the machine: nothing was provisioned. */
const NOT_SENT_CODES = new Set([
	'ECONNREFUSED',
	'ENOTFOUND',
	'EAI_AGAIN',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'ERR_INVALID_URL',
	'ERR_TLS_CERT_ALTNAME_INVALID',
	'CERT_HAS_EXPIRED',
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'SELF_SIGNED_CERT_IN_CHAIN',
]);

const CHECK_BEFORE_RETRY =
	"Open the iTEP administration system and look for a test ID whose Assigned To holds this candidate before running again (every request's Assigned To carries its sequence number): iTEP may have assigned a test ID (and for STX e-mailed the candidate). This request is never re-sent automatically.";

/**
 * The provisioned test ID from a 2xx answer: a JSON object with one of the known field names holding text
 * or a number. The answer's shape is our assumption, so anything else (plain text such as "OK", an error
 * object, a nested field) is not guessed at: the caller reports the outcome as unknown.
 */
export function extractTestId(body: unknown): string | undefined {
	const record = typeof body === 'string' ? parseJsonObjectText(body) : body;
	if (!record || typeof record !== 'object' || Array.isArray(record)) return undefined;
	for (const field of TEST_ID_RESPONSE_FIELDS) {
		if (!Object.prototype.hasOwnProperty.call(record, field)) continue;
		const value = (record as Record<string, unknown>)[field];
		if (typeof value === 'string' && value.trim()) return value.trim();
		if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	}
	return undefined;
}

function parseJsonObjectText(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		// Not JSON, so not an answer we can read a test ID from.
		return undefined;
	}
}

/** A 2xx answer without a test ID we can find: iTEP may have provisioned one, so the outcome is unknown. */
export function describeUnreadableSuccess(response: ApiResponse): FailureReport {
	const text = answerText(response.body);
	const said = text ? ` iTEP answered: ${text}` : ' The answer was empty.';
	return {
		outcome: 'unknown',
		message: `iTEP answered HTTP ${response.statusCode} without a test ID; the outcome is unknown`,
		description: `No test ID was found in the answer (expected a JSON object with "test-id"), so this item is not counted as provisioned.${said} ${CHECK_BEFORE_RETRY}`,
		httpCode: response.statusCode,
	};
}

/** Classifies a non-2xx answer from iTEP (or the sandbox) into a message an ops person can act on. */
export function describeApiFailure(response: ApiResponse, productCode: string): FailureReport {
	const { statusCode } = response;
	const { code, text } = readErrorBody(response.body);
	const detail = text ? ` iTEP said: "${text}".` : '';
	const rejected = (message: string, description: string): FailureReport => ({
		outcome: 'rejected',
		message,
		description: description + detail,
		httpCode: statusCode,
	});

	if (
		code === API_ERROR_CODES.noAvailableTestIds ||
		statusCode === NO_AVAILABLE_TEST_IDS_STATUS ||
		/no available/i.test(text)
	) {
		return rejected(
			`No available test IDs left for ${productCode}`,
			'Every test ID of this product is already used or assigned, so nothing was provisioned. Buy more test IDs (or free expired assignments) in the iTEP administration system, check the AVAILABLE TESTS panel, then run the workflow again.',
		);
	}
	if (code === API_ERROR_CODES.badSignature || statusCode === 401 || statusCode === 403) {
		return rejected(
			'iTEP rejected the API key or signature',
			"Nothing was provisioned. Check the credential: the API key from the PRODUCT CODES screen, the signature header name and the encoding iTEP gave you. Use the Dry Run option to compare the signature with iTEP's example.",
		);
	}
	if (code === API_ERROR_CODES.unknownProductCode || statusCode === 404) {
		return rejected(
			`iTEP does not know the product code "${productCode}"`,
			'Nothing was provisioned. Copy the exact code (case-sensitive) from the PRODUCT CODES screen of the iTEP administration system, and check the API base URL in the credential.',
		);
	}
	if (code === API_ERROR_CODES.sequenceReused || statusCode === SEQUENCE_REUSED_STATUS) {
		return rejected(
			'iTEP rejected the request as a replay: its sequence number was used before',
			'Nothing was provisioned. Leave Sequence empty so the node generates a fresh one, or give each request its own number.',
		);
	}
	if (code === API_ERROR_CODES.rateLimited || statusCode === 429) {
		return rejected(
			'iTEP is rate limiting requests',
			'Nothing was provisioned. Lower Max Concurrent Requests or spread the items over time, then run again.',
		);
	}
	if (statusCode >= 300 && statusCode < 400) {
		return rejected(
			`iTEP redirected the request (HTTP ${statusCode}); it was not followed`,
			'A redirect is never followed, because that would send the request a second time. Check the API Base URL in the credential (for example http:// instead of https://, or a missing path).',
		);
	}
	if (statusCode >= 500) {
		return {
			outcome: 'unknown',
			message: `iTEP answered with a server error (HTTP ${statusCode}); the outcome is unknown`,
			description: `The request reached iTEP but failed there. ${CHECK_BEFORE_RETRY}${detail}`,
			httpCode: statusCode,
		};
	}
	return rejected(
		`iTEP rejected the request (HTTP ${statusCode})`,
		'Nothing was provisioned. Check the fields of this item against the iTEP fulfillment documentation.',
	);
}

/** Classifies an error thrown while sending (no HTTP answer at all). */
export function describeTransportFailure(error: unknown): FailureReport {
	const code = findErrorCode(error);
	if (code && NOT_SENT_CODES.has(code)) {
		return {
			outcome: 'notSent',
			message: `Could not reach iTEP (${code}); nothing was sent`,
			errorCode: code,
			description:
				'The connection failed before the request was sent, so nothing was provisioned and it is safe to run again. Check the API base URL in the credential and the network.',
		};
	}
	return {
		outcome: 'unknown',
		message: `Outcome unknown: the request was sent but no answer came back${code ? ` (${code})` : ''}`,
		errorCode: code,
		description: `The connection was lost or timed out after the request left n8n. ${CHECK_BEFORE_RETRY}`,
	};
}

/** The answer as text for a message, at most 300 characters. */
function answerText(body: unknown): string {
	const text = typeof body === 'string' ? body.trim() : (JSON.stringify(body) ?? '');
	return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function readErrorBody(body: unknown): { code?: string; text: string } {
	if (typeof body === 'string') return { text: body.trim().slice(0, 300) };
	if (body && typeof body === 'object') {
		const record = body as Record<string, unknown>;
		const inner = (
			record.error && typeof record.error === 'object' ? record.error : record
		) as Record<string, unknown>;
		const text = [
			inner.message,
			record.message,
			typeof record.error === 'string' ? record.error : undefined,
		].find((value) => typeof value === 'string') as string | undefined;
		return {
			code: typeof inner.code === 'string' ? inner.code : undefined,
			text: (text ?? '').slice(0, 300),
		};
	}
	return { text: '' };
}

/** Walks an error and its causes for a Node/axios error code such as ECONNRESET. */
function findErrorCode(error: unknown): string | undefined {
	let current: unknown = error;
	for (let depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
		const { code, cause } = current as { code?: unknown; cause?: unknown };
		if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return code;
		current = cause;
	}
	return undefined;
}
