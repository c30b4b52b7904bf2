/**
 * The sandbox's own copy of what iTEP's documents say, plus the sandbox's own assumptions where they are silent.
 *
 * Written out here on purpose, never imported from the pack (nodes/, credentials/): the sandbox is a second,
 * independent reading of iTEP's documents, so a test that passes against it shows that the pack agrees with
 * the documents, not merely with itself. The duplication is the point; keep the two copies apart.
 *
 * Sources:
 * - "Integration Overview" and "Integration Fulfillment" (the fulfillment document): body fields, product codes,
 *   the registration field names, compact JSON, case sensitivity, the HMAC-SHA256 header.
 * - "Integration Results Webhook" (public page): the exam states (two versions), when the webhook is called,
 *   one form field `data` holding JSON, and the field names inside it.
 */

// ---------------------------------------------------------------------------------------------------------
// DOCUMENTED by iTEP

/**
 * The registration field names, in the fulfillment document's order ("The valid field names are listed
 * below"). Names are case-sensitive ("Assume everything is case-sensitive").
 */
export const REGISTRATION_FIELD_NAMES = [
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
export type RegistrationFieldName = (typeof REGISTRATION_FIELD_NAMES)[number];

/**
 * The request body's fields, in the document's table order, with `sequence` (present in the document's
 * example, not in its table) where the example puts it.
 */
export const FULFILLMENT_BODY_FIELDS = [
	'product-code',
	'email',
	'bcc',
	'track',
	'sequence',
	'assigned-to',
	'registration',
] as const;
export type FulfillmentBodyField = (typeof FULFILLMENT_BODY_FIELDS)[number];

/**
 * The document's example request body, verbatim. Note what it shows about iTEP's own example: spaces after
 * some colons, and one closing brace too many at the end (so, as printed, it is not valid JSON).
 */
export const ITEP_EXAMPLE_REQUEST_BODY =
	'{"product-code": "STX-Academic-Plus","email":"tfatout2@proton.me","bcc":"twif_bam@yahoo.com","track": "RC","sequence":3,"assigned-to": {"expire": "2024-09-01","student-name": "Mary Poppins","customer-candidate-id":9810283,"sequence":3},"registration": {"Last_Name":"Poppins","First_Name":"Mary","Email":"m.poppins@disney.com","Birthday": "1955-07-08","OIN": "123-456-7890","OIN_Country": "US","OIN_Type": "1","Address":"10119 Popular Lane","City":"Los Angeles","Field_Of_Study":"Biology"}}}';

/**
 * The two groups of API product codes: "GTX" finds an available test ID and returns it; "STX" finds one,
 * e-mails it to the candidate from iTEP, and returns it. Case-sensitive.
 */
export const PRODUCT_CODE_PREFIXES = { gtx: 'GTX-', stx: 'STX-' } as const;
export type FulfillmentKind = keyof typeof PRODUCT_CODE_PREFIXES;

/**
 * Test types behind iTEP's generic product codes. The document names GTX-/STX-Academic-Plus; the others are
 * iTEP's published test names written the same way.
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

/**
 * The exam states, as the results webhook page lists them. Two copies of that page differ; both are
 * published, so both are kept, word for word, in the page's order.
 */
export const EXAM_STATUSES_VERSION_A = [
	'Ready',
	'Started',
	'Finished',
	'Review',
	'Technical Difficulty',
	'Invalidated',
	'Completed',
	'Disabled',
] as const;
export const EXAM_STATUSES_VERSION_B = [
	'Ready',
	'Incomplete',
	'Finished',
	'Review',
	'Problem',
	'Invalidated',
	'Complete',
	'Disabled',
] as const;
export type ExamStatusVersionA = (typeof EXAM_STATUSES_VERSION_A)[number];
export type ExamStatusVersionB = (typeof EXAM_STATUSES_VERSION_B)[number];

/** The results webhook's "General Fields Always included", in the page's order. */
export const RESULT_GENERAL_FIELDS = [
	'OID',
	'TestID',
	'Duration',
	'TestDate',
	'TestMonth',
	'TestDay',
	'TestYear',
	'score_report_url',
	'Overall_Level',
	'Overall_cefr',
	'Status',
] as const;

/** The one form field of a results delivery ("there is ONE form encoded field named data"). */
export const RESULT_FORM_FIELD = 'data';

// ---------------------------------------------------------------------------------------------------------
// ASSUMED by the sandbox (iTEP does not publish these). The values match what the pack uses by default, so
// the two interoperate, but they are written here, not imported.

/** The header that carries the HMAC-SHA256 signature of the body. iTEP names it together with the API key. */
export const DEFAULT_SIGNATURE_HEADER = 'X-Itep-Signature';

/** The fulfillment call (GTX and STX alike; the document says the calls are the same but for a header). */
export const FULFILLMENT_PATH = '/api/fulfillment';

/** Sandbox only: a signed no-op that checks the key and signature and spends nothing. */
export const SIGNATURE_CHECK_PATH = '/api/signature-check';

/** Machine-readable codes in the sandbox's `{"error":{"code","message"}}` answers. */
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

/** The sandbox's statuses for a reused sequence (its replay assumption) and for an empty inventory. */
export const SEQUENCE_REUSED_STATUS = 409;
export const NO_AVAILABLE_TEST_IDS_STATUS = 422;
