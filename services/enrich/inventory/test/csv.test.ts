/**
 * The CSV reader against RFC 4180: any field values survive a round trip
 * through a writer that quotes only when needed, and syntax errors name the
 * line where the broken record starts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, parseCsv } from '../csv.js';

/** Quote a field only when it holds a separator, quote or line break (what Excel does). */
function writeField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function writeCsv(rows: string[][], eol: string): string {
  // a row of one empty field must be quoted, or it would read back as a blank line
  return rows.map((r) => (r.length === 1 && r[0] === '' ? '""' : r.map(writeField).join(','))).map((l) => l + eol).join('');
}

const field = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: fc.constantFrom('a', ',', '"', '\r', '\n', ' ', '=', ';') }),
);

describe('parseCsv', () => {
  it('round-trips arbitrary fields through the writer', () => {
    fc.assert(
      fc.property(fc.array(fc.array(field, { minLength: 1, maxLength: 6 }), { maxLength: 8 }), fc.constantFrom('\r\n', '\n'), (rows, eol) => {
        expect(parseCsv(writeCsv(rows, eol)).map((r) => r.fields)).toEqual(rows);
      }),
      { numRuns: 500 },
    );
  });

  it('accepts a missing final line break, CR-only breaks and a BOM', () => {
    expect(parseCsv('\uFEFFa,b\rc,d').map((r) => r.fields)).toEqual([['a', 'b'], ['c', 'd']]);
  });

  it('numbers rows by the line they start on', () => {
    expect(parseCsv('h\r\n"x\r\ny"\r\nz\r\n').map((r) => [r.line, r.fields[0]])).toEqual([[1, 'h'], [2, 'x\r\ny'], [4, 'z']]);
  });

  it('reports an unclosed quote at the line it opened', () => {
    expect(() => parseCsv('cidr,name\n10.0.0.0/8,"open\nmore\n')).toThrow(new CsvSyntaxError(2, 'quoted field is not closed'));
  });

  it('rejects text after a closing quote and a quote inside an unquoted field', () => {
    expect(() => parseCsv('a,"b"c\n')).toThrow(/line 1: unexpected "c" after a closing quote/);
    expect(() => parseCsv('a\nb"c\n')).toThrow(/line 2: quote inside an unquoted field/);
  });
});
