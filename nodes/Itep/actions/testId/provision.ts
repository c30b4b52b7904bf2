import {
	NodeApiError,
	NodeOperationError,
	type ICredentialsDecrypted,
	type IDataObject,
	type IExecuteFunctions,
	type INode,
	type INodeExecutionData,
	type JsonObject,
} from 'n8n-workflow';

import type { FulfillmentBody } from '../../helpers/fulfillmentRequest';
import type { FulfillmentKind } from '../../../shared/protocol';
import { nextSequence } from '../../helpers/sequence';
import {
	buildFulfillmentBody,
	findDuplicateSequences,
	type AssignedToInput,
	type RequestOrigin,
} from '../../helpers/buildRequest';
import { runWithConcurrency } from '../../helpers/concurrency';
import { continuedErrorItem } from '../../helpers/errorItem';
import {
	describeApiFailure,
	describeTransportFailure,
	describeUnreadableSuccess,
	extractTestId,
	type ApiResponse,
	type FailureReport,
} from '../../helpers/outcome';
import { describeSignedRequest, loadCredential, sendFulfillment } from '../../transport';

const OPERATION_BY_KIND: Record<FulfillmentKind, string> = { gtx: 'getTestId', stx: 'sendTestId' };

interface ItemOptions {
	dryRun?: boolean;
	maxConcurrency?: number;
	sequence?: number;
	timeout?: number;
}

type ValidItem = { ok: true; body: FulfillmentBody; options: ItemOptions };
type InvalidItem = { ok: false; error: NodeOperationError };
type PreparedItem = ValidItem | InvalidItem;

/** An item that reached iTEP (or was meant to) and failed, with what the ops person must know. */
interface FulfillmentFailure {
	report: FailureReport;
	body: FulfillmentBody;
	/** iTEP's real answer, when there was one; the error details show it. */
	response?: ApiResponse;
}

type ItemResult = { output: INodeExecutionData } | { failure: FulfillmentFailure };

/**
 * GTX and STX share one flow: every item is read and validated first, so a bad item stops the run before
 * anything is sent; then requests go out (up to Max Concurrent Requests at once) and come back in item order.
 */
export async function provisionTestIds(
	this: IExecuteFunctions,
	kind: FulfillmentKind,
): Promise<INodeExecutionData[]> {
	const items = this.getInputData();
	const origin: RequestOrigin = {
		workflowId: String(this.getWorkflow().id ?? ''),
		executionId: String(this.getExecutionId() ?? ''),
		at: new Date().toISOString(),
		timeZone: this.getTimezone(),
	};
	const prepared = rejectRepeatedSequences.call(
		this,
		items.map((_, itemIndex) => prepareItem.call(this, kind, itemIndex, origin)),
	);
	const continueOnFail = this.continueOnFail();

	if (!continueOnFail) {
		const invalid = prepared.find((item): item is InvalidItem => !item.ok);
		if (invalid) throw invalid.error;
	}

	const credential = await loadCredential.call(this);
	const limit = this.getNodeParameter('options.maxConcurrency', 0, 1) as number;
	const settled = await runWithConcurrency(
		items.length,
		limit,
		async (itemIndex): Promise<ItemResult> => {
			const item = prepared[itemIndex];
			if (item.ok) return await fulfillItem.call(this, kind, credential, item, itemIndex);
			const { message, description } = item.error;
			return {
				output: continuedErrorItem(
					this.getNode(),
					message,
					{ outcome: 'invalid', description },
					itemIndex,
				),
			};
		},
		// With Continue On Fail a failed item becomes an error item in its place and later items are still sent;
		// otherwise the run stops starting new requests, as a sequential loop would.
		(result) => !continueOnFail && 'failure' in result,
	);

	const output: INodeExecutionData[] = [];
	for (const [itemIndex, result] of settled.entries()) {
		if (!result) continue; // not started because the run stopped
		if (result.status === 'rejected') throw result.reason; // not an iTEP answer, e.g. no credential set
		const outcome = result.value;
		if ('output' in outcome) output.push(outcome.output);
		else if (continueOnFail) output.push(failureItem(this.getNode(), outcome.failure, itemIndex));
		else
			throw toNodeError.call(this, outcome.failure, itemIndex, otherOutcomes(settled, itemIndex));
	}
	return output;
}

