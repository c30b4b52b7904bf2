import type { TestRecord, TestStatus } from './inventory';
import { generateResults } from './scoring';
import type { SandboxState } from './state';
import type { DeliveryRecord } from './deliveries';
import type { WebhookSender } from './webhookSender';

/** What an admin (or the demo) can make happen to a test ID, standing in for the candidate and iTEP staff. */
export const TRANSITION_TARGETS = [
	'started',
	'finished',
	'review',
	'completed',
	'reset',
	'invalidated',
	'technical-difficulty',
] as const;
export type TransitionTarget = (typeof TRANSITION_TARGETS)[number];

/**
 * When iTEP calls the tracking code's webhook (documented): on Finished only if the tracking code asks for
 * it, on Completed, on any reset, on invalidation, on a technical issue. Started and Review are silent.
 */
type Reporting = 'never' | 'if-notify-on-finished' | 'always';

interface TransitionRule {
	to: TestStatus;
	from: readonly TestStatus[];
	reporting: Reporting;
}

/** The sandbox's state machine over iTEP's documented statuses; after a reset the test ID is Ready again. */
export const TRANSITION_RULES: Record<TransitionTarget, TransitionRule> = {
	started: { to: 'Started', from: ['Ready'], reporting: 'never' },
	finished: { to: 'Finished', from: ['Started'], reporting: 'if-notify-on-finished' },
	review: { to: 'Review', from: ['Finished'], reporting: 'never' },
	completed: { to: 'Completed', from: ['Finished', 'Review'], reporting: 'always' },
	reset: {
		to: 'Ready',
		from: ['Started', 'Finished', 'Review', 'Technical Difficulty', 'Invalidated', 'Completed'],
		reporting: 'always',
	},
	invalidated: {
		to: 'Invalidated',
		from: ['Started', 'Finished', 'Review', 'Completed'],
		reporting: 'always',
	},
	'technical-difficulty': {
		to: 'Technical Difficulty',
		from: ['Started', 'Finished'],
		reporting: 'always',
	},
};

export class TransitionError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
	) {
		super(message);
	}
}

export interface TransitionResult {
	test: TestRecord;
	from: TestStatus;
	to: TestStatus;
	/** Why no webhook was sent, when none was. */
	notReportedBecause: string | null;
	deliveries: DeliveryRecord[];
	/** Resolves when the deliveries have finished (delivered, failed after retries, or cancelled). */
	settled: Promise<DeliveryRecord[]>;
}

/** Builds the results `data` object for a test as it stands now (see resultsData.ts). */
export type ResultsDataBuilder = (test: TestRecord) => Record<string, unknown>;

export class TestLifecycle {
	constructor(
		private readonly state: SandboxState,
		private readonly sender: WebhookSender,
		private readonly buildData: ResultsDataBuilder,
	) {}

	transition(testId: string, target: string, via = 'admin'): TransitionResult {
		if (!(TRANSITION_TARGETS as readonly string[]).includes(target)) {
			throw new TransitionError(
				400,
				'UNKNOWN_TRANSITION',
				`"to" must be one of ${TRANSITION_TARGETS.join(', ')}`,
			);
		}
		const rule = TRANSITION_RULES[target as TransitionTarget];
		const test = this.state.tests.find((candidate) => candidate.testId === testId);
		if (!test)
			throw new TransitionError(
				404,
				'UNKNOWN_TEST_ID',
				`No test ID ${testId} in the sandbox inventory`,
			);
		if (!rule.from.includes(test.status)) {
			throw new TransitionError(
				409,
				'INVALID_TRANSITION',
				`Test ${testId} is ${test.status}; "${target}" is possible only from ${rule.from.join(', ')}`,
			);
		}

		const from = test.status;
		const now = new Date();
		test.status = rule.to;
		test.history.push({ at: now.toISOString(), from, to: rule.to, via });
		if (target === 'completed')
			test.results = generateResults(test.testType, this.state.random, finishedAtOf(test, now));
		if (target === 'reset') test.results = null;

		const skipReason = this.reportSkipReason(test, rule.reporting);
		if (skipReason)
			return {
				test,
				from,
				to: rule.to,
				notReportedBecause: skipReason,
				deliveries: [],
				settled: Promise.resolve([]),
			};
		const { records, settled } = this.sender.deliver(
			test.testId,
			target,
			test.status,
			test.track as string,
			this.buildData(test),
		);
		return { test, from, to: rule.to, notReportedBecause: null, deliveries: records, settled };
	}

	/**
	 * Demo convenience: takes the first provisioned test ID with a tracking code that is not yet completed
	 * (optionally of one product code or tracking code) through Started and Finished to Completed.
	 */
	completeNext(
		filter: { productCode?: string; track?: string; testId?: string } = {},
	): TransitionResult[] {
		const waiting: readonly TestStatus[] = ['Ready', 'Started', 'Finished', 'Review'];
		const test = this.state.tests.find(
			(candidate) =>
				candidate.track !== null &&
				candidate.provisionedAt !== null &&
				waiting.includes(candidate.status) &&
				(!filter.productCode || candidate.productCode === filter.productCode) &&
				(!filter.track || candidate.track === filter.track) &&
				(!filter.testId || candidate.testId === filter.testId),
		);
		if (!test) {
			throw new TransitionError(
				404,
				'NO_MATCHING_TEST',
				'No provisioned test ID with a tracking code is waiting to be completed' +
					describeFilter(filter),
			);
		}
		const steps: TransitionTarget[] = [];
		if (test.status === 'Ready') steps.push('started');
		if (test.status === 'Ready' || test.status === 'Started') steps.push('finished');
		steps.push('completed');
		return steps.map((step) => this.transition(test.testId, step, 'complete-next'));
	}

	private reportSkipReason(test: TestRecord, reporting: Reporting): string | null {
		if (reporting === 'never')
			return `iTEP does not call the webhook when a test becomes ${test.status}`;
		if (!test.track) return 'the test ID has no tracking code';
		if (
			reporting === 'if-notify-on-finished' &&
			!this.state.trackingCodes.get(test.track)?.notifyOnFinished
		) {
			return `tracking code ${test.track} does not ask for a call on Finished (notifyOnFinished)`;
		}
		return null;
	}
}

/** The Finished time in the history (TestDate is "the date the test was finished"), else now. */
function finishedAtOf(test: TestRecord, fallback: Date): Date {
	const finished = [...test.history].reverse().find((change) => change.to === 'Finished');
	return finished ? new Date(finished.at) : fallback;
}

function describeFilter(filter: Record<string, string | undefined>): string {
	const parts = Object.entries(filter).filter(([, value]) => value);
	return parts.length ? ` (${parts.map(([key, value]) => `${key} ${value}`).join(', ')})` : '';
}
