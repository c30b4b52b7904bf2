/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * The one build: `npm run build` = `gulp build` = `n8n-node build`, then a check that dist/ holds what
 * package.json declares (gulpfile.js `distProblems`). The check passes on this build and names the problem in
 * temp copies where a declared file, the class n8n loads, an icon or the codex name is wrong; a real `gulp build`
 * of a temp copy with a wrong codex name fails.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

// eslint-disable-next-line @typescript-eslint/no-require-imports -- gulpfile.js is CommonJS, loaded as gulp does
const { distProblems } = require(path.join(ROOT, 'gulpfile.js')) as {
	distProblems: (packageRoot?: string) => string[];
};

describe('npm run build', () => {
	const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'))
		.scripts as Record<string, string>;

	it('is gulp build, and no other script compiles or copies icons', () => {
		expect(scripts.build).toBe('gulp build');
		const others = Object.entries(scripts).filter(
			([name, command]) => name !== 'build' && /\b(tsc|gulp|n8n-node build)\b/.test(command),
		);
		expect(others).toEqual([]);
	});

	it('leaves a dist/ that matches package.json (the check gulp build ends with)', () => {
		if (!fs.existsSync(path.join(ROOT, 'dist'))) throw new Error('run `npm run build` first');
		expect(distProblems()).toEqual([]);
	});
});

describe('the dist check names what is wrong (temp copies)', () => {
	let dir: string;
	const copy = (...entries: string[]) => {
		for (const entry of entries) {
			fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
		}
		fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
	};
	const edit = (rel: string, change: (text: string) => string) =>
		fs.writeFileSync(path.join(dir, rel), change(fs.readFileSync(path.join(dir, rel), 'utf8')));

	beforeEach(() => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itep-build-'));
	});
	afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

	it('passes on an unchanged copy (control)', () => {
		copy('package.json', 'dist');
		expect(distProblems(dir)).toEqual([]);
	});

	it('a declared node that was not built', () => {
		copy('package.json', 'dist');
		fs.rmSync(path.join(dir, 'dist/nodes/ItepTrigger/ItepTrigger.node.js'));
		expect(distProblems(dir)).toEqual([
			'dist/nodes/ItepTrigger/ItepTrigger.node.js: declared as a node in package.json but not built',
		]);
	});

	it('a credential file without the class n8n loads from it', () => {
		copy('package.json', 'dist');
		edit('dist/credentials/ItepApi.credentials.js', (js) =>
			js.replace(/exports\.ItepApi\b/g, 'exports.ItepApiRenamed'),
		);
		expect(distProblems(dir)).toEqual([
			'dist/credentials/ItepApi.credentials.js: exports no class ItepApi, which is what n8n loads',
		]);
	});

	it('an icon that is missing', () => {
		copy('package.json', 'dist');
		fs.rmSync(path.join(dir, 'dist/icons/itep.dark.svg'));
		const problems = distProblems(dir);
		expect(problems).toHaveLength(6);
		expect(problems).toContain(
			'dist/nodes/Itep/Itep.node.js: icon ../../icons/itep.dark.svg is missing from dist',
		);
		expect(problems).toContain(
			'dist/credentials/ItepApi.credentials.js: icon ../icons/itep.dark.svg is missing from dist',
		);
	});

	it('a codex file that names another node', () => {
		copy('package.json', 'dist');
		edit('dist/nodes/Itep/Itep.node.json', (json) =>
			json.replace('"n8n-nodes-itep.itep"', '"n8n-nodes-itep.iTep"'),
		);
		expect(distProblems(dir)).toEqual([
			'dist/nodes/Itep/Itep.node.json: "node" is n8n-nodes-itep.iTep, expected n8n-nodes-itep.itep',
		]);
	});

	it('makes a real gulp build fail', () => {
		copy('package.json', 'tsconfig.json', 'gulpfile.js', 'nodes', 'credentials', 'icons');
		edit('nodes/ItepTrigger/ItepTrigger.node.json', (json) =>
			json.replace('"n8n-nodes-itep.itepTrigger"', '"n8n-nodes-itep.other"'),
		);
		const env: NodeJS.ProcessEnv = { ...process.env };
		delete env.NODE_ENV;
		const result = spawnSync(
			process.execPath,
			[path.join(ROOT, 'node_modules/gulp/bin/gulp.js'), 'build'],
			{
				cwd: dir,
				env,
				encoding: 'utf8',
				timeout: 180_000,
			},
		);
		const output = `${result.stdout}${result.stderr}`;
		expect(output).toContain('TypeScript build successful');
		expect(output).toContain(
			'dist/nodes/ItepTrigger/ItepTrigger.node.json: "node" is n8n-nodes-itep.other, expected n8n-nodes-itep.itepTrigger',
		);
		expect(result.status).not.toBe(0);
	}, 200_000);
});
