/**
 * Runs a node's execute() inside n8n-core's real ExecuteContext: parameters resolve through n8n's Workflow,
 * and httpRequestWithAuthentication is n8n-core's own, which calls the credential's authenticate() and sends
 * the request over real HTTP. Only the credential store is ours (it hands out the decrypted test values).
 */
import { ExecuteContext } from 'n8n-core';
import {
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IHttpRequestOptions,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type INodeTypes,
	type IRunExecutionData,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

import { InMemoryCredentialsHelper } from './credentialsHelper';

export interface RunNodeOptions {
	nodeType: INodeType;
	parameters: INode['parameters'];
	items: INodeExecutionData[];
	credentialType?: ICredentialType;
	credentials?: ICredentialDataDecryptedObject;
	continueOnFail?: boolean;
	/** Called with every request after the credential signed it, before it is sent. */
	onSignedRequest?: (options: IHttpRequestOptions) => void;
	/** Called each time n8n reads (decrypts) the credential from its store. */
	onCredentialRead?: () => void;
	/** The workflow's time zone setting; n8n's default time zone when unset. */
	timezone?: string;
}

export async function runNode(options: RunNodeOptions): Promise<INodeExecutionData[][]> {
	const { nodeType, credentialType } = options;
	const node: INode = {
		id: 'node-under-test',
		name: 'iTEP',
		type: `n8n-nodes-itep.${nodeType.description.name}`,
		typeVersion: 1,
		position: [0, 0],
		parameters: options.parameters,
		credentials: credentialType
			? { [credentialType.name]: { id: '1', name: 'test credential' } }
			: undefined,
		onError: options.continueOnFail ? 'continueRegularOutput' : 'stopWorkflow',
	};
	const nodeTypes: INodeTypes = {
		getByName: () => nodeType,
		getByNameAndVersion: () => nodeType,
		getKnownTypes: () => ({}),
	} as unknown as INodeTypes;
	const workflow = new Workflow({
		id: 'wf',
		name: 'test',
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes,
		settings: options.timezone ? { timezone: options.timezone } : undefined,
	});
	const additionalData = {
		credentialsHelper: new InMemoryCredentialsHelper(
			credentialType ? { [credentialType.name]: options.credentials ?? {} } : {},
			credentialType ? [credentialType] : [],
			{ onRead: options.onCredentialRead, onSigned: options.onSignedRequest },
		),
		variables: {},
		restApiUrl: 'http://127.0.0.1',
		instanceBaseUrl: 'http://127.0.0.1',
		webhookBaseUrl: 'http://127.0.0.1',
		webhookTestBaseUrl: 'http://127.0.0.1',
		webhookWaitingBaseUrl: 'http://127.0.0.1',
		formWaitingBaseUrl: 'http://127.0.0.1',
		currentNodeParameters: undefined,
		executionTimeoutTimestamp: undefined,
		userId: 'user',
		setExecutionStatus: () => {},
	} as unknown as IWorkflowExecuteAdditionalData;
	const runExecutionData = { resultData: { runData: {} } } as unknown as IRunExecutionData;
	const context = new ExecuteContext(
		workflow,
		node,
		additionalData,
		'manual',
		runExecutionData,
		0,
		options.items,
		{ main: [options.items] },
		{ node, data: { main: [options.items] }, source: null },
		[],
	);
	return (await nodeType.execute!.call(context)) as INodeExecutionData[][];
}
