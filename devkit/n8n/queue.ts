/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/require-node-api-error -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * n8n in queue mode, the way integrators scale it: a private Postgres and Redis, one main process (editor,
 * publishing, REST), workers (`n8n worker`, run executions from the Redis queue) and webhook processors
 * (`n8n webhook`, receive production webhooks). Every process mounts ONE shared user folder holding the pack in
 * .n8n/nodes, as a Docker deployment mounts one volume into every container; the pack is installed once, from
 * the packed tarball. Each process must log that it loaded the pack's nodes, or the start fails.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { CredentialRef } from './api';
import {
	assertNoSecretFound,
	installPack,
	recordSecretScan,
	startN8n,
	type N8nInstance,
} from './instance';
import { getTarball } from './pack';
import { E2E_ARTIFACT_DIR, E2E_STATE_DIR, n8nBin, REPO_ROOT } from './paths';
import { cleanUpOnExit, freePorts, isGroupAlive, killGroup, stopGroup, tail } from './proc';
import { scanForSecrets, type SecretScan } from './secretScan';
import { startPostgres, startRedis, type PrivatePostgres, type PrivateRedis } from './services';
import { waitFor } from '../wait';
import { ITEP_PACKAGE } from './workflows';

/** The line n8n logs (at debug level) once it has loaded a community package's types. */
export const PACK_LOADED_LINE = new RegExp(
	`Loaded all credentials and nodes from ${ITEP_PACKAGE} \\{ "credentials": (\\d+), "nodes": (\\d+)`,
);

export interface QueueProcess {
	role: 'worker' | 'webhook';
	name: string;
	/** Webhook processors: the HTTP port production webhooks reach. Workers: the health-check port. */
	port: number;
	baseUrl: string;
	pid: number;
	logPath: string;
	log(): string;
	alive(): boolean;
	/** SIGKILL to the process group: a crash, nothing flushed. */
	kill(): void;
	stop(): Promise<void>;
}

export interface QueueCluster {
	version: string;
	postgres: PrivatePostgres;
	redis: PrivateRedis;
	main: N8nInstance;
	workers: QueueProcess[];
	webhooks: QueueProcess[];
	userFolder: string;
	/** Environment every n8n process shares (database, queue, encryption key, user folder). */
	sharedEnv: Record<string, string>;
	/** ms from the call to everything ready, and per part. */
	timings: Record<string, number>;
	/** Starts one more worker on the same database and queue (e.g. after one was killed). */
	addWorker(): Promise<QueueProcess>;
	stop(): Promise<void>;
}

export interface StartQueueOptions {
	version: string;
	workers?: number;
	webhooks?: number;
	/** `n8n worker --concurrency` (default 10). */
	workerConcurrency?: number;
	tarball?: string;
	/** The main's HTTP port (editor, REST); default a free port. */
	mainPort?: number;
	/** Extra environment for every n8n process (e.g. N8N_EXECUTIONS_QUEUE_RECOVERY_INTERVAL). */
	env?: Record<string, string>;
}

