/* eslint-disable @n8n/community-nodes/no-restricted-imports -- development tooling, never published: n8n's rules for node code do not apply */
/**
 * A one-sheet .xlsx workbook written by hand: the Office Open XML parts Excel and SheetJS (n8n's Extract From
 * File) need, in a zip made with node:zlib. The sandbox serves its AVAILABLE TESTS export this way so users can
 * try the xlsx path without the sandbox (or the pack) depending on a spreadsheet library.
 */
import { crc32, deflateRawSync } from 'node:zlib';

export type SheetCell = string | number;

export const XLSX_CONTENT_TYPE =
	'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A workbook with one sheet: the header row, then one row per record (strings as text, numbers as numbers). */
export function writeXlsx(sheetName: string, header: string[], rows: SheetCell[][]): Buffer {
	const sheetRows = [header, ...rows]
		.map(
			(cells, rowIndex) =>
				`<row r="${rowIndex + 1}">${cells.map((cell, columnIndex) => cellXml(cell, rowIndex, columnIndex)).join('')}</row>`,
		)
		.join('');
	const lastCell = `${columnLetters(Math.max(header.length - 1, 0))}${rows.length + 1}`;
	const parts: Array<[string, string]> = [
		[
			'[Content_Types].xml',
			xml(
				'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
					'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
					'<Default Extension="xml" ContentType="application/xml"/>' +
					'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
					'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
					'</Types>',
			),
		],
		[
			'_rels/.rels',
			xml(
				'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
					'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>' +
					'</Relationships>',
			),
		],
		[
			'xl/workbook.xml',
			xml(
				'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">' +
					`<sheets><sheet name="${escapeXml(sheetName)}" sheetId="1" r:id="rId1"/></sheets>` +
					'</workbook>',
			),
		],
		[
			'xl/_rels/workbook.xml.rels',
			xml(
				'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
					'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>' +
					'</Relationships>',
			),
		],
		[
			'xl/worksheets/sheet1.xml',
			xml(
				'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
					`<dimension ref="A1:${lastCell}"/><sheetData>${sheetRows}</sheetData></worksheet>`,
			),
		],
	];
	return zip(parts.map(([name, text]) => ({ name, data: Buffer.from(text, 'utf8') })));
}

function cellXml(cell: SheetCell, rowIndex: number, columnIndex: number): string {
	const ref = `${columnLetters(columnIndex)}${rowIndex + 1}`;
	if (typeof cell === 'number' && Number.isFinite(cell)) return `<c r="${ref}"><v>${cell}</v></c>`;
	const text = String(cell);
	if (text === '') return '';
	return `<c r="${ref}" t="inlineStr"><is><t xml:space="preserve">${escapeXml(text)}</t></is></c>`;
}

/** 0 -> A, 25 -> Z, 26 -> AA. */
function columnLetters(index: number): string {
	let letters = '';
	for (let rest = index + 1; rest > 0; rest = Math.floor((rest - 1) / 26)) {
		letters = String.fromCharCode(65 + ((rest - 1) % 26)) + letters;
	}
	return letters;
}

function xml(body: string): string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${body}`;
}

function escapeXml(text: string): string {
	// Characters XML 1.0 cannot hold at all are dropped rather than written as an unreadable file.
	return text
		.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;');
}

/** A zip archive (deflated entries, no zip64: the sandbox's exports are small). */
function zip(entries: Array<{ name: string; data: Buffer }>): Buffer {
	const locals: Buffer[] = [];
	const centrals: Buffer[] = [];
	let offset = 0;
	for (const { name, data } of entries) {
		const fileName = Buffer.from(name, 'utf8');
		const compressed = deflateRawSync(data);
		const checksum = crc32(data);
		const local = Buffer.alloc(30);
		local.writeUInt32LE(0x04034b50, 0); // local file header
		local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
		local.writeUInt16LE(0x0800, 6); // names are UTF-8
		local.writeUInt16LE(8, 8); // deflate
		local.writeUInt16LE(0, 10); // time
		local.writeUInt16LE(0x21, 12); // date: 1980-01-01
		local.writeUInt32LE(checksum, 14);
		local.writeUInt32LE(compressed.length, 18);
		local.writeUInt32LE(data.length, 22);
		local.writeUInt16LE(fileName.length, 26);
		local.writeUInt16LE(0, 28);
		locals.push(local, fileName, compressed);

		const central = Buffer.alloc(46);
		central.writeUInt32LE(0x02014b50, 0); // central directory header
		central.writeUInt16LE(20, 4); // made by
		central.writeUInt16LE(20, 6);
		central.writeUInt16LE(0x0800, 8);
		central.writeUInt16LE(8, 10);
		central.writeUInt16LE(0, 12);
		central.writeUInt16LE(0x21, 14);
		central.writeUInt32LE(checksum, 16);
		central.writeUInt32LE(compressed.length, 20);
		central.writeUInt32LE(data.length, 24);
		central.writeUInt16LE(fileName.length, 28);
		central.writeUInt32LE(offset, 42);
		centrals.push(central, fileName);
		offset += local.length + fileName.length + compressed.length;
	}
	const directory = Buffer.concat(centrals);
	const end = Buffer.alloc(22);
	end.writeUInt32LE(0x06054b50, 0); // end of central directory
	end.writeUInt16LE(entries.length, 8);
	end.writeUInt16LE(entries.length, 10);
	end.writeUInt32LE(directory.length, 12);
	end.writeUInt32LE(offset, 16);
	return Buffer.concat([...locals, directory, end]);
}
