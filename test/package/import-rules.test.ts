/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * The one-way import rules of ARCHITECTURE.md, checked over every TypeScript file of the repository:
 * - nodes/ imports only n8n-workflow, zod, crypto and its own files; a node's folder never imports the
 *   other node's folder (both may use nodes/shared/);
 * - credentials/ imports only n8n-workflow and the node-side protocol and signing modules;
 * - sandbox/ (an independent stand-in for iTEP) imports nothing of the pack, the dev kit, tests or tools;
 * - devkit/ never imports tests, benchmarks, the reliability suite or scripts; scripts/, bench/ and
 *   reliability/ never import tests.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const FOLDERS = [
	'nodes',
	'credentials',
	'sandbox',
	'devkit',
	'test',
	'bench',
	'reliability',
	'scripts',
];

/** What credentials/ may import from nodes/. */
const CREDENTIAL_MAY_IMPORT = [
	'nodes/shared/protocol.ts',
	'nodes/shared/signing.ts',
	'nodes/Itep/transport/signRequest.ts',
	'nodes/ItepTrigger/webhookAuth.ts',
];
const PACKAGES_NODES_MAY_IMPORT = ['n8n-workflow', 'zod', 'crypto', 'node:crypto'];

interface ImportEdge {
	from: string;
	/** Repository path of a relative import, or the package name of a bare one. */
	to: string;
	relative: boolean;
}

const IMPORT = /(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;

function sourceFiles(dir: string): string[] {
	if (!fs.existsSync(dir)) return [];
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(full);
		return entry.name.endsWith('.ts') ? [full] : [];
	});
}

/** Every import of a source text, relative ones resolved to repository paths. */
function importsOf(file: string, text: string): ImportEdge[] {
	const edges: ImportEdge[] = [];
	for (const match of text.matchAll(IMPORT)) {
		const spec = match[1];
		if (!spec.startsWith('.')) {
			edges.push({ from: file, to: spec, relative: false });
			continue;
		}
		const base = path.normalize(path.join(path.dirname(file), spec));
		const candidates = [`${base}.ts`, base, path.join(base, 'index.ts')];
		const target =
			candidates.find((candidate) => fs.existsSync(path.join(ROOT, candidate))) ?? base;
		edges.push({ from: file, to: target.split(path.sep).join('/'), relative: true });
	}
	return edges;
}

const top = (repoPath: string) => repoPath.split('/')[0];
const nodeFolder = (repoPath: string) => repoPath.split('/').slice(0, 2).join('/');

/** The rule an import breaks, or undefined. */
function violation(edge: ImportEdge): string | undefined {
	const from = top(edge.from);
	if (!edge.relative) {
		if (from === 'nodes' && !PACKAGES_NODES_MAY_IMPORT.includes(edge.to)) {
			return `nodes/ may import only ${PACKAGES_NODES_MAY_IMPORT.join(', ')}`;
		}
		if (from === 'credentials' && edge.to !== 'n8n-workflow')
			return 'credentials/ may import only n8n-workflow';
		return undefined;
	}
	const to = top(edge.to);
	switch (from) {
		case 'nodes':
			if (to !== 'nodes') return 'nodes/ imports only nodes/';
			if (nodeFolder(edge.to) !== 'nodes/shared' && nodeFolder(edge.to) !== nodeFolder(edge.from)) {
				return "a node's folder never imports the other node's folder";
			}
			return undefined;
		case 'credentials':
			if (to === 'credentials' || CREDENTIAL_MAY_IMPORT.includes(edge.to)) return undefined;
			return 'credentials/ imports only the node-side protocol and signing modules';
		case 'sandbox':
			return to === 'sandbox' ? undefined : 'sandbox/ is independent: it imports only sandbox/';
		case 'devkit':
			return ['test', 'bench', 'reliability', 'scripts'].includes(to)
				? 'devkit/ never imports test/, bench/, reliability/ or scripts/'
				: undefined;
		case 'scripts':
		case 'bench':
		case 'reliability':
			return to === 'test' ? `${from}/ never imports test/` : undefined;
		default:
			return undefined;
	}
}

describe('import rules', () => {
	const edges = FOLDERS.flatMap((folder) =>
		sourceFiles(path.join(ROOT, folder)).flatMap((full) => {
			const file = path.relative(ROOT, full).split(path.sep).join('/');
			return importsOf(file, fs.readFileSync(full, 'utf8'));
		}),
	);

	test('the tree has the folders and imports this test reads', () => {
		expect(edges.filter((edge) => top(edge.from) === 'nodes').length).toBeGreaterThan(20);
		expect(edges.filter((edge) => top(edge.from) === 'sandbox').length).toBeGreaterThan(20);
		expect(edges.filter((edge) => top(edge.from) === 'devkit').length).toBeGreaterThan(10);
	});

	test('no import breaks a rule', () => {
		const broken = edges
			.map((edge) => ({ edge, rule: violation(edge) }))
			.filter(({ rule }) => rule !== undefined)
			.map(({ edge, rule }) => `${edge.from} -> ${edge.to}: ${rule}`);
		expect(broken).toEqual([]);
	});

	test.each([
		[
			'nodes/Itep/transport/index.ts',
			"import { x } from '../../../credentials/ItepApi.credentials';",
		],
		['nodes/ItepTrigger/receive.ts', "import { x } from '../Itep/helpers/sequence';"],
		['nodes/Itep/helpers/outcome.ts', "import axios from 'axios';"],
		['credentials/ItepApi.credentials.ts', "import { x } from '../nodes/Itep/actions/router';"],
		['sandbox/fulfillment.ts', "import { x } from '../nodes/shared/signing';"],
		['sandbox/fulfillment.ts', "import { x } from '../devkit/wait';"],
		['devkit/n8n/api.ts', "import { x } from '../../test/helpers/itepNode';"],
		['scripts/demo.ts', "import { x } from '../test/helpers/itepNode';"],
		['reliability/run.ts', "import { x } from '../test/e2e/support';"],
		['devkit/n8n/api.ts', "import { x } from '../../reliability/types';"],
	])('a forbidden import is caught: %s', (file, text) => {
		const [edge] = importsOf(file, text);
		expect(violation(edge)).toEqual(expect.any(String));
	});
});
