/**
 * Parquet objects (VPC flow logs delivered as Parquet) read with hyparquet,
 * column by column: each column's values in one array, no object per row.
 */
import { parquetMetadata, parquetRead } from 'hyparquet';
import { QuarantineError } from '../core/rejects.js';
// hyparquet decodes only Snappy itself; AWS delivers GZIP, and ZSTD/LZ4/Brotli files are common too
import { compressors } from 'hyparquet-compressors';

/** The magic a Parquet file starts with: enough to tell one from text when only its first bytes have arrived. */
export const startsLikeParquet = (b: Uint8Array): boolean => b.length >= 4 && b[0] === 0x50 && b[1] === 0x41 && b[2] === 0x52 && b[3] === 0x31;

export const isParquet = (b: Uint8Array): boolean =>
  b.length >= 12 && startsLikeParquet(b) &&
  b[b.length - 4] === 0x50 && b[b.length - 3] === 0x41 && b[b.length - 2] === 0x52 && b[b.length - 1] === 0x31;

export interface ParquetColumns { names: string[]; columns: ArrayLike<unknown>[]; rows: number }

/**
 * The file's columns, whole. The footer is checked first: a declared
 * uncompressed size past `maxBytes` (limits.max_document_bytes) is TOO_LARGE,
 * and a row count that is negative or that the rows read disagree with is
 * DECODE (a file that would otherwise give 0 rows and count as done).
 */
export async function readParquetColumns(source: string, data: Buffer, maxBytes: number): Promise<ParquetColumns> {
  const file = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  const metadata = parquetMetadata(file);
  const declared = Number(metadata.num_rows);
  let groupRows = 0, unpacked = 0;
  for (const g of metadata.row_groups) {
    groupRows += Number(g.num_rows);
    for (const c of g.columns) unpacked += Number(c.meta_data?.total_uncompressed_size ?? 0);
  }
  if (unpacked > maxBytes) throw new QuarantineError('TOO_LARGE', `${source}: the Parquet file declares ${unpacked} bytes uncompressed, more than limits.max_document_bytes (${maxBytes})`);
  const mismatch = (read: number) => new QuarantineError('DECODE', `${source}: the Parquet footer declares ${declared} rows, its row groups hold ${read}`);
  if (!Number.isSafeInteger(declared) || declared < 0 || declared !== groupRows) throw mismatch(groupRows);
  const byName = new Map<string, unknown[]>();
  let rows = 0;
  await parquetRead({
    file,
    metadata,
    compressors,
    onChunk: ({ columnName, columnData, rowStart }) => {
      let col = byName.get(columnName);
      if (!col) { col = []; byName.set(columnName, col); }
      for (let i = 0; i < columnData.length; i++) col[rowStart + i] = columnData[i];
      rows = Math.max(rows, rowStart + columnData.length);
    },
  });
  if (rows !== declared) throw new QuarantineError('DECODE', `${source}: the Parquet footer declares ${declared} rows, ${rows} were read`);
  return { names: [...byName.keys()], columns: [...byName.values()], rows };
}
