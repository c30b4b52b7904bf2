/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/require-node-api-error -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * Browser check (issue "Publishable", part 2): the pack as a user sees it in the n8n editor. Playwright
 * (playwright-core, no browser download) drives Debian's Chromium against a real n8n 2.x started by the harness
 * with the packed tarball installed: log in as the owner, open the example workflows (imported over the REST API
 * with real credentials: iTEP API pointing at a local sandbox, iTEP Webhook Signature API), open the iTEP node and
 * the iTEP Trigger, and add an iTEP node from the node panel's search. Screenshots go to .e2e/screenshots/
 * (ITEP_E2E_SCREENSHOT_DIR=docs/images refreshes the README's), failure screenshots and page dumps to .e2e/browser/.
 *
 * Chromium: /usr/bin/chromium (scripts/ensure-chromium.sh, called by scripts/e2e.sh, installs it where it can;
 * ITEP_E2E_CHROMIUM overrides the path). A missing Chromium fails this suite; it is never skipped.
 * Runs on the 2.x lines of ITEP_E2E_VERSIONS only (the editor differs a lot between 1.x and 2.x).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import {
	chromium,
	type Browser,
	type BrowserContext,
	type Locator,
	type Page,
} from 'playwright-core';

import { DEFAULT_SANDBOX_API_KEY } from '../../sandbox/config';
import { createStandInCredentials } from './support';
import { startSandbox, type RunningSandbox } from '../../sandbox/server';
import {
	E2E_ARTIFACT_DIR,
	e2eVersions,
	ITEP_NODE_TYPE,
	ITEP_PACKAGE,
	ITEP_TRIGGER_NODE_TYPE,
	n8nLine,
	OWNER,
	recordTimings,
	REPO_ROOT,
	startN8n,
	type CredentialRef,
	type N8nInstance,
	type WorkflowInput,
} from '../../devkit/n8n';

const CHROMIUM = process.env.ITEP_E2E_CHROMIUM ?? '/usr/bin/chromium';
/** The flags known to work on these machines (closed network: no background or component traffic). */
const CHROMIUM_ARGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];
const VIEWPORT = { width: 1400, height: 900 };
// Test runs must not rewrite tracked files: the README's copies are refreshed on purpose with
// ITEP_E2E_SCREENSHOT_DIR=docs/images (see README, Development).
const SCREENSHOT_DIR = path.resolve(
	process.env.ITEP_E2E_SCREENSHOT_DIR ?? path.join(REPO_ROOT, '.e2e', 'screenshots'),
);
const FAILURE_DIR = path.join(E2E_ARTIFACT_DIR, 'browser');
/**
 * The public URL n8n shows for webhooks. A real deployment sets WEBHOOK_URL like this; it keeps the Production URL
 * in the trigger screenshot realistic and the same on every run (nothing here calls the webhooks).
 */
const PUBLIC_WEBHOOK_BASE = 'https://n8n.example.com/';
/** How long one UI step may take before it counts as broken (a cold editor load is the slowest, ~5 s). */
const UI_TIMEOUT_MS = 20_000;

const FULFILLMENT_EXAMPLE = 'candidate-applied-stx.json';
const RESULTS_EXAMPLE = 'result-received-record.json';
const INVENTORY_EXAMPLE = 'inventory-low-stock-alert.json';
const SCORE_REPORT_EXAMPLE = 'result-score-report-to-drive-sheets.json';
const AGENT_EXAMPLE = 'ai-agent-itep-tool.json';
const ICON = `img[src*="/icons/${ITEP_PACKAGE}/"]`;

const describeE2e = process.env.ITEP_E2E === '1' ? describe : describe.skip;
const browserVersions = e2eVersions().filter((version) => n8nLine(version) >= 2);
// jest refuses describe.each([]); with no 2.x line selected there is nothing to check.
const describeBrowser = browserVersions.length > 0 ? describeE2e : describe.skip;

