import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { SIGNATURE_ENCODINGS, type SignatureEncoding } from '../shared/signing';
import {
	DEFAULT_TIMESTAMP_TOLERANCE_SECONDS,
	DEFAULT_WEBHOOK_SIGNATURE_HEADER,
	DEFAULT_WEBHOOK_TIMESTAMP_HEADER,
	type WebhookAuthSettings,
} from './webhookAuth';

/**
 * The verification settings behind each webhook credential (the credential classes only describe their
 * fields). One reader per credential type, keyed by its name.
 */

/** Authentication "Header": the delivery must carry this header with exactly this value. */
export function readHeaderAuthCredential(
	data: ICredentialDataDecryptedObject,
): WebhookAuthSettings {
	return {
		mode: 'header',
		headerName: String(data.headerName ?? '').trim(),
		value: String(data.headerSecret ?? ''),
	};
}

/** Authentication "Basic": the delivery must carry these HTTP Basic credentials. */
export function readBasicAuthCredential(data: ICredentialDataDecryptedObject): WebhookAuthSettings {
	return {
		mode: 'basic',
		user: String(data.user ?? ''),
		password: String(data.password ?? ''),
	};
}

/** Authentication "HMAC Signature": settings for `verifyWebhookRequest`. */
export function readSignatureCredential(data: ICredentialDataDecryptedObject): WebhookAuthSettings {
	const encoding = String(data.encoding ?? 'hex') as SignatureEncoding;
	const signedTimestamp = data.signedTimestamp === true;
	return {
		mode: 'hmac',
		headerName: String(data.signatureHeader || DEFAULT_WEBHOOK_SIGNATURE_HEADER).trim(),
		secrets: [String(data.secret ?? ''), String(data.secondSecret ?? '')].filter(Boolean),
		encoding: SIGNATURE_ENCODINGS.includes(encoding) ? encoding : 'hex',
		...(signedTimestamp && {
			timestampHeader: String(data.timestampHeader || DEFAULT_WEBHOOK_TIMESTAMP_HEADER).trim(),
			toleranceSeconds: Number(data.toleranceSeconds ?? DEFAULT_TIMESTAMP_TOLERANCE_SECONDS),
		}),
	};
}
