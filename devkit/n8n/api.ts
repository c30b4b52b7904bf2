/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * What the e2e tests do through n8n: credentials, workflows, publish/activate, manual runs, executions.
 * Everything goes through the same internal REST API the editor uses, logged in as the owner.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';

import { n8nInstallDir, n8nLine } from './paths';
import { waitFor } from '../wait';
import { RestError, type RestClient } from './rest';
import { rememberSecrets } from './secretScan';
import { ITEP_CREDENTIAL_TYPE, type WorkflowInput } from './workflows';

export interface CredentialRef {
	id: string;
	name: string;
	type: string;
}

export interface WorkflowEntity extends WorkflowInput {
	id: string;
	versionId: string;
	active: boolean;
	/** 2.x (and 1.123 behind version history): the published version, null when not published. */
	activeVersionId?: string | null;
	[key: string]: unknown;
}

export interface ExecutionSummary {
	id: string;
	workflowId: string;
	status: string;
	mode: string;
	finished?: boolean;
	startedAt: string | null;
	stoppedAt: string | null;
	[key: string]: unknown;
}

export interface NodeRun {
	startTime?: number;
	executionTime?: number;
	executionStatus?: string;
	error?: { message?: string; description?: string; name?: string; [key: string]: unknown };
	data?: { main?: Array<Array<{ json: Record<string, unknown>; [key: string]: unknown }> | null> };
	[key: string]: unknown;
}

export interface ExecutionDetails extends ExecutionSummary {
	/** The run (IRunExecutionData), un-flattened from the `flatted` string n8n stores and returns. */
	data: {
		resultData: {
			runData: Record<string, NodeRun[]>;
			lastNodeExecuted?: string;
			error?: { message?: string; [key: string]: unknown };
		};
		[key: string]: unknown;
	};
	workflowData?: WorkflowInput & { id: string };
}

export interface PublicationStatus {
	status: 'not_published' | 'in_progress' | 'published' | 'partial' | 'failed';
	liveVersionId: string | null;
	pendingVersionId: string | null;
	triggers: Array<{ nodeId: string; status: string; errorMessage?: string | null }>;
}

const FINAL_STATUSES = new Set(['success', 'error', 'crashed', 'canceled']);

export class N8nApi {
	private readonly flattedParse: (text: string) => unknown;

	constructor(
		readonly version: string,
		private readonly client: RestClient,
	) {
		// n8n stores/returns execution data serialised with `flatted`; use the very copy n8n itself ships.
		const n8nRequire = createRequire(
			path.join(n8nInstallDir(version), 'node_modules', 'n8n', 'package.json'),
		);
		this.flattedParse = (n8nRequire('flatted') as { parse: (text: string) => unknown }).parse;
	}

	get line(): number {
		return n8nLine(this.version);
	}

	// ---- node and credential types -------------------------------------------------------------------------

	/** All node type descriptions n8n has loaded (GET /types/nodes.json, auth-protected on both lines). */
	async nodeTypes(): Promise<
		Array<{ name: string; version: number | number[]; [key: string]: unknown }>
	> {
		return this.client.rest('GET', '/types/nodes.json');
	}

	async nodeTypeNames(): Promise<string[]> {
		return [...new Set((await this.nodeTypes()).map((t) => t.name))];
	}

	async credentialTypes(): Promise<Array<{ name: string; [key: string]: unknown }>> {
		return this.client.rest('GET', '/types/credentials.json');
	}

	async credentialTypeNames(): Promise<string[]> {
		return (await this.credentialTypes()).map((t) => t.name);
	}

	// ---- credentials ---------------------------------------------------------------------------------------

	/** POST /rest/credentials {name, type, data}: same on both lines; n8n encrypts `data` with the instance key. */
	async createCredential(
		name: string,
		type: string,
		data: Record<string, unknown>,
	): Promise<CredentialRef> {
		rememberSecrets(data);
		const created = await this.client.rest<{ id: string; name: string; type: string }>(
			'POST',
			'/rest/credentials',
			{
				name,
				type,
				data,
			},
		);
		return { id: created.id, name: created.name, type: created.type };
	}

