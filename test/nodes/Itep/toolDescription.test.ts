/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * What an AI agent's model is told about the iTEP node as a tool. n8n offers a `usableAsTool` node as a second
 * type named `<type>Tool`; its tool description is the node's `toolDescription` parameter, or, when that is
 * empty, "<operation action> in <node name>" (n8n-workflow's NodeHelpers.getToolDescriptionForNode, called
 * here as n8n calls it). The node brings its own `toolDescription`, shown only in the tool type, with a
 * default per operation that says what one call spends. The real-n8n proof is test/e2e/agent.e2e.test.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { NodeHelpers, type INode, type INodeParameters } from 'n8n-workflow';

import { Itep } from '../../../nodes/Itep/Itep.node';

const node = new Itep();
/** The description as n8n's tool type carries it: same properties, name ending in "Tool". */
const toolType = { ...node.description, name: `${node.description.name}Tool` };

const GTX_TEXT =
	'Gets an iTEP English test ID for one candidate and returns it as testId. Each call spends one test ID ' +
	"from the organisation's iTEP inventory: call it once per candidate, never twice for the same candidate. If a call " +
	'fails, report the error instead of calling again: a failed call may still have spent a test ID.';
const STX_TEXT =
	"Sends an iTEP English test to one candidate: iTEP takes a test ID from the organisation's inventory and " +
	"e-mails it, with the test instructions, to the candidate's e-mail address; the test ID is returned as testId. " +
	'Each call spends one test ID and sends one e-mail: call it once per candidate, never twice for the same ' +
	'candidate. If a call fails, report the error instead of calling again: a failed call may still have spent a ' +
	'test ID and sent the e-mail.';

/** The parameters n8n resolves for a saved node (defaults of every shown field filled in), as its Workflow does. */
function resolvedParameters(
	description: typeof node.description,
	saved: INodeParameters,
): INodeParameters {
	const asNode = { parameters: saved, typeVersion: 1 } as unknown as INode;
	return (
		NodeHelpers.getNodeParameters(
			description.properties,
			saved,
			true,
			false,
			asNode,
			description,
		) ?? {}
	);
}

function toolDescriptionFor(saved: INodeParameters): string {
	const parameters = resolvedParameters(toolType, saved);
	const toolNode = {
		name: 'Get a test ID in iTEP',
		type: 'n8n-nodes-itep.itepTool',
		typeVersion: 1,
		position: [0, 0],
		parameters,
	} as INode;
	return NodeHelpers.getToolDescriptionForNode(toolNode, { description: toolType } as never);
}

describe('the iTEP node as an AI-agent tool', () => {
	it('is usable as a tool', () => {
		expect(node.description.usableAsTool).toBe(true);
	});

	it('tells the model per operation what a call does and what it spends', () => {
		expect(toolDescriptionFor({ resource: 'testId', operation: 'getTestId' })).toBe(GTX_TEXT);
		expect(toolDescriptionFor({ resource: 'testId', operation: 'sendTestId' })).toBe(STX_TEXT);
	});

	it("uses the workflow's own text when the user edits it, and n8n's short one when it is emptied", () => {
		expect(
			toolDescriptionFor({
				resource: 'testId',
				operation: 'getTestId',
				toolDescription: 'Get a placement test ID',
			}),
		).toBe('Get a placement test ID');
		expect(
			toolDescriptionFor({ resource: 'testId', operation: 'getTestId', toolDescription: ' ' }),
		).toBe('Get a test ID in iTEP');
		expect(
			toolDescriptionFor({ resource: 'testId', operation: 'sendTestId', toolDescription: '' }),
		).toBe('Send a test ID to a candidate in iTEP');
	});

	it('shows the field only in the tool type, so the action node saves no tool description', () => {
		const asAction = resolvedParameters(node.description, {
			resource: 'testId',
			operation: 'getTestId',
		});
		expect(asAction).not.toHaveProperty('toolDescription');
		expect(asAction).toHaveProperty('productCode');
		const asTool = resolvedParameters(toolType, { resource: 'testId', operation: 'getTestId' });
		expect(asTool.toolDescription).toBe(GTX_TEXT);
	});

	it("is quoted word for word in the README's AI-agent section", () => {
		const readme = fs
			.readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8')
			.replace(/\s+/g, ' ');
		expect(readme).toContain(`*"${GTX_TEXT}"*`);
	});

	it("has one toolDescription per operation, so n8n adds no 'Set Automatically' description of its own", () => {
		const fields = node.description.properties.filter(
			(property) => property.name === 'toolDescription',
		);
		expect(fields.map((field) => field.displayOptions?.show)).toEqual([
			{ resource: ['testId'], operation: ['getTestId'], '@tool': [true] },
			{ resource: ['testId'], operation: ['sendTestId'], '@tool': [true] },
		]);
	});
});
