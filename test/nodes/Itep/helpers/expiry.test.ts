/**
 * Expire After (Days): the expiry date counts calendar days from today in the workflow's time zone. Expected
 * dates are written by hand from a calendar.
 */
import { expiryDateAfterDays } from '../../../../nodes/Itep/helpers/expiry';

describe('expiryDateAfterDays', () => {
	// 23:30 UTC on New Year's Eve: still 31 December in New York, already 1 January in Tokyo.
	const newYearsEve = new Date('2026-12-31T23:30:00Z');

	it.each([
		['UTC', 1, '2027-01-01'],
		['America/New_York', 1, '2027-01-01'],
		['Asia/Tokyo', 1, '2027-01-02'],
		['America/New_York', 0, '2026-12-31'],
		['Asia/Tokyo', 30, '2027-01-31'],
		['Pacific/Kiritimati', 365, '2028-01-01'],
	])('in %s, %i days from 2026-12-31T23:30Z is %s', (timeZone, days, expected) => {
		expect(expiryDateAfterDays(newYearsEve, timeZone, days)).toBe(expected);
	});

	it('counts 29 February in a leap year', () => {
		expect(expiryDateAfterDays(new Date('2028-02-28T12:00:00Z'), 'Europe/Berlin', 1)).toBe(
			'2028-02-29',
		);
		expect(expiryDateAfterDays(new Date('2027-02-28T12:00:00Z'), 'Europe/Berlin', 1)).toBe(
			'2027-03-01',
		);
	});

	it('is not moved by a daylight-saving change inside the period', () => {
		// Berlin moves its clocks on 2026-03-29 and 2026-10-25.
		expect(expiryDateAfterDays(new Date('2026-03-28T23:30:00Z'), 'Europe/Berlin', 1)).toBe(
			'2026-03-30',
		);
		expect(expiryDateAfterDays(new Date('2026-10-24T12:00:00Z'), 'Europe/Berlin', 7)).toBe(
			'2026-10-31',
		);
	});
});
