/* eslint-disable @n8n/community-nodes/no-restricted-imports -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * No secret escapes: every secret the harness gives n8n in a credential is looked for, when the instance
 * stops, in n8n's log and in its database files (execution data and error messages live there; credentials
 * themselves are stored encrypted). A secret found there fails the stop, and with it the suite.
 */
import * as fs from 'node:fs';

import { ItepApi } from '../../credentials/ItepApi.credentials';
import { ItepWebhookBasicAuthApi } from '../../credentials/ItepWebhookBasicAuthApi.credentials';
import { ItepWebhookHeaderAuthApi } from '../../credentials/ItepWebhookHeaderAuthApi.credentials';
import { ItepWebhookSignatureApi } from '../../credentials/ItepWebhookSignatureApi.credentials';

/** The pack's credential fields n8n shows as passwords: the ones that hold secrets. */
export const SECRET_FIELDS: ReadonlySet<string> = new Set(
	[ItepApi, ItepWebhookBasicAuthApi, ItepWebhookHeaderAuthApi, ItepWebhookSignatureApi].flatMap(
		(Credential) =>
			new Credential().properties
				.filter((property) => property.typeOptions?.password === true)
				.map((property) => property.name),
	),
);

/** Shorter values could match unrelated bytes by chance; every secret the tests use is longer. */
export const MIN_SECRET_LENGTH = 8;

const secrets = new Set<string>();

/** Remembers the secret fields of credential data given to n8n. */
export function rememberSecrets(data: Record<string, unknown>): void {
	for (const [field, value] of Object.entries(data)) {
		if (
			SECRET_FIELDS.has(field) &&
			typeof value === 'string' &&
			value.length >= MIN_SECRET_LENGTH
		) {
			secrets.add(value);
		}
	}
}

export function rememberedSecrets(): string[] {
	return [...secrets];
}

export interface SecretFinding {
	file: string;
	/** The secret, masked: its first two characters and its length. */
	secret: string;
	occurrences: number;
}

export interface SecretScan {
	files: number;
	bytes: number;
	secrets: number;
	findings: SecretFinding[];
}

/** Counts each secret, as UTF-8 and as it appears inside a JSON string, in each file that exists. */
export function scanForSecrets(
	files: string[],
	candidates: string[] = rememberedSecrets(),
): SecretScan {
	const scan: SecretScan = { files: 0, bytes: 0, secrets: candidates.length, findings: [] };
	for (const file of files) {
		if (!fs.existsSync(file)) continue;
		const content = fs.readFileSync(file);
		scan.files += 1;
		scan.bytes += content.length;
		for (const secret of candidates) {
			const forms = new Set([secret, JSON.stringify(secret).slice(1, -1)]);
			let occurrences = 0;
			for (const form of forms) occurrences += countOccurrences(content, Buffer.from(form, 'utf8'));
			if (occurrences > 0) {
				scan.findings.push({ file, secret: mask(secret), occurrences });
			}
		}
	}
	return scan;
}

function countOccurrences(haystack: Buffer, needle: Buffer): number {
	let count = 0;
	for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) count++;
	return count;
}

function mask(secret: string): string {
	return `${secret.slice(0, 2)}... (${secret.length} characters)`;
}
