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
		required: true,
		description: 'The address iTEP e-mails the test ID and test instructions to',
	},
	...fulfillmentFields,
];

const displayOptions = { show: { resource: ['testId'], operation: ['sendTestId'] } };

export const description = updateDisplayOptions(displayOptions, properties);

/** STX: find an available test ID, have iTEP e-mail it to the candidate, and return it. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await provisionTestIds.call(this, 'stx');
}