function failureItem(
	node: INode,
	failure: FulfillmentFailure,
	itemIndex: number,
): INodeExecutionData {
	return continuedErrorItem(
		node,
		failure.report.message,
		{
			outcome: failure.report.outcome,
			description: failure.report.description,
			httpCode: failure.report.httpCode,
			productCode: failure.body['product-code'],
			sequence: failure.body.sequence,
			...(failure.response ? { response: failure.response.body as IDataObject } : {}),
		},
		itemIndex,
	);
}

/** Two items with the same explicit sequence would make iTEP reject the second as a replay: stop it here. */
function rejectRepeatedSequences(
	this: IExecuteFunctions,
	prepared: PreparedItem[],
): PreparedItem[] {
	const explicit = prepared.map((item) =>
		item.ok && item.options.sequence !== undefined ? item.body.sequence : undefined,
	);
	const repeated = findDuplicateSequences(explicit);
	return prepared.map((item, itemIndex) => {
		if (!item.ok) return item;
		const users = repeated.get(item.body.sequence);
		if (!users || users[0] === itemIndex) return item;
		return {
			ok: false,
			error: new NodeOperationError(
				this.getNode(),
				`Sequence ${item.body.sequence} is used by items ${users.join(', ')}; each request needs its own`,
				{
					itemIndex,
					description:
						'Remove the Sequence option to have unique numbers generated. Nothing was sent.',
				},
			),
		};
	});
}

/** Reads and validates one item. Never throws: an expression error is this item's error, like any other. */
function prepareItem(
	this: IExecuteFunctions,
	kind: FulfillmentKind,
	itemIndex: number,
	origin: RequestOrigin,
): PreparedItem {
	try {
		return buildItem.call(this, kind, itemIndex, origin);
	} catch (error) {
		return {
			ok: false,
			error: new NodeOperationError(this.getNode(), error as Error, {
				itemIndex,
				description: 'A parameter of this item could not be read. Nothing was sent.',
			}),
		};
	}
}

function buildItem(
	this: IExecuteFunctions,
	kind: FulfillmentKind,
	itemIndex: number,
	origin: RequestOrigin,
): PreparedItem {
	const options = this.getNodeParameter('options', itemIndex, {}) as ItemOptions;
	const built = buildFulfillmentBody({
		kind,
		productCode: this.getNodeParameter('productCode', itemIndex, '', { extractValue: true }),
		email: this.getNodeParameter('email', itemIndex, ''),
		bcc: this.getNodeParameter('bcc', itemIndex, ''),
		track: this.getNodeParameter('track', itemIndex, ''),
		sequence: options.sequence ?? nextSequence(),
		assignedTo: this.getNodeParameter('assignedTo', itemIndex, {}) as AssignedToInput,
		registration: readRegistration.call(this, itemIndex),
		origin,
	});
	if (built.ok) return { ok: true, body: built.body, options };
	const [first, ...more] = built.issues;
	return {
		ok: false,
		// Each message names its field already ("Candidate Email is not a valid e-mail address...").
		error: new NodeOperationError(this.getNode(), first.message, {
			itemIndex,
			description: more.length
				? `Also: ${more.map((issue) => issue.message).join('; ')}. Nothing was sent.`
				: 'Nothing was sent.',
		}),
	};
}

function readRegistration(this: IExecuteFunctions, itemIndex: number): unknown {
	const mode = this.getNodeParameter('registrationMode', itemIndex, 'none') as string;
	if (mode === 'json') return this.getNodeParameter('registrationJson', itemIndex, '');
	if (mode !== 'fields') return undefined;
	const picked = this.getNodeParameter('registrationFields.field', itemIndex, []) as Array<{
		name: string;
		value: string;
	}>;
	return Object.fromEntries(picked.map(({ name, value }) => [name, value]));
}

