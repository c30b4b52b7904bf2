import type {
	IAuthenticate,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

import {
	computeSignature,
	serializeBody,
	SIGNATURE_ENCODING_OPTIONS,
	SIGNATURE_ENCODINGS,
	type SignatureEncoding,
} from '../nodes/shared/signing';
import {
	DEFAULT_BASE_URL,
	DEFAULT_SIGNATURE_HEADER,
	SIGNATURE_CHECK_PATH,
} from '../nodes/shared/protocol';

export interface ItepApiCredential {
	apiKey: string;
	baseUrl: string;
	signatureHeader: string;
	signatureEncoding: SignatureEncoding;
}

/** Reads the decrypted credential into typed, trimmed settings (one place for defaults). */
export function readItepApiCredential(credentials: ICredentialDataDecryptedObject): ItepApiCredential {
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
	const payload =
		typeof body === 'string' ? body : serializeBody((body ?? {}) as object);
	const replaced = new Set([settings.signatureHeader.toLowerCase(), 'content-type']);
	const headers = Object.fromEntries(
		Object.entries(requestOptions.headers ?? {}).filter(([name]) => !replaced.has(name.toLowerCase())),
	);
	headers['Content-Type'] = 'application/json';
	headers[settings.signatureHeader] = computeSignature(payload, settings.apiKey, settings.signatureEncoding);
	// Relative URLs (the node's) go to the credential's base URL; absolute ones are left alone.
	const absolute = /^[a-z][a-z\d+.-]*:\/\//i.test(requestOptions.url ?? '');
	return {
		...requestOptions,
		baseURL: requestOptions.baseURL ?? (absolute ? undefined : settings.baseUrl),
		headers,
		body: payload,
	};
}

export class ItepApi implements ICredentialType {
	name = 'itepApi';

	displayName = 'iTEP API';

	icon = { light: 'file:../icons/itep.svg', dark: 'file:../icons/itep.dark.svg' } as const;

	documentationUrl = 'https://github.com/n8n-nodes-itep/n8n-nodes-itep#credential-itep-api';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'The key generated on the PRODUCT CODES screen of the iTEP administration system. It signs every request and is never sent itself.',
		},
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: DEFAULT_BASE_URL,
			required: true,
			description:
				'Where fulfillment requests go. The default is the local iTEP sandbox that ships with this package; use the URL iTEP gives you for production.',
		},
		{
			displayName: 'Signature Header Name',
			name: 'signatureHeader',
			type: 'string',
			default: DEFAULT_SIGNATURE_HEADER,
			required: true,
			description:
				'The HTTP header that carries the HMAC-SHA256 signature. iTEP gives you its name with the API key; the default is the sandbox\'s.',
		},
		{
			displayName: 'Signature Encoding',
			name: 'signatureEncoding',
			type: 'options',
			options: SIGNATURE_ENCODING_OPTIONS,
			default: 'hex',
			description: 'How the signature bytes are written into the header',
		},
	];

	authenticate: IAuthenticate = async (credentials, requestOptions) =>
		signRequest(readItepApiCredential(credentials), requestOptions);

	// A signed no-op that spends no test ID. The sandbox implements it; iTEP documents no such call, so against
	// the real API this test cannot succeed: use the node's Dry Run option to compare signatures instead.
	test: ICredentialTestRequest = {
		request: {
			method: 'POST',
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: SIGNATURE_CHECK_PATH,
			body: { check: 'signature' },
		},
	};
}
