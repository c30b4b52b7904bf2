import {
	NodeConnectionTypes,
	type IHookFunctions,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { testWebhookCredential } from './auth';
import { triggerProperties } from './description';
import { receiveDelivery } from './receive';
import { webhookPathFields } from './webhookPath';

/**
 * Only POST carries a delivery, but the URL is registered for the other methods too: n8n answers a method
 * that is not registered with its own 404 before any node runs, so this is the only way to answer 405.
 */
const WEBHOOK_METHODS = 'POST,GET,PUT,PATCH,DELETE,HEAD';

export class ItepTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'iTEP Trigger',
		name: 'itepTrigger',
		icon: { light: 'file:../../icons/itep.svg', dark: 'file:../../icons/itep.dark.svg' },
		group: ['trigger'],
		// 1.1: an empty Path means the node's webhook ID (version 1 defaulted to the fixed "itep-results").
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle:
			'={{"On " + ($parameter["events"] || []).map(e => ({completed: "Test Completed", finished: "Test Finished", reset: "Test Reset", invalidated: "Test Invalidated", technicalIssue: "Technical Issue", other: "Other Status", unrecognized: "Unrecognized Status"})[e] || e).join(", ")}}',
		description:
			'Starts a workflow when iTEP reports on a test (finished, graded, reset, invalidated or a technical problem), after checking the delivery is genuine and new',
		defaults: { name: 'iTEP Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		// Each credential is shown only for its Authentication choice, so exactly one is ever in use.
		credentials: [
			{
				name: 'itepWebhookHeaderAuthApi',
				required: true,
				testedBy: 'itepWebhookCredentialTest',
				displayOptions: { show: { authentication: ['header'] } },
			},
			{
				name: 'itepWebhookBasicAuthApi',
				required: true,
				testedBy: 'itepWebhookCredentialTest',
				displayOptions: { show: { authentication: ['basic'] } },
			},
			{
				name: 'itepWebhookSignatureApi',
				required: true,
				testedBy: 'itepWebhookCredentialTest',
				displayOptions: { show: { authentication: ['hmac'] } },
			},
		],
		webhooks: [
			{
				name: 'default',
				httpMethod: WEBHOOK_METHODS,
				responseMode: 'onReceived',
				// n8n answers a started execution with `responseData`, which it defaults to the literal text
				// "firstEntryJson" when left out; an empty value makes it send the node's webhookResponse instead.
				responseData: '',
				// n8n uses the node's webhook ID when a full path is empty. The template '={{$parameter["path"]}}',
				// resolved without n8n's expression engine where n8n-workflow can (2.40+; see webhookPath.ts).
				...webhookPathFields(),
				isFullPath: true,
				ndvHideMethod: true,
			},
		],
		properties: triggerProperties,
	};

	methods = {
		credentialTest: { itepWebhookCredentialTest: testWebhookCredential },
	};

	/**
	 * iTEP has no API to register a URL: its staff attach it to a tracking code by hand. These methods only
	 * remember which URL is live, so n8n's activation bookkeeping has something true to check.
	 */
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				const staticData = this.getWorkflowStaticData('node');
				return staticData.registeredUrl === this.getNodeWebhookUrl('default');
			},
			async create(this: IHookFunctions): Promise<boolean> {
				const url = this.getNodeWebhookUrl('default');
				const staticData = this.getWorkflowStaticData('node');
				staticData.registeredUrl = url;
				staticData.registeredAt = new Date().toISOString();
				this.logger.info(`iTEP Trigger listening; give iTEP staff this URL: ${url ?? '(unknown)'}`);
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				const staticData = this.getWorkflowStaticData('node');
				delete staticData.registeredUrl;
				delete staticData.registeredAt;
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receiveDelivery.call(this);
	}
}
