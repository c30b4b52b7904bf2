/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions -- development tooling, never published: n8n's rules for node code do not apply */
/** Small process helpers: clean environments, command runners, free ports, polling. */
import { spawn, spawnSync } from 'node:child_process';
import * as net from 'node:net';

import { sleep } from '../wait';

import { NODE24_BIN } from './paths';

/**
 * The caller's environment minus everything that would leak into a child n8n or npm and change its behaviour:
 * n8n/DB settings from the engineer's shell, NODE_PATH/NODE_OPTIONS (jest or tsx may set them), and the
 * npm_* lifecycle variables `npm run` exports (they carry the repo's .npmrc settings into nested npm calls), and
 * jest's NODE_ENV=test (n8n exits silently with code 1 at start-up when it sees it).
 * Proxy, CA and HOME settings are kept so npm still reaches the registry the way it does in the shell.
 */
export function cleanEnv(
	extra: Record<string, string | undefined> = {},
	options: { node24?: boolean } = {},
): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (value === undefined) continue;
		if (
			/^(N8N_|DB_|EXECUTIONS_|QUEUE_|npm_|JEST_|NODE_PATH$|NODE_OPTIONS$|NODE_ENV$|WEBHOOK_URL$|GENERIC_TIMEZONE$)/.test(
				key,
			)
		) {
			continue;
		}
		env[key] = value;
	}
	// n8n and installs into its user folder run on the provisioned Node 24 (first on PATH); the pack's own build
	// keeps the machine's Node like every other project script.
	const basePath = process.env.PATH ?? '/usr/bin:/bin';
	env.PATH = options.node24 === false ? basePath : `${NODE24_BIN}:${basePath}`;
	for (const [key, value] of Object.entries(extra)) {
		if (value === undefined) delete env[key];
		else env[key] = value;
	}
	return env;
}

export interface RunResult {
	code: number | null;
	/** The signal that ended the process, when one did (code is then null). */
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
	durationMs: number;
}

/** Runs a command to completion (synchronously) and throws with its output when it fails. */
export function runSync(
	command: string,
	args: string[],
	options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): RunResult {
	const started = Date.now();
	const result = spawnSync(command, args, {
		cwd: options.cwd,
		env: options.env ?? process.env,
		encoding: 'utf8',
		timeout: options.timeoutMs ?? 10 * 60_000,
		maxBuffer: 64 * 1024 * 1024,
	});
	const run: RunResult = {
		code: result.status,
		signal: result.signal,
		stdout: result.stdout ?? '',
		stderr: result.stderr ?? '',
		durationMs: Date.now() - started,
	};
	if (result.error || result.status !== 0) {
		throw new Error(
			`\`${command} ${args.join(' ')}\` failed in ${options.cwd} (exit ${String(result.status)}` +
				`${result.error ? `, ${result.error.message}` : ''})\n--- stdout ---\n${tail(run.stdout)}\n--- stderr ---\n${tail(run.stderr)}`,
		);
	}
	return run;
}

/** Runs a command asynchronously; resolves with its output whatever the exit code (kills it on timeout). */
export function runAsync(
	command: string,
	args: string[],
	options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string },
): Promise<RunResult> {
	const started = Date.now();
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, {
			cwd: options.cwd,
			env: options.env ?? process.env,
			stdio: ['pipe', 'pipe', 'pipe'],
			detached: true,
		});
		const out: Buffer[] = [];
		const err: Buffer[] = [];
		child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
		child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
		const timer = setTimeout(
			() => {
				killGroup(child.pid, 'SIGKILL');
				err.push(Buffer.from(`\n[harness] killed after ${options.timeoutMs} ms\n`));
			},
			options.timeoutMs ?? 5 * 60_000,
		);
		child.on('error', (error) => {
			clearTimeout(timer);
			reject(error);
		});
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			resolve({
				code,
				signal,
				stdout: Buffer.concat(out).toString('utf8'),
				stderr: Buffer.concat(err).toString('utf8'),
				durationMs: Date.now() - started,
			});
		});
		child.stdin.end(options.input ?? '');
	});
}

/** Signals a whole process group (children were started with detached: true, so pid == pgid). */
export function killGroup(pid: number | undefined, signal: NodeJS.Signals): boolean {
	if (!pid) return false;
	try {
		process.kill(-pid, signal);
		return true;
	} catch {
		return false;
	}
}

export function isGroupAlive(pid: number | undefined): boolean {
	if (!pid) return false;
	try {
		process.kill(-pid, 0);
		return true;
	} catch {
		return false;
	}
}

/** Asks the OS for free 127.0.0.1 ports; all are held open together so one call never returns duplicates. */
export async function freePorts(count: number): Promise<number[]> {
	const servers: net.Server[] = [];
	try {
		const ports: number[] = [];
		for (let i = 0; i < count; i++) {
			const server = net.createServer();
			servers.push(server);
			await new Promise<void>((resolve, reject) => {
				server.once('error', reject);
				server.listen(0, '127.0.0.1', () => resolve());
			});
			ports.push((server.address() as net.AddressInfo).port);
		}
		return ports;
	} finally {
		await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
	}
}

export async function freePort(): Promise<number> {
	return (await freePorts(1))[0];
}

export function tail(text: string, lines = 60): string {
	const all = text.split('\n');
	return all.slice(Math.max(0, all.length - lines)).join('\n');
}

const exitCleanups = new Set<() => void>();
let exitListenerInstalled = false;

/**
 * Runs `cleanup` (synchronous: process 'exit' allows nothing else) if this process exits before the returned
 * function is called, so a test run or demo that dies mid-start leaves no server behind.
 */
export function cleanUpOnExit(cleanup: () => void): () => void {
	if (!exitListenerInstalled) {
		exitListenerInstalled = true;
		process.on('exit', () => {
			for (const fn of exitCleanups) {
				try {
					fn();
				} catch {
					// keep cleaning up the rest
				}
			}
		});
	}
	exitCleanups.add(cleanup);
	return () => exitCleanups.delete(cleanup);
}

/**
 * Stops a process group: SIGTERM, up to `graceMs` to exit, then SIGKILL and up to 5 s more until it is gone.
 */
export async function stopGroup(pid: number, graceMs: number): Promise<void> {
	if (!isGroupAlive(pid)) return;
	killGroup(pid, 'SIGTERM');
	const deadline = Date.now() + graceMs;
	while (isGroupAlive(pid) && Date.now() < deadline) await sleep(50);
	if (isGroupAlive(pid)) killGroup(pid, 'SIGKILL');
	while (isGroupAlive(pid) && Date.now() < deadline + 5_000) await sleep(50);
}
