/**
 * The trigger's webhook path: on n8n-workflow 2.40+ it carries a native resolver next to the expression
 * template, so n8n resolves a static path without its expression engine on every delivery; on releases
 * whose n8n-workflow lacks `webhookDescriptionFields`/`fromParameter` (n8n 1.x) it is the plain template.
 */
import {
	NodeHelpers,
	resolveWebhookDescriptionField,
	webhookDescriptionIsNativelyResolvable,
	type INodeParameters,
	type IWebhookDescription,
} from 'n8n-workflow';

import { ItepTrigger } from '../../../nodes/ItepTrigger/ItepTrigger.node';

/** The template every released version of the trigger declared; the editor and n8n 1.x evaluate it. */
const PATH_TEMPLATE = '={{$parameter["path"]}}';
/** n8n-workflow's WEBHOOK_RESOLVERS key, registered globally so any copy of n8n-workflow finds it. */
const RESOLVERS = Symbol.for('n8n.webhookDescriptionResolvers');

const webhookOf = (trigger: { description: { webhooks?: IWebhookDescription[] } }) => {
	const [webhook] = trigger.description.webhooks ?? [];
	return webhook;
};

/** The node's parameters as n8n's Workflow holds them: the saved values plus the version's defaults. */
const withDefaults = (typeVersion: number, saved: INodeParameters): INodeParameters => {
	const { description } = new ItepTrigger();
	const parameters = NodeHelpers.getNodeParameters(
		description.properties,
		saved,
		true,
		false,
		{ typeVersion },
		description,
	);
	if (!parameters) throw new Error('no parameters');
	return parameters;
};

describe('webhook path on n8n-workflow 2.40+ (the dev dependency)', () => {
	test('the template is byte-identical to the one every version shipped', () => {
		expect(webhookOf(new ItepTrigger()).path).toBe(PATH_TEMPLATE);
	});

	test('the description carries a native resolver for the path, and only for the path', () => {
		const webhook = webhookOf(new ItepTrigger()) as unknown as Record<symbol, unknown>;
		const resolvers = webhook[RESOLVERS] as Record<string, { template: string }> | undefined;
		expect(resolvers).toBeDefined();
		expect(Object.keys(resolvers ?? {})).toEqual(['path']);
		expect(resolvers?.path.template).toBe(PATH_TEMPLATE);
		// What n8n checks before it skips its expression engine for a webhook's description.
		expect(webhookDescriptionIsNativelyResolvable(webhookOf(new ItepTrigger()))).toBe(true);
	});

	test.each([
		['version 1, path saved', 1, { path: 'my-results' }, 'my-results'],
		['version 1, default path', 1, {}, 'itep-results'],
		['version 1.1, path saved', 1.1, { path: 'my-results' }, 'my-results'],
		// Empty: n8n then uses the node's webhook ID (isFullPath).
		['version 1.1, default (empty) path', 1.1, {}, ''],
	])('%s: n8n resolves it natively', (_label, typeVersion, saved, expected) => {
		const webhook = webhookOf(new ItepTrigger());
		const node = { parameters: withDefaults(typeVersion, saved) };
		expect(resolveWebhookDescriptionField(node, webhook, 'path')).toEqual({
			resolved: true,
			value: expected,
		});
	});

	test('a path holding an expression is left to the expression engine', () => {
		const webhook = webhookOf(new ItepTrigger());
		const node = { parameters: withDefaults(1.1, { path: '={{ "results-" + $workflow.id }}' }) };
		expect(resolveWebhookDescriptionField(node, webhook, 'path')).toEqual({ resolved: false });
	});
});

describe('webhook path on an n8n-workflow without webhookDescriptionFields/fromParameter (n8n 1.x)', () => {
	const loadWithout = (missing: Array<'webhookDescriptionFields' | 'fromParameter'>) => {
		let Trigger: typeof ItepTrigger | undefined;
		jest.isolateModules(() => {
			jest.doMock('n8n-workflow', () => {
				const actual = jest.requireActual<Record<string, unknown>>('n8n-workflow');
				return Object.fromEntries(
					Object.entries(actual).filter(([name]) => !(missing as string[]).includes(name)),
				);
			});
			Trigger = (
				jest.requireActual<{ ItepTrigger: typeof ItepTrigger }>(
					'../../../nodes/ItepTrigger/ItepTrigger.node',
				) as { ItepTrigger: typeof ItepTrigger }
			).ItepTrigger;
		});
		jest.dontMock('n8n-workflow');
		if (!Trigger) throw new Error('not loaded');
		return new Trigger();
	};

	test.each([
		[['webhookDescriptionFields', 'fromParameter'] as const],
		[['webhookDescriptionFields'] as const],
		[['fromParameter'] as const],
	])('without %j: the plain template, no resolver', (missing) => {
		const trigger = loadWithout([...missing]);
		const webhook = webhookOf(trigger);
		expect(webhook.path).toBe(PATH_TEMPLATE);
		expect(Object.getOwnPropertySymbols(webhook)).toEqual([]);
		// The rest of the registration is unchanged.
		expect(webhook).toMatchObject({
			name: 'default',
			responseMode: 'onReceived',
			responseData: '',
			isFullPath: true,
		});
	});
});
