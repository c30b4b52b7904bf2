import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { fulfillmentFields, productCodeField } from '../common.descriptions';
import { provisionTestIds } from './provision';

const properties: INodeProperties[] = [
	productCodeField,
	{
		displayName: 'Candidate Email',
		name: 'email',
		type: 'string',
		placeholder: 'name@example.com',
		default: '',
		description: 'Optional for GTX: iTEP sends nothing, but the address is stored with the request',
	},
	...fulfillmentFields,
];

const displayOptions = { show: { resource: ['testId'], operation: ['getTestId'] } };

export const description = updateDisplayOptions(displayOptions, properties);

/** GTX: find an available test ID and return it to the workflow. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await provisionTestIds.call(this, 'gtx');
}
