/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * Shared pieces of the scenario e2e tests (fulfillment, validation, trigger, failures): the iTEP node and Code
 * node JSON, one n8n per line per test file with timings, example workflows with their placeholders replaced,
 * and readers for what n8n stored about a node's run. Not a test file itself (jest runs *.test.ts only).
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import {
	firstRun,
	ITEP_CREDENTIAL_TYPE,
	ITEP_NODE_TYPE,
	ITEP_TRIGGER_NODE_TYPE,
	recordTimings,
	REPO_ROOT,
	sleep,
	startN8n,
	type ExecutionDetails,
	type N8nInstance,
	type WorkflowInput,
	type WorkflowNode,
} from '../../devkit/n8n';
import type { SenderAuth } from '../../sandbox/webhookAuth';

/** Only the e2e jest config (its globalSetup sets ITEP_E2E=1) runs these; a plain `jest` run skips them. */
export const describeE2e = process.env.ITEP_E2E === '1' ? describe : describe.skip;

const suiteStarted = new WeakMap<Record<string, number>, { prefix: string; at: number }>();

/**
 * Boots the line once for a test file; every scenario file expects both pack nodes and the API credential,
 * and `moreNodes` when it needs other node types registered too.
 */
export async function startLine(
	version: string,
	timings: Record<string, number>,
	prefix: string,
	moreNodes: string[] = [],
): Promise<N8nInstance> {
	suiteStarted.set(timings, { prefix, at: Date.now() });
	const n8n = await startN8n({
		version,
		expect: {
			nodes: [ITEP_NODE_TYPE, ITEP_TRIGGER_NODE_TYPE, ...moreNodes],
			credentials: [ITEP_CREDENTIAL_TYPE],
		},
	});
	timings[`${prefix}.startToReadyMs`] = n8n.timings.readyMs;
	return n8n;
}

/** Stops the instance and merges this file's timings into .e2e/timings.json under the n8n version. */
export async function stopLine(
	n8n: N8nInstance | undefined,
	version: string,
	timings: Record<string, number>,
): Promise<void> {
	const suite = suiteStarted.get(timings);
	const stopping = Date.now();
	await n8n?.stop();
	if (suite) {
		timings[`${suite.prefix}.stopMs`] = Date.now() - stopping;
		// Boot, every test of the file and the shutdown: what this file costs on this line.
		timings[`${suite.prefix}.suiteMs`] = Date.now() - suite.at;
	}
	recordTimings(version, timings);
	process.stdout.write(`[e2e] n8n ${version} timings: ${JSON.stringify(timings)}\n`);
}

/** Code node (v2, "run once for all items") that emits these items. */
export function codeNode(name: string, items: Array<Record<string, unknown>>): WorkflowNode {
	return {
		name,
		type: 'n8n-nodes-base.code',
		typeVersion: 2,
		parameters: { jsCode: `return ${JSON.stringify(items.map((json) => ({ json })))};` },
	};
}

export interface ItepNodeParameters {
	operation: 'getTestId' | 'sendTestId';
	productCode: string;
	email?: string;
	bcc?: string;
	track?: string;
	assignedTo?: Record<string, string>;
	registrationMode?: 'none' | 'fields' | 'json';
	registrationFields?: Array<{ name: string; value: string }>;
	registrationJson?: string;
	/** The node's Options collection, by the names its description gives them (a typo does not compile). */
	options?: { dryRun?: boolean; maxConcurrency?: number; sequence?: number; timeout?: number };
}

/** The iTEP action node as the editor saves it, with its credential and optional node settings (onError...). */
export function itepNode(
	name: string,
	credential: { id: string; name: string },
	parameters: ItepNodeParameters,
	settings: Partial<WorkflowNode> = {},
): WorkflowNode {
	const { registrationFields, productCode, ...rest } = parameters;
	return {
		name,
		type: ITEP_NODE_TYPE,
		typeVersion: 1,
		parameters: {
			resource: 'testId',
			productCode: { __rl: true, mode: 'list', value: productCode },
			...rest,
			...(registrationFields ? { registrationFields: { field: registrationFields } } : {}),
			options: parameters.options ?? {},
		},
		credentials: { [ITEP_CREDENTIAL_TYPE]: credential },
		...settings,
	};
}

