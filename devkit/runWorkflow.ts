/**
 * Runs a workflow file (the JSON n8n exports) through n8n-core's real WorkflowExecute, the engine n8n runs
 * workflows with: nodes execute in connection order, parameters and expressions resolve as in n8n, pinned
 * data replaces a node's output, and requests are signed by the credential class and sent over real HTTP.
 * What n8n would read from its database (node types, credentials) comes from memory instead.
 */
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
	NodeHelpers,
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IConnections,
	type IDataObject,
	type INode,
	type INodeType,
	type INodeTypes,
	type IPinData,
	type IRunData,
	type IVersionedNodeType,
	type IWorkflowBase,
	type IWorkflowExecuteAdditionalData,
	type IWorkflowSettings,
} from 'n8n-workflow';

import { ItepApi } from '../credentials/ItepApi.credentials';
import { Itep } from '../nodes/Itep/Itep.node';
import { InMemoryCredentialsHelper } from './credentialsHelper';
import { MANUAL_TRIGGER_TYPE, ManualTriggerStandIn } from './manualTrigger';

/** The parts of an exported workflow file the run needs; other keys (name, meta, tags...) are ignored. */
export interface WorkflowJson {
	id?: string;
	name?: string;
	nodes: INode[];
	connections: IConnections;
	pinData?: IPinData;
	settings?: IWorkflowSettings;
}

export interface RunWorkflowOptions {
	/** Extra node types by the type name used in the JSON; they replace the built-in ones of the same name. */
	nodeTypes?: Record<string, INodeType | IVersionedNodeType>;
	/** Extra credential types; they replace the built-in ones of the same name. */
	credentialTypes?: ICredentialType[];
}

export interface WorkflowRunResult {
	status: 'success' | 'error';
	runData: IRunData;
	/** The error that stopped the run (n8n's NodeApiError, NodeOperationError...), when status is 'error'. */
	error?: unknown;
	/** The `json` of the items on the node's first output, from its last run. Throws if the node did not run. */
	nodeOutput(nodeName: string): IDataObject[];
}

function builtInNodeTypes(): Record<string, INodeType | IVersionedNodeType> {
	return {
		'n8n-nodes-itep.itep': new Itep(),
		[MANUAL_TRIGGER_TYPE]: new ManualTriggerStandIn(),
	};
}

function builtInCredentialTypes(): ICredentialType[] {
	return [new ItepApi()];
}

let runCount = 0;

export async function runWorkflow(
	workflowJson: WorkflowJson,
	credentials: Record<string, ICredentialDataDecryptedObject>,
	options: RunWorkflowOptions = {},
): Promise<WorkflowRunResult> {
	const nodeTypes = nodeTypeRegistry({ ...builtInNodeTypes(), ...options.nodeTypes });
	const credentialTypes = [...builtInCredentialTypes(), ...(options.credentialTypes ?? [])];
	// The Workflow fills in parameter defaults on the nodes it is given and nodes receive the pinned items:
	// work on a copy so a workflow object shared by several tests stays as written.
	const { nodes, connections, pinData, settings } = structuredClone(workflowJson);
	assertNodeTypesKnown(nodes, nodeTypes);

	const workflowData: IWorkflowBase = {
		id: workflowJson.id ?? 'devkit-workflow',
		name: workflowJson.name ?? 'devkit workflow',
		active: false,
		isArchived: false,
		activeVersionId: null,
		createdAt: new Date(),
		updatedAt: new Date(),
		nodes,
		connections,
		settings: settings ?? { executionOrder: 'v1' },
	};
	const workflow = new Workflow({ ...workflowData, pinData, nodeTypes });

	const executionId = `devkit-${++runCount}`;
	// Sub-workflows, AI agents and task runners (the members left out) are server features no node here uses.
	const additionalData: Partial<IWorkflowExecuteAdditionalData> = {
		credentialsHelper: new InMemoryCredentialsHelper(credentials, credentialTypes),
		// WorkflowExecute refuses to run without hooks; n8n's server would save the execution from them.
		hooks: new ExecutionLifecycleHooks('manual', executionId, workflowData),
		executionId,
		workflowId: workflowData.id,
		currentNodeExecutionIndex: 0,
		currentNodeParameters: undefined,
		executionTimeoutTimestamp: undefined,
		userId: 'devkit-user',
		variables: {},
		restApiUrl: 'http://127.0.0.1',
		instanceBaseUrl: 'http://127.0.0.1',
		formBaseUrl: 'http://127.0.0.1',
		formTestBaseUrl: 'http://127.0.0.1',
		formWaitingBaseUrl: 'http://127.0.0.1',
		webhookBaseUrl: 'http://127.0.0.1',
		webhookTestBaseUrl: 'http://127.0.0.1',
		webhookWaitingBaseUrl: 'http://127.0.0.1',
		mcpBaseUrl: 'http://127.0.0.1',
		mcpTestBaseUrl: 'http://127.0.0.1',
		setExecutionStatus: () => {},
	};

	// 'manual' is the mode of a run started from the editor, the only runs n8n hands pinned data to.
	const run = await new WorkflowExecute(
		additionalData as IWorkflowExecuteAdditionalData,
		'manual',
	).run({
		workflow,
		startNode: findTriggerNode(workflow),
		pinData,
	});

	const { runData, error } = run.data.resultData;
	return {
		status: run.status === 'success' && error === undefined ? 'success' : 'error',
		runData,
		error,
		nodeOutput: (nodeName) => outputOf(runData, nodeName),
	};
}

function nodeTypeRegistry(typesByName: Record<string, INodeType | IVersionedNodeType>): INodeTypes {
	return {
		getByName: (name) => typesByName[name],
		getByNameAndVersion: (name, version) => {
			const type = typesByName[name];
			return type && NodeHelpers.getVersionedNodeType(type, version);
		},
		getKnownTypes: () => ({}),
	};
}

/** n8n skips nodes of unknown types silently until it reaches one; say which type is missing up front. */
function assertNodeTypesKnown(nodes: INode[], nodeTypes: INodeTypes): void {
	for (const node of nodes) {
		if (!nodeTypes.getByName(node.type)) {
			throw new Error(
				`Node "${node.name}" has type ${node.type}, which runWorkflow does not know: pass it in options.nodeTypes`,
			);
		}
	}
}

/** The enabled trigger node the run starts from (n8n starts manual runs from the trigger, too). */
function findTriggerNode(workflow: Workflow): INode {
	const triggers = Object.values(workflow.nodes).filter((node) => {
		const type = workflow.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
		return !node.disabled && type.description.group.includes('trigger');
	});
	if (triggers.length !== 1) {
		const found = triggers.map((node) => node.name).join(', ') || 'none';
		throw new Error(`runWorkflow needs exactly one enabled trigger node, found ${found}`);
	}
	return triggers[0];
}

function outputOf(runData: IRunData, nodeName: string): IDataObject[] {
	const runs = runData[nodeName];
	if (!runs?.length) {
		throw new Error(
			`Node "${nodeName}" did not run; nodes that ran: ${Object.keys(runData).join(', ') || 'none'}`,
		);
	}
	const lastRun = runs[runs.length - 1];
	return (lastRun.data?.main?.[0] ?? []).map((item) => item.json);
}
