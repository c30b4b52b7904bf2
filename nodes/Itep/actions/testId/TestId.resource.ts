import type { INodeProperties } from 'n8n-workflow';

import * as getTestId from './getTestId.operation';
import * as sendTestId from './sendTestId.operation';

export { getTestId, sendTestId };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['testId'] } },
		options: [
			{
				name: 'Get Test ID (GTX)',
				value: 'getTestId',
				description: 'Find an available test ID in your inventory and return it to the workflow',
				action: 'Get a test ID',
			},
			{
				name: 'Send Test ID to Candidate (STX)',
				value: 'sendTestId',
				description: 'Find an available test ID and have iTEP e-mail it to the candidate',
				action: 'Send a test ID to a candidate',
			},
		],
		default: 'getTestId',
	},
	...getTestId.description,
	...sendTestId.description,
];
