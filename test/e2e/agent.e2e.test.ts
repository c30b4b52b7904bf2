/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-imports -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * The iTEP node as an AI-agent tool in real n8n (2.x and 1.x), the packed tarball installed as a community
 * package and no extra setting: a Manual Trigger starts n8n's AI Agent, whose chat model is n8n's OpenAI
 * chat-model node with a credential whose Base URL points at a scripted OpenAI-compatible endpoint
 * (devkit/scriptedOpenAi.ts), and whose one tool is the iTEP node (type n8n-nodes-itep.itepTool), GTX, with
 * the candidate's e-mail and name filled by $fromAI(). The script answers the first request with a call of
 * the offered tool, with the candidate it reads in the prompt, and the request that carries the tool's
 * result with a sentence quoting the test ID it finds in that result. Checked against the sandbox's ledger
 * and request log (one test ID, for that candidate) and the endpoint's record of what n8n sent the model.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import {
	E2E_ARTIFACT_DIR,
	e2eVersions,
	executionError,
	ITEP_TOOL_NODE_TYPE,
	manualTrigger,
	nodeOutput,
	timed,
	type CredentialRef,
	type N8nInstance,
	type WorkflowInput,
	type WorkflowNode,
} from '../../devkit/n8n';
import {
	startScriptedOpenAi,
	type ChatCompletionRequest,
	type ChatMessage,
	type ScriptedOpenAi,
	type ScriptedReply,
} from '../../devkit/scriptedOpenAi';
import { startSandbox, type RunningSandbox } from '../../sandbox/server';
import { describeE2e, itepNode, startLine, stopLine } from './support';

const ITEP_KEY = 'e2e-agent-key-7b41';
const OPENAI_KEY = 'sk-e2e-scripted-5d0c8a';
const MODEL = 'gpt-scripted';
const CANDIDATE = { name: 'Ana Lima', email: 'ana.lima@example.org' };
const PROMPT = `Candidate ${CANDIDATE.name} <${CANDIDATE.email}> applied for the nursing programme. Get her an iTEP test ID and tell me what it is.`;

/** The name n8n gives the tool node when it is added from the agent's "+ Tool" (the operation's action). */
const TOOL_NODE = 'Get a test ID in iTEP';
/** What the model sees as the tool's name: the node name with anything outside [A-Za-z0-9_-] made "_". */
const TOOL_NAME = 'Get_a_test_ID_in_iTEP';
/** The node's default tool description for GTX, written out here: the model sees exactly this text. */
const GTX_TOOL_DESCRIPTION =
	'Gets an iTEP English test ID for one candidate and returns it as testId. Each call spends one test ID ' +
	"from the organisation's iTEP inventory: call it once per candidate, never twice for the same candidate. If a call " +
	'fails, report the error instead of calling again: a failed call may still have spent a test ID.';
const EMAIL_HINT = "The candidate's e-mail address";
const NAME_HINT = "The candidate's full name";

/** The scripted model: a call of the one offered tool with the candidate from the prompt, then the answer. */
function script(request: ChatCompletionRequest): ScriptedReply {
	const toolResult = request.messages.find((message) => message.role === 'tool');
	if (!toolResult) {
		const tool = request.tools?.[0];
		const candidate = /Candidate (.+?) <([^>]+)>/.exec(textOf(request.messages, 'user'));
		if (!tool || !candidate)
			return { content: 'SCRIPT: no tool offered or no candidate in the prompt' };
		return {
			toolCalls: [
				{
					name: tool.function.name,
					arguments: { candidate_email: candidate[2], student_name: candidate[1] },
				},
			],
		};
	}
	const content = textOf([toolResult], 'tool');
	const testId = /testId\\*"\s*:\s*\\*"([0-9A-Za-z-]+)/.exec(content)?.[1];
	return {
		content: testId
			? `Done: ${CANDIDATE.name}'s iTEP test ID is ${testId}.`
			: `SCRIPT: no testId in the tool result: ${content}`,
	};
}

function textOf(messages: ChatMessage[], role: ChatMessage['role']): string {
	return messages
		.filter((message) => message.role === role)
		.map((message) =>
			typeof message.content === 'string'
				? message.content
				: (message.content ?? []).map((part) => part.text ?? '').join(''),
		)
		.join('\n');
}

