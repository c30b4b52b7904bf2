import { randomBytes } from 'crypto';

import { computeSignature, safeEqual, type SignatureEncoding } from '../shared/signing';

/**
 * Authentication of iTEP's results webhook, as the trigger verifies it. The sandbox's sender signs with its
 * own code (sandbox/), so a mistake here shows up as a refused delivery in the tests instead of agreeing
 * with itself.
 *
 * iTEP staff configure "authorization methods and parameters" per tracking code, but iTEP does not publish
 * which ones; every header name and encoding below is therefore a configurable assumption.
 */

export const DEFAULT_WEBHOOK_SIGNATURE_HEADER = 'X-Itep-Webhook-Signature';
export const DEFAULT_WEBHOOK_TIMESTAMP_HEADER = 'X-Itep-Webhook-Timestamp';
/** Same window as Stripe, Standard Webhooks and n8n's own triggers. */
export const DEFAULT_TIMESTAMP_TOLERANCE_SECONDS = 300;
/** A signature header may list several signatures (sender mid-rotation); more than this is refused. */
export const MAX_SIGNATURES_PER_HEADER = 10;

export type WebhookAuthSettings =
	| { mode: 'none' }
	| { mode: 'header'; headerName: string; value: string }
	| { mode: 'basic'; user: string; password: string }
	| {
			mode: 'hmac';
			headerName: string;
			/** Every secret accepted; a delivery passes if it is signed with any of them (key rotation). */
			secrets: string[];
			encoding: SignatureEncoding;
			/** When set, the signed input is `${timestamp}.${rawBody}` and the timestamp must be recent. */
			timestampHeader?: string;
			toleranceSeconds?: number;
	  };

export type WebhookAuthMode = WebhookAuthSettings['mode'];

/** Request headers as Node and n8n give them (lower-case names); other casings are looked up too. */
export type WebhookHeaders = Record<string, string | string[] | undefined>;

export type WebhookVerdict = { ok: true } | { ok: false; reason: string };

const SIGNATURE_PREFIX = /^sha256=/i;
const UNIX_SECONDS = /^\d{1,12}$/;

/**
 * Whether a delivery is genuine under `settings`. Never throws. The `reason` names what failed (header
 * names, never secrets or received values) so it can be logged and answered safely.
 */
export function verifyWebhookRequest(
	headers: WebhookHeaders,
	rawBody: Buffer | string,
	settings: WebhookAuthSettings,
	nowSeconds: number,
): WebhookVerdict {
	switch (settings.mode) {
		case 'none':
			return { ok: true };
		case 'header':
			return verifyHeaderValue(headers, settings.headerName, settings.value);
		case 'basic':
			return verifyBasicAuth(headers, settings.user, settings.password);
		case 'hmac':
			return verifyHmac(headers, toBuffer(rawBody), settings, nowSeconds);
		default:
			return fail('unknown authentication mode');
	}
}

/** RFC 9110 token: what a header name may consist of. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Problems that make `settings` unable to ever accept a delivery (empty secret, invalid header name, ...).
 * Used by the credential test; messages name the field, never its value.
 */
export function checkWebhookAuthSettings(settings: WebhookAuthSettings): string[] {
	const problems: string[] = [];
	const headerName = (label: string, name: string) => {
		if (!HEADER_NAME.test(name)) problems.push(`${label} is not a valid HTTP header name`);
	};
	// Node strips surrounding whitespace from received header values, so such a value could never match.
	const value = (label: string, text: string) => {
		if (!text) problems.push(`${label} is empty`);
		else if (text.trim() !== text) problems.push(`${label} starts or ends with whitespace`);
	};
	switch (settings.mode) {
		case 'none':
			break;
		case 'header':
			headerName('Header Name', settings.headerName);
			value('Header Value', settings.value);
			break;
		case 'basic':
			value('User', settings.user);
			if (settings.user.includes(':')) problems.push('User must not contain ":"');
			value('Password', settings.password);
			break;
		case 'hmac': {
			headerName('Signature Header Name', settings.headerName);
			if (usableSecrets(settings.secrets).length === 0) problems.push('Secret is empty');
			settings.secrets.forEach((secret, index) => {
				if (secret && secret.trim() !== secret) {
					problems.push(
						`${index === 0 ? 'Secret' : 'Second Secret'} starts or ends with whitespace`,
					);
				}
			});
			if (settings.timestampHeader !== undefined) {
				headerName('Timestamp Header Name', settings.timestampHeader);
				if (settings.timestampHeader.toLowerCase() === settings.headerName.toLowerCase()) {
					problems.push('Timestamp Header Name must differ from Signature Header Name');
				}
				const tolerance = settings.toleranceSeconds;
				if (tolerance !== undefined && !(Number.isInteger(tolerance) && tolerance > 0)) {
					problems.push('Tolerance must be a whole number of seconds greater than 0');
				}
			}
			break;
		}
	}
	return problems;
}

/** What is signed: the raw body, or `${timestamp}.${rawBody}` (Stripe's scheme) when a timestamp is sent. */
function hmacInput(rawBody: Buffer, timestamp?: string): Buffer {
	return timestamp === undefined ? rawBody : Buffer.concat([Buffer.from(`${timestamp}.`), rawBody]);
}

