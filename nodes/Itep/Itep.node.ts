import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { router } from './actions/router';
import { versionDescription } from './actions/versionDescription';
import { searchProductCodes } from './methods/listSearch';

export class Itep implements INodeType {
	description: INodeTypeDescription = versionDescription;

	methods = { listSearch: { searchProductCodes } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
