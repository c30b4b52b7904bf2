/** @type {import('jest').Config} */
const project = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.dev.json' }] },
};

module.exports = {
	testTimeout: 20000,
	projects: [
		{
			...project,
			displayName: 'unit',
			testMatch: ['**/*.test.ts'],
			// The real-n8n suite has its own config (test/e2e/jest.config.js) and runs from scripts/e2e.sh.
			testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/'],
			globals: { expectedZodMajor: 3 },
		},
		{
			// zod comes from the host n8n, which ships zod 3 today and may move to zod 4: the modules that use
			// zod run their tests once more against zod 4 (the devDependency alias zod-v4).
			...project,
			displayName: 'zod 4',
			testMatch: ['**/*.zod.test.ts'],
			moduleNameMapper: { '^zod$': 'zod-v4' },
			globals: { expectedZodMajor: 4 },
		},
	],
};