	async createItepCredential(
		data: {
			apiKey: string;
			baseUrl: string;
			signatureHeader?: string;
			signatureEncoding?: 'hex' | 'base64';
		},
		name = 'iTEP e2e',
	): Promise<CredentialRef> {
		return this.createCredential(name, ITEP_CREDENTIAL_TYPE, {
			signatureHeader: 'X-Itep-Signature',
			signatureEncoding: 'hex',
			...data,
		});
	}

	/** GET /rest/credentials/:id?includeData=true: the owner gets the decrypted data back (password fields redacted on 2.x). */
	async getCredential(
		id: string,
	): Promise<{ id: string; name: string; type: string; data?: Record<string, unknown> }> {
		return this.client.rest('GET', `/rest/credentials/${id}?includeData=true`);
	}

	// ---- workflows -----------------------------------------------------------------------------------------

	async createWorkflow(workflow: WorkflowInput): Promise<WorkflowEntity> {
		return this.client.rest<WorkflowEntity>('POST', '/rest/workflows', {
			active: false,
			...workflow,
		});
	}

	async getWorkflow(id: string): Promise<WorkflowEntity> {
		return this.client.rest<WorkflowEntity>('GET', `/rest/workflows/${id}`);
	}

	/** PATCH needs the current versionId (optimistic locking) on both lines. */
	async updateWorkflow(id: string, patch: Partial<WorkflowInput>): Promise<WorkflowEntity> {
		const current = await this.getWorkflow(id);
		return this.client.rest<WorkflowEntity>('PATCH', `/rest/workflows/${id}`, {
			...patch,
			versionId: current.versionId,
		});
	}

	/**
	 * Publish (2.x wording) / activate (1.x wording): POST /rest/workflows/:id/activate {versionId} on both tested
	 * lines (1.123.x already has the endpoint and requires versionId). Older 1.x releases (1.104.x, the oldest
	 * supported) have no such route and answer 404: they activate through the workflow update,
	 * PATCH /rest/workflows/:id {active, versionId}, which is what their editor sends.
	 *
	 * 1.123.x registers webhooks/trigger listeners inside the request: a trigger that fails to start (e.g. a
	 * throwing webhookMethods.create) makes the call fail with HTTP 400.
	 * 2.40.x only queues the publication (outbox) and answers at once; the webhook is registered a moment later
	 * and trigger failures surface in GET /rest/workflows/:id/publication-status, not in the activate response.
	 * With `wait` (default) this polls that status and throws when a trigger failed, so both lines behave alike.
	 */
	async activateWorkflow(
		id: string,
		options: { wait?: boolean; timeoutMs?: number } = {},
	): Promise<WorkflowEntity> {
		const activated = await this.setActive(id, true);
		if (options.wait !== false && this.line >= 2) {
			const status = await this.waitForPublication(id, options.timeoutMs);
			if (status.status !== 'published') {
				throw new Error(
					`Publishing workflow ${id} ended "${status.status}": ` +
						status.triggers
							.map((t) => `${t.nodeId}: ${t.status} ${t.errorMessage ?? ''}`)
							.join('; '),
				);
			}
		}
		return activated;
	}

	/** POST .../activate or .../deactivate; the PATCH of releases that predate those routes when they 404. */
	private async setActive(id: string, active: boolean): Promise<WorkflowEntity> {
		const current = await this.getWorkflow(id);
		try {
			return await this.client.rest<WorkflowEntity>(
				'POST',
				`/rest/workflows/${id}/${active ? 'activate' : 'deactivate'}`,
				active ? { versionId: current.versionId } : {},
			);
		} catch (error) {
			if (!(error instanceof RestError) || error.status !== 404 || this.line >= 2) throw error;
			try {
				return await this.client.rest<WorkflowEntity>('PATCH', `/rest/workflows/${id}`, {
					active,
					versionId: current.versionId,
				});
			} catch (patchError) {
				throw new Error(`${error.message}; the PATCH fallback failed too: ${String(patchError)}`);
			}
		}
	}

	/** 2.x only: GET /rest/workflows/:id/publication-status. */
	async publicationStatus(id: string): Promise<PublicationStatus> {
		return this.client.rest<PublicationStatus>('GET', `/rest/workflows/${id}/publication-status`);
	}

