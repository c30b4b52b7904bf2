/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- development tooling, never published: n8n's rules for node code do not apply */
import { request as httpRequest, type IncomingMessage } from 'http';
import { request as httpsRequest } from 'https';

import type { TrackingCodeConfig } from './config';
import type { DeliveryOutcome, DeliveryRecord } from './deliveries';
import { encodeResultForm, RESULT_FORM_CONTENT_TYPE } from './resultsData';
import { applyResultVariant, RESULT_VARIANTS, type ResultVariantName } from './resultVariants';
import type { SandboxState } from './state';
import { signDelivery } from './webhookAuth';

export type { DeliveryAttempt, DeliveryOutcome, DeliveryRecord } from './deliveries';

export const RESPONSE_SNIPPET_CHARS = 500;

/**
 * Sends results webhooks like a real sender: the configured authentication over the exact bytes, retries on
 * non-2xx and timeouts with exponential backoff, a bounded number of attempts, every attempt recorded.
 */
export class WebhookSender {
	private readonly pending = new Set<Promise<unknown>>();
	private readonly controllers = new Set<AbortController>();

	constructor(private readonly state: SandboxState) {}

	/**
	 * Queues the delivery of one event (twice with the duplicateDeliveries knob). The records are in
	 * state.deliveries at once; `settled` resolves when every copy has finished.
	 */
	deliver(
		testId: string,
		event: string,
		testStatus: string,
		trackingCodeName: string,
		data: Record<string, unknown>,
	): { records: DeliveryRecord[]; settled: Promise<DeliveryRecord[]> } {
		const trackingCode = this.state.trackingCodes.get(trackingCodeName);
		const copies = this.state.knobs.duplicateDeliveries && trackingCode ? 2 : 1;
		// One variant per event: both copies of a duplicated delivery carry the same bytes.
		const variant = this.nextVariant();
		const sent = applyResultVariant(variant, data);
		// iTEP's documented envelope: ONE form-encoded field named `data` holding the results as a JSON string.
		const body = encodeResultForm(sent);
		const records: DeliveryRecord[] = [];
		for (let copy = 1; copy <= copies; copy++) {
			const record: DeliveryRecord = {
				id: this.state.nextId.delivery++,
				testId,
				event,
				testStatus,
				trackingCode: trackingCodeName,
				url: trackingCode?.url ?? null,
				authMode: trackingCode?.auth.mode ?? null,
				copy,
				variant,
				data: sent,
				body,
				outcome: 'pending',
				reason: null,
				attempts: [],
				createdAt: new Date().toISOString(),
				finishedAt: null,
			};
			this.state.deliveries.push(record);
			records.push(record);
		}
		if (!trackingCode) {
			for (const record of records)
				this.finish(
					record,
					'skipped',
					`tracking code ${trackingCodeName} has no receiver configured`,
				);
			return { records, settled: Promise.resolve(records) };
		}
		// Copies go one after the other, like a sender that redelivers after a (wrongly) lost acknowledgement.
		const run = (async () => {
			for (const record of records) await this.sendWithRetries(record, trackingCode);
			return records;
		})();
		this.track(run);
		return { records, settled: run };
	}

	/** The variant for the next event: the knob's, the next one in turn for 'cycle', else 'documented'. */
	private nextVariant(): ResultVariantName {
		const knob = this.state.knobs.resultVariant;
		if (knob === null) return 'documented';
		if (knob !== 'cycle') return knob;
		const variant = RESULT_VARIANTS[this.state.resultVariantCycle % RESULT_VARIANTS.length].name;
		this.state.resultVariantCycle++;
		return variant;
	}

	/** Resolves when every queued delivery has finished (delivered, failed or cancelled). */
	async settled(): Promise<void> {
		while (this.pending.size) await Promise.allSettled([...this.pending]);
	}

	/** Stops retries and in-flight attempts (reset, close). */
	cancelAll(): void {
		for (const controller of this.controllers) controller.abort();
	}