function verifyHeaderValue(
	headers: WebhookHeaders,
	headerName: string,
	expected: string,
): WebhookVerdict {
	if (!headerName.trim() || !expected) return fail('header authentication is not configured');
	const actual = readHeader(headers, headerName);
	if (actual === undefined) return fail(`missing header ${headerName}`);
	return secretEqual(expected, actual) ? { ok: true } : fail(`wrong value in header ${headerName}`);
}

function verifyBasicAuth(headers: WebhookHeaders, user: string, password: string): WebhookVerdict {
	if (!user || !password) return fail('basic authentication is not configured');
	const authorization = readHeader(headers, 'authorization');
	if (authorization === undefined) return fail('missing header Authorization');
	const match = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization);
	if (!match) return fail('Authorization header is not Basic credentials');
	const decoded = Buffer.from(match[1], 'base64').toString('utf8');
	const colon = decoded.indexOf(':');
	if (colon < 0) return fail('Authorization header is not Basic credentials');
	// Both comparisons always run, so timing does not tell which half was wrong.
	const userOk = secretEqual(user, decoded.slice(0, colon));
	const passwordOk = secretEqual(password, decoded.slice(colon + 1));
	return userOk && passwordOk ? { ok: true } : fail('wrong user or password');
}

function verifyHmac(
	headers: WebhookHeaders,
	rawBody: Buffer,
	settings: Extract<WebhookAuthSettings, { mode: 'hmac' }>,
	nowSeconds: number,
): WebhookVerdict {
	const secrets = usableSecrets(settings.secrets);
	if (secrets.length === 0) return fail('no signing secret is configured');
	const headerName = settings.headerName.trim() || DEFAULT_WEBHOOK_SIGNATURE_HEADER;

	let timestamp: string | undefined;
	if (settings.timestampHeader?.trim()) {
		const checked = checkTimestamp(headers, settings.timestampHeader.trim(), settings, nowSeconds);
		if (!checked.ok) return checked;
		timestamp = checked.timestamp;
	}

	const header = readHeader(headers, headerName);
	if (header === undefined || !header.trim()) return fail(`missing header ${headerName}`);
	const candidates = header
		.split(/[\s,]+/)
		.filter(Boolean)
		.map((candidate) => candidate.replace(SIGNATURE_PREFIX, ''))
		// Hex is case-insensitive on the wire; base64 is not.
		.map((candidate) => (settings.encoding === 'hex' ? candidate.toLowerCase() : candidate));
	if (candidates.length > MAX_SIGNATURES_PER_HEADER) {
		return fail(`more than ${MAX_SIGNATURES_PER_HEADER} signatures in header ${headerName}`);
	}

	const signedInput = hmacInput(rawBody, timestamp);
	const expected = secrets.map((secret) =>
		computeSignature(signedInput, secret, settings.encoding),
	);
	const matched = candidates.some((candidate) =>
		expected.some((signature) => safeEqual(signature, candidate)),
	);
	return matched ? { ok: true } : fail(`signature in header ${headerName} does not match`);
}

function checkTimestamp(
	headers: WebhookHeaders,
	headerName: string,
	settings: { toleranceSeconds?: number },
	nowSeconds: number,
): { ok: true; timestamp: string } | { ok: false; reason: string } {
	const value = readHeader(headers, headerName)?.trim();
	if (!value) return fail(`missing header ${headerName}`);
	if (!UNIX_SECONDS.test(value)) return fail(`header ${headerName} is not a Unix time in seconds`);
	const tolerance = toleranceOf(settings.toleranceSeconds);
	const age = Math.floor(nowSeconds) - Number(value);
	if (age > tolerance) return fail(`header ${headerName} is older than ${tolerance} seconds`);
	if (-age > tolerance)
		return fail(`header ${headerName} is more than ${tolerance} seconds in the future`);
	return { ok: true, timestamp: value };
}

function toleranceOf(configured: number | undefined): number {
	return configured !== undefined && Number.isFinite(configured) && configured > 0
		? configured
		: DEFAULT_TIMESTAMP_TOLERANCE_SECONDS;
}

function usableSecrets(secrets: readonly string[]): string[] {
	return secrets.filter((secret) => typeof secret === 'string' && secret.length > 0);
}

/**
 * Case-insensitive lookup among the request's own headers (a name such as `constructor` must not find
 * Object.prototype's); repeated headers are joined the way Node joins unknown ones.
 */
export function readHeader(headers: WebhookHeaders, name: string): string | undefined {
	const wanted = name.toLowerCase();
	const own = (key: string) => Object.prototype.hasOwnProperty.call(headers, key);
	const key = own(wanted) ? wanted : Object.keys(headers).find((k) => k.toLowerCase() === wanted);
	const value = key === undefined ? undefined : headers[key];
	if (typeof value === 'string') return value;
	return Array.isArray(value) ? value.join(', ') : undefined;
}

// Comparing keyed digests instead of the values themselves keeps the comparison constant-time even when
// the lengths differ, so a wrong guess does not reveal the secret's length.
const comparisonKey = randomBytes(32).toString('hex');

function secretEqual(expected: string, actual: string): boolean {
	return safeEqual(
		computeSignature(expected, comparisonKey),
		computeSignature(actual, comparisonKey),
	);
}

function toBuffer(body: Buffer | string): Buffer {
	return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

function fail(reason: string): { ok: false; reason: string } {
	return { ok: false, reason };
}
