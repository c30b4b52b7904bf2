import { templateProblems } from '../../../devkit/n8n/templates';
import type { WorkflowInput, WorkflowNode } from '../../../devkit/n8n/workflows';
import { Itep } from '../../../nodes/Itep/Itep.node';

const descriptions = [{ ...new Itep().description, name: 'n8n-nodes-itep.itep' }];

const stx = (parameters: Record<string, unknown>, typeVersion = 1): WorkflowNode => ({
	name: 'STX',
	type: 'n8n-nodes-itep.itep',
	typeVersion,
	parameters: {
		resource: 'testId',
		operation: 'sendTestId',
		productCode: { __rl: true, mode: 'list', value: 'STX-Academic-Plus' },
		...parameters,
	},
});

const workflow = (...nodes: WorkflowNode[]): WorkflowInput => ({
	name: 't',
	nodes,
	connections: {},
});

describe('templateProblems', () => {
	test('a node with its required parameters set has no problems', () => {
		expect(templateProblems(workflow(stx({ email: '={{ $json.email }}' })), descriptions)).toEqual(
			[],
		);
	});

	test('a required parameter left empty is reported with the node and parameter name', () => {
		const problems = templateProblems(workflow(stx({})), descriptions);
		expect(problems).toHaveLength(1);
		expect(problems[0]).toMatch(/^"STX": \{"email":\[".*"\]\}$/);
	});

	test('a version or a node type the instance lacks is reported', () => {
		expect(
			templateProblems(
				workflow(stx({ email: 'a@example.com' }, 2), {
					name: 'Other',
					type: 'n8n-nodes-base.nope',
					typeVersion: 1,
					parameters: {},
				}),
				descriptions,
			),
		).toEqual([
			'"STX": n8n-nodes-itep.itep version 2 is not in this n8n (it has 1)',
			'"Other": n8n-nodes-base.nope version 1 is not in this n8n',
		]);
	});

	test('connections to a node that is not there, and a name used twice, are reported', () => {
		const node = stx({ email: 'a@example.com' });
		expect(
			templateProblems(
				{
					name: 't',
					nodes: [node, { ...node }],
					connections: {
						STX: { main: [[{ node: 'Renamed', type: 'main', index: 0 }]] },
						Gone: { main: [[{ node: 'STX', type: 'main', index: 0 }]] },
					},
				},
				descriptions,
			),
		).toEqual([
			'"STX": two nodes have this name',
			'connection from "STX" to "Renamed", which is not a node',
			'connection from "Gone", which is not a node',
		]);
	});
});
