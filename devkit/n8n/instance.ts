/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/require-node-api-error -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * Starts a real n8n (a provisioned release, on Node 24) in a fresh user folder with the packed tarball installed
 * as a community package, exactly where and how a self-hosting user would put it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { N8nApi, type NodeRun } from './api';
import { getTarball } from './pack';
import {
	assertProvisioned,
	E2E_ARTIFACT_DIR,
	E2E_STATE_DIR,
	n8nBin,
	n8nInstallDir,
	n8nLine,
} from './paths';
import { sleep, waitFor } from '../wait';
import {
	cleanEnv,
	cleanUpOnExit,
	freePorts,
	killGroup,
	runAsync,
	runSync,
	stopGroup,
	tail,
	type RunResult,
} from './proc';
import { OWNER, RestClient, type HttpMethod, type RawResponse } from './rest';
import { scanForSecrets, type SecretScan } from './secretScan';
import { ITEP_CREDENTIAL_TYPE, ITEP_PACKAGE } from './workflows';

/** Fixed so credentials stay decryptable across restarts of one user folder and `n8n import:credentials` works. */
export const E2E_ENCRYPTION_KEY = 'itep-e2e-encryption-key-do-not-use-in-production';

export interface StartN8nOptions {
	/** A provisioned n8n release, e.g. '2.40.7' or '1.123.81'. */
	version: string;
	/** Tarball to install into <userFolder>/.n8n/nodes; default: the run's packed tarball. `null`: install nothing. */
	tarball?: string | null;
	/** HTTP port; default a free port. */
	port?: number;
	/** Extra/overriding environment for n8n (undefined deletes a default). */
	env?: Record<string, string | undefined>;
	/** Reuse an existing user folder (e.g. restart after `n8n publish:workflow`); the pack is not reinstalled. */
	userFolder?: string;
	/** Create the owner and log in (default true). */
	owner?: boolean;
	/**
	 * Types that must be registered before the instance counts as ready (checked via /types/*.json once logged
	 * in). Default: the pack's credential `itepApi`. Missing ones fail the start with a log excerpt.
	 */
	expect?: { nodes?: string[]; credentials?: string[] };
	/** N8N_LOG_LEVEL (default 'debug': shows "Loaded all credentials and nodes from n8n-nodes-itep"). */
	logLevel?: 'error' | 'warn' | 'info' | 'debug';
	startTimeoutMs?: number;
	/** Keep the user folder after stop() (also: ITEP_E2E_KEEP=1). Logs are always kept in .e2e/logs. */
	keep?: boolean;
	/** Internal (restart): whether stop() deletes the user folder; default: a folder this call created, unless kept. */
	removeUserFolderOnStop?: boolean;
}

export interface N8nTimings {
	/** npm install of the tarball into .n8n/nodes. */
	installMs: number;
	/** spawn -> GET /healthz answers 200. */
	healthzMs: number;
	/** spawn -> owner logged in and the expected types are registered. */
	readyMs: number;
}

export interface CliExecution extends RunResult {
	/** The run printed by --rawOutput (an IRun: status, mode 'cli', data.resultData.runData), if one was found. */
	run?: {
		status?: string;
		mode?: string;
		finished?: boolean;
		data: { resultData: { runData: Record<string, NodeRun[]>; error?: { message?: string } } };
		[key: string]: unknown;
	};
}

/**
 * The JSON block `n8n execute --rawOutput` prints. The CLI logs through its logger, so other lines (e.g. the
 * Python-runner warning on 2.x) can surround it; the block starts with a line "{" and ends with a line "}".
 */
export function parseRawOutput(stdout: string): CliExecution['run'] {
	const lines = stdout.split('\n');
	const start = lines.findIndex((line) => line.trimEnd() === '{');
	if (start < 0) return undefined;
	for (let end = lines.length - 1; end > start; end--) {
		if (lines[end].trimEnd() !== '}') continue;
		try {
			return JSON.parse(lines.slice(start, end + 1).join('\n')) as CliExecution['run'];
		} catch {
			// keep looking for an earlier closing brace
		}
	}
	return undefined;
}

