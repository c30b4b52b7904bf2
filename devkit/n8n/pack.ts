/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error -- development tooling, never published: n8n's rules for node code do not apply */
/** Builds the pack and `npm pack`s it once per run; the tarball is what every e2e n8n installs. */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { E2E_ARTIFACT_DIR, REPO_ROOT } from './paths';
import { sleep } from '../wait';
import { cleanEnv, runSync } from './proc';

export interface PackInfo {
	tarball: string;
	name: string;
	version: string;
	files: string[];
	buildMs: number;
	packMs: number;
}

let packed: PackInfo | undefined;

/**
 * `npm run build` then `npm pack` into a fresh temp dir. Memoised per process; set ITEP_E2E_TARBALL to reuse a
 * tarball made earlier in the run (scripts/e2e.sh and the jest globalSetup do that), so the pack is built once.
 */
export async function packPack(
	options: { build?: boolean; outDir?: string } = {},
): Promise<PackInfo> {
	if (packed && fs.existsSync(packed.tarball)) return packed;
	const outDir = options.outDir ?? newPackDir();
	fs.mkdirSync(outDir, { recursive: true });
	// Several engineers share this working tree; serialise harness builds so two runs never rimraf each other's dist/.
	const release = await acquireLock(path.join(E2E_ARTIFACT_DIR, 'pack.lock'));
	try {
		const env = cleanEnv({}, { node24: false });
		let buildMs = 0;
		if (options.build !== false) {
			buildMs = runSync('npm', ['run', 'build', '--silent'], {
				cwd: REPO_ROOT,
				env,
				timeoutMs: 5 * 60_000,
			}).durationMs;
		}
		const run = runSync('npm', ['pack', '--json', '--pack-destination', outDir], {
			cwd: REPO_ROOT,
			env,
		});
		const json = run.stdout.slice(run.stdout.indexOf('['));
		const [info] = JSON.parse(json) as Array<{
			filename: string;
			name: string;
			version: string;
			files: Array<{ path: string }>;
		}>;
		packed = {
			tarball: path.join(outDir, info.filename),
			name: info.name,
			version: info.version,
			files: info.files.map((f) => f.path),
			buildMs,
			packMs: run.durationMs,
		};
	} finally {
		release();
	}
	process.env.ITEP_E2E_TARBALL = packed.tarball;
	return packed;
}

/**
 * A fresh folder per pack under .e2e/pack/ (concurrent runs in the shared tree must not overwrite a tarball
 * another run is installing); folders older than a day are pruned.
 */
function newPackDir(): string {
	const root = path.join(E2E_ARTIFACT_DIR, 'pack');
	fs.mkdirSync(root, { recursive: true });
	const dayAgo = Date.now() - 24 * 3600_000;
	for (const entry of fs.readdirSync(root)) {
		const full = path.join(root, entry);
		try {
			if (entry.startsWith('run-') && fs.statSync(full).mtimeMs < dayAgo)
				fs.rmSync(full, { recursive: true, force: true });
		} catch {
			// raced with another run's pruning
		}
	}
	return fs.mkdtempSync(path.join(root, 'run-'));
}

/** The run's tarball: ITEP_E2E_TARBALL if it points at a file, else a fresh packPack(). */
export async function getTarball(): Promise<string> {
	const fromEnv = process.env.ITEP_E2E_TARBALL;
	if (fromEnv && fs.existsSync(fromEnv)) return path.resolve(fromEnv);
	return (await packPack()).tarball;
}

async function acquireLock(lockDir: string, timeoutMs = 5 * 60_000): Promise<() => void> {
	fs.mkdirSync(path.dirname(lockDir), { recursive: true });
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		try {
			fs.mkdirSync(lockDir);
			fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
			return () => fs.rmSync(lockDir, { recursive: true, force: true });
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			if (staleLock(lockDir) || Date.now() > deadline) {
				fs.rmSync(lockDir, { recursive: true, force: true });
				continue;
			}
			await sleep(500);
		}
	}
}

function staleLock(lockDir: string): boolean {
	try {
		const pid = Number(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8'));
		process.kill(pid, 0);
		return false;
	} catch (error) {
		// ESRCH: owner is gone. ENOENT: the pid file is not written yet, treat as held.
		return (error as NodeJS.ErrnoException).code === 'ESRCH';
	}
}
