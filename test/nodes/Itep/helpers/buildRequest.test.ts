/**
 * Every validation rule stops an item before anything is signed or sent. Without Continue On Fail the run
 * throws a NodeOperationError for the bad item and the sandbox receives nothing at all; with it, the bad item
 * becomes an error item in its place and the other items are still provisioned.
 */
import { NodeOperationError, type IDataObject, type INode } from 'n8n-workflow';

import { startSandbox, type RunningSandbox } from '../../../../sandbox/server';
import {
	productCode,
	runItep,
	runItepExpectingError,
	type Operation,
} from '../../../helpers/itepNode';

interface Case {
	name: string;
	operation?: Operation;
	parameters: INode['parameters'];
	/** Three items; the one at `badIndex` (default 1) is invalid. */
	items: IDataObject[];
	badIndex?: number;
	message: RegExp;
}

const registrationJson = { registrationMode: 'json', registrationJson: '={{ $json.reg }}' };
const goodRegistration = '{"First_Name":"Ana","Last_Name":"Silva"}';
const withReg = (bad: string): IDataObject[] => [
	{ reg: goodRegistration },
	{ reg: bad },
	{ reg: goodRegistration },
];

const extraJson = { assignedTo: { candidateName: 'Ana Silva', extraJson: '={{ $json.extra }}' } };
const withExtra = (bad: string | number): IDataObject[] => [
	{ extra: '{"cohort":"A"}' },
	{ extra: bad },
	{ extra: '{}' },
];

const codeFromItem = { productCode: productCode('={{ $json.code }}') };
const emailFromItem = { email: '={{ $json.email }}' };