	private track(promise: Promise<unknown>): void {
		this.pending.add(promise);
		void promise.finally(() => this.pending.delete(promise)).catch(() => undefined);
	}

	private async sendWithRetries(
		record: DeliveryRecord,
		trackingCode: TrackingCodeConfig,
	): Promise<void> {
		const { timeoutMs, backoffBaseMs, maxAttempts } = this.state.config.webhook;
		const controller = new AbortController();
		this.controllers.add(controller);
		try {
			for (let attempt = 1; attempt <= maxAttempts; attempt++) {
				if (attempt > 1)
					await abortableDelay(backoffBaseMs * 2 ** (attempt - 2), controller.signal);
				if (controller.signal.aborted) break;
				// Signed per attempt: a timestamped HMAC must be fresh on every retry.
				const headers = {
					'Content-Type': RESULT_FORM_CONTENT_TYPE,
					'User-Agent': 'itep-sandbox-webhook/1',
					...signDelivery(record.body, trackingCode.auth, Date.now() / 1000),
				};
				const started = Date.now();
				const result = await postOnce(
					trackingCode.url,
					record.body,
					headers,
					timeoutMs,
					controller.signal,
				);
				record.attempts.push({
					attempt,
					at: new Date(started).toISOString(),
					status: result.status,
					error: result.error,
					responseSnippet: result.snippet,
					durationMs: Date.now() - started,
				});
				if (result.status !== null && result.status >= 200 && result.status < 300) {
					this.finish(record, 'delivered', null);
					return;
				}
			}
			if (controller.signal.aborted) this.finish(record, 'cancelled', 'sandbox reset or closed');
			else
				this.finish(record, 'failed', `no 2xx answer after ${record.attempts.length} attempt(s)`);
		} finally {
			this.controllers.delete(controller);
		}
	}

	private finish(record: DeliveryRecord, outcome: DeliveryOutcome, reason: string | null): void {
		record.outcome = outcome;
		record.reason = reason;
		record.finishedAt = new Date().toISOString();
	}
}

interface AttemptResult {
	status: number | null;
	error: string | null;
	snippet: string;
}

/** One POST; never throws. A fresh connection each time (no agent), so nothing lingers after the sandbox. */
function postOnce(
	url: string,
	body: string,
	headers: Record<string, string>,
	timeoutMs: number,
	signal: AbortSignal,
): Promise<AttemptResult> {
	return new Promise((resolve) => {
		let settled = false;
		const done = (result: AttemptResult) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			signal.removeEventListener('abort', onAbort);
			resolve(result);
		};
		const target = new URL(url);
		const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
		const request = send(
			target,
			{
				method: 'POST',
				agent: false,
				headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
			},
			(response: IncomingMessage) => {
				const chunks: Buffer[] = [];
				let size = 0;
				response.on('data', (chunk: Buffer) => {
					if (size < RESPONSE_SNIPPET_CHARS * 4) chunks.push(chunk);
					size += chunk.length;
				});
				response.on('end', () =>
					done({
						status: response.statusCode ?? null,
						error: null,
						snippet: Buffer.concat(chunks).toString('utf8').slice(0, RESPONSE_SNIPPET_CHARS),
					}),
				);
				response.on('error', (error) =>
					done({ status: response.statusCode ?? null, error: error.message, snippet: '' }),
				);
			},
		);
		const timer = setTimeout(() => {
			done({ status: null, error: `timeout after ${timeoutMs} ms`, snippet: '' });
			request.destroy();
		}, timeoutMs);
		const onAbort = () => {
			done({ status: null, error: 'cancelled', snippet: '' });
			request.destroy();
		};
		signal.addEventListener('abort', onAbort);
		request.on('error', (error) => done({ status: null, error: error.message, snippet: '' }));
		request.end(body);
	});
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
	return new Promise((resolve) => {
		if (signal.aborted) return resolve();
		const timer = setTimeout(finish, ms);
		function finish() {
			clearTimeout(timer);
			signal.removeEventListener('abort', finish);
			resolve();
		}
		signal.addEventListener('abort', finish);
	});
}
