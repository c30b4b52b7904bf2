// Real-n8n end-to-end tests: `npx jest -c test/e2e/jest.config.js` (scripts/e2e.sh provisions and packs first).
// Serial on purpose: each suite boots a full n8n, and the machines have 2 cores.
/** @type {import('jest').Config} */
module.exports = {
	rootDir: '../..',
	testEnvironment: 'node',
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['**/*.test.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/e2e/tsconfig.json' }] },
	globalSetup: '<rootDir>/test/e2e/global-setup.ts',
	maxWorkers: 1,
	testTimeout: 5 * 60_000,
	slowTestThreshold: 60,
	verbose: true,
};
