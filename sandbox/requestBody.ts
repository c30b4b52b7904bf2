import {
	FULFILLMENT_BODY_FIELDS,
	PRODUCT_CODE_PREFIXES,
	REGISTRATION_FIELD_NAMES,
	type FulfillmentKind,
} from './itepDocument';

/**
 * The sandbox's own reading of the fulfillment request body (plain code, no schema library, nothing shared
 * with the pack). Documented: the fields and what they hold, `email` required for STX, the registration
 * names, compact JSON, case sensitivity. Assumed: `sequence` is a positive whole number used against replay
 * (it is in iTEP's example body), and unknown top-level fields are refused.
 */
export interface FulfillmentRequestBody {
	'product-code': string;
	email?: string;
	bcc?: string;
	track?: string;
	sequence: number;
	'assigned-to'?: Record<string, unknown>;
	registration?: Record<string, string | number | boolean>;
}

export interface BodyIssue {
	/** The field as a person filling in the request would name it (Product Code, Registration, ...). */
	field: string;
	message: string;
}

export type BodyCheck =
	{ ok: true; body: FulfillmentRequestBody } | { ok: false; issues: BodyIssue[] };

export const BODY_FIELD_LABELS: Readonly<Record<(typeof FULFILLMENT_BODY_FIELDS)[number], string>> =
	{
		'product-code': 'Product Code',
		email: 'Candidate Email',
		bcc: 'BCC Email',
		track: 'Tracking Code',
		sequence: 'Sequence',
		'assigned-to': 'Assigned To',
		registration: 'Registration',
	};

const KNOWN_BODY_FIELDS: ReadonlySet<string> = new Set(FULFILLMENT_BODY_FIELDS);
const REGISTRATION_NAMES: ReadonlySet<string> = new Set(REGISTRATION_FIELD_NAMES);
/** Loose on purpose: something@something, no spaces. iTEP's own checks are not documented. */
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;

/**
 * Checks a parsed JSON body against the document. Works on the raw `JSON.parse` result and only reads its
 * own keys, so names such as `__proto__` or `constructor` are seen (and refused) as the sender wrote them.
 */
export function checkFulfillmentBody(parsed: unknown): BodyCheck {
	if (!isJsonObject(parsed)) {
		return {
			ok: false,
			issues: [
				{
					field: 'body',
					message:
						'The request body must be a JSON object such as {"product-code":"GTX-Academic-Plus",...}',
				},
			],
		};
	}
	const issues: BodyIssue[] = [];
	const issue = (field: (typeof FULFILLMENT_BODY_FIELDS)[number] | 'body', message: string) =>
		issues.push({ field: field === 'body' ? 'body' : BODY_FIELD_LABELS[field], message });
	const has = (key: string) => Object.prototype.hasOwnProperty.call(parsed, key);

	const productCode = parsed['product-code'];
	if (!has('product-code')) issue('product-code', 'Product Code is required (product-code)');
	else if (typeof productCode !== 'string' || !productCode.trim())
		issue('product-code', 'Product Code must be a non-empty string');

	const kind = typeof productCode === 'string' ? fulfillmentKindOf(productCode) : undefined;
	if (has('email')) {
		const problem = emailProblem(parsed.email, 'Candidate Email');
		if (problem) issue('email', problem);
	} else if (kind === 'stx') {
		issue(
			'email',
			'Candidate Email is required for STX product codes: iTEP e-mails the test ID to this address',
		);
	}
	if (has('bcc')) {
		const problem = emailProblem(parsed.bcc, 'BCC Email');
		if (problem) issue('bcc', problem);
	}
	if (has('track') && (typeof parsed.track !== 'string' || !parsed.track.trim())) {
		issue('track', 'Tracking Code must be a non-empty string (the code iTEP assigned)');
	}

	if (!has('sequence'))
		issue(
			'sequence',
			'Sequence is required: a whole number greater than 0, never reused with one API key',
		);
	else if (
		typeof parsed.sequence !== 'number' ||
		!Number.isSafeInteger(parsed.sequence) ||
		parsed.sequence <= 0
	) {
		issue('sequence', 'Sequence must be a whole number greater than 0 (and at most 2^53 - 1)');
	}

	if (has('assigned-to') && !isJsonObject(parsed['assigned-to'])) {
		issue(
			'assigned-to',
			'Assigned To must be a JSON object such as {"student-name": "..."}, not a list or a plain value',
		);
	}

	if (has('registration')) {
		const registration = parsed.registration;
		if (!isJsonObject(registration)) {
			issue(
				'registration',
				'Registration must be a JSON object such as {"Last_Name": "..."}, not a list or a plain value',
			);
		} else {
			for (const name of Object.keys(registration)) {
				if (!REGISTRATION_NAMES.has(name)) {
					const nearest = nearestRegistrationName(name);
					issue(
						'registration',
						`Registration field "${name}" is not one of iTEP's registration field names (names are case-sensitive)` +
							(nearest ? `; did you mean "${nearest}"?` : ''),
					);
					continue;
				}
				const value = registration[name];
				if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
					issue(
						'registration',
						`Registration field "${name}" must be text, a number or true/false`,
					);
				}
			}
		}
	}

	const unknown = Object.keys(parsed).filter((key) => !KNOWN_BODY_FIELDS.has(key));
	if (unknown.length) issue('body', `Unknown body field(s): ${unknown.join(', ')}`);

	if (issues.length) return { ok: false, issues };
	return { ok: true, body: parsed as unknown as FulfillmentRequestBody };
}

