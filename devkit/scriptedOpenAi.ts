/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * A scripted stand-in for OpenAI's Chat Completions API, for tests that run n8n's AI Agent with n8n's OpenAI
 * chat-model node: point an OpenAI credential's Base URL at `url` and every call the model node makes lands
 * here. Each POST /chat/completions is recorded and answered by the test's `script` (a tool call or a final
 * message), plainly or, when the request asks for `stream: true`, as server-sent events. GET /models lists
 * the scripted model names (the credential test and the model list search call it). Nothing is generated:
 * what the "model" says is exactly what the script returns for what it was sent.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One message of a chat-completions request, as OpenAI's API defines it (only the fields tests read). */
export interface ChatMessage {
	role: 'system' | 'developer' | 'user' | 'assistant' | 'tool';
	content: string | null | Array<{ type: string; text?: string }>;
	tool_calls?: ChatToolCall[];
	tool_call_id?: string;
	name?: string;
}

export interface ChatToolCall {
	id: string;
	type: 'function';
	function: { name: string; arguments: string };
}

/** A function tool offered to the model: name, description and the JSON schema of its arguments. */
export interface ChatTool {
	type: 'function';
	function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

export interface ChatCompletionRequest {
	model: string;
	messages: ChatMessage[];
	tools?: ChatTool[];
	stream?: boolean;
	[key: string]: unknown;
}

/** What the script makes the model answer: text, or calls of tools by name with their arguments. */
export type ScriptedReply =
	{ content: string } | { toolCalls: Array<{ name: string; arguments: Record<string, unknown> }> };

/** Every HTTP request the endpoint received, whatever its path. */
export interface RecordedRequest {
	method: string;
	path: string;
	authorization: string | undefined;
	/** The body parsed as JSON, or undefined when there was none or it was not JSON. */
	body: unknown;
	/** What the endpoint answered: the reply for a chat completion, else the status sent. */
	reply?: ScriptedReply;
	status: number;
}

export interface ScriptedOpenAiOptions {
	/** Decides each chat completion's answer from the request; `turn` counts chat completions from 0. */
	script: (request: ChatCompletionRequest, turn: number) => ScriptedReply;
	/** Model ids GET /models lists (default: ['gpt-scripted']). */
	models?: string[];
}

export interface ScriptedOpenAi {
	/** Base URL for the OpenAI credential, ending in /v1 like OpenAI's own. */
	url: string;
	requests: RecordedRequest[];
	/** The chat-completion request bodies, in order. */
	chatRequests(): ChatCompletionRequest[];
	close(): Promise<void>;
}

/** Starts the endpoint on 127.0.0.1 on a free port. */
export async function startScriptedOpenAi(options: ScriptedOpenAiOptions): Promise<ScriptedOpenAi> {
	const models = options.models ?? ['gpt-scripted'];
	const requests: RecordedRequest[] = [];
	let turn = 0;
	let callNumber = 0;

	const server = createServer((req, res) => {
		void handle(req, res).catch((error: unknown) => {
			send(res, 500, { error: { message: String(error), type: 'scripted_endpoint_error' } });
		});
	});

	async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const raw = await readBody(req);
		const path = new URL(req.url ?? '/', 'http://scripted.local').pathname.replace(/^\/v1/, '');
		const record: RecordedRequest = {
			method: req.method ?? 'GET',
			path,
			authorization: req.headers.authorization,
			body: parseJson(raw),
			status: 200,
		};
		requests.push(record);

		if (record.method === 'GET' && path === '/models') {
			send(res, 200, {
				object: 'list',
				data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'scripted' })),
			});
			return;
		}
		if (record.method !== 'POST' || path !== '/chat/completions') {
			record.status = 404;
			send(res, 404, {
				error: {
					message: `The scripted endpoint has no ${record.method} ${path}`,
					type: 'invalid_request_error',
				},
			});
			return;
		}
		const request = record.body as ChatCompletionRequest | undefined;
		if (!request || !Array.isArray(request.messages)) {
			record.status = 400;
			send(res, 400, {
				error: { message: 'Expected a JSON body with messages', type: 'invalid_request_error' },
			});
			return;
		}
		let reply: ReturnType<typeof options.script>;
		try {
			reply = options.script(request, turn++);
		} catch (error) {
			// Answered 500 by the caller of handle(); the record says so too.
			record.status = 500;
			throw error;
		}
		record.reply = reply;
		const toolCalls =
			'toolCalls' in reply
				? reply.toolCalls.map((call): ChatToolCall => ({
						id: `call_scripted_${++callNumber}`,
						type: 'function',
						function: { name: call.name, arguments: JSON.stringify(call.arguments) },
					}))
				: undefined;
		const content = 'content' in reply ? reply.content : null;
		const finishReason = toolCalls ? 'tool_calls' : 'stop';
		const id = `chatcmpl-scripted-${turn}`;
		const usage = { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 };
		if (request.stream === true) {
			streamReply(res, { id, model: request.model, content, toolCalls, finishReason, usage });
			return;
		}
		send(res, 200, {
			id,
			object: 'chat.completion',
			created: Math.floor(Date.now() / 1000),
			model: request.model,
			choices: [
				{
					index: 0,
					message: { role: 'assistant', content, ...(toolCalls ? { tool_calls: toolCalls } : {}) },
					logprobs: null,
					finish_reason: finishReason,
				},
			],
			usage,
		});
	}

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
	const { port } = server.address() as AddressInfo;

	return {
		url: `http://127.0.0.1:${port}/v1`,
		requests,
		chatRequests: () =>
			requests
				.filter((request) => request.path === '/chat/completions' && request.reply)
				.map((request) => request.body as ChatCompletionRequest),
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}

/** The same answer as chat.completion.chunk events: role, then content or tool calls, then the finish. */
function streamReply(
	res: ServerResponse,
	reply: {
		id: string;
		model: string;
		content: string | null;
		toolCalls: ChatToolCall[] | undefined;
		finishReason: string;
		usage: Record<string, number>;
	},
): void {
	res.writeHead(200, {
		'content-type': 'text/event-stream',
		'cache-control': 'no-cache',
		connection: 'keep-alive',
	});
	const created = Math.floor(Date.now() / 1000);
	const chunk = (delta: Record<string, unknown>, finishReason: string | null) =>
		`data: ${JSON.stringify({
			id: reply.id,
			object: 'chat.completion.chunk',
			created,
			model: reply.model,
			choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
		})}\n\n`;
	res.write(chunk({ role: 'assistant', content: reply.toolCalls ? null : '' }, null));
	if (reply.toolCalls) {
		reply.toolCalls.forEach((call, index) =>
			res.write(chunk({ tool_calls: [{ index, ...call }] }, null)),
		);
	} else if (reply.content) {
		res.write(chunk({ content: reply.content }, null));
	}
	res.write(chunk({}, reply.finishReason));
	res.write(
		`data: ${JSON.stringify({ id: reply.id, object: 'chat.completion.chunk', created, model: reply.model, choices: [], usage: reply.usage })}\n\n`,
	);
	res.end('data: [DONE]\n\n');
}

function send(res: ServerResponse, status: number, body: unknown): void {
	if (res.headersSent) {
		res.end();
		return;
	}
	res.writeHead(status, { 'content-type': 'application/json' });
	res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
	if (!text) return undefined;
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}