export interface N8nInstance {
	version: string;
	line: number;
	baseUrl: string;
	port: number;
	brokerPort: number;
	userFolder: string;
	logPath: string;
	env: NodeJS.ProcessEnv;
	pid: number;
	timings: N8nTimings;
	/** Logged-in session against this instance. */
	client: RestClient;
	/** Higher-level helpers (credentials, workflows, executions). */
	api: N8nApi;
	/** REST call with the owner's cookie: throws on non-2xx, returns n8n's `data`. */
	rest<T = unknown>(method: HttpMethod, urlPath: string, body?: unknown): Promise<T>;
	/** Any HTTP call (webhooks, healthz...): never throws on status. */
	http(
		method: HttpMethod,
		urlPath: string,
		body?: unknown,
		headers?: Record<string, string>,
	): Promise<RawResponse>;
	/**
	 * Runs `n8n <args>` against the same user folder/DB (own task-broker port). Works while the server runs for
	 * import:*, export:*, publish:workflow; `execute` too, but it is a full extra n8n boot (slow).
	 */
	cli(args: string[], options?: { timeoutMs?: number }): Promise<RunResult>;
	/**
	 * `n8n execute --id=<id> --rawOutput` in a second process (Manual Trigger workflows only). Slower than
	 * api.runManually (a full n8n boot, ~3 s) and its run is NOT stored as an execution; use it to cross-check.
	 */
	executeCli(workflowId: string, options?: { timeoutMs?: number }): Promise<CliExecution>;
	/** Whole log so far. */
	log(): string;
	/** Waits until the log (from `fromOffset`, default: now) matches. Returns the matching text. */
	waitForLog(
		pattern: RegExp,
		options?: { timeoutMs?: number; fromOffset?: number },
	): Promise<string>;
	logSize(): number;
	/** SIGTERM to the whole process group, SIGKILL after a grace period; removes the user folder unless kept. */
	stop(options?: { keepUserFolder?: boolean }): Promise<void>;
	/**
	 * Stops this process and starts the same release on the same user folder (DB, credentials, installed pack
	 * and published workflows persist; same HTTP port, new broker port). E.g. after `cli(['publish:workflow', ...])`, or to test that
	 * a published trigger comes back after a restart. Use the returned instance from then on.
	 */
	restart(
		options?: Partial<Pick<StartN8nOptions, 'env' | 'expect' | 'logLevel'>>,
	): Promise<N8nInstance>;
}

/**
 * Installs a tarball as a community package the way n8n's own installer lays it out:
 * <userFolder>/.n8n/nodes/package.json ("installed-nodes") and .n8n/nodes/node_modules/<pack>.
 *
 * `--legacy-peer-deps` matters: the pack declares `peerDependencies: { "n8n-workflow": "*" }` and npm >= 7 would
 * otherwise install the newest n8n-workflow from the registry next to it, which the pack's require() would then
 * pick before n8n's own copy. n8n's UI installer avoids that by deleting peerDependencies before installing.
 */
export function installPack(
	userFolder: string,
	tarball: string,
): { packageDir: string; durationMs: number } {
	tarball = path.resolve(tarball);
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	const manifest = path.join(nodesDir, 'package.json');
	if (!fs.existsSync(manifest)) {
		fs.writeFileSync(
			manifest,
			`${JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2)}\n`,
		);
	}
	const run = runSync(
		'npm',
		[
			'install',
			tarball,
			'--ignore-scripts',
			'--no-audit',
			'--no-fund',
			'--no-package-lock',
			'--legacy-peer-deps',
			'--loglevel=error',
		],
		{ cwd: nodesDir, env: cleanEnv(), timeoutMs: 5 * 60_000 },
	);
	const packageDir = path.join(nodesDir, 'node_modules', tarballPackageName(tarball));
	if (!fs.existsSync(path.join(packageDir, 'package.json'))) {
		throw new Error(
			`npm install of ${tarball} did not produce ${packageDir}:\n${run.stdout}\n${run.stderr}`,
		);
	}
	assertUsesN8nCopies(packageDir);
	return { packageDir, durationMs: run.durationMs };
}

/** The package name inside a tarball (npm pack puts the manifest at package/package.json). */
export function tarballPackageName(tarball: string): string {
	const manifest = runSync('tar', ['-xzOf', tarball, 'package/package.json'], {
		cwd: path.dirname(tarball),
	});
	return (JSON.parse(manifest.stdout) as { name: string }).name;
}

/**
 * The pack must run against n8n's own n8n-workflow and zod (n8n puts its module paths on NODE_PATH, which Node
 * consults only after walking up node_modules folders). Fails if anything on the walk-up would shadow them.
 */
