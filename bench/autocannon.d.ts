/* eslint-disable @n8n/community-nodes/no-restricted-imports -- development tooling, never published: n8n's rules for node code do not apply */
/** The part of autocannon 8's programmatic API the bench uses (the package ships no types). */
declare module 'autocannon' {
	import type { EventEmitter } from 'node:events';

	interface Options {
		url: string;
		method?: string;
		body?: string;
		headers?: Record<string, string>;
		connections?: number;
		amount?: number;
		/** Seconds. */
		timeout?: number;
	}

	interface Result {
		requests: { sent: number; total: number };
		'2xx': number;
		non2xx: number;
		errors: number;
		timeouts: number;
		latency: { p50: number; p99: number };
	}

	interface Instance extends EventEmitter {
		stop(): void;
	}

	function autocannon(
		options: Options,
		callback: (error: Error | null, result: Result) => void,
	): Instance;
	export = autocannon;
}
