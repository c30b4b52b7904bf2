/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error -- development tooling, never published: n8n's rules for node code do not apply */
import { readFileSync } from 'fs';

import {
	DEFAULT_SIGNATURE_HEADER,
	GENERIC_TEST_TYPES,
	PRODUCT_CODE_PREFIXES,
} from './itepDocument';
import { SIGNATURE_ENCODINGS, type SignatureEncoding } from './signature';
import { senderAuthProblem, type SenderAuth } from './webhookAuth';

export type { SignatureEncoding } from './signature';
export type { SenderAuth } from './webhookAuth';

/** A tracking code as iTEP staff would set it up: where results go and how the sender authenticates. */
export interface TrackingCodeConfig {
	code: string;
	url: string;
	auth: SenderAuth;
	/** iTEP calls on Finished only when the tracking code asks for it (documented as optional). */
	notifyOnFinished?: boolean;
}

export interface WebhookSenderConfig {
	/** Per attempt; a receiver slower than this counts as failed and is retried. */
	timeoutMs: number;
	/** Delay before the 2nd attempt; doubled for each further attempt. */
	backoffBaseMs: number;
	/** Attempts in total, the first included. */
	maxAttempts: number;
}

export interface SandboxConfig {
	/** 0 picks a free port (tests). The sandbox always listens on 127.0.0.1: its admin API has no auth. */
	port: number;
	/** Every key is accepted; sequences are tracked per key. */
	apiKeys: string[];
	signatureHeader: string;
	signatureEncoding: SignatureEncoding;
	/** Test types behind GTX-<type> and STX-<type>. */
	testTypes: string[];
	/** Available (Ready, unassigned) test IDs per test type at start and after a reset. */
	inventorySize: number;
	/** Per-type overrides of inventorySize. */
	inventoryByType: Record<string, number>;
	/** Adds a few used test IDs per type (assigned, started, completed, disabled), as a real account has. */
	seedHistory: boolean;
	/** Seeds test IDs, OIDs and generated levels, so one config always gives the same sandbox. */
	seed: number;
	maxBodyBytes: number;
	/** Request log entries kept (oldest dropped first); counters in /sandbox/stats are not capped. */
	requestLogLimit: number;
	webhook: WebhookSenderConfig;
	trackingCodes: TrackingCodeConfig[];
	/** Where test-takers would log in; used in the STX e-mail text only. */
	testSiteUrl: string;
}

export const DEFAULT_SANDBOX_PORT = 8787;
export const DEFAULT_SANDBOX_API_KEY = 'itep-sandbox-key';
export const SANDBOX_HOST = '127.0.0.1';

export function defaultSandboxConfig(): SandboxConfig {
	return {
		port: DEFAULT_SANDBOX_PORT,
		apiKeys: [DEFAULT_SANDBOX_API_KEY],
		signatureHeader: DEFAULT_SIGNATURE_HEADER,
		signatureEncoding: 'hex',
		testTypes: [...GENERIC_TEST_TYPES],
		inventorySize: 25,
		inventoryByType: {},
		seedHistory: true,
		seed: 20240801,
		maxBodyBytes: 1024 * 1024,
		requestLogLimit: 5000,
		webhook: { timeoutMs: 10_000, backoffBaseMs: 200, maxAttempts: 4 },
		trackingCodes: [],
		testSiteUrl: 'https://test.sandbox.itep.invalid',
	};
}

/** Defaults, then the given overrides (nested `webhook` merged), then checked. Throws on nonsense. */
export function resolveSandboxConfig(overrides: Partial<SandboxConfig> = {}): SandboxConfig {
	const defaults = defaultSandboxConfig();
	const config: SandboxConfig = {
		...defaults,
		...stripUndefined(overrides),
		webhook: { ...defaults.webhook, ...stripUndefined(overrides.webhook ?? {}) },
	};
	const problems = configProblems(config);
	if (problems.length) throw new Error(`Invalid sandbox config: ${problems.join('; ')}`);
	return config;
}

