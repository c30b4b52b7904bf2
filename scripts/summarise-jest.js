// Adds up jest --json result files and prints one "N passed, N failed" line (the closing line CI reads).
const fs = require('fs');

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of process.argv.slice(2)) {
	if (!fs.existsSync(file)) {
		console.log(`${file}: no results (the step did not run its tests)`);
		failed += 1;
		continue;
	}
	const result = JSON.parse(fs.readFileSync(file, 'utf8'));
	console.log(
		`${file}: ${result.numPassedTests} passed, ${result.numFailedTests} failed in ${result.numTotalTestSuites} suites`,
	);
	passed += result.numPassedTests;
	failed += result.numFailedTests + result.numRuntimeErrorTestSuites;
	skipped += result.numPendingTests + result.numTodoTests;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exitCode = failed > 0 ? 1 : 0;
