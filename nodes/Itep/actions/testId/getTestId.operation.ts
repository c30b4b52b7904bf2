import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { fulfillmentFields, productCodeField, toolDescriptionField } from '../common.descriptions';
import { provisionTestIds } from './provision';

/** What an AI agent's model is told by default when the node is its tool (GTX). */
const TOOL_DESCRIPTION =
	'Gets an iTEP English test ID for one candidate and returns it as testId. Each call spends one test ID ' +
	"from the organisation's iTEP inventory: call it once per candidate, never twice for the same candidate. If a call " +
	'fails, report the error instead of calling again: a failed call may still have spent a test ID.';

const properties: INodeProperties[] = [
	toolDescriptionField(TOOL_DESCRIPTION),
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