describeE2e.each(e2eVersions())('n8n %s: the iTEP node as an AI-agent tool', (version) => {
	let n8n: N8nInstance;
	let sandbox: RunningSandbox;
	let model: ScriptedOpenAi;
	let itepCredential: CredentialRef;
	let openAiCredential: CredentialRef;
	const timings: Record<string, number> = {};

	beforeAll(async () => {
		[sandbox, model] = await Promise.all([
			startSandbox({ port: 0, apiKeys: [ITEP_KEY], inventorySize: 5 }),
			startScriptedOpenAi({ script, models: [MODEL] }),
		]);
		n8n = await startLine(version, timings, 'agent', [ITEP_TOOL_NODE_TYPE]);
		itepCredential = await n8n.api.createItepCredential(
			{ apiKey: ITEP_KEY, baseUrl: sandbox.url },
			'iTEP agent sandbox',
		);
		openAiCredential = await n8n.api.createCredential('Scripted OpenAI', 'openAiApi', {
			apiKey: OPENAI_KEY,
			organizationId: '',
			url: model.url,
			header: false,
		});
	});

	afterAll(async () => {
		// What n8n sent the model, kept for reading when an assertion fails.
		if (model) {
			fs.mkdirSync(E2E_ARTIFACT_DIR, { recursive: true });
			fs.writeFileSync(
				path.join(E2E_ARTIFACT_DIR, `agent-model-requests-${version}.json`),
				JSON.stringify(model.requests, null, 2),
			);
		}
		await stopLine(n8n, version, timings);
		await Promise.all([sandbox?.close(), model?.close()]);
	});

	test('n8n offers the node as the tool type n8n-nodes-itep.itepTool, with the tool description field', async () => {
		const types = await n8n.api.nodeTypes();
		const tool = types.find((type) => type.name === ITEP_TOOL_NODE_TYPE) as
			| {
					displayName: string;
					outputs: unknown;
					inputs: unknown;
					properties: Array<{ name: string; default?: unknown; displayOptions?: unknown }>;
			  }
			| undefined;
		expect(tool).toBeDefined();
		expect(tool?.displayName).toBe('iTEP Tool');
		expect(tool?.outputs).toEqual(['ai_tool']);
		expect(tool?.inputs).toEqual([]);
		// Ours, one per operation, so n8n adds no "Set Automatically" description of its own.
		const descriptions = tool?.properties.filter((property) => property.name === 'toolDescription');
		expect(descriptions?.map((property) => property.default)).toEqual([
			GTX_TOOL_DESCRIPTION,
			expect.stringContaining('e-mails it'),
		]);
		expect(tool?.properties.some((property) => property.name === 'descriptionType')).toBe(false);
	});

	test('an AI Agent calls the iTEP tool: one test ID provisioned for the candidate the model named, and quoted in its answer', async () => {
		const assignedBefore = new Map(
			sandbox.state.tests.map((test) => [test.testId, JSON.stringify(test.assignedTo)]),
		);
		const { value: execution, ms } = await timed(async () => {
			const workflow = await n8n.api.createWorkflow(
				agentWorkflow(itepCredential, openAiCredential),
			);
			return n8n.api.runManually(workflow.id, 'Manual Trigger', 120_000);
		});
		timings['agent.runMs'] = ms;
		expect(executionError(execution)).toBeUndefined();
		expect(execution.status).toBe('success');

		// The sandbox: exactly one request, signed, and exactly one test ID spent, assigned to the candidate
		// whose e-mail and name the model passed as the tool's arguments.
		expect(sandbox.state.requests).toHaveLength(1);
		const [request] = sandbox.state.requests;
		expect(request).toMatchObject({
			path: '/api/fulfillment',
			status: 200,
			signatureVerified: true,
		});
		expect(sandbox.state.stats.provisioned).toBe(1);
		const spent = sandbox.state.tests.filter(
			(test) => JSON.stringify(test.assignedTo) !== assignedBefore.get(test.testId),
		);
		expect(spent).toHaveLength(1);
		expect(assignedBefore.get(spent[0].testId)).toBe('null');
		const testId = spent[0].testId;
		expect(request.testId).toBe(testId);
		expect(spent[0]).toMatchObject({
			fulfilledVia: 'gtx',
			productCode: 'GTX-Academic-Plus',
			assignedTo: { 'student-name': CANDIDATE.name, email: CANDIDATE.email },
		});
		expect(JSON.parse(request.rawBody)).toMatchObject({
			'product-code': 'GTX-Academic-Plus',
			email: CANDIDATE.email,
		});
		expect(sandbox.state.outbox).toEqual([]);

		// The model endpoint: two chat completions. The first offered exactly the iTEP tool, by the name,
		// description and argument schema n8n derives from the node and its $fromAI() calls.
		const [first, second, ...more] = model.chatRequests();
		expect(more).toEqual([]);
		expect(first.model).toBe(MODEL);
		expect(textOf(first.messages, 'user')).toContain(PROMPT);
		expect(first.tools).toHaveLength(1);
		const offered = first.tools?.[0].function;
		expect(offered?.name).toBe(TOOL_NAME);
		expect(offered?.description).toBe(GTX_TOOL_DESCRIPTION);
		expect(offered?.parameters).toMatchObject({
			type: 'object',
			properties: {
				candidate_email: { type: 'string', description: EMAIL_HINT },
				student_name: { type: 'string', description: NAME_HINT },
			},
		});
		expect([...((offered?.parameters?.required as string[]) ?? [])].sort()).toEqual([
			'candidate_email',
			'student_name',
		]);
		expect(model.requests[0].authorization).toBe(`Bearer ${OPENAI_KEY}`);

		// The second carried the scripted call back and, answering it, the tool's result with the test ID the
		// sandbox spent.
		const call = second.messages.find((message) => message.role === 'assistant')?.tool_calls?.[0];
		expect(call?.function.name).toBe(TOOL_NAME);
		// (n8n adds the call's id to the arguments it sends back.)
		expect(JSON.parse(call?.function.arguments ?? '{}')).toMatchObject({
			candidate_email: CANDIDATE.email,
			student_name: CANDIDATE.name,
		});
		const result = second.messages.find((message) => message.role === 'tool');
		expect(result?.tool_call_id).toBe(call?.id);
		expect(textOf(second.messages, 'tool')).toContain(testId);

		// The agent's answer is the scripted final message, quoting the sandbox's test ID.
		const [answer] = nodeOutput(execution, 'AI Agent');
		expect(answer.output).toBe(`Done: ${CANDIDATE.name}'s iTEP test ID is ${testId}.`);

		// n8n ran the tool node once, and what it recorded is the test ID too.
		const toolRuns = execution.data.resultData.runData[TOOL_NODE];
		expect(toolRuns).toHaveLength(1);
		expect(JSON.stringify(toolRuns[0].data)).toContain(testId);
	});
});

