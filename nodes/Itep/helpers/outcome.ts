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
	'Open the iTEP administration system and look for a test ID whose Assigned To holds this candidate before running again: iTEP may have assigned a test ID (and for STX e-mailed the candidate). This request is never re-sent automatically.';

/** The provisioned test ID from a response body, wherever the known field names put it. */
export function extractTestId(body: unknown): string | undefined {
	if (typeof body === 'string') {
		const text = body.trim();
		return /^[A-Za-z0-9-]+$/.test(text) ? text : undefined;
	}
	if (body && typeof body === 'object') {
		const record = body as Record<string, unknown>;
		for (const field of TEST_ID_RESPONSE_FIELDS) {
			const value = record[field];
			if (typeof value === 'string' && value) return value;
			if (typeof value === 'number') return String(value);
		}
	}
	return undefined;
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

	if (code === API_ERROR_CODES.noAvailableTestIds || statusCode === NO_AVAILABLE_TEST_IDS_STATUS || /no available/i.test(text)) {
		return rejected(
			`No available test IDs left for ${productCode}`,
			'Every test ID of this product is already used or assigned, so nothing was provisioned. Buy more test IDs (or free expired assignments) in the iTEP administration system, check the AVAILABLE TESTS panel, then run the workflow again.',
		);
	}
	if (code === API_ERROR_CODES.badSignature || statusCode === 401 || statusCode === 403) {
		return rejected(
			'iTEP rejected the API key or signature',
			'Nothing was provisioned. Check the credential: the API key from the PRODUCT CODES screen, the signature header name and the encoding iTEP gave you. Use the Dry Run option to compare the signature with iTEP\'s example.',
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
			description:
				'The connection failed before the request was sent, so nothing was provisioned and it is safe to run again. Check the API base URL in the credential and the network.',
		};
	}
	return {
		outcome: 'unknown',
		message: `Outcome unknown: the request was sent but no answer came back${code ? ` (${code})` : ''}`,
		description: `The connection was lost or timed out after the request left n8n. ${CHECK_BEFORE_RETRY}`,
	};
}

function readErrorBody(body: unknown): { code?: string; text: string } {
	if (typeof body === 'string') return { text: body.trim().slice(0, 300) };
	if (body && typeof body === 'object') {
		const record = body as Record<string, unknown>;
		const inner = (record.error && typeof record.error === 'object' ? record.error : record) as Record<string, unknown>;
		const text = [inner.message, record.message, typeof record.error === 'string' ? record.error : undefined].find(
			(value) => typeof value === 'string',
		) as string | undefined;
		return { code: typeof inner.code === 'string' ? inner.code : undefined, text: (text ?? '').slice(0, 300) };
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
