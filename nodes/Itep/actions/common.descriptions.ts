import type { INodeProperties } from 'n8n-workflow';

import { REGISTRATION_FIELDS } from '../../shared/protocol';
import { MAX_EXPIRE_AFTER_DAYS } from '../helpers/expiry';

/**
 * Fields GTX and STX share (both calls take the same body: iTEP's fulfillment document). Each operation
 * file lists them and applies its displayOptions once.
 */

/**
 * What an AI agent's model is told the tool does, shown only when the node is used as a tool (n8n offers
 * every `usableAsTool` node as a second type, `<type>Tool`, and `@tool` is true only there). Because the node
 * has a `toolDescription` of its own, n8n adds none: without this, the model would get n8n's generated
 * "<action> in iTEP" ("Get a test ID in iTEP"), which says nothing about the test ID each call spends.
 */
export function toolDescriptionField(text: string): INodeProperties {
	return {
		displayName: 'Tool Description',
		name: 'toolDescription',
		type: 'string',
		typeOptions: { rows: 4 },
		default: text,
		description:
			'What the AI agent is told this tool does and when to call it. The default says what one call spends; edit it to fit your agent.',
		displayOptions: { show: { '@tool': [true] } },
	};
}

export const productCodeField: INodeProperties = {
	displayName: 'Product Code',
	name: 'productCode',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description:
		'The iTEP product code. GTX codes return a test ID to the workflow; STX codes also make iTEP e-mail it to the candidate. Codes are case-sensitive.',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a generic product code...',
			typeOptions: { searchListMethod: 'searchProductCodes', searchable: true },
		},
		{
			displayName: 'Code',
			name: 'code',
			type: 'string',
			placeholder: 'e.g. GTX-Academic-Plus',
			hint: 'Type a custom code exactly as it appears on the PRODUCT CODES screen of the iTEP administration system',
		},
	],
};

export const fulfillmentFields: INodeProperties[] = [
	{
		displayName: 'BCC Email',
		name: 'bcc',
		type: 'string',
		placeholder: 'support@yourcompany.com',
		default: '',
		description:
			"For STX codes iTEP sends a copy of the candidate's e-mail here. Recommended if you give candidates first-line support.",
	},
	{
		displayName: 'Tracking Code',
		name: 'track',
		type: 'string',
		default: '',
		placeholder: 'e.g. RC',
		description:
			'Code assigned by iTEP. Required for results reporting: it tells iTEP to call your iTEP Trigger webhook when the test is graded.',
	},
	{
		displayName: 'Assigned To',
		name: 'assignedTo',
		type: 'collection',
		placeholder: 'Add Candidate Detail',
		default: {},
		description:
			"Stored in the test ID's Assigned To field, which marks it as used. iTEP recommends at least the name, e-mail and your own ID for troubleshooting.",
		options: [
			{
				displayName: 'Email',
				name: 'candidateEmail',
				type: 'string',
				placeholder: 'name@example.com',
				default: '',
				description: 'Where the candidate can be reached',
			},
			{
				displayName: 'Expire After (Days)',
				name: 'expireAfterDays',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: MAX_EXPIRE_AFTER_DAYS, numberPrecision: 0 },
				default: 30,
				description:
					'Sent as "expire": today plus this many days, counted in the workflow\'s time zone and written YYYY-MM-DD. Use this or Expiry Date.',
			},
			{
				displayName: 'Expiry Date',
				name: 'expiryDate',
				type: 'string',
				placeholder: '2026-12-31',
				default: '',
				description:
					'Sent as "expire": after this date you may reassign the test ID to someone else. Use this or Expire After (Days).',
			},
			{
				displayName: 'Extra JSON',
				name: 'extraJson',
				type: 'json',
				default: '{}',
				description:
					'Any other keys you want to store, as a JSON object; merged after the fields above',
			},
			{
				displayName: 'Name',
				name: 'candidateName',
				type: 'string',
				default: '',
				description: "The candidate's full name",
			},
			{
				displayName: 'Your Candidate ID',
				name: 'candidateId',
				type: 'string',
				default: '',
				description:
					'Your own identifier for the candidate, so support can find them in your system',
			},
		],
	},
	{
		displayName: 'Registration',
		name: 'registrationMode',
		type: 'options',
		default: 'none',
		description:
			"Pre-fills the candidate's registration form. Only the field names iTEP documents are accepted.",
		options: [
			{ name: 'None', value: 'none' },
			{ name: 'Pick Fields', value: 'fields', description: "Choose each field from iTEP's list" },
			{ name: 'JSON', value: 'json', description: 'Write the registration object as JSON' },
		],
	},
	{
		displayName: 'Registration Fields',
		name: 'registrationFields',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Registration Field',
		default: {},
		displayOptions: { show: { registrationMode: ['fields'] } },
		options: [
			{
				displayName: 'Field',
				name: 'field',
				values: [
					{
						displayName: 'Name',
						name: 'name',
						type: 'options',
						options: REGISTRATION_FIELDS.map((field) => ({ name: field, value: field })),
						default: 'First_Name',
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
					},
				],
			},
		],
	},
	{
		displayName: 'Registration JSON',
		name: 'registrationJson',
		type: 'json',
		default: '{\n  "First_Name": "",\n  "Last_Name": ""\n}',
		hint: 'Field names are case-sensitive: Last_Name, First_Name, Email, Birthday, Country, OIN, ...',
		displayOptions: { show: { registrationMode: ['json'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Dry Run',
				name: 'dryRun',
				type: 'boolean',
				default: false,
				description:
					"Whether to build and sign the request and return its method, URL, headers and exact body without sending it. Use it to compare signatures with iTEP's examples.",
			},
			{
				displayName: 'Max Concurrent Requests',
				name: 'maxConcurrency',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 50 },
				default: 1,
				description:
					'How many items are sent to iTEP at once. 1 sends them one after another. Output order and pairing stay the same either way.',
			},
			{
				displayName: 'Sequence',
				name: 'sequence',
				type: 'number',
				typeOptions: { minValue: 1, numberPrecision: 0 },
				default: 1,
				description:
					"The request's sequence number, which iTEP uses against replays. Leave this option out to have a new number generated per request (unique across the n8n processes sharing the key; see the README).",
			},
			{
				displayName: 'Timeout (Ms)',
				name: 'timeout',
				type: 'number',
				typeOptions: { minValue: 1000 },
				default: 30000,
				description:
					'How long to wait for iTEP\'s answer. A request that times out is reported as "outcome unknown" and is never re-sent.',
			},
		],
	},
];