export function assertUsesN8nCopies(packageDir: string): void {
	const shadowing: string[] = [];
	let dir = packageDir;
	for (;;) {
		for (const dep of ['n8n-workflow', 'zod', 'n8n-core']) {
			const candidate = path.join(dir, 'node_modules', dep);
			if (fs.existsSync(candidate)) shadowing.push(candidate);
		}
		const parent = path.dirname(dir);
		if (parent === dir) break;
		dir = parent;
	}
	if (shadowing.length > 0) {
		throw new Error(
			`The installed pack would not use n8n's own copies; these shadow them: ${shadowing.join(', ')}. ` +
				'The pack must have no dependencies (peerDependencies only), and the user folder must not sit inside a project.',
		);
	}
}

export async function startN8n(options: StartN8nOptions): Promise<N8nInstance> {
	const { version } = options;
	assertProvisioned(version);

	const [port, brokerPort] = options.port
		? [options.port, (await freePorts(1))[0]]
		: await freePorts(2);
	fs.mkdirSync(E2E_STATE_DIR, { recursive: true });
	const reuse = options.userFolder !== undefined;
	const userFolder = options.userFolder ?? fs.mkdtempSync(path.join(E2E_STATE_DIR, `${version}-`));

	let installMs = 0;
	const tarball = options.tarball === undefined ? await getTarball() : options.tarball;
	if (tarball && !reuse) {
		try {
			installMs = installPack(userFolder, tarball).durationMs;
		} catch (error) {
			fs.rmSync(userFolder, { recursive: true, force: true });
			throw error;
		}
	}

	const logDir = path.join(E2E_ARTIFACT_DIR, 'logs');
	fs.mkdirSync(logDir, { recursive: true });
	pruneOldFiles(logDir, 3 * 24 * 3600_000);
	const logPath = path.join(logDir, `${path.basename(userFolder)}.log`);
	const baseUrl = `http://127.0.0.1:${port}`;

	const env = cleanEnv({
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: E2E_ENCRYPTION_KEY,
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_PORT: String(port),
		N8N_EDITOR_BASE_URL: `${baseUrl}/`,
		N8N_WEBHOOK_URL: `${baseUrl}/`,
		N8N_SECURE_COOKIE: 'false',
		// Task broker (2.x always starts it for Code nodes; 1.123 only with runners enabled): one port per instance.
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		// Offline and quiet.
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
		// Community packages: loading must stay on (nodes/ is scanned by the community-packages module), but the
		// "verified community nodes" catalogue fetch from api.n8n.io is switched off.
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_COMMUNITY_PACKAGES_PREVENT_LOADING: 'false',
		N8N_VERIFIED_PACKAGES_ENABLED: 'false',
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		// Let nodes call the local sandbox on 127.0.0.1.
		N8N_SSRF_PROTECTION_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		DB_TYPE: 'sqlite',
		DB_SQLITE_POOL_SIZE: '4',
		EXECUTIONS_DATA_SAVE_MANUAL_EXECUTIONS: 'true',
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '5',
		N8N_LOG_LEVEL: options.logLevel ?? 'debug',
		N8N_LOG_OUTPUT: 'console',
		NO_COLOR: '1',
		TZ: 'UTC',
		GENERIC_TIMEZONE: 'UTC',
		// 2.x: the mcp-registry module's system task polls api.n8n.io/api/mcp-servers (ENOTFOUND noise offline).
		// Only set where the release knows the module: an unknown name in N8N_DISABLED_MODULES aborts start-up.
		...(knowsModule(version, 'mcp-registry') ? { N8N_DISABLED_MODULES: 'mcp-registry' } : {}),
		...options.env,
	});

	const logFd = fs.openSync(logPath, 'a');
	fs.writeSync(
		logFd,
		`[harness] ${new Date().toISOString()} n8n ${version} start on ${baseUrl} (broker ${brokerPort}), user folder ${userFolder}\n`,
	);
	const started = Date.now();
	const child: ChildProcess = spawn(n8nBin(version), ['start'], {
		cwd: userFolder,
		env,
		stdio: ['ignore', logFd, logFd],
		detached: true,
	});
	fs.closeSync(logFd);
	const pid = child.pid;
	if (!pid) throw new Error(`Could not spawn ${n8nBin(version)}`);
	// Last resort if a test run dies without calling stop(): never leave an n8n behind.
	const forgetOnExit = cleanUpOnExit(() => killGroup(pid, 'SIGKILL'));
	let exited: string | undefined;
	child.on('exit', (code, signal) => {
		exited = `n8n exited (code ${String(code)}, signal ${String(signal)})`;
	});

	const readLog = () => (fs.existsSync(logPath) ? fs.readFileSync(logPath, 'utf8') : '');
	const client = new RestClient(baseUrl);
	let stopped = false;

	const removeOnStop =
		options.removeUserFolderOnStop ??
		(!reuse && !options.keep && process.env.ITEP_E2E_KEEP !== '1');
	const stop = async (stopOptions: { keepUserFolder?: boolean } = {}) => {
		if (stopped) return;
		stopped = true;
		await stopGroup(pid, 15_000);
		forgetOnExit();
		const scan = scanForSecrets([
			logPath,
			...SQLITE_FILES.map((file) => path.join(userFolder, file)),
		]);
		recordSecretScan(version, logPath, scan);
		if (removeOnStop && !stopOptions.keepUserFolder)
			fs.rmSync(userFolder, { recursive: true, force: true });
		assertNoSecretFound(version, scan);
	};

	const abort = () => (exited ? `${exited}\n--- ${logPath} ---\n${tail(readLog())}` : undefined);
	const timeoutMs = options.startTimeoutMs ?? 180_000;
	try {
		await waitFor(
			`n8n ${version} /healthz`,
			async () => {
				const response = await fetch(`${baseUrl}/healthz`);
				return response.status === 200 ? true : undefined;
			},
			{ timeoutMs, intervalMs: 250, abort },
		);
		const healthzMs = Date.now() - started;

		if (options.owner !== false) {
			// /healthz can answer before every controller is mounted: retry the setup until it is accepted.
			await waitFor(
				'owner setup / login',
				async () => {
					await client.setupOwnerOrLogin(OWNER);
					return client.loggedIn ? true : undefined;
				},
				{ timeoutMs: 60_000, intervalMs: 500, abort },
			);
			await assertTypesLoaded(
				new N8nApi(version, client),
				{
					nodes: options.expect?.nodes ?? [],
					credentials: options.expect?.credentials ?? (tarball ? [ITEP_CREDENTIAL_TYPE] : []),
					// By default every node file the installed pack declares must show up as a type.
					minPackNodes: packageNodeCount(
						path.join(userFolder, '.n8n', 'nodes', 'node_modules', ITEP_PACKAGE),
					),
				},
				readLog,
				logPath,
			);
		}
		const readyMs = Date.now() - started;
		fs.appendFileSync(logPath, `[harness] ready: healthz ${healthzMs} ms, ready ${readyMs} ms\n`);

		const instance: N8nInstance = {
			version,
			line: n8nLine(version),
			baseUrl,
			port,
			brokerPort,
			userFolder,
			logPath,
			env,
			pid,
			timings: { installMs, healthzMs, readyMs },
			client,
			api: new N8nApi(version, client),
			rest: (method, urlPath, body) => client.rest(method, urlPath, body),
			http: (method, urlPath, body, headers) => client.raw(method, urlPath, body, headers),
			cli: async (args, cliOptions = {}) => {
				const [cliBroker] = await freePorts(1);
				return runAsync(n8nBin(version), args, {
					cwd: userFolder,
					// info, not less: the CLI prints its results (execute, export) through the logger at level info.
					env: { ...env, N8N_RUNNERS_BROKER_PORT: String(cliBroker), N8N_LOG_LEVEL: 'info' },
					timeoutMs: cliOptions.timeoutMs ?? 120_000,
				});
			},
			executeCli: async (workflowId, cliOptions = {}) => {
				const result = await instance.cli(
					['execute', `--id=${workflowId}`, '--rawOutput'],
					cliOptions,
				);
				return { ...result, run: parseRawOutput(result.stdout) };
			},
			log: readLog,
			logSize: () => (fs.existsSync(logPath) ? fs.statSync(logPath).size : 0),
			waitForLog: async (pattern, waitOptions = {}) => {
				const from =
					waitOptions.fromOffset ?? (fs.existsSync(logPath) ? fs.statSync(logPath).size : 0);
				return waitFor(
					`log line ${String(pattern)}`,
					() => {
						const match = readLog().slice(from).match(pattern);
						return match ? match[0] : undefined;
					},
					{ timeoutMs: waitOptions.timeoutMs ?? 30_000, intervalMs: 200, abort },
				);
			},
			stop,
			restart: async (restartOptions = {}) => {
				await stop({ keepUserFolder: true });
				return startN8n({
					...options,
					...restartOptions,
					// Same port: webhook URLs n8n handed out (e.g. registered with the sandbox) stay valid.
					port,
					userFolder,
					removeUserFolderOnStop: removeOnStop,
				});
			},
		};
		return instance;
	} catch (error) {
		await stop();
		throw error;
	}
}

