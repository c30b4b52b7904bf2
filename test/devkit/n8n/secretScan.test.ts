/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-hardcoded-secrets -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * The secret scan every e2e n8n instance goes through when it stops: which credential fields count as
 * secrets, and that a secret is found in plain and JSON-escaped form, counted, and reported masked.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import {
	MIN_SECRET_LENGTH,
	rememberedSecrets,
	rememberSecrets,
	scanForSecrets,
	SECRET_FIELDS,
} from '../../../devkit/n8n/secretScan';

describe('secret scan', () => {
	let dir: string;
	beforeEach(() => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itep-secret-scan-'));
	});
	afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
	const write = (name: string, content: string) => {
		fs.writeFileSync(path.join(dir, name), content);
		return path.join(dir, name);
	};

	it('treats the password fields of the four credentials as secrets', () => {
		expect([...SECRET_FIELDS].sort()).toEqual([
			'apiKey',
			'headerSecret',
			'password',
			'secondSecret',
			'secret',
		]);
	});

	it('remembers secret fields given to n8n, not other fields or short values', () => {
		rememberSecrets({
			apiKey: 'api-key-for-scan-1',
			baseUrl: 'http://127.0.0.1:1',
			secret: 'short',
			signatureHeader: 'X-Itep-Signature',
		});
		expect(rememberedSecrets()).toContain('api-key-for-scan-1');
		expect(rememberedSecrets()).not.toContain('short');
		expect(rememberedSecrets()).not.toContain('http://127.0.0.1:1');
		expect('short'.length).toBeLessThan(MIN_SECRET_LENGTH);
	});

	it('finds a secret in plain and JSON-escaped form, counts it, and reports it masked', () => {
		const secret = 'p"ss\\word-42';
		const log = write('n8n.log', `start\nheader ${secret} seen\n${secret}\n`);
		const db = write('database.sqlite', `{"error":${JSON.stringify(`bad key ${secret}`)}}`);
		const clean = write('clean.log', 'nothing here');
		const scan = scanForSecrets([log, db, clean, path.join(dir, 'missing.sqlite-wal')], [secret]);
		expect(scan.files).toBe(3);
		expect(scan.findings).toEqual([
			{ file: log, secret: 'p"... (12 characters)', occurrences: 2 },
			{ file: db, secret: 'p"... (12 characters)', occurrences: 1 },
		]);
		expect(JSON.stringify(scan)).not.toContain(secret);
	});

	it('finds nothing when the files do not hold the secret (control)', () => {
		const log = write('n8n.log', 'the key was rejected');
		expect(scanForSecrets([log], ['api-key-for-scan-2']).findings).toEqual([]);
	});
});
