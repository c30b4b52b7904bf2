/* eslint-disable @n8n/community-nodes/no-restricted-imports -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * Fixtures for the iTEP action node tests: run the node (inside n8n-core's real ExecuteContext, see
 * executeContext.ts) against a running sandbox, and small readers of the sandbox's state.
 */
import { createServer } from 'http';
import type { AddressInfo } from 'net';

import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeParameterResourceLocator,
} from 'n8n-workflow';

import { ItepApi } from '../../credentials/ItepApi.credentials';
import { Itep } from '../../nodes/Itep/Itep.node';
import { DEFAULT_SANDBOX_API_KEY } from '../../sandbox/config';
import { isAvailable, type TestRecord } from '../../sandbox/inventory';
import type { RunningSandbox } from '../../sandbox/server';
import { waitUntil } from '../../devkit/wait';
import { runNode } from '../../devkit/executeContext';

export const SANDBOX_KEY = DEFAULT_SANDBOX_API_KEY;

export type Operation = 'getTestId' | 'sendTestId';

/** The node's resource locator value for a product code typed in "Code" mode (expressions allowed). */
export function productCode(value: string): INodeParameterResourceLocator {
	return { __rl: true, mode: 'code', value };
}

/** Decrypted iTEP API credential values pointing at a sandbox (or any base URL). */
export function credentialFor(
	target: RunningSandbox | string,
	overrides: ICredentialDataDecryptedObject = {},
): ICredentialDataDecryptedObject {
	return {
		apiKey: SANDBOX_KEY,
		baseUrl: typeof target === 'string' ? target : target.url,
		signatureHeader: 'X-Itep-Signature',
		signatureEncoding: 'hex',
		...overrides,
	};
}

export interface RunItepOptions {
	/** A sandbox, or a base URL (e.g. a closed port). */
	target: RunningSandbox | string;
	operation?: Operation;
	/** Node parameters besides resource and operation; productCode defaults to GTX-/STX-Academic-Plus. */
	parameters?: INode['parameters'];
	/** Input items; default one empty item. */
	items?: IDataObject[];
	credentials?: ICredentialDataDecryptedObject;
	continueOnFail?: boolean;
	onSignedRequest?: (options: IHttpRequestOptions) => void;
	onCredentialRead?: () => void;
	/** The workflow's time zone setting. */
	timezone?: string;
}

/** Runs the iTEP node once and returns its single output. */
export async function runItep(options: RunItepOptions): Promise<INodeExecutionData[]> {
	const operation = options.operation ?? 'getTestId';
	const defaultCode = operation === 'getTestId' ? 'GTX-Academic-Plus' : 'STX-Academic-Plus';
	const [output] = await runNode({
		nodeType: new Itep(),
		credentialType: new ItepApi(),
		credentials: options.credentials ?? credentialFor(options.target),
		parameters: {
			resource: 'testId',
			operation,
			productCode: productCode(defaultCode),
			...options.parameters,
		},
		items: (options.items ?? [{}]).map((json) => ({ json })),
		continueOnFail: options.continueOnFail,
		onSignedRequest: options.onSignedRequest,
		onCredentialRead: options.onCredentialRead,
		timezone: options.timezone,
	});
	return output;
}

/** Runs the node expecting it to throw; returns the error (fails the test if nothing was thrown). */
export async function runItepExpectingError(options: RunItepOptions): Promise<NodeErrorLike> {
	let output: INodeExecutionData[] | undefined;
	try {
		output = await runItep(options);
	} catch (error) {
		return error as NodeErrorLike;
	}
	throw new Error(`Expected the node to throw, it returned ${JSON.stringify(output)}`);
}

/** What the tests read from NodeOperationError / NodeApiError. */
export interface NodeErrorLike extends Error {
	description?: string | null;
	httpCode?: string | null;
	context: IDataObject;
}

export function availableCount(sandbox: RunningSandbox, testType = 'Academic-Plus'): number {
	return sandbox.state.tests.filter((test) => test.testType === testType && isAvailable(test))
		.length;
}

export function findTest(sandbox: RunningSandbox, testId: unknown): TestRecord | undefined {
	return sandbox.state.tests.find((test) => test.testId === testId);
}

/**
 * Waits until the sandbox has no API request in flight. A request whose client gave up (timeout) leaves the
 * in-flight count when its socket closes, before the sandbox has processed it: use waitFor on the request log.
 */
export async function sandboxIdle(sandbox: RunningSandbox, timeoutMs = 5000): Promise<void> {
	await waitUntil(
		'the sandbox to have no request in flight',
		() => sandbox.state.stats.inFlight === 0,
		timeoutMs,
	);
}

/** A base URL on 127.0.0.1 where nothing listens (a port that was just free). */
export async function closedPortUrl(): Promise<string> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return `http://127.0.0.1:${port}`;
}
