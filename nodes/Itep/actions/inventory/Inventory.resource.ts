import type { INodeProperties } from 'n8n-workflow';

import * as summarizeExport from './summarizeExport.operation';

export { summarizeExport };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['inventory'] } },
		options: [
			{
				name: 'Summarize Export',
				value: 'summarizeExport',
				description:
					'Count available and assigned test IDs per test type from the rows of the AVAILABLE TESTS export, and flag low stock',
				action: 'Summarize an AVAILABLE TESTS export',
			},
		],
		default: 'summarizeExport',
	},
	...summarizeExport.description,
];
