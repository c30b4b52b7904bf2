/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * Serves a webhook trigger node over real HTTP the way n8n 2.x does, so tests can send real requests.
 *
 * What is n8n's and what is ours:
 * - The node runs inside n8n-core's own WebhookContext: parameters resolve through n8n's Workflow (defaults
 *   filled in by n8n), credentials go through n8n-core's checks (node credential list, displayOptions), static
 *   data is the Workflow's. Only the credential store and the logger are ours.
 * - Body handling copies n8n 2.40's `webhook-helpers.js` `parseRequestBody` (by the node's typeVersion) and
 *   `middlewares/body-parser.js` `parseBody`: multipart goes to a form parser (fields land under `body.data`,
 *   no `rawBody`); everything else is read into `req.rawBody` (Buffer) and parsed by media type (JSON,
 *   urlencoded via `querystring` with maxKeys 1000, text/plain); a JSON parse error is n8n's 422. An empty
 *   body leaves `req.body` undefined. The multipart parser here is a small stand-in for n8n's formidable one
 *   that produces the same shape for plain text fields.
 * - The answer copies `webhook-helpers.js`: `noWebhookResponse` -> the node already answered; no
 *   `workflowData` -> 200 with `webhookResponse` (or n8n's `{ message: 'Webhook call received' }`);
 *   `workflowData` with responseMode onReceived -> an execution starts and the answer is the description's
 *   `responseData` or, if that is empty, `webhookResponse` (webhook-on-received-response-extractor.js); a
 *   throwing webhook() -> 500 (n8n would also record a failed execution).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import { parse as parseQueryString } from 'querystring';

import { HookContext, WebhookContext } from 'n8n-core';
import {
	Workflow,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type INodeTypes,
	type IWebhookData,
	type IWebhookResponseData,
	type IWorkflowExecuteAdditionalData,
	type Logger,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

export interface LogEntry {
	level: 'error' | 'warn' | 'info' | 'debug';
	message: string;
	meta?: unknown;
}

export interface HarnessOptions {
	nodeType: INodeType;
	/** Only the parameters that differ from the node's defaults; n8n fills in the rest. */
	parameters?: INode['parameters'];
	/** Decrypted credential data by credential type name. */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	mode?: WorkflowExecuteMode;
	/** Default: a new id per harness, so the process-wide duplicate memory never links two tests. */
	workflowId?: string;
	nodeId?: string;
	/** Default: the node's defaultVersion. */
	typeVersion?: number;
	/**
	 * n8n fails to start (record) the next this many executions: n8n 2.x then answers 500 "There was a problem
	 * executing the workflow" instead of the onReceived answer, as webhook-helpers.js does when
	 * WorkflowRunner.run throws (seen in real n8n 2.40.7 under load: SQLite's write lock timed out).
	 */
	failExecutionStarts?: number;
}

let harnessCount = 0;

export interface Harness {
	url: string;
	/** workflowData of every execution the trigger started, in order. */
	executions: INodeExecutionData[][][];
	/** What webhook() returned for each request that reached it (rejections included). */
	results: IWebhookResponseData[];
	logs: LogEntry[];
	staticData: IDataObject;
	/** Runs a lifecycle method (checkExists/create/delete) in n8n-core's HookContext. */
	runLifecycle(method: 'checkExists' | 'create' | 'delete'): Promise<boolean>;
	close(): Promise<void>;
}

export async function startWebhookHarness(options: HarnessOptions): Promise<Harness> {
	const { nodeType } = options;
	const description = nodeType.description;
	const node: INode = {
		id: options.nodeId ?? 'trigger-under-test',
		name: description.defaults.name ?? description.displayName,
		type: `n8n-nodes-itep.${description.name}`,
		typeVersion: options.typeVersion ?? description.defaultVersion ?? 1,
		position: [0, 0],
		webhookId: 'b8f3c1d2-0000-4000-8000-000000000001',
		parameters: options.parameters ?? {},
		credentials: Object.fromEntries(
			Object.keys(options.credentials ?? {}).map((type) => [
				type,
				{ id: type, name: `${type} (test)` },
			]),
		),
	};
	const nodeTypes = {
		getByName: () => nodeType,
		getByNameAndVersion: () => nodeType,
		getKnownTypes: () => ({}),
	} as unknown as INodeTypes;
	const workflow = new Workflow({
		id: options.workflowId ?? `wf-trigger-${++harnessCount}`,
		name: 'trigger test',
		nodes: [node],
		connections: {},
		active: true,
		nodeTypes,
		staticData: {},
	});
	const workflowNode = workflow.getNode(node.name) as INode;

	const logs: LogEntry[] = [];
	const logger = {
		error: (message: string, meta?: unknown) => logs.push({ level: 'error', message, meta }),
		warn: (message: string, meta?: unknown) => logs.push({ level: 'warn', message, meta }),
		info: (message: string, meta?: unknown) => logs.push({ level: 'info', message, meta }),
		debug: (message: string, meta?: unknown) => logs.push({ level: 'debug', message, meta }),
	} as unknown as Logger;

	const baseAdditionalData = {
		credentialsHelper: {
			isCredentialUsableByNode: () => true,
			getParentTypes: () => [],
			// A real store is async; yielding here lets concurrent requests interleave as they would in n8n.
			getDecrypted: async (_data: unknown, _nodeCredentials: unknown, type: string) => {
				await new Promise((resolve) => setImmediate(resolve));
				const data = options.credentials?.[type];
				if (!data) throw new Error(`No test credential of type ${type}`);
				return data;
			},
		},
		variables: {},
		restApiUrl: 'http://127.0.0.1/rest',
		instanceBaseUrl: 'http://127.0.0.1',
		webhookBaseUrl: 'http://n8n.example.test/webhook',
		webhookTestBaseUrl: 'http://n8n.example.test/webhook-test',
		webhookWaitingBaseUrl: 'http://n8n.example.test/webhook-waiting',
		formWaitingBaseUrl: 'http://n8n.example.test/form-waiting',
		currentNodeParameters: undefined,
		executionTimeoutTimestamp: undefined,
		userId: 'user',
		setExecutionStatus: () => {},
	} as unknown as IWorkflowExecuteAdditionalData;

	const mode = options.mode ?? 'webhook';
	const webhookDescription = description.webhooks![0];
	const webhookData = {
		httpMethod: 'POST',
		node: node.name,
		path: 'itep-results',
		webhookDescription,
		workflowId: workflow.id,
		workflowExecuteAdditionalData: baseAdditionalData,
	} as IWebhookData;

	// n8n-core takes its logger from its DI container; these read ours instead.
	type CoreLogger = WebhookContext['logger'];
	class CapturingWebhookContext extends WebhookContext {
		override get logger(): CoreLogger {
			return logger as unknown as CoreLogger;
		}
	}
	class CapturingHookContext extends HookContext {
		override get logger(): CoreLogger {
			return logger as unknown as CoreLogger;
		}
	}

	const executions: INodeExecutionData[][][] = [];
	const results: IWebhookResponseData[] = [];
	let failExecutionStarts = options.failExecutionStarts ?? 0;

	const server: Server = createServer((req, res) => {
		void handle(req, res).catch((error: unknown) => {
			if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
			res.end(`harness error: ${String(error)}`);
		});
	});

	async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const parsed = await parseLikeN8n(req, node.typeVersion);
		if (parsed === 'unprocessable') {
			sendJson(res, 422, { code: 422, message: 'Failed to parse request body' });
			return;
		}
		const additionalData = { ...baseAdditionalData, httpRequest: req, httpResponse: res };
		const context = new CapturingWebhookContext(
			workflow,
			workflowNode,
			additionalData as unknown as IWorkflowExecuteAdditionalData,
			mode,
			webhookData,
			[],
			null,
		);
		let result: IWebhookResponseData;
		try {
			result = await nodeType.webhook!.call(context);
		} catch (error) {
			logs.push({ level: 'error', message: `webhook() threw: ${String(error)}` });
			sendJson(res, 500, { message: 'Workflow Webhook Error: Workflow could not be started!' });
			return;
		}
		results.push(result);
		if (result.noWebhookResponse === true) {
			// n8n would send nothing and the client would hang; make that bug visible instead.
			if (!res.writableEnded)
				sendJson(res, 599, { harness: 'noWebhookResponse but no answer written' });
			return;
		}
		if (result.workflowData === undefined) {
			sendJson(res, 200, result.webhookResponse ?? { message: 'Webhook call received' });
			return;
		}
		if (failExecutionStarts > 0) {
			failExecutionStarts--;
			sendJson(res, 500, { code: 0, message: 'There was a problem executing the workflow' });
			return;
		}
		executions.push(result.workflowData);
		// webhook-on-received-response-extractor.js: description responseData (n8n's default when it is left
		// out: the text "firstEntryJson"), 'noData' -> empty, falsy -> webhookResponse or n8n's message.
		const responseData = webhookDescription.responseData ?? 'firstEntryJson';
		if (responseData === 'noData') res.writeHead(200).end();
		else
			sendJson(
				res,
				200,
				responseData || (result.webhookResponse ?? { message: 'Workflow was started' }),
			);
	}

	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;

	return {
		url: `http://127.0.0.1:${port}/webhook/itep-results`,
		executions,
		results,
		logs,
		staticData: workflow.staticData,
		async runLifecycle(method) {
			const context = new CapturingHookContext(
				workflow,
				workflowNode,
				baseAdditionalData,
				mode,
				'activate',
			);
			const lifecycle = nodeType.webhookMethods?.default?.[method];
			if (!lifecycle) throw new Error(`The node has no webhookMethods.default.${method}`);
			return (await lifecycle.call(context)) as boolean;
		},
		close: async () =>
			await new Promise<void>((resolve, reject) =>
				server.close((error) => (error ? reject(error) : resolve())),
			),
	};
}

type ParsedRequest = IncomingMessage & {
	rawBody?: Buffer;
	body?: unknown;
	readRawBody?: () => Promise<void>;
};

/**
 * Body handling of n8n 2.40 (see the module comment). For a typeVersion above 1, n8n parses only JSON, text,
 * urlencoded and XML bodies before the node runs; any other body stays unread, with `req.readRawBody()` (n8n's
 * rawBodyReader middleware) to read it on demand.
 */
async function parseLikeN8n(
	incoming: IncomingMessage,
	typeVersion: number,
): Promise<'ok' | 'unprocessable'> {
	const req = incoming as ParsedRequest;
	const [mediaType, ...parameters] = (req.headers['content-type'] ?? '').split(';');
	const contentType = mediaType.trim().toLowerCase();
	req.readRawBody = async () => {
		if (!req.rawBody) req.rawBody = await readAll(req);
	};
	const parsedBeforeTheNode =
		typeVersion === 1 ||
		contentType === 'multipart/form-data' ||
		['application/json', 'text/plain', 'application/x-www-form-urlencoded'].includes(contentType) ||
		contentType.endsWith('/xml') ||
		contentType.endsWith('+xml');
	if (!parsedBeforeTheNode) return 'ok';
	const bytes = await readAll(req);
	if (contentType === 'multipart/form-data') {
		const boundary = parameters
			.map((parameter) => parameter.trim())
			.find((parameter) => parameter.toLowerCase().startsWith('boundary='))
			?.slice('boundary='.length)
			.replace(/^"|"$/g, '');
		req.body = { data: parseMultipartFields(bytes, boundary ?? ''), files: {} };
		return 'ok';
	}
	req.rawBody = bytes;
	if (!bytes.length) return 'ok';
	const text = bytes.toString('utf8');
	const withoutBom = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
	try {
		if (contentType === 'application/json') req.body = JSON.parse(withoutBom);
		else if (contentType === 'application/x-www-form-urlencoded') {
			req.body = { ...parseQueryString(withoutBom, undefined, undefined, { maxKeys: 1000 }) };
		} else if (contentType === 'text/plain') req.body = text;
	} catch {
		return 'unprocessable';
	}
	return 'ok';
}

/** Text fields of a multipart body, collapsed like n8n's normalizeFormData (one value -> not an array). */
function parseMultipartFields(body: Buffer, boundary: string): Record<string, string | string[]> {
	const fields: Record<string, string[]> = {};
	if (!boundary) return {};
	for (const part of body.toString('utf8').split(`--${boundary}`)) {
		const headerEnd = part.indexOf('\r\n\r\n');
		if (headerEnd < 0) continue;
		const headers = part.slice(0, headerEnd);
		const name = /name="([^"]*)"/i.exec(headers)?.[1];
		if (name === undefined || /filename=/i.test(headers)) continue;
		const value = part.slice(headerEnd + 4).replace(/\r\n$/, '');
		(fields[name] ??= []).push(value);
	}
	return Object.fromEntries(
		Object.entries(fields).map(([name, values]) => [
			name,
			values.length === 1 ? values[0] : values,
		]),
	);
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
	res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
	res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

/** A multipart/form-data body with plain text fields, as a browser or curl -F would send it. */
export function multipartBody(fields: Record<string, string>): {
	body: Buffer;
	contentType: string;
} {
	const boundary = '----itepHarnessBoundary7MA4YWxkTrZu0gW';
	const parts = Object.entries(fields).map(
		([name, value]) =>
			`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
	);
	return {
		body: Buffer.from(`${parts.join('')}--${boundary}--\r\n`, 'utf8'),
		contentType: `multipart/form-data; boundary=${boundary}`,
	};
}
