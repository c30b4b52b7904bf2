/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error -- development tooling, never published: n8n's rules for node code do not apply */
import type { IncomingMessage, ServerResponse } from 'http';

import { isPlainObject, trackingCodeProblem, type TrackingCodeConfig } from './config';
import {
	HttpError,
	readJsonBody,
	readRawBody,
	sendBytes,
	sendJson,
	sendText,
	type Route,
} from './http';
import {
	addTestIds,
	AVAILABLE_TEST_COLUMNS,
	availableTestRows,
	inventorySummary,
	TEST_STATUSES,
	toCsv,
} from './inventory';
import { TransitionError, type TestLifecycle, type TransitionResult } from './lifecycle';
import { isResultVariantName, RESULT_VARIANT_NAMES, RESULT_VARIANTS } from './resultVariants';
import {
	isScoreReportFormat,
	missingReportHtml,
	renderScoreReport,
	SCORE_REPORT_FORMATS,
} from './scoreReport';
import { resetState, type Knobs, type SandboxState } from './state';
import type { WebhookSender } from './webhookSender';
import { writeXlsx, XLSX_CONTENT_TYPE } from './xlsx';

export interface AdminRuntime {
	state: SandboxState;
	sender: WebhookSender;
	lifecycle: TestLifecycle;
	/** The sandbox's own base URL, e.g. http://127.0.0.1:8787. */
	baseUrl: () => string;
}

export interface AdminRequest {
	req: IncomingMessage;
	res: ServerResponse;
	query: URLSearchParams;
}

/** One line per endpoint, served by /sandbox/health and printed by the CLI. */
export const ADMIN_ENDPOINTS = [
	'GET  /sandbox/health',
	'GET  /sandbox/inventory[?testType=&status=]       POST {testType, count} adds test IDs',
	'GET  /sandbox/available-tests.csv|.xlsx|.json[?testType=&assigned=exclude]',
	'GET  /sandbox/outbox                              STX e-mails "sent"',
	'GET  /sandbox/requests[?limit=]                   API requests received',
	'GET  /sandbox/stats',
	'GET|POST /sandbox/knobs                           {latencyMs, latencySpikes:{every,ms}, failNext:{count,status,every?}, dropNext:{count,afterProvisioning,every?}, hangNext:{count,afterProvisioning,every?}, duplicateDeliveries, resultVariant, scoreReportFormat}',
	'POST /sandbox/reset',
	'GET|POST /sandbox/tracking-codes                  {code, url, auth, notifyOnFinished?}; DELETE /sandbox/tracking-codes/:code',
	'GET  /sandbox/tests/:testId',
	'POST /sandbox/tests/:testId/transition[?wait=1]   {to: started|finished|review|completed|reset|invalidated|technical-difficulty}',
	'POST /sandbox/complete-next[?wait=1]              {productCode?, track?, testId?}',
	'GET  /sandbox/deliveries[?testId=]',
	'GET  /sandbox/score-report/:testId                HTML, or PDF with the scoreReportFormat knob',
	'GET|POST|DELETE /sandbox/results                  results sink (JSON, or form fields) for example workflows',
];

