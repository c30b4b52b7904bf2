import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { itepNodeData } from './node.type';
import * as inventory from './inventory/Inventory.resource';
import * as testId from './testId/TestId.resource';

/** Dispatches to the operation file for the chosen resource and operation. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const chosen = itepNodeData(resource, operation);
	switch (chosen?.resource) {
		case 'testId':
			return [await testId[chosen.operation].execute.call(this)];
		case 'inventory':
			return [await inventory[chosen.operation].execute.call(this)];
		default:
			throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`);
	}
}
