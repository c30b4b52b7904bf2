import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { fulfillmentFields, productCodeField, toolDescriptionField } from '../common.descriptions';
import { provisionTestIds } from './provision';

/** What an AI agent's model is told by default when the node is its tool (STX). */
const TOOL_DESCRIPTION =
	"Sends an iTEP English test to one candidate: iTEP takes a test ID from the organisation's inventory and " +
	"e-mails it, with the test instructions, to the candidate's e-mail address; the test ID is returned as testId. " +
	'Each call spends one test ID and sends one e-mail: call it once per candidate, never twice for the same ' +
	'candidate. If a call fails, report the error instead of calling again: a failed call may still have spent a ' +
	'test ID and sent the e-mail.';

const properties: INodeProperties[] = [
	toolDescriptionField(TOOL_DESCRIPTION),
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
