/**
 * RFC 4180 CSV reader, small enough to check by eye instead of adding a
 * dependency for one static file. Accepts CRLF, LF or CR line breaks (Excel
 * and editors differ) and a leading UTF-8 BOM (Excel writes one). Strict about
 * quotes: a stray quote usually means a broken export, and guessing would
 * shift every later column.
 */

import { FlowlogError } from '../../core/errors.js';

export interface CsvRow {
  /** 1-based line where the row starts (a quoted field may span lines). */
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends FlowlogError {
  constructor(readonly line: number, message: string) {
    super('CSV_INVALID', `line ${line}: ${message}`);
    this.name = 'CsvSyntaxError';
  }
}

export function parseCsv(text: string): CsvRow[] {
  const src = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const rows: CsvRow[] = [];
  let line = 1;
  let pos = 0;
  while (pos < src.length) {
    const row: CsvRow = { line, fields: [] };
    for (;;) {
      let field = '';
      if (src[pos] === '"') {
        const start = line;
        pos++;
        for (;;) {
          if (pos >= src.length) throw new CsvSyntaxError(start, 'quoted field is not closed');
          const ch = src[pos] as string;
          if (ch === '"') {
            if (src[pos + 1] === '"') { field += '"'; pos += 2; continue; }
            pos++;
            break;
          }
          if (ch === '\n' || (ch === '\r' && src[pos + 1] !== '\n')) line++;
          field += ch;
          pos++;
        }
        const next = src[pos];
        if (next !== undefined && next !== ',' && next !== '\r' && next !== '\n') {
          throw new CsvSyntaxError(line, `unexpected ${JSON.stringify(next)} after a closing quote (a quote inside a quoted field is written "")`);
        }
      } else {
        while (pos < src.length && !',\r\n'.includes(src[pos] as string)) {
          if (src[pos] === '"') throw new CsvSyntaxError(line, 'quote inside an unquoted field (quote the whole field and double the quote)');
          field += src[pos];
          pos++;
        }
      }
      row.fields.push(field);
      if (src[pos] === ',') { pos++; continue; }
      break;
    }
    // end of record: a line break (CRLF, LF or CR) or the end of the text
    if (src[pos] === '\r' && src[pos + 1] === '\n') pos += 2;
    else if (pos < src.length) pos++;
    line++;
    rows.push(row);
  }
  return rows;
}
