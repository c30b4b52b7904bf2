import { createHmac, timingSafeEqual } from 'crypto';

/** How the HMAC digest is written into the header. iTEP's documents do not say; hex is our default. */
export type SignatureEncoding = 'hex' | 'base64';

export const SIGNATURE_ENCODINGS: readonly SignatureEncoding[] = ['hex', 'base64'];

/** The encodings as n8n option-list entries, for every credential that lets the user choose one. */
export const SIGNATURE_ENCODING_OPTIONS: Array<{ name: string; value: SignatureEncoding }> = [
	{ name: 'Hex (Lowercase)', value: 'hex' },
	{ name: 'Base64', value: 'base64' },
];

/**
 * The one serialisation used for every iTEP request body: compact JSON (iTEP rejects "pretty" JSON),
 * keys in the order they were built, non-ASCII characters kept as UTF-8 rather than \u escapes.
 */
export function serializeBody(body: object): string {
	return JSON.stringify(body);
}

/** HMAC-SHA256 of exactly these bytes (a string is taken as UTF-8), keyed with the API key. */
export function computeSignature(
	payload: string | Buffer,
	key: string,
	encoding: SignatureEncoding = 'hex',
): string {
	return createHmac('sha256', key).update(payload).digest(encoding);
}

/** Constant-time string comparison; unequal lengths fail without comparing contents. */
export function safeEqual(expected: string, actual: string): boolean {
	const a = Buffer.from(expected, 'utf8');
	const b = Buffer.from(actual, 'utf8');
	return a.length === b.length && timingSafeEqual(a, b);
}
