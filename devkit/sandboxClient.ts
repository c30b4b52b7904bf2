import { DEFAULT_SANDBOX_API_KEY } from '../sandbox/config';
import { DEFAULT_SIGNATURE_HEADER, FULFILLMENT_PATH } from '../sandbox/itepDocument';
import { hmacSha256, type SignatureEncoding } from '../sandbox/signature';

/**
 * A small client for the sandbox (tests, e2e, bench, scripts). It signs with the sandbox's own HMAC code
 * and numbers requests with its own sequence source; nothing here comes from the pack, so a test that uses
 * this client against the sandbox checks the sandbox, not the pack agreeing with itself.
 */
export interface ApiCallOptions {
	apiKey?: string;
	signatureHeader?: string;
	encoding?: SignatureEncoding;
	/** Send these bytes instead of the serialised body, still signed (unless `signature` is given). */
	rawBody?: string;
	/** Override the signature header's value; null leaves the header out. */
	signature?: string | null;
}

let lastSequence = 0;

/**
 * A fresh sequence for this process: microseconds since the epoch (from Date.now() * 1000), and always at
 * least one more than the last, so numbers strictly increase even within one millisecond.
 */
export function nextClientSequence(): number {
	lastSequence = Math.max(lastSequence + 1, Date.now() * 1000);
	return lastSequence;
}

/**
 * JSON parsed from the sandbox's answers. Tests read its fields freely and assert on them, so it is left untyped
 * on purpose, in this one place.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ParsedJson = any;

export interface ApiAnswer<Body = ParsedJson> {
	status: number;
	body: Body;
	headers: Headers;
}

export async function callApi<Body = ParsedJson>(
	baseUrl: string,
	path: string,
	body: object | string,
	options: ApiCallOptions = {},
): Promise<ApiAnswer<Body>> {
	const signatureHeader = options.signatureHeader ?? DEFAULT_SIGNATURE_HEADER;
	// Compact JSON, as iTEP asks; a string body (or rawBody) is sent exactly as given.
	const payload = options.rawBody ?? (typeof body === 'string' ? body : JSON.stringify(body));
	const headers: Record<string, string> = { 'Content-Type': 'application/json' };
	if (options.signature === undefined) {
		headers[signatureHeader] = hmacSha256(
			payload,
			options.apiKey ?? DEFAULT_SANDBOX_API_KEY,
			options.encoding ?? 'hex',
		);
	} else if (options.signature !== null) {
		headers[signatureHeader] = options.signature;
	}
	const response = await fetch(`${baseUrl}${path}`, { method: 'POST', headers, body: payload });
	return { status: response.status, body: await readBody(response), headers: response.headers };
}

/** A fulfillment request with a fresh sequence unless the body brings one. */
export function fulfillment(
	baseUrl: string,
	body: Record<string, unknown>,
	options: ApiCallOptions = {},
): Promise<ApiAnswer> {
	return callApi(
		baseUrl,
		FULFILLMENT_PATH,
		{ ...body, sequence: body.sequence ?? nextClientSequence() },
		options,
	);
}

export async function adminGet<Body = ParsedJson>(
	baseUrl: string,
	path: string,
): Promise<ApiAnswer<Body>> {
	const response = await fetch(`${baseUrl}${path}`);
	return { status: response.status, body: await readBody(response), headers: response.headers };
}

export async function adminPost<Body = ParsedJson>(
	baseUrl: string,
	path: string,
	body: unknown = {},
	method = 'POST',
): Promise<ApiAnswer<Body>> {
	const response = await fetch(`${baseUrl}${path}`, {
		method,
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify(body),
	});
	return { status: response.status, body: await readBody(response), headers: response.headers };
}

async function readBody(response: Response): Promise<ParsedJson> {
	const text = await response.text();
	if (!(response.headers.get('content-type') ?? '').includes('json')) return text;
	try {
		return JSON.parse(text);
	} catch {
		return text;
	}
}
