import { randomInt, type Random } from './random';

/**
 * Generated results for a completed test. Levels are iTEP's 0.0-6.0 scale in tenths; the sections per test
 * type and the CEFR mapping below are the sandbox's own illustration, NOT iTEP's (its "CEFR Levels" page is
 * not public). Receivers should pass iTEP's CEFR values through, never derive them.
 */
export interface TestResults {
	/** Section name (Grammar, Listening, ...) to level, one decimal. */
	sectionLevels: Record<string, number>;
	overallLevel: number;
	overallCefr: string;
	/** When the candidate finished, which TestDate reports. */
	finishedAt: string;
	durationMinutes: number;
}

const PLUS_SECTIONS = ['Grammar', 'Listening', 'Reading', 'Writing', 'Speaking'];
const CORE_SECTIONS = ['Grammar', 'Listening', 'Reading'];

/** Illustrative: "-Core" types have the three receptive sections, all others all five. */
export function sectionsOf(testType: string): string[] {
	return /-Core$/i.test(testType) ? CORE_SECTIONS : PLUS_SECTIONS;
}

/** Illustrative only: the sandbox's level-to-CEFR bands (whole iTEP levels 1-6 onto A1-C2). */
export const SANDBOX_CEFR_BANDS: ReadonlyArray<{ from: number; cefr: string }> = [
	{ from: 6.0, cefr: 'C2' },
	{ from: 5.0, cefr: 'C1' },
	{ from: 4.0, cefr: 'B2' },
	{ from: 3.0, cefr: 'B1' },
	{ from: 2.0, cefr: 'A2' },
	{ from: 1.0, cefr: 'A1' },
	{ from: 0.0, cefr: 'Pre-A1' },
];

export function sandboxCefrOf(level: number): string {
	return SANDBOX_CEFR_BANDS.find((band) => level >= band.from)?.cefr ?? 'Pre-A1';
}

/** Levels cluster around a per-candidate ability so sections look plausible together. */
export function generateResults(testType: string, random: Random, finishedAt: Date): TestResults {
	const ability = 1 + random() * 4.5;
	const sectionLevels: Record<string, number> = {};
	for (const section of sectionsOf(testType)) {
		sectionLevels[section] = tenths(clamp(ability + (random() - 0.5) * 1.6, 0, 6));
	}
	const levels = Object.values(sectionLevels);
	const overallLevel = tenths(levels.reduce((sum, level) => sum + level, 0) / levels.length);
	const plus = sectionsOf(testType).length > CORE_SECTIONS.length;
	return {
		sectionLevels,
		overallLevel,
		overallCefr: sandboxCefrOf(overallLevel),
		finishedAt: finishedAt.toISOString(),
		durationMinutes: plus ? randomInt(random, 70, 95) : randomInt(random, 40, 55),
	};
}

function tenths(value: number): number {
	return Math.round(value * 10) / 10;
}

function clamp(value: number, min: number, max: number): number {
	return Math.min(max, Math.max(min, value));
}
