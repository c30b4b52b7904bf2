import { signRequest } from '../credentials/ItepApi.credentials';
import { nextSequence } from '../nodes/shared/sequence';
import { DEFAULT_SIGNATURE_HEADER, FULFILLMENT_PATH } from '../nodes/shared/protocol';
import type { SignatureEncoding } from '../nodes/shared/signing';
import { DEFAULT_SANDBOX_API_KEY } from './config';

/**
 * A small client for the sandbox (tests, e2e, bench, scripts). API calls are signed by the credential's own
 * signRequest, so they are byte-for-byte what the node would send.
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

export interface ApiAnswer<Body = any> {
	status: number;
	body: Body;
	headers: Headers;
}

export async function callApi<Body = any>(
	baseUrl: string,
	path: string,
	body: object | string,
	options: ApiCallOptions = {},
): Promise<ApiAnswer<Body>> {
	const signatureHeader = options.signatureHeader ?? DEFAULT_SIGNATURE_HEADER;
	const signed = signRequest(
		{
			apiKey: options.apiKey ?? DEFAULT_SANDBOX_API_KEY,
			baseUrl,
			signatureHeader,
			signatureEncoding: options.encoding ?? 'hex',
		},
		{ url: path, method: 'POST', body: options.rawBody ?? body },
	);
	const headers = { ...(signed.headers as Record<string, string>) };
	if (options.signature === null) delete headers[signatureHeader];
	else if (options.signature !== undefined) headers[signatureHeader] = options.signature;
	const response = await fetch(`${baseUrl}${path}`, { method: 'POST', headers, body: signed.body as string });
	return { status: response.status, body: await readBody(response), headers: response.headers };
}

/** A fulfillment request with a fresh sequence unless the body brings one. */
export function fulfillment(baseUrl: string, body: Record<string, unknown>, options: ApiCallOptions = {}): Promise<ApiAnswer> {
	return callApi(baseUrl, FULFILLMENT_PATH, { ...body, sequence: body.sequence ?? nextSequence() }, options);
}

export async function adminGet<Body = any>(baseUrl: string, path: string): Promise<ApiAnswer<Body>> {
	const response = await fetch(`${baseUrl}${path}`);
	return { status: response.status, body: await readBody(response), headers: response.headers };
}

export async function adminPost<Body = any>(baseUrl: string, path: string, body: unknown = {}, method = 'POST'): Promise<ApiAnswer<Body>> {
	const response = await fetch(`${baseUrl}${path}`, {
		method,
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify(body),
	});
	return { status: response.status, body: await readBody(response), headers: response.headers };
}

async function readBody(response: Response): Promise<any> {
	const text = await response.text();
	if (!(response.headers.get('content-type') ?? '').includes('json')) return text;
	try {
		return JSON.parse(text);
	} catch {
		return text;
	}
}