	/** 2.x only: waits until the queued publication has been applied (published, partial or failed). */
	async waitForPublication(id: string, timeoutMs = 60_000): Promise<PublicationStatus> {
		return waitFor(
			`publication of workflow ${id}`,
			async () => {
				const status = await this.publicationStatus(id);
				return ['published', 'partial', 'failed'].includes(status.status) ? status : undefined;
			},
			{ timeoutMs, intervalMs: 100 },
		);
	}

	publishWorkflow(id: string): Promise<WorkflowEntity> {
		return this.activateWorkflow(id);
	}

	/**
	 * Unpublish / deactivate. Like publishing, 2.40.x applies it asynchronously (the production webhook still
	 * answered right after the call returned): with `wait` (default) this polls until nothing is published.
	 */
	async deactivateWorkflow(
		id: string,
		options: { wait?: boolean; timeoutMs?: number } = {},
	): Promise<WorkflowEntity> {
		const result = await this.setActive(id, false);
		if (options.wait !== false && this.line >= 2) {
			await waitFor(
				`unpublishing of workflow ${id}`,
				async () =>
					(await this.publicationStatus(id)).status === 'not_published' ? true : undefined,
				{ timeoutMs: options.timeoutMs ?? 60_000, intervalMs: 100 },
			);
		}
		return result;
	}

	/** 2.x deletes only archived workflows; archiving first works on 1.123.x too. */
	async deleteWorkflow(id: string): Promise<void> {
		const current = await this.getWorkflow(id);
		if (current.active) await this.deactivateWorkflow(id);
		await this.client.raw('POST', `/rest/workflows/${id}/archive`, {});
		await this.client.rest('DELETE', `/rest/workflows/${id}`);
	}

	// ---- running ------------------------------------------------------------------------------------------

	/**
	 * "Execute workflow" as the editor does it: POST /rest/workflows/:id/run with triggerToStartFrom.
	 * 2.x runs the stored workflow (body validated by ManualRunDto); 1.123.x runs body.workflowData (must carry
	 * the id). Sending both shapes works on both lines. Returns the execution id (the run continues async).
	 */
	async startManualRun(workflowId: string, triggerName = 'Manual Trigger'): Promise<string> {
		const result = await this.requestRun(workflowId, triggerName);
		if (!result.executionId) {
			throw new Error(
				`n8n did not start a run of workflow ${workflowId}: ${JSON.stringify(result)}`,
			);
		}
		return result.executionId;
	}

	/**
	 * "Execute workflow" on a workflow whose trigger is not pinned: n8n registers the trigger's test webhook
	 * (/webhook-test/<path>) and waits for one call, which then runs the workflow in manual mode, where pinned
	 * data of the other nodes is used.
	 */
	async listenForTestEvent(workflowId: string, triggerName: string): Promise<void> {
		const result = await this.requestRun(workflowId, triggerName);
		if (!result.waitingForWebhook) {
			throw new Error(
				`n8n is not waiting for a test event of workflow ${workflowId}: ${JSON.stringify(result)}`,
			);
		}
	}

	/** POST /rest/workflows/:id/run in both lines' shapes (see startManualRun). */
	private async requestRun(
		workflowId: string,
		triggerName: string,
	): Promise<{ executionId?: string; waitingForWebhook?: boolean }> {
		const workflowData = await this.getWorkflow(workflowId);
		return this.client.rest('POST', `/rest/workflows/${workflowId}/run`, {
			workflowData,
			triggerToStartFrom: { name: triggerName },
		});
	}

	/** Starts a manual run and waits for it to finish; returns the stored execution with its data. */
	async runManually(
		workflowId: string,
		triggerName = 'Manual Trigger',
		timeoutMs = 60_000,
	): Promise<ExecutionDetails> {
		const executionId = await this.startManualRun(workflowId, triggerName);
		return this.waitForExecution(executionId, timeoutMs);
	}

	// ---- binary data --------------------------------------------------------------------------------------

	/**
	 * The bytes of a binary output. In n8n's default mode they are in the execution (base64); in the other modes
	 * (filesystem is 2.x's default) only an id is, and the bytes come from GET /rest/binary-data?id=&action=download,
	 * the endpoint the editor's download button uses (same on 1.123.x and 2.40.x).
	 */
	async binaryBytes(binary: StoredBinary): Promise<Buffer> {
		if (!binary.id) return Buffer.from(binary.data, 'base64');
		const query = new URLSearchParams({ id: binary.id, action: 'download' });
		const response = await this.client.bytes(`/rest/binary-data?${query.toString()}`);
		if (response.status !== 200) {
			throw new Error(
				`GET /rest/binary-data for ${binary.id} -> HTTP ${response.status}: ${response.body.toString('utf8').slice(0, 200)}`,
			);
		}
		return response.body;
	}

