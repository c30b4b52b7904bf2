/* eslint-disable @n8n/community-nodes/no-restricted-globals -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * The JS heap of n8n's main process, read through the V8 inspector without patching n8n (P5'). The bench n8n
 * starts with `NODE_OPTIONS=--inspect=127.0.0.1:0`: Node opens the inspector on a free loopback port and
 * prints its WebSocket URL ("Debugger listening on ws://…") to stderr, which the dev kit writes to n8n's log.
 * n8n's task runner does not inherit it (n8n gives the runner an environment of its own).
 *
 * Each reading connects with Node 24's global WebSocket, forces full garbage collections
 * (`HeapProfiler.collectGarbage`), reads `Runtime.getHeapUsage` and disconnects, so no debugger session is
 * attached while a measured run runs.
 */

/** Environment for a bench n8n whose heap P5' reads. */
export const INSPECTOR_ENV = { NODE_OPTIONS: '--inspect=127.0.0.1:0' };

/** The main process's inspector URL from n8n's log (the first one printed: the main process starts first). */
export function inspectorUrl(log: string): string {
	const match = /Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[\w-]+)/.exec(log);
	if (!match) throw new Error('n8n printed no inspector URL: was it started with INSPECTOR_ENV?');
	return match[1];
}

interface InspectorSocket {
	onopen: (() => void) | null;
	onerror: ((event: unknown) => void) | null;
	onclose: (() => void) | null;
	onmessage: ((event: { data: unknown }) => void) | null;
	send(data: string): void;
	close(): void;
}

/** Node 24 has a global WebSocket; the project's @types/node (20) does not declare it. */
const WebSocketClass = (
	globalThis as unknown as { WebSocket?: new (url: string) => InspectorSocket }
).WebSocket;

export interface HeapReading {
	/** V8 heap in use after the forced GCs, MB. */
	usedMb: number;
	/** V8 heap reserved, MB. */
	totalMb: number;
}

/** Forces `collections` full GCs in n8n's main process, then reads its heap usage. */
export async function heapAfterGc(url: string, collections = 2): Promise<HeapReading> {
	if (!WebSocketClass) throw new Error('no global WebSocket: the bench must run on Node >= 22');
	const socket = new WebSocketClass(url);
	const pending = new Map<number, (message: { result?: unknown; error?: unknown }) => void>();
	let nextId = 0;
	await new Promise<void>((resolve, reject) => {
		socket.onopen = () => resolve();
		socket.onerror = () => reject(new Error(`could not connect to n8n's inspector at ${url}`));
	});
	socket.onclose = () => {
		for (const answer of pending.values()) answer({ error: 'inspector socket closed' });
	};
	socket.onmessage = (event) => {
		const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
		if (message.id !== undefined) pending.get(message.id)?.(message);
		if (message.id !== undefined) pending.delete(message.id);
	};
	const call = <T>(method: string) =>
		new Promise<T>((resolve, reject) => {
			const id = ++nextId;
			const timer = setTimeout(() => reject(new Error(`inspector ${method}: no answer`)), 60_000);
			pending.set(id, (message) => {
				clearTimeout(timer);
				if (message.error !== undefined)
					reject(new Error(`inspector ${method}: ${JSON.stringify(message.error)}`));
				else resolve(message.result as T);
			});
			socket.send(JSON.stringify({ id, method }));
		});
	try {
		for (let i = 0; i < collections; i++) await call('HeapProfiler.collectGarbage');
		const usage = await call<{ usedSize: number; totalSize: number }>('Runtime.getHeapUsage');
		return { usedMb: usage.usedSize / 2 ** 20, totalMb: usage.totalSize / 2 ** 20 };
	} finally {
		socket.close();
	}
}
