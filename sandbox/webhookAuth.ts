import { hmacSha256, SIGNATURE_ENCODINGS, type SignatureEncoding } from './signature';

/**
 * How the sandbox's results sender authenticates a delivery to the receiver. iTEP says tracking codes carry
 * "authorization methods and parameters" set up by iTEP staff, but not which ones, so these schemes are the
 * sandbox's assumption: a fixed header, HTTP Basic, or an HMAC-SHA256 of the body (optionally with a
 * timestamp). The sandbox's own code, sharing nothing with the pack's verifier, on the same wire scheme.
 */
export type SenderAuth =
	| { mode: 'none' }
	| { mode: 'header'; headerName: string; value: string }
	| { mode: 'basic'; user: string; password: string }
	| {
			mode: 'hmac';
			headerName: string;
			/** One signature per non-empty secret, joined by a single space (a sender mid-rotation). */
			secrets: string[];
			encoding: SignatureEncoding;
			/** When set, the signed input is `${timestamp}.${rawBody}` and the timestamp goes in this header. */
			timestampHeader?: string;
			/** For the receiver; the sender only records it. */
			toleranceSeconds?: number;
	  };

export type SenderAuthMode = SenderAuth['mode'];

export const SENDER_AUTH_MODES: readonly SenderAuthMode[] = ['none', 'header', 'basic', 'hmac'];

/** Used when an hmac tracking code leaves the header name empty. */
export const DEFAULT_WEBHOOK_SIGNATURE_HEADER = 'X-Itep-Webhook-Signature';

/** The headers that authenticate one delivery of exactly `rawBody`, signed at `nowSeconds` (Unix time). */
export function signDelivery(
	rawBody: string | Buffer,
	auth: SenderAuth,
	nowSeconds: number,
): Record<string, string> {
	switch (auth.mode) {
		case 'none':
			return {};
		case 'header':
			return { [auth.headerName]: auth.value };
		case 'basic':
			return {
				Authorization: `Basic ${Buffer.from(`${auth.user}:${auth.password}`, 'utf8').toString('base64')}`,
			};
		case 'hmac': {
			const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
			const timestamp = auth.timestampHeader ? String(Math.floor(nowSeconds)) : undefined;
			const signedInput =
				timestamp === undefined
					? body
					: Buffer.concat([Buffer.from(`${timestamp}.`, 'utf8'), body]);
			const signatures = auth.secrets
				.filter((secret) => secret.length > 0)
				.map((secret) => hmacSha256(signedInput, secret, auth.encoding));
			const headers: Record<string, string> = {
				[auth.headerName || DEFAULT_WEBHOOK_SIGNATURE_HEADER]: signatures.join(' '),
			};
			if (auth.timestampHeader && timestamp !== undefined)
				headers[auth.timestampHeader] = timestamp;
			return headers;
		}
		default:
			return {};
	}
}

/** Why `auth` cannot be used by the sender, or undefined when it can (tracking codes from config or admin). */
export function senderAuthProblem(auth: unknown): string | undefined {
	if (typeof auth !== 'object' || auth === null || Array.isArray(auth)) {
		return 'auth must be an object with a mode (none, header, basic, hmac)';
	}
	const settings = auth as Record<string, unknown>;
	const text = (value: unknown) => typeof value === 'string' && value.length > 0;
	switch (settings.mode) {
		case 'none':
			return undefined;
		case 'header':
			return text(settings.headerName) && text(settings.value)
				? undefined
				: 'header auth needs headerName and value';
		case 'basic':
			return text(settings.user) && text(settings.password)
				? undefined
				: 'basic auth needs user and password';
		case 'hmac':
			if (!text(settings.headerName)) return 'hmac auth needs headerName';
			if (
				!Array.isArray(settings.secrets) ||
				settings.secrets.length === 0 ||
				!settings.secrets.every(text)
			) {
				return 'hmac auth needs secrets: a list of non-empty strings';
			}
			if (!SIGNATURE_ENCODINGS.includes(settings.encoding as SignatureEncoding))
				return 'hmac auth needs encoding hex or base64';
			if (settings.timestampHeader !== undefined && !text(settings.timestampHeader))
				return 'timestampHeader must be a header name';
			if (
				settings.toleranceSeconds !== undefined &&
				!(Number.isInteger(settings.toleranceSeconds) && (settings.toleranceSeconds as number) > 0)
			) {
				return 'toleranceSeconds must be a whole number of seconds greater than 0';
			}
			return undefined;
		default:
			return `unknown auth mode ${JSON.stringify(settings.mode)}`;
	}
}