/** Manual Trigger -> AI Agent, with the OpenAI chat model and the iTEP tool attached as n8n's editor does. */
function agentWorkflow(itep: CredentialRef, openAi: CredentialRef): WorkflowInput {
	const trigger = { ...manualTrigger(), id: 'trigger', position: [0, 0] as [number, number] };
	const agent: WorkflowNode = {
		id: 'agent',
		name: 'AI Agent',
		type: '@n8n/n8n-nodes-langchain.agent',
		typeVersion: 3,
		position: [220, 0],
		parameters: { promptType: 'define', text: PROMPT, options: {} },
	};
	const chatModel: WorkflowNode = {
		id: 'model',
		name: 'OpenAI Chat Model',
		type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
		typeVersion: 1.3,
		position: [160, 200],
		parameters: {
			model: { __rl: true, mode: 'id', value: MODEL },
			// Chat Completions (POST /chat/completions), not the Responses API this version defaults to.
			responsesApiEnabled: false,
			options: {},
		},
		credentials: { openAiApi: { id: openAi.id, name: openAi.name } },
	};
	const fromAi = (key: string, hint: string) => `={{ $fromAI('${key}', "${hint}", 'string') }}`;
	const tool: WorkflowNode = {
		...itepNode(TOOL_NODE, itep, {
			operation: 'getTestId',
			productCode: 'GTX-Academic-Plus',
			email: fromAi('candidate_email', EMAIL_HINT),
			assignedTo: {
				candidateName: fromAi('student_name', NAME_HINT),
				candidateEmail: fromAi('candidate_email', EMAIL_HINT),
			},
		}),
		id: 'tool',
		type: ITEP_TOOL_NODE_TYPE,
		position: [380, 200],
	};
	return {
		name: 'e2e: AI Agent with the iTEP tool',
		nodes: [trigger, agent, chatModel, tool],
		connections: {
			[trigger.name]: { main: [[{ node: agent.name, type: 'main', index: 0 }]] },
			[chatModel.name]: {
				ai_languageModel: [[{ node: agent.name, type: 'ai_languageModel', index: 0 }]],
			},
			[tool.name]: { ai_tool: [[{ node: agent.name, type: 'ai_tool', index: 0 }]] },
		},
		settings: {
			executionOrder: 'v1',
			saveManualExecutions: true,
			saveDataSuccessExecution: 'all',
			saveDataErrorExecution: 'all',
		},
	};
}