describeBrowser.each(browserVersions.length > 0 ? browserVersions : ['(no 2.x line selected)'])(
	'n8n %s editor in Chromium with the packed n8n-nodes-itep',
	(version) => {
		let sandbox: RunningSandbox | undefined;
		let n8n: N8nInstance | undefined;
		let browser: Browser | undefined;
		let context: BrowserContext | undefined;
		let page: Page;
		const workflowIds: Record<string, string> = {};
		let itepCredential: CredentialRef;
		let webhookCredential: CredentialRef;
		const timings: Record<string, number> = {};
		const suiteStarted = Date.now();

		beforeAll(async () => {
			// Checked first: a missing browser must fail the suite at once, with the fix in the message.
			assertChromium();
			fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
			fs.mkdirSync(FAILURE_DIR, { recursive: true });

			sandbox = await startSandbox({ port: 0 });
			n8n = await startN8n({
				version,
				expect: { nodes: [ITEP_NODE_TYPE, ITEP_TRIGGER_NODE_TYPE] },
				env: { N8N_WEBHOOK_URL: PUBLIC_WEBHOOK_BASE },
			});
			timings.startToReadyMs = n8n.timings.readyMs;

			// The examples as a user imports them, with real credentials in place of the placeholders.
			itepCredential = await n8n.api.createItepCredential(
				{ apiKey: DEFAULT_SANDBOX_API_KEY, baseUrl: sandbox.url },
				'iTEP sandbox',
			);
			webhookCredential = await n8n.api.createCredential(
				'iTEP sandbox webhook',
				'itepWebhookSignatureApi',
				{
					secret: 'browser-e2e-webhook-secret',
				},
			);
			const formCredential = await n8n.api.createCredential(
				'Candidate form secret',
				'httpHeaderAuth',
				{
					name: 'X-Candidate-Form-Secret',
					value: 'browser-e2e-form-secret',
				},
			);
			const otherCredentials = await createStandInCredentials(n8n);
			for (const file of [
				FULFILLMENT_EXAMPLE,
				RESULTS_EXAMPLE,
				INVENTORY_EXAMPLE,
				SCORE_REPORT_EXAMPLE,
				AGENT_EXAMPLE,
			]) {
				const workflow = await n8n.api.createWorkflow(
					loadExample(file, {
						ITEP_API_CREDENTIAL_ID: itepCredential.id,
						ITEP_WEBHOOK_CREDENTIAL_ID: webhookCredential.id,
						CANDIDATE_FORM_CREDENTIAL_ID: formCredential.id,
						...otherCredentials,
					}),
				);
				workflowIds[file] = workflow.id;
			}

			const launchStarted = Date.now();
			// A new empty user-data-dir per run (Playwright makes and removes it).
			browser = await chromium.launch({
				executablePath: CHROMIUM,
				headless: true,
				args: CHROMIUM_ARGS,
			});
			context = await browser.newContext({
				viewport: VIEWPORT,
				deviceScaleFactor: 1,
				locale: 'en-US',
			});
			context.setDefaultTimeout(UI_TIMEOUT_MS);
			page = await context.newPage();
			timings.browserLaunchMs = Date.now() - launchStarted;
		});

		afterAll(async () => {
			await context?.close().catch(() => undefined);
			await browser?.close().catch(() => undefined);
			await n8n?.stop();
			await sandbox?.close();
			timings.suiteMs = Date.now() - suiteStarted;
			recordTimings(`browser ${version}`, timings);
			process.stdout.write(
				`[e2e] browser check on n8n ${version} timings: ${JSON.stringify(timings)}\n`,
			);
		});

		/** Runs one UI step; on failure keeps a screenshot and the page's HTML in .e2e/browser/ and says where. */
		async function step(name: string, body: () => Promise<void>): Promise<void> {
			const started = Date.now();
			try {
				await body();
			} catch (error) {
				const base = path.join(FAILURE_DIR, `${version}-${name}`);
				await page?.screenshot({ path: `${base}.png` }).catch(() => undefined);
				const html = await page?.content().catch(() => '');
				if (html) fs.writeFileSync(`${base}.html`, html);
				if (error instanceof Error)
					error.message += `\n(page ${page?.url()}; screenshot and HTML: ${base}.png/.html)`;
				throw error;
			} finally {
				timings[`${name}Ms`] = Date.now() - started;
			}
		}

		function editorUrl(urlPath: string): string {
			return new URL(urlPath, n8n!.baseUrl).toString();
		}

		test('logs in with the owner account', async () => {
			await step('login', async () => {
				await page.goto(editorUrl('/signin'));
				await page.locator('input[name="emailOrLdapLoginId"]').fill(OWNER.email);
				await page.locator('input[name="password"]').fill(OWNER.password);
				await page.locator('[data-test-id="form-submit-button"]').click();
				await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
				await visible(
					page.locator('[data-test-id="main-sidebar-settings"]'),
					'the main sidebar after login',
				);
				expect(new URL(page.url()).pathname).not.toMatch(/signin|setup/);
			});
		});

		test('the results workflow canvas shows the iTEP Trigger with its icon', async () => {
			await step('canvas', async () => {
				const trigger = await openWorkflow(workflowIds[RESULTS_EXAMPLE], 'iTEP Result');
				await expectIconLoaded(trigger, 'the iTEP Trigger on the canvas');
				for (const name of ['CEFR B2 or Above?', 'Record: Admit', 'Record: English Support']) {
					await visible(canvasNode(name), `canvas node "${name}"`);
				}
				await screenshot('workflow-canvas.png');
			});
		});

		test('the iTEP node panel shows Operation, Product Code, Candidate Email, Assigned To, Registration and the credential', async () => {
			await step('itepNode', async () => {
				const node = await openWorkflow(workflowIds[FULFILLMENT_EXAMPLE], 'Send Test ID (STX)');
				await expectIconLoaded(node, 'the iTEP node on the canvas');
				const ndv = await openNodePanel(node);
				await expectIconLoaded(
					ndv.locator('header:has([data-test-id="node-title-container"])'),
					'the panel header',
				);

				for (const label of [
					'Resource',
					'Operation',
					'Product Code',
					'Candidate Email',
					'Assigned To',
					'Registration',
				]) {
					await visible(parameterLabel(ndv, label), `the "${label}" field`);
				}
				// The values the example sets, shown as a user reads them.
				expect(await selectedText(parameterInput(ndv, 'operation'))).toBe(
					'Send Test ID to Candidate (STX)',
				);
				await visible(
					ndv.locator('[data-test-id="resource-locator-productCode"]'),
					'the Product Code list/code picker',
				);
				expect(
					await ndv
						.locator('[data-test-id="resource-locator-productCode"] [data-test-id="rlc-input"]')
						.inputValue(),
				).toBe('STX-Academic-Plus');
				await visible(
					ndv.locator('[data-test-id="parameter-input-email"]').getByText('$json.body.email'),
					'the Candidate Email expression',
				);
				await visible(parameterLabel(ndv, 'Your Candidate ID'), 'Assigned To → Your Candidate ID');
				expect(await selectedText(parameterInput(ndv, 'registrationMode'))).toBe('Pick Fields');
				await visible(
					ndv.locator('[data-test-id="fixed-collection-registrationFields"]'),
					'the registration fields',
				);

				// The credential selector, set to the real credential the import wired in.
				await visible(
					ndv
						.locator('[data-test-id="credentials-label"]')
						// n8n names the credential when a node shows it for some resources only (Test ID, not Inventory).
						.getByText('Credential for iTEP API', { exact: true }),
					'the credential label',
				);
				expect(await selectedText(ndv.locator('[data-test-id="node-credentials-select"]'))).toBe(
					itepCredential.name,
				);

				await screenshot('itep-node-panel.png');
				await closeNodePanel();
			});
		});

		test('the iTEP Trigger panel shows the Production URL and the Events filter', async () => {
			await step('triggerNode', async () => {
				const node = await openWorkflow(workflowIds[RESULTS_EXAMPLE], 'iTEP Result');
				const ndv = await openNodePanel(node);

				// Webhook URLs (collapsed at first) → Production URL: what the user sends to iTEP staff.
				await ndv.getByText('Webhook URLs', { exact: true }).click();
				await ndv.locator('[data-test-id="radio-button-production"]').click();
				await visible(
					ndv.getByText(`${PUBLIC_WEBHOOK_BASE}webhook/itep-results`, { exact: true }),
					'the Production URL',
				);
				await visible(
					ndv.getByText(
						/switch to Production URL, copy it and ask iTEP staff to attach it to your tracking code/,
					),
					'the setup notice',
				);

				await visible(parameterLabel(ndv, 'Events'), 'the Events label');
				await visible(
					parameterInput(ndv, 'events').getByText('Test Completed', { exact: true }),
					'the "Test Completed" event',
				);
				expect(await selectedText(parameterInput(ndv, 'authentication'))).toBe('HMAC Signature');
				expect(await selectedText(ndv.locator('[data-test-id="node-credentials-select"]'))).toBe(
					webhookCredential.name,
				);

				await screenshot('itep-trigger-panel.png');
				await closeNodePanel();
			});
		});

		test('the iTEP node panel for Inventory shows the thresholds, the always-reported types and no credential', async () => {
			await step('inventoryNode', async () => {
				const node = await openWorkflow(workflowIds[INVENTORY_EXAMPLE], 'Count Stock');
				await expectIconLoaded(node, 'the iTEP node on the canvas');
				const ndv = await openNodePanel(node);
				expect(await selectedText(parameterInput(ndv, 'resource'))).toBe('Inventory');
				expect(await selectedText(parameterInput(ndv, 'operation'))).toBe('Summarize Export');
				for (const label of [
					'Low Stock Threshold',
					'Thresholds per Test Type',
					'Test Types to Always Report',
				]) {
					await visible(parameterLabel(ndv, label), `the "${label}" field`);
				}
				await visible(
					ndv.getByText(/Download the spreadsheet from the AVAILABLE TESTS panel/),
					'the notice on where the rows come from',
				);
				// Inventory sends nothing to iTEP, so the node asks for no credential.
				expect(await ndv.locator('[data-test-id="node-credentials-select"]').count()).toBe(0);
				await screenshot('itep-inventory-panel.png');
				await closeNodePanel();
			});
		});

		test('the iTEP Trigger panel shows Download Score Report with its Allowed Hosts', async () => {
			await step('triggerScoreReport', async () => {
				const node = await openWorkflow(workflowIds[SCORE_REPORT_EXAMPLE], 'iTEP Result');
				const ndv = await openNodePanel(node);
				for (const label of ['Download Score Report', 'Allowed Hosts', 'Score Report Options']) {
					await visible(parameterLabel(ndv, label), `the "${label}" field`);
				}
				expect(
					await parameterInput(ndv, 'scoreReportAllowedHosts')
						.locator('input, textarea')
						.first()
						.inputValue(),
				).toBe('127.0.0.1');
				await parameterLabel(ndv, 'Download Score Report').scrollIntoViewIfNeeded();
				await parkMouse();
				await screenshot('itep-trigger-score-report.png');
				await closeNodePanel();
			});
		});

		test('the iTEP tool of an AI agent shows its Tool Description, which says what a call spends', async () => {
			await step('toolNode', async () => {
				const node = await openWorkflow(workflowIds[AGENT_EXAMPLE], 'Get a test ID in iTEP');
				const ndv = await openNodePanel(node);
				await visible(parameterLabel(ndv, 'Tool Description'), 'the "Tool Description" field');
				expect(
					await parameterInput(ndv, 'toolDescription').locator('textarea').first().inputValue(),
				).toMatch(/^Gets an iTEP English test ID for one candidate.*Each call spends one test ID/s);
				await screenshot('itep-tool-panel.png');
				await closeNodePanel();
			});
		});

		test('the node panel search finds "iTEP" under our name and icon, and adds the node', async () => {
			await step('nodeCreator', async () => {
				await page.goto(editorUrl('/workflow/new'));
				await dismissPopups();

				// A trigger first (a new workflow's node panel lists triggers only), then the iTEP action after it.
				await page.locator('[data-test-id="canvas-add-button"]').click();
				await page.locator('[data-test-id="node-creator-search-bar"]').fill('Trigger manually');
				await page
					.locator('[data-test-id="node-creator-node-item"]')
					.filter({ hasText: 'Trigger manually' })
					.first()
					.click();
				await visible(
					page.locator('[data-test-id="canvas-node"]').first(),
					'the Manual Trigger on the canvas',
				);

				await page.locator('[data-test-id="node-creator-plus-button"]').click();
				await page.locator('[data-test-id="node-creator-search-bar"]').fill('iTEP');
				const results = page.locator(
					'[data-test-id="node-creator"] [data-test-id="item-iterator-item"]',
				);
				const ours = results.filter({
					has: page
						.locator('[data-test-id="node-creator-item-name"]')
						.getByText('iTEP', { exact: true }),
				});
				await visible(ours, 'the "iTEP" search result');
				await expectIconLoaded(ours, 'the iTEP search result');
				// Best match first.
				expect(
					(
						await results.first().locator('[data-test-id="node-creator-item-name"]').innerText()
					).trim(),
				).toBe('iTEP');
				await parkMouse();
				await screenshot('node-panel-search.png');

				await ours.click();
				await visible(
					page.locator('[data-test-id="node-creator-category-item"]').getByText(/^Actions \(3\)/),
					'the iTEP actions',
				);
				await page
					.locator('[data-test-id="node-creator-item-name"]')
					.getByText('Send a test ID to a candidate', { exact: true })
					.click();

				const ndv = page.locator('[data-test-id="ndv"]');
				await visible(ndv, 'the new iTEP node panel');
				expect(await selectedText(parameterInput(ndv, 'operation'))).toBe(
					'Send Test ID to Candidate (STX)',
				);
				await visible(parameterLabel(ndv, 'Product Code'), 'Product Code on the new node');
				await closeNodePanel();

				const added = page
					.locator('[data-test-id="canvas-node"]')
					.filter({ hasText: 'Send Test ID to Candidate (STX)' });
				await visible(added, 'the new iTEP node on the canvas');
				await expectIconLoaded(added, 'the new iTEP node on the canvas');
			});
		});

		// ---- helpers ------------------------------------------------------------------------------------------

		function canvasNode(name: string): Locator {
			return page.locator('[data-test-id="canvas-node"]').filter({ hasText: name });
		}

		/** Opens a workflow in the editor and returns the named canvas node once it is drawn. */
		async function openWorkflow(id: string, nodeName: string): Promise<Locator> {
			await page.goto(editorUrl(`/workflow/${id}`));
			await dismissPopups();
			const node = canvasNode(nodeName);
			await visible(node, `canvas node "${nodeName}"`);
			await expectIconsSettled();
			await parkMouse();
			return node;
		}

		async function openNodePanel(node: Locator): Promise<Locator> {
			await node.dblclick();
			const ndv = page.locator('[data-test-id="ndv"]');
			await visible(ndv.locator('[data-test-id="node-parameters"]'), 'the node panel');
			await parkMouse();
			return ndv;
		}

		async function closeNodePanel(): Promise<void> {
			await page.locator('[data-test-id="ndv-close-button"]').click();
			await page.locator('[data-test-id="ndv"]').waitFor({ state: 'hidden' });
		}

		/** The label of a parameter as shown above its input. */
		function parameterLabel(scope: Locator, label: string): Locator {
			return scope
				.locator('[data-test-id="input-label"]')
				.getByText(label, { exact: true })
				.first();
		}

		function parameterInput(scope: Locator, name: string): Locator {
			return scope.locator(`[data-test-id="parameter-input-${name}"]`);
		}

		/** The text a select shows for its value (element-plus keeps it in the input's value). */
		async function selectedText(select: Locator): Promise<string> {
			await visible(select, 'a select');
			return (await select.locator('input').first().inputValue()).trim();
		}

		/** Our icon inside `scope`, really loaded (an SVG that failed to load has naturalWidth 0). */
		async function expectIconLoaded(scope: Locator, what: string): Promise<void> {
			const icon = scope.locator(ICON).first();
			await visible(icon, `our icon in ${what}`);
			await page.waitForFunction(
				(img) => img.complete && img.naturalWidth > 0,
				await icon.elementHandle(),
				{
					timeout: UI_TIMEOUT_MS,
				},
			);
		}

		/** Every node icon on the page has finished loading (no half-drawn screenshot). */
		async function expectIconsSettled(): Promise<void> {
			// A string: evaluated in the page (this tsconfig has no DOM typings).
			await page.waitForFunction('[...document.images].every((img) => img.complete)', undefined, {
				timeout: UI_TIMEOUT_MS,
			});
		}

		/** Moves the mouse off the UI so no hover state or tooltip is in a screenshot. */
		async function parkMouse(): Promise<void> {
			await page.mouse.move(VIEWPORT.width - 2, VIEWPORT.height - 2);
		}

		/** Closes onboarding dialogs and toasts if any are up (none on 2.40.7 with the harness settings). */
		async function dismissPopups(): Promise<void> {
			for (const close of [
				page.locator('.el-notification .el-notification__closeBtn'),
				page.locator('.el-overlay-dialog .el-dialog__headerbtn'),
			]) {
				for (const button of await close.all()) {
					if (await button.isVisible()) await button.click().catch(() => undefined);
				}
			}
		}

		async function screenshot(file: string): Promise<void> {
			await dismissPopups();
			await expectIconsSettled();
			// Let transitions (panel open, hover fade-out) finish.
			await page.waitForTimeout(300);
			await page.screenshot({ path: path.join(SCREENSHOT_DIR, file) });
		}
	},
);

