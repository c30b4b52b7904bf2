/* eslint-disable @n8n/community-nodes/no-restricted-imports -- development tooling, never published: n8n's rules for node code do not apply */
/** Measurements inside the bench process: the plain-Node floor, the node in n8n-core's context, the trigger's checks. */
import * as http from 'node:http';
import { parse as parseQueryString } from 'node:querystring';

import { ItepApi } from '../credentials/ItepApi.credentials';
import { Itep } from '../nodes/Itep/Itep.node';
import { FULFILLMENT_PATH, DEFAULT_SIGNATURE_HEADER } from '../nodes/shared/protocol';
import { parseResultDelivery } from '../nodes/ItepTrigger/resultPayload';
import { nextSequence } from '../nodes/Itep/helpers/sequence';
import { computeSignature, serializeBody } from '../nodes/shared/signing';
import { verifyWebhookRequest, type WebhookAuthSettings } from '../nodes/ItepTrigger/webhookAuth';
import { DEFAULT_SANDBOX_API_KEY } from '../sandbox/config';
import {
	encodeResultForm,
	RESULT_FORM_CONTENT_TYPE,
	sampleResultData,
} from '../sandbox/resultsData';
import { signDelivery } from '../sandbox/webhookAuth';
import { runNode } from '../devkit/executeContext';
import { PRODUCT_CODE } from './workflows';

const candidate = (i: number) => ({
	name: `Candidate ${i}`,
	email: `candidate${i}@example.com`,
	candidateId: `C-${i}`,
});

/**
 * The floor: `count` fulfillment requests from a plain loop (`concurrency` at once) over one keep-alive agent,
 * each body serialised and signed with the pack's signing module, each answer read and parsed. Returns ms.
 */
export async function floorLoop(
	baseUrl: string,
	count: number,
	concurrency: number,
): Promise<number> {
	const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
	const url = new URL(FULFILLMENT_PATH, baseUrl);
	const send = (i: number) =>
		new Promise<void>((resolve, reject) => {
			const { name, email, candidateId } = candidate(i);
			const body = serializeBody({
				'product-code': PRODUCT_CODE,
				sequence: nextSequence(),
				'assigned-to': { 'student-name': name, email, 'customer-candidate-id': candidateId },
			});
			const request = http.request(url, {
				method: 'POST',
				agent,
				headers: {
					'Content-Type': 'application/json',
					'Content-Length': Buffer.byteLength(body),
					[DEFAULT_SIGNATURE_HEADER]: computeSignature(body, DEFAULT_SANDBOX_API_KEY, 'hex'),
				},
			});
			request.on('response', (response) => {
				const chunks: Buffer[] = [];
				response.on('data', (chunk: Buffer) => chunks.push(chunk));
				response.on('end', () => {
					const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
						'test-id'?: string;
					};
					if (response.statusCode !== 200 || !answer['test-id'])
						reject(new Error(`floor: HTTP ${response.statusCode}`));
					else resolve();
				});
			});
			request.on('error', reject);
			request.end(body);
		});
	const started = performance.now();
	let next = 0;
	const worker = async () => {
		while (next < count) await send(next++);
	};
	await Promise.all(Array.from({ length: concurrency }, worker));
	const ms = performance.now() - started;
	agent.destroy();
	return ms;
}

/** The iTEP node with the bench workflow's parameters, run in n8n-core's real ExecuteContext. Returns ms. */
export async function runNodeInProcess(
	baseUrl: string,
	count: number,
	options: { maxConcurrency?: number; dryRun?: boolean },
): Promise<number> {
	const items = Array.from({ length: count }, (_, i) => ({ json: candidate(i) }));
	const started = performance.now();
	const [output] = await runNode({
		nodeType: new Itep(),
		credentialType: new ItepApi(),
		credentials: {
			apiKey: DEFAULT_SANDBOX_API_KEY,
			baseUrl,
			signatureHeader: DEFAULT_SIGNATURE_HEADER,
			signatureEncoding: 'hex',
		},
		parameters: {
			resource: 'testId',
			operation: 'getTestId',
			productCode: { __rl: true, mode: 'list', value: PRODUCT_CODE },
			assignedTo: {
				candidateName: '={{ $json.name }}',
				candidateEmail: '={{ $json.email }}',
				candidateId: '={{ $json.candidateId }}',
			},
			options,
		},
		items,
	});
	const ms = performance.now() - started;
	const good = output.filter((item) =>
		options.dryRun ? item.json.dryRun : item.json.testId,
	).length;
	if (good !== count)
		throw new Error(
			`runNode: ${good} of ${count} items came back ${options.dryRun ? 'signed' : 'provisioned'}`,
		);
	return ms;
}

/**
 * The trigger's own work per delivery, as receive.ts does it: verify (none, or HMAC over the raw body) and
 * parse + normalise iTEP's form body as n8n hands it over. Up to `iterations`, stopped after `maxMs`.
 */
export function triggerCheckMicros(
	mode: 'none' | 'hmac',
	iterations: number,
	maxMs: number,
): { micros: number; iterations: number } {
	const form = encodeResultForm(sampleResultData({ TestID: '50613490BP' }));
	const rawBody = Buffer.from(form);
	const body = { ...parseQueryString(form) };
	const settings: WebhookAuthSettings =
		mode === 'none'
			? { mode: 'none' }
			: {
					mode: 'hmac',
					headerName: 'X-Itep-Webhook-Signature',
					secrets: ['bench-secret'],
					encoding: 'hex',
				};
	const now = Date.now() / 1000;
	const headers = Object.fromEntries(
		Object.entries(signDelivery(rawBody, settings, now)).map(([name, value]) => [
			name.toLowerCase(),
			value,
		]),
	);
	const once = () => {
		const verdict = verifyWebhookRequest(headers, rawBody, settings, now);
		const parsed = parseResultDelivery({ contentType: RESULT_FORM_CONTENT_TYPE, body, rawBody });
		if (!verdict.ok || !parsed.ok) throw new Error('trigger check refused the bench delivery');
	};
	for (let i = 0; i < 2000; i++) once(); // warm-up
	const started = performance.now();
	let done = 0;
	while (done < iterations) {
		for (let i = 0; i < 1000; i++) once();
		done += 1000;
		if (performance.now() - started > maxMs) break;
	}
	return { micros: ((performance.now() - started) * 1000) / done, iterations: done };
}
