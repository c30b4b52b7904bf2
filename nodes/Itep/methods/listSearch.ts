import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { GENERIC_TEST_TYPES, PRODUCT_CODE_PREFIXES } from '../../shared/protocol';

/** Generic product codes for the chosen operation; custom codes are typed in the "Code" mode. */
export async function searchProductCodes(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const operation = this.getCurrentNodeParameter('operation') as string;
	const prefix = operation === 'sendTestId' ? PRODUCT_CODE_PREFIXES.stx : PRODUCT_CODE_PREFIXES.gtx;
	const needle = (filter ?? '').toLowerCase();
	return {
		results: GENERIC_TEST_TYPES.map((type) => `${prefix}${type}`)
			.filter((code) => code.toLowerCase().includes(needle))
			.map((code) => ({ name: code, value: code })),
	};
}
