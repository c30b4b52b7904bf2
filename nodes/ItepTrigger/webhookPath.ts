import { fromParameter, webhookDescriptionFields, type IWebhookDescription } from 'n8n-workflow';

/**
 * The webhook path's expression template, byte-identical in every version of the trigger: the editor and n8n
 * 1.x evaluate it, and n8n checks a native resolver against it before using the resolver.
 */
export const WEBHOOK_PATH_TEMPLATE = '={{$parameter["path"]}}';

/**
 * The `path` of the trigger's webhook description. n8n-workflow 2.40+ (n8n 2.40+) offers
 * `webhookDescriptionFields`/`fromParameter`: they add, next to the same template, a resolver that n8n uses
 * instead of its expression engine (an isolate, by default) for a path without expressions, on every request.
 * The resolver sits under a `Symbol.for` key, so n8n finds it whichever copy of n8n-workflow built it. Older
 * n8n-workflow releases (n8n 1.x) lack both functions: the plain template, evaluated as before.
 */
export function webhookPathFields(): Pick<IWebhookDescription, 'path'> {
	// Feature detection: the named imports are read at call time, so a missing export is just undefined.
	if (typeof webhookDescriptionFields !== 'function' || typeof fromParameter !== 'function') {
		return { path: WEBHOOK_PATH_TEMPLATE };
	}
	const field = fromParameter('path');
	// A future n8n-workflow spelling the template differently would change what the editor and 1.x see.
	if (field.template !== WEBHOOK_PATH_TEMPLATE) return { path: WEBHOOK_PATH_TEMPLATE };
	return webhookDescriptionFields({ path: field });
}
