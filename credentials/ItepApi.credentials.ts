import type {
	IAuthenticate,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

import { readItepApiCredential, signRequest } from '../nodes/Itep/transport/signRequest';
import {
	DEFAULT_BASE_URL,
	DEFAULT_SIGNATURE_HEADER,
	SIGNATURE_CHECK_PATH,
} from '../nodes/shared/protocol';
import { SIGNATURE_ENCODING_OPTIONS } from '../nodes/shared/signing';

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
				"The HTTP header that carries the HMAC-SHA256 signature. iTEP gives you its name with the API key; the default is the sandbox's.",
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
