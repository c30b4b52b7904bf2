import type {
	IDataObject,
	INodeExecutionData,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { parseResultDelivery, type ItepEvent, type ItepResult } from './resultPayload';
import { verifyWebhookRequest, type WebhookAuthSettings } from './webhookAuth';
import { loadAuthSettings } from './auth';
import { deliveryId, recentDeliveries } from './dedupe';
import {
	DEFAULT_DUPLICATE_WINDOW_SECONDS,
	DEFAULT_EVENTS,
	type AuthenticationMode,
} from './description';
import {
	checkScoreReportSettings,
	DEFAULT_SCORE_REPORT_FIELD,
	DEFAULT_SCORE_REPORT_MAX_SIZE_MB,
	DEFAULT_SCORE_REPORT_TIMEOUT_SECONDS,
	downloadScoreReport,
	scoreReportFailure,
	type ScoreReportSettings,
} from './scoreReport';

type ServerResponse = ReturnType<IWebhookFunctions['getResponseObject']>;

/**
 * Handles one request to the trigger's URL. Refusals are answered here and start nothing:
 * 405 not POST, 500 credential unreadable, 401 not genuine, 400 not iTEP's shape. Accepted deliveries the
 * user did not select, and repeats, get 200 and start nothing. Bodies and secrets are never logged.
 */
export async function receiveDelivery(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const request = this.getRequestObject();
	const response = this.getResponseObject();
	if (request.method !== 'POST') {
		return refuse.call(this, response, 405, 'only POST is accepted', `method ${request.method}`, {
			Allow: 'POST',
		});
	}

	const authentication = this.getNodeParameter('authentication', 'none') as AuthenticationMode;
	let settings: WebhookAuthSettings;
	try {
		settings = await loadAuthSettings.call(this, authentication);
	} catch (error) {
		// A configuration problem on this side, not the sender's: 500, not 401.
		const message = error instanceof Error ? error.message : String(error);
		this.logger.error(`iTEP Trigger cannot read its credential: ${message}`, logContext(this));
		return refuse.call(this, response, 500, 'trigger is misconfigured', 'credential unreadable');
	}

	// From typeVersion 1.1 n8n parses only the usual content types before the node runs; any other body is
	// read here, so an odd but genuine delivery (no Content-Type, say) still has bytes to verify and read.
	if (!request.rawBody && !isMultipart(request.headers['content-type'])) {
		try {
			await readUnparsedBody(request);
		} catch {
			// The sender went away mid-body: nothing to verify or read.
			return refuse.call(this, response, 400, 'body could not be read', 'body stream aborted');
		}
	}
	// n8n keeps the exact bytes for every body it parses itself; multipart bodies are streamed to a form
	// parser instead, so there is nothing to check a signature against.
	const { rawBody } = request;
	if (settings.mode === 'hmac' && !rawBody) {
		return refuse.call(this, response, 401, 'unauthorized', 'no raw body to verify (multipart?)');
	}
	const verdict = verifyWebhookRequest(
		this.getHeaderData(),
		rawBody ?? Buffer.alloc(0),
		settings,
		Date.now() / 1000,
	);
	if (!verdict.ok) return refuse.call(this, response, 401, 'unauthorized', verdict.reason);

	const parsed = parseResultDelivery({
		contentType: request.headers['content-type'],
		body: this.getBodyData(),
		rawBody,
	});
	if (!parsed.ok) return refuse.call(this, response, 400, parsed.reason, parsed.reason);
	const { result } = parsed;
	reportOddities.call(this, result);

	// From here until the claim nothing may be awaited: checking for a repeat and deciding to start must happen
	// in one synchronous step, or concurrent copies of a delivery could all pass the check. (The score report
	// download comes after it.)
	const events = this.getNodeParameter('events', DEFAULT_EVENTS) as ItepEvent[];
	if (!events.includes(result.event)) {
		return { webhookResponse: notStarted(`event "${result.event}" is not selected`) };
	}
	const id = deliveryId(result.testId, result.status, result.original);
	if (this.getNodeParameter('suppressDuplicates', true) as boolean) {
		const windowSeconds = this.getNodeParameter(
			'duplicateWindowSeconds',
			DEFAULT_DUPLICATE_WINDOW_SECONDS,
		) as number;
		const admitted = recentDeliveries.claim(
			dedupeScope(this),
			id,
			Date.now(),
			windowSeconds * 1000,
		);
		if (!admitted) return { webhookResponse: notStarted('repeat of a delivery already received') };
		forgetIfNotStarted(response, dedupeScope(this), id);
	}
	// The delivery is claimed: from here on awaiting is safe, and whatever happens the item is emitted.
	const items = this.helpers.returnJsonArray([
		{ ...(result as unknown as IDataObject), deliveryId: id },
	]);
	if (this.getNodeParameter('downloadScoreReport', false) as boolean) {
		const settings = readScoreReportSettings(this);
		if (!settings.ok) {
			reportScoreReportError.call(this, items[0], result, scoreReportFailure(settings.error));
		} else {
			try {
				await attachScoreReport.call(this, items[0], result, settings.settings);
			} catch (error) {
				// downloadScoreReport reports every failure it knows; anything else must not cost the result
				// either, since a repeat of this delivery is now dropped. Its message may hold the URL: not used.
				const kind = error instanceof Error ? error.name : typeof error;
				reportScoreReportError.call(
					this,
					items[0],
					result,
					scoreReportFailure(`an unexpected error (${kind})`),
				);
			}
		}
	}
	return {
		workflowData: [items],
		webhookResponse: { received: true, started: true },
	};
}

/** Downloads the score report into the item's binary data, or reports why not. */
async function attachScoreReport(
	this: IWebhookFunctions,
	item: INodeExecutionData,
	result: ItepResult,
	settings: ScoreReportSettings,
): Promise<void> {
	const outcome = await downloadScoreReport(
		this.helpers,
		{ testId: result.testId, url: result.scoreReportUrl },
		settings,
	);
	if (outcome.ok) {
		item.binary = { [settings.field]: outcome.binary };
		return;
	}
	reportScoreReportError.call(this, item, result, outcome.error);
}

/**
 * The item gets `scoreReportError` instead of the file, and the n8n log a warning without the URL, whose
 * query may hold an access token.
 */
function reportScoreReportError(
	this: IWebhookFunctions,
	item: INodeExecutionData,
	result: ItepResult,
	error: string,
): void {
	item.json.scoreReportError = error;
	this.logger.warn(
		`iTEP Trigger: ${error} (test ${JSON.stringify(result.testId.slice(0, 40))}); the result is emitted without it`,
		logContext(this),
	);
}

/** Each setting read on its own, so an expression that fails is named, and none can throw past here. */
function readScoreReportSettings(
	context: IWebhookFunctions,
): ReturnType<typeof checkScoreReportSettings> {
	const problems: string[] = [];
	const read = (name: string, label: string, fallback: unknown): unknown => {
		try {
			return context.getNodeParameter(name, fallback);
		} catch {
			problems.push(`${label} could not be read (its expression failed)`);
			return undefined;
		}
	};
	const raw = {
		field: read(
			'scoreReportOptions.binaryPropertyName',
			'Score Report Options > Put Output File in Field',
			DEFAULT_SCORE_REPORT_FIELD,
		),
		timeoutSeconds: read(
			'scoreReportOptions.timeoutSeconds',
			'Score Report Options > Timeout (Seconds)',
			DEFAULT_SCORE_REPORT_TIMEOUT_SECONDS,
		),
		maxSizeMb: read(
			'scoreReportOptions.maxSizeMb',
			'Score Report Options > Max Size (MB)',
			DEFAULT_SCORE_REPORT_MAX_SIZE_MB,
		),
		allowedHosts: read('scoreReportAllowedHosts', 'Allowed Hosts', ''),
	};
	if (problems.length) return { ok: false, error: problems[0] };
	return checkScoreReportSettings(raw);
}

/**
 * A genuine delivery in a shape we did not expect still arrives, but the n8n log says so: an unrecognised
 * status (quoted, cut short) and the names of unreadable fields (their values stay out of the log).
 */
function reportOddities(this: IWebhookFunctions, result: ItepResult): void {
	if (result.status === 'unknown') {
		this.logger.warn(
			`iTEP Trigger received an unrecognised Status ${JSON.stringify(result.statusText.slice(0, 40))} for test ${JSON.stringify(result.testId.slice(0, 40))}; its event is "unrecognized"`,
			logContext(this),
		);
	}
	if (result.warnings.length) {
		const fields = result.warnings.map((warning) => warning.field).join(', ');
		this.logger.warn(
			`iTEP Trigger could not read field(s) ${fields}; they are null in the output and kept in "original"`,
			logContext(this),
		);
	}
}

/** Writes the refusal itself so n8n sends nothing more and starts no execution. */
function refuse(
	this: IWebhookFunctions,
	response: ServerResponse,
	status: number,
	answer: string,
	logReason: string,
	headers: Record<string, string> = {},
): IWebhookResponseData {
	this.logger.warn(`iTEP Trigger refused a delivery (${status}): ${logReason}`, logContext(this));
	response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
	response.end(JSON.stringify({ error: answer }));
	return { noWebhookResponse: true };
}

/** n8n's rawBodyReader puts `readRawBody` on every request; feature-detected all the same. */
async function readUnparsedBody(request: object): Promise<void> {
	const { readRawBody } = request as { readRawBody?: () => Promise<void> };
	if (typeof readRawBody === 'function') await readRawBody.call(request);
}

function isMultipart(contentType: string | undefined): boolean {
	return (contentType ?? '').trim().toLowerCase().startsWith('multipart/');
}

function notStarted(reason: string): IDataObject {
	return { received: true, started: false, reason };
}

/**
 * n8n 2.x sends a started delivery's answer only after it has recorded the execution (webhook-helpers.js
 * waits for WorkflowRunner.run); when that fails (seen under load: SQLite's write lock timed out) it answers
 * 5xx and the sender retries. The claim is released then, or the retry would be answered as a repeat and
 * the result lost. n8n 1.x answers 200 before recording, so there the claim always stays.
 */
function forgetIfNotStarted(response: ServerResponse, scope: string, id: string): void {
	response.once('finish', () => {
		if (response.statusCode >= 500) recentDeliveries.release(scope, id);
	});
}

/** Repeats are tracked per workflow, trigger node and mode, so test calls never hide production ones. */
function dedupeScope(context: IWebhookFunctions): string {
	const node = context.getNode();
	return [context.getWorkflow().id ?? '', node.id ?? node.name, context.getMode()].join('\u0000');
}

function logContext(context: IWebhookFunctions): IDataObject {
	return { workflowId: context.getWorkflow().id, node: context.getNode().name };
}
