import type { ICredentialType, INodeProperties } from 'n8n-workflow';

// Checked by the iTEP Trigger's credential test (testedBy): the secret is only ever compared, never sent.
export class ItepWebhookBasicAuthApi implements ICredentialType {
	name = 'itepWebhookBasicAuthApi';

	displayName = 'iTEP Webhook Basic Auth API';

	icon = { light: 'file:../icons/itep.svg', dark: 'file:../icons/itep.dark.svg' } as const;

	documentationUrl = 'https://github.com/n8n-nodes-itep/n8n-nodes-itep#itep-trigger';

	properties: INodeProperties[] = [
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: '',
			required: true,
			description: 'The user name iTEP sends in the Authorization header',
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'The password iTEP sends with that user. Deliveries with other credentials get 401.',
		},
	];
}
