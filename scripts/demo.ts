/* eslint-disable no-console, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * `npm start`: the iTEP sandbox and a real n8n with this pack installed from its packed tarball, an iTEP API
 * credential pointing at the sandbox, and the example workflows imported and published.
 *
 * State lives outside the repository (default ~/.n8n-nodes-itep-demo): inside it, Node would resolve the pack's
 * `zod`/`n8n-workflow` from this repo's node_modules instead of n8n's own, which a user's install never does.
 */
import { randomBytes } from 'crypto';
import fs from 'fs';
import os from 'os';
import path from 'path';

import { startSandbox, type RunningSandbox } from '../sandbox/server';
import { DEFAULT_SANDBOX_API_KEY } from '../sandbox/config';
import { installPack, OWNER, packPack, startN8n, type N8nInstance } from '../devkit/n8n';

const N8N_VERSION = process.env.ITEP_DEMO_N8N_VERSION ?? '2.40.7';
const N8N_PORT = Number(process.env.ITEP_DEMO_PORT ?? 5678);
const SANDBOX_PORT = Number(process.env.ITEP_SANDBOX_PORT ?? 8787);
const DEMO_DIR = process.env.ITEP_DEMO_DIR ?? path.join(os.homedir(), '.n8n-nodes-itep-demo');
const TRACKING_CODE = 'DEMO';
const REPO_ROOT = path.resolve(__dirname, '..');

interface DemoState {
	webhookSecret: string;
	/** The header value the candidate form sends to the candidate-applied webhook (it spends test IDs). */
	formSecret?: string;
	itepCredentialId?: string;
	webhookCredentialId?: string;
	formCredentialId?: string;
	workflowIds: Record<string, string>;
}

const stateFile = path.join(DEMO_DIR, 'demo-state.json');
const FORM_SECRET_HEADER = 'X-Candidate-Form-Secret';
const userFolder = path.join(DEMO_DIR, 'n8n');

function log(message: string): void {
	console.log(`[demo] ${message}`);
}

function loadState(): DemoState {
	if (fs.existsSync(stateFile)) return JSON.parse(fs.readFileSync(stateFile, 'utf8')) as DemoState;
	return { webhookSecret: randomBytes(24).toString('hex'), workflowIds: {} };
}

