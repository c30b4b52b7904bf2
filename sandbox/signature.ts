import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The sandbox's own HMAC-SHA256, straight from node:crypto. iTEP documents "a HMAC-SHA256 digital signature"
 * of the request body in a header; the encoding of the digest is not documented, so the sandbox accepts the
 * one it is configured with: hex (case-insensitive on input) or base64.
 */
export type SignatureEncoding = 'hex' | 'base64';

export const SIGNATURE_ENCODINGS: readonly SignatureEncoding[] = ['hex', 'base64'];

/** HMAC-SHA256 of exactly these bytes (a string is taken as UTF-8), keyed with `key`. Hex is lower-case. */
export function hmacSha256(
	payload: string | Buffer,
	key: string,
	encoding: SignatureEncoding = 'hex',
): string {
	return createHmac('sha256', key).update(payload).digest(encoding);
}

/**
 * Whether `signature` is the HMAC-SHA256 of `payload` under `key`, compared in constant time. Surrounding
 * whitespace is ignored; hex is compared case-insensitively, base64 exactly.
 */
export function verifyHmacSha256(
	payload: string | Buffer,
	key: string,
	signature: string,
	encoding: SignatureEncoding = 'hex',
): boolean {
	const expected = Buffer.from(hmacSha256(payload, key, encoding), 'utf8');
	const trimmed = signature.trim();
	const actual = Buffer.from(encoding === 'hex' ? trimmed.toLowerCase() : trimmed, 'utf8');
	// timingSafeEqual needs equal lengths; a different length is a mismatch without comparing contents.
	return expected.length === actual.length && timingSafeEqual(expected, actual);
}
