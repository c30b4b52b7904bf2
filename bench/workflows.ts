/**
 * The workflows under test, built with the e2e harness's helpers. Both provisioning workflows start from the
 * same Code node (N candidates) and send byte-for-byte the same kind of body: iTEP's compact JSON with
 * product-code, sequence and assigned-to, signed with HMAC-SHA256 (hex) under the same key.
 */
import { randomUUID } from 'node:crypto';

import { FULFILLMENT_PATH, DEFAULT_SIGNATURE_HEADER } from '../nodes/shared/protocol';
import {
	chain,
	ITEP_NODE_TYPE,
	ITEP_TRIGGER_NODE_TYPE,
	manualTrigger,
	webhookNode,
	type CredentialRef,
	type WorkflowInput,
	type WorkflowNode,
} from '../devkit/n8n';
import { PRODUCT_TYPE } from './sandbox';

export const PRODUCT_CODE = `GTX-${PRODUCT_TYPE}`;

function codeNode(name: string, jsCode: string): WorkflowNode {
	return {
		name,
		type: 'n8n-nodes-base.code',
		typeVersion: 2,
		parameters: { mode: 'runOnceForAllItems', language: 'javaScript', jsCode },
	};
}

/** Manual Trigger -> Code emitting `count` candidates {name, email, candidateId}. */
function candidates(count: number): WorkflowNode[] {
	return [
		manualTrigger(),
		codeNode(
			'Candidates',
			`return Array.from({ length: ${count} }, (_, i) => ({ json: { name: 'Candidate ' + i, email: 'candidate' + i + '@example.com', candidateId: 'C-' + i } }));`,
		),
	];
}

const ref = (credential: CredentialRef) => ({ id: credential.id, name: credential.name });

/** Manual Trigger -> Code -> iTEP (GTX, Assigned To from the item); `dryRun` builds and signs without sending. */
export function itepWorkflow(
	name: string,
	count: number,
	credential: CredentialRef,
	maxConcurrency: number,
	dryRun = false,
): WorkflowInput {
	return chain(name, [
		...candidates(count),
		{
			name: 'iTEP',
			type: ITEP_NODE_TYPE,
			typeVersion: 1,
			parameters: {
				resource: 'testId',
				operation: 'getTestId',
				productCode: { __rl: true, mode: 'list', value: PRODUCT_CODE },
				assignedTo: {
					candidateName: '={{ $json.name }}',
					candidateEmail: '={{ $json.email }}',
					candidateId: '={{ $json.candidateId }}',
				},
				options: dryRun ? { maxConcurrency, dryRun } : { maxConcurrency },
			},
			credentials: { itepApi: ref(credential) },
		},
	]);
}

/**
 * What an ops person builds without the pack: Code (compact body, unique sequence) -> Crypto (HMAC-SHA256
 * hex, key in a Crypto credential) -> HTTP Request (POST the same string, signature header). The HTTP Request
 * node at its defaults sends all items at once (no batching); `batching` sets its Options -> Batching
 * (items per batch, interval in ms), as P3' does.
 */
export function diyWorkflow(
	name: string,
	count: number,
	crypto: CredentialRef,
	sandboxUrl: string,
	batching?: { batchSize: number; batchInterval: number },
): WorkflowInput {
	return chain(name, [
		...candidates(count),
		codeNode(
			'Build body',
			[
				'const base = Date.now() * 1000;',
				'return $input.all().map((item, i) => ({ json: { body: JSON.stringify({',
				`  'product-code': '${PRODUCT_CODE}', sequence: base + i,`,
				"  'assigned-to': { 'student-name': item.json.name, email: item.json.email, 'customer-candidate-id': item.json.candidateId },",
				'}) } }));',
			].join('\n'),
		),
		{
			name: 'Crypto',
			type: 'n8n-nodes-base.crypto',
			typeVersion: 2,
			parameters: {
				action: 'hmac',
				binaryData: false,
				type: 'SHA256',
				value: '={{ $json.body }}',
				dataPropertyName: 'signature',
				encoding: 'hex',
			},
			credentials: { crypto: ref(crypto) },
		},
		{
			name: 'HTTP Request',
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.5,
			parameters: {
				method: 'POST',
				url: `${sandboxUrl}${FULFILLMENT_PATH}`,
				sendHeaders: true,
				specifyHeaders: 'keypair',
				headerParameters: {
					parameters: [{ name: DEFAULT_SIGNATURE_HEADER, value: '={{ $json.signature }}' }],
				},
				sendBody: true,
				contentType: 'raw',
				rawContentType: 'application/json',
				body: '={{ $json.body }}',
				options: batching ? { batching: { batch: batching } } : {},
			},
		},
	]);
}

/**
 * A published iTEP Trigger: no authentication, event Completed, duplicate suppression off. Version 1.1 is what a
 * user adding the node gets; version 1 (saved workflows) also makes n8n evaluate its legacy
 * `$parameter["options"]["binaryData"]` expression for every request.
 */
export function triggerWorkflow(
	name: string,
	path: string,
	typeVersion: 1 | 1.1 = 1.1,
): WorkflowInput {
	return chain(name, [
		{
			name: 'iTEP Trigger',
			type: ITEP_TRIGGER_NODE_TYPE,
			typeVersion,
			webhookId: randomUUID(),
			parameters: {
				path,
				authentication: 'none',
				events: ['completed'],
				suppressDuplicates: false,
			},
		},
	]);
}

/** The bare Webhook node equivalent: POST, answers on receipt. */
export function webhookWorkflow(name: string, path: string): WorkflowInput {
	return chain(name, [webhookNode('Webhook', path, { responseMode: 'onReceived' })]);
}

/** The bench's own minimal node (bench/minimal-node/), loaded from n8n's custom extensions folder. */
export const MINIMAL_SENDER_NODE_TYPE = 'CUSTOM.benchMinimalSender';

/**
 * Manual Trigger -> Code -> the bench's minimal sender (P2'): the same candidates, the same three Assigned To
 * expressions and the same iTEP API credential as `itepWorkflow`, and nothing else.
 */
export function minimalSenderWorkflow(
	name: string,
	count: number,
	credential: CredentialRef,
	maxConcurrency: number,
): WorkflowInput {
	return chain(name, [
		...candidates(count),
		{
			name: 'Minimal',
			type: MINIMAL_SENDER_NODE_TYPE,
			typeVersion: 1,
			parameters: {
				productCode: PRODUCT_CODE,
				assignedTo: {
					candidateName: '={{ $json.name }}',
					candidateEmail: '={{ $json.email }}',
					candidateId: '={{ $json.candidateId }}',
				},
				maxConcurrency,
			},
			credentials: { itepApi: ref(credential) },
		},
	]);
}

/** The node type n8n gives bench/minimal-trigger/BenchMinimalTrigger.node.js when it loads it as a custom extension. */
export const MINIMAL_TRIGGER_NODE_TYPE = 'CUSTOM.benchMinimalTrigger';

/** P4': the bench's own minimal trigger (the iTEP Trigger's webhook registration, no verification or parsing). */
export function minimalTriggerWorkflow(name: string, path: string): WorkflowInput {
	return chain(name, [
		{
			name: 'Minimal Trigger',
			type: MINIMAL_TRIGGER_NODE_TYPE,
			typeVersion: 1.1,
			webhookId: randomUUID(),
			parameters: { path },
		},
	]);
}