/**
 * An example workflow from examples/, as a user imports it: placeholders (credential ids, the sandbox URL)
 * replaced textually, and fresh webhook ids so the file can be imported more than once per instance.
 */
export function loadExample(file: string, replacements: Record<string, string>): WorkflowInput {
	let text = fs.readFileSync(path.join(REPO_ROOT, 'examples', file), 'utf8');
	for (const [from, to] of Object.entries(replacements)) {
		if (!text.includes(from)) throw new Error(`examples/${file} has no placeholder ${from}`);
		text = text.split(from).join(to);
	}
	const workflow = JSON.parse(text) as WorkflowInput;
	for (const node of workflow.nodes) if (node.webhookId) node.webhookId = randomUUID();
	return workflow;
}

/** What n8n stored about a node's first run: its error (message, description, http code) and output items. */
export function nodeRun(execution: ExecutionDetails, nodeName: string) {
	const run = firstRun(execution, nodeName);
	return {
		error: run.error as
			| {
					message?: string;
					description?: string;
					httpCode?: string;
					name?: string;
					[key: string]: unknown;
			  }
			| undefined,
		items: run.data?.main?.[0] ?? [],
		executionStatus: run.executionStatus,
	};
}

/** Polls `read` a few times to make sure a count stays put (nothing arrives late), then returns it. */
export async function stable<T>(read: () => Promise<T> | T, ms = 600): Promise<T> {
	const first = JSON.stringify(await read());
	const until = Date.now() + ms;
	while (Date.now() < until) {
		await sleep(150);
		const now = await read();
		if (JSON.stringify(now) !== first) return now;
	}
	return read();
}

/** The header the suites' signed result deliveries use (the credential's default is the same). */
export const WEBHOOK_SIGNATURE_HEADER = 'X-Itep-Webhook-Signature';

/** How the sandbox signs result deliveries in the suites: HMAC-SHA256, hex, no timestamp. */
export function hmacSender(secret: string): Extract<SenderAuth, { mode: 'hmac' }> {
	return { mode: 'hmac', headerName: WEBHOOK_SIGNATURE_HEADER, secrets: [secret], encoding: 'hex' };
}

/** The iTEP Trigger's HMAC credential that accepts what hmacSender(secret) signs. */
export async function createSignatureCredential(n8n: N8nInstance, name: string, secret: string) {
	return n8n.api.createCredential(name, 'itepWebhookSignatureApi', {
		secret,
		signatureHeader: WEBHOOK_SIGNATURE_HEADER,
		encoding: 'hex',
		signedTimestamp: false,
	});
}

/**
 * Credentials for the third-party nodes of the templates (Workable, OpenAI, Google Drive, Google Sheets), by
 * the templates' placeholder names. Never used: those nodes are pinned or not run; they exist so an import
 * is what a user has.
 */
export async function createStandInCredentials(n8n: N8nInstance): Promise<Record<string, string>> {
	const oauth = { clientId: 'not-a-real-client', clientSecret: 'not-a-real-secret' };
	const standIns: Array<[string, string, string, Record<string, unknown>]> = [
		[
			'WORKABLE_CREDENTIAL_ID',
			'Workable account',
			'workableApi',
			{ subdomain: 'example', accessToken: 'not-a-real-token' },
		],
		['OPENAI_CREDENTIAL_ID', 'OpenAI account', 'openAiApi', { apiKey: 'not-a-real-key' }],
		['GOOGLE_DRIVE_CREDENTIAL_ID', 'Google Drive account', 'googleDriveOAuth2Api', oauth],
		['GOOGLE_SHEETS_CREDENTIAL_ID', 'Google Sheets account', 'googleSheetsOAuth2Api', oauth],
	];
	const ids: Record<string, string> = {};
	for (const [placeholder, name, type, data] of standIns) {
		ids[placeholder] = (await n8n.api.createCredential(name, type, data)).id;
	}
	return ids;
}
