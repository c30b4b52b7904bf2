import type { SandboxConfig, TrackingCodeConfig } from './config';
import type { DeliveryRecord } from './deliveries';
import { createInventory, type TestRecord } from './inventory';
import { seededRandom, type Random } from './random';
import type { ResultVariantName } from './resultVariants';
import type { ScoreReportFormat } from './scoreReport';

/**
 * How a fault knob spreads its faults: one every `every` API requests (the `every`-th, 2×`every`-th... request
 * since the knob was set; 1 = the next ones), `count` faults in all. `seen` counts the requests since the last
 * fault (or since the knob was set): the knob's own position, shown by GET /sandbox/knobs.
 */
export interface FaultSpread {
	count: number;
	/** Default 1: the next `count` requests. */
	every?: number;
	/** Requests seen since the last fault; the sandbox keeps it. */
	seen?: number;
}

/** Fault injection for API requests (/api/*), set with POST /sandbox/knobs. */
export interface Knobs {
	/** Added to every API request before it is processed (counted as in flight). */
	latencyMs: number;
	/** Every `every`-th API request waits `ms` more, on top of latencyMs, whatever else happens to it. */
	latencySpikes: { every: number; ms: number; seen?: number } | null;
	/** Answer `count` API requests with `status` before anything is checked or provisioned. */
	failNext: (FaultSpread & { status: number }) | null;
	/**
	 * Read `count` API requests, provision when `afterProvisioning` (the sequence is then spent too), then
	 * destroy the socket without answering: "sent, then lost".
	 */
	dropNext: (FaultSpread & { afterProvisioning: boolean }) | null;
	/**
	 * Read `count` API requests, provision when `afterProvisioning`, then never answer: the connection stays
	 * open until the client gives up (its timeout) or the sandbox closes.
	 */
	hangNext: (FaultSpread & { afterProvisioning: boolean }) | null;
	/** Send every results webhook twice, to exercise the receiver's duplicate suppression. */
	duplicateDeliveries: boolean;
	/**
	 * Shape of the results `data` (see resultVariants.ts): one variant for every delivery, 'cycle' for each
	 * variant in turn, delivery by delivery, or null for 'documented'.
	 */
	resultVariant: ResultVariantName | 'cycle' | null;
	/** What GET /sandbox/score-report/:testId serves: 'html' (default) or a one-page 'pdf'. */
	scoreReportFormat: ScoreReportFormat;
}

export function defaultKnobs(): Knobs {
	return {
		latencyMs: 0,
		latencySpikes: null,
		failNext: null,
		dropNext: null,
		hangNext: null,
		duplicateDeliveries: false,
		resultVariant: null,
		scoreReportFormat: 'html',
	};
}

export interface OutboxEmail {
	id: number;
	at: string;
	to: string;
	bcc: string | null;
	/** iTEP always copies its own archive; recorded so the e-mail looks like iTEP's. */
	archiveCopy: true;
	testId: string;
	productCode: string;
	testType: string;
	subject: string;
	text: string;
}

export interface RequestLogEntry {
	id: number;
	time: string;
	method: string;
	path: string;
	/** null when no answer was written: dropped (dropNext) or never answered (hangNext). */
	status: number | null;
	outcome: 'answered' | 'injected-failure' | 'dropped' | 'hung';
	errorCode: string | null;
	rawBody: string;
	signatureHeader: string | null;
	signatureVerified: boolean;
	/** Which configured API key matched (index into config.apiKeys; the key itself is never logged). */
	apiKeyIndex: number | null;
	sequence: number | null;
	testId: string | null;
	/** Arrival to answer; for a hung request, arrival to the moment the connection closed (while open: so far). */
	durationMs: number;
	/** The latencySpikes knob delayed this request. */
	latencySpike: boolean;
}

export interface SandboxStats {
	/** API requests received (/api/*), whatever their outcome. */
	requests: number;
	inFlight: number;
	maxInFlight: number;
	provisioned: number;
	byStatus: Record<string, number>;
	injectedFailures: number;
	dropped: number;
	/** Requests left unanswered by hangNext. */
	hung: number;
	/** Requests delayed by latencySpikes. */
	latencySpikes: number;
	startedAt: string;
}

export interface SinkEntry {
	id: number;
	at: string;
	contentType: string | null;
	body: unknown;
}

export interface SandboxState {
	readonly config: SandboxConfig;
	random: Random;
	tests: TestRecord[];
	outbox: OutboxEmail[];
	requests: RequestLogEntry[];
	/** Sequences spent, per API key index: a reused one is refused with 409. */
	sequencesByKey: Map<number, Set<number>>;
	knobs: Knobs;
	stats: SandboxStats;
	trackingCodes: Map<string, TrackingCodeConfig>;
	deliveries: DeliveryRecord[];
	/** Position in RESULT_VARIANTS for the resultVariant knob 'cycle'; back to 0 when the knob is set or reset. */
	resultVariantCycle: number;
	results: SinkEntry[];
	/** Running ids for log entries (never reused, even across resets, so ids stay unambiguous). */
	nextId: { request: number; email: number; delivery: number; result: number };
}

export function createState(config: SandboxConfig): SandboxState {
	const random = seededRandom(config.seed);
	return {
		config,
		random,
		tests: createInventory(config, random),
		outbox: [],
		requests: [],
		sequencesByKey: new Map(),
		knobs: defaultKnobs(),
		stats: freshStats(0),
		trackingCodes: new Map(
			config.trackingCodes.map((trackingCode) => [trackingCode.code, { ...trackingCode }]),
		),
		deliveries: [],
		resultVariantCycle: 0,
		results: [],
		nextId: { request: 1, email: 1, delivery: 1, result: 1 },
	};
}

/**
 * Back to the initial inventory (same seed, so the same test IDs) with empty logs, outbox, sequences, results
 * and knobs. Tracking codes are configuration (iTEP staff set them up), so they survive a reset.
 */
export function resetState(state: SandboxState): void {
	const fresh = createState(state.config);
	state.random = fresh.random;
	state.tests = fresh.tests;
	state.outbox = [];
	state.requests = [];
	state.sequencesByKey = new Map();
	state.knobs = defaultKnobs();
	// Requests still being served will decrement inFlight, so it is carried over rather than zeroed.
	state.stats = freshStats(state.stats.inFlight);
	state.deliveries = [];
	state.resultVariantCycle = 0;
	state.results = [];
}

function freshStats(inFlight: number): SandboxStats {
	return {
		requests: 0,
		inFlight,
		maxInFlight: inFlight,
		provisioned: 0,
		byStatus: {},
		injectedFailures: 0,
		dropped: 0,
		hung: 0,
		latencySpikes: 0,
		startedAt: new Date().toISOString(),
	};
}

/** Keeps the request log bounded; the oldest entries go first. */
export function logRequest(state: SandboxState, entry: RequestLogEntry): void {
	state.requests.push(entry);
	const overflow = state.requests.length - state.config.requestLogLimit;
	if (overflow > 0) state.requests.splice(0, overflow);
}
