/* eslint-disable no-console, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * `npm run start:queue`: the pack in n8n's queue mode, the topology the queue-mode tests use
 * (devkit/n8n/queue.ts): private Postgres and Redis on loopback, a main, two workers and two webhook
 * processors sharing one user folder with the pack installed from its packed tarball. The iTEP sandbox, an
 * iTEP API credential, the candidate-applied STX example and the claim-once result example are set up.
 * Everything is fresh on each start and removed on Ctrl-C.
 */
import { randomBytes } from 'crypto';
import fs from 'fs';
import path from 'path';

import { DEFAULT_SANDBOX_API_KEY } from '../sandbox/config';
import { startSandbox } from '../sandbox/server';
import { adminPost } from '../devkit/sandboxClient';
import { OWNER, packPack } from '../devkit/n8n';
import {
	CLAIM_DATABASE,
	createClaimDatabase,
	startQueueCluster,
	type QueueCluster,
} from '../devkit/n8n/queue';

const N8N_VERSION = process.env.ITEP_DEMO_N8N_VERSION ?? '2.40.7';
const N8N_PORT = Number(process.env.ITEP_DEMO_PORT ?? 5678);
const SANDBOX_PORT = Number(process.env.ITEP_SANDBOX_PORT ?? 8787);
const REPO_ROOT = path.resolve(__dirname, '..');
const TRACKING_CODE = 'DEMO';
const FORM_SECRET_HEADER = 'X-Candidate-Form-Secret';

function log(message: string): void {
	console.log(`[queue demo] ${message}`);
}

function example(file: string, replacements: Record<string, string>) {
	let text = fs.readFileSync(path.join(REPO_ROOT, 'examples', file), 'utf8');
	for (const [from, to] of Object.entries(replacements)) text = text.split(from).join(to);
	return JSON.parse(text);
}

async function main(): Promise<void> {
	const webhookSecret = randomBytes(24).toString('hex');
	const formSecret = randomBytes(24).toString('hex');
	log('building and packing the pack...');
	const pack = await packPack({ build: true });
	const sandbox = await startSandbox({ port: SANDBOX_PORT });
	log(`sandbox listening on ${sandbox.url}`);

	let cluster: QueueCluster | undefined;
	let stopping = false;
	const shutdown = async (code: number) => {
		// npm and tsx both relay Ctrl-C: stop once.
		if (stopping) return;
		stopping = true;
		log('stopping n8n (all processes), Postgres, Redis and the sandbox...');
		await cluster?.stop();
		await sandbox.close();
		process.exit(code);
	};
	process.on('SIGINT', () => void shutdown(0));
	process.on('SIGTERM', () => void shutdown(0));

	try {
		log(`starting Postgres, Redis and n8n ${N8N_VERSION} in queue mode (about a minute)...`);
		cluster = await startQueueCluster({
			version: N8N_VERSION,
			tarball: pack.tarball,
			mainPort: N8N_PORT,
		});
		const { api } = cluster.main;
		const itep = await api.createItepCredential(
			{ apiKey: DEFAULT_SANDBOX_API_KEY, baseUrl: sandbox.url },
			'iTEP sandbox',
		);
		const webhook = await api.createCredential('iTEP sandbox webhook', 'itepWebhookSignatureApi', {
			secret: webhookSecret,
		});
		const form = await api.createCredential('Candidate form secret', 'httpHeaderAuth', {
			name: FORM_SECRET_HEADER,
			value: formSecret,
		});
		const database = await createClaimDatabase(cluster);
		const replacements = {
			ITEP_API_CREDENTIAL_ID: itep.id,
			ITEP_WEBHOOK_CREDENTIAL_ID: webhook.id,
			CANDIDATE_FORM_CREDENTIAL_ID: form.id,
			POSTGRES_CREDENTIAL_ID: database.id,
			'http://127.0.0.1:8787': sandbox.url,
		};
		for (const file of ['candidate-applied-stx.json', 'result-received-claim-once.json']) {
			const workflow = await api.createWorkflow(example(file, replacements));
			await api.activateWorkflow(workflow.id);
			log(`imported and published "${workflow.name}"`);
		}
		// What iTEP staff do by hand: point the tracking code at the (first) webhook processor.
		const registered = await adminPost(sandbox.url, '/sandbox/tracking-codes', {
			code: TRACKING_CODE,
			url: `${cluster.webhooks[0].baseUrl}/webhook/itep-results-queue`,
			auth: {
				mode: 'hmac',
				headerName: 'X-Itep-Webhook-Signature',
				secrets: [webhookSecret],
				encoding: 'hex',
			},
		});
		if (registered.status !== 201) throw new Error(`tracking code: ${JSON.stringify(registered)}`);
	} catch (error) {
		console.error(error);
		await shutdown(1);
		return;
	}

	const [webhook1, webhook2] = cluster.webhooks;
	const candidate = JSON.stringify({
		firstName: 'Zoë',
		lastName: 'Ñúñez',
		email: 'zoe@example.com',
		candidateId: 'C-1001',
	});
	console.log(`
iTEP queue-mode demo is running (n8n ${N8N_VERSION}, EXECUTIONS_MODE=queue).

  n8n editor (main)    ${cluster.main.baseUrl}   log in as ${OWNER.email} / ${OWNER.password}
  webhook processors   ${webhook1.baseUrl}  ${webhook2.baseUrl}
  workers              ${cluster.workers.map((worker) => `${worker.name} (health ${worker.baseUrl}/healthz)`).join(', ')}
  Postgres             127.0.0.1:${cluster.postgres.port} (user postgres; databases n8n, ${CLAIM_DATABASE})
  Redis                127.0.0.1:${cluster.redis.port}
  sandbox              ${sandbox.url}  (tracking code ${TRACKING_CODE} -> ${webhook1.baseUrl}/webhook/itep-results-queue)
  logs                 ${[cluster.main.logPath, ...cluster.workers.map((w) => w.logPath), ...cluster.webhooks.map((w) => w.logPath)].join('\n                       ')}

Try it:
  1. A candidate applies through the second webhook processor; a worker asks iTEP (the sandbox) for an STX:
       curl -s -X POST ${webhook2.baseUrl}/webhook/candidate-applied -H '${FORM_SECRET_HEADER}: ${formSecret}' -H 'content-type: application/json' -d '${candidate}'
     The e-mail iTEP would send:  curl -s ${sandbox.url}/sandbox/outbox
  2. iTEP grades the test and posts the signed result to webhook processor 1 (the trigger claims it in Postgres):
       curl -s -X POST '${sandbox.url}/sandbox/complete-next?wait=1' -H 'content-type: application/json' -d '{"track":"${TRACKING_CODE}"}'
  3. The recorded result, once per delivery:  curl -s ${sandbox.url}/sandbox/results
     The claims:  psql -h 127.0.0.1 -p ${cluster.postgres.port} -U postgres -d ${CLAIM_DATABASE} -c 'table itep_deliveries'

Ctrl-C stops every process and removes their data.
`);
}

void main();