export function createAdminRoutes(runtime: AdminRuntime): Array<Route<AdminRequest>> {
	const { sender, lifecycle } = runtime;
	// Always the live state object; a reset mutates it in place.
	const state = runtime.state;
	const limit = () => state.config.maxBodyBytes;
	const route = (
		method: string,
		path: string,
		handle: Route<AdminRequest>['handle'],
	): Route<AdminRequest> => ({
		method,
		pattern: new RegExp(`^${path.replace(/:\w+/g, '([^/]+)')}$`),
		handle,
	});

	return [
		route('GET', '/sandbox/health', ({ res }) =>
			sendJson(res, 200, {
				ok: true,
				service: 'itep-sandbox',
				url: runtime.baseUrl(),
				signatureHeader: state.config.signatureHeader,
				signatureEncoding: state.config.signatureEncoding,
				apiKeys: state.config.apiKeys.length,
				testTypes: state.config.testTypes,
				endpoints: ADMIN_ENDPOINTS,
				resultVariants: RESULT_VARIANTS,
			}),
		),

		route('GET', '/sandbox/inventory', ({ res, query }) => {
			const testType = query.get('testType');
			const status = query.get('status');
			const tests = state.tests.filter(
				(test) => (!testType || test.testType === testType) && (!status || test.status === status),
			);
			sendJson(res, 200, {
				summary: inventorySummary(state.tests),
				statuses: TEST_STATUSES,
				tests,
			});
		}),

		route('POST', '/sandbox/inventory', async ({ req, res }) => {
			const body = await readJsonBody(req, limit());
			const { testType, count } = (isPlainObject(body) ? body : {}) as {
				testType?: unknown;
				count?: unknown;
			};
			if (typeof testType !== 'string' || !state.config.testTypes.includes(testType)) {
				throw new HttpError(
					400,
					'BAD_REQUEST',
					`testType must be one of ${state.config.testTypes.join(', ')}`,
				);
			}
			if (!Number.isInteger(count) || (count as number) < 1 || (count as number) > 10_000) {
				throw new HttpError(400, 'BAD_REQUEST', 'count must be a whole number from 1 to 10000');
			}
			const added = addTestIds(state.tests, testType, count as number, state.random);
			sendJson(res, 200, {
				added: added.map((test) => test.testId),
				summary: inventorySummary(state.tests)[testType],
			});
		}),

		route('GET', '/sandbox/available-tests.csv', ({ res, query }) => {
			const csv = toCsv(
				availableTestRows(state.tests, exportFilter(query)),
				AVAILABLE_TEST_COLUMNS,
			);
			sendText(res, 200, csv, 'text/csv; charset=utf-8', {
				'Content-Disposition': 'attachment; filename="available-tests.csv"',
			});
		}),

		route('GET', '/sandbox/available-tests.xlsx', ({ res, query }) => {
			const rows = availableTestRows(state.tests, exportFilter(query)).map((row) =>
				// OID is a number in the sheet, as a spreadsheet program would store it; the rest is text.
				AVAILABLE_TEST_COLUMNS.map((column) =>
					column === 'OID' ? Number(row[column]) : (row[column] ?? ''),
				),
			);
			sendBytes(
				res,
				200,
				writeXlsx('Available Tests', AVAILABLE_TEST_COLUMNS, rows),
				XLSX_CONTENT_TYPE,
				{
					'Content-Disposition': 'attachment; filename="available-tests.xlsx"',
				},
			);
		}),

		route('GET', '/sandbox/available-tests.json', ({ res, query }) =>
			sendJson(res, 200, availableTestRows(state.tests, exportFilter(query))),
		),

		route('GET', '/sandbox/outbox', ({ res }) => sendJson(res, 200, state.outbox)),

		route('GET', '/sandbox/requests', ({ res, query }) => {
			const last = Number(query.get('limit'));
			sendJson(
				res,
				200,
				Number.isInteger(last) && last > 0 ? state.requests.slice(-last) : state.requests,
			);
		}),

		route('GET', '/sandbox/stats', ({ res }) =>
			sendJson(res, 200, {
				...state.stats,
				available: Object.fromEntries(
					Object.entries(inventorySummary(state.tests)).map(([type, entry]) => [
						type,
						entry.available,
					]),
				),
				outbox: state.outbox.length,
				deliveries: countBy(state.deliveries.map((delivery) => delivery.outcome)),
			}),
		),

		route('GET', '/sandbox/knobs', ({ res }) => sendJson(res, 200, state.knobs)),

		route('POST', '/sandbox/knobs', async ({ req, res }) => {
			if (applyKnobs(state.knobs, await readJsonBody(req, limit()))) state.resultVariantCycle = 0;
			sendJson(res, 200, state.knobs);
		}),

		route('POST', '/sandbox/reset', ({ res }) => {
			sender.cancelAll();
			resetState(state);
			sendJson(res, 200, { ok: true, summary: inventorySummary(state.tests) });
		}),

		route('GET', '/sandbox/tracking-codes', ({ res }) =>
			sendJson(res, 200, [...state.trackingCodes.values()].map(describeTrackingCode)),
		),

		route('POST', '/sandbox/tracking-codes', async ({ req, res }) => {
			const body = await readJsonBody(req, limit());
			const problem = trackingCodeProblem(body);
			if (problem)
				throw new HttpError(400, 'BAD_REQUEST', `Tracking code not accepted: ${problem}`);
			const trackingCode = body as TrackingCodeConfig;
			const replaced = state.trackingCodes.has(trackingCode.code);
			state.trackingCodes.set(trackingCode.code, {
				code: trackingCode.code,
				url: trackingCode.url,
				auth: trackingCode.auth,
				notifyOnFinished: trackingCode.notifyOnFinished ?? false,
			});
			sendJson(
				res,
				replaced ? 200 : 201,
				describeTrackingCode(state.trackingCodes.get(trackingCode.code) as TrackingCodeConfig),
			);
		}),

		route('DELETE', '/sandbox/tracking-codes/:code', ({ res }, [code]) => {
			if (!state.trackingCodes.delete(code))
				throw new HttpError(404, 'NOT_FOUND', `No tracking code ${code}`);
			sendJson(res, 200, { ok: true });
		}),

		route('GET', '/sandbox/tests/:testId', ({ res }, [testId]) => {
			const test = state.tests.find((candidate) => candidate.testId === testId);
			if (!test)
				throw new HttpError(
					404,
					'UNKNOWN_TEST_ID',
					`No test ID ${testId} in the sandbox inventory`,
				);
			sendJson(res, 200, test);
		}),

		route('POST', '/sandbox/tests/:testId/transition', async ({ req, res, query }, [testId]) => {
			const body = await readJsonBody(req, limit());
			const to = isPlainObject(body) ? body.to : undefined;
			const result = runTransition(() => [lifecycle.transition(testId, String(to ?? ''))]);
			await answerTransitions(res, result, wantsWait(query));
		}),

		route('POST', '/sandbox/complete-next', async ({ req, res, query }) => {
			const body = await readJsonBody(req, limit());
			const filter = isPlainObject(body) ? body : {};
			const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
			const results = runTransition(() =>
				lifecycle.completeNext({
					productCode: text(filter.productCode),
					track: text(filter.track),
					testId: text(filter.testId),
				}),
			);
			await answerTransitions(res, results, wantsWait(query));
		}),

		route('GET', '/sandbox/deliveries', ({ res, query }) => {
			const testId = query.get('testId');
			sendJson(
				res,
				200,
				testId
					? state.deliveries.filter((delivery) => delivery.testId === testId)
					: state.deliveries,
			);
		}),

		route('GET', '/sandbox/score-report/:testId', ({ res }, [testId]) => {
			const test = state.tests.find((candidate) => candidate.testId === testId);
			const report = test && renderScoreReport(test, state.knobs.scoreReportFormat);
			if (!report) {
				sendText(res, 404, missingReportHtml(testId), 'text/html; charset=utf-8');
				return;
			}
			sendBytes(res, 200, report.body, report.contentType);
		}),

		route('POST', '/sandbox/results', async ({ req, res }) => {
			// Form bodies are kept as their fields, so a tracking code may point here for a quick look.
			const isForm = (req.headers['content-type'] ?? '').startsWith(
				'application/x-www-form-urlencoded',
			);
			const body = isForm
				? Object.fromEntries(
						new URLSearchParams((await readRawBody(req, limit())).toString('utf8')),
					)
				: await readJsonBody(req, limit());
			const entry = {
				id: state.nextId.result++,
				at: new Date().toISOString(),
				contentType: req.headers['content-type'] ?? null,
				body,
			};
			state.results.push(entry);
			sendJson(res, 201, { ok: true, id: entry.id });
		}),

		route('GET', '/sandbox/results', ({ res }) => sendJson(res, 200, state.results)),

		route('DELETE', '/sandbox/results', ({ res }) => {
			state.results = [];
			sendJson(res, 200, { ok: true });
		}),
	];
}

