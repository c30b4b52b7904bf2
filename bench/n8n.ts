/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- development tooling, never published: n8n's rules for node code do not apply */
/** Measurements taken against the real n8n started by the e2e harness. */
import * as fs from 'node:fs';

import autocannon from 'autocannon';

import {
	waitFor,
	type ExecutionDetails,
	type ExecutionSummary,
	type N8nInstance,
} from '../devkit/n8n';

const FINAL = new Set(['success', 'error', 'crashed', 'canceled']);

export interface TimedRun {
	id: string;
	/** stoppedAt - startedAt of n8n's execution record. */
	durationMs: number;
	/** POST /run -> the execution is seen finished (polled every 100 ms). */
	wallMs: number;
	/** Per-node executionTime (ms) from the run data; only when asked for (it loads the whole execution). */
	nodeMs: Record<string, number>;
}

/** n8n's execution list: `count` is the number of finished executions matching the filter. */
export async function executionPage(
	n8n: N8nInstance,
	filter: { workflowId?: string; status?: string[] },
	limit = 20,
): Promise<{ count: number; results: ExecutionSummary[] }> {
	const query = new URLSearchParams({ filter: JSON.stringify(filter), limit: String(limit) });
	return n8n.rest('GET', `/rest/executions?${query.toString()}`);
}

/**
 * Runs a Manual Trigger workflow through the REST API the editor uses and times it by n8n's own execution
 * record. Polls the light execution list, not the execution (whose data would be re-read every poll).
 */
export async function runTimed(
	n8n: N8nInstance,
	workflowId: string,
	options: { nodeTimes?: boolean; timeoutMs?: number } = {},
): Promise<TimedRun> {
	const started = performance.now();
	const id = await n8n.api.startManualRun(workflowId);
	const summary = await waitFor(
		`execution ${id}`,
		async () => {
			const found = (await executionPage(n8n, { workflowId }, 5)).results.find(
				(execution) => execution.id === id,
			);
			return found && FINAL.has(found.status) ? found : undefined;
		},
		{ timeoutMs: options.timeoutMs ?? 120_000, intervalMs: 100 },
	);
	const wallMs = performance.now() - started;
	let details: ExecutionDetails | undefined;
	if (summary.status !== 'success' || options.nodeTimes) details = await n8n.api.getExecution(id);
	if (summary.status !== 'success') {
		const runData = details?.data.resultData.runData ?? {};
		const nodeErrors = Object.entries(runData)
			.map(([node, runs]) => (runs[0]?.error?.message ? `${node}: ${runs[0].error.message}` : ''))
			.filter(Boolean);
		throw new Error(
			`execution ${id} ended ${summary.status}: ${nodeErrors.join('; ') || details?.data.resultData.error?.message}`,
		);
	}
	const nodeMs = Object.fromEntries(
		Object.entries(details?.data.resultData.runData ?? {}).map(([node, runs]) => [
			node,
			runs[0]?.executionTime ?? NaN,
		]),
	);
	return {
		id,
		durationMs: Date.parse(summary.stoppedAt ?? '') - Date.parse(summary.startedAt ?? ''),
		wallMs,
		nodeMs,
	};
}

// ---- resident memory of the n8n process group ------------------------------------------------------------

function vmRssKb(pid: number): number {
	try {
		const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
		return match ? Number(match[1]) : 0;
	} catch {
		return 0; // exited between listing and reading
	}
}

/** Processes whose process group is `pgid` (n8n was spawned detached, so its pid is the group id). */
function groupPids(pgid: number): number[] {
	const pids: number[] = [];
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
			// Fields after "(comm)": state ppid pgrp ...
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			if (Number(fields[2]) === pgid) pids.push(Number(entry));
		} catch {
			// gone
		}
	}
	return pids;
}

export interface RssSample {
	mainMb: number;
	groupMb: number;
}

export function sampleRss(pid: number): RssSample {
	const group = groupPids(pid).reduce((sum, member) => sum + vmRssKb(member), 0);
	return { mainMb: vmRssKb(pid) / 1024, groupMb: group / 1024 };
}

/** Samples every `intervalMs` until stopped; returns the peaks. */
export function startRssSampler(
	pid: number,
	intervalMs = 100,
): () => RssSample & { samples: number } {
	const peak = sampleRss(pid);
	let samples = 1;
	const timer = setInterval(() => {
		const now = sampleRss(pid);
		peak.mainMb = Math.max(peak.mainMb, now.mainMb);
		peak.groupMb = Math.max(peak.groupMb, now.groupMb);
		samples++;
	}, intervalMs);
	timer.unref(); // a phase that fails mid-run must not keep the bench alive
	return () => {
		clearInterval(timer);
		return { ...peak, samples };
	};
}

// ---- webhook load ------------------------------------------------------------------------------------------

export interface LoadResult {
	sent: number;
	ok: number;
	non2xx: number;
	errors: number;
	/** Answered requests per second, from the first request to the last answer. */
	perSecond: number;
	p50Ms: number;
	p99Ms: number;
	elapsedMs: number;
}

/**
 * A fixed number of identical POSTs over `connections` keep-alive connections (autocannon, loopback), stopped
 * at `capMs` whatever happens. autocannon's own duration is rounded to its 1 s sampling tick, so the elapsed
 * time is taken from the first request to the last answer here.
 */
export function postLoad(
	url: string,
	body: string,
	contentType: string,
	options: { connections: number; amount: number; capMs: number },
): Promise<LoadResult> {
	return new Promise((resolve, reject) => {
		const started = performance.now();
		let lastAnswer = started;
		let answered = 0;
		const instance = autocannon(
			{
				url,
				method: 'POST',
				body,
				headers: { 'content-type': contentType },
				connections: options.connections,
				amount: options.amount,
				timeout: 30,
			},
			(error, result) => {
				clearTimeout(cap);
				if (error) return reject(error);
				const elapsedMs = lastAnswer - started;
				resolve({
					sent: result.requests.sent,
					ok: result['2xx'],
					non2xx: result.non2xx,
					errors: result.errors,
					perSecond: (answered / elapsedMs) * 1000,
					p50Ms: result.latency.p50,
					p99Ms: result.latency.p99,
					elapsedMs,
				});
			},
		);
		instance.on('response', () => {
			answered++;
			lastAnswer = performance.now();
		});
		const cap = setTimeout(() => instance.stop(), options.capMs);
	});
}