function configProblems(config: SandboxConfig): string[] {
	const problems: string[] = [];
	const wholeNumber = (value: unknown, min: number) =>
		Number.isInteger(value) && (value as number) >= min;
	if (!wholeNumber(config.port, 0) || config.port > 65535) problems.push('port must be 0-65535');
	if (
		!Array.isArray(config.apiKeys) ||
		config.apiKeys.length === 0 ||
		config.apiKeys.some((key) => !key)
	) {
		problems.push('apiKeys must list at least one non-empty key');
	}
	if (!config.signatureHeader || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(config.signatureHeader)) {
		problems.push('signatureHeader must be a valid HTTP header name');
	}
	if (!SIGNATURE_ENCODINGS.includes(config.signatureEncoding))
		problems.push('signatureEncoding must be hex or base64');
	if (
		!Array.isArray(config.testTypes) ||
		config.testTypes.some((type) => !/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(type))
	) {
		problems.push('testTypes must be names like Academic-Plus (letters, digits, hyphens)');
	}
	if (!wholeNumber(config.inventorySize, 0))
		problems.push('inventorySize must be a whole number >= 0');
	for (const [type, size] of Object.entries(config.inventoryByType ?? {})) {
		if (!config.testTypes.includes(type))
			problems.push(`inventoryByType names unknown test type ${type}`);
		if (!wholeNumber(size, 0)) problems.push(`inventoryByType.${type} must be a whole number >= 0`);
	}
	if (!wholeNumber(config.maxBodyBytes, 1)) problems.push('maxBodyBytes must be >= 1');
	if (!wholeNumber(config.requestLogLimit, 0)) problems.push('requestLogLimit must be >= 0');
	if (!wholeNumber(config.webhook.timeoutMs, 1)) problems.push('webhook.timeoutMs must be >= 1');
	if (!wholeNumber(config.webhook.backoffBaseMs, 0))
		problems.push('webhook.backoffBaseMs must be >= 0');
	if (!wholeNumber(config.webhook.maxAttempts, 1))
		problems.push('webhook.maxAttempts must be >= 1');
	for (const trackingCode of config.trackingCodes ?? []) {
		const problem = trackingCodeProblem(trackingCode);
		if (problem) problems.push(`tracking code ${JSON.stringify(trackingCode?.code)}: ${problem}`);
	}
	return problems;
}

/** Why a tracking code cannot be used, or undefined when it can (also used by POST /sandbox/tracking-codes). */
export function trackingCodeProblem(candidate: unknown): string | undefined {
	if (!isPlainObject(candidate)) return 'must be an object {code, url, auth, notifyOnFinished?}';
	const { code, url, auth, notifyOnFinished } = candidate;
	if (typeof code !== 'string' || !code.trim()) return 'code must be a non-empty string';
	if (typeof url !== 'string') return 'url must be a string';
	try {
		const parsed = new URL(url);
		if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'url must be http(s)';
	} catch {
		return `url ${JSON.stringify(url)} is not a valid URL`;
	}
	if (notifyOnFinished !== undefined && typeof notifyOnFinished !== 'boolean')
		return 'notifyOnFinished must be true or false';
	return senderAuthProblem(auth);
}

/** The keys a JSON config file may hold: any SandboxConfig field, plus `$comment`-style notes. */
export function readConfigFile(path: string): Partial<SandboxConfig> {
	let parsed: unknown;
	try {
		parsed = JSON.parse(readFileSync(path, 'utf8'));
	} catch (error) {
		throw new Error(`Cannot read sandbox config ${path}: ${(error as Error).message}`);
	}
	if (!isPlainObject(parsed)) throw new Error(`Sandbox config ${path} must hold a JSON object`);
	const known = new Set(Object.keys(defaultSandboxConfig()));
	const unknown = Object.keys(parsed).filter((key) => !known.has(key) && !key.startsWith('$'));
	if (unknown.length)
		throw new Error(`Sandbox config ${path} has unknown keys: ${unknown.join(', ')}`);
	// "$comment"-style keys document the file and are dropped.
	return Object.fromEntries(
		Object.entries(parsed).filter(([key]) => !key.startsWith('$')),
	) as Partial<SandboxConfig>;
}

