/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/require-node-api-error -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * Private PostgreSQL and Redis instances for queue mode: Debian's server binaries, started on free loopback ports
 * with their data in a fresh temporary folder; no system service or system cluster is started or used. stop()
 * removes them, and so does the exit of this process if stop() was never reached.
 * scripts/ensure-queue-services.sh installs the Debian packages when they are missing.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { waitFor } from '../wait';
import { cleanUpOnExit, freePort, killGroup, runSync, stopGroup, tail } from './proc';

export interface PrivatePostgres {
	host: '127.0.0.1';
	port: number;
	user: 'postgres';
	dataDir: string;
	logPath: string;
	/** psql -c <sql> against `database` (default n8n); returns stdout (unaligned, tuples only). */
	query(sql: string, database?: string): string;
	createDatabase(name: string): void;
	/**
	 * pg_dump of `database` (default n8n) in plain SQL to `file`: every value as text, so a search finds what
	 * PostgreSQL keeps compressed on disk (TOAST compresses values over about 2 KB, execution data included).
	 */
	dumpPlain(file: string, database?: string): void;
	stop(): void;
}

export interface PrivateRedis {
	host: '127.0.0.1';
	port: number;
	pid: number;
	stop(): Promise<void>;
}

/** The newest /usr/lib/postgresql/<major>/bin that has initdb (Debian's layout). */
export function postgresBinDir(): string {
	const root = '/usr/lib/postgresql';
	const majors = fs.existsSync(root)
		? fs
				.readdirSync(root)
				.filter((major) => fs.existsSync(path.join(root, major, 'bin', 'initdb')))
				.sort((a, b) => Number(b) - Number(a))
		: [];
	if (majors.length === 0) {
		throw new Error(
			'PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin. Run: bash scripts/ensure-queue-services.sh',
		);
	}
	return path.join(root, majors[0], 'bin');
}

/** PostgreSQL refuses to run as root: as root, run its tools as the `postgres` user. */
function asPostgresUser(command: string, args: string[]): [string, string[]] {
	return process.getuid?.() === 0
		? ['runuser', ['-u', 'postgres', '--', command, ...args]]
		: [command, args];
}

export async function startPostgres(): Promise<PrivatePostgres> {
	const bin = postgresBinDir();
	const baseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'itep-postgres-'));
	const dataDir = path.join(baseDir, 'data');
	const logPath = path.join(baseDir, 'postgres.log');
	if (process.getuid?.() === 0) runSync('chown', ['-R', 'postgres:', baseDir], { cwd: baseDir });
	const run = (command: string, args: string[]) => {
		const [cmd, argv] = asPostgresUser(path.join(bin, command), args);
		return runSync(cmd, argv, { cwd: baseDir, timeoutMs: 120_000 });
	};
	const port = await freePort();
	const psql = (sql: string, database = 'postgres') =>
		runSync(
			path.join(bin, 'psql'),
			['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', database, '-tAX', '-c', sql],
			{ cwd: baseDir, env: { ...process.env, PGCONNECT_TIMEOUT: '10' } },
		).stdout;
	let stopped = false;
	const stop = () => {
		if (stopped) return;
		stopped = true;
		forgetOnExit();
		try {
			if (fs.existsSync(path.join(dataDir, 'postmaster.pid')))
				run('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
		} finally {
			fs.rmSync(baseDir, { recursive: true, force: true });
		}
	};
	const forgetOnExit = cleanUpOnExit(stop);
	try {
		// Test data only: no fsync, so thousands of executions do not wait on the disk.
		run('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
		run('pg_ctl', [
			'-D',
			dataDir,
			'-l',
			logPath,
			'-w',
			'-t',
			'60',
			'-o',
			`-p ${port} -k ${baseDir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200`,
			'start',
		]);
		psql('CREATE DATABASE n8n');
	} catch (error) {
		const log = fs.existsSync(logPath) ? tail(fs.readFileSync(logPath, 'utf8')) : '';
		stop();
		throw new Error(`${(error as Error).message}\n--- postgres log ---\n${log}`);
	}
	const instance: PrivatePostgres = {
		host: '127.0.0.1',
		port,
		user: 'postgres',
		dataDir,
		logPath,
		query: (sql, database = 'n8n') => psql(sql, database),
		createDatabase: (name) => {
			psql(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
		},
		dumpPlain: (file, database = 'n8n') => {
			runSync(
				path.join(bin, 'pg_dump'),
				['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', database, '-f', file],
				{ cwd: baseDir, timeoutMs: 120_000, env: { ...process.env, PGCONNECT_TIMEOUT: '10' } },
			);
		},
		stop,
	};
	return instance;
}

export async function startRedis(): Promise<PrivateRedis> {
	const port = await freePort();
	const child = spawn(
		'redis-server',
		['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
		{ stdio: ['ignore', 'pipe', 'pipe'], detached: true },
	);
	let output = '';
	child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
	child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
	let exited = false;
	child.on('exit', () => (exited = true));
	child.on('error', (error) => {
		exited = true;
		output += `\n${error.message} (run: bash scripts/ensure-queue-services.sh)`;
	});
	const pid = child.pid ?? 0;
	const forgetOnExit = cleanUpOnExit(() => killGroup(pid, 'SIGKILL'));
	try {
		await waitFor(
			'redis-server ready',
			() => (/Ready to accept connections/.test(output) ? true : undefined),
			{
				timeoutMs: 30_000,
				intervalMs: 100,
				abort: () => (exited ? `redis-server exited:\n${tail(output)}` : undefined),
			},
		);
	} catch (error) {
		killGroup(pid, 'SIGKILL');
		forgetOnExit();
		throw error;
	}
	return {
		host: '127.0.0.1',
		port,
		pid,
		stop: async () => {
			await stopGroup(pid, 5_000);
			forgetOnExit();
		},
	};
}
