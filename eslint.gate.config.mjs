// Lint gate that reproduces what n8n's community-package scanner
// (@n8n/scan-community-package, scanner/scanner.mjs `buildScanConfig`) runs, plus the
// `eslint-plugin-n8n-nodes-base` off-overrides used by `n8n-node lint` (@n8n/node-cli configs/eslint).
//
// Our stricter gate, beside n8n's own `npm run lint` (n8n-node lint, eslint.config.mjs, which strict mode
// requires to be the template):
//   npm run lint:sources  source leg:  package.json + nodes/** + credentials/** (.ts, .js, codex .json)
//   npm run lint:dist     tarball leg: what `npm pack` publishes (dist/**/*.js, index.js) + package.json
//
// Rule sets per target:
//   package.json                 community-nodes `recommended` + no-console + n8n-nodes-base `community`
//   nodes/**/*.{ts,js,json}      community-nodes `recommended` + no-console (+ n8n-nodes-base `nodes` on .ts)
//   credentials/**/*.{ts,js,json} community-nodes `recommended` + no-console (+ n8n-nodes-base `credentials` on .ts)
//   dist/**/*.js, index.js       community-nodes `recommended` + no-console
//
// Parser note: every package.json / codex rule in both plugins listens for a TSESTree `ObjectExpression` whose
// parent is an `ExpressionStatement`. jsonc-eslint-parser produces `JSONObjectExpression` nodes instead, so with
// it those rules silently never fire (no error, no warning). JSON is therefore parsed with the typescript-eslint
// parser, exactly as the scanner and node-cli do. No rule here needs type information, so no `project` is set.
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';

// eslint-plugin-n8n-nodes-base reads NODE_ENV once, when it is loaded: with NODE_ENV=test (set by jest, inherited
// by anything jest spawns) it treats EVERY file as a node, credential AND trigger file named "Test.node.ts", so
// the gate would report rules the scanner never reports (e.g. "Suffix with -Trigger" on a regular node). The
// scanner does not run under NODE_ENV=test, so clear it for this ESLint process before the plugin is loaded.
if (process.env.NODE_ENV === 'test') delete process.env.NODE_ENV;
const { default: n8nNodesBase } = await import('eslint-plugin-n8n-nodes-base');

const communityRecommended = n8nCommunityNodesPlugin.configs.recommended;

/** Everything either scanner leg looks at. */
const SOURCE_FILES = [
	'package.json',
	'nodes/**/*.ts',
	'nodes/**/*.js',
	'nodes/**/*.json',
	'credentials/**/*.ts',
	'credentials/**/*.js',
	'credentials/**/*.json',
];
const DIST_FILES = ['dist/**/*.js', 'index.js'];

export default defineConfig(
	// Not published, and legitimately use process/timers/console/fs: never linted by this gate.
	globalIgnores([
		'**/node_modules/',
		'.cache/',
		'.git/',
		'sandbox/',
		'test/',
		'scripts/',
		'bench/',
		'reliability/',
		'coverage/',
		'.e2e/',
		'.demo/',
		'test-results/',
	]),

	// Scanner: community-nodes `recommended` + `no-console: error` on every file it lints.
	{
		name: 'itep/community-nodes-recommended',
		files: [...SOURCE_FILES, ...DIST_FILES],
		plugins: communityRecommended.plugins,
		rules: {
			...communityRecommended.rules,
			'no-console': 'error',
		},
	},

	// Rule sets from eslint-plugin-n8n-nodes-base (registered once, applied per target).
	{ name: 'itep/n8n-nodes-base-plugin', plugins: { 'n8n-nodes-base': n8nNodesBase } },
	{
		name: 'itep/n8n-nodes-base-community',
		files: ['package.json'],
		rules: { ...n8nNodesBase.configs.community.rules },
	},
	{
		name: 'itep/n8n-nodes-base-credentials',
		files: ['credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// Not valid for community nodes (node-cli + scanner)
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			// community-nodes `credential-password-field` is the more accurate rule (scanner)
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		name: 'itep/n8n-nodes-base-nodes',
		files: ['nodes/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// Inputs and outputs can be NodeConnectionTypes.Main instead of the string "main"
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			// A third-party API may have a real maximum, so maxValue is valid
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},

	// Parsers: TS sources and JSON (package.json, codex *.node.json) through typescript-eslint's parser,
	// as the scanner does. Compiled dist/**/*.js keeps ESLint's default parser, as the scanner does.
	{
		name: 'itep/parser-ts-json',
		files: SOURCE_FILES.filter((pattern) => !pattern.endsWith('.js')),
		languageOptions: {
			parser: tseslint.parser,
			parserOptions: { extraFileExtensions: ['.json'] },
		},
	},

	// The scanner lints with `allowInlineConfig: false`: an `eslint-disable` comment cannot hide a violation
	// from it, so it must not hide one from this gate either (ESLint reports such comments as warnings).
	{
		name: 'itep/no-inline-config',
		files: [...SOURCE_FILES, ...DIST_FILES],
		linterOptions: { noInlineConfig: true },
	},
);
