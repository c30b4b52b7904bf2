// The one build. `npm run build` runs `gulp build`:
//   1. compile: n8n's own `n8n-node build` (the build n8n's verification asks for) cleans dist/, runs tsc with
//      tsconfig.json and copies every .png and .svg outside dist/ and node_modules/ into dist/;
//   2. prune: removes what that copy brought along from outside nodes/, credentials/ and icons/ (the README's
//      screenshots), so dist/ holds only what package.json can publish;
//   3. check: dist/ holds what package.json promises n8n, so a build that n8n could not load fails here rather
//      than in a user's instance: every declared node and credential file with the class n8n loads from it,
//      every icon they name, and for each node a codex file whose `node` is "<package name>.<node name>".
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { series } = require('gulp');

const root = __dirname;

function compile() {
	// The CLI's package exports only its ESLint config, so its bin is found by path.
	const cli = path.join(root, 'node_modules', '@n8n', 'node-cli', 'bin', 'n8n-node.mjs');
	return new Promise((resolve, reject) => {
		// Its progress spinner redraws many times a second; CI=true makes it print each step once, which keeps
		// logs (and anything else that is not a terminal) readable.
		const env = process.stdout.isTTY ? process.env : { ...process.env, CI: 'true' };
		const child = spawn(process.execPath, [cli, 'build'], { cwd: root, env, stdio: 'inherit' });
		child.on('error', reject);
		child.on('exit', (code, signal) =>
			code === 0
				? resolve()
				: reject(new Error(`n8n-node build failed (${signal ?? `exit code ${code}`})`)),
		);
	});
}

/** The icon paths a node or credential description names ('file:...' strings, or a light/dark pair). */
function iconFiles(icon) {
	if (typeof icon === 'string') return icon.startsWith('file:') ? [icon.slice('file:'.length)] : [];
	if (icon && typeof icon === 'object') return Object.values(icon).flatMap(iconFiles);
	return [];
}

/** Every reason dist/ does not match package.json in `packageRoot`; empty when it does. */
function distProblems(packageRoot = root) {
	const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8'));
	const problems = [];
	const declared = [
		...(pkg.n8n?.nodes ?? []).map((file) => ({ file, kind: 'node' })),
		...(pkg.n8n?.credentials ?? []).map((file) => ({ file, kind: 'credential' })),
	];
	if (!declared.some(({ kind }) => kind === 'node')) problems.push('package.json declares no node');
	for (const { file, kind } of declared) {
		const compiled = path.join(packageRoot, file);
		if (!fs.existsSync(compiled)) {
			problems.push(`${file}: declared as a ${kind} in package.json but not built`);
			continue;
		}
		// n8n loads the export named after the file: Itep.node.js -> Itep, ItepApi.credentials.js -> ItepApi.
		const className = path.basename(file).replace(/\.(node|credentials)\.js$/, '');
		const Exported = require(compiled)[className];
		if (typeof Exported !== 'function') {
			problems.push(`${file}: exports no class ${className}, which is what n8n loads`);
			continue;
		}
		const instance = new Exported();
		const description = kind === 'node' ? instance.description : instance;
		for (const icon of iconFiles(description?.icon)) {
			if (!fs.existsSync(path.resolve(path.dirname(compiled), icon))) {
				problems.push(`${file}: icon ${icon} is missing from dist`);
			}
		}
		if (kind !== 'node') continue;
		const codexFile = compiled.replace(/\.js$/, '.json');
		if (!fs.existsSync(codexFile)) {
			problems.push(`${file}: no codex file ${path.relative(packageRoot, codexFile)}`);
			continue;
		}
		const expected = `${pkg.name}.${instance.description?.name}`;
		const codex = JSON.parse(fs.readFileSync(codexFile, 'utf8'));
		if (codex.node !== expected) {
			problems.push(
				`${path.relative(packageRoot, codexFile)}: "node" is ${codex.node}, expected ${expected}`,
			);
		}
	}
	return problems;
}

const DIST_FOLDERS = new Set(['nodes', 'credentials', 'icons']);

async function prune() {
	for (const entry of fs.readdirSync(path.join(root, 'dist'))) {
		if (!DIST_FOLDERS.has(entry)) fs.rmSync(path.join(root, 'dist', entry), { recursive: true });
	}
}

async function check() {
	const problems = distProblems();
	if (problems.length > 0)
		throw new Error(`dist/ is not what package.json declares:\n  ${problems.join('\n  ')}`);
}

exports.build = series(compile, prune, check);
exports.check = check;
exports.distProblems = distProblems;
