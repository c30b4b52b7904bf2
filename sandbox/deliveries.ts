import type { ResultVariantName } from './resultVariants';
import type { SenderAuthMode } from './webhookAuth';

/** Records of results webhook deliveries, shared by the state (which keeps them) and the sender (which fills them). */

export interface DeliveryAttempt {
	attempt: number;
	at: string;
	/** HTTP status answered, or null when the attempt failed without one (timeout, refused, reset). */
	status: number | null;
	error: string | null;
	responseSnippet: string;
	durationMs: number;
}

export type DeliveryOutcome = 'pending' | 'delivered' | 'failed' | 'skipped' | 'cancelled';

export interface DeliveryRecord {
	id: number;
	testId: string;
	/** What happened to the test: completed, finished, reset, invalidated, technical-difficulty. */
	event: string;
	testStatus: string;
	trackingCode: string;
	url: string | null;
	authMode: SenderAuthMode | null;
	/** 1, or 2 for the extra copy sent by the duplicateDeliveries knob. */
	copy: number;
	/** Which result variant shaped `data` ('documented' unless the resultVariant knob says otherwise). */
	variant: ResultVariantName;
	/** The JSON object actually sent in the form field `data` (after the variant). */
	data: Record<string, unknown>;
	/** The exact bytes sent (application/x-www-form-urlencoded, one field `data`). */
	body: string;
	outcome: DeliveryOutcome;
	reason: string | null;
	attempts: DeliveryAttempt[];
	createdAt: string;
	finishedAt: string | null;
}