async function fulfillItem(
	this: IExecuteFunctions,
	kind: FulfillmentKind,
	credential: ICredentialsDecrypted,
	item: ValidItem,
	itemIndex: number,
): Promise<ItemResult> {
	const { body, options } = item;
	const summary = {
		operation: OPERATION_BY_KIND[kind],
		productCode: body['product-code'],
		sequence: body.sequence,
	};
	if (options.dryRun) {
		const request = describeSignedRequest(credential, body);
		return {
			output: { json: { dryRun: true, ...summary, request }, pairedItem: { item: itemIndex } },
		};
	}

	let response: ApiResponse;
	try {
		response = await sendFulfillment.call(this, credential, body, options.timeout ?? 30000);
	} catch (error) {
		return { failure: { report: describeTransportFailure(error), body } };
	}
	if (response.statusCode < 200 || response.statusCode >= 300) {
		return {
			failure: { report: describeApiFailure(response, body['product-code']), body, response },
		};
	}
	const testId = extractTestId(response.body);
	if (testId === undefined) {
		return { failure: { report: describeUnreadableSuccess(response), body, response } };
	}
	return {
		output: {
			json: {
				testId,
				...summary,
				...(body.email ? { email: body.email } : {}),
				response: response.body as IDataObject,
			},
			pairedItem: { item: itemIndex },
		},
	};
}

/**
 * What the run's other items got, for the error that stops it: the test IDs already provisioned and the
 * items whose outcome is unknown, so a failed run loses track of none of them.
 */
function otherOutcomes(
	settled: Array<PromiseSettledResult<ItemResult> | undefined>,
	failedIndex: number,
): string {
	const provisioned: string[] = [];
	const unknown: string[] = [];
	settled.forEach((result, itemIndex) => {
		if (result?.status !== 'fulfilled' || itemIndex === failedIndex) return;
		const outcome = result.value;
		if ('output' in outcome && typeof outcome.output.json.testId === 'string') {
			provisioned.push(outcome.output.json.testId);
		} else if ('failure' in outcome && outcome.failure.report.outcome === 'unknown') {
			unknown.push(`item ${itemIndex} (sequence ${outcome.failure.body.sequence})`);
		}
	});
	return [
		provisioned.length
			? ` Other items of this run were provisioned before it stopped: ${provisioned.join(', ')}.`
			: '',
		unknown.length
			? ` The outcome of ${unknown.join(', ')} is unknown as well: check them in iTEP before running again.`
			: '',
	].join('');
}

function toNodeError(
	this: IExecuteFunctions,
	failure: FulfillmentFailure,
	itemIndex: number,
	others: string,
): NodeApiError {
	const { message } = failure.report;
	const description = `${failure.report.description} (product code ${failure.body['product-code']}, sequence ${failure.body.sequence}).${others}`;
	const error = new NodeApiError(this.getNode(), errorResponseOf(failure), {
		message,
		description,
		httpCode: failure.report.httpCode ? String(failure.report.httpCode) : undefined,
		itemIndex,
	});
	// NodeApiError replaces our texts with ones it finds in the response (`message` fields) or, for a message
	// naming ECONNRESET, ETIMEDOUT..., with n8n's generic "You can retry the request immediately": wrong advice
	// for a request that may have provisioned a test ID. Keep ours.
	error.message = message;
	error.description = description;
	return error;
}

/**
 * What n8n shows as the error's details: iTEP's real answer, or, when none came, the network error code.
 * Not the transport error's text: n8n's HTTP helper has already replaced it with "You can retry the request
 * immediately", wrong advice for a request that may have provisioned a test ID.
 */
function errorResponseOf(failure: FulfillmentFailure): JsonObject {
	if (failure.response) {
		return { statusCode: failure.response.statusCode, body: failure.response.body as JsonObject };
	}
	return { code: failure.report.errorCode ?? null, outcome: failure.report.outcome };
}
