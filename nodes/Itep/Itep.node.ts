import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { router } from './actions/router';
import * as inventory from './actions/inventory/Inventory.resource';
import * as testId from './actions/testId/TestId.resource';
import { searchProductCodes } from './methods/listSearch';

export class Itep implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'iTEP',
		name: 'itep',
		icon: { light: 'file:../../icons/itep.svg', dark: 'file:../../icons/itep.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle:
			'={{ { getTestId: "Get Test ID (GTX)", sendTestId: "Send Test ID to Candidate (STX)", summarizeExport: "Summarize Inventory Export" }[$parameter["operation"]] }}',
		description:
			'Provision iTEP English test IDs: return one to the workflow (GTX) or have iTEP e-mail it (STX); count your stock from the AVAILABLE TESTS export',
		defaults: { name: 'iTEP' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// Only fulfillment talks to iTEP; Inventory reads an export the workflow already holds.
		credentials: [
			{ name: 'itepApi', required: true, displayOptions: { show: { resource: ['testId'] } } },
		],
		properties: [
			{
				displayName:
					'Each run spends test IDs from your inventory. Keep the node setting "Retry On Fail" off: a re-sent request can spend a second test ID or e-mail a candidate twice.',
				name: 'spendNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { resource: ['testId'] } },
			},
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Inventory', value: 'inventory' },
					{ name: 'Test ID', value: 'testId' },
				],
				default: 'testId',
			},
			...testId.description,
			...inventory.description,
		],
	};

	methods = { listSearch: { searchProductCodes } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
