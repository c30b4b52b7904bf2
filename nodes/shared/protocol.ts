/**
 * Facts about iTEP's fulfillment API that the node, the credential and the sandbox share.
 * What iTEP documents is marked "iTEP"; everything else is this project's configurable assumption.
 */

/** Assumption: the sandbox's address, used as the credential's default base URL. */
export const DEFAULT_BASE_URL = 'http://127.0.0.1:8787';

/** Assumption: iTEP gives the header name together with the API key; this is the sandbox's. */
export const DEFAULT_SIGNATURE_HEADER = 'X-Itep-Signature';

/** Assumption: path of the fulfillment call below the base URL (GTX and STX share it; iTEP). */
export const FULFILLMENT_PATH = '/api/fulfillment';

/** Sandbox only: a signed no-op that checks the key and signature and spends nothing. */
export const SIGNATURE_CHECK_PATH = '/api/signature-check';

/** iTEP: the two families of product codes usable from the API. */
export const PRODUCT_CODE_PREFIXES = { gtx: 'GTX-', stx: 'STX-' } as const;
export type FulfillmentKind = keyof typeof PRODUCT_CODE_PREFIXES;

/**
 * Test types behind iTEP's generic product codes. iTEP documents "Academic-Plus"; the others follow the
 * same pattern for iTEP's published test names. Customers check their PRODUCT CODES screen.
 */
export const GENERIC_TEST_TYPES = [
	'Academic-Plus',
	'Academic-Core',
	'Business-Plus',
	'Business-Core',
	'SLATE-Plus',
	'SLATE-Core',
	'Hospitality',
] as const;

/** iTEP: the registration field names the API accepts (case-sensitive). */
export const REGISTRATION_FIELDS = [
	'Last_Name',
	'First_Name',
	'Middle_Name',
	'DOB_Month',
	'DOB_Day',
	'DOB_Year',
	'Email',
	'Contact_Phone',
	'Address',
	'City',
	'Birthday',
	'Country',
	'Nationality',
	'OIN',
	'OIN_Country',
	'OIN_Type',
	'Language',
	'Center',
	'Gender',
	'Education',
	'Taken_Test',
	'DOT_Month',
	'DOT_Day',
	'DOT_Year',
	'Location',
	'Admin_Test_Location',
	'Agree',
	'Honest',
	'Applying_To_School',
	'Apply_School_Type_1',
	'Apply_School_Name_1',
	'Apply_School_Other_1',
	'Apply_School_Type_2',
	'Apply_School_Name_2',
	'Apply_School_Other_2',
	'Apply_School_Type_3',
	'Apply_School_Name_3',
	'Apply_School_Other_3',
	'Field_Of_Study',
	'Location_Country',
	'Location_Region',
	'Location_Name',
	'trSchoolLevel',
	'trReferral',
	'trExternal_ID',
	'trCampus',
	'trCollege',
	'trDepartment',
	'trDegree',
	'trStatus',
	'trAttribute',
	'trStudent_Number',
	'trBatch_Number',
] as const;
export type RegistrationField = (typeof REGISTRATION_FIELDS)[number];

/**
 * Assumption: machine-readable error codes in the sandbox's `{ "error": { "code", "message" } }` bodies.
 * The node maps by HTTP status first, so a real iTEP response without these codes is still classified.
 */
export const API_ERROR_CODES = {
	badSignature: 'INVALID_SIGNATURE',
	malformedBody: 'MALFORMED_BODY',
	unknownProductCode: 'UNKNOWN_PRODUCT_CODE',
	sequenceReused: 'SEQUENCE_REUSED',
	noAvailableTestIds: 'NO_AVAILABLE_TEST_IDS',
	rateLimited: 'RATE_LIMITED',
	serverError: 'SERVER_ERROR',
} as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[keyof typeof API_ERROR_CODES];

/** HTTP statuses the sandbox answers with; 422 is its choice for "no available test IDs". */
export const NO_AVAILABLE_TEST_IDS_STATUS = 422;
export const SEQUENCE_REUSED_STATUS = 409;

/** Assumption: the response field that carries the provisioned test ID (others are tried too). */
export const TEST_ID_RESPONSE_FIELDS = ['test-id', 'testId', 'TestID', 'test_id'] as const;
