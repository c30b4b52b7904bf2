import type { ICredentialType, INodeProperties } from 'n8n-workflow';

// Checked by the iTEP Trigger's credential test (testedBy): the secret is only ever compared, never sent.
export class ItepWebhookHeaderAuthApi implements ICredentialType {
	name = 'itepWebhookHeaderAuthApi';

	displayName = 'iTEP Webhook Header Auth API';

	icon = { light: 'file:../icons/itep.svg', dark: 'file:../icons/itep.dark.svg' } as const;

	documentationUrl = 'https://github.com/n8n-nodes-itep/n8n-nodes-itep#itep-trigger';

	properties: INodeProperties[] = [
		{
			displayName: 'Header Name',
			name: 'headerName',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'X-Itep-Webhook-Token',
			description: 'The request header iTEP staff set up to carry the shared value',
		},
		{
			displayName: 'Header Value',
			name: 'headerSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The value iTEP sends in that header. Deliveries with any other value get 401.',
		},
	];
}