/** n8n's SQLite database and the files SQLite keeps beside it while writing. */
const SQLITE_FILES = ['database.sqlite', 'database.sqlite-wal', 'database.sqlite-journal'].map(
	(file) => path.join('.n8n', file),
);

/**
 * One line per stopped instance (or queue cluster) in .e2e/secret-scans.jsonl; scripts/e2e.sh and
 * `npm run reliability` print the totals.
 */
export function recordSecretScan(version: string, logPath: string, scan: SecretScan): void {
	const line = { version, log: path.basename(logPath), ...scan };
	fs.mkdirSync(E2E_ARTIFACT_DIR, { recursive: true });
	fs.appendFileSync(path.join(E2E_ARTIFACT_DIR, 'secret-scans.jsonl'), `${JSON.stringify(line)}\n`);
}

/** Fails the stop that searched: a secret in plain text is a defect, never a warning. */
export function assertNoSecretFound(version: string, scan: SecretScan): void {
	if (scan.findings.length === 0) return;
	throw new Error(
		`n8n ${version} kept a credential secret in plain text: ` +
			scan.findings.map((f) => `${f.secret} ${f.occurrences}x in ${f.file}`).join('; '),
	);
}

function pruneOldFiles(dir: string, maxAgeMs: number): void {
	const cutoff = Date.now() - maxAgeMs;
	for (const entry of fs.readdirSync(dir)) {
		const file = path.join(dir, entry);
		try {
			if (fs.statSync(file).mtimeMs < cutoff) fs.rmSync(file, { force: true });
		} catch {
			// raced with a concurrent run
		}
	}
}

