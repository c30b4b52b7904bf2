/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * Command-line face of the harness (run with tsx):
 *   tsx devkit/n8n/cli.ts pack [--no-build] [--out DIR]     build + npm pack (into .e2e/pack/run-XXXXXX); prints the tarball
 *   tsx devkit/n8n/cli.ts install USER_FOLDER [--tarball F] install into USER_FOLDER/.n8n/nodes
 *   tsx devkit/n8n/cli.ts start VERSION [--port N] [--tarball F] [--keep]
 *        start n8n with the pack and an owner; prints JSON {baseUrl, userFolder, logPath, owner}; Ctrl-C stops it
 * Logs go to stderr; stdout carries only the result, so scripts can capture it.
 */
import * as path from 'node:path';

import { installPack, startN8n } from './instance';
import { getTarball, packPack } from './pack';
import { OWNER } from './rest';

function flag(args: string[], name: string): string | undefined {
	const index = args.indexOf(name);
	return index >= 0 ? args[index + 1] : undefined;
}

async function main(argv: string[]): Promise<void> {
	const [command, ...args] = argv;
	switch (command) {
		case 'pack': {
			const pack = await packPack({
				build: !args.includes('--no-build'),
				outDir: flag(args, '--out'),
			});
			process.stderr.write(
				`[harness] ${pack.name}@${pack.version}: ${pack.files.length} files (build ${pack.buildMs} ms)\n`,
			);
			process.stdout.write(`${pack.tarball}\n`);
			return;
		}
		case 'install': {
			const userFolder = args[0];
			if (!userFolder || userFolder.startsWith('--'))
				throw new Error('usage: install USER_FOLDER [--tarball F]');
			const tarball = flag(args, '--tarball') ?? (await getTarball());
			const { packageDir, durationMs } = installPack(
				path.resolve(userFolder),
				path.resolve(tarball),
			);
			process.stderr.write(`[harness] installed in ${durationMs} ms\n`);
			process.stdout.write(`${packageDir}\n`);
			return;
		}
		case 'start': {
			const version = args[0];
			if (!version || version.startsWith('--'))
				throw new Error('usage: start VERSION [--port N] [--tarball F] [--keep]');
			const port = flag(args, '--port');
			const tarball = flag(args, '--tarball');
			const n8n = await startN8n({
				version,
				port: port ? Number(port) : undefined,
				tarball: tarball ? path.resolve(tarball) : undefined,
				keep: args.includes('--keep'),
			});
			process.stdout.write(
				`${JSON.stringify({
					version,
					baseUrl: n8n.baseUrl,
					userFolder: n8n.userFolder,
					logPath: n8n.logPath,
					owner: { email: OWNER.email, password: OWNER.password },
					timings: n8n.timings,
				})}\n`,
			);
			await new Promise<void>((resolve) => {
				for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
			});
			await n8n.stop();
			return;
		}
		default:
			throw new Error(`unknown command "${command ?? ''}" (pack | install | start)`);
	}
}

main(process.argv.slice(2)).catch((error: unknown) => {
	process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
	process.exit(1);
});
