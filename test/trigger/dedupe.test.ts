import {
	claimDelivery,
	deliveryKey,
	heldKeys,
	MAX_KEYS_PER_SCOPE,
	resetDeliveryMemory,
} from '../../nodes/ItepTrigger/dedupe';

const WINDOW = 600_000;
const key = deliveryKey('50613490BP', 'completed');

beforeEach(() => resetDeliveryMemory());

test('the first delivery is admitted, repeats inside the window are not', () => {
	expect(claimDelivery('wf:node', key, 1_000, WINDOW)).toBe(true);
	expect(claimDelivery('wf:node', key, 1_001, WINDOW)).toBe(false);
	expect(claimDelivery('wf:node', key, 1_000 + WINDOW - 1, WINDOW)).toBe(false);
});

test('the window is fixed from the first delivery: repeats do not extend it', () => {
	expect(claimDelivery('s', key, 0, WINDOW)).toBe(true);
	expect(claimDelivery('s', key, WINDOW - 1, WINDOW)).toBe(false);
	expect(claimDelivery('s', key, WINDOW, WINDOW)).toBe(true);
	expect(claimDelivery('s', key, WINDOW + 1, WINDOW)).toBe(false);
});

test('other statuses, other tests and other scopes are independent', () => {
	expect(claimDelivery('s', key, 0, WINDOW)).toBe(true);
	expect(claimDelivery('s', deliveryKey('50613490BP', 'finished'), 0, WINDOW)).toBe(true);
	expect(claimDelivery('s', deliveryKey('99999999XX', 'completed'), 0, WINDOW)).toBe(true);
	expect(claimDelivery('other workflow', key, 0, WINDOW)).toBe(true);
	expect(claimDelivery('s', key, 1, WINDOW)).toBe(false);
});

test('keys cannot collide through the separator', () => {
	expect(deliveryKey('a', 'bc')).not.toBe(deliveryKey('ab', 'c'));
});

test('expired keys are evicted lazily on the next claim', () => {
	for (let i = 0; i < 100; i++) claimDelivery('s', `k${i}`, i, 1_000);
	expect(heldKeys('s')).toBe(100);
	claimDelivery('s', 'late', 1_050, 1_000);
	// k0..k50 expired (admitted at 0..50, window 1000, now 1050); k51..k99 and "late" remain.
	expect(heldKeys('s')).toBe(50);
});

test(`a scope never holds more than ${MAX_KEYS_PER_SCOPE} keys; the oldest goes first`, () => {
	for (let i = 0; i <= MAX_KEYS_PER_SCOPE; i++) claimDelivery('s', `k${i}`, 0, WINDOW);
	expect(heldKeys('s')).toBe(MAX_KEYS_PER_SCOPE);
	expect(claimDelivery('s', 'k0', 1, WINDOW)).toBe(true); // evicted, so admitted again
	expect(claimDelivery('s', `k${MAX_KEYS_PER_SCOPE}`, 1, WINDOW)).toBe(false);
});
