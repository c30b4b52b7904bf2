import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import * as testId from './testId';

const operations = {
	testId: { getTestId: testId.getTestId, sendTestId: testId.sendTestId },
} as const;

/** Dispatches to the operation file for the chosen resource and operation. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as keyof typeof operations;
	const operation = this.getNodeParameter('operation', 0) as string;
	const handler = (operations[resource] as Record<string, { execute: typeof testId.getTestId.execute }>)?.[operation];
	if (!handler) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`);
	}
	return [await handler.execute.call(this)];
}