function saveState(state: DemoState): void {
	fs.mkdirSync(DEMO_DIR, { recursive: true });
	fs.writeFileSync(stateFile, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

/** An example workflow with the demo's credential IDs and sandbox URL filled in. */
function loadExample(file: string, state: DemoState, sandboxUrl: string) {
	const text = fs
		.readFileSync(path.join(REPO_ROOT, 'examples', file), 'utf8')
		.replaceAll('ITEP_API_CREDENTIAL_ID', state.itepCredentialId ?? '')
		.replaceAll('ITEP_WEBHOOK_CREDENTIAL_ID', state.webhookCredentialId ?? '')
		.replaceAll('CANDIDATE_FORM_CREDENTIAL_ID', state.formCredentialId ?? '')
		.replaceAll('http://127.0.0.1:8787', sandboxUrl);
	return JSON.parse(text);
}

async function setUpWorkflows(
	n8n: N8nInstance,
	state: DemoState,
	sandbox: RunningSandbox,
): Promise<void> {
	if (!state.itepCredentialId) {
		const credential = await n8n.api.createItepCredential(
			{ apiKey: DEFAULT_SANDBOX_API_KEY, baseUrl: sandbox.url },
			'iTEP sandbox',
		);
		state.itepCredentialId = credential.id;
	}
	if (!state.webhookCredentialId) {
		const credential = await n8n.api.createCredential(
			'iTEP sandbox webhook',
			'itepWebhookSignatureApi',
			{
				secret: state.webhookSecret,
			},
		);
		state.webhookCredentialId = credential.id;
	}
	if (!state.formCredentialId) {
		state.formSecret ??= randomBytes(24).toString('hex');
		const credential = await n8n.api.createCredential('Candidate form secret', 'httpHeaderAuth', {
			name: FORM_SECRET_HEADER,
			value: state.formSecret,
		});
		state.formCredentialId = credential.id;
	}
	for (const file of [
		'candidate-applied-stx.json',
		'result-received-record.json',
		'inventory-low-stock-alert.json',
	]) {
		if (state.workflowIds[file]) continue;
		const workflow = await n8n.api.createWorkflow(loadExample(file, state, sandbox.url));
		await n8n.api.activateWorkflow(workflow.id, { wait: true });
		state.workflowIds[file] = workflow.id;
		log(`imported and published "${workflow.name}"`);
	}
	saveState(state);
}

async function main(): Promise<void> {
	fs.mkdirSync(DEMO_DIR, { recursive: true });
	const state = loadState();
	saveState(state);

	log('building and packing the pack...');
	const pack = await packPack({ build: true });
	const firstStart = !fs.existsSync(userFolder);
	fs.mkdirSync(userFolder, { recursive: true });
	installPack(userFolder, pack.tarball);
	log(
		`installed ${path.basename(pack.tarball)} into ${userFolder}/.n8n/nodes as a community package`,
	);

	const n8nUrl = `http://127.0.0.1:${N8N_PORT}`;
	const sandbox = await startSandbox({
		port: SANDBOX_PORT,
		trackingCodes: [
			{
				code: TRACKING_CODE,
				url: `${n8nUrl}/webhook/itep-results`,
				auth: {
					mode: 'hmac',
					headerName: 'X-Itep-Webhook-Signature',
					secrets: [state.webhookSecret],
					encoding: 'hex',
				},
				notifyOnFinished: true,
			},
		],
	});
	log(`sandbox listening on ${sandbox.url}`);

	log(
		`starting n8n ${N8N_VERSION} (${firstStart ? 'first start: about 20 s' : 'reusing its state'})...`,
	);
	let n8n: N8nInstance | undefined;
	const shutdown = async (code: number) => {
		log('stopping n8n and the sandbox...');
		await n8n?.stop({ keepUserFolder: true });
		await sandbox.close();
		process.exit(code);
	};
	process.on('SIGINT', () => void shutdown(0));
	process.on('SIGTERM', () => void shutdown(0));

	try {
		n8n = await startN8n({
			version: N8N_VERSION,
			tarball: null,
			userFolder,
			port: N8N_PORT,
			keep: true,
			logLevel: 'info',
		});
		await setUpWorkflows(n8n, state, sandbox);
	} catch (error) {
		console.error(error);
		await shutdown(1);
		return;
	}

	const candidate = JSON.stringify({
		firstName: 'Zoë',
		lastName: 'Ñúñez',
		email: 'zoe@example.com',
		candidateId: 'C-1001',
	});
	console.log(`
iTEP demo is running.

  n8n editor  ${n8nUrl}
              log in as ${OWNER.email} / ${OWNER.password}
  sandbox     ${sandbox.url}  (API key ${DEFAULT_SANDBOX_API_KEY}; tracking code ${TRACKING_CODE} -> the iTEP Trigger)
  n8n log     ${n8n.logPath}

Try it:
  1. A candidate applies; the workflow asks iTEP (the sandbox) to e-mail a test ID (STX):
       curl -s -X POST ${n8nUrl}/webhook/candidate-applied -H '${FORM_SECRET_HEADER}: ${state.formSecret}' -H 'content-type: application/json' -d '${candidate}'
     (Without that header n8n refuses the call: every call spends a test ID and e-mails a candidate.)
     The e-mail iTEP would send:  curl -s ${sandbox.url}/sandbox/outbox
  2. The candidate finishes and iTEP grades the test; the sandbox posts the signed result to the iTEP Trigger:
       curl -s -X POST '${sandbox.url}/sandbox/complete-next?wait=1' -H 'content-type: application/json' -d '{"track":"${TRACKING_CODE}"}'
  3. See the execution under Executions in n8n, and the recorded decision:
       curl -s ${sandbox.url}/sandbox/results
  4. Stock: open "iTEP: inventory → low-stock alert" and click Execute workflow (it also runs every morning).
     It reads the AVAILABLE TESTS export (${sandbox.url}/sandbox/available-tests.csv, or .xlsx) and posts an
     alert to the same sink for each test type with fewer than 10 available.

Ctrl-C stops n8n and the sandbox (state is kept in ${DEMO_DIR}).
`);
}

void main();