const CASES: Case[] = [
	{
		name: 'unknown registration field First_name (suggests First_Name)',
		parameters: registrationJson,
		items: withReg('{"First_name":"Ana"}'),
		message:
			/^Registration field "First_name" is not one iTEP accepts \(names are case-sensitive\); did you mean "First_Name"\?$/,
	},
	{
		name: 'unknown registration field Lastname (suggests Last_Name)',
		parameters: registrationJson,
		items: withReg('{"First_Name":"Ana","Lastname":"Silva"}'),
		message: /Registration field "Lastname" is not one iTEP accepts.*did you mean "Last_Name"\?/,
	},
	{
		name: 'unknown registration field with no close name (points to the list)',
		parameters: registrationJson,
		items: withReg('{"Favourite_Colour":"blue"}'),
		message:
			/Registration field "Favourite_Colour" is not one iTEP accepts.*see the list of valid names/,
	},
	{
		name: 'unknown registration field in "Pick Fields" mode (suggests Email)',
		parameters: {
			registrationMode: 'fields',
			registrationFields: { field: [{ name: '={{ $json.field }}', value: 'ana@example.com' }] },
		},
		items: [{ field: 'Email' }, { field: 'Emial' }, { field: 'Email' }],
		message: /Registration field "Emial" is not one iTEP accepts.*did you mean "Email"\?/,
	},
	{
		name: 'registration value that is an object',
		parameters: registrationJson,
		items: withReg('{"First_Name":{"given":"Ana"}}'),
		message: /Registration field "First_Name" must be text, a number or true\/false/,
	},
	{
		name: 'invalid candidate e-mail (GTX)',
		parameters: emailFromItem,
		items: [{ email: 'ana@example.com' }, { email: 'not-an-email' }, { email: '' }],
		message: /^Candidate Email is not a valid e-mail address; enter it as name@example.com$/,
	},
	{
		name: 'invalid candidate e-mail (STX)',
		operation: 'sendTestId',
		parameters: emailFromItem,
		items: [
			{ email: 'ana@example.com' },
			{ email: 'bob@@example.com' },
			{ email: 'cy@example.com' },
		],
		message: /^Candidate Email is not a valid e-mail address/,
	},
	{
		name: 'invalid BCC e-mail',
		operation: 'sendTestId',
		parameters: { ...emailFromItem, bcc: '={{ $json.bcc }}' },
		items: [
			{ email: 'ana@example.com', bcc: 'support@example.com' },
			{ email: 'bob@example.com', bcc: 'support@' },
			{ email: 'cy@example.com', bcc: '' },
		],
		message: /^BCC Email is not a valid e-mail address/,
	},
	{
		name: 'STX without a candidate e-mail',
		operation: 'sendTestId',
		parameters: emailFromItem,
		items: [{ email: 'ana@example.com' }, { email: '  ' }, { email: 'cy@example.com' }],
		message: /^Candidate Email is required for STX product codes/,
	},
	{
		name: 'assigned-to Extra JSON that is an array',
		parameters: extraJson,
		items: withExtra('[{"cohort":"A"}]'),
		message:
			/^Assigned To > Extra JSON must be a JSON object such as \{"key": "value"\}, not a list or a plain value$/,
	},
	{
		name: 'assigned-to Extra JSON that is a string',
		parameters: extraJson,
		items: withExtra('"cohort A"'),
		message: /^Assigned To > Extra JSON must be a JSON object/,
	},
	{
		name: 'assigned-to Extra JSON that is a number',
		parameters: extraJson,
		items: withExtra(42),
		message: /^Assigned To > Extra JSON must be a JSON object/,
	},
	{
		name: 'assigned-to Extra JSON that is not JSON',
		parameters: extraJson,
		items: withExtra('{"cohort": '),
		message: /^Assigned To > Extra JSON is not valid JSON/,
	},
	{
		name: 'registration JSON that is an array',
		parameters: registrationJson,
		items: withReg('[{"First_Name":"Ana"}]'),
		message:
			/^Registration must be a JSON object such as \{"key": "value"\}, not a list or a plain value$/,
	},
	{
		name: 'registration JSON that is a string',
		parameters: registrationJson,
		items: withReg('"Ana Silva"'),
		message: /^Registration must be a JSON object/,
	},
	{
		name: 'registration JSON that is a number',
		parameters: registrationJson,
		items: withReg('7'),
		message: /^Registration must be a JSON object/,
	},
	{
		name: 'registration JSON that is not JSON',
		parameters: registrationJson,
		items: withReg('First_Name=Ana'),
		message: /^Registration is not valid JSON/,
	},
	{
		name: 'empty product code',
		parameters: codeFromItem,
		items: [{ code: 'GTX-Academic-Plus' }, { code: '' }, { code: 'GTX-Academic-Plus' }],
		message: /^Product Code is empty/,
	},
	{
		name: 'product code with a space',
		parameters: codeFromItem,
		items: [
			{ code: 'GTX-Academic-Plus' },
			{ code: 'GTX-Academic Plus' },
			{ code: 'GTX-Academic-Plus' },
		],
		message: /^Product Code must not contain spaces$/,
	},
	{
		name: 'STX code on the GTX operation',
		parameters: codeFromItem,
		items: [
			{ code: 'GTX-Academic-Plus' },
			{ code: 'STX-Academic-Plus' },
			{ code: 'GTX-Academic-Plus' },
		],
		message:
			/^Product code "STX-Academic-Plus" does not match the operation Get Test ID \(GTX\): choose the operation Send Test ID to Candidate \(STX\) for it, or use the GTX- code$/,
	},
	{
		name: 'GTX code on the STX operation',
		operation: 'sendTestId',
		parameters: { ...codeFromItem, email: 'ana@example.com' },
		items: [
			{ code: 'STX-Academic-Plus' },
			{ code: 'GTX-Academic-Plus' },
			{ code: 'STX-Academic-Plus' },
		],
		message:
			/^Product code "GTX-Academic-Plus" does not match the operation Send Test ID to Candidate \(STX\): choose the operation Get Test ID \(GTX\) for it, or use the STX- code$/,
	},
	{
		name: 'lower-case gtx- prefix',
		parameters: codeFromItem,
		items: [
			{ code: 'GTX-Academic-Plus' },
			{ code: 'gtx-Academic-Plus' },
			{ code: 'GTX-Academic-Plus' },
		],
		message:
			/^Product code "gtx-Academic-Plus" does not match the operation Get Test ID \(GTX\): codes for this operation start with "GTX-" \(case-sensitive\)$/,
	},
	{
		name: 'lower-case stx- prefix',
		operation: 'sendTestId',
		parameters: { ...codeFromItem, email: 'ana@example.com' },
		items: [
			{ code: 'STX-Academic-Plus' },
			{ code: 'stx-Academic-Plus' },
			{ code: 'STX-Academic-Plus' },
		],
		message: /^Product code "stx-Academic-Plus" .*start with "STX-" \(case-sensitive\)$/,
	},
	{
		name: 'an explicit sequence repeated by a later item',
		parameters: { options: { sequence: '={{ $json.seq }}' } },
		items: [{ seq: 101 }, { seq: 102 }, { seq: 101 }],
		badIndex: 2,
		message: /^Sequence 101 is used by items 0, 2; each request needs its own$/,
	},
];