/** GTX or STX from a product code's prefix (case-sensitive); undefined otherwise. */
export function fulfillmentKindOf(productCode: string): FulfillmentKind | undefined {
	if (productCode.startsWith(PRODUCT_CODE_PREFIXES.gtx)) return 'gtx';
	if (productCode.startsWith(PRODUCT_CODE_PREFIXES.stx)) return 'stx';
	return undefined;
}

/** The valid registration name a mistyped one most likely meant: same letters in another case, or one edit away. */
export function nearestRegistrationName(name: string): string | undefined {
	const lower = name.toLowerCase();
	const sameLetters = REGISTRATION_FIELD_NAMES.find(
		(candidate) => candidate.toLowerCase() === lower,
	);
	if (sameLetters) return sameLetters;
	return REGISTRATION_FIELD_NAMES.find((candidate) =>
		withinOneEdit(lower, candidate.toLowerCase()),
	);
}

type ParsedBody = { ok: true; value: unknown } | { ok: false; message: string };

/** iTEP refuses "pretty" JSON: any whitespace outside strings is an error, as is anything that is not JSON. */
export function parseCompactJson(raw: Buffer): ParsedBody {
	let text: string;
	try {
		text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
	} catch {
		return { ok: false, message: 'The request body is not valid UTF-8' };
	}
	if (!text.length)
		return {
			ok: false,
			message: 'The request body is empty; send the fulfillment request as compact JSON',
		};
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch (error) {
		return {
			ok: false,
			message: `The request body is not valid JSON: ${(error as Error).message}`,
		};
	}
	const offset = whitespaceOutsideStrings(text);
	if (offset >= 0) {
		const before = text.slice(0, offset);
		const line = before.split('\n').length;
		const column = offset - before.lastIndexOf('\n');
		return {
			ok: false,
			message: `The request body is "pretty" JSON (whitespace outside a string at line ${line}, column ${column}); iTEP requires compact JSON without spaces, tabs or line breaks`,
		};
	}
	return { ok: true, value };
}

/** Offset of the first JSON whitespace character outside a string literal, or -1. */
export function whitespaceOutsideStrings(text: string): number {
	let inString = false;
	for (let index = 0; index < text.length; index++) {
		const char = text[index];
		if (inString) {
			if (char === '\\') index++;
			else if (char === '"') inString = false;
		} else if (char === '"') {
			inString = true;
		} else if (char === ' ' || char === '\t' || char === '\n' || char === '\r') {
			return index;
		}
	}
	return -1;
}

/** A JSON object: not null, not a list. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function emailProblem(value: unknown, label: string): string | undefined {
	if (typeof value !== 'string') return `${label} must be a string`;
	if (!EMAIL_SHAPE.test(value.trim()))
		return `${label} is not an e-mail address; enter it as name@example.com`;
	return undefined;
}

/** Levenshtein distance of at most 1 (one letter added, removed or changed). */
function withinOneEdit(a: string, b: string): boolean {
	if (Math.abs(a.length - b.length) > 1) return false;
	let i = 0;
	let j = 0;
	let edits = 0;
	while (i < a.length && j < b.length) {
		if (a[i] === b[j]) {
			i++;
			j++;
			continue;
		}
		if (++edits > 1) return false;
		if (a.length > b.length) i++;
		else if (a.length < b.length) j++;
		else {
			i++;
			j++;
		}
	}
	return edits + (a.length - i) + (b.length - j) <= 1;
}
