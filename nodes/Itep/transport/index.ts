import type { IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { readItepApiCredential, signRequest } from '../../../credentials/ItepApi.credentials';
import type { FulfillmentBody } from '../../shared/fulfillmentRequest';
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
		returnFullResponse: true,
	};
}

/** Sends one fulfillment request, signed by the iTEP API credential. Throws only when no answer came. */
export async function sendFulfillment(
	this: IExecuteFunctions,
	body: FulfillmentBody,
	timeoutMs: number,
): Promise<ApiResponse> {
	const response = (await this.helpers.httpRequestWithAuthentication.call(
		this,
		CREDENTIAL_TYPE,
		fulfillmentRequest(body, timeoutMs),
	)) as { statusCode: number; body: unknown };
	return { statusCode: response.statusCode, body: response.body };
}

/** What would be sent, signed exactly as the credential signs it, without sending anything. */
export async function describeSignedRequest(
	this: IExecuteFunctions,
	body: FulfillmentBody,
	itemIndex: number,
): Promise<{ method: string; url: string; headers: Record<string, string>; body: string }> {
	const settings = readItepApiCredential(await this.getCredentials(CREDENTIAL_TYPE, itemIndex));
	const signed = signRequest(settings, fulfillmentRequest(body, 0));
	return {
		method: signed.method ?? 'POST',
		url: `${signed.baseURL ?? ''}${signed.url}`,
		headers: signed.headers as Record<string, string>,
		body: signed.body as string,
	};
}
