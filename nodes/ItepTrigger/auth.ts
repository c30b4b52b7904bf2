import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	INodeCredentialTestResult,
	IWebhookFunctions,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	readBasicAuthCredential,
	readHeaderAuthCredential,
	readSignatureCredential,
} from './credentialSettings';
import { checkWebhookAuthSettings, type WebhookAuthSettings } from './webhookAuth';
import type { AuthenticationMode } from './description';

type CredentialReader = (data: ICredentialDataDecryptedObject) => WebhookAuthSettings;

/** The credential type behind each Authentication choice (the node description repeats these names). */
export const CREDENTIAL_OF_MODE: Record<Exclude<AuthenticationMode, 'none'>, string> = {
	header: 'itepWebhookHeaderAuthApi',
	basic: 'itepWebhookBasicAuthApi',
	hmac: 'itepWebhookSignatureApi',
};

const READER_OF_CREDENTIAL: Record<string, CredentialReader> = {
	[CREDENTIAL_OF_MODE.header]: readHeaderAuthCredential,
	[CREDENTIAL_OF_MODE.basic]: readBasicAuthCredential,
	[CREDENTIAL_OF_MODE.hmac]: readSignatureCredential,
};

/** The verification settings for the node's Authentication choice, read from its credential. */
export async function loadAuthSettings(
	this: IWebhookFunctions,
	mode: AuthenticationMode,
): Promise<WebhookAuthSettings> {
	if (mode === 'none') return { mode: 'none' };
	const type = CREDENTIAL_OF_MODE[mode];
	if (type === undefined) {
		throw new NodeOperationError(this.getNode(), `Unknown authentication "${String(mode)}"`);
	}
	return READER_OF_CREDENTIAL[type](await this.getCredentials(type));
}

/**
 * Credential test for all three webhook credentials (wired through `testedBy`). Nothing can be sent to iTEP
 * to check them, so it checks what can be known locally: that the settings could ever accept a delivery.
 */
export async function testWebhookCredential(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const read = READER_OF_CREDENTIAL[credential.type];
	if (read === undefined) return { status: 'Error', message: 'Not an iTEP webhook credential' };
	const problems = checkWebhookAuthSettings(read(credential.data ?? {}));
	if (problems.length) return { status: 'Error', message: problems.join('; ') };
	return {
		status: 'OK',
		message:
			'The settings are well-formed. Whether they match what iTEP staff configured shows on the first real delivery.',
	};
}
