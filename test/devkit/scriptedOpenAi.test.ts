/**
 * The scripted OpenAI-compatible endpoint the agent e2e test points n8n's OpenAI chat-model node at: it
 * answers chat completions with what the script says (plain JSON or server-sent events), lists models, and
 * records every request.
 */
import {
	startScriptedOpenAi,
	type ChatCompletionRequest,
	type ScriptedOpenAi,
} from '../../devkit/scriptedOpenAi';

describe('scripted OpenAI endpoint', () => {
	let endpoint: ScriptedOpenAi;
	const seen: Array<{ turn: number; request: ChatCompletionRequest }> = [];
	beforeEach(async () => {
		seen.length = 0;
		endpoint = await startScriptedOpenAi({
			models: ['gpt-scripted', 'gpt-other'],
			script: (request, turn) => {
				seen.push({ turn, request });
				return request.messages.some((message) => message.role === 'tool')
					? { content: 'done' }
					: { toolCalls: [{ name: 'lookup', arguments: { q: 'x' } }] };
			},
		});
	});
	afterEach(async () => endpoint.close());

	const post = (body: unknown) =>
		fetch(`${endpoint.url}/chat/completions`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
			body: JSON.stringify(body),
		});

	it('answers a chat completion with the scripted tool call, then with the scripted text', async () => {
		const first = await post({
			model: 'gpt-scripted',
			messages: [{ role: 'user', content: 'hi' }],
		});
		expect(first.status).toBe(200);
		const firstBody = (await first.json()) as {
			choices: Array<{ message: Record<string, unknown>; finish_reason: string }>;
		};
		expect(firstBody.choices[0]).toMatchObject({
			finish_reason: 'tool_calls',
			message: {
				role: 'assistant',
				content: null,
				tool_calls: [
					{
						id: 'call_scripted_1',
						type: 'function',
						function: { name: 'lookup', arguments: '{"q":"x"}' },
					},
				],
			},
		});

		const second = await post({
			model: 'gpt-scripted',
			messages: [
				{ role: 'user', content: 'hi' },
				{ role: 'tool', tool_call_id: 'call_scripted_1', content: '{"a":1}' },
			],
		});
		const secondBody = (await second.json()) as {
			choices: Array<{ message: Record<string, unknown>; finish_reason: string }>;
		};
		expect(secondBody.choices[0]).toMatchObject({
			finish_reason: 'stop',
			message: { role: 'assistant', content: 'done' },
		});
		expect(secondBody.choices[0].message).not.toHaveProperty('tool_calls');

		expect(seen.map((entry) => entry.turn)).toEqual([0, 1]);
		expect(endpoint.chatRequests()).toHaveLength(2);
		expect(endpoint.chatRequests()[1].messages[1]).toEqual({
			role: 'tool',
			tool_call_id: 'call_scripted_1',
			content: '{"a":1}',
		});
		expect(endpoint.requests[0]).toMatchObject({
			method: 'POST',
			path: '/chat/completions',
			authorization: 'Bearer k',
			status: 200,
		});
	});

	it('streams the same answer as chat.completion.chunk events ending in [DONE]', async () => {
		const response = await post({
			model: 'gpt-scripted',
			stream: true,
			messages: [{ role: 'user', content: 'hi' }],
		});
		expect(response.headers.get('content-type')).toBe('text/event-stream');
		const events = (await response.text())
			.split('\n\n')
			.filter(Boolean)
			.map((event) => event.replace(/^data: /, ''));
		expect(events.at(-1)).toBe('[DONE]');
		const chunks = events.slice(0, -1).map(
			(event) =>
				JSON.parse(event) as {
					object: string;
					choices: Array<{ delta: Record<string, unknown>; finish_reason: string | null }>;
				},
		);
		expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
		const deltas = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta));
		expect(deltas).toContainEqual({
			tool_calls: [
				{
					index: 0,
					id: 'call_scripted_1',
					type: 'function',
					function: { name: 'lookup', arguments: '{"q":"x"}' },
				},
			],
		});
		expect(chunks.flatMap((chunk) => chunk.choices.map((c) => c.finish_reason))).toContain(
			'tool_calls',
		);
	});

	it('lists its models and refuses what it does not implement', async () => {
		const models = await fetch(`${endpoint.url}/models`);
		expect(await models.json()).toMatchObject({
			object: 'list',
			data: [{ id: 'gpt-scripted' }, { id: 'gpt-other' }],
		});
		expect((await fetch(`${endpoint.url}/embeddings`, { method: 'POST' })).status).toBe(404);
		expect((await post({ model: 'gpt-scripted' })).status).toBe(400);
		expect(endpoint.chatRequests()).toHaveLength(0);
		expect(seen).toHaveLength(0);
	});
});
