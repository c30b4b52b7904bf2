// Validates GitHub Actions workflow files with GitHub's own parser (@actions/workflow-parser, the schema the
// Actions service and its VS Code extension use): unknown keys, wrong values (`id-token: writ`), bad events and
// expressions are errors. `--json` prints each file's errors and its YAML as data, for tests that assert settings
// the parser's model leaves out (permissions).
//
// Usage: node scripts/check-workflows.mjs [--json] [file ...]   (default: .github/workflows/*.yml)
// Exit status: 0 when every file parses with no error.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The parser imports its schema JSON without an import attribute, which Node refuses; a loader hook serves
// those two files as JSON.
const jsonHook = `
import { readFile } from 'node:fs/promises';
export async function load(url, context, nextLoad) {
	if (url.startsWith('file:') && url.includes('/@actions/workflow-parser/') && url.endsWith('.json')) {
		return { format: 'json', source: await readFile(new URL(url), 'utf8'), shortCircuit: true };
	}
	return nextLoad(url, context);
}`;
register(`data:text/javascript,${encodeURIComponent(jsonHook)}`);

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } =
	await import('@actions/workflow-parser');
// The YAML library the parser itself reads workflows with.
const { parse: parseYaml } = createRequire(
	path.join(repoRoot, 'node_modules/@actions/workflow-parser/package.json'),
)('yaml');

const args = process.argv.slice(2);
const asJson = args.includes('--json');
const workflowsDir = path.join(repoRoot, '.github/workflows');
const files = args.filter((arg) => arg !== '--json');
if (files.length === 0) {
	for (const name of readdirSync(workflowsDir).sort()) {
		if (/\.ya?ml$/.test(name)) files.push(path.join(workflowsDir, name));
	}
}

const report = [];
for (const file of files) {
	const content = readFileSync(file, 'utf8');
	const name = path.relative(repoRoot, path.resolve(file));
	const parsed = parseWorkflow({ name, content }, new NoOperationTraceWriter());
	if (parsed.value !== undefined && parsed.context.errors.getErrors().length === 0) {
		// Conversion checks what parsing alone does not, such as job dependencies (`needs`).
		await convertWorkflowTemplate(parsed.context, parsed.value);
	}
	const errors = parsed.context.errors.getErrors().map((error) => error.message);
	report.push({ file: name, errors, workflow: errors.length === 0 ? parseYaml(content) : null });
}

if (asJson) {
	console.log(JSON.stringify(report));
} else {
	for (const { file, errors } of report) {
		console.log(`${file}: ${errors.length === 0 ? 'valid' : `${errors.length} errors`}`);
		for (const error of errors) console.log(`  ${error}`);
	}
}
process.exitCode = files.length > 0 && report.every(({ errors }) => errors.length === 0) ? 0 : 1;