	// ---- executions ---------------------------------------------------------------------------------------

	/** GET /rest/executions?filter={...}&limit=n: newest first; same query shape on both lines. */
	async listExecutions(
		filter: { workflowId?: string; status?: string[] } = {},
		limit = 50,
	): Promise<ExecutionSummary[]> {
		const query = new URLSearchParams({ filter: JSON.stringify(filter), limit: String(limit) });
		const page = await this.client.rest<{ count: number; results: ExecutionSummary[] }>(
			'GET',
			`/rest/executions?${query.toString()}`,
		);
		return page.results;
	}

	/** GET /rest/executions/:id, with `data` un-flattened. */
	async getExecution(id: string): Promise<ExecutionDetails> {
		const raw = await this.client.rest<ExecutionSummary & { data: unknown }>(
			'GET',
			`/rest/executions/${id}`,
		);
		const data = typeof raw.data === 'string' ? this.flattedParse(raw.data) : raw.data;
		return { ...raw, data } as ExecutionDetails;
	}

	async waitForExecution(id: string, timeoutMs = 60_000): Promise<ExecutionDetails> {
		return waitFor(
			`execution ${id} to finish`,
			async () => {
				const execution = await this.getExecution(id);
				return FINAL_STATUSES.has(execution.status) ? execution : undefined;
			},
			{ timeoutMs, intervalMs: 200 },
		);
	}

	/** Waits for an execution of `workflowId` that is not in `knownIds` (e.g. one a webhook or trigger started). */
	async waitForNewExecution(
		workflowId: string,
		knownIds: Iterable<string> = [],
		timeoutMs = 60_000,
	): Promise<ExecutionDetails> {
		const known = new Set(knownIds);
		const summary = await waitFor(
			`a new execution of workflow ${workflowId}`,
			async () => (await this.listExecutions({ workflowId }, 20)).find((e) => !known.has(e.id)),
			{ timeoutMs, intervalMs: 300 },
		);
		return this.waitForExecution(summary.id, timeoutMs);
	}
}

/** A binary entry of an output item as n8n stores it (`data` is base64 in the default mode, else the mode). */
export interface StoredBinary {
	mimeType: string;
	fileName?: string;
	fileExtension?: string;
	fileSize?: string;
	/** `<mode>:<path>` when the bytes are kept outside the execution (filesystem, database, S3 modes). */
	id?: string;
	data: string;
	[key: string]: unknown;
}

/** Output items of a node's first run, whole (json and binary), main output `output` (0 by default). */
export function nodeOutputItems(
	execution: ExecutionDetails,
	nodeName: string,
	output = 0,
): Array<{ json: Record<string, unknown>; binary?: Record<string, StoredBinary> }> {
	return (firstRun(execution, nodeName).data?.main?.[output] ?? []) as Array<{
		json: Record<string, unknown>;
		binary?: Record<string, StoredBinary>;
	}>;
}

/** What n8n stored about a node's first run in an execution; throws, naming the nodes that ran, if it did not. */
export function firstRun(execution: ExecutionDetails, nodeName: string): NodeRun {
	const run = execution.data.resultData.runData[nodeName]?.[0];
	if (!run) {
		throw new Error(
			`Node "${nodeName}" did not run in execution ${execution.id} (ran: ${Object.keys(execution.data.resultData.runData).join(', ')})`,
		);
	}
	return run;
}

/** Output items (json) of a node's first run, main output `output` (0 by default). */
export function nodeOutput(
	execution: ExecutionDetails,
	nodeName: string,
	output = 0,
): Array<Record<string, unknown>> {
	return nodeOutputItems(execution, nodeName, output).map((item) => item.json);
}

/** The error n8n recorded for the run or for a node, if any (message only, for assertions and logs). */
export function executionError(execution: ExecutionDetails, nodeName?: string): string | undefined {
	if (nodeName) return execution.data.resultData.runData[nodeName]?.[0]?.error?.message;
	return execution.data.resultData.error?.message;
}