describe('validation before sending', () => {
	let sandbox: RunningSandbox;
	beforeAll(async () => {
		sandbox = await startSandbox({ port: 0 });
	});
	beforeEach(() => sandbox.reset());
	afterAll(async () => {
		await sandbox.close();
	});

	describe.each(CASES)('$name', ({ operation, parameters, items, badIndex = 1, message }) => {
		test('throws a NodeOperationError for that item and sends nothing', async () => {
			const error = await runItepExpectingError({ target: sandbox, operation, parameters, items });
			expect(error).toBeInstanceOf(NodeOperationError);
			expect(error.message).toMatch(message);
			expect(error.context.itemIndex).toBe(badIndex);
			expect(error.description).toMatch(/Nothing was sent\.$/);
			expect(sandbox.state.stats.requests).toBe(0);
			expect(sandbox.state.requests).toHaveLength(0);
			expect(sandbox.state.stats.provisioned).toBe(0);
		});

		test('with Continue On Fail: an error item in its place, the other items are provisioned', async () => {
			const output = await runItep({
				target: sandbox,
				operation,
				parameters,
				items,
				continueOnFail: true,
			});
			expect(output).toHaveLength(items.length);
			expect(output.map((item) => item.pairedItem)).toEqual(items.map((_, item) => ({ item })));
			const bad = output[badIndex];
			expect(bad.json.error).toMatch(message);
			expect(bad.json.outcome).toBe('invalid');
			expect(bad.json.testId).toBeUndefined();
			const good = output.filter((_, index) => index !== badIndex);
			for (const item of good) {
				expect(item.json.error).toBeUndefined();
				expect(typeof item.json.testId).toBe('string');
			}
			expect(new Set(good.map((item) => item.json.testId)).size).toBe(good.length);
			expect(sandbox.state.stats.requests).toBe(items.length - 1);
			expect(sandbox.state.stats.provisioned).toBe(items.length - 1);
		});
	});

	describe('Assigned To > Expire After (Days)', () => {
		afterEach(() => jest.useRealTimers());
		/** Only Date is faked: the sandbox and n8n's HTTP client keep their real timers. */
		const at = (iso: string) =>
			jest.useFakeTimers({
				now: new Date(iso),
				doNotFake: [
					'hrtime',
					'nextTick',
					'performance',
					'queueMicrotask',
					'requestAnimationFrame',
					'cancelAnimationFrame',
					'requestIdleCallback',
					'cancelIdleCallback',
					'setImmediate',
					'clearImmediate',
					'setInterval',
					'clearInterval',
					'setTimeout',
					'clearTimeout',
				],
			});
		const sentAssignedTo = () =>
			(JSON.parse(sandbox.state.requests[0].rawBody) as { 'assigned-to': Record<string, unknown> })[
				'assigned-to'
			];

		test.each([
			['Asia/Tokyo', 30, '2027-01-31'],
			['America/New_York', 30, '2027-01-30'],
		])(
			'in a workflow set to %s, %i days from 2026-12-31T23:30Z is sent as expire %s',
			async (timezone, days, expected) => {
				at('2026-12-31T23:30:00Z');
				await runItep({
					target: sandbox,
					timezone,
					parameters: { assignedTo: { candidateName: 'Ana Silva', expireAfterDays: days } },
				});
				expect(sentAssignedTo()).toMatchObject({ 'student-name': 'Ana Silva', expire: expected });
			},
		);

		test.each([
			[0, 'must be a whole number of days from 1 to 3650'],
			[2.5, 'must be a whole number of days from 1 to 3650'],
			['soon', 'must be a whole number of days from 1 to 3650'],
		])('%p is refused by name and nothing is sent', async (days, message) => {
			const error = await runItepExpectingError({
				target: sandbox,
				parameters: { assignedTo: { expireAfterDays: days } },
			});
			expect(error.message).toBe(`Assigned To > Expire After (Days) ${message}`);
			expect(sandbox.state.stats.requests).toBe(0);
		});

		test('beside an explicit Expiry Date it is refused: both would be sent as "expire"', async () => {
			const error = await runItepExpectingError({
				target: sandbox,
				parameters: { assignedTo: { expiryDate: '2027-06-30', expireAfterDays: 30 } },
			});
			expect(error.message).toMatch(
				/^Set either Assigned To > Expiry Date or Assigned To > Expire After \(Days\), not both/,
			);
			expect(sandbox.state.stats.requests).toBe(0);
		});
	});

	describe('expression values that are not text (found by test/reliability/fuzz.test.ts)', () => {
		test('a number from an expression is sent as its text: tracking code and candidate ID', async () => {
			const output = await runItep({
				target: sandbox,
				parameters: {
					track: '={{ $json.track }}',
					assignedTo: { candidateName: 'Ana Silva', candidateId: '={{ $json.id }}' },
				},
				items: [{ track: 12345, id: 42 }],
			});
			expect(output[0].json.error).toBeUndefined();
			const sent = JSON.parse(sandbox.state.requests[0].rawBody) as Record<string, unknown>;
			expect(sent.track).toBe('12345');
			expect(sent['assigned-to']).toMatchObject({ 'customer-candidate-id': '42' });
		});

		test.each([
			['Candidate Email', { email: '={{ $json.value }}' }, 'sendTestId', { a: 1 }],
			['BCC Email', { bcc: '={{ $json.value }}' }, 'getTestId', ['x@example.com']],
			['Tracking Code', { track: '={{ $json.value }}' }, 'getTestId', true],
			[
				'Assigned To > Name',
				{ assignedTo: { candidateName: '={{ $json.value }}' } },
				'getTestId',
				{ first: 'Ana' },
			],
		] as const)(
			'%s from an expression that is not text is refused by name, and nothing is sent',
			async (label, parameters, operation, value) => {
				const error = await runItepExpectingError({
					target: sandbox,
					operation,
					parameters,
					items: [{ value } as IDataObject],
				});
				expect(error).toBeInstanceOf(NodeOperationError);
				expect(error.message).toMatch(new RegExp(`^${label} must be text`));
				expect(sandbox.state.stats.requests).toBe(0);
			},
		);
	});

	test('several problems in one item: the first is the message, the rest are in the description', async () => {
		const error = await runItepExpectingError({
			target: sandbox,
			operation: 'sendTestId',
			parameters: {
				email: 'nope',
				bcc: 'also-nope',
				registrationMode: 'json',
				registrationJson: '{"Lastname":"x"}',
			},
		});
		expect(error.message).toMatch(/^Candidate Email is not a valid e-mail address/);
		expect(error.description).toMatch(
			/^Also: BCC Email .*; Registration field "Lastname".*\. Nothing was sent\.$/,
		);
		expect(error.context.itemIndex).toBe(0);
		expect(sandbox.state.stats.requests).toBe(0);
	});

	test('an invalid item anywhere stops the whole run before the first valid item is sent', async () => {
		const error = await runItepExpectingError({
			target: sandbox,
			parameters: emailFromItem,
			items: [
				{ email: 'a@example.com' },
				{ email: 'b@example.com' },
				{ email: 'c@example.com' },
				{ email: 'x' },
			],
		});
		expect(error.context.itemIndex).toBe(3);
		expect(sandbox.state.stats.requests).toBe(0);
	});
});