/**
 * Validates and merges a knobs update; a field set to null (or a count of 0) switches that knob off. Returns
 * whether resultVariant was set (so 'cycle' starts again from the first variant).
 */
export function applyKnobs(knobs: Knobs, update: unknown): boolean {
	if (!isPlainObject(update))
		throw new HttpError(400, 'BAD_REQUEST', 'Knobs must be a JSON object');
	const known = [
		'latencyMs',
		'latencySpikes',
		'failNext',
		'dropNext',
		'hangNext',
		'duplicateDeliveries',
		'resultVariant',
		'scoreReportFormat',
	];
	const unknown = Object.keys(update).filter((key) => !known.includes(key));
	if (unknown.length)
		throw new HttpError(
			400,
			'BAD_REQUEST',
			`Unknown knob(s): ${unknown.join(', ')}; known: ${known.join(', ')}`,
		);
	const count = (value: unknown, name: string) => {
		if (!Number.isInteger(value) || (value as number) < 0)
			throw new HttpError(400, 'BAD_REQUEST', `${name}.count must be a whole number >= 0`);
		return value as number;
	};
	const every = (value: unknown, name: string) => {
		const spread = value ?? 1;
		if (!Number.isInteger(spread) || (spread as number) < 1 || (spread as number) > 1_000_000)
			throw new HttpError(
				400,
				'BAD_REQUEST',
				`${name}.every must be a whole number from 1 to 1000000 (1: the next requests)`,
			);
		return spread as number;
	};
	const next = { ...knobs };
	if ('latencyMs' in update) {
		const latency = update.latencyMs ?? 0;
		if (!Number.isInteger(latency) || (latency as number) < 0 || (latency as number) > 120_000) {
			throw new HttpError(
				400,
				'BAD_REQUEST',
				'latencyMs must be a whole number of milliseconds from 0 to 120000',
			);
		}
		next.latencyMs = latency as number;
	}
	if ('latencySpikes' in update) {
		const spikes = update.latencySpikes;
		if (spikes === null) next.latencySpikes = null;
		else if (!isPlainObject(spikes))
			throw new HttpError(400, 'BAD_REQUEST', 'latencySpikes must be {every, ms} or null');
		else {
			const ms = spikes.ms;
			if (!Number.isInteger(ms) || (ms as number) < 1 || (ms as number) > 120_000)
				throw new HttpError(
					400,
					'BAD_REQUEST',
					'latencySpikes.ms must be a whole number of milliseconds from 1 to 120000',
				);
			if (spikes.every === undefined)
				throw new HttpError(400, 'BAD_REQUEST', 'latencySpikes.every is required');
			next.latencySpikes = {
				every: every(spikes.every, 'latencySpikes'),
				ms: ms as number,
				seen: 0,
			};
		}
	}
	if ('failNext' in update) {
		const failNext = update.failNext;
		if (failNext === null) next.failNext = null;
		else if (!isPlainObject(failNext))
			throw new HttpError(400, 'BAD_REQUEST', 'failNext must be {count, status, every?} or null');
		else {
			const status = failNext.status ?? 500;
			if (!Number.isInteger(status) || (status as number) < 400 || (status as number) > 599) {
				throw new HttpError(
					400,
					'BAD_REQUEST',
					'failNext.status must be an HTTP error status from 400 to 599',
				);
			}
			const times = count(failNext.count, 'failNext');
			const spread = every(failNext.every, 'failNext');
			next.failNext =
				times > 0 ? { count: times, status: status as number, every: spread, seen: 0 } : null;
		}
	}
	for (const name of ['dropNext', 'hangNext'] as const) {
		if (!(name in update)) continue;
		const knob = update[name];
		if (knob === null) next[name] = null;
		else if (!isPlainObject(knob))
			throw new HttpError(
				400,
				'BAD_REQUEST',
				`${name} must be {count, afterProvisioning, every?} or null`,
			);
		else {
			if (knob.afterProvisioning !== undefined && typeof knob.afterProvisioning !== 'boolean') {
				throw new HttpError(400, 'BAD_REQUEST', `${name}.afterProvisioning must be true or false`);
			}
			const times = count(knob.count, name);
			const spread = every(knob.every, name);
			next[name] =
				times > 0
					? {
							count: times,
							afterProvisioning: knob.afterProvisioning === true,
							every: spread,
							seen: 0,
						}
					: null;
		}
	}
	if ('duplicateDeliveries' in update) {
		if (typeof update.duplicateDeliveries !== 'boolean')
			throw new HttpError(400, 'BAD_REQUEST', 'duplicateDeliveries must be true or false');
		next.duplicateDeliveries = update.duplicateDeliveries;
	}
	if ('scoreReportFormat' in update) {
		const format = update.scoreReportFormat ?? 'html';
		if (!isScoreReportFormat(format)) {
			throw new HttpError(
				400,
				'BAD_REQUEST',
				`scoreReportFormat must be one of ${SCORE_REPORT_FORMATS.join(', ')} or null`,
			);
		}
		next.scoreReportFormat = format;
	}
	let restartCycle = false;
	if ('resultVariant' in update) {
		const variant = update.resultVariant;
		if (variant !== null && variant !== 'cycle' && !isResultVariantName(variant)) {
			throw new HttpError(
				400,
				'BAD_REQUEST',
				`resultVariant must be one of ${RESULT_VARIANT_NAMES.join(', ')}, "cycle" or null`,
			);
		}
		next.resultVariant = variant;
		restartCycle = true;
	}
	// Applied only once everything is valid, so a bad update changes nothing.
	Object.assign(knobs, next);
	return restartCycle;
}

