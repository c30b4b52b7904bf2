import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { provisionTestIds } from './provision';

export const description: INodeProperties[] = [
	{
		displayName: 'Candidate Email',
		name: 'email',
		type: 'string',
		placeholder: 'name@example.com',
		default: '',
		description: 'Optional for GTX: iTEP sends nothing, but the address is stored with the request',
		displayOptions: { show: { resource: ['testId'], operation: ['getTestId'] } },
	},
];

/** GTX: find an available test ID and return it to the workflow. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await provisionTestIds.call(this, 'gtx');
}
