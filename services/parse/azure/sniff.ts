/**
 * Format detection from the first bytes of an object, before committing to a
 * JSON.parse of the whole of it.
 */

/** Far enough in to pass a record's resource ids and reach its first key of interest. */
export const SNIFF_BYTES = 4096;

// Case matters: CloudTrail's `{"Records":[...]}` is not ours.
const KEYS = ['"records"', '"flowTuples"', '"flowRecords"'].map((k) => Buffer.from(k, 'latin1'));

/**
 * Does `head` look like an Azure flow log JSON document: after optional BOM and
 * whitespace a `{`, and one of the keys above within the first SNIFF_BYTES.
 */
export function looksLikeAzureJson(head: Uint8Array): boolean {
  const b = Buffer.from(head.buffer, head.byteOffset, Math.min(head.byteLength, SNIFF_BYTES));
  let i = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  while (i < b.length && (b[i] === 32 || b[i] === 9 || b[i] === 10 || b[i] === 13)) i++;
  if (b[i] !== 123) return false;
  for (const k of KEYS) if (b.indexOf(k, i) >= 0) return true;
  return false;
}
