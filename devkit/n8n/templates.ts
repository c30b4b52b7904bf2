/**
 * What n8n's editor would flag in a template once imported into a given n8n: node types (and versions) the
 * instance does not have, and parameter issues, found with n8n-workflow's own NodeHelpers against the node
 * descriptions that instance serves (GET /types/nodes.json), after filling in defaults as the editor does.
 */
import {
	NodeHelpers,
	type INode,
	type INodeParameters,
	type INodeTypeDescription,
} from 'n8n-workflow';

import type { WorkflowInput } from './workflows';

export function templateProblems(
	workflow: WorkflowInput,
	nodeTypes: ReadonlyArray<{ name: string; version: number | number[] }>,
): string[] {
	const problems: string[] = [];
	for (const node of workflow.nodes) {
		const description = nodeTypes.find(
			(type) =>
				type.name === node.type &&
				(Array.isArray(type.version) ? type.version : [type.version]).includes(node.typeVersion),
		) as INodeTypeDescription | undefined;
		if (!description) {
			const versions = nodeTypes
				.filter((type) => type.name === node.type)
				.flatMap((type) => (Array.isArray(type.version) ? type.version : [type.version]));
			problems.push(
				`"${node.name}": ${node.type} version ${node.typeVersion} is not in this n8n${versions.length ? ` (it has ${versions.join(', ')})` : ''}`,
			);
			continue;
		}
		const asNode = {
			...node,
			id: node.id ?? node.name,
			position: node.position ?? [0, 0],
			parameters: node.parameters as INodeParameters,
		} as INode;
		const parameters = NodeHelpers.getNodeParameters(
			description.properties,
			asNode.parameters,
			true,
			false,
			asNode,
			description,
		);
		const issues = NodeHelpers.getNodeParametersIssues(
			description.properties,
			{ ...asNode, parameters: parameters ?? {} },
			description,
		);
		if (issues?.parameters && Object.keys(issues.parameters).length) {
			problems.push(`"${node.name}": ${JSON.stringify(issues.parameters)}`);
		}
	}
	return problems;
}