export async function startQueueCluster(options: StartQueueOptions): Promise<QueueCluster> {
	const started = Date.now();
	const timings: Record<string, number> = {};
	const { version } = options;
	// Every part registers how to stop it as soon as it exists, so a failed start stops what did start.
	const cleanups: Array<() => Promise<void> | void> = [];
	const cleanup = async () => {
		const steps = cleanups.splice(0).reverse();
		let firstError: unknown;
		for (const step of steps) {
			try {
				await step();
			} catch (error) {
				// keep stopping the rest; the first failure (e.g. a secret found) is thrown at the end
				firstError ??= error;
			}
		}
		if (firstError !== undefined) throw firstError;
	};
	const processLogs: string[] = [];
	try {
		let at = Date.now();
		const [postgres, redis] = await allStarted(
			[startPostgres(), startRedis()] as const,
			(service) => cleanups.push(() => service.stop()),
		);
		timings.servicesMs = Date.now() - at;
		// Runs once every n8n process has stopped, before PostgreSQL does.
		cleanups.push(() => {
			searchClusterForSecrets(version, postgres, processLogs);
		});

		at = Date.now();
		fs.mkdirSync(E2E_STATE_DIR, { recursive: true });
		const userFolder = fs.mkdtempSync(path.join(E2E_STATE_DIR, `queue-${version}-`));
		cleanups.push(() => {
			if (process.env.ITEP_E2E_KEEP !== '1')
				fs.rmSync(userFolder, { recursive: true, force: true });
		});
		const { packageDir } = installPack(userFolder, options.tarball ?? (await getTarball()));
		const expectedTypes = declaredTypes(packageDir);
		timings.installMs = Date.now() - at;

		const webhookPorts = await freePorts(options.webhooks ?? 2);
		const sharedEnv: Record<string, string> = {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: postgres.host,
			DB_POSTGRESDB_PORT: String(postgres.port),
			DB_POSTGRESDB_USER: postgres.user,
			DB_POSTGRESDB_PASSWORD: '',
			DB_POSTGRESDB_DATABASE: 'n8n',
			// n8n's default pool of 2 connections per process starves a webhook processor under a burst of deliveries
			// (seen: "timeout exceeded when trying to connect", answered 500).
			DB_POSTGRESDB_POOL_SIZE: '10',
			DB_POSTGRESDB_CONNECTION_TIMEOUT: '60000',
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: redis.host,
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			// Runs started from the editor or REST go to the workers too, like every other execution.
			OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
			// Production webhooks are served by the webhook processors only (a load balancer routes /webhook/ there),
			// so the production URLs the editor shows point at the first of them.
			N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true',
			WEBHOOK_URL: `http://127.0.0.1:${webhookPorts[0]}/`,
			N8N_WEBHOOK_URL: `http://127.0.0.1:${webhookPorts[0]}/`,
			EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
			EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
			...options.env,
		};

		at = Date.now();
		const main = await startN8n({
			version,
			userFolder,
			port: options.mainPort,
			removeUserFolderOnStop: false,
			// "Loaded all credentials and nodes" is a debug line: every process logs at debug.
			logLevel: 'debug',
			env: sharedEnv,
			expect: {
				nodes: [`${ITEP_PACKAGE}.itep`, `${ITEP_PACKAGE}.itepTrigger`],
			},
		});
		cleanups.push(() => main.stop({ keepUserFolder: true }));
		assertPackLoaded('main', main.log(), main.logPath, expectedTypes);
		timings.mainReadyMs = Date.now() - at;

		// Workers and webhook processors read the main's environment (encryption key, user folder, database).
		const processEnv = { ...main.env, ...sharedEnv } as Record<string, string>;
		const register = (stop: () => Promise<void>, logPath: string) => {
			cleanups.push(stop);
			processLogs.push(logPath);
		};
		let workerCount = 0;
		const addWorker = () =>
			startQueueProcess(version, 'worker', `worker-${++workerCount}`, processEnv, {
				concurrency: options.workerConcurrency ?? 10,
				register,
				expectedTypes,
			});

		at = Date.now();
		const processes = await allStarted(
			[
				...Array.from({ length: options.workers ?? 2 }, () => addWorker()),
				...webhookPorts.map((port, i) =>
					startQueueProcess(version, 'webhook', `webhook-${i + 1}`, processEnv, {
						port,
						register,
						expectedTypes,
					}),
				),
			],
			() => undefined,
		);
		timings.workersAndWebhooksReadyMs = Date.now() - at;
		timings.totalMs = Date.now() - started;

		return {
			version,
			postgres,
			redis,
			main,
			workers: processes.filter((p) => p.role === 'worker'),
			webhooks: processes.filter((p) => p.role === 'webhook'),
			userFolder,
			sharedEnv,
			timings,
			addWorker,
			stop: cleanup,
		};
	} catch (error) {
		await cleanup().catch(() => undefined);
		throw error;
	}
}

