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
	problems.push(...connectionProblems(workflow));
	return problems;
}

/** Connections that name a node the workflow lacks, and node names used twice (n8n keys both by name). */
function connectionProblems(workflow: WorkflowInput): string[] {
	const problems: string[] = [];
	const names = new Set<string>();
	for (const node of workflow.nodes) {
		if (names.has(node.name)) problems.push(`"${node.name}": two nodes have this name`);
		names.add(node.name);
	}
	for (const [source, outputs] of Object.entries(workflow.connections)) {
		if (!names.has(source)) problems.push(`connection from "${source}", which is not a node`);
		for (const slots of Object.values(outputs as Record<string, unknown[]>)) {
			for (const targets of slots) {
				for (const target of (targets as Array<{ node: string }> | null) ?? []) {
					if (!names.has(target.node)) {
						problems.push(`connection from "${source}" to "${target.node}", which is not a node`);
					}
				}
			}
		}
	}
	return problems;
}
