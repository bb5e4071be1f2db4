/**
 * Parquet objects (VPC flow logs delivered as Parquet) read with hyparquet,
 * column by column: each column's values in one array, no object per row.
 */
import { parquetRead } from 'hyparquet';
// hyparquet decodes only Snappy itself; AWS delivers GZIP, and ZSTD/LZ4/Brotli files are common too
import { compressors } from 'hyparquet-compressors';

/** The magic a Parquet file starts with: enough to tell one from text when only its first bytes have arrived. */
export const startsLikeParquet = (b: Uint8Array): boolean => b.length >= 4 && b[0] === 0x50 && b[1] === 0x41 && b[2] === 0x52 && b[3] === 0x31;

export const isParquet = (b: Uint8Array): boolean =>
  b.length >= 12 && startsLikeParquet(b) &&
  b[b.length - 4] === 0x50 && b[b.length - 3] === 0x41 && b[b.length - 2] === 0x52 && b[b.length - 1] === 0x31;

export interface ParquetColumns { names: string[]; columns: ArrayLike<unknown>[]; rows: number }

export async function readParquetColumns(data: Buffer): Promise<ParquetColumns> {
  const file = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  const byName = new Map<string, unknown[]>();
  let rows = 0;
  await parquetRead({
    file,
    compressors,
    onChunk: ({ columnName, columnData, rowStart }) => {
      let col = byName.get(columnName);
      if (!col) { col = []; byName.set(columnName, col); }
      for (let i = 0; i < columnData.length; i++) col[rowStart + i] = columnData[i];
      rows = Math.max(rows, rowStart + columnData.length);
    },
  });
  return { names: [...byName.keys()], columns: [...byName.values()], rows };
}