export const CLI_USAGE = `Usage: npm run sandbox -- [options]
  --port <n>              port on 127.0.0.1 (default ${DEFAULT_SANDBOX_PORT}; 0 = any free port)
  --config <file>         JSON file with any SandboxConfig field (flags below win over it)
  --api-key <key>         accepted API key; repeat for several (default ${DEFAULT_SANDBOX_API_KEY})
  --signature-header <h>  signature header name (default ${DEFAULT_SIGNATURE_HEADER})
  --encoding <hex|base64> signature encoding (default hex)
  --inventory-size <n>    available test IDs per test type (default 25)
  --product <type>        test type, e.g. Academic-Plus; repeat or comma-separate (default: all generic types)
  --no-history            do not seed used test IDs (assigned/started/completed/disabled)
  --seed <n>              seed for test IDs and generated levels
  --help                  this text`;

/** CLI flags to config overrides; `--config` is read first so flags win over the file. */
export function parseCliArgs(argv: string[]): { overrides: Partial<SandboxConfig>; help: boolean } {
	const flags: Partial<SandboxConfig> = {};
	let fromFile: Partial<SandboxConfig> = {};
	let help = false;
	const apiKeys: string[] = [];
	const testTypes: string[] = [];
	for (let index = 0; index < argv.length; index++) {
		const [flag, inlineValue] = argv[index].split(/=(.*)/s, 2);
		const value = () => {
			if (inlineValue !== undefined) return inlineValue;
			const next = argv[++index];
			if (next === undefined) throw new Error(`${flag} needs a value`);
			return next;
		};
		const integer = () => {
			const raw = value();
			if (!/^\d+$/.test(raw))
				throw new Error(`${flag} needs a whole number, got ${JSON.stringify(raw)}`);
			return Number(raw);
		};
		switch (flag) {
			case '--port':
				flags.port = integer();
				break;
			case '--config':
				fromFile = readConfigFile(value());
				break;
			case '--api-key':
				apiKeys.push(value());
				break;
			case '--signature-header':
				flags.signatureHeader = value();
				break;
			case '--encoding':
				flags.signatureEncoding = value() as SignatureEncoding;
				break;
			case '--inventory-size':
				flags.inventorySize = integer();
				break;
			case '--product':
			case '--test-type':
				testTypes.push(
					...value()
						.split(',')
						.map((type) => type.trim())
						.filter(Boolean),
				);
				break;
			case '--no-history':
				flags.seedHistory = false;
				break;
			case '--seed':
				flags.seed = integer();
				break;
			case '--help':
			case '-h':
				help = true;
				break;
			default:
				throw new Error(`Unknown option ${flag}\n${CLI_USAGE}`);
		}
	}
	if (apiKeys.length) flags.apiKeys = apiKeys;
	if (testTypes.length) flags.testTypes = testTypes.map(stripProductPrefix);
	return {
		overrides: {
			...fromFile,
			...flags,
			webhook: { ...defaultSandboxConfig().webhook, ...fromFile.webhook },
		},
		help,
	};
}

/** `--product GTX-Academic-Plus` is read as the test type Academic-Plus. */
function stripProductPrefix(type: string): string {
	for (const prefix of Object.values(PRODUCT_CODE_PREFIXES))
		if (type.startsWith(prefix)) return type.slice(prefix.length);
	return type;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
	return Object.fromEntries(
		Object.entries(value).filter(([, entry]) => entry !== undefined),
	) as Partial<T>;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
