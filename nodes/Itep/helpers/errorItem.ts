import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';

/**
 * The item that takes a failed item's place under On Error → Continue.
 *
 * n8n moves an item to the node's error output (*Continue (using error output)*) only when its json holds
 * nothing but `error` and `message` (1.x; 2.x also accepts `details`); any other key keeps it on the success
 * output. So there the message is `message` and the details go under `error`. With *Continue (regular output)*
 * the item stays flat: `error` is the message and the details sit beside it.
 */
export function continuedErrorItem(
	node: INode,
	message: string,
	details: IDataObject,
	itemIndex: number,
): INodeExecutionData {
	const json: IDataObject =
		node.onError === 'continueErrorOutput'
			? { message, error: { message, ...details } }
			: { error: message, ...details };
	return { json, pairedItem: { item: itemIndex } };
}
