import type { ICredentialsDecrypted, IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { readItepApiCredential, signRequest } from './signRequest';
import type { FulfillmentBody } from '../helpers/fulfillmentRequest';
import { FULFILLMENT_PATH } from '../../shared/protocol';
import type { ApiResponse } from '../helpers/outcome';

export const CREDENTIAL_TYPE = 'itepApi';

/** The unsigned request; the credential adds the base URL, serialises the body once and signs it. */
function fulfillmentRequest(body: FulfillmentBody, timeoutMs: number): IHttpRequestOptions {
	return {
		method: 'POST',
		url: FULFILLMENT_PATH,
		body,
		json: true,
		timeout: timeoutMs,
		// Every status comes back as a response so the node maps it; it also keeps n8n from re-sending the
		// request after a 401, which a fulfillment call must never be.
		ignoreHttpStatusErrors: true,
		// A redirect would make the HTTP client POST the same signed body again elsewhere: a re-send.
		disableFollowRedirect: true,
		returnFullResponse: true,
	};
}

/**
 * The iTEP API credential, read and decrypted once per run. Left to itself n8n reads it from its database and
 * decrypts it again for every request, which was the largest cost of a 1,000-item run. As with any value read
 * once, a credential field holding an item-dependent expression resolves for the first item.
 */
export async function loadCredential(this: IExecuteFunctions): Promise<ICredentialsDecrypted> {
	const data = await this.getCredentials(CREDENTIAL_TYPE, 0);
	const reference = this.getNode().credentials?.[CREDENTIAL_TYPE];
	return { id: reference?.id ?? '', name: reference?.name ?? '', type: CREDENTIAL_TYPE, data };
}

/** Sends one fulfillment request, signed by the iTEP API credential. Throws only when no answer came. */
export async function sendFulfillment(
	this: IExecuteFunctions,
	credential: ICredentialsDecrypted,
	body: FulfillmentBody,
	timeoutMs: number,
): Promise<ApiResponse> {
	const response = (await this.helpers.httpRequestWithAuthentication.call(
		this,
		CREDENTIAL_TYPE,
		fulfillmentRequest(body, timeoutMs),
		{ credentialsDecrypted: credential },
	)) as { statusCode: number; body: unknown };
	return { statusCode: response.statusCode, body: response.body };
}

/** What would be sent, signed exactly as the credential signs it, without sending anything. */
export function describeSignedRequest(
	credential: ICredentialsDecrypted,
	body: FulfillmentBody,
): { method: string; url: string; headers: Record<string, string>; body: string } {
	const signed = signRequest(
		readItepApiCredential(credential.data ?? {}),
		fulfillmentRequest(body, 0),
	);
	return {
		method: signed.method ?? 'POST',
		url: `${signed.baseURL ?? ''}${signed.url}`,
		headers: signed.headers as Record<string, string>,
		body: signed.body as string,
	};
}
