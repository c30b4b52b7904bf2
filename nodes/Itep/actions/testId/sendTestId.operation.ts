import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { provisionTestIds } from './provision';

export const description: INodeProperties[] = [
	{
		displayName: 'Candidate Email',
		name: 'email',
		type: 'string',
		placeholder: 'name@example.com',
		default: '',
		required: true,
		description: 'The address iTEP e-mails the test ID and test instructions to',
		displayOptions: { show: { resource: ['testId'], operation: ['sendTestId'] } },
	},
];

/** STX: find an available test ID, have iTEP e-mail it to the candidate, and return it. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await provisionTestIds.call(this, 'stx');
}
