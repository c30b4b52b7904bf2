/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * jest globalSetup for the e2e config: packs the pack once for the whole run (unless scripts/e2e.sh already did
 * and exported ITEP_E2E_TARBALL) and marks the run as an e2e run. Test files inherit process.env from here.
 */
import * as fs from 'node:fs';

import { packPack } from '../../devkit/n8n/pack';

export default async function globalSetup(): Promise<void> {
	process.env.ITEP_E2E = '1';
	const existing = process.env.ITEP_E2E_TARBALL;
	if (existing && fs.existsSync(existing)) return;
	const pack = await packPack();
	process.stderr.write(
		`\n[e2e] packed ${pack.tarball} (build ${pack.buildMs} ms, pack ${pack.packMs} ms)\n`,
	);
}
