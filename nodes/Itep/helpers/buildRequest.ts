import {
	fulfillmentKindOf,
	validateFulfillmentBody,
	type FieldIssue,
	type FulfillmentBody,
} from './fulfillmentRequest';
import { PRODUCT_CODE_PREFIXES, type FulfillmentKind } from '../../shared/protocol';

/** The node's parameters for one item, already read from n8n (values as n8n hands them over). */
export interface FulfillmentInput {
	kind: FulfillmentKind;
	productCode: string;
	email?: string;
	bcc?: string;
	track?: string;
	sequence: number;
	assignedTo?: AssignedToInput;
	registration?: unknown;
	/** Where the request comes from, written into Assigned To when the user gives nothing else. */
	origin: RequestOrigin;
}

export interface RequestOrigin {
	workflowId: string;
	executionId: string;
	/** ISO time of the request. */
	at: string;
}

/**
 * Assigned To as the node shows it. iTEP leaves the field free-form; our key names (student-name,
 * customer-candidate-id, expire) are the ones in iTEP's example body, plus `email`, which is ours.
 */
export interface AssignedToInput {
	candidateName?: string;
	candidateEmail?: string;
	candidateId?: string;
	expiryDate?: string;
	extraJson?: unknown;
}

export type BuildResult = { ok: true; body: FulfillmentBody } | { ok: false; issues: FieldIssue[] };

const OPERATION_LABEL: Record<FulfillmentKind, string> = {
	gtx: 'Get Test ID (GTX)',
	stx: 'Send Test ID to Candidate (STX)',
};

/** Builds the request body in iTEP's field order and validates it; nothing is sent when this fails. */
export function buildFulfillmentBody(input: FulfillmentInput): BuildResult {
	const productCode = input.productCode.trim();
	const prefixIssue = checkPrefix(productCode, input.kind);
	const assignedTo = buildAssignedTo(input.assignedTo, input.sequence, input.origin);
	const registration = parseJsonObject(input.registration, 'Registration');

	const candidate: Record<string, unknown> = { 'product-code': productCode };
	setIfPresent(candidate, 'email', input.email);
	setIfPresent(candidate, 'bcc', input.bcc);
	setIfPresent(candidate, 'track', input.track);
	candidate.sequence = input.sequence;
	if (assignedTo.value !== undefined) candidate['assigned-to'] = assignedTo.value;
	if (registration.value !== undefined) candidate.registration = registration.value;

	const ownIssues = [prefixIssue, assignedTo.issue, registration.issue].filter(
		(issue): issue is FieldIssue => issue !== undefined,
	);
	const validated = validateFulfillmentBody(candidate);
	// The schema may restate a field already reported above (e.g. a registration that is not an object).
	const schemaIssues = validated.ok
		? []
		: validated.issues.filter((issue) => !ownIssues.some((own) => own.field === issue.field));
	const issues = [...ownIssues, ...schemaIssues];
	if (!validated.ok || issues.length) return { ok: false, issues };
	return validated;
}

function checkPrefix(productCode: string, kind: FulfillmentKind): FieldIssue | undefined {
	if (!productCode) return undefined; // the schema reports an empty code
	const actual = fulfillmentKindOf(productCode);
	if (actual === kind) return undefined;
	const expected = PRODUCT_CODE_PREFIXES[kind];
	const hint = actual
		? `choose the operation ${OPERATION_LABEL[actual]} for it, or use the ${expected} code`
		: `codes for this operation start with "${expected}" (case-sensitive)`;
	return {
		field: 'Product Code',
		message: `Product code "${productCode}" does not match the operation ${OPERATION_LABEL[kind]}: ${hint}`,
	};
}

/**
 * iTEP treats a Ready test ID as available while its Assigned To is empty, so a request without one would
 * leave the ID free for the next candidate. Every request therefore carries at least `sequence` (as in
 * iTEP's example, unless the user sets that key), and when the user gives nothing else, the workflow,
 * the execution and the time, so support can trace the test ID back.
 */
function buildAssignedTo(
	input: AssignedToInput | undefined,
	sequence: number,
	origin: RequestOrigin,
): { value?: Record<string, unknown>; issue?: FieldIssue } {
	const extra = parseJsonObject(input?.extraJson, 'Assigned To > Extra JSON');
	if (extra.issue) return { issue: extra.issue };
	// Spread, not Object.assign: a key named `__proto__` stays a key (validation then refuses it).
	const value: Record<string, unknown> = {
		...definedText({
			'student-name': input?.candidateName,
			email: input?.candidateEmail,
			'customer-candidate-id': input?.candidateId,
			expire: input?.expiryDate,
		}),
		...extra.value,
	};
	const userKeys = Object.keys(value).length;
	if (!Object.prototype.hasOwnProperty.call(value, 'sequence')) value.sequence = sequence;
	if (userKeys === 0) {
		if (origin.workflowId) value['n8n-workflow'] = origin.workflowId;
		if (origin.executionId) value['n8n-execution'] = origin.executionId;
		value['assigned-at'] = origin.at;
	}
	return { value };
}

/** The entries whose value is non-blank text, trimmed. */
function definedText(entries: Record<string, string | undefined>): Record<string, string> {
	const kept: Record<string, string> = {};
	for (const [key, value] of Object.entries(entries)) {
		const trimmed = value?.trim();
		if (trimmed) kept[key] = trimmed;
	}
	return kept;
}

/** Accepts an object or JSON text of an object; empty input means "not set". */
export function parseJsonObject(
	raw: unknown,
	field: string,
): { value?: Record<string, unknown>; issue?: FieldIssue } {
	if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === ''))
		return {};
	let value = raw;
	if (typeof raw === 'string') {
		try {
			value = JSON.parse(raw);
		} catch {
			return {
				issue: {
					field,
					message: `${field} is not valid JSON; write an object such as {"key": "value"}`,
				},
			};
		}
	}
	if (!value || typeof value !== 'object' || Array.isArray(value)) {
		return {
			issue: {
				field,
				message: `${field} must be a JSON object such as {"key": "value"}, not a list or a plain value`,
			},
		};
	}
	const entries = Object.entries(value as Record<string, unknown>);
	return entries.length ? { value: Object.fromEntries(entries) } : {};
}

function setIfPresent(
	target: Record<string, unknown>,
	key: string,
	value: string | undefined,
): void {
	const trimmed = value?.trim();
	if (trimmed) target[key] = trimmed;
}

/** Explicit sequence numbers used by more than one item, as "Sequence 5 is used by items 1 and 3". */
export function findDuplicateSequences(
	sequences: Array<number | undefined>,
): Map<number, number[]> {
	const byValue = new Map<number, number[]>();
	sequences.forEach((sequence, index) => {
		if (sequence === undefined) return;
		byValue.set(sequence, [...(byValue.get(sequence) ?? []), index]);
	});
	return new Map([...byValue].filter(([, indexes]) => indexes.length > 1));
}
