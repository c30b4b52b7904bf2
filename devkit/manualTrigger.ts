/**
 * Stands in for n8n-nodes-base's Manual Trigger, which this package does not depend on. Workflow files can
 * then keep the type name n8n exports (`n8n-nodes-base.manualTrigger`) and still run here.
 */
import {
	MANUAL_TRIGGER_NODE_TYPE,
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

/** `n8n-nodes-base.manualTrigger`, n8n's own constant. */
export const MANUAL_TRIGGER_TYPE = MANUAL_TRIGGER_NODE_TYPE;

export class ManualTriggerStandIn implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Manual Trigger (devkit stand-in)',
		name: 'manualTrigger',
		group: ['trigger'],
		version: 1,
		description: 'Starts the workflow with the items it is given (or one empty item)',
		defaults: { name: 'When clicking ‘Execute workflow’' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	// The real node is a trigger whose manual run emits one empty item. An execute() that passes on what
	// WorkflowExecute seeds the start node with (one empty item) does the same without trigger plumbing.
	// Pinned data on this node replaces its output altogether, as in n8n.
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		return [items.length ? items : [{ json: {} }]];
	}
}
