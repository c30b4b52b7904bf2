/** The longest Expire After the node accepts: ten years, far beyond any test's validity. */
export const MAX_EXPIRE_AFTER_DAYS = 3650;

/**
 * The date `days` days after today, where "today" is the calendar day `now` falls on in `timeZone` (the
 * workflow's time zone), written as iTEP's example writes `expire`: YYYY-MM-DD.
 */
export function expiryDateAfterDays(now: Date, timeZone: string, days: number): string {
	const parts = new Intl.DateTimeFormat('en-US', {
		timeZone,
		year: 'numeric',
		month: 'numeric',
		day: 'numeric',
	}).formatToParts(now);
	const part = (type: 'year' | 'month' | 'day') =>
		Number(parts.find((entry) => entry.type === type)?.value);
	// Calendar arithmetic on a UTC date, which has no daylight-saving gaps.
	const expiry = new Date(Date.UTC(part('year'), part('month') - 1, part('day') + days));
	return expiry.toISOString().slice(0, 10);
}
