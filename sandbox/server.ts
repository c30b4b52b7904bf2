/* eslint-disable no-console, @n8n/community-nodes/no-restricted-imports -- development tooling, never published: n8n's rules for node code do not apply */
import { createServer, type IncomingMessage, type ServerResponse } from 'http';
import type { AddressInfo } from 'net';

import { createAdminRoutes, type AdminRequest } from './admin';
import { resolveSandboxConfig, SANDBOX_HOST, type SandboxConfig } from './config';
import { API_PATHS, handleApiRequest } from './fulfillment';
import { BodyTooLargeError, HttpError, matchRoute, sendError } from './http';
import { TestLifecycle, type TransitionResult } from './lifecycle';
import { buildResultsData } from './resultsData';
import { createState, resetState, type SandboxState } from './state';
import { WebhookSender } from './webhookSender';

export type { SandboxConfig } from './config';
export type { SandboxState, Knobs } from './state';
export type { TransitionResult } from './lifecycle';
export type { DeliveryRecord } from './deliveries';

export interface RunningSandbox {
	/** Base URL, e.g. http://127.0.0.1:8787 (use as the credential's API Base URL). */
	url: string;
	port: number;
	config: SandboxConfig;
	/** Live state: inventory, outbox, request log, knobs, stats, deliveries. Inspect it; mutate with care. */
	state: SandboxState;
	/** Moves a test ID (see POST /sandbox/tests/:id/transition); `settled` resolves after its webhooks. */
	transition(testId: string, to: string): TransitionResult;
	/** Completes the first provisioned test ID with a tracking code (see POST /sandbox/complete-next). */
	completeNext(filter?: {
		productCode?: string;
		track?: string;
		testId?: string;
	}): TransitionResult[];
	/** Resolves when every queued webhook delivery has finished. */
	deliveriesSettled(): Promise<void>;
	/** Same as POST /sandbox/reset. */
	reset(): void;
	/** Stops listening, drops open connections, cancels pending webhook retries. */
	close(): Promise<void>;
}

/** Starts an iTEP sandbox on 127.0.0.1 (port 0 picks a free one). */
export async function startSandbox(
	overrides: Partial<SandboxConfig> = {},
): Promise<RunningSandbox> {
	const config = resolveSandboxConfig(overrides);
	const state = createState(config);
	const sender = new WebhookSender(state);
	let baseUrl = '';
	const lifecycle = new TestLifecycle(state, sender, (test) => buildResultsData(test, baseUrl));
	const adminRoutes = createAdminRoutes({ state, sender, lifecycle, baseUrl: () => baseUrl });

	const server = createServer((req, res) => {
		void route(req, res).catch((error: unknown) => answerUnexpected(res, error));
	});

	async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://sandbox.local');
		const method = req.method ?? 'GET';
		if (API_PATHS.includes(url.pathname)) {
			if (method !== 'POST') {
				sendError(res, 405, 'METHOD_NOT_ALLOWED', `${url.pathname} takes POST`);
				return;
			}
			await handleApiRequest(state, req, res, url.pathname);
			return;
		}
		const {
			route: adminRoute,
			params,
			allowedMethods,
		} = matchRoute(adminRoutes, method, url.pathname);
		if (adminRoute) {
			const context: AdminRequest = { req, res, query: url.searchParams };
			await adminRoute.handle(context, params);
			return;
		}
		if (allowedMethods.length) {
			sendError(
				res,
				405,
				'METHOD_NOT_ALLOWED',
				`${url.pathname} takes ${allowedMethods.join(' or ')}`,
			);
			return;
		}
		sendError(
			res,
			404,
			'NOT_FOUND',
			`No such endpoint ${method} ${url.pathname}; see GET /sandbox/health for the list`,
		);
	}

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(config.port, SANDBOX_HOST, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const port = (server.address() as AddressInfo).port;
	baseUrl = `http://${SANDBOX_HOST}:${port}`;

	return {
		url: baseUrl,
		port,
		config,
		state,
		transition: (testId, to) => lifecycle.transition(testId, to),
		completeNext: (filter) => lifecycle.completeNext(filter),
		deliveriesSettled: () => sender.settled(),
		reset: () => {
			sender.cancelAll();
			resetState(state);
		},
		close: async () => {
			sender.cancelAll();
			await new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			});
			await sender.settled();
		},
	};
}

function answerUnexpected(res: ServerResponse, error: unknown): void {
	if (error instanceof HttpError) {
		sendError(res, error.status, error.code, error.message, error.extra);
	} else if (error instanceof BodyTooLargeError) {
		sendError(res, 413, 'BODY_TOO_LARGE', error.message);
	} else {
		console.error('[itep-sandbox] unexpected error:', error);
		sendError(
			res,
			500,
			'SERVER_ERROR',
			`Sandbox bug: ${(error as Error)?.message ?? String(error)}`,
		);
	}
}
