/**
 * The 53 registration field names, copied by hand from iTEP's fulfillment document (the list after "The valid
 * field names are listed below"), in the document's order. A literal on purpose: removing, renaming or
 * re-casing one name in protocol.ts makes this test fail.
 */
import { REGISTRATION_FIELDS } from '../../../nodes/shared/protocol';
import { validateFulfillmentBody } from '../../../nodes/Itep/helpers/fulfillmentRequest';

const FROM_THE_DOCUMENT = [
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
];

test('the node knows exactly the 53 names of the document, in its order', () => {
	expect(FROM_THE_DOCUMENT).toHaveLength(53);
	expect([...REGISTRATION_FIELDS]).toEqual(FROM_THE_DOCUMENT);
});

test.each(FROM_THE_DOCUMENT)(
	'%s is accepted; its lower-case and underscore-less forms are not',
	(name) => {
		const body = (registration: Record<string, unknown>) => ({
			'product-code': 'GTX-Academic-Plus',
			sequence: 1,
			registration,
		});
		expect(validateFulfillmentBody(body({ [name]: 'x' })).ok).toBe(true);
		for (const nearMiss of new Set([name.toLowerCase(), name.replace(/_/g, '')])) {
			if (nearMiss === name) continue;
			expect(validateFulfillmentBody(body({ [nearMiss]: 'x' })).ok).toBe(false);
		}
	},
);