/**
 * No secret escapes in queue mode either. The main's own stop() searched its log; this searches the workers'
 * and webhook processors' logs, PostgreSQL's log, and a plain pg_dump of n8n's database, where execution data
 * and error messages live. Not the database's files: PostgreSQL compresses values over about 2 KB (TOAST), so
 * a secret inside a big execution would not be found there as text.
 */
export function searchClusterForSecrets(
	version: string,
	postgres: PrivatePostgres,
	logs: string[],
	candidates?: string[],
): SecretScan {
	fs.mkdirSync(E2E_ARTIFACT_DIR, { recursive: true });
	const dump = path.join(E2E_ARTIFACT_DIR, `queue-${version}-${Date.now()}.dump.sql`);
	try {
		postgres.dumpPlain(dump);
		const scan = scanForSecrets([dump, postgres.logPath, ...logs], candidates);
		if (candidates) return scan; // a control search with chosen values: the caller checks it
		recordSecretScan(version, `queue-${version}-cluster`, scan);
		assertNoSecretFound(version, scan);
		return scan;
	} finally {
		fs.rmSync(dump, { force: true });
	}
}

/**
 * Waits for every start (never leaving one running unobserved), hands each success to `onStarted`, and throws
 * the first failure once all have settled.
 */
async function allStarted<T extends readonly unknown[]>(
	starts: T,
	onStarted: (value: Awaited<T[number]>) => void,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
	const settled = await Promise.allSettled(starts);
	for (const result of settled)
		if (result.status === 'fulfilled') onStarted(result.value as Awaited<T[number]>);
	const failure = settled.find((result) => result.status === 'rejected');
	if (failure) throw (failure as PromiseRejectedResult).reason;
	return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as {
		-readonly [K in keyof T]: Awaited<T[K]>;
	};
}

interface ExpectedTypes {
	nodes: number;
	credentials: number;
}

/** How many nodes and credentials the installed pack declares (package.json "n8n"). */
function declaredTypes(packageDir: string): ExpectedTypes {
	const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as {
		n8n: { nodes: string[]; credentials: string[] };
	};
	return { nodes: manifest.n8n.nodes.length, credentials: manifest.n8n.credentials.length };
}

/** Throws unless the log shows the pack loaded with every node and credential it declares. */
export function assertPackLoaded(
	name: string,
	log: string,
	logPath: string,
	expected: ExpectedTypes,
): void {
	const match = PACK_LOADED_LINE.exec(log);
	const loaded = match ? { credentials: Number(match[1]), nodes: Number(match[2]) } : undefined;
	if (!loaded || loaded.nodes !== expected.nodes || loaded.credentials !== expected.credentials) {
		throw new Error(
			`${name} did not load ${ITEP_PACKAGE} (${loaded ? `${loaded.nodes} nodes and ${loaded.credentials} credentials` : 'no "Loaded all credentials and nodes" line'}, ` +
				`expected ${expected.nodes} and ${expected.credentials}); see ${logPath}:\n${tail(log, 30)}`,
		);
	}
}

