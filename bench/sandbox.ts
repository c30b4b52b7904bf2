/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * The iTEP sandbox in its own process (`tsx sandbox/cli.ts`), so the requests under test cross a process
 * boundary exactly as n8n's do, and the bench's own loops never share an event loop with the server.
 * Driven through its admin API with the pack's sandbox client.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';

import { adminGet, adminPost } from '../devkit/sandboxClient';
import { freePort, REPO_ROOT, sleep, waitFor } from '../devkit/n8n';
import { isGroupAlive, killGroup } from '../devkit/n8n/proc';

export const PRODUCT_TYPE = 'Academic-Plus';

export interface SandboxStats {
	requests: number;
	provisioned: number;
	maxInFlight: number;
	byStatus: Record<string, number>;
}

export interface SandboxProcess {
	url: string;
	stats(): Promise<SandboxStats>;
	/** Fresh inventory, sequences, stats; then the latency knob (a reset clears knobs). */
	reset(latencyMs?: number): Promise<void>;
	stop(): Promise<void>;
}

export async function startSandboxProcess(inventorySize: number): Promise<SandboxProcess> {
	const port = await freePort();
	const tsx = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
	const child = spawn(
		tsx,
		[
			'sandbox/cli.ts',
			'--port',
			String(port),
			'--product',
			PRODUCT_TYPE,
			'--inventory-size',
			String(inventorySize),
		],
		{ cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'], detached: true },
	);
	const pid = child.pid;
	const url = `http://127.0.0.1:${port}`;
	const stop = async () => {
		killGroup(pid, 'SIGTERM');
		for (let i = 0; i < 50 && isGroupAlive(pid); i++) await sleep(100);
		if (isGroupAlive(pid)) killGroup(pid, 'SIGKILL');
	};
	process.on('exit', () => killGroup(pid, 'SIGKILL'));
	await waitFor(
		'the sandbox',
		async () => ((await adminGet(url, '/sandbox/health')).status === 200 ? true : undefined),
		{
			timeoutMs: 60_000,
			intervalMs: 200,
		},
	);
	return {
		url,
		stats: async () => (await adminGet<SandboxStats>(url, '/sandbox/stats')).body,
		reset: async (latencyMs = 0) => {
			await adminPost(url, '/sandbox/reset');
			if (latencyMs) await adminPost(url, '/sandbox/knobs', { latencyMs });
		},
		stop,
	};
}

/** Throws unless the last run provisioned exactly `expected` test IDs with nothing but 200s. */
export function assertProvisioned(stats: SandboxStats, expected: number, what: string): void {
	const ok =
		stats.provisioned === expected &&
		stats.requests === expected &&
		stats.byStatus['200'] === expected;
	if (!ok) {
		throw new Error(
			`${what}: expected ${expected} provisioned test IDs, the sandbox saw ${stats.requests} requests, ` +
				`${stats.provisioned} provisioned, statuses ${JSON.stringify(stats.byStatus)}: a benchmark of failing requests is worthless`,
		);
	}
}
