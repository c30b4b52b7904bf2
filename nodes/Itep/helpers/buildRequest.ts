import {
	FIELD_LABELS,
	fulfillmentKindOf,
	validateFulfillmentBody,
	type FieldIssue,
	type FulfillmentBody,
} from './fulfillmentRequest';
import { expiryDateAfterDays, MAX_EXPIRE_AFTER_DAYS } from './expiry';
import { PRODUCT_CODE_PREFIXES, type FulfillmentKind } from '../../shared/protocol';

/**
 * The node's parameters for one item, already read from n8n (values as n8n hands them over). A text field
 * filled by an expression holds whatever the expression gave, so those are `unknown` here.
 */
export interface FulfillmentInput {
	kind: FulfillmentKind;
	productCode: unknown;
	email?: unknown;
	bcc?: unknown;
	track?: unknown;
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
	/** The workflow's time zone (IANA name): Expire After (Days) counts calendar days there. */
	timeZone: string;
}

/**
 * Assigned To as the node shows it. iTEP leaves the field free-form; our key names (student-name,
 * customer-candidate-id, expire) are the ones in iTEP's example body, plus `email`, which is ours.
 */
export interface AssignedToInput {
	candidateName?: unknown;
	candidateEmail?: unknown;
	candidateId?: unknown;
	expiryDate?: unknown;
	expireAfterDays?: unknown;
	extraJson?: unknown;
}

export type BuildResult = { ok: true; body: FulfillmentBody } | { ok: false; issues: FieldIssue[] };

const OPERATION_LABEL: Record<FulfillmentKind, string> = {
	gtx: 'Get Test ID (GTX)',
	stx: 'Send Test ID to Candidate (STX)',
};

/** Builds the request body in iTEP's field order and validates it; nothing is sent when this fails. */
export function buildFulfillmentBody(input: FulfillmentInput): BuildResult {
	const code = readText(input.productCode, FIELD_LABELS['product-code']);
	const productCode = code.value ?? '';
	const prefixIssue = code.issue ?? checkPrefix(productCode, input.kind);
	const assignedTo = buildAssignedTo(input.assignedTo, input.sequence, input.origin);
	const registration = parseJsonObject(input.registration, 'Registration');

	const candidate: Record<string, unknown> = { 'product-code': productCode };
	const textIssues: FieldIssue[] = [];
	for (const key of ['email', 'bcc', 'track'] as const) {
		const text = readText(input[key], FIELD_LABELS[key]);
		if (text.issue) textIssues.push(text.issue);
		if (text.value) candidate[key] = text.value;
	}
	candidate.sequence = input.sequence;
	if (assignedTo.value !== undefined) candidate['assigned-to'] = assignedTo.value;
	if (registration.value !== undefined) candidate.registration = registration.value;

	const ownIssues = [prefixIssue, ...textIssues, ...assignedTo.issues, registration.issue].filter(
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
): { value?: Record<string, unknown>; issues: FieldIssue[] } {
	const extra = parseJsonObject(input?.extraJson, 'Assigned To > Extra JSON');
	const named = definedText({
		'student-name': [input?.candidateName, 'Assigned To > Name'],
		email: [input?.candidateEmail, 'Assigned To > Email'],
		'customer-candidate-id': [input?.candidateId, 'Assigned To > Your Candidate ID'],
		expire: [input?.expiryDate, 'Assigned To > Expiry Date'],
	});
	const expireAfter = readExpireAfterDays(input?.expireAfterDays, named.value.expire !== undefined);
	if (expireAfter.days !== undefined) {
		named.value.expire = expiryDateAfterDays(
			new Date(origin.at),
			origin.timeZone,
			expireAfter.days,
		);
	}
	const issues = [
		...named.issues,
		...(expireAfter.issue ? [expireAfter.issue] : []),
		...(extra.issue ? [extra.issue] : []),
	];
	if (issues.length) return { issues };
	// Spread, not Object.assign: a key named `__proto__` stays a key (validation then refuses it).
	const value: Record<string, unknown> = { ...named.value, ...extra.value };
	const userKeys = Object.keys(value).length;
	if (!Object.prototype.hasOwnProperty.call(value, 'sequence')) value.sequence = sequence;
	if (userKeys === 0) {
		if (origin.workflowId) value['n8n-workflow'] = origin.workflowId;
		if (origin.executionId) value['n8n-execution'] = origin.executionId;
		value['assigned-at'] = origin.at;
	}
	return { value, issues: [] };
}

/** The entries whose value is non-blank text, trimmed, and an issue for each that is not text. */
function definedText(entries: Record<string, [value: unknown, label: string]>): {
	value: Record<string, string>;
	issues: FieldIssue[];
} {
	const value: Record<string, string> = {};
	const issues: FieldIssue[] = [];
	for (const [key, [raw, label]] of Object.entries(entries)) {
		const text = readText(raw, label);
		if (text.issue) issues.push(text.issue);
		if (text.value) value[key] = text.value;
	}
	return { value, issues };
}

const EXPIRE_AFTER_LABEL = 'Assigned To > Expire After (Days)';

/** A whole number of days (a number, or its text from an expression); refused beside an explicit date. */
function readExpireAfterDays(
	raw: unknown,
	expiryDateSet: boolean,
): { days?: number; issue?: FieldIssue } {
	if (raw === undefined || raw === null || raw === '') return {};
	const days = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
	if (
		typeof days !== 'number' ||
		!Number.isInteger(days) ||
		days < 1 ||
		days > MAX_EXPIRE_AFTER_DAYS
	) {
		return {
			issue: {
				field: EXPIRE_AFTER_LABEL,
				message: `${EXPIRE_AFTER_LABEL} must be a whole number of days from 1 to ${MAX_EXPIRE_AFTER_DAYS}`,
			},
		};
	}
	if (expiryDateSet) {
		return {
			issue: {
				field: EXPIRE_AFTER_LABEL,
				message: `Set either Assigned To > Expiry Date or ${EXPIRE_AFTER_LABEL}, not both: both would be sent as "expire"`,
			},
		};
	}
	return { days };
}

function kindOf(value: unknown): string {
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'boolean') return 'true or false';
	if (typeof value === 'number') return 'a number that is not finite';
	if (typeof value === 'object') return 'an object';
	return `a ${typeof value}`;
}

/**
 * A text parameter, trimmed; blank means not set. An expression can give a number (a candidate ID from an
 * ATS often is one): it is sent as its text. Anything else is refused by the field's name.
 */
function readText(raw: unknown, label: string): { value?: string; issue?: FieldIssue } {
	if (raw === undefined || raw === null) return {};
	if (typeof raw === 'string') return { value: raw.trim() || undefined };
	if (typeof raw === 'number' && Number.isFinite(raw)) return { value: String(raw) };
	return {
		issue: {
			field: label,
			message: `${label} must be text, but its expression gave ${kindOf(raw)}; make the expression return text`,
		},
	};
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