function knowsModule(version: string, moduleName: string): boolean {
	const file = path.join(
		n8nInstallDir(version),
		'node_modules',
		'@n8n',
		'backend-common',
		'dist',
		'modules',
		'modules.config.js',
	);
	try {
		return fs.readFileSync(file, 'utf8').includes(`'${moduleName}'`);
	} catch {
		return false;
	}
}

function packageNodeCount(packageDir: string): number {
	try {
		const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as {
			n8n?: { nodes?: string[] };
		};
		return manifest.n8n?.nodes?.length ?? 0;
	} catch {
		return 0;
	}
}

/**
 * Waits until n8n lists the expected types. Polls because the type files behind /types/*.json are (re)written
 * by n8n several times during start-up (1.123.x writes them non-atomically from a stream, and a first read
 * right after /healthz was once seen without the community nodes while the credentials were already there).
 */
async function assertTypesLoaded(
	api: N8nApi,
	expected: { nodes: string[]; credentials: string[]; minPackNodes: number },
	readLog: () => string,
	logPath: string,
	timeoutMs = 30_000,
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	let polls = 0;
	for (;;) {
		polls++;
		let nodeNames: string[] = [];
		let credentialNames: string[] = [];
		try {
			[nodeNames, credentialNames] = await Promise.all([
				api.nodeTypeNames(),
				api.credentialTypeNames(),
			]);
		} catch {
			// partial file while n8n rewrites it: try again
		}
		const packNodes = nodeNames.filter((n) => n.startsWith(`${ITEP_PACKAGE}.`));
		const missing = [
			...expected.nodes.filter((n) => !nodeNames.includes(n)),
			...expected.credentials.filter((c) => !credentialNames.includes(c)),
		];
		if (missing.length === 0 && packNodes.length >= expected.minPackNodes) {
			if (polls > 1) fs.appendFileSync(logPath, `[harness] types complete after ${polls} polls\n`);
			return;
		}
		if (Date.now() > deadline) {
			const failures = readLog()
				.split('\n')
				.filter(
					(line) =>
						line.includes(ITEP_PACKAGE) &&
						/Failed to load|Skipping package|could not be found|Error/i.test(line),
				);
			throw new Error(
				`n8n ${api.version} did not register ${missing.join(', ') || `${expected.minPackNodes} ${ITEP_PACKAGE} node types`} ` +
					`(pack node types present: ${packNodes.join(', ') || 'none'}).\n` +
					`Log lines about ${ITEP_PACKAGE} (${logPath}):\n${failures.join('\n') || '(none)'}\n--- log tail ---\n${tail(readLog(), 40)}`,
			);
		}
		await sleep(500);
	}
}