/** A tracking code without its secrets: the mode and header names, never values, passwords or keys. */
export function describeTrackingCode(trackingCode: TrackingCodeConfig): Record<string, unknown> {
	const { auth } = trackingCode;
	let authSummary: Record<string, unknown>;
	switch (auth.mode) {
		case 'header':
			authSummary = {
				mode: 'header',
				headerName: auth.headerName,
				valueConfigured: Boolean(auth.value),
			};
			break;
		case 'basic':
			authSummary = { mode: 'basic', user: auth.user, passwordConfigured: Boolean(auth.password) };
			break;
		case 'hmac':
			authSummary = {
				mode: 'hmac',
				headerName: auth.headerName,
				encoding: auth.encoding,
				secretsConfigured: auth.secrets.length,
				timestampHeader: auth.timestampHeader ?? null,
			};
			break;
		default:
			authSummary = { mode: auth.mode };
	}
	return {
		code: trackingCode.code,
		url: trackingCode.url,
		notifyOnFinished: trackingCode.notifyOnFinished ?? false,
		auth: authSummary,
	};
}

function runTransition(run: () => TransitionResult[]): TransitionResult[] {
	try {
		return run();
	} catch (error) {
		if (error instanceof TransitionError)
			throw new HttpError(error.status, error.code, error.message);
		throw error;
	}
}

