// P4' of the bench (BENCHMARKS.md): the floor any community trigger pays in n8n. Never published: it lives in
// bench/, outside the package's "files", and the bench loads it through N8N_CUSTOM_EXTENSIONS (bench/run.ts).
// Plain CommonJS, so n8n loads it as is, and it requires n8n's own n8n-workflow (the bench copies this file to a
// folder outside the repository, where require() finds n8n's module paths).
//
// Its webhook is registered exactly like the iTEP Trigger's (nodes/ItepTrigger/ItepTrigger.node.ts): the same
// method list, onReceived with an empty responseData, a full path from the "path" parameter whose template is
// resolved natively where n8n-workflow offers webhookDescriptionFields/fromParameter (2.40+). It does no
// verification and no parsing: the body n8n parsed becomes one item, answered like the trigger answers.
'use strict';

const workflow = require('n8n-workflow');

const PATH_TEMPLATE = '={{$parameter["path"]}}';

function pathField() {
	if (
		typeof workflow.webhookDescriptionFields !== 'function' ||
		typeof workflow.fromParameter !== 'function'
	) {
		return { path: PATH_TEMPLATE };
	}
	const field = workflow.fromParameter('path');
	if (field.template !== PATH_TEMPLATE) return { path: PATH_TEMPLATE };
	return workflow.webhookDescriptionFields({ path: field });
}

class BenchMinimalTrigger {
	constructor() {
		this.description = {
			displayName: 'Bench Minimal Trigger',
			name: 'benchMinimalTrigger',
			group: ['trigger'],
			version: 1.1,
			description: 'Bench only: a webhook trigger that starts a workflow with the body it receives',
			defaults: { name: 'Bench Minimal Trigger' },
			inputs: [],
			outputs: ['main'],
			webhooks: [
				{
					name: 'default',
					httpMethod: 'POST,GET,PUT,PATCH,DELETE,HEAD',
					responseMode: 'onReceived',
					responseData: '',
					...pathField(),
					isFullPath: true,
					ndvHideMethod: true,
				},
			],
			properties: [{ displayName: 'Path', name: 'path', type: 'string', default: '' }],
		};
	}

	async webhook() {
		return {
			workflowData: [[{ json: this.getBodyData() }]],
			webhookResponse: { received: true, started: true },
		};
	}
}

module.exports = { BenchMinimalTrigger };