function assertChromium(): void {
	try {
		fs.accessSync(CHROMIUM, fs.constants.X_OK);
	} catch {
		throw new Error(
			`Chromium not found at ${CHROMIUM}: the browser check needs it. Run scripts/ensure-chromium.sh ` +
				"(as root it installs Debian's chromium: apt-get update && apt-get install -y chromium), " +
				'or set ITEP_E2E_CHROMIUM to a Chromium or Chrome binary.',
		);
	}
}

/** Waits until `locator` is visible; the error names what was expected on screen. */
async function visible(locator: Locator, what: string): Promise<void> {
	try {
		await locator.first().waitFor({ state: 'visible' });
	} catch (error) {
		throw new Error(`Expected ${what} to be visible: ${(error as Error).message.split('\n')[0]}`);
	}
}

/**
 * An example workflow with the credential placeholders replaced by real credential IDs, as a user imports it.
 * The HTTP Request nodes keep the example's http://127.0.0.1:8787 (the sandbox port of `npm start`): nothing is
 * executed here, and the canvas screenshot then shows what the demo shows and stays the same from run to run.
 */
function loadExample(file: string, credentialIds: Record<string, string>): WorkflowInput {
	let text = fs.readFileSync(path.join(REPO_ROOT, 'examples', file), 'utf8');
	for (const [placeholder, id] of Object.entries(credentialIds))
		text = text.replaceAll(placeholder, id);
	const workflow = JSON.parse(text) as WorkflowInput;
	const placeholders = workflow.nodes.filter((node) =>
		Object.values(node.credentials ?? {}).some((c) => /_ID$/.test(c.id)),
	);
	if (placeholders.length > 0)
		throw new Error(
			`${file}: unreplaced credential placeholder in ${placeholders.map((n) => n.name).join(', ')}`,
		);
	return workflow;
}
