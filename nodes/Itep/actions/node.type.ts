/** Every resource of the iTEP node and its operations: the router and the operation files agree on these. */
type NodeMap = {
	inventory: 'summarizeExport';
	testId: 'getTestId' | 'sendTestId';
};

export type ItepType = {
	[Resource in keyof NodeMap]: { resource: Resource; operation: NodeMap[Resource] };
}[keyof NodeMap];

const TEST_ID_OPERATIONS: ReadonlyArray<NodeMap['testId']> = ['getTestId', 'sendTestId'];

const isInventoryOperation = (operation: string): operation is NodeMap['inventory'] =>
	operation === 'summarizeExport';

const isTestIdOperation = (operation: string): operation is NodeMap['testId'] =>
	TEST_ID_OPERATIONS.some((known) => known === operation);

/** The resource and operation as the node's types know them, or undefined for a pair the node lacks. */
export function itepNodeData(resource: string, operation: string): ItepType | undefined {
	if (resource === 'testId' && isTestIdOperation(operation)) return { resource, operation };
	if (resource === 'inventory' && isInventoryOperation(operation)) return { resource, operation };
	return undefined;
}
