import type { INodeProperties } from 'n8n-workflow';

import type { ItepEvent } from './resultPayload';
import {
	DEFAULT_SCORE_REPORT_FIELD,
	DEFAULT_SCORE_REPORT_MAX_SIZE_MB,
	DEFAULT_SCORE_REPORT_TIMEOUT_SECONDS,
} from './scoreReport';

/**
 * Version 1's default path. It is the same on every instance, so from version 1.1 an empty path stands for
 * the node's webhook ID instead (what n8n's own Webhook node does): a URL nobody can guess.
 */
export const VERSION_1_DEFAULT_PATH = 'itep-results';
/** An unrecognised status is selected by default, so a result in words we do not know is seen, not dropped. */
export const DEFAULT_EVENTS: ItepEvent[] = ['completed', 'unrecognized'];
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
		description: 'Review or Disabled',
	},
	{
		name: 'Unrecognized Status',
		value: 'unrecognized',
		description:
			"A status in neither of iTEP's published vocabularies. Selected by default so such a result is not lost; the output has the status as sent in statusText.",
	},
];

const PATH_DESCRIPTION =
	'The last part of the webhook URL. It must be unique among the published workflows of this n8n instance.';

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
		default: VERSION_1_DEFAULT_PATH,
		required: true,
		placeholder: VERSION_1_DEFAULT_PATH,
		description: PATH_DESCRIPTION,
		displayOptions: { show: { '@version': [1] } },
	},
	{
		displayName: 'Path',
		name: 'path',
		type: 'string',
		default: '',
		placeholder: 'Leave empty for a unique, unguessable path',
		description: `${PATH_DESCRIPTION} Leave it empty to use the node's own webhook ID, which nobody can guess`,
		displayOptions: { hide: { '@version': [1] } },
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
		displayName:
			'With no authentication, anyone who learns this URL can post a result that looks genuine. Keep the path empty (a unique, unguessable URL) or ask iTEP staff for a header, user and password, or a signing secret.',
		name: 'noAuthenticationNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { authentication: ['none'] } },
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
	{
		displayName: 'Download Score Report',
		name: 'downloadScoreReport',
		type: 'boolean',
		default: false,
		description:
			"Whether to download the result's score report (scoreReportUrl) and attach it to the item as a file. If the download fails the result is still emitted, without the file and with scoreReportError saying why.",
	},
	{
		displayName: 'Allowed Hosts',
		name: 'scoreReportAllowedHosts',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. reports.example.com, *.example.org',
		displayOptions: { show: { downloadScoreReport: [true] } },
		description:
			'Host names the score report may be downloaded from (redirects included), separated by commas, spaces or new lines. *.example.com allows every subdomain of example.com; ports are not checked. The URL comes with the delivery, so this stops a forged one from making n8n fetch internal addresses. iTEP does not publish the host of its score report URLs: take it from scoreReportUrl of a real delivery.',
	},
	{
		displayName: 'Score Report Options',
		name: 'scoreReportOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { downloadScoreReport: [true] } },
		options: [
			{
				displayName: 'Max Size (MB)',
				name: 'maxSizeMb',
				type: 'number',
				typeOptions: { minValue: 0.01, maxValue: 100, numberPrecision: 2 },
				default: DEFAULT_SCORE_REPORT_MAX_SIZE_MB,
				description:
					'A larger report is not downloaded (checked against Content-Length and while the bytes arrive). 1 MB = 1,048,576 bytes.',
			},
			{
				displayName: 'Put Output File in Field',
				name: 'binaryPropertyName',
				type: 'string',
				default: DEFAULT_SCORE_REPORT_FIELD,
				description: 'The name of the binary field the score report is put in',
			},
			{
				displayName: 'Timeout (Seconds)',
				name: 'timeoutSeconds',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 120 },
				default: DEFAULT_SCORE_REPORT_TIMEOUT_SECONDS,
				description:
					"How long the whole download may take, redirects included. iTEP's delivery is answered only after it, so keep this short.",
			},
		],
	},
];
