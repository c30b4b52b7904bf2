import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

import { DEFAULT_BASE_URL, DEFAULT_SIGNATURE_HEADER } from '../../shared/protocol';
import {
	computeSignature,
	serializeBody,
	SIGNATURE_ENCODINGS,
	type SignatureEncoding,
} from '../../shared/signing';

export interface ItepApiCredential {
	apiKey: string;
	baseUrl: string;
	signatureHeader: string;
	signatureEncoding: SignatureEncoding;
}

/** Reads the decrypted credential into typed, trimmed settings (one place for defaults). */
export function readItepApiCredential(
	credentials: ICredentialDataDecryptedObject,
): ItepApiCredential {
	const encoding = String(credentials.signatureEncoding ?? 'hex') as SignatureEncoding;
	return {
		apiKey: String(credentials.apiKey ?? ''),
		baseUrl: String(credentials.baseUrl || DEFAULT_BASE_URL).replace(/\/+$/, ''),
		signatureHeader: String(credentials.signatureHeader || DEFAULT_SIGNATURE_HEADER).trim(),
		signatureEncoding: SIGNATURE_ENCODINGS.includes(encoding) ? encoding : 'hex',
	};
}

/**
 * Signs a request the way iTEP expects: the body is serialised once as compact JSON, the HMAC-SHA256 of those
 * exact bytes goes into the signature header, and that same string is what is sent. Safe to run twice on one
 * request (n8n calls it again after a 401): a string body is signed as it is, and headers are replaced.
 */
export function signRequest(
	settings: ItepApiCredential,
	requestOptions: IHttpRequestOptions,
): IHttpRequestOptions {
	const { body } = requestOptions;
	const payload = typeof body === 'string' ? body : serializeBody((body ?? {}) as object);
	const replaced = new Set([settings.signatureHeader.toLowerCase(), 'content-type']);
	const headers = Object.fromEntries(
		Object.entries(requestOptions.headers ?? {}).filter(
			([name]) => !replaced.has(name.toLowerCase()),
		),
	);
	headers['Content-Type'] = 'application/json';
	headers[settings.signatureHeader] = computeSignature(
		payload,
		settings.apiKey,
		settings.signatureEncoding,
	);
	// Relative URLs (the node's) go to the credential's base URL; absolute ones are left alone.
	const absolute = /^[a-z][a-z\d+.-]*:\/\//i.test(requestOptions.url ?? '');
	return {
		...requestOptions,
		baseURL: requestOptions.baseURL ?? (absolute ? undefined : settings.baseUrl),
		headers,
		body: payload,
	};
}
