/* eslint-disable no-console, @n8n/community-nodes/no-restricted-globals -- development tooling, never published: n8n's rules for node code do not apply */
import { ADMIN_ENDPOINTS } from './admin';
import { CLI_USAGE, parseCliArgs } from './config';
import { inventorySummary } from './inventory';
import { FULFILLMENT_PATH, SIGNATURE_CHECK_PATH } from './itepDocument';
import { startSandbox } from './server';

/** `npm run sandbox -- --port 8787`: starts the sandbox, prints how to use it, stops on Ctrl-C. */
async function main(): Promise<void> {
	const startedAt = performance.now();
	// Piped into `head` or a closed terminal: keep serving instead of dying on EPIPE.
	process.stdout.on('error', () => undefined);
	let parsed: ReturnType<typeof parseCliArgs>;
	try {
		parsed = parseCliArgs(process.argv.slice(2));
	} catch (error) {
		console.error((error as Error).message);
		process.exit(2);
	}
	if (parsed.help) {
		console.log(CLI_USAGE);
		return;
	}
	const sandbox = await startSandbox(parsed.overrides);
	const { config } = sandbox;
	const available = Object.entries(inventorySummary(sandbox.state.tests))
		.map(([type, entry]) => `${type}: ${entry.available}`)
		.join(', ');
	console.log(
		[
			`iTEP sandbox listening on ${sandbox.url} (ready in ${Math.round(performance.now() - startedAt)} ms)`,
			'',
			`  API key(s):        ${config.apiKeys.join(', ')}`,
			`  Signature:         header ${config.signatureHeader}, ${config.signatureEncoding} HMAC-SHA256 of the raw body`,
			`  Fulfillment:       POST ${sandbox.url}${FULFILLMENT_PATH}   (product codes GTX-<type>, STX-<type>)`,
			`  Signature check:   POST ${sandbox.url}${SIGNATURE_CHECK_PATH}`,
			`  Available IDs:     ${available}`,
			`  Tracking codes:    ${[...sandbox.state.trackingCodes.keys()].join(', ') || '(none; POST /sandbox/tracking-codes)'}`,
			'',
			'  Admin endpoints (no auth, loopback only):',
			...ADMIN_ENDPOINTS.map((line) => `    ${line}`),
			'',
			'Press Ctrl-C to stop.',
		].join('\n'),
	);
	let stopping = false;
	const stop = (signal: string) => {
		if (stopping) process.exit(1);
		stopping = true;
		console.log(`\n${signal}: stopping the iTEP sandbox`);
		void sandbox.close().then(() => process.exit(0));
	};
	process.on('SIGINT', () => stop('SIGINT'));
	process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
	console.error(`iTEP sandbox failed to start: ${(error as Error).message ?? error}`);
	process.exit(1);
});
