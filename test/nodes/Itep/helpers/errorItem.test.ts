import type { INode } from 'n8n-workflow';

import { continuedErrorItem } from '../../../../nodes/Itep/helpers/errorItem';

const node = (onError?: INode['onError']): INode => ({
	id: 'itep',
	name: 'iTEP',
	type: 'n8n-nodes-itep.itep',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
	...(onError ? { onError } : {}),
});

describe('continuedErrorItem', () => {
	test('error output: only `message` and `error` at the top, so n8n 1.x and 2.x route it to the error output', () => {
		const item = continuedErrorItem(
			node('continueErrorOutput'),
			'Column Status is empty',
			{ column: 'Status', itemIndex: 3 },
			3,
		);
		expect(Object.keys(item.json).sort()).toEqual(['error', 'message']);
		expect(item.json).toEqual({
			message: 'Column Status is empty',
			error: { message: 'Column Status is empty', column: 'Status', itemIndex: 3 },
		});
		expect(item.pairedItem).toEqual({ item: 3 });
	});

	test.each(['continueRegularOutput', undefined] as const)(
		'%s: the flat shape, `error` is the message and the details sit beside it',
		(onError) => {
			const item = continuedErrorItem(node(onError), 'Refused', { outcome: 'rejected' }, 0);
			expect(item.json).toEqual({ error: 'Refused', outcome: 'rejected' });
		},
	);
});
