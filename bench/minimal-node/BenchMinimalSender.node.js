'use strict';
/**
 * Bench only, never published (bench/ is outside package.json "files"): the floor any n8n node pays to send
 * the iTEP fulfillment request, for BENCHMARKS.md row P2'. One signed POST per item through n8n's HTTP helper
 * (`this.helpers.httpRequest`), nothing else: no validation, no outcome mapping, no Dry Run, no retries.
 *
 * - The same body fields as the iTEP node sends for GTX, serialised once as compact JSON; HMAC-SHA256 (hex)
 *   of exactly those bytes in the X-Itep-Signature header, keyed with the iTEP API credential's API key.
 * - The credential is read once per run, as the iTEP node does; Assigned To is one collection of three
 *   fields, read once per item as the iTEP node reads its own, which the bench fills with P1's three
 *   expressions.
 * - Max Concurrent Requests: at most that many requests in flight, like the iTEP node's option.
 *
 * Plain CommonJS so n8n loads it as it is: the bench points N8N_CUSTOM_EXTENSIONS at this folder, n8n's
 * CustomDirectoryLoader picks up every `*.node.js` in it and registers this class as `CUSTOM.benchMinimalSender`
 * (the class name must match the file name). It requires nothing from n8n, so it works with any n8n copy.
 */
const { createHmac } = require('node:crypto');

/** Unique per process and increasing, which is all the sandbox's replay check asks of a sequence. */
let lastSequence = 0;
const nextSequence = () => (lastSequence = Math.max(lastSequence + 1, Date.now() * 1000));

class BenchMinimalSender {
	constructor() {
		this.description = {
			displayName: 'Bench Minimal Sender',
			name: 'benchMinimalSender',
			group: ['transform'],
			version: 1,
			description: 'Bench only: one signed iTEP fulfillment POST per item, no validation',
			defaults: { name: 'Bench Minimal Sender' },
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: 'itepApi', required: true }],
			properties: [
				{ displayName: 'Product Code', name: 'productCode', type: 'string', default: '' },
				{
					displayName: 'Assigned To',
					name: 'assignedTo',
					type: 'collection',
					default: {},
					options: [
						{ displayName: 'Candidate Name', name: 'candidateName', type: 'string', default: '' },
						{ displayName: 'Candidate Email', name: 'candidateEmail', type: 'string', default: '' },
						{ displayName: 'Candidate ID', name: 'candidateId', type: 'string', default: '' },
					],
				},
				{
					displayName: 'Max Concurrent Requests',
					name: 'maxConcurrency',
					type: 'number',
					default: 1,
				},
			],
		};
	}

	async execute() {
		const items = this.getInputData();
		const credential = await this.getCredentials('itepApi', 0);
		const baseUrl = String(credential.baseUrl).replace(/\/+$/, '');
		const apiKey = String(credential.apiKey);
		const limit = Math.max(1, Math.floor(Number(this.getNodeParameter('maxConcurrency', 0))) || 1);

		const send = async (i) => {
			// One read of the collection, as the iTEP node reads its Assigned To (n8n resolves the three expressions
			// in one call; three separate reads cost measurably more on n8n 2.40.7).
			const assignedTo = this.getNodeParameter('assignedTo', i, {});
			const body = JSON.stringify({
				'product-code': this.getNodeParameter('productCode', i),
				sequence: nextSequence(),
				'assigned-to': {
					'student-name': assignedTo.candidateName,
					email: assignedTo.candidateEmail,
					'customer-candidate-id': assignedTo.candidateId,
				},
			});
			const response = await this.helpers.httpRequest({
				method: 'POST',
				url: `${baseUrl}/api/fulfillment`,
				headers: {
					'Content-Type': 'application/json',
					'X-Itep-Signature': createHmac('sha256', apiKey).update(body).digest('hex'),
				},
				body,
				json: true,
				timeout: 30000,
				ignoreHttpStatusErrors: true,
				disableFollowRedirect: true,
				returnFullResponse: true,
			});
			return {
				json: { statusCode: response.statusCode, ...response.body },
				pairedItem: { item: i },
			};
		};

		const output = new Array(items.length);
		let next = 0;
		const worker = async () => {
			while (next < items.length) {
				const i = next++;
				output[i] = await send(i);
			}
		};
		await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
		return [output];
	}
}

module.exports = { BenchMinimalSender };