async function startQueueProcess(
	version: string,
	role: 'worker' | 'webhook',
	name: string,
	baseEnv: Record<string, string>,
	options: {
		/** Called with this process's stop() as soon as it is spawned. */
		register: (stop: () => Promise<void>, logPath: string) => void;
		expectedTypes: ExpectedTypes;
		concurrency?: number;
		/** The HTTP port (webhook processors) or health-check port (workers); default a free one. */
		port?: number;
	},
): Promise<QueueProcess> {
	const [brokerPort, freeHttpPort] = await freePorts(2);
	const port = options.port ?? freeHttpPort;
	const env: Record<string, string> = {
		...baseEnv,
		// Every n8n process starts its own task broker.
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_LOG_LEVEL: 'debug',
		...(role === 'webhook'
			? { N8N_PORT: String(port) }
			: {
					QUEUE_HEALTH_CHECK_ACTIVE: 'true',
					QUEUE_HEALTH_CHECK_PORT: String(port),
					N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
				}),
	};
	const logDir = path.join(E2E_ARTIFACT_DIR, 'logs');
	fs.mkdirSync(logDir, { recursive: true });
	const logPath = path.join(logDir, `queue-${version}-${name}-${Date.now()}.log`);
	const logFd = fs.openSync(logPath, 'a');
	const args =
		role === 'worker' ? ['worker', `--concurrency=${options.concurrency ?? 10}`] : ['webhook'];
	fs.writeSync(
		logFd,
		`[harness] ${new Date().toISOString()} n8n ${version} ${args.join(' ')} on port ${port}\n`,
	);
	const child = spawn(n8nBin(version), args, {
		cwd: baseEnv.N8N_USER_FOLDER,
		env,
		stdio: ['ignore', logFd, logFd],
		detached: true,
	});
	fs.closeSync(logFd);
	const pid = child.pid;
	if (!pid) throw new Error(`Could not spawn n8n ${args.join(' ')}`);
	let exited: string | undefined;
	child.on(
		'exit',
		(code, signal) => (exited = `exited (code ${String(code)}, signal ${String(signal)})`),
	);
	const log = () => fs.readFileSync(logPath, 'utf8');
	const baseUrl = `http://127.0.0.1:${port}`;

	const forgetOnExit = cleanUpOnExit(() => killGroup(pid, 'SIGKILL'));
	const stop = async () => {
		await stopGroup(pid, 15_000);
		forgetOnExit();
	};
	options.register(stop, logPath);
	try {
		await waitFor(
			`n8n ${name} /healthz`,
			async () => ((await fetch(`${baseUrl}/healthz`)).status === 200 ? true : undefined),
			{
				timeoutMs: 180_000,
				intervalMs: 250,
				abort: () => (exited ? `${name} ${exited}\n--- ${logPath} ---\n${tail(log())}` : undefined),
			},
		);
		// A worker answers /healthz before it listens to the queue; the pack is loaded by then.
		const ready =
			role === 'worker' ? /n8n worker is now ready/ : /Webhook listener waiting for requests/;
		await waitFor(`${name} ready`, () => (ready.test(log()) ? true : undefined), {
			timeoutMs: 60_000,
			intervalMs: 250,
			abort: () => (exited ? `${name} ${exited}\n--- ${logPath} ---\n${tail(log())}` : undefined),
		});
		assertPackLoaded(name, log(), logPath, options.expectedTypes);
	} catch (error) {
		await stop();
		throw error;
	}
	return {
		role,
		name,
		port,
		baseUrl,
		pid,
		logPath,
		log,
		alive: () => isGroupAlive(pid),
		kill: () => {
			killGroup(pid, 'SIGKILL');
		},
		stop,
	};
}

/** The database the claim-once recipe (examples/result-received-claim-once.json) claims deliveries in. */
export const CLAIM_DATABASE = 'itep_claims';

/** The recipe's table, exactly as its sticky note tells users to create it (the ```sql block). */
export function claimTableSql(): string {
	const example = JSON.parse(
		fs.readFileSync(path.join(REPO_ROOT, 'examples', 'result-received-claim-once.json'), 'utf8'),
	) as { nodes: Array<{ type: string; parameters: { content?: string } }> };
	const note = example.nodes.find((node) => node.type === 'n8n-nodes-base.stickyNote');
	const sql = /```sql\n([\s\S]*?)```/.exec(note?.parameters.content ?? '')?.[1];
	if (!sql)
		throw new Error('examples/result-received-claim-once.json: no ```sql block in its sticky note');
	return sql.trim();
}

/**
 * Creates the recipe's database and table in the cluster's Postgres, and an n8n Postgres credential for it
 * (the private instance trusts loopback connections, so the password is ignored).
 */
export async function createClaimDatabase(cluster: QueueCluster): Promise<CredentialRef> {
	cluster.postgres.createDatabase(CLAIM_DATABASE);
	cluster.postgres.query(claimTableSql(), CLAIM_DATABASE);
	return cluster.main.api.createCredential('Deliveries database', 'postgres', {
		host: cluster.postgres.host,
		port: cluster.postgres.port,
		database: CLAIM_DATABASE,
		user: cluster.postgres.user,
		password: 'trust-auth-ignores-it',
		ssl: 'disable',
	});
}
