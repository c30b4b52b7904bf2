import type { ICredentialType, INodeProperties } from 'n8n-workflow';

import {
	DEFAULT_TIMESTAMP_TOLERANCE_SECONDS,
	DEFAULT_WEBHOOK_SIGNATURE_HEADER,
	DEFAULT_WEBHOOK_TIMESTAMP_HEADER,
} from '../nodes/ItepTrigger/webhookAuth';
import { SIGNATURE_ENCODING_OPTIONS } from '../nodes/shared/signing';

// Checked by the iTEP Trigger's credential test (testedBy): the secrets are only ever used to verify.
export class ItepWebhookSignatureApi implements ICredentialType {
	name = 'itepWebhookSignatureApi';

	displayName = 'iTEP Webhook Signature API';

	icon = { light: 'file:../icons/itep.svg', dark: 'file:../icons/itep.dark.svg' } as const;

	documentationUrl = 'https://github.com/n8n-nodes-itep/n8n-nodes-itep#itep-trigger';

	properties: INodeProperties[] = [
		{
			displayName: 'Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The shared secret the HMAC-SHA256 signature of each delivery is computed with',
		},
		{
			displayName: 'Second Secret',
			name: 'secondSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Optional. While a secret is being changed, put the new one here: deliveries signed with either secret are accepted, so nothing is lost during the switch.',
		},
		{
			displayName: 'Signature Header Name',
			name: 'signatureHeader',
			type: 'string',
			default: DEFAULT_WEBHOOK_SIGNATURE_HEADER,
			required: true,
			description:
				'The header that carries the signature. It may hold several signatures separated by spaces or commas, each optionally prefixed "sha256=".',
		},
		{
			displayName: 'Signature Encoding',
			name: 'encoding',
			type: 'options',
			options: SIGNATURE_ENCODING_OPTIONS,
			default: 'hex',
			description: 'How the signature bytes are written into the header',
		},
		{
			displayName: 'Signed Timestamp',
			name: 'signedTimestamp',
			type: 'boolean',
			default: false,
			description:
				'Whether each delivery carries a Unix timestamp header that is part of the signed input ("<timestamp>.<raw body>"). Old or replayed deliveries are then refused.',
		},
		{
			displayName: 'Timestamp Header Name',
			name: 'timestampHeader',
			type: 'string',
			default: DEFAULT_WEBHOOK_TIMESTAMP_HEADER,
			displayOptions: { show: { signedTimestamp: [true] } },
			description: 'The header that carries the time of sending, in seconds since 1970-01-01 UTC',
		},
		{
			displayName: 'Tolerance (Seconds)',
			name: 'toleranceSeconds',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: DEFAULT_TIMESTAMP_TOLERANCE_SECONDS,
			displayOptions: { show: { signedTimestamp: [true] } },
			description:
				"How far the timestamp may be from this server's clock, in either direction, before a delivery is refused",
		},
	];
}
