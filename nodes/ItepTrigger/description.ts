import type { INodeProperties } from 'n8n-workflow';

import type { ItepEvent } from '../shared/resultPayload';

/** The webhook path iTEP staff are given (below the n8n webhook base URL). */
export const DEFAULT_PATH = 'itep-results';
export const DEFAULT_EVENTS: ItepEvent[] = ['completed'];
export const DEFAULT_DUPLICATE_WINDOW_SECONDS = 600;

export type AuthenticationMode = 'none' | 'header' | 'basic' | 'hmac';

const EVENT_OPTIONS: Array<{ name: string; value: ItepEvent; description: string }> = [
	{
		name: 'Test Completed',
		value: 'completed',
		description: 'The test is graded and the scores are final (status Completed or Complete)',
	},
	{
		name: 'Test Finished',
		value: 'finished',
		description:
			'The candidate finished the test; grading may still be under way. iTEP sends this call only if your tracking code asks for it.',
	},
	{
		name: 'Test Invalidated',
		value: 'invalidated',
		description: 'The test was invalidated',
	},
	{
		name: 'Test Reset',
		value: 'reset',
		description: 'The test was reset: its status went back to Ready, Started or Incomplete',
	},
	{
		name: 'Technical Issue',
		value: 'technicalIssue',
		description: 'The test ran into a technical problem (status Technical Difficulty or Problem)',
	},
	{
		name: 'Other Status',
		value: 'other',
		description: 'Any other status (Review, Disabled, or one iTEP has not documented)',
	},
];

export const triggerProperties: INodeProperties[] = [
	{
		displayName:
			'iTEP does not let you register this URL yourself: open <b>Webhook URLs</b> above, switch to <b>Production URL</b>, copy it and ask iTEP staff to attach it to your tracking code (the <code>track</code> value of your fulfillment requests). Only tests with that tracking code call this workflow. Tell them the authentication you choose below.',
		name: 'setupNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Path',
		name: 'path',
		type: 'string',
		default: DEFAULT_PATH,
		required: true,
		placeholder: DEFAULT_PATH,
		description:
			'The last part of the webhook URL. It must be unique among the published workflows of this n8n instance.',
	},
	{
		displayName: 'Authentication',
		name: 'authentication',
		type: 'options',
		options: [
			{ name: 'None', value: 'none' },
			{ name: 'Header', value: 'header' },
			{ name: 'Basic Auth', value: 'basic' },
			{ name: 'HMAC Signature', value: 'hmac' },
		],
		default: 'none',
		description:
			'How a delivery proves it comes from iTEP. Use what iTEP staff configured for your tracking code; deliveries that fail the check get 401 and start nothing.',
	},
	{
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		options: EVENT_OPTIONS,
		default: [...DEFAULT_EVENTS],
		required: true,
		description:
			'Which deliveries start the workflow. Others are answered with 200 and start nothing.',
	},
	{
		displayName: 'Ignore Repeated Deliveries',
		name: 'suppressDuplicates',
		type: 'boolean',
		default: true,
		description:
			'Whether a delivery with the same test ID and status as one already received within the window starts nothing (it still gets 200). Held in memory: see the documentation for its limits.',
	},
	{
		displayName: 'Repeat Window (Seconds)',
		name: 'duplicateWindowSeconds',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: DEFAULT_DUPLICATE_WINDOW_SECONDS,
		displayOptions: { show: { suppressDuplicates: [true] } },
		description: 'How long after a delivery a repeat of it is ignored',
	},
];
