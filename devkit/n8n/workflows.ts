/** Workflow JSON builders for e2e tests (shapes valid on n8n 1.123.x and 2.40.x). */
import { randomUUID } from 'node:crypto';

export interface WorkflowNode {
	id?: string;
	name: string;
	type: string;
	typeVersion: number;
	position?: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	webhookId?: string;
	disabled?: boolean;
	[key: string]: unknown;
}

export interface WorkflowInput {
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
	pinData?: Record<string, unknown>;
}

/** Type names of a community package node: `<package name>.<description.name>`. */
export const ITEP_PACKAGE = 'n8n-nodes-itep';
export const ITEP_NODE_TYPE = `${ITEP_PACKAGE}.itep`;
export const ITEP_TRIGGER_NODE_TYPE = `${ITEP_PACKAGE}.itepTrigger`;
/** The iTEP node as an AI-agent tool: n8n adds `<type>Tool` for every node that sets `usableAsTool`. */
export const ITEP_TOOL_NODE_TYPE = `${ITEP_NODE_TYPE}Tool`;
export const ITEP_CREDENTIAL_TYPE = 'itepApi';

export function manualTrigger(name = 'Manual Trigger'): WorkflowNode {
	return { name, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} };
}

/** Set node (v3.4, "manual mapping") assigning string/number/boolean fields; values may be expressions. */
export function setNode(
	name: string,
	fields: Record<string, string | number | boolean>,
): WorkflowNode {
	return {
		name,
		type: 'n8n-nodes-base.set',
		typeVersion: 3.4,
		parameters: {
			mode: 'manual',
			assignments: {
				assignments: Object.entries(fields).map(([field, value]) => ({
					id: randomUUID(),
					name: field,
					value,
					type:
						typeof value === 'number'
							? 'number'
							: typeof value === 'boolean'
								? 'boolean'
								: 'string',
				})),
			},
			options: {},
		},
	};
}

/**
 * Webhook trigger (v2.1). With responseMode 'lastNode' the HTTP response carries the last node's first item,
 * which makes a published webhook workflow a synchronous "run it and give me the result" button.
 */
export function webhookNode(
	name: string,
	path: string,
	options: { method?: string; responseMode?: 'onReceived' | 'lastNode' | 'responseNode' } = {},
): WorkflowNode {
	return {
		name,
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2.1,
		webhookId: randomUUID(),
		parameters: {
			httpMethod: options.method ?? 'POST',
			path,
			responseMode: options.responseMode ?? 'lastNode',
			options: {},
		},
	};
}

/** Links nodes one after another (main output 0 -> main input 0) and lays them out left to right. */
export function chain(
	name: string,
	nodes: WorkflowNode[],
	settings: Record<string, unknown> = {},
): WorkflowInput {
	const connections: Record<string, unknown> = {};
	nodes.forEach((node, index) => {
		node.id ??= randomUUID();
		node.position ??= [index * 220, 0];
		const next = nodes[index + 1];
		if (next) connections[node.name] = { main: [[{ node: next.name, type: 'main', index: 0 }]] };
	});
	return {
		name,
		nodes,
		connections,
		// saveManualExecutions defaults to true on both lines; explicit so execution reads never depend on it.
		settings: {
			executionOrder: 'v1',
			saveManualExecutions: true,
			saveDataSuccessExecution: 'all',
			saveDataErrorExecution: 'all',
			...settings,
		},
	};
}
