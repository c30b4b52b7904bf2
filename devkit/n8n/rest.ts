/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- development tooling, never published: n8n's rules for node code do not apply */
/** A cookie-session client for n8n's internal REST API (/rest/...), the one the editor UI uses. */

export const OWNER = {
	email: 'owner@itep-e2e.test',
	firstName: 'Itep',
	lastName: 'E2e',
	// n8n's password rules: 8-64 characters, at least one number and one capital letter.
	password: 'ItepE2e-Passw0rd',
} as const;

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface RawResponse {
	status: number;
	headers: Headers;
	text: string;
	json: unknown;
}

export class RestError extends Error {
	constructor(
		readonly method: string,
		readonly path: string,
		readonly status: number,
		readonly body: string,
	) {
		super(`${method} ${path} -> HTTP ${status}: ${body.slice(0, 500)}`);
		this.name = 'RestError';
	}
}

export class RestClient {
	private cookie: string | undefined;

	/** The editor sends a browser-id header; n8n binds the auth cookie to it, so one client uses one fixed id. */
	private readonly browserId = `itep-e2e-${Math.random().toString(36).slice(2)}`;

	constructor(readonly baseUrl: string) {}

	get loggedIn(): boolean {
		return this.cookie !== undefined;
	}

	/** Any HTTP call against the instance, with the session cookie; never throws on HTTP status. */
	async raw(
		method: HttpMethod,
		path: string,
		body?: unknown,
		headers: Record<string, string> = {},
	): Promise<RawResponse> {
		const init: RequestInit = {
			method,
			headers: {
				accept: 'application/json',
				'browser-id': this.browserId,
				...(this.cookie ? { cookie: this.cookie } : {}),
				...(body !== undefined ? { 'content-type': 'application/json' } : {}),
				...headers,
			},
			body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
			redirect: 'manual',
		};
		const response = await fetch(new URL(path, this.baseUrl), init);
		this.rememberCookie(response.headers);
		const text = await response.text();
		let json: unknown;
		try {
			json = text ? JSON.parse(text) : undefined;
		} catch {
			json = undefined;
		}
		return { status: response.status, headers: response.headers, text, json };
	}

	/** A GET with the session cookie whose body is kept as bytes (files, not JSON); never throws on status. */
	async bytes(path: string): Promise<{ status: number; headers: Headers; body: Buffer }> {
		const response = await fetch(new URL(path, this.baseUrl), {
			headers: {
				'browser-id': this.browserId,
				...(this.cookie ? { cookie: this.cookie } : {}),
			},
			redirect: 'manual',
		});
		this.rememberCookie(response.headers);
		return {
			status: response.status,
			headers: response.headers,
			body: Buffer.from(await response.arrayBuffer()),
		};
	}

	/** REST call that throws RestError on a non-2xx status and unwraps n8n's `{ data: ... }` envelope. */
	async rest<T = unknown>(method: HttpMethod, path: string, body?: unknown): Promise<T> {
		const response = await this.raw(method, path, body);
		if (response.status < 200 || response.status >= 300) {
			throw new RestError(method, path, response.status, response.text);
		}
		const json = response.json as { data?: unknown } | undefined;
		return (json && typeof json === 'object' && 'data' in json ? json.data : json) as T;
	}

	/**
	 * First start: POST /rest/owner/setup (skipAuth) creates the owner and returns the auth cookie; same path and
	 * body on 1.123.x and 2.40.x. On a reused user folder the owner exists already, so fall back to /rest/login.
	 */
	async setupOwnerOrLogin(owner: typeof OWNER = OWNER): Promise<void> {
		const setup = await this.raw('POST', '/rest/owner/setup', owner);
		if (setup.status === 200 && this.cookie) return;
		await this.login(owner.email, owner.password);
	}

	async login(email: string, password: string): Promise<void> {
		// Both lines take emailOrLdapLoginId (the older `email` field is gone in 1.123.x too).
		await this.rest('POST', '/rest/login', { emailOrLdapLoginId: email, password });
		if (!this.cookie) throw new Error('n8n accepted the login but set no n8n-auth cookie');
	}

	private rememberCookie(headers: Headers): void {
		const setCookies = typeof headers.getSetCookie === 'function' ? headers.getSetCookie() : [];
		for (const line of setCookies) {
			const [pair] = line.split(';');
			const [name, value] = pair.split('=');
			if (name.trim() !== 'n8n-auth') continue;
			this.cookie = value ? `n8n-auth=${value}` : undefined;
		}
	}
}
