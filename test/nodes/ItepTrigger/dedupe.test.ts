import { createHash } from 'crypto';

import { DeliveryMemory, deliveryId, MAX_KEYS_PER_SCOPE } from '../../../nodes/ItepTrigger/dedupe';
import { sampleResultData } from '../../../sandbox/resultsData';

const WINDOW = 600_000;
const data = sampleResultData();
const key = deliveryId('50613490BP', 'completed', data);

let memory: DeliveryMemory;
beforeEach(() => {
	memory = new DeliveryMemory();
});

/** Keys held for a scope, read from the private map: the pack ships no test-only accessor. */
const held = (scopeId: string): number =>
	(memory as unknown as { scopes: Map<string, Map<string, number>> }).scopes.get(scopeId)?.size ??
	0;

test('the first delivery is admitted, repeats inside the window are not', () => {
	expect(memory.claim('wf:node', key, 1_000, WINDOW)).toBe(true);
	expect(memory.claim('wf:node', key, 1_001, WINDOW)).toBe(false);
	expect(memory.claim('wf:node', key, 1_000 + WINDOW - 1, WINDOW)).toBe(false);
});

test('the window is fixed from the first delivery: repeats do not extend it', () => {
	expect(memory.claim('s', key, 0, WINDOW)).toBe(true);
	expect(memory.claim('s', key, WINDOW - 1, WINDOW)).toBe(false);
	expect(memory.claim('s', key, WINDOW, WINDOW)).toBe(true);
	expect(memory.claim('s', key, WINDOW + 1, WINDOW)).toBe(false);
});

test('other statuses, other tests and other scopes are independent', () => {
	expect(memory.claim('s', key, 0, WINDOW)).toBe(true);
	expect(memory.claim('s', deliveryId('50613490BP', 'finished', data), 0, WINDOW)).toBe(true);
	expect(memory.claim('s', deliveryId('99999999XX', 'completed', data), 0, WINDOW)).toBe(true);
	expect(memory.claim('other workflow', key, 0, WINDOW)).toBe(true);
	expect(memory.claim('s', key, 1, WINDOW)).toBe(false);
});

test('a delivery with the same test and status but other content has another key', () => {
	const forged = sampleResultData({ Overall_Level: 0.1 });
	expect(deliveryId('50613490BP', 'completed', forged)).not.toBe(key);
	expect(memory.claim('s', deliveryId('50613490BP', 'completed', forged), 0, WINDOW)).toBe(true);
	expect(memory.claim('s', key, 1, WINDOW)).toBe(true);
});

test('the key is a hex SHA-256 of test ID, status and the data as serialised in the order sent', () => {
	const digest = createHash('sha256')
		.update(`50613490BP\u0000completed\u0000${JSON.stringify(data)}`)
		.digest('hex');
	expect(key).toBe(digest);
	expect(key).toMatch(/^[0-9a-f]{64}$/);
	expect(deliveryId('50613490BP', 'completed', JSON.parse(JSON.stringify(data)))).toBe(key);
});

test('keys cannot collide through the separator', () => {
	expect(deliveryId('a', 'bc', {})).not.toBe(deliveryId('ab', 'c', {}));
});

test('expired keys are evicted lazily on the next claim', () => {
	for (let i = 0; i < 100; i++) memory.claim('s', `k${i}`, i, 1_000);
	expect(held('s')).toBe(100);
	memory.claim('s', 'late', 1_050, 1_000);
	// k0..k50 expired (admitted at 0..50, window 1000, now 1050); k51..k99 and "late" remain.
	expect(held('s')).toBe(50);
});

test(`a scope never holds more than ${MAX_KEYS_PER_SCOPE} keys; the oldest goes first`, () => {
	for (let i = 0; i <= MAX_KEYS_PER_SCOPE; i++) memory.claim('s', `k${i}`, 0, WINDOW);
	expect(held('s')).toBe(MAX_KEYS_PER_SCOPE);
	expect(memory.claim('s', 'k0', 1, WINDOW)).toBe(true); // evicted, so admitted again
	expect(memory.claim('s', `k${MAX_KEYS_PER_SCOPE}`, 1, WINDOW)).toBe(false);
});

test('two memories share nothing', () => {
	const other = new DeliveryMemory();
	expect(memory.claim('s', key, 0, WINDOW)).toBe(true);
	expect(other.claim('s', key, 0, WINDOW)).toBe(true);
});
