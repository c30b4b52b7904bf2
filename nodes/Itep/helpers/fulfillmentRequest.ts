import { z } from 'zod';

import {
	PRODUCT_CODE_PREFIXES,
	REGISTRATION_FIELDS,
	type FulfillmentKind,
	type RegistrationField,
} from '../../shared/protocol';

/** The request body iTEP's fulfillment API takes, keys in the order of iTEP's example. */
export interface FulfillmentBody {
	'product-code': string;
	email?: string;
	bcc?: string;
	track?: string;
	sequence: number;
	'assigned-to'?: Record<string, unknown>;
	registration?: Partial<Record<RegistrationField, string | number | boolean>>;
}

/** Names the node shows for each body key, so errors point at the field an ops person can see. */
export const FIELD_LABELS: Record<keyof FulfillmentBody, string> = {
	'product-code': 'Product Code',
	email: 'Candidate Email',
	bcc: 'BCC Email',
	track: 'Tracking Code',
	sequence: 'Sequence',
	'assigned-to': 'Assigned To',
	registration: 'Registration',
};

export interface FieldIssue {
	field: string;
	message: string;
}

export type ValidationResult =
	{ ok: true; body: FulfillmentBody } | { ok: false; issues: FieldIssue[] };

const registrationFieldSet: ReadonlySet<string> = new Set(REGISTRATION_FIELDS);

/**
 * zod comes from the host n8n, whose major version may change under the pack: only what zod 3 and zod 4
 * both have is used (string messages, `z.custom`, `.strict()`), and every message is ours.
 */
const jsonObject = (label: string) =>
	z.custom<Record<string, unknown>>(isPlainObject, {
		message: `${label} must be a JSON object such as {"name": "..."}, not a list or a plain value`,
	});

const emailAddress = (label: string) =>
	z
		.string({ message: `${label} must be text` })
		.trim()
		.email(`${label} is not a valid e-mail address; enter it as name@example.com`);

const fulfillmentBodySchema = z
	.object({
		'product-code': z
			.string({ message: 'Product Code is required' })
			.trim()
			.min(1, 'Product Code is empty; choose one or type the code from your PRODUCT CODES screen')
			.regex(/^\S*$/, 'Product Code must not contain spaces'),
		email: emailAddress('Candidate Email').optional(),
		bcc: emailAddress('BCC Email').optional(),
		track: z
			.string({ message: 'Tracking Code must be text' })
			.trim()
			.min(1, 'Tracking Code is empty; remove it or enter the code iTEP assigned')
			.optional(),
		sequence: z
			.number({ message: 'Sequence must be a whole number' })
			.int('Sequence must be a whole number')
			.positive('Sequence must be greater than 0')
			.max(Number.MAX_SAFE_INTEGER, 'Sequence is too large'),
		'assigned-to': jsonObject('Assigned To').optional(),
		registration: jsonObject('Registration').optional(),
	})
	.strict();

/** Validates a body before it is signed and sent. */
export function validateFulfillmentBody(candidate: unknown): ValidationResult {
	const parsed = fulfillmentBodySchema.safeParse(candidate);
	const shapeIssues = parsed.success
		? []
		: parsed.error.issues.map((issue) => ({
				field: fieldLabel(issue.path),
				message:
					issue.code === 'unrecognized_keys'
						? `Unknown body field(s): ${issue.keys.join(', ')}`
						: issue.message,
			}));
	// The rules across fields run on the input as given, so one pass reports every problem of an item.
	const fields = isPlainObject(candidate) ? candidate : {};
	const issues = [
		...shapeIssues,
		...stxIssues(fields),
		...assignedToIssues(fields['assigned-to']),
		...registrationIssues(fields.registration),
	];
	if (issues.length || !parsed.success) return { ok: false, issues };
	return { ok: true, body: parsed.data as FulfillmentBody };
}

function stxIssues(fields: Record<string, unknown>): FieldIssue[] {
	const productCode = fields['product-code'];
	if (typeof productCode !== 'string' || fulfillmentKindOf(productCode.trim()) !== 'stx') return [];
	if (fields.email !== undefined) return [];
	return [
		{
			field: FIELD_LABELS.email,
			message:
				'Candidate Email is required for STX product codes: iTEP e-mails the test ID to this address',
		},
	];
}

/** `__proto__` cannot be written into a JavaScript object faithfully, so it is refused, never dropped. */
function assignedToIssues(assignedTo: unknown): FieldIssue[] {
	if (!isPlainObject(assignedTo) || !Object.keys(assignedTo).includes('__proto__')) return [];
	return [
		{ field: FIELD_LABELS['assigned-to'], message: 'Assigned To must not have a key "__proto__"' },
	];
}

/** Names are checked on the object's own keys, so `__proto__` or `constructor` is reported like any typo. */
function registrationIssues(registration: unknown): FieldIssue[] {
	if (!isPlainObject(registration)) return [];
	const issues: FieldIssue[] = [];
	for (const [name, value] of Object.entries(registration)) {
		const field = FIELD_LABELS.registration;
		if (!registrationFieldSet.has(name)) {
			const nearest = nearestRegistrationField(name);
			issues.push({
				field,
				message:
					`Registration field "${name}" is not one iTEP accepts (names are case-sensitive)` +
					(nearest
						? `; did you mean "${nearest}"?`
						: '; see the list of valid names in the field picker'),
			});
		} else if (!['string', 'number', 'boolean'].includes(typeof value)) {
			issues.push({
				field,
				message: `Registration field "${name}" must be text, a number or true/false`,
			});
		}
	}
	return issues;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fieldLabel(path: ReadonlyArray<PropertyKey>): string {
	const top = path[0];
	if (typeof top === 'string' && Object.prototype.hasOwnProperty.call(FIELD_LABELS, top)) {
		return FIELD_LABELS[top as keyof FulfillmentBody];
	}
	return path.length ? path.map(String).join('.') : 'body';
}

/** GTX or STX from a product code's prefix (case-sensitive, as iTEP treats codes); undefined otherwise. */
export function fulfillmentKindOf(productCode: string): FulfillmentKind | undefined {
	for (const [kind, prefix] of Object.entries(PRODUCT_CODE_PREFIXES)) {
		if (productCode.startsWith(prefix)) return kind as FulfillmentKind;
	}
	return undefined;
}

/** The valid registration name closest to a mistyped one, if any is reasonably close. */
export function nearestRegistrationField(name: string): RegistrationField | undefined {
	const target = name.toLowerCase();
	let best: RegistrationField | undefined;
	let bestDistance = Infinity;
	for (const candidate of REGISTRATION_FIELDS) {
		const distance = editDistance(target, candidate.toLowerCase());
		if (distance < bestDistance) {
			best = candidate;
			bestDistance = distance;
		}
	}
	return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
	let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
	for (let i = 1; i <= a.length; i++) {
		const current = [i];
		for (let j = 1; j <= b.length; j++) {
			const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
			current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
		}
		previous = current;
	}
	return previous[b.length];
}