/** Answers at once (deliveries continue in the background) or, with ?wait=1, after they have finished. */
async function answerTransitions(
	res: ServerResponse,
	results: TransitionResult[],
	wait: boolean,
): Promise<void> {
	if (wait) await Promise.all(results.map((result) => result.settled));
	const last = results[results.length - 1];
	sendJson(res, 200, {
		test: last.test,
		steps: results.map((result) => ({
			from: result.from,
			to: result.to,
			notReportedBecause: result.notReportedBecause,
			deliveries: result.deliveries,
		})),
	});
}

function wantsWait(query: URLSearchParams): boolean {
	const wait = query.get('wait');
	return wait !== null && wait !== '0' && wait !== 'false';
}

function countBy(values: string[]): Record<string, number> {
	const counts: Record<string, number> = {};
	for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
	return counts;
}

/** The export's query: `testType` narrows it, `assigned=exclude` leaves out Ready test IDs that are assigned. */
function exportFilter(query: URLSearchParams): {
	testType?: string;
	assigned: 'include' | 'exclude';
} {
	const assigned = query.get('assigned') ?? 'include';
	if (assigned !== 'include' && assigned !== 'exclude') {
		throw new HttpError(400, 'BAD_QUERY', 'assigned must be "include" (the default) or "exclude"');
	}
	return { testType: query.get('testType') ?? undefined, assigned };
}
