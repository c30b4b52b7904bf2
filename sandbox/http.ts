/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error -- development tooling, never published: n8n's rules for node code do not apply */
import type { IncomingMessage, ServerResponse } from 'http';

/** Thrown while reading a body larger than allowed; answered with 413. */
export class BodyTooLargeError extends Error {
	constructor(readonly limit: number) {
		super(`Request body is larger than ${limit} bytes`);
	}
}

/** The request body exactly as received: signatures are checked over these bytes, never over a re-encoding. */
export function readRawBody(req: IncomingMessage, limit: number): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > limit) {
				reject(new BodyTooLargeError(limit));
				req.resume();
				return;
			}
			chunks.push(chunk);
		});
		req.on('end', () => resolve(Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

export function sendJson(
	res: ServerResponse,
	status: number,
	body: unknown,
	headers: Record<string, string> = {},
): void {
	if (res.headersSent || res.destroyed) return;
	const payload = JSON.stringify(body, null, 0);
	res.writeHead(status, {
		'Content-Type': 'application/json; charset=utf-8',
		'Content-Length': String(Buffer.byteLength(payload)),
		'Cache-Control': 'no-store',
		...headers,
	});
	res.end(payload);
}

export function sendText(
	res: ServerResponse,
	status: number,
	text: string,
	contentType: string,
	headers: Record<string, string> = {},
): void {
	sendBytes(res, status, Buffer.from(text, 'utf8'), contentType, headers);
}

export function sendBytes(
	res: ServerResponse,
	status: number,
	bytes: Buffer,
	contentType: string,
	headers: Record<string, string> = {},
): void {
	if (res.headersSent || res.destroyed) return;
	res.writeHead(status, {
		'Content-Type': contentType,
		'Content-Length': String(bytes.length),
		'Cache-Control': 'no-store',
		...headers,
	});
	res.end(bytes);
}

/** The `{"error":{"code","message"}}` shape every sandbox error uses (extra fields go beside them). */
export function errorBody(code: string, message: string, extra: Record<string, unknown> = {}) {
	return { error: { code, message, ...extra } };
}

export function sendError(
	res: ServerResponse,
	status: number,
	code: string,
	message: string,
	extra: Record<string, unknown> = {},
): void {
	sendJson(res, status, errorBody(code, message, extra));
}

/** An error a handler throws to answer with a given status (admin endpoints). */
export class HttpError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
		readonly extra: Record<string, unknown> = {},
	) {
		super(message);
	}
}

/** Admin bodies are lenient (pretty JSON is fine); an empty body is `{}`. */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
	const raw = (await readRawBody(req, limit)).toString('utf8');
	if (!raw.trim()) return {};
	try {
		return JSON.parse(raw);
	} catch (error) {
		throw new HttpError(400, 'BAD_JSON', `Body is not JSON: ${(error as Error).message}`);
	}
}

export interface Route<Context> {
	method: string;
	pattern: RegExp;
	handle: (context: Context, params: string[]) => Promise<void> | void;
}

/** Finds the route for a request; `allowedMethods` is filled when only the method was wrong (405). */
export function matchRoute<Context>(
	routes: Array<Route<Context>>,
	method: string,
	path: string,
): { route?: Route<Context>; params: string[]; allowedMethods: string[] } {
	const allowedMethods: string[] = [];
	for (const route of routes) {
		const match = route.pattern.exec(path);
		if (!match) continue;
		if (route.method === method)
			return { route, params: match.slice(1).map(decodeURIComponent), allowedMethods };
		allowedMethods.push(route.method);
	}
	return { params: [], allowedMethods };
}

export function delay(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
